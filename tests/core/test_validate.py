"""Rules over one year's submissions (pipeline.core.steps.validate, pipeline.core.steps.checks).

Validation tests assert on flattened issues (rule, sheet, cell).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import validate_year
from pipeline.io.forms.data import FormData
from tests import factories
from tests.factories import flatten

ALL_UNITS = ["HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV"]


@pytest.fixture
def submit(tmp_path):
    """Write a form (FormData or an openpyxl workbook) and read it back as a Submission."""

    def run(form: FormData | openpyxl.Workbook, name: str = "HB.xlsx") -> Submission:
        path = tmp_path / name
        if isinstance(form, openpyxl.Workbook):
            factories.save(form, path)
        else:
            factories.write(form, path)
        return factories.parse_file(path, name)

    return run


def hb_book() -> openpyxl.Workbook:
    return factories.form_workbook(factories.good_form("HB"))


def errors_of(validation, file: str = "HB.xlsx") -> set[tuple[str, str, str]]:
    return flatten(i for i in validation.report.errors if i.file == file)


def warnings_of(validation, file: str = "HB.xlsx") -> set[tuple[str, str, str]]:
    return flatten(i for i in validation.report.warnings if i.file == file)


# --- one good workbook ------------------------------------------------------------------


def test_a_good_form_is_valid(settings, submit):
    v = validate_year(2016, [submit(factories.good_form("HB"))], [], settings)

    assert v.report.errors == ()
    assert warnings_of(v) == set()
    assert v.status["HB"] == "valid"
    assert v.counted() == ["HB"]
    assert v.submissions["HB"].file == "HB.xlsx"
    assert v.year == 2016 and v.report.year == 2016


def test_every_unit_submitting_a_good_form_is_valid_with_no_issue(settings, submit):
    subs = [submit(factories.good_form(code), f"{code}.xlsx") for code in ALL_UNITS]

    v = validate_year(2016, subs, [], settings)

    assert v.report.issues == ()
    assert v.status == dict.fromkeys(ALL_UNITS, "valid")
    assert list(v.status) == ALL_UNITS  # the configured order


def test_units_that_did_not_submit_are_warnings_listed_as_missing(settings, submit):
    v = validate_year(2016, [submit(factories.good_form("HB"))], [], settings)

    assert v.report.errors == ()
    missing = [i for i in v.report.warnings if i.rule == "not-submitted"]
    assert sorted(i.unit for i in missing) == sorted(ALL_UNITS[1:])
    assert all(i.file == "" and i.severity == "warning" for i in missing)
    assert {code for code, s in v.status.items() if s == "missing"} == set(ALL_UNITS[1:])
    assert "NQ" not in v.submissions
    ds = next(i for i in missing if i.unit == "DS")
    assert "quận Đồ Sơn" in ds.message and "chưa nộp" in ds.message


def test_the_check_of_one_file_leaves_out_only_the_units_that_sent_nothing(settings, submit):
    """validate --file asks for no 'not sent' errors: everything else, and every status, is as validate has it."""
    book = hb_book()
    book["TongHop"]["F6"] = "mười"
    subs = [submit(book)]
    whole = validate_year(2016, subs, [], settings)
    alone = validate_year(2016, subs, [], settings, absent_noted=False)
    assert alone.report.issues == tuple(i for i in whole.report.issues if i.rule != "not-submitted")
    assert errors_of(alone) and alone.status == whole.status and alone.submissions == whole.submissions


def test_nothing_submitted(settings):
    v = validate_year(2016, [], [], settings)
    assert set(v.status.values()) == {"missing"}
    assert len(v.report.warnings) == 15
    assert v.report.errors == ()
    assert v.counted() == []


# --- per-file rules ------------------------------------------------------------------


def test_unknown_unit_code(settings, submit):
    book = hb_book()
    book["ThongTin"]["B4"] = "XX"

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {("unknown-unit", "ThongTin", "B4")}
    assert v.report.errors[0].unit == "XX"
    assert "XX" in v.report.errors[0].message
    assert v.status["HB"] == "missing"  # the file does not stand for HB
    assert "XX" not in v.status


def test_unit_code_is_matched_whatever_its_case(settings, submit):
    book = hb_book()
    book["ThongTin"]["B4"] = " hb "
    v = validate_year(2016, [submit(book)], [], settings)
    assert v.status["HB"] == "valid"
    assert v.report.errors == ()


def test_list_count_differs_from_the_summary_figure(settings, submit):
    book = hb_book()
    book["TongHop"]["F4"] = 3  # TCD: 3 founded, but the list names 2 Party organisations

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {("list-count-mismatch", "TongHop", "F4")}
    message = v.report.errors[0].message
    # A clerk reads the indicator's name, not its code (config/indicators.yaml).
    assert message.startswith("Chỉ tiêu «Tổ chức đảng thành lập mới» ghi 3 nhưng Biểu số 02 liệt kê 2 ")
    assert "TCD" not in message
    assert v.status["HB"] == "invalid"
    assert v.counted() == []


def test_a_list_row_removed_is_a_count_mismatch_of_its_type(settings, submit):
    form = factories.good_form("HB")
    form = factories.replace(form, organisations=form.organisations[:-1])  # drop the youth organisation

    v = validate_year(2016, [submit(form)], [], settings)

    assert errors_of(v) == {("list-count-mismatch", "TongHop", "F8")}


def test_hoi_thanh_nien_counts_for_dtn_and_org_types_match_loosely(settings, submit):
    book = hb_book()
    book["DanhSach"]["E9"] = "HỘI THANH NIÊN"
    book["DanhSach"]["E6"] = "  công   đoàn "

    v = validate_year(2016, [submit(book)], [], settings)

    assert v.report.errors == ()
    assert v.status["HB"] == "valid"


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


@pytest.mark.parametrize(
    "change",
    [
        wrong_check_digit,
        lambda code: code[1:],  # 9 digits: the leading zero lost
        lambda code: code + "0",  # 11 digits
        lambda code: code[:-1] + "A",
        lambda code: "",
    ],
    ids=["check-digit", "9-digits", "11-digits", "letter", "blank"],
)
def test_bad_tax_code(settings, submit, change):
    book = hb_book()
    cell = book["DanhSach"]["C5"]
    cell.value = change(cell.value)

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {("bad-tax-code", "DanhSach", "C5")}
    assert v.status["HB"] == "invalid"


def test_tax_codes_with_spaces_or_a_branch_suffix_are_valid(settings, submit):
    book = hb_book()
    c4, c5 = book["DanhSach"]["C4"], book["DanhSach"]["C5"]
    c4.value = f"{c4.value[:3]} {c4.value[3:6]} {c4.value[6:]}"
    c5.value = f"{c5.value}-001"  # 13-digit code of a branch

    v = validate_year(2016, [submit(book)], [], settings)

    assert v.report.errors == ()


def test_unknown_org_type(settings, submit):
    book = hb_book()
    book["DanhSach"]["E4"] = "Chi bộ"  # was "Tổ chức đảng": TCD now lists 1 of 2

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {
        ("unknown-org-type", "DanhSach", "E4"),
        ("list-count-mismatch", "TongHop", "F4"),
    }
    unknown = next(i for i in v.report.errors if i.rule == "unknown-org-type")
    assert "Chi bộ" in unknown.message and "Công đoàn" in unknown.message


def test_missing_org_type_is_an_unknown_org_type(settings, submit):
    book = hb_book()
    book["DanhSach"]["E6"] = None

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {
        ("unknown-org-type", "DanhSach", "E6"),
        ("list-count-mismatch", "TongHop", "F6"),
    }


def test_unknown_legal_form_is_a_warning(settings, submit):
    book = hb_book()
    book["DanhSach"]["D4"] = "Hợp tác xã"

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == set()
    assert warnings_of(v) == {("unknown-legal-form", "DanhSach", "D4")}
    assert v.status["HB"] == "valid"


@pytest.mark.parametrize("day", [dt.date(2015, 12, 31), dt.date(2017, 1, 1), "05/01/2015"])
def test_decision_date_outside_the_year(settings, submit, day):
    book = hb_book()
    book["DanhSach"]["G5"] = day

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {("date-outside-period", "DanhSach", "G5")}
    assert "2016" in v.report.errors[0].message
    assert v.status["HB"] == "invalid"


@pytest.mark.parametrize("day", [dt.date(2016, 1, 1), dt.date(2016, 12, 31)])
def test_decision_dates_on_the_edges_of_the_year_are_fine(settings, submit, day):
    book = hb_book()
    book["DanhSach"]["G5"] = day
    v = validate_year(2016, [submit(book)], [], settings)
    assert v.report.errors == ()


def test_plan_different_from_config_is_a_warning_and_the_unit_stays_valid(settings, submit):
    book = hb_book()
    book["TongHop"]["E4"] = 5  # config assigns HB 3 Party organisations in 2016

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == set()
    assert warnings_of(v) == {("plan-mismatch", "TongHop", "E4")}
    warning = next(i for i in v.report.warnings if i.file == "HB.xlsx")
    assert "ghi 5" in warning.message and "giao 3" in warning.message
    assert v.status["HB"] == "valid"


def test_blank_plan_is_not_a_mismatch(settings, submit):
    book = hb_book()
    book["TongHop"]["E6"] = None
    v = validate_year(2016, [submit(book)], [], settings)
    assert v.report.errors == () and warnings_of(v) == set()


def test_unknown_duplicate_and_missing_indicator_rows(settings, submit):
    book = hb_book()
    book["TongHop"]["B5"] = "XYZ"  # DV row relabelled: unknown code, DV missing
    book["TongHop"]["B7"] = "CD"  # DVCD row relabelled as a second CD row

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {
        ("unknown-indicator", "TongHop", "B5"),
        ("duplicate-indicator", "TongHop", "B6"),
        ("duplicate-indicator", "TongHop", "B7"),
        ("missing-indicator", "TongHop", ""),
    }
    missing = sorted(i.message for i in v.report.errors if i.rule == "missing-indicator")
    assert missing == ["Thiếu dòng chỉ tiêu «Đoàn viên công đoàn phát triển mới» (mã chỉ tiêu DVCD)",
                       "Thiếu dòng chỉ tiêu «Đảng viên kết nạp mới» (mã chỉ tiêu DV)"]


def test_blank_actual_is_a_missing_value(settings, submit):
    book = hb_book()
    book["TongHop"]["F5"] = None

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {("missing-value", "TongHop", "F5")}


def test_a_bad_number_is_said_once(settings, submit):
    book = hb_book()
    book["TongHop"]["F5"] = "bảy"

    v = validate_year(2016, [submit(book)], [], settings)

    assert [(i.rule, i.sheet, i.cell) for i in v.report.errors] == [("bad-number", "TongHop", "F5")]


def test_a_file_that_cannot_be_read_is_an_error_of_that_file(settings, submit):
    refusal = Refusal("2016/NQ.xlsx", "0" * 64, "tệp rỗng (0 byte)")

    v = validate_year(2016, [submit(factories.good_form("HB"))], [refusal], settings)

    assert [(i.file, i.rule, i.sheet, i.cell) for i in v.report.errors] == [("2016/NQ.xlsx", "unreadable-file", "", "")]
    assert "tệp rỗng" in v.report.errors[0].message
    assert v.status["HB"] == "valid"
    assert v.status["NQ"] == "invalid", "NQ sent a file, named after its code, that cannot be read"
    assert v.report.errors[0].unit == "NQ"


def test_an_unreadable_file_with_no_unit_in_its_name_leaves_units_missing(settings, submit):
    refusal = Refusal("2016/bao cao.xlsx", "0" * 64, "tệp rỗng (0 byte)")
    v = validate_year(2016, [submit(factories.good_form("HB"))], [refusal], settings)
    assert v.report.errors[0].unit == ""
    assert v.status["NQ"] == "missing"


# --- all problems of one file in one pass -------------------------------------------------


def test_all_problems_of_one_file_are_found_in_one_pass(settings, submit):
    book = hb_book()
    book["DanhSach"]["C5"] = wrong_check_digit(book["DanhSach"]["C5"].value)
    book["DanhSach"]["G7"] = dt.date(2015, 6, 1)  # decision in the wrong year
    book["TongHop"]["F8"] = 2  # DTN 2, list has 1
    book["TongHop"]["E6"] = 9  # plan differs from config (a warning)
    book["TongHop"]["F9"] = -1  # a negative count

    v = validate_year(2016, [submit(book)], [], settings)

    assert errors_of(v) == {
        ("bad-tax-code", "DanhSach", "C5"),
        ("date-outside-period", "DanhSach", "G7"),
        ("list-count-mismatch", "TongHop", "F8"),
        ("bad-number", "TongHop", "F9"),
    }
    assert warnings_of(v) == {("plan-mismatch", "TongHop", "E6")}
    assert all(i.unit == "HB" for i in v.report.issues if i.file == "HB.xlsx")


def test_problems_of_every_file_are_found_in_one_pass(settings, submit):
    hb = hb_book()
    hb["TongHop"]["F4"] = 5
    nq = factories.form_workbook(factories.good_form("NQ"))
    nq["DanhSach"]["E4"] = "Chi đoàn"
    lc = factories.form_workbook(factories.good_form("LC"))
    del lc["DanhSach"]

    v = validate_year(2016, [submit(hb), submit(nq, "NQ.xlsx"), submit(lc, "LC.xlsx")], [], settings)

    assert errors_of(v, "HB.xlsx") == {("list-count-mismatch", "TongHop", "F4")}
    assert errors_of(v, "NQ.xlsx") == {("unknown-org-type", "DanhSach", "E4"), ("list-count-mismatch", "TongHop", "F4")}
    # A missing sheet is one error: no count mismatch repeats it once per indicator.
    assert errors_of(v, "LC.xlsx") == {("missing-sheet", "DanhSach", "")}
    assert [v.status[c] for c in ("HB", "NQ", "LC")] == ["invalid", "invalid", "invalid"]


# --- rules across files --------------------------------------------------------------


def test_two_workbooks_for_one_unit(settings, submit):
    first = submit(factories.good_form("HB"), "HB.xlsx")
    second = submit(factories.good_form("HB", party=1), "HB-ban-sua.xlsx")

    v = validate_year(2016, [second, first], [], settings)

    assert {(i.file, i.rule, i.sheet, i.cell) for i in v.report.errors} == {
        ("HB.xlsx", "duplicate-unit", "ThongTin", "B4"),
        ("HB-ban-sua.xlsx", "duplicate-unit", "ThongTin", "B4"),
    }
    assert all("HB.xlsx" in i.message and "HB-ban-sua.xlsx" in i.message for i in v.report.errors)
    assert v.status["HB"] == "invalid"
    assert v.counted() == []


def test_same_enterprise_and_org_type_claimed_by_two_units(settings, submit):
    hb = hb_book()
    nq = factories.form_workbook(factories.good_form("NQ"))
    nq["DanhSach"]["C7"] = hb["DanhSach"]["C6"].value  # HB's Công đoàn enterprise, claimed by NQ as a Công đoàn
    nq["DanhSach"]["E7"] = "CÔNG ĐOÀN"

    v = validate_year(2016, [submit(hb), submit(nq, "NQ.xlsx")], [], settings)

    assert errors_of(v, "HB.xlsx") == {("duplicate-enterprise", "DanhSach", "C6")}
    assert errors_of(v, "NQ.xlsx") == {("duplicate-enterprise", "DanhSach", "C7")}
    by_file = {i.file: i for i in v.report.errors}
    assert "NQ" in by_file["HB.xlsx"].message and by_file["HB.xlsx"].unit == "HB"
    assert "HB" in by_file["NQ.xlsx"].message and by_file["NQ.xlsx"].unit == "NQ"
    assert v.status["HB"] == v.status["NQ"] == "invalid"


def test_same_enterprise_with_another_org_type_is_fine(settings, submit):
    hb = hb_book()
    nq = factories.form_workbook(factories.good_form("NQ"))
    nq["DanhSach"]["C4"] = hb["DanhSach"]["C6"].value  # NQ founded the Party cell where HB founded the union

    v = validate_year(2016, [submit(hb), submit(nq, "NQ.xlsx")], [], settings)

    assert v.report.errors == ()
    assert v.status["HB"] == v.status["NQ"] == "valid"


def test_the_report_is_sorted_and_does_not_depend_on_input_order(settings, submit):
    hb = hb_book()
    hb["TongHop"]["F9"] = "x"
    hb["DanhSach"]["G4"] = dt.date(2015, 1, 1)
    nq = factories.form_workbook(factories.good_form("NQ"))
    nq["TongHop"]["E4"] = 1
    subs = [submit(hb), submit(nq, "NQ.xlsx")]

    forward = validate_year(2016, subs, [], settings)
    backward = validate_year(2016, subs[::-1], [], settings)

    assert forward.report == backward.report
    assert forward.status == backward.status
    files = [i.file for i in forward.report.issues]
    assert files == sorted(files)
    hb_cells = [(i.sheet, i.cell) for i in forward.report.issues if i.file == "HB.xlsx"]
    assert hb_cells == [("DanhSach", "G4"), ("TongHop", "F9")]


def test_same_13_digit_tax_code_written_two_ways_is_one_enterprise(settings, submit):
    hb = hb_book()
    nq = factories.form_workbook(factories.good_form("NQ"))
    branch = hb["DanhSach"]["C6"].value
    hb["DanhSach"]["C6"] = f"{branch}-001"
    nq["DanhSach"]["C6"] = f"{branch}001"  # both are Công đoàn rows

    v = validate_year(2016, [submit(hb), submit(nq, "NQ.xlsx")], [], settings)

    assert errors_of(v, "HB.xlsx") == {("duplicate-enterprise", "DanhSach", "C6")}
    assert errors_of(v, "NQ.xlsx") == {("duplicate-enterprise", "DanhSach", "C6")}


def test_a_unit_not_active_in_the_year_is_reported_not_silently_dropped(settings, submit):
    units = tuple(u.model_copy(update={"valid_until": 2015}) if u.code == "HB" else u for u in settings.units)
    retired = settings.model_copy(update={"units": units})

    v = validate_year(2016, [submit(factories.good_form("HB"))], [], retired)

    assert "HB" not in v.counted()
    assert ("inactive-unit", "ThongTin", "B4") in errors_of(v, "HB.xlsx")
