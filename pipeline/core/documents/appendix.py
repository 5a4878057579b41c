"""Totals → the report's unit tables (Phụ lục 1 and 2) and its chart, at any scale.

Up to `report.max_unit_rows_in_pdf` units, a row and a bar per unit. Past it,
a printed table of thousands of communes helps no reader: the tables and the
chart show one row per group of units.yaml (a province), or the totals only
when there are no groups, and the report says where each unit's figures are
(the summary workbook; next year's targets, in each unit's notice). Like the
rest of the report's context, every string is formatted here.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pipeline.core import labels, vi
from pipeline.core.catalogue import SUMMARY_XLSX
from pipeline.core.steps.aggregate import GroupResult, Result, Totals, UnitResult
from pipeline.core.steps.checks import missing_targets
from pipeline.settings import Indicator, Settings

TOTAL_NAME = "Tổng cộng"
LATER_CELL = "giao sau"  # a target table's cell where the target is not assigned yet (targets_pending)
NAMES_SHOWN = 30  # units named in one sentence; the rest are counted


# The report's one chart, named by its caption: the PDF places it where it fits (pipeline.render.pdf), so the
# text names it instead of saying "biểu đồ dưới đây" of a chart that may sit further on.
CHART_NAME = "Biểu đồ 1"


def targets_later(next_year: int, whose: str = "") -> str:
    """The one sentence every document says where next year's targets are not assigned yet."""
    return f"Chỉ tiêu năm {next_year}{whose} sẽ được giao sau."


def pending_targets(totals: Totals, settings: Settings) -> tuple[dict[str, tuple[str, ...]], str]:
    """Unit code → planned indicators with no target next year, and the sentence saying so ("" if none):
    «Chỉ tiêu năm 2018 của các đơn vị sẽ được giao sau.» or «… của huyện Cát Hải sẽ được giao sau.»"""
    missing = missing_targets(totals.year, settings)
    if not missing:
        return missing, ""
    expected = [u for u in totals.units if u.unit.active_in(totals.year + 1)]
    if len(missing) == len(expected):
        return missing, targets_later(totals.year + 1, " của các đơn vị")
    names = [u.unit.full_name for u in expected if u.unit.code in missing]
    shown = names[:NAMES_SHOWN] + ([f"{vi.number(len(names) - NAMES_SHOWN)} đơn vị khác"]
                                   if len(names) > NAMES_SHOWN else [])
    return missing, targets_later(totals.year + 1, f" của {vi.join_names(shown)}")


@dataclass(frozen=True)
class UnitRow:
    number: str
    name: str
    cells: tuple[str, ...]
    note: str
    total: bool = False


@dataclass(frozen=True)
class ChartSeries:
    name: str
    percents: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    """Percent of plan per unit, group or the whole (categories) and planned indicator (series)."""

    title: str
    units: tuple[str, ...]
    series: tuple[ChartSeries, ...]


@dataclass(frozen=True)
class Line:
    """One row of Phụ lục 1 and 2 before formatting: a unit, or a group of units."""

    name: str
    results: dict[str, Result]
    targets: dict[str, int]  # next year's, by indicator code
    note: str
    pending: tuple[str, ...] = ()  # indicator codes whose target next year is not assigned yet


@dataclass(frozen=True)
class AppendixTexts:
    """The words around Phụ lục 1 and 2: their titles, where the text sends the reader, and the notes
    standing in for tables too long to print ("" when the tables are printed)."""

    appendix_titles: tuple[str, str]
    results_reference: str
    targets_reference: str
    unit_list_note: str
    target_list_note: str


@dataclass(frozen=True)
class UnitTables:
    """The report's Phụ lục 1 and 2 and its chart, at the scale the run has."""

    texts: AppendixTexts
    result_rows: tuple[UnitRow, ...]
    people_rows: tuple[UnitRow, ...]
    target_rows: tuple[UnitRow, ...]
    chart: ChartData


AppendixNames = tuple[str, str, str]  # "Phụ lục 1", "Phụ lục 2", "Phụ lục 3" (or I, II, III)


def workbook_file(year: int) -> str:
    """"tệp tong-hop-2016.xlsx": how the report names the summary workbook."""
    return f"tệp {SUMMARY_XLSX.path(year=year)}"


