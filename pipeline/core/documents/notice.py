"""Totals + settings → one notice context per unit.

The notice (thông báo kết quả năm N và giao chỉ tiêu năm N+1) tells a unit its
own plan, result, percent and rank, the change on last year, and its targets
for next year. Like the report, every string is formatted here once, so the
PDF and the DOCX of a notice cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.documents.appendix import LATER_CELL, targets_later
from pipeline.core.documents.header import PEOPLE_VERB, Header, Signature, counted_clause, header, result_clauses
from pipeline.core.documents.numbering import notice_numbers
from pipeline.core.steps.aggregate import Totals, UnitResult
from pipeline.core.steps.history import Point
from pipeline.settings import Indicator, Settings

STATUS_SENTENCES = {
    "invalid": "Biểu mẫu của đơn vị có số liệu chưa hợp lệ nên chưa được tính vào kết quả tổng hợp năm {year}; "
               "đề nghị đơn vị sửa theo phiếu kiểm tra và gửi lại.",
    "missing": "Đơn vị chưa nộp biểu mẫu báo cáo kết quả năm {year}; đề nghị đơn vị nộp ngay để tổng hợp.",
}


@dataclass(frozen=True)
class NoticeRow:
    name: str
    measure: str
    plan: str
    actual: str
    percent: str
    previous: str
    rank: str


@dataclass(frozen=True)
class TargetRow:
    name: str
    measure: str
    target: str


@dataclass(frozen=True)
class NoticeContext:
    year: int
    next_year: int
    unit_code: str
    unit_title: str
    title: str
    header: Header
    addressee: str
    intro: str
    status_sentence: str
    results_sentence: str
    change_sentence: str
    rank_sentence: str
    trend_sentence: str  # the unit's last three years (fewer when the trend is shorter); "" for one year
    blank_sentence: str
    people_sentence: str
    rows: tuple[NoticeRow, ...]
    targets_sentence: str
    targets: tuple[TargetRow, ...]
    closing: tuple[str, ...]
    signature: Signature
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class NoticeInput:
    """Everything one unit's notice says besides the settings: its render key is made of this and the
    settings' digest (`notice_material`), so a rerun builds the context of a notice made again only.
    `notice_context` reads nothing else: a notice cannot show what its key leaves out."""

    year: int
    result: UnitResult
    counted: int  # the year's valid units: the ranks are out of this many
    trend: Mapping[str, tuple[Point, ...]]  # the unit's points by indicator (Trend.units)
    number: str  # its document number in the year's sequence ("" for a draft)


def notice_inputs(totals: Totals, settings: Settings) -> dict[str, NoticeInput]:
    """unit code → what its notice is made from, for every unit of the year (submitted or not)."""
    numbers = notice_numbers(settings, totals.year)
    return {u.unit.code: notice_input(u, totals, settings, numbers.get(u.unit.code, "")) for u in totals.units}


def notice_input(u: UnitResult, totals: Totals, settings: Settings, number: str | None = None) -> NoticeInput:
    """What `u`'s notice is made from; `number` is its document number, from the year's sequence when not given."""
    if number is None:
        number = notice_numbers(settings, totals.year).get(u.unit.code, "")
    return NoticeInput(totals.year, u, len(totals.by_status("valid")), totals.trend.units.get(u.unit.code, {}),
                       number)


def notice_material(given: NoticeInput, settings_digest: str) -> str:
    """The text a notice's render key is made of (`pipeline.cache`): its input and the settings' digest."""
    return f"{given!r}, settings={settings_digest}"


def notice_contexts(totals: Totals, settings: Settings) -> dict[str, NoticeContext]:
    """unit code → notice, for every unit of the year (submitted or not)."""
    return {code: notice_context(given, settings) for code, given in notice_inputs(totals, settings).items()}


def notice_context(given: NoticeInput, settings: Settings) -> NoticeContext:
    """One unit's notice, from its input and the settings only."""
    u, number = given.result, given.number
    year, next_year = given.year, given.year + 1
    docs = settings.document_settings(year)
    org = settings.general.organisation
    planned = settings.planned_indicators()
    title = u.unit.title(org.unit_title)
    # Without targets for next year (targets_pending) the notice assigns none, and says so.
    assigns = bool(settings.targets.get(next_year, {}).get(u.unit.code))
    assigning = f" và giao chỉ tiêu năm {next_year}" if assigns else ""
    summary = f"kết quả thực hiện {org.resolution} năm {year}{assigning}"
    counted = u.status == "valid"
    return NoticeContext(
        year=year,
        next_year=next_year,
        unit_code=u.unit.code,
        unit_title=title,
        title=f"Thông báo {summary}: {title}",
        header=header(settings, docs, docs.notices.type_code, "THÔNG BÁO", summary,
                      number=number),
        addressee=f"{org.unit_leadership} {u.unit.party_body}",
        intro=(
            f"Căn cứ kết quả tổng hợp biểu mẫu báo cáo của các đơn vị, {org.issuer_in_text} thông báo kết quả "
            f"thực hiện {org.resolution} năm {year} của {title}{assigning} như sau:"
        ),
        status_sentence=STATUS_SENTENCES.get(u.status, "").format(year=year),
        results_sentence=(
            f"Năm {year}, {title} {result_clauses(u.results, planned, settings)}."
            if counted else ""
        ),
        change_sentence=_change_sentence(u, planned, year - 1) if counted else "",
        rank_sentence=_rank_sentence(u, given.counted, planned) if counted else "",
        trend_sentence=trend_sentence(given.trend, planned) if counted else "",
        blank_sentence=_blank_sentence(u, settings) if counted else "",
        people_sentence=_people_sentence(u, settings) if counted else "",
        rows=_rows(u, given.counted, planned) if counted else (),
        targets_sentence=_targets_sentence(u, next_year, planned, settings, title),
        targets=_targets(u, next_year, planned, settings),
        closing=docs.notices.closing_for(title, year),
        signature=Signature(docs.signer.authority, docs.signer.title, docs.signer.name),
        recipients=docs.notices.recipients,
    )


