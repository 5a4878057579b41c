"""Where the tables of an OpenDocument content.xml place their cells, repeat counts included."""

from __future__ import annotations

import html
import re

from pipeline.io.screen.limits import MAX_COLUMNS, MAX_ROWS, Oversized, count_cells
from pipeline.io.screen.tags import ATTRS, PREFIX, TagScanner, whole
from pipeline.textnorm import nfc


class OdsCells(TagScanner):
    """Tables, rows and cells of an OpenDocument content.xml, with their repeat counts."""

    TAG = re.compile(rb"<(/?)" + PREFIX + rb"(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
                     + ATTRS + rb">")
    START = re.compile(rb"<" + PREFIX + rb"(?:table|table-row|table-cell|covered-table-cell)(?=[\s/>])")
    ATTR = re.compile(rb"""(?:^|\s)""" + PREFIX
                      + rb"""(number-rows-repeated|number-columns-repeated|value-type|name)"""
                      rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")

    def __init__(self, part: str, size: int) -> None:
        super().__init__(part, size)
        self.table = ""
        self.row = self.span = self.next_row = self.col = self.rows = self.cols = 0

    def _tag(self, match: re.Match[bytes]) -> None:
        closing, name, attrs = match.groups()
        if closing:
            if name == b"table":
                self._end_table()
            return
        found: dict[bytes, list[bytes]] = {}
        for attr in self.ATTR.finditer(attrs):
            found.setdefault(attr[1], []).append(attr[2] if attr[2] is not None else attr[3])

        def repeat(key: bytes) -> int:  # the largest, should an attribute come twice
            return max(map(whole, found.get(key, [b"1"])))

        if name == b"table":
            self._end_table()
            self.table = nfc(html.unescape(found.get(b"name", [b""])[-1].decode("utf-8", "replace")))
        elif name == b"table-row":
            self.row, self.span = self.next_row, repeat(b"number-rows-repeated")
            self.next_row += self.span
            self.col = 0
        else:
            self.col += repeat(b"number-columns-repeated")
            if b"value-type" in found or not attrs.endswith(b"/"):
                last_row, last_col = self.row + self.span, self.col
                if last_row > MAX_ROWS or last_col > MAX_COLUMNS:
                    raise Oversized(last_row, last_col, self.table)
                self.rows, self.cols = max(self.rows, last_row), max(self.cols, last_col)

    def _end_table(self) -> None:
        self.cells = count_cells(self.cells, self.rows, self.cols)
        self.row = self.span = self.next_row = self.col = self.rows = self.cols = 0

    def _total(self, cells: int) -> int:
        self._end_table()
        return count_cells(cells, self.cells, 1)
