"""The pipeline as data: read → parse → validate → aggregate → context → render → publish.

The one place that joins the I/O shell and the pure core. Each step is a
function of the previous step's result; the CLI only calls `validate` or
`report` and prints what they return.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import os
from collections import defaultdict
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from pipeline.core.aggregate import Figures, Totals, actuals, aggregate
from pipeline.core.appendix import SUMMARY_FILE
from pipeline.core.context import report_context
from pipeline.core.data import tong_hop
from pipeline.core.distribution import REGISTER_DATA
from pipeline.core.feedback import slip_contexts
from pipeline.core.ledger import Entry, YearInputs, ledger, path_year, select_year
from pipeline.core.notice import notice_contexts
from pipeline.core.site import CHART_FILE, site_context
from pipeline.core.summary import summary_context
from pipeline.core.parse import Submission, parse_workbook
from pipeline.core.register import published_view
from pipeline.core.raw import Refusal
from pipeline.core.text import TextPolicy, text_policy
from pipeline.core.validate import Validation, check_file, unit_from_name, validate_year
from pipeline.errors import InvalidDataError, SourceError, os_cause
from pipeline.io import file_digest
from pipeline.io.excel import read_workbook
from pipeline.io.fonts import drawable_characters
from pipeline.io.inbox import walk
from pipeline.io.screen import REDO
from pipeline.io.forms import blank_form
from pipeline.io.publish import (FORMS_FOLDER, KEEP_FOR_CHECK, KEEP_FOR_FORMS, KEEP_FOR_REPORT, KEYS_FILE, LEDGER_FILE,
                                 SITE_FILE, Staging)
from pipeline.batch import (Job, Progress, Renderers, chunk_size, default_jobs, fingerprint, job_key, render_jobs,
                            worker_pool)
from pipeline.render.site import render_site
from pipeline.resources import templates_dir
from pipeline.settings import Settings, load_settings

log = logging.getLogger("pipeline")
TEMPLATES = templates_dir()
# Below this many workbooks reading them in one process is quicker than starting a pool
# (a workbook takes ~2 ms; forking the workers and returning submissions ~30 ms).
READ_POOL_THRESHOLD = 40


@dataclass(frozen=True)
class Options:
    year: int | None
    input_dir: Path
    config_dir: Path
    output_root: Path
    allow_invalid: bool = False
    strict_warnings: bool = False
    templates_dir: Path = TEMPLATES
    jobs: int | None = None
    progress: Progress | None = field(default=None, compare=False)

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
class Outcome:
    year: int
    validation: Validation
    totals: Totals | None
    folder: Path | None
    documents: tuple[str, ...]
    vanished: tuple[str, ...] = ()  # units in the replaced report that sent nothing this time


def report_year(options: Options, settings: Settings) -> int:
    """The year asked for, or else the latest year with document settings in config."""
    if options.year is not None:
        return options.year
    if not settings.documents:
        raise SourceError("Chưa chọn năm báo cáo: dùng YEAR=… (make) hoặc --year … (dòng lệnh)")
    return max(settings.documents)


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
    files = [(entry.file, entry.path) for entry in entries if entry.file is not None]
    if workers > 1 and len(files) >= READ_POOL_THRESHOLD:
        try:
            with worker_pool(workers, _start_reader, (settings,)) as pool, _collector_paused():
                read = list(pool.map(_read_one, files, chunksize=chunk_size(files, workers)))
        except BrokenProcessPool:  # a file killed its reader (calamine aborting, memory): find which
            log.warning("Một tệp làm tiến trình đọc dừng đột ngột; đọc lại từng tệp riêng để tìm tệp đó")
            read = [_read_alone(file, settings) for file in files]
    else:
        _start_reader(settings)
        read = [_read_one(file) for file in files]
    for item in read:
        if isinstance(item, Refusal):
            refusals.append(item)
        else:
            (by_year[item.year] if item.year else undated).append(item)
    log.info("Đã đọc %d tệp trong %s", len(read), input_dir)
    refusals.extend(entry.refusal() for entry in entries if entry.status == "refused")
    by_path = {item.path if isinstance(item, Refusal) else item.file: item for item in read}
    return Inputs(dict(by_year), undated, refusals, entries, by_path)


_READER_SETTINGS: Settings | None = None  # what `_read_one` checks files against, in this process
_READER_POLICY: TextPolicy | None = None  # what text from a workbook may hold, in this process


def _start_reader(settings: Settings | None) -> None:
    global _READER_SETTINGS, _READER_POLICY
    _READER_SETTINGS = settings
    _READER_POLICY = text_policy_of(settings) if settings is not None else None


def text_policy_of(settings: Settings) -> TextPolicy:
    """What the documents' font draws and how long a cell's text may be (built once per process)."""
    return _text_policy(settings.general.style.font_family, settings.general.limits.max_text_length)


@lru_cache(maxsize=4)
def _text_policy(family: str, max_length: int) -> TextPolicy:
    return text_policy(drawable_characters(family), family, max_length)


def _read_one(file: tuple[Path, str]) -> Submission | Refusal:
    raw = read_workbook(*file)
    if isinstance(raw, Refusal):
        return raw
    sub = parse_workbook(raw, _READER_POLICY)
    return check_file(sub, _READER_SETTINGS) if _READER_SETTINGS is not None else sub


def _read_alone(file: tuple[Path, str], settings: Settings | None) -> Submission | Refusal:
    """`_read_one` in a process of its own: a file that kills it is refused, not the run."""
    try:
        with worker_pool(1, _start_reader, (settings,)) as pool:
            return pool.submit(_read_one, file).result()
    except BrokenProcessPool:
        path, name = file
        return Refusal(name, file_digest(path), "tệp làm chương trình đọc bảng tính dừng đột ngột (tệp hỏng hoặc "
                       f"có thể là tệp độc hại) — {REDO}")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Unpickling thousands of submissions from the workers makes millions of objects at
    once; without this the garbage collector walks them again and again (0.13 → 0.5 s at
    national scale) though none can be garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check(options: Options, documents: bool = False) -> tuple[Settings, Inputs, Validation]:
    """Read every workbook and validate the year's submissions; writes nothing.

    With `documents`, the year's document settings must exist before anything is read.
    """
    settings = load_settings(options.config_dir)
    year = report_year(options, settings)
    if documents:
        settings.document_settings(year)
    _apart(options.input_dir, options.output_root)
    inputs = read_inputs(options.input_dir, options.workers, settings)
    selection = inputs.year(year)
    if not selection.submissions and not selection.refusals:
        raise SourceError(_nothing_for(year, options.input_dir, inputs))
    validation = validate_year(year, selection.submissions, selection.refusals, settings, selection)
    unit_of = {r.path: unit_from_name(r.path, settings) for r in inputs.refusals}
    rows = ledger(year, list(inputs.entries), inputs.read, selection, unit_of)
    return settings, inputs, dataclasses.replace(validation, ledger=rows)


def _apart(input_dir: Path, output_root: Path) -> None:
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


def validate(options: Options) -> Outcome:
    """Check, then publish the issue report and the feedback slips only."""
    settings, _, validation = check(options)
    folder, documents = _publish_check(options, settings, validation)
    return Outcome(validation.year, validation, None, folder, documents)


def _publish_check(options: Options, settings: Settings, validation: Validation) -> tuple[Path, tuple[str, ...]]:
    renderers = _renderers(options, settings)
    return _publish(options, validation.year, KEEP_FOR_CHECK,
                    lambda out, cache: _render_check(options, renderers, settings, validation, out, cache),
                    _site(renderers, settings, validation, None))


def previous_figures(year: int, inputs: Inputs, settings: Settings) -> tuple[Figures, str]:
    """Last year's actuals: its workbooks if all present and valid, else config history."""
    previous = year - 1
    # Only workbooks that state last year: one whose year cannot be read belongs to this year's run.
    subs = [s for s in inputs.year(previous).submissions if s.year == previous]
    if subs:
        checked = validate_year(previous, subs, [], settings)
        if set(checked.status.values()) == {"valid"}:
            return actuals(checked), f"biểu mẫu năm {previous}"
    if previous in settings.history:
        return settings.history[previous], f"config/history.yaml, năm {previous}"
    return {}, "không có"


