"""The submission workbook's layout (biểu mẫu): sheet names, labels and headers.

One definition, read by the parser and written by the form builder, so the two
can never disagree. Cells are found by these labels, never by position: clerks
insert rows, move columns and retype labels in another case or spacing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = True


INFO_SHEET = "ThongTin"
SUMMARY_SHEET = "TongHop"
LIST_SHEET = "DanhSach"

INFO_FIELDS = (
    Field("unit_name", "Đơn vị báo cáo"),
    Field("unit_code", "Mã đơn vị"),
    Field("year", "Năm báo cáo"),
    Field("prepared_on", "Ngày lập biểu", required=False),
    Field("preparer", "Người lập biểu", required=False),
    Field("phone", "Điện thoại", required=False),
)

SUMMARY_TITLE = "Biểu số 01"
SUMMARY_COLUMNS = (
    Field("stt", "STT", required=False),
    Field("code", "Mã chỉ tiêu"),
    Field("name", "Chỉ tiêu", required=False),
    Field("measure", "Đơn vị tính", required=False),
    Field("plan", "Kế hoạch năm"),
    Field("actual", "Thực hiện"),
    Field("note", "Ghi chú", required=False),
)

LIST_TITLE = "Biểu số 02"
LIST_COLUMNS = (
    Field("stt", "STT", required=False),
    Field("enterprise", "Tên doanh nghiệp"),
    Field("tax_code", "Mã số thuế"),
    Field("legal_form", "Loại hình doanh nghiệp"),
    Field("org_type", "Loại tổ chức"),
    Field("decision_no", "Số quyết định"),
    Field("decision_date", "Ngày quyết định"),
    Field("members", "Số thành viên"),
)
