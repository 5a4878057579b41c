"""A unit's workbook marked (pipeline.feedback, pipeline.render.marked): opened as a clerk and the
office would, in openpyxl and in LibreOffice, and sent back fixed."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from PIL import Image

from pipeline import plan as planning
from pipeline.core.documents.feedback import TITLE
from pipeline.feedback import mark_workbook, marked_bytes
from pipeline.issues import error, warning
from pipeline.render.marked import CELL_LIMIT, FILLS
from tests import factories

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed on this machine")

# Three errors a clerk makes, each on its own cell, and the value that fixes it.
BREAKS = {("TongHop", "F5"): "bảy", ("DanhSach", "C5"): "0200000000", ("DanhSach", "G5"): "05/01/2015"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(folder: Path, out: Path):
    _, _, validation = planning.check(planning.Options(2016, folder, factories.CONFIG, out, say=lambda _: None))
    return validation


@pytest.fixture
def broken_input(tmp_path):
    """The sample input with HB's workbook carrying the three errors of BREAKS; also the good values."""
    folder = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB"))
    good = {place: book[place[0]][place[1]].value for place in BREAKS}
    for (sheet, cell), value in BREAKS.items():
        book[sheet][cell] = value
    factories.save(book, folder / "2016" / "HB.xlsx")
    return folder, good


def test_the_loop_marked_fixed_in_the_copy_and_sent_back_is_valid(broken_input, tmp_path):
    folder, good = broken_input
    source = folder / "2016" / "HB.xlsx"
    validation = check(folder, tmp_path / "out")
    issues = [i for i in validation.report.of_unit("HB") if i.file == "2016/HB.xlsx"]
    assert {(i.sheet, i.cell) for i in issues if i.is_error} == set(BREAKS)
    before = digest(source)

    marked = mark_workbook(source, issues, tmp_path / "phan-hoi" / "HB.xlsx", factories.settings())

    assert digest(source) == before  # the unit's file is only read
    book = openpyxl.load_workbook(marked)
    assert book.sheetnames == ["KiemTra", "ThongTin", "TongHop", "DanhSach"] and book.active.title == "KiemTra"
    for sheet, cell in BREAKS:
        target = book[sheet][cell]
        assert target.fill.fgColor.rgb.endswith(FILLS["error"].fgColor.rgb[-6:])
        assert target.comment.author == "Ban Tổ chức Thành ủy"
        assert all(i.message in target.comment.text for i in issues if (i.sheet, i.cell) == (sheet, cell))
    listed = _listed(book["KiemTra"])
    assert sorted((r["sheet"], r["cell"]) for r in listed if r["severity"] == "Lỗi") == sorted(BREAKS)
    assert all(r["link"] == f"'{r['sheet']}'!{r['cell']}" for r in listed if r["cell"])
    assert book["KiemTra"]["A2"].value == "Đơn vị: Đảng bộ quận Hồng Bàng (HB)"

    # The clerk puts the right values in the marked copy (KiemTra, fills and comments stay) and sends it back.
    for (sheet, cell), value in good.items():
        book[sheet][cell] = value
    book.save(source)
    again = check(folder, tmp_path / "out2")
    assert again.status["HB"] == "valid"
    assert [i for i in again.report.of_unit("HB") if i.is_error] == []
    # The extra sheet is read as what it is: a sheet the form does not have.
    assert {(i.rule, i.sheet) for i in again.report.of_unit("HB")} <= {("ignored-sheet", "KiemTra")}


def test_the_same_workbook_and_issues_give_the_same_bytes(tmp_path):
    source = Path(factories.SAMPLE_INPUT / "2016" / "HB.xlsx")
    issues = [error("HB.xlsx", "r", "Sai", unit="HB", sheet="TongHop", cell="F5")]
    first = marked_bytes(source, issues, factories.settings())
    assert first == marked_bytes(source, list(reversed(issues)), factories.settings())
    assert first[:2] == b"PK"


