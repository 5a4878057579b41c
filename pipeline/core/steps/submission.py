"""What one workbook says: the Submission a parse makes, with its figures and organisations.

The types every later step reads (checks, validate, ledger, aggregate) and the
documents print, apart from the parser that builds them, so that a step or a
document depends on the data, not on how it was read. Each value keeps its
sheet and A1 cell so that every later message can point at it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline.core import vi
from pipeline.issues import Issue


@dataclass(frozen=True)
class Figure:
    """One indicator row of Biểu số 01."""

    code: str
    plan: int | None
    actual: int | None
    row: int
    cells: dict[str, str] = field(hash=False, compare=False)


@dataclass(frozen=True)
class Organisation:
    """One row of Biểu số 02: an organisation founded in an enterprise.

    The one type of an organisation row: as read, and as a year's list shows it
    (the summary workbook's DanhSach, the report's appendix), where `listed`
    gives it its number, its unit and the unit's group.
    """

    row: int  # in the workbook's sheet
    enterprise: str
    tax_code: str
    legal_form: str
    org_type: str
    decision_no: str
    decision_date: dt.date | None
    members: int | None
    cells: dict[str, str] = field(hash=False, compare=False)
    # Its place in a year's list, set by `listed`; empty as read.
    number: int = 0
    unit: str = ""  # the unit's name as documents print it: "Quận Hồng Bàng"
    unit_code: str = ""
    group: str = ""  # the name of the unit's group, when units.yaml groups units

    def listed(self, number: int, unit: str, unit_code: str, group: str = "") -> Organisation:
        """This row as entry `number` of a year's list, under its unit (and group)."""
        # The constructor, not dataclasses.replace: a country's lists make ~46,000 of these a run (~0.3 s replaced).
        return Organisation(self.row, self.enterprise, self.tax_code, self.legal_form, self.org_type, self.decision_no,
                            self.decision_date, self.members, self.cells, number, unit, unit_code, group)

    def printed(self) -> dict[str, str]:
        """The cells of this row as a document prints them: dates and counts written the Vietnamese way."""
        return {
            "number": str(self.number), "enterprise": self.enterprise, "tax_code": self.tax_code,
            "legal_form": self.legal_form, "org_type": self.org_type, "decision_no": self.decision_no,
            "decision_date": vi.short_date(self.decision_date) if self.decision_date else "",
            "members": vi.number(self.members),
        }


@dataclass(frozen=True)
class Submission:
    """What one workbook says, with the issues met while reading it."""

    file: str
    sha256: str
    unit_code: str
    unit_name: str
    year: int | None
    prepared_on: dt.date | None
    preparer: str
    phone: str
    figures: tuple[Figure, ...]
    organisations: tuple[Organisation, ...]
    issues: tuple[Issue, ...]
    cells: dict[str, tuple[str, str]] = field(hash=False, compare=False)
    # The per-file checks' issues once `validate.check_file` has run them (maybe in a worker).
    checked: tuple[Issue, ...] | None = field(default=None, hash=False, compare=False)
    # Layout sheet name → the sheet actually read ("TongHop" → "Tổng hợp"); absent when missing or ambiguous.
    sheets: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def figure(self, code: str) -> Figure | None:
        return next((f for f in self.figures if f.code == code), None)

    def sheet(self, name: str) -> str:
        """The name of the sheet read for layout sheet `name`, as the clerk sees it in the workbook."""
        return self.sheets.get(name, name)
