"""The PDF, DOCX and XLSX of each document carry the figures of tong-hop.json."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline import flow
from pipeline.core import vi
from tests.factories import CONFIG, SAMPLE_INPUT

PLANNED = ("TCD", "CD", "DTN")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return flow.report(flow.Options(2016, SAMPLE_INPUT, CONFIG, tmp_path_factory.mktemp("out"), strict_warnings=True)).folder


@pytest.fixture(scope="module")
def summary(folder) -> dict:
    return json.loads((folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))


def expected_cells(figures: dict) -> list[str]:
    """The nine cells of a unit or total row: plan, actual, percent per planned indicator."""
    cells = []
    for code in PLANNED:
        f = figures[code]
        pct = None if f["percent"] is None else Decimal(str(f["percent"]))
        cells += [vi.number(f["plan"]), vi.number(f["actual"]), vi.percent(pct)]
    return cells


def rows_by_name(summary: dict) -> dict[str, list[str]]:
    rows = {vi.sentence_case(u["name"]): expected_cells(u["indicators"]) for u in summary["units"]}
    rows["Tổng cộng"] = expected_cells(summary["totals"])
    return rows


def pdf_lines(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in text.splitlines()]


def test_report_pdf_appendix_rows_match_the_summary(folder, summary):
    lines = pdf_lines(folder / "bao-cao-2016.pdf")
    for name, cells in rows_by_name(summary).items():
        pattern = re.compile(rf"(^|\s){re.escape(name)} {re.escape(' '.join(cells))}(\s|$)")
        assert any(pattern.search(line) for line in lines), f"{name}: {cells}"


def test_report_docx_appendix_rows_match_the_summary(folder, summary):
    document = docx.Document(str(folder / "bao-cao-2016.docx"))
    found = {}
    for table in document.tables:
        for row in table.rows:
            texts = [c.text.strip() for c in row.cells]
            if len(texts) >= 11 and texts[1] in rows_by_name(summary):
                found.setdefault(texts[1], texts[2:11])
    assert found == rows_by_name(summary)


def test_summary_xlsx_matches_the_summary(folder, summary):
    book = openpyxl.load_workbook(folder / "tong-hop-2016.xlsx")
    sheet = book["TongHop"]
    by_name = {}
    for row in sheet.iter_rows(values_only=True):
        label = row[1] if isinstance(row[1], str) else row[0]
        if isinstance(label, str):
            by_name.setdefault(label.strip(), row)
    for unit in summary["units"] + [{"name": "Tổng cộng", "indicators": summary["totals"]}]:
        row = by_name[vi.sentence_case(unit["name"])]
        numbers = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool)]
        for code in PLANNED:
            f = unit["indicators"][code]
            assert f["plan"] in numbers and f["actual"] in numbers
            assert any(abs(v - f["percent"] / 100) < 1e-9 for v in numbers), (unit["name"], code)


@pytest.mark.parametrize("code", ["HB", "DS", "BLV", "TN"])
def test_each_notice_says_the_same_in_pdf_and_docx(folder, summary, code):
    unit = next(u for u in summary["units"] if u["code"] == code)
    pdf_text = " ".join(pdf_lines(folder / "thong-bao" / f"{code}.pdf"))
    docx_text = " ".join(" ".join(p.text.split()) for p in docx.Document(str(folder / "thong-bao" / f"{code}.docx")).paragraphs)
    document = docx.Document(str(folder / "thong-bao" / f"{code}.docx"))
    table_rows = [[c.text.strip() for c in row.cells] for t in document.tables for row in t.rows]
    for code_, fig in unit["indicators"].items():
        if code_ not in PLANNED:
            continue
        cells = [vi.number(fig["plan"]), vi.number(fig["actual"]), vi.percent(Decimal(str(fig["percent"])))]
        assert " ".join(cells) in pdf_text
        assert any(row[2:5] == cells for row in table_rows if len(row) >= 5), (code_, cells)
    sentence = re.search(r"Năm 2016, Đảng bộ .*? thành lập được .*?\.", pdf_text).group()
    assert sentence in docx_text
