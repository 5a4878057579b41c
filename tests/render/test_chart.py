"""The report's chart: words as text in the document's font, one bar per figure, same bytes each time, fits the page."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import weasyprint
from PIL import Image, ImageChops

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.appendix import ChartData, chart_data
from pipeline.errors import RenderError
from pipeline.render import chart
from pipeline.render.chart import (
    HATCHES,
    HEIGHT_MM,
    PLAN_LINE_LABEL,
    WIDTH_MM,
    chart_png,
    chart_svg,
    render_figure,
    svg_data_uri,
)
from pipeline.render.pdf import PdfRenderer, TemplateFetcher
from pipeline.resources import templates_dir
from tests.factories import CONFIG, SAMPLE_INPUT

TEMPLATES = templates_dir()

FONT = "Liberation Serif"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PX_PER_MM = 96 / 25.4  # CSS px, WeasyPrint's layout unit
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><link rel="stylesheet" href="van-ban.css">
<style>html {{ font-family: "{font}"; }}
figure.chart {{ margin: 6pt 0; }} figure.chart img {{ display: block; width: 100%; height: auto; }}</style>
</head><body><p>Biểu đồ kết quả của các quận, huyện</p>{figure}<p>Sau biểu đồ.</p></body></html>"""


@pytest.fixture(scope="module")
def data() -> ChartData:
    options = flow.Options(2016, SAMPLE_INPUT, CONFIG, Path("/tmp/unused"))
    settings, inputs, validation = planning.check(options)
    totals = planning.summarise(settings, inputs, validation)
    return chart_data(totals, settings.planned_indicators())


@pytest.fixture(scope="module")
def svg(data) -> str:
    return chart_svg(data, FONT)


@pytest.fixture(scope="module")
def png(data) -> bytes:
    return chart_png(data, FONT)


def page(svg: str) -> str:
    return PAGE.format(font=FONT, figure=f'<figure class="chart"><img src="{svg_data_uri(svg)}" alt="Biểu đồ"></figure>')


def bar_ids(svg: str) -> list[str]:
    return [e.get("id") for e in ET.fromstring(svg).iter() if (e.get("id") or "").startswith("bar-")]


def with_unit_name(data: ChartData, name: str) -> ChartData:
    return dataclasses.replace(data, units=(name, *data.units[1:]))


def test_svg_words_are_text_in_the_document_font_only(data, svg):
    root = ET.fromstring(svg)
    texts = list(root.iter(f"{SVG}text"))
    assert {t.text for t in texts} >= {data.title, PLAN_LINE_LABEL, *data.units}
    assert all("font-family: 'Liberation Serif'" in t.get("style") for t in texts)
    assert svg.count("font-family") == len(texts) and "DejaVu" not in svg
    assert "#LiberationSerif-" not in svg  # no glyph outlines


