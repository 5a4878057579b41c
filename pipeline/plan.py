"""What a run will do: the settings, the input ledger, the validated submissions, the totals, the jobs.

`plan(options)` reads every workbook under INPUT and validates the year's
submissions; with `documents`, and when the year may be reported (no errors,
or ALLOW_INVALID), it also aggregates the totals and lists every document to
render. It writes nothing: the runner (`pipeline.runner`) executes the jobs and
the publisher (`pipeline.publisher`) stages and swaps the year folder.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
from pipeline.core.documents.notice import notice_contexts
from pipeline.core.documents.reminder import reminder_contexts
from pipeline.core.documents.report import report_context
from pipeline.core.documents.slip import slip_contexts
from pipeline.core.documents.summary import summary_context
from pipeline.core.jobs import ChartJob, DocxJob, Job, PdfJob, SummaryJob
from pipeline.core.steps.aggregate import Figures, Totals, actuals, aggregate
from pipeline.core.steps.checks import uses_previous
from pipeline.core.steps.claims import assessment_issues
from pipeline.core.steps.explain import explain
from pipeline.core.steps.history import published_figures
from pipeline.core.steps.ledger import Entry, YearInputs, ledger, path_year, select_year
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import Validation, next_year_targets, unit_from_name, validate_year
from pipeline.core.steps.yearfile import year_file_issues
from pipeline.errors import ConfigError, SourceError, os_cause
from pipeline.feedback import workbook_sources
from pipeline.io.approvals import in_force, read_approvals
from pipeline.io.history import Published, read_published, write_year
from pipeline.io.inbox import walk
from pipeline.issue_types import NO_PREVIOUS_FIGURES, PUBLISHED_NOT_TRUSTED
from pipeline.issues import Issue, ValidationReport
from pipeline.resources import templates_dir
from pipeline.runner import Progress, default_jobs, read_files
from pipeline.settings import Settings, load_settings
from pipeline.settings.explanations import EXPLANATIONS_FILE

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
class Inputs:
    """Every entry under the input folder; the workbooks parsed and grouped by the year they state."""

    by_year: dict[int, list[Submission]]
    undated: list[Submission]
    refusals: list[Refusal]
    entries: tuple[Entry, ...] = ()  # everything the walk found, workbooks included (see io.inbox)
    read: dict[str, Submission | Refusal] = field(default_factory=dict)  # by displayed path

    def year(self, year: int) -> YearInputs:
        """The workbooks that stand for `year` (see `ledger.select_year`)."""
        return select_year(year, self.by_year, self.undated, self.refusals)


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
    """
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


def read_inputs(input_dir: Path, workers: int = 1, settings: Settings | None = None) -> Inputs:
    """Read and parse every workbook, in `workers` processes when there are enough of them;
    with `settings`, also run each file's own checks (see `check_file`)."""
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
    read = read_files(files, workers, settings)
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
    settings = load_settings(options.config_dir)
    if options.year is not None:  # asked for: said, and its file checked, before anything is read
        options.tell(report_year(options, settings).line())
        if documents:
            settings.document_settings(options.year)
    check_apart(options.input_dir, options.output_root)
    inputs = read_inputs(options.input_dir, options.workers, settings)
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
             if path_year(sub.file) == year]
    if stray:
        held += (f". Các tệp mang năm {year} trong tên nhưng ghi «Năm báo cáo» khác: {'; '.join(stray[:5])}"
                 + (f" và {len(stray) - 5} tệp khác" if len(stray) > 5 else "")
                 + f" — nếu là số liệu năm {year}, sửa «Năm báo cáo» rồi chạy lại")
    return (f"Không có biểu mẫu nào của năm {year} trong {input_dir} (trong đó có: {held}). Chưa lập gì; văn bản "
            f"đã lập trước đó (nếu có) giữ nguyên. Kiểm tra lại YEAR=… và INPUT=…, và «Năm báo cáo» trong các "
            "biểu mẫu.")


@dataclass(frozen=True)
class Previous:
    """Last year's actuals, where they came from (as the documents say it), what the clerk should know,
    and every earlier year's figures found (for the trend)."""

    figures: Figures
    source: str  # for the clerk: names the file (status page, tong-hop.json)
    issues: tuple[Issue, ...] = ()
    earlier: dict[int, Figures] = field(default_factory=dict)
    wording: str = ""  # for the documents: no file names