def summarise(settings: Settings, inputs: Inputs, validation: Validation) -> Totals:
    """Aggregate the year's valid submissions against plan and last year."""
    previous, source = previous_figures(validation.year, inputs, settings)
    return aggregate(validation, previous, source, settings)


def report(options: Options) -> Outcome:
    """Validate, aggregate, render and publish one year's documents.

    Strict by default: with errors, only the issue report and the slips are
    published (the last good documents stay) and InvalidDataError is raised.
    """
    settings, inputs, validation = check(options, documents=True)
    year = validation.year
    if validation.report.errors and not options.allow_invalid:
        folder, _ = _publish_check(options, settings, validation)
        raise InvalidDataError(
            f"Có {len(validation.report.errors)} lỗi trong biểu mẫu năm {year}: chưa lập báo cáo "
            f"(văn bản của lần chạy trước, nếu có, giữ nguyên). Danh sách lỗi và phiếu kiểm tra từng đơn vị "
            f"trong {folder}. Sửa các lỗi rồi chạy lại, hoặc dùng ALLOW_INVALID=1 để lập báo cáo "
            "không tính các đơn vị có số liệu chưa hợp lệ.",
            validation,
        )
    settings.document_settings(year)
    totals = summarise(settings, inputs, validation)
    vanished = vanished_units(options.output_root / str(year), validation)
    if vanished:
        log.warning("Báo cáo năm %s lập trước đó có số liệu của %d đơn vị mà lần này không có biểu mẫu: %s; "
                    "các đơn vị này không được tính (xem index.html)", year, len(vanished), ", ".join(vanished))

    renderers = _renderers(options, settings)

    def render(out: Staging, cache: RenderCache) -> list[str]:
        return (_render_report(options, renderers, settings, validation, totals, out, cache)
                + _render_check(options, renderers, settings, validation, out, cache))

    folder, documents = _publish(options, year, KEEP_FOR_REPORT, render,
                                 _site(renderers, settings, validation, totals, vanished))
    return Outcome(year, validation, totals, folder, documents, vanished)


