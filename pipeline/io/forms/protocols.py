"""The part of openpyxl a form uses, described to mypy.

openpyxl ships no type information: these Protocols describe, from its
worksheet and cell, what the form's modules touch, so every use is checked
against one description (tests/io/test_forms_protocols.py notices when an
upgrade renames one). pipeline/render/sheet.py describes what the summary and
register workbooks touch; io may not import render.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

# What a cell of a form may hold: text, a formula's text, numbers, dates, or nothing.
CellValue = str | int | float | dt.date | None


class Cell(Protocol):
    value: object
    data_type: str
    font: Font
    border: Border
    alignment: Alignment
    number_format: str
    protection: Protection
    fill: PatternFill


class RowDimension(Protocol):
    height: float | None


class ColumnDimension(Protocol):
    width: float


class RowDimensions(Protocol):
    def __getitem__(self, row: int, /) -> RowDimension: ...


class ColumnDimensions(Protocol):
    def __getitem__(self, letter: str, /) -> ColumnDimension: ...


class SheetProtection(Protocol):
    sheet: bool
    formatColumns: bool
    formatRows: bool
    insertRows: bool


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


class Footer(Protocol):
    center: FooterPart


class Worksheet(Protocol):
    """openpyxl.worksheet.worksheet.Worksheet as a form uses it."""

    PAPERSIZE_A4: str
    ORIENTATION_LANDSCAPE: str
    ORIENTATION_PORTRAIT: str
    title: str
    sheet_state: str
    row_dimensions: RowDimensions
    column_dimensions: ColumnDimensions
    freeze_panes: Cell | str | None
    protection: SheetProtection
    page_setup: PageSetup
    sheet_properties: SheetProperties
    page_margins: PageMargins
    print_options: PrintOptions
    print_title_rows: str | None
    oddFooter: Footer

    def __getitem__(self, ref: str, /) -> Cell: ...

    def __setitem__(self, ref: str, value: CellValue, /) -> None: ...

    def cell(self, row: int, column: int, value: CellValue = None) -> Cell: ...

    def merge_cells(self, *, start_row: int, start_column: int, end_row: int, end_column: int) -> None: ...

    def add_data_validation(self, rule: DataValidation, /) -> None: ...
