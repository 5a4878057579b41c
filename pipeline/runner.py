"""Executing a plan's work in processes: reading workbooks and rendering documents.

Both process pools live here. `read_files` parses every workbook, in a pool
when there are enough of them; `render_jobs` yields (name, bytes) in job order
whatever order the workers finish in, so the published folder and SHA256SUMS
do not depend on timing. Workers are forked where the platform allows (they
inherit imports, config and submissions instead of pickling them), leave
signals to the run, and die with it even on kill -9. Each render worker builds
its renderers once (templates, fonts) and keeps them for all its jobs.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.text import TextPolicy, text_policy
from pipeline.errors import RenderError, Stopped
from pipeline.io import file_digest
from pipeline.io.fonts import drawable_characters
from pipeline.io.parsed import ReadCache, cached, read_cache, read_checked
from pipeline.io.screen.limits import REDO
from pipeline.settings import Settings

if TYPE_CHECKING:  # reading workbooks needs neither the jobs nor the renderers (templates, fonts)
    from pipeline.core.jobs import Job
    from pipeline.render.kept import Kept
    from pipeline.render.parts import SheetParts
    from pipeline.render.renderers import Renderers

log = logging.getLogger("pipeline")
Progress = Callable[[str, int, int], None]
# Below this many documents a pool costs more to start than it saves, unless one of them is the
# report (a chart: seconds to render), which then renders beside the rest instead of before it:
# a rerun after one late workbook renders the report, its DOCX and summary, and a notice or two.
POOL_THRESHOLD = 6
# Below this many workbooks reading them in one process is quicker than starting a pool
# (a workbook takes ~2 ms; forking the workers and returning submissions ~30 ms).
READ_POOL_THRESHOLD = 40
# Below this many files made outside the render jobs (marked workbooks, ~20 ms each) one process is quicker.
MADE_POOL_THRESHOLD = 8


# --- reading -----------------------------------------------------------------------------

def read_files(files: list[tuple[Path, str]], workers: int, settings: Settings | None,
               cache_root: Path | None = None) -> list[Submission | Refusal]:
    """Read and parse every (path, shown name), in `workers` processes when there are enough files;
    with `settings`, also run each file's own checks (see `check_file`). With `cache_root` (OUTPUT),
    a workbook read before with the same bytes, config and code is taken from the cache (see
    `io.parsed`): looked up here, so that only the workbooks not found go to the pool, and a rerun
    with nothing changed starts none."""
    policy = text_policy_of(settings) if settings is not None else None  # built once, inherited by forked workers
    cache = read_cache(cache_root, policy, settings) if cache_root is not None else None
    _start_reader(settings, cache)
    with collector_paused():
        found = {} if cache is None else _found(files, cache)
    if cache is not None and len(found) < len(files):
        cache.prune()
        log.debug("Bộ nhớ đệm biểu mẫu: %d tệp lấy lại, %d tệp đọc mới", len(found), len(files) - len(found))
    read = iter(_read_all([file for i, file in enumerate(files) if i not in found], workers, settings, cache))
    return [found[i] if i in found else next(read) for i in range(len(files))]


def _found(files: list[tuple[Path, str]], cache: ReadCache) -> dict[int, Submission | Refusal]:
    """The reads kept in `cache` of the files' present bytes, by position (none without its folder:
    the first run of this code version reads no file twice)."""
    if not cache.folder.is_dir():
        return {}
    return {i: hit for i, file in enumerate(files) if (hit := cached(*file, cache)) is not None}


def _read_all(files: list[tuple[Path, str]], workers: int, settings: Settings | None,
              cache: ReadCache | None) -> list[Submission | Refusal]:
    if workers > 1 and len(files) >= READ_POOL_THRESHOLD:
        try:
            with worker_pool(workers, _start_reader, (settings, cache)) as pool, collector_paused():
                return list(pool.ordered(read_one, files, chunk_size(files, workers)))
        except BrokenProcessPool:  # a file killed its reader (calamine aborting, memory): find which
            log.warning("Một tệp làm tiến trình đọc dừng đột ngột; đọc lại từng tệp riêng để tìm tệp đó")
            return [_read_alone(file, settings, cache) for file in files]
    return [read_one(file) for file in files]


_READER_SETTINGS: Settings | None = None  # what `read_one` checks files against, in this process
_READER_POLICY: TextPolicy | None = None  # what text from a workbook may hold, in this process
_READER_CACHE: ReadCache | None = None  # where read workbooks are kept, in this process


def _start_reader(settings: Settings | None, cache: ReadCache | None = None) -> None:
    global _READER_SETTINGS, _READER_POLICY, _READER_CACHE
    _READER_SETTINGS = settings
    _READER_POLICY = text_policy_of(settings) if settings is not None else None
    _READER_CACHE = cache


def text_policy_of(settings: Settings) -> TextPolicy:
    """What the documents' font draws and how long a cell's text may be (built once per process)."""
    return _text_policy(settings.general.style.font_family, settings.general.limits.max_text_length)


@lru_cache(maxsize=4)
def _text_policy(family: str, max_length: int) -> TextPolicy:
    return text_policy(drawable_characters(family), family, max_length)


def read_one(file: tuple[Path, str]) -> Submission | Refusal:
    return read_checked(*file, _READER_POLICY, _READER_SETTINGS, _READER_CACHE)


def _read_alone(file: tuple[Path, str], settings: Settings | None,
                cache: ReadCache | None) -> Submission | Refusal:
    """`read_one` in a process of its own: a file that kills it is refused, not the run."""
    try:
        with worker_pool(1, _start_reader, (settings, cache)) as pool:
            return pool.submit(read_one, file).result()
    except BrokenProcessPool:
        path, name = file
        return Refusal(name, file_digest(path), "tệp làm chương trình đọc bảng tính dừng đột ngột (tệp hỏng hoặc "
                       f"có thể là tệp độc hại) — {REDO}")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Unpickling thousands of submissions from the workers makes millions of objects at
    once; without this the garbage collector walks them again and again (0.13 → 0.5 s at
    national scale) though none can be garbage yet. `plan.plan` holds it over the whole plan."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()



# --- rendering ---------------------------------------------------------------------------

class Makes(Protocol):
    """A file made outside the render jobs (pipeline.cache.Made): picklable, made by `make()`."""

    def make(self) -> bytes: ...


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render_jobs(jobs: list[Job], renderers: Renderers, workers: int, progress: Progress | None = None,
                label: str = "") -> Iterator[tuple[str, bytes]]:
    """Render every job, in parallel when it pays, yielding results in job order."""
    from pipeline.core.jobs import built

    jobs = [built(job) for job in jobs]  # a deferred context (a notice's) is built here, once, before any fork
    if not _pool_pays(jobs, workers):
        for done, job in enumerate(jobs, start=1):
            yield job.name, renderers.render(job)
            _tell(progress, label, done, len(jobs))
        return
    global _PARENT, _JOBS
    renderers.prepare(jobs)  # imported and built once, before the fork: every worker inherits it
    _PARENT = renderers  # a forked worker starts from these: templates compiled, fonts loaded
    init = (renderers.templates, renderers.font_family, renderers.strict_warnings, renderers.parts,
            renderers.pdf_parts, renderers.images)
    # Forked workers inherit the jobs: each is handed over as its index, not pickled. The summary workbook's
    # job (every unit's row, every organisation) took ~1 s to pickle and unpickle at national scale, which
    # its worker waited for after the report's DOCX, on the critical path of a rerun after one late workbook.
    _JOBS = jobs
    work, items = (_work_at, list(range(len(jobs)))) if _forks() else (_work, jobs)
    try:
        with worker_pool(workers, _start_worker, init) as pool:
            # One document at a time: each takes 40 ms to seconds, far more than handing it over,
            # and chunks of hundreds (national scale) left one worker idle for seconds at the end.
            for done, (job, data) in enumerate(zip(jobs, pool.ordered(work, items), strict=True), start=1):
                yield job.name, data
                _tell(progress, label, done, len(jobs))
    except BrokenProcessPool as exc:
        raise _broken(label) from exc
    finally:
        _JOBS = []


def make_all(files: Sequence[Makes], workers: int, progress: Progress | None = None,
             label: str = "") -> Iterator[bytes]:
    """Each file's `make()` (a marked workbook: openpyxl, ~20 ms), in order: in `workers` processes
    when there are enough of them (a country's run marks hundreds, which one process made alone
    while the other core waited)."""
    if workers <= 1 or len(files) < MADE_POOL_THRESHOLD:
        for done, file in enumerate(files, start=1):
            yield file.make()
            _tell(progress, label, done, len(files))
        return
    try:
        with worker_pool(workers) as pool:
            for done, data in enumerate(pool.ordered(_make, list(files)), start=1):
                yield data
                _tell(progress, label, done, len(files))
    except BrokenProcessPool as exc:
        raise _broken(label) from exc


def _make(file: Makes) -> bytes:
    return file.make()


def _broken(label: str) -> RenderError:
    """A worker died: SIGTERM to the whole group kills the workers too, so the run's own signal, if one is
    on its way, is let arrive and say so first, rather than blame memory."""
    time.sleep(0.3)
    return RenderError(f"Một tiến trình lập văn bản ({label or 'văn bản'}) đã dừng đột ngột, thường do máy thiếu "
                       "bộ nhớ; chưa văn bản nào được thay. Hãy đóng bớt chương trình rồi chạy lại, hoặc chạy "
                       "với ít tiến trình hơn (JOBS=1)")


def _pool_pays(jobs: list[Job], workers: int) -> bool:
    """Whether rendering `jobs` in `workers` processes is quicker than in this one."""
    if workers <= 1 or len(jobs) < 2:
        return False
    return len(jobs) >= POOL_THRESHOLD or any(job.chart or job.trend for job in jobs)


def worker_pool(workers: int, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> _Pool:
    """A pool of `workers` processes, forked where the platform allows (they inherit
    imports, config and submissions instead of pickling them).

    The workers leave signals to the run (it stops the pool), die with it even
    on kill -9, and a block left on an exception ends them at once.
    """
    context = multiprocessing.get_context("fork" if _forks() else "spawn")
    return _Pool(workers, mp_context=context, initializer=_start_child, initargs=(os.getpid(), initializer, initargs))


def _forks() -> bool:
    """Whether pools fork their workers (which then inherit this process's memory) rather than spawn them."""
    return "fork" in multiprocessing.get_all_start_methods()


class _Pool(ProcessPoolExecutor):
    def ordered(self, fn: Callable[[Any], Any], items: list[Any], chunk: int = 1) -> Iterator[Any]:
        """`fn` of every item, in order, handed over `chunk` at a time: `map` without its cancelling.
        Executor.map cancels its pending futures when its iterator is closed (a stop signal reaching
        the loop that reads it), and the manager thread, setting the killed workers' exception on a
        cancelled one, raises InvalidStateError on Python 3.11: a traceback after the stop line."""
        futures = [self.submit(_each, fn, items[i:i + chunk]) for i in range(0, len(items), chunk)]
        for future in futures:
            yield from future.result()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, (Stopped, KeyboardInterrupt)):
            # Asked to stop: the documents being rendered are not waited for. Nor is the
            # pool's manager thread: a worker killed while sending a result leaves it
            # reading half a message forever. The CLI ends the process (os._exit).
            for process in list((self._processes or {}).values()):
                with contextlib.suppress(OSError):
                    process.kill()
            # Not cancel_futures: the manager thread, finding its workers killed, sets an exception on every
            # pending future, and on one cancelled here Python 3.11 raises InvalidStateError in that thread,
            # which prints a traceback after the stop line (seen with SIGTERM to the whole group).
            self.shutdown(wait=False)
            return False
        # Anything else (a failed document, a worker that died) waits as before:
        # cancel_futures on a broken pool deadlocks with its manager thread.
        return super().__exit__(exc_type, exc, traceback)


