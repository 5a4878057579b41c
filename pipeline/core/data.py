"""Totals → the machine-readable outputs of SPEC §7 (tong-hop.json).

Plain dicts and lists in a fixed order, so the same inputs give the same
bytes. Percentages are JSON numbers: whole when the configured decimals are
0, otherwise the rounded decimal.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline import __version__
from pipeline.core.aggregate import Result, Totals


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _figures(result: Result) -> dict[str, object]:
    return {"plan": result.plan, "actual": result.actual, "percent": json_number(result.percent)}


def tong_hop(totals: Totals) -> dict[str, object]:
    """The SPEC §7 summary: units, totals, completeness and provenance."""
    units = [
        {
            "code": u.unit.code,
            "name": u.unit.full_name,
            "status": u.status,
            "late": u.late,
            "file": u.file,
            "indicators": {code: _figures(r) for code, r in u.results.items()},
            "rank": u.ranks,
        }
        for u in totals.units
    ]
    sums = {
        code: {**_figures(r), "previous_year": r.previous}
        for code, r in totals.totals.items()
    }
    return {
        "year": totals.year,
        "units": units,
        "totals": sums,
        "blank_units": [u.code for u in totals.blank_units],
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
