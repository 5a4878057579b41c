"""The summary workbook (pipeline.render.xlsx): figures, formats, layout, and no formula ever.

Built from the shipped sample, reopened with openpyxl (formats, layout) and
with python-calamine (the reader the pipeline itself uses).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
import python_calamine

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.data import tong_hop
from pipeline.core.documents.summary import summary_context
from pipeline.render import sheet
from pipeline.render.xlsx import render_summary_xlsx
from tests import factories

HOSTILE = {
    "enterprise": '=HYPERLINK("http://evil","x")',
    "decision_no": "+1-2",
    "tax_code": "@SUM(A1)",
    "legal_form": "-2+3",
    "org_type": "#N/A",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    totals = planning.summarise(settings, inputs, validation)
    organisations = {c: s.organisations for c, s in validation.submissions.items()}
    return settings, totals, organisations


@pytest.fixture(scope="module")
def context(sample):
    settings, totals, organisations = sample
    return summary_context(totals, organisations, settings)


@pytest.fixture(scope="module")
def data(context) -> bytes:
    return render_summary_xlsx(context)


@pytest.fixture(scope="module")
def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def hostile(sample) -> bytes:
    """HB's first organisation renamed the way an attacker would fill the form."""
    settings, totals, organisations = sample
    first, *rest = organisations["HB"]
    bad = dataclasses.replace(first, **HOSTILE)
    odd = dataclasses.replace(rest[0], enterprise="Công ty\x01 Ẩn\x1b ký tự")
    return render_summary_xlsx(summary_context(totals, {**organisations, "HB": (bad, odd, *rest[1:])}, settings))


# --- helpers ----------------------------------------------------------------------


def header_row(ws) -> int:
    return next(c.row for c in ws["A"] if c.value == "STT")


def find_column(ws, row: int, text: str) -> int:
    return next(c.column for c in ws[row] if c.value == text)


def displayed_percent(cell) -> str:
    """What Excel shows for a '0%' cell: value × 100, rounded half away from zero."""
    assert cell.number_format == "0%"
    shown = (Decimal(repr(cell.value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def rows_by_code(ws) -> dict[str, tuple]:
    first = header_row(ws) + 2
    return {r[2].value: r for r in ws.iter_rows(min_row=first) if r[2].value}


def total_row(ws) -> tuple:
    return next(r for r in ws.iter_rows() if r[0].value == "Tổng cộng")


def planned_cells(ws, row: tuple, name: str) -> tuple:
    col = find_column(ws, header_row(ws), name)
    return row[col - 1], row[col], row[col + 1]


def sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")}


# --- figures --------------------------------------------------------------------


@pytest.mark.parametrize("name, plan, actual, shown", [
    ("Tổ chức đảng thành lập mới", 40, 26, "65%"),
    ("Công đoàn cơ sở thành lập mới", 77, 170, "220%"),
    ("Tổ chức Đoàn, Hội thanh niên thành lập mới", 25, 33, "132%"),  # 132.0: the sample rounds down
])
def test_city_totals(book, name, plan, actual, shown):
    ws = book["TongHop"]
    p, a, pct = planned_cells(ws, total_row(ws), name)
    assert (p.value, a.value) == (plan, actual)
    assert type(p.value) is int and type(a.value) is int
    assert displayed_percent(pct) == shown


def test_unit_rows_equal_tong_hop(book, sample, context):
    ws = book["TongHop"]
    units = tong_hop(sample[1])["units"]
    rows = rows_by_code(ws)
    assert list(rows) == [u["code"] for u in units]
    rank = find_column(ws, header_row(ws), "Xếp hạng theo tỉ lệ")
    for unit in units:
        row = rows[unit["code"]]
        for n, col in enumerate(context.planned):
            p, a, pct = planned_cells(ws, row, col.name)
            expected = unit["indicators"][col.code]
            assert (p.value, a.value) == (expected["plan"], expected["actual"])
            assert displayed_percent(pct) == f"{expected['percent']}%"
            assert row[rank - 1 + n].value == unit["rank"][col.code]
        for col in context.people:
            assert row[find_column(ws, header_row(ws), col.name) - 1].value == unit["indicators"][col.code]["actual"]


def test_counts_are_ints_with_grouping(book):
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                if cell.number_format == "#,##0" and cell.value is not None:
                    assert type(cell.value) is int, cell.coordinate
    people = total_row(book["TongHop"])[find_column(book["TongHop"], header_row(book["TongHop"]),
                                                    "Đoàn viên công đoàn phát triển mới") - 1]
    assert people.value == 16281 and people.number_format == "#,##0"


def test_organisations_list(book, context):
    ws = book["DanhSach"]
    top = header_row(ws)
    rows = list(ws.iter_rows(min_row=top + 1))
    assert len(rows) == 229
    assert [r[0].value for r in rows] == list(range(1, 230))
    for row, org in zip(rows, context.organisations, strict=False):
        assert row[1].value == org.unit and row[2].value == org.enterprise
        assert row[3].value == org.tax_code and row[3].data_type == "s" and row[3].number_format == "@"
        assert isinstance(row[7].value, dt.datetime) and row[7].value.date() == org.decision_date
        assert row[7].number_format == "dd/mm/yyyy"
        assert type(row[8].value) is int
    assert any(r[3].value.startswith("0") for r in rows)  # leading zeros kept


def test_roster_sheet(book):
    ws = book["TinhHinhNop"]
    lines = {r[1].value: r[2].value for r in ws.iter_rows(min_row=header_row(ws) + 1)}
    assert lines["Tổng số đơn vị báo cáo"] == 15
    assert lines["Đã nộp"] == 15 and lines["Chưa nộp"] == 0


def test_invalid_and_missing_units_are_blank(sample):
    settings, totals, organisations = sample
    units = tuple(dataclasses.replace(u, status="missing", results={
        k: dataclasses.replace(r, actual=None, percent=None) for k, r in u.results.items()}, ranks={})
        if u.unit.code == "CH" else u for u in totals.units)
    ws = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary_context(
        dataclasses.replace(totals, units=units), organisations, settings))))["TongHop"]
    row = rows_by_code(ws)["CH"]
    assert "chưa nộp" in [c.value for c in row]
    p, a, pct = planned_cells(ws, row, "Tổ chức đảng thành lập mới")
    assert p.value == 1 and a.value is None and pct.value is None


