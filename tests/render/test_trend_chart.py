"""The report's trend chart: drawn when two years or more have figures, in the PDF, the DOCX and its own
SVG; absent (no job, no figure, no picture) with one year; grey, in the document's font, same bytes each time."""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pytest
import weasyprint
from PIL import Image, ImageChops

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.catalogue import TREND_CHART_SVG
from pipeline.core.documents.trend import TrendChartData, trend_chart
from pipeline.core.jobs import ChartJob, DocxJob, PdfJob, key_material
from pipeline.core.steps.history import Trend
from pipeline.errors import RenderError
from pipeline.render.chart import HEIGHT_MM, WIDTH_MM, chart_svg, svg_data_uri
from pipeline.render.html import render_html
from pipeline.render.trend_chart import LINE_GID, trend_png, trend_svg
from pipeline.resources import templates_dir
from pipeline.runner import renderers as make_renderers
from tests.factories import CONFIG, SAMPLE_INPUT

FONT = "Liberation Serif"
SVG = "{http://www.w3.org/2000/svg}"
PX_PER_MM = 96 / 25.4


@pytest.fixture(scope="module")
def sample():
    options = flow.Options(2016, SAMPLE_INPUT, CONFIG, Path("/tmp/unused"))
    settings, inputs, validation = planning.check(options)
    return settings, validation, planning.summarise(settings, inputs, validation)


@pytest.fixture(scope="module")
def data(sample) -> TrendChartData:
    settings, _, totals = sample
    chart = trend_chart(totals, settings)
    assert chart is not None
    return chart


@pytest.fixture(scope="module")
def renderers():
    return make_renderers(templates_dir(), FONT, strict_warnings=True)


def one_year(totals):
    """The sample as if 2016 were the first year with figures (no history.yaml)."""
    city = {code: points[-1:] for code, points in totals.trend.city.items()}
    return dataclasses.replace(totals, trend=Trend(city, {}))


def report_jobs(sample, totals=None):
    settings, validation, sample_totals = sample
    jobs = planning.report_jobs(settings, validation, totals or sample_totals)
    pdf = next(j for j in jobs if isinstance(j, PdfJob) and j.template == "bao-cao.html.j2")
    word = next(j for j in jobs if isinstance(j, DocxJob) and j.template == "bao-cao.docx")
    return jobs, pdf, word


def gids(svg: str) -> list[str]:
    return [e.get("id") for e in ET.fromstring(svg).iter() if (e.get("id") or "").startswith("trend-")]


def test_city_actual_and_plan_per_year_for_each_planned_indicator(sample, data):
    settings = sample[0]
    assert data.years == (2015, 2016)
    assert [line.name for line in data.lines] == ["Tổ chức Đảng", "Tổ chức Công đoàn", "Tổ chức Đoàn, hội thanh niên"]
    assert len(data.lines) == len(settings.planned_indicators())
    # The seed's figures: 2015 from history.yaml (no plan then), 2016 against the plan.
    assert [line.actuals for line in data.lines] == [(24, 26), (148, 170), (28, 33)]
    assert [line.plans for line in data.lines] == [(None, 40), (None, 77), (None, 25)]
    assert data.measure == "tổ chức" and "2015–2016" in data.title


def test_one_line_and_one_plan_series_per_indicator(data):
    svg = trend_svg(data, FONT)
    expected = [LINE_GID.format(kind=kind, line=n) for kind in ("actual", "plan") for n in range(len(data.lines))]
    assert sorted(gids(svg)) == sorted(expected)
    root = ET.fromstring(svg)
    words = list(root.iter(f"{SVG}text"))
    assert words and all("font-family: 'Liberation Serif'" in w.get("style") for w in words)
    assert svg.count("font-family") == len(words) and "DejaVu" not in svg  # the document's font, as text


def test_same_data_same_bytes_and_pure_grey(data):
    assert trend_svg(data, FONT) == trend_svg(data, FONT)
    png = trend_png(data, FONT)
    assert png == trend_png(data, FONT)
    image = Image.open(io.BytesIO(png))
    assert image.size == pytest.approx((WIDTH_MM / 25.4 * 200, HEIGHT_MM / 25.4 * 200), abs=1)
    r, g, b = image.convert("RGB").split()
    assert ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None


def test_a_font_that_is_not_installed_is_an_error(data):
    with pytest.raises(RenderError, match="Không tìm thấy phông serif"):
        trend_svg(data, "serif")


