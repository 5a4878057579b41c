"""Submission workbooks (biểu mẫu) written with openpyxl.

`write_form` lays out the three sheets of SPEC §3 from `pipeline.core.layout`:
a blank form carries the unit, the year and its targets; a filled one (the
shipped sample, the tests' factories) carries results and the list of
organisations too. `blank_form` builds the blank form of one unit and year
from the settings.

A form is made to be filled in Excel or LibreOffice by a clerk:

- input cells (light yellow) are unlocked, everything else is locked by sheet
  protection without a password (it prevents slips, not determined edits);
  the workbook structure is locked too, so sheets cannot be renamed;
- drop-down lists for "Loại tổ chức" and "Loại hình doanh nghiệp" read their
  choices from the hidden sheet `DanhMuc` (names contain commas, so never an
  inline list); numbers, dates and tax codes are checked as they are typed;
- ThongTin carries a short guide, and every sheet prints on A4.

The same data gives the same bytes: document properties and the time stamps
of the zip entries are fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from pipeline.core import layout
from pipeline.errors import ConfigError
from pipeline.settings import DEFAULT_OFFICE_FONT, Settings
from pipeline.stable import workbook_bytes

CHOICES_SHEET = "DanhMuc"
EXCEL_EPOCH = dt.date(1899, 12, 30)

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)

DATE_FORMAT = "dd/mm/yyyy"
COUNT_FORMAT = "0"
TEXT_FORMAT = "@"

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

# What a cell of a form may hold: text, a formula's text, numbers, dates, or nothing.
CellValue = str | int | float | dt.date | None


# --- the part of openpyxl a form uses ------------------------------------------------
# openpyxl ships no type information: these Protocols describe, from its worksheet and
# cell, what this module touches, so every use is checked against one description.
# (pipeline/render/sheet.py describes what the summary and register workbooks touch;
# io may not import render.)


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
    organisations: tuple[dict[str, CellValue], ...] = ()  # LIST_COLUMNS key → value
    prepared_on: dt.date | None = None
    preparer: str = ""
    phone: str = ""


@dataclass(frozen=True)
class _Faces:
    """The form's faces, all in the office font (style.office_font of settings.yaml)."""

    bold: Font
    plain: Font
    title: Font
    italic: Font


@lru_cache(maxsize=8)
def _faces(name: str) -> _Faces:
    return _Faces(Font(name=name, size=12, bold=True), Font(name=name, size=12),
                  Font(name=name, size=14, bold=True), Font(name=name, size=12, italic=True))


@dataclass(frozen=True)
class _Options:
    """What a blank form needs besides its data: choices, room, guide."""

    org_types: tuple[str, ...]
    enterprise_forms: tuple[str, ...]
    list_rows: int
    period: tuple[dt.date, dt.date]
    deadline: dt.date | None
    send_to: str
    faces: _Faces


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
    options = _Options(
        org_types=tuple(org_types),
        enterprise_forms=tuple(enterprise_forms),
        list_rows=list_rows,
        period=period or (dt.date(data.year, 1, 1), dt.date(data.year, 12, 31)),
        deadline=deadline,
        send_to=send_to,
        faces=_faces(font),
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


# --- the workbook ---------------------------------------------------------------


def _form_bytes(data: FormData, options: _Options) -> bytes:
    book = Workbook()
    _info_sheet(book.active, data, options)
    _summary_sheet(book.create_sheet(layout.SUMMARY_SHEET), data, options.faces)
    choices = _choices_sheet(book, options)
    _list_sheet(book.create_sheet(layout.LIST_SHEET, index=2), data, options, choices)
    book.active = 0
    book.security = WorkbookProtection(lockStructure=True)  # no renaming, deleting or unhiding sheets
    return workbook_bytes(book)


# --- ThongTin ---------------------------------------------------------------------


def _info_sheet(ws: Worksheet, data: FormData, options: _Options) -> None:
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
        label.font, label.border = face.bold, _BOX
        value = values[spec.key]
        cell = ws.cell(row=row, column=2, value=value or None)
        cell.font, cell.border = face.plain, _BOX
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
            _input(cell, face)
    start, end = options.period
    prepared = _date_rule(
        start, dt.date(end.year + 1, 12, 31),
        "Nhập ngày lập biểu dạng ngày/tháng/năm, ví dụ 10/12/" + str(data.year) + ".",
    )
    _validate(ws, prepared, [f"B{rows['prepared_on']}"])
    _guide(ws, face, _guide_lines(data, options), GUIDE_ROW, sum(INFO_WIDTHS))
    _widths(ws, INFO_WIDTHS)
    _print_setup(ws, landscape=False)
    _protect(ws)


def _guide_lines(data: FormData, options: _Options) -> list[str]:
    """The instructions: sentences only, never a cell that reads like a label."""
    start, end = options.period
    where = f"cho {options.send_to}" if options.send_to else "cho cơ quan thường trực"
    when = f"chậm nhất ngày {_dmy(options.deadline)}" if options.deadline else "đúng thời hạn"
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
        f"thành lập phải nằm trong kỳ báo cáo, từ {_dmy(start)} đến {_dmy(end)}.",
        "5. Không đổi tên trang tính, không sửa các nhãn, tiêu đề cột và mã chỉ tiêu; có thể chèn thêm dòng "
        f"ở trang {layout.LIST_SHEET} khi cần.",
        f"6. Gửi lại chính tệp này (định dạng .xlsx) {where} {when}.",
    ]


