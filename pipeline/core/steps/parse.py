"""Raw sheets → Submission. Bad cells become Issues, never exceptions.

The room for reading a workbook's sheets: legacy-encoded text made Unicode,
formula cells without a usable value marked, the ThongTin, TongHop and
DanhSach sheets found by their names, and their cells by labels and headers
(see `layout`), wherever the clerk put them. What a single cell means is
`cells`' business (to_int, to_date and their phrases); what comes out is a
`submission.Submission`, each value with its sheet and A1 cell so that every
later message can point at it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pipeline.core import layout, text
from pipeline.core.layout import Field
from pipeline.core.steps import legacy
from pipeline.core.steps.cells import cell_text, formula_problem, is_blank, to_date, to_int
from pipeline.core.steps.raw import UNCALCULATED, FormulaCell, RawSheet, RawWorkbook, Value, cell_ref
from pipeline.core.steps.submission import Figure, Organisation, Submission
from pipeline.core.vi import ascii_key, label_key
from pipeline.issue_types import (
    AMBIGUOUS_SHEET,
    BAD_DATE,
    BAD_NUMBER,
    BAD_YEAR,
    FORMULA_ERROR,
    FORMULA_NO_VALUE,
    IGNORED_SHEET,
    LEGACY_ENCODING,
    MISSING_CODE,
    MISSING_HEADER,
    MISSING_LABEL,
    MISSING_SHEET,
    MISSING_VALUE,
    IssueType,
)
from pipeline.issues import Issue

InfoValue = int | dt.date | str | None  # a ThongTin field: the year, the date prepared, or text
_T = TypeVar("_T")
MAX_FORMULA_ROWS, MAX_FORMULA_COLUMNS = 100_000, 1_000  # far beyond what the reader lets through


class _Collector:
    """Gathers the issues of one workbook, located to its sheet and cell."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.unit = ""
        self.issues: list[Issue] = []
        self.sheets: dict[str, str] = {}

    def add(self, kind: IssueType, sheet: str = "", cell: str = "", **fields: object) -> None:
        self.issues.append(kind.at(self.file, unit=self.unit, sheet=sheet, cell=cell, **fields))


def parse_workbook(book: RawWorkbook, policy: text.TextPolicy | None = None) -> Submission:
    """Read the three sheets of a submission; never raises on cell contents.

    With a `policy`, text is made printable first (see `text.clean_workbook`), once
    legacy-encoded text has become Unicode.
    """
    out = _Collector(book.path)
    book = dataclasses.replace(book, sheets=tuple(_mark_formulas(_decode_legacy(sheet, out)) for sheet in book.sheets))
    if policy is not None:
        book, found = text.clean_workbook(book, policy)
        out.issues.extend(found)
    info_sheet = _find_sheet(book, layout.INFO_SHEET, out)
    info, info_cells = _parse_info(info_sheet, out) if info_sheet else ({}, {})
    out.unit = str(info.get("unit_code") or "")
    summary = _find_sheet(book, layout.SUMMARY_SHEET, out)
    figures = _parse_summary(summary, out) if summary else ()
    listing = _find_sheet(book, layout.LIST_SHEET, out)
    organisations = _parse_list(listing, out) if listing else ()
    _report_formulas(summary, [f.cells for f in figures], out)
    _report_formulas(listing, [o.cells for o in organisations], out)
    return Submission(
        file=book.path,
        sha256=book.sha256,
        unit_code=out.unit,
        unit_name=str(info.get("unit_name") or ""),
        year=_year(info.get("year")),
        prepared_on=_day(info.get("prepared_on")),
        preparer=str(info.get("preparer") or ""),
        phone=str(info.get("phone") or ""),
        figures=figures,
        organisations=organisations,
        issues=tuple(dataclasses.replace(i, unit=i.unit or out.unit) for i in out.issues),
        cells=info_cells,
        sheets=out.sheets,
    )


