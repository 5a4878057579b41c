"""What a run will do: the settings, the input ledger, the validated submissions, the totals, the jobs.

`plan(options)` reads every workbook under INPUT and validates the year's
submissions; with `documents`, and when the year may be reported (no errors,
or ALLOW_INVALID), it also aggregates the totals and lists every document to
render. It writes nothing: the runner (`pipeline.runner`) executes the jobs and
the publisher (`pipeline.publisher`) stages and swaps the year folder.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pipeline.core.catalogue import (
    CHART_SVG,
    ISSUES_DATA,
    LEDGER_DATA,
    NOTICE_DOCX,
    NOTICE_PDF,
    REMINDER_DOCX,
    REMINDER_PDF,
    REPORT_DOCX,
    REPORT_PDF,
    SLIP_PDF,
    SUMMARY_XLSX,
    TOTALS_DATA,
    TREND_CHART_SVG,
)
from pipeline.core.documents.data import tong_hop
from pipeline.core.documents.notice import notice_context, notice_inputs, notice_material
from pipeline.core.documents.reminder import reminder_contexts
from pipeline.core.documents.report import report_context
from pipeline.core.documents.slip import slip_contexts
from pipeline.core.documents.summary import summary_context
from pipeline.core.jobs import ChartJob, Deferred, DocxJob, Job, PdfJob, SummaryJob
from pipeline.core.steps.aggregate import Totals, aggregate
from pipeline.core.steps.checks import uses_previous
from pipeline.core.steps.claims import assessment_issues
from pipeline.core.steps.explain import explain
from pipeline.core.steps.ledger import ledger, path_year
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import Validation, next_year_targets, unit_from_name, validate_year
from pipeline.core.steps.yearfile import year_file_issues
from pipeline.errors import ConfigError, SourceError, os_cause
from pipeline.feedback import workbook_sources
from pipeline.io.approvals import in_force, read_approvals
from pipeline.io.inbox import walk
from pipeline.issues import Issue, ValidationReport
from pipeline.previous import Inputs, Previous, find_previous
from pipeline.resources import templates_dir
from pipeline.runner import Progress, collector_paused, default_jobs, read_files
from pipeline.settings import Settings, load_settings
from pipeline.settings.explanations import EXPLANATIONS_FILE
from pipeline.settings.parsed import ParsedCache

log = logging.getLogger("pipeline")


@dataclass(frozen=True)
class Options:
    """What the user asked for: the year (None: see `report_year`), the folders, how to run.

    `say` receives the one console line naming the year worked on and why.
    """

    year: int | None
    input_dir: Path
    config_dir: Path
    output_root: Path
    allow_invalid: bool = False
    strict_warnings: bool = False
    templates_dir: Path = field(default_factory=templates_dir)
    jobs: int | None = None
    progress: Progress | None = field(default=None, compare=False)
    state: Path | None = None  # the state folder (STATE=): approved workbooks stay in force; None: none read
    say: Callable[[str], None] | None = field(default=None, compare=False)

    def tell(self, line: str) -> None:
        if self.say is not None:
            self.say(line)
        else:
            log.info("%s", line)

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs and self.jobs > 0 else default_jobs()


@dataclass(frozen=True)
class Plan:
    """One run's work, decided before anything is written.

    `totals` is None when the run may publish only the check (validate, or a
    strict report with errors): `documents` is then empty.
    """

    settings: Settings
    inputs: Inputs
    validation: Validation
    totals: Totals | None
    documents: tuple[Job, ...]  # the report, its summary workbook and chart, the notices
    slips: tuple[Job, ...]  # feedback slips (units that sent a workbook) and reminders (units that did not, or late)
    sources: Mapping[str, Path] = field(default_factory=dict)  # unit → the workbook in force (marked copies)

    @property
    def year(self) -> int:
        return self.validation.year

    def document_data(self) -> dict[str, object]:
        """The machine-readable totals published beside the documents."""
        if self.totals is None:
            return {}
        return {TOTALS_DATA.path(): tong_hop(self.totals, self.settings.targets.get(self.year + 1, {}))}

    def check_data(self) -> dict[str, object]:
        """The issue report and the input ledger, published by every report and validate run."""
        v = self.validation
        return {ISSUES_DATA.path(): v.report.as_dict(),
                LEDGER_DATA.path(): {"year": v.year, "files": [row.as_dict() for row in v.ledger]}}


def plan(options: Options, documents: bool = False) -> Plan:
    """Read and check everything; with `documents`, also the totals and the documents, when allowed.

    Whenever the year's file is complete, its assessment is checked against the figures it speaks of
    (validate says what report does); only a report that may publish keeps the totals.

    What a plan builds (submissions, totals, contexts: millions of objects in a country's run) lives
    until the run ends: the garbage collector is paused while it grows, then frozen (`gc.freeze`), so
    that no later collection walks it again. Walking it again and again was ~1.1 s of CPU of a national
    rerun's 4.4 s (full collections while publishing too). Not collected first: a full collection there
    walked it all once more (0.15 s of a national rerun) to find 5 unreachable objects, which the frozen
    heap keeps until the run ends.
    """
    with collector_paused():
        made = _plan(options, documents)
        gc.freeze()  # while still paused: re-enabled first, a young collection would walk it all at once
    return made


def _plan(options: Options, documents: bool) -> Plan:
    settings, inputs, validation = check(options, documents)
    slips = tuple(check_jobs(settings, validation))
    files = {entry.path: entry.file for entry in inputs.entries if isinstance(entry.file, Path)}
    sources = workbook_sources(files, validation, options.state)
    publishing = documents and not (validation.report.errors and not options.allow_invalid)
    if not publishing and validation.year not in settings.documents:
        return Plan(settings, inputs, validation, None, (), slips, sources)
    previous = find_previous(validation.year, inputs, settings, options.output_root)
    if publishing and previous.issues:  # on the status page and in kiem-tra.json with the workbooks' issues
        for issue in previous.issues:
            log.warning("%s", issue.message)
        validation = _with(validation, previous.issues)
    totals = summarise_with(settings, inputs, validation, previous)
    validation = _with(validation, assessment_issues(settings, totals))  # the year's prose against its figures
    if not publishing:
        return Plan(settings, inputs, validation, None, (), slips, sources)
    settings.document_settings(validation.year)
    return Plan(settings, inputs, validation, totals, tuple(report_jobs(settings, validation, totals)), slips,
                sources)


def _with(validation: Validation, issues: Sequence[Issue]) -> Validation:
    """The validation with more issues of the run (config, last year's source, the year's prose)."""
    if not issues:
        return validation
    return dataclasses.replace(validation, report=ValidationReport.of(
        validation.year, (*validation.report.issues, *issues)))


@dataclass(frozen=True)
class YearChoice:
    """The year a run works on and why, as the console says it."""

    year: int
    why: str

    def line(self) -> str:
        return f"Năm báo cáo {self.year}: {self.why}."


def report_year(options: Options, settings: Settings, inputs: Inputs | None = None) -> YearChoice:
    """The year asked for, or else the latest year that has workbooks under INPUT (by the year they
    state) or a file in config/years; never guessed silently: the choice says why."""
    files = settings.year_files()
    if options.year is not None:
        return YearChoice(options.year, f"chọn bằng YEAR={options.year}")
    stated = {year for year, subs in inputs.by_year.items() if subs} if inputs is not None else set()
    if not stated | files:
        raise SourceError("Chưa chọn năm báo cáo: không có biểu mẫu nào ghi năm báo cáo trong "
                          f"{options.input_dir} và không có tệp years/<năm>.yaml trong {options.config_dir}; "
                          "dùng YEAR=… (make) hoặc --year … (dòng lệnh)")
    year = max(stated | files)
    year_file = options.config_dir / "years" / f"{year}.yaml"
    if year in stated and year in files:
        why = f"năm mới nhất có biểu mẫu trong {options.input_dir} và tệp {year_file}"
    elif year in stated:
        why = (f"năm mới nhất có biểu mẫu trong {options.input_dir} ({len(inputs.by_year[year]) if inputs else 0} "
               f"tệp); chưa có tệp {year_file}")
    else:
        why = f"năm mới nhất có tệp {year_file}; chưa có biểu mẫu năm {year} trong {options.input_dir}"
    return YearChoice(year, why)


def later_workbooks(year: int, inputs: Inputs, options: Options) -> str:
    """A line naming the workbooks of years after `year` that this run leaves aside, or ""."""
    later = {y: len(subs) for y, subs in sorted(inputs.by_year.items()) if y > year and subs}
    if not later:
        return ""
    held = "; ".join(f"{n} biểu mẫu năm {y}" for y, n in later.items())
    return (f"Thư mục {options.input_dir} còn có {held}: lần chạy này (năm {year}) không xét các tệp đó; "
            f"chạy với YEAR={max(later)} để xét.")


def need_year_file(choice: YearChoice, settings: Settings, inputs: Inputs, options: Options) -> None:
    """A report needs the year's file in config/years: its absence is an error naming the workbooks waiting."""
    year = choice.year
    if year in settings.year_files():
        settings.document_settings(year)  # a draft: names every placeholder left
        return
    count = len(inputs.by_year.get(year, ()))
    waiting = f"Có {count} biểu mẫu năm {year} trong {options.input_dir} nhưng" if count else f"Năm {year}:"
    raise ConfigError(f"{waiting} chưa có tệp {options.config_dir / 'years' / f'{year}.yaml'} (số văn bản, ngày "
                      f"ký, hạn nộp, người ký, đánh giá của năm). Chạy make new-year YEAR={year} (dòng lệnh: nq28 "
                      f"new-year --year {year}), điền các mục «<<CẦN ĐIỀN: …>>», rồi chạy lại make report.")


def read_inputs(input_dir: Path, workers: int = 1, settings: Settings | None = None,
                cache_root: Path | None = None) -> Inputs:
    """Read and parse every workbook, in `workers` processes when there are enough of them;
    with `settings`, also run each file's own checks (see `check_file`); with `cache_root`
    (OUTPUT), what was read is kept and reused (see `runner.read_files`)."""
    if not input_dir.is_dir():
        raise SourceError(f"Không tìm thấy thư mục biểu mẫu: {input_dir}")
    if not os.access(input_dir, os.R_OK | os.X_OK):
        raise SourceError(f"Không đọc được thư mục biểu mẫu {input_dir} (không có quyền đọc)")
    by_year: dict[int, list[Submission]] = defaultdict(list)
    undated: list[Submission] = []
    refusals: list[Refusal] = []
    try:
        entries = tuple(walk(input_dir))  # names shown printable: see inbox.display
    except OSError as exc:
        raise SourceError(f"Không đọc được thư mục biểu mẫu {input_dir}: {os_cause(exc, reading=True)}") from exc
    files = [(entry.file, entry.path) for entry in entries if isinstance(entry.file, Path)]
    read = read_files(files, workers, settings, cache_root)
    for item in read:
        if isinstance(item, Refusal):
            refusals.append(item)
        else:
            (by_year[item.year] if item.year else undated).append(item)
    log.info("Đã đọc %d tệp trong %s", len(read), input_dir)
    refusals.extend(entry.refusal() for entry in entries if entry.status == "refused")
    by_path = {item.path if isinstance(item, Refusal) else item.file: item for item in read}
    return Inputs(dict(by_year), undated, refusals, entries, by_path)


def check(options: Options, documents: bool = False) -> tuple[Settings, Inputs, Validation]:
    """Read every workbook and validate the year's submissions; writes nothing.

    The year's line (which year, and why) goes to `options.tell` first. With `documents`, the year's
    file in config/years must exist and be filled in: checked before anything is read when the year is
    asked for, else as soon as the workbooks tell the default year (see `report_year`).
    """
    settings = load_settings(options.config_dir, ParsedCache(options.output_root))
    if options.year is not None:  # asked for: said, and its file checked, before anything is read
        options.tell(report_year(options, settings).line())
        if documents:
            settings.document_settings(options.year)
    check_apart(options.input_dir, options.output_root)
    inputs = read_inputs(options.input_dir, options.workers, settings, options.output_root)
    choice = report_year(options, settings, inputs)
    if options.year is None:
        options.tell(choice.line())
    year = choice.year
    if later := later_workbooks(year, inputs, options):
        options.tell(later)
    if documents:
        need_year_file(choice, settings, inputs, options)
    elif year not in settings.year_files():
        options.tell(f"Chưa có tệp {options.config_dir / 'years' / f'{year}.yaml'}: kiểm tra vẫn chạy, nhưng "
                     f"trước khi lập báo cáo cần chạy make new-year YEAR={year} và điền tệp đó.")
    selection = inputs.year(year)
    approvals = read_approvals(options.state, year) if options.state is not None else {}
    if approvals and options.state is not None:  # each approved unit's accepted workbook stays in force
        selection = in_force(options.state, approvals, selection,
                             lambda path, name: read_files([(path, name)], 1, settings)[0])
    if not selection.submissions and not selection.refusals:
        raise SourceError(_nothing_for(year, options.input_dir, inputs))
    # Last year's figures, for the rules of rules.yaml that use CODE.previous (only when one does): from
    # the same source as the report's comparison (published results, workbooks, history.yaml).
    previous = (find_previous(year, inputs, settings, options.output_root).figures
                if any(map(uses_previous, settings.rules)) else None)
    validation = validate_year(year, selection.submissions, selection.refusals, settings, selection, previous)
    if documents:  # the report assigns next year's targets: config/targets.yaml must have them
        config = options.config_dir
        found = next_year_targets(year, settings, str(config / "targets.yaml"), str(config / "years" / f"{year}.yaml"))
        validation = _with(validation, found)
    unit_of = {r.path: unit_from_name(r.path, settings) for r in inputs.refusals}
    rows = ledger(year, list(inputs.entries), inputs.read, selection, unit_of)
    validation = dataclasses.replace(validation, ledger=rows, approved=approvals)
    # The year file's own warnings (copied text, dates of another year): validate's late check uses its deadline.
    validation = _with(validation, year_file_issues(settings, year))
    shown = str(options.config_dir / EXPLANATIONS_FILE)
    validation = dataclasses.replace(validation, report=explain(validation.report, settings.explanations, shown))
    return settings, inputs, validation


def check_apart(input_dir: Path, output_root: Path) -> None:
    """The output folder may not lie inside the input folder, nor the other way round: the next
    run would read its own summary workbook as a unit's submission."""
    inside, outside = Path(os.path.realpath(input_dir)), Path(os.path.realpath(output_root))
    if outside == inside or inside in outside.parents:
        raise SourceError(f"Thư mục kết quả {output_root} nằm trong thư mục biểu mẫu {input_dir}: lần chạy sau sẽ đọc "
                          "cả biểu tổng hợp đã lập như một biểu mẫu. Chọn thư mục kết quả ở ngoài (OUTPUT=…)")
    if outside in inside.parents:
        raise SourceError(f"Thư mục biểu mẫu {input_dir} nằm trong thư mục kết quả {output_root}: đặt biểu mẫu ở thư "
                          "mục riêng (INPUT=…), ngoài thư mục kết quả")


def _nothing_for(year: int, input_dir: Path, inputs: Inputs) -> str:
    """Why a run for `year` stops before replacing anything: what the input folder holds instead."""
    found = [f"{len(subs)} biểu mẫu năm {y}" for y, subs in sorted(inputs.by_year.items())]
    if inputs.refusals:
        found.append(f"{len(inputs.refusals)} tệp không đọc được")
    others = sum(1 for e in inputs.entries if e.status is not None and not e.path.endswith("/"))
    if others:
        found.append(f"{others} tệp khác (bị bỏ qua hoặc từ chối)")
    held = "; ".join(found) if found else "không có tệp nào"
    stray = [f"«{sub.file}» ghi năm {sub.year}" for subs in inputs.by_year.values() for sub in subs
             if path_year(sub.file, sub.unit_code) == year]
    if stray:
        held += (f". Các tệp mang năm {year} trong tên nhưng ghi «Năm báo cáo» khác: {'; '.join(stray[:5])}"
                 + (f" và {len(stray) - 5} tệp khác" if len(stray) > 5 else "")
                 + f" — nếu là số liệu năm {year}, sửa «Năm báo cáo» rồi chạy lại")
    return (f"Không có biểu mẫu nào của năm {year} trong {input_dir} (trong đó có: {held}). Chưa lập gì; văn bản "
            f"đã lập trước đó (nếu có) giữ nguyên. Kiểm tra lại YEAR=… và INPUT=…, và «Năm báo cáo» trong các "
            "biểu mẫu.")


def summarise(settings: Settings, inputs: Inputs, validation: Validation,
              output_root: Path | None = None) -> Totals:
    """Aggregate the year's valid submissions against plan and last year."""
    return summarise_with(settings, inputs, validation, find_previous(validation.year, inputs, settings,
                                                                       output_root))


def summarise_with(settings: Settings, inputs: Inputs, validation: Validation, previous: Previous) -> Totals:
    totals = aggregate(validation, previous.figures, previous.source, settings, previous.earlier)
    return dataclasses.replace(totals, previous_wording=previous.wording)


def report_jobs(settings: Settings, validation: Validation, totals: Totals) -> list[Job]:
    """The report, its summary workbook and chart, and every notice: what `report` renders."""
    organisations = {code: sub.organisations for code, sub in validation.submissions.items()}
    context = report_context(totals, organisations, settings)
    year = totals.year
    jobs: list[Job] = [
        PdfJob(REPORT_PDF, REPORT_PDF.path(year=year), context, context.chart, trend=context.trend_chart),
        DocxJob(REPORT_DOCX, REPORT_DOCX.path(year=year), context, context.chart, trend=context.trend_chart),
        SummaryJob(SUMMARY_XLSX, SUMMARY_XLSX.path(year=year), summary_context(totals, organisations, settings)),
        ChartJob(CHART_SVG, CHART_SVG.path(), context.chart),
    ]
    if context.trend_chart:
        jobs.append(ChartJob(TREND_CHART_SVG, TREND_CHART_SVG.path(), context.trend_chart))
    # Each notice keyed on its input and the settings it shows, its context built only if it is made again.
    shown = settings.shown()
    digest = shown.digest()
    for code, given in notice_inputs(totals, settings).items():
        notice = Deferred(notice_material(given, digest), partial(notice_context, given, shown))
        jobs += [PdfJob(NOTICE_PDF, NOTICE_PDF.path(code=code), notice, unit=code),
                 DocxJob(NOTICE_DOCX, NOTICE_DOCX.path(code=code), notice, unit=code)]
    return jobs


def check_jobs(settings: Settings, validation: Validation) -> list[Job]:
    """One feedback slip per unit that sent a workbook; a reminder letter (PDF and DOCX) to each unit
    that sent nothing or sent late."""
    jobs: list[Job] = [PdfJob(SLIP_PDF, SLIP_PDF.path(code=code), context, unit=code)
                       for code, context in slip_contexts(validation, settings).items()]
    for code, letter in reminder_contexts(validation, settings).items():
        jobs += [PdfJob(REMINDER_PDF, REMINDER_PDF.path(code=code), letter, unit=code),
                 DocxJob(REMINDER_DOCX, REMINDER_DOCX.path(code=code), letter, unit=code)]
    return jobs
