"""Where a worksheet part of an .xlsx places its cells, and which sheet each part is."""

from __future__ import annotations

import html
import re
import zipfile

from pipeline.io.screen.limits import MAX_COLUMNS, MAX_ROWS, MB, Oversized
from pipeline.io.screen.tags import ATTRS, PREFIX, TagScanner, column, whole
from pipeline.textnorm import nfc


class XlsxCells(TagScanner):
    """Rows and cells (<row r="5">, <c r="B5">) of a worksheet part, as calamine places them.

    calamine reads cells only inside <sheetData>, so a part without one costs a
    search. A part that fits one chunk and writes every cell the usual way
    (`<c r="B5"`, within limits) is judged by a few searches (`_quick`);
    anything else is read tag by tag.
    """

    TAG = re.compile(rb"<" + PREFIX + rb"(row|c)(?=[\s/>])" + ATTRS + rb">(\s*</" + PREFIX + rb"c\s*>)?")
    START = re.compile(rb"<" + PREFIX + rb"(?:row|c)(?=[\s/>])")
    REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)0*(\d*)""")
    # A cell the usual way: <c r="B5" s="3" t="n">, the reference first and within GR9999, then only
    # the other attributes of the schema (s, t, cm, vm, ph), double-quoted, one space apart. Anything
    # else after "<c" is unusual: no attribute or odd spacing, or another first attribute, reference or
    # shape (one pattern for both: each search walks the whole part).
    # Possessive repeats (no way back into a value or an attribute could make the rest match): the same yes
    # or no with ~10% less time a cell; the case-blind ranges spelt out likewise.
    UNUSUAL_CELL = (re.compile(rb'<c(?:[>/\t\n\r]| (?!r="(?:[A-Fa-f]?[A-Za-z]|[Gg][A-Ra-r])\d{1,4}"'
                               rb'(?: (?:s|t|cm|vm|ph)="[^"<>]*+")*+ ?/?>))'),
                    re.compile(rb":c[\s/>]"))  # a namespace prefix

    def __init__(self, part: str, size: int) -> None:
        super().__init__(part, size)
        self.in_sheet = False
        self.row = self.col = 0

    def _skip(self, buf: bytes) -> bool:
        if not self.in_sheet:
            if b"sheetData" not in buf:
                return True
            self.in_sheet = True
            return len(buf) == self.size and self._quick(buf)
        return False

    def _quick(self, buf: bytes) -> bool:
        """Whether every cell of the whole part starts with its own r="…" within GR9999.

        Rows do not matter then: calamine places a cell that has a reference by it.
        """
        return not any(p.search(buf) for p in self.UNUSUAL_CELL)

    def _tag(self, match: re.Match[bytes]) -> None:
        name, attrs, closed = match.groups()
        refs = self.REF.findall(attrs)  # calamine takes the last of repeated r="…": judge them all
        if name == b"row":
            self.row = max((whole(digits) for _, digits in refs if digits), default=self.row + 1)
            self.col = 0
            return
        row = max((whole(digits) for _, digits in refs if digits), default=max(self.row, 1))
        col = max((column(letters) for letters, _ in refs if letters), default=self.col + 1)
        self.row, self.col = row, col
        if attrs.endswith(b"/") or closed:
            return  # a styled blank: calamine leaves it out of the used range
        if row > MAX_ROWS or col > MAX_COLUMNS:
            raise Oversized(row, col)


def sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name, from xl/workbook.xml and its relationships (best effort, bounded)."""
    try:
        with archive.open("xl/workbook.xml") as book, archive.open("xl/_rels/workbook.xml.rels") as rels:
            book_xml, rels_xml = book.read(MB), rels.read(MB)
    except Exception:  # only for a friendlier message: without it the part name is shown
        return {}
    attrs = re.compile(rb"""([\w:]+)\s*=\s*"([^"]*)\"""")
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels_xml):
        found = dict(attrs.findall(tag))
        target = found.get(b"Target", b"").decode("utf-8", "replace")
        targets[found.get(b"Id", b"")] = target.lstrip("/") if target.startswith(("/", "xl/")) else f"xl/{target}"
    names = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book_xml):
        found = dict(attrs.findall(tag))
        rid = next((v for k, v in found.items() if k.endswith(b":id")), b"")
        if rid in targets:
            names[targets[rid]] = nfc(html.unescape(found.get(b"name", b"").decode("utf-8", "replace")))
    return names
