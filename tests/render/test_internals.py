"""What we take from libraries beyond their public API still holds in the installed versions.

After upgrading a library, a failure here names what changed and where we rely on it.
The rendering shortcuts' effect on the page is tested in test_lean_html.py.
"""

from __future__ import annotations

import inspect

import openpyxl
import pytest
import weasyprint
import weasyprint.html

from pipeline.render import pdf
from pipeline.render import weasyprint_internals as internals


def test_the_weasyprint_internals_we_rely_on_still_hold():
    found = internals.problems()
    assert not found, ("pipeline/render/weasyprint_internals.py relies on what this WeasyPrint no longer does "
                       "(the renderer falls back to the slow path): " + "; ".join(found))
    assert internals.USABLE


def test_a_changed_init_is_caught(monkeypatch):
    original = weasyprint.HTML.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.new_attribute = 1

    monkeypatch.setattr(weasyprint.HTML, "__init__", init)
    assert any("__init__ now sets" in p and "new_attribute" in p for p in internals.problems())


def test_a_changed_hook_signature_is_caught(monkeypatch):
    monkeypatch.setattr(weasyprint.HTML, "_ua_stylesheets", lambda self, forms=False, extra=None: [])
    assert any("changed signature" in p for p in internals.problems())


def test_a_missing_hook_or_stylesheet_is_caught(monkeypatch):
    monkeypatch.delattr(weasyprint.HTML, "_ua_stylesheets")
    monkeypatch.setattr(internals, "UA", None)
    found = internals.problems()
    assert any("_ua_stylesheets is gone" in p for p in found) and any("UA (the user-agent" in p for p in found)


def test_without_the_internals_a_document_is_plain_weasyprint(monkeypatch):
    monkeypatch.setattr(internals, "USABLE", False)
    html = "<html><body><p>Báo cáo</p></body></html>"
    document = pdf.LeanHTML(html, "file:///", None)
    assert document._ua_stylesheets()[0] is weasyprint.html.UA_STYLESHEET
    assert document.etree_element.tag == "html"


def test_with_the_internals_a_document_gets_the_lean_stylesheet():
    assert pdf.LEAN_UA is not None
    document = pdf.LeanHTML("<html><body><p>x</p></body></html>", "file:///", None)
    assert document._ua_stylesheets()[0] is pdf.LEAN_UA
    assert document._ua_stylesheets(forms=True)[1:] == weasyprint.HTML(string="<p/>")._ua_stylesheets(True)[1:]


def test_the_openpyxl_style_array_we_copy_is_still_there():
    """pipeline/render/sheet.py (_Looks) copies `cell._style`, openpyxl's style index array,
    from cell to cell instead of setting each look again (as openpyxl's copy_worksheet does)."""
    sheet = openpyxl.Workbook().active
    first, second = sheet["A1"], sheet["A2"]
    assert hasattr(first, "_style"), "openpyxl's Cell._style is gone: pipeline/render/sheet.py (_Looks) relies on it"
    first.font = openpyxl.styles.Font(bold=True)
    second._style = type(first._style)(first._style)
    assert second.font.bold, "copying openpyxl's Cell._style no longer copies the look: see pipeline/render/sheet.py"


def test_the_docxtpl_calls_we_make_are_still_there():
    """pipeline/render/docx.py opens a template with init_docx() and reaches the document as .docx."""
    from docxtpl import DocxTemplate
    assert "init_docx" in vars(DocxTemplate), "docxtpl's DocxTemplate.init_docx is gone: see pipeline/render/docx.py"
    assert list(inspect.signature(DocxTemplate.render).parameters)[:4] == ["self", "context", "jinja_env", "autoescape"]


@pytest.mark.parametrize("name", ["html_from_tree", "HTMLWithUserAgent"])
def test_the_renderer_reaches_weasyprint_internals_only_through_one_module(name):
    source = inspect.getsource(pdf)
    assert "weasyprint.html" not in source and "_ua_stylesheets" not in source and "cssselect2" not in source
    assert f"internals.{name}" in source
