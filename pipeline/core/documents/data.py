"""Totals → the machine-readable outputs of SPEC §7 (tong-hop.json).

Plain dicts and lists in a fixed order, so the same inputs give the same
bytes. Percentages are JSON numbers: whole when the configured decimals are
0, otherwise the rounded decimal. When units.yaml groups the units, each unit
names its group and "groups" gives each group's results (keys only added). "trend" gives every year
from the first with figures up to this one, city-wide and under each unit.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline import __version__
from pipeline.core.steps.aggregate import GroupResult, Result, Totals
from pipeline.core.steps.history import Point


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _figures(result: Result) -> dict[str, object]:
    return {"plan": result.plan, "actual": result.actual, "percent": json_number(result.percent)}


def _sums(results: dict[str, Result]) -> dict[str, dict[str, object]]:
    return {code: {**_figures(r), "previous_year": r.previous} for code, r in results.items()}


def _trend(points: dict[str, tuple[Point, ...]]) -> dict[str, list[dict[str, object]]]:
    """indicator code → every year since the first with figures: year, plan, actual, percent."""
    return {code: [{"year": p.year, "plan": p.plan, "actual": p.actual, "percent": json_number(p.percent)}
                   for p in series] for code, series in points.items()}


def _group(g: GroupResult) -> dict[str, object]:
    return {
        "code": g.group.code,
        "name": g.group.full_name,
        "units": g.total,
        "counted": g.counted,
        "indicators": _sums(g.results),
    }


def next_year_targets(year: int, targets: dict[str, dict[str, int]], codes: list[str]) -> dict[str, object]:
    """The targets the report of `year` assigns for `year` + 1, per unit (in `codes` order) and summed:
    what the next run compares with to list the targets changed since (see yearend.changed_targets)."""
    units = {code: dict(targets[code]) for code in codes if code in targets}
    summed: dict[str, int] = {}
    for figures in units.values():
        for code, value in figures.items():
            summed[code] = summed.get(code, 0) + value
    return {"year": year + 1, "units": units, "totals": summed}


def tong_hop(totals: Totals, targets: dict[str, dict[str, int]] | None = None) -> dict[str, object]:
    """The SPEC §7 summary: units, totals, completeness and provenance (and groups, if any); with
    `targets` (config/targets.yaml's for next year), "next_year_targets" too."""
    grouped = bool(totals.groups)
    units = [
        {
            "code": u.unit.code,
            "name": u.unit.full_name,
            "status": u.status,
            "late": u.late,
            "file": u.file,
            "indicators": {code: _figures(r) for code, r in u.results.items()},
            "rank": u.ranks,
            "trend": _trend(totals.trend.units.get(u.unit.code, {})),
            **({"group": u.unit.parent} if grouped else {}),
        }
        for u in totals.units
    ]
    return {
        "year": totals.year,
        "units": units,
        "totals": _sums(totals.totals),
        "trend": _trend(totals.trend.city),
        **({"groups": [_group(g) for g in totals.groups]} if grouped else {}),
        "blank_units": [u.code for u in totals.blank_units],
        **({"next_year_targets": next_year_targets(totals.year, targets, [u.unit.code for u in totals.units])}
           if targets is not None else {}),
        "completeness": {
            "submitted": [u.unit.code for u in totals.units if u.status != "missing"],
            **{status: [u.unit.code for u in totals.by_status(status)] for status in ("valid", "invalid", "missing")},
            "late": [u.unit.code for u in totals.units if u.late],
        },
        "provenance": {
            "generator": f"bao-cao-nq28 {__version__}",
            "previous_year_source": totals.previous_source,
            "sources": [{"file": f, "sha256": h} for f, h in totals.sources],
        },
    }
