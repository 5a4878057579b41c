"""Words and fonts an office would change come from config/settings.yaml, never from code."""

from __future__ import annotations

import io

import openpyxl
import pytest

from pipeline import flow
from pipeline.core.feedback import slip_contexts
from pipeline.core.notice import notice_contexts
from pipeline.core.summary import summary_context
from pipeline.errors import ConfigError
from pipeline.io.forms import blank_form
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
    settings, inputs, validation = flow.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    return settings, validation, flow.summarise(settings, inputs, validation)


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

    settings, validation, totals = sample
    notice = notice_contexts(totals, settings)["HB"]
    arial = dataclasses.replace(notice, header=dataclasses.replace(notice.header, office_font="Arial"))

    def styles(data: bytes) -> str:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()

    assert notice.header.office_font == "Times New Roman"
    same = styles(render_docx(NOTICE, notice))
    changed = styles(render_docx(NOTICE, arial))
    assert 'w:ascii="Times New Roman"' in same and "Arial" not in same
    assert 'w:ascii="Arial"' in changed and "Times New Roman" not in changed
