"""Faults while publishing: a run killed with kill -9 at any moment, two runs at once.

These drive the real CLI in a child process (its own process group, so the
kill takes the worker pool too, as a killed `make report` would) and check
what a clerk would find in the output folder afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.core.catalogue import Command
from pipeline.io.publish import Staging, keep_for, sha256sums
from tests.factories import CONFIG, ROOT, SAMPLE_INPUT

POLL = 0.02


UNITS = ("HB", "LC", "KA", "DS")  # a few of the sample's workbooks: enough documents, shorter runs


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("input")
    (folder / "2016").mkdir()
    for code in UNITS:
        shutil.copy(SAMPLE_INPUT / "2016" / f"{code}.xlsx", folder / "2016")
    return folder


def rendering(output: Path, input_dir: Path) -> tuple[Path, bytes, subprocess.Popen, list[int]]:
    """A run started over a published year and caught mid-render (two notices staged):
    the year folder, its SHA256SUMS before, the run, and its workers."""
    folder = output / "2016"
    before = (folder / "SHA256SUMS").read_bytes()
    process = start(output, input_dir)
    wait_for(lambda: any(len(list(s.rglob("*.pdf"))) >= 2 for s in staging(output)), process)
    return folder, before, process, children(process.pid)


def start(output: Path, input_dir: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "pipeline", "report", "--year", "2016", "--input", str(input_dir),
            "--config", str(CONFIG), "--output", str(output)]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "JOBS": "2"})


def wait_for(predicate, process: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert process.poll() is None, f"the run ended before the moment to kill it: {process.communicate()}"
        assert time.monotonic() < end, "timed out"
        time.sleep(POLL)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def sums_hold(folder: Path) -> dict[str, str]:
    """Every file listed in SHA256SUMS is there with that digest, and nothing is unlisted."""
    listed = dict(reversed(line.split("  ", 1)) for line in (folder / "SHA256SUMS").read_text().splitlines())
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert present == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return listed


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, input_dir) -> tuple[Path, bytes]:
    output = tmp_path_factory.mktemp("faults") / "out"
    process = start(output, input_dir)
    assert process.wait() == 0, process.communicate()
    return output, (output / "2016" / "SHA256SUMS").read_bytes()


@pytest.fixture
def published(clean_run, tmp_path) -> tuple[Path, bytes]:
    """A copy of a clean run's folder whose render keys are forgotten, so the next run re-renders all."""
    source, good = clean_run
    output = tmp_path / "out"
    shutil.copytree(source / "2016", output / "2016")
    folder = output / "2016"
    (folder / "data" / "khoa-van-ban.json").write_text("{}\n")
    digests = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in folder.rglob("*") if p.is_file() and p.name != "SHA256SUMS"}
    (folder / "SHA256SUMS").write_text(sha256sums(digests))
    return output, good


def staging(output: Path) -> list[Path]:
    return list(output.glob(".2016.dang-ghi-*"))


