"""SummaryContext → the summary workbook (biểu tổng hợp) as .xlsx bytes.

Three sheets: TongHop (one row per unit, a totals row), DanhSach (the
organisations founded) and TinhHinhNop (who sent, whose figures count); then
CacNam (every year since the first with figures, and their sum) when there
is more than one year; last ChiTieuNamSau, next year's target of every unit
and their sum, or the one sentence saying they will be assigned later. When
the units are grouped (communes under provinces), TongHop and DanhSach gain
a group column and a fourth sheet, after TongHop, gives each group's results.

Formats, chosen so that a Vietnamese Excel shows what the report prints:
- counts are ints with '#,##0': the ',' in a format code is the grouping
  placeholder, shown as '.' under the vi-VN locale ("16.281");
- percents are stored as a fraction (0.65) with '0%' ('0.0%' … for configured
  decimals): Excel's own percent, so filters, charts and formulas treat it as
  one. The stored fraction is the report's already-rounded percent / 100, so
  the display cannot round differently ("220%" stays 220%, never 221%);
- dates are real dates with 'dd/mm/yyyy'; tax codes and decision numbers are
  text ('@'), so leading zeros and "12/3" survive.

Every string is written as a literal (inline string): text that came from a
clerk's workbook ("=HYPERLINK(…)", "+1-2", "@SUM(A1)") must never become a
formula. The same context gives the same bytes (fixed properties and zip
time stamps, as for the blank forms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.core.documents.summary import (
    GroupRow,
    IndicatorColumn,
    Planned,
    SummaryContext,
    SummaryRow,
    TargetRow,
    TargetSheet,
    TrendYear,
)
from pipeline.core.steps.submission import Organisation
from pipeline.render.parts import Looks, SheetParts, Sheets
from pipeline.render.sheet import (
    BOX,
    CENTER,
    DATE_FORMAT,
    HEADER,
    LEFT,
    RIGHT,
    TOP_LEFT,
    CellValue,
    Fonts,
    Worksheet,
    fit_height,
    fonts,
    header_cell,
    print_setup,
    put,
    set_widths,
    title_block,
)
from pipeline.stable import workbook_bytes

SUMMARY_SHEET, LIST_SHEET, ROSTER_SHEET, TREND_SHEET = "TongHop", "DanhSach", "TinhHinhNop", "CacNam"
TARGET_SHEET = "ChiTieuNamSau"  # a fixed name, like the others: the year is in its title
COUNT_FORMAT = "#,##0"
TEXT_FORMAT = "@"

LIST_HEADERS = (("STT", 6), ("Đơn vị", 20), ("Tên doanh nghiệp", 40), ("Mã số thuế", 16),
                ("Loại hình doanh nghiệp", 34), ("Loại tổ chức", 18), ("Số quyết định", 18),
                ("Ngày quyết định", 14), ("Số thành viên", 12))
LIST_FORMATS = (COUNT_FORMAT, None, None, TEXT_FORMAT, None, None, TEXT_FORMAT, DATE_FORMAT, COUNT_FORMAT)
LIST_CENTRED = (1, 4, 7, 8)
GROUP_WIDTH = 20
# A header's label and its sub-labels (an indicator's KH/TH/Tỉ lệ), each a column.
Span = tuple[str, tuple[str, ...]]
ROSTER_HEADERS = (("STT", 6), ("Tình hình nộp biểu mẫu", 36), ("Số đơn vị", 12), ("Đơn vị", 90))


@dataclass(frozen=True)
class Heading:
    """The title block a sheet starts with: the office's lines and the sheet's title, in the office font."""

    office_font: str
    superior_body: str
    issuing_body: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class ListInput:
    """All that DanhSach shows: its part is kept between runs under this object's repr (pipeline.render.parts)."""

    heading: Heading
    group_header: str
    organisations: tuple[Organisation, ...]


@dataclass(frozen=True)
class TargetInput:
    """All that ChiTieuNamSau shows (kept as DanhSach is)."""

    heading: Heading
    group_header: str
    planned: tuple[IndicatorColumn, ...]
    targets: TargetSheet


