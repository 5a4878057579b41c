"""Typed document jobs: one output file each, with the context that makes it.

A job names its catalogue entry (what it is, where it goes, which template) and
carries the typed context of that document; the runner binds each job type to
its renderer (`pipeline.render.renderers`). Jobs are plain frozen data: they
cross into worker processes, and their `key` is the whole input of the file,
so an unchanged key means an unchanged file (`pipeline.cache`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Generic, NoReturn, TypeVar, cast

from pipeline.core.catalogue import Output, archival
from pipeline.core.documents.appendix import ChartData
from pipeline.core.documents.notice import NoticeContext
from pipeline.core.documents.reminder import ReminderContext
from pipeline.core.documents.report import ReportContext
from pipeline.core.documents.slip import SlipContext
from pipeline.core.documents.summary import SummaryContext
from pipeline.core.documents.trend import TrendChartData

DocumentContext = ReportContext | NoticeContext | SlipContext | ReminderContext
C = TypeVar("C", ReportContext, NoticeContext, SlipContext, ReminderContext)


class Deferred(Generic[C]):
    """A document's context built only when the document is made again (`built`).

    `material`, the repr of everything the context is built from, stands for it in the render key
    (`key_material`) and is its repr: a country's rerun keys its 3,321 notices on their inputs and
    builds none of their contexts when nothing changed. The build must read nothing `material` leaves
    out (see `pipeline.core.documents.notice.NoticeInput`). Built once, shared by the documents made
    from it (a notice's PDF and DOCX); never pickled: `built` swaps in the context before a job is
    handed to a worker.
    """

    __slots__ = ("_build", "_context", "material")

    def __init__(self, material: str, build: Callable[[], C]) -> None:
        self.material = material
        self._build: Callable[[], C] = build
        self._context: C | None = None

    def built(self) -> C:
        if self._context is None:
            self._context = self._build()
        return self._context

    def __repr__(self) -> str:
        return self.material

    def __reduce__(self) -> NoReturn:
        raise TypeError("a deferred context crosses into a worker only built (pipeline.core.jobs.built)")


@dataclass(frozen=True)
class PdfJob:
    """A document through its HTML template and WeasyPrint; the charts, if any, drawn as SVG in it."""

    output: Output
    name: str
    context: DocumentContext | Deferred[NoticeContext]
    chart: ChartData | None = None
    unit: str = ""  # the unit a notice, slip or reminder is about
    trend: TrendChartData | None = None  # the report's trend chart, when two years or more have figures
    kind: ClassVar[str] = "pdf"

    @property
    def template(self) -> str:
        return self.output.template


@dataclass(frozen=True)
class ArchiveJob:
    """The archival PDF/A-2b twin of a published PDF, in luu-tru/."""

    source: PdfJob
    kind: ClassVar[str] = "pdfa"

    @property
    def name(self) -> str:
        return archival(self.source.name)

    @property
    def template(self) -> str:
        return self.source.template

    @property
    def context(self) -> DocumentContext | Deferred[NoticeContext]:
        return self.source.context

    @property
    def chart(self) -> ChartData | None:
        return self.source.chart

    @property
    def trend(self) -> TrendChartData | None:
        return self.source.trend


@dataclass(frozen=True)
class DocxJob:
    """A document through its Word template (docxtpl); the charts, if any, as PNGs in it."""

    output: Output
    name: str
    context: ReportContext | NoticeContext | ReminderContext | Deferred[NoticeContext]
    chart: ChartData | None = None
    unit: str = ""
    trend: TrendChartData | None = None
    kind: ClassVar[str] = "docx"

    @property
    def template(self) -> str:
        return self.output.template


@dataclass(frozen=True)
class SummaryJob:
    """The summary workbook (biểu tổng hợp)."""

    output: Output
    name: str
    context: SummaryContext
    kind: ClassVar[str] = "xlsx"
    template: ClassVar[str] = ""
    chart: ClassVar[None] = None
    unit: ClassVar[str] = ""
    trend: ClassVar[None] = None


@dataclass(frozen=True)
class ChartJob:
    """A chart as a file of its own (bieu-do.svg, bieu-do-cac-nam.svg)."""

    output: Output
    name: str
    context: ChartData | TrendChartData
    kind: ClassVar[str] = "svg"
    template: ClassVar[str] = ""
    chart: ClassVar[None] = None
    unit: ClassVar[str] = ""
    trend: ClassVar[None] = None


Job = PdfJob | ArchiveJob | DocxJob | SummaryJob | ChartJob


def built(job: Job) -> Job:
    """`job` with its context built, when it was deferred: what is handed to a worker."""
    if isinstance(job, ArchiveJob):
        source = built(job.source)
        return job if source is job.source else ArchiveJob(cast(PdfJob, source))
    if isinstance(job, PdfJob | DocxJob) and isinstance(job.context, Deferred):
        return dataclasses.replace(job, context=job.context.built())
    return job


def context_of(job: PdfJob | ArchiveJob | DocxJob) -> DocumentContext:
    """The document's context, built when it was deferred: what its template is given."""
    context = job.context
    return context.built() if isinstance(context, Deferred) else context


def key_material(job: Job, context: str | None = None) -> str:
    """Everything a job's bytes depend on besides templates, code and libraries (see `pipeline.cache`):
    the repr of (kind, template, context, chart, trend), a deferred context's being what it is built from.
    `context`, when given, is `repr(job.context)` already made: a notice's PDF and DOCX share one context,
    the country's ~3,300 of them cost a rerun ~0.25 s to repr twice. The text is the tuple's repr either way
    (a tuple's repr joins its items')."""
    shown = repr(job.context) if context is None else context
    return f"({job.kind!r}, {job.template!r}, {shown}, {job.chart!r}, {job.trend!r})"
