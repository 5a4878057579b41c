"""make sign, then make distribute: signed copies are what is sent, a stale one never is, and a rerun of
make sign keeps what is still current (so nothing is sent again for a new signing time alone).

The sample with the archive's PDF/A copies on: make sign signs those too, and the signed PDF/A copy still
says PDF/A-2b; the register and the status page say who signed and when.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from pipeline import distribute as dispatch
from pipeline import flow
from pipeline import sign as signing
from pipeline.core.catalogue import signed
from pipeline.errors import SourceError
from tests.factories import SAMPLE_INPUT
from tests.test_sign import PASSWORDS, WHEN, signing_config

HB = "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf"
ARCHIVE_HB = "gui/van-phong-thanh-uy-luu/thong-bao-2016-HB.pdf"


def options(output: Path, config: Path) -> flow.Options:
    return flow.Options(2016, SAMPLE_INPUT, config, output, strict_warnings=True)


def distribute(out: Path, config: Path) -> dispatch.Distribution:
    return dispatch.distribute(options(out, config), state=out.parent / ".so-gui")


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    return signing_config(tmp_path_factory.mktemp("cfg") / "config", pdfa=True)


@pytest.fixture(scope="module")
def signed_only(config, tmp_path_factory) -> Path:
    """The sample reported and signed (PDF/A copies too): the output root."""
    out = tmp_path_factory.mktemp("signed") / "output"
    flow.report(options(out, config))
    signing.sign(options(out, config), environ=PASSWORDS, clock=lambda: WHEN)
    return out


@pytest.fixture(scope="module")
def sent(signed_only, config, tmp_path_factory) -> tuple[Path, dispatch.Distribution]:
    """Then distributed (a dry run)."""
    out = tmp_path_factory.mktemp("out") / "output"
    shutil.copytree(signed_only, out)
    return out, distribute(out, config)


def test_the_bundles_carry_the_signed_copies(sent):
    out, _ = sent
    year = out / "2016"
    assert (year / HB).read_bytes() == (year / signed("thong-bao/HB.pdf")).read_bytes()
    assert (year / HB).read_bytes() != (year / "thong-bao/HB.pdf").read_bytes()


def test_the_archive_gets_the_signed_pdfa_copy_and_it_still_says_pdfa_2b(sent, config):
    out, _ = sent
    year = out / "2016"
    copy = (year / ARCHIVE_HB).read_bytes()
    assert copy == (year / signed("luu-tru/thong-bao/HB.pdf")).read_bytes()
    # Distribute renders the PDF/A copy itself: the signed one begins with exactly its bytes.
    assert copy.startswith((year / "luu-tru/thong-bao/HB.pdf").read_bytes())
    reader = PdfReader(io.BytesIO(copy))  # the signed file's last revision, as a reader opens it
    description = reader.xmp_metadata.rdf_root.getElementsByTagName("rdf:Description")
    ids = {d.getAttribute("pdfaid:part"): d.getAttribute("pdfaid:conformance")
           for d in description if d.hasAttribute("pdfaid:part")}
    assert ids == {"2": "B"}, "signing keeps PDF/A-2b"
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert b"/ByteRange" in copy[len((year / "luu-tru/thong-bao/HB.pdf").read_bytes()):], "signed as an update"
    assert signing.verify(options(out, config)).failed == ()


def test_the_register_and_the_page_say_who_signed_and_when(sent):
    out, _ = sent
    year = out / "2016"
    rows = json.loads((year / "data/so-gui.json").read_text(encoding="utf-8"))["rows"]
    hb = next(r for r in rows if r["file"] == HB)
    assert hb["signature"] == "Nguyễn Thị Nghĩa; Ban Chỉ đạo NQ28 — 10/01/2017 09:30:05"
    sheet = openpyxl.load_workbook(year / "so-gui-van-ban-2016.xlsx").active
    headers = [c.value for row in sheet.iter_rows(max_row=10) for c in row if c.value == "Ký số"]
    assert headers == ["Ký số"]
    assert any(c.value == hb["signature"] for row in sheet.iter_rows() for c in row)
    page = (year / "index.html").read_text(encoding="utf-8")
    assert "Ký số: Nguyễn Thị Nghĩa; Ban Chỉ đạo NQ28 — 10/01/2017 09:30:05" in page
    listed = json.loads((year / "data/ky-so.json").read_text(encoding="utf-8"))
    entry = next(c for c in listed["copies"] if c["document"] == "thong-bao/HB.pdf")
    assert entry["signed_at"] == "2017-01-10T09:30:05+07:00"
    assert [s["role"] for s in entry["signers"]] == ["signer", "body"]


def test_signing_again_keeps_current_copies_and_distribute_sends_nothing_new(sent, config, tmp_path):
    out, first = sent
    shutil.copytree(out, tmp_path / "output")
    shutil.copytree(out.parent / ".so-gui", tmp_path / ".so-gui") if (out.parent / ".so-gui").exists() else None
    copy = tmp_path / "output" / "2016" / signed("thong-bao/HB.pdf")
    before = copy.read_bytes()
    later = WHEN + dt.timedelta(days=1)
    signing.sign(options(tmp_path / "output", config), environ=PASSWORDS, clock=lambda: later)
    assert copy.read_bytes() == before, "a current signed copy is not signed again"
    again = distribute(tmp_path / "output", config)
    assert {d.attachment for letter in again.letters for d in letter.deliveries} == \
        {d.attachment for letter in first.letters for d in letter.deliveries}
    assert [d.sha256 for letter in again.letters for d in letter.deliveries] == \
        [d.sha256 for letter in first.letters for d in letter.deliveries]


def test_a_stale_signed_copy_is_never_sent_and_make_sign_renews_only_it(sent, config, tmp_path):
    out, _ = sent
    shutil.copytree(out, tmp_path / "output")
    changed = tmp_path / "changed"
    shutil.copytree(config, changed)
    year_file = changed / "years" / "2016.yaml"
    text = year_file.read_text(encoding="utf-8")
    year_file.write_text(text.replace("numbers: {}", 'numbers: {HB: "16a"}', 1), encoding="utf-8")
    flow.report(options(tmp_path / "output", changed))
    year = tmp_path / "output" / "2016"
    page = (year / "index.html").read_text(encoding="utf-8")
    assert page.count("bản cũ: văn bản đã được lập lại sau khi ký") == 1, "HB's copy, and only it, is stale"
    with pytest.raises(SourceError) as caught:
        distribute(tmp_path / "output", changed)
    assert "đã cũ" in str(caught.value) and "thong-bao/HB.pdf" in str(caught.value)
    assert "make sign" in str(caught.value)
    assert (year / HB).read_bytes() == (out / "2016" / HB).read_bytes(), "the refused run changed nothing"
    other = (year / signed("thong-bao/AD.pdf")).read_bytes()
    signing.sign(options(tmp_path / "output", changed), environ=PASSWORDS,
                 clock=lambda: WHEN + dt.timedelta(hours=1))
    assert (year / signed("thong-bao/AD.pdf")).read_bytes() == other
    renewed = (year / signed("thong-bao/HB.pdf")).read_bytes()
    assert renewed.startswith((year / "thong-bao/HB.pdf").read_bytes())
    distribute(tmp_path / "output", changed)
    assert (year / HB).read_bytes() == renewed


def test_with_signing_configured_an_unsigned_document_is_not_sent(sent, config, tmp_path):
    out, _ = sent
    shutil.copytree(out, tmp_path / "output")
    year = tmp_path / "output" / "2016"
    shutil.rmtree(year / "ky-so")  # as if make sign had not run
    (year / "data/ky-so.json").unlink()
    bundles = sorted(p.relative_to(year) for p in (year / "gui").rglob("*"))
    with pytest.raises(SourceError) as caught:
        distribute(tmp_path / "output", config)
    assert "chưa có bản ký số" in str(caught.value) and "make sign" in str(caught.value)
    assert sorted(p.relative_to(year) for p in (year / "gui").rglob("*")) == bundles, "nothing changed"


def test_while_workbooks_are_checked_sign_signs_the_slips_and_reminders_and_feedback_sends_them(config, tmp_path):
    from tests.test_feedback import break_hb
    root = Path(shutil.copytree(SAMPLE_INPUT, tmp_path / "input"))
    (root / "2016" / "KT.xlsx").unlink()
    break_hb(root)
    opts = flow.Options(2016, root, config, tmp_path / "out", jobs=1, state=tmp_path / "state")
    flow.validate(opts)
    done = signing.sign(opts, environ=PASSWORDS, clock=lambda: WHEN)
    kinds = {name.split("/")[1] for name in done.files if "luu-tru" not in name}
    assert kinds == {"phieu-kiem-tra", "don-doc"}, "no report or notice while HB has errors"
    assert "ky-so/don-doc/KT.pdf" in done.files and "ky-so/luu-tru/phieu-kiem-tra/HB.pdf" in done.files
    sent = dispatch.distribute(opts, state=tmp_path / "state", feedback=True)
    year = tmp_path / "out" / "2016"
    hb = next(b for b in sent.bundles if b.recipient.code == "HB")
    slip = next(d for d in hb.deliveries if d.attachment == "phieu-kiem-tra-2016-HB.pdf")
    assert slip.source == signed("phieu-kiem-tra/HB.pdf")
    assert (year / slip.file).read_bytes() == (year / signed("phieu-kiem-tra/HB.pdf")).read_bytes()
    assert {r.signature for r in sent.rows if r.kind == "Biểu mẫu đánh dấu lỗi"} == {""}, "a workbook is not signed"


@pytest.mark.parametrize(("name", "page"), [("bao-cao-2016.pdf", 3), ("thong-bao/HB.pdf", 2)])
def test_the_report_and_a_notice_show_the_signature_between_position_and_name(sent, tmp_path, name, page):
    from tests.test_sign import _colour_centres
    out, _ = sent
    copy = out / "2016" / signed(name)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", str(page), "-l", str(page), str(copy), str(tmp_path / "p")],
                   check=True)
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(copy), "-"],
                          capture_output=True, text=True, check=True).stdout
    rows = {w.split(">")[1].split("<")[0]: (float(w.split('xMin="')[1].split('"')[0]) * 70 / 72,
                                            float(w.split('yMin="')[1].split('"')[0]) * 70 / 72)
            for w in text.split("<word ")[1:]}
    centres = _colour_centres(next(tmp_path.glob("p*.png")))
    blue_x, blue_y, blue_n = centres["blue"]
    red_x, red_y, red_n = centres["red"]
    assert blue_n > 100 and red_n > 100, centres
    assert rows["TRƯỞNG"][1] < blue_y < rows["Nghĩa"][1], "the signature between the position and the name"
    assert red_x < blue_x, "the seal on the signature's left"
    assert abs(red_y - blue_y) < 40, "the seal level with the signature"


def test_a_damaged_record_stops_distribute_and_make_sign_writes_it_anew(sent, config, tmp_path):
    out, _ = sent
    shutil.copytree(out, tmp_path / "output")
    record = tmp_path / "output" / "2016" / "data" / "ky-so.json"
    record.write_text('{"copies": [{"document": 1}]}', encoding="utf-8")
    with pytest.raises(SourceError, match=r"ky-so\.json.*bị hỏng.*make sign"):
        distribute(tmp_path / "output", config)
    signing.sign(options(tmp_path / "output", config), environ=PASSWORDS, clock=lambda: WHEN)
    assert len(json.loads(record.read_text(encoding="utf-8"))["copies"]) == 62
    distribute(tmp_path / "output", config)


def test_distribute_takes_the_pdfa_copies_from_the_signed_ones_and_they_are_what_it_would_render(
        signed_only, config, tmp_path, monkeypatch):
    import pipeline.publisher
    rendered: list[str] = []
    real = pipeline.publisher.render_jobs

    def spy(jobs, *args, **kwargs):
        rendered.extend(j.name for j in jobs)
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(pipeline.publisher, "render_jobs", spy)
    shutil.copytree(signed_only, tmp_path / "taken")
    distribute(tmp_path / "taken", config)
    assert not [n for n in rendered if n.startswith("luu-tru/")], "make sign rendered them already"
    unsigned = tmp_path / "unsigned-config"
    shutil.copytree(config, unsigned)
    (unsigned / "signing.yaml").unlink()
    shutil.copytree(signed_only, tmp_path / "rendered")
    distribute(tmp_path / "rendered", unsigned)
    assert len([n for n in rendered if n.startswith("luu-tru/")]) == 31
    for name in ("luu-tru/bao-cao-2016.pdf", "luu-tru/thong-bao/HB.pdf", "luu-tru/phieu-kiem-tra/HB.pdf"):
        assert (tmp_path / "taken/2016" / name).read_bytes() == (tmp_path / "rendered/2016" / name).read_bytes()
