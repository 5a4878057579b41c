"""The loop with the units (issue 17): each unit's own workbook comes back marked, units that sent nothing
get a reminder, and `make feedback` sends each unit only its own feedback, once, while errors exist."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline import distribute as dispatch
from pipeline import flow
from pipeline.errors import InvalidDataError, SourceError
from tests.factories import CONFIG, SAMPLE_INPUT
from tests.test_distribute import LOGIN, certificates, mail_config, messages, server  # noqa: F401

# Three different errors in HB's workbook, each on its own cell: (sheet, cell, bad value, rule).
BROKEN = (("TongHop", "F6", "mười", "bad-number"),
          ("DanhSach", "C5", "0245263818", "bad-tax-code"),
          ("DanhSach", "G5", dt.datetime(2015, 6, 1), "date-outside-period"))


def break_hb(input_dir: Path) -> dict[tuple[str, str], object]:
    """HB's workbook with the three errors; the values they replaced."""
    path = input_dir / "2016" / "HB.xlsx"
    book = openpyxl.load_workbook(path)
    good = {}
    for sheet, cell, bad, _ in BROKEN:
        good[(sheet, cell)] = book[sheet][cell].value
        book[sheet][cell] = bad
    book.save(path)
    return good


@pytest.fixture
def office(tmp_path) -> dict[str, Path]:
    """The sample with HB's workbook broken three ways and KT's missing."""
    root = Path(shutil.copytree(SAMPLE_INPUT, tmp_path / "input"))
    (root / "2016" / "KT.xlsx").unlink()
    return {"input": root, "output": tmp_path / "out", "state": tmp_path / "state", "config": CONFIG}


def options(office, config: Path | None = None, **kw) -> flow.Options:
    return flow.Options(2016, office["input"], config or office["config"], office["output"], jobs=1,
                        state=office["state"], **kw)


def test_the_marked_copy_fixed_by_the_unit_validates_and_its_notice_renders(office):
    good = break_hb(office["input"])
    before = hashlib.sha256((office["input"] / "2016" / "HB.xlsx").read_bytes()).digest()
    checked = flow.validate(options(office))
    assert {i.rule for i in checked.validation.report.of_unit("HB") if i.is_error} == {r for *_, r in BROKEN}
    marked = office["output"] / "2016" / "phan-hoi" / "HB.xlsx"
    book = openpyxl.load_workbook(marked)
    assert book.sheetnames[0] == "KiemTra" and book.active.title == "KiemTra"
    listed = [row for row in book["KiemTra"].iter_rows(values_only=True) if row and row[0] in (1, 2, 3, 4, 5, 6)]
    assert {(sheet, cell) for sheet, cell, *_ in BROKEN} <= {(r[2], r[3]) for r in listed}
    for sheet, cell, *_ in BROKEN:
        assert book[sheet][cell].comment is not None, (sheet, cell)
    assert not (office["output"] / "2016" / "phan-hoi" / "NQ.xlsx").exists(), "a valid unit gets no marked copy"
    assert hashlib.sha256((office["input"] / "2016" / "HB.xlsx").read_bytes()).digest() == before

    # The clerk of HB fixes exactly the marked cells in the copy and sends it back.
    for (sheet, cell), value in good.items():
        book[sheet][cell] = value
    (office["input"] / "2016" / "HB.xlsx").unlink()
    book.save(office["input"] / "2016" / "HB-da-sua.xlsx")
    outcome = flow.report(options(office, allow_invalid=True))
    assert outcome.validation.status["HB"] == "valid"
    assert not [i for i in outcome.validation.report.of_unit("HB") if i.is_error]
    assert (outcome.folder / "thong-bao" / "HB.pdf").stat().st_size > 0
    assert not (outcome.folder / "phan-hoi" / "HB.xlsx").exists()


