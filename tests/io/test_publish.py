"""Publishing: staged, swapped in whole, each command owning its part."""

from __future__ import annotations

import hashlib
import os

import pytest

from pipeline.core.catalogue import Command
from pipeline.errors import PublishError
from pipeline.io.publish import Staging, keep_for, sha256sums


def publish(root, keep, files: dict[str, bytes]):
    staging = Staging(root, 2016, keep)
    for name, data in files.items():
        staging.add(name, data)
    return staging.commit()


def listing(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_report_replaces_everything_but_the_forms(tmp_path):
    publish(tmp_path, keep_for(Command.FORMS), {"bieu-mau/HB.xlsx": b"form"})
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"old", "phieu-kiem-tra/NQ.pdf": b"old slip"})
    folder = publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"new"})
    files = listing(folder)
    assert files.keys() == {"bao-cao.pdf", "bieu-mau/HB.xlsx", "SHA256SUMS"}
    assert files["bao-cao.pdf"] == b"new" and files["bieu-mau/HB.xlsx"] == b"form"


def test_validation_replaces_only_its_own_part(tmp_path):
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"good", "data/tong-hop.json": b"{}",
                                        "data/kiem-tra.json": b"old", "phieu-kiem-tra/NQ.pdf": b"old"})
    folder = publish(tmp_path, keep_for(Command.VALIDATE), {"data/kiem-tra.json": b"new", "phieu-kiem-tra/HB.pdf": b"slip"})
    files = listing(folder)
    assert files["bao-cao.pdf"] == b"good" and files["data/tong-hop.json"] == b"{}"
    assert files["data/kiem-tra.json"] == b"new"
    assert "phieu-kiem-tra/NQ.pdf" not in files, "stale slips go with the old report of issues"


def test_sha256sums_cover_the_whole_folder(tmp_path):
    publish(tmp_path, keep_for(Command.FORMS), {"bieu-mau/HB.xlsx": b"form"})
    folder = publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"pdf"})
    expected = sha256sums({name: hashlib.sha256(data).hexdigest()
                           for name, data in {"bao-cao.pdf": b"pdf", "bieu-mau/HB.xlsx": b"form"}.items()})
    assert (folder / "SHA256SUMS").read_text() == expected
    assert expected.splitlines()[0] == f"{hashlib.sha256(b'pdf').hexdigest()}  bao-cao.pdf"


def test_an_abandoned_run_leaves_the_old_folder_and_no_staging(tmp_path):
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"good"})
    staging = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    staging.add("bao-cao.pdf", b"half")
    staging.abandon()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2016.khoa", ".cache", "2016"]  # .cache: stamps
    assert (tmp_path / "2016" / "bao-cao.pdf").read_bytes() == b"good"


def test_a_second_run_on_the_same_year_is_refused_while_the_first_writes(tmp_path):
    first = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    with pytest.raises(PublishError, match=rf"Một lần chạy khác \(tiến trình {os.getpid()}\) đang ghi vào"):
        Staging(tmp_path, 2016, keep_for(Command.REPORT))
    other_year = Staging(tmp_path, 2017, keep_for(Command.REPORT))  # another year folder is free
    other_year.abandon()
    first.add("bao-cao.pdf", b"new")
    first.commit()
    Staging(tmp_path, 2016, keep_for(Command.REPORT)).abandon()  # released by commit


def test_what_a_killed_run_left_is_cleared_by_the_next(tmp_path):
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"good"})
    (tmp_path / ".2016.dang-ghi-99999").mkdir()
    (tmp_path / ".2016.dang-ghi-99999" / "bao-cao.pdf").write_bytes(b"half")
    folder = publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"next"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2016.khoa", ".cache", "2016"]  # .cache: stamps
    assert (folder / "bao-cao.pdf").read_bytes() == b"next"


def test_a_run_killed_between_the_fallback_renames_gets_the_old_outputs_back(tmp_path):
    folder = publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"good"})
    folder.rename(tmp_path / ".2016.cu-99999")  # the target was moved aside, the new one never arrived
    Staging(tmp_path, 2016, keep_for(Command.REPORT)).abandon()
    assert (tmp_path / "2016" / "bao-cao.pdf").read_bytes() == b"good"
    assert not list(tmp_path.glob(".2016.cu-*"))