# --- legacy text ------------------------------------------------------------------

ENCODING_NAMES = {"tcvn3": "TCVN3 (phông .VnTime)", "vni": "VNI (phông VNI-Times)"}


def _decode_legacy(sheet: RawSheet, out: _Collector) -> RawSheet:
    """Convert TCVN3/VNI text typed with old 8-bit fonts, with a warning per cell."""
    if not legacy.might_be_legacy(sheet.text):
        return sheet  # the usual case, decided with one search over the whole sheet
    changed = False
    rows = []
    for r, row in enumerate(sheet.rows):
        new_row = list(row)
        for c, value in enumerate(row):
            if not isinstance(value, str) or not legacy.might_be_legacy(value):
                continue
            encoding = legacy.detect(value)
            if encoding is None:
                continue
            new_row[c] = legacy.convert(value, encoding)
            changed = True
            out.add(LEGACY_ENCODING, sheet=sheet.name, cell=cell_ref(r, c), encoding=ENCODING_NAMES[encoding],
                    typed=value, converted=new_row[c])
        rows.append(tuple(new_row))
    return dataclasses.replace(sheet, rows=tuple(rows)) if changed else sheet


# --- formula cells the reader gives as blank -------------------------------------


def _mark_formulas(sheet: RawSheet) -> RawSheet:
    """Put a FormulaCell where the reader left a blank for a formula without a usable value."""
    if not sheet.formulas:
        return sheet
    rows = [list(row) for row in sheet.rows]
    for (r, c), problem in sheet.formulas.items():
        if not (0 <= r < MAX_FORMULA_ROWS and 0 <= c < MAX_FORMULA_COLUMNS):
            continue
        rows.extend([] for _ in range(r + 1 - len(rows)))
        rows[r].extend("" for _ in range(c + 1 - len(rows[r])))
        if is_blank(rows[r][c]):
            rows[r][c] = FormulaCell(problem)
    width = max(map(len, rows), default=0)
    return dataclasses.replace(sheet, rows=tuple(tuple(row) + ("",) * (width - len(row)) for row in rows))


def _formula_issue(cell: FormulaCell, label: str, sheet: str, ref: str, out: _Collector) -> None:
    kind = FORMULA_NO_VALUE if cell.problem == UNCALCULATED else FORMULA_ERROR
    out.add(kind, sheet=sheet, cell=ref, ref=ref, named=f" («{label}»)" if label else "", problem=formula_problem(cell))


def _report_formulas(sheet: RawSheet | None, rows: list[dict[str, str]], out: _Collector) -> None:
    """The formula cells of a table's text fields (numbers and dates report their own).

    A formula elsewhere, such as the STT column the blank form numbers itself
    with or a note, does not reach the report and is left alone.
    """
    if not sheet or not sheet.formulas:
        return
    reported = {(i.sheet, i.cell) for i in out.issues}
    used = {ref for refs in rows for key, ref in refs.items() if key not in ("stt", "note")}
    for r, c in sorted(sheet.formulas):
        value, ref = sheet.rows[r][c], cell_ref(r, c)
        if isinstance(value, FormulaCell) and ref in used and (sheet.name, ref) not in reported:
            _formula_issue(value, "", sheet.name, ref, out)


# --- sheets and labels --------------------------------------------------------


