"""Formula cells calamine reads as blank, found in the sheet XML (pipeline.io.formulas)."""

from __future__ import annotations

import pytest

from pipeline.core.steps.raw import UNCALCULATED
from pipeline.io.formulas import FormulaNotes

XML = (b'<sheetData><row r="4"><c r="A4" s="1"><f>IF(B4="","",1)</f><v></v></c><c r="B4" t="s"><v>3</v></c>'
       b'<c r="C4"><f t="shared" ref="C4:C5" si="0">B4*2</f><v>6</v></c><c r="D4" t="str"><f>""</f><v></v></c>'
       b'</row><row r="5"><c r="C5"><f t="shared" si="0"/></c><c r="H5" t="e"><f>NA()</f><v>#N/A</v></c>'
       b'<c r="I5" t="e"><v>#DIV/0!</v></c><c r="J5" s="2"/><c r="K5"><v>7</v></c></row></sheetData>')
EXPECTED = {(3, 0): UNCALCULATED, (4, 2): UNCALCULATED, (4, 7): "#N/A", (4, 8): "#DIV/0!"}


def notes(*chunks: bytes) -> dict:
    found = FormulaNotes()
    for chunk in chunks:
        found.feed(chunk)
    return found.close()


def test_formulas_without_a_value_and_cached_errors_are_found():
    assert notes(XML) == EXPECTED


@pytest.mark.parametrize("cut", range(1, len(XML), 7))
def test_a_cell_cut_between_two_chunks_is_still_found(cut):
    assert notes(XML[:cut], XML[cut:]) == EXPECTED


def test_a_sheet_without_formulas_or_errors_costs_no_cell_by_cell_reading():
    assert notes(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>') == {}
