"""make distribute on the shipped sample: bundles, register, status page, PDF/A, and e-mail to a real server.

One report and one first distribution are made per module; each test that
changes the folder works on its own copy. The mail server runs on 127.0.0.1
with STARTTLS and AUTH (tests/io/mailserver.py); the client trusts its
throw-away CA through distribution.yaml's smtp.ca_file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from pipeline import distribute as dispatch
from pipeline import flow
from pipeline.cli import main
from pipeline.errors import ConfigError, SourceError
from pipeline.io.journal import StateJournal
from pipeline.settings import load_settings
from tests.factories import CONFIG, SAMPLE_INPUT
from tests.io.mailserver import PASSWORD, USER, MailServer, Tarpit, free_port, make_certificates
from tests.render import browser

UNITS = ["HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV"]
SLUGS = {"HB": "quan-uy-hong-bang", "NQ": "quan-uy-ngo-quyen", "BLV": "huyen-uy-bach-long-vi"}
LOGIN = {"NQ28_SMTP_USER": USER, "NQ28_SMTP_PASSWORD": PASSWORD}
TTTU, BCD, ARCHIVE = "gui/thuong-truc-thanh-uy", "gui/cac-dong-chi-thanh-vien-ban-chi-dao", "gui/van-phong-thanh-uy-luu"


def options(output: Path, config: Path) -> flow.Options:
    return flow.Options(2016, SAMPLE_INPUT, config, output, strict_warnings=True)


def distribute(out: Path, config: Path, **changes) -> dispatch.Distribution:
    """make distribute with OUTPUT=out, its record of what was sent beside it (as .so-gui/ is beside output/)."""
    changes.setdefault("state", out.parent / ".so-gui")
    return dispatch.distribute(options(out, config), **changes)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def server(certificates):
    with MailServer(certificates) as running:
        yield running


def mail_config(target: Path, port: int, ca: Path) -> Path:
    """The sample config, its mail server moved to 127.0.0.1:port with the test CA."""
    shutil.copytree(CONFIG, target)
    shutil.copy(ca, target / "ca-thu-nghiem.pem")
    path = target / "distribution.yaml"
    edit(path, "host: mail.example.org", "host: 127.0.0.1")
    edit(path, "port: 587", f"port: {port}")
    edit(path, "# ca_file: chung-chi-ca.pem", "ca_file: ca-thu-nghiem.pem  #")
    return target


@pytest.fixture(scope="module")
def config(tmp_path_factory, server, certificates) -> Path:
    return mail_config(tmp_path_factory.mktemp("cfg") / "config", server.port, certificates.ca)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, config) -> Path:
    """OUTPUT after make report and a first (dry-run) make distribute of the sample."""
    root = tmp_path_factory.mktemp("dist") / "out"
    flow.report(options(root, config))
    distribute(root, config)
    return root


@pytest.fixture
def fresh(prepared, tmp_path, server) -> Path:
    """A private copy of the prepared OUTPUT, and an empty inbox."""
    server.inbox.clear()
    server.inbox.refuse.clear()
    return Path(shutil.copytree(prepared, tmp_path / "out"))


def bundle(year: Path, folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((year / folder).iterdir())}


# --- the bundles --------------------------------------------------------------------


def test_each_recipient_gets_exactly_its_documents(prepared):
    year = prepared / "2016"
    report = (year / "bao-cao-2016.pdf").read_bytes()
    assert bundle(year, TTTU) == {"bao-cao-2016.pdf": report} | {
        f"thong-bao-2016-{c}.pdf": (year / "thong-bao" / f"{c}.pdf").read_bytes() for c in UNITS}
    assert bundle(year, BCD) == {"bao-cao-2016.pdf": report}
    for code, slug in SLUGS.items():
        assert bundle(year, f"gui/{slug}") == {
            "bao-cao-2016.pdf": report,
            f"thong-bao-2016-{code}.pdf": (year / "thong-bao" / f"{code}.pdf").read_bytes(),
            f"phieu-kiem-tra-2016-{code}.pdf": (year / "phieu-kiem-tra" / f"{code}.pdf").read_bytes(),
        }
    folders = sorted(p.name for p in (year / "gui").iterdir() if p.is_dir())
    assert len(folders) == 18 and all((year / "gui" / f"{f}.zip").is_file() for f in folders)


def test_the_archive_gets_everything_as_pdfa(prepared):
    year = prepared / "2016"
    archive = bundle(year, ARCHIVE)
    assert len(archive) == 3 + 2 * 15 + 15
    assert archive["bao-cao-2016.pdf"] == (year / "luu-tru" / "bao-cao-2016.pdf").read_bytes()
    assert archive["thong-bao-2016-HB.pdf"] == (year / "luu-tru" / "thong-bao" / "HB.pdf").read_bytes()
    assert archive["thong-bao-2016-HB.docx"] == (year / "thong-bao" / "HB.docx").read_bytes()
    assert archive["tong-hop-2016.xlsx"] == (year / "tong-hop-2016.xlsx").read_bytes()


def test_a_zip_holds_the_same_files_as_the_folder(prepared):
    year = prepared / "2016"
    with zipfile.ZipFile(year / "gui" / "quan-uy-hong-bang.zip") as archive:
        assert {i.filename: archive.read(i) for i in archive.infolist()} == bundle(year, "gui/quan-uy-hong-bang")
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_pdfa_copies_say_so_and_embed_their_fonts(prepared):
    year = prepared / "2016"
    for name in ("bao-cao-2016.pdf", "thong-bao/HB.pdf", "phieu-kiem-tra/HB.pdf"):
        reader = PdfReader(year / "luu-tru" / name)
        description = reader.xmp_metadata.rdf_root.getElementsByTagName("rdf:Description")
        ids = {d.getAttribute("pdfaid:part"): d.getAttribute("pdfaid:conformance")
               for d in description if d.hasAttribute("pdfaid:part")}
        assert ids == {"2": "B"}, name
        assert "/OutputIntents" in reader.trailer["/Root"]
        fonts = 0
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptor = (font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), font["/BaseFont"]
                fonts += 1
        assert fonts
    assert PdfReader(year / "bao-cao-2016.pdf").xmp_metadata is None, "the ordinary PDF is unchanged"


# --- the register ---------------------------------------------------------------------


def test_the_register_matches_the_files(prepared):
    year = prepared / "2016"
    data = json.loads((year / "data" / "so-gui.json").read_text(encoding="utf-8"))
    sums = dict(reversed(line.split("  ", 1)) for line in (year / "SHA256SUMS").read_text().splitlines())
    rows = data["rows"]
    assert len(rows) == 16 + 1 + 15 * 3 + 48
    for row in rows:
        assert sha(year / row["file"]) == row["sha256"] == sums[row["file"]]
        assert sha(year / row["document"]) == row["document_sha256"]
    hb = next(r for r in rows if r["file"] == "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf")
    assert (hb["doc_number"], hb["date"], hb["recipient_name"], hb["status_text"]) == (
        "Số 16-TB/BCĐ", "2016-12-29", "Quận ủy Hồng Bàng", "chưa gửi")
    archive = next(r for r in rows if r["file"] == f"{ARCHIVE}/bao-cao-2016.pdf")
    assert archive["status_text"] == "gửi bản giấy (chưa có địa chỉ thư)"


def test_the_register_workbook_has_typed_cells_and_prints(prepared):
    year = prepared / "2016"
    data = json.loads((year / "data" / "so-gui.json").read_text(encoding="utf-8"))
    sheet = openpyxl.load_workbook(year / "so-gui-van-ban-2016.xlsx").active
    header = [c.value for c in sheet[7]]
    assert header[:9] == ["STT", "Văn bản", "Số", "Ngày", "Nơi nhận", "Địa chỉ thư", "Tệp", "Mã SHA-256", "Tình trạng"]
    assert sheet.freeze_panes == "A8" and sheet.print_title_rows == "$7:$7"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    body = list(sheet.iter_rows(min_row=8, values_only=True))
    assert [(r[0], r[6], r[7]) for r in body] == [(r["number"], r["file"], r["sha256"]) for r in data["rows"]]
    first = sheet["A8"], sheet["D8"], sheet["H8"]
    assert (first[0].data_type, first[1].is_date, first[1].number_format, first[2].data_type) == (
        "n", True, "dd/mm/yyyy", "s")


def test_the_same_inputs_give_the_same_bytes(prepared, tmp_path, config):
    again = Path(shutil.copytree(prepared, tmp_path / "out"))
    distribute(again, config)
    before = (prepared / "2016" / "SHA256SUMS").read_text()
    assert (again / "2016" / "SHA256SUMS").read_text() == before
    assert (again / "2016" / "index.html").read_bytes() == (prepared / "2016" / "index.html").read_bytes()


# --- the status page -------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "href" in values:
            self.hrefs.append(values["href"])
        if "id" in values:
            self.ids.add(values["id"])


def test_the_status_page_shows_the_register(prepared):
    page = prepared / "2016" / "index.html"
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    assert {"so-gui", "gui-TTTU", "gui-HB", "gui-VPTU"} <= links.ids
    files = [h for h in links.hrefs if not h.startswith(("#", "data:"))]
    assert "so-gui-van-ban-2016.xlsx" in files and "gui/quan-uy-hong-bang.zip" in files
    assert "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf" in files
    assert all((page.parent / f).is_file() for f in files)
    seen = browser.load(page)
    assert seen.errors == [] and seen.broken_images == []
    text = seen.text
    assert "5. Sổ gửi văn bản" in text
    assert "Đã chuẩn bị 18 bộ văn bản (110 tệp). Gửi thư điện tử: đã gửi 0/62 tệp; 48 tệp gửi bản giấy." in text
    hb = (prepared / "2016" / "thong-bao" / "HB.pdf")
    assert "Thông báo: Đảng bộ quận Hồng Bàng (PDF)" in text and sha(hb) in text and "Số 16-TB/BCĐ" in text


# --- sending ---------------------------------------------------------------------------


def messages(server) -> dict[str, tuple[list[str], object]]:
    """Message by its first address's recipient name, as the bundles know them."""
    return {NAMES[rcpt[0]]: (rcpt, m) for rcpt, m in server.inbox.parsed()}


