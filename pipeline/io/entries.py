"""A read workbook (a checked Submission, or a Refusal) as plain JSON values, and back, exactly.

The parsed-workbook cache (`pipeline.io.parsed`) stores entries as JSON, never
as pickles: loading an entry runs no code, whoever wrote the file. Decoding is
strict: every field must be there with its exact type (an int is not a bool, a
date is a "YYYY-MM-DD" string), or `Malformed` is raised and the entry is a
miss. Encoding is as strict: a value of a type not listed here raises
`Malformed` rather than be stored as something that would not come back equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Figure, Organisation, Submission
from pipeline.issue_types import REFUSALS
from pipeline.issues import Issue

T = TypeVar("T")
Read = Submission | Refusal


class Malformed(ValueError):
    """An entry, or a value to store, that is not exactly what this module writes."""


# --- encoding ----------------------------------------------------------------------------

def encode(item: Read) -> dict[str, Any]:
    if type(item) is Refusal:
        return {"refusal": [_str(item.path), _str(item.sha256), _str(item.reason), _str(item.rule)]}
    if type(item) is not Submission:
        raise Malformed(type(item).__name__)
    return {"submission": {
        "file": _str(item.file), "sha256": _str(item.sha256), "unit_code": _str(item.unit_code),
        "unit_name": _str(item.unit_name), "year": _int(item.year, True), "prepared_on": _date(item.prepared_on),
        "preparer": _str(item.preparer), "phone": _str(item.phone),
        "figures": [_figure(f) for f in item.figures],
        "organisations": [_organisation(o) for o in item.organisations],
        "issues": [_issue(i) for i in item.issues],
        "cells": {_str(k): [_str(v[0]), _str(v[1])] for k, v in _pairs(item.cells)},
        "checked": None if item.checked is None else [_issue(i) for i in item.checked],
        "sheets": _strings(item.sheets),
    }}


def _figure(f: Figure) -> list[Any]:
    _exact(f, Figure)
    return [_str(f.code), _int(f.plan, True), _int(f.actual, True), _int(f.row), _strings(f.cells)]


def _organisation(o: Organisation) -> list[Any]:
    _exact(o, Organisation)
    return [_int(o.row), _str(o.enterprise), _str(o.tax_code), _str(o.legal_form), _str(o.org_type),
            _str(o.decision_no), _date(o.decision_date), _int(o.members, True), _strings(o.cells), _int(o.number),
            _str(o.unit), _str(o.unit_code), _str(o.group)]


def _issue(i: Issue) -> list[str]:
    _exact(i, Issue)
    return [_str(i.file), _str(i.unit), _str(i.sheet), _str(i.cell), _str(i.rule), _str(i.severity),
            _str(i.message), _str(i.explained)]


def _exact(value: object, kind: type) -> None:
    if type(value) is not kind:
        raise Malformed(f"{kind.__name__} expected, {type(value).__name__} found")


def _str(value: object) -> str:
    _exact(value, str)
    return value  # type: ignore[return-value]


def _int(value: object, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    _exact(value, int)
    return value  # type: ignore[return-value]


def _date(value: object) -> str | None:
    if value is None:
        return None
    _exact(value, dt.date)
    return value.isoformat()  # type: ignore[attr-defined]


def _pairs(mapping: object) -> list[tuple[Any, Any]]:
    _exact(mapping, dict)
    found = list(mapping.items())  # type: ignore[attr-defined]
    for _, value in found:
        _exact(value, tuple)
        if len(value) != 2:
            raise Malformed("pair expected")
    return found


def _strings(mapping: object) -> dict[str, str]:
    _exact(mapping, dict)
    return {_str(k): _str(v) for k, v in mapping.items()}  # type: ignore[attr-defined]


# --- decoding ----------------------------------------------------------------------------

def decode(value: object) -> Read:
    """The Submission or Refusal `value` encodes; Malformed when it is anything else."""
    if not isinstance(value, dict) or len(value) != 1:
        raise Malformed("one kind expected")
    if "refusal" in value:
        path, sha256, reason, rule = _fields(value["refusal"], 4, _text)
        if rule not in REFUSALS:
            raise Malformed("rule")
        return Refusal(path, sha256, reason, rule)
    data = value.get("submission")
    if not isinstance(data, dict) or set(data) != SUBMISSION_FIELDS:
        raise Malformed("submission fields")
    return Submission(
        file=_text(data["file"]), sha256=_text(data["sha256"]), unit_code=_text(data["unit_code"]),
        unit_name=_text(data["unit_name"]), year=_number(data["year"], True),
        prepared_on=_day(data["prepared_on"]), preparer=_text(data["preparer"]), phone=_text(data["phone"]),
        figures=tuple(_list_of(data["figures"], _to_figure)),
        organisations=tuple(_list_of(data["organisations"], _to_organisation)),
        issues=tuple(_list_of(data["issues"], _to_issue)),
        cells={_text(k): tuple(_fields(v, 2, _text)) for k, v in _mapping(data["cells"]).items()},
        checked=None if data["checked"] is None else tuple(_list_of(data["checked"], _to_issue)),
        sheets=_text_map(data["sheets"]),
    )


SUBMISSION_FIELDS = {"file", "sha256", "unit_code", "unit_name", "year", "prepared_on", "preparer", "phone", "figures",
                     "organisations", "issues", "cells", "checked", "sheets"}


def _to_figure(value: object) -> Figure:
    code, plan, actual, row, cells = _fields(value, 5)
    return Figure(_text(code), _number(plan, True), _number(actual, True), _number(row), _text_map(cells))  # type: ignore[arg-type]


def _to_organisation(value: object) -> Organisation:
    row, enterprise, tax, form, kind, decision, day, members, cells, number, unit, code, group = _fields(value, 13)
    return Organisation(_number(row), _text(enterprise), _text(tax), _text(form), _text(kind),  # type: ignore[arg-type]
                        _text(decision), _day(day), _number(members, True), _text_map(cells), _number(number),  # type: ignore[arg-type]
                        _text(unit), _text(code), _text(group))


def _to_issue(value: object) -> Issue:
    file, unit, sheet, cell, rule, severity, message, explained = _fields(value, 8, _text)
    if severity not in ("error", "warning"):
        raise Malformed("severity")
    return Issue(file, unit, sheet, cell, rule, severity, message, explained)


def _fields(value: object, count: int, each: Callable[[object], Any] = lambda v: v) -> list[Any]:
    if type(value) is not list or len(value) != count:
        raise Malformed(f"list of {count} expected")
    return [each(v) for v in value]


def _list_of(value: object, each: Callable[[object], T]) -> list[T]:
    if type(value) is not list:
        raise Malformed("list expected")
    return [each(v) for v in value]


def _mapping(value: object) -> dict[Any, Any]:
    if type(value) is not dict:
        raise Malformed("object expected")
    return value


def _text_map(value: object) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in _mapping(value).items()}


def _text(value: object) -> str:
    if type(value) is not str:
        raise Malformed("text expected")
    return value


def _number(value: object, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int:
        raise Malformed("integer expected")
    return value


def _day(value: object) -> dt.date | None:
    if value is None:
        return None
    day = dt.date.fromisoformat(_text(value))  # ValueError (Malformed's base) when it is no date
    if day.isoformat() != value:
        raise Malformed("date expected")
    return day
