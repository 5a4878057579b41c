"""Each job type bound to its renderer: job → bytes, with the templates and fonts of one process.

Built once per process (the template environment, the PDF renderer with its
fonts) and kept for every job that process renders. The libraries behind the
documents (WeasyPrint, matplotlib, docxtpl, openpyxl's writer) are imported on
the first job that needs them, and so is Jinja: a run that renders nothing
(a check, a rerun with nothing changed) does not pay for them. `prepare` builds
what a batch of jobs will need before the render pool forks, so every worker
inherits it warm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from pipeline.core.documents.appendix import ChartData
from pipeline.core.documents.trend import TrendChartData
from pipeline.core.jobs import ArchiveJob, ChartJob, DocxJob, Job, PdfJob, SummaryJob, context_of
from pipeline.core.text import TextPolicy

if TYPE_CHECKING:
    import jinja2

    from pipeline.render.kept import Kept
    from pipeline.render.parts import SheetParts
    from pipeline.render.pdf import PdfRenderer


class Renderers:
    """The template environment and the PDF renderer, shared by every document of a process."""

    def __init__(self, templates: Path, font_family: str, strict_warnings: bool, policy: TextPolicy,
                 parts: SheetParts | None = None, pdf_parts: Kept | None = None,
                 images: Kept | None = None) -> None:
        self.templates = templates
        self.font_family = font_family
        self.strict_warnings = strict_warnings
        self.policy = policy  # what the documents' font can print (see pipeline.runner.text_policy_for)
        self.parts = parts  # where the summary workbook's unchanged sheets are kept between runs
        self.pdf_parts = pdf_parts  # where documents' kept parts (the report's list of new organisations) are
        self.images = images  # where the DOCX's chart pictures are kept between runs
        self._env: jinja2.Environment | None = None
        self._pdf_renderer: PdfRenderer | None = None
        # Each chart's SVG by its data: drawn once per process for its file and the report's PDF, or
        # taken from its file when the render cache reused that (`remember`).
        self._svgs: dict[str, str] = {}

    @property
    def env(self) -> jinja2.Environment:
        """The template environment (Jinja), built on first use: a rerun that reuses every page needs none."""
        if self._env is None:
            from pipeline.render.html import environment

            self._env = environment(self.templates, self.policy)
        return self._env

    @property
    def pdf(self) -> PdfRenderer:
        """The PDF renderer (WeasyPrint, its fonts and the parsed stylesheet), built on first use."""
        if self._pdf_renderer is None:
            from pipeline.render.pdf import PdfRenderer

            self._pdf_renderer = PdfRenderer(self.templates, self.font_family, self.strict_warnings, self.pdf_parts)
        return self._pdf_renderer

    def prepare(self, jobs: list[Job]) -> None:
        """Import and build what `jobs` will need, once, here: forked workers inherit it."""
        kinds = {type(job) for job in jobs}
        _ = self.env
        if kinds & {PdfJob, ArchiveJob}:
            _ = self.pdf
        if any(self._draws_svg(job) for job in jobs):
            # Matplotlib (~0.5 s to import) for every worker. Not for a DOCX's PNG alone: a rerun whose
            # charts are unchanged (`remember`) has its report's PDF start at once, while the worker
            # making the DOCX imports it.
            import_module("pipeline.render.trend_chart")  # and the bar chart's module, which it uses
        if DocxJob in kinds:
            import_module("pipeline.render.docx")
        # Not the summary workbook's writer (openpyxl, ~0.25 s): a run has one such job, and the worker that takes
        # it imports it while the other renders, instead of both waiting for this process to.

    def _draws_svg(self, job: Job) -> bool:
        """Whether `job` draws a chart as SVG here: a chart file, or a PDF's chart not yet drawn."""
        if isinstance(job, ChartJob):
            return repr(job.context) not in self._svgs
        if isinstance(job, PdfJob | ArchiveJob):
            return any(data is not None and repr(data) not in self._svgs for data in (job.chart, job.trend))
        return False

    def remember(self, reused: Iterable[Job], staged: Callable[[str], bytes | None]) -> None:
        """Keep the SVG of every chart file among `reused` (its bytes as `staged` has them): the report's
        PDF draws the same chart, from the same data, and need not draw it again (~0.3 s each)."""
        for job in reused:
            if isinstance(job, ChartJob) and (data := staged(job.name)) is not None:
                self._svgs[repr(job.context)] = data.decode("utf-8")

    def render(self, job: Job) -> bytes:
        match job:
            case PdfJob() | ArchiveJob():
                return self._pdf(job, archival=isinstance(job, ArchiveJob))
            case DocxJob():
                return self._docx(job)
            case SummaryJob():
                from pipeline.render.xlsx import render_summary_xlsx

                return render_summary_xlsx(job.context, self.parts)
            case ChartJob():
                return self._chart(job)
            case _:
                assert_never(job)

    def _docx(self, job: DocxJob) -> bytes:
        from pipeline.render.docx import render_docx

        images = {"chart": self._png(job.name, "chart", job.chart)} if job.chart else {}
        if job.trend:
            images["trend_chart"] = self._png(job.name, "trend_chart", job.trend)
        return render_docx(self.templates / "docx" / job.template, context_of(job), images or None)

    def _png(self, document: str, chart: str, data: ChartData | TrendChartData) -> bytes:
        """The PNG of `chart` in `document`, from the store when drawn before from the same key
        (pipeline.render.chart_images): an unchanged chart needs no matplotlib."""
        from pipeline.render.chart_images import DPI, png_key

        name, key = f"{document}#{chart}", png_key(chart, data, self.font_family)
        if self.images is not None and (kept := self.images.get(name, key)) is not None:
            return kept
        from pipeline.render.chart import chart_png
        from pipeline.render.trend_chart import trend_png

        png = trend_png(data, self.font_family, DPI) if isinstance(data, TrendChartData) else chart_png(
            data, self.font_family, DPI)
        if self.images is not None:
            self.images.put(name, key, png)
        return png

    def _chart(self, job: ChartJob) -> bytes:
        return self._svg(job.context).encode("utf-8")

    def _svg(self, data: ChartData | TrendChartData) -> str:
        key = repr(data)  # as the render cache keys a chart file (pipeline.core.jobs.key_material)
        if key not in self._svgs:
            from pipeline.render.chart import chart_svg
            from pipeline.render.trend_chart import trend_svg

            svg = trend_svg(data, self.font_family) if isinstance(data, TrendChartData) else chart_svg(
                data, self.font_family)
            self._svgs[key] = svg
        return self._svgs[key]

    def _pdf(self, job: PdfJob | ArchiveJob, archival: bool) -> bytes:
        extra = {}
        if job.chart or job.trend:
            from pipeline.render.chart import svg_data_uri

            if job.chart:
                extra["chart_uri"] = svg_data_uri(self._svg(job.chart))
            if job.trend:
                extra["trend_chart_uri"] = svg_data_uri(self._svg(job.trend))
        from pipeline.render.html import render_html

        html = render_html(self.env, job.template, context_of(job), **extra)
        return self.pdf.render(html, job.name, archival=archival)
