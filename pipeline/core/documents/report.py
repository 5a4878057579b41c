"""Totals + settings → one typed context per document.

Every figure a document prints is formatted here, once, in Vietnamese: the
PDF, and later the DOCX and XLSX, read the same object and cannot disagree.
Templates only place these strings; they compute nothing.

The report stays readable at any scale: past `max_unit_rows_in_pdf` units
its unit tables and chart show groups (pipeline.core.documents.appendix), long lists
of names in the text end in "và N đơn vị khác", and a long list of
organisations stays in the summary workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.documents.appendix import (
    CHART_NAME,
    AppendixNames,
    ChartData,
    UnitRow,
    pending_targets,
    targets_later,
    unit_tables,
    workbook_file,
)
from pipeline.core.documents.header import (
    PEOPLE_VERB,
    Header,
    Signature,
    counted_clause,
    document_number,
    header,
    result_clauses,
)
from pipeline.core.documents.trend import TrendChartData, trend_chart
from pipeline.core.steps.aggregate import Result, Totals
from pipeline.core.steps.submission import Organisation
from pipeline.settings import Indicator, Settings

MAX_NAMES_IN_TEXT = 10  # a sentence names this many units, then says how many more


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    measure: str


@dataclass(frozen=True)
class OrgGroup:
    unit: str
    rows: tuple[dict[str, str], ...]  # Organisation.printed() of each listed organisation


@dataclass(frozen=True)
class OrganisationList:
    """Phụ lục 3: the new organisations by unit, or a note saying where they are when too many to print."""

    groups: tuple[OrgGroup, ...]
    note: str


@dataclass(frozen=True)
class ReportContext:
    """The city report (báo cáo kết quả năm N, phương hướng năm N+1)."""

    year: int
    next_year: int
    title: str
    header: Header
    part_marks: tuple[str, str]
    appendix_names: tuple[str, str, str]
    appendix_titles: tuple[str, str]  # Phụ lục 1 and 2: per unit, per group or the totals only
    attachment_line: str
    intro: str
    results_sentence: str
    change_sentence: str
    cumulative_sentence: str  # "Từ năm 2015 đến nay, …": empty when only this year has figures
    previous_note: str  # under Phụ lục 1: where last year's figures come from
    trend_caption: str  # "Kết quả các năm 2015–2016": "" (no table) when only this year has figures
    trend_rows: tuple[UnitRow, ...]  # one row per year, then the sum since the first
    trend_chart: TrendChartData | None  # beside the trend table; None unless two years or more have figures
    people_sentence: str
    blank_sentence: str
    completeness_sentence: str
    results_reference: str  # where the reader finds each unit's results
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    targets_sentence: str
    targets_reference: str
    tasks: tuple[str, ...]
    signature: Signature
    recipients: tuple[str, ...]
    planned: tuple[Column, ...]
    people: tuple[Column, ...]
    unit_list_note: str  # Phụ lục 1 when its units are not printed: where they are
    target_list_note: str
    result_rows: tuple[UnitRow, ...]
    people_rows: tuple[UnitRow, ...]
    target_rows: tuple[UnitRow, ...]
    org_groups: tuple[OrgGroup, ...]
    org_list_note: str
    chart: ChartData
    chart_caption: str  # "Biểu đồ 1": the name the text calls the chart by


def report_context(
    totals: Totals, organisations: dict[str, tuple[Organisation, ...]], settings: Settings
) -> ReportContext:
    year, next_year = totals.year, totals.year + 1
    docs = settings.document_settings(year)
    org = settings.general.organisation
    planned = settings.planned_indicators()
    people = tuple(i for i in settings.indicators if not i.has_plan)
    summary = f"kết quả thực hiện {org.resolution} năm {year}, phương hướng, nhiệm vụ năm {next_year}"
    appendix_names = appendix_names_of(settings)
    tables = unit_tables(totals, planned, people, settings, appendix_names)
    organisation_list = _organisation_list(totals, organisations, settings)
    return ReportContext(
        year=year,
        next_year=next_year,
        title=f"Báo cáo {summary}",
        header=header(settings, docs, settings.general.style.report_type_code, "BÁO CÁO", summary),
        part_marks=("I-", "II-") if settings.general.style.kind == "party" else ("I.", "II."),
        appendix_names=appendix_names,
        attachment_line=attachment_line(settings, docs.report_number(), docs.date),
        intro=(
            f"Thực hiện {org.resolution_full}, {org.issuer_in_text} báo cáo kết quả thực hiện năm {year} "
            f"và phương hướng, nhiệm vụ năm {next_year} như sau:"
        ),
        results_sentence=results_sentence(totals, planned, settings),
        change_sentence=change_sentence(totals, planned),
        cumulative_sentence=cumulative_sentence(totals, planned, settings),
        previous_note=previous_note(totals),
        trend_caption=(f"Kết quả toàn {_scope_noun(settings)} các năm {totals.trend.first_year}–{year}"
                       if trend_table(totals, planned) else ""),
        trend_rows=trend_table(totals, planned),
        trend_chart=trend_chart(totals, settings),
        people_sentence=people_sentence(totals, people),
        blank_sentence=blank_sentence(totals, settings),
        completeness_sentence=completeness_sentence(totals),
        strengths=docs.assessment.strengths,
        weaknesses=docs.assessment.weaknesses,
        targets_sentence=targets_sentence(next_year, planned, settings, pending_targets(totals, settings)[1]),
        tasks=docs.assessment.tasks,
        signature=Signature(docs.signer.authority, docs.signer.title, docs.signer.name),
        recipients=docs.recipients,
        planned=_columns(planned),
        people=_columns(people),
        appendix_titles=tables.texts.appendix_titles,
        results_reference=tables.texts.results_reference,
        targets_reference=tables.texts.targets_reference,
        unit_list_note=tables.texts.unit_list_note,
        target_list_note=tables.texts.target_list_note,
        result_rows=tables.result_rows,
        people_rows=tables.people_rows,
        target_rows=tables.target_rows,
        chart=tables.chart,
        chart_caption=CHART_NAME,
        org_groups=organisation_list.groups,
        org_list_note=organisation_list.note,
    )


def appendix_names_of(settings: Settings) -> AppendixNames:
    """"Phụ lục 1, 2, 3" in a party office's style, "Phụ lục I, II, III" in a state office's."""
    first, second, third = ("1", "2", "3") if settings.general.style.kind == "party" else ("I", "II", "III")
    return f"Phụ lục {first}", f"Phụ lục {second}", f"Phụ lục {third}"


def attachment_line(settings: Settings, number: str, day: dt.date) -> str:
    """Under every appendix's title, as official documents write it:
    "Kèm theo Báo cáo số 15-BC/BCĐ ngày 29/12/2016 của Ban Chỉ đạo"."""
    code = settings.general.style.report_type_code
    return (f"Kèm theo Báo cáo số {document_number(settings, number, code)} ngày {vi.short_date(day)} "
            f"của {settings.general.organisation.issuer_in_text}")


def _organisation_list(totals: Totals, organisations: dict[str, tuple[Organisation, ...]],
                       settings: Settings) -> OrganisationList:
    """The appendix list, or a note saying where it is when it is too long to print."""
    groups = org_groups(totals, organisations)
    rows = sum(len(g.rows) for g in groups)
    if rows <= settings.general.report.max_list_rows_in_pdf:
        return OrganisationList(groups, "")
    note = (f"Danh sách {vi.number(rows)} tổ chức thành lập mới của {vi.number(len(groups))} đơn vị được lập thành "
            f"biểu tổng hợp kèm theo ({workbook_file(totals.year)}, trang «DanhSach»), không in kèm báo cáo này.")
    return OrganisationList((), note)


def _columns(indicators: tuple[Indicator, ...]) -> tuple[Column, ...]:
    return tuple(Column(i.code, i.name, i.measure) for i in indicators)


# --- the narrative ------------------------------------------------------------------


def results_sentence(totals: Totals, planned: tuple[Indicator, ...], settings: Settings) -> str:
    """"Năm 2016, toàn thành phố thành lập được 26 tổ chức Đảng, đạt 65% kế hoạch năm; …" (a zero in words)."""
    scope = settings.general.organisation.scope
    return f"Năm {totals.year}, {scope} {result_clauses(totals.totals, planned, settings)}."


def change_sentence(totals: Totals, planned: tuple[Indicator, ...]) -> str:
    """"Số tổ chức Đảng thành lập mới tăng 2 tổ chức so với năm 2015; …"."""
    previous_year = totals.year - 1
    parts = []
    for ind in planned:
        total = totals.totals[ind.code]
        if total.previous is None:
            continue
        parts.append(f"số {ind.phrase} thành lập mới {_change(total, ind, previous_year)}")
    if not parts:
        return f"Chưa có số liệu năm {previous_year} để so sánh."
    return vi.sentence_case("; ".join(parts)) + "."


def cumulative_sentence(totals: Totals, planned: tuple[Indicator, ...], settings: Settings) -> str:
    """"Từ năm 2015 đến nay, toàn thành phố đã thành lập được 50 tổ chức Đảng; …", over the trend's years."""
    first = totals.trend.first_year
    if first is None or first >= totals.year:
        return ""
    counts = [(totals.trend.cumulative(i.code), i.phrase) for i in planned]
    scope = settings.general.organisation.scope
    return f"Từ năm {first} đến nay, {scope} {counted_clause(counts, 'thành lập được')}."


