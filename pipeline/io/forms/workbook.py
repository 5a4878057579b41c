"""The entry of the forms package: one whole submission workbook, to a path, a stream or bytes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.workbook.protection import WorkbookProtection

from pipeline.core import layout
from pipeline.errors import ConfigError
from pipeline.io.forms.cells import faces
from pipeline.io.forms.data import FormData, IndicatorLine, Options
from pipeline.io.forms.sheets import choices_sheet, info_sheet, list_sheet, summary_sheet
from pipeline.settings import DEFAULT_OFFICE_FONT, Settings
from pipeline.stable import workbook_bytes


def write_form(
    data: FormData,
    target: Path | str | IO[bytes],
    *,
    org_types: tuple[str, ...] = (),
    enterprise_forms: tuple[str, ...] = (),
    list_rows: int = 200,
    period: tuple[dt.date, dt.date] | None = None,
    deadline: dt.date | None = None,
    send_to: str = "",
    font: str = DEFAULT_OFFICE_FONT,
) -> None:
    """Write one submission workbook to a path or a binary stream.

    `org_types` and `enterprise_forms` are the drop-down choices of Biểu số 02;
    `list_rows` empty input rows are prepared there when `data` lists no
    organisation. `period` bounds "Ngày quyết định" (default: the calendar
    year); `deadline` and `send_to` complete the guide on ThongTin. `font` is
    the office font (style.office_font) of every cell.
    """
    if list_rows < 0:
        raise ValueError("list_rows must be >= 0")
    options = Options(
        org_types=tuple(org_types),
        enterprise_forms=tuple(enterprise_forms),
        list_rows=list_rows,
        period=period or (dt.date(data.year, 1, 1), dt.date(data.year, 12, 31)),
        deadline=deadline,
        send_to=send_to,
        faces=faces(font),
    )
    payload = _form_bytes(data, options)
    if hasattr(target, "write"):
        target.write(payload)
    else:
        Path(target).write_bytes(payload)


def blank_form(settings: Settings, unit_code: str, year: int) -> bytes:
    """The blank workbook a unit fills in for `year`: identity and targets pre-filled."""
    unit = settings.unit(unit_code)
    if unit is None:
        known = ", ".join(u.code for u in settings.units)
        raise ConfigError(f"Không có đơn vị mã «{unit_code}» trong units.yaml (các mã: {known})")
    plans = settings.targets.get(year, {}).get(unit.code, {})
    lines = tuple(IndicatorLine(i.code, i.name, i.measure, plans.get(i.code)) for i in settings.indicators)
    data = FormData(unit.title(settings.general.organisation.unit_title), unit.code, year, lines)
    docs = settings.documents.get(year)
    buffer = io.BytesIO()
    write_form(
        data,
        buffer,
        org_types=settings.general.org_types,
        enterprise_forms=settings.general.enterprise_forms,
        period=settings.general.reporting.period(year),
        deadline=docs.deadline if docs else None,
        send_to=settings.general.organisation.agency,
        font=settings.general.style.office_font,
    )
    return buffer.getvalue()


def _form_bytes(data: FormData, options: Options) -> bytes:
    book = Workbook()
    info_sheet(book.active, data, options)
    summary_sheet(book.create_sheet(layout.SUMMARY_SHEET), data, options.faces)
    choices = choices_sheet(book, options)
    list_sheet(book.create_sheet(layout.LIST_SHEET, index=2), data, options, choices)
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)  # no renaming, deleting or unhiding sheets
    return workbook_bytes(book)