def _find_sheet(book: RawWorkbook, name: str, out: _Collector) -> RawSheet | None:
    """The sheet named `name`, found only when that is unambiguous.

    Names match ignoring case, spaces and diacritics ("Tong hop" is TongHop),
    but an exact name beats a folded one, and a visible sheet a hidden one:
    a clerk's draft "Tong hop" beside the real "TongHop" is named in a warning,
    never read in its place. Two equally good matches are an error naming both.
    """
    wanted = ascii_key(name)
    matches = [s for s in book.sheets if ascii_key(s.name) == wanted]
    if not matches:
        names = ", ".join(f"«{s.name}»" for s in book.sheets) or "không có"
        out.add(MISSING_SHEET, sheet=name, name=name, names=names)
        return None
    best = min(_closeness(s, name) for s in matches)
    chosen = [s for s in matches if _closeness(s, name) == best]
    if len(chosen) > 1:
        names = ", ".join(f"«{s.name}»" for s in chosen)
        out.add(AMBIGUOUS_SHEET, sheet=name, count=len(chosen), name=name, names=names)
        return None
    sheet = chosen[0]
    for other in matches:
        if other is not sheet:
            out.add(IGNORED_SHEET, sheet=other.name, other=other.name, hidden=" (trang ẩn)" if other.hidden else "",
                    name=name, read=sheet.name)
    out.sheets[name] = sheet.name
    return sheet


def _closeness(sheet: RawSheet, name: str) -> tuple[bool, bool]:
    """Sort key of a matching sheet: the exact name first, then visible before hidden."""
    return sheet.name != name, sheet.hidden


def _texts(sheet: RawSheet) -> Iterable[tuple[int, int, str]]:
    """Every string cell with something in it: only these can be labels."""
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip():  # not is_blank, without a call per cell
                yield r, c, value


# --- ThongTin -----------------------------------------------------------------


def _parse_info(sheet: RawSheet, out: _Collector) -> tuple[dict[str, InfoValue], dict[str, tuple[str, str]]]:
    by_label = {label_key(f.label): f for f in layout.INFO_FIELDS}
    found: dict[str, tuple[Value, str]] = {}
    for r, c, value in _texts(sheet):
        spec = by_label.get(label_key(value))
        if spec and spec.key not in found:
            found[spec.key] = _value_right_of(sheet, r, c)
    values: dict[str, InfoValue] = {}
    for spec in layout.INFO_FIELDS:
        if spec.key not in found:
            if spec.required:
                out.add(MISSING_LABEL, sheet=sheet.name, label=spec.label)
            continue
        raw, ref = found[spec.key]
        values[spec.key] = _info_value(spec, raw, sheet.name, ref, out)
    cells = {key: (sheet.name, ref) for key, (_, ref) in found.items()}
    return values, cells


def _value_right_of(sheet: RawSheet, r: int, c: int) -> tuple[Value, str]:
    """The first non-blank cell right of a label (merged label cells leave blanks)."""
    row = sheet.rows[r]
    for cc in range(c + 1, len(row)):
        if not is_blank(row[cc]):
            return row[cc], cell_ref(r, cc)
    return "", cell_ref(r, c + 1)


def _info_value(spec: Field, raw: Value, sheet: str, ref: str, out: _Collector) -> InfoValue:
    if isinstance(raw, FormulaCell):
        _formula_issue(raw, spec.label, sheet, ref, out)
        return None
    if spec.required and is_blank(raw):
        out.add(MISSING_VALUE, sheet=sheet, cell=ref, label=spec.label)
        return None
    if spec.key == "year":
        year, problem = to_int(raw)
        if problem or year is None or not 1900 <= year <= 2200:
            out.add(BAD_YEAR, sheet=sheet, cell=ref, label=spec.label, typed=cell_text(raw))
            return None
        return year
    if spec.key == "prepared_on":
        day, problem = to_date(raw)
        if problem:
            out.add(BAD_DATE, sheet=sheet, cell=ref, label=spec.label, problem=problem)
        return day
    text = cell_text(raw)
    return text.upper() if spec.key == "unit_code" else text


def _year(value: InfoValue) -> int | None:
    """The «Năm báo cáo» field as `_info_value` made it: an int, or None."""
    return value if isinstance(value, int) else None


def _day(value: InfoValue) -> dt.date | None:
    """The «Ngày lập biểu» field as `_info_value` made it: a date, or None."""
    return value if isinstance(value, dt.date) else None


# --- tables (TongHop, DanhSach) ------------------------------------------------