def test_a_missing_unit_gets_a_reminder_and_each_unit_only_its_own_feedback(office):
    break_hb(office["input"])
    checked = flow.validate(options(office))
    page = (checked.folder / "index.html").read_text(encoding="utf-8")
    assert 'href="phan-hoi/HB.xlsx"' in page and "có công văn" in page  # HB's marked copy; KT's reminder
    slip = subprocess.run(["pdftotext", str(checked.folder / "phieu-kiem-tra" / "HB.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "phan-hoi-2016-HB.xlsx" in " ".join(slip.split()), "the slip says the marked workbook goes with it"
    done = dispatch.distribute(options(office), state=office["state"], feedback=True)
    assert done.command == "feedback" and not done.sent
    got = {b.recipient.code: sorted(d.attachment for d in b.deliveries) for b in done.bundles}
    assert got["HB"] == ["phan-hoi-2016-HB.xlsx", "phieu-kiem-tra-2016-HB.pdf"]
    assert got["KT"] == ["don-doc-2016-KT.pdf"]
    assert got["NQ"] == ["phieu-kiem-tra-2016-NQ.pdf"]  # a valid unit: its receipt
    for code, files in got.items():
        if code in ("HB", "KT", "NQ"):
            assert all(code in f for f in files), code
    kinds = {d.document.kind for b in done.bundles for d in b.deliveries}
    assert kinds <= {"slip", "marked", "reminder"}, "no report, no notice"
    assert {r.kind for r in done.rows} == {"Phiếu kiểm tra", "Biểu mẫu đánh dấu lỗi", "Công văn đôn đốc"}


def test_distribute_still_refuses_while_errors_exist_and_names_make_feedback(office):
    break_hb(office["input"])
    with pytest.raises(InvalidDataError, match="dùng make feedback"):
        dispatch.distribute(options(office), state=office["state"])


def test_feedback_needs_the_check_published_first(office):
    break_hb(office["input"])
    with pytest.raises(SourceError, match="make validate"):
        dispatch.distribute(options(office), state=office["state"], feedback=True)


def test_a_marked_copy_older_than_the_workbook_is_not_sent(office):
    break_hb(office["input"])
    flow.validate(options(office))
    path = office["input"] / "2016" / "HB.xlsx"
    book = openpyxl.load_workbook(path)
    book["TongHop"]["F6"] = "hai mươi"  # the unit sent another version: same errors, other words
    book.save(path)
    with pytest.raises(SourceError, match="make validate"):
        dispatch.distribute(options(office), state=office["state"], feedback=True)


def test_a_rerun_reuses_each_marked_copy_until_its_workbook_or_the_code_changes(office, monkeypatch):
    """The marked copies were made anew on every run (at national scale the longest part of a rerun): one is
    reused only while its source's bytes, its issues and the package's code are all unchanged."""
    from pipeline import feedback

    break_hb(office["input"])
    flow.validate(options(office))
    marked = office["output"] / "2016" / "phan-hoi" / "HB.xlsx"
    first, inode = marked.read_bytes(), marked.stat().st_ino
    made: list[str] = []
    render = feedback.render_request

    def counted(source, request):
        made.append(source.name)
        return render(source, request)

    monkeypatch.setattr(feedback, "render_request", counted)
    flow.validate(options(office))
    assert made == [] and marked.stat().st_ino == inode and marked.read_bytes() == first

    monkeypatch.setattr(feedback, "package_digest", lambda: "mã nguồn khác")
    flow.validate(options(office))
    assert made == ["HB.xlsx"] and marked.read_bytes() == first

    path = office["input"] / "2016" / "HB.xlsx"
    book = openpyxl.load_workbook(path)
    book["TongHop"]["F6"] = "hai mươi"
    book.save(path)
    flow.validate(options(office))
    assert made == ["HB.xlsx", "HB.xlsx"]
    listed = [row[4] for row in openpyxl.load_workbook(marked)["KiemTra"].iter_rows(values_only=True) if row]
    assert any("hai mươi" in str(text) for text in listed)


def test_marked_copies_made_in_worker_processes_are_those_made_in_one(office, tmp_path, monkeypatch):
    """A country's run marks hundreds of workbooks: made in the workers when there are enough, same bytes."""
    from pipeline import runner

    for path in sorted((office["input"] / "2016").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        book["TongHop"]["F6"] = "mười"
        book.save(path)
    pools = []
    pool = runner.worker_pool
    monkeypatch.setattr(runner, "worker_pool", lambda *a, **kw: pools.append(a) or pool(*a, **kw))
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    flow.validate(flow.Options(2016, office["input"], CONFIG, alone, jobs=1, state=office["state"]))
    assert pools == []
    flow.validate(flow.Options(2016, office["input"], CONFIG, shared, jobs=2, state=office["state"]))
    assert (2,) in pools
    copies = sorted(p.name for p in (alone / "2016" / "phan-hoi").iterdir())
    assert len(copies) >= runner.MADE_POOL_THRESHOLD
    for name in copies:
        assert (shared / "2016" / "phan-hoi" / name).read_bytes() == (alone / "2016" / "phan-hoi" / name).read_bytes()


def test_a_marked_copy_altered_after_validate_is_not_sent(office):
    break_hb(office["input"])
    flow.validate(options(office))
    marked = office["output"] / "2016" / "phan-hoi" / "HB.xlsx"
    data = marked.read_bytes()
    marked.unlink()
    marked.write_bytes(data + b"\0")
    with pytest.raises(SourceError, match="make validate"):
        dispatch.distribute(options(office), state=office["state"], feedback=True)


def test_each_unit_receives_its_own_feedback_once_by_mail(office, server, certificates, tmp_path):
    server.inbox.clear()
    server.inbox.refuse.clear()
    config = mail_config(tmp_path / "config", server.port, certificates.ca)
    break_hb(office["input"])
    flow.validate(options(office, config))
    sent = dispatch.distribute(options(office, config), send=True, environ=LOGIN, state=office["state"],
                               feedback=True)
    assert sent.failures == () and len(sent.letters) == 15  # every unit, the archive on paper
    received = messages(server)
    _, hb = received["Quận ủy Hồng Bàng"]
    assert hb["Subject"] == "[Nghị quyết 28-NQ/TU] Kết quả kiểm tra biểu mẫu năm 2016 gửi Quận ủy Hồng Bàng"
    assert sorted(a.get_filename() for a in hb.iter_attachments()) == ["phan-hoi-2016-HB.xlsx",
                                                                        "phieu-kiem-tra-2016-HB.pdf"]
    attached = {a.get_filename(): a.get_content() for a in hb.iter_attachments()}
    assert attached["phan-hoi-2016-HB.xlsx"] == (office["output"] / "2016" / "phan-hoi" / "HB.xlsx").read_bytes()
    _, kt = received["Huyện ủy Kiến Thụy"]
    assert [a.get_filename() for a in kt.iter_attachments()] == ["don-doc-2016-KT.pdf"]

    server.inbox.clear()
    again = dispatch.distribute(options(office, config), send=True, environ=LOGIN, state=office["state"],
                                feedback=True)
    assert again.letters == () and server.inbox.messages == [], "a rerun sends nothing"