def render_summary_xlsx(context: SummaryContext, parts: SheetParts | None = None) -> bytes:
    """The whole workbook as bytes; writes no file, and the same context gives the same bytes.
    With `parts`, DanhSach and ChiTieuNamSau are taken from there when their input is unchanged,
    and kept there when made (the same bytes either way)."""
    book = Workbook()
    sheets = Sheets(book, _looks(context), parts)
    _summary_sheet(book.active, context)
    if context.groups:
        _group_sheet(book.create_sheet(context.group_sheet), context)
    sheets.build(book.create_sheet(LIST_SHEET), _list_sheet, _list_input(context))
    _roster_sheet(book.create_sheet(ROSTER_SHEET), context)
    if context.trend:
        _trend_sheet(book.create_sheet(TREND_SHEET), context)
    sheets.build(book.create_sheet(TARGET_SHEET), _target_sheet, _target_input(context))
    data = workbook_bytes(book, title=context.title, day=context.date, parts=sheets.replacements())
    sheets.keep(data)
    return data


def _looks(c: SummaryContext) -> Looks:
    """Every look the sheets below give a cell (see `put`), so each sheet's style numbers are its own."""
    face = fonts(c.office_font)
    formats = ("General", COUNT_FORMAT, TEXT_FORMAT, DATE_FORMAT, _percent_format(c.percent_decimals))
    return Looks((face.plain, face.bold, face.title), (HEADER, CENTER, LEFT, RIGHT, TOP_LEFT), (BOX, None), formats)


def _heading(c: SummaryContext, title: str) -> Heading:
    return Heading(c.office_font, c.superior_body, c.issuing_body, title)


def _list_input(c: SummaryContext) -> ListInput:
    return ListInput(_heading(c, c.list_title), c.group_header, c.organisations)


def _target_input(c: SummaryContext) -> TargetInput:
    return TargetInput(_heading(c, c.targets.title), c.group_header, c.planned, c.targets)


# --- TongHop ----------------------------------------------------------------------


def _summary_sheet(ws: Worksheet, c: SummaryContext) -> None:
    ws.title = SUMMARY_SHEET
    n_plan, n_people = len(c.planned), len(c.people)
    lead = [6, 24, 7] + ([GROUP_WIDTH] if c.group_header else [])
    widths = lead + [9, 9, 9] * n_plan + [14] * n_people + [12] * (2 * n_plan) + [20, 12]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.title, len(widths))
    shorts = tuple(i.short for i in c.planned)
    spans: list[Span] = [("STT", ()), ("Đơn vị", ()), ("Mã", ()), *([(c.group_header, ())] if c.group_header else [])]
    spans += [*_figure_spans(c), ("Xếp hạng theo tỉ lệ", shorts), (f"Thực hiện năm {c.previous_year}", shorts)]
    _header(ws, face, [*spans, ("Tình trạng biểu mẫu", ()), ("Ghi chú", ())], top)
    first = top + 2
    for offset, row in enumerate((*c.rows, c.total)):
        _summary_row(ws, face, first + offset, row, _percent_format(c.percent_decimals), bool(c.group_header))
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=len(lead) + 1)  # headers, STT, name, code (group) stay in view
    print_setup(ws, face, top, top + 1)


def _figure_spans(c: SummaryContext) -> list[Span]:
    """Plan, actual and percent per planned indicator, then a column per other indicator."""
    return ([(i.name, ("Kế hoạch", "Thực hiện", "Tỉ lệ")) for i in c.planned]
            + [(i.name, ()) for i in c.people])


def _header(ws: Worksheet, face: Fonts, spans: Sequence[Span], row: int) -> None:
    """Two header rows: a label with sub-labels (an indicator's KH/TH/Tỉ lệ) spans their columns."""
    col = 1
    for label, subs in spans:
        width = max(1, len(subs))
        for k in range(width):
            header_cell(ws, face, row, col + k, label if k == 0 else None)
            header_cell(ws, face, row + 1, col + k, subs[k] if subs else None)
        if subs:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + width - 1)
        else:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += width
    ws.row_dimensions[row].height = 66
    ws.row_dimensions[row + 1].height = 50


def _summary_row(ws: Worksheet, face: Fonts, r: int, row: SummaryRow, percent_format: str, grouped: bool) -> None:
    lead: list[CellValue] = [row.number, row.name, row.code, *([row.group or None] if grouped else [])]
    counts = [*row.people, *row.ranks, *row.previous]
    _figures_row(ws, face, r, lead, row.planned, counts, [row.status_label, row.late_note], percent_format, row.total)


