"""The Makefile is the user's interface: `make help` lists every command, in Vietnamese,
and the runtime and test installs stay apart."""

from __future__ import annotations

import re
import subprocess

from tests import factories

MAKEFILE = (factories.ROOT / "Makefile").read_text(encoding="utf-8")


def phony_targets() -> list[str]:
    line = next(line for line in MAKEFILE.splitlines() if line.startswith(".PHONY:"))
    return line.split(":", 1)[1].split()


def test_make_help_lists_every_command_with_a_vietnamese_line():
    listed = subprocess.run(["make", "--no-print-directory", "help"], cwd=factories.ROOT, capture_output=True,
                            text=True, check=True).stdout
    for target in phony_targets():
        match = re.search(rf"^  make {re.escape(target)} +(.+)$", listed, re.MULTILINE)
        assert match, f"`make help` does not list {target}: give it a '## ' line in the Makefile"
        assert re.search(r"[àáảãạăâđèéẻẽẹêìíỉĩịòóỏõọôơùúủũụưỳýỷỹỵ]", match.group(1).lower()), (
            f"{target}'s help is not Vietnamese: {match.group(1)}")


def test_runtime_commands_install_the_runtime_lock_and_test_commands_the_test_lock():
    for target in ("report", "validate", "forms", "distribute"):
        assert re.search(rf"^{target}: \$\(RUN_STAMP\)", MAKEFILE, re.MULTILINE), target
    for target in ("lint", "fuzz", "bench", "sample"):
        assert re.search(rf"^{target}: \$\(TEST_STAMP\)", MAKEFILE, re.MULTILINE), target
    # make test runs make lint first (CI enforces it), which installs the test set.
    assert re.search(r"^test: lint ", MAKEFILE, re.MULTILINE)
    assert "--require-hashes -r requirements.lock" in MAKEFILE
    assert "--require-hashes -r requirements-test.lock" in MAKEFILE


def test_the_test_lock_keeps_every_runtime_pin():
    def pins(name: str) -> dict[str, str]:
        text = (factories.ROOT / name).read_text(encoding="utf-8")
        return dict(re.findall(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", text, re.MULTILINE))

    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    assert runtime and all(test.get(name) == version for name, version in runtime.items())
    assert "pytest" in test and "pytest" not in runtime
