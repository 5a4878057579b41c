"""One small function per validation rule over a single submission.

Each check takes the submission and the settings and yields Issues; none
raises. Each issue is of a type of the catalogue (`pipeline.issue_types`),
which holds its code, severity and Vietnamese message template; the rules of
config/rules.yaml bring their own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from pipeline.core import layout
from pipeline.core.steps.submission import Organisation, Submission
from pipeline.core.steps.taxcode import valid_tax_code
from pipeline.core.vi import label_key, number, short_date
from pipeline.expressions import Value
from pipeline.issue_types import (
    AMBIGUOUS_SHEET,
    BAD_TAX_CODE,
    BAD_TAX_CODE_LOST_ZERO,
    BAD_TAX_CODE_LOST_ZERO_STILL_BAD,
    COUNT_TOO_LARGE,
    DATE_OUTSIDE_PERIOD,
    DUPLICATE_INDICATOR,
    INACTIVE_UNIT,
    LATE_SUBMISSION,
    LIST_COUNT_MISMATCH,
    MISSING_ACTUAL,
    MISSING_HEADER,
    MISSING_INDICATOR,
    MISSING_SHEET,
    MISSING_VALUE,
    PLAN_MISMATCH,
    UNKNOWN_INDICATOR,
    UNKNOWN_LEGAL_FORM,
    UNKNOWN_ORG_TYPE,
    UNKNOWN_UNIT,
    configured,
)
from pipeline.issues import Issue
from pipeline.settings import Rule, Settings

Checks = Iterator[Issue]
KNOWN_CODES_SHOWN = 30  # a message can list a city's codes, not a country's


def _known(settings: Settings) -> str:
    """"(AD, AL, …)", or for a long list its first codes and where the rest are."""
    codes = [u.code for u in settings.units]
    if len(codes) <= KNOWN_CODES_SHOWN:
        return f"({', '.join(codes)})"
    rest = len(codes) - KNOWN_CODES_SHOWN
    return f"({', '.join(codes[:KNOWN_CODES_SHOWN])}, … và {rest} mã khác trong config/units.yaml)"


def known_unit(sub: Submission, settings: Settings) -> Checks:
    """The unit code is configured, and the unit exists in the year reported."""
    if not sub.unit_code:
        return
    sheet, cell = sub.cells.get("unit_code", (sub.sheet(layout.INFO_SHEET), ""))
    unit = settings.unit(sub.unit_code)
    if unit is None:
        yield UNKNOWN_UNIT.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=cell, code=sub.unit_code,
                              known=_known(settings))
    elif sub.year and not unit.active_in(sub.year):
        yield INACTIVE_UNIT.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=cell, unit_name=unit.full_name,
                               year=sub.year)


def indicator_rows(sub: Submission, settings: Settings) -> Checks:
    """Every configured indicator appears once; no unknown codes."""
    counts = Counter(f.code for f in sub.figures)
    for fig in sub.figures:
        sheet = sub.sheet(layout.SUMMARY_SHEET)
        if settings.indicator(fig.code) is None:
            yield UNKNOWN_INDICATOR.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=fig.cells["code"],
                                       indicator=fig.code)
        elif counts[fig.code] > 1:
            yield DUPLICATE_INDICATOR.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=fig.cells["code"],
                                         indicator=indicator_name(fig.code, settings))
        elif fig.actual is None and not _flagged(sub, sheet, fig.cells["actual"]):
            yield MISSING_ACTUAL.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=fig.cells["actual"],
                                    indicator=indicator_name(fig.code, settings))
    if _table_read(sub, layout.SUMMARY_SHEET):
        for ind in settings.indicators:
            if ind.code not in counts:
                yield MISSING_INDICATOR.at(sub.file, unit=sub.unit_code, sheet=sub.sheet(layout.SUMMARY_SHEET),
                                           indicator=ind.code, name=ind.name)


def indicator_name(code: str, settings: Settings) -> str:
    """An indicator as a message names it for a clerk: «Tổ chức đảng thành lập mới», not TCD
    (a code config/indicators.yaml does not know stays as typed)."""
    ind = settings.indicator(code)
    return f"«{ind.name}»" if ind else f"«{code}»"


def plan_matches(sub: Submission, settings: Settings) -> Checks:
    """The workbook repeats the assigned targets; a different figure is a warning."""
    assigned = settings.targets.get(sub.year or 0, {}).get(sub.unit_code)
    if assigned is None:
        return
    for fig in sub.figures:
        expected = assigned.get(fig.code)
        if expected is not None and fig.plan is not None and fig.plan != expected:
            yield PLAN_MISMATCH.at(sub.file, unit=sub.unit_code, sheet=sub.sheet(layout.SUMMARY_SHEET),
                                   cell=fig.cells["plan"], indicator=indicator_name(fig.code, settings), plan=fig.plan,
                                   assigned=expected)


def list_matches_summary(sub: Submission, settings: Settings) -> Checks:
    """Biểu số 02 counts per organisation type equal the figures of Biểu số 01."""
    if not _table_read(sub, layout.LIST_SHEET):
        return  # reading already said the list is missing: no count mismatch to repeat it
    types = _org_type_index(settings)
    counted = Counter(types.get(label_key(o.org_type)) for o in sub.organisations)
    for ind in settings.indicators:
        fig = sub.figure(ind.code)
        if not ind.org_types or fig is None or fig.actual is None:
            continue
        if counted[ind.code] != fig.actual:
            yield LIST_COUNT_MISMATCH.at(sub.file, unit=sub.unit_code, sheet=sub.sheet(layout.SUMMARY_SHEET),
                                         cell=fig.cells["actual"], indicator=f"«{ind.name}»", actual=fig.actual,
                                         listed=counted[ind.code], types=", ".join(ind.org_types))


def list_rows(sub: Submission, settings: Settings) -> Checks:
    """Each organisation row: known type, tax code, legal form, date in the year."""
    types = {label_key(t) for t in settings.general.org_types}
    forms = {label_key(f) for f in settings.general.enterprise_forms}
    start, end = settings.general.reporting.period(sub.year) if sub.year else (None, None)
    for org in sub.organisations:
        at = functools.partial(_list_cell, sub, org)
        if not org.enterprise and not _flagged(sub, layout.LIST_SHEET, org.cells["enterprise"]):
            yield MISSING_VALUE.at(sub.file, **at("enterprise"), label="Tên doanh nghiệp")
        if label_key(org.org_type) not in types and not _flagged(sub, layout.LIST_SHEET, org.cells["org_type"]):
            yield UNKNOWN_ORG_TYPE.at(sub.file, **at("org_type"), allowed=", ".join(settings.general.org_types),
                                      typed=org.org_type)
        if not valid_tax_code(org.tax_code) and not _flagged(sub, layout.LIST_SHEET, org.cells["tax_code"]):
            yield _bad_tax_code(sub.file, org.tax_code, at("tax_code"))
        if org.legal_form and label_key(org.legal_form) not in forms:
            yield UNKNOWN_LEGAL_FORM.at(sub.file, **at("legal_form"), legal_form=org.legal_form)
        if start and end and org.decision_date and not start <= org.decision_date <= end:
            yield DATE_OUTSIDE_PERIOD.at(sub.file, **at("decision_date"), date=short_date(org.decision_date),
                                         year=sub.year, start=short_date(start), end=short_date(end))


def _list_cell(sub: Submission, org: Organisation, key: str) -> dict[str, str]:
    """Where an organisation row's field is: unit, list sheet, cell."""
    return {"unit": sub.unit_code, "sheet": sub.sheet(layout.LIST_SHEET), "cell": org.cells[key]}


