"""A country of communes under provinces: the whole path on a grouped config.

Six sample units in two groups (tests/factories.grouped_config); past
`max_unit_rows_in_pdf` (3 here) the report prints a row per group and says
where each unit is, the workbook keeps every unit with its group, and
tong-hop.json gains the groups' figures.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline import flow
from tests import factories

UNIT_NOTE = ("Kết quả của từng đơn vị (6 đơn vị) được lập thành biểu tổng hợp kèm theo "
             "(tệp tong-hop-2016.xlsx, trang «TongHop»), không in kèm báo cáo này.")
HB_ROW = re.compile(r"Quận Hồng Bàng\s+3\s+2\s+66%")  # HB's results row in Phụ lục 1


def report(root: Path, limit: int) -> Path:
    options = flow.Options(2016, factories.grouped_input(root / "input"),
                           factories.grouped_config(root / "config", max_unit_rows=limit), root / "out",
                           strict_warnings=True)
    return flow.report(options).folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return report(tmp_path_factory.mktemp("grouped"), limit=3)


def flat_pdf(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def docx_text(path: Path) -> tuple[str, list[list[str]]]:
    document = docx.Document(str(path))
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return " ".join(p.text for p in document.paragraphs), rows


def test_tong_hop_json_gives_each_group_and_each_unit_its_group(folder):
    data = json.loads((folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    assert {u["code"]: u["group"] for u in data["units"]} == {"HB": "P01", "NQ": "P01", "LC": "P01",
                                                             "TN": "P02", "AD": "P02", "AL": "P02"}
    groups = data["groups"]
    assert [(g["code"], g["name"], g["units"], g["counted"]) for g in groups] == [
        ("P01", "thành phố Hải Phòng", 3, 3), ("P02", "tỉnh Quảng Ninh", 3, 3)]
    for code, total in data["totals"].items():
        assert total["actual"] == sum(g["indicators"][code]["actual"] for g in groups)
        if total["plan"] is not None:
            assert total["plan"] == sum(g["indicators"][code]["plan"] for g in groups)
    assert set(groups[0]["indicators"]["TCD"]) == {"plan", "actual", "percent", "previous_year"}


def test_the_pdf_prints_a_row_per_group_and_says_where_the_units_are(folder):
    text = flat_pdf(folder / "bao-cao-2016.pdf")
    assert "KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2016 THEO THÀNH PHỐ, TỈNH" in text
    assert UNIT_NOTE in text
    assert "kết quả của từng đơn vị tại biểu tổng hợp kèm theo (tệp tong-hop-2016.xlsx)" in text
    assert re.search(r"1 Thành phố Hải Phòng 11 9 81% 20 52 260% 6 10 166%", text)
    assert re.search(r"2 Tỉnh Quảng Ninh 11 8 72% 20 52 260% 7 9 128%", text)
    assert re.search(r"Tổng cộng 22 17 77% 40 104 260% 13 19 146%", text)
    assert not HB_ROW.search(text)


def test_the_docx_prints_the_same_group_rows(folder):
    paragraphs, rows = docx_text(folder / "bao-cao-2016.docx")
    assert UNIT_NOTE in paragraphs and "CHỈ TIÊU GIAO NĂM 2017 THEO THÀNH PHỐ, TỈNH" in paragraphs
    assert ["1", "Thành phố Hải Phòng", "11", "9", "81%", "20", "52", "260%", "6", "10", "166%", ""] in rows
    assert not any(row[0].isdigit() and row[1] == "Quận Hồng Bàng" for row in rows)  # Phụ lục 3 still names it


def test_the_workbook_keeps_every_unit_with_its_group_and_a_sheet_per_group(folder):
    book = openpyxl.load_workbook(folder / "tong-hop-2016.xlsx")
    assert book.sheetnames == ["TongHop", "TheoThanhPhoTinh", "DanhSach", "TinhHinhNop", "CacNam",  # history: 2015
                               "ChiTieuNamSau"]
    rows = list(book["TongHop"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "STT")
    assert header[:4] == ("STT", "Đơn vị", "Mã", "Thành phố, tỉnh")
    units = {r[2]: r for r in rows if isinstance(r[0], int)}
    assert units["HB"][1:7] == ("Quận Hồng Bàng", "HB", "Thành phố Hải Phòng", 3, 2, 0.66)
    assert units["AL"][3] == "Tỉnh Quảng Ninh"
    groups = [r for r in book["TheoThanhPhoTinh"].iter_rows(values_only=True) if r[0] in (1, 2, "Tổng cộng")]
    assert [r[:6] for r in groups] == [(1, "Thành phố Hải Phòng", "P01", 11, 9, 0.81),
                                       (2, "Tỉnh Quảng Ninh", "P02", 11, 8, 0.72),
                                       ("Tổng cộng", None, None, 22, 17, 0.77)]
    assert [r[-2:] for r in groups] == [(3, 3), (3, 3), (6, 6)]
    listing = list(book["DanhSach"].iter_rows(values_only=True))
    assert next(r for r in listing if r[0] == "STT")[:3] == ("STT", "Đơn vị", "Thành phố, tỉnh")
    assert next(r for r in listing if r[0] == 1)[1:3] == ("Quận Hồng Bàng", "Thành phố Hải Phòng")


def test_below_the_limit_the_report_is_per_unit(tmp_path):
    folder = report(tmp_path, limit=6)
    text = flat_pdf(folder / "bao-cao-2016.pdf")
    assert HB_ROW.search(text) and "KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2016 CỦA CÁC ĐƠN VỊ" in text
    assert "Thành phố Hải Phòng" not in text and "tong-hop-2016.xlsx" not in text
    _, rows = docx_text(folder / "bao-cao-2016.docx")
    assert any(row[:2] == ["1", "Quận Hồng Bàng"] for row in rows)
    # The groups are still in the workbook: they are config, not a matter of length.
    assert "TheoThanhPhoTinh" in openpyxl.load_workbook(folder / "tong-hop-2016.xlsx").sheetnames
