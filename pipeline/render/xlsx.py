"""SummaryContext → the summary workbook (biểu tổng hợp) as .xlsx bytes.

Three sheets: TongHop (one row per unit, a totals row), DanhSach (the
organisations founded) and TinhHinhNop (who sent, whose figures count). When
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

import datetime as dt
import math
import re
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from pipeline.core.documents.summary import GroupRow, Planned, SummaryContext, SummaryRow
from pipeline.stable import workbook_bytes

SUMMARY_SHEET, LIST_SHEET, ROSTER_SHEET = "TongHop", "DanhSach", "TinhHinhNop"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
_RIGHT = Alignment(horizontal="right", vertical="center")
_TOP_LEFT = Alignment(horizontal="left")

LIST_HEADERS = (("STT", 6), ("Đơn vị", 20), ("Tên doanh nghiệp", 40), ("Mã số thuế", 16),
                ("Loại hình doanh nghiệp", 34), ("Loại tổ chức", 18), ("Số quyết định", 18),
                ("Ngày quyết định", 14), ("Số thành viên", 12))
LIST_FORMATS = (COUNT_FORMAT, None, None, TEXT_FORMAT, None, None, TEXT_FORMAT, DATE_FORMAT, COUNT_FORMAT)
LIST_CENTRED = (1, 4, 7, 8)
GROUP_WIDTH = 20
ROSTER_HEADERS = (("STT", 6), ("Tình hình nộp biểu mẫu", 36), ("Số đơn vị", 12), ("Đơn vị", 90))


@dataclass(frozen=True)
class Fonts:
    """A workbook's faces, all in the office font (style.office_font of settings.yaml)."""

    name: str
    plain: Font
    bold: Font
    title: Font


@lru_cache(maxsize=8)
def fonts(name: str) -> Fonts:
    """The faces in `name`; the same objects for the same name (cell looks are cached by identity)."""
    return Fonts(name, Font(name=name, size=12), Font(name=name, size=12, bold=True),
                 Font(name=name, size=14, bold=True))


def render_summary_xlsx(context: SummaryContext) -> bytes:
    """The whole workbook as bytes; writes no file, and the same context gives the same bytes."""
    book = Workbook()
    _summary_sheet(book.active, context)
    if context.groups:
        _group_sheet(book.create_sheet(context.group_sheet), context)
    _list_sheet(book.create_sheet(LIST_SHEET), context)
    _roster_sheet(book.create_sheet(ROSTER_SHEET), context)
    return workbook_bytes(book, title=context.title)


# --- TongHop ----------------------------------------------------------------------


def _summary_sheet(ws, c: SummaryContext) -> None:
    ws.title = SUMMARY_SHEET
    n_plan, n_people = len(c.planned), len(c.people)
    lead = [6, 24, 7] + ([GROUP_WIDTH] if c.group_header else [])
    widths = lead + [9, 9, 9] * n_plan + [14] * n_people + [12] * (2 * n_plan) + [20, 12]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.title, len(widths))
    shorts = tuple(i.short for i in c.planned)
    spans = [("STT", ()), ("Đơn vị", ()), ("Mã", ())] + ([(c.group_header, ())] if c.group_header else [])
    spans += _figure_spans(c) + [("Xếp hạng theo tỉ lệ", shorts), (f"Thực hiện năm {c.previous_year}", shorts)]
    _header(ws, face, spans + [("Tình trạng biểu mẫu", ()), ("Ghi chú", ())], top)
    first = top + 2
    for offset, row in enumerate((*c.rows, c.total)):
        _summary_row(ws, face, first + offset, row, _percent_format(c.percent_decimals), bool(c.group_header))
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=len(lead) + 1)  # headers, STT, name, code (group) stay in view
    _print_setup(ws, face, top, top + 1)


def _figure_spans(c: SummaryContext) -> list[tuple[str, tuple[str, ...]]]:
    """Plan, actual and percent per planned indicator, then a column per other indicator."""
    return ([(i.name, ("Kế hoạch", "Thực hiện", "Tỉ lệ")) for i in c.planned]
            + [(i.name, ()) for i in c.people])


def _header(ws, face: Fonts, spans: list[tuple[str, tuple[str, ...]]], row: int) -> None:
    """Two header rows: a label with sub-labels (an indicator's KH/TH/Tỉ lệ) spans their columns."""
    col = 1
    for label, subs in spans:
        width = max(1, len(subs))
        for k in range(width):
            _header_cell(ws, face, row, col + k, label if k == 0 else None)
            _header_cell(ws, face, row + 1, col + k, subs[k] if subs else None)
        if subs:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + width - 1)
        else:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += width
    ws.row_dimensions[row].height = 66
    ws.row_dimensions[row + 1].height = 50


