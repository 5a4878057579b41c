"""Totals + settings → the context of the summary workbook (biểu tổng hợp).

Unlike the report's context, the figures here stay typed (ints, Decimal
percents, dates): a spreadsheet must hold numbers a clerk can sum and sort,
and the renderer gives them a number format instead of a string. Only the
words (titles, unit names, status labels) are made here, so the workbook says
the same as the report and tong-hop.json.

Invalid and missing units keep the row tong-hop.json gives them: the plan
assigned in config and last year's figure, but no actual, percent or rank.

When units.yaml groups the units (communes under provinces), every unit row
and organisation row names its group, and a sheet of its own gives each
group's results; without groups those fields stay empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pipeline.core import labels, vi
from pipeline.core.documents.appendix import LATER_CELL, group_words, pending_targets, targets_later
from pipeline.core.labels import Status
from pipeline.core.steps.aggregate import GroupResult, Result, Totals, UnitResult
from pipeline.core.steps.submission import Organisation
from pipeline.settings import Indicator, Settings

TOTAL_NAME = "Tổng cộng"
RosterKey = Literal["submitted", "valid", "invalid", "missing", "late"]  # a line of the roster sheet


@dataclass(frozen=True)
class IndicatorColumn:
    code: str
    name: str
    short: str  # "Tổ chức Đảng": fits a narrow sub-header where the full name does not
    measure: str


@dataclass(frozen=True)
class Planned:
    """One planned indicator of one row; percent already rounded as configured."""

    plan: int | None
    actual: int | None
    percent: Decimal | None


@dataclass(frozen=True)
class SummaryRow:
    """One unit, or the totals row; tuples follow `planned` and `people` in order."""

    number: int | None
    name: str
    code: str
    status: Status | Literal[""]  # "" on the totals row
    status_label: str
    late: bool
    late_note: str
    planned: tuple[Planned, ...]
    people: tuple[int | None, ...]
    ranks: tuple[int | None, ...]
    previous: tuple[int | None, ...]
    total: bool = False
    group: str = ""  # "Thành phố Hà Nội"; "" when units are not grouped, and on the totals row


@dataclass(frozen=True)
class GroupRow:
    """One group of units (a province), or the totals row, of the per-group sheet."""

    number: int | None
    name: str
    code: str
    counted: int  # units whose figures are summed
    units: int  # units of the group in the year
    planned: tuple[Planned, ...]
    people: tuple[int | None, ...]
    previous: tuple[int | None, ...]
    total: bool = False


@dataclass(frozen=True)
class RosterLine:
    key: RosterKey
    label: str
    count: int
    units: tuple[str, ...]


@dataclass(frozen=True)
class GroupSheet:
    """The per-group sheet's names and rows; all empty when units.yaml has no groups."""

    header: str = ""  # "Tỉnh, thành phố": the group column's header
    sheet: str = ""  # "TheoTinhThanhPho"
    title: str = ""
    groups: tuple[GroupRow, ...] = ()  # one per group, then the totals row


@dataclass(frozen=True)
class TrendYear:
    """One row of the trend sheet: a year (or the cumulative row, `label` set) and its planned figures."""

    label: str  # "2015", or "Cộng 2015–2016"
    planned: tuple[Planned, ...]
    total: bool = False


@dataclass(frozen=True)
class TargetRow:
    """One unit of next year, or the totals row, of the targets sheet: a target per planned indicator."""

    number: int | None
    name: str
    code: str
    group: str  # "" when units are not grouped, and on the totals row
    targets: tuple[int | None, ...]  # None: not assigned yet
    note: str  # "giao sau" when some of the unit's targets are not assigned yet
    total: bool = False


@dataclass(frozen=True)
class TargetSheet:
    """Next year's targets by unit; with none assigned yet, no rows and a note saying so instead."""

    title: str = ""
    note: str = ""  # "Chỉ tiêu năm 2018 … sẽ được giao sau.": "" when every unit has its targets
    rows: tuple[TargetRow, ...] = ()  # one per unit of next year, then the totals row; () when none assigned


@dataclass(frozen=True)
class SummaryContext:
    year: int
    previous_year: int
    title: str
    list_title: str
    roster_title: str
    superior_body: str
    issuing_body: tuple[str, ...]  # one entry per printed line, as in settings.yaml
    percent_decimals: int
    planned: tuple[IndicatorColumn, ...]
    people: tuple[IndicatorColumn, ...]
    rows: tuple[SummaryRow, ...]
    total: SummaryRow
    organisations: tuple[Organisation, ...]  # listed (numbered, with unit and group)
    unit_count: int
    roster: tuple[RosterLine, ...]
    office_font: str  # style.office_font: the workbook is opened in Excel, not printed by WeasyPrint
    date: dt.date | None = None  # the document date (years/<YEAR>.yaml `date`): the workbook's "created"
    group_header: str = ""  # "Tỉnh, thành phố": the group column's header; "" when units are not grouped
    group_sheet: str = ""  # "TheoTinhThanhPho"
    group_title: str = ""
    groups: tuple[GroupRow, ...] = ()  # one per group, then the totals row
    trend_title: str = ""  # the trend sheet's title; "" (no sheet) when only this year has figures
    trend: tuple[TrendYear, ...] = ()  # one row per year since the first with figures, then the sum
    targets: TargetSheet = TargetSheet()  # next year's targets by unit


