"""What every official document shares: the header block, the signature block, the document number,
and the words a result is told in (the report and each notice say it alike).

FORMAT.md gives the header's layout (superior and issuing body left, national
header right, number and place/date below) for the Party and the State styles.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.steps.aggregate import Result
from pipeline.settings import Indicator, Settings, YearDocuments

PEOPLE_VERB = "kết nạp, phát triển mới"  # what the indicators without a plan (members) count


@dataclass(frozen=True)
class Header:
    style: str
    font_family: str
    office_font: str  # the editable DOCX twin's font (style.office_font); font_family is the PDF's
    national_header: str
    motto: str
    superior_body: str
    issuing_body: str
    number_line: str
    place_date: str
    type_name: str  # "" for a letter (công văn): no title, its subject sits under the number
    summary: str
    subject: str = ""  # a letter's "V/v …" under its number


@dataclass(frozen=True)
class Signature:
    authority: str
    title: str
    name: str


def header(settings: Settings, docs: YearDocuments, type_code: str, type_name: str, summary: str,
           number: str | None = None, on: dt.date | None = None) -> Header:
    """The page-1 header of a numbered document (`number` defaults to the report's, `on` to the signing date)."""
    org, style = settings.general.organisation, settings.general.style
    number_line = ("Số " if style.kind == "party" else "Số: ") + document_number(
        settings, docs.report_number() if number is None else number, type_code)
    return plain_header(settings, type_name, summary, number_line, f"{org.place}, {vi.long_date(on or docs.date)}")


def letter_header(settings: Settings, docs: YearDocuments, type_code: str, subject: str, number: str,
                  on: dt.date) -> Header:
    """A letter's (công văn's) header: no type name or title; "V/v <subject>" under its number."""
    return dataclasses.replace(header(settings, docs, type_code, "", "", number, on), subject=f"V/v {subject}")


def plain_header(
    settings: Settings, type_name: str, summary: str, number_line: str = "", place_date: str = ""
) -> Header:
    """The header block; without `number_line` and `place_date`, a paper with no number and no date."""
    org, style = settings.general.organisation, settings.general.style
    return Header(
        style=style.kind,
        font_family=style.font_family,
        office_font=style.office_font,
        national_header=style.national_header,
        motto=style.motto,
        superior_body=org.superior_body,
        issuing_body=org.issuing_body,
        number_line=number_line,
        place_date=place_date,
        type_name=type_name,
        # Party summaries start lower case; State ones with a capital (FORMAT.md).
        summary=summary if style.kind == "party" else vi.sentence_case(summary),
    )


def document_number(settings: Settings, number: str, type_code: str) -> str:
    """"15-BC/BCĐ" (Party) or "15/BC-BCĐ" (State); a draft leaves the number blank."""
    short = settings.general.organisation.issuing_body_short
    number = number or "     "
    if settings.general.style.kind == "party":
        return f"{number}-{type_code}/{short}"
    return f"{number}/{type_code}-{short}"


def result_clauses(results: dict[str, Result], planned: tuple[Indicator, ...], settings: Settings) -> str:
    """What a year's results say after the subject: "thành lập được 26 tổ chức Đảng, đạt 65% kế hoạch năm;
    170 tổ chức Công đoàn, đạt 220% kế hoạch; chưa thành lập được tổ chức Đoàn, hội thanh niên nào (kế hoạch 3)".

    A zero is said in words, never "0 tổ chức Đảng, đạt 0% kế hoạch": the indicators founded come first,
    under one "thành lập được", then each one with none.
    """
    threshold = settings.general.numbers.surplus_phrase_below
    founded, none = [], []
    for n, ind in enumerate(planned):
        result = results[ind.code]
        if result.actual:
            phrase = vi.plan_phrase(result.percent, threshold, " kế hoạch năm" if n == 0 else " kế hoạch")
            founded.append(f"{vi.number(result.actual)} {ind.phrase}, {phrase}")
        else:
            plan = f"kế hoạch {vi.number(result.plan)}" if result.plan else "không giao kế hoạch"
            none.append(f"chưa thành lập được {ind.phrase} nào ({plan})")
    return "; ".join((["thành lập được " + "; ".join(founded)] if founded else []) + none)


def counted_clause(counts: Sequence[tuple[int | None, str]], verb: str) -> str:
    """[(167, "đảng viên"), (0, "đoàn viên")] with "kết nạp" → "đã kết nạp 167 đảng viên; chưa kết nạp đoàn
    viên nào": figures first under one "đã <verb>", then each one with none, in words."""
    figures = [f"{vi.number(n)} {phrase}" for n, phrase in counts if n]
    none = [f"chưa {verb} {phrase} nào" for n, phrase in counts if not n]
    return "; ".join(([f"đã {verb} " + "; ".join(figures)] if figures else []) + none)
