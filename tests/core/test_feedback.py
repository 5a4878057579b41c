"""The marked copy's decisions (pipeline.core.documents.feedback): which cell, which mark, which rows."""

from __future__ import annotations

import unicodedata

from pipeline.core.documents.feedback import (
    CHECK_SHEET,
    TITLE,
    FeedbackRequest,
    SheetShape,
    excel_title,
    is_check_sheet,
    marked_context,
    parse_cell,
    quoted_location,
)
from pipeline.issues import error, warning


def request(*issues, rebuilt_from: str = "") -> FeedbackRequest:
    return FeedbackRequest("HB", "Đảng bộ quận Hồng Bàng", "HB.xlsx", tuple(issues), "Ban Tổ chức", "Times New Roman",
                           rebuilt_from)


def shapes(*names: str, merged=()) -> list[SheetShape]:
    return [SheetShape(n, n, merged if k == 0 else ()) for k, n in enumerate(names)]


def test_cells_are_parsed_within_excel_grid():
    assert parse_cell("D7") == (7, 4) and parse_cell("$AB$10") == (10, 28) and parse_cell("xfd1048576") == (1048576, 16384)
    assert parse_cell("") is None and parse_cell("XFE1") is None and parse_cell("A0") is None
    assert parse_cell("A1048577") is None and parse_cell("A1:B2") is None


def test_a_location_always_quotes_the_sheet_and_doubles_its_apostrophes():
    assert quoted_location("Tổng hợp", "D7") == "'Tổng hợp'!D7"
    assert quoted_location("Bà's \"x\"", "A1") == "'Bà''s \"x\"'!A1"


def test_excel_titles_are_legal_and_unique_without_case():
    taken = {"kiemtra"}
    assert excel_title("KiemTra", taken) == "KiemTra (2)"
    assert excel_title("kiemtra", taken) == "kiemtra (3)"
    long = excel_title("a/b:c" + "x" * 40, set())
    assert long == ("a_b_c" + "x" * 40)[:31]


def test_issues_on_one_cell_share_one_mark_error_first():
    ctx = marked_context(request(
        warning("HB.xlsx", "plan", "Kế hoạch khác", unit="HB", sheet="TongHop", cell="E5"),
        error("HB.xlsx", "num", "Không phải số", unit="HB", sheet="TongHop", cell="E5"),
    ), shapes("ThongTin", "TongHop"))
    (mark,) = ctx.marks
    assert (mark.sheet, mark.row, mark.column, mark.severity) == ("TongHop", 5, 5, "error")
    assert mark.comment.splitlines() == ["Lỗi: Không phải số", "Cảnh báo: Kế hoạch khác"]
    assert [r.link for r in ctx.rows] == ["'TongHop'!E5", "'TongHop'!E5"]


def test_unlocated_issues_are_listed_first_without_a_link():
    ctx = marked_context(request(
        error("HB.xlsx", "bad", "Sai", unit="HB", sheet="DanhSach", cell="C5"),
        error("HB.xlsx", "missing-sheet", "Thiếu trang", unit="HB", sheet="Gone", cell="A1"),
        error("HB.xlsx", "duplicate-unit", "Trùng", unit="HB"),
        error("HB.xlsx", "off-grid", "Xa", unit="HB", sheet="DanhSach", cell="XFE1"),
    ), shapes("ThongTin", "DanhSach"))
    assert [(r.rule, r.link) for r in ctx.rows] == [
        ("duplicate-unit", None), ("off-grid", None), ("bad", "'DanhSach'!C5"), ("missing-sheet", None)]
    assert [(m.sheet, m.row, m.column) for m in ctx.marks] == [("DanhSach", 5, 3)]
    assert ctx.lines[2] == "Có 4 lỗi và 0 cảnh báo."


def test_a_merged_cell_is_marked_on_its_top_left_and_listed_as_reported():
    ctx = marked_context(request(error("HB.xlsx", "r", "m", unit="HB", sheet="S", cell="C3")),
                         shapes("S", merged=((2, 2, 4, 5),)))
    assert [(m.row, m.column) for m in ctx.marks] == [(2, 2)]
    assert ctx.rows[0].cell == "C3" and ctx.rows[0].link == "'S'!B2"


def test_sheet_names_match_in_nfc_and_marks_use_the_written_title():
    shape = SheetShape(unicodedata.normalize("NFD", "Tổng hợp"), "Tong hop (1)")  # the file spells it decomposed
    ctx = marked_context(request(error("HB.xlsx", "r", "m", unit="HB", sheet="Tổng hợp", cell="A2")), [shape])
    assert ctx.marks[0].sheet == "Tong hop (1)" and ctx.rows[0].link == "'Tong hop (1)'!A2"


def test_a_check_sheet_of_an_earlier_copy_is_replaced_any_other_is_kept():
    earlier = [SheetShape(CHECK_SHEET, CHECK_SHEET, check_sheet=True), *shapes("TongHop")]
    ctx = marked_context(request(), earlier)
    assert (ctx.sheet_name, ctx.replaces) == (CHECK_SHEET, CHECK_SHEET)
    own = [SheetShape("KIEMTRA", "KIEMTRA"), *shapes("TongHop")]
    ctx = marked_context(request(), own)
    assert (ctx.sheet_name, ctx.replaces) == ("KiemTra (2)", None)
    assert marked_context(request(), own, ["kiemtra (2)"]).sheet_name == "KiemTra (3)"  # a chart sheet's name
    assert is_check_sheet(TITLE) and not is_check_sheet("Biểu số 01") and not is_check_sheet(None)


def test_a_rebuilt_copy_says_so():
    ctx = marked_context(request(rebuilt_from=".xls"), shapes("TongHop"))
    assert ctx.lines[-1] == "Biểu mẫu gốc là tệp .xls: bản này dựng lại từ giá trị, không giữ định dạng."
    assert ctx.lines[2] == "Không có lỗi hay cảnh báo nào."
