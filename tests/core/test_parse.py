"""Raw sheets → Submission (pipeline.core.steps.parse).

Workbooks are built with tests/factories.py, then messed up with openpyxl the way
clerks do; every such workbook must still read the right figures with no issue.
Bad cells must become issues located to their sheet and cell, never exceptions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata

import openpyxl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline.core import layout
from pipeline.core.steps.cells import to_date, to_int
from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.raw import RawSheet, RawWorkbook
from pipeline.core.steps.submission import Submission
from tests import factories
from tests.factories import flatten

GOOD_FIGURES = {
    "TCD": (3, 2),
    "DV": (None, 7),
    "CD": (6, 3),
    "DVCD": (None, 120),
    "DTN": (2, 1),
    "DVTN": (None, 30),
}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def figures(sub: Submission) -> dict[str, tuple[int | None, int | None]]:
    return {f.code: (f.plan, f.actual) for f in sub.figures}


def org_rows(sub: Submission) -> list[tuple]:
    return [(o.enterprise, o.tax_code, o.legal_form, o.org_type, o.decision_no, o.decision_date, o.members)
            for o in sub.organisations]


def expected_orgs(form) -> list[tuple]:
    keys = ("enterprise", "tax_code", "legal_form", "org_type", "decision_no", "decision_date", "members")
    return [tuple(o[k] for k in keys) for o in form.organisations]


@pytest.fixture
def form():
    return factories.good_form("HB")


@pytest.fixture
def book(form):
    """The good HB form as an openpyxl workbook, ready to be messed up."""
    return factories.form_workbook(form)


@pytest.fixture
def parse(tmp_path):
    def run(workbook, name: str = "HB.xlsx") -> Submission:
        return factories.parse_file(factories.save(workbook, tmp_path / name), name)

    return run


def assert_reads_good_form(sub: Submission, form) -> None:
    assert sub.issues == ()
    assert sub.unit_code == "HB"
    assert sub.unit_name == "Đảng bộ quận Hồng Bàng"
    assert sub.year == 2016
    assert sub.prepared_on == dt.date(2016, 12, 10)
    assert figures(sub) == GOOD_FIGURES
    assert org_rows(sub) == expected_orgs(form)


# --- the untouched form -----------------------------------------------------------


def test_the_good_form_reads_back_exactly(book, form, parse):
    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.file == "HB.xlsx"
    assert sub.preparer == "Nguyễn Văn A"
    assert sub.phone == "0225.3123456"
    assert sub.cells["unit_code"] == ("ThongTin", "B4")
    assert sub.figure("TCD").cells["actual"] == "F4"
    assert sub.figure("CD").row == 6
    assert sub.organisations[0].cells["tax_code"] == "C4"
    assert [o.row for o in sub.organisations] == [4, 5, 6, 7, 8, 9]


# --- what clerks do: each must read the right figures with no issue ------------------


def test_title_and_blank_rows_inserted_above_the_header(book, form, parse):
    for ws in book.worksheets:
        ws.insert_rows(1, 3)
        ws["A1"] = "ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG"
        ws["A2"] = "QUẬN ỦY HỒNG BÀNG"
    book["TongHop"].insert_rows(7)  # a blank line between the header (row 6) and the data

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.cells["unit_code"] == ("ThongTin", "B7")
    assert sub.figure("TCD").cells["actual"] == "F8"
    assert sub.organisations[0].cells["tax_code"] == "C7"


def test_extra_columns_inserted_everywhere(book, form, parse):
    for ws in book.worksheets:
        ws.insert_cols(1)  # everything moves one column right
    book["ThongTin"].insert_cols(3)  # a blank column between label and value
    summary = book["TongHop"]
    summary.insert_cols(7)  # a new column between "Kế hoạch năm" and "Thực hiện"
    summary["G3"] = "Tỷ lệ (%)"
    for r in range(4, 10):
        summary.cell(row=r, column=7, value=99)

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.cells["unit_code"] == ("ThongTin", "D4")
    assert sub.figure("TCD").cells == {
        "stt": "B4", "code": "C4", "name": "D4", "measure": "E4", "plan": "F4", "actual": "H4", "note": "I4",
    }
    assert sub.organisations[0].cells["tax_code"] == "D4"


def test_columns_moved(book, form, parse):
    summary = book["TongHop"]
    summary.move_range("F3:F9", cols=3)  # "Thực hiện" moved to I, after "Ghi chú"
    listing = book["DanhSach"]
    listing.move_range("C3:C9", cols=7)  # "Mã số thuế" moved to J, after "Số thành viên"

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.figure("TCD").cells["actual"] == "I4"
    assert sub.organisations[0].cells["tax_code"] == "J4"


def test_columns_swapped(book, form, parse):
    summary = book["TongHop"]
    for r in range(3, 10):  # swap "Kế hoạch năm" (E) and "Thực hiện" (F)
        e, f = summary.cell(row=r, column=5), summary.cell(row=r, column=6)
        e.value, f.value = f.value, e.value

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.figure("TCD").cells["plan"] == "F4"
    assert sub.figure("TCD").cells["actual"] == "E4"


def test_labels_typed_in_other_case_spacing_and_unicode_form(book, form, parse):
    info = book["ThongTin"]
    info["A3"] = "ĐƠN VỊ BÁO CÁO:"
    info["A4"] = "  mã   đơn vị  "
    info["A5"] = nfd("Năm báo cáo *")
    info["A6"] = "ngày lập biểu :"
    summary = book["TongHop"]
    summary["B3"] = "MÃ CHỈ TIÊU"
    summary["E3"] = nfd("Kế hoạch\nnăm")
    summary["F3"] = " thực  hiện "
    listing = book["DanhSach"]
    listing["B3"] = "TÊN DOANH NGHIỆP"
    listing["C3"] = nfd("Mã số thuế")
    listing["E3"] = "loại tổ chức:"
    listing["G3"] = "Ngày\u00a0quyết định"

    sub = parse(book)

    assert_reads_good_form(sub, form)


def test_nfd_values_are_read_as_nfc(book, form, parse):
    book["ThongTin"]["B3"] = nfd("Đảng bộ quận Hồng Bàng")
    listing = book["DanhSach"]
    for r in range(4, 10):
        listing.cell(row=r, column=5).value = nfd(listing.cell(row=r, column=5).value)

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.organisations[-1].org_type == "Đoàn thanh niên"


def test_text_digits_and_thousands_dots(book, parse):
    info = book["ThongTin"]
    info["B4"] = " hb "  # unit code in lower case with spaces
    info["B5"] = " 2016 "
    summary = book["TongHop"]
    summary["E4"] = " 3 "
    summary["F4"] = "2"
    summary["F5"] = " 12 "
    summary["F7"] = "1.234"
    summary["F9"] = "1 234"
    summary["E6"] = "\u00a06\u00a0"

    sub = parse(book)

    assert sub.issues == ()
    assert sub.unit_code == "HB"
    assert sub.year == 2016
    assert figures(sub) == {**GOOD_FIGURES, "TCD": (3, 2), "DV": (None, 12), "DVCD": (None, 1234), "DVTN": (None, 1234)}


def test_indicator_codes_in_lower_case_or_with_spaces(book, parse):
    summary = book["TongHop"]
    summary["B4"] = " tcd "
    summary["B6"] = "Cd"

    sub = parse(book)

    assert sub.issues == ()
    assert figures(sub) == GOOD_FIGURES


def test_whole_floats_read_as_int(book, parse):
    book["TongHop"]["F7"] = 120.0
    sub = parse(book)
    assert sub.issues == ()
    assert figures(sub)["DVCD"] == (None, 120)
    assert all(isinstance(f.actual, int) for f in sub.figures)


def test_dates_as_excel_serial_numbers_and_as_text(book, form, parse):
    info = book["ThongTin"]
    info["B6"] = 42733  # a plain number: 29/12/2016 as an Excel serial
    info["B6"].number_format = "General"
    listing = book["DanhSach"]
    listing["G4"] = 42430  # 01/03/2016
    listing["G4"].number_format = "General"
    listing["G5"] = "29/12/2016"
    listing["G6"] = " 5/1/2016 "
    listing["G7"] = "05.01.2016"
    listing["G8"] = "05-01-2016"

    sub = parse(book)

    assert sub.issues == ()
    assert sub.prepared_on == dt.date(2016, 12, 29)
    assert [o.decision_date for o in sub.organisations] == [
        dt.date(2016, 3, 1),
        dt.date(2016, 12, 29),
        dt.date(2016, 1, 5),
        dt.date(2016, 1, 5),
        dt.date(2016, 1, 5),
        form.organisations[5]["decision_date"],
    ]


@pytest.mark.parametrize(
    "names",
    [
        ("Thông tin", "Tổng hợp", "Danh sách"),
        ("thongtin", "TONGHOP", "Danh Sach"),
        (nfd("Thông tin"), " Tong hop ", "DANH SÁCH"),
    ],
)
def test_sheets_renamed(book, form, parse, names):
    for i, ws in enumerate(book.worksheets):
        ws.title = f"tmp{i}"  # openpyxl refuses a title equal to another one ignoring case
    for ws, name in zip(book.worksheets, names, strict=False):
        ws.title = name
    assert [ws.title for ws in book.worksheets] == list(names)

    assert_reads_good_form(parse(book), form)


def test_sheets_reordered_and_extra_sheets(book, form, parse):
    book.move_sheet("DanhSach", offset=-2)
    book.create_sheet("Hướng dẫn", 0)["A1"] = "Điền số liệu vào các ô trống"
    book.create_sheet("Sheet1")

    assert_reads_good_form(parse(book), form)


def test_a_visible_sheet_wins_over_a_hidden_stale_copy(book, form, parse):
    stale = book.copy_worksheet(book["TongHop"])
    stale.title = "Tổng hợp"
    stale.sheet_state = "hidden"
    book.move_sheet(stale, offset=-book.index(stale))  # the stale copy comes first
    for r in range(4, 10):
        stale.cell(row=r, column=6).value = 999

    sub = parse(book)

    assert [(i.rule, i.severity, i.sheet) for i in sub.issues] == [("ignored-sheet", "warning", "Tổng hợp")]
    assert_reads_good_form(dataclasses.replace(sub, issues=()), form)


def test_trailing_blank_rows_and_prenumbered_empty_lines(book, form, parse):
    summary = book["TongHop"]
    for r in range(10, 40):
        summary.cell(row=r, column=7, value=" ")  # whitespace-only cells
    listing = book["DanhSach"]
    for i, r in enumerate(range(10, 60), start=7):
        listing.cell(row=r, column=1, value=i)  # STT typed ahead for rows never filled
        listing.cell(row=r, column=2, value="")
    listing.cell(row=80, column=3, value="   ")

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert len(sub.organisations) == 6


def test_merged_label_leaves_the_value_further_right(book, form, parse):
    info = book["ThongTin"]
    info.insert_cols(2)  # label in A, merged over A:B, value now in C
    info.merge_cells("A3:B3")
    info.merge_cells("A4:B4")

    sub = parse(book)

    assert_reads_good_form(sub, form)
    assert sub.cells["unit_code"] == ("ThongTin", "C4")


def test_an_empty_list_is_fine(parse):
    form = factories.good_form("BLV", party=0, unions=0, youth=0)
    sub = parse(factories.form_workbook(form), "BLV.xlsx")
    assert sub.issues == ()
    assert sub.organisations == ()
    assert figures(sub)["TCD"] == (1, 0)


# --- bad cells: located issues -----------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "rule"),
    [
        ("TongHop", "F4", -1, "bad-number"),
        ("TongHop", "F4", "-1", "bad-number"),
        ("TongHop", "F6", "abc", "bad-number"),
        ("TongHop", "F7", 1.5, "bad-number"),
        ("TongHop", "F7", "1,5", "bad-number"),
        ("TongHop", "E4", "ba", "bad-number"),
        ("TongHop", "E8", True, "bad-number"),
        ("DanhSach", "H5", "mười", "bad-number"),
        ("DanhSach", "H5", -3, "bad-number"),
        ("DanhSach", "G4", "32/12/2016", "bad-date"),
        ("DanhSach", "G4", "29/02/2015", "bad-date"),
        ("DanhSach", "G4", "tháng 3/2016", "bad-date"),
        ("DanhSach", "G4", -5, "bad-date"),
        ("ThongTin", "B6", "hôm qua", "bad-date"),
        ("ThongTin", "B5", "năm nay", "bad-year"),
        ("ThongTin", "B5", 16, "bad-year"),
        ("ThongTin", "B5", 20160, "bad-year"),
        ("ThongTin", "B5", 2016.5, "bad-year"),
        ("ThongTin", "B5", None, "missing-value"),
        ("ThongTin", "B4", None, "missing-value"),
        ("ThongTin", "B3", "  ", "missing-value"),
        ("TongHop", "B4", None, "missing-code"),
    ],
)
def test_a_bad_cell_is_one_located_issue(book, parse, sheet, cell, value, rule):
    book[sheet][cell] = value

    sub = parse(book)

    assert flatten(sub.issues) == {(rule, sheet, cell)}
    issue = sub.issues[0]
    assert issue.severity == "error"
    assert issue.file == "HB.xlsx"
    assert issue.message  # a Vietnamese sentence for the clerk
    if rule != "missing-value" or cell != "B4":
        assert issue.unit == "HB"


def test_bad_cells_keep_the_rest_of_the_row(book, parse):
    book["TongHop"]["F4"] = "abc"
    book["DanhSach"]["G4"] = "32/12/2016"

    sub = parse(book)

    tcd = sub.figure("TCD")
    assert (tcd.plan, tcd.actual) == (3, None)
    first = sub.organisations[0]
    assert first.decision_date is None
    assert first.members == 5
    assert len(sub.organisations) == 6


def test_every_bad_cell_is_reported_not_only_the_first(book, parse):
    book["ThongTin"]["B6"] = "30/02/2016"
    book["TongHop"]["F4"] = -2
    book["TongHop"]["F6"] = "ba"
    book["TongHop"]["E8"] = 1.5
    book["DanhSach"]["G5"] = "1/13/2016"
    book["DanhSach"]["H9"] = "nhiều"

    sub = parse(book)

    assert flatten(sub.issues) == {
        ("bad-date", "ThongTin", "B6"),
        ("bad-number", "TongHop", "F4"),
        ("bad-number", "TongHop", "F6"),
        ("bad-number", "TongHop", "E8"),
        ("bad-date", "DanhSach", "G5"),
        ("bad-number", "DanhSach", "H9"),
    }


def test_missing_sheet(book, parse):
    del book["DanhSach"]

    sub = parse(book)

    assert flatten(sub.issues) == {("missing-sheet", "DanhSach", "")}
    assert "TongHop" in sub.issues[0].message  # names the sheets that are there
    assert sub.organisations == ()
    assert figures(sub) == GOOD_FIGURES


def test_all_sheets_missing(parse):
    sub = parse(openpyxl.Workbook())

    assert flatten(sub.issues) == {
        ("missing-sheet", "ThongTin", ""),
        ("missing-sheet", "TongHop", ""),
        ("missing-sheet", "DanhSach", ""),
    }
    assert (sub.unit_code, sub.year, sub.figures, sub.organisations) == ("", None, (), ())


@pytest.mark.parametrize(
    ("sheet", "cell", "typed"),
    [
        ("DanhSach", "C3", "MST"),
        ("DanhSach", "G3", None),
        ("TongHop", "F3", "Kết quả"),
        ("TongHop", "B3", "Mã"),
    ],
)
def test_missing_header(book, parse, sheet, cell, typed):
    book[sheet][cell] = typed

    sub = parse(book)

    assert flatten(sub.issues) == {("missing-header", sheet, "")}


def test_optional_header_may_be_missing(book, form, parse):
    book["TongHop"]["G3"] = None  # "Ghi chú"
    book["TongHop"]["A3"] = None  # "STT"
    book["DanhSach"]["A3"] = None

    assert_reads_good_form(parse(book), form)


@pytest.mark.parametrize(
    ("cell", "label"),
    [("A3", "Đơn vị báo cáo"), ("A4", "Mã đơn vị"), ("A5", "Năm báo cáo")],
)
def test_missing_required_label(book, parse, cell, label):
    book["ThongTin"][cell] = "Ghi chú"

    sub = parse(book)

    assert flatten(sub.issues) == {("missing-label", "ThongTin", "")}
    assert label in sub.issues[0].message


@pytest.mark.parametrize("cell", ["A6", "A7", "A8"])
def test_optional_labels_may_be_missing(book, parse, cell):
    book["ThongTin"][cell] = None
    assert parse(book).issues == ()


# --- to_int ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, 0),
        (12, 12),
        (12.0, 12),
        (-0.0, 0),
        ("12", 12),
        (" 12 ", 12),
        ("\u00a012\u00a0", 12),
        ("+5", 5),
        ("1.234", 1234),
        ("1.234.567", 1234567),
        ("1 234", 1234),
        ("007", 7),
    ],
)
def test_to_int_reads(raw, expected):
    value, problem = to_int(raw)
    assert (value, problem) == (expected, None)
    assert type(value) is int


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_to_int_blank_is_no_value_and_no_problem(raw):
    assert to_int(raw) == (None, None)


@pytest.mark.parametrize(
    ("raw", "problem_has"),
    [
        (-1, "không được âm"),
        (-1.0, "không được âm"),
        ("-1", "không âm"),
        (1.5, "số nguyên"),
        ("1,5", "số nguyên"),
        ("1.5", "số nguyên"),
        ("12.34", "số nguyên"),
        ("1.2345", "số nguyên"),
        ("abc", "«abc»"),
        ("12 tổ chức", "số nguyên"),
        (True, "số nguyên"),
        (False, "số nguyên"),
        (dt.date(2016, 1, 1), "số nguyên"),
        (float("nan"), ""),
        (float("inf"), ""),
        (float("-inf"), ""),
    ],
)
def test_to_int_rejects(raw, problem_has):
    value, problem = to_int(raw)
    assert value is None
    assert problem and problem_has in problem


# --- to_date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(2016, 12, 29), dt.date(2016, 12, 29)),
        (dt.datetime(2016, 12, 29, 15, 30), dt.date(2016, 12, 29)),
        (42733, dt.date(2016, 12, 29)),
        (42733.0, dt.date(2016, 12, 29)),
        (42733.75, dt.date(2016, 12, 29)),  # a serial with a time of day
        (42370, dt.date(2016, 1, 1)),
        (42430, dt.date(2016, 3, 1)),
        ("29/12/2016", dt.date(2016, 12, 29)),
        (" 29/12/2016 ", dt.date(2016, 12, 29)),
        ("5/1/2016", dt.date(2016, 1, 5)),  # day first, as in Vietnam
        ("05.01.2016", dt.date(2016, 1, 5)),
        ("05-01-2016", dt.date(2016, 1, 5)),
        ("29 / 12 / 2016", dt.date(2016, 12, 29)),
        ("29/02/2016", dt.date(2016, 2, 29)),
    ],
)
def test_to_date_reads(raw, expected):
    assert to_date(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_to_date_blank_is_no_value_and_no_problem(raw):
    assert to_date(raw) == (None, None)


@pytest.mark.parametrize(
    "raw",
    ["32/12/2016", "29/02/2015", "12/13/2016", "29/12/16", "2016-12-29", "hôm qua", "tháng 12/2016",
     0, -1, 2958466, True, float("nan"), float("inf"), dt.time(10, 0)],
)
def test_to_date_rejects(raw):
    day, problem = to_date(raw)
    assert day is None
    assert "29/12/2016" in problem  # the message shows the expected form


# --- never raises -----------------------------------------------------------------


def raw_book(*sheets: RawSheet) -> RawWorkbook:
    return RawWorkbook("x.xlsx", "0" * 64, sheets)


def test_parse_workbook_on_raw_sheets_with_nfd_labels():
    info = RawSheet("ThongTin", False, (
        (nfd("Đơn vị báo cáo"), nfd("Đảng bộ quận Hồng Bàng")),
        (nfd("Mã đơn vị"), "HB"),
        (nfd("Năm báo cáo"), 2016),
    ))
    summary = RawSheet("TongHop", False, (
        tuple(nfd(f.label) for f in layout.SUMMARY_COLUMNS),
        (1, "TCD", "", "", 3, 2, ""),
    ))
    listing = RawSheet("DanhSach", False, (tuple(nfd(f.label) for f in layout.LIST_COLUMNS),))

    sub = parse_workbook(raw_book(info, summary, listing))

    assert sub.issues == ()
    assert (sub.unit_code, sub.unit_name, sub.year) == ("HB", nfd("Đảng bộ quận Hồng Bàng"), 2016)
    assert figures(sub) == {"TCD": (3, 2)}


def test_ragged_rows_do_not_break_the_parser():
    summary = RawSheet("TongHop", False, (
        tuple(f.label for f in layout.SUMMARY_COLUMNS),
        ("1", "TCD", "x", "y", 3),  # row shorter than the header: "Thực hiện" blank
        (),
        (2, "CD", "", "", 6, 3, "", "", "", "thêm"),
    ))
    sub = parse_workbook(raw_book(summary))
    assert figures(sub) == {"TCD": (3, None), "CD": (6, 3)}
    assert flatten(sub.issues) == {("missing-sheet", "ThongTin", ""), ("missing-sheet", "DanhSach", "")}


def test_a_huge_digit_string_is_an_issue_not_an_exception():
    summary = RawSheet("TongHop", False, (
        tuple(f.label for f in layout.SUMMARY_COLUMNS),
        (1, "TCD", "", "", 3, "9" * 5000, ""),
    ))
    sub = parse_workbook(raw_book(summary))  # raises ValueError today
    assert ("bad-number", "TongHop", "F2") in flatten(sub.issues)


LABELS = (
    [f.label for f in layout.INFO_FIELDS]
    + [f.label for f in layout.SUMMARY_COLUMNS]
    + [f.label for f in layout.LIST_COLUMNS]
    + ["TCD", "CD", "DTN", "HB", "Tổ chức đảng", "29/12/2016", "1.234", " 12 ", "-1", "1,5"]
)
cell_values = st.one_of(
    st.just(""),
    st.sampled_from(LABELS),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=-5, max_value=2200),
    st.sampled_from([2016, 2016.0, " 2016 ", 42733, 42733.5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
header_rows = st.sampled_from([
    tuple(f.label for f in layout.SUMMARY_COLUMNS),
    tuple(f.label for f in layout.LIST_COLUMNS),
])
info_rows = st.tuples(st.sampled_from([f.label for f in layout.INFO_FIELDS]), cell_values)
rows = st.lists(
    st.one_of(header_rows, info_rows, st.lists(cell_values, max_size=10).map(tuple)), max_size=8
).map(tuple)
sheet_names = st.one_of(st.sampled_from(["ThongTin", "TongHop", "DanhSach", "Thông tin", "tong hop"]), st.text(max_size=8))
raw_sheets = st.builds(RawSheet, sheet_names, st.booleans(), rows)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_sheets, max_size=5))
def test_parse_workbook_never_raises_on_arbitrary_cell_values(sheets):
    sub = parse_workbook(RawWorkbook("x.xlsx", "0" * 64, tuple(sheets)))

    assert isinstance(sub, Submission)
    for fig in sub.figures:
        for value in (fig.plan, fig.actual):
            assert value is None or (type(value) is int and value >= 0)
    for org in sub.organisations:
        assert org.members is None or (type(org.members) is int and org.members >= 0)
        assert org.decision_date is None or isinstance(org.decision_date, dt.date)
    assert sub.year is None or 1900 <= sub.year <= 2200
    assert all(i.file == "x.xlsx" and i.rule and i.message for i in sub.issues)


@hsettings(max_examples=200, deadline=None)
@given(cell_values)
def test_to_int_and_to_date_never_raise_and_return_value_or_problem(value):
    for convert in (to_int, to_date):
        result, problem = convert(value)
        assert result is None or problem is None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            assert result is None


def good_raw() -> RawWorkbook:
    """The good HB form as the reader would hand it over, built by hand (no I/O)."""
    info = RawSheet("ThongTin", False, (
        ("THÔNG TIN ĐƠN VỊ BÁO CÁO NĂM 2016", ""),
        ("", ""),
        ("Đơn vị báo cáo", "Đảng bộ quận Hồng Bàng"),
        ("Mã đơn vị", "HB"),
        ("Năm báo cáo", 2016.0),
        ("Ngày lập biểu", dt.date(2016, 12, 10)),
        ("Người lập biểu", "Nguyễn Văn A"),
        ("Điện thoại", "0225.3123456"),
    ))
    summary = RawSheet("TongHop", False, (
        ("Biểu số 01",) + ("",) * 6,
        ("",) * 7,
        tuple(f.label for f in layout.SUMMARY_COLUMNS),
        *((float(i), code, "", "", "" if plan is None else float(plan), float(actual), "")
          for i, (code, (plan, actual)) in enumerate(GOOD_FIGURES.items(), start=1)),
    ))
    listing = RawSheet("DanhSach", False, (
        ("Biểu số 02",) + ("",) * 7,
        ("",) * 8,
        tuple(f.label for f in layout.LIST_COLUMNS),
        (1.0, "Công ty A", "0200000053", "Công ty cổ phần", "Tổ chức đảng", "1-QĐ/QU", dt.date(2016, 3, 1), 5.0),
        (2.0, "Công ty B", "0200000061", "Công ty cổ phần", "Công đoàn", "2-QĐ/QU", dt.date(2016, 3, 2), 6.0),
    ))
    return RawWorkbook("x.xlsx", "0" * 64, (info, summary, listing))


def test_the_hand_built_raw_form_parses_cleanly():
    sub = parse_workbook(good_raw())
    assert sub.issues == ()
    assert (sub.unit_code, sub.year) == ("HB", 2016)
    assert figures(sub) == GOOD_FIGURES
    assert len(sub.organisations) == 2


def replace_cell(sheet: RawSheet, r: int, c: int, value) -> RawSheet:
    rows = [list(row) for row in sheet.rows]
    r %= len(rows)
    c %= max(len(rows[r]), 1)
    if rows[r]:
        rows[r][c] = value
    return RawSheet(sheet.name, sheet.hidden, tuple(tuple(row) for row in rows))


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20), st.integers(0, 10), cell_values), min_size=1, max_size=6))
def test_parse_workbook_never_raises_when_cells_of_a_good_form_are_overwritten(changes):
    book = good_raw()
    sheets = list(book.sheets)
    for s, r, c, value in changes:
        sheets[s] = replace_cell(sheets[s], r, c, value)

    sub = parse_workbook(RawWorkbook(book.path, book.sha256, tuple(sheets)))

    assert sub.year is None or 1900 <= sub.year <= 2200
    for fig in sub.figures:
        for value in (fig.plan, fig.actual):
            assert value is None or (type(value) is int and value >= 0)
    # every issue is located to a sheet, and to a cell unless a whole sheet/label/header is missing
    for issue in sub.issues:
        assert issue.sheet in {"ThongTin", "TongHop", "DanhSach"}
        assert issue.cell or issue.rule in {"missing-sheet", "missing-label", "missing-header"}
