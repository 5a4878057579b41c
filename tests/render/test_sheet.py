"""pipeline.render.sheet: the helpers the summary and register workbooks share, and the
Protocols that describe openpyxl's worksheet and cell to mypy (openpyxl has no types, so
only this test notices when an upgrade renames what they list)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from pipeline.render import sheet
from pipeline.stable import workbook_bytes


def members(protocol: type) -> set[str]:
    """The attributes and methods a Protocol class declares itself."""
    declared = set(vars(protocol).get("__annotations__", {}))
    declared |= {name for name, value in vars(protocol).items()
                 if (callable(value) or isinstance(value, property)) and not name.startswith("_")}
    return declared | {name for name in ("__getitem__", "__setitem__") if name in vars(protocol)}


def test_openpyxl_still_has_what_the_protocols_describe():
    ws = openpyxl.Workbook().active
    cell = ws.cell(row=1, column=1)
    checks = [(ws, sheet.Worksheet), (cell, sheet.Cell), (cell.parent, sheet.Sheet),
              (ws.row_dimensions, sheet.RowDimensions), (ws.column_dimensions, sheet.ColumnDimensions),
              (ws.row_dimensions[1], sheet.RowDimension), (ws.column_dimensions["A"], sheet.ColumnDimension),
              (ws.page_setup, sheet.PageSetup), (ws.sheet_properties, sheet.SheetProperties),
              (ws.sheet_properties.pageSetUpPr, sheet.PageSetupProperties), (ws.print_options, sheet.PrintOptions),
              (ws.oddFooter, sheet.Footer), (ws.oddFooter.center, sheet.FooterPart), (ws.auto_filter, sheet.AutoFilter)]
    missing = [f"{protocol.__name__}.{name}" for obj, protocol in checks for name in sorted(members(protocol))
               if not hasattr(obj, name)]
    assert missing == [], "openpyxl no longer has: " + ", ".join(missing)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1-2", "@SUM(A1)", "#N/A"])
def test_put_keeps_text_literal(text):
    book = openpyxl.Workbook()
    sheet.put(book.active, 1, 1, text, sheet.fonts("Times New Roman").plain)
    cell = openpyxl.load_workbook(io.BytesIO(workbook_bytes(book))).active["A1"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_put_drops_what_xml_cannot_hold_and_formats_dates():
    ws = openpyxl.Workbook().active
    face = sheet.fonts("Arial")
    assert sheet.put(ws, 1, 1, "a\x00b\ufffe", face.plain).value == "ab"
    day = sheet.put(ws, 2, 1, dt.date(2016, 12, 31), face.plain)
    assert day.number_format == sheet.DATE_FORMAT and day.alignment == sheet.RIGHT
    assert sheet.put(ws, 3, 1, 16281, face.bold).number_format == "General"


def test_title_block_returns_the_header_row_below_the_title():
    ws = openpyxl.Workbook().active
    top = sheet.title_block(ws, sheet.fonts("Arial"), "ĐẢNG BỘ", ("BAN CHỈ ĐẠO",), "BIỂU TỔNG HỢP", 5)
    assert (ws["A1"].value, ws["A2"].value, ws["A4"].value, top) == ("ĐẢNG BỘ", "BAN CHỈ ĐẠO", "BIỂU TỔNG HỢP", 6)
    assert ws["A4"].font.name == "Arial" and "A4:E4" in {str(r) for r in ws.merged_cells.ranges}


def test_fit_height_grows_a_row_only_for_wrapped_text():
    ws = openpyxl.Workbook().active
    sheet.fit_height(ws, 1, ["ngắn", 3], [20, 10])
    sheet.fit_height(ws, 2, ["chữ " * 30, None], [20, 10])
    assert ws.row_dimensions[1].height is None and ws.row_dimensions[2].height == 16 * 6 + 2