def vanished_units(published: Path, validation: Validation) -> tuple[str, ...]:
    """Units that had sent a workbook for the report being replaced and have none now."""
    try:
        data = json.loads((published / "data" / "tong-hop.json").read_text(encoding="utf-8"))
        before = {u["code"] for u in data["units"] if u.get("status") != "missing"}
    except (OSError, ValueError, KeyError, TypeError):
        return ()  # no earlier report (or not one of ours): nothing to compare with
    now = {code for code, status in validation.status.items() if status != "missing"}
    return tuple(sorted(before - now))


def forms(options: Options) -> tuple[int, Path, tuple[str, ...]]:
    """Write one blank submission workbook per unit into OUTPUT/YEAR/bieu-mau/."""
    settings = load_settings(options.config_dir)
    _apart(options.input_dir, options.output_root)  # blank forms in INPUT would be read as submissions
    year = options.year if options.year is not None else max(settings.targets, default=None)
    if year is None:
        raise SourceError("Chưa chọn năm của biểu mẫu: dùng YEAR=… (make) hoặc --year … (dòng lệnh)")
    if year not in settings.targets:
        log.warning("targets.yaml chưa có chỉ tiêu năm %s: biểu mẫu để trống cột kế hoạch", year)

    def write(out: Staging, _cache: RenderCache) -> list[str]:
        names = []
        for unit in settings.units_in(year):
            name = f"{FORMS_FOLDER}{unit.code}.xlsx"
            out.add(name, blank_form(settings, unit.code, year))
            names.append(name)
        return names

    folder, names = _publish(options, year, KEEP_FOR_FORMS, write)
    return year, folder, names


