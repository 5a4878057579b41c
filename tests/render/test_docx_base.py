"""Word documents written from a template kept open (pipeline.render.docx_base): the same bytes as the
ordinary path, for every context, font and template; and the zip writer behind it."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import notice_contexts
from pipeline.errors import RenderError
from pipeline.render import docx as word
from pipeline.render.docx_base import Bases
from pipeline.resources import templates_dir
from pipeline.stable import fixed_zip, pack, packed_zip
from tests import factories

NOTICE = templates_dir() / "docx" / "thong-bao.docx"


@pytest.fixture(scope="module")
def notices(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    settings, inputs, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, out))
    return notice_contexts(planning.summarise(settings, inputs, validation), settings)


def _ordinary(template, context) -> bytes:
    """The document rendered with no base kept: opened, rendered and saved whole."""
    kept, word._BASES = word._BASES, Bases()
    try:
        return word.render_docx(template, context)
    finally:
        word._BASES = kept


def test_a_kept_template_gives_the_ordinary_bytes_for_every_notice(notices):
    word._BASES = Bases()
    first, *others = notices.values()
    assert word.render_docx(NOTICE, first) == _ordinary(NOTICE, first)
    assert word._BASES.get(NOTICE, first.header.office_font) is not None  # learned from the first
    for context in others:
        assert word.render_docx(NOTICE, context) == _ordinary(NOTICE, context)


def test_an_office_font_and_an_edited_template_are_bases_of_their_own(notices, tmp_path):
    word._BASES = Bases()
    notice = next(iter(notices.values()))
    arial = dataclasses.replace(notice, header=dataclasses.replace(notice.header, office_font="Arial"))
    template = tmp_path / "thong-bao.docx"
    shutil.copy(NOTICE, template)
    for context in (notice, arial, notice, arial):
        assert word.render_docx(template, context) == _ordinary(template, context)
    with zipfile.ZipFile(NOTICE) as source, zipfile.ZipFile(template, "w") as edited:
        for info in source.infolist():
            data = source.read(info)
            edited.writestr(info, data.replace("<w:t>Kế hoạch</w:t>".encode(), "<w:t>Kế hoạch năm</w:t>".encode())
                            if info.filename == "word/document.xml" else data)
    changed = word.render_docx(template, notice)
    assert changed == _ordinary(template, notice)
    assert "Kế hoạch năm".encode() in zipfile.ZipFile(io.BytesIO(changed)).read("word/document.xml")


def test_a_base_that_does_not_reproduce_its_render_is_not_kept(tmp_path):
    bases = Bases()
    bases.learn(NOTICE, "", lambda base: b"other bytes", b"not a zip")
    assert bases.get(NOTICE, "") is None


@pytest.mark.parametrize("kind", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_packed_entries_make_the_bytes_fixed_zip_makes(kind):
    entries = {"[Content_Types].xml": b"<Types/>" * 50, "word/tài liệu.xml": "Thông báo".encode() * 999, "empty": b""}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=kind) as raw:
        for name, data in entries.items():
            raw.writestr(name, data)
    assert packed_zip(pack(name, data, kind) for name, data in entries.items()) == fixed_zip(buffer.getvalue(), {})
    with zipfile.ZipFile(io.BytesIO(packed_zip(pack(n, d, kind) for n, d in entries.items()))) as back:
        assert back.testzip() is None
        assert {n: back.read(n) for n in back.namelist()} == entries


def recompressed(raw: bytes, replace: dict[str, bytes]) -> bytes:
    """What fixed_zip made before it copied entries still compressed: each entry read and written again."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            dst.writestr(entry, replace.get(info.filename, src.read(info)))
    return out.getvalue()


@pytest.mark.parametrize("kind", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_fixed_zip_copies_entries_into_the_bytes_recompressing_them_makes(kind, tmp_path):
    """Entries written by writestr and by write (a file's mode), odd names, an empty one, one replaced."""
    (tmp_path / "sheet.xml").write_bytes(b"<row/>" * 5000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=kind) as raw:
        raw.writestr("[Content_Types].xml", b"<Types/>" * 50)
        raw.writestr("xl/tài liệu.xml", "Thông báo".encode() * 999)
        raw.write(tmp_path / "sheet.xml", "xl/worksheets/sheet1.xml")
        raw.writestr("empty", b"")
    for replace in ({}, {"empty": b"now full"}):
        assert fixed_zip(buffer.getvalue(), replace) == recompressed(buffer.getvalue(), replace)


def test_a_kept_template_says_what_is_wrong_as_the_ordinary_path_does(notices):
    word._BASES = Bases()
    notice = next(iter(notices.values()))
    word.render_docx(NOTICE, notice)
    assert word._BASES.get(NOTICE, notice.header.office_font) is not None
    broken = dataclasses.replace(notice, status_sentence=1.5)
    with pytest.raises(RenderError, match="in ra một giá trị kiểu float"):
        word.render_docx(NOTICE, broken)
    assert word.render_docx(NOTICE, notice) == _ordinary(NOTICE, notice)  # the kept template is not left half-done