# --- never a formula ----------------------------------------------------------------


def test_no_cell_is_a_formula(book, data):
    for ws in book:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)
    for name, xml in sheet_xml(data).items():
        assert not re.search(r"<f[ >]", xml), name


def test_hostile_text_stays_text(hostile):
    book = openpyxl.load_workbook(io.BytesIO(hostile))
    ws = book["DanhSach"]
    first = list(ws.iter_rows(min_row=header_row(ws) + 1, max_row=header_row(ws) + 2))
    values = {"enterprise": 2, "tax_code": 3, "legal_form": 4, "org_type": 5, "decision_no": 6}
    for key, col in values.items():
        assert first[0][col].value == HOSTILE[key]
        assert first[0][col].data_type == "s"
    assert first[1][2].value == "Công ty Ẩn ký tự"  # control characters cannot be stored; dropped
    for ws in book:
        assert all(c.data_type not in ("f", "e") for row in ws.iter_rows() for c in row)
    xml = sheet_xml(hostile)["xl/worksheets/sheet2.xml"]
    assert not re.search(r"<f[ >]", xml)
    cell = re.search(r'<c r="C\d+"[^>]*t="inlineStr"[^>]*><is><t>=HYPERLINK', xml.replace("&quot;", '"'))
    assert cell, "the enterprise name must be an inline string"


def test_hostile_text_read_back_by_calamine(hostile):
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(hostile)) as book:
        rows = book.get_sheet_by_name("DanhSach").to_python()
    row = next(r for r in rows if r[0] == 1.0)
    assert row[2:7] == [HOSTILE[k] for k in ("enterprise", "tax_code", "legal_form", "org_type", "decision_no")]


# --- calamine, the pipeline's own reader --------------------------------------------