MOMENTS = {
    "as staging starts": lambda output: bool(staging(output)),
    "while documents render": lambda output: any((s / "thong-bao").is_dir() for s in staging(output)),
    "while feedback slips render": lambda output: any((s / "phieu-kiem-tra").is_dir() for s in staging(output)),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_at_any_moment_leaves_the_last_good_outputs(published, input_dir, moment):
    output, good = published
    folder = output / "2016"
    before = (folder / "SHA256SUMS").read_bytes()
    process = start(output, input_dir)
    wait_for(lambda: MOMENTS[moment](output), process)
    kill(process)
    # The previous folder, whole; or, killed just after the swap, the new one, whole.
    sums_hold(folder)
    assert (folder / "SHA256SUMS").read_bytes() in (before, good)
    rerun = start(output, input_dir)
    assert rerun.wait() == 0, rerun.communicate()
    assert (folder / "SHA256SUMS").read_bytes() == good, "the rerun gives the same bytes as a clean run"
    assert sorted(p.name for p in output.iterdir()) == [".2016.khoa", ".cache", "2016"], "nothing half-written is left"


def test_a_second_run_at_once_is_refused_with_a_clear_message(published, input_dir):
    output, _ = published
    before = (output / "2016" / "SHA256SUMS").read_bytes()
    first = Staging(output, 2016, keep_for(Command.REPORT))  # a run in progress: it holds the year's lock
    try:
        second = start(output, input_dir)
        _, err = second.communicate(timeout=120)
        assert second.returncode != 0
        assert f"Một lần chạy khác (tiến trình {os.getpid()}) đang ghi vào" in err and "Traceback" not in err
        assert (output / "2016" / "SHA256SUMS").read_bytes() == before, "the refused run changed nothing"
    finally:
        first.abandon()


def children(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (zombies are dead: they hold nothing)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid") == str(pid) and not fields.get("State", "").startswith("Z"):
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:\t", 1)[1][:1]
    except (OSError, IndexError):
        return False
    return state != "Z"


def gone(workers: list[int], within: float = 10) -> bool:
    """Whether every worker has ended: the kernel tears a killed process down on its own time,
    later still on a loaded machine, so allow it a few seconds (a leaked worker lives on for good)."""
    end = time.monotonic() + within
    while any(map(alive, workers)) and time.monotonic() < end:
        time.sleep(POLL)
    return not any(map(alive, workers))


def test_kill_9_of_the_run_alone_leaves_no_worker_and_no_lock(published, input_dir):
    """Only the main process is killed (as the OOM killer or `kill -9 <pid>` would): its
    workers must not live on holding the year's lock, and the next run must go ahead at once."""
    output, good = published
    folder, before, process, workers = rendering(output, input_dir)
    assert len(workers) == 2, "JOBS=2: a pool of two workers is rendering"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    rerun = start(output, input_dir)  # at once: no waiting for the workers to notice
    _out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert "Một lần chạy khác" not in err
    assert gone(workers), "a worker outlived its run"
    sums_hold(folder)
    assert (folder / "SHA256SUMS").read_bytes() == good != before
    assert sorted(p.name for p in output.iterdir()) == [".2016.khoa", ".cache", "2016"]


STOPS = {
    signal.SIGINT: "Đã dừng theo yêu cầu (Ctrl-C): chưa ghi gì, văn bản lần trước giữ nguyên",
    signal.SIGTERM: "Đã dừng vì nhận tín hiệu dừng (SIGTERM): chưa ghi gì, văn bản lần trước giữ nguyên",
    signal.SIGHUP: "Đã dừng vì cửa sổ dòng lệnh bị đóng (SIGHUP): chưa ghi gì, văn bản lần trước giữ nguyên",
}


@pytest.mark.parametrize("signum, to_group", [(signal.SIGINT, True), (signal.SIGHUP, True), (signal.SIGTERM, True),
                                              (signal.SIGTERM, False)],
                         ids=["Ctrl-C", "terminal closed", "SIGTERM to all", "SIGTERM to the run alone"])
def test_a_stop_signal_ends_the_run_cleanly_with_one_line(published, input_dir, signum, to_group):
    """A terminal sends Ctrl-C and SIGHUP to the whole process group, a service manager
    SIGTERM to the run: either way one Vietnamese line, 128 + the signal, nothing left."""
    output, _ = published
    folder, before, process, workers = rendering(output, input_dir)
    (os.killpg if to_group else os.kill)(process.pid, signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    # The year line every run opens with, then one line: no traceback, no 'Aborted!', no warning quoting a document.
    assert err.strip().splitlines() == ["Năm báo cáo 2016: chọn bằng YEAR=2016.", STOPS[signum]], err
    assert not staging(output) and sorted(p.name for p in output.iterdir()) == [".2016.khoa", ".cache", "2016"]
    assert (folder / "SHA256SUMS").read_bytes() == before
    sums_hold(folder)
    assert gone(workers), "a worker outlived its run"