class RenderCache:
    """Render keys of the published documents: a document whose key is unchanged is reused.

    The key covers the document's context, its template and every template file,
    and the library versions (batch.job_key), so a rerun with nothing changed
    renders nothing, and one late workbook re-renders only what it touches.
    """

    def __init__(self, staging: Staging, templates: Path) -> None:
        self.staging = staging
        self.base = fingerprint(templates)
        old = staging.published(KEYS_FILE)
        self.old: dict[str, str] = json.loads(old) if old else {}
        self.keys: dict[str, str] = {}

    def split(self, jobs: list[Job]) -> tuple[list[Job], int]:
        """Stage the documents that can be reused; return the jobs left to render."""
        fresh, reused = [], 0
        for job in jobs:
            key = job_key(job, self.base)
            self.keys[job.name] = key
            if self.old.get(job.name) == key and self.staging.reuse(job.name):
                reused += 1
            else:
                fresh.append(job)
        return fresh, reused

    def manifest(self, names: tuple[str, ...]) -> bytes:
        kept = {n: k for n, k in self.old.items() if n in names and n not in self.keys}
        merged = dict(sorted((kept | self.keys).items()))
        return (json.dumps(merged, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _publish(options: Options, year: int, keep, render, site=None) -> tuple[Path, tuple[str, ...]]:
    """Stage what `render` adds, then swap it in; on any failure leave no trace.

    `render(staging, cache)` adds the documents; `site(names, staging)` renders the
    status page once every file of the folder is known.
    """
    staging = Staging(options.output_root, year, keep)
    try:
        cache = RenderCache(staging, options.templates_dir)
        documents = render(staging, cache)

        def finish(names: tuple[str, ...]) -> dict[str, bytes]:
            extra = {KEYS_FILE: cache.manifest(names + (KEYS_FILE,))}
            if site:
                extra[SITE_FILE] = site(names + (KEYS_FILE,), staging)
            return extra

        folder = staging.commit(finish)
    except BaseException:
        staging.abandon()
        raise
    return folder, tuple(documents) + ((SITE_FILE,) if site else ())


def _site(renderers: Renderers, settings: Settings, validation: Validation, totals: Totals | None,
          vanished: tuple[str, ...] = ()):
    def page(names: tuple[str, ...], staging: Staging) -> bytes:
        # The distribution register, as `distribute` last published it, against the files of this run.
        view = published_view(staging.staged(REGISTER_DATA), staging.files)
        return render_site(renderers.env, site_context(validation, totals, names, settings, view, vanished))

    return page


def _renderers(options: Options, settings: Settings) -> Renderers:
    return Renderers(options.templates_dir, settings.general.style.font_family, options.strict_warnings)


def _add_all(options: Options, renderers: Renderers, jobs: list[Job], out: Staging, cache: RenderCache,
             label: str) -> list[str]:
    fresh, reused = cache.split(jobs)
    if reused:
        log.info("%s: dùng lại %d văn bản không đổi, lập mới %d", label, reused, len(fresh))
    for name, data in render_jobs(fresh, renderers, options.workers, options.progress, label):
        out.add(name, data)
    return [job.name for job in jobs]


def report_jobs(settings: Settings, validation: Validation, totals: Totals) -> list[Job]:
    """The report, its summary workbook and chart, and every notice: what `report` renders."""
    organisations = {code: sub.organisations for code, sub in validation.submissions.items()}
    context = report_context(totals, organisations, settings)
    name = f"bao-cao-{totals.year}"
    jobs = [
        Job(f"{name}.pdf", "pdf", "bao-cao.html.j2", context, chart=context.chart),
        Job(f"{name}.docx", "docx", "bao-cao.docx", context, chart=context.chart),
        Job(SUMMARY_FILE.format(year=totals.year), "xlsx", "", summary_context(totals, organisations, settings)),
        Job(CHART_FILE, "svg", "", context.chart),
    ]
    for code, notice in notice_contexts(totals, settings).items():
        jobs += [Job(f"thong-bao/{code}.pdf", "pdf", "thong-bao.html.j2", notice),
                 Job(f"thong-bao/{code}.docx", "docx", "thong-bao.docx", notice)]
    return jobs


def check_jobs(settings: Settings, validation: Validation) -> list[Job]:
    """One feedback slip per unit that sent a workbook."""
    return [Job(f"phieu-kiem-tra/{code}.pdf", "pdf", "phieu-kiem-tra.html.j2", context)
            for code, context in slip_contexts(validation, settings).items()]


def _render_report(options: Options, renderers: Renderers, settings: Settings, validation: Validation,
                   totals: Totals, out: Staging, cache: RenderCache) -> list[str]:
    jobs = report_jobs(settings, validation, totals)
    names = _add_all(options, renderers, jobs, out, cache, "Văn bản")
    out.add_json("data/tong-hop.json", tong_hop(totals))
    return names + ["data/tong-hop.json"]


def _render_check(options: Options, renderers: Renderers, settings: Settings, validation: Validation,
                  out: Staging, cache: RenderCache) -> list[str]:
    """data/kiem-tra.json and one feedback slip per unit that sent a workbook."""
    out.add_json("data/kiem-tra.json", validation.report.as_dict())
    out.add_json(LEDGER_FILE, {"year": validation.year, "files": [row.as_dict() for row in validation.ledger]})
    jobs = check_jobs(settings, validation)
    return ["data/kiem-tra.json", LEDGER_FILE] + _add_all(options, renderers, jobs, out, cache, "Phiếu kiểm tra")
