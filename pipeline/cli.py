"""Command-line interface: `python -m pipeline report|validate`.

A thin layer: options in, one call into `flow`, a readable Vietnamese summary
out. A PipelineError becomes one Vietnamese message and a non-zero exit code;
any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline import flow
from pipeline.core.validate import Validation
from pipeline.errors import InvalidDataError, PipelineError

console = Console(stderr=True, highlight=False)
STATUS_LABELS = {"valid": "hợp lệ", "invalid": "chưa hợp lệ", "missing": "chưa nộp"}
SEVERITY_LABELS = {"error": "[red]lỗi[/]", "warning": "[yellow]cảnh báo[/]"}


def _common(command):
    options = [
        click.option("--year", type=int, default=None, help="Năm báo cáo (mặc định: năm mới nhất có trong config/years)."),
        click.option("--input", "input_dir", type=click.Path(path_type=Path), default=Path("input"), show_default=True,
                     help="Thư mục chứa biểu mẫu của các đơn vị."),
        click.option("--config", "config_dir", type=click.Path(path_type=Path), default=Path("config"), show_default=True,
                     help="Thư mục cấu hình."),
        click.option("--output", "output_root", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
                     help="Thư mục kết quả; một lần chạy cho năm N ghi vào OUTPUT/N/."),
        click.option("-v", "--verbose", is_flag=True, help="In thêm thông tin quá trình chạy."),
        click.option("--jobs", type=click.IntRange(min=0), default=None, envvar="JOBS",
                     help="Số tiến trình lập văn bản song song (mặc định: số nhân CPU)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Báo cáo NQ28: đọc biểu mẫu, kiểm tra, tổng hợp và in văn bản."""


@main.command()
@_common
@click.option("--allow-invalid", is_flag=True, envvar="ALLOW_INVALID",
              help="Vẫn lập báo cáo khi có lỗi: đơn vị lỗi được ghi 'số liệu chưa hợp lệ' và không tính vào tổng.")
def report(year, input_dir, config_dir, output_root, verbose, jobs, allow_invalid) -> None:
    """Kiểm tra, tổng hợp và lập văn bản của một năm."""
    with _progress() as progress:
        options = flow.Options(year, input_dir, config_dir, output_root, allow_invalid=allow_invalid,
                               jobs=jobs, progress=progress)
        outcome = _run(lambda: flow.report(options), verbose)
    _print_validation(outcome.validation)
    console.print(f"[green]Đã lập văn bản năm {outcome.year}[/] trong {outcome.folder}:")
    _print_documents(outcome.documents)


@main.command()
@_common
def validate(year, input_dir, config_dir, output_root, verbose, jobs) -> None:
    """Chỉ kiểm tra biểu mẫu; thoát với mã 1 nếu có lỗi."""
    with _progress() as progress:
        options = flow.Options(year, input_dir, config_dir, output_root, jobs=jobs, progress=progress)
        outcome = _run(lambda: flow.validate(options), verbose)
    _print_validation(outcome.validation)
    console.print(f"Danh sách lỗi và phiếu kiểm tra từng đơn vị: {outcome.folder}")
    if outcome.validation.report.errors:
        sys.exit(1)


@main.command()
@_common
def forms(year, input_dir, config_dir, output_root, verbose, jobs) -> None:
    """Tạo biểu mẫu trống cho từng đơn vị (OUTPUT/NĂM/bieu-mau/)."""
    options = flow.Options(year, input_dir, config_dir, output_root)
    year, folder, names = _run(lambda: flow.forms(options), verbose)
    console.print(f"[green]Đã tạo {len(names)} biểu mẫu năm {year}[/] trong {folder / 'bieu-mau'}")


@contextlib.contextmanager
def _progress():
    """A progress bar with counts and time left on a terminal; nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        yield update


def _run(step, verbose: bool):
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
    )
    # WeasyPrint's own progress lines are noise for a clerk; its warnings still
    # reach our log (and are judged by pipeline.render.pdf).
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    try:
        return step()
    except PipelineError as exc:
        if isinstance(exc, InvalidDataError) and exc.validation is not None:
            _print_validation(exc.validation)
        console.print(f"[red bold]Lỗi:[/] {exc}")
        sys.exit(exc.exit_code)


FOLDER_LABELS = {"thong-bao": "thông báo gửi các đơn vị", "phieu-kiem-tra": "phiếu kiểm tra gửi các đơn vị"}


def _print_documents(names: tuple[str, ...]) -> None:
    """Top-level documents one per line; a folder of per-unit documents as one count."""
    folders: dict[str, int] = {}
    for name in names:
        folder, _, rest = name.partition("/")
        if rest and folder in FOLDER_LABELS:
            folders[folder] = folders.get(folder, 0) + 1
        else:
            console.print(f"  - {name}")
    for folder, count in folders.items():
        console.print(f"  - {folder}/: {count} tệp {FOLDER_LABELS[folder]}")


def _print_validation(validation: Validation) -> None:
    report = validation.report
    counts = {s: sum(1 for v in validation.status.values() if v == s) for s in STATUS_LABELS}
    summary = ", ".join(f"{n} {STATUS_LABELS[s]}" for s, n in counts.items() if n)
    console.print(f"Năm {validation.year}: {len(validation.status)} đơn vị: {summary}.")
    if not report.issues:
        console.print("[green]Không có lỗi hay cảnh báo.[/]")
        return
    table = Table(title=f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo", show_lines=False)
    for column in ("Tệp", "Đơn vị", "Trang", "Ô", "Mức", "Nội dung"):
        table.add_column(column, overflow="fold")
    for issue in report.issues:
        table.add_row(issue.file, issue.unit, issue.sheet, issue.cell, SEVERITY_LABELS[issue.severity], issue.message)
    console.print(table)
