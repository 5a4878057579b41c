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

from pipeline.io.publish import KEEP_FOR_REPORT, Staging, sha256sums
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
    assert sorted(p.name for p in output.iterdir()) == [".2016.khoa", "2016"], "nothing half-written is left"


def test_a_second_run_at_once_is_refused_with_a_clear_message(published, input_dir):
    output, _ = published
    before = (output / "2016" / "SHA256SUMS").read_bytes()
    first = Staging(output, 2016, KEEP_FOR_REPORT)  # a run in progress: it holds the year's lock
    try:
        second = start(output, input_dir)
        _, err = second.communicate(timeout=120)
        assert second.returncode != 0
        assert f"Một lần chạy khác (tiến trình {os.getpid()}) đang ghi vào" in err and "Traceback" not in err
        assert (output / "2016" / "SHA256SUMS").read_bytes() == before, "the refused run changed nothing"
    finally:
        first.abandon()
