"""The disk says no: full, read-only, not ours to write, out of file handles.

Each failure is injected where the operating system would raise it (writing a
staged file, swapping the folder in, creating the staging folder, reading
config) and the run must end with one Vietnamese line naming the path and the
cause, exit code 2, the last good output as it was and no staging folder left.
"""

from __future__ import annotations

import errno
import os
import pathlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import cli
from pipeline.io import publish
from tests.factories import CONFIG
from tests.test_faults import input_dir, sums_hold  # noqa: F401 (input_dir: the shared fixture)


@pytest.fixture(scope="module")
def good_run(tmp_path_factory, input_dir) -> Path:
    output = tmp_path_factory.mktemp("good") / "out"
    result = CliRunner().invoke(cli.main, args(input_dir, output))
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture
def output(good_run, tmp_path, monkeypatch) -> Path:
    """A copy of a good run's output; the next run reuses every document, so it is quick."""
    monkeypatch.setattr(cli.console, "width", 10_000)  # one message, one line: no wrapping to compare
    shutil.copytree(good_run / "2016", tmp_path / "out" / "2016")
    return tmp_path / "out"


def args(input_dir: Path, output: Path) -> list[str]:
    return ["report", "--year", "2016", "--input", str(input_dir), "--config", str(CONFIG), "--output", str(output),
            "--jobs", "1"]


def failing(code: int, path: str | Path, path2: str | Path | None = None) -> OSError:
    return OSError(code, os.strerror(code), str(path), None, None if path2 is None else str(path2))


def in_staging(path: Path) -> bool:
    return f".2016.{publish.STAGING_MARK}-" in str(path)


def write_fails(code: int):
    real = pathlib.Path.write_bytes

    def write_bytes(self, data):
        if in_staging(self) and self.name == "tong-hop.json":
            raise failing(code, self)
        return real(self, data)

    return "pathlib.Path.write_bytes", write_bytes


def mkdir_fails(code: int):
    real = pathlib.Path.mkdir

    def mkdir(self, *a, **k):
        if in_staging(self):
            raise failing(code, self)
        return real(self, *a, **k)

    return "pathlib.Path.mkdir", mkdir


def swap_fails(code: int):
    def swap(folder, target):
        raise failing(code, folder, target)

    return "pipeline.io.publish._swap", swap


CASES = {
    "disk full while staging": (write_fails(errno.ENOSPC), "Không ghi được kết quả vào {out} (tệp {out}/.2016.dang-ghi-",
                                "ổ đĩa đầy. Chưa thay gì: văn bản lần trước trong {out}/2016 giữ nguyên"),
    "disk full while swapping in": (swap_fails(errno.ENOSPC), "Không ghi được kết quả vào {out}/2016: ổ đĩa đầy",
                                    "Chưa thay gì: văn bản lần trước giữ nguyên"),
    "quota while staging": (write_fails(errno.EDQUOT), "Không ghi được kết quả vào {out}", "hết hạn mức dung lượng"),
    "read-only disk": (write_fails(errno.EROFS), "Không ghi được kết quả vào {out}", "ổ đĩa chỉ cho phép đọc"),
    "output not writable": (mkdir_fails(errno.EACCES), "Không tạo được thư mục kết quả {out}: không có quyền ghi", ""),
    "too many open files": (mkdir_fails(errno.EMFILE), "Không tạo được thư mục kết quả {out}: quá nhiều tệp đang mở",
                            ""),
}


@pytest.mark.parametrize("case", CASES)
def test_a_disk_failure_is_one_vietnamese_line_and_the_last_output_stays(output, input_dir, monkeypatch, case):
    (target, replacement), *expected = CASES[case]
    before = (output / "2016" / "SHA256SUMS").read_bytes()
    monkeypatch.setattr(target, replacement)
    monkeypatch.setattr("pipeline.io.publish.Staging._unchanged", lambda self: False)  # a run that changes the folder
    result = CliRunner().invoke(cli.main, args(input_dir, output))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.startswith("Lỗi:")]
    assert len(lines) == 1, result.output
    for part in expected:
        assert part.format(out=output) in lines[0]
    assert "Errno" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in output.iterdir()) == [".2016.khoa", ".cache", "2016"], "no staging folder is left"
    assert (output / "2016" / "SHA256SUMS").read_bytes() == before
    sums_hold(output / "2016")


def test_an_os_error_anywhere_else_is_one_line_naming_the_path(output, input_dir, monkeypatch):
    """Not only publishing: an OSError from any step reaches the clerk as one line, exit code 2."""
    def load_settings(config_dir, *_):
        raise failing(errno.ENFILE, config_dir / "settings.yaml")

    monkeypatch.setattr("pipeline.plan.load_settings", load_settings)
    result = CliRunner().invoke(cli.main, args(input_dir, output))
    assert result.exit_code == 2
    assert result.output.strip() == (f"Lỗi: Không đọc hay ghi được {CONFIG / 'settings.yaml'}: quá nhiều tệp đang mở. "
                                     "Chưa ghi gì: văn bản lần trước giữ nguyên")


@pytest.mark.parametrize("code, cause", [(errno.ENOSPC, "ổ đĩa đầy"), (errno.EACCES, "không có quyền ghi"),
                                         (errno.EPERM, "không có quyền ghi"), (errno.EROFS, "ổ đĩa chỉ cho phép đọc"),
                                         (errno.EMFILE, "quá nhiều tệp đang mở"),
                                         (errno.ENFILE, "quá nhiều tệp đang mở"),
                                         (errno.ENAMETOOLONG, "tên tệp quá dài"),
                                         (errno.EDQUOT, "hết hạn mức dung lượng")])
def test_causes_in_vietnamese(code, cause):
    from pipeline.errors import os_cause

    assert os_cause(failing(code, "x")) == cause
