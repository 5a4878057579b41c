"""A unit's workbook → the same workbook marked, as .xlsx bytes (see `pipeline.core.documents.feedback`).

An .xlsx/.xlsm is loaded with openpyxl and written back: the unit's sheets,
values, styles, merged cells, data validation, conditional formats, defined
names, print settings, protection and images stay as openpyxl keeps them.
openpyxl does not keep VBA macros here (the copy is an .xlsx), shapes and
text boxes, form controls, nor extension lists (x14 data validation and
sparklines); a form never has them. An .xls/.ods is rebuilt from the values
calamine read (a RawWorkbook), without its formats, and its check sheet says so.

Every located issue gets a fill (light red for an error, amber for a warning:
darker than the pale yellow of the blank form's input cells) and a comment
by the office; a comment already on the cell is kept
below ours. The check sheet is first and the one shown on opening. Text goes
in without the characters XML cannot hold, cut at Excel's 32,767 per cell.
The same bytes in give the same bytes out: the workbook's own creation and
modification times are kept (a fixed time when it has none), zip entries are dated
1980-01-01.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import tostring

from pipeline.core.documents.feedback import (
    FeedbackRequest,
    MarkedContext,
    SheetShape,
    excel_title,
    is_check_sheet,
    marked_context,
)
from pipeline.core.steps.raw import FormulaCell, RawWorkbook
from pipeline.render.sheet import (
    CENTER,
    DATE_FORMAT,
    LEFT,
    TOP_LEFT,
    UNWRITABLE,
    CellValue,
    fit_height,
    fonts,
    header_cell,
    print_setup,
    put,
    set_widths,
)
from pipeline.stable import FIXED_TIME, fixed_zip

CELL_LIMIT = 32_767  # characters in one Excel cell
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFD966")}
KEPT_COMMENT = "Ghi chú sẵn có:"
LINK_COLOUR = "0563C1"
LINE = Alignment(horizontal="left", vertical="top", wrap_text=True)


def render_marked(source: bytes, request: FeedbackRequest) -> bytes:
    """An .xlsx/.xlsm's bytes → its marked copy as .xlsx bytes; `source` itself is only read."""
    book = openpyxl.load_workbook(io.BytesIO(source), rich_text=True)
    shapes = [SheetShape(ws.title, ws.title, _merged(ws), is_check_sheet(ws["A1"].value)) for ws in book.worksheets]
    return _finish(book, marked_context(request, shapes, [chart.title for chart in book.chartsheets]))


def render_rebuilt(raw: RawWorkbook, request: FeedbackRequest) -> bytes:
    """An .xls/.ods read by calamine → a marked .xlsx of its values (formats are not kept)."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    shapes = []
    for sheet in raw.sheets:
        ws = book.create_sheet(excel_title(sheet.name, taken))
        if sheet.hidden:
            ws.sheet_state = "hidden"
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                _put_value(ws, r, c, value)
        shapes.append(SheetShape(sheet.name, ws.title, (), is_check_sheet(ws["A1"].value)))
    return _finish(book, marked_context(request, shapes))


def _put_value(ws: Any, row: int, column: int, value: object) -> None:
    if value == "" or value is None or isinstance(value, FormulaCell):
        return
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _text(value)
        cell.data_type = "s"  # a literal, never a formula
        return
    cell.value = value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.number_format = DATE_FORMAT


def _merged(ws: Any) -> tuple[tuple[int, int, int, int], ...]:
    return tuple(sorted((r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges))


def _text(value: str, limit: int = CELL_LIMIT) -> str:
    clean = UNWRITABLE.sub("", value)
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def _finish(book: Any, context: MarkedContext) -> bytes:
    if context.replaces is not None:
        book.remove(book[context.replaces])
    _mark(book, context)
    ws = book.create_sheet(context.sheet_name, 0)
    _check_sheet(ws, context)
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0
    return _stable_bytes(book)


def _mark(book: Any, context: MarkedContext) -> None:
    for mark in context.marks:
        cell = book[mark.sheet].cell(row=mark.row, column=mark.column)
        cell.fill = FILLS[mark.severity]
        text = mark.comment
        if cell.comment is not None and cell.comment.text:
            text = f"{text}\n\n{KEPT_COMMENT}\n{cell.comment.text}"
        text = _text(text)
        lines = sum(1 + len(line) // 50 for line in text.splitlines())
        comment = Comment(text, context.author)
        comment.width, comment.height = 360, min(600, 20 + 15 * lines)
        cell.comment = comment


def _check_sheet(ws: Any, c: MarkedContext) -> None:
    face = fonts(c.office_font)
    widths = [width for _, width in c.headers]
    put(ws, 1, 1, c.title, face.title, border=False, alignment=TOP_LEFT)
    for r, line in enumerate(c.lines, start=2):  # each line across the table's width, wrapped
        put(ws, r, 1, line, face.bold if r == 2 else face.plain, border=False, alignment=LINE)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(widths))
        fit_height(ws, r, [line], [sum(widths)])
    top = len(c.lines) + 3
    for col, (label, _) in enumerate(c.headers, start=1):
        header_cell(ws, face, top, col, label)
    link_font = Font(name=face.name, size=12, color=LINK_COLOUR, underline="single")
    for r, row in enumerate(c.rows, start=top + 1):
        values: list[CellValue] = [row.number, row.severity, row.sheet, row.cell, _text(row.message), row.rule]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, face.bold if col == 2 and row.is_error else face.plain,
                alignment=CENTER if col in (1, 2, 4) else LEFT)
        if row.link:
            cell = ws.cell(row=r, column=4)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=row.link)
            cell.font = link_font
        ws.cell(row=r, column=2).fill = FILLS["error" if row.is_error else "warning"]
        fit_height(ws, r, values, widths)
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    if c.rows:
        ws.auto_filter.ref = f"A{top}:F{top + len(c.rows)}"
    print_setup(ws, face, top, top)


def _stable_bytes(book: Any) -> bytes:
    """The workbook saved with its own creation and modification times (a fixed one when it has none)
    and fixed zip dates: the same input gives the same bytes."""
    props = book.properties
    created = props.created or FIXED_TIME
    modified = props.modified or created
    props.created = created
    buffer = io.BytesIO()
    book.save(buffer)
    props.modified = modified  # openpyxl stamps the time of saving; put the workbook's own back
    return fixed_zip(buffer.getvalue(), {"docProps/core.xml": tostring(props.to_tree())})
