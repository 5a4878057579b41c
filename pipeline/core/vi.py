"""Vietnamese text, numbers, dates and percent phrases.

Pure functions only. Numbers follow the accounting convention (and the vi
locale): thousands with a dot, decimals with a comma, "1.234,5"; a percent has
no space, "65%". Percentages are computed from raw counts with `decimal` and an
explicit rounding mode, never with float or Python's `round()`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal

from pipeline.textnorm import nfc

LOCALE = "vi"

ROUNDING_MODES = {
    "half-up": decimal.ROUND_HALF_UP,
    "half-even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
}

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)  # the same few hundred labels in every workbook
def label_key(text: str) -> str:
    """A label as it is compared: NFC, case-folded, single spaces, no trailing ':' or '*'."""
    folded = _SPACES.sub(" ", nfc(str(text)).casefold()).strip()
    return folded.rstrip(":*. ").strip()


@lru_cache(maxsize=1024)
def ascii_key(text: str) -> str:
    """A label stripped of diacritics and spaces, for sheet names ("Thông tin" ≈ "ThongTin")."""
    decomposed = unicodedata.normalize("NFD", label_key(text)).replace("đ", "d")
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def number(value: int | Decimal | None, decimals: int = 0) -> str:
    """1234.5 → "1.234,5"; None → "-" (a figure that does not apply)."""
    if value is None:
        return "-"
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=LOCALE)


def percent_of(actual: int, plan: int | None, mode: str, decimals: int) -> Decimal | None:
    """actual as a percent of plan, rounded with the configured mode; None without a plan."""
    if not plan:
        return None
    exact = Decimal(actual) * 100 / Decimal(plan)
    step = Decimal(1).scaleb(-decimals)
    return exact.quantize(step, rounding=ROUNDING_MODES[mode])


def percent(value: Decimal | None) -> str:
    """Decimal("96.2") → "96,2%"; None → "-"."""
    if value is None:
        return "-"
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # "n", "N", "F": NaN or infinity, which percent_of never makes
        raise ValueError(f"not a finite percent: {value}")
    return number(value, max(0, -exponent)) + "%"


def plan_phrase(pct: Decimal | None, surplus_below: int, suffix: str = " kế hoạch") -> str:
    """How a report says a result against plan: "đạt 65% kế hoạch", "vượt 32%".

    Over plan but below `surplus_below` percent the surplus is said ("vượt 32%");
    from there on the multiple reads better ("đạt 220% kế hoạch").
    """
    if pct is None:
        return "không giao kế hoạch"
    if 100 < pct < surplus_below:
        return f"vượt {percent(pct - 100)}"
    return f"đạt {percent(pct)}{suffix}"


def change_phrase(current: int, previous: int | None, measure: str, previous_year: int) -> str:
    """"tăng 2 tổ chức so với năm 2015", "giảm 3 …", "bằng năm 2015"."""
    if previous is None:
        return f"chưa có số liệu năm {previous_year} để so sánh"
    delta = current - previous
    if delta == 0:
        return f"bằng năm {previous_year}"
    verb = "tăng" if delta > 0 else "giảm"
    return f"{verb} {number(abs(delta))} {measure} so với năm {previous_year}"


def long_date(day: dt.date) -> str:
    """"ngày 29 tháng 12 năm 2016"; day < 10 and months 1–2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def join_names(names: list[str]) -> str:
    """["A", "B", "C"] → "A, B và C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def sentence_case(text: str) -> str:
    """Upper-case the first letter only: "quận Hồng Bàng" → "Quận Hồng Bàng"."""
    return text[:1].upper() + text[1:]
