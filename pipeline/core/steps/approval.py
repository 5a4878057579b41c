"""Approved workbooks in force: a unit's accepted workbook stands until the office approves another.

`make approve` records a unit's workbook (pipeline.io.approvals). In a later run,
a workbook of that unit under INPUT that differs from the approved one (by
SHA-256) is set aside, with a warning naming it and the input ledger saying why,
and the approved copy is validated and counted instead. An unchanged workbook
says nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import asdict, dataclass

from pipeline.core.steps.ledger import YearInputs
from pipeline.core.steps.submission import Submission
from pipeline.issue_types import CHANGED_AFTER_APPROVAL


@dataclass(frozen=True)
class Approval:
    """One unit's accepted workbook of one year, as the state folder records it."""

    unit: str
    year: int
    file: str  # the workbook's name in the input folder when it was approved
    sha256: str
    copy: str  # the copy's name in the state folder's approvals of the year
    approved_at: str  # ISO 8601, informational

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def when(self) -> str:
        """The time of approval as the clerk reads it: "14:05 ngày 07/12/2026"."""
        try:
            moment = dt.datetime.fromisoformat(self.approved_at)
        except ValueError:
            return self.approved_at
        return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def needs_copy(selection: YearInputs, approval: Approval) -> bool:
    """Whether the approved copy must stand in: the approved bytes are not among the unit's files."""
    return not any(s.sha256 == approval.sha256 for s in selection.submissions if s.unit_code == approval.unit)


def keep_approved(selection: YearInputs, approvals: dict[str, Approval],
                  copies: dict[str, Submission]) -> YearInputs:
    """`selection` with every approved unit's other workbooks set aside (each with its warning), and
    the approved copies (unit → the copy, read from the state folder) standing in where needed."""
    set_aside = dict(selection.set_aside)
    issues = list(selection.issues)
    kept: list[Submission] = []
    for sub in selection.submissions:
        approval = approvals.get(sub.unit_code)
        if approval is None or sub.sha256 == approval.sha256:
            kept.append(sub)
            continue
        set_aside[sub.file] = (f"khác bản đã duyệt của đơn vị {approval.unit} (tệp «{approval.file}», duyệt lúc "
                               f"{approval.when()}): chưa dùng; chạy make approve UNIT={approval.unit} "
                               f"YEAR={approval.year} để dùng tệp này")
        sheet, cell = sub.cells.get("unit_code", ("", ""))
        issues.append(CHANGED_AFTER_APPROVAL.at(sub.file, unit=approval.unit, sheet=sheet, cell=cell,
                                                code=approval.unit, approved=f"tệp «{approval.file}»",
                                                when=approval.when(), new=sub.file, year=approval.year))
    kept.extend(copies.values())
    return dataclasses.replace(selection, submissions=tuple(kept), issues=tuple(issues), set_aside=set_aside)
