"""The sheets of a form (SPEC §3): ThongTin with its guide, TongHop, DanhSach and the hidden DanhMuc."""

from __future__ import annotations

import datetime as dt
import math

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.core import layout
from pipeline.io.forms.cells import (
    BOX,
    CENTER,
    COUNT_FORMAT,
    DATE_FORMAT,
    TEXT_FORMAT,
    WRAP,
    Faces,
    column_numbers,
    mark_input,
    print_setup,
    protect,
    set_widths,
    span,
    write_header,
    write_row,
)
from pipeline.io.forms.data import FormData, Options
from pipeline.io.forms.protocols import CellValue, Worksheet
from pipeline.io.forms.rules import date_rule, dmy, list_rule, validate, whole_rule

CHOICES_SHEET = "DanhMuc"

INFO_ROW = 3  # first label of ThongTin
HEADER_ROW = 3  # header row of TongHop and DanhSach
GUIDE_ROW = 11  # first row of the guide on ThongTin

INFO_INPUTS = ("prepared_on", "preparer", "phone")
SUMMARY_INPUTS = ("actual", "note")
LIST_FORMATS = {
    "enterprise": TEXT_FORMAT,
    "tax_code": TEXT_FORMAT,  # leading zeros stay
    "legal_form": TEXT_FORMAT,
    "org_type": TEXT_FORMAT,
    "decision_no": TEXT_FORMAT,  # "12/3" must not turn into a date
    "decision_date": DATE_FORMAT,
    "members": COUNT_FORMAT,
}
INFO_WIDTHS = (26, 60)
SUMMARY_WIDTHS = (6, 12, 48, 12, 14, 12, 24)
LIST_WIDTHS = (6, 44, 16, 34, 18, 16, 14, 12)


# --- ThongTin ---------------------------------------------------------------------


def info_sheet(ws: Worksheet, data: FormData, options: Options) -> None:
    ws.title = layout.INFO_SHEET
    face = options.faces
    ws["A1"] = f"THÔNG TIN ĐƠN VỊ BÁO CÁO NĂM {data.year}"
    ws["A1"].font = face.title
    values: dict[str, CellValue] = {
        "unit_name": data.unit_name,
        "unit_code": data.unit_code,
        "year": data.year,
        "prepared_on": data.prepared_on,
        "preparer": data.preparer,
        "phone": data.phone,
    }
    rows: dict[str, int] = {}
    for offset, spec in enumerate(layout.INFO_FIELDS):
        row = INFO_ROW + offset
        rows[spec.key] = row
        label = ws.cell(row=row, column=1, value=spec.label)
        label.font, label.border = face.bold, BOX
        value = values[spec.key]
        cell = ws.cell(row=row, column=2, value=value or None)
        cell.font, cell.border = face.plain, BOX
        cell.alignment = Alignment(horizontal="left")
        if isinstance(value, str):
            cell.data_type = "s"
        if spec.key == "prepared_on":
            cell.number_format = DATE_FORMAT
        elif spec.key == "year":
            cell.number_format = COUNT_FORMAT
        elif spec.key in INFO_INPUTS:
            cell.number_format = TEXT_FORMAT  # "0225.3123456" stays a phone number
        if spec.key in INFO_INPUTS:
            mark_input(cell, face)
    start, end = options.period
    prepared = date_rule(
        start, dt.date(end.year + 1, 12, 31),
        "Nhập ngày lập biểu dạng ngày/tháng/năm, ví dụ 10/12/" + str(data.year) + ".",
    )
    validate(ws, prepared, [f"B{rows['prepared_on']}"])
    _guide(ws, face, _guide_lines(data, options), GUIDE_ROW, sum(INFO_WIDTHS))
    set_widths(ws, INFO_WIDTHS)
    print_setup(ws, landscape=False)
    protect(ws)


