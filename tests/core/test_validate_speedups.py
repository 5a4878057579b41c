"""Fast paths that must give exactly what the slower code they bypass gives (issue 19)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.vn import mst

from pipeline.core.steps import cells
from pipeline.core.steps.taxcode import compact_tax_code, valid_tax_code

_CODES = st.text(alphabet=st.sampled_from("0123456789- .\u00a0\uff10\u2013\u2014`'\t") | st.characters(), max_size=20)
# Mostly what a form holds: 10 digits, maybe a hyphen and a 3-digit branch, the check digit right or wrong.
_PLAIN = st.builds(lambda head, sep, branch: head + sep + branch, st.text("0123456789", min_size=8, max_size=11),
                   st.sampled_from(["", "-", "--"]), st.text("0123456789", max_size=4))


@given(_CODES)
def test_compact_tax_code_is_stdnums(code):
    assert compact_tax_code(code) == mst.compact(code)


@given(_CODES | _PLAIN)
def test_valid_tax_code_is_stdnums(code):
    assert valid_tax_code(code) == mst.is_valid(code)


def test_the_usual_codes():
    for code in ("0200123456", "0200123456-001", "", "-", "02001234560 01", "０２００１２３４５６", "0100109106",
                 "0100109106-001", "0100109106-000", "0100000001", "0100109106001", "01001091060", "-0100109106"):
        assert compact_tax_code(code) == mst.compact(code)
        assert valid_tax_code(code) == mst.is_valid(code)
    assert valid_tax_code("0100109106") and valid_tax_code("0100109106-001")


def test_valid_codes_are_found():
    """Every check digit of one head: exactly stdnum's one valid (the strategies above rarely hit it)."""
    for head in ("010010910", "031268787", "999999999", "000000001"):
        for branch in ("", "-001", "001", "-000", "-1"):
            for digit in "0123456789":
                assert valid_tax_code(head + digit + branch) == mst.is_valid(head + digit + branch)


_NUMBERS = (st.floats() | st.integers() | st.sampled_from([0.0, -0.0, 1e15, 1e15 - 1, 999999999999999.0, 10**15, -1])
            | st.integers(min_value=0, max_value=10**16).map(float))


@given(_NUMBERS | st.text(max_size=6) | st.booleans() | st.none())
def test_to_int_fast_path_is_the_slow_one(raw):
    fast = cells.to_int(raw)
    saved, cells._LIMIT = cells._LIMIT, 0  # no value passes 0 <= raw < 0: the general path only
    try:
        slow = cells.to_int(raw)
    finally:
        cells._LIMIT = saved
    assert fast == slow and type(fast[0]) is type(slow[0])


@given(st.text(alphabet=st.sampled_from(" \t\n\r\u00a0\u2003\u3000\x1c\x85ab") | st.characters(), max_size=10))
def test_cell_text_of_a_string_is_as_before(value):
    expected = "" if not value.strip() else " ".join(str(value).split())
    assert cells.cell_text(value) == expected
