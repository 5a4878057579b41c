"""Text made safe to print: hidden characters removed, undrawable ones replaced, long text cut."""

from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest

from pipeline.core.steps.raw import RawSheet, RawWorkbook
from pipeline.core.text import HIDDEN_CLASS, REPLACEMENT, brief, clean_workbook, printable, text_policy, visible
from pipeline.io.fonts import drawable_characters, parse_charset

FONT = "Liberation Serif"
POLICY = text_policy(drawable_characters(FONT), FONT, 40)


def book(*rows: tuple) -> RawWorkbook:
    return RawWorkbook("2016/HB.xlsx", "0" * 64, (RawSheet("DanhSach", False, tuple(rows)),))


def test_the_font_draws_vietnamese_and_the_replacement_but_not_emoji():
    drawable = drawable_characters(FONT)
    assert {ord(c) for c in "Công ty TNHH Đồng Hưởng ươ ữ ặ □–“”…"} <= drawable
    assert ord("😀") not in drawable and drawable_characters("No Such Family Anywhere") is None


def test_fontconfig_knows_every_face_as_its_own_character_map_does():
    """The sets come from fontconfig's cache, not the font files: the same code points as each face's cmap."""
    from fontTools.ttLib import TTFont

    listed = subprocess.run(["fc-list", "--format", "%{file}\\n", FONT], capture_output=True, text=True,
                            check=True).stdout.split()
    faces = []
    for file in sorted(set(listed)):
        with TTFont(file, lazy=True, fontNumber=0) as font:
            faces.append(frozenset(font.getBestCmap()))
    assert len(faces) == 4  # regular, bold, italic, bold italic
    assert drawable_characters(FONT) == frozenset.intersection(*faces)


def test_a_printed_character_set_is_read_exactly_or_refused():
    assert parse_charset("20-7e a0 1ea0-1ef9") == frozenset([*range(0x20, 0x7F), 0xA0, *range(0x1EA0, 0x1EFA)])
    assert parse_charset("") == frozenset()
    for bad in ("zz", "7e-20", "110000", "20-", "-20"):
        with pytest.raises(ValueError):
            parse_charset(bad)


def test_hidden_class_lists_every_control_format_and_separator_character():
    listed = re.compile(f"[{HIDDEN_CLASS}]")
    hidden = {cp for cp in range(0x110000) if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs")}
    found = {cp for cp in range(0x110000) if listed.fullmatch(chr(cp))}
    assert found == hidden


def test_a_clean_workbook_is_returned_as_it_is():
    raw = book(("Tên doanh nghiệp", "Số QĐ"), ("Công ty TNHH Đồng Hưởng\n(chi nhánh)", 12))
    assert clean_workbook(raw, POLICY) == (raw, ())


def test_hidden_characters_are_removed_with_a_located_warning():
    cleaned, issues = clean_workbook(book(("x", "Công ty \u202eTNHH\u0007 A")), POLICY)
    assert cleaned.sheets[0].rows == (("x", "Công ty TNHH A"),)
    (issue,) = issues
    assert (issue.rule, issue.severity, issue.sheet, issue.cell) == ("hidden-character", "warning", "DanhSach", "B1")
    assert "U+202E, U+0007" in issue.message and "«Công ty TNHH A»" in issue.message


def test_undrawable_characters_become_a_visible_square():
    cleaned, issues = clean_workbook(book(("Công ty 😀 Hoa Mai",),), POLICY)
    assert cleaned.sheets[0].rows[0][0] == f"Công ty {REPLACEMENT} Hoa Mai"
    assert [(i.rule, i.cell) for i in issues] == [("undrawable-character", "A1")]
    assert "U+1F600" in issues[0].message and "Liberation Serif" in issues[0].message


def test_long_text_is_cut_to_the_limit():
    cleaned, issues = clean_workbook(book(("A" * 32_767,),), POLICY)
    assert cleaned.sheets[0].rows[0][0] == "A" * 40
    assert [(i.rule, i.cell) for i in issues] == [("text-too-long", "A1")]
    assert "32.767 ký tự" in issues[0].message and "giới hạn 40 ký tự" in issues[0].message


def test_printable_keeps_tabs_and_newlines_and_turns_separators_into_spaces():
    assert printable("a\tb\nc\u2028d\x0be\u200bf", POLICY) == "a\tb\nc d ef"


def test_without_a_font_only_hidden_characters_go():
    policy = text_policy(None, "Unknown", 300)
    assert printable("a\u202eb😀\x07\n", policy) == "ab😀\n"


def test_visible_shows_escapes_and_undecodable_bytes():
    assert visible("\x1b[31mHB\udcff.xlsx\u202e") == "\\x1b[31mHB\\xff.xlsx\\u202e"
    assert visible("Hồng Bàng [/]") == "Hồng Bàng [/]"


def test_a_log_line_never_carries_a_data_uri_or_a_whole_document():
    """Ctrl-C once printed a WeasyPrint warning quoting a chart's 140 KB data URI."""
    uri = "data:image/svg+xml;base64," + "PHN2ZyB4bWxucz0i" * 9000
    line = brief(f"Failed to load image at '{uri}': interrupted")
    assert line == f"Failed to load image at 'data:image/svg+xml;base64,…({len(uri)} ký tự)': interrupted"
    long = brief("x" * 50_000)
    assert len(long) < 700 and long.endswith("… (đã cắt, dài 50000 ký tự)")
    assert brief("Đã đọc 15 tệp") == "Đã đọc 15 tệp"
