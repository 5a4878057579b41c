"""Only what a run needs is imported (issue 19), and that changes no output byte.

A check or a rerun with nothing changed renders nothing, so it must not pay for
WeasyPrint, matplotlib, docxtpl/python-docx, pyHanko or openpyxl's writer; a
report made in a process that imported all of them first is byte for byte the
report made without. `make validate FILE=…` checks one workbook and writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.factories import CONFIG, ROOT, SAMPLE_INPUT

HEAVY = ("weasyprint", "matplotlib", "docx", "docxtpl", "pyhanko", "openpyxl")
# What a renderer imports, imported before the run starts (the eager process of the byte test).
EAGER = ("weasyprint", "matplotlib", "matplotlib.figure", "docx", "docxtpl", "pyhanko.sign", "openpyxl",
         "pipeline.render.pdf", "pipeline.render.chart", "pipeline.render.trend_chart", "pipeline.render.docx",
         "pipeline.render.xlsx", "pipeline.render.marked", "pipeline.sign", "pipeline.distribute")
# Runs `python -m pipeline ARGS` after importing EAGER-like names, then writes the names of every module
# loaded at exit to OUT: the test's own hook, nothing in the package.
WRAPPER = """
import json, runpy, sys
out, eager, args = sys.argv[1], sys.argv[2], sys.argv[3:]
for name in filter(None, eager.split(",")):
    __import__(name)
sys.argv = ["pipeline", *args]
code = 0
try:
    runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open(out, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
sys.exit(code)
"""


def run(tmp: Path, args: list[str], eager: tuple[str, ...] = (), cwd: Path = ROOT) -> tuple[int, str, set[str]]:
    """Exit code, stderr and the modules loaded of one run through the wrapper."""
    wrapper, loaded = tmp / "wrapper.py", tmp / "modules.json"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    done = subprocess.run([sys.executable, str(wrapper), str(loaded), ",".join(eager), *args], cwd=cwd,
                          capture_output=True, text=True, env=_env())
    return done.returncode, done.stderr, set(json.loads(loaded.read_text(encoding="utf-8")))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def paths(output: Path) -> list[str]:
    return ["--input", str(SAMPLE_INPUT), "--config", str(CONFIG), "--output", str(output)]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The sample's report, made once by a plain run."""
    tmp = tmp_path_factory.mktemp("plain")
    code, stderr, _ = run(tmp, ["report", *paths(tmp / "out")])
    assert code == 0, stderr
    return tmp / "out"


@pytest.mark.parametrize("command", ["validate", "report"])
def test_a_run_with_nothing_to_render_imports_no_renderer(published, tmp_path, command):
    code, stderr, modules = run(tmp_path, [command, *paths(published)])
    assert code == 0, stderr
    assert heavy(modules) == []


def test_lazy_imports_change_no_output_byte(published, tmp_path):
    code, stderr, modules = run(tmp_path, ["report", *paths(tmp_path / "out")], eager=EAGER)
    assert code == 0, stderr
    assert "weasyprint" in modules and "pyhanko" in modules  # the eager process was eager
    plain = (published / "2016" / "SHA256SUMS").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "2016" / "SHA256SUMS").read_text(encoding="utf-8") == plain


# --- make validate FILE=… ----------------------------------------------------------------------------------

def check_file(tmp: Path, file: Path | str) -> tuple[int, str, set[str]]:
    """validate --file from an empty working folder, with an output folder that must stay absent."""
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    code, stderr, modules = run(tmp, ["validate", "--file", str(file), "--config", str(CONFIG),
                                      "--output", str(tmp / "out")], cwd=work)
    assert "Traceback" not in stderr
    assert list(work.iterdir()) == [] and not (tmp / "out").exists(), "a one-file check wrote something"
    return code, " ".join(stderr.split()), modules


def test_a_good_workbook_passes_and_nothing_is_written(tmp_path):
    code, said, modules = check_file(tmp_path, SAMPLE_INPUT / "2016" / "HB.xlsx")
    assert code == 0, said
    assert "Năm 2016: 1 đơn vị: 1 hợp lệ." in said and "Không có lỗi hay cảnh báo." in said
    assert heavy(modules) == []


def test_a_broken_workbook_exits_one_naming_the_cell(tmp_path):
    broken = tmp_path / "HB.xlsx"
    shutil.copy(SAMPLE_INPUT / "2016" / "HB.xlsx", broken)
    book = openpyxl.load_workbook(broken)
    book["TongHop"]["F6"] = "mười"
    book.save(broken)
    before = broken.read_bytes()
    code, said, _ = check_file(tmp_path, broken)
    assert code == 1, said
    assert "TongHop" in said and "F6" in said and "mười" in said and "1 lỗi" in said
    assert broken.read_bytes() == before


def test_a_file_that_is_no_workbook_inside_is_its_error(tmp_path):
    fake = tmp_path / "HB.xlsx"
    fake.write_text("không phải bảng tính", encoding="utf-8")
    code, said, _ = check_file(tmp_path, fake)
    assert code == 1, said
    assert "HB.xlsx" in said and "Lỗi" in said


@pytest.mark.parametrize("name, words", [
    ("missing.xlsx", "Không tìm thấy tệp"),
    ("folder", "là một thư mục"),
    ("notes.txt", "không phải là biểu mẫu"),
])
def test_a_path_that_is_no_workbook_is_one_vietnamese_line(tmp_path, name, words):
    target = tmp_path / name
    if name == "folder":
        target.mkdir()
    elif name == "notes.txt":
        target.write_text("ghi chú", encoding="utf-8")
    code, said, _ = check_file(tmp_path, target)
    assert code == 2
    assert words in said and name in said


# --- the status page, reused like a document --------------------------------------------------------------

def test_the_status_page_is_reused_only_while_its_context_is_unchanged(tmp_path):
    input_dir = tmp_path / "input"
    shutil.copytree(SAMPLE_INPUT, input_dir)
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"

    def validate(output: Path) -> bytes:
        subprocess.run([sys.executable, "-m", "pipeline", "validate", "--input", str(input_dir), "--config",
                        str(CONFIG), "--output", str(output)], cwd=ROOT, capture_output=True, env=_env())
        return (output / "2016" / "index.html").read_bytes()

    first = validate(kept)
    assert validate(kept) == first  # nothing changed: the published page stands
    keys = json.loads((kept / "2016" / "data" / "khoa-van-ban.json").read_text(encoding="utf-8"))
    assert "index.html" in keys
    book = openpyxl.load_workbook(input_dir / "2016" / "HB.xlsx")
    book["TongHop"]["F6"] = "mười"
    book.save(input_dir / "2016" / "HB.xlsx")
    again = validate(kept)
    assert again != first and again == validate(fresh)  # made anew, as a run with no published page makes it