NAMES = {"thuong-truc.thanh-uy@example.invalid": "Thường trực Thành ủy",
         "truong-ban.bcd28@example.invalid": "Các đồng chí thành viên Ban Chỉ đạo",
         "pho-truong-ban.bcd28@example.invalid": "Các đồng chí thành viên Ban Chỉ đạo"}
NAMES.update({u.email[0]: u.party_body for u in load_settings(CONFIG).units})


def test_each_recipient_receives_one_message_once_and_a_changed_document_again(fresh, server, config, tmp_path):
    year = fresh / "2016"
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    assert outcome.failures == () and len(outcome.letters) == 17
    received = messages(server)
    assert len(server.inbox.messages) == 17 and len(received) == 17, sorted(received)
    assert received["Các đồng chí thành viên Ban Chỉ đạo"][0] == [
        "truong-ban.bcd28@example.invalid", "pho-truong-ban.bcd28@example.invalid"], "one message, both addresses"
    rcpt, hb = received["Quận ủy Hồng Bàng"]
    assert rcpt == ["hong-bang@example.invalid"]
    assert hb["Subject"] == "[Nghị quyết 28-NQ/TU] Văn bản năm 2016 gửi Quận ủy Hồng Bàng"
    assert str(hb["To"]) == "Quận ủy Hồng Bàng <hong-bang@example.invalid>"
    for name, (_, message) in received.items():
        attached = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
        folder = next(r for r in outcome.bundles if r.recipient.name == name).recipient.slug
        assert attached == bundle(year, f"gui/{folder}"), name
        assert {a.get_content_type() for a in message.iter_attachments()} == {"application/pdf"}
    data = json.loads((year / "data" / "so-gui.json").read_text(encoding="utf-8"))
    by_mail = [r for r in data["rows"] if r["addresses"]]
    assert {r["status_text"] for r in by_mail} == {"đã gửi"}
    ids = {m["Message-ID"] for _, m in received.values()}
    assert {i for r in by_mail for i in r["message_ids"]} == ids

    server.inbox.clear()
    again = distribute(fresh, config, send=True, environ=LOGIN)
    assert again.letters == () and server.inbox.messages == [], "a rerun sends nothing"

    changed = tmp_path / "changed-config"
    shutil.copytree(config, changed)
    edit(changed / "years" / "2016.yaml", 'numbers: {}', 'numbers: {HB: "16a"}')
    flow.report(options(fresh, changed))
    assert json.loads((year / "data" / "da-gui.json").read_text(encoding="utf-8"))["entries"], \
        "a report run keeps the log of what was sent"
    page = (year / "index.html").read_text(encoding="utf-8")
    assert "5. Sổ gửi văn bản" in page and "2 văn bản đã được lập lại sau khi chuẩn bị gửi" in page  # HB.pdf, HB.docx
    resent = distribute(fresh, changed, send=True, environ=LOGIN)
    received = messages(server)
    assert sorted(received) == ["Quận ủy Hồng Bàng", "Thường trực Thành ủy"]
    for _, message in received.values():
        assert [a.get_filename() for a in message.iter_attachments()] == ["thong-bao-2016-HB.pdf"]
        assert next(message.iter_attachments()).get_content() == (year / "thong-bao" / "HB.pdf").read_bytes()
    assert resent.failures == ()
    row = next(r for r in resent.rows if r.file == "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf")
    assert (row.doc_number, row.status) == ("Số 16a-TB/BCĐ", "sent")

    everything = [p for p in fresh.rglob("*") if p.is_file()] + [p for p in fresh.glob(".*") if p.is_file()]
    for path in everything:
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and USER.encode() not in data, f"credentials in {path}"


