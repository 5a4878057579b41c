"""A workbook's sheets kept as ready-made zip parts, so that a sheet whose input did not change is not written again.

openpyxl writes ~8 µs per cell; the national summary's organisation list is two thirds of its
cells and does not change when one unit's figures do. A sheet's XML depends on its own cells and
on the style index (`s="…"`) of each: openpyxl numbers a workbook's cell styles as it saves, in
the order the sheets first use them, so the same sheet would get other numbers after another
sheet. `register_looks` therefore registers every look a workbook may use first, in a fixed
order: each sheet's XML then depends only on the sheet's own input.

A cacheable sheet is built by a function of one input object (a frozen dataclass): its key is
that input's repr, with the look table's, the sheet's name, and the versions of openpyxl and
zlib (its part is kept compressed, as zipfile wrote it). The store (`SheetParts`, kept on disk by
pipeline.io.sheet_parts) adds the code's digest. A part is stored only when the workbook
used no look outside the table, so a stored part's numbers are the table's. On a hit the sheet is
left empty but for what workbook.xml takes from it (title, print titles, filter), and its part
replaces the empty one's in the zip.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Protocol, TypeVar

import openpyxl
from openpyxl import Workbook
from openpyxl.cell.cell import TIME_FORMATS
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.styles import Alignment, Border, Font

from pipeline.render.sheet import Worksheet
from pipeline.stable import Packed, SheetPart, as_packed

FORMAT, VERSION = "nq28-trang-tinh", 1
T = TypeVar("T")


class SheetParts(Protocol):
    """Where parts are kept between runs (pipeline.io.sheet_parts): `get` gives None for anything not exactly
    stored under `key`, damaged or of another code version."""

    def get(self, sheet: str, key: str) -> SheetPart | None: ...

    def put(self, sheet: str, key: str, part: SheetPart) -> None: ...


@dataclass(frozen=True)
class Looks:
    """Every look a workbook may give a cell: the product of these, registered in this order."""

    fonts: tuple[Font, ...]
    alignments: tuple[Alignment, ...]
    borders: tuple[Border | None, ...]
    formats: tuple[str, ...]


# openpyxl's style tables of a workbook: a look adds to them, never takes from them.
STYLE_TABLES = ("_fonts", "_fills", "_borders", "_number_formats", "_alignments", "_protections", "_cell_styles")


def style_sizes(book: Workbook) -> tuple[int, ...]:
    return tuple(len(getattr(book, table)) for table in STYLE_TABLES)


def register_looks(book: Workbook, looks: Looks) -> tuple[int, ...]:
    """Register every look of `looks` in `book`'s style tables, in a fixed order; returns the tables' sizes then
    (larger after saving: a look, or a step on the way to one, outside the table)."""
    ws = book.active
    for number_format in TIME_FORMATS.values():  # a date's format before `put` gives it its own (Cell._bind_value)
        book._number_formats.add(number_format)
    for font, alignment, border, number_format in product(looks.fonts, looks.alignments, looks.borders,
                                                          looks.formats):
        cell = OpenpyxlCell(ws)  # not in the sheet: only its style array is kept
        cell.font, cell.alignment, cell.number_format = font, alignment, number_format
        if border is not None:
            cell.border = border
        book._cell_styles.add(cell._style)
    _register_merged_edges(book, looks)
    return style_sizes(book)


def _register_merged_edges(book: Workbook, looks: Looks) -> None:
    """The looks openpyxl gives the cells a merge covers: the range's first cell's border sides, added one by
    one to each edge cell (MergedCellRange.format), so partial borders too. A 3×3, a 1×3 and a 3×1 range
    have every kind of edge cell; they are merged on a sheet made for it and removed."""
    scratch = book.create_sheet()
    row = 1
    for border in (b for b in looks.borders if b is not None):
        for rows, columns in ((3, 3), (1, 3), (3, 1)):
            scratch.cell(row=row, column=1).border = border
            scratch.merge_cells(start_row=row, start_column=1, end_row=row + rows - 1, end_column=columns)
            row += rows + 1
    for _, cell in sorted(scratch._cells.items()):
        book._cell_styles.add(cell._style)
    book.remove(scratch)


@dataclass
class Sheets:
    """The sheets of one workbook as they are built: fresh, or taken from the store."""

    book: Workbook
    looks: Looks
    parts: SheetParts | None
    registered: tuple[int, ...] = ()
    taken: dict[int, SheetPart] = field(default_factory=dict)  # sheet index → its stored part
    fresh: dict[int, tuple[str, str]] = field(default_factory=dict)  # sheet index → (name, key) to store

    def __post_init__(self) -> None:
        self.registered = register_looks(self.book, self.looks)

    def build(self, ws: Worksheet, build: Callable[[Worksheet, T], None], given: T) -> None:
        """`build(ws, given)`, or the part stored for this sheet under the same input."""
        if self.parts is None:
            build(ws, given)
            return
        index = self.book.worksheets.index(ws)
        key = part_key(ws.title, given, self.looks)
        part = self.parts.get(ws.title, key)
        if part is None:
            build(ws, given)
            self.fresh[index] = (ws.title, key)
            return
        ws.print_title_rows = part.print_titles
        ws.auto_filter.ref = part.filter_ref
        self.taken[index] = part

    def replacements(self) -> dict[str, Packed]:
        """The zip entries the stored parts replace."""
        # Named by where the sheet is now: a sheet before it (CacNam) may have come or gone since.
        return {sheet_entry(index): replace(part.packed, name=sheet_entry(index)) for index, part in self.taken.items()}

    def keep(self, saved: bytes) -> None:
        """Store the fresh sheets' parts from the saved workbook, if every look it used is the table's."""
        if self.parts is None or not self.fresh or style_sizes(self.book) != self.registered:
            return
        with zipfile.ZipFile(io.BytesIO(saved)) as zipped:
            for index, (name, key) in self.fresh.items():
                ws = self.book.worksheets[index]
                packed = as_packed(saved, zipped.getinfo(sheet_entry(index)))
                self.parts.put(name, key, SheetPart(packed, ws.print_title_rows, ws.auto_filter.ref))


def sheet_entry(index: int) -> str:
    """The zip entry of the workbook's sheet at `index` (openpyxl names them sheet1.xml, sheet2.xml, …)."""
    return f"xl/worksheets/sheet{index + 1}.xml"


def part_key(sheet: str, given: object, looks: Looks) -> str:
    """Everything a sheet's part depends on but the code: its name, input, look table, openpyxl and zlib."""
    return repr((FORMAT, VERSION, sheet, given, _looks_repr(looks), openpyxl.__version__, zlib.ZLIB_RUNTIME_VERSION))


def _looks_repr(looks: Looks) -> tuple[object, ...]:
    def plain(items: Iterable[object]) -> list[str]:
        return [repr(item) for item in items]

    return (plain(looks.fonts), plain(looks.alignments), plain(looks.borders), looks.formats)