def test_the_charts_words_in_the_pdf_are_searchable_and_in_the_document_font(data, svg, tmp_path):
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(page(svg), "bieu-do.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert data.title in text and PLAN_LINE_LABEL in text and data.series[0].name in text  # not the rotated names
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert {line.split()[0].split("+")[1] for line in fonts.splitlines()[2:]} <= {"Liberation-Serif", "Liberation-Serif-Bold"}


def test_text_is_drawn_where_matplotlib_placed_its_outlines(data, svg, tmp_path):
    """WeasyPrint sets the words at matplotlib's places (anchors, rotation, size): the page looks as
    it did when they were glyph outlines, to hinting and anti-aliasing: ~5% of the dark pixels differ
    at 150 dpi. Dropping the anchors, the rotation or setting 10 px for 9 px differs by 16–21%."""
    outlined = render_figure(lambda: chart._figure(data), chart._texts(data), FONT, "svg", {"Date": None},
                             {"svg.fonttype": "path", "svg.hashsalt": "nq28-chart"}).decode("utf-8")
    renderer = PdfRenderer(TEMPLATES, FONT)
    rasters = []
    for name, drawn in (("text", svg), ("outlines", outlined[outlined.index("<svg"):])):
        (tmp_path / f"{name}.pdf").write_bytes(renderer.render(page(drawn), f"{name}.pdf"))
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        rasters.append(Image.open(next(tmp_path.glob(f"{name}*.pgm"))))
    dark = sum(rasters[1].histogram()[:128])
    differing = sum(ImageChops.difference(*rasters).histogram()[128:])
    assert differing < 0.08 * dark, (differing, dark)


def test_one_bar_per_figure_and_none_for_no_plan(data, svg):
    expected = sum(v is not None for s in data.series for v in s.percents)
    assert len(bar_ids(svg)) == expected == len(set(bar_ids(svg))) == 45
    first = data.series[0]
    no_plan = dataclasses.replace(first, percents=(None, *first.percents[1:]))
    fewer = chart_svg(dataclasses.replace(data, series=(no_plan, *data.series[1:])), FONT)
    assert len(bar_ids(fewer)) == expected - 1 and "bar-0-0" not in bar_ids(fewer)


def test_svg_is_sized_in_pt_for_the_body_width(svg):
    root = ET.fromstring(svg)
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert root.get("width").endswith("pt") and root.get("viewBox")
    assert (width / 72 * 25.4, height / 72 * 25.4) == pytest.approx((WIDTH_MM, HEIGHT_MM))


@pytest.mark.parametrize("dpi", [200, 96])
def test_png_has_the_print_size_at_the_dpi(data, png, dpi):
    image = Image.open(io.BytesIO(png if dpi == 200 else chart_png(data, FONT, dpi=dpi)))
    assert image.format == "PNG"
    assert image.size == pytest.approx((WIDTH_MM / 25.4 * dpi, HEIGHT_MM / 25.4 * dpi), abs=1)


def test_png_is_pure_grey(png):
    # Legible in black and white: no pixel may carry hue.
    r, g, b = Image.open(io.BytesIO(png)).convert("RGB").split()
    assert ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None


def test_same_data_gives_the_same_bytes(data, svg, png):
    assert chart_svg(data, FONT) == svg
    assert chart_png(data, FONT) == png


def test_renders_from_threads_do_not_interfere(data, svg):
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert set(pool.map(lambda _: chart_svg(data, FONT), range(3))) == {svg}


@pytest.mark.parametrize("family", ["Phông Không Có", "serif"])
def test_a_family_that_is_not_installed_is_an_error_not_dejavu(data, family):
    with pytest.raises(RenderError, match=f"Không tìm thấy phông {family}"):
        chart_svg(data, family)


def test_a_character_the_font_lacks_is_an_error(data):
    # U+2603 SNOWMAN: not in Liberation Serif; matplotlib would draw an empty box.
    with pytest.raises(RenderError, match="thiếu ký tự ☃"):
        chart_png(with_unit_name(data, "Quận ☃"), FONT)


def test_decomposed_diacritics_draw_like_composed_ones(data, svg):
    import unicodedata

    nfd = with_unit_name(data, unicodedata.normalize("NFD", data.units[0]))
    assert chart_svg(nfd, FONT) == svg


def test_img_data_uri_renders_without_warnings_at_full_body_width(svg, tmp_path):
    pdf = PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(page(svg), "bieu-do.pdf")
    assert pdf.startswith(b"%PDF-")
    document = weasyprint.HTML(string=page(svg), base_url=TEMPLATES.as_uri() + "/",
                               url_fetcher=TemplateFetcher(TEMPLATES)).render()
    img = next(b for b in document.pages[0]._page_box.descendants() if getattr(b, "element_tag", "") == "img")
    assert (img.width / PX_PER_MM, img.height / PX_PER_MM) == pytest.approx((WIDTH_MM, HEIGHT_MM))
    (tmp_path / "t.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(tmp_path / "t.pdf"), str(tmp_path / "p")], check=True)
    raster = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    chart_box = (0, raster.height // 10, raster.width, raster.height // 2)  # below the first line
    dark = sum(raster.crop(chart_box).histogram()[:128])
    assert dark > 2000, "the chart was laid out but not drawn"


def test_inline_svg_markup_makes_weasyprint_warn(svg, caplog):
    # Why the template uses <img>: inline, WeasyPrint's HTML cascade reads
    # matplotlib's style="fill:…;stroke:…" attributes as CSS and warns on each.
    inline = PAGE.format(font=FONT, figure=f'<figure class="chart">{svg}</figure>')
    with pytest.raises(RenderError, match="WeasyPrint cảnh báo"):
        PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(inline, "bieu-do.pdf")
    caplog.clear()


def test_series_hatches_are_drawn_with_lines_only():
    """Dots and circles (".", "o", "O", "*") are curves that WeasyPrint draws again for every bar
    using the pattern: a dotted series made the national report 6.3 s and 950 KB instead of 2 s."""
    assert len(set(HATCHES)) == len(HATCHES)
    assert not set("".join(HATCHES)) & set(".oO*")


@pytest.mark.parametrize("family, word", [("DejaVu Sans", "Hồng Bàng"), (FONT, "Quận ☃")])
def test_a_chart_word_in_another_font_or_a_letter_the_font_lacks_fails_the_document(family, word):
    """The words are text now: Pango would set them in another installed font, silently. The PDF
    renderer's font check refuses that for the chart as for the body."""
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="50pt" viewBox="0 0 100 50">'
           f'<text style="font-size: 9px; font-family: \'{family}\'" x="5" y="20">{word}</text></svg>')
    with pytest.raises(RenderError, match="phải dùng phông Liberation Serif"):
        PdfRenderer(TEMPLATES, FONT).render(page(svg), "bieu-do.pdf")


def test_markup_in_a_name_stays_the_charts_text(data, tmp_path):
    """The words are SVG text now: a unit or indicator name with markup (<, &, quotes, a DTD-like string)
    is escaped by matplotlib, read back as the same text, and drawn as such."""
    name = 'A<b>&c "q" ]]> <!ENTITY x>'
    marked = dataclasses.replace(with_unit_name(data, name), title=f"{data.title} <i>&amp;")
    svg = chart_svg(marked, FONT)
    words = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert name in words and f"{data.title} <i>&amp;" in words
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(page(svg), "bieu-do.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"{data.title} <i>&amp;" in text
