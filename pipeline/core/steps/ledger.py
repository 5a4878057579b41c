"""Which workbooks stand for a year, and the input ledger (data/tep-nhan.json).

A workbook belongs to the year it states. Clerks copy last year's file into
this year's folder and forget to change "Năm báo cáo": such a file is named in
a warning, never silently counted for the wrong year, and never competes with
the stated year's own workbook (which would break that year's run and the
comparison with it). Every entry under INPUT ends in the ledger exactly once:
read, refused or skipped, with its reason.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from pipeline.core.catalogue import ISSUES_DATA
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.issue_types import (
    MISPLACED_WORKBOOK,
    UNREADABLE_FILE,
    YEAR_MISMATCH,
    YEAR_MISMATCH_ELSEWHERE,
    IssueType,
    refused_elsewhere,
)
from pipeline.issues import Issue

Status = Literal["read", "refused", "skipped"]
# A year in a file or folder name: 1950–2199 not touching other digits ("HB-2017", "2017/", not "20170105").
DIGITS = "0123456789"
_YEAR_IN_NAME = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9]{2}|21[0-9]{2})(?![0-9])")
ISSUES_FILE = PurePosixPath(ISSUES_DATA.path()).name  # as the ledger's reasons name it
SHOWN_ELSEWHERE = 3  # files of another year named in one "not submitted" message


@dataclass(frozen=True)
class Entry:
    """One entry under INPUT as the walk found it; `file` is set for a workbook still to be read."""

    path: str  # relative to INPUT, POSIX, printable; a folder ends with "/"
    status: Status | None  # None: a workbook to read
    reason: str = ""
    file: Path | None = field(default=None, compare=False)  # the real path, for the reader only
    rule: str = ""  # for a refused entry: the issue's rule id


    def refusal(self) -> Refusal:
        """A refused entry as the reader's refusals are: an error of this year's validation."""
        return Refusal(self.path, "", self.reason, self.rule or UNREADABLE_FILE.code)


@dataclass(frozen=True)
class LedgerRow:
    path: str
    sha256: str | None
    status: Status
    unit: str
    year: int | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class YearInputs:
    """The workbooks and refusals that take part in one year's validation, and why others do not."""

    year: int
    submissions: tuple[Submission, ...]
    refusals: tuple[Refusal, ...]
    issues: tuple[Issue, ...]
    set_aside: dict[str, str]  # file → why it does not take part although it states this year
    elsewhere: dict[str, tuple[str, ...]]  # unit code → its workbooks that state another year


@functools.cache  # asked of every file for each year a run selects (three times a run)
def path_year(path: str, code: str = "") -> int | None:
    """The year a file's own name gives, else its nearest folder's: "2017/HB.xlsx" → 2017. The digits
    of the unit's own `code` are not a year: "X1985.xlsx" of unit X1985 names none, "X1985_2025.xlsx" 2025
    (and a code "20" leaves the year of "2017/…" whole)."""
    for part in reversed(PurePosixPath(path).parts):
        name = PurePosixPath(part).stem if "." in part else part
        found = _YEAR_IN_NAME.findall(name)
        if found and code:
            found = _YEAR_IN_NAME.findall(_without_code(name, code))
        if found:
            return int(found[-1])
    return None


def _without_code(name: str, code: str) -> str:
    """`name` with each whole occurrence of `code` (any case, not run into other digits) made a space.
    No pattern per unit: a country's 3,321 codes would each compile one."""
    low, needle = name.lower(), code.lower()
    if len(low) != len(name):  # a letter whose lower case is longer: compare as written
        low, needle = name, code
    kept, start = [], 0
    while (at := low.find(needle, start)) >= 0:
        end = at + len(needle)
        whole = (at == 0 or name[at - 1] not in DIGITS) and (end == len(name) or name[end] not in DIGITS)
        kept += [name[start:at], " "] if whole else [name[start:end]]
        start = end
    return "".join([*kept, name[start:]])


