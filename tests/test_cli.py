"""CLI exit codes and messages: valid, invalid data, bad config, usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests import factories
from tests.factories import CONFIG, ROOT, SAMPLE_INPUT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True)


def paths(tmp_path: Path, input_dir: Path = SAMPLE_INPUT, config: Path = CONFIG) -> list[str]:
    return ["--input", str(input_dir), "--config", str(config), "--output", str(tmp_path / "out")]


def test_validate_on_the_sample_exits_zero(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--year", "2016", *paths(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "15 hợp lệ" in result.output


@pytest.mark.parametrize("command", ["validate", "report"])
def test_an_error_exits_one_and_is_located(tmp_path, command):
    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["DanhSach"]["C4"] = "0100233480"  # wrong check digit
    factories.save(book, input_dir / "2016" / "HB.xlsx")
    result = run(command, "--year", "2016", *paths(tmp_path, input_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "2016/HB.xlsx" in result.stderr and "C4" in result.stderr and "Mã số thuế" in result.stderr
    # The console words a status and a severity as the documents do (core.labels).
    assert "14 hợp lệ, 1 số liệu chưa hợp lệ." in result.stderr and "│ Lỗi " in result.stderr
    year_folder = tmp_path / "out" / "2016"
    assert not (year_folder / "bao-cao-2016.pdf").exists()
    assert (year_folder / "phieu-kiem-tra" / "HB.pdf").is_file()
    assert '"cell": "C4"' in (year_folder / "data" / "kiem-tra.json").read_text(encoding="utf-8")


def test_report_without_year_uses_the_latest_configured_year(tmp_path):
    result = run("report", *paths(tmp_path))
    assert result.returncode == 0, result.stderr
    # One line says which year and why, before anything else.
    assert " ".join(result.stderr.split()).startswith(
        f"Năm báo cáo 2016: năm mới nhất có biểu mẫu trong {SAMPLE_INPUT} và tệp {CONFIG / 'years' / '2016.yaml'}.")
    assert (tmp_path / "out" / "2016" / "bao-cao-2016.pdf").is_file()


def test_bad_config_is_one_vietnamese_message_and_exit_two(tmp_path):
    config = tmp_path / "config"
    import shutil

    shutil.copytree(CONFIG, config)
    (config / "units.yaml").write_text("units: []\n", encoding="utf-8")
    result = run("report", "--year", "2016", *paths(tmp_path, config=config))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "units.yaml" in result.stderr and "danh sách không được rỗng" in result.stderr


def test_missing_input_folder(tmp_path):
    result = run("validate", "--year", "2016", *paths(tmp_path, input_dir=tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "Không tìm thấy thư mục biểu mẫu" in result.stderr


def test_year_without_document_settings(tmp_path):
    result = run("report", "--year", "2031", *paths(tmp_path))
    assert result.returncode == 2
    assert "years/2031.yaml" in result.stderr


ENGLISH = ("Usage:", "Error", "Invalid value", "is not a valid", "Try '", "for help", "No such", "Missing",
           "Show this message", "Options", "Commands", "Aborted", "default:", "requires an argument", "Did you mean",
           "INTEGER", "PATH", "Traceback")


@pytest.mark.parametrize("args, message", [
    (["report", "--year", "hai nghìn"], "Lỗi: Giá trị không hợp lệ cho '--year': «hai nghìn» không phải là số nguyên"),
    (["report", "--year", "abc"], "Lỗi: Giá trị không hợp lệ cho '--year': «abc» không phải là số nguyên"),
    (["report", "--jobs", "-1"], "Lỗi: Giá trị không hợp lệ cho '--jobs': -1 nhỏ hơn 0; cần một số từ 0 trở lên"),
    (["nope"], "Lỗi: Không có lệnh «nope»; các lệnh: approve, distribute, feedback, forms, history, new-year, report, sign, validate, verify"),
    (["report", "--bogus"], "Lỗi: Không có tùy chọn «--bogus»."),
    (["report", "--year"], "Lỗi: Tùy chọn «--year» cần một giá trị."),
    (["report", "thừa"], "Lỗi: Thừa tham số (thừa)"),
])
def test_usage_errors_are_vietnamese_and_exit_two(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(message), result.stderr
    assert not [phrase for phrase in ENGLISH if phrase in result.stderr], result.stderr


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["validate", "-h"], ["forms", "--help"],
                                  ["distribute", "--help"], ["approve", "--help"], []])
def test_help_is_vietnamese(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == (2 if not args else 0)
    assert result.output.startswith("Cách dùng: ") and "Tùy chọn:" in result.output, result.output
    assert not [phrase for phrase in ENGLISH if phrase in result.output], result.output


def test_output_to_a_pipe_is_not_wrapped(tmp_path):
    """Sent to a file or pipe (here captured), a line is never cut at 80 columns: a long config message
    and the validation table's rows arrive whole, each on one line, without trailing padding."""
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    year_file = config / "years" / "2016.yaml"
    year_file.write_text(year_file.read_text(encoding="utf-8").replace(
        "của các tổ chức đã thành lập.", "của các tổ chức đã thành lập {lien_he}."),
        encoding="utf-8")
    result = run("validate", "--year", "2016", *paths(tmp_path, config=config))
    assert result.returncode != 0
    line = next(line for line in result.stderr.splitlines() if "notices.closing" in line)
    assert "«{lien_he}»" in line and "{nam_sau}" in line and len(line) > 120
    assert "in dấu ngoặc nhọn thì viết {{ và }}" in line
    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["DanhSach"]["C4"] = "0100233480"  # wrong check digit
    factories.save(book, input_dir / "2016" / "HB.xlsx")
    result = run("validate", "--year", "2016", *paths(tmp_path, input_dir))
    assert result.returncode == 1
    row = next(line for line in result.stderr.splitlines() if "HB.xlsx" in line and "C4" in line)
    assert "Mã số thuế" in row and len(row) > 80
    assert all(len(line) < 1000 for line in result.stderr.splitlines())  # nothing padded to the wide width