def _change_sentence(u: UnitResult, planned: tuple[Indicator, ...], previous_year: int) -> str:
    parts = [
        f"số {i.phrase} thành lập mới "
        f"{vi.change_phrase(u.results[i.code].actual or 0, u.results[i.code].previous, i.measure, previous_year)}"
        for i in planned
    ]
    return vi.sentence_case("; ".join(parts)) + "."


def trend_sentence(points: Mapping[str, tuple[Point, ...]], planned: tuple[Indicator, ...], years: int = 3) -> str:
    """"Kết quả các năm 2015–2016: năm 2015: 2 tổ chức Đảng, …; năm 2016: 2 tổ chức Đảng (đạt 66% kế hoạch), …"."""
    series = {i.code: points.get(i.code, ())[-years:] for i in planned}
    span = [p.year for p in next(iter(series.values()), ())]
    if len(span) < 2:
        return ""
    parts = []
    for index, year in enumerate(span):
        figures = [(i, series[i.code][index]) for i in planned if series[i.code][index].actual is not None]
        if not figures:
            parts.append(f"năm {year}: chưa có số liệu")
            continue
        parts.append(f"năm {year}: " + ", ".join(_past_result(i, p) for i, p in figures))
    return f"Kết quả các năm {span[0]}–{span[-1]}: " + "; ".join(parts) + "."


def _past_result(ind: Indicator, point: Point) -> str:
    """"2 tổ chức Đảng (đạt 66% kế hoạch)"; a zero in words: "không thành lập được tổ chức Đảng nào (kế hoạch 3)"."""
    if not point.actual:
        plan = f" (kế hoạch {vi.number(point.plan)})" if point.plan else ""
        return f"không thành lập được {ind.phrase} nào{plan}"
    return f"{vi.number(point.actual)} {ind.phrase}" + (
        f" (đạt {vi.percent(point.percent)} kế hoạch)" if point.percent is not None else "")


def _rank_sentence(u: UnitResult, counted: int, planned: tuple[Indicator, ...]) -> str:
    count = vi.number(counted)
    parts = [f"{i.phrase} xếp thứ {vi.number(u.ranks[i.code])}/{count}" for i in planned if i.code in u.ranks]
    return "Về tỉ lệ hoàn thành kế hoạch so với các đơn vị khác: " + "; ".join(parts) + "."


def _blank_sentence(u: UnitResult, settings: Settings) -> str:
    ind = settings.blank()
    if u.results[ind.code].actual == 0:
        return f"Đơn vị chưa thành lập được {ind.phrase} nào trong năm (“trắng”), cần có giải pháp khắc phục."
    return ""


def _people_sentence(u: UnitResult, settings: Settings) -> str:
    people = [i for i in settings.indicators if not i.has_plan]
    if not people:
        return ""
    counts = [(u.results[i.code].actual, i.phrase) for i in people]
    return f"Đơn vị {counted_clause(counts, PEOPLE_VERB)}."


def _rows(u: UnitResult, counted: int, planned: tuple[Indicator, ...]) -> tuple[NoticeRow, ...]:
    count = vi.number(counted)
    return tuple(
        NoticeRow(
            name=i.name,
            measure=i.measure,
            plan=vi.number(u.results[i.code].plan),
            actual=vi.number(u.results[i.code].actual),
            percent=vi.percent(u.results[i.code].percent),
            previous=vi.number(u.results[i.code].previous),
            rank=f"{vi.number(u.ranks[i.code])}/{count}" if i.code in u.ranks else "-",
        )
        for i in planned
    )


def _targets(
    u: UnitResult, next_year: int, planned: tuple[Indicator, ...], settings: Settings
) -> tuple[TargetRow, ...]:
    assigned = settings.targets.get(next_year, {}).get(u.unit.code, {})
    return tuple(TargetRow(i.name, i.measure, vi.number(assigned[i.code]) if i.code in assigned else LATER_CELL)
                 for i in planned)


def _targets_sentence(
    u: UnitResult, next_year: int, planned: tuple[Indicator, ...], settings: Settings, title: str
) -> str:
    assigned = settings.targets.get(next_year, {}).get(u.unit.code)
    if not assigned:
        return targets_later(next_year, " của đơn vị")
    parts = [f"{vi.number(assigned[i.code])} {i.phrase}" for i in planned if assigned.get(i.code)]
    none = [i.phrase for i in planned if i.code in assigned and not assigned[i.code]]
    later = [i.phrase for i in planned if i.code not in assigned]
    clauses = [f"giao {title} thành lập " + "; ".join(parts)] if parts else []
    if none:  # a target of 0 is no target: said in words, not "thành lập 0 tổ chức Đảng"
        clauses.append(f"không giao {'' if parts else title + ' '}chỉ tiêu thành lập {vi.join_names(none)}")
    if not clauses:
        return targets_later(next_year, " của đơn vị")
    return (f"Năm {next_year}, " + "; ".join(clauses) + "."
            + (f" Chỉ tiêu {vi.join_names(later)} sẽ được giao sau." if later else ""))