def _summary_row(ws, face: Fonts, r: int, row: SummaryRow, percent_format: str, grouped: bool) -> None:
    lead = [row.number, row.name, row.code] + ([row.group or None] if grouped else [])
    counts = [*row.people, *row.ranks, *row.previous]
    _figures_row(ws, face, r, lead, row.planned, counts, [row.status_label, row.late_note], percent_format, row.total)


def _figures_row(ws, face: Fonts, r: int, lead: list, planned: tuple[Planned, ...], counts: list, words: list[str],
                 percent_format: str, total: bool) -> None:
    """STT, name, code (and group); plan, actual, percent per planned indicator; more counts; words."""
    font = face.bold if total else face.plain
    values: list = [*lead]
    formats: list[str | None] = [COUNT_FORMAT] + [None] * (len(lead) - 1)
    for p in planned:
        values += [p.plan, p.actual, _fraction(p.percent)]
        formats += [COUNT_FORMAT, COUNT_FORMAT, percent_format]
    values += [*counts, *words]
    formats += [COUNT_FORMAT] * len(counts) + [None] * len(words)
    for col, (value, fmt) in enumerate(zip(values, formats), start=1):
        _put(ws, r, col, value, font, alignment=_CENTER if col in (1, 3) else None, number_format=fmt)
    if total:
        # "Tổng cộng" reads across the STT, name and code columns.
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        _put(ws, r, 1, lead[1], font, alignment=_CENTER, number_format="General")  # not STT's count format


# --- the per-group sheet ------------------------------------------------------------


def _group_sheet(ws, c: SummaryContext) -> None:
    """One row per group (province): its results over its counted units, and how many those are."""
    n_plan, n_people = len(c.planned), len(c.people)
    widths = [6, 24, 7] + [9, 9, 9] * n_plan + [14] * n_people + [12] * n_plan + [14, 12]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.group_title, len(widths))
    shorts = tuple(i.short for i in c.planned)
    spans = [("STT", ()), (c.group_header, ()), ("Mã", ())] + _figure_spans(c)
    spans += [(f"Thực hiện năm {c.previous_year}", shorts), ("Số đơn vị được tổng hợp", ()), ("Tổng số đơn vị", ())]
    _header(ws, face, spans, top)
    first = top + 2
    for offset, row in enumerate(c.groups):
        _group_row(ws, face, first + offset, row, _percent_format(c.percent_decimals))
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=4)
    _print_setup(ws, face, top, top + 1)


def _group_row(ws, face: Fonts, r: int, row: GroupRow, percent_format: str) -> None:
    counts = [*row.people, *row.previous, row.counted, row.units]
    _figures_row(ws, face, r, [row.number, row.name, row.code], row.planned, counts, [], percent_format, row.total)


def _fraction(percent: Decimal | None) -> float | None:
    """65 → 0.65, exact in decimal before the one conversion to float."""
    return None if percent is None else float(percent.scaleb(-2))


def _percent_format(decimals: int) -> str:
    return "0" + ("." + "0" * decimals if decimals else "") + "%"


# --- DanhSach ---------------------------------------------------------------------


def _list_sheet(ws, c: SummaryContext) -> None:
    headers, formats, centred = list(LIST_HEADERS), list(LIST_FORMATS), LIST_CENTRED
    if c.group_header:  # the group column after the unit's
        headers.insert(2, (c.group_header, GROUP_WIDTH))
        formats.insert(2, None)
        centred = tuple(col + (col > 2) for col in centred)
    widths = [w for _, w in headers]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.list_title, len(widths))
    for col, (label, _) in enumerate(headers, start=1):
        _header_cell(ws, face, top, col, label)
    ws.row_dimensions[top].height = 34
    for r, org in enumerate(c.organisations, start=top + 1):
        values = [org.number, org.unit, org.enterprise, org.tax_code, org.legal_form, org.org_type,
                  org.decision_no, org.decision_date, org.members]
        if c.group_header:
            values.insert(2, org.group)
        for col, (value, fmt) in enumerate(zip(values, formats), start=1):
            _put(ws, r, col, value, face.plain, alignment=_CENTER if col in centred else None, number_format=fmt)
        _fit_height(ws, r, values, widths)
    last = top + len(c.organisations)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(len(widths))}{last}"
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    _print_setup(ws, face, top, top)


# --- TinhHinhNop ------------------------------------------------------------------


