"""Submission workbooks (biểu mẫu) written with openpyxl.

`write_form` lays out the three sheets of SPEC §3 from `pipeline.core.layout`:
a blank form carries the unit, the year and its targets; a filled one (the
shipped sample, the tests' factories) carries results and the list of
organisations too. Document properties are fixed so the same data gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from pipeline.core import layout

FIXED_TIME = dt.datetime(2000, 1, 1)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(name="Times New Roman", size=12, bold=True)
_PLAIN = Font(name="Times New Roman", size=12)
_TITLE = Font(name="Times New Roman", size=14, bold=True)


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    measure: str
    plan: int | None = None
    actual: int | None = None
    note: str = ""


@dataclass(frozen=True)
class FormData:
    """Everything one workbook says; blank forms leave results and list empty."""

    unit_name: str
    unit_code: str
    year: int
    indicators: tuple[IndicatorLine, ...]
    organisations: tuple[dict, ...] = ()
    prepared_on: dt.date | None = None
    preparer: str = ""
    phone: str = ""


def write_form(data: FormData, target: Path | IO[bytes]) -> None:
    """Write one submission workbook to a path or a binary stream."""
    book = Workbook()
    _info_sheet(book.active, data)
    _summary_sheet(book.create_sheet(layout.SUMMARY_SHEET), data)
    _list_sheet(book.create_sheet(layout.LIST_SHEET), data)
    book.properties.creator = "Báo cáo NQ28"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.save(target)


def _info_sheet(ws, data: FormData) -> None:
    ws.title = layout.INFO_SHEET
    ws["A1"] = f"THÔNG TIN ĐƠN VỊ BÁO CÁO NĂM {data.year}"
    ws["A1"].font = _TITLE
    values = {
        "unit_name": data.unit_name,
        "unit_code": data.unit_code,
        "year": data.year,
        "prepared_on": data.prepared_on,
        "preparer": data.preparer,
        "phone": data.phone,
    }
    for offset, spec in enumerate(layout.INFO_FIELDS):
        row = 3 + offset
        ws.cell(row=row, column=1, value=spec.label).font = _BOLD
        cell = ws.cell(row=row, column=2, value=values[spec.key])
        cell.font = _PLAIN
        if isinstance(values[spec.key], dt.date):
            cell.number_format = "dd/mm/yyyy"
    _widths(ws, (24, 40))


def _summary_sheet(ws, data: FormData) -> None:
    ws["A1"] = f"{layout.SUMMARY_TITLE}: KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM {data.year}"
    ws["A1"].font = _TITLE
    _header(ws, 3, layout.SUMMARY_COLUMNS)
    for i, line in enumerate(data.indicators, start=1):
        values = (i, line.code, line.name, line.measure, line.plan, line.actual, line.note)
        _row(ws, 3 + i, values)
    _widths(ws, (6, 12, 48, 12, 14, 12, 20))


def _list_sheet(ws, data: FormData) -> None:
    ws["A1"] = f"{layout.LIST_TITLE}: DANH SÁCH TỔ CHỨC THÀNH LẬP MỚI NĂM {data.year}"
    ws["A1"].font = _TITLE
    _header(ws, 3, layout.LIST_COLUMNS)
    keys = [f.key for f in layout.LIST_COLUMNS]
    for i, org in enumerate(data.organisations, start=1):
        values = [i if k == "stt" else org.get(k) for k in keys]
        _row(ws, 3 + i, values)
    _widths(ws, (6, 44, 16, 30, 18, 16, 16, 12))


def _header(ws, row: int, columns: tuple[layout.Field, ...]) -> None:
    for col, spec in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=spec.label)
        cell.font = _BOLD
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _row(ws, row: int, values) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = _PLAIN
        cell.border = _BOX
        if isinstance(value, dt.date):
            cell.number_format = "dd/mm/yyyy"
        elif isinstance(value, str):
            cell.data_type = "s"  # text stays text: never a formula


def _widths(ws, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