@pytest.mark.parametrize("name", ["../escape.pdf", "/etc/passwd", "a/../../b", "", "."])
def test_names_cannot_leave_the_year_folder(tmp_path, name):
    staging = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    with pytest.raises(PublishError):
        staging.add(name, b"x")
    with pytest.raises(PublishError):
        staging.reuse(name)
    staging.abandon()


@pytest.mark.parametrize("name", ["thong-bao/HB.pdf", "thong-bao//HB.pdf", "./thong-bao/./HB.pdf"])
def test_reuse_takes_a_name_as_add_does(tmp_path, name):
    publish(tmp_path, keep_for(Command.REPORT), {"thong-bao/HB.pdf": b"notice"})
    staging = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    assert staging.reuse(name)
    assert list(staging.files) == ["thong-bao/HB.pdf"]
    staging.abandon()


def test_report_and_validate_runs_keep_what_distribute_made_and_sent(tmp_path):
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"v1", "index.html": b"page"})
    distributed = {"gui/quan-uy-hong-bang/bao-cao.pdf": b"v1", "gui/quan-uy-hong-bang.zip": b"zip",
                   "luu-tru/bao-cao.pdf": b"pdfa", "so-gui-van-ban-2016.xlsx": b"register",
                   "data/so-gui.json": b"{}", "data/da-gui.json": b"sent"}
    publish(tmp_path, keep_for(Command.DISTRIBUTE), distributed | {"index.html": b"page with register"})
    folder = publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"v2", "index.html": b"page 2"})
    folder = publish(tmp_path, keep_for(Command.VALIDATE), {"data/kiem-tra.json": b"[]", "index.html": b"page 3"})
    files = listing(folder)
    assert {name: files[name] for name in distributed} == distributed
    assert files["bao-cao.pdf"] == b"v2" and files["index.html"] == b"page 3"


def test_distribute_replaces_only_its_own_part(tmp_path):
    publish(tmp_path, keep_for(Command.FORMS), {"bieu-mau/HB.xlsx": b"form"})
    publish(tmp_path, keep_for(Command.REPORT), {"bao-cao.pdf": b"report", "data/tong-hop.json": b"{}"})
    publish(tmp_path, keep_for(Command.DISTRIBUTE), {"gui/a/bao-cao.pdf": b"report", "gui/b/bao-cao.pdf": b"report"})
    folder = publish(tmp_path, keep_for(Command.DISTRIBUTE), {"gui/a/bao-cao.pdf": b"report"})
    assert listing(folder).keys() == {"bieu-mau/HB.xlsx", "bao-cao.pdf", "data/tong-hop.json", "gui/a/bao-cao.pdf",
                                      "SHA256SUMS"}, "a recipient no longer named loses its stale bundle"


def test_a_forked_child_does_not_keep_the_year_locked(tmp_path):
    """flock belongs to the open file, shared with forked children: a worker that lived on
    after its run (kill -9) kept every later run out. Forked children close it at once."""
    import multiprocessing
    import time

    first = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    child.start()
    try:
        first.abandon()
        # The child closes its copy right after the fork, in its own time: give it that moment.
        deadline = time.monotonic() + 10
        while True:
            try:
                Staging(tmp_path, 2016, keep_for(Command.REPORT)).abandon()  # free, though the child still lives
                break
            except PublishError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert child.is_alive()
    finally:
        child.kill()
        child.join()


def test_a_lock_held_by_a_leftover_names_the_live_holder_not_the_dead_writer(tmp_path):
    """A leftover from an older version holds the lock for a run that is gone: the message
    names the process that can be stopped, not the dead one written in the lock file."""
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); os.pwrite(fd, sys.argv[2].encode() + b'\\n', 0); print(flush=True); "
         "time.sleep(60)", str(tmp_path / ".2016.khoa"), str(dead.pid)], stdout=subprocess.PIPE)
    try:
        holder.stdout.readline()
        with pytest.raises(PublishError) as caught:
            Staging(tmp_path, 2016, keep_for(Command.REPORT))
        message = str(caught.value)
        assert f"vẫn bị giữ bởi tiến trình {holder.pid}," in message and f"kill {holder.pid}" in message
        assert f"tiến trình {dead.pid} không còn chạy" in message and "Một lần chạy khác" not in message
    finally:
        holder.kill()
        holder.wait()
    Staging(tmp_path, 2016, keep_for(Command.REPORT)).abandon()  # the lock went with its holder