def test_the_unit_layout_survives(tmp_path):
    """Data validation, conditional formats, defined names, images, merges, styles and comments are kept."""
    book = factories.form_workbook(factories.good_form("HB"))
    ws = book["TongHop"]
    ws.conditional_formatting.add("F4:F9", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FF0000")))
    book.defined_names["KeHoach"] = DefinedName("KeHoach", attr_text="TongHop!$E$4:$E$9")
    picture = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(picture, "PNG")
    ws.add_image(SheetImage(picture), "J2")
    ws["H4"].comment = Comment("Ghi chú của đơn vị", "Đơn vị")
    source = factories.save(book, tmp_path / "HB.xlsx")
    book = openpyxl.load_workbook(source)  # compared as read back: openpyxl's own round trip is not ours to test
    validations = sum(len(s.data_validations.dataValidation) for s in book.worksheets)
    assert validations  # the blank form has some

    data = marked_bytes(source, [error("HB.xlsx", "r", "Ô này sai", unit="HB", sheet="TongHop", cell="H4")],
                        factories.settings())

    out = openpyxl.load_workbook(io.BytesIO(data))
    assert sum(len(s.data_validations.dataValidation) for s in out.worksheets) == validations
    assert len(out["TongHop"].conditional_formatting) == 1
    assert out.defined_names["KeHoach"].attr_text == "TongHop!$E$4:$E$9"
    assert len(out["TongHop"]._images) == 1
    assert out["TongHop"]["H4"].comment.text.startswith("Lỗi: Ô này sai")
    assert out["TongHop"]["H4"].comment.text.endswith("Ghi chú của đơn vị")
    assert out["TongHop"].protection.sheet == book["TongHop"].protection.sheet
    for sheet in book.worksheets:  # every value and every other cell's look as it was
        for row in sheet.iter_rows():
            for cell in row:
                twin = out[sheet.title][cell.coordinate]
                assert twin.value == cell.value
                if cell.coordinate != "H4" or sheet.title != "TongHop":
                    assert _look(twin) == _look(cell)


def test_hostile_names_cells_and_messages(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "KiemTra"  # the unit's own sheet of that name
    book["KiemTra"]["A1"] = "số liệu của đơn vị"
    quoted = book.create_sheet("Bà's \"số\"")
    quoted.merge_cells("B2:D3")
    quoted["B2"] = "gộp"
    source = factories.save(book, tmp_path / "HB.xlsx")
    long = "x" * 40_000
    issues = [
        error("HB.xlsx", "merged", "Ô gộp <script>alert(1)</script>\x00\x07\x1b", unit="HB", sheet=quoted.title,
              cell="C3"),
        warning("HB.xlsx", "far", "Ngoài vùng dùng", unit="HB", sheet=quoted.title, cell="AA500"),
        error("HB.xlsx", "off", "Ngoài bảng tính", unit="HB", sheet=quoted.title, cell="XFE1"),
        error("HB.xlsx", "long", long, unit="HB", sheet="KiemTra", cell="A1"),
        error("HB.xlsx", "missing-sheet", "Thiếu trang TongHop", unit="HB", sheet="TongHop"),
    ]
    before = digest(source)
    out = openpyxl.load_workbook(io.BytesIO(marked_bytes(source, issues, factories.settings())))
    assert digest(source) == before
    assert out.sheetnames == ["KiemTra (2)", "KiemTra", quoted.title] and out.active.title == "KiemTra (2)"
    assert out["KiemTra"]["A1"].value == "số liệu của đơn vị"
    top_left = out[quoted.title]["B2"]
    assert top_left.comment.text == "Lỗi: Ô gộp <script>alert(1)</script>"
    assert "B2:D3" in {str(r) for r in out[quoted.title].merged_cells.ranges}
    assert out[quoted.title]["AA500"].comment.text == "Cảnh báo: Ngoài vùng dùng"
    assert out[quoted.title]["AA500"].fill.fgColor.rgb[-6:] == FILLS["warning"].fgColor.rgb[-6:]
    assert top_left.fill.fgColor.rgb[-6:] == FILLS["error"].fgColor.rgb[-6:]
    assert len(out["KiemTra"]["A1"].comment.text) == CELL_LIMIT
    listed = {r["rule"]: r for r in _listed(out["KiemTra (2)"])}
    assert listed["merged"]["link"] == "'Bà''s \"số\"'!B2" and listed["merged"]["cell"] == "C3"
    assert listed["off"]["link"] is None and listed["missing-sheet"]["link"] is None
    assert len(listed["long"]["message"]) == CELL_LIMIT


def test_a_check_sheet_from_an_earlier_copy_is_replaced(tmp_path):
    source = Path(factories.SAMPLE_INPUT / "2016" / "HB.xlsx")
    issues = [error("HB.xlsx", "r", "Sai", unit="HB", sheet="TongHop", cell="F5")]
    first = factories.save(openpyxl.load_workbook(io.BytesIO(marked_bytes(source, issues, factories.settings()))),
                           tmp_path / "HB.xlsx")
    out = openpyxl.load_workbook(io.BytesIO(marked_bytes(first, issues, factories.settings())))
    assert out.sheetnames == ["KiemTra", "ThongTin", "TongHop", "DanhSach"]
    assert out["KiemTra"]["A1"].value == TITLE


def test_an_xls_is_rebuilt_from_its_values_says_so_and_comes_back_valid(tmp_path):
    folder = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB"))
    good = book["TongHop"]["F5"].value
    book["TongHop"]["F5"] = "bảy"
    (folder / "2016" / "HB.xlsx").unlink()
    source = folder / "2016" / "HB.xls"
    source.write_bytes(factories.xls_of(book))
    validation = check(folder, tmp_path / "out")
    issues = [i for i in validation.report.of_unit("HB") if i.file == "2016/HB.xls"]
    assert [(i.sheet, i.cell) for i in issues if i.is_error] == [("TongHop", "F5")]

    marked = mark_workbook(source, issues, tmp_path / "HB.xlsx", factories.settings())

    out = openpyxl.load_workbook(marked)
    note = "Biểu mẫu gốc là tệp .xls: bản này dựng lại từ giá trị, không giữ định dạng"
    assert any(note in (c.value or "") for c in out["KiemTra"]["A"])
    assert out["TongHop"]["F5"].comment.text.startswith("Lỗi:") and out["TongHop"]["F5"].value == "bảy"
    out["TongHop"]["F5"] = good
    source.unlink()
    out.save(folder / "2016" / "HB.xlsx")
    again = check(folder, tmp_path / "out2")
    assert again.status["HB"] == "valid"


def test_a_file_nothing_can_read_gets_the_check_sheet_alone(tmp_path):
    source = tmp_path / "HB.xlsx"
    source.write_bytes(b"not a workbook")
    issue = error("HB.xlsx", "unreadable-file", "Không đọc được tệp", unit="HB")
    out = openpyxl.load_workbook(io.BytesIO(marked_bytes(source, [issue], factories.settings())))
    assert out.sheetnames == ["KiemTra"]
    assert [r["rule"] for r in _listed(out["KiemTra"])] == ["unreadable-file"]


@needs_libreoffice
def test_libreoffice_opens_the_marked_copy(broken_input, tmp_path):
    folder, _ = broken_input
    source = folder / "2016" / "HB.xlsx"
    issues = [i for i in check(folder, tmp_path / "out").report.of_unit("HB") if i.file == "2016/HB.xlsx"]
    marked = mark_workbook(source, issues, tmp_path / "marked" / "HB.xlsx", factories.settings())
    for kind in ("csv:Text - txt - csv (StarCalc):44,34,76", "pdf"):
        subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", kind,
                        "--outdir", str(tmp_path / "lo-out"), str(marked)], check=True, capture_output=True,
                       timeout=120)
    rows = list(csv.reader((tmp_path / "lo-out" / "HB.csv").read_text(encoding="utf-8", errors="replace")
                           .splitlines()))
    assert rows[0][0] == TITLE  # the first sheet LibreOffice sees is KiemTra
    assert sum(1 for r in rows if r[1:2] == ["Lỗi"]) == len([i for i in issues if i.is_error])
    assert (tmp_path / "lo-out" / "HB.pdf").read_bytes()[:5] == b"%PDF-"


def _listed(ws) -> list[dict]:
    """The check sheet's issue rows as dicts, with each row's link location."""
    header = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "STT")
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, 7)]
        link = ws.cell(row=r, column=4).hyperlink
        rows.append(dict(zip(("number", "severity", "sheet", "cell", "message", "rule"), values, strict=True),
                         link=link.location if link else None))
    return rows


def _look(cell) -> tuple[str, ...]:
    """A cell's look, comparable (openpyxl's style proxies do not compare equal to each other)."""
    names = ("fill", "font", "border", "alignment", "protection")
    return (*(repr(getattr(cell, name)) for name in names), cell.number_format)



def test_a_chart_sheet_is_kept_and_its_name_not_taken(tmp_path):
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    book.active.title = "KiemTra"
    for r in range(1, 4):
        book.active.cell(row=r, column=1, value=r)
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=1, min_row=1, max_row=3))
    book.create_chartsheet("KiemTra (2)").add_chart(chart)
    source = factories.save(book, tmp_path / "HB.xlsx")
    out = openpyxl.load_workbook(io.BytesIO(marked_bytes(source, [], factories.settings())))
    assert out.sheetnames == ["KiemTra (3)", "KiemTra", "KiemTra (2)"]
    assert len(out.chartsheets) == 1