def test_a_refused_recipient_is_reported_and_the_others_still_go(fresh, server, config):
    server.inbox.refuse.add("ngo-quyen@example.invalid")
    result = CliRunner().invoke(main, ["distribute", "--send", "--year", "2016", "--input", str(SAMPLE_INPUT),
                                       "--config", str(config), "--output", str(fresh),
                                       "--state", str(fresh.parent / ".so-gui")], env=LOGIN)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    text = " ".join(result.output.split())
    assert "Gửi lỗi tới 1 nơi nhận" in text and "Quận ủy Ngô Quyền" in text and "550" in text
    assert len(server.inbox.messages) == 16 and "Quận ủy Ngô Quyền" not in messages(server)
    rows = json.loads((fresh / "2016" / "data" / "so-gui.json").read_text(encoding="utf-8"))["rows"]
    nq = [r for r in rows if r["recipient"] == "NQ"]
    assert {r["status_text"] for r in nq} == {"gửi lỗi"} and all("550" in r["error"] for r in nq)

    server.inbox.clear()
    server.inbox.refuse.clear()
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    assert list(messages(server)) == ["Quận ủy Ngô Quyền"] and outcome.failures == ()


def test_an_unreachable_server_fails_every_recipient_quickly_and_prepares_all(tmp_path, prepared, certificates):
    port = free_port()  # nothing listens there
    config = mail_config(tmp_path / "config", port, certificates.ca)
    out = Path(shutil.copytree(prepared, tmp_path / "out"))
    outcome = distribute(out, config, send=True, environ=LOGIN)
    assert len(outcome.failures) == 17
    assert {f.reason for f in outcome.failures} == {
        f"Không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ từ chối kết nối (sai cổng hoặc máy chủ chưa chạy)"}
    rows = json.loads((out / "2016" / "data" / "so-gui.json").read_text(encoding="utf-8"))["rows"]
    assert {r["status"] for r in rows} == {"failed", "paper"}