def find_previous(year: int, inputs: Inputs, settings: Settings, output_root: Path | None = None) -> Previous:
    """Last year's actuals, in order from: its published results under `output_root` (when ours and
    consistent), its workbooks (all present and valid), config/history.yaml. None found is a warning."""
    previous = year - 1
    issues: list[Issue] = []
    published, trusted = _published(output_root, previous, settings)
    if published is not None and isinstance(trusted, dict):
        figures, source = trusted, f"kết quả đã công bố năm {previous} ({published.where})"
        wording = f"kết quả tổng hợp năm {previous} đã công bố"
    else:
        figures, source, wording = _unpublished(previous, inputs, settings)
    if published is not None and isinstance(trusted, str):
        issues.append(PUBLISHED_NOT_TRUSTED.at(published.where, previous=previous, where=published.where,
                                               reason=trusted, used=source))
    if not figures:
        where = f"{previous}/{TOTALS_DATA.path()}"
        issues.append(NO_PREVIOUS_FIGURES.at("config/history.yaml", previous=previous,
                                             published=f"không có {where}" if published is None else where))
    earlier = earlier_figures(year, settings, output_root)
    if figures:
        earlier[previous] = figures
    return Previous(figures, source, tuple(issues), earlier, wording)


def _unpublished(previous: int, inputs: Inputs, settings: Settings) -> tuple[Figures, str, str]:
    """Last year's workbooks if all present and valid, else config history; with the documents' words."""
    # Only workbooks that state last year: one whose year cannot be read belongs to this year's run.
    subs = [s for s in inputs.year(previous).submissions if s.year == previous]
    if subs:
        checked = validate_year(previous, subs, [], settings)
        if set(checked.status.values()) == {"valid"}:
            return actuals(checked), f"biểu mẫu năm {previous}", f"biểu mẫu báo cáo năm {previous} của các đơn vị"
    if previous in settings.history:
        return (settings.history[previous], f"config/history.yaml, năm {previous}",
                f"số liệu lưu trữ kết quả năm {previous}")
    return {}, "không có", ""


def _published(output_root: Path | None, year: int, settings: Settings) -> tuple[Published | None, Figures | str]:
    """A year's published results and what they are worth: their figures when ours and consistent,
    else why not ("" when nothing is published)."""
    published = read_published(output_root, year) if output_root is not None else None
    if published is None:
        return None, ""
    return published, published.reason or trusted_figures(published.data, year, settings)


def trusted_figures(data: object, year: int, settings: Settings) -> Figures | str:
    """A published tong-hop.json's valid units' actuals, or why it is not trusted."""
    units = [u.code for u in settings.units_in(year)]
    return published_figures(data, year, units, [i.code for i in settings.indicators])


def earlier_figures(year: int, settings: Settings, output_root: Path | None) -> dict[int, Figures]:
    """Every year before `year` with figures: its published results when trusted, else history.yaml."""
    found: dict[int, Figures] = {y: figures for y, figures in settings.history.items() if y < year}
    if output_root is not None and output_root.is_dir():
        for folder in sorted(output_root.iterdir()):
            if not (folder.name.isdigit() and len(folder.name) == 4 and int(folder.name) < year):
                continue
            published = read_published(output_root, int(folder.name))
            if published is not None and not published.reason:
                figures = trusted_figures(published.data, int(folder.name), settings)
                if isinstance(figures, dict):
                    found[int(folder.name)] = figures
    return found


def summarise(settings: Settings, inputs: Inputs, validation: Validation,
              output_root: Path | None = None) -> Totals:
    """Aggregate the year's valid submissions against plan and last year."""
    return summarise_with(settings, inputs, validation, find_previous(validation.year, inputs, settings,
                                                                       output_root))


def summarise_with(settings: Settings, inputs: Inputs, validation: Validation, previous: Previous) -> Totals:
    totals = aggregate(validation, previous.figures, previous.source, settings, previous.earlier)
    return dataclasses.replace(totals, previous_wording=previous.wording)


def vanished_units(published: Path, validation: Validation) -> tuple[str, ...]:
    """Units that had sent a workbook for the report being replaced and have none now."""
    try:
        data = json.loads((published / TOTALS_DATA.path()).read_text(encoding="utf-8"))
        before = {u["code"] for u in data["units"] if u.get("status") != "missing"}
    except (OSError, ValueError, KeyError, TypeError):
        return ()  # no earlier report (or not one of ours): nothing to compare with
    now = {code for code, status in validation.status.items() if status != "missing"}
    return tuple(sorted(before - now))


@dataclass(frozen=True)
class TargetChange:
    """Next year's targets now in config/targets.yaml against those of the report being replaced."""

    year: int  # the targets' year (N + 1)
    units: tuple[tuple[str, dict[str, tuple[int | None, int | None]]], ...]  # unit → indicator → (old, new)
    totals: dict[str, tuple[int, int]]  # indicator → (old, new) city total
    scope: str  # "toàn thành phố"