def _printed_validation(monkeypatch, issues, issues_file: Path | None) -> str:
    import io
    from types import SimpleNamespace

    from pipeline import cli
    from pipeline.issues import ValidationReport

    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", cli.Console(file=sink, highlight=False, emoji=False))
    report = ValidationReport.of(2025, issues)
    cli._print_validation(SimpleNamespace(ledger=(), report=report, status={"X": "valid"}, year=2025), issues_file)
    return sink.getvalue()


def test_a_year_of_many_warnings_lists_every_error_and_counts_the_warnings_past_forty(monkeypatch, tmp_path):
    """A country's year has hundreds of warnings: listed whole, they buried its errors and its result.
    The console lists every error and the first WARNINGS_SHOWN warnings, then says where all of them are."""
    from pipeline.cli import WARNINGS_SHOWN
    from pipeline.issues import error, warning

    warnings = [warning(f"x/{n:03}.xlsx", "W1", f"cảnh báo số {n}.") for n in range(WARNINGS_SHOWN + 25)]
    errors = [error(f"x/{n:03}.xlsx", "E1", f"lỗi số {n}.") for n in range(0, 60, 3)]
    issues_file = tmp_path / "data" / "kiem-tra.json"
    out = _printed_validation(monkeypatch, [*warnings, *errors], issues_file)
    assert all(f"lỗi số {n}." in out for n in range(0, 60, 3))
    assert [n for n in range(WARNINGS_SHOWN + 25) if f"cảnh báo số {n}." in out] == list(range(WARNINGS_SHOWN))
    assert f"20 lỗi, {WARNINGS_SHOWN + 25} cảnh báo" in out
    assert f"… và 25 cảnh báo khác, đủ cả trong {issues_file}" in " ".join(out.split())
    # In the file's order: the rows shown are a subsequence of the year's issues.
    assert out.index("lỗi số 0.") < out.index("cảnh báo số 1.") < out.index("lỗi số 3.")


def test_one_workbook_checked_alone_lists_all_its_warnings(monkeypatch):
    """`validate --file` writes no list to point at: every warning stays on the console."""
    from pipeline.cli import WARNINGS_SHOWN
    from pipeline.issues import warning

    out = _printed_validation(monkeypatch, [warning("a.xlsx", "W1", f"cảnh báo số {n}.") for n in range(50)], None)
    assert all(f"cảnh báo số {n}." in out for n in range(50)) and WARNINGS_SHOWN < 50 and "khác" not in out
