"""Vietnamese tax codes (MST) as python-stdnum reads them, with a fast path for the usual code.

A country's forms list ~46,000 organisations; stdnum maps every character of each code
through a Unicode table before looking at it (~50 µs a code). A code of ASCII digits and
hyphens needs no mapping: it is judged here exactly as `stdnum.vn.mst` judges it, and
anything else goes to stdnum (tests/core/test_validate_speedups.py holds both to stdnum).
"""

from __future__ import annotations

import re

from stdnum.vn import mst

_PLAIN = re.compile(r"[0-9-]*")
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def compact_tax_code(code: str) -> str:
    """stdnum's `mst.compact`, without its per-character Unicode mapping for the usual code of ASCII digits and
    hyphens (a country's 46,000 organisations: ~0.6 s a run); anything else goes to stdnum."""
    return code.replace("-", "") if _PLAIN.fullmatch(code) else mst.compact(code)


def valid_tax_code(code: str) -> bool:
    """stdnum's `mst.is_valid`: length 10 or 13, digits, a real branch and the check digit."""
    if not _PLAIN.fullmatch(code):
        return mst.is_valid(code)
    digits = code.replace("-", "")
    if len(digits) not in (10, 13) or digits[2:9] == "0000000" or (len(digits) == 13 and digits[-3:] == "000"):
        return False
    total = sum(w * int(n) for w, n in zip(_WEIGHTS, digits, strict=False))
    return digits[9] == str(10 - total % 11)