def select_year(year: int, dated: dict[int, list[Submission]], undated: list[Submission],
                refusals: list[Refusal]) -> YearInputs:
    """The workbooks that stand for `year`, and located warnings for those lying in another year's place."""
    issues: list[Issue] = []
    set_aside: dict[str, str] = {}
    by_unit: dict[str, list[Submission]] = defaultdict(list)
    for sub in dated.get(year, []):
        by_unit[sub.unit_code].append(sub)
    for subs in by_unit.values():
        at_home = [s for s in subs if path_year(s.file, s.unit_code) in (year, None)]
        if not at_home or len(at_home) == len(subs):
            continue
        for stray in subs:
            if stray in at_home:
                continue
            named = path_year(stray.file, stray.unit_code)
            reason = (f"ghi «Năm báo cáo» {year} nhưng nằm ở chỗ của năm {named}; "
                      f"không tính, vì đơn vị {stray.unit_code} đã có tệp «{at_home[0].file}» của năm {year}")
            set_aside[stray.file] = reason
            issues.append(_at_year(stray, MISPLACED_WORKBOOK, reason=reason, named=named, year=year))
    for subs in dated.values():
        for sub in subs:
            named = path_year(sub.file, sub.unit_code)
            if named is None or named == sub.year or sub.file in set_aside or year not in (named, sub.year):
                continue
            kind = YEAR_MISMATCH if sub.year == year else YEAR_MISMATCH_ELSEWHERE
            issues.append(_at_year(sub, kind, stated=sub.year, named=named, year=year))
    kept = tuple(s for s in dated.get(year, []) if s.file not in set_aside) + tuple(undated)
    mine = tuple(r for r in refusals if path_year(r.path) in (year, None))
    for refusal in refusals:
        if refusal not in mine:
            issues.append(refused_elsewhere(refusal.rule, refusal.path, reason=refusal.reason,
                                            named=path_year(refusal.path), year=year))
    return YearInputs(year, kept, mine, tuple(issues), set_aside, _elsewhere(year, dated))


def _at_year(sub: Submission, kind: IssueType, **fields: object) -> Issue:
    sheet, cell = sub.cells.get("year", ("", ""))
    return kind.at(sub.file, unit=sub.unit_code, sheet=sheet, cell=cell, **fields)


def _elsewhere(year: int, dated: dict[int, list[Submission]]) -> dict[str, tuple[str, ...]]:
    """For each unit, its workbooks that may have been meant for `year`: they state another year
    but lie in `year`'s place, or in no year's place. A unit's own 2016 workbook in 2016/ is not one."""
    found: dict[str, list[str]] = defaultdict(list)
    for stated, subs in dated.items():
        if stated == year:
            continue
        for sub in subs:
            if sub.unit_code and path_year(sub.file, sub.unit_code) in (year, None):
                found[sub.unit_code].append(f"«{sub.file}» ghi năm {stated}")
    return {code: tuple(sorted(items)) for code, items in found.items()}


def not_submitted_note(unit: str, year: int, selection: YearInputs | None) -> str:
    """What to add to "chưa nộp": the unit's workbooks found for other years, if any."""
    files = selection.elsewhere.get(unit, ()) if selection else ()
    if not files:
        return ""
    shown = "; ".join(files[:SHOWN_ELSEWHERE]) + (f" và {len(files) - SHOWN_ELSEWHERE} tệp khác"
                                                   if len(files) > SHOWN_ELSEWHERE else "")
    return (f" (có biểu mẫu của đơn vị cho năm khác: {shown}; nếu một tệp trong đó là số liệu năm {year}, "
            f"sửa «Năm báo cáo» thành {year})")


def ledger(year: int, entries: list[Entry], read: dict[str, Submission | Refusal], selection: YearInputs,
           unit_of_refusal: dict[str, str]) -> tuple[LedgerRow, ...]:
    """Every entry under INPUT, with what became of it in this year's run."""
    rows = []
    chosen = {s.file for s in selection.submissions}
    for entry in entries:
        if entry.status is not None:
            rows.append(LedgerRow(entry.path, None, entry.status, unit_of_refusal.get(entry.path, ""), None,
                                  entry.reason))
            continue
        item = read.get(entry.path)
        if item is None:  # listed but not read: cannot happen, and must not vanish if it does
            rows.append(LedgerRow(entry.path, None, "refused", "", None, "tệp không được đọc"))
        elif isinstance(item, Refusal):
            rows.append(LedgerRow(entry.path, item.sha256 or None, "refused", unit_of_refusal.get(item.path, ""),
                                  None, item.reason))
        else:
            status, reason = _fate(item, year, chosen, selection)
            rows.append(LedgerRow(entry.path, item.sha256, status, item.unit_code, item.year, reason))
    return tuple(sorted(rows, key=lambda r: r.path))


def _fate(sub: Submission, year: int, chosen: set[str], selection: YearInputs) -> tuple[Status, str]:
    if sub.file in selection.set_aside:
        return "skipped", selection.set_aside[sub.file]
    if sub.file in chosen:
        return "read", "" if sub.year else f"không xác định được năm báo cáo (xem lỗi trong {ISSUES_FILE})"
    use = "; dùng làm số liệu năm trước để so sánh" if sub.year == year - 1 else ""
    return "skipped", f"biểu mẫu năm {sub.year}, không phải năm {year}{use}"


def counts(rows: tuple[LedgerRow, ...]) -> dict[str, int]:
    """Files (not folders) by status."""
    found = {"read": 0, "refused": 0, "skipped": 0}
    for row in rows:
        if not (row.status == "read" and row.path.endswith("/")):
            found[row.status] += 1
    return found
