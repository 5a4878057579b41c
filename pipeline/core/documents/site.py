"""Validation + totals + the published files → the status page context (index.html).

The page answers a clerk's three questions at a glance: who has sent a valid
workbook, what the city totals are, and what is still wrong. Every string is
formatted here in Vietnamese; the template only places it. Links are the
published relative paths themselves, so the page works opened straight from
the folder, without a server.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from pipeline.core import labels, vi
from pipeline.core.catalogue import (
    CHART_SVG,
    KIND_LABELS,
    LEDGER_DATA,
    MARKED_XLSX,
    NOTICE_DOCX,
    NOTICE_PDF,
    REMINDER_PDF,
    SLIP_PDF,
    TREND_CHART_SVG,
    Kind,
)
from pipeline.core.documents.listing import DocumentGroup, Link, document_groups, unit_links
from pipeline.core.documents.register_view import RegisterView
from pipeline.core.documents.trend import TrendRow, trend_rows, trend_years
from pipeline.core.labels import Status
from pipeline.core.steps.aggregate import Totals
from pipeline.core.steps.ledger import LedgerRow
from pipeline.core.steps.ledger import Status as InputStatus
from pipeline.core.steps.ledger import counts as ledger_counts
from pipeline.core.steps.validate import Validation
from pipeline.issue_types import CHANGED_AFTER_APPROVAL
from pipeline.issues import Issue
from pipeline.settings import Settings, Unit

NO_REPORT = "Chưa lập báo cáo: còn lỗi trong biểu mẫu"
NO_REPORT_DETAIL = ("Báo cáo, thông báo và biểu tổng hợp năm {year} chỉ được lập khi các biểu mẫu hết lỗi. "
                    "Đề nghị các đơn vị sửa theo phiếu kiểm tra (mục Lỗi và cảnh báo), rồi chạy lại.")


@dataclass(frozen=True)
class Count:
    label: str
    value: str
    tone: str  # a CSS class: ok, bad, warn, muted, plain


@dataclass(frozen=True)
class RosterRow:
    number: str
    code: str
    name: str
    status: Status  # the CSS class next to the status text
    status_text: str
    late: bool
    errors: str
    warnings: str
    files: tuple[str, ...]
    issues_anchor: str  # "" when the unit has no issue group to jump to
    notice: tuple[Link, ...]
    slip: tuple[Link, ...]
    approved: str = ""  # "" when not approved (make approve); else when, and whether a newer file waits
    explained: str = "0"  # warnings accepted with a reason (config/giai-trinh.yaml)
    reminded: str = ""  # "có công văn" when a reminder letter (don-doc/) was made; the column shows when any is


@dataclass(frozen=True)
class TotalRow:
    name: str
    measure: str
    plan: str
    actual: str
    percent: str
    previous: str
    bar: int  # 0–100, the width of the progress bar; a surplus fills it
    met: bool


@dataclass(frozen=True)
class IssueRow:
    file: str
    sheet: str
    cell: str
    severity: str
    message: str
    is_error: bool


@dataclass(frozen=True)
class IssueGroup:
    anchor: str
    title: str
    summary: str
    rows: tuple[IssueRow, ...]


@dataclass(frozen=True)
class InputRow:
    path: str
    status: InputStatus  # the CSS class
    status_text: str
    unit: str
    reason: str


INPUT_STATUS = {"read": "đã đọc", "refused": "từ chối", "skipped": "bỏ qua"}
SHOWN_READ_FILES = 200  # past this the read files are counted, not listed: data/tep-nhan.json has them all
SHOWN_INPUT_ROWS = 500  # a folder of junk lists its first rows; data/tep-nhan.json has them all


@dataclass(frozen=True)
class SiteContext:
    year: int
    title: str
    scope: str  # "toàn thành phố" (organisation.scope): whose results section 2 shows
    superior_body: str
    issuing_body: str
    agency: str
    deadline: str
    counts: tuple[Count, ...]
    completeness: str
    roster: tuple[RosterRow, ...]
    previous_year: int
    totals: tuple[TotalRow, ...]
    totals_notes: tuple[str, ...]
    no_report: str  # "" when totals were made; else why not
    no_report_detail: str
    issues_summary: str
    issue_groups: tuple[IssueGroup, ...]
    documents: tuple[DocumentGroup, ...]
    chart_file: str | None
    chart_alt: str
    chart_note: str
    register: RegisterView | None = None  # the distribution register, once `make distribute` has run
    inputs_summary: str = ""
    inputs: tuple[InputRow, ...] = ()
    vanished: str = ""  # units in the report this run replaces that sent nothing this time
    trend_years: tuple[int, ...] = ()  # every year since the first with figures, when more than this one
    trend: tuple[TrendRow, ...] = ()
    year_state: tuple[str, ...] = ()  # the year's own config: the year file complete? next year's targets?
    trend_chart_file: str | None = None  # bieu-do-cac-nam.svg, beside the trend table when the report drew it
    trend_chart_alt: str = ""


def site_context(validation: Validation, totals: Totals | None, documents: tuple[str, ...], settings: Settings,
                 register: RegisterView | None = None, vanished: tuple[str, ...] = (),
                 notes: Mapping[str, str] | None = None) -> SiteContext:
    year, org = validation.year, settings.general.organisation
    units = settings.units_in(year)
    published = frozenset(documents)
    groups = issue_groups(validation, units)
    docs = settings.documents.get(year)
    chart = _chart_file(documents)
    made = totals is not None
    return SiteContext(
        year=year,
        title=f"Tình hình báo cáo thực hiện {org.resolution} năm {year}",
        scope=org.scope,
        superior_body=org.superior_body,
        issuing_body=" ".join(org.issuing_body.split()),  # the line breaks are for the paper header
        agency=org.agency,
        deadline=f"Hạn nộp biểu mẫu: {vi.short_date(docs.deadline)}." if docs and docs.deadline else "",
        counts=counts(validation),
        completeness=completeness(validation),
        roster=roster(validation, units, published, {g.anchor for g in groups}),
        previous_year=year - 1,
        totals=total_rows(totals, settings) if totals is not None else (),
        totals_notes=totals_notes(totals, validation) if totals is not None else (),
        trend_years=trend_years(trend_rows(totals, settings)) if totals is not None else (),
        trend=trend_rows(totals, settings) if totals is not None else (),
        no_report="" if made else NO_REPORT,
        no_report_detail="" if made else NO_REPORT_DETAIL.format(year=year),
        issues_summary=issues_summary(validation),
        issue_groups=groups,
        documents=document_groups(documents, settings, year, stale=not made, notes=notes),
        chart_file=chart,
        chart_alt=f"Biểu đồ tỉ lệ thực hiện so với kế hoạch năm {year} của từng đơn vị",
        # A strict run that stopped keeps the last report's chart: say it may be out of date.
        chart_note="Biểu đồ của lần lập báo cáo trước; chưa cập nhật theo biểu mẫu hiện tại."
        if chart and not made else "",
        register=register,
        inputs_summary=inputs_summary(validation.ledger),
        inputs=input_rows(validation.ledger),
        vanished=vanished_note(vanished, settings),
        year_state=year_state(settings, year),
        # Only beside a trend table of this run: a kept chart of an earlier run may show other years.
        trend_chart_file=TREND_CHART_SVG.path() if TREND_CHART_SVG.path() in published and made else None,
        trend_chart_alt=f"Biểu đồ kết quả thực hiện và kế hoạch các năm của {org.scope}",
    )


def year_state(settings: Settings, year: int) -> tuple[str, ...]:
    """What the year still needs in config before its report: the year file, then next year's targets."""
    file = f"config/years/{year}.yaml"
    if year in settings.documents:
        lines = [f"Tệp {file}: đã điền đủ."]
    elif year in settings.drafts:
        lines = [f"Tệp {file} còn {vi.number(len(settings.drafts[year].keys))} mục chưa điền (chỗ ghi «<<CẦN ĐIỀN: "
                 "…>>»): chưa lập được báo cáo."]
    else:
        lines = [f"Chưa có tệp {file}: chạy make new-year YEAR={year} rồi điền các mục cần điền."]
    units = settings.units_in(year)
    given = sum(1 for u in units if u.code in settings.targets.get(year + 1, {}))
    docs = settings.documents.get(year)
    if given == len(units):
        lines.append(f"Chỉ tiêu năm {year + 1}: đã có cho cả {vi.number(len(units))} đơn vị.")
    elif docs is not None and docs.targets_pending:
        lines.append(f"Chỉ tiêu năm {year + 1}: sẽ giao sau (đã có {vi.number(given)}/{vi.number(len(units))} "
                     "đơn vị).")
    else:
        lines.append(f"Chỉ tiêu năm {year + 1}: mới có {vi.number(given)}/{vi.number(len(units))} đơn vị; thêm "
                     "vào config/targets.yaml trước khi lập báo cáo.")
    return tuple(lines)


