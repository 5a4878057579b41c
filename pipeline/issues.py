"""Findings that are collected, not raised.

A problem in a workbook never stops the batch: it becomes an `Issue` with a
stable English rule id, a severity and a Vietnamese message, located to the
file, sheet and cell. Every rule id is declared once, with its severity and
message template, in the catalogue `issue_types`. Reports are plain data, sorted so that the same inputs
always give the same `kiem-tra.json`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    unit: str
    sheet: str
    cell: str
    rule: str
    severity: Severity
    message: str
    explained: str = ""  # a warning the office accepted (config/giai-trinh.yaml): the reason given

    def as_dict(self) -> dict[str, str]:
        found = asdict(self)
        if not self.explained:  # kiem-tra.json names "explained" only where there is a reason
            del found["explained"]
        return found

    def said(self) -> str:
        """The message as documents show it: an explained warning says so, with the reason."""
        return f"{self.message} (đã giải trình: {self.explained})" if self.explained else self.message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


# Bare constructors for test fixtures; the pipeline makes every issue through `issue_types`.
def error(file: str, rule: str, message: str, *, unit: str = "", sheet: str = "", cell: str = "") -> Issue:
    return Issue(file, unit, sheet, cell, rule, "error", message)


def warning(file: str, rule: str, message: str, *, unit: str = "", sheet: str = "", cell: str = "") -> Issue:
    return Issue(file, unit, sheet, cell, rule, "warning", message)


@dataclass(frozen=True)
class ValidationReport:
    """Every issue found in one pass over all submissions of a year."""

    year: int
    issues: tuple[Issue, ...]

    @classmethod
    def of(cls, year: int, issues: Iterable[Issue]) -> ValidationReport:
        return cls(year, tuple(sorted(set(issues), key=_sort_key)))

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The open warnings: those explained (config/giai-trinh.yaml) are no longer counted."""
        return tuple(i for i in self.issues if not i.is_error and not i.explained)

    @property
    def explained(self) -> tuple[Issue, ...]:
        """The warnings the office accepted with a reason."""
        return tuple(i for i in self.issues if i.explained)

    def of_unit(self, code: str) -> tuple[Issue, ...]:
        """The issues attributed to one unit (grouped once: per-unit loops over 3,321 units stay linear)."""
        if "_by_unit" not in self.__dict__:
            grouped: dict[str, list[Issue]] = {}
            for issue in self.issues:
                grouped.setdefault(issue.unit, []).append(issue)
            object.__setattr__(self, "_by_unit", {unit: tuple(found) for unit, found in grouped.items()})
        by_unit: dict[str, tuple[Issue, ...]] = self.__dict__["_by_unit"]
        return by_unit.get(code, ())

    def files_with_errors(self) -> set[str]:
        return {i.file for i in self.errors}

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, "issues": [i.as_dict() for i in self.issues]}


def _sort_key(issue: Issue) -> tuple[str, ...]:
    return (issue.file, issue.sheet, _cell_order(issue.cell), issue.rule, issue.message)


def _cell_order(cell: str) -> str:
    """Sort A1 refs by row then column ("B10" after "B9")."""
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    return f"{int(digits or 0):08d}{len(letters):02d}{letters}"