def _guide(ws: Worksheet, face: _Faces, lines: list[str], row: int, width: int) -> None:
    ws.cell(row=row, column=1, value="HƯỚNG DẪN ĐIỀN BIỂU MẪU").font = face.bold
    for offset, text in enumerate(lines, start=1):
        r = row + offset
        cell = ws.cell(row=r, column=1, value=text)
        cell.data_type = "s"
        cell.font, cell.alignment = face.italic, _WRAP
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        # Excel does not grow merged rows to fit: give each line its height.
        lines_needed = math.ceil(len(text) / (width * 1.15))  # italic Times: ~1.15 characters per width unit
        ws.row_dimensions[r].height = 16 * max(1, lines_needed) + 2


# --- TongHop ----------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, data: FormData, face: _Faces) -> None:
    ws["A1"] = f"{layout.SUMMARY_TITLE}: KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM {data.year}"
    ws["A1"].font = face.title
    _header(ws, face, HEADER_ROW, layout.SUMMARY_COLUMNS)
    col = _columns(layout.SUMMARY_COLUMNS)
    for i, line in enumerate(data.indicators, start=1):
        row = HEADER_ROW + i
        values = (i, line.code, line.name, line.measure, line.plan, line.actual, line.note)
        _row(ws, face, row, values)
        ws.cell(row=row, column=col["name"]).alignment = _WRAP
        ws.cell(row=row, column=col["stt"]).alignment = _CENTER
        for key in ("plan", "actual"):
            ws.cell(row=row, column=col[key]).number_format = COUNT_FORMAT
        for key in SUMMARY_INPUTS:
            _input(ws.cell(row=row, column=col[key]), face)
    if data.indicators:
        last = HEADER_ROW + len(data.indicators)
        _validate(ws, _whole_rule(), [_span(col[k], HEADER_ROW + 1, last) for k in ("plan", "actual")])
    _widths(ws, SUMMARY_WIDTHS)
    _print_setup(ws, landscape=True)
    _protect(ws)


# --- DanhSach ---------------------------------------------------------------------


def _list_sheet(ws: Worksheet, data: FormData, options: _Options, choices: dict[str, str]) -> None:
    face = options.faces
    ws["A1"] = f"{layout.LIST_TITLE}: DANH SÁCH TỔ CHỨC THÀNH LẬP MỚI NĂM {data.year}"
    ws["A1"].font = face.title
    _header(ws, face, HEADER_ROW, layout.LIST_COLUMNS)
    keys = [f.key for f in layout.LIST_COLUMNS]
    col = _columns(layout.LIST_COLUMNS)
    first = HEADER_ROW + 1
    if data.organisations:
        for i, org in enumerate(data.organisations, start=1):
            _row(ws, face, HEADER_ROW + i, [i if k == "stt" else org.get(k) for k in keys])
        count = len(data.organisations)
    else:
        # Empty rows; STT numbers itself once the enterprise's name is typed.
        name = get_column_letter(col["enterprise"])
        for r in range(first, first + options.list_rows):
            stt = f'=IF({name}{r}="","",COUNTA({name}${first}:{name}{r}))'
            _row(ws, face, r, [stt if k == "stt" else None for k in keys], formulas=True)
        count = options.list_rows
    last = first + count - 1
    for r in range(first, last + 1):
        for key, fmt in LIST_FORMATS.items():
            cell = ws.cell(row=r, column=col[key])
            cell.number_format = fmt
            _input(cell, face)
        for key in ("stt", "decision_date"):
            ws.cell(row=r, column=col[key]).alignment = _CENTER
    if count:
        _list_rules(ws, col, first, last, options, choices)
    _widths(ws, LIST_WIDTHS)
    _print_setup(ws, landscape=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws, insert_rows=True)