def changed_targets(published: Path, settings: Settings, year: int) -> TargetChange | None:
    """The units whose targets for `year` + 1 differ from those the published report of `year` assigned
    (its data/tong-hop.json, "next_year_targets"); None when none did, or there is nothing to compare with."""
    try:
        data = json.loads((published / TOTALS_DATA.path()).read_text(encoding="utf-8"))
        before = {str(code): {str(k): int(v) for k, v in figures.items()}
                  for code, figures in data["next_year_targets"]["units"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no earlier report, or one from before targets were kept in it
    now = settings.targets.get(year + 1, {})
    codes = [u.code for u in settings.units if u.code in before or u.code in now]
    units = []
    for code in codes:
        old, new = before.get(code, {}), now.get(code, {})
        diff = {ind: (old.get(ind), new.get(ind)) for ind in dict.fromkeys([*old, *new])
                if old.get(ind) != new.get(ind)}
        if diff:
            unit = settings.unit(code)
            units.append((f"{unit.full_name} ({code})" if unit else code, diff))
    if not units:
        return None
    indicators = dict.fromkeys([*(k for f in before.values() for k in f), *(k for f in now.values() for k in f)])
    totals = {ind: (sum(f.get(ind, 0) for f in before.values()), sum(f.get(ind, 0) for f in now.values()))
              for ind in indicators}
    return TargetChange(year + 1, tuple(units), totals, settings.general.organisation.scope)


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
    for code, notice in notice_contexts(totals, settings).items():
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


# --- make history: one year's results into config/history.yaml ----------------------------


@dataclass(frozen=True)
class HistoryExport:
    """What `history` wrote: the year, where its figures came from, the file, the city totals."""

    year: int
    source: str
    path: Path
    totals: dict[str, int]
    issues: tuple[Issue, ...] = ()


def export_history(options: Options, force: bool = False) -> HistoryExport:
    """Write year N's per-unit figures (its published results, else its workbooks) into
    config/history.yaml; a year already there is replaced only with `force`."""
    settings = load_settings(options.config_dir)
    if options.year is None:
        raise SourceError("Chưa chọn năm cần ghi vào config/history.yaml: dùng YEAR=… (make) hoặc --year … "
                          "(dòng lệnh)")
    year, path = options.year, options.config_dir / "history.yaml"
    if year in settings.history and not force:
        raise SourceError(f"Năm {year} đã có trong {path}: không ghi đè. Dùng FORCE=1 (make) hoặc --force "
                          "(dòng lệnh) để ghi lại số liệu năm này.")
    issues: list[Issue] = []
    published, trusted = _published(options.output_root, year, settings)
    if published is not None and isinstance(trusted, dict):
        figures, source = trusted, f"kết quả đã công bố ({options.output_root / published.where})"
    else:
        figures, source = _workbook_figures(year, options, settings)
        if published is not None and isinstance(trusted, str):
            issues.append(PUBLISHED_NOT_TRUSTED.at(published.where, previous=year, where=published.where,
                                                   reason=trusted, used=source))
    order = [u.code for u in settings.units_in(year)]
    ordered = {code: figures[code] for code in sorted(figures, key=lambda c: order.index(c) if c in order else 0)}
    totals = {i.code: sum(unit.get(i.code, 0) for unit in figures.values()) for i in settings.indicators}
    shown = ", ".join(f"{code} {value}" for code, value in totals.items())
    comment = f"Năm {year} (make history), lấy từ {source}; {settings.general.organisation.scope}: {shown}."
    if not write_year(path, year, ordered, comment, force):  # the file changed since it was read
        raise SourceError(f"Năm {year} đã có trong {path}: không ghi đè. Dùng FORCE=1 (make) hoặc --force "
                          "(dòng lệnh) để ghi lại số liệu năm này.")
    load_settings(options.config_dir)  # what was written must load; a ConfigError names file and key
    return HistoryExport(year, source, path, totals, tuple(issues))


def _workbook_figures(year: int, options: Options, settings: Settings) -> tuple[Figures, str]:
    """The valid units' figures of `year`'s workbooks; an error while any unit's workbook has errors."""
    check_apart(options.input_dir, options.output_root)
    inputs = read_inputs(options.input_dir, options.workers, settings)
    selection = inputs.year(year)
    subs = [s for s in selection.submissions if s.year == year]
    if not subs:
        raise SourceError(f"Không có kết quả đã công bố năm {year} trong {options.output_root / str(year)} và "
                          f"không có biểu mẫu năm {year} trong {options.input_dir}: chưa ghi gì vào "
                          "config/history.yaml. Kiểm tra lại YEAR=…, OUTPUT=… và INPUT=….")
    checked = validate_year(year, subs, list(selection.refusals), settings, selection)
    invalid = sorted(code for code, status in checked.status.items() if status == "invalid")
    if invalid:
        raise SourceError(f"Biểu mẫu năm {year} của {len(invalid)} đơn vị còn lỗi ({', '.join(invalid)}): chưa ghi "
                          f"gì vào config/history.yaml. Chạy make validate YEAR={year} để xem và sửa lỗi.")
    return actuals(checked), f"biểu mẫu năm {year} ({options.input_dir})"