def test_a_run_killed_after_sending_never_sends_twice(fresh, server, config, monkeypatch):
    def die(self, out, sent):
        raise KeyboardInterrupt  # as if the office pulled the plug after the last message

    with monkeypatch.context() as patch:
        patch.setattr(dispatch._Run, "_register", die)
        with pytest.raises(KeyboardInterrupt):
            distribute(fresh, config, send=True, environ=LOGIN)
    assert len(server.inbox.messages) == 17
    published = json.loads((fresh / "2016" / "data" / "da-gui.json").read_text(encoding="utf-8"))
    assert published["entries"] == [], "nothing was published"
    assert (fresh.parent / ".so-gui" / "nhat-ky-gui-2016.jsonl").is_file(), "but the journal knows what was sent"
    server.inbox.clear()
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    assert outcome.letters == () and server.inbox.messages == []
    assert {r.status for r in outcome.rows} == {"sent", "paper"}


# --- refusals ----------------------------------------------------------------------------


def test_without_a_report_distribute_says_to_make_one(tmp_path, config):
    result = CliRunner().invoke(main, ["distribute", "--year", "2016", "--input", str(SAMPLE_INPUT),
                                       "--config", str(config), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Chưa có đủ văn bản năm 2016" in result.output and "make report trước" in result.output


def test_a_report_older_than_the_config_is_not_distributed(prepared, tmp_path, config):
    changed = tmp_path / "config"
    shutil.copytree(config, changed)
    edit(changed / "years" / "2016.yaml", "name: Nguyễn Thị Nghĩa", "name: Nguyễn Văn Ký")
    out = Path(shutil.copytree(prepared, tmp_path / "out"))
    with pytest.raises(SourceError, match=r"chưa cập nhật theo biểu mẫu và cấu hình hiện tại .*make report"):
        distribute(out, changed)


def test_a_document_altered_by_hand_is_not_distributed(prepared, tmp_path, config):
    out = Path(shutil.copytree(prepared, tmp_path / "out"))
    notice = out / "2016" / "thong-bao" / "HB.pdf"
    notice.write_bytes(notice.read_bytes() + b"%")
    with pytest.raises(SourceError, match=r"thong-bao/HB.pdf đã bị sửa hoặc xóa sau khi lập"):
        distribute(out, config)


def test_sending_needs_a_mail_server_in_the_config(prepared, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "distribution.yaml").read_text(encoding="utf-8")
    (config / "distribution.yaml").write_text(text[:text.index("# Máy chủ thư")], encoding="utf-8")
    with pytest.raises(ConfigError, match="chưa có mục «smtp»"):
        distribute(tmp_path / "out", config, send=True, environ={})
    (config / "distribution.yaml").unlink()
    with pytest.raises(ConfigError, match=r"Thiếu tệp cấu hình .*distribution\.yaml"):
        distribute(tmp_path / "out", config)


def test_the_dry_run_says_what_it_would_send_and_sends_nothing(fresh, server, config):
    result = CliRunner().invoke(main, ["distribute", "--year", "2016", "--input", str(SAMPLE_INPUT),
                                       "--config", str(config), "--output", str(fresh),
                                       "--state", str(fresh.parent / ".so-gui")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Đã chuẩn bị 18 bộ văn bản (110 tệp) năm 2016" in text
    assert "Gửi bản giấy (chưa có địa chỉ thư): Văn phòng Thành ủy (lưu), 48 tệp" in text
    assert "Thư sẽ gửi (chạy thử, chưa gửi): 17 thư" in text and "Chạy thử: chưa gửi thư nào" in text
    assert server.inbox.messages == []


# --- exactly once, or flagged ---------------------------------------------------------------

UNSURE = "chưa rõ đã gửi hay chưa"


@pytest.fixture(scope="module")
def quick(tmp_path_factory, server, certificates) -> Path:
    """The mail config with a 1-second read timeout and a 3-second deadline per letter."""
    target = mail_config(tmp_path_factory.mktemp("quick") / "config", server.port, certificates.ca)
    edit(target / "distribution.yaml", "timeout: 60", "timeout: 1")
    edit(target / "distribution.yaml", "deadline: 600", "deadline: 3")
    return target


def delivered(server) -> list[str]:
    """The Message-ID of every message the server kept, in order, repeats included."""
    return [m["Message-ID"] for _, m in server.inbox.parsed()]


@pytest.mark.parametrize("misbehaviour", ["stall", "drop"])
def test_a_letter_lost_after_the_final_dot_is_flagged_and_not_sent_again(fresh, server, quick, misbehaviour):
    setattr(server.inbox, misbehaviour, 1)  # the first message: kept, then silence or a hang-up
    outcome = distribute(fresh, quick, send=True, environ=LOGIN)
    [first] = delivered(server)
    [unsure] = outcome.uncertain
    assert unsure.message_id == first and [f for f in outcome.failures if f.uncertain]
    why = "quá thời gian chờ máy chủ xác nhận" if misbehaviour == "stall" else "máy chủ ngắt kết nối"
    assert why in unsure.reason
    setattr(server.inbox, misbehaviour, 0)
    again = distribute(fresh, quick, send=True, environ=LOGIN)
    ids = delivered(server)
    assert len(ids) == len(set(ids)) == 17, "every letter at most once"
    assert [u.message_id for u in again.uncertain] == [first], "and the uncertain one still listed"
    assert first not in {item.message_id for item in again.letters}


def test_an_uncertain_letter_is_shown_everywhere_and_resent_only_on_request(fresh, server, quick):
    server.inbox.stall = 1
    result = CliRunner().invoke(main, ["distribute", "--send", "--year", "2016", "--input", str(SAMPLE_INPUT),
                                       "--config", str(quick), "--output", str(fresh),
                                       "--state", str(fresh.parent / ".so-gui")], env=LOGIN)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "Chưa rõ đã gửi hay chưa: 1 thư" in text and "make distribute SEND=1 RESEND=TTTU" in text, text
    [first] = delivered(server)
    year = fresh / "2016"
    rows = json.loads((year / "data" / "so-gui.json").read_text(encoding="utf-8"))["rows"]
    unsure = [r for r in rows if r["status"] == "uncertain"]
    assert unsure and {r["recipient"] for r in unsure} == {"TTTU"} and {r["status_text"] for r in unsure} == {UNSURE}
    assert all(r["message_ids"] == [first] for r in unsure)
    sheet = openpyxl.load_workbook(year / "so-gui-van-ban-2016.xlsx").active
    assert sum(row[8] == UNSURE for row in sheet.iter_rows(min_row=8, values_only=True)) == len(unsure)
    page = " ".join((year / "index.html").read_text(encoding="utf-8").split())
    assert f"{UNSURE} {len(unsure)}" in page and "RESEND=TTTU" in page

    with pytest.raises(ConfigError, match="RESEND=XYZ: không có thư nào «chưa rõ đã gửi hay chưa» khớp"):
        distribute(fresh, quick, send=True, environ=LOGIN, resend=("XYZ",))
    distribute(fresh, quick, send=True, environ=LOGIN)
    assert delivered(server).count(first) == 1
    outcome = distribute(fresh, quick, send=True, environ=LOGIN, resend=("TTTU",))
    assert [item.message_id for item in outcome.letters] == [first], "the same letter, the same Message-ID"
    assert delivered(server).count(first) == 2 and outcome.uncertain == ()
    assert {r.status for r in outcome.rows} == {"sent", "paper"}


def test_a_tarpit_costs_one_deadline_and_nothing_is_uncertain(fresh, tmp_path, server, certificates, config):
    with Tarpit(interval=0.3) as tarpit:
        slow = mail_config(tmp_path / "slow", tarpit.port, certificates.ca)
        edit(slow / "distribution.yaml", "timeout: 60", "timeout: 1")
        edit(slow / "distribution.yaml", "deadline: 600", "deadline: 2")
        start = time.monotonic()
        outcome = distribute(fresh, slow, send=True, environ=LOGIN)
        assert time.monotonic() - start < 8 and tarpit.connections == 1
    assert len(outcome.failures) == 17 and outcome.uncertain == ()
    assert {f.reason for f in outcome.failures} == {
        f"Không kết nối được máy chủ thư 127.0.0.1:{tarpit.port}: quá thời gian chờ khi kết nối "
        "(quá 2 giây cho một thư)"}
    distribute(fresh, config, send=True, environ=LOGIN)
    assert len(delivered(server)) == len(set(delivered(server))) == 17, "a plain failure is retried"


@pytest.mark.parametrize("failing, sent_first_run", [(3, 1), (4, 2)])  # letter 2's "sending", letter 2's outcome
def test_a_full_disk_stops_sending_in_one_line_and_never_causes_a_repeat(fresh, server, config, monkeypatch,
                                                                         failing, sent_first_run):
    real = StateJournal.append
    calls = []

    def full(self, record):
        calls.append(record["event"])
        if len(calls) == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, record)

    with monkeypatch.context() as patch:
        patch.setattr(StateJournal, "append", full)
        result = CliRunner().invoke(main, ["distribute", "--send", "--year", "2016", "--input", str(SAMPLE_INPUT),
                                           "--config", str(config), "--output", str(fresh),
                                           "--state", str(fresh.parent / ".so-gui")], env=LOGIN)
    assert result.exit_code == 2 and "Traceback" not in result.output
    line = " ".join(result.output.split())
    assert "Không ghi được sổ theo dõi gửi thư" in line and "No space left on device" in line and "dừng gửi" in line
    assert ("chưa gửi thư tới" if failing == 3 else "«chưa rõ đã gửi hay chưa» và sẽ không tự gửi lại") in line
    assert len(delivered(server)) == sent_first_run
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    ids = delivered(server)
    assert len(ids) == len(set(ids)) == 17
    assert len(outcome.uncertain) == (1 if failing == 4 else 0)


def test_a_run_killed_during_data_leaves_the_letter_uncertain(fresh, server, config, tmp_path):
    server.inbox.stall = 1
    command = [sys.executable, "-m", "pipeline", "distribute", "--send", "--year", "2016", "--input",
               str(SAMPLE_INPUT), "--config", str(config), "--output", str(fresh),
               "--state", str(fresh.parent / ".so-gui")]
    said = tmp_path / "child-stderr.txt"  # a file, not a pipe: a full pipe would stop the child before DATA
    with said.open("wb") as sink:
        child = subprocess.Popen(command, env={**os.environ, **LOGIN}, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            for _ in range(240):  # up to a minute; a child that ends first (refusing to send) says why
                if server.inbox.stalled.wait(0.25) or child.poll() is not None:
                    break
        finally:
            reached = server.inbox.stalled.is_set()
            child.kill()  # SIGKILL: no finally, no flush
            child.wait()
    assert reached, f"the child did not reach DATA: {said.read_text(encoding='utf-8', errors='replace')}"
    [first] = delivered(server)
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    ids = delivered(server)
    assert len(ids) == len(set(ids)) == 17
    assert [u.message_id for u in outcome.uncertain] == [first]
    assert "chương trình dừng khi đang gửi" in outcome.uncertain[0].reason


def test_what_was_sent_outlives_the_output_folder(fresh, prepared, server, config):
    distribute(fresh, config, send=True, environ=LOGIN)
    assert len(delivered(server)) == 17
    shutil.rmtree(fresh)  # make clean
    shutil.copytree(prepared, fresh)  # make report: the same documents, a fresh OUTPUT
    outcome = distribute(fresh, config, send=True, environ=LOGIN)
    assert outcome.letters == () and len(delivered(server)) == 17
    assert {r.status for r in outcome.rows} == {"sent", "paper"}


def test_the_record_may_not_live_in_the_output_folder(fresh, config):
    with pytest.raises(ConfigError, match="make clean sẽ xóa nó"):
        distribute(fresh, config, state=fresh / ".so-gui")
