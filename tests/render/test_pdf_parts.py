"""The report's kept part (the list of new organisations) is rendered apart, kept between runs and merged
after the rest (pipeline.render.pdf_parts): the merged PDF is the same whether the part was kept or just
rendered, the same run to run, and reads, looks and describes itself as a render of the whole."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from pipeline.core.signature_place import INFO_KEY
from pipeline.io.pdf_parts import pdf_part_store
from pipeline.render import pdf_parts, placement
from pipeline.render.pdf import PdfRenderer
from tests.render.test_docx import sample  # noqa: F401  (the sample's report context)
from tests.render.test_paper import FONT, TEMPLATES, report_html

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
NAME = "bao-cao-2016.pdf"


class Store:
    """A store in memory that counts what it serves."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, bytes]] = {}
        self.served = 0

    def get(self, document: str, key: str) -> bytes | None:
        found = self.kept.get(document)
        if found is None or found[0] != key:
            return None
        self.served += 1
        return found[1]

    def put(self, document: str, key: str, pdf: bytes) -> None:
        self.kept[document] = (key, pdf)


@pytest.fixture(scope="module")
def html(sample) -> str:
    return report_html(sample.report)


@pytest.fixture(scope="module")
def whole(html) -> bytes:
    """The report laid out as one document, as before the kept part."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pipeline.render.pdf.kept_apart", lambda html, start: None)
        return PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(html, NAME)


@pytest.fixture(scope="module")
def merged(html) -> bytes:
    return PdfRenderer(TEMPLATES, FONT, strict_warnings=True).render(html, NAME)


def test_the_template_keeps_the_organisation_list_apart(html):
    rest, part = pdf_parts.kept_apart(html, placement.PART_START)
    assert "DANH SÁCH TỔ CHỨC ĐẢNG" in part and "DANH SÁCH TỔ CHỨC ĐẢNG" not in rest
    assert rest.endswith("</body>\n</html>\n") and part.startswith(html[:html.index("<body")])


def test_a_kept_part_gives_the_bytes_of_a_fresh_one_and_a_run_the_bytes_of_the_last(html, merged):
    store = Store()
    renderer = PdfRenderer(TEMPLATES, FONT, strict_warnings=True, parts=store)
    assert renderer.render(html, NAME) == merged and store.served == 0
    assert renderer.render(html, NAME) == merged and store.served == 1
    assert PdfRenderer(TEMPLATES, FONT, strict_warnings=True, parts=store).render(html, NAME) == merged


def test_the_on_disk_store_gives_the_bytes_of_a_fresh_part(html, merged, tmp_path):
    store = pdf_part_store(tmp_path)
    assert PdfRenderer(TEMPLATES, FONT, parts=store).render(html, NAME) == merged
    assert len(list((tmp_path / ".cache" / "phan-pdf").iterdir())) == 1
    assert PdfRenderer(TEMPLATES, FONT, parts=store).render(html, NAME) == merged


def test_the_merged_report_describes_itself_as_the_whole_does(whole, merged):
    before, after = PdfReader(io.BytesIO(whole)), PdfReader(io.BytesIO(merged))
    assert len(after.pages) == len(before.pages) == 22
    assert dict(after.metadata) == dict(before.metadata) and f"/{INFO_KEY}" in after.metadata
    assert _outline(after) == _outline(before)
    assert [p.mediabox for p in after.pages] == [p.mediabox for p in before.pages]
    assert "/ID" not in after.trailer and "/Metadata" not in after.trailer["/Root"]


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    flat, stack = [], list(reversed(reader.outline))
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            flat.append((item.title, reader.get_destination_page_number(item)))
    return flat


def test_each_font_subset_has_a_tag_of_its_own(merged):
    """The part's subsets are renamed apart from the rest's, which WeasyPrint gave the same tags."""
    fonts = {ref.idnum: ref.get_object()["/BaseFont"] for page in PdfReader(io.BytesIO(merged)).pages
             for ref in page["/Resources"]["/Font"].values()}
    assert len(fonts) == 7  # regular, bold and italic in the rest; with bold italic in the part
    assert len({name.split("+")[0] for name in fonts.values()}) == len(fonts)


@needs_poppler
def test_the_merged_report_reads_and_looks_as_the_whole_does(whole, merged, tmp_path):
    for name, data in (("whole", whole), ("merged", merged)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftotext", "-layout", f"{name}.pdf", f"{name}.txt"], cwd=tmp_path, check=True)
        (tmp_path / name).mkdir()
        subprocess.run(["pdftoppm", "-r", "70", "-png", f"{name}.pdf", f"{name}/p"], cwd=tmp_path, check=True)
    assert (tmp_path / "merged.txt").read_text() == (tmp_path / "whole.txt").read_text()
    shown = sorted(p.name for p in (tmp_path / "whole").iterdir())
    assert len(shown) == 22 and shown == sorted(p.name for p in (tmp_path / "merged").iterdir())
    assert all((tmp_path / "merged" / n).read_bytes() == (tmp_path / "whole" / n).read_bytes() for n in shown)
    fonts = subprocess.run(["pdffonts", "merged.pdf"], cwd=tmp_path, check=True, capture_output=True, text=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    assert rows and all(r[0].split("+")[1].startswith("Liberation-Serif") and r[-5:-2] == ["yes"] * 3 for r in rows)


def test_an_archival_copy_is_written_whole(html):
    store = Store()
    archival = PdfRenderer(TEMPLATES, FONT, parts=store).render(html, NAME, archival=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pipeline.render.pdf.kept_apart", lambda html, start: None)
        assert PdfRenderer(TEMPLATES, FONT).render(html, NAME, archival=True) == archival
    assert store.kept == {}


def test_a_part_that_cannot_be_merged_gives_the_whole_report(html, whole, caplog):
    store = Store()
    renderer = PdfRenderer(TEMPLATES, FONT, parts=store)
    renderer.render(html, NAME)
    key, _ = store.kept[NAME]
    store.kept[NAME] = (key, b"%PDF-1.7\nnot a PDF")
    assert renderer.render(html, NAME) == whole
    assert "không ghép được" in caplog.text and NAME in caplog.text


def test_a_part_with_a_heading_is_not_kept_apart(html, whole):
    """Its bookmark belongs in the whole document's outline, which the rest's PDF alone would not have."""
    store, mark = Store(), '<section class="appendix landscape kept-part">'
    assert html.count(mark) == 1
    PdfRenderer(TEMPLATES, FONT, parts=store).render(html.replace(mark, mark + "<h3>Danh sách</h3>"), NAME)
    assert store.kept == {}


def test_each_key_part_changes_the_key(html, monkeypatch):
    _, part = pdf_parts.kept_apart(html, placement.PART_START)
    key = pdf_parts.part_key(part, 7, b"css")
    assert len({key, pdf_parts.part_key(part + " ", 7, b"css"), pdf_parts.part_key(part, 8, b"css"),
                pdf_parts.part_key(part, 7, b"css ")}) == 4
    monkeypatch.setattr(pdf_parts, "version", lambda name: "0" if name == "pypdf" else "70.0")
    assert pdf_parts.part_key(part, 7, b"css") != key