# --- the input ledger -----------------------------------------------------------


def inputs_summary(ledger: tuple[LedgerRow, ...]) -> str:
    n = ledger_counts(ledger)
    text = (f"Thư mục biểu mẫu có {vi.number(sum(n.values()))} tệp: {vi.number(n['read'])} đã đọc, "
            f"{vi.number(n['skipped'])} bỏ qua, {vi.number(n['refused'])} bị từ chối (không đọc được).")
    if n["read"] > SHOWN_READ_FILES:
        text += " Bảng dưới chỉ liệt kê tệp bỏ qua, bị từ chối."
    if len(input_rows(ledger)) >= SHOWN_INPUT_ROWS:
        text += f" Bảng dưới chỉ có {vi.number(SHOWN_INPUT_ROWS)} dòng đầu."
    if n["read"] > SHOWN_READ_FILES or len(input_rows(ledger)) >= SHOWN_INPUT_ROWS:
        text += f" Danh sách đầy đủ trong {LEDGER_DATA.path()}."
    return text


def input_rows(ledger: tuple[LedgerRow, ...]) -> tuple[InputRow, ...]:
    """Files, and folders that were not read; every read file too unless there are very many."""
    many = ledger_counts(ledger)["read"] > SHOWN_READ_FILES
    rows = (InputRow(r.path, r.status, INPUT_STATUS[r.status], r.unit, r.reason) for r in ledger
            if r.status != "read" or not (r.path.endswith("/") or many))
    return tuple(itertools.islice(rows, SHOWN_INPUT_ROWS))


