"""What the typing of core/ (mypy --strict) changed in its interfaces: checked at run time too."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pipeline.core import vi
from pipeline.core.documents.report import appendix_names_of
from pipeline.errors import ConfigError
from tests.factories import settings


def test_blank_is_the_configured_indicator():
    cfg = settings()
    assert cfg.blank().code == cfg.general.blank_indicator


def test_blank_refuses_a_code_that_is_not_an_indicator_with_the_load_message():
    cfg = settings()
    broken = cfg.model_copy(update={"general": cfg.general.model_copy(update={"blank_indicator": "KHONG_CO"})})
    with pytest.raises(ConfigError, match=re.escape("settings.yaml, khóa «blank_indicator»: «KHONG_CO»")):
        broken.blank()


def test_appendix_names_are_three_in_the_office_style():
    cfg = settings()
    names = appendix_names_of(cfg)
    assert len(names) == 3
    expected = ("1", "2", "3") if cfg.general.style.kind == "party" else ("I", "II", "III")
    assert names == tuple(f"Phụ lục {n}" for n in expected)


def test_a_percent_that_is_not_finite_is_refused():
    assert vi.percent(Decimal("96.2")) == "96,2%"
    with pytest.raises(ValueError):
        vi.percent(Decimal("NaN"))
