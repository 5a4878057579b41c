"""Each job type bound to its renderer: job → bytes, with the templates and fonts of one process.

Built once per process (the template environment, the PDF renderer with its
fonts) and kept for every job that process renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import assert_never

import jinja2

from pipeline.core.documents.trend import TrendChartData
from pipeline.core.jobs import ArchiveJob, ChartJob, DocxJob, Job, PdfJob, SummaryJob
from pipeline.core.text import TextPolicy
from pipeline.render.chart import chart_png, chart_svg, svg_data_uri
from pipeline.render.docx import render_docx
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer
from pipeline.render.trend_chart import trend_png, trend_svg
from pipeline.render.xlsx import render_summary_xlsx


class Renderers:
    """The template environment and the PDF renderer, shared by every document of a process."""

    def __init__(self, templates: Path, font_family: str, strict_warnings: bool, policy: TextPolicy) -> None:
        self.templates = templates
        self.font_family = font_family
        self.strict_warnings = strict_warnings
        self.policy = policy  # what the documents' font can print (see pipeline.runner.text_policy_for)
        self.env: jinja2.Environment = environment(templates, policy)
        self.pdf = PdfRenderer(templates, font_family, strict_warnings)

    def render(self, job: Job) -> bytes:
        match job:
            case PdfJob() | ArchiveJob():
                return self._pdf(job, archival=isinstance(job, ArchiveJob))
            case DocxJob():
                images = {"chart": chart_png(job.chart, self.font_family)} if job.chart else {}
                if job.trend:
                    images["trend_chart"] = trend_png(job.trend, self.font_family)
                return render_docx(self.templates / "docx" / job.template, job.context, images or None)
            case SummaryJob():
                return render_summary_xlsx(job.context)
            case ChartJob():
                if isinstance(job.context, TrendChartData):
                    return trend_svg(job.context, self.font_family).encode("utf-8")
                return chart_svg(job.context, self.font_family).encode("utf-8")
            case _:
                assert_never(job)

    def _pdf(self, job: PdfJob | ArchiveJob, archival: bool) -> bytes:
        extra = {"chart_uri": svg_data_uri(chart_svg(job.chart, self.font_family))} if job.chart else {}
        if job.trend:
            extra["trend_chart_uri"] = svg_data_uri(trend_svg(job.trend, self.font_family))
        html = render_html(self.env, job.template, job.context, **extra)
        return self.pdf.render(html, job.name, archival=archival)