def _each(fn: Callable[[Any], Any], batch: list[Any]) -> list[Any]:
    return [fn(item) for item in batch]


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
    """Items per hand-over for many cheap items (a few ms each): about 32 per worker in all. The last
    hand-over leaves the other workers idle while it runs: a national read in 16 hand-overs of ~200
    workbooks (~0.25 s each) lost about half of one to that, and a hand-over costs far less."""
    return max(1, len(items) // (workers * 32))


def _tell(progress: Progress | None, label: str, done: int, total: int) -> None:
    if progress is not None:
        progress(label, done, total)


_WORKER: Renderers | None = None
_PARENT: Renderers | None = None  # the renderers of the last `render_jobs` call, for forked workers
_JOBS: list[Job] = []  # the jobs of the running `render_jobs` call, which forked workers inherit


def _start_worker(templates: Path, font_family: str, strict_warnings: bool, parts: SheetParts | None,
                  pdf_parts: Kept | None, images: Kept | None) -> None:
    global _WORKER
    inherited = _PARENT
    if inherited is not None and (inherited.templates, inherited.font_family, inherited.strict_warnings,
                                  inherited.parts, inherited.pdf_parts, inherited.images) == (
            templates, font_family, strict_warnings, parts, pdf_parts, images):
        _WORKER = inherited  # forked: already built (and warm, if the parent has rendered)
    else:
        _WORKER = renderers(templates, font_family, strict_warnings, parts, pdf_parts, images)  # spawned
    # A forked worker inherits the parent's whole heap (every submission, every
    # context); freezing it keeps the garbage collector from walking it again
    # on every collection while layout allocates millions of small objects.
    gc.freeze()


def _work(job: Job) -> bytes:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.render(job)


def _work_at(index: int) -> bytes:
    """`_work` of the job at `index` of the jobs this forked worker inherited (`render_jobs`)."""
    return _work(_JOBS[index])


def renderers(templates: Path, font_family: str, strict_warnings: bool, parts: SheetParts | None = None,
              pdf_parts: Kept | None = None, images: Kept | None = None) -> Renderers:
    """The renderers of this process, for documents in `font_family`; `parts` keeps the summary workbook's
    unchanged sheets between runs, `pdf_parts` the documents' kept parts, `images` the DOCX's chart pictures."""
    from pipeline.render.renderers import Renderers

    return Renderers(templates, font_family, strict_warnings, text_policy_for(font_family), parts, pdf_parts,
                     images)


def text_policy_for(font_family: str) -> TextPolicy:
    """What documents in `font_family` can print (the length limit is the reader's business)."""
    return text_policy(drawable_characters(font_family), font_family, max_length=32_767)