def _bad_tax_code(file: str, code: str, where: dict[str, str]) -> Issue:
    """Why a tax code is refused; a 9- or 12-digit one most likely lost its leading 0 in a number cell."""
    if code.isdigit() and len(code) in (9, 12):
        fixed = "0" + code
        kind = BAD_TAX_CODE_LOST_ZERO if valid_tax_code(fixed) else BAD_TAX_CODE_LOST_ZERO_STILL_BAD
        return kind.at(file, **where, tax_code=code, digits=len(code), fixed=fixed)
    return BAD_TAX_CODE.at(file, **where, tax_code=code)


def counts_within_limits(sub: Submission, settings: Settings) -> Checks:
    """Plans, results and member counts within settings.general.limits.max_count."""
    limit = settings.general.limits.max_count
    for fig in sub.figures:  # the indicator's name only for a count over the limit: most never are
        for key, label, value in (("plan", "Kế hoạch năm", fig.plan), ("actual", "Thực hiện", fig.actual)):
            if value is not None and value > limit:
                yield COUNT_TOO_LARGE.at(sub.file, unit=sub.unit_code, sheet=layout.SUMMARY_SHEET,
                                         cell=fig.cells[key], value=number(value), limit=number(limit),
                                         what=f"«{label}» của chỉ tiêu {indicator_name(fig.code, settings)}")
    for org in sub.organisations:
        if org.members is not None and org.members > limit:
            yield COUNT_TOO_LARGE.at(sub.file, unit=sub.unit_code, sheet=layout.LIST_SHEET,
                                     cell=org.cells.get("members", ""), what="«Số thành viên»",
                                     value=number(org.members), limit=number(limit))


