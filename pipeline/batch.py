"""Rendering many documents: in this process, or in a pool of worker processes.

A `Job` names one output file and the template and context that make it.
`render_jobs` yields (name, bytes) in job order whatever order the workers
finish in, so the published folder and SHA256SUMS do not depend on timing.
Each worker builds its renderers once (templates, fonts) and keeps them for
all its jobs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Literal

import jinja2

from pipeline.render.docx import render_docx
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer

Progress = Callable[[str, int, int], None]
# Below this many documents a pool costs more to start than it saves.
POOL_THRESHOLD = 6


@dataclass(frozen=True)
class Job:
    name: str
    kind: Literal["pdf", "docx"]
    template: str
    context: object
    images: tuple[tuple[str, bytes], ...] = ()
    extra: tuple[tuple[str, object], ...] = ()


class Renderers:
    """The template environment and the PDF renderer, shared by every document of a process."""

    def __init__(self, templates: Path, font_family: str, strict_warnings: bool) -> None:
        self.templates = templates
        self.env: jinja2.Environment = environment(templates)
        self.pdf = PdfRenderer(templates, font_family, strict_warnings)

    def render(self, job: Job) -> bytes:
        if job.kind == "pdf":
            return self.pdf.render(render_html(self.env, job.template, job.context, **dict(job.extra)), job.name)
        return render_docx(self.templates / "docx" / job.template, job.context, dict(job.images) or None)


LIBRARIES = ("bao-cao-nq28", "weasyprint", "pydyf", "docxtpl", "python-docx", "matplotlib", "jinja2", "fonttools")


def fingerprint(templates: Path) -> str:
    """What every document also depends on: the templates folder and the library versions."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(templates).as_posix().encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


def job_key(job: Job, base: str) -> str:
    """A document's render key: its whole input (context, template, images) plus `base`."""
    digest = hashlib.sha256(base.encode())
    digest.update(repr((job.kind, job.template, job.context, job.extra)).encode())
    for name, data in job.images:
        digest.update(name.encode() + hashlib.sha256(data).digest())
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
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    init = (renderers.templates, renderers.pdf.font_family, renderers.pdf.strict_warnings)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=init) as pool:
        chunk = max(1, len(jobs) // (workers * 8))
        for done, (job, data) in enumerate(zip(jobs, pool.map(_work, jobs, chunksize=chunk)), start=1):
            yield job.name, data
            _tell(progress, label, done, len(jobs))


def _tell(progress: Progress | None, label: str, done: int, total: int) -> None:
    if progress is not None:
        progress(label, done, total)


_WORKER: Renderers | None = None


def _start_worker(templates: Path, font_family: str, strict_warnings: bool) -> None:
    global _WORKER
    _WORKER = Renderers(templates, font_family, strict_warnings)


def _work(job: Job) -> bytes:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.render(job)
