"""The commands a clerk waits for, timed as they run: `python -m pipeline …` in a process of
its own, so the imports count (issue 19).

At one scale, in a scratch copy of the inputs: a full `report`, reruns with nothing
changed, a rerun after one late correction, then `validate` of the whole year and of
a single workbook (`--file`, when the command has it). The peak memory is the
largest resident set of any report process or its workers (wait4's rusage).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.io.excel import discover
from tests.bench.data import ROOT, Dataset, bump_figure

FILE_OPTION = "--file"


@dataclass(frozen=True)
class Timings:
    full: float
    same: float  # median of the reruns with nothing changed
    changed: float
    validate: float  # median
    one_file: float | None  # median; None: `one_file_note` says why
    peak_mb: float
    one_file_note: str = ""


@dataclass(frozen=True)
class Run:
    seconds: float
    code: int
    peak_mb: float


class CommandFailed(RuntimeError):
    pass


def pipeline(args: list[str], log: Path, accept: tuple[int, ...] = (0,)) -> Run:
    """`python -m pipeline ARGS` from the project's folder, its output kept in `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, stdout=sink,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in accept:
        raise CommandFailed(f"python -m pipeline {' '.join(args)}: mã thoát {code}, xem {log}")
    return Run(seconds, code, usage.ru_maxrss / 1024)  # Linux: ru_maxrss in KiB


def has_file_option() -> bool:
    """Whether `validate` takes a single workbook (issue 19 adds `--file`)."""
    shown = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--help"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout
    return FILE_OPTION in shown.split()


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def measure(data: Dataset, work: Path, repeats: int) -> Timings:
    input_dir = work / "input"
    _fresh(work)
    shutil.copytree(data.input, input_dir)
    common = ["--year", str(data.year), "--config", str(data.config), "--output", str(_fresh(work / "output")),
              "--state", str(_fresh(work / "state"))]
    logs = work / "logs"

    def report(name: str) -> Run:
        return pipeline(["report", "--input", str(input_dir), *common], logs / f"report-{name}.log")

    full = report("full")
    same = [report(f"same-{i}") for i in range(repeats)]
    bump_figure(discover(input_dir)[0])
    changed = report("changed")
    validate = [pipeline(["validate", "--input", str(input_dir), *common], logs / f"validate-{i}.log", (0, 1))
                for i in range(repeats)]
    one_file, note = _one_file(discover(input_dir)[0], common, logs, repeats)
    return Timings(full.seconds, statistics.median(r.seconds for r in same), changed.seconds,
                   statistics.median(r.seconds for r in validate), one_file,
                   max(r.peak_mb for r in (full, *same, changed)), note)


def _one_file(workbook: Path, common: list[str], logs: Path, repeats: int) -> tuple[float | None, str]:
    """The median `validate --file` of one workbook, or None and why not."""
    if not has_file_option():
        return None, "chưa có"
    try:
        runs = [pipeline(["validate", FILE_OPTION, str(workbook), *common], logs / f"validate-file-{i}.log", (0, 1))
                for i in range(repeats)]
    except CommandFailed as exc:  # the option is new: a failure is shown, not a lost bench run
        print(f"  {exc}", flush=True)
        return None, "lỗi khi chạy"
    return statistics.median(r.seconds for r in runs), ""
