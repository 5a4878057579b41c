"""Vietnamese numbers, percentages, phrases, dates and label keys (pipeline.core.vi)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from pipeline.core import vi
from pipeline.textnorm import nfc


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- numbers and percent ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (7, 0, "7"),
        (1234, 0, "1.234"),
        (1234567, 0, "1.234.567"),
        (Decimal("1234.5"), 1, "1.234,5"),
        (1234.5, 1, "1.234,5"),
        (Decimal("0.25"), 2, "0,25"),
        (Decimal("12"), 1, "12,0"),
        (Decimal("-1234.5"), 1, "-1.234,5"),
    ],
)
def test_number_uses_dot_for_thousands_and_comma_for_decimals(value, decimals, expected):
    assert vi.number(value, decimals) == expected


def test_number_of_none_is_a_dash():
    assert vi.number(None) == "-"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("96.2"), "96,2%"),
        (Decimal("65"), "65%"),
        (Decimal("220"), "220%"),
        (Decimal("0.5"), "0,5%"),
        (Decimal("1234.50"), "1.234,50%"),
        (None, "-"),
    ],
)
def test_percent_has_no_space_and_keeps_the_decimals_it_was_given(value, expected):
    assert vi.percent(value) == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("down", Decimal("220")), ("half-up", Decimal("221")), ("half-even", Decimal("221")), ("up", Decimal("221"))],
)
def test_percent_of_170_of_77_with_each_rounding_mode(mode, expected):
    assert vi.percent_of(170, 77, mode, 0) == expected


@pytest.mark.parametrize(
    ("actual", "plan", "mode", "decimals", "expected"),
    [
        # 5/8 = 62.5%: the half cases tell the modes apart
        (5, 8, "down", 0, "62"),
        (5, 8, "half-up", 0, "63"),
        (5, 8, "half-even", 0, "62"),
        (5, 8, "up", 0, "63"),
        # 7/8 = 87.5%
        (7, 8, "half-even", 0, "88"),
        (7, 8, "half-up", 0, "88"),
        # 170/77 = 220.779…%
        (170, 77, "down", 1, "220.7"),
        (170, 77, "half-up", 1, "220.8"),
        (170, 77, "half-up", 2, "220.78"),
        # the worked example
        (26, 40, "down", 0, "65"),
        (33, 25, "down", 0, "132"),
        (0, 5, "half-up", 0, "0"),
        # 1/3 is where float arithmetic would drift
        (1, 3, "up", 0, "34"),
        (2, 3, "down", 2, "66.66"),
    ],
)
def test_percent_of_uses_decimal_and_the_configured_mode(actual, plan, mode, decimals, expected):
    result = vi.percent_of(actual, plan, mode, decimals)
    assert result == Decimal(expected)
    assert str(result) == expected  # the exponent is the configured number of decimals


@pytest.mark.parametrize("plan", [None, 0])
def test_percent_of_without_a_plan_is_none(plan):
    assert vi.percent_of(3, plan, "half-up", 0) is None


def test_percent_of_feeds_percent_the_way_the_report_prints_it():
    assert vi.percent(vi.percent_of(170, 77, "down", 0)) == "220%"
    assert vi.percent(vi.percent_of(170, 77, "half-up", 1)) == "220,8%"


# --- phrases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (Decimal("65"), "đạt 65% kế hoạch"),
        (Decimal("0"), "đạt 0% kế hoạch"),
        (Decimal("100"), "đạt 100% kế hoạch"),
        (Decimal("132"), "vượt 32%"),
        (Decimal("132.5"), "vượt 32,5%"),
        (Decimal("199"), "vượt 99%"),
        (Decimal("200"), "đạt 200% kế hoạch"),
        (Decimal("220"), "đạt 220% kế hoạch"),
        (None, "không giao kế hoạch"),
    ],
)
def test_plan_phrase_with_surplus_below_200(pct, expected):
    assert vi.plan_phrase(pct, 200) == expected


def test_plan_phrase_threshold_and_suffix_are_parameters():
    assert vi.plan_phrase(Decimal("220"), 300) == "vượt 120%"
    assert vi.plan_phrase(Decimal("132"), 100) == "đạt 132% kế hoạch"
    assert vi.plan_phrase(Decimal("65"), 200, suffix="") == "đạt 65%"


@pytest.mark.parametrize(
    ("current", "previous", "measure", "expected"),
    [
        (26, 24, "tổ chức", "tăng 2 tổ chức so với năm 2015"),
        (1, 4, "tổ chức", "giảm 3 tổ chức so với năm 2015"),
        (3, 3, "tổ chức", "bằng năm 2015"),
        (2234, 1, "người", "tăng 2.233 người so với năm 2015"),
        (0, 1500, "người", "giảm 1.500 người so với năm 2015"),
        (5, None, "tổ chức", "chưa có số liệu năm 2015 để so sánh"),
    ],
)
def test_change_phrase(current, previous, measure, expected):
    assert vi.change_phrase(current, previous, measure, 2015) == expected


# --- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2016, 1, 5), "ngày 05 tháng 01 năm 2016"),
        (dt.date(2016, 2, 15), "ngày 15 tháng 02 năm 2016"),
        (dt.date(2016, 4, 5), "ngày 05 tháng 4 năm 2016"),
        (dt.date(2016, 3, 1), "ngày 01 tháng 3 năm 2016"),
        (dt.date(2016, 9, 30), "ngày 30 tháng 9 năm 2016"),
        (dt.date(2016, 10, 1), "ngày 01 tháng 10 năm 2016"),
        (dt.date(2016, 12, 29), "ngày 29 tháng 12 năm 2016"),
    ],
)
def test_long_date_leading_zeros_for_days_below_10_and_months_1_2(day, expected):
    assert vi.long_date(day) == expected


def test_short_date():
    assert vi.short_date(dt.date(2016, 3, 1)) == "01/03/2016"
    assert vi.short_date(dt.date(2016, 12, 29)) == "29/12/2016"


# --- text -----------------------------------------------------------------------


def test_nfc_composes_decomposed_diacritics():
    composed = "Đảng bộ quận Hồng Bàng"
    assert nfd(composed) != composed
    assert nfc(nfd(composed)) == composed


@pytest.mark.parametrize(
    "typed",
    [
        "Mã đơn vị",
        "mã đơn vị",
        "MÃ ĐƠN VỊ",
        "  Mã   đơn vị  ",
        "Mã đơn vị:",
        "Mã đơn vị :",
        "Mã đơn vị *",
        "Mã\u00a0đơn\tvị",
        "Mã đơn vị\n",
        nfd("Mã đơn vị"),
        nfd("MÃ ĐƠN VỊ:"),
    ],
)
def test_label_key_ignores_case_spacing_unicode_form_and_trailing_marks(typed):
    assert vi.label_key(typed) == "mã đơn vị"


def test_label_key_keeps_diacritics_apart():
    # "Chỉ tiêu" and "Mã chỉ tiêu" are different headers; diacritics are significant in labels
    assert vi.label_key("Chỉ tiêu") != vi.label_key("Mã chỉ tiêu")
    assert vi.label_key("Đơn vị tính") != vi.label_key("Don vi tinh")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ThongTin", "thongtin"),
        ("Thông tin", "thongtin"),
        ("THÔNG TIN", "thongtin"),
        (nfd("Thông  tin"), "thongtin"),
        ("Tổng hợp", "tonghop"),
        ("Danh sách", "danhsach"),
        ("Đồng Đăng", "dongdang"),
        ("Biểu số 01", "bieuso01"),
    ],
)
def test_ascii_key_drops_diacritics_spaces_and_case(text, expected):
    assert vi.ascii_key(text) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], ""),
        (["Đồ Sơn"], "Đồ Sơn"),
        (["Đồ Sơn", "Cát Hải"], "Đồ Sơn và Cát Hải"),
        (["Đồ Sơn", "Cát Hải", "Bạch Long Vĩ"], "Đồ Sơn, Cát Hải và Bạch Long Vĩ"),
    ],
)
def test_join_names(names, expected):
    assert vi.join_names(names) == expected


def test_sentence_case_upper_cases_the_first_letter_only():
    assert vi.sentence_case("quận Hồng Bàng") == "Quận Hồng Bàng"
    assert vi.sentence_case("đảng bộ") == "Đảng bộ"
    assert vi.sentence_case("") == ""
