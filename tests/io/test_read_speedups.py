"""Fast paths of the cold read that must give exactly what the slow path gives (issue 19)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.steps.raw import RawSheet, joined
from pipeline.io.excel import composed

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
    assert unicodedata.is_normalized("NFC", sheet.text) == every == unicodedata.is_normalized("NFC", joined(sheet.rows))


def test_an_nfc_sheet_is_kept_and_an_nfd_one_composed():
    plain = RawSheet("s", False, (("Thông tin", 1.0, ""),), {})
    assert composed(plain) is plain
    nfd = RawSheet("s", False, ((unicodedata.normalize("NFD", "Thông tin"), 1.0),), {(0, 0): "x"})
    assert composed(nfd).rows == (("Thông tin", 1.0),) and composed(nfd).formulas == {(0, 0): "x"}
