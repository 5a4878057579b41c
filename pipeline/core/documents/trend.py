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
