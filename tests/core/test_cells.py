"""Odd cell values, as careless clerks and hostile senders write them: each one a located
message the clerk can act on, never a traceback and never a silent change (issue 13).

Workbooks go the whole way a file goes: read_workbook (screen + calamine) → parse_workbook
→ the per-file checks. Formulas without a cached value are what openpyxl writes; cached
values and error values are put into the sheet XML afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from stdnum.vn import mst

from pipeline import flow
from pipeline.core.steps.cells import to_int
from pipeline.core.steps.checks import _bad_tax_code
from pipeline.core.steps.validate import check_file
from pipeline.errors import InvalidDataError
from pipeline.settings import FiguresFile
from tests import factories
from tests.factories import CONFIG, flatten

SHEET_PARTS = {"ThongTin": "xl/worksheets/sheet1.xml", "TongHop": "xl/worksheets/sheet2.xml",
               "DanhSach": "xl/worksheets/sheet3.xml"}
REOPEN = "mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại"


@pytest.fixture
def book():
    return factories.form_workbook(factories.good_form("HB"))


def issues_of(path: Path) -> tuple:
    """Every issue of one file: reading, parsing and the per-file checks."""
    sub = check_file(factories.parse_file(path), factories.settings())
    return sub.issues + sub.checked


def at(issues, sheet: str, cell: str) -> list:
    return [i for i in issues if (i.sheet, i.cell) == (sheet, cell)]


def with_cached(data: bytes, sheet: str, cell: str, value: str, kind: str = "") -> bytes:
    """The workbook with the formula at `cell` given a cached value (t="e" for an error)."""
    def edit(xml: bytes) -> bytes:
        pattern = rb'<c r="' + cell.encode() + rb'"([^>]*?)( t="\w+")?>(<f>.*?</f>)<v\s*(?:/>|></v>)'
        typed = f' t="{kind}"'.encode() if kind else b""
        new, count = re.subn(pattern, lambda m: b'<c r="' + cell.encode() + b'"' + m[1] + typed + b">" + m[3]
                             + b"<v>" + value.encode() + b"</v>", xml)
        assert count == 1, xml
        return new

    return factories.rezip(data, {SHEET_PARTS[sheet]: edit})


def saved(book, tmp_path: Path, name: str = "HB.xlsx") -> Path:
    return factories.save(book, tmp_path / name)


# --- 1. a formula saved without its value ------------------------------------------------


def test_a_formula_without_a_value_is_not_an_empty_cell(book, tmp_path):
    book["TongHop"]["F4"] = "=1+1"

    issues = issues_of(saved(book, tmp_path))

    assert flatten(at(issues, "TongHop", "F4")) == {("formula-no-value", "TongHop", "F4")}
    assert at(issues, "TongHop", "F4")[0].message == (
        f"Ô F4 («Thực hiện») có công thức nhưng chưa có giá trị; {REOPEN}")
    assert not any(i.rule == "missing-value" for i in issues)


def test_a_formula_without_a_value_in_text_info_and_date_fields(book, tmp_path):
    book["DanhSach"]["B4"] = '="Công ty "&"A"'
    book["DanhSach"]["G5"] = "=DATE(2016,3,1)"
    book["ThongTin"]["B4"] = '="HB"'

    issues = issues_of(saved(book, tmp_path))

    assert {("formula-no-value", "DanhSach", "B4"), ("formula-no-value", "DanhSach", "G5"),
            ("formula-no-value", "ThongTin", "B4")} <= flatten(issues)
    assert all(i.rule == "formula-no-value" for i in at(issues, "DanhSach", "B4") + at(issues, "ThongTin", "B4"))


def test_a_formula_with_its_cached_value_reads_as_the_value(book, tmp_path):
    book["TongHop"]["F4"] = "=1+1"
    path = saved(book, tmp_path)
    path.write_bytes(with_cached(path.read_bytes(), "TongHop", "F4", "2"))

    sub = factories.parse_file(path)

    assert sub.issues == () and sub.figure("TCD").actual == 2


def test_the_self_numbering_stt_formulas_of_a_blank_form_are_left_alone(tmp_path):
    form = factories.good_form("BLV", party=0, unions=0, youth=0)
    path = saved(factories.form_workbook(form), tmp_path, "BLV.xlsx")

    assert factories.parse_file(path).issues == ()


# --- 2. a cached error value -------------------------------------------------------------


@pytest.mark.parametrize("value", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"])
def test_a_cached_error_is_a_located_error_naming_it(book, tmp_path, value):
    book["DanhSach"]["H5"] = "=NA()"  # "Số thành viên": an optional figure, so blank would pass
    path = saved(book, tmp_path)
    path.write_bytes(with_cached(path.read_bytes(), "DanhSach", "H5", value, kind="e"))

    issues = issues_of(path)

    assert flatten(issues) == {("formula-error", "DanhSach", "H5")}
    assert issues[0].message.startswith(f"Ô H5 («Số thành viên») có lỗi công thức {value} (")
    assert issues[0].message.endswith("; sửa công thức hoặc gõ thẳng số liệu vào ô rồi gửi lại")


def test_a_cached_error_in_a_text_field(book, tmp_path):
    book["DanhSach"]["C4"] = "=VLOOKUP(1,X1:X2,2)"
    path = saved(book, tmp_path)
    path.write_bytes(with_cached(path.read_bytes(), "DanhSach", "C4", "#N/A", kind="e"))

    issues = issues_of(path)

    assert flatten(issues) == {("formula-error", "DanhSach", "C4")}
    assert issues[0].message == ("Ô C4 có lỗi công thức #N/A (không tìm thấy giá trị cần tra); "
                                 "sửa công thức hoặc gõ thẳng số liệu vào ô rồi gửi lại")


# --- 3. absurd figures -------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "value"), [("F4", 10**30), ("E4", 1e29), ("F4", 10**15), ("F4", "9" * 40)])
def test_a_number_beyond_any_count_is_refused_when_read(book, tmp_path, cell, value):
    book["TongHop"][cell] = value

    issues = issues_of(saved(book, tmp_path))

    found = at(issues, "TongHop", cell)
    assert [i.rule for i in found] == ["bad-number"]
    assert "quá lớn" in found[0].message and "kiểm tra lại" in found[0].message


def test_counts_above_the_configured_limit_are_located_errors(book, tmp_path):
    book["TongHop"]["E4"] = 10**14
    book["TongHop"]["F4"] = 1_000_001
    book["DanhSach"]["H5"] = 2_000_000

    issues = issues_of(saved(book, tmp_path))

    too_large = {i for i in issues if i.rule == "count-too-large"}
    assert flatten(too_large) == {("count-too-large", "TongHop", "E4"), ("count-too-large", "TongHop", "F4"),
                                  ("count-too-large", "DanhSach", "H5")}
    assert {i.message for i in too_large} >= {
        "«Thực hiện» của chỉ tiêu «Tổ chức đảng thành lập mới» ghi 1.000.001, vượt mức tối đa 1.000.000; hãy kiểm tra lại số liệu",
        "«Số thành viên» ghi 2.000.000, vượt mức tối đa 1.000.000; hãy kiểm tra lại số liệu",
    }


def test_configured_figures_are_bounded():
    with pytest.raises(ValueError, match="số quá lớn"):
        FiguresFile(years={2016: {"HB": {"TCD": 10**13}}})


def test_absurd_figures_stop_neither_validate_nor_a_forced_report(tmp_path):
    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["TongHop"]["F4"] = 10**30
    book["TongHop"]["E6"] = 10**14
    book["TongHop"]["F6"] = 10**14
    book["DanhSach"]["H5"] = "=1+1"
    factories.save(book, input_dir / "2016" / "HB.xlsx")
    opts = flow.Options(2016, input_dir, CONFIG, tmp_path / "out")

    checked = flow.validate(opts)
    forced = flow.report(flow.Options(2016, input_dir, CONFIG, tmp_path / "forced", allow_invalid=True))
    with pytest.raises(InvalidDataError):
        flow.report(opts)

    issues = {(i.rule, i.sheet, i.cell) for i in checked.validation.report.issues if i.unit == "HB"}
    assert {("bad-number", "TongHop", "F4"), ("count-too-large", "TongHop", "F6"),
            ("formula-no-value", "DanhSach", "H5")} <= issues
    assert (forced.folder / "bao-cao-2016.pdf").is_file()


# --- 4–5. percent cells, dashes and words for nothing ------------------------------------


def test_a_count_typed_into_a_percent_cell_gets_a_hint(book, tmp_path):
    book["TongHop"]["F4"] = 0.01
    book["TongHop"]["F4"].number_format = "0%"

    issues = issues_of(saved(book, tmp_path))

    assert [i.message for i in at(issues, "TongHop", "F4")] == [
        "«Thực hiện» phải là số nguyên, không phải 0,01: nếu đã gõ 1 thì ô đang định dạng phần trăm (1%); "
        "hãy định dạng ô là Số (Number) rồi gõ lại 1"]


@pytest.mark.parametrize("typed", ["-", "–", "—", "không", "Không có", "ko", "KO"])
def test_a_dash_or_a_word_for_nothing_says_to_write_0(book, tmp_path, typed):
    book["TongHop"]["F4"] = typed

    issues = issues_of(saved(book, tmp_path))

    assert [i.message for i in at(issues, "TongHop", "F4")] == [
        f"«Thực hiện» phải là số nguyên không âm, không phải «{typed}»; ghi số 0 nếu không có"]


# --- 6. a tax code that lost its leading zero --------------------------------------------


def test_a_tax_code_that_lost_its_leading_zero(book, tmp_path):
    code = book["DanhSach"]["C4"].value
    assert code.startswith("0")
    book["DanhSach"]["C4"] = int(code)  # a number cell: Excel drops the 0

    issues = issues_of(saved(book, tmp_path))

    assert [i.message for i in at(issues, "DanhSach", "C4")] == [
        f"Mã số thuế «{code[1:]}» chỉ có 9 chữ số: có lẽ đã mất số 0 ở đầu vì ô đang định dạng Số; "
        f"hãy định dạng ô là Văn bản (Text) rồi gõ lại «{code}» (là mã hợp lệ)"]


def test_a_nine_digit_tax_code_whose_zero_form_is_invalid_too():
    code = next(c for c in (f"{n:09d}" for n in range(123456780, 123456800)) if not mst.is_valid("0" + c))
    assert "cũng không hợp lệ" in _bad_tax_code("HB.xlsx", code, {}).message
    plain = _bad_tax_code("HB.xlsx", "12345", {"sheet": "DanhSach", "cell": "C4"})
    assert (plain.rule, plain.sheet, plain.cell) == ("bad-tax-code", "DanhSach", "C4")
    assert plain.message == "Mã số thuế «12345» không hợp lệ (10 hoặc 13 chữ số, đúng số kiểm tra)"


# --- careless and hostile values in a number cell ----------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "«Thực hiện» phải là số nguyên, không phải giá trị đúng/sai (TRUE); hãy gõ số vào ô"),
        (dt.date(2016, 3, 1), "«Thực hiện» phải là số nguyên, không phải ngày «01/03/2016» (ô đang định dạng ngày); "
                              "hãy định dạng ô là Số (Number) rồi gõ lại số"),
        (dt.time(3, 0), "«Thực hiện» phải là số nguyên, không phải giờ «03:00» (ô đang định dạng giờ); "
                        "hãy định dạng ô là Số (Number) rồi gõ lại số"),
        (dt.timedelta(hours=27), "«Thực hiện» phải là số nguyên, không phải giờ «27:00» (ô đang định dạng giờ); "
                                 "hãy định dạng ô là Số (Number) rồi gõ lại số"),
        (-3, "«Thực hiện» không được âm (-3)"),
        ("1,234", "«Thực hiện» phải là số nguyên, không phải «1,234» (dấu phẩy là dấu thập phân); "
                  "nếu là số 1234 thì ghi 1234"),
        (1.234, "«Thực hiện» phải là số nguyên, không phải 1,234; nếu là số 1234 thì gõ liền 1234, "
                "không có dấu chấm hay dấu phẩy"),
        (2.5, "«Thực hiện» phải là số nguyên, không phải 2,5: nếu đã gõ 250 thì ô đang định dạng phần trăm (250%); "
              "hãy định dạng ô là Số (Number) rồi gõ lại 250"),
        (1 / 3, "«Thực hiện» phải là số nguyên, không phải 0,3333333333333333"),
    ],
)
def test_careless_values_in_a_number_cell(book, tmp_path, value, message):
    book["TongHop"]["F4"] = value

    issues = issues_of(saved(book, tmp_path))

    assert [i.message for i in at(issues, "TongHop", "F4")] == [message]


def test_thousands_written_with_dots_as_text_still_read():
    assert to_int("1.234") == (1234, None)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324, 10**400])
def test_to_int_never_returns_an_absurd_value(value):
    number, problem = to_int(value)
    assert number is None and problem
