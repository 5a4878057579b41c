"""`pip install .` (not editable) into a fresh environment gives an `nq28` that works
from any folder: the templates travel inside the package, and the runtime lock is
enough to run (no test dependency needed).

Reproduce by hand:
    python3 -m venv /tmp/v && /tmp/v/bin/pip install --require-hashes -r requirements.lock
    /tmp/v/bin/pip install --no-deps . && cd /tmp && /tmp/v/bin/nq28 report --input … --config … --output …
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories

ROOT = factories.ROOT
# What a wheel is built from: a copy of only these proves nothing else is needed.
PACKAGE_SOURCES = ("pyproject.toml", "setup.py", "pipeline", "templates")


def run(args: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the runtime lock and a wheel of a copy of the project; its bin/."""
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    venv = base / "venv"
    ok(run([sys.executable, "-m", "venv", venv], cwd=base))
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "--quiet", "install"]
    ok(run([*pip, "--require-hashes", "-r", ROOT / "requirements.lock"], cwd=base))
    ok(run([*pip, "--no-deps", source], cwd=base))
    shutil.rmtree(source)  # the installed nq28 must not lean on the copy it was built from
    return venv / "bin"


@pytest.mark.slow
def test_an_installed_nq28_reports_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(factories.SAMPLE_INPUT, tmp_path / "bieu-mau")
    shutil.copytree(factories.CONFIG, tmp_path / "cau-hinh")
    ok(run([installed / "nq28", "report", "--input", tmp_path / "bieu-mau", "--config", tmp_path / "cau-hinh",
            "--output", tmp_path / "ket-qua", "--year", "2016"], cwd=elsewhere))
    pdf = tmp_path / "ket-qua" / "2016" / "bao-cao-2016.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    where = ok(run([installed / "python", "-c", "import pipeline.resources as r; print(r.templates_dir())"],
                   cwd=elsewhere)).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), f"the templates were taken from {where}, not the install"


@pytest.mark.slow
def test_an_installed_nq28_speaks_vietnamese_and_needs_no_test_package(installed, tmp_path):
    help_text = ok(run([installed / "nq28", "--help"], cwd=tmp_path)).stdout
    assert "Cách dùng: nq28" in help_text and "Kiểm tra, tổng hợp và lập văn bản" in help_text
    missing = run([installed / "python", "-c", "import pytest"], cwd=tmp_path)
    assert missing.returncode != 0, "the runtime install brought a test dependency (pytest)"
