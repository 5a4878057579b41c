"""The renderer's shortcuts (expat for the parse, a user-agent stylesheet without note rules)
change nothing on the page: every PDF template is drawn both ways and compared pixel by pixel."""

from __future__ import annotations

import dataclasses
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import tinyhtml5
import weasyprint

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.jobs import Job, built
from pipeline.render.chart import chart_svg, svg_data_uri
from pipeline.render.html import render_html
from pipeline.render.pdf import NOTE_RULE_COUNT, LeanHTML, lean_user_agent_css, parse_xhtml
from pipeline.render.renderers import Renderers
from pipeline.render.trend_chart import trend_svg
from pipeline.resources import templates_dir
from pipeline.runner import renderers as make_renderers
from tests import factories

FONT = "Liberation Serif"


@pytest.fixture(scope="module")
def renderers() -> Renderers:
    return make_renderers(templates_dir(), FONT, strict_warnings=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, renderers) -> dict[str, str]:
    """The HTML of every PDF template with the sample's figures: the report (with its chart),
    a notice in each style, and a feedback slip."""
    options = flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out"))
    settings, inputs, validation = planning.check(options)
    jobs = planning.report_jobs(settings, validation, planning.summarise(settings, inputs, validation))
    jobs += planning.check_jobs(settings, validation)
    report = next(j for j in jobs if j.template == "bao-cao.html.j2")
    notice = next(j for j in jobs if j.template == "thong-bao.html.j2")
    slip = next(j for j in jobs if j.template == "phieu-kiem-tra.html.j2")
    notice = built(notice)
    state = dataclasses.replace(notice.context, header=dataclasses.replace(
        notice.context.header, style="state", motto="Độc lập - Tự do - Hạnh phúc"))

    def html(job: Job) -> str:
        extra = {"chart_uri": svg_data_uri(chart_svg(job.chart, FONT))} if job.chart else {}
        if job.trend:
            extra["trend_chart_uri"] = svg_data_uri(trend_svg(job.trend, FONT))
        return render_html(renderers.env, job.template, job.context, **extra)

    return {"report": html(report), "notice": html(notice), "notice-state": html(dataclasses.replace(notice, context=state)),
            "slip": html(slip)}


def shape(element: ElementTree.Element) -> tuple:
    """Tag, attributes, text and children; whitespace-only text counts as none (it lays out as none)."""
    def text(value: str | None) -> str:
        return (value or "").strip() and value
    return (element.tag, element.attrib, text(element.text), text(element.tail),
            [shape(child) for child in element if isinstance(child.tag, str)])


@pytest.mark.parametrize("name", ["report", "notice", "notice-state", "slip"])
def test_every_template_takes_the_fast_parse_and_reads_as_html_does(pages, name):
    fast = parse_xhtml(pages[name])
    assert fast is not None, "the template's output is no longer well-formed XML: it is parsed the slow way"
    assert shape(fast) == shape(tinyhtml5.parse(pages[name], namespace_html_elements=False))


def test_what_reads_differently_as_xml_goes_to_the_html_parser():
    assert parse_xhtml("<p>a<br>b</p>") is None  # not XML
    assert parse_xhtml("<html><head><style>p::after { content: '&amp;' }</style></head></html>") is None
    assert parse_xhtml('<html><head><base href="http://example.org/"/></head></html>') is None
    assert parse_xhtml("<html><body><p>a &amp; b</p></body></html>") is not None


def test_the_note_rules_still_come_out_of_weasyprints_stylesheet():
    """If a WeasyPrint upgrade changes its stylesheet, the trim stops (safely): this says so."""
    _, removed = lean_user_agent_css()
    assert removed == NOTE_RULE_COUNT


def pixels(pdf: bytes, folder: Path, stem: str) -> list[bytes]:
    (folder / f"{stem}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(folder / f"{stem}.pdf"), str(folder / stem)], check=True)
    return [p.read_bytes() for p in sorted(folder.glob(f"{stem}-*.pgm"))]


@pytest.mark.parametrize("name", ["report", "notice", "notice-state", "slip"])
def test_the_shortcuts_draw_the_same_pages_as_plain_weasyprint(pages, renderers, name, tmp_path):
    pdf = renderers.pdf
    base_url = pdf.templates.as_uri() + "/"

    def draw(document) -> bytes:
        return document.render(font_config=pdf.font_config, stylesheets=pdf.stylesheets).write_pdf()

    plain = pixels(draw(weasyprint.HTML(string=pages[name], base_url=base_url, url_fetcher=pdf.fetcher)),
                   tmp_path, "plain")
    lean = pixels(draw(LeanHTML(pages[name], base_url, pdf.fetcher)), tmp_path, "lean")
    assert len(plain) == len(lean) >= 1
    assert plain == lean
