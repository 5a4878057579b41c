"""Every document reads right on paper: headings stay with what follows, small tables do not split, the
report's chart does not leave a page part empty, every appendix says what it is attached to.

PDF pages are read back with pdftotext, page by page; the DOCX through its XML (Word's keep-with-next and
cantSplit), and LibreOffice's reading of it is checked in test_docx.py.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from pipeline.render import placement
from pipeline.render.chart import chart_svg, svg_data_uri
from pipeline.render.docx import render_docx
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer
from pipeline.render.trend_chart import trend_svg
from pipeline.resources import templates_dir
from tests.render.test_docx import sample  # noqa: F401  (the sample's report and notice contexts)

TEMPLATES = templates_dir()
FONT = "Liberation Serif"
ATTACHED = "(Kèm theo Báo cáo số 15-BC/BCĐ ngày 29/12/2016 của Ban Chỉ đạo)"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(TEMPLATES, FONT, strict_warnings=True)


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def report_html(context) -> str:
    trend = {"trend_chart_uri": svg_data_uri(trend_svg(context.trend_chart, FONT))} if context.trend_chart else {}
    return render_html(environment(TEMPLATES), "bao-cao.html.j2", context,
                       chart_uri=svg_data_uri(chart_svg(context.chart, FONT)), **trend)


def report_pdf(renderer: PdfRenderer, context) -> bytes:
    return renderer.render(report_html(context), "bao-cao")


@needs_poppler
def test_notice_heading_and_its_small_table_share_a_page(sample, renderer, tmp_path):
    """Whatever the length of what comes before, "2. Chỉ tiêu giao năm 2017", its sentence and every row of
    its three-row table are on one page: the intro is lengthened until the section crosses the page break,
    then half a line at a time around that point."""
    notice = dataclasses.replace(sample.notices["HB"], change_sentence="", rank_sentence="", trend_sentence="",
                                 people_sentence="")
    last_row = notice.targets[-1].name

    def section_page(words: int) -> int:
        context = dataclasses.replace(notice, intro=notice.intro + " và" * words)
        text = pages(renderer.render(render_html(environment(TEMPLATES), "thong-bao.html.j2", context), "tb"),
                     tmp_path)
        where = [n for n, page in enumerate(text) if "2. Chỉ tiêu giao năm 2017" in page]
        assert len(where) == 1
        section = text[where[0]].split("2. Chỉ tiêu giao năm 2017", 1)[1]
        assert "Đơn vị tính" in section and last_row in section, words
        return where[0]

    assert section_page(0) == 0
    crossed = next(words for words in range(100, 1500, 100) if section_page(words) == 1)
    seen = {section_page(words) for words in range(crossed - 100, crossed, 10)}
    assert seen == {0, 1}


@needs_poppler
def test_report_chart_leaves_no_page_part_empty(sample, renderer, tmp_path):
    """The sample's chart does not fit under the text of page 1: the text that follows fills page 1 and the
    chart, captioned "Biểu đồ 1" as the text calls it, comes on page 2; the same context, the same bytes."""
    pdf = report_pdf(renderer, sample.report)
    text = pages(pdf, tmp_path)
    assert "Phụ lục 1 và Biểu đồ 1" in " ".join(text[0].split())
    assert "dưới đây" not in "".join(text)
    assert "2. Đánh giá chung" in text[0]  # page 1 filled with what follows the chart's place
    assert "Biểu đồ 1" in text[1]  # the caption, under the chart
    assert report_pdf(renderer, sample.report) == pdf


def test_a_figure_moves_past_a_paragraph_never_out_of_its_part():
    figure = '<figure class="chart flows-down"><img src="x" /></figure>\n'
    html = f"<p>a</p>\n{figure}<h3>2.</h3>\n<p class=\"lead-in\">Ưu điểm:</p>\n<p>b</p>\n<p>c</p>\n<h2>II</h2>\n<p>d</p>"
    once = placement.moved_on(html)
    assert once == f"<p>a</p>\n<h3>2.</h3>\n<p class=\"lead-in\">Ưu điểm:</p>\n<p>b</p>\n{figure}<p>c</p>\n<h2>II</h2>\n<p>d</p>"
    twice = placement.moved_on(once)
    assert twice is not None and twice.index(figure) > twice.index("<p>c</p>")
    assert placement.moved_on(twice) is None  # the next paragraph is past the part heading
    assert placement.moved_on("<p>no figure</p>") is None


def test_only_the_body_before_the_appendices_decides_where_the_figure_sits():
    figure = '<figure class="chart flows-down"><img src="x" /></figure>'
    body = f"<html><body><p>a</p>{figure}<p>b</p>"
    appendices = '<section class="appendix landscape"><p>c</p></section></body></html>'
    assert placement.decisive(body + appendices) == body + "</body></html>"
    assert placement.decisive(body + "</body></html>") == body + "</body></html>"
    assert placement.decisive("<html><body><p>no figure</p></body></html>") is None
    assert placement.appendices(body + appendices) == "<html><body>" + placement.PART_START + appendices
    assert placement.appendices(body + "</body></html>") is None
    assert placement.appendices("<html><body><p>no figure</p></body></html>") is None


def test_the_report_sits_its_chart_as_a_layout_of_the_whole_would(sample, renderer):
    """Deciding on the body alone gives the figure the place the whole document's layout gives it."""
    html = report_html(sample.report)
    whole = html
    for _ in range(placement.MAX_MOVES):
        if not placement.pushed(renderer._laid_out(whole)) or (moved := placement.moved_on(whole)) is None:
            break
        whole = moved
    assert renderer._placed(html)[0] == whole


