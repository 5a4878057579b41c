"""Rendering many documents: in this process, or in a pool of worker processes.

A `Job` names one output file and the template and context that make it.
`render_jobs` yields (name, bytes) in job order whatever order the workers
finish in, so the published folder and SHA256SUMS do not depend on timing.
Each worker builds its renderers once (templates, fonts) and keeps them for
all its jobs.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import importlib.metadata
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Literal

import jinja2

from pipeline.core.context import ChartData
from pipeline.core.text import TextPolicy, text_policy
from pipeline.errors import RenderError, Stopped
from pipeline.io.fonts import drawable_characters
from pipeline.render.chart import chart_png, chart_svg, svg_data_uri
from pipeline.render.docx import render_docx
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer
from pipeline.render.xlsx import render_summary_xlsx

Progress = Callable[[str, int, int], None]
# Below this many documents a pool costs more to start than it saves.
POOL_THRESHOLD = 6


@dataclass(frozen=True)
class Job:
    """One output file: `kind` says how `context` becomes bytes.

    pdf/docx render `template` with `context`; a `chart` (ChartData) is drawn
    in the worker and embedded (SVG in the PDF, PNG in the DOCX). pdfa is the
    PDF's archival PDF/A-2b twin. xlsx writes the summary workbook of
    `context`; svg draws the chart `context`.
    """

    name: str
    kind: Literal["pdf", "pdfa", "docx", "xlsx", "svg"]
    template: str
    context: object
    chart: ChartData | None = None


class Renderers:
    """The template environment and the PDF renderer, shared by every document of a process."""

    def __init__(self, templates: Path, font_family: str, strict_warnings: bool) -> None:
        self.templates = templates
        self.font_family = font_family
        self.env: jinja2.Environment = environment(templates, text_policy_for(font_family))
        self.pdf = PdfRenderer(templates, font_family, strict_warnings)

    def render(self, job: Job) -> bytes:
        if job.kind in ("pdf", "pdfa"):
            extra = {"chart_uri": svg_data_uri(chart_svg(job.chart, self.font_family))} if job.chart else {}
            return self.pdf.render(render_html(self.env, job.template, job.context, **extra), job.name,
                                   archival=job.kind == "pdfa")
        if job.kind == "docx":
            images = {"chart": chart_png(job.chart, self.font_family)} if job.chart else None
            return render_docx(self.templates / "docx" / job.template, job.context, images)
        if job.kind == "xlsx":
            return render_summary_xlsx(job.context)
        return chart_svg(job.context, self.font_family).encode("utf-8")


def text_policy_for(font_family: str) -> TextPolicy:
    """What documents in `font_family` can print (the length limit is the reader's business)."""
    return text_policy(drawable_characters(font_family), font_family, max_length=32_767)


LIBRARIES = ("bao-cao-nq28", "weasyprint", "pydyf", "docxtpl", "python-docx", "matplotlib", "jinja2", "fonttools",
             "openpyxl")


RENDER_CODE = Path(__file__).resolve().parent / "render"


def fingerprint(templates: Path) -> str:
    """What every document also depends on: templates, the rendering code, library versions."""
    digest = hashlib.sha256()
    for root in (templates, RENDER_CODE):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


def job_key(job: Job, base: str) -> str:
    """A document's render key: its whole input (kind, template, context, chart) plus `base`."""
    digest = hashlib.sha256(base.encode())
    digest.update(repr((job.kind, job.template, job.context, job.chart)).encode())
    return digest.hexdigest()


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render_jobs(jobs: list[Job], renderers: Renderers, workers: int, progress: Progress | None = None,
                label: str = "") -> Iterator[tuple[str, bytes]]:
    """Render every job, in parallel when it pays, yielding results in job order."""
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        for done, job in enumerate(jobs, start=1):
            yield job.name, renderers.render(job)
            _tell(progress, label, done, len(jobs))
        return
    global _PARENT
    _PARENT = renderers  # a forked worker starts from these: templates compiled, fonts loaded
    init = (renderers.templates, renderers.pdf.font_family, renderers.pdf.strict_warnings)
    try:
        with worker_pool(workers, _start_worker, init) as pool:
            # One document at a time: each takes 40 ms to seconds, far more than handing it over,
            # and chunks of hundreds (national scale) left one worker idle for seconds at the end.
            for done, (job, data) in enumerate(zip(jobs, pool.map(_work, jobs)), start=1):
                yield job.name, data
                _tell(progress, label, done, len(jobs))
    except BrokenProcessPool as exc:
        # SIGTERM to the whole group kills the workers too: let the run's own signal,
        # if one is on its way, arrive and say so, rather than blame memory.
        time.sleep(0.3)
        raise RenderError(f"Một tiến trình lập văn bản ({label or 'văn bản'}) đã dừng đột ngột, thường do máy thiếu "
                          "bộ nhớ; chưa văn bản nào được thay. Hãy đóng bớt chương trình rồi chạy lại, hoặc chạy "
                          "với ít tiến trình hơn (JOBS=1)") from exc


def worker_pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of `workers` processes, forked where the platform allows (they inherit
    imports, config and submissions instead of pickling them).

    The workers leave signals to the run (it stops the pool), die with it even
    on kill -9, and a block left on an exception ends them at once.
    """
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    return _Pool(workers, mp_context=context, initializer=_start_child, initargs=(os.getpid(), initializer, initargs))


class _Pool(ProcessPoolExecutor):
    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, (Stopped, KeyboardInterrupt)):
            # Asked to stop: the documents being rendered are not waited for. Nor is the
            # pool's manager thread: a worker killed while sending a result leaves it
            # reading half a message forever. The CLI ends the process (os._exit).
            for process in list((self._processes or {}).values()):
                with contextlib.suppress(OSError):
                    process.kill()
            self.shutdown(wait=False, cancel_futures=True)
            return False
        # Anything else (a failed document, a worker that died) waits as before:
        # cancel_futures on a broken pool deadlocks with its manager thread.
        return super().__exit__(exc_type, exc, traceback)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_child(parent: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """First thing in a worker: ignore Ctrl-C and SIGHUP, which a terminal sends the whole
    process group (the run handles them and ends the pool; a worker would only print a
    traceback), and never outlive the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # Not ignored: the pool ends a broken pool's workers with SIGTERM. Dying of it is silent.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)
    if initializer is not None:
        initializer(*initargs)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), and exit now if the
    parent is already gone: an orphaned worker would wait for work forever."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def chunk_size(items: list, workers: int) -> int:
    """Items per hand-over for many cheap items (a few ms each): about eight per worker in all."""
    return max(1, len(items) // (workers * 8))


def _tell(progress: Progress | None, label: str, done: int, total: int) -> None:
    if progress is not None:
        progress(label, done, total)


_WORKER: Renderers | None = None
_PARENT: Renderers | None = None  # the renderers of the last `render_jobs` call, for forked workers


def _start_worker(templates: Path, font_family: str, strict_warnings: bool) -> None:
    global _WORKER
    inherited = _PARENT
    if inherited is not None and (inherited.templates, inherited.font_family, inherited.pdf.strict_warnings) == (
            templates, font_family, strict_warnings):
        _WORKER = inherited  # forked: already built (and warm, if the parent has rendered)
    else:
        _WORKER = Renderers(templates, font_family, strict_warnings)  # spawned: nothing inherited
    # A forked worker inherits the parent's whole heap (every submission, every
    # context); freezing it keeps the garbage collector from walking it again
    # on every collection while layout allocates millions of small objects.
    gc.freeze()


def _work(job: Job) -> bytes:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.render(job)