def vanished_note(codes: tuple[str, ...], settings: Settings) -> str:
    if not codes:
        return ""
    names = ", ".join(u.full_name if (u := settings.unit(c)) else c for c in codes)
    return (f"Báo cáo lập trước đó có số liệu của {len(codes)} đơn vị mà lần này không có biểu mẫu: {names}. "
            "Các đơn vị này không được tính vào báo cáo mới; kiểm tra lại thư mục biểu mẫu (tệp bị xoá, chuyển "
            "chỗ, ghi sai năm?).")


# --- completeness ---------------------------------------------------------------


def _tally(validation: Validation) -> dict[str, int]:
    statuses = list(validation.status.values())
    return {s: statuses.count(s) for s in labels.STATUS} | {"all": len(statuses), "late": len(validation.late)}


def counts(validation: Validation) -> tuple[Count, ...]:
    n, report = _tally(validation), validation.report
    return (
        Count("Đơn vị", vi.number(n["all"]), "plain"),
        Count("Hợp lệ", vi.number(n["valid"]), "ok"),
        Count("Chưa hợp lệ", vi.number(n["invalid"]), "bad" if n["invalid"] else "muted"),
        Count("Chưa nộp", vi.number(n["missing"]), "warn" if n["missing"] else "muted"),
        Count("Nộp muộn", vi.number(n["late"]), "warn" if n["late"] else "muted"),
        Count("Lỗi", vi.number(len(report.errors)), "bad" if report.errors else "muted"),
        Count("Cảnh báo", vi.number(len(report.warnings)), "warn" if report.warnings else "muted"),
        Count("Đã giải trình", vi.number(len(report.explained)), "plain" if report.explained else "muted"),
        Count("Đã duyệt", vi.number(len(validation.approved)), "ok" if validation.approved else "muted"),
    )


def completeness(validation: Validation) -> str:
    n = _tally(validation)
    sent = n["all"] - n["missing"]
    return (f"Đã nhận biểu mẫu của {sent}/{n['all']} đơn vị; {n['valid']} đơn vị có số liệu hợp lệ "
            f"được tính vào tổng hợp năm {validation.year}.")