def test_calamine_reads_the_same_values(data):
    with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        # CacNam: 2015 in history; ChiTieuNamSau: every year
        assert book.sheet_names == ["TongHop", "DanhSach", "TinhHinhNop", "CacNam", "ChiTieuNamSau"]
        summary = book.get_sheet_by_name("TongHop").to_python()
        targets = book.get_sheet_by_name("ChiTieuNamSau").to_python()
        listing = book.get_sheet_by_name("DanhSach").to_python()
    assert any(r[0] == "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT 28-NQ/TU NĂM 2016" for r in summary)
    total = next(r for r in summary if r[0] == "Tổng cộng")
    assert total[3:12] == [40, 26, 0.65, 77, 170, 2.2, 25, 33, 1.32]
    hb = next(r for r in summary if r[2] == "HB")
    assert hb[1] == "Quận Hồng Bàng" and hb[3:6] == [3, 2, 0.66]
    orgs = [r for r in listing if isinstance(r[0], float) and r[0] >= 1]
    assert len(orgs) == 229
    assert all(isinstance(r[7], dt.date) for r in orgs)
    assert all(isinstance(r[3], str) and len(r[3]) >= 10 for r in orgs)
    assert next(r for r in targets if r[2] == "HB")[3:6] == [3, 5, 2]


# --- determinism, layout, printing --------------------------------------------------


def test_same_context_same_bytes(context, sample, data):
    settings, totals, organisations = sample
    assert render_summary_xlsx(context) == data
    assert render_summary_xlsx(summary_context(totals, organisations, settings)) == data


def test_titles_above_tables(book):
    for ws, title in ((book["TongHop"], "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT 28-NQ/TU NĂM 2016"),
                      (book["DanhSach"], "DANH SÁCH TỔ CHỨC THÀNH LẬP MỚI NĂM 2016"),
                      (book["TinhHinhNop"], "TÌNH HÌNH NỘP BIỂU MẪU NĂM 2016")):
        where = next(c.row for c in ws["A"] if c.value == title)
        assert where < header_row(ws)
        assert ws["A2"].value == "BAN CHỈ ĐẠO"


def test_two_row_header_merges_indicator_names(book):
    ws = book["TongHop"]
    top = header_row(ws)
    col = find_column(ws, top, "Tổ chức đảng thành lập mới")
    merged = {str(r) for r in ws.merged_cells.ranges}
    letter = openpyxl.utils.get_column_letter
    assert f"{letter(col)}{top}:{letter(col + 2)}{top}" in merged
    assert [ws.cell(top + 1, col + k).value for k in range(3)] == ["Kế hoạch", "Thực hiện", "Tỉ lệ"]
    assert f"A{top}:A{top + 1}" in merged


def test_frozen_headers_and_filter(book):
    summary, listing = book["TongHop"], book["DanhSach"]
    assert summary.freeze_panes == f"D{header_row(summary) + 2}"
    top = header_row(listing)
    assert listing.freeze_panes == f"A{top + 1}"
    assert listing.auto_filter.ref == f"A{top}:I{top + 229}"


def test_fonts_widths_and_bold_totals(book):
    for ws in book:
        for row in ws.iter_rows():
            assert all(c.font.name == "Times New Roman" for c in row if c.value is not None)
        assert all(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width > 0
                   for c in range(1, ws.max_column + 1))
    assert all(c.font.b for c in total_row(book["TongHop"]) if c.value is not None)


def test_print_setup(book):
    for ws in book:
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows.startswith(f"${header_row(ws)}:")  # header repeated on every page
        assert "&P" in ws.oddFooter.center.text


# --- units grouped under provinces ------------------------------------------------------------


@pytest.fixture(scope="module")
def grouped_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("grouped")
    options = flow.Options(2016, factories.grouped_input(root / "input"), factories.grouped_config(root / "config"),
                           root / "out")
    settings, inputs, validation = planning.check(options)
    totals = planning.summarise(settings, inputs, validation)
    context = summary_context(totals, {c: s.organisations for c, s in validation.submissions.items()}, settings)
    data = render_summary_xlsx(context)
    assert render_summary_xlsx(context) == data
    return openpyxl.load_workbook(io.BytesIO(data)), context, data


