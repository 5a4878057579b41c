"""Fast paths of the cold read that must give exactly what the slow path gives (issue 19)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.steps.raw import RawSheet, strings
from pipeline.core.text import is_hidden
from pipeline.io.excel import composed
from pipeline.io.screen.xlsx import XlsxCells

# Vietnamese letters, decomposed and composed, lone combining marks and line breaks: where NFC is decided.
_TEXT = st.text(alphabet=st.sampled_from("aeoAEOuyđ \n\r\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
                                         "\u00e2\u1ea1\u1ec7\u212b\u0344\u0f73") | st.characters(), max_size=12)
_CELL = _TEXT | st.none() | st.floats(allow_nan=False) | st.integers() | st.booleans() | st.just(dt.date(2025, 1, 2))
_ROWS = st.lists(st.lists(_CELL, max_size=5).map(tuple), max_size=5).map(tuple)


@given(_ROWS)
def test_a_sheet_is_composed_as_cell_by_cell(rows):
    sheet = composed(RawSheet("s", False, rows, {}))
    expected = tuple(tuple(unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in row) for row in rows)
    assert sheet.rows == expected
    assert [list(map(type, row)) for row in sheet.rows] == [list(map(type, row)) for row in expected]


@given(st.lists(_TEXT, max_size=6))
def test_the_joined_text_is_nfc_exactly_when_every_cell_is(texts):
    sheet = RawSheet("s", False, (tuple(texts),), {})
    every = all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert unicodedata.is_normalized("NFC", sheet.text) == every
    assert sheet.text == "\n".join(strings(sheet.rows))


def test_an_nfc_sheet_is_kept_and_an_nfd_one_composed():
    plain = RawSheet("s", False, (("Thông tin", 1.0, ""),), {})
    assert composed(plain) is plain
    nfd = RawSheet("s", False, ((unicodedata.normalize("NFD", "Thông tin"), 1.0),), {(0, 0): "x"})
    assert composed(nfd).rows == (("Thông tin", 1.0),) and composed(nfd).formulas == {(0, 0): "x"}


# The screen's unusual-cell searches as they were: three patterns, each walking the whole part.
_UNUSUAL_BEFORE = (re.compile(rb"<c[>/\t\n\r]"), re.compile(rb":c[\s/>]"),
                   re.compile(rb'<c (?!r="(?i:[A-F]?[A-Z]|G[A-R])\d{1,4}"(?: (?:s|t|cm|vm|ph)="[^"<>]*")* ?/?>)'))
_XML_BITS = st.sampled_from([b"<c", b"<c ", b'<c r="', b"A", b"gr", b"GS", b"Z", b"1", b"99999", b'"', b"'", b" ",
                             b"\t", b"\n", b"\r", b"/", b">", b"<", b":", b"x:c", b' s="3"', b' t="n"', b' cm="1"',
                             b' ph="1"', b' q="1"', b"</c>", b"<v>1</v>", b"<row>"])


@given(st.lists(_XML_BITS, max_size=14).map(b"".join))
def test_the_screens_unusual_cell_search_finds_what_the_three_searches_found(part):
    assert any(p.search(part) for p in XlsxCells.UNUSUAL_CELL) == any(p.search(part) for p in _UNUSUAL_BEFORE)


def test_no_printable_ascii_character_is_hidden():
    """What lets `visible` pass a printable ASCII name (every form's) without a call per character."""
    printable = "".join(map(chr, range(0x20, 0x7F)))
    assert printable.isascii() and printable.isprintable() and not any(map(is_hidden, printable))
    assert not any(chr(c).isprintable() for c in [*range(0x20), 0x7F])  # the rest of ASCII goes the slow way
