"""What the year's assessment says about the figures, checked against the figures.

The assessment of config/years/<N>.yaml is the office's own prose, and it is
often copied from last year: "Số tổ chức Đảng tuy chưa hoàn thành chỉ tiêu
nhưng vẫn tăng so với năm trước" may sit beside a table that shows a decrease.
The prose stays the office's; this module finds the claims that can be
checked and says where one contradicts the city-wide figures:

- against last year: a clause holding "so với năm trước" (or "so với năm
  N−1", "so với cùng kỳ") with "tăng" or "giảm";
- against plan: a clause holding "kế hoạch" or "chỉ tiêu" with "vượt",
  "chưa/không hoàn thành", "chưa/không đạt" or "hoàn thành".

A claim speaks of the indicators named last before it in the same clause
(an indicator is named by its `phrase` or one of its `mentions` in
indicators.yaml; "tổ chức Công đoàn, Đoàn thanh niên" names two). Only the
year's strengths and weaknesses are read (the tasks speak of next year), and a
clause about the future ("năm tới", "phấn đấu") is left alone. Anything not
recognised is not checked: a claim this module cannot read is never a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.steps.aggregate import Result, Totals
from pipeline.issue_types import ASSESSMENT_CONTRADICTS_DATA
from pipeline.issues import Issue
from pipeline.settings import Indicator, Settings

CHECKED_PARTS = ("strengths", "weaknesses")  # what the year was; "tasks" is what next year should be
CLAUSE_END = re.compile(r"[.;!?\n]")
FUTURE = re.compile(r"năm tới|năm sau|phấn đấu|sẽ ")
JOINER = re.compile(r"^[\s,]*(?:(?:và|cùng|số|các)\s*[\s,]*)*$")  # between two names of one subject

# (kind, pattern) in a clause; the kind decides what the figures must show.
NEGATED = r"(?:chưa|không)\s+(?:hoàn\s+thành|đạt)"
PLAN_CLAIMS = (("over", re.compile(r"\bvượt\b")), ("under", re.compile(NEGATED)),
               ("met", re.compile(r"(?<!chưa )(?<!không )\bhoàn\s+thành\b")))
CHANGE_CLAIMS = (("up", re.compile(r"(?<!không )(?<!chưa )\b(?:gia\s+)?tăng\b(?!\s+cường)")),
                 ("down", re.compile(r"(?<!không )(?<!chưa )\bgiảm\b")))
CLAIM_WORDS = {"over": "vượt kế hoạch", "under": "chưa hoàn thành kế hoạch", "met": "hoàn thành kế hoạch",
               "up": "tăng so với năm trước", "down": "giảm so với năm trước"}


@dataclass(frozen=True)
class Claim:
    """One checkable statement: the key of its paragraph, the indicators, what it says, the words quoted."""

    key: str
    codes: tuple[str, ...]
    kind: str
    quote: str


def assessment_issues(settings: Settings, totals: Totals) -> list[Issue]:
    """A warning for each claim of the year's assessment that the city-wide figures contradict."""
    docs = settings.documents.get(totals.year)
    if docs is None:
        return []
    by_code = {i.code: i for i in settings.indicators}
    issues = []
    for part in CHECKED_PARTS:
        for index, paragraph in enumerate(getattr(docs.assessment, part)):
            for claim in claims(paragraph, f"assessment.{part}.{index}", settings.indicators, totals.year):
                facts = [fact for code in claim.codes
                         if (fact := contradiction(claim.kind, by_code[code], totals.totals.get(code), totals.year))]
                if facts:
                    issues.append(ASSESSMENT_CONTRADICTS_DATA.at(
                        f"years/{totals.year}.yaml", year=totals.year, key=claim.key, quote=claim.quote,
                        says=CLAIM_WORDS[claim.kind], facts="; ".join(facts)))
    return issues


def claims(paragraph: str, key: str, indicators: Sequence[Indicator], year: int) -> Iterator[Claim]:
    """The checkable claims of one paragraph, clause by clause."""
    start = 0
    for end in [m.start() for m in CLAUSE_END.finditer(paragraph)] + [len(paragraph)]:
        clause = paragraph[start:end]
        start = end + 1
        folded = clause.casefold()  # same length as the clause for Vietnamese text: positions carry over
        if len(folded) != len(clause) or FUTURE.search(folded):
            continue
        kinds: list[tuple[str, re.Pattern[str]]] = []
        if "kế hoạch" in folded or "chỉ tiêu" in folded:
            kinds += PLAN_CLAIMS
        if re.search(rf"so với (?:năm trước|năm {year - 1}|cùng kỳ)", folded):
            kinds += CHANGE_CLAIMS
        if not kinds:
            continue
        found = [(m.start(), m.end(), kind) for kind, pattern in kinds for m in pattern.finditer(folded)]
        yield from _bind(clause, key, _mentions(folded, indicators), sorted(found))


def _mentions(folded: str, indicators: Sequence[Indicator]) -> list[tuple[int, int, str]]:
    """(start, end, code) of each indicator named in the clause; the longest name wins where names overlap
    ("đoàn viên công đoàn" is not "công đoàn")."""
    spans = sorted(((m.start(), m.end(), ind.code) for ind in indicators for name in (ind.phrase, *ind.mentions)
                    for m in re.finditer(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", folded)),
                   key=lambda s: (s[0] - s[1], s[0]))
    taken: list[tuple[int, int, str]] = []
    for span in spans:
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return sorted(taken)


def _bind(clause: str, key: str, mentions: list[tuple[int, int, str]],
          found: list[tuple[int, int, str]]) -> Iterator[Claim]:
    """Each claim with the subject named last before it: consecutive names joined by "," or "và" are one."""
    for begin, end, kind in found:
        before = [m for m in mentions if m[1] <= begin]
        if not before:
            continue
        subject = [before[-1]]
        for m in reversed(before[:-1]):
            if not JOINER.match(clause[m[1]:subject[0][0]].casefold()):
                break
            subject.insert(0, m)
        codes = tuple(dict.fromkeys(code for *_, code in subject))
        quote = " ".join(clause[subject[0][0]:end].split())
        yield Claim(key, codes, kind, quote)


def contradiction(kind: str, indicator: Indicator, result: Result | None, year: int) -> str:
    """What the figures say when they contradict the claim ("26 tổ chức, 65% kế hoạch"), else ""."""
    if result is None or result.actual is None:
        return ""
    actual = result.actual
    figure = f"{indicator.phrase}: {vi.number(actual)} {indicator.measure}"
    if kind in ("over", "under", "met"):
        if not result.plan:
            return ""
        wrong = {"over": actual <= result.plan, "under": actual >= result.plan, "met": actual < result.plan}[kind]
        return f"{figure}, kế hoạch {vi.number(result.plan)} ({vi.percent(result.percent)})" if wrong else ""
    if result.previous is None:
        return ""
    wrong = actual <= result.previous if kind == "up" else actual >= result.previous
    change = vi.change_phrase(actual, result.previous, indicator.measure, year - 1)
    return f"{figure}, {change} ({vi.number(result.previous)})" if wrong else ""
