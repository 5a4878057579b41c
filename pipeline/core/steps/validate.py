"""Rules over submissions: per file, then across the files of one year.

Every problem is found in one pass. The outcome is a `Validation`: which
submission stands for each unit, each unit's status (valid, invalid,
missing), which units were late, and the report of every issue, sorted.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pipeline.core import layout
from pipeline.core.labels import Status
from pipeline.core.steps.approval import Approval
from pipeline.core.steps.checks import PER_FILE, is_late, missing_targets, previous_year_rules
from pipeline.core.steps.ledger import LedgerRow, YearInputs, not_submitted_note
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Organisation, Submission
from pipeline.core.steps.taxcode import compact_tax_code
from pipeline.core.vi import label_key
from pipeline.issue_types import (
    DUPLICATE_COPY,
    DUPLICATE_ENTERPRISE,
    DUPLICATE_UNIT,
    NOT_SUBMITTED,
    TARGETS_MISSING,
    TARGETS_MISSING_YEAR,
    TARGETS_PENDING,
)
from pipeline.issues import Issue, ValidationReport
from pipeline.settings import Settings


@dataclass(frozen=True)
class Validation:
    year: int
    submissions: dict[str, Submission]
    status: dict[str, Status]
    report: ValidationReport
    late: frozenset[str] = frozenset()
    ledger: tuple[LedgerRow, ...] = ()  # every entry under INPUT and what became of it (data/tep-nhan.json)
    approved: dict[str, Approval] = field(default_factory=dict)  # unit → its workbook accepted by make approve

    def counted(self) -> list[str]:
        """Unit codes whose figures enter the totals."""
        return [code for code, s in self.status.items() if s == "valid"]


def validate_year(
    year: int, submissions: Iterable[Submission], refusals: Iterable[Refusal], settings: Settings,
    selection: YearInputs | None = None, previous: dict[str, dict[str, int]] | None = None,
    absent_noted: bool = True,
) -> Validation:
    """Check one year's submissions against the config and against each other.

    `selection` (see `ledger.select_year`) adds its warnings about workbooks of
    other years, and names them when a unit has not submitted for this one.
    `previous` (unit code → indicator code → last year's actual) feeds the rules
    of rules.yaml that use CODE.previous; without it they are skipped.
    `absent_noted=False` (the check of one file) leaves out the error of each unit
    that sent nothing: a country's thousands of them, only to be filtered out.
    """
    subs = sorted(submissions, key=lambda s: s.file)
    issues: list[Issue] = [r.issue(unit=unit_from_name(r.path, settings)) for r in refusals]
    issues.extend(selection.issues if selection else ())
    nameless: set[str] = set()  # units whose workbook does not say its unit code, guessed from the file name
    for sub in subs:
        found = list(sub.issues) + list(sub.checked if sub.checked is not None else _file_issues(sub, settings))
        if previous is not None and sub.unit_code:
            found.extend(previous_year_rules(sub, settings, previous.get(sub.unit_code, {})))
        guess = "" if sub.unit_code else unit_from_name(sub.file, settings)
        if guess:
            nameless.add(guess)
            found = [dataclasses.replace(i, unit=i.unit or guess) for i in found]
        issues.extend(found)
    by_unit, copies = _group_by_unit(subs)
    issues.extend(copies)
    issues.extend(_duplicate_units(by_unit))
    issues.extend(_duplicate_enterprises(by_unit))
    bad_files = {i.file for i in issues if i.is_error}
    unreadable = ({unit_from_name(r.path, settings) for r in refusals} | nameless) - {""}
    status: dict[str, Status] = {}
    chosen: dict[str, Submission] = {}
    for unit in settings.units_in(year):
        files = by_unit.get(unit.code, [])
        if not files and unit.code in unreadable:
            status[unit.code] = "invalid"
            continue
        if not files:
            status[unit.code] = "missing"
            if absent_noted:
                issues.append(NOT_SUBMITTED.at("", unit=unit.code, unit_name=unit.full_name, year=year,
                                               note=not_submitted_note(unit.code, year, selection)))
            continue
        chosen[unit.code] = files[0]
        # A refused file of the unit beside a readable one may be its newer version: not sure, not counted.
        clean = len(files) == 1 and files[0].file not in bad_files and unit.code not in unreadable
        status[unit.code] = "valid" if clean else "invalid"
    late = frozenset(code for code, sub in chosen.items() if is_late(sub, settings))
    return Validation(year, chosen, status, ValidationReport.of(year, issues), late)


SHOWN_UNITS = 30  # units named in one message; a country's list stays readable


def next_year_targets(year: int, settings: Settings, targets_file: str, year_file: str) -> list[Issue]:
    """What the report of `year` lacks to assign next year's targets: an error per unit without them
    (one error for all when the year is absent), or, when the year file says they come later
    (targets_pending), one warning. `targets_file` and `year_file` are the config files, as shown."""
    missing = missing_targets(year, settings)
    if not missing:
        return []
    codes = list(missing)
    units = ", ".join(codes[:SHOWN_UNITS]) + (f" và {len(codes) - SHOWN_UNITS} đơn vị khác"
                                                 if len(codes) > SHOWN_UNITS else "")
    docs = settings.documents.get(year)
    if docs is not None and docs.targets_pending:
        return [TARGETS_PENDING.at(targets_file, count=len(codes), units=units, next_year=year + 1,
                                   targets_file=targets_file, year_file=year_file)]
    if year + 1 not in settings.targets and len(codes) > 1:
        return [TARGETS_MISSING_YEAR.at(targets_file, count=len(codes), units=units, next_year=year + 1,
                                        targets_file=targets_file, year_file=year_file)]
    issues = []
    planned = len(settings.planned_indicators())
    for code, indicators in missing.items():
        unit = settings.unit(code)
        which = "" if len(indicators) == planned else f" (chỉ tiêu {', '.join(indicators)})"
        issues.append(TARGETS_MISSING.at(targets_file, code=code, unit_name=unit.full_name if unit else code,
                                         which=which, next_year=year + 1, targets_file=targets_file,
                                         year_file=year_file))
    return issues


def check_file(sub: Submission, settings: Settings) -> Submission:
    """`sub` with the issues of every per-file check: the part of validation that needs
    no other file, so that workers can do it while they read."""
    return sub if sub.checked is not None else dataclasses.replace(sub, checked=_file_issues(sub, settings))


def _file_issues(sub: Submission, settings: Settings) -> tuple[Issue, ...]:
    return tuple(issue for check in PER_FILE for issue in check(sub, settings))


def unit_from_name(path: str, settings: Settings) -> str:
    """The unit an unreadable file probably comes from: forms are named <code>….xlsx."""
    stem = PurePosixPath(path).stem
    token = re.split(r"[^A-Za-z0-9]", stem, maxsplit=1)[0].upper()
    return token if settings.unit(token) else ""


def _group_by_unit(subs: list[Submission]) -> tuple[dict[str, list[Submission]], list[Issue]]:
    """Submissions per unit code; byte-identical copies of one file count once."""
    grouped: dict[str, list[Submission]] = defaultdict(list)
    copies: list[Issue] = []
    for sub in subs:
        if not sub.unit_code:
            continue
        same = next((s for s in grouped[sub.unit_code] if s.sha256 == sub.sha256), None)
        if same is None:
            grouped[sub.unit_code].append(sub)
        else:
            copies.append(DUPLICATE_COPY.at(sub.file, unit=sub.unit_code, same=same.file))
    return grouped, copies


def _duplicate_units(by_unit: dict[str, list[Submission]]) -> Iterable[Issue]:
    for code, subs in by_unit.items():
        if len(subs) > 1:
            names = ", ".join(s.file for s in subs)
            for sub in subs:
                yield DUPLICATE_UNIT.at(sub.file, unit=code, sheet=sub.sheet(layout.INFO_SHEET),
                                        cell=sub.cells.get("unit_code", ("", ""))[1],
                                        code=code, count=len(subs), names=names)


def _duplicate_enterprises(by_unit: dict[str, list[Submission]]) -> Iterable[Issue]:
    """The same enterprise and organisation type claimed by two units."""
    claims: dict[tuple[str, str], list[tuple[str, Submission, Organisation]]] = defaultdict(list)
    for code, subs in by_unit.items():
        for sub in subs[:1]:
            for org in sub.organisations:
                if org.tax_code:
                    claims[(compact_tax_code(org.tax_code), label_key(org.org_type))].append((code, sub, org))
    for (tax, _), found in claims.items():
        if len(found) < 2:  # the usual claim, decided before building anything (a country: ~46,000)
            continue
        units = sorted({c for c, _, _ in found})
        if len(units) < 2:
            continue
        for code, sub, org in found:
            others = ", ".join(u for u in units if u != code)
            yield DUPLICATE_ENTERPRISE.at(sub.file, unit=code, sheet=sub.sheet(layout.LIST_SHEET),
                                          cell=org.cells["tax_code"], tax_code=tax, org_type=org.org_type,
                                          others=others)