@pytest.mark.parametrize("archival", [False, True], ids=["pdf", "pdf-a"])
def test_the_report_laid_out_in_parts_has_the_bytes_of_one_layout_of_the_whole(sample, renderer, monkeypatch,
                                                                                archival):
    """The body as placement laid it out, then the appendices on their own, numbered on from it (pdf.py
    `_continued`): byte for byte the PDF of one layout of the whole (before the kept part, merged after it
    alike either way: test_pdf_parts.py), so page numbers, the first page's style, fonts, outline and the
    signature record are all as they were."""
    html = report_html(sample.report)
    parts = renderer.render(html, "bao-cao", archival=archival)
    monkeypatch.setattr(renderer, "_whole", lambda whole, body: renderer._laid_out(whole))
    assert renderer.render(html, "bao-cao", archival=archival) == parts


@needs_poppler
def test_every_appendix_says_what_it_is_attached_to(sample, renderer, tmp_path):
    text = "\n".join(" ".join(page.split()) for page in pages(report_pdf(renderer, sample.report), tmp_path))
    assert text.count(ATTACHED) == 3


def docx_texts(data: bytes) -> list[str]:
    body = docx.Document(io.BytesIO(data)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def test_docx_appendices_say_what_they_are_attached_to(sample):
    from tests.render.test_docx import REPORT
    data = render_docx(REPORT, sample.report, {"chart": _png(), "trend_chart": _png()})
    texts = docx_texts(data)
    assert texts.count(ATTACHED) == 3
    assert "Biểu đồ 1" in texts


def _png() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_docx_notice_keeps_heading_sentence_and_table_together(sample):
    """Word keeps "2. Chỉ tiêu giao năm 2017" (a heading: keep with next), its sentence (keep with next) and
    every row of its small table (rows that cannot split, each kept with the next) on one page."""
    from tests.render.test_docx import NOTICE
    body = docx.Document(io.BytesIO(render_docx(NOTICE, sample.notices["HB"]))).element.body
    paragraphs = list(body.iter(qn("w:p")))
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs]
    sentence = paragraphs[texts.index("2. Chỉ tiêu giao năm 2017") + 1]
    assert sentence.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
    tables = [t for t in body.findall(qn("w:tbl")) if "Đơn vị tính" in "".join(x.text or "" for x in t.iter(qn("w:t")))]
    assert len(tables) == 2
    for table in tables:  # the notice's data tables: results and targets, a few rows each
        for row in table.findall(qn("w:tr")):
            assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
            for p in row.iter(qn("w:p")):
                assert p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