def unit_tables(totals: Totals, planned: tuple[Indicator, ...], people: tuple[Indicator, ...],
                settings: Settings, names: AppendixNames) -> UnitTables:
    """The report context's fields for Phụ lục 1 and 2 (`names`: the appendices' names) and the chart."""
    year, next_year = totals.year, totals.year + 1
    if len(totals.units) <= settings.general.report.max_unit_rows_in_pdf:
        lines = unit_lines(totals, settings)
        codes = [u.unit.code for u in totals.units]
        chart, chart_scope = _readable_chart(totals, planned, settings)
        texts = _per_unit_texts(totals, names, chart_scope)
    else:
        lines = group_lines(totals, settings)
        codes = [g.group.code for g in totals.groups]  # a group's targets are the sums of those assigned
        scope = f"theo {group_words(totals.groups)}" if lines else ""
        texts = _condensed_texts(totals, scope, names)
        categories = ([(g.group.name, g.results) for g in totals.groups if g.counted] if lines
                      else [(vi.sentence_case(settings.general.organisation.scope), totals.totals)])
        chart = _chart(year, categories, planned)
    missing, later = pending_targets(totals, settings)
    if later:
        lines = [dataclasses.replace(line, pending=missing.get(code, ()))
                 for code, line in zip(codes, lines, strict=True)]
        texts = dataclasses.replace(
            texts, target_list_note=" ".join(filter(None, (later, texts.target_list_note))),
            targets_reference="" if year + 1 not in settings.targets else texts.targets_reference)
    return UnitTables(
        texts=texts,
        result_rows=result_rows(lines, totals, planned),
        people_rows=people_rows(lines, totals, people),
        target_rows=target_rows(lines, next_year, planned, settings),
        chart=chart,
    )


def _readable_chart(totals: Totals, planned: tuple[Indicator, ...], settings: Settings) -> tuple[ChartData, str]:
    """A bar group per counted unit while they fit `report.max_units_in_chart`; past it,
    per group of units.yaml, or the whole. Returns the chart and, when it is not per unit,
    what it shows ("theo tỉnh, thành phố", "của toàn thành phố")."""
    counted = totals.by_status("valid")
    if len(counted) <= settings.general.report.max_units_in_chart:
        return chart_data(totals, planned), ""
    groups = [(g.group.name, g.results) for g in totals.groups if g.counted]
    if groups:
        return _chart(totals.year, groups, planned), f"theo {group_words(totals.groups)}"
    scope = settings.general.organisation.scope
    return _chart(totals.year, [(vi.sentence_case(scope), totals.totals)], planned), f"của {scope}"


def _per_unit_texts(totals: Totals, names: AppendixNames, chart_scope: str = "") -> AppendixTexts:
    year, next_year = totals.year, totals.year + 1
    chart = (f"; {CHART_NAME} so sánh tỉ lệ thực hiện kế hoạch {chart_scope}" if chart_scope
             else f" và {CHART_NAME}")
    return AppendixTexts(
        appendix_titles=(f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM {year} CỦA CÁC ĐƠN VỊ",
                         f"CHỈ TIÊU GIAO CÁC ĐƠN VỊ NĂM {next_year}"),
        results_reference=(f"Kết quả của từng đơn vị tại {names[0]}{chart}; "
                           f"danh sách tổ chức thành lập mới tại {names[2]}."),
        targets_reference=f"Chỉ tiêu của từng đơn vị tại {names[1]}.",
        unit_list_note="",
        target_list_note="",
    )


def _condensed_texts(totals: Totals, scope: str, names: AppendixNames) -> AppendixTexts:
    """The words around Phụ lục 1 and 2 when they show groups (`scope`: "theo tỉnh, thành phố") or totals."""
    year, next_year = totals.year, totals.year + 1
    count = vi.number(len(totals.units))
    return AppendixTexts(
        appendix_titles=(f"KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM {year} {scope.upper()}".strip(),
                         f"CHỈ TIÊU GIAO NĂM {next_year} {scope.upper()}".strip()),
        results_reference=(f"Kết quả {scope or 'chung'} tại {names[0]} và {CHART_NAME}; kết quả của từng "
                           f"đơn vị tại biểu tổng hợp kèm theo ({workbook_file(year)}); danh sách tổ chức "
                           f"thành lập mới tại {names[2]}."),
        targets_reference=(f"Chỉ tiêu {scope or 'chung'} tại {names[1]}; chỉ tiêu của từng đơn vị tại "
                           "thông báo gửi đơn vị."),
        unit_list_note=(f"Kết quả của từng đơn vị ({count} đơn vị) được lập thành biểu tổng hợp kèm theo "
                        f"({workbook_file(year)}, trang «TongHop»), không in kèm báo cáo này."),
        target_list_note=(f"Chỉ tiêu năm {next_year} của từng đơn vị ({count} đơn vị) được giao tại thông "
                          "báo gửi đơn vị, không in kèm báo cáo này."),
    )


