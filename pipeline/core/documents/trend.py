"""The trend since the first year with figures, formatted once for the status page, the summary workbook
and the notices: one row per planned indicator, one cell per year."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.steps.aggregate import Totals
from pipeline.core.steps.history import Point
from pipeline.settings import Settings


@dataclass(frozen=True)
class TrendRow:
    code: str
    name: str
    measure: str
    points: tuple[Point, ...]

    @property
    def cells(self) -> tuple[str, ...]:
        """"26 (65%)" with a plan, "24" without, "-" for a year without figures."""
        return tuple(cell(p) for p in self.points)


def cell(point: Point) -> str:
    if point.actual is None:
        return "-"
    return vi.number(point.actual) + (f" ({vi.percent(point.percent)})" if point.percent is not None else "")


def trend_rows(totals: Totals, settings: Settings) -> tuple[TrendRow, ...]:
    """City-wide, per planned indicator; empty when only this year has figures."""
    if totals.trend.first_year is None or totals.trend.first_year >= totals.year:
        return ()
    return tuple(TrendRow(i.code, i.name, i.measure, totals.trend.city.get(i.code, ()))
                 for i in settings.planned_indicators())


def trend_years(rows: tuple[TrendRow, ...]) -> tuple[int, ...]:
    return tuple(p.year for p in rows[0].points) if rows else ()


# --- the trend chart --------------------------------------------------------------


@dataclass(frozen=True)
class TrendLine:
    """One planned indicator across the years: the actual (None: no figures) and the plan (None: none set)."""

    name: str
    actuals: tuple[int | None, ...]
    plans: tuple[int | None, ...]


@dataclass(frozen=True)
class TrendChartData:
    """City-wide actual and plan per year (x axis) and planned indicator (a line each)."""

    title: str
    years: tuple[int, ...]
    measure: str  # the y axis: the indicators' common measure ("tổ chức"), else "số lượng"
    lines: tuple[TrendLine, ...]


def trend_chart(totals: Totals, settings: Settings) -> TrendChartData | None:
    """The report's trend chart; None (no chart) unless at least two years have figures."""
    rows = trend_rows(totals, settings)
    years = trend_years(rows)
    with_figures = {p.year for row in rows for p in row.points if p.actual is not None}
    if len(with_figures) < 2:
        return None
    measures = {row.measure for row in rows}
    scope = settings.general.organisation.scope
    return TrendChartData(
        title=f"Kết quả thực hiện và kế hoạch của {scope} các năm {years[0]}–{years[-1]}",
        years=years,
        measure=measures.pop() if len(measures) == 1 else "số lượng",
        # The short name ("Tổ chức Đảng"): a legend entry per line and per plan fits two to a row.
        lines=tuple(TrendLine(vi.sentence_case(i.phrase), tuple(p.actual for p in row.points),
                              tuple(p.plan for p in row.points))
                    for i, row in zip(settings.planned_indicators(), rows, strict=True)),
    )