def _guide_lines(data: FormData, options: Options) -> list[str]:
    """The instructions: sentences only, never a cell that reads like a label."""
    start, end = options.period
    where = f"cho {options.send_to}" if options.send_to else "cho cơ quan thường trực"
    when = f"chậm nhất ngày {dmy(options.deadline)}" if options.deadline else "đúng thời hạn"
    return [
        "1. Chỉ điền vào các ô nền vàng: ngày lập biểu, họ tên người lập biểu và số điện thoại ở trang "
        f"{layout.INFO_SHEET}; số thực hiện (và ghi chú nếu cần) của từng chỉ tiêu ở trang "
        f"{layout.SUMMARY_SHEET}. Tên đơn vị, mã đơn vị, năm và kế hoạch được giao đã ghi sẵn và được khóa.",
        f"2. Trang {layout.LIST_SHEET}: mỗi tổ chức thành lập mới trong năm {data.year} ghi một dòng; chọn loại "
        "tổ chức và loại hình doanh nghiệp trong danh sách thả xuống. Số tổ chức mỗi loại phải bằng số thực "
        f"hiện tương ứng ở trang {layout.SUMMARY_SHEET}.",
        "3. Mã số thuế của doanh nghiệp có 10 chữ số, hoặc 13 chữ số đối với đơn vị phụ thuộc (ví dụ "
        "0201234567-001); giữ nguyên chữ số 0 ở đầu.",
        f"4. Ngày ghi theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 15/03/{data.year}; ngày ra quyết định "
        f"thành lập phải nằm trong kỳ báo cáo, từ {dmy(start)} đến {dmy(end)}.",
        "5. Không đổi tên trang tính, không sửa các nhãn, tiêu đề cột và mã chỉ tiêu; có thể chèn thêm dòng "
        f"ở trang {layout.LIST_SHEET} khi cần.",
        f"6. Gửi lại chính tệp này (định dạng .xlsx) {where} {when}.",
    ]


def _guide(ws: Worksheet, face: Faces, lines: list[str], row: int, width: int) -> None:
    ws.cell(row=row, column=1, value="HƯỚNG DẪN ĐIỀN BIỂU MẪU").font = face.bold
    for offset, text in enumerate(lines, start=1):
        r = row + offset
        cell = ws.cell(row=r, column=1, value=text)
        cell.data_type = "s"
        cell.font, cell.alignment = face.italic, WRAP
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        # Excel does not grow merged rows to fit: give each line its height.
        lines_needed = math.ceil(len(text) / (width * 1.15))  # italic Times: ~1.15 characters per width unit
        ws.row_dimensions[r].height = 16 * max(1, lines_needed) + 2


# --- TongHop ----------------------------------------------------------------------


def summary_sheet(ws: Worksheet, data: FormData, face: Faces) -> None:
    ws["A1"] = f"{layout.SUMMARY_TITLE}: KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM {data.year}"
    ws["A1"].font = face.title
    write_header(ws, face, HEADER_ROW, layout.SUMMARY_COLUMNS)
    col = column_numbers(layout.SUMMARY_COLUMNS)
    for i, line in enumerate(data.indicators, start=1):
        row = HEADER_ROW + i
        values = (i, line.code, line.name, line.measure, line.plan, line.actual, line.note)
        write_row(ws, face, row, values)
        ws.cell(row=row, column=col["name"]).alignment = WRAP
        ws.cell(row=row, column=col["stt"]).alignment = CENTER
        for key in ("plan", "actual"):
            ws.cell(row=row, column=col[key]).number_format = COUNT_FORMAT
        for key in SUMMARY_INPUTS:
            mark_input(ws.cell(row=row, column=col[key]), face)
    if data.indicators:
        last = HEADER_ROW + len(data.indicators)
        validate(ws, whole_rule(), [span(col[k], HEADER_ROW + 1, last) for k in ("plan", "actual")])
    set_widths(ws, SUMMARY_WIDTHS)
    print_setup(ws, landscape=True)
    protect(ws)


# --- DanhSach ---------------------------------------------------------------------


