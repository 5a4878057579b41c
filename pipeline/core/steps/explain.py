"""Explanations (giải trình): warnings the office accepted with a reason (config/giai-trinh.yaml).

A warning an entry matches (same unit and rule, and the sheet, cell and year when
the entry names them) keeps its place in the report with the reason in `explained`:
it is no longer counted as open. Errors are never explained away: an entry that
points at one is a warning about the config file, and so is an entry that matches
nothing (the unit fixed its workbook, or the file is left over from another year).
"""

from __future__ import annotations

import dataclasses

from pipeline.issue_types import EXPLANATION_ON_ERROR, EXPLANATION_UNMATCHED
from pipeline.issues import Issue, ValidationReport
from pipeline.settings.explanations import Explanation


def matches(entry: Explanation, issue: Issue, year: int) -> bool:
    return (issue.unit == entry.unit and issue.rule == entry.rule
            and (not entry.sheet or issue.sheet == entry.sheet)
            and (not entry.cell or issue.cell.replace("$", "").upper() == entry.cell)
            and (entry.year is None or entry.year == year))


def explain(report: ValidationReport, entries: tuple[Explanation, ...], file: str) -> ValidationReport:
    """`report` with every matched warning marked explained, and the config's own warnings added;
    `file` names the config file as the clerk sees it (the config warnings are located to it)."""
    if not entries:
        return report
    year = report.year
    reasons: dict[Issue, str] = {}
    extra: list[Issue] = []
    for number, entry in enumerate(entries, start=1):
        found = [i for i in report.issues if matches(entry, i, year)]
        errors = [i for i in found if i.is_error]
        for issue in found:
            if not issue.is_error:
                reasons.setdefault(issue, entry.reason)
        if errors:
            extra.append(EXPLANATION_ON_ERROR.at(file, number=number, what=entry.where(), count=len(errors)))
        elif not found and (entry.year is None or entry.year == year):
            extra.append(EXPLANATION_UNMATCHED.at(file, number=number, what=entry.where(), year=year))
    issues = [dataclasses.replace(i, explained=reasons[i]) if i in reasons else i for i in report.issues]
    return ValidationReport.of(year, [*issues, *extra])