def trend_sheet_rows(totals: Totals, planned: tuple[Indicator, ...]) -> tuple[TrendYear, ...]:
    """City-wide plan, actual and percent of every year since the first with figures, then their sum."""
    first = totals.trend.first_year
    if first is None or first >= totals.year:
        return ()
    series = [totals.trend.city.get(i.code, ()) for i in planned]
    rows = [TrendYear(str(points[0].year), tuple(Planned(p.plan, p.actual, p.percent) for p in points))
            for points in zip(*series, strict=True)]
    cumulative = tuple(Planned(None, totals.trend.cumulative(i.code), None) for i in planned)
    return (*rows, TrendYear(f"Cộng {first}–{totals.year}", cumulative, total=True))


def summary_context(totals: Totals, organisations: dict[str, tuple[Organisation, ...]],
                    settings: Settings) -> SummaryContext:
    year = totals.year
    org = settings.general.organisation
    planned = settings.planned_indicators()
    people = tuple(i for i in settings.indicators if not i.has_plan)
    groups = {g.group.code: vi.sentence_case(g.group.full_name) for g in totals.groups}
    group_sheet = _group_sheet(totals, planned, people, settings)
    return SummaryContext(
        year=year,
        previous_year=year - 1,
        date=settings.document_settings(year).date,
        title=f"BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN {org.resolution.upper()} NĂM {year}",
        list_title=f"DANH SÁCH TỔ CHỨC THÀNH LẬP MỚI NĂM {year}",
        roster_title=f"TÌNH HÌNH NỘP BIỂU MẪU NĂM {year}",
        superior_body=org.superior_body,
        issuing_body=tuple(line.strip() for line in org.issuing_body.splitlines() if line.strip()),
        percent_decimals=settings.general.numbers.percent_decimals,
        planned=_columns(planned),
        people=_columns(people),
        rows=tuple(unit_row(n, u, planned, people, _group_name(groups, u.unit.parent))
                   for n, u in enumerate(totals.units, start=1)),
        total=total_row(totals, planned, people),
        organisations=organisation_rows(totals, organisations, groups),
        unit_count=len(totals.units),
        roster=roster(totals),
        office_font=settings.general.style.office_font,
        group_header=group_sheet.header,
        group_sheet=group_sheet.sheet,
        group_title=group_sheet.title,
        groups=group_sheet.groups,
        trend_title=f"KẾT QUẢ CÁC NĂM {totals.trend.first_year}–{year}" if trend_sheet_rows(totals, planned) else "",
        trend=trend_sheet_rows(totals, planned),
        targets=target_sheet(totals, planned, settings),
    )


def target_sheet(totals: Totals, planned: tuple[Indicator, ...], settings: Settings) -> TargetSheet:
    """Every unit of next year (config order) with its target per planned indicator, and their sum
    (as the report's Phụ lục 2 sums them); only the note when no target is assigned yet."""
    next_year = totals.year + 1
    title = f"CHỈ TIÊU NĂM {next_year} GIAO CÁC ĐƠN VỊ"
    assigned = settings.targets.get(next_year, {})
    if not assigned:
        return TargetSheet(title, targets_later(next_year))
    groups = {g.code: vi.sentence_case(g.full_name) for g in settings.groups}
    rows = []
    for n, unit in enumerate(settings.units_in(next_year), start=1):
        figures = assigned.get(unit.code, {})
        targets = tuple(figures.get(i.code) for i in planned)
        rows.append(TargetRow(n, vi.sentence_case(unit.full_name), unit.code, _group_name(groups, unit.parent),
                              targets, LATER_CELL if None in targets else ""))
    total = tuple(sum(f.get(i.code, 0) for f in assigned.values()) for i in planned)
    rows.append(TargetRow(None, TOTAL_NAME, "", "", total, "", total=True))
    return TargetSheet(title, pending_targets(totals, settings)[1], tuple(rows))


def _group_name(groups: Mapping[str, str], parent: str | None) -> str:
    """The name a unit's rows carry for its group; "" without groups or a parent."""
    return groups.get(parent, "") if parent is not None else ""


