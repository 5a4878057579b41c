"""Where make sign shows the signatures: the place the renderer recorded from its layout.

Every signable kind of document (the report, a notice, a slip, a reminder)
carries in its information dictionary the blank space of its signature block;
pdfminer, reading the page's text independently, finds it between the signer's
position and name, where the old reading-back method put it.
"""

from __future__ import annotations

import io
import shutil

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextLine
from pypdf import PdfReader

from pipeline import cache, flow
from pipeline.core.signature_place import INFO_KEY, Place, read
from pipeline.io import PACKAGE
from pipeline.io.signing import Block, signature_block
from pipeline.render.pdf import PdfRenderer
from pipeline.resources import templates_dir
from tests.factories import CONFIG, SAMPLE_INPUT
from tests.test_feedback_letters import MISSING, chase_input, run_validate

TITLE, NAME = "TRƯỞNG BAN", "Nguyễn Thị Nghĩa"  # the sample's signer (config/years/2016.yaml)
# pdfminer draws a line's text as the em box shifted by the font descriptor's descent; the layout
# knows Pango's ascent and descent. The two disagree by up to 2.5 pt on the sample's 14 pt lines.
TEXT_SLACK = 3.0
SIGNER_COLUMN = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<style>html {{ font-family: "Liberation Serif"; }}</style></head><body><p>Văn bản.</p>
<div class="signature-block"><div class="recipients"><div>Nơi nhận:</div></div><div class="signer">
<div class="authority">TRƯỞNG BAN</div>{space}<div class="signer-name">Nguyễn Thị Nghĩa</div>
</div></div></body></html>"""


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, bytes]:
    """One published document of each signable kind: the report, a notice, a slip, a reminder."""
    out = tmp_path_factory.mktemp("out")
    flow.report(flow.Options(2016, SAMPLE_INPUT, CONFIG, out, strict_warnings=True))
    year = out / "2016"
    base = tmp_path_factory.mktemp("chase")
    chased = run_validate(chase_input(base / "input"), base / "out")
    return {"bao-cao-2016.pdf": (year / "bao-cao-2016.pdf").read_bytes(),
            "thong-bao/HB.pdf": (year / "thong-bao" / "HB.pdf").read_bytes(),
            "phieu-kiem-tra/HB.pdf": (year / "phieu-kiem-tra" / "HB.pdf").read_bytes(),
            "don-doc/KT.pdf": (chased / "don-doc" / f"{MISSING}.pdf").read_bytes()}


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(templates_dir(), "Liberation Serif", strict_warnings=True)


def _lines(container) -> list[LTTextLine]:
    found = []
    for item in container:
        if isinstance(item, LTTextLine):
            found.append(item)
        elif hasattr(item, "__iter__"):
            found.extend(_lines(item))
    return found


def _page_lines(data: bytes, page: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    layout = next(p for n, p in enumerate(extract_pages(io.BytesIO(data))) if n == page)
    return [(" ".join(line.get_text().split()), line.bbox) for line in _lines(layout)]


def _read_back(data: bytes) -> Block | None:
    """The place as make sign used to guess it: the blank space between the last line reading the
    signer's name and the nearest line above it that overlaps it horizontally."""
    found = None
    for index, page in enumerate(extract_pages(io.BytesIO(data))):
        lines = _lines(page)
        for line in (n for n in lines if " ".join(n.get_text().split()) == NAME):
            nx0, _, nx1, ny1 = line.bbox
            above = [o for o in lines if o.bbox[1] > ny1 and o.bbox[0] < nx1 and o.bbox[2] > nx0]
            if above:
                title = min(above, key=lambda o: o.bbox[1])
                found = Block(index, (min(nx0, title.bbox[0]), ny1, max(nx1, title.bbox[2]), title.bbox[1]))
    return found


