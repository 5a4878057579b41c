"""The whole path on the shipped sample: figures, documents, strictness, atomicity."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import flow, runner
from pipeline import plan as planning
from pipeline.errors import InvalidDataError
from pipeline.render.renderers import Renderers
from pipeline.settings import load_settings
from tests import factories
from tests.factories import CONFIG, SAMPLE_INPUT

SEED_SENTENCE = (
    "Năm 2016, toàn thành phố thành lập được 26 tổ chức Đảng, đạt 65% kế hoạch năm; "
    "170 tổ chức Công đoàn, đạt 220% kế hoạch; 33 tổ chức Đoàn, hội thanh niên, vượt 32%."
)


def options(output: Path, input_dir: Path = SAMPLE_INPUT, **kw) -> flow.Options:
    return flow.Options(2016, input_dir, CONFIG, output, strict_warnings=True, **kw)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> flow.Outcome:
    return flow.report(options(tmp_path_factory.mktemp("out")))


@pytest.fixture(scope="module")
def folder(sample_run) -> Path:
    return sample_run.folder


def published_copy(folder: Path, output: Path) -> Path:
    """`output` holding a copy of the sample run's year folder (render keys included), as a previous run leaves it."""
    shutil.copytree(folder, output / folder.name)
    return output


def pdf_text(path: Path, *pages: int) -> str:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_totals_are_the_seed_figures(folder):
    data = json.loads((folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    totals = data["totals"]
    assert data["year"] == 2016
    assert {k: totals[k] for k in ("TCD", "CD", "DTN")} == {
        "TCD": {"plan": 40, "actual": 26, "percent": 65, "previous_year": 24},
        "CD": {"plan": 77, "actual": 170, "percent": 220, "previous_year": 148},
        "DTN": {"plan": 25, "actual": 33, "percent": 132, "previous_year": 28},
    }
    assert data["blank_units"] == ["DS", "CH", "BLV"]
    assert len(data["units"]) == 15 and {u["status"] for u in data["units"]} == {"valid"}
    unit = next(u for u in data["units"] if u["code"] == "HB")
    assert set(unit) >= {"code", "name", "status", "indicators"}
    assert unit["indicators"]["TCD"] == {"plan": 3, "actual": 2, "percent": 66}


def test_totals_equal_the_sum_of_units(folder):
    data = json.loads((folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    for code, total in data["totals"].items():
        assert total["actual"] == sum(u["indicators"][code]["actual"] for u in data["units"])


def test_provenance_names_every_source_with_its_hash(folder):
    data = json.loads((folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    sources = data["provenance"]["sources"]
    assert len(sources) == 15
    for source in sources:
        digest = hashlib.sha256((SAMPLE_INPUT / source["file"]).read_bytes()).hexdigest()
        assert source["sha256"] == digest


def test_issue_report_has_the_spec_shape(folder):
    data = json.loads((folder / "data" / "kiem-tra.json").read_text(encoding="utf-8"))
    assert data == {"year": 2016, "issues": []}


def test_sha256sums_lists_every_file(folder):
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_report_states_the_seed_sentence_and_comparisons(folder):
    text = flat(pdf_text(folder / "bao-cao-2016.pdf"))
    assert SEED_SENTENCE in text
    assert "Số tổ chức Đảng thành lập mới tăng 2 tổ chức so với năm 2015" in text
    assert "Còn 3 Đảng bộ “trắng”, không thành lập được tổ chức Đảng nào: quận Đồ Sơn, huyện Cát Hải và huyện Bạch Long Vĩ." in text
    assert "thành lập 38 tổ chức Đảng; 62 tổ chức Công đoàn; 20 tổ chức Đoàn, hội thanh niên" in text
    assert "16.281 đoàn viên công đoàn" in text  # thousands with a dot


def test_report_page_one_is_an_official_party_document(folder):
    page1 = pdf_text(folder / "bao-cao-2016.pdf", 1)
    for expected in ("ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 15-BC/BCĐ",
                     "Hải Phòng, ngày 29 tháng 12 năm 2016", "BÁO CÁO", "*"):
        assert expected in page1
    assert flat(page1).index("ĐẢNG CỘNG SẢN VIỆT NAM") < flat(page1).index("BÁO CÁO")


def test_page_numbers_start_on_page_two(folder):
    pdf = folder / "bao-cao-2016.pdf"
    assert pdf_text(pdf, 1).split()[0] != "1"
    assert pdf_text(pdf, 2).split()[0] == "2"
    assert pdf_text(pdf, 3).split()[0] == "3"


def test_signature_and_recipients(folder):
    text = flat(pdf_text(folder / "bao-cao-2016.pdf"))
    assert re.search(r"Nơi nhận: TRƯỞNG BAN", text)
    assert "- Lưu Văn phòng Thành ủy." in text
    assert "Nguyễn Thị Nghĩa" in text


def test_appendix_tables_carry_every_unit_and_repeat_headers(folder):
    pdf = folder / "bao-cao-2016.pdf"
    text = pdf_text(pdf)
    assert "Phụ lục 1" in text and "Phụ lục 2" in text and "Phụ lục 3" in text
    for name in ("Quận Hồng Bàng", "Huyện Bạch Long Vĩ", "Huyện Thủy Nguyên"):
        assert name in text
    assert re.search(r"Tổng cộng\s+40\s+26\s+65%\s+77\s+170\s+220%\s+25\s+33\s+132%", text)
    pages = text.split("\f")
    list_pages = [p for p in pages if "Tên doanh nghiệp" in p]
    assert len(list_pages) >= 2, "the organisation list header should repeat on every page"


def test_fonts_are_embedded_liberation_serif_only(folder):
    out = subprocess.run(["pdffonts", str(folder / "bao-cao-2016.pdf")], check=True, capture_output=True, text=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert "Liberation-Serif" in name.split("+")[-1], row
        assert emb == "yes", row


def test_same_inputs_give_the_same_bytes(folder, tmp_path):
    again = flow.report(options(tmp_path)).folder
    assert (again / "SHA256SUMS").read_bytes() == (folder / "SHA256SUMS").read_bytes()


def broken_input(tmp_path: Path) -> Path:
    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["TongHop"]["F4"] = -1
    factories.save(book, input_dir / "2016" / "HB.xlsx")
    return input_dir


def test_strict_run_with_errors_keeps_the_last_good_documents(folder, tmp_path):
    output = published_copy(folder, tmp_path / "out")
    good_pdf = (output / "2016" / "bao-cao-2016.pdf").read_bytes()
    good_summary = (output / "2016" / "data" / "tong-hop.json").read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        flow.report(options(output, broken_input(tmp_path)))
    assert "ALLOW_INVALID=1" in str(caught.value)
    year = output / "2016"
    assert (year / "bao-cao-2016.pdf").read_bytes() == good_pdf
    assert (year / "data" / "tong-hop.json").read_bytes() == good_summary
    issues = json.loads((year / "data" / "kiem-tra.json").read_text(encoding="utf-8"))["issues"]
    assert any(i["unit"] == "HB" and i["cell"] == "F4" for i in issues), "the new issues are published"
    assert (year / "phieu-kiem-tra" / "HB.pdf").is_file()
    sums = (year / "SHA256SUMS").read_text()
    assert "bao-cao-2016.pdf" in sums and "phieu-kiem-tra/HB.pdf" in sums
    assert sorted(p.name for p in output.iterdir()) == [".2016.khoa", ".cache", "2016"], "no staging folder may be left behind"


@pytest.fixture(scope="module")
def left_out(tmp_path_factory) -> flow.Outcome:
    """The sample with HB's workbook broken, reported with allow_invalid."""
    tmp_path = tmp_path_factory.mktemp("left-out")
    return flow.report(options(tmp_path / "out", broken_input(tmp_path), allow_invalid=True))


def test_allow_invalid_leaves_the_unit_out_and_says_so(left_out):
    outcome = left_out
    data = json.loads((outcome.folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    hb = next(u for u in data["units"] if u["code"] == "HB")
    assert hb["status"] == "invalid"
    assert data["totals"]["TCD"]["actual"] == 26 - 2
    assert data["totals"]["TCD"]["plan"] == 40 - 3
    assert data["totals"]["TCD"]["previous_year"] == 24 - 2, "last year's figures of the same units only"
    issues = json.loads((outcome.folder / "data" / "kiem-tra.json").read_text(encoding="utf-8"))["issues"]
    assert any(i["cell"] == "F4" and i["rule"] == "bad-number" and i["unit"] == "HB" for i in issues)
    text = flat(pdf_text(outcome.folder / "bao-cao-2016.pdf"))
    assert "số liệu chưa hợp lệ, chưa tính vào tổng: quận Hồng Bàng" in text
    assert "Số liệu tổng hợp từ biểu mẫu của 14/15 đơn vị" in text


def test_previous_year_from_complete_valid_workbooks(tmp_path):
    input_dir = factories.copy_sample(tmp_path / "input")
    cfg = factories.settings()
    for unit in cfg.units:
        factories.write(factories.good_form(unit.code, year=2015, party=1, unions=0, youth=0), input_dir / "2015" / f"{unit.code}.xlsx")
    outcome = flow.report(options(tmp_path / "out", input_dir))
    data = json.loads((outcome.folder / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    assert data["totals"]["TCD"]["previous_year"] == 15
    assert data["provenance"]["previous_year_source"] == "biểu mẫu năm 2015"


def test_state_style_switches_the_header(tmp_path):
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    path = config / "settings.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  kind: party", "  kind: state"), encoding="utf-8")
    outcome = flow.report(flow.Options(2016, SAMPLE_INPUT, config, tmp_path / "out", strict_warnings=True))
    page1 = flat(pdf_text(outcome.folder / "bao-cao-2016.pdf", 1))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page1 and "Độc lập - Tự do - Hạnh phúc" in page1
    assert "Số: 15/BC-BCĐ" in page1 and "ĐẢNG CỘNG SẢN VIỆT NAM" not in page1
    assert "Kết quả thực hiện Nghị quyết 28-NQ/TU năm 2016" in page1, "State summaries start with a capital"
    text = flat(pdf_text(outcome.folder / "bao-cao-2016.pdf"))
    assert "I. KẾT QUẢ THỰC HIỆN NĂM 2016" in text and "II. PHƯƠNG HƯỚNG" in text and "Phụ lục III" in text
    notice = flat(pdf_text(outcome.folder / "thong-bao" / "HB.pdf", 1))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in notice and "Số: 16/TB-BCĐ" in notice
    slip = flat(pdf_text(outcome.folder / "phieu-kiem-tra" / "HB.pdf", 1))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in slip


def test_forms_and_report_share_the_year_folder_without_losing_each_other(tmp_path):
    output = tmp_path / "out"
    year, folder, names = flow.forms(flow.Options(2016, SAMPLE_INPUT, CONFIG, output))
    assert year == 2016 and len(names) == 15
    form = (folder / "bieu-mau" / "HB.xlsx").read_bytes()
    flow.report(options(output))
    assert (output / "2016" / "bieu-mau" / "HB.xlsx").read_bytes() == form, "the report keeps the forms"
    assert "bieu-mau/HB.xlsx" in (output / "2016" / "SHA256SUMS").read_text()
    flow.forms(flow.Options(2016, SAMPLE_INPUT, CONFIG, output))
    assert (output / "2016" / "bao-cao-2016.pdf").is_file(), "new forms keep the report"


def test_forms_default_to_the_latest_year_file(tmp_path):
    # The forms print the year's deadline: their year is the latest with a complete file in config/years.
    config = Path(shutil.copytree(CONFIG, tmp_path / "config"))
    text = (config / "years" / "2016.yaml").read_text(encoding="utf-8")
    (config / "years" / "2017.yaml").write_text(text.replace("2016-12-29", "2017-12-27"), encoding="utf-8")
    year, folder, _names = flow.forms(flow.Options(None, SAMPLE_INPUT, config, tmp_path / "out"))
    assert year == 2017 and folder == tmp_path / "out" / "2017"
    sub = factories.parse_file(folder / "bieu-mau" / "BLV.xlsx")
    assert (sub.unit_code, sub.year) == ("BLV", 2017)
    assert {f.code: f.plan for f in sub.figures if f.plan is not None} == {"TCD": 1, "CD": 1, "DTN": 0}


def test_one_notice_per_unit_with_its_own_figures_rank_and_targets(folder):
    notices = sorted(p.name for p in (folder / "thong-bao").glob("*.pdf"))
    assert len(notices) == 15
    text = flat(pdf_text(folder / "thong-bao" / "DS.pdf"))
    assert "THÔNG BÁO" in text and "Số 21-TB/BCĐ" in text and "Kính gửi: Ban Thường vụ Quận ủy Đồ Sơn" in text
    assert ("Năm 2016, Đảng bộ quận Đồ Sơn thành lập được 4 tổ chức Công đoàn, vượt 33%; 1 tổ chức Đoàn, hội thanh "
            "niên, đạt 100% kế hoạch; chưa thành lập được tổ chức Đảng nào (kế hoạch 1).") in text
    assert "“trắng”" in text
    assert "Số tổ chức Đảng thành lập mới giảm 1 tổ chức so với năm 2015" in text
    assert "tổ chức Đảng xếp thứ 13/15" in text
    assert "Năm 2017, giao Đảng bộ quận Đồ Sơn thành lập 1 tổ chức Đảng; 2 tổ chức Công đoàn; 1 tổ chức Đoàn, hội thanh niên." in text
    assert "TRƯỞNG BAN" in text and "- Như trên," in text


def test_a_unit_left_out_gets_a_notice_that_says_why(left_out):
    text = flat(pdf_text(left_out.folder / "thong-bao" / "HB.pdf"))
    assert "số liệu chưa hợp lệ nên chưa được tính vào kết quả tổng hợp năm 2016" in text
    assert "Năm 2017, giao Đảng bộ quận Hồng Bàng thành lập 3 tổ chức Đảng" in text


def test_the_status_page_links_every_published_document(folder):
    import html.parser

    class Hrefs(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = set()

        def handle_starttag(self, tag, attrs):
            for key, value in attrs:
                if key in ("href", "src") and value and not value.startswith(("#", "data:")):
                    self.found.add(value)

    parser = Hrefs()
    parser.feed((folder / "index.html").read_text(encoding="utf-8"))
    published = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert parser.found <= published, parser.found - published
    documents = published - {"index.html", "SHA256SUMS"}
    assert documents <= parser.found, f"not linked: {sorted(documents - parser.found)}"


def test_one_worker_and_several_give_the_same_bytes_and_report_progress(folder, tmp_path):
    seen = []
    single = flow.report(options(tmp_path, jobs=1, progress=lambda label, done, total: seen.append((label, done, total))))
    assert (single.folder / "SHA256SUMS").read_bytes() == (folder / "SHA256SUMS").read_bytes()
    finals = {label: (done, total) for label, done, total in seen}
    # 4 of the report (PDF, DOCX, workbook, chart), the trend chart (2015 is in history.yaml), 30 notices
    assert finals == {"Văn bản": (35, 35), "Phiếu kiểm tra": (15, 15)}


def test_workbooks_read_in_workers_give_what_one_process_gives(tmp_path, monkeypatch):
    input_dir = factories.copy_sample(tmp_path / "input")
    (input_dir / "2016" / "HB-hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    settings = load_settings(CONFIG)
    one = planning.read_inputs(input_dir, 1, settings)
    monkeypatch.setattr(runner, "READ_POOL_THRESHOLD", 2)
    pooled = planning.read_inputs(input_dir, 2, settings)
    assert pooled == one
    assert [s.checked for s in pooled.by_year[2016]] == [s.checked for s in one.by_year[2016]]
    assert all(s.checked is not None for s in pooled.by_year[2016])
    assert [r.path for r in pooled.refusals] == ["2016/HB-hong.xlsx"]


_READ_ONE = runner.read_one


def _dies_on_chet(file):
    """runner.read_one, except that a file named …-chet.xlsx kills the process reading it."""
    if file[1].endswith("-chet.xlsx"):
        os._exit(1)  # as a Rust abort or the kernel's OOM killer would
    return _READ_ONE(file)


def test_a_workbook_that_kills_its_reader_is_refused_and_the_others_are_read(tmp_path, monkeypatch):
    """calamine may abort the process on a damaged file the screen let through: in a pool
    that is a broken pool, never a traceback; the file is found and refused by name."""
    input_dir = factories.copy_sample(tmp_path / "input")
    shutil.copy(input_dir / "2016" / "HB.xlsx", input_dir / "2016" / "HB-chet.xlsx")
    monkeypatch.setattr(runner, "read_one", _dies_on_chet)
    monkeypatch.setattr(runner, "READ_POOL_THRESHOLD", 2)
    inputs = planning.read_inputs(input_dir, 2, load_settings(CONFIG))
    assert [r.path for r in inputs.refusals] == ["2016/HB-chet.xlsx"]
    assert "dừng đột ngột" in inputs.refusals[0].reason
    assert len(inputs.by_year[2016]) == 15


def _dies_on_one_notice(job):
    """runner._work, except that rendering HB's notice kills the worker (as the OOM killer would)."""
    if job.name == "thong-bao/HB.pdf":
        os._exit(1)
    return runner._WORKER.render(job)


def test_a_render_worker_that_dies_is_a_message_and_nothing_is_published(tmp_path, monkeypatch):
    from pipeline.errors import RenderError

    monkeypatch.setattr(runner, "_work", _dies_on_one_notice)
    with pytest.raises(RenderError, match="dừng đột ngột"):
        flow.report(options(tmp_path, jobs=2))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2016.khoa", ".cache"], "no published folder, no staging left"


def test_a_rerun_with_nothing_changed_renders_nothing(folder, tmp_path, monkeypatch):
    output = published_copy(folder, tmp_path / "out")
    before = (folder / "SHA256SUMS").read_bytes()
    monkeypatch.setattr(Renderers, "render", lambda self, job: pytest.fail(f"re-rendered {job.name}"))
    year = os.stat(output / folder.name).st_ino
    again = flow.report(options(output, jobs=1))
    assert (again.folder / "SHA256SUMS").read_bytes() == before
    assert os.stat(again.folder).st_ino == year, "the published folder is kept, not swapped for a copy of itself"
    assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=again.folder).returncode == 0


def rerun_counting_renders(output: Path, monkeypatch) -> tuple[list[str], flow.Outcome]:
    """A report rerun into `output` (one process), and the names of the documents it rendered."""
    rendered: list[str] = []
    real = Renderers.render
    monkeypatch.setattr(Renderers, "render", lambda self, job: rendered.append(job.name) or real(self, job))
    return rendered, flow.report(options(output, jobs=1))


def test_a_published_document_altered_since_is_made_again_not_reused(folder, tmp_path, monkeypatch):
    """A clerk edited a notice in the published folder (Word saves over it): its render key is unchanged, but
    the rerun must not take the altered file as the document, nor list the altered bytes in SHA256SUMS."""
    output = published_copy(folder, tmp_path / "out")
    notice = output / "2016" / "thong-bao" / "HB.docx"
    original = notice.read_bytes()
    notice.write_bytes(original + b"sua tay")  # in place, as an editor saving over it
    rendered, again = rerun_counting_renders(output, monkeypatch)
    assert rendered == ["thong-bao/HB.docx"]
    assert (again.folder / "thong-bao" / "HB.docx").read_bytes() == original
    assert (again.folder / "SHA256SUMS").read_bytes() == (folder / "SHA256SUMS").read_bytes()


def test_a_document_edited_with_its_size_and_times_kept_is_made_again_not_reused(folder, tmp_path, monkeypatch):
    """A rerun trusts each reused file's stamp (io.stamps) instead of reading it: an edit that keeps the size and
    puts the mtime back (touch -r) still changes the ctime, so the file is read, found altered, and made again."""
    import time

    from pipeline.io import stamps

    real = stamps.tempfile.mkstemp
    monkeypatch.setattr(stamps.tempfile, "mkstemp", lambda *a, **k: time.sleep(0.03) or real(*a, **k))  # not racy
    output = published_copy(folder, tmp_path / "out")
    flow.report(options(output, jobs=1))  # reads the copied files once, and stamps them
    notice = output / "2016" / "thong-bao" / "HB.docx"
    assert "thong-bao/HB.docx" in json.loads((output / ".cache" / "da-cong-bo" / "2016.json").read_text())
    original, before = notice.read_bytes(), os.stat(notice)
    notice.write_bytes(original[:-7] + b"sua tay")  # same size, same inode
    os.utime(notice, ns=(before.st_atime_ns, before.st_mtime_ns))
    rendered, again = rerun_counting_renders(output, monkeypatch)
    assert rendered == ["thong-bao/HB.docx"]
    assert (again.folder / "thong-bao" / "HB.docx").read_bytes() == original
    assert (again.folder / "SHA256SUMS").read_bytes() == (folder / "SHA256SUMS").read_bytes()


def test_a_run_that_carries_an_altered_document_over_keeps_its_published_digest(folder, tmp_path):
    """validate does not own the report: it carries it over. An altered copy keeps the digest it was published
    with, so `sha256sum -c` (and make sign, make distribute) still see the change instead of a new digest."""
    output = published_copy(folder, tmp_path / "out")
    report = output / "2016" / "bao-cao-2016.pdf"
    report.write_bytes(report.read_bytes() + b"%sua tay")
    checked = flow.validate(options(output))
    line = next(x for x in (folder / "SHA256SUMS").read_text().splitlines() if x.endswith("  bao-cao-2016.pdf"))
    assert line in (checked.folder / "SHA256SUMS").read_text().splitlines()
    result = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=checked.folder, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 1 and "bao-cao-2016.pdf: FAILED" in result.stdout


def test_one_changed_workbook_re_renders_only_what_it_touches(folder, tmp_path, monkeypatch):
    input_dir = factories.copy_sample(tmp_path / "input")
    output = published_copy(folder, tmp_path / "out")
    book = factories.form_workbook(factories.good_form("BLV", party=0, unions=1, youth=0))
    factories.save(book, input_dir / "2016" / "BLV.xlsx")
    rendered = []
    real = Renderers.render
    monkeypatch.setattr(Renderers, "render", lambda self, job: rendered.append(job.name) or real(self, job))
    flow.report(options(output, input_dir, jobs=1))
    # BLV's notice changes, and so do the city report (totals) and the notices
    # whose ranks moved; the others, and every slip (no new issue), are reused.
    assert {"bao-cao-2016.pdf", "bao-cao-2016.docx", "tong-hop-2016.xlsx", "bieu-do.svg", "bieu-do-cac-nam.svg",
            "thong-bao/BLV.pdf", "thong-bao/BLV.docx"} <= set(rendered)
    assert not [name for name in rendered if name.startswith("phieu-kiem-tra/")], "no slip changed"
    assert len(rendered) < 35


def test_a_long_organisation_list_stays_in_the_workbook(tmp_path):
    import shutil

    import docx

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    path = config / "settings.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_list_rows_in_pdf: 500", "max_list_rows_in_pdf: 100"),
                    encoding="utf-8")
    outcome = flow.report(flow.Options(2016, SAMPLE_INPUT, config, tmp_path / "out", strict_warnings=True))
    note = "Danh sách 229 tổ chức thành lập mới của 14 đơn vị được lập thành biểu tổng hợp kèm theo"
    text = flat(pdf_text(outcome.folder / "bao-cao-2016.pdf"))
    assert note in text and "Tên doanh nghiệp" not in text
    document = docx.Document(str(outcome.folder / "bao-cao-2016.docx"))
    assert any(note in p.text for p in document.paragraphs)
    assert not any("Tên doanh nghiệp" in c.text for t in document.tables for r in t.rows for c in r.cells)


@pytest.mark.parametrize("code", ["../../THOAT", "/etc/passwd", "HB/../../x"])
def test_a_unit_code_from_a_workbook_never_names_an_output_path(tmp_path, code):
    """Output names come from config's unit codes only: a hostile code is an error, nothing escapes."""
    input_dir = factories.copy_sample(tmp_path / "input")
    factories.save(factories.form_workbook(factories.good_form(code, party=0, unions=1, youth=0)),
                   input_dir / "2016" / "ZZ.xlsx")
    output = tmp_path / "nested" / "out"
    outcome = flow.validate(options(output, input_dir))
    assert any(i.rule == "unknown-unit" and i.file == "2016/ZZ.xlsx" for i in outcome.validation.report.errors)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(name.startswith(("input/", "nested/out/")) for name in written), written


def test_a_late_figure_takes_the_summary_workbooks_unchanged_sheets_from_the_last_run(tmp_path, monkeypatch):
    """One unit's figure corrected: the summary workbook is made again, its organisation list and targets taken
    from the parts the last run kept (OUTPUT/.cache/trang-tinh), and its bytes are those of a run without them."""
    from pipeline.io.sheet_parts import SheetStore
    from tests.bench.data import bump_figure

    input_dir = factories.copy_sample(tmp_path / "input")
    output = tmp_path / "out"
    flow.report(options(output, input_dir, jobs=1))
    bump_figure(input_dir / "2016" / "BLV.xlsx")
    served = []
    real = SheetStore.get

    def get(self, sheet, key):
        part = real(self, sheet, key)
        served.extend([sheet] if part else [])
        return part

    monkeypatch.setattr(SheetStore, "get", get)
    again = flow.report(options(output, input_dir, jobs=1))
    assert sorted(served) == ["ChiTieuNamSau", "DanhSach"]
    fresh = flow.report(options(tmp_path / "fresh", input_dir, jobs=2))
    assert (again.folder / "tong-hop-2016.xlsx").read_bytes() == (fresh.folder / "tong-hop-2016.xlsx").read_bytes()


def test_plan_pauses_the_collector_then_leaves_it_as_it_was(tmp_path, monkeypatch):
    """The plan is built with the garbage collector paused (its objects live for the whole run) and then
    frozen, and the collector is on again afterwards, also when the plan fails; the plan is the same."""
    gc.unfreeze()
    seen = []
    real = planning._plan

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(planning, "_plan", spy)
    made = planning.plan(options(tmp_path / "out"), documents=True)
    assert seen == [False] and gc.isenabled() and gc.get_freeze_count() > 0
    assert made.documents and made.validation.report.issues == real(
        options(tmp_path / "out"), documents=True).validation.report.issues

    def fails(*args, **kwargs):
        raise OSError("disk")

    monkeypatch.setattr(planning, "_plan", fails)
    with pytest.raises(OSError):
        planning.plan(options(tmp_path / "out"))
    assert gc.isenabled()
