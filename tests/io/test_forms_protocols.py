"""pipeline.io.forms.protocols describes openpyxl's worksheet and cell to mypy with Protocols
(openpyxl has no types): only this test notices when an upgrade renames what they list."""

from __future__ import annotations

import openpyxl

from pipeline.io.forms import protocols
from tests.render.test_sheet import members


def test_openpyxl_still_has_what_the_form_protocols_describe():
    ws = openpyxl.Workbook().active
    cell = ws.cell(row=1, column=1)
    checks = [(ws, protocols.Worksheet), (cell, protocols.Cell), (ws.protection, protocols.SheetProtection),
              (ws.row_dimensions, protocols.RowDimensions), (ws.column_dimensions, protocols.ColumnDimensions),
              (ws.row_dimensions[1], protocols.RowDimension), (ws.column_dimensions["A"], protocols.ColumnDimension),
              (ws.page_setup, protocols.PageSetup), (ws.sheet_properties, protocols.SheetProperties),
              (ws.sheet_properties.pageSetUpPr, protocols.PageSetupProperties), (ws.print_options, protocols.PrintOptions),
              (ws.oddFooter, protocols.Footer), (ws.oddFooter.center, protocols.FooterPart)]
    missing = [f"{protocol.__name__}.{name}" for obj, protocol in checks for name in sorted(members(protocol))
               if not hasattr(obj, name)]
    assert missing == [], "openpyxl no longer has: " + ", ".join(missing)
