"""Formula cells calamine reads as blank, found in the sheet XML the screen already unpacks.

python-calamine gives a formula's cached value, and nothing at all for a
formula that has none (openpyxl, many scripts and every workbook never opened
in Excel write `<c r="F4"><f>…</f><v></v></c>`) or whose cached value is an
error (`<c r="H5" t="e"><v>#N/A</v></c>`). Read as blank, such a cell would be
reported as "not filled in", or pass unnoticed in an optional column. The
screen feeds every chunk of every part to a `FormulaNotes`; only a chunk that
holds a formula or an error value is searched cell by cell, so a form without
formulas costs a few byte searches.
"""

from __future__ import annotations

import html
import re

from pipeline.core.steps.raw import UNCALCULATED

MAX_CARRY = 1 << 20  # one cell never spans more (an inline string is at most 32,767 characters)
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c\s([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.\-]*:)?c\s*>)", re.S)
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})["']""")
_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*["'](\w*)["']""")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s/>]")
# What a cell of note holds: the end of a formula (</f>, </x:f>, <f>) or an error type (t="e").
# A shared formula's lone <f t="shared" si="1"/> follows its master's <f …>…</f> in the same part.
_MARKS = (b"f>", b'"e"')
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?v\s*>([^<]*)<")


class FormulaNotes:
    """Collects, for one part, (row, col) from 0 → UNCALCULATED or the cached error ("#N/A")."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, int], str] = {}
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk if self.carry else chunk
        end = buf.rfind(b"c>") + 2  # past the last cell end: what follows may go on in the next chunk
        if end < 2:
            end = 0 if len(buf) <= MAX_CARRY else len(buf)
        self.carry = buf[end:] if len(buf) - end <= MAX_CARRY else b""
        self._search(buf, end)

    def close(self) -> dict[tuple[int, int], str]:
        self._search(self.carry, len(self.carry))
        self.carry = b""
        return self.found

    def _search(self, buf: bytes, end: int) -> None:
        """Cell by cell only where a formula or an error value occurs: two byte searches otherwise."""
        # rfind, not find: CPython matches these short marks from their last byte forwards and from their
        # first backwards; ">" and '"' end every tag, "f" is rare: ~40% less time over a sheet without one.
        if any(buf.rfind(mark, 0, end) >= 0 for mark in _MARKS):
            for attrs, body in _CELL.findall(buf, 0, end):
                kind = _problem(attrs, body)
                ref = _REF.search(attrs) if kind else None
                if ref:
                    self.found[(int(ref[2]) - 1, _column(ref[1]) - 1)] = kind


def _problem(attrs: bytes, body: bytes) -> str:
    """UNCALCULATED, the error value, or "" for a cell calamine reads as it is."""
    typed = _TYPE.search(attrs)
    kind = typed[1] if typed else b"n"
    value = _VALUE.search(body)
    cached = value[1].strip() if value else b""
    if kind == b"e":
        return html.unescape(cached.decode("utf-8", "replace"))[:20] or UNCALCULATED
    if _FORMULA.search(body) and not cached and kind != b"str":  # t="str" with no text: the formula gave ""
        return UNCALCULATED
    return ""


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col
