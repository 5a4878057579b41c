"""Fast paths that must give exactly what the library gives (issue 19)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.vn import mst

from pipeline.core.steps.validate import compact_tax_code


@given(st.text(alphabet=st.sampled_from("0123456789- .\u00a0\uff10\u2013\u2014`'\t") | st.characters(), max_size=20))
def test_compact_tax_code_is_stdnums(code):
    assert compact_tax_code(code) == mst.compact(code)


def test_the_usual_codes():
    for code in ("0200123456", "0200123456-001", "", "-", "02001234560 01", "０２００１２３４５６"):
        assert compact_tax_code(code) == mst.compact(code)