def _find_header(sheet: RawSheet, columns: tuple[Field, ...], out: _Collector) -> tuple[int, dict[str, int]] | None:
    """The first row carrying every required header; maps field key → column."""
    wanted = {label_key(f.label): f.key for f in columns}
    required = {f.key for f in columns if f.required}
    for r, row in enumerate(sheet.rows):
        mapping: dict[str, int] = {}
        for c, value in enumerate(row):
            key = wanted.get(label_key(value)) if isinstance(value, str) and value else None  # "" labels nothing
            if key and key not in mapping:
                mapping[key] = c
        if required <= mapping.keys():
            return r, mapping
    labels = ", ".join(f"«{f.label}»" for f in columns if f.required)
    out.add(MISSING_HEADER, sheet=sheet.name, labels=labels)
    return None


def _table_rows(
    sheet: RawSheet, header_row: int, mapping: dict[str, int]
) -> Iterator[tuple[int, dict[str, Value], dict[str, str]]]:
    """Rows below the header that carry something besides the STT column."""
    columns = list(mapping.items())
    content = [c for k, c in columns if k != "stt"]
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        width = len(row)
        if all(c >= width or is_blank(row[c]) for c in content):
            continue  # the bordered blank rows of a form come here: decided before building anything
        yield r, {k: (row[c] if c < width else "") for k, c in columns}, {k: cell_ref(r, c) for k, c in columns}


def _parse_summary(sheet: RawSheet, out: _Collector) -> tuple[Figure, ...]:
    header = _find_header(sheet, layout.SUMMARY_COLUMNS, out)
    if header is None:
        return ()
    figures = []
    for r, values, refs in _table_rows(sheet, *header):
        code = cell_text(values["code"]).upper()
        if not code:
            out.add(MISSING_CODE, sheet=sheet.name, cell=refs["code"])
            continue
        plan = _count(values["plan"], "Kế hoạch năm", sheet.name, refs["plan"], out)
        actual = _count(values["actual"], "Thực hiện", sheet.name, refs["actual"], out)
        figures.append(Figure(code, plan, actual, r + 1, refs))
    return tuple(figures)


def _parse_list(sheet: RawSheet, out: _Collector) -> tuple[Organisation, ...]:
    header = _find_header(sheet, layout.LIST_COLUMNS, out)
    if header is None:
        return ()
    rows = []
    for r, values, refs in _table_rows(sheet, *header):
        day = _date(values["decision_date"], "Ngày quyết định", sheet.name, refs["decision_date"], out)
        members = _count(values["members"], "Số thành viên", sheet.name, refs["members"], out)
        rows.append(
            Organisation(
                row=r + 1,
                enterprise=cell_text(values["enterprise"]),
                tax_code=cell_text(values["tax_code"]).replace(" ", ""),
                legal_form=cell_text(values["legal_form"]),
                org_type=cell_text(values["org_type"]),
                decision_no=cell_text(values["decision_no"]),
                decision_date=day,
                members=members,
                cells=refs,
            )
        )
    return tuple(rows)


def _count(raw: Value, label: str, sheet: str, ref: str, out: _Collector) -> int | None:
    return _converted(raw, to_int, BAD_NUMBER, label, sheet, ref, out)


def _date(raw: Value, label: str, sheet: str, ref: str, out: _Collector) -> dt.date | None:
    return _converted(raw, to_date, BAD_DATE, label, sheet, ref, out)


def _converted(raw: Value, convert: Callable[[Value], tuple[_T | None, str | None]], kind: IssueType, label: str,
               sheet: str, ref: str, out: _Collector) -> _T | None:
    """`convert(raw)`'s value; its problem, or a formula without a value, as an error at the cell."""
    if isinstance(raw, FormulaCell):
        _formula_issue(raw, label, sheet, ref, out)
        return None
    value, problem = convert(raw)
    if problem:
        out.add(kind, sheet=sheet, cell=ref, label=label, problem=problem)
    return value
