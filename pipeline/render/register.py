"""The distribution register (sổ gửi văn bản) as .xlsx bytes.

One sheet, one row per document per recipient, typed cells: STT a number,
the document's date a date, the time of sending a date-time, everything
else literal text (a checksum or a Message-ID must never become a number or
a formula). A frozen header that repeats on every printed page, a filter,
A4 landscape one page wide. Same rows, same bytes (pipeline.stable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.core.distribution.register import RegisterRow

# The cell styles and helpers of the summary workbook too: the two workbooks look and print alike.
from pipeline.render.sheet import (
    CENTER,
    CellValue,
    fit_height,
    fonts,
    header_cell,
    print_setup,
    put,
    set_widths,
    title_block,
)
from pipeline.stable import workbook_bytes

SHEET = "SoGuiVanBan"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
COLUMNS = (("STT", 6), ("Văn bản", 44), ("Số", 16), ("Ngày", 12), ("Nơi nhận", 28), ("Địa chỉ thư", 30),
           ("Tệp", 40), ("Mã SHA-256", 34), ("Tình trạng", 18), ("Thời điểm gửi", 17), ("Message-ID", 34),
           ("Ghi chú", 30), ("Loại văn bản", 18), ("Ký số", 30))


@dataclass(frozen=True)
class RegisterSheet:
    title: str
    superior_body: str
    issuing_body: tuple[str, ...]
    rows: tuple[RegisterRow, ...]
    office_font: str  # style.office_font of settings.yaml


def render_register_xlsx(sheet: RegisterSheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    face = fonts(sheet.office_font)
    top = title_block(ws, face, sheet.superior_body, sheet.issuing_body, sheet.title, len(COLUMNS))
    for col, (label, _) in enumerate(COLUMNS, start=1):
        header_cell(ws, face, top, col, label)
    ws.row_dimensions[top].height = 32
    widths = [w for _, w in COLUMNS]
    for r, row in enumerate(sheet.rows, start=top + 1):
        values = _values(row)
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, face.plain, alignment=CENTER if col in (1, 4, 10) else None,
                 number_format=DATETIME_FORMAT if isinstance(value, dt.datetime) else None)
        fit_height(ws, r, values, widths)
    last = top + max(len(sheet.rows), 1)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(COLUMNS))}{last}"
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    print_setup(ws, face, top, top)
    return workbook_bytes(book, title=sheet.title)


def _values(row: RegisterRow) -> list[CellValue]:
    sent_at = dt.datetime.fromisoformat(row.sent_at).replace(tzinfo=None) if row.sent_at else None
    return [row.number, row.title, row.doc_number or None, row.date, row.recipient_name,
            "\n".join(row.addresses) or None, row.file, row.sha256, row.status_text, sent_at,
            "\n".join(row.message_ids) or None, row.error or None, row.kind or None, row.signature or None]