def _roster_sheet(ws, c: SummaryContext) -> None:
    widths = [w for _, w in ROSTER_HEADERS]
    face = fonts(c.office_font)
    top = title_block(ws, face, c.superior_body, c.issuing_body, c.roster_title, len(widths))
    for col, (label, _) in enumerate(ROSTER_HEADERS, start=1):
        _header_cell(ws, face, top, col, label)
    lines = [(None, "Tổng số đơn vị báo cáo", c.unit_count, "")]
    lines += [(n, line.label, line.count, ", ".join(line.units)) for n, line in enumerate(c.roster, start=1)]
    for r, values in enumerate(lines, start=top + 1):
        font = face.bold if values[0] is None else face.plain
        for col, value in enumerate(values, start=1):
            _put(ws, r, col, value, font, alignment=_CENTER if col == 1 else None,
                 number_format=COUNT_FORMAT if col == 3 else None)
        _fit_height(ws, r, values, widths)
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    _print_setup(ws, face, top, top)


# --- cells, sheets, printing --------------------------------------------------------


def title_block(ws, face: Fonts, superior_body: str, issuing_body: tuple[str, ...], title: str, columns: int) -> int:
    """Issuing body at the top left, then the sheet's title over `columns`; returns the header row."""
    lines = [(superior_body, face.plain), *((line, face.bold) for line in issuing_body)]
    for r, (text, font) in enumerate(lines, start=1):
        _put(ws, r, 1, text, font, border=False, alignment=_TOP_LEFT)
    title_row = len(lines) + 2
    _put(ws, title_row, 1, title, face.title, border=False, alignment=_HEADER)
    ws.merge_cells(start_row=title_row, start_column=1, end_row=title_row, end_column=columns)
    ws.row_dimensions[title_row].height = 24
    return title_row + 2


def _put(ws, row: int, col: int, value, font: Font, border: bool = True, alignment: Alignment | None = None,
         number_format: str | None = None):
    """Write one value; a str is always a literal string, whatever it starts with. Text is left-aligned,
    the rest right-aligned, dates as dates, unless `alignment` or `number_format` say otherwise."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # Control characters cannot be stored in XML at all (openpyxl refuses them), nor lone
        # surrogates (they have no UTF-8), nor U+FFFE and U+FFFF.
        cell.value = UNWRITABLE.sub("", value)
        cell.data_type = "s"  # "=…" would otherwise be a formula, "#N/A" an error value
    else:
        cell.value = value
    if number_format is None:
        number_format = DATE_FORMAT if isinstance(value, dt.date) else "General"
    _LOOKS.apply(cell, font, alignment or (_LEFT if isinstance(value, str) else _RIGHT), _BOX if border else None,
                 number_format)
    return cell


class _Looks:
    """Cell formats by look (font, alignment, border, number format), per workbook.

    openpyxl hashes the whole font, border and alignment object on every
    assignment: 70% of the national summary's 16 s. A look is set through
    openpyxl's setters on the first cell that has it; the cells after it get a
    copy of that cell's style indices, as openpyxl's own copy_worksheet does.
    The workbook's bytes are the same either way (a test compares them).
    """

    def __init__(self, reuse: bool = True) -> None:
        self.reuse = reuse  # False: every cell through the setters (tests compare the bytes)
        # workbook → {(font id, alignment id, border id, format): ((font, alignment, border), style array)}
        self.books: WeakKeyDictionary[Workbook, dict[tuple, tuple[tuple, object]]] = WeakKeyDictionary()

    def apply(self, cell, font: Font, alignment: Alignment, border: Border | None, number_format: str) -> None:
        book = cell.parent.parent
        looks = self.books.get(book)
        if looks is None:
            looks = self.books[book] = {}
        key = (id(font), id(alignment), id(border), number_format)
        hit = looks.get(key) if self.reuse else None
        if hit is not None:
            (kept_font, kept_alignment, kept_border), array = hit
            if kept_font is font and kept_alignment is alignment and kept_border is border:
                cell._style = copy(array)
                return
        cell.font, cell.alignment, cell.number_format = font, alignment, number_format
        if border is not None:
            cell.border = border
        looks[key] = ((font, alignment, border), copy(cell._style))


_LOOKS = _Looks()


def _header_cell(ws, face: Fonts, row: int, col: int, label: str | None) -> None:
    # Merged header cells keep their own borders: style every cell of the range.
    _put(ws, row, col, label, face.bold, alignment=_HEADER)


def _fit_height(ws, row: int, values, widths: list[int]) -> None:
    """Excel does not grow a row for wrapped text it did not see typed: size it here.

    Times New Roman 12 (the usual office font) fits about 1.15 characters per unit of column width.
    """
    lines = max((math.ceil(len(v) / (w * 1.15)) for v, w in zip(values, widths) if isinstance(v, str) and v),
                default=1)
    if lines > 1:
        ws.row_dimensions[row].height = 16 * lines + 2


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _print_setup(ws, face: Fonts, first_header: int, last_header: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{first_header}:{last_header}"
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = f"{face.name},Regular"