def roster(validation: Validation, units: tuple[Unit, ...], published: frozenset[str],
           anchors: set[str]) -> tuple[RosterRow, ...]:
    rows = []
    for n, unit in enumerate(units, start=1):
        issues = list(validation.report.of_unit(unit.code))
        errors = sum(i.is_error for i in issues)
        explained = sum(1 for i in issues if i.explained)
        status = validation.status.get(unit.code, "missing")
        sub = validation.submissions.get(unit.code)
        # An unreadable file has no submission, yet the clerk must see which file it was.
        files = sorted({i.file for i in issues if i.file} | ({sub.file} if sub else set()))
        anchor = issue_anchor(unit.code)
        rows.append(RosterRow(
            str(n), unit.code, vi.sentence_case(unit.full_name), status, labels.STATUS[status],
            unit.code in validation.late, vi.number(errors), vi.number(len(issues) - errors - explained), tuple(files),
            anchor if anchor in anchors else "",
            unit_links(published, (NOTICE_PDF, NOTICE_DOCX), unit.code, f"{KIND_LABELS[Kind.NOTICE]} {unit.full_name}"),
            # The slip, and the unit's own workbook marked with its issues (phan-hoi/) where there is one.
            unit_links(published, (SLIP_PDF, MARKED_XLSX), unit.code, f"{KIND_LABELS[Kind.SLIP]} {unit.full_name}"),
            approved_text(validation, unit.code, issues), vi.number(explained),
            "có công văn" if REMINDER_PDF.path(code=unit.code) in published else "",
        ))
    return tuple(rows)


def approved_text(validation: Validation, code: str, issues: list[Issue]) -> str:
    """When the unit's workbook was approved, and whether a different file waits for approval."""
    approval = validation.approved.get(code)
    if approval is None:
        return ""
    waiting = any(i.rule == CHANGED_AFTER_APPROVAL.code for i in issues)
    return f"{approval.when()}" + ("; có tệp mới chờ duyệt" if waiting else "")


# --- totals -------------------------------------------------------------------------


def total_rows(totals: Totals, settings: Settings) -> tuple[TotalRow, ...]:
    rows = []
    for ind in settings.planned_indicators():
        r = totals.totals[ind.code]
        pct = r.percent
        rows.append(TotalRow(
            ind.name, ind.measure, vi.number(r.plan), vi.number(r.actual), vi.percent(pct), vi.number(r.previous),
            int(min(pct, Decimal(100))) if pct is not None else 0, pct is not None and pct >= 100,
        ))
    return tuple(rows)


def totals_notes(totals: Totals, validation: Validation) -> tuple[str, ...]:
    notes = []
    counted, every = len(totals.by_status("valid")), len(totals.units)
    if counted < every:
        notes.append(f"Chỉ tính {counted}/{every} đơn vị có số liệu hợp lệ; các đơn vị còn lại chưa được tính.")
    notes.append(f"Số liệu năm {validation.year - 1} lấy từ: {totals.previous_source}.")
    return tuple(notes)


# --- issues -------------------------------------------------------------------------


def issue_anchor(code: str) -> str:
    return f"van-de-{code}"


def issues_summary(validation: Validation) -> str:
    report = validation.report
    if not report.issues:
        return "Không có lỗi hay cảnh báo."
    explained = f" ({len(report.explained)} cảnh báo khác đã giải trình)" if report.explained else ""
    return f"Có {len(report.errors)} lỗi và {len(report.warnings)} cảnh báo{explained}."


def issue_groups(validation: Validation, units: tuple[Unit, ...]) -> tuple[IssueGroup, ...]:
    """One group per unit in roster order; issues naming no known unit come last, together."""
    known = {u.code for u in units}
    groups = [_group(issue_anchor(u.code), vi.sentence_case(u.full_name),
                     list(validation.report.of_unit(u.code))) for u in units]
    stray = [i for i in validation.report.issues if i.unit not in known]
    groups.append(_group("van-de-khac", "Chưa xác định được đơn vị", stray))
    return tuple(g for g in groups if g.rows)


def _group(anchor: str, title: str, issues: list[Issue]) -> IssueGroup:
    errors = sum(i.is_error for i in issues)
    # Errors first: they are what keeps a unit out of the totals.
    ordered = sorted(issues, key=lambda i: not i.is_error)
    rows = tuple(IssueRow(i.file, i.sheet, i.cell, labels.SEVERITY[i.severity], i.said(), i.is_error) for i in ordered)
    explained = sum(1 for i in issues if i.explained)
    summary = f"{errors} lỗi, {len(issues) - errors - explained} cảnh báo" + (
        f", {explained} cảnh báo đã giải trình" if explained else "")
    return IssueGroup(anchor, title, summary, rows)


def _chart_file(documents: tuple[str, ...]) -> str | None:
    if CHART_SVG.path() in documents:
        return CHART_SVG.path()
    return next((d for d in documents if PurePosixPath(d).suffix == ".svg" and d != TREND_CHART_SVG.path()), None)
