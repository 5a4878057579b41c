"""A unit's own workbook, marked: which cell gets which mark and what the check sheet lists.

The office sends each unit its workbook back with every located issue marked
on its cell (a fill by severity and a comment with the message) and a first
sheet listing every issue with a link to its cell. This module decides all of
that from the issues and the shape of the workbook (its sheets, their merged
ranges); `pipeline.render.marked` only writes it with openpyxl.

Decisions made here:
- an issue's sheet is the name as the clerk sees it (NFC); it is matched to
  the workbook's sheet by that name, NFC on both sides;
- a cell inside a merged range is marked on the range's top-left cell (the
  only one Excel shows); the check sheet still names the issue's own cell;
- a cell beyond the used range is marked all the same (an empty cell that
  must be filled in); one beyond Excel's grid, or no cell at all, is not;
- several issues on one cell share its mark: the error colour if any is an
  error, the messages one a line in the comment;
- the check sheet is called CHECK_SHEET; a sheet of that name that an earlier
  marked copy left (its title says so) is replaced, any other sheet of that
  name (in any case) is kept and the check sheet takes "KiemTra (2)" and so on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.core import labels
from pipeline.issues import Issue, Severity
from pipeline.textnorm import nfc

CHECK_SHEET = "KiemTra"
TITLE = "KẾT QUẢ KIỂM TRA BIỂU MẪU"  # the check sheet's first cell: how a later run knows its own sheet
HEADERS = (("STT", 6), ("Mức độ", 11), ("Trang tính", 16), ("Ô", 8), ("Nội dung", 70), ("Mã quy tắc", 22))
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # Excel's grid
SHEET_NAME_LIMIT = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


@dataclass(frozen=True)
class SheetShape:
    """One sheet of the workbook as it will be written: the name issues use, its title in the
    written file (different only when rebuilt from an .ods whose name Excel does not allow), its
    merged ranges as (first row, first column, last row, last column), 1-based, and whether it is a
    check sheet an earlier marked copy left (see `is_check_sheet`)."""

    name: str
    title: str
    merged: tuple[tuple[int, int, int, int], ...] = ()
    check_sheet: bool = False


@dataclass(frozen=True)
class FeedbackRequest:
    """What to mark: one unit's workbook and the issues found for it (as given, none dropped)."""

    unit_code: str
    unit_name: str
    file: str
    issues: tuple[Issue, ...]
    author: str  # who signs the comments: the office (organisation.agency)
    office_font: str  # the check sheet's font (style.office_font)
    rebuilt_from: str = ""  # ".xls" or ".ods": the copy is rebuilt from values, and says so


@dataclass(frozen=True)
class CellMark:
    sheet: str  # the sheet's title in the written file
    row: int
    column: int
    severity: Severity
    comment: str


@dataclass(frozen=True)
class CheckRow:
    number: int
    severity: str  # "Lỗi" / "Cảnh báo"
    is_error: bool
    sheet: str
    cell: str
    message: str
    rule: str
    link: str | None  # an internal location, "'Tổng hợp'!D7"; None when the issue has no cell in the workbook


@dataclass(frozen=True)
class MarkedContext:
    sheet_name: str  # the check sheet's title
    replaces: str | None  # the title of an earlier check sheet to drop first
    title: str
    lines: tuple[str, ...]  # under the title: unit, file, counts, how to use, the rebuilt note
    rows: tuple[CheckRow, ...]
    marks: tuple[CellMark, ...]
    author: str
    office_font: str
    headers: tuple[tuple[str, int], ...] = field(default=HEADERS)


def is_check_sheet(first_cell: object) -> bool:
    """Whether a sheet whose A1 holds `first_cell` is a check sheet written by an earlier run."""
    return isinstance(first_cell, str) and first_cell.startswith(TITLE)


def quoted_location(sheet: str, cell: str) -> str:
    """An internal link's location: the sheet name always quoted, its apostrophes doubled."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def parse_cell(cell: str) -> tuple[int, int] | None:
    """"D7" (or "$D$7") → (row 7, column 4); None for no cell or one outside Excel's grid."""
    found = A1.match(cell.strip())
    if not found:
        return None
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + ord(letter) - 64
    row = int(found.group(2))
    if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
        return None
    return row, column


