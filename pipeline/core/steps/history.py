"""Earlier years: a published tong-hop.json checked before it is trusted, and the trend since the first year.

Pure: the caller reads the files (pipeline.io.history) and passes their
contents. A published result is used as last year's figures only when it is
ours and consistent: it states the year asked for and was written by this
generator, every unit it lists is a unit of that year with a known status,
every figure is a whole number from 0, and each city total is the sum of the
valid units' figures. Anything else gives the reason, in Vietnamese, why it
was not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeGuard

from pipeline.core.vi import percent_of

Figures = dict[str, dict[str, int]]  # unit code → indicator code → actual (as aggregate.Figures)

GENERATOR = "bao-cao-nq28"
STATUSES = ("valid", "invalid", "missing")


def published_figures(data: object, year: int, units: Iterable[str], indicators: Iterable[str]) -> Figures | str:
    """The valid units' actuals of a published tong-hop.json of `year`, or why it cannot be trusted."""
    known_units, known_indicators = set(units), set(indicators)
    if not isinstance(data, dict):
        return "nội dung không phải bảng số liệu tổng hợp"
    provenance = data.get("provenance")
    generator = provenance.get("generator") if isinstance(provenance, dict) else None
    if not isinstance(generator, str) or not generator.startswith(GENERATOR):
        return "không phải tệp do công cụ này lập (thiếu «provenance.generator»)"
    if data.get("year") != year:
        return f"tệp ghi năm {data.get('year')!r}, không phải năm {year}"
    rows = data.get("units")
    if not isinstance(rows, list) or not rows:
        return "không có danh sách đơn vị («units»)"
    figures: Figures = {}
    for row in rows:
        code = row.get("code") if isinstance(row, dict) else None
        if not isinstance(code, str) or code not in known_units:
            return f"đơn vị {code!r} không có trong danh sách đơn vị năm {year} (config/units.yaml)"
        status = row.get("status")
        if status not in STATUSES:
            return f"đơn vị {code}: trạng thái {status!r} không hợp lệ"
        if status != "valid":
            continue
        indicators_of = row.get("indicators")
        if not isinstance(indicators_of, dict):
            return f"đơn vị {code}: thiếu số liệu («indicators»)"
        unit: dict[str, int] = {}
        for ind, values in indicators_of.items():
            actual = values.get("actual") if isinstance(values, dict) else None
            if ind not in known_indicators:
                continue  # an indicator dropped since: not compared
            if not _whole(actual):
                return f"đơn vị {code}, chỉ tiêu {ind}: số thực hiện {actual!r} không phải số nguyên không âm"
            unit[ind] = actual
        figures[code] = unit
    reason = _totals_disagree(data.get("totals"), figures)
    return reason if reason else figures


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _totals_disagree(totals: object, figures: Figures) -> str:
    """Why the city totals are not the sum of the valid units' figures, or ""."""
    if not isinstance(totals, dict):
        return "không có số tổng hợp («totals»)"
    for ind, values in totals.items():
        stated = values.get("actual") if isinstance(values, dict) else None
        summed = sum(unit.get(ind, 0) for unit in figures.values())
        if any(ind in unit for unit in figures.values()) and stated != summed:
            return f"tổng chỉ tiêu {ind} ghi {stated!r}, cộng các đơn vị hợp lệ được {summed}"
    return ""


# --- the trend ------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One year of one indicator: plan (None when none was set), actual (None when no figures), percent."""

    year: int
    plan: int | None
    actual: int | None
    percent: Decimal | None


@dataclass(frozen=True)
class Trend:
    """Every year from the first with figures up to the report's year, city-wide and per unit."""

    city: dict[str, tuple[Point, ...]]  # indicator code → points, oldest first
    units: dict[str, dict[str, tuple[Point, ...]]]  # unit code → indicator code → points

    @property
    def first_year(self) -> int | None:
        points = next(iter(self.city.values()), ())
        return points[0].year if points else None

    def cumulative(self, code: str) -> int:
        """The sum of the actuals since the first year (years without figures count nothing)."""
        return sum(p.actual or 0 for p in self.city.get(code, ()))


def trend(years: Mapping[int, Figures], plans: Mapping[int, Mapping[str, Mapping[str, int]]],
          indicators: Iterable[tuple[str, bool]], unit_codes: Iterable[str], rounding: str, decimals: int) -> Trend:
    """From each year's per-unit actuals (`years`) and targets (`plans`): the points of every year from the
    first with figures up to the last one given. `indicators` are (code, has_plan); a year's city plan is
    the sum over the units with figures that year, so its percent compares like with like."""
    if not years:
        return Trend({}, {})
    span = range(min(years), max(years) + 1)
    codes = list(unit_codes)
    city: dict[str, tuple[Point, ...]] = {}
    units: dict[str, dict[str, list[Point]]] = {code: {} for code in codes}
    for ind, has_plan in indicators:
        points = []
        for year in span:
            figures, targets = years.get(year), plans.get(year, {})
            for code in codes:
                actual = figures.get(code, {}).get(ind) if figures is not None else None
                plan = targets.get(code, {}).get(ind) if has_plan else None
                units[code].setdefault(ind, []).append(_point(year, plan, actual, rounding, decimals))
            if figures is None:
                points.append(Point(year, None, None, None))
                continue
            reported = [unit for unit in figures.values() if ind in unit]
            actual_sum = sum(unit[ind] for unit in reported) if reported else None
            plan_sum = (sum(targets.get(code, {}).get(ind, 0) for code in figures) or None
                        if has_plan and targets else None)
            points.append(_point(year, plan_sum, actual_sum, rounding, decimals))
        city[ind] = tuple(points)
    return Trend(city, {code: {ind: tuple(p) for ind, p in per.items()} for code, per in units.items()})


def _point(year: int, plan: int | None, actual: int | None, rounding: str, decimals: int) -> Point:
    percent = percent_of(actual, plan, rounding, decimals) if actual is not None else None
    return Point(year, plan, actual, percent)
