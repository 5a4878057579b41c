"""The DOCX documents: Word templates built by script, rendered from the same contexts as the PDFs."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import ClassVar

import docx
import docx.text.paragraph
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from PIL import Image

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import notice_contexts
from pipeline.core.documents.report import report_context
from pipeline.errors import RenderError
from pipeline.render.docx import render_docx
from pipeline.render.html import environment, render_html
from pipeline.resources import templates_dir
from templates.docx import build_templates
from tests import factories

DOCX_TEMPLATES = templates_dir() / "docx"
REPORT, NOTICE = DOCX_TEMPLATES / "bao-cao.docx", DOCX_TEMPLATES / "thong-bao.docx"
SEED = ("Năm 2016, toàn thành phố thành lập được 26 tổ chức Đảng, đạt 65% kế hoạch năm; 170 tổ chức Công đoàn, "
        "đạt 220% kế hoạch; 33 tổ chức Đoàn, hội thanh niên, vượt 32%.")
HOSTILE = "<w:p>&\"'{{ 7*7 }}"
FONT = "Times New Roman"
TOKEN = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
CLOSER = {"{{": "}}", "{%": "%}", "{#": "#}"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    settings, inputs, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, out))
    totals = planning.summarise(settings, inputs, validation)
    organisations = {c: s.organisations for c, s in validation.submissions.items()}
    return SimpleNamespace(report=report_context(totals, organisations, settings),
                           notices=notice_contexts(totals, settings))


@pytest.fixture(scope="module")
def chart() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def report_docx(sample, chart) -> bytes:
    return render_docx(REPORT, sample.report, {"chart": chart, "trend_chart": chart})


@pytest.fixture(scope="module")
def notice_docx(sample) -> bytes:
    return render_docx(NOTICE, sample.notices["DS"])


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def norm(text: str) -> str:
    return " ".join(text.split())


def paragraph_texts(document) -> list[str]:
    """Every non-empty paragraph of the body, tables included, in document order."""
    texts = []
    for p in document.element.body.iter(qn("w:p")):
        text = "".join(" " if el.tag in (qn("w:br"), qn("w:tab")) else el.text or ""
                       for el in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")))
        if norm(text):
            texts.append(norm(text))
    return texts


def row_texts(document) -> list[str]:
    return [norm(" ".join(c.text for c in row.cells)) for table in document.tables for row in table.rows]


def xml_parts(data: bytes, pattern: str = r"word/(document|header\d*|footer\d*)\.xml") -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if re.fullmatch(pattern, n)}


class _BlockText(HTMLParser):
    """The text of each block element of an HTML document body, in order."""

    BLOCKS: ClassVar[set[str]] = {"p", "div", "td", "th", "h1", "h2", "h3", "li"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.buffer: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "style", "script"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("head", "style", "script"):
            self.skip -= 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.buffer.append(data)

    def _flush(self) -> None:
        text = norm("".join(self.buffer))
        self.buffer = []
        if text:
            self.texts.append(text)


def html_texts(template: str, context, **extra) -> list[str]:
    parser = _BlockText()
    parser.feed(render_html(environment(templates_dir()), template, context, **extra))
    parser._flush()
    return parser.texts


# --- the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bao-cao.docx", "thong-bao.docx"])
def test_committed_templates_are_what_the_script_builds(name):
    assert build_templates.template_bytes(name) == (DOCX_TEMPLATES / name).read_bytes(), (
        "chạy lại: .venv/bin/python -m templates.docx.build_templates"
    )


@pytest.mark.parametrize("template", [REPORT, NOTICE])
def test_every_jinja_tag_sits_whole_in_one_text_element(template):
    total = 0
    for name, xml in xml_parts(template.read_bytes()).items():
        root = docx.oxml.parse_xml(xml.encode("utf-8"))
        for t in root.iter(qn("w:t")):
            tokens = TOKEN.findall(t.text or "")
            pairs = list(zip(tokens[::2], tokens[1::2], strict=False))
            assert len(tokens) % 2 == 0 and all(CLOSER.get(a) == b for a, b in pairs), f"{name}: {t.text!r}"
            total += len(pairs)
        for p in root.iter(qn("w:p")):  # and no tag is formed across two text elements
            whole = "".join(t.text or "" for t in p.iter(qn("w:t")))
            assert len(TOKEN.findall(whole)) == sum(len(TOKEN.findall(t.text or "")) for t in p.iter(qn("w:t")))
    assert total > 30


# --- the report -------------------------------------------------------------------------


def test_report_carries_the_figures_and_the_header(report_docx, sample):
    document = open_docx(report_docx)
    text = "\n".join(paragraph_texts(document))
    for expected in (SEED, "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 15-BC/BCĐ", "Hải Phòng, ngày 29 tháng 12 năm 2016",
                     "BAN CHỈ ĐẠO THỰC HIỆN NGHỊ QUYẾT 28", sample.report.signature.name, "Phụ lục 3"):
        assert expected in text
    rows = row_texts(document)
    names = {r.name for r in sample.report.result_rows} | {g.unit for g in sample.report.org_groups}
    names |= {r["enterprise"] for g in sample.report.org_groups for r in g.rows}
    for name in names:
        assert any(name in row for row in rows), name
    assert any(row.startswith("Tổng cộng 40 26 65%") for row in rows)


def test_report_says_what_the_pdf_says(report_docx, sample):
    """Paragraph by paragraph and cell by cell, the same text as the HTML behind the PDF."""
    expected = html_texts("bao-cao.html.j2", sample.report, chart_uri="data:,", trend_chart_uri="data:,")
    assert paragraph_texts(open_docx(report_docx)) == expected


def test_report_has_one_column_per_indicator_and_sub_column(report_docx, sample):
    document = open_docx(report_docx)
    results = results_table(document)
    subs = 3 * len(sample.report.planned)
    assert len(results.rows[1].cells) == 2 + subs + 1
    assert all(results.rows[n]._tr.trPr.find(qn("w:tblHeader")) is not None for n in (0, 1))
    assert [c.text for c in results.rows[1].cells[2:2 + subs]] == ["Kế hoạch", "Thực hiện", "Tỉ lệ"] * len(sample.report.planned)
    assert [c.text for c in results.rows[2].cells] == ["1", sample.report.result_rows[0].name,
                                                       *sample.report.result_rows[0].cells, ""]


@pytest.fixture(scope="module")
def condensed(tmp_path_factory, sample):
    """Past the unit limit: the grouped config (a row per group) and the sample (the totals only)."""
    root = tmp_path_factory.mktemp("grouped")
    options = flow.Options(2016, factories.grouped_input(root / "input"), factories.grouped_config(root / "config"),
                           root / "out")
    settings, inputs, validation = planning.check(options)
    grouped = report_context(planning.summarise(settings, inputs, validation),
                             {c: s.organisations for c, s in validation.submissions.items()}, settings)
    rows = sample.report
    totals_only = dataclasses.replace(rows, result_rows=rows.result_rows[-1:], people_rows=rows.people_rows[-1:],
                                      target_rows=rows.target_rows[-1:], unit_list_note="Ghi chú phụ lục 1.",
                                      target_list_note="Ghi chú phụ lục 2.")
    return {"grouped": grouped, "totals": totals_only}


@pytest.mark.parametrize("kind", ["grouped", "totals"])
def test_a_condensed_report_says_what_the_pdf_says(condensed, chart, kind):
    report = condensed[kind]
    texts = paragraph_texts(open_docx(render_docx(REPORT, report, {"chart": chart, "trend_chart": chart})))
    assert texts == html_texts("bao-cao.html.j2", report, chart_uri="data:,", trend_chart_uri="data:,")
    assert report.unit_list_note in texts and report.target_list_note in texts


def results_table(document):
    """Phụ lục 1: a group of sub-columns per planned indicator."""
    return next(t for t in document.tables if len(t.rows) > 1 and "Kế hoạch" in t.rows[1].cells[2].text)


def test_the_charts_are_placed_160_mm_wide(report_docx):
    document = open_docx(report_docx)
    shapes = document.inline_shapes  # the bar chart, then the trend chart (the sample has 2015 and 2016)
    assert len(shapes) == 2 and all(abs(shape.width - Mm(160)) < Mm(0.5) for shape in shapes)


def test_fewer_indicators_still_fill_the_table_width(sample, chart):
    """Indicators are config: column widths come from the column loop, whatever their number."""
    two = dataclasses.replace(
        sample.report,
        planned=sample.report.planned[:2],
        result_rows=tuple(dataclasses.replace(r, cells=r.cells[:6]) for r in sample.report.result_rows),
    )
    document = open_docx(render_docx(REPORT, two, {"chart": chart, "trend_chart": chart}))
    table = results_table(document)._tbl
    grid = [int(c.get(qn("w:w"))) for c in table.tblGrid.findall(qn("w:gridCol"))]
    assert len(grid) == 2 + 6 + 1
    assert sum(grid) == int(table.tblPr.find(qn("w:tblW")).get(qn("w:w")))
    for tr in table.findall(qn("w:tr")):
        widths = [tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}") for tc in tr.findall(qn("w:tc"))]
        assert all(w.get(qn("w:type")) == "dxa" for w in widths)
        assert sum(int(w.get(qn("w:w"))) for w in widths) == sum(grid)


# --- the notice -------------------------------------------------------------------------


def test_notice_says_what_the_pdf_says(notice_docx, sample):
    notice = sample.notices["DS"]
    texts = paragraph_texts(open_docx(notice_docx))
    assert texts == html_texts("thong-bao.html.j2", notice)
    text = "\n".join(texts)
    assert "Số 21-TB/BCĐ" in text and "Kính gửi: Ban Thường vụ Quận ủy Đồ Sơn" in text
    assert "Năm 2016, Đảng bộ quận Đồ Sơn thành lập được 4 tổ chức Công đoàn" in text
    assert "chưa thành lập được tổ chức Đảng nào (kế hoạch 1)." in text and "0 tổ chức" not in text
    rows = row_texts(open_docx(notice_docx))
    for row in notice.rows:
        assert f"{row.name} {row.measure} {row.plan} {row.actual} {row.percent} {row.previous} {row.rank}" in rows


def test_notice_of_a_unit_that_sent_nothing_has_no_results_table(sample):
    missing = dataclasses.replace(sample.notices["DS"], status_sentence="Đơn vị chưa nộp biểu mẫu.",
                                  results_sentence="", rows=())
    document = open_docx(render_docx(NOTICE, missing))
    assert "Đơn vị chưa nộp biểu mẫu." in "\n".join(paragraph_texts(document))
    assert not any(row.startswith("Chỉ tiêu Đơn vị tính Kế hoạch") for row in row_texts(document))


def test_state_style_header(sample):
    header = dataclasses.replace(sample.notices["DS"].header, style="state", motto="Độc lập - Tự do - Hạnh phúc",
                                 national_header="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", number_line="Số: 21/TB-BCĐ")
    document = open_docx(render_docx(NOTICE, dataclasses.replace(sample.notices["DS"], header=header)))
    texts = paragraph_texts(document)
    assert texts[:7] == ["ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "BAN CHỈ ĐẠO THỰC HIỆN NGHỊ QUYẾT 28", "Số: 21/TB-BCĐ",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "Hải Phòng, ngày 29 tháng 12 năm 2016", "THÔNG BÁO"]
    assert "*" not in texts


def _size_pt(document, text: str) -> float:
    """The font size of the paragraph reading `text`: its run's own, else its style's."""
    for element in document.element.body.iter(qn("w:p")):
        paragraph = docx.text.paragraph.Paragraph(element, document._body)
        if norm(paragraph.text) == text:
            size = paragraph.runs[0].font.size or paragraph.style.font.size
            return size.pt
    raise AssertionError(f"no paragraph reads {text!r}")


@pytest.mark.parametrize("style, type_name, recipient", [("party", 16, 12), ("state", 14, 11)])
def test_type_name_and_recipient_sizes_follow_the_style(sample, style, type_name, recipient):
    """FORMAT.md: type name 15–16 pt (Party) or 13–14 pt (State); recipient list 12 or 11 pt."""
    notice = sample.notices["DS"]
    context = dataclasses.replace(notice, header=dataclasses.replace(notice.header, style=style))
    document = open_docx(render_docx(NOTICE, context))
    assert _size_pt(document, "THÔNG BÁO") == type_name
    assert _size_pt(document, f"- {notice.recipients[0]},") == recipient


# --- the form of the documents ------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["report_docx", "notice_docx"])
def test_no_template_tag_is_left(fixture, request):
    for name, xml in xml_parts(request.getfixturevalue(fixture), r"word/.*\.xml|docProps/.*\.xml").items():
        assert "{{" not in xml and "{%" not in xml and "{#" not in xml, name


@pytest.mark.parametrize("fixture", ["report_docx", "notice_docx"])
def test_every_font_is_times_new_roman(fixture, request):
    data = request.getfixturevalue(fixture)
    document = open_docx(data)
    assert document.styles["Normal"].font.name == FONT
    styles = document.styles.element
    used = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', xml_parts(data)["word/document.xml"]))
    used |= {"Normal", "TableNormal"}
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    chain = set()
    for style_id in used:
        while style_id and style_id not in chain:
            chain.add(style_id)
            based = by_id[style_id].find(qn("w:basedOn"))
            style_id = None if based is None else based.get(qn("w:val"))
    elements = [by_id[s] for s in chain] + [styles.find(qn("w:docDefaults")), document.element]
    fonts = [f for el in elements for f in el.iter(qn("w:rFonts"))]
    assert fonts
    for f in fonts:
        attrs = {k.split("}")[1]: v for k, v in f.attrib.items()}
        assert not any(k.endswith("Theme") for k in attrs), attrs
        assert set(attrs.values()) == {FONT}, attrs
    defaults = styles.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert {k.split("}")[1] for k in defaults.attrib} == {"ascii", "hAnsi", "cs", "eastAsia"}


@pytest.mark.parametrize("fixture", ["report_docx", "notice_docx"])
def test_a4_pages_and_official_margins(fixture, request):
    sections = open_docx(request.getfixturevalue(fixture)).sections
    first = sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)] == [20, 20, 30, 15]
    for section in sections[1:]:
        assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
        assert (round(section.top_margin.mm), round(section.bottom_margin.mm), round(section.right_margin.mm)) == (20, 20, 15)


def test_report_appendices_are_landscape_where_the_pdf_is(report_docx):
    widths = [round(s.page_width.mm) for s in open_docx(report_docx).sections]
    assert widths == [210, 297, 210, 297]


@pytest.mark.parametrize("fixture", ["report_docx", "notice_docx"])
def test_page_numbers_from_page_two(fixture, request):
    sections = open_docx(request.getfixturevalue(fixture)).sections
    first = sections[0]
    assert first.different_first_page_header_footer
    assert "PAGE" not in first.first_page_header._element.xml
    assert "PAGE" in first.header._element.xml
    assert all(not s.different_first_page_header_footer and s.header.is_linked_to_previous for s in sections[1:])


@pytest.mark.parametrize("fixture", ["report_docx", "notice_docx"])
def test_table_header_rows_repeat_on_each_page(fixture, request):
    document = open_docx(request.getfixturevalue(fixture))
    data_tables = [t for t in document.tables if t._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:top")).get(qn("w:val")) == "single"]
    assert data_tables
    for table in data_tables:
        first = table.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        body = table.rows[-1]._tr
        assert body.trPr is None or body.trPr.find(qn("w:tblHeader")) is None


# --- what the renderer guarantees -------------------------------------------------------------


def test_workbook_text_is_printed_literally(sample, chart):
    report = sample.report
    rows = (dataclasses.replace(report.result_rows[0], name=HOSTILE), *report.result_rows[1:])
    group = report.org_groups[0]
    groups = (dataclasses.replace(group, rows=({**group.rows[0], "enterprise": HOSTILE}, *group.rows[1:])),)
    hostile = dataclasses.replace(report, result_rows=rows, org_groups=groups + report.org_groups[1:])
    document = open_docx(render_docx(REPORT, hostile, {"chart": chart, "trend_chart": chart}))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert cells.count(HOSTILE) == 2


def test_control_characters_cannot_break_paragraphs_or_pages(sample):
    notice = dataclasses.replace(sample.notices["DS"], addressee="Ban\x07Thường\x0cvụ\x00")
    document = open_docx(render_docx(NOTICE, notice))
    assert "Kính gửi: BanThườngvụ" in paragraph_texts(document)


def test_same_context_same_bytes(sample, chart, report_docx):
    assert render_docx(REPORT, sample.report, {"chart": chart, "trend_chart": chart}) == report_docx
    with zipfile.ZipFile(io.BytesIO(report_docx)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = open_docx(report_docx).core_properties
    assert props.created.year == props.modified.year == 2000 and props.revision == 1
    assert props.title == sample.report.title


def _template(tmp_path, text: str):
    document = docx.Document()
    document.add_paragraph(text)
    path = tmp_path / "t.docx"
    document.save(path)
    return path


@dataclasses.dataclass
class Ctx:
    present: str = "x"


def test_undefined_names_are_errors(tmp_path):
    with pytest.raises(RenderError, match="missing"):
        render_docx(_template(tmp_path, "{{ present }} {{ missing }}"), Ctx())


def test_printing_an_object_instead_of_text_is_an_error(sample):
    with pytest.raises(RenderError, match="ChartData"):
        render_docx(REPORT, sample.report)  # the chart's picture was not given


def test_a_broken_tag_is_an_error(tmp_path):
    with pytest.raises(RenderError, match="cú pháp"):
        render_docx(_template(tmp_path, "{% if present %}"), Ctx())


def test_a_missing_template_or_a_bad_image_is_an_error(tmp_path, sample):
    with pytest.raises(RenderError, match="Không mở được"):
        render_docx(tmp_path / "khong-co.docx", Ctx())
    with pytest.raises(RenderError, match="PNG"):
        render_docx(REPORT, sample.report, {"chart": b"not a picture"})


# --- what Word (here LibreOffice) makes of it ---------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed: DOCX → PDF check skipped")
def test_libreoffice_opens_the_report_and_prints_the_figures(report_docx, tmp_path):
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(report_docx)
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists(), f"LibreOffice did not convert (is Writer installed?): {run.stdout} {run.stderr}"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert SEED in norm(text)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Nguyễn Thị Nghĩa" in text