def _scope_noun(settings: Settings) -> str:
    """"thành phố" from the scope "toàn thành phố"."""
    scope = settings.general.organisation.scope
    return scope.removeprefix("toàn ") if scope.startswith("toàn ") else scope


def trend_table(totals: Totals, planned: tuple[Indicator, ...]) -> tuple[UnitRow, ...]:
    """One row per year since the first with figures (plan, actual, percent of each planned indicator),
    then the sum of the actuals; empty when only this year has figures."""
    first = totals.trend.first_year
    if first is None or first >= totals.year:
        return ()
    series = [totals.trend.city.get(i.code, ()) for i in planned]
    rows = [UnitRow(str(n), f"Năm {points[0].year}",
                    tuple(text for p in points for text in (vi.number(p.plan), vi.number(p.actual),
                                                            vi.percent(p.percent) if p.actual is not None else "-")),
                    "" if points[0].actual is not None else "chưa có số liệu")
            for n, points in enumerate(zip(*series, strict=True), start=1)]
    total = tuple(text for i in planned for text in ("", vi.number(totals.trend.cumulative(i.code)), ""))
    rows.append(UnitRow("", f"Cộng {first}–{totals.year}", total, "", total=True))
    return tuple(rows)


def previous_note(totals: Totals) -> str:
    """Where the figures of last year compared with come from (published results, workbooks, history.yaml)."""
    if not any(r.previous is not None for r in totals.totals.values()):
        return f"Ghi chú: chưa có số liệu năm {totals.year - 1} để so sánh."
    source = totals.previous_wording or totals.previous_source
    return f"Ghi chú: số liệu năm {totals.year - 1} dùng để so sánh lấy từ {source}."


