"""Submissions → per-unit and city-wide results. Never mutates its inputs.

Plans come from config (the workbook only repeats them). Only valid units
enter the totals, so every total equals the sum of the counted units' figures;
invalid and missing units are listed with their status. Percentages use the
configured rounding mode; ranks are competition ranks (1, 2, 2, 4) by percent
of plan, then by the count itself. When units.yaml groups the units (communes
under provinces), each group gets the same figures as the city total, over
its own counted units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from pipeline.core.labels import Status
from pipeline.core.steps.history import Trend, trend
from pipeline.core.steps.validate import Validation
from pipeline.core.vi import percent_of
from pipeline.settings import Group, Indicator, Settings, Unit

Figures = dict[str, dict[str, int]]


_Row = tuple[Unit, Status, str, dict[str, "Result"]]  # a unit, its status, its file, its results

@dataclass(frozen=True)
class Result:
    plan: int | None
    actual: int | None
    percent: Decimal | None
    previous: int | None


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    status: Status
    file: str
    results: dict[str, Result]
    ranks: dict[str, int]
    late: bool = False


@dataclass(frozen=True)
class GroupResult:
    """A group of units (a province): its results over its counted units, as for the city total."""

    group: Group
    counted: int  # units whose figures enter the results
    total: int  # units of the group in the year, whatever their status
    results: dict[str, Result]


@dataclass(frozen=True)
class Totals:
    """Everything the documents say about one year."""

    year: int
    units: tuple[UnitResult, ...]
    totals: dict[str, Result]
    blank_units: tuple[Unit, ...]
    previous_source: str
    sources: tuple[tuple[str, str], ...]
    groups: tuple[GroupResult, ...] = ()  # config order; empty when units.yaml has no groups
    trend: Trend = field(default_factory=lambda: Trend({}, {}))  # every year since the first with figures
    previous_wording: str = ""  # previous_source as an official document says it (no file names)

    def by_status(self, status: Status) -> tuple[UnitResult, ...]:
        return self._by_status.get(status, ())

    @cached_property
    def _by_status(self) -> dict[str, tuple[UnitResult, ...]]:
        # Grouped once: every notice asks how many units are counted.
        grouped: dict[str, list[UnitResult]] = defaultdict(list)
        for u in self.units:
            grouped[u.status].append(u)
        return {status: tuple(units) for status, units in grouped.items()}


def actuals(validation: Validation) -> Figures:
    """unit code → indicator code → actual, for the valid units."""
    out: Figures = {}
    for code in validation.counted():
        sub = validation.submissions[code]
        out[code] = {f.code: f.actual for f in sub.figures if f.actual is not None}
    return out


def aggregate(validation: Validation, previous: Figures, previous_source: str, settings: Settings,
              earlier: Mapping[int, Figures] | None = None) -> Totals:
    """Per unit and city-wide plan, actual, percent, change on the previous year, rank; and the trend
    from `earlier` (year → per-unit actuals of the years before) up to this year."""
    year = validation.year
    numbers = settings.general.numbers
    current = actuals(validation)
    targets = settings.targets.get(year, {})

    def result(code: str, ind: Indicator, counted: bool) -> Result:
        plan = targets.get(code, {}).get(ind.code) if ind.has_plan else None
        actual = current.get(code, {}).get(ind.code) if counted else None
        pct = (percent_of(actual, plan, numbers.percent_rounding, numbers.percent_decimals)
               if actual is not None else None)
        return Result(plan, actual, pct, previous.get(code, {}).get(ind.code))

    rows: list[_Row] = []
    for unit in settings.units_in(year):
        status = validation.status[unit.code]
        sub = validation.submissions.get(unit.code)
        results = {ind.code: result(unit.code, ind, status == "valid") for ind in settings.indicators}
        rows.append((unit, status, sub.file if sub else "", results))
    ranks = _ranks(rows, settings.planned_indicators())
    units = tuple(UnitResult(u, s, f, r, ranks[u.code], u.code in validation.late) for u, s, f, r in rows)
    counted = [u for u in units if u.status == "valid"]
    totals = {ind.code: _total(ind, counted, settings) for ind in settings.indicators}
    blank = settings.general.blank_indicator
    blank_units = tuple(u.unit for u in counted if u.results[blank].actual == 0)
    sources = tuple(sorted((s.file, s.sha256) for s in validation.submissions.values()))
    groups = _groups(units, settings)
    years = {y: figures for y, figures in (earlier or {}).items() if y < year}
    if previous and year - 1 not in years:
        years[year - 1] = previous
    years[year] = current
    history = trend(years, settings.targets, [(i.code, i.has_plan) for i in settings.indicators],
                    [u.code for u in settings.units_in(year)], numbers.percent_rounding, numbers.percent_decimals)
    return Totals(year, units, totals, blank_units, previous_source, sources, groups, history)


def _groups(units: tuple[UnitResult, ...], settings: Settings) -> tuple[GroupResult, ...]:
    """Per group with units in the year: the totals' figures over the group's counted units."""
    members: dict[str, list[UnitResult]] = defaultdict(list)
    for u in units:
        if u.unit.parent is not None:
            members[u.unit.parent].append(u)
    results = []
    for group in settings.groups:
        if group.code not in members:
            continue
        counted = [u for u in members[group.code] if u.status == "valid"]
        sums = {ind.code: _total(ind, counted, settings) for ind in settings.indicators}
        results.append(GroupResult(group, len(counted), len(members[group.code]), sums))
    return tuple(results)


def _total(ind: Indicator, counted: list[UnitResult], settings: Settings) -> Result:
    numbers = settings.general.numbers
    actual = sum(u.results[ind.code].actual or 0 for u in counted)
    plan = sum(u.results[ind.code].plan or 0 for u in counted) if ind.has_plan else None
    # Compare like with like: last year's figures of the same units that are counted now.
    prev_values = [p for u in counted if (p := u.results[ind.code].previous) is not None]
    prev = sum(prev_values) if prev_values else None
    pct = percent_of(actual, plan, numbers.percent_rounding, numbers.percent_decimals)
    return Result(plan, actual, pct, prev)


def _ranks(rows: list[_Row], indicators: tuple[Indicator, ...]) -> dict[str, dict[str, int]]:
    """Competition rank per planned indicator among the valid units.

    A unit's rank is 1 + the number of units with a strictly higher score: in
    descending order, the position of the first unit with the same score.
    """
    ranks: dict[str, dict[str, int]] = {u.code: {} for u, *_ in rows}
    for ind in indicators:
        scored = sorted(((_score(r[ind.code]), u.code) for u, status, _, r in rows if status == "valid"),
                        key=lambda pair: pair[0], reverse=True)
        rank, previous = 0, None
        for position, (score, code) in enumerate(scored, start=1):
            if score != previous:
                rank, previous = position, score
            ranks[code][ind.code] = rank
    return ranks


def _score(result: Result) -> tuple[Decimal, int]:
    """Percent of plan (no percent ranks below 0%), then the count itself."""
    return (result.percent if result.percent is not None else Decimal(-1), result.actual or 0)