def test_copied_cell_looks_give_the_bytes_of_styling_every_cell(context, data, grouped_book, monkeypatch):
    """Cells that look alike share one styled cell's indices (`_Looks`): each workbook must be
    byte for byte what openpyxl's setters on every cell make, on every sheet."""
    _, grouped_context, grouped_data = grouped_book
    monkeypatch.setattr(sheet, "_LOOKS", sheet._Looks(reuse=False))
    assert render_summary_xlsx(context) == data
    assert render_summary_xlsx(grouped_context) == grouped_data


def larger(context, copies: int = 60):
    """The sample's units and organisations `copies` times over, with text a clerk could type anywhere:
    long, hostile, with control characters, blank; and figures, dates and empty cells mixed."""
    odd = ["=SUM(A1)", "x" * 40_000, "Công ty\x01 Ẩn", "", " lề ", "#N/A"]
    rows = [dataclasses.replace(row, number=k * len(context.rows) + i + 1, code=f"{row.code}{k}",
                                late_note=odd[(i + k) % len(odd)])
            for k in range(copies) for i, row in enumerate(context.rows)]
    orgs = [dataclasses.replace(org, number=n, enterprise=odd[n % len(odd)] + org.enterprise,
                                members=None if n % 7 == 0 else n, decision_date=None if n % 5 == 0 else org.decision_date)
            for n, org in enumerate((o for _ in range(copies) for o in context.organisations), start=1)]
    return dataclasses.replace(context, rows=tuple(rows), organisations=tuple(orgs))


def test_cells_built_at_once_give_the_bytes_of_openpyxls_setters(context, monkeypatch):
    """`put` builds a cell whose look some cell already has in one step (sheet._new_cell): on a
    larger set with every kind of value, the workbook is byte for byte (so cell by cell, looks
    included) the one openpyxl's ws.cell, value setter and look setters make."""
    big = larger(context)
    fast = render_summary_xlsx(big)
    monkeypatch.setattr(sheet, "_LOOKS", sheet._Looks(reuse=False))
    assert render_summary_xlsx(big) == fast
    ws = openpyxl.load_workbook(io.BytesIO(fast))["DanhSach"]
    assert len(ws.cell(header_row(ws) + 1, 3).value) == sheet.MAX_TEXT  # the first, 40,000 x and a name


def test_the_group_sheet_holds_typed_figures(grouped_book):
    book, context, _ = grouped_book
    ws = book[context.group_sheet]
    assert book.sheetnames.index(context.group_sheet) == 1
    top = header_row(ws)
    assert ws.cell(top, 2).value == "Thành phố, tỉnh" and ws.freeze_panes == f"D{top + 2}"
    rows = rows_by_code(ws)
    assert list(rows) == ["P01", "P02"]
    p, a, pct = planned_cells(ws, rows["P01"], "Tổ chức đảng thành lập mới")
    assert (type(p.value), type(a.value), p.number_format) == (int, int, "#,##0")
    assert displayed_percent(pct) == "81%"
    counted = find_column(ws, top, "Số đơn vị được tổng hợp")
    assert [rows["P01"][counted - 1].value, rows["P01"][counted].value] == [3, 3]
    p, a, pct = planned_cells(ws, total_row(ws), "Tổ chức đảng thành lập mới")
    assert (p.value, a.value, displayed_percent(pct)) == (22, 17, "77%")
    assert ws.merged_cells.ranges and any(str(r).startswith("A") and r.max_col == 3 for r in ws.merged_cells.ranges)


def test_unit_and_list_sheets_gain_a_group_column(grouped_book):
    book, _, _ = grouped_book
    ws = book["TongHop"]
    top = header_row(ws)
    assert ws.cell(top, 4).value == "Thành phố, tỉnh" and ws.freeze_panes == f"E{top + 2}"
    rows = rows_by_code(ws)
    assert rows["HB"][3].value == "Thành phố Hải Phòng" and rows["TN"][3].value == "Tỉnh Quảng Ninh"
    p, a, _ = planned_cells(ws, rows["HB"], "Tổ chức đảng thành lập mới")
    assert (p.value, a.value) == (3, 2)
    assert total_row(ws)[3].value is None
    listing = book["DanhSach"]
    top = header_row(listing)
    assert [c.value for c in listing[top]][:4] == ["STT", "Đơn vị", "Thành phố, tỉnh", "Tên doanh nghiệp"]
    first = listing[top + 1]
    assert first[2].value == "Thành phố Hải Phòng" and first[4].number_format == "@"  # the tax code stays text
    assert first[8].number_format == "dd/mm/yyyy" and first[8].alignment.horizontal == "center"