def configured_rules(sub: Submission, settings: Settings) -> Checks:
    """The DHIS2-style rules of config/rules.yaml, over this submission's figures.

    Rules that use last year's figures (CODE.previous) wait for them: see `previous_year_rules`."""
    yield from _rules(sub, settings, [r for r in settings.rules if not uses_previous(r)], {})


def previous_year_rules(sub: Submission, settings: Settings, previous: dict[str, int]) -> Checks:
    """The rules of config/rules.yaml that compare with `previous`, the unit's figures of last year
    (indicator code → actual); a rule whose figures are missing there is skipped."""
    yield from _rules(sub, settings, [r for r in settings.rules if uses_previous(r)], previous)


def uses_previous(rule: Rule) -> bool:
    return any(side.uses_previous() for side in rule.expressions())


def _rules(sub: Submission, settings: Settings, rules: list[Rule], previous: dict[str, int]) -> Checks:
    def lookup(code: str, field: str) -> int | None:
        if field == "previous":
            return previous.get(code)
        fig = sub.figure(code)
        if fig is None:
            return None
        return fig.plan if field == "plan" else fig.actual

    for rule in rules:
        left_expr, right_expr = rule.expressions()
        left, right = left_expr.evaluate(lookup), right_expr.evaluate(lookup)
        if left is None or right is None or rule.holds(left, right):
            continue
        first = sorted(left_expr.references() or right_expr.references())
        fig = sub.figure(first[0]) if first else None
        cell = fig.cells["actual"] if fig else ""
        message = rule.message.format(left=_value(left), right=_value(right))
        yield configured(sub.file, rule.id, rule.severity, message, unit=sub.unit_code,
                         sheet=sub.sheet(layout.SUMMARY_SHEET), cell=cell)


def _value(value: Value) -> str:
    """A side's value in a rule's message: a whole number as is, a fraction as "2,33"."""
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    return number(Decimal(value.numerator) / Decimal(value.denominator), 2)


def missing_targets(year: int, settings: Settings) -> dict[str, tuple[str, ...]]:
    """Unit code → the planned indicators it has no target for in `year` + 1 (config/targets.yaml), for
    the units of `year` that still exist next year: what the report of `year` cannot assign."""
    assigned = settings.targets.get(year + 1, {})
    planned = [i.code for i in settings.planned_indicators()]
    found: dict[str, tuple[str, ...]] = {}
    for unit in settings.units_in(year):
        if unit.active_in(year + 1):
            missing = tuple(code for code in planned if code not in assigned.get(unit.code, {}))
            if missing:
                found[unit.code] = missing
    return found


def is_late(sub: Submission, settings: Settings) -> bool:
    """Prepared (Ngày lập biểu) after the year's configured deadline."""
    return _lateness(sub, settings) is not None


def _lateness(sub: Submission, settings: Settings) -> tuple[dt.date, dt.date] | None:
    """(prepared on, deadline) when the form was prepared after the year's deadline; else None."""
    docs = settings.documents.get(sub.year or 0)
    if docs and docs.deadline and sub.prepared_on and sub.prepared_on > docs.deadline:
        return sub.prepared_on, docs.deadline
    return None


def on_time(sub: Submission, settings: Settings) -> Checks:
    late = _lateness(sub, settings)
    if late is not None:
        prepared, deadline = late
        sheet, cell = sub.cells.get("prepared_on", (sub.sheet(layout.INFO_SHEET), ""))
        yield LATE_SUBMISSION.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=cell,
                                 prepared=short_date(prepared), deadline=short_date(deadline))


def _flagged(sub: Submission, sheet: str, cell: str) -> bool:
    """Whether reading already reported a problem at this cell (say it once)."""
    return any(i.sheet == sheet and i.cell == cell for i in sub.issues)


def _table_read(sub: Submission, sheet: str) -> bool:
    """Whether the table of `sheet` was found: a missing sheet or header is one error, not one per row."""
    name = sub.sheet(sheet)
    return not any((i.rule == MISSING_HEADER.code and i.sheet == name)
                   or (i.rule in (MISSING_SHEET.code, AMBIGUOUS_SHEET.code) and i.sheet == sheet) for i in sub.issues)


def _org_type_index(settings: Settings) -> dict[str, str]:
    """Organisation type label (compared loosely) → indicator code it counts for."""
    return {label_key(t): ind.code for ind in settings.indicators for t in ind.org_types}


PER_FILE = (known_unit, indicator_rows, counts_within_limits, plan_matches, list_matches_summary, list_rows,
            configured_rules, on_time)
