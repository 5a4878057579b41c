"""Renderers: each chart drawn once per process, and not at all when its file was reused."""

from __future__ import annotations

import pytest

from pipeline.core.jobs import ChartJob
from pipeline.render import chart, trend_chart
from pipeline.resources import templates_dir
from pipeline.runner import renderers as make_renderers
from tests.render.test_trend_chart import FONT, report_jobs, sample  # noqa: F401  (the sample's totals)


def test_a_chart_is_drawn_once_for_its_file_and_the_report(sample, monkeypatch):
    jobs, pdf, _ = report_jobs(sample)
    drawn = []
    for module, name in ((chart, "chart_svg"), (trend_chart, "trend_svg")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda data, font, real=real: drawn.append(data) or real(data, font))
    render = make_renderers(templates_dir(), FONT, strict_warnings=True)
    files = [job for job in jobs if isinstance(job, ChartJob)]
    svgs = [render.render(job) for job in files]
    assert len(drawn) == len(files) == 2
    assert render._svg(pdf.chart).encode() == svgs[0] and render._svg(pdf.trend).encode() == svgs[1]
    assert len(drawn) == 2


def test_the_report_takes_a_reused_chart_file_instead_of_drawing_it(sample, monkeypatch):
    jobs, pdf, _ = report_jobs(sample)
    files = {job.name: job for job in jobs if isinstance(job, ChartJob)}
    published = {name: f"<svg id='{name}'/>".encode() for name in files}
    monkeypatch.setattr(chart, "chart_svg", lambda *_: pytest.fail("drawn again"))
    monkeypatch.setattr(trend_chart, "trend_svg", lambda *_: pytest.fail("drawn again"))
    render = make_renderers(templates_dir(), FONT, strict_warnings=True)
    render.remember([*jobs[:1], *files.values()], published.get)  # the report itself is not a chart: ignored
    assert render._svg(pdf.chart) == "<svg id='bieu-do.svg'/>"
    assert render._svg(pdf.trend) == "<svg id='bieu-do-cac-nam.svg'/>"


def test_matplotlib_is_loaded_before_the_workers_start_only_for_a_chart_to_draw_as_svg(sample):
    jobs, pdf, word = report_jobs(sample)
    files = [job for job in jobs if isinstance(job, ChartJob)]
    render = make_renderers(templates_dir(), FONT, strict_warnings=True)
    assert render._draws_svg(pdf) and all(render._draws_svg(job) for job in files)
    assert not render._draws_svg(word), "a DOCX's PNG: its worker loads matplotlib itself"
    render.remember(files, {job.name: b"<svg/>" for job in files}.get)
    assert not render._draws_svg(pdf) and not any(render._draws_svg(job) for job in files)
