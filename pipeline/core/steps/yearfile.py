"""Checks of the year's file in config/years against last year's: text copied unchanged, a date of another year.

The assessment (strengths, weaknesses, tasks) is written anew every year; a
paragraph identical to last year's usually speaks of last year's figures. A
signing date outside the report's year and the first half of the next one
(a report of 2016 dated 28/12/2017) usually means the file of another year
was edited in place; a deadline there, that it was copied (every workbook
would be judged late against last year's deadline). They are warnings of
every check of the year (validate and report).
"""

from __future__ import annotations

import datetime as dt

from pipeline.issue_types import DEADLINE_OUT_OF_YEAR, SIGNING_DATE_OUT_OF_YEAR, STALE_TEXT
from pipeline.issues import Issue
from pipeline.settings import Assessment, Settings

PARTS = ("strengths", "weaknesses", "tasks")
LATEST_SIGNING = (6, 30)  # a report of year N is signed in N or by 30/06 of N+1


def stale_keys(now: Assessment, before: Assessment) -> list[str]:
    """The assessment keys whose text is last year's: a whole list, else each paragraph found in last year's."""
    old = {" ".join(p.split()) for part in PARTS for p in getattr(before, part)}
    keys = []
    for part in PARTS:
        paragraphs: tuple[str, ...] = getattr(now, part)
        if paragraphs and paragraphs == getattr(before, part):
            keys.append(f"assessment.{part}")
            continue
        keys += [f"assessment.{part}.{i}" for i, p in enumerate(paragraphs) if " ".join(p.split()) in old]
    return keys


def year_file_issues(settings: Settings, year: int) -> list[Issue]:
    """Warnings about years/<year>.yaml: free text copied from last year's file, a signing date of another year."""
    docs = settings.documents.get(year)
    if docs is None:
        return []
    where = f"years/{year}.yaml"
    issues = []
    before = settings.documents.get(year - 1)
    if before is not None:
        keys = stale_keys(docs.assessment, before.assessment)
        if keys:
            issues.append(STALE_TEXT.at(where, year=year, previous=year - 1,
                                        keys=", ".join(f"«{k}»" for k in keys)))
    latest = dt.date(year + 1, *LATEST_SIGNING)
    for kind, day in ((SIGNING_DATE_OUT_OF_YEAR, docs.date), (DEADLINE_OUT_OF_YEAR, docs.deadline)):
        if day is not None and not dt.date(year, 1, 1) <= day <= latest:
            issues.append(kind.at(where, date=day.strftime("%d/%m/%Y"), year=year, latest=latest.strftime("%d/%m/%Y")))
    return issues
