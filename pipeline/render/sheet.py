"""The worksheet helpers the summary and the register workbooks share, so the two look and print alike.

Cell looks (fonts in the office font, alignments, a thin box), `put` (one value, text always a
literal, never a formula), header cells, column widths, row heights for wrapped text, the title
block at the top left, and A4 landscape printing one page wide.

openpyxl ships no type information: `Worksheet` and `Cell` below describe, as Protocols, the
part of its worksheet and cell that these helpers use, so the callers are checked against it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

DATE_FORMAT = "dd/mm/yyyy"
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center")
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center")
TOP_LEFT = Alignment(horizontal="left")

# What a cell may hold here: text, numbers, dates, or nothing.
CellValue = str | int | float | dt.date | dt.datetime | None


# --- the part of openpyxl these helpers use ---------------------------------------------


class Sheet(Protocol):
    """What a cell knows of its worksheet (openpyxl's Worksheet.parent is the workbook)."""

    @property
    def parent(self) -> Workbook: ...


class Cell(Protocol):
    """openpyxl.cell.Cell as used here; `_style` is its style index array (see _Looks)."""

    value: object
    _value: object
    data_type: str
    font: Font
    alignment: Alignment
    border: Border
    number_format: str
    _style: object

    @property
    def parent(self) -> Sheet: ...


class RowDimension(Protocol):
    height: float | None


class ColumnDimension(Protocol):
    width: float


class RowDimensions(Protocol):
    def __getitem__(self, row: int, /) -> RowDimension: ...


class ColumnDimensions(Protocol):
    def __getitem__(self, letter: str, /) -> ColumnDimension: ...


class PageSetup(Protocol):
    paperSize: str | int | None
    orientation: str | None
    fitToWidth: int | None
    fitToHeight: int | None


class PageSetupProperties(Protocol):
    fitToPage: bool | None


class SheetProperties(Protocol):
    pageSetUpPr: PageSetupProperties


class PrintOptions(Protocol):
    horizontalCentered: bool | None


class FooterPart(Protocol):
    text: str | None
    font: str | None


class Footer(Protocol):
    center: FooterPart


class AutoFilter(Protocol):
    ref: str | None


class Worksheet(Protocol):
    """openpyxl.worksheet.worksheet.Worksheet as used by the summary and register workbooks."""

    PAPERSIZE_A4: str
    ORIENTATION_LANDSCAPE: str
    title: str
    row_dimensions: RowDimensions
    column_dimensions: ColumnDimensions
    freeze_panes: Cell | str | None
    auto_filter: AutoFilter
    page_setup: PageSetup
    sheet_properties: SheetProperties
    page_margins: PageMargins
    print_options: PrintOptions
    print_title_rows: str | None
    oddFooter: Footer
    _cells: dict[tuple[int, int], Cell]  # openpyxl's cells by (row, column): see put
    _current_row: int

    @property
    def parent(self) -> Workbook: ...

    def cell(self, row: int, column: int) -> Cell: ...

    def merge_cells(self, *, start_row: int, start_column: int, end_row: int, end_column: int) -> None: ...


# --- looks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    """A workbook's faces, all in the office font (style.office_font of settings.yaml)."""

    name: str
    plain: Font
    bold: Font
    title: Font


@lru_cache(maxsize=8)
def fonts(name: str) -> Fonts:
    """The faces in `name`; the same objects for the same name (cell looks are cached by identity)."""
    return Fonts(name, Font(name=name, size=12), Font(name=name, size=12, bold=True),
                 Font(name=name, size=14, bold=True))


# A look's key: ids of its font, alignment and border, and its number format.
_LookKey = tuple[int, int, int, str]
# The objects those ids belong to (kept alive, and compared, so an id is never a reused one).
_LookObjects = tuple[Font, Alignment, Border | None]


class _Looks:
    """Cell formats by look (font, alignment, border, number format), per workbook.

    openpyxl hashes the whole font, border and alignment object on every
    assignment: 70% of the national summary's 16 s. A look is set through
    openpyxl's setters on the first cell that has it; the cells after it get a
    copy of that cell's style indices, as openpyxl's own copy_worksheet does.
    The workbook's bytes are the same either way (a test compares them).
    """

    def __init__(self, reuse: bool = True) -> None:
        self.reuse = reuse  # False: every cell through the setters (tests compare the bytes)
        # workbook → {look key: (the look's objects, the style array of the first cell that had it)}
        self.books: WeakKeyDictionary[Workbook, dict[_LookKey, tuple[_LookObjects, object]]] = WeakKeyDictionary()

    def kept(self, book: Workbook, font: Font, alignment: Alignment, border: Border | None,
             number_format: str) -> object | None:
        """The style array of a cell already given this look in `ws`'s workbook, or None."""
        if not self.reuse:
            return None
        hit = self.books.get(book, {}).get((id(font), id(alignment), id(border), number_format))
        if hit is None:
            return None
        (kept_font, kept_alignment, kept_border), array = hit
        return array if kept_font is font and kept_alignment is alignment and kept_border is border else None

    def apply(self, cell: Cell, font: Font, alignment: Alignment, border: Border | None, number_format: str) -> None:
        array = self.kept(cell.parent.parent, font, alignment, border, number_format)
        if array is not None:
            cell._style = copy(array)
            return
        cell.font, cell.alignment, cell.number_format = font, alignment, number_format
        if border is not None:
            cell.border = border
        looks = self.books.setdefault(cell.parent.parent, {})
        looks[(id(font), id(alignment), id(border), number_format)] = ((font, alignment, border), copy(cell._style))


_LOOKS = _Looks()


# --- cells, sheets, printing --------------------------------------------------------


def put(ws: Worksheet, row: int, col: int, value: CellValue, font: Font, border: bool = True,
        alignment: Alignment | None = None, number_format: str | None = None) -> Cell:
    """Write one value; a str is always a literal string, whatever it starts with. Text is left-aligned,
    the rest right-aligned, dates as dates, unless `alignment` or `number_format` say otherwise."""
    if isinstance(value, str):
        # Control characters cannot be stored in XML at all (openpyxl refuses them), nor lone
        # surrogates (they have no UTF-8), nor U+FFFE and U+FFFF.
        value = UNWRITABLE.sub("", value)
    if number_format is None:
        number_format = DATE_FORMAT if isinstance(value, dt.date) else "General"
    alignment = alignment or (LEFT if isinstance(value, str) else RIGHT)
    box = BOX if border else None
    kind = _PLAIN_TYPES.get(type(value))
    array = _LOOKS.kept(ws.parent, font, alignment, box, number_format) if kind else None
    if kind and array is not None and (row, col) not in ws._cells:
        return _new_cell(ws, row, col, value, kind, array)
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # "=…" would otherwise be a formula, "#N/A" an error value
    _LOOKS.apply(cell, font, alignment, box, number_format)
    return cell


# The values a cell takes as they are, by type, and the data type openpyxl gives them (Cell._bind_value).
_PLAIN_TYPES: dict[type, str] = {str: "s", int: "n", float: "n", type(None): "n"}
MAX_TEXT = 32767  # what openpyxl keeps of a longer text (Cell.check_string)


def _new_cell(ws: Worksheet, row: int, col: int, value: CellValue, kind: str, array: object) -> Cell:
    """A new cell with a look some cell already has: the cell openpyxl's ws.cell, the value's setter and the
    look's setters would make, built at once (~3× faster; national summary: 340,000 cells)."""
    cell: Cell = OpenpyxlCell(ws, row=row, column=col, style_array=array)
    cell._value = value[:MAX_TEXT] if isinstance(value, str) else value
    cell.data_type = kind
    ws._cells[(row, col)] = cell
    ws._current_row = max(row, ws._current_row)
    return cell


def header_cell(ws: Worksheet, face: Fonts, row: int, col: int, label: str | None) -> None:
    # Merged header cells keep their own borders: style every cell of the range.
    put(ws, row, col, label, face.bold, alignment=HEADER)


def title_block(ws: Worksheet, face: Fonts, superior_body: str, issuing_body: tuple[str, ...], title: str,
                columns: int) -> int:
    """Issuing body at the top left, then the sheet's title over `columns`; returns the header row."""
    lines = [(superior_body, face.plain), *((line, face.bold) for line in issuing_body)]
    for r, (text, font) in enumerate(lines, start=1):
        put(ws, r, 1, text, font, border=False, alignment=TOP_LEFT)
    title_row = len(lines) + 2
    put(ws, title_row, 1, title, face.title, border=False, alignment=HEADER)
    ws.merge_cells(start_row=title_row, start_column=1, end_row=title_row, end_column=columns)
    ws.row_dimensions[title_row].height = 24
    return title_row + 2


def fit_height(ws: Worksheet, row: int, values: Sequence[CellValue], widths: Sequence[int]) -> None:
    """Excel does not grow a row for wrapped text it did not see typed: size it here.

    Times New Roman 12 (the usual office font) fits about 1.15 characters per unit of column width.
    """
    lines = max((math.ceil(len(v) / (w * 1.15)) for v, w in zip(values, widths, strict=True)
                 if isinstance(v, str) and v), default=1)
    if lines > 1:
        ws.row_dimensions[row].height = 16 * lines + 2


def set_widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def print_setup(ws: Worksheet, face: Fonts, first_header: int, last_header: int) -> None:
    """A4 landscape, one page wide, the header rows repeated on every page, "Trang n/m" below."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{first_header}:{last_header}"
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = f"{face.name},Regular"