def _group_sheet(totals: Totals, planned: tuple[Indicator, ...], people: tuple[Indicator, ...],
                 settings: Settings) -> GroupSheet:
    """The per-group sheet's names and rows; empty when units.yaml has no groups."""
    if not totals.groups:
        return GroupSheet()
    words = group_words(totals.groups)
    resolution = settings.general.organisation.resolution
    total = GroupRow(None, TOTAL_NAME, "", len(totals.by_status("valid")), len(totals.units),
                     _planned(totals.totals, planned), tuple(totals.totals[i.code].actual for i in people),
                     tuple(totals.totals[i.code].previous for i in planned), total=True)
    return GroupSheet(
        header=vi.sentence_case(words),
        sheet=sheet_name(f"theo {words}"),
        title=f"KẾT QUẢ THỰC HIỆN {resolution.upper()} NĂM {totals.year} THEO {words.upper()}",
        groups=(*(group_row(n, g, planned, people) for n, g in enumerate(totals.groups, start=1)), total),
    )


def sheet_name(words: str) -> str:
    """"theo tỉnh, thành phố" → "TheoTinhThanhPho": no diacritics, spaces or punctuation, 31 characters at most."""
    return "".join(vi.ascii_key(w).capitalize() for w in re.split(r"[\s,;/]+", words))[:31]


def group_row(number: int, g: GroupResult, planned: tuple[Indicator, ...], people: tuple[Indicator, ...]) -> GroupRow:
    return GroupRow(
        number=number,
        name=vi.sentence_case(g.group.full_name),
        code=g.group.code,
        counted=g.counted,
        units=g.total,
        planned=_planned(g.results, planned),
        people=tuple(g.results[i.code].actual for i in people),
        previous=tuple(g.results[i.code].previous for i in planned),
    )


def _columns(indicators: tuple[Indicator, ...]) -> tuple[IndicatorColumn, ...]:
    return tuple(IndicatorColumn(i.code, i.name, vi.sentence_case(i.phrase), i.measure) for i in indicators)


def _planned(results: dict[str, Result], planned: tuple[Indicator, ...]) -> tuple[Planned, ...]:
    return tuple(Planned(results[i.code].plan, results[i.code].actual, results[i.code].percent) for i in planned)


def unit_row(number: int, u: UnitResult, planned: tuple[Indicator, ...], people: tuple[Indicator, ...],
             group: str = "") -> SummaryRow:
    return SummaryRow(
        number=number,
        name=vi.sentence_case(u.unit.full_name),
        code=u.unit.code,
        status=u.status,
        status_label=labels.STATUS[u.status],
        late=u.late,
        late_note=labels.LATE if u.late else "",
        planned=_planned(u.results, planned),
        people=tuple(u.results[i.code].actual for i in people),
        # Only valid units are ranked; the others have no entry in u.ranks.
        ranks=tuple(u.ranks.get(i.code) for i in planned),
        previous=tuple(u.results[i.code].previous for i in planned),
        group=group,
    )


def total_row(totals: Totals, planned: tuple[Indicator, ...], people: tuple[Indicator, ...]) -> SummaryRow:
    sums = totals.totals
    return SummaryRow(
        number=None,
        name=TOTAL_NAME,
        code="",
        status="",
        status_label="",
        late=False,
        late_note="",
        planned=_planned(sums, planned),
        people=tuple(sums[i.code].actual for i in people),
        ranks=tuple(None for _ in planned),
        previous=tuple(sums[i.code].previous for i in planned),
        total=True,
    )


def organisation_rows(totals: Totals, organisations: dict[str, tuple[Organisation, ...]],
                      groups: dict[str, str] | None = None) -> tuple[Organisation, ...]:
    """The organisations of the counted (valid) units, as the report's appendix lists them.

    `groups`: group code → the name its units' rows carry (none without groups).
    """
    rows: list[Organisation] = []
    for u in totals.by_status("valid"):
        name = vi.sentence_case(u.unit.full_name)
        group = _group_name(groups or {}, u.unit.parent)
        for org in organisations.get(u.unit.code, ()):
            rows.append(org.listed(len(rows) + 1, name, u.unit.code, group))
    return tuple(rows)


def roster(totals: Totals) -> tuple[RosterLine, ...]:
    """Who sent a form, whose figures count, who is missing or late."""
    groups: tuple[tuple[RosterKey, str, list[UnitResult]], ...] = (
        ("submitted", "Đã nộp", [u for u in totals.units if u.status != "missing"]),
        ("valid", "Hợp lệ, được tổng hợp", list(totals.by_status("valid"))),
        ("invalid", "Số liệu chưa hợp lệ, chưa tổng hợp", list(totals.by_status("invalid"))),
        ("missing", "Chưa nộp", list(totals.by_status("missing"))),
        ("late", "Nộp muộn", [u for u in totals.units if u.late]),
    )
    return tuple(
        RosterLine(key, label, len(units), tuple(vi.sentence_case(u.unit.full_name) for u in units))
        for key, label, units in groups
    )