@pytest.mark.parametrize("name", ["bao-cao-2016.pdf", "thong-bao/HB.pdf", "phieu-kiem-tra/HB.pdf", "don-doc/KT.pdf"])
def test_the_recorded_place_lies_between_position_and_name_in_the_signature_column(documents, name):
    block = signature_block(documents[name])
    assert block is not None, f"{name} records no signature block"
    x0, y0, x1, y1 = block.box
    lines = _page_lines(documents[name], block.page)
    title = next(box for text, box in lines if text == TITLE)
    signer = [box for text, box in lines if text == NAME][-1]
    assert abs(title[1] - y1) <= TEXT_SLACK and abs(y0 - signer[3]) <= TEXT_SLACK, (block, title, signer)
    for box in (title, signer):
        assert x0 <= box[0] and box[2] <= x1, "the column holds both lines"
    inside = [text for text, box in lines if box[1] < y1 - TEXT_SLACK and box[3] > y0 + TEXT_SLACK
              and box[0] < x1 and box[2] > x0]
    assert inside == [], "the space is blank"
    assert 28 * 72 / 25.4 - 0.1 < y1 - y0 < 28 * 72 / 25.4 + 0.1, "the template's 28 mm signature space"


@pytest.mark.parametrize("name", ["bao-cao-2016.pdf", "thong-bao/HB.pdf", "phieu-kiem-tra/HB.pdf", "don-doc/KT.pdf"])
def test_the_signature_goes_where_reading_the_page_back_put_it(documents, name):
    recorded, read_back = signature_block(documents[name]), _read_back(documents[name])
    assert recorded is not None and read_back is not None
    assert recorded.page == read_back.page
    for new, old in zip(recorded.signature_box(), read_back.signature_box(), strict=True):
        assert abs(new - old) <= TEXT_SLACK
    new_seal, old_seal = recorded.seal_box(), read_back.seal_box()
    assert abs(new_seal[0] - old_seal[0]) < 0.1 and abs(new_seal[2] - old_seal[2]) < 0.1, "centred alike"


def test_the_reports_signature_block_is_on_the_last_page_of_its_body(documents):
    block = signature_block(documents["bao-cao-2016.pdf"])
    assert block is not None and block.page == 2


@pytest.mark.parametrize("archival", [False, True])
def test_the_record_is_deterministic_and_keeps_the_archival_copy_pdfa(renderer, archival):
    html = SIGNER_COLUMN.format(space='<div class="signature-space"></div>')
    first, again = (renderer.render(html, "t.pdf", archival=archival) for _ in range(2))
    assert first == again
    reader = PdfReader(io.BytesIO(first))
    place = read(str(reader.metadata["/" + INFO_KEY]))
    assert place is not None and place.page == 0
    if archival:
        description = reader.xmp_metadata.rdf_root.getElementsByTagName("rdf:Description")
        assert {d.getAttribute("pdfaid:part") for d in description if d.hasAttribute("pdfaid:part")} == {"2"}


def test_a_pdf_without_a_recorded_place_has_no_block(renderer):
    plain = renderer.render(SIGNER_COLUMN.format(space=""), "t.pdf")
    assert "/" + INFO_KEY not in (PdfReader(io.BytesIO(plain)).metadata or {})
    assert signature_block(plain) is None
    assert signature_block(b"not a pdf") is None


@pytest.mark.parametrize("text", ["", "1 2 3", "x 1 2 3 4", "-1 1 2 3 4", "0 5 2 3 4"])
def test_a_damaged_record_is_no_place(text):
    assert read(text) is None


def test_the_record_reads_back_as_written():
    place = Place(2, (318.9, 547.83, 552.76, 627.2))
    assert place.text() == "2 318.90 547.83 552.76 627.20" and read(place.text()) == place



@pytest.mark.parametrize("module", ["core/signature_place.py", "core/vi.py", "stable.py", "render/pdf.py"])
def test_a_change_to_any_code_the_renderers_use_renders_the_documents_again(tmp_path, module):
    """The record format, number formatting and zip packing live outside pipeline/render, yet decide bytes."""
    package = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    same = cache.fingerprint(templates_dir(), package)
    assert same == cache.fingerprint(templates_dir())
    with (package / module).open("a", encoding="utf-8") as source:
        source.write("\n# changed\n")
    assert cache.fingerprint(templates_dir(), package) != same
