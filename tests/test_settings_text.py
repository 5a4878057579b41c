"""Words and fonts an office would change come from config/settings.yaml, never from code."""

from __future__ import annotations

import io

import openpyxl
import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import notice_contexts
from pipeline.core.documents.slip import slip_contexts
from pipeline.core.documents.summary import summary_context
from pipeline.errors import ConfigError
from pipeline.io.forms.workbook import blank_form
from pipeline.render.register import RegisterSheet, render_register_xlsx
from pipeline.render.xlsx import render_summary_xlsx
from pipeline.settings import Settings, load_settings
from tests import factories
from tests.test_settings import config, edit  # noqa: F401


def _changed(settings: Settings, organisation: dict | None = None, style: dict | None = None) -> Settings:
    general = settings.general
    general = general.model_copy(update={
        "organisation": general.organisation.model_copy(update=organisation or {}),
        "style": general.style.model_copy(update=style or {}),
    })
    return settings.model_copy(update={"general": general})


def _fonts(data: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {cell.font.name for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if cell.value is not None}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    return settings, validation, planning.summarise(settings, inputs, validation)


def test_the_sample_names_its_words_and_fonts():
    general = load_settings(factories.CONFIG).general
    assert general.organisation.unit_title == "Đảng bộ"
    assert general.organisation.unit_leadership == "Ban Thường vụ"
    assert general.style.office_font == "Times New Roman"
    assert general.style.font_family == "Liberation Serif"


def test_the_leadership_body_is_required(config):
    edit(config / "settings.yaml", "  unit_leadership: Ban Thường vụ\n", "")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert "organisation.unit_leadership" in str(caught.value) and "thiếu giá trị bắt buộc" in str(caught.value)


def test_the_blank_form_uses_the_unit_title_and_the_office_font():
    settings = _changed(load_settings(factories.CONFIG), {"unit_title": "Đảng ủy"}, {"office_font": "Arial"})
    data = blank_form(settings, "HB", 2016)
    info = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert "Đảng ủy quận Hồng Bàng" in [c.value for row in info.iter_rows() for c in row]
    assert _fonts(data) == {"Arial"}
    assert _fonts(blank_form(load_settings(factories.CONFIG), "HB", 2016)) == {"Times New Roman"}


def test_the_summary_and_register_workbooks_use_the_office_font(sample):
    settings, validation, totals = sample
    organisations = {c: s.organisations for c, s in validation.submissions.items()}
    arial = _changed(settings, style={"office_font": "Arial"})
    data = render_summary_xlsx(summary_context(totals, organisations, arial))
    assert _fonts(data) == {"Arial"}
    assert "Arial,Regular" in openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].oddFooter.center.font
    register = render_register_xlsx(RegisterSheet("SỔ GỬI VĂN BẢN NĂM 2016", "ĐẢNG BỘ", ("BAN CHỈ ĐẠO",), (), "Arial"))
    assert _fonts(register) == {"Arial"}


def test_notices_and_slips_address_the_configured_leadership_body(sample):
    settings, validation, totals = sample
    changed = _changed(settings, {"unit_leadership": "Thường trực"})
    assert notice_contexts(totals, changed)["HB"].addressee == "Thường trực Quận ủy Hồng Bàng"
    assert notice_contexts(totals, settings)["HB"].addressee == "Ban Thường vụ Quận ủy Hồng Bàng"
    slips = slip_contexts(validation, changed)
    assert slips and all(s.addressee.startswith("Thường trực ") for s in slips.values())


def test_the_word_documents_use_the_office_font(sample):
    import dataclasses
    import zipfile

    from pipeline.render.docx import render_docx
    from tests.render.test_docx import NOTICE

    settings, _validation, totals = sample
    notice = notice_contexts(totals, settings)["HB"]
    arial = dataclasses.replace(notice, header=dataclasses.replace(notice.header, office_font="Arial"))

    def styles(data: bytes) -> str:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()

    assert notice.header.office_font == "Times New Roman"
    same = styles(render_docx(NOTICE, notice))
    changed = styles(render_docx(NOTICE, arial))
    assert 'w:ascii="Times New Roman"' in same and "Arial" not in same
    assert 'w:ascii="Arial"' in changed and "Times New Roman" not in changed


# --- no office's words in code ------------------------------------------------------------

OFFICE_WORDS = ("Hải Phòng", "thành phố", "Thành ủy", "Thường vụ", "Đảng bộ", "Quận ủy", "Huyện ủy", "Times New Roman",
                "Liberation Serif", "Nghị quyết 28", "NQ/TU")
ROOT = factories.CONFIG.parent
# The schema's defaults (settings/general.py) may name them. The Word templates are built in Times New Roman (replaced by style.office_font when
# rendered) and carry a title of their own in their properties (replaced by the document's title when rendered).
ALLOWED = {"pipeline/settings/general.py": OFFICE_WORDS, "templates/docx/ooxml.py": ("Times New Roman",),
           "templates/docx/build_templates.py": ("Nghị quyết 28",)}


def _literals(path):
    """The string constants of a module, docstrings left out."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_the_status_page_names_the_configured_scope(sample):
    from pipeline.core.documents.site import site_context

    settings, validation, totals = sample
    changed = _changed(settings, {"scope": "toàn tỉnh"})
    assert site_context(validation, totals, (), changed).scope == "toàn tỉnh"
    assert "Kết quả {{ scope }}" in (ROOT / "templates" / "index.html.j2").read_text(encoding="utf-8")


def test_no_office_words_in_code_or_templates():
    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        words = [w for w in OFFICE_WORDS if w not in ALLOWED.get(name, ())]
        found += [(name, word) for text in _literals(path) for word in words if word.casefold() in text.casefold()]
    for path in sorted((ROOT / "templates").rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        found += [(path.relative_to(ROOT).as_posix(), w) for w in OFFICE_WORDS if w.casefold() in text.casefold()]
    assert not found