def _figures_row(ws: Worksheet, face: Fonts, r: int, lead: Sequence[CellValue], planned: tuple[Planned, ...],
                 counts: Sequence[int | None], words: Sequence[str], percent_format: str, total: bool) -> None:
    """STT, name, code (and group); plan, actual, percent per planned indicator; more counts; words."""
    font = face.bold if total else face.plain
    values: list[CellValue] = [*lead]
    formats: list[str | None] = [COUNT_FORMAT] + [None] * (len(lead) - 1)
    for p in planned:
        values += [p.plan, p.actual, _fraction(p.percent)]
        formats += [COUNT_FORMAT, COUNT_FORMAT, percent_format]
    values += [*counts, *words]
    formats += [COUNT_FORMAT] * len(counts) + [None] * len(words)
    for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
        put(ws, r, col, value, font, alignment=CENTER if col in (1, 3) else None, number_format=fmt)
    if total:
        # "Tổng cộng" reads across the STT, name and code columns.
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        put(ws, r, 1, lead[1], font, alignment=CENTER, number_format="General")  # not STT's count format


# --- the per-group sheet ------------------------------------------------------------


def _group_sheet(ws: Worksheet, c: SummaryContext) -> None:
    """One row per group (province): its results over its counted units, and how many those are."""
    n_plan, n_people = len(c.planned), len(c.people)
    widths = [6, 24, 7] + [9, 9, 9] * n_plan + [14] * n_people + [12] * n_plan + [14, 12]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.group_title, len(widths))
    shorts = tuple(i.short for i in c.planned)
    spans: list[Span] = [("STT", ()), (c.group_header, ()), ("Mã", ()), *_figure_spans(c)]
    spans += [(f"Thực hiện năm {c.previous_year}", shorts), ("Số đơn vị được tổng hợp", ()), ("Tổng số đơn vị", ())]
    _header(ws, face, spans, top)
    first = top + 2
    for offset, row in enumerate(c.groups):
        _group_row(ws, face, first + offset, row, _percent_format(c.percent_decimals))
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=4)
    print_setup(ws, face, top, top + 1)


def _group_row(ws: Worksheet, face: Fonts, r: int, row: GroupRow, percent_format: str) -> None:
    counts = [*row.people, *row.previous, row.counted, row.units]
    _figures_row(ws, face, r, [row.number, row.name, row.code], row.planned, counts, [], percent_format, row.total)


def _fraction(percent: Decimal | None) -> float | None:
    """65 → 0.65, exact in decimal before the one conversion to float."""
    return None if percent is None else float(percent.scaleb(-2))


def _percent_format(decimals: int) -> str:
    return "0" + ("." + "0" * decimals if decimals else "") + "%"


# --- DanhSach ---------------------------------------------------------------------


def _list_sheet(ws: Worksheet, c: ListInput) -> None:
    headers, formats = list(LIST_HEADERS), list(LIST_FORMATS)
    centred: tuple[int, ...] = LIST_CENTRED
    if c.group_header:  # the group column after the unit's
        headers.insert(2, (c.group_header, GROUP_WIDTH))
        formats.insert(2, None)
        centred = tuple(col + (col > 2) for col in centred)
    widths = [w for _, w in headers]
    face = fonts(c.heading.office_font)
    top = _title_block(ws, face, c.heading, len(widths))
    for col, (label, _) in enumerate(headers, start=1):
        header_cell(ws, face, top, col, label)
    ws.row_dimensions[top].height = 34
    for r, org in enumerate(c.organisations, start=top + 1):
        values: list[CellValue] = [org.number, org.unit, org.enterprise, org.tax_code, org.legal_form, org.org_type,
                                   org.decision_no, org.decision_date, org.members]
        if c.group_header:
            values.insert(2, org.group)
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            put(ws, r, col, value, face.plain, alignment=CENTER if col in centred else None, number_format=fmt)
        fit_height(ws, r, values, widths)
    last = top + len(c.organisations)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(widths))}{last}"
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    print_setup(ws, face, top, top)


# --- CacNam: the trend since the first year with figures ----------------------------------