def _list_rules(ws: Worksheet, col: dict[str, int], first: int, last: int, options: _Options,
                choices: dict[str, str]) -> None:
    start, end = options.period
    if "org_type" in choices:
        rule = _list_rule(choices["org_type"], "Loại tổ chức không hợp lệ",
                          "Chỉ được chọn một loại tổ chức trong danh sách thả xuống.", stop=True)
        _validate(ws, rule, [_span(col["org_type"], first, last)])
    if "legal_form" in choices:
        rule = _list_rule(choices["legal_form"], "Loại hình ngoài danh mục",
                          "Loại hình doanh nghiệp này không có trong danh mục. Chọn Yes/Có để giữ, "
                          "No/Không để chọn lại trong danh sách thả xuống.", stop=False)
        _validate(ws, rule, [_span(col["legal_form"], first, last)])
    _validate(ws, _whole_rule(), [_span(col["members"], first, last)])
    decided = _date_rule(
        start, end,
        f"Nhập ngày dạng ngày/tháng/năm, trong kỳ báo cáo từ {_dmy(start)} đến {_dmy(end)}.",
    )
    _validate(ws, decided, [_span(col["decision_date"], first, last)])
    tax = DataValidation(
        type="textLength", operator="between", formula1="10", formula2="14", allow_blank=True,
        showErrorMessage=True, errorTitle="Mã số thuế không hợp lệ",
        error="Mã số thuế có 10 chữ số, hoặc 13 chữ số đối với đơn vị phụ thuộc (ví dụ 0201234567-001).",
        showInputMessage=True, promptTitle="Mã số thuế",
        prompt="Nhập 10 hoặc 13 chữ số, giữ nguyên chữ số 0 ở đầu.",
    )
    _validate(ws, tax, [_span(col["tax_code"], first, last)])


# --- DanhMuc: the choices of the drop-down lists -----------------------------------


def _choices_sheet(book: Workbook, options: _Options) -> dict[str, str]:
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
    _protect(ws)
    return formulas


# --- validation rules -------------------------------------------------------------


def _whole_rule() -> DataValidation:
    return DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="Số không hợp lệ",
        error="Chỉ được nhập số nguyên không âm (0, 1, 2, ...).",
        showInputMessage=True, promptTitle="Nhập số", prompt="Nhập số nguyên không âm.",
    )


def _date_rule(start: dt.date, end: dt.date, prompt: str) -> DataValidation:
    return DataValidation(
        type="date", operator="between", formula1=str(_serial(start)), formula2=str(_serial(end)),
        allow_blank=True, showErrorMessage=True, errorTitle="Ngày không hợp lệ",
        error=f"Chỉ được nhập ngày dạng ngày/tháng/năm, từ {_dmy(start)} đến {_dmy(end)}.",
        showInputMessage=True, promptTitle="Nhập ngày", prompt=prompt,
    )


def _list_rule(formula: str, title: str, message: str, *, stop: bool) -> DataValidation:
    return DataValidation(
        type="list", formula1=formula, allow_blank=True, errorStyle="stop" if stop else "warning",
        showErrorMessage=True, errorTitle=title, error=message,
        showInputMessage=True, promptTitle="Chọn trong danh sách",
        prompt="Bấm vào mũi tên bên phải ô để chọn.",
    )


def _validate(ws: Worksheet, rule: DataValidation, ranges: Iterable[str]) -> None:
    ws.add_data_validation(rule)
    for ref in ranges:
        rule.add(ref)


# --- cells, sheets, printing --------------------------------------------------------


def _header(ws: Worksheet, face: _Faces, row: int, columns: tuple[layout.Field, ...]) -> None:
    for col, spec in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=col, value=spec.label)
        cell.font = face.bold
        cell.border = _BOX
        cell.alignment = _HEADER_ALIGN
    ws.row_dimensions[row].height = 34
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _row(ws: Worksheet, face: _Faces, row: int, values: Sequence[CellValue], formulas: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = face.plain
        cell.border = _BOX
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, str) and not formulas:
            cell.data_type = "s"  # text stays text: never a formula


def _input(cell: Cell, face: _Faces) -> None:
    cell.protection = _UNLOCKED
    cell.fill = _INPUT_FILL
    cell.font = face.plain
    cell.border = _BOX


def _protect(ws: Worksheet, insert_rows: bool = False) -> None:
    """Sheet protection without a password; openpyxl's False means "allowed"."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if insert_rows:
        ws.protection.insertRows = False


def _print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"


def _columns(columns: tuple[layout.Field, ...]) -> dict[str, int]:
    return {spec.key: i for i, spec in enumerate(columns, start=1)}


def _span(column: int, first: int, last: int) -> str:
    letter = get_column_letter(column)
    return f"{letter}{first}:{letter}{last}"


def _widths(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
