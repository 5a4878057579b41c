"""make sign with a PKCS#11 token whose PIN is not in the environment: asked on the terminal, hidden.

The prompt is passed in (the terminal's by default, which asks only when
stdin is a terminal); here it answers for the clerk. A SoftHSM2 token holds
the throw-away keys, as in test_sign.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from pipeline import sign as signing
from pipeline.core.catalogue import SIGNED_SUMS
from pipeline.errors import ConfigError
from tests.signing_keys import PIN, SOFTHSM_MODULE, make_token
from tests.test_sign import TOKEN_YAML, WHEN, options, reported, signing_config  # noqa: F401

pytestmark = pytest.mark.skipif(not SOFTHSM_MODULE.is_file() or shutil.which("softhsm2-util") is None,
                                reason="SoftHSM2 is not installed (make test-system-deps)")


@pytest.fixture(scope="module")
def token(tmp_path_factory) -> Path:
    """A config whose signer and body keys are on one SoftHSM token; SoftHSM reads its conf from the
    environment of this process."""
    folder = tmp_path_factory.mktemp("pin")
    config = signing_config(folder / "config", TOKEN_YAML.replace("MODULE", str(SOFTHSM_MODULE)))
    env = make_token(folder / "hsm", config / "khoa")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", env["SOFTHSM2_CONF"])
        yield config


class Clerk:
    """Answers every PIN question with `answer`, remembering the questions."""

    def __init__(self, answer: str | None) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, question: str) -> str | None:
        self.questions.append(question)
        return self.answer


def _out(reported: Path, folder: Path) -> Path:
    shutil.copytree(reported / "2016", folder / "2016")
    return folder


def test_the_pin_typed_at_the_prompt_opens_the_token_once(reported, token, tmp_path):
    out = _out(reported, tmp_path)
    clerk = Clerk(PIN)
    outcome = signing.sign(options(out, token), environ={}, clock=lambda: WHEN, prompt=clerk)
    assert len(outcome.files) == 31
    assert len(clerk.questions) == 1, "one token, one login: asked once for both keys"
    assert "«nq28»" in clerk.questions[0] and "Mã PIN" in clerk.questions[0] and "người ký" in clerk.questions[0]
    assert signing.verify(options(out, token)).failed == ()


def test_a_wrong_pin_typed_is_named_and_nothing_is_written(reported, token, tmp_path):
    out = _out(reported, tmp_path)
    with pytest.raises(ConfigError) as caught:
        signing.sign(options(out, token), environ={}, clock=lambda: WHEN, prompt=Clerk("000000"))
    assert "mã PIN" in str(caught.value) and "không đúng" in str(caught.value)
    assert not (out / "2016" / SIGNED_SUMS.path()).exists()


def test_without_a_terminal_the_missing_variable_is_named(reported, token, tmp_path):
    out = _out(reported, tmp_path)
    with pytest.raises(ConfigError) as caught:
        signing.sign(options(out, token), environ={}, clock=lambda: WHEN, prompt=Clerk(None))
    assert "Chưa đặt biến môi trường NQ28_KY_PIN" in str(caught.value)


def test_the_terminal_prompt_does_not_ask_when_stdin_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("123456\n"))
    assert signing.terminal_prompt("Mã PIN: ") is None
