"""How a form's cells look and behave: faces, borders, input cells, sheet protection, printing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from pipeline.core import layout
from pipeline.io.forms.protocols import Cell, CellValue, Worksheet

_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
_UNLOCKED = Protection(locked=False)
WRAP = Alignment(vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="top")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)

DATE_FORMAT = "dd/mm/yyyy"
COUNT_FORMAT = "0"
TEXT_FORMAT = "@"


@dataclass(frozen=True)
class Faces:
    """The form's faces, all in the office font (style.office_font of settings.yaml)."""

    bold: Font
    plain: Font
    title: Font
    italic: Font


@lru_cache(maxsize=8)
def faces(name: str) -> Faces:
    return Faces(Font(name=name, size=12, bold=True), Font(name=name, size=12),
                 Font(name=name, size=14, bold=True), Font(name=name, size=12, italic=True))


def write_header(ws: Worksheet, face: Faces, row: int, columns: tuple[layout.Field, ...]) -> None:
    for col, spec in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=spec.label)
        cell.font = face.bold
        cell.border = BOX
        cell.alignment = _HEADER_ALIGN
    ws.row_dimensions[row].height = 34
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def write_row(ws: Worksheet, face: Faces, row: int, values: Sequence[CellValue], formulas: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = face.plain
        cell.border = BOX
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str) and not formulas:
            cell.data_type = "s"  # text stays text: never a formula


def mark_input(cell: Cell, face: Faces) -> None:
    cell.protection = _UNLOCKED
    cell.fill = _INPUT_FILL
    cell.font = face.plain
    cell.border = BOX


def protect(ws: Worksheet, insert_rows: bool = False) -> None:
    """Sheet protection without a password; openpyxl's False means "allowed"."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if insert_rows:
        ws.protection.insertRows = False


def print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"


def column_numbers(columns: tuple[layout.Field, ...]) -> dict[str, int]:
    return {spec.key: i for i, spec in enumerate(columns, start=1)}


def span(column: int, first: int, last: int) -> str:
    letter = get_column_letter(column)
    return f"{letter}{first}:{letter}{last}"


def set_widths(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
