"""pipeline.io.forms describes openpyxl's worksheet and cell to mypy with Protocols
(openpyxl has no types): only this test notices when an upgrade renames what they list."""

from __future__ import annotations

import openpyxl

from pipeline.io import forms
from tests.render.test_sheet import members


def test_openpyxl_still_has_what_the_form_protocols_describe():
    ws = openpyxl.Workbook().active
    cell = ws.cell(row=1, column=1)
    checks = [(ws, forms.Worksheet), (cell, forms.Cell), (ws.protection, forms.SheetProtection),
              (ws.row_dimensions, forms.RowDimensions), (ws.column_dimensions, forms.ColumnDimensions),
              (ws.row_dimensions[1], forms.RowDimension), (ws.column_dimensions["A"], forms.ColumnDimension),
              (ws.page_setup, forms.PageSetup), (ws.sheet_properties, forms.SheetProperties),
              (ws.sheet_properties.pageSetUpPr, forms.PageSetupProperties), (ws.print_options, forms.PrintOptions),
              (ws.oddFooter, forms.Footer), (ws.oddFooter.center, forms.FooterPart)]
    missing = [f"{protocol.__name__}.{name}" for obj, protocol in checks for name in sorted(members(protocol))
               if not hasattr(obj, name)]
    assert missing == [], "openpyxl no longer has: " + ", ".join(missing)
