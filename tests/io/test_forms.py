"""The blank submission form (pipeline.io.forms): what a clerk gets, and what comes back.

Forms are reopened with openpyxl to check what Excel and LibreOffice will
enforce (drop-down lists, number/date/length rules, locked cells, printing),
and the round trip fills a blank form the way a clerk does, typing only into
unlocked cells and only values the form's own rules accept, then reads it with
the real reader and validates it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from pipeline.core import layout
from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.validate import validate_year
from pipeline.core.vi import label_key
from pipeline.errors import ConfigError
from pipeline.io.excel import read_workbook
from pipeline.io.forms.data import FormData, IndicatorLine
from pipeline.io.forms.sheets import CHOICES_SHEET
from pipeline.io.forms.workbook import blank_form, write_form
from pipeline.settings import Reporting
from tests import factories
from tests.factories import flatten, tax_code

EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_ROW = 4  # below the header row (3) of TongHop and DanhSach
LAST_ROW = FIRST_ROW + 200 - 1  # list_rows defaults to 200
LIST = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(layout.LIST_COLUMNS, start=1)}
SUMMARY = {f.key: openpyxl.utils.get_column_letter(i) for i, f in enumerate(layout.SUMMARY_COLUMNS, start=1)}
ALL_LABELS = {label_key(f.label) for f in (*layout.INFO_FIELDS, *layout.SUMMARY_COLUMNS, *layout.LIST_COLUMNS)}


@pytest.fixture(scope="module")
def hb2017(settings) -> bytes:
    return blank_form(settings, "HB", 2017)


@pytest.fixture
def book(hb2017) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(hb2017))


def open_bytes(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rules_at(ws, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def rule_of(ws, column: str, kind: str):
    """The one validation of `kind` covering the whole input range of a column."""
    found = [dv for dv in ws.data_validations.dataValidation if dv.type == kind and f"{column}{FIRST_ROW}" in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{column}: {[(d.type, str(d.sqref)) for d in ws.data_validations.dataValidation]}"
    return found[0]


def choices(book, dv) -> list[str]:
    """The values a list validation offers, read from the range it names."""
    sheet, ref = dv.formula1.split("!")
    return [row[0].value for row in book[sheet.strip("'")][ref.replace("$", "")]]


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def accepts(book, ws, coordinate: str, value) -> bool:
    """Whether Excel would let this value in (rules with errorStyle "stop")."""
    for dv in rules_at(ws, coordinate):
        if value in (None, "") or dv.errorStyle == "warning":
            continue
        if dv.type == "list":
            ok = value in choices(book, dv)
        elif dv.type == "whole":
            ok = isinstance(value, int) and value >= int(dv.formula1)
        elif dv.type == "date":
            ok = isinstance(value, dt.date) and int(dv.formula1) <= serial(value) <= int(dv.formula2)
        elif dv.type == "textLength":
            ok = int(dv.formula1) <= len(str(value)) <= int(dv.formula2)
        else:
            raise AssertionError(f"unexpected validation type {dv.type}")
        if not ok:
            return False
    return True


def find(ws, text: str):
    """The cell showing exactly this text, wherever it is: the clerk reads labels, not positions."""
    hits = [c for row in ws.iter_rows() for c in row if c.value == text]
    assert len(hits) == 1, f"{ws.title}: {text!r} found {len(hits)} times"
    return hits[0]


def type_into(book, ws, row: int, column: int, value) -> None:
    """Type a value as the clerk does: only into unlocked cells, only what the form accepts."""
    cell = ws.cell(row=row, column=column)
    assert cell.protection.locked is False, f"{ws.title}!{cell.coordinate} is locked"
    assert accepts(book, ws, cell.coordinate, value), f"{ws.title}!{cell.coordinate} refuses {value!r}"
    cell.value = value


# --- what a clerk fills in ----------------------------------------------------------------

KINDS = [("Tổ chức đảng", 2), ("Công đoàn", 3), ("Đoàn thanh niên", 1), ("Hội thanh niên", 1)]
ACTUAL = {"TCD": 2, "CD": 3, "DTN": 2, "DV": 6, "DVCD": 40, "DVTN": 20}


def fill_like_a_clerk(book: openpyxl.Workbook, settings) -> None:
    info = book[layout.INFO_SHEET]
    for label, value in (("Ngày lập biểu", dt.date(2017, 12, 10)), ("Người lập biểu", "Trần Thị Lan"),
                         ("Điện thoại", "0225.3842123")):
        cell = find(info, label)
        type_into(book, info, cell.row, cell.column + 1, value)

    summary = book[layout.SUMMARY_SHEET]
    code_col = find(summary, "Mã chỉ tiêu").column
    actual_col = find(summary, "Thực hiện").column
    for row in range(find(summary, "Mã chỉ tiêu").row + 1, summary.max_row + 1):
        code = summary.cell(row=row, column=code_col).value
        if code:
            type_into(book, summary, row, actual_col, ACTUAL[code])

    listing = book[layout.LIST_SHEET]
    header = {f.key: find(listing, f.label).column for f in layout.LIST_COLUMNS}
    offered = choices(book, rule_of(listing, LIST["org_type"], "list"))
    forms = choices(book, rule_of(listing, LIST["legal_form"], "list"))
    row = find(listing, "Tên doanh nghiệp").row + 1
    n = 0
    for kind, count in KINDS:
        for _ in range(count):
            values = {
                "enterprise": f"Công ty Cổ phần Cảng Đình Vũ số {n}",
                "tax_code": tax_code(5000 + 13 * n),
                "legal_form": forms[n % len(forms)],
                "org_type": offered[offered.index(kind)],
                "decision_no": f"{40 + n}-QĐ/QU",
                "decision_date": dt.date(2017, 2 + n, 10 + n),
                "members": 5 + n,
            }
            for key, value in values.items():
                type_into(book, listing, row, header[key], value)
            row += 1
            n += 1


def read_back(path):
    raw = read_workbook(path, path.name)
    assert not hasattr(raw, "reason"), raw
    return raw, parse_workbook(raw)


# --- round trip -----------------------------------------------------------------------------


def test_a_blank_form_filled_in_by_a_clerk_is_valid(settings, book, tmp_path):
    fill_like_a_clerk(book, settings)
    path = factories.save(book, tmp_path / "HB.xlsx")
    _, sub = read_back(path)

    v = validate_year(2017, [sub], [], settings)

    assert v.status["HB"] == "valid"
    assert v.report.errors == ()
    assert flatten(i for i in v.report.warnings if i.file == "HB.xlsx") == set()
    assert {i.rule for i in v.report.warnings} == {"not-submitted"}  # the other 14 units
    assert (sub.unit_code, sub.year, sub.unit_name) == ("HB", 2017, "Đảng bộ quận Hồng Bàng")
    assert sub.prepared_on == dt.date(2017, 12, 10)
    assert (sub.preparer, sub.phone) == ("Trần Thị Lan", "0225.3842123")
    assert {f.code: f.actual for f in sub.figures} == ACTUAL
    assert {f.code: f.plan for f in sub.figures if f.plan is not None} == settings.targets[2017]["HB"]
    assert len(sub.organisations) == 7
    first = sub.organisations[0]
    assert (first.row, first.org_type, first.tax_code) == (FIRST_ROW, "Tổ chức đảng", tax_code(5000))
    assert first.tax_code.startswith("0")  # kept as text
    assert first.decision_date == dt.date(2017, 2, 10)
    assert [o.members for o in sub.organisations] == [5 + n for n in range(7)]


def test_an_untouched_blank_form_reads_unit_year_and_assigned_plans(settings, hb2017, tmp_path):
    path = tmp_path / "HB.xlsx"
    path.write_bytes(hb2017)
    _, sub = read_back(path)

    assert (sub.unit_code, sub.year, sub.unit_name) == ("HB", 2017, "Đảng bộ quận Hồng Bàng")
    assert {f.code: f.plan for f in sub.figures if f.plan is not None} == settings.targets[2017]["HB"]
    assert [f.code for f in sub.figures] == [i.code for i in settings.indicators]
    assert all(f.actual is None for f in sub.figures)
    assert sub.organisations == ()  # 200 prepared rows and their STT formulas are not organisations
    assert sub.issues == ()
    assert (sub.prepared_on, sub.preparer, sub.phone) == (None, "", "")


def test_the_hidden_choices_sheet_does_not_confuse_the_reader(settings, book, tmp_path):
    choices_sheet = book[CHOICES_SHEET]
    assert choices_sheet.sheet_state == "hidden"
    texts = [c.value for row in choices_sheet.iter_rows() for c in row if c.value]
    assert not {label_key(t) for t in texts} & ALL_LABELS  # no cell reads like a label or header
    fill_like_a_clerk(book, settings)
    raw, sub = read_back(factories.save(book, tmp_path / "HB.xlsx"))

    assert [(s.name, s.hidden) for s in raw.sheets] == [
        ("ThongTin", False), ("TongHop", False), ("DanhSach", False), ("DanhMuc", True)]
    assert sub.issues == ()
    assert len(sub.organisations) == 7  # the choices are not read as organisations


def test_plans_come_from_the_targets_and_stay_blank_without_one(settings, book):
    summary = book[layout.SUMMARY_SHEET]
    plans = {summary[f"{SUMMARY['code']}{r}"].value: summary[f"{SUMMARY['plan']}{r}"].value
             for r in range(FIRST_ROW, FIRST_ROW + len(settings.indicators))}
    assert plans == {"TCD": 3, "DV": None, "CD": 5, "DVCD": None, "DTN": 2, "DVTN": None}
    names = [summary[f"{SUMMARY['name']}{r}"].value for r in range(FIRST_ROW, FIRST_ROW + 6)]
    assert names == [i.name for i in settings.indicators]
    info = book[layout.INFO_SHEET]
    assert [info[f"B{r}"].value for r in (3, 4, 5)] == ["Đảng bộ quận Hồng Bàng", "HB", 2017]


def test_blank_form_for_an_unknown_unit_is_a_config_error(settings):
    with pytest.raises(ConfigError, match="XX"):
        blank_form(settings, "XX", 2017)


# --- drop-down lists and input rules ----------------------------------------------------------


def test_drop_down_lists_read_their_choices_from_the_hidden_sheet(settings, book):
    listing = book[layout.LIST_SHEET]
    org_type = rule_of(listing, LIST["org_type"], "list")
    legal_form = rule_of(listing, LIST["legal_form"], "list")

    for dv in (org_type, legal_form):
        assert dv.formula1.startswith(f"'{CHOICES_SHEET}'!")  # a range, never an inline "a,b,c" list
        assert '"' not in dv.formula1
        assert not dv.showDropDown  # openpyxl's True would hide the arrow
        assert dv.showErrorMessage and dv.error and dv.errorTitle
        assert f"{LIST['org_type' if dv is org_type else 'legal_form']}{LAST_ROW}" in dv.sqref
    assert choices(book, org_type) == list(settings.general.org_types)
    assert choices(book, legal_form) == list(settings.general.enterprise_forms)
    assert org_type.errorStyle == "stop"  # an unknown type is an error
    assert legal_form.errorStyle == "warning"  # an unknown legal form is only a warning (SPEC §3)
    assert book[CHOICES_SHEET].sheet_state == "hidden"  # not "veryHidden": an officer can look


def test_a_choice_with_a_comma_stays_one_choice(book):
    forms = ("Công ty TNHH một thành viên", "Tổ chức Đoàn, Hội thanh niên")
    data = factories.replace(factories.good_form("HB"), organisations=())
    buffer = io.BytesIO()
    write_form(data, buffer, org_types=("Tổ chức đảng",), enterprise_forms=forms)
    wb = open_bytes(buffer.getvalue())
    assert choices(wb, rule_of(wb[layout.LIST_SHEET], LIST["legal_form"], "list")) == list(forms)


def test_numbers_dates_and_tax_codes_are_checked_on_input(book):
    summary, listing, info = book[layout.SUMMARY_SHEET], book[layout.LIST_SHEET], book[layout.INFO_SHEET]
    for column in (SUMMARY["plan"], SUMMARY["actual"]):
        dv = rule_of(summary, column, "whole")
        assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0")
        assert f"{column}9" in dv.sqref and f"{column}10" not in dv.sqref  # the six indicator rows
    members = rule_of(listing, LIST["members"], "whole")
    assert (members.operator, members.formula1) == ("greaterThanOrEqual", "0")
    assert members.error == "Chỉ được nhập số nguyên không âm (0, 1, 2, ...)."
    decided = rule_of(listing, LIST["decision_date"], "date")
    assert (decided.formula1, decided.formula2) == (str(serial(dt.date(2017, 1, 1))), str(serial(dt.date(2017, 12, 31))))
    tax = rule_of(listing, LIST["tax_code"], "textLength")
    assert (tax.operator, tax.formula1, tax.formula2) == ("between", "10", "14")
    prepared = rules_at(info, "B6")
    assert [dv.type for dv in prepared] == ["date"]
    for dv in (members, decided, tax):
        assert f"{dv.sqref}".endswith(str(LAST_ROW))
        assert dv.showErrorMessage and dv.allow_blank

    def ok(ws, cell, value):
        return accepts(book, ws, cell, value)

    assert ok(listing, "H4", 12) and not ok(listing, "H4", -1) and not ok(listing, "H4", "mười")
    assert ok(listing, "G4", dt.date(2017, 6, 1)) and not ok(listing, "G4", dt.date(2016, 12, 31))
    assert ok(listing, "C4", "0201234567") and ok(listing, "C4", "0201234567-001")
    assert not ok(listing, "C4", "020123456") and not ok(listing, "C4", "0201234567-0011")
    assert ok(listing, "E4", "Hội thanh niên") and not ok(listing, "E4", "Hội Phụ nữ")
    assert ok(listing, "D4", "Hợp tác xã")  # a warning only
    assert not ok(summary, "F4", 1.5) and ok(summary, "F4", 0)
    assert ok(info, "B6", dt.date(2018, 1, 5)) and not ok(info, "B6", dt.date(2000, 1, 1))


def test_decision_dates_follow_the_configured_reporting_period(settings):
    state = Reporting(period_start="15/12", start_in_previous_year=True, period_end="14/12")
    general = settings.general.model_copy(update={"reporting": state})
    wb = open_bytes(blank_form(settings.model_copy(update={"general": general}), "HB", 2017))
    dv = rule_of(wb[layout.LIST_SHEET], LIST["decision_date"], "date")
    assert (dv.formula1, dv.formula2) == (str(serial(dt.date(2016, 12, 15))), str(serial(dt.date(2017, 12, 14))))
    assert "15/12/2016" in dv.error and "14/12/2017" in dv.error


def test_validation_texts_are_vietnamese_and_fit_excel_limits(book):
    rules = [dv for ws in book for dv in ws.data_validations.dataValidation]
    assert len(rules) == 7  # ThongTin 1, TongHop 1, DanhSach 5, DanhMuc none
    for dv in rules:
        assert dv.errorTitle and dv.error and dv.promptTitle and dv.prompt
        # Excel repairs (drops) rules with longer texts.
        assert len(dv.errorTitle) <= 32 and len(dv.promptTitle) <= 32, dv.errorTitle
        assert len(dv.error) <= 255 and len(dv.prompt) <= 255, dv.error
        assert any(ch in dv.error for ch in "ảạấầậđểễệỉịốồộờợụủứừựỳ"), dv.error


def test_list_rows_sets_how_many_input_rows_a_blank_list_gets(settings):
    data = FormData("Đảng bộ quận Hồng Bàng", "HB", 2017, (IndicatorLine("TCD", "Tổ chức đảng", "tổ chức", 3),))
    buffer = io.BytesIO()
    write_form(data, buffer, org_types=settings.general.org_types, list_rows=5)
    listing = open_bytes(buffer.getvalue())[layout.LIST_SHEET]

    assert str(rule_of(listing, LIST["org_type"], "list").sqref) == "E4:E8"
    assert listing["B8"].protection.locked is False and listing["B9"].protection.locked is True
    assert listing["A8"].value == '=IF(B8="","",COUNTA(B$4:B8))'  # STT numbers itself
    assert not [dv for dv in listing.data_validations.dataValidation if dv.type == "list" and "D4" in dv.sqref]


def test_a_filled_form_keeps_its_rows_and_gets_rules_on_them():
    form = factories.good_form("HB")  # 6 organisations, no choices given: no DanhMuc
    wb = open_bytes(factories.form_bytes(form))
    listing = wb[layout.LIST_SHEET]

    assert wb.sheetnames == ["ThongTin", "TongHop", "DanhSach"]
    assert [listing[f"A{r}"].value for r in range(4, 10)] == [1, 2, 3, 4, 5, 6]
    assert listing["B10"].value is None
    assert str(rule_of(listing, LIST["members"], "whole").sqref) == "H4:H9"
    assert listing["C4"].value == form.organisations[0]["tax_code"]
    assert listing["C9"].protection.locked is False and listing["C10"].protection.locked is True


# --- protection -------------------------------------------------------------------------------


def test_every_sheet_is_protected_without_a_password(book, hb2017):
    for ws in book:
        assert ws.protection.sheet is True, ws.title
        assert ws.protection.password is None and ws.protection.hashValue is None, ws.title
    assert book.security.lockStructure  # sheets cannot be renamed, deleted or unhidden
    assert book.security.workbookPassword is None
    with zipfile.ZipFile(io.BytesIO(hb2017)) as z:
        for name in z.namelist():
            assert b"password" not in z.read(name).lower() and b"hashValue" not in z.read(name), name


def test_the_list_allows_inserting_rows_and_every_sheet_resizing(book, hb2017):
    # openpyxl's flags are inverted: True protects (forbids), False allows.
    listing = book[layout.LIST_SHEET]
    assert listing.protection.insertRows is False
    assert listing.protection.deleteColumns is True and listing.protection.insertColumns is True
    assert listing.protection.formatCells is True
    assert book[layout.SUMMARY_SHEET].protection.insertRows is True
    for ws in book:
        assert ws.protection.formatRows is False and ws.protection.formatColumns is False
    with zipfile.ZipFile(io.BytesIO(hb2017)) as z:
        xml = z.read("xl/worksheets/sheet3.xml").decode()
    assert 'insertRows="0"' in xml and 'sheet="1"' in xml and 'insertColumns="1"' in xml


def test_labels_identity_and_plans_are_locked_input_cells_unlocked(book):
    info, summary, listing = book[layout.INFO_SHEET], book[layout.SUMMARY_SHEET], book[layout.LIST_SHEET]

    def locked(ws, *cells):
        return [ws[c].protection.locked for c in cells]

    assert locked(info, "A1", "A3", "A4", "A5", "A6", "A7", "A8", "B3", "B4", "B5") == [True] * 10
    assert locked(info, "B6", "B7", "B8") == [False] * 3
    assert locked(summary, "A3", "B3", "E3", "F3", "G3", "A4", "B4", "C4", "D4", "E4", "E9") == [True] * 11
    assert locked(summary, "F4", "G4", "F9", "G9") == [False] * 4
    assert locked(summary, "F10") == [True]
    assert locked(listing, *(f"{c}3" for c in "ABCDEFGH")) == [True] * 8
    for row in (FIRST_ROW, 100, LAST_ROW):
        assert locked(listing, *(f"{c}{row}" for c in "BCDEFGH")) == [False] * 7, row
        assert locked(listing, f"A{row}") == [True]
    assert locked(listing, f"B{LAST_ROW + 1}") == [True]
    assert listing[f"B{LAST_ROW}"].border.bottom.style == "thin"


# --- guide, printing, formats --------------------------------------------------------------------


def test_thongtin_carries_a_guide_that_reads_like_no_label(book):
    info = book[layout.INFO_SHEET]
    assert info["A11"].value == "HƯỚNG DẪN ĐIỀN BIỂU MẪU"
    lines = [info[f"A{r}"].value for r in range(12, 20) if info[f"A{r}"].value]
    assert 4 <= len(lines) <= 6
    assert [line.split(".")[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
    text = " ".join(lines)
    for needle in ("10 chữ số", "13 chữ số", "dd/mm/yyyy", "một dòng", "Không đổi tên", "Ban Tổ chức Thành ủy"):
        assert needle in text, needle
    every_cell = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for value in every_cell:
        if label_key(value) in ALL_LABELS:
            assert value in {f.label for f in (*layout.INFO_FIELDS, *layout.SUMMARY_COLUMNS, *layout.LIST_COLUMNS)}
    label_cells = [c for row in info.iter_rows() for c in row if isinstance(c.value, str) and label_key(c.value) in ALL_LABELS]
    assert [c.coordinate for c in label_cells] == ["A3", "A4", "A5", "A6", "A7", "A8"]
    assert info.merged_cells.ranges and all(r.min_row > 11 for r in info.merged_cells.ranges)


def test_the_guide_names_the_deadline_when_one_is_configured(settings):
    info = open_bytes(blank_form(settings, "HB", 2016))[layout.INFO_SHEET]
    text = " ".join(str(info[f"A{r}"].value) for r in range(12, 18))
    assert settings.documents[2016].deadline == dt.date(2016, 12, 15)
    assert "chậm nhất ngày 15/12/2016" in text


def test_every_sheet_prints_on_a4_fitted_to_the_width(book):
    orientation = {"ThongTin": "portrait", "TongHop": "landscape", "DanhSach": "landscape"}
    for name, wanted in orientation.items():
        ws = book[name]
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert ws.page_setup.orientation == wanted, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
        assert 0.3 <= ws.page_margins.left <= 1 and 0.3 <= ws.page_margins.top <= 1
    assert book[layout.LIST_SHEET].print_title_rows == "$3:$3"  # the header repeats on every page


def test_formats_widths_fonts_and_frozen_headers(book):
    info, summary, listing = book[layout.INFO_SHEET], book[layout.SUMMARY_SHEET], book[layout.LIST_SHEET]
    assert listing[f"C{FIRST_ROW}"].number_format == "@" and listing[f"C{LAST_ROW}"].number_format == "@"
    assert listing[f"F{FIRST_ROW}"].number_format == "@"  # "12/3" stays a decision number
    assert listing[f"G{FIRST_ROW}"].number_format == "dd/mm/yyyy"
    assert listing[f"H{FIRST_ROW}"].number_format == "0"
    assert summary["E4"].number_format == summary["F4"].number_format == "0"
    assert info["B6"].number_format == "dd/mm/yyyy" and info["B8"].number_format == "@"
    for ws in (summary, listing):
        assert ws.freeze_panes == "A4"
        assert all(ws.cell(row=3, column=c).alignment.wrap_text for c in range(1, ws.max_column + 1))
        assert all(ws.cell(row=3, column=c).font.name == "Times New Roman" for c in range(1, ws.max_column + 1))
    assert listing[f"B{FIRST_ROW}"].font.name == "Times New Roman"  # typed text too
    assert listing.column_dimensions["B"].width >= 40 and listing.column_dimensions["A"].width <= 8
    assert listing[f"B{FIRST_ROW}"].fill.fgColor.rgb == listing[f"H{LAST_ROW}"].fill.fgColor.rgb != "00000000"


# --- same input, same bytes ----------------------------------------------------------------------


def test_the_same_input_gives_the_same_bytes(settings, hb2017):
    assert blank_form(settings, "HB", 2017) == hb2017
    assert blank_form(settings, "NQ", 2017) != hb2017
    assert factories.form_bytes(factories.good_form("HB")) == factories.form_bytes(factories.good_form("HB"))
    with zipfile.ZipFile(io.BytesIO(hb2017)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z</dcterms:modified>" in core


def test_write_form_writes_the_same_bytes_to_a_path_and_a_stream(tmp_path):
    form = factories.good_form("HB")
    path = factories.write(form, tmp_path / "HB.xlsx")
    assert path.read_bytes() == factories.form_bytes(form)