def test_a_year_without_figures_leaves_a_gap_not_a_zero(data):
    gap = dataclasses.replace(data, years=(2014, 2015, 2016),
                              lines=tuple(dataclasses.replace(line, actuals=(None, *line.actuals),
                                                              plans=(None, *line.plans)) for line in data.lines))
    assert "nan" not in trend_svg(gap, FONT).lower()


def test_only_with_two_years_of_figures(sample):
    settings, _, totals = sample
    assert trend_chart(one_year(totals), settings) is None
    jobs, pdf, word = report_jobs(sample, one_year(totals))
    assert pdf.trend is None and word.trend is None and pdf.context.trend_chart is None
    assert TREND_CHART_SVG.path() not in [j.name for j in jobs]
    jobs, pdf, word = report_jobs(sample)
    assert pdf.trend == word.trend == pdf.context.trend_chart is not None
    svg_job = next(j for j in jobs if j.name == TREND_CHART_SVG.path())
    assert isinstance(svg_job, ChartJob) and svg_job.context == pdf.trend


def test_the_render_key_covers_the_chart(sample):
    _, pdf, word = report_jobs(sample)
    first = pdf.trend.lines[0]
    changed = dataclasses.replace(pdf.trend, lines=(dataclasses.replace(first, plans=(None, 41)), *pdf.trend.lines[1:]))
    for job in (pdf, word):
        assert key_material(dataclasses.replace(job, trend=changed)) != key_material(job)


def images_in_layout(renderers, job) -> list:
    html = render_html(renderers.env, job.template, job.context, **pdf_extra(job))
    document = weasyprint.HTML(string=html, base_url=renderers.templates.as_uri() + "/",
                               url_fetcher=renderers.pdf.fetcher).render(
        font_config=renderers.pdf.font_config, stylesheets=renderers.pdf.stylesheets)
    return [box for page in document.pages for box in page._page_box.descendants()
            if getattr(box, "element_tag", "") == "img"]


def pdf_extra(job) -> dict[str, str]:
    extra = {"chart_uri": svg_data_uri(chart_svg(job.chart, FONT))}
    if job.trend:
        extra["trend_chart_uri"] = svg_data_uri(trend_svg(job.trend, FONT))
    return extra


def test_in_the_pdf_beside_the_trend_table_without_warnings(sample, renderers):
    _, pdf, _ = report_jobs(sample)
    images = images_in_layout(renderers, pdf)
    assert len(images) == 2  # the bar chart, then the trend chart
    trend = images[1]
    assert trend.element.get("alt") == pdf.trend.title
    assert (trend.width / PX_PER_MM, trend.height / PX_PER_MM) == pytest.approx((WIDTH_MM, HEIGHT_MM), abs=0.5)
    assert renderers.render(pdf).startswith(b"%PDF-")  # strict: a WeasyPrint warning would be an error


def test_not_in_the_pdf_with_one_year(sample, renderers):
    _, pdf, _ = report_jobs(sample, one_year(sample[2]))
    assert len(images_in_layout(renderers, pdf)) == 1
    assert renderers.render(pdf).startswith(b"%PDF-")


def test_in_the_docx_after_the_trend_table_and_only_with_two_years(sample, renderers):
    _, _, word = report_jobs(sample)
    data = renderers.render(word)
    assert renderers.render(word) == data
    document = docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) == 2
    texts = [p.text for p in document.paragraphs]
    pictures = [n for n, p in enumerate(document.paragraphs) if p._p.xpath(".//pic:pic")]
    assert texts.index(word.context.trend_caption) < pictures[1]
    _, _, single = report_jobs(sample, one_year(sample[2]))
    assert len(docx.Document(io.BytesIO(renderers.render(single))).inline_shapes) == 1


def test_the_svg_file_is_the_chart(sample, renderers):
    jobs, pdf, _ = report_jobs(sample)
    svg_job = next(j for j in jobs if j.name == TREND_CHART_SVG.path())
    assert renderers.render(svg_job) == trend_svg(pdf.trend, FONT).encode("utf-8")


def test_the_render_key_is_the_repr_of_the_job_whole_whether_or_not_its_context_was_shown_before(sample):
    """The render cache shows a context shared by a document's PDF and DOCX once: the material must stay the
    repr of (kind, template, context, chart, trend) exactly, or every published key would change."""
    jobs, _, _ = report_jobs(sample)
    for job in jobs:
        whole = repr((job.kind, job.template, job.context, job.chart, job.trend))
        assert key_material(job) == key_material(job, repr(job.context)) == whole