def list_sheet(ws: Worksheet, data: FormData, options: Options, choices: dict[str, str]) -> None:
    face = options.faces
    ws["A1"] = f"{layout.LIST_TITLE}: DANH SÁCH TỔ CHỨC THÀNH LẬP MỚI NĂM {data.year}"
    ws["A1"].font = face.title
    write_header(ws, face, HEADER_ROW, layout.LIST_COLUMNS)
    keys = [f.key for f in layout.LIST_COLUMNS]
    col = column_numbers(layout.LIST_COLUMNS)
    first = HEADER_ROW + 1
    if data.organisations:
        for i, org in enumerate(data.organisations, start=1):
            write_row(ws, face, HEADER_ROW + i, [i if k == "stt" else org.get(k) for k in keys])
        count = len(data.organisations)
    else:
        # Empty rows; STT numbers itself once the enterprise's name is typed.
        name = get_column_letter(col["enterprise"])
        for r in range(first, first + options.list_rows):
            stt = f'=IF({name}{r}="","",COUNTA({name}${first}:{name}{r}))'
            write_row(ws, face, r, [stt if k == "stt" else None for k in keys], formulas=True)
        count = options.list_rows
    last = first + count - 1
    for r in range(first, last + 1):
        for key, fmt in LIST_FORMATS.items():
            cell = ws.cell(row=r, column=col[key])
            cell.number_format = fmt
            mark_input(cell, face)
        for key in ("stt", "decision_date"):
            ws.cell(row=r, column=col[key]).alignment = CENTER
    if count:
        _list_rules(ws, col, first, last, options, choices)
    set_widths(ws, LIST_WIDTHS)
    print_setup(ws, landscape=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    protect(ws, insert_rows=True)


def _list_rules(ws: Worksheet, col: dict[str, int], first: int, last: int, options: Options,
                choices: dict[str, str]) -> None:
    start, end = options.period
    if "org_type" in choices:
        rule = list_rule(choices["org_type"], "Loại tổ chức không hợp lệ",
                         "Chỉ được chọn một loại tổ chức trong danh sách thả xuống.", stop=True)
        validate(ws, rule, [span(col["org_type"], first, last)])
    if "legal_form" in choices:
        rule = list_rule(choices["legal_form"], "Loại hình ngoài danh mục",
                         "Loại hình doanh nghiệp này không có trong danh mục. Chọn Yes/Có để giữ, "
                         "No/Không để chọn lại trong danh sách thả xuống.", stop=False)
        validate(ws, rule, [span(col["legal_form"], first, last)])
    validate(ws, whole_rule(), [span(col["members"], first, last)])
    decided = date_rule(
        start, end,
        f"Nhập ngày dạng ngày/tháng/năm, trong kỳ báo cáo từ {dmy(start)} đến {dmy(end)}.",
    )
    validate(ws, decided, [span(col["decision_date"], first, last)])
    tax = DataValidation(
        type="textLength", operator="between", formula1="10", formula2="14", allow_blank=True,
        showErrorMessage=True, errorTitle="Mã số thuế không hợp lệ",
        error="Mã số thuế có 10 chữ số, hoặc 13 chữ số đối với đơn vị phụ thuộc (ví dụ 0201234567-001).",
        showInputMessage=True, promptTitle="Mã số thuế",
        prompt="Nhập 10 hoặc 13 chữ số, giữ nguyên chữ số 0 ở đầu.",
    )
    validate(ws, tax, [span(col["tax_code"], first, last)])


# --- DanhMuc: the choices of the drop-down lists -----------------------------------


def choices_sheet(book: Workbook, options: Options) -> dict[str, str]:
    """The hidden sheet of choices; field key → range formula of its list."""
    lists = [
        ("org_type", "Danh mục các loại tổ chức", options.org_types),
        ("legal_form", "Danh mục các loại hình doanh nghiệp", options.enterprise_forms),
    ]
    lists = [item for item in lists if item[2]]
    if not lists:
        return {}
    ws = book.create_sheet(CHOICES_SHEET)
    ws.sheet_state = "hidden"
    formulas = {}
    for column, (key, title, values) in enumerate(lists, start=1):
        ws.cell(row=1, column=column, value=title).font = options.faces.bold
        for r, value in enumerate(values, start=2):
            cell = ws.cell(row=r, column=column, value=value)
            cell.data_type = "s"
            cell.font = options.faces.plain
        letter = get_column_letter(column)
        formulas[key] = f"{quote_sheetname(CHOICES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].width = 40
    protect(ws)
    return formulas