# --- ChiTieuNamSau: next year's targets ----------------------------------------------------------


def target_rows(ws) -> dict[str, tuple]:
    """The targets sheet's unit rows by code (one header row, not two)."""
    return {r[2].value: r for r in ws.iter_rows(min_row=header_row(ws) + 1) if r[2].value}


def targets_book(sample, targets_2017):
    """The sample's workbook with config/targets.yaml's 2017 targets replaced (None: none at all)."""
    settings, totals, organisations = sample
    targets = {y: t for y, t in settings.targets.items() if y != 2017}
    if targets_2017 is not None:
        targets[2017] = targets_2017
    context = summary_context(totals, organisations, settings.model_copy(update={"targets": targets}))
    return openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(context)))


def test_next_years_targets_sheet_lists_every_unit_and_the_total(book, sample):
    settings = sample[0]
    assert book.sheetnames[-1] == "ChiTieuNamSau"
    ws = book["ChiTieuNamSau"]
    assert "CHỈ TIÊU NĂM 2017 GIAO CÁC ĐƠN VỊ" in [c.value for c in ws["A"]]
    top = header_row(ws)
    names = [i.name for i in settings.planned_indicators()]
    assert [c.value for c in ws[top]] == ["STT", "Đơn vị", "Mã", *(f"{n} (tổ chức)" for n in names), "Ghi chú"]
    rows = target_rows(ws)
    assert list(rows) == [u.code for u in settings.units_in(2017)]  # config order
    assert [c.value for c in rows["HB"]] == [1, "Quận Hồng Bàng", "HB", 3, 5, 2, None]
    cell = rows["BLV"][5]
    assert (cell.value, type(cell.value), cell.number_format) == (0, int, "#,##0")  # a 0 target is a number
    total = total_row(ws)
    sums = [sum(t[i.code] for t in settings.targets[2017].values()) for i in settings.planned_indicators()]
    assert [c.value for c in total[3:6]] == sums == [38, 62, 20]  # Phụ lục 2's total
    assert total[3].font.b and ws.freeze_panes == f"D{top + 1}"


def test_pending_targets_are_said_plainly_not_a_table_of_blanks(sample):
    ws = targets_book(sample, None)["ChiTieuNamSau"]
    texts = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Chỉ tiêu năm 2017 sẽ được giao sau." in texts
    assert "STT" not in texts and not any(isinstance(v, int) for v in texts)


def test_a_unit_without_targets_yet_is_blank_and_named_under_the_table(sample):
    settings = sample[0]
    partial = {code: t for code, t in settings.targets[2017].items() if code != "HB"}
    ws = targets_book(sample, partial)["ChiTieuNamSau"]
    rows = target_rows(ws)
    assert [c.value for c in rows["HB"][3:]] == [None, None, None, "giao sau"]
    assert [c.value for c in total_row(ws)[3:6]] == [35, 57, 18]  # the targets assigned so far
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "Chỉ tiêu năm 2017 của quận Hồng Bàng sẽ được giao sau." in texts


def test_the_targets_sheet_gains_a_group_column(grouped_book):
    book, context, _ = grouped_book
    ws = book["ChiTieuNamSau"]
    top = header_row(ws)
    assert ws.cell(top, 4).value == context.group_header and ws.freeze_panes == f"E{top + 1}"
    assert target_rows(ws)["HB"][3].value == "Thành phố Hải Phòng" and total_row(ws)[3].value is None


def test_created_on_the_document_date(book, data, context):
    """The workbook says it was made on the document's date (years/<YEAR>.yaml `date`), not 2000-01-01,
    and saving it again gives the same bytes."""
    assert context.date == dt.date(2016, 12, 29)
    assert book.properties.created == book.properties.modified == dt.datetime(2016, 12, 29)
    assert render_summary_xlsx(context) == data