def _trend_sheet(ws: Worksheet, c: SummaryContext) -> None:
    """One row per year: plan, actual and percent of each planned indicator; then the sum since the first."""
    widths = [6, 18] + [9, 9, 9] * len(c.planned)
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.trend_title, len(widths))
    spans: list[Span] = [("STT", ()), ("Năm", ()), *[(i.name, ("Kế hoạch", "Thực hiện", "Tỉ lệ")) for i in c.planned]]
    _header(ws, face, spans, top)
    first = top + 2
    for offset, row in enumerate(c.trend):
        lead: list[CellValue] = [None if row.total else offset + 1, row.label]
        _trend_row(ws, face, first + offset, lead, row, _percent_format(c.percent_decimals))
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=3)
    print_setup(ws, face, top, top + 1)


def _trend_row(ws: Worksheet, face: Fonts, r: int, lead: list[CellValue], row: TrendYear, percent_format: str) -> None:
    font = face.bold if row.total else face.plain
    values: list[CellValue] = [*lead]
    formats: list[str | None] = [COUNT_FORMAT, None]
    for p in row.planned:
        values += [p.plan, p.actual, _fraction(p.percent)]
        formats += [COUNT_FORMAT, COUNT_FORMAT, percent_format]
    for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
        put(ws, r, col, value, font, alignment=CENTER if col in (1, 2) else None, number_format=fmt)


# --- ChiTieuNamSau: next year's targets ----------------------------------------------------


def _target_sheet(ws: Worksheet, c: TargetInput) -> None:
    """A row per unit of next year and the totals row; only the sentence when no target is assigned yet."""
    sheet = c.targets
    lead = [("STT", 6), ("Đơn vị", 26), ("Mã", 7), *([(c.group_header, GROUP_WIDTH)] if c.group_header else [])]
    headers = [*lead, *((f"{i.name} ({i.measure})", 18) for i in c.planned), ("Ghi chú", 14)]
    widths = [w for _, w in headers]
    face = fonts(c.heading.office_font)
    top = _title_block(ws, face, c.heading, len(widths))
    set_widths(ws, widths)
    if not sheet.rows:  # the sentence, not a table of blanks
        put(ws, top, 1, sheet.note, face.plain, border=False, alignment=TOP_LEFT)
        ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=len(widths))
        print_setup(ws, face, top, top)
        return
    for col, (label, _) in enumerate(headers, start=1):
        header_cell(ws, face, top, col, label)
    ws.row_dimensions[top].height = 50
    for r, row in enumerate(sheet.rows, start=top + 1):
        _target_row(ws, face, r, row, len(lead))
    if sheet.note:  # some units' targets come later: say whose, under the table
        put(ws, top + len(sheet.rows) + 2, 1, sheet.note, face.plain, border=False, alignment=TOP_LEFT)
    ws.freeze_panes = ws.cell(row=top + 1, column=len(lead) + 1)
    print_setup(ws, face, top, top)


def _target_row(ws: Worksheet, face: Fonts, r: int, row: TargetRow, lead: int) -> None:
    font = face.bold if row.total else face.plain
    values: list[CellValue] = [row.number, row.name, row.code, *([row.group or None] if lead > 3 else []),
                               *row.targets, row.note or None]
    for col, value in enumerate(values, start=1):
        number = col == 1 or lead < col <= len(values) - 1
        put(ws, r, col, value, font, alignment=CENTER if col in (1, 3) else None,
            number_format=COUNT_FORMAT if number else None)
    if row.total:  # "Tổng cộng" reads across the STT, name and code columns, as on TongHop
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        put(ws, r, 1, row.name, font, alignment=CENTER, number_format="General")


def _title_block(ws: Worksheet, face: Fonts, heading: Heading, columns: int) -> int:
    return title_block(ws, face, heading.superior_body, heading.issuing_body, heading.title, columns)


# --- TinhHinhNop ------------------------------------------------------------------


def _roster_sheet(ws: Worksheet, c: SummaryContext) -> None:
    widths = [w for _, w in ROSTER_HEADERS]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.roster_title, len(widths))
    for col, (label, _) in enumerate(ROSTER_HEADERS, start=1):
        header_cell(ws, face, top, col, label)
    lines: list[tuple[int | None, str, int, str]] = [(None, "Tổng số đơn vị báo cáo", c.unit_count, "")]
    lines += [(n, line.label, line.count, ", ".join(line.units)) for n, line in enumerate(c.roster, start=1)]
    for r, values in enumerate(lines, start=top + 1):
        font = face.bold if values[0] is None else face.plain
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, font, alignment=CENTER if col == 1 else None,
                number_format=COUNT_FORMAT if col == 3 else None)
        fit_height(ws, r, values, widths)
    set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    print_setup(ws, face, top, top)
