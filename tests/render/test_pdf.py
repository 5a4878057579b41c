"""The PDF renderer refuses unfaithful output and fetches nothing it should not."""

from __future__ import annotations

import pytest

from pipeline.errors import RenderError
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer
from pipeline.resources import templates_dir

TEMPLATES = templates_dir()

PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<style>html {{ font-family: "Liberation Serif"; }}</style>{head}</head><body><p>{body}</p></body></html>"""


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(TEMPLATES, "Liberation Serif", strict_warnings=True)


def test_vietnamese_text_renders_in_the_document_font(renderer):
    pdf = renderer.render(PAGE.format(head="", body="Đảng bộ quận Hồng Bàng: “trắng” – ỹ ậ ữ"), "t.pdf")
    assert pdf.startswith(b"%PDF-")


def test_a_character_no_font_has_fails_the_render(renderer, caplog):
    with pytest.raises(RenderError, match="thiếu ký tự"):
        renderer.render(PAGE.format(head="", body="mã \U000F0000"), "t.pdf")
    caplog.clear()


def test_a_fallback_font_fails_the_render(renderer, caplog):
    # U+2603 SNOWMAN is in DejaVu (Pango's fallback) but not in Liberation Serif.
    with pytest.raises(RenderError, match="Liberation Serif"):
        renderer.render(PAGE.format(head="", body="☃"), "t.pdf")
    caplog.clear()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.css", "../pyproject.toml"])
def test_resources_outside_the_templates_folder_are_refused(renderer, url, caplog):
    head = f'<link rel="stylesheet" href="{url}">'
    with pytest.raises(RenderError):
        renderer.render(PAGE.format(head=head, body="x"), "t.pdf")
    caplog.clear()


def test_fetcher_serves_template_assets():
    from pipeline.render.pdf import TemplateFetcher

    fetcher = TemplateFetcher(TEMPLATES)
    response = fetcher.fetch((TEMPLATES / "van-ban.css").as_uri())
    assert b"@page" in response.read()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/hostname")


def test_undefined_template_values_are_errors(tmp_path):
    (tmp_path / "t.html.j2").write_text("{{ missing }}", encoding="utf-8")
    import dataclasses

    @dataclasses.dataclass
    class Ctx:
        present: str = "x"

    with pytest.raises(RenderError, match="missing"):
        render_html(environment(tmp_path), "t.html.j2", Ctx())


def test_workbook_text_is_escaped(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>{{ present }}</p>", encoding="utf-8")
    import dataclasses

    @dataclasses.dataclass
    class Ctx:
        present: str = "<script>alert(1)</script>{{ 7*7 }}"

    html = render_html(environment(tmp_path), "t.html.j2", Ctx())
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html


def test_other_weasyprint_warnings_are_logged_under_the_document_name(caplog):
    lenient = PdfRenderer(TEMPLATES, "Liberation Serif", strict_warnings=False)
    pdf = lenient.render(PAGE.format(head="<style>p { colr: red }</style>", body="x"), "ten-van-ban.pdf")
    assert pdf.startswith(b"%PDF-")
    routed = [r for r in caplog.records if r.name == "pipeline.render"]
    assert routed and "ten-van-ban.pdf" in routed[0].getMessage() and "colr" in routed[0].getMessage()
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], "must not also reach the root log raw"
    caplog.clear()


def test_strict_mode_fails_on_any_warning(renderer, caplog):
    with pytest.raises(RenderError, match="colr"):
        renderer.render(PAGE.format(head="<style>p { colr: red }</style>", body="x"), "t.pdf")
    caplog.clear()