def _change(total: Result, ind: Indicator, previous_year: int) -> str:
    return vi.change_phrase(total.actual or 0, total.previous, ind.measure, previous_year)


def people_sentence(totals: Totals, people: tuple[Indicator, ...]) -> str:
    if not people:
        return ""
    counts = [(totals.totals[i.code].actual, i.phrase) for i in people]
    return f"Trong năm, các đơn vị {counted_clause(counts, PEOPLE_VERB)}."


def blank_sentence(totals: Totals, settings: Settings) -> str:
    """Who founded none, true for any data: every unit counted, some, one, or all of them "trắng"."""
    counted = totals.by_status("valid")
    title = settings.general.organisation.unit_title
    if not counted:
        return "Chưa có đơn vị nào có số liệu hợp lệ."
    ind = settings.blank()
    if not totals.blank_units:
        if len(counted) == 1:
            return f"{title} {counted[0].unit.full_name} đã thành lập được {ind.phrase} mới."
        if len(counted) == len(totals.units):
            return f"Tất cả các đơn vị đều thành lập được {ind.phrase} mới."
        return f"Cả {vi.number(len(counted))} đơn vị có số liệu hợp lệ đều thành lập được {ind.phrase} mới."
    names = names_in_text([u.full_name for u in totals.blank_units])
    count = len(totals.blank_units)
    if count == len(counted) > 1:
        return f"Cả {vi.number(count)} {title} có số liệu đều “trắng”, không thành lập được {ind.phrase} nào: {names}."
    return f"Còn {vi.number(count)} {title} “trắng”, không thành lập được {ind.phrase} nào: {names}."


def completeness_sentence(totals: Totals) -> str:
    n_all = len(totals.units)
    valid = totals.by_status("valid")
    text = f"Số liệu tổng hợp từ biểu mẫu của {vi.number(len(valid))}/{vi.number(n_all)} đơn vị"
    missing = totals.by_status("missing")
    invalid = totals.by_status("invalid")
    if missing:
        text += f"; chưa nộp: {names_in_text([u.unit.full_name for u in missing])}"
    if invalid:
        text += (
            f"; số liệu chưa hợp lệ, chưa tính vào tổng: "
            f"{names_in_text([u.unit.full_name for u in invalid])}"
        )
    late = [u for u in totals.units if u.late]
    if late:
        text += f"; nộp muộn: {names_in_text([u.unit.full_name for u in late])}"
    return text + "."


def names_in_text(names: list[str]) -> str:
    """"A, B và C"; a long list names the first MAX_NAMES_IN_TEXT: "A, B, … và 3.311 đơn vị khác"."""
    rest = len(names) - MAX_NAMES_IN_TEXT
    if rest < 2:  # "và 1 đơn vị khác" would be no shorter than the name itself
        return vi.join_names(names)
    return ", ".join(names[:MAX_NAMES_IN_TEXT]) + f" và {vi.number(rest)} đơn vị khác"


def targets_sentence(next_year: int, planned: tuple[Indicator, ...], settings: Settings, later: str = "") -> str:
    """The city's targets for next year, summed over the units given them; `later` (see `pending_targets`)
    says whose targets will be assigned later."""
    targets = settings.targets.get(next_year)
    if not targets:
        return targets_later(next_year)
    parts = [f"{vi.number(sum(t.get(i.code, 0) for t in targets.values()))} {i.phrase}" for i in planned]
    return " ".join(filter(None, (f"Năm {next_year}, giao chỉ tiêu cho các đơn vị thành lập " + "; ".join(parts)
                                  + ".", later)))


# --- the organisation list --------------------------------------------------------


def org_groups(totals: Totals, organisations: dict[str, tuple[Organisation, ...]]) -> tuple[OrgGroup, ...]:
    groups = []
    number = 0
    for u in totals.by_status("valid"):
        name = vi.sentence_case(u.unit.full_name)
        rows = []
        for org in organisations.get(u.unit.code, ()):
            number += 1
            rows.append(org.listed(number, name, u.unit.code).printed())
        if rows:
            groups.append(OrgGroup(name, tuple(rows)))
    return tuple(groups)
