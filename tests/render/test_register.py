"""The register workbook: typed cells, text kept literal, the same rows giving the same bytes."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from pipeline.core.distribution.register import RegisterRow
from pipeline.render import sheet as sheet_helpers
from pipeline.render.register import RegisterSheet, render_register_xlsx


def row(n: int, **changes) -> RegisterRow:
    values = {"number": n, "document": "thong-bao/HB.pdf", "title": "Thông báo: Đảng bộ quận Hồng Bàng",
                  "doc_number": "Số 16-TB/BCĐ", "date": dt.date(2016, 12, 29), "recipient": "HB",
                  "recipient_name": "Quận ủy Hồng Bàng", "addresses": ("hong-bang@example.invalid",),
                  "file": "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf", "sha256": "0123" * 16, "document_sha256": "0123" * 16,
                  "status": "sent", "sent_to": ("hong-bang@example.invalid",), "sent_at": "2017-01-03T09:05:00+07:00",
                  "message_ids": ("<a.2016.nq28@example.org>",), "error": ""}
    values.update(changes)
    return RegisterRow(**values)


def sheet(*rows: RegisterRow) -> RegisterSheet:
    return RegisterSheet("SỔ GỬI VĂN BẢN NĂM 2016", "ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", ("BAN CHỈ ĐẠO",), rows, "Times New Roman")


def test_cells_are_typed_and_text_stays_text():
    data = render_register_xlsx(sheet(row(1), row(2, title="=HYPERLINK(\"x\")", sha256="1e5" + "0" * 61,
                                                  status="failed", sent_to=(), sent_at="", message_ids=(),
                                                  error="máy chủ thư từ chối (550)")))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    first, second = ws[7], ws[8]
    assert first[0].value == 1 and first[3].value == dt.datetime(2016, 12, 29)
    assert first[9].value == dt.datetime(2017, 1, 3, 9, 5) and first[9].number_format == "dd/mm/yyyy hh:mm"
    assert first[8].value == "đã gửi" and first[10].value == "<a.2016.nq28@example.org>"
    assert second[1].value == "=HYPERLINK(\"x\")" and second[1].data_type == "s", "never a formula"
    assert second[7].value == "1e5" + "0" * 61 and second[7].data_type == "s", "a checksum is never a number"
    assert (second[8].value, second[9].value, second[11].value) == ("gửi lỗi", None, "máy chủ thư từ chối (550)")
    assert ws.freeze_panes == "A7" and ws.auto_filter.ref == "A6:N8"


def test_the_same_rows_give_the_same_bytes():
    assert render_register_xlsx(sheet(row(1))) == render_register_xlsx(sheet(row(1)))


def test_copied_cell_looks_give_the_bytes_of_styling_every_cell(monkeypatch):
    rows = sheet(*(row(n) for n in range(1, 6)), row(6, sent_at="", status="failed", error="x"))
    shared = render_register_xlsx(rows)
    monkeypatch.setattr(sheet_helpers, "_LOOKS", sheet_helpers._Looks(reuse=False))
    assert render_register_xlsx(rows) == shared