def group_words(groups: tuple[GroupResult, ...]) -> str:
    """The groups' levels, the most frequent first: "tỉnh, thành phố"."""
    return ", ".join(level for level, _ in Counter(g.group.level for g in groups).most_common())


# --- the rows ---------------------------------------------------------------------


def unit_lines(totals: Totals, settings: Settings) -> list[Line]:
    targets = settings.targets.get(totals.year + 1, {})
    return [Line(vi.sentence_case(u.unit.full_name), u.results, targets.get(u.unit.code, {}), _note(u))
            for u in totals.units]


def group_lines(totals: Totals, settings: Settings) -> list[Line]:
    targets = group_targets(totals.year + 1, settings)
    return [Line(vi.sentence_case(g.group.full_name), g.results, targets.get(g.group.code, {}), _group_note(g))
            for g in totals.groups]


def group_targets(year: int, settings: Settings) -> dict[str, dict[str, int]]:
    """The year's targets summed per group, over every unit given one (as the totals row sums them)."""
    sums: dict[str, Counter[str]] = {}
    for code, figures in settings.targets.get(year, {}).items():
        unit = settings.unit(code)
        if unit is not None and unit.parent:  # load_settings refuses targets for codes not in units.yaml
            sums.setdefault(unit.parent, Counter()).update(figures)
    return {group: dict(counter) for group, counter in sums.items()}


def _note(u: UnitResult) -> str:
    """What the appendix says beside a unit: nothing for a valid one, else its status; and if it was late."""
    notes = ([] if u.status == "valid" else [labels.STATUS[u.status]]) + ([labels.LATE] if u.late else [])
    return "; ".join(notes)


def _group_note(g: GroupResult) -> str:
    """Group figures cover only its counted units: say so when some are not."""
    return "" if g.counted == g.total else f"tổng hợp {vi.number(g.counted)}/{vi.number(g.total)} đơn vị"


def _rows(lines: list[Line], cells_of: Callable[[Line], tuple[str, ...]], total_cells: tuple[str, ...],
          notes: bool = True) -> tuple[UnitRow, ...]:
    rows = [UnitRow(str(n), line.name, cells_of(line), line.note if notes else "")
            for n, line in enumerate(lines, start=1)]
    rows.append(UnitRow("", TOTAL_NAME, total_cells, "", total=True))
    return tuple(rows)


def result_rows(lines: list[Line], totals: Totals, planned: tuple[Indicator, ...]) -> tuple[UnitRow, ...]:
    def cells(r: dict[str, Result]) -> tuple[str, ...]:
        out: list[str] = []
        for ind in planned:
            res = r[ind.code]
            out += [vi.number(res.plan), vi.number(res.actual), vi.percent(res.percent)]
        return tuple(out)

    return _rows(lines, lambda line: cells(line.results), cells(totals.totals))


def people_rows(lines: list[Line], totals: Totals, people: tuple[Indicator, ...]) -> tuple[UnitRow, ...]:
    def cells(r: dict[str, Result]) -> tuple[str, ...]:
        return tuple(vi.number(r[i.code].actual) for i in people)

    return _rows(lines, lambda line: cells(line.results), cells(totals.totals))


def target_rows(lines: list[Line], next_year: int, planned: tuple[Indicator, ...],
                settings: Settings) -> tuple[UnitRow, ...]:
    targets = settings.targets.get(next_year, {})
    total = tuple(vi.number(sum(t.get(i.code, 0) for t in targets.values())) if targets else LATER_CELL
                  for i in planned)

    def cells(line: Line) -> tuple[str, ...]:
        return tuple(LATER_CELL if i.code in line.pending else vi.number(line.targets.get(i.code)) for i in planned)

    return _rows(lines, cells, total, notes=False)


# --- the chart --------------------------------------------------------------------


def chart_data(totals: Totals, planned: tuple[Indicator, ...]) -> ChartData:
    """A bar group per counted unit."""
    counted = totals.by_status("valid")
    return _chart(totals.year, [(u.unit.name, u.results) for u in counted], planned)


def _chart(year: int, categories: list[tuple[str, dict[str, Result]]], planned: tuple[Indicator, ...]) -> ChartData:
    return ChartData(
        title=f"Tỉ lệ thực hiện so với kế hoạch năm {year} (%)",
        units=tuple(name for name, _ in categories),
        series=tuple(
            ChartSeries(i.name, tuple(_as_float(r[i.code].percent) for _, r in categories))
            for i in planned
        ),
    )


def _as_float(percent: Decimal | None) -> float | None:
    return None if percent is None else float(percent)