def excel_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, at most 31 characters, not blank), unique among `taken`
    (compared without case, as Excel does); `taken` gains it."""
    title = SHEET_NAME_FORBIDDEN.sub("_", name).strip("'")[:SHEET_NAME_LIMIT] or "Sheet"
    candidate, n = title, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = title[:SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


def marked_context(request: FeedbackRequest, sheets: Sequence[SheetShape],
                   other_titles: Sequence[str] = ()) -> MarkedContext:
    """Everything the marked copy shows, from the issues and the workbook's sheets (`other_titles`:
    sheets no issue can point into, chart sheets, whose names the check sheet must not take)."""
    replaces = next((s.title for s in sheets if s.check_sheet and s.title.casefold() == CHECK_SHEET.casefold()), None)
    kept = [s for s in sheets if s.title != replaces]
    sheet_name = excel_title(CHECK_SHEET, {s.title.casefold() for s in kept} | {t.casefold() for t in other_titles})
    by_name = {nfc(s.name): s for s in kept}
    order = {nfc(s.name): k for k, s in enumerate(kept)}
    located: list[tuple[Issue, SheetShape | None, tuple[int, int] | None]] = []
    for issue in request.issues:
        shape = by_name.get(nfc(issue.sheet)) if issue.sheet else None
        located.append((issue, shape, parse_cell(issue.cell) if shape else None))
    located.sort(key=lambda x: _order(x[0], x[2], order))
    rows = tuple(
        CheckRow(n, labels.SEVERITY[issue.severity], issue.is_error, issue.sheet, issue.cell, issue.message,
                 issue.rule, quoted_location(shape.title, _top_left(shape, where)) if shape and where else None)
        for n, (issue, shape, where) in enumerate(located, start=1))
    return MarkedContext(sheet_name, replaces, TITLE, _lines(request), rows, _marks(located), request.author,
                         request.office_font)


def _order(issue: Issue, where: tuple[int, int] | None, order: dict[str, int]) -> tuple[int, int, int, str, str]:
    """No sheet first, then the workbook's sheet order, then row and column; a sheet not in it last."""
    sheet = -1 if not issue.sheet else order.get(nfc(issue.sheet), len(order))
    row, column = where or (0, 0)
    return sheet, row, column, issue.rule, issue.message


def _top_left(shape: SheetShape, where: tuple[int, int]) -> str:
    row, column = _anchor(shape, where)
    return _a1(row, column)


def _anchor(shape: SheetShape, where: tuple[int, int]) -> tuple[int, int]:
    """The cell Excel shows for `where`: the top-left of a merged range that holds it."""
    row, column = where
    for first_row, first_column, last_row, last_column in shape.merged:
        if first_row <= row <= last_row and first_column <= column <= last_column:
            return first_row, first_column
    return where


def _a1(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _marks(located: list[tuple[Issue, SheetShape | None, tuple[int, int] | None]]) -> tuple[CellMark, ...]:
    cells: dict[tuple[str, int, int], list[Issue]] = {}
    for issue, shape, where in located:
        if shape is not None and where is not None:
            row, column = _anchor(shape, where)
            found = cells.setdefault((shape.title, row, column), [])
            if issue not in found:
                found.append(issue)
    marks = []
    for (title, row, column), issues in cells.items():
        severity: Severity = "error" if any(i.is_error for i in issues) else "warning"
        text = "\n".join(f"{labels.SEVERITY[i.severity]}: {i.message}" for i in issues)
        marks.append(CellMark(title, row, column, severity, text))
    return tuple(marks)


def _lines(request: FeedbackRequest) -> tuple[str, ...]:
    errors = sum(i.is_error for i in request.issues)
    warnings = len(request.issues) - errors
    unit = f"{request.unit_name} ({request.unit_code})" if request.unit_name else request.unit_code
    lines = [f"Đơn vị: {unit}", f"Tệp: {request.file}",
             f"Có {errors} lỗi và {warnings} cảnh báo." if request.issues else "Không có lỗi hay cảnh báo nào.",
             "Ô có lỗi được tô hồng, ô có cảnh báo được tô vàng đậm; mỗi ô có ghi chú nêu vấn đề. "
             "Bấm vào ô ở cột «Ô» để đến ô đó; sửa xong thì lưu và gửi lại chính tệp này."]
    if request.rebuilt_from:
        lines.append(f"Biểu mẫu gốc là tệp {request.rebuilt_from}: bản này dựng lại từ giá trị, "
                     "không giữ định dạng.")
    return tuple(lines)
