"""Command-line interface: `python -m pipeline report|validate|forms|history|distribute|sign|verify|approve|new-year`.

A thin layer: options in, one call into `flow`, a readable Vietnamese summary
out. A PipelineError becomes one Vietnamese message and a non-zero exit code;
any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from pipeline.cli_vi import Console, Group, Integer, PlainLogHandler, shown
from pipeline.core import labels
from pipeline.core.catalogue import FORM_XLSX, ISSUES_DATA, LEDGER_DATA, SITE_PAGE, find
from pipeline.core.steps.ledger import counts as ledger_counts
from pipeline.core.steps.validate import Validation
from pipeline.core.text import brief, visible
from pipeline.errors import InvalidDataError, PipelineError
from pipeline.io.journal import DEFAULT_STATE
from pipeline.settings import PLACEHOLDER

if TYPE_CHECKING:
    from pipeline.distribute import Distribution
    from pipeline.issues import Issue
    from pipeline.plan import Options
    from pipeline.yearend import TargetChange

# Each command imports the modules it runs when it runs (pyHanko to sign, mail to send, the whole plan
# to report): a one-file check, a check or a report does not pay for the others'.

console = Console(stderr=True, highlight=False, emoji=False)  # ":smile:" in a cell stays text
SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}  # around labels.SEVERITY in the console's table




def _visible_record(record: logging.LogRecord) -> bool:
    """Log lines quote file names and cells too: none may move the cursor or clear the screen;
    and a library's warning may quote a whole document: none may flood the screen."""
    record.msg, record.args = visible(brief(record.getMessage())), None
    return True


def _options(*args, **kwargs) -> Options:
    from pipeline.plan import Options

    return Options(*args, **kwargs)


def _common(command):
    options = [
        click.option("--year", type=Integer(), default=None, metavar="NĂM",
                     help="Năm báo cáo (mặc định: năm mới nhất có biểu mẫu trong thư mục biểu mẫu hoặc có tệp "
                          "config/years/NĂM.yaml; lần chạy in ra năm nào và vì sao)."),
        click.option("--input", "input_dir", type=click.Path(path_type=Path), metavar="THƯ_MỤC", default=Path("input"),
                     show_default=True,
                     help="Thư mục chứa biểu mẫu của các đơn vị."),
        click.option("--config", "config_dir", type=click.Path(path_type=Path), metavar="THƯ_MỤC",
                     default=Path("config"), show_default=True,
                     help="Thư mục cấu hình."),
        click.option("--output", "output_root", type=click.Path(path_type=Path), metavar="THƯ_MỤC",
                     default=Path("output"), show_default=True,
                     help="Thư mục kết quả; một lần chạy cho năm N ghi vào OUTPUT/N/."),
        click.option("-v", "--verbose", is_flag=True, help="In thêm thông tin quá trình chạy."),
        click.option("--jobs", type=Integer(minimum=0), default=None, envvar="JOBS", metavar="SỐ",
                     help="Số tiến trình lập văn bản song song (mặc định: số nhân CPU)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _state_option(command):
    return click.option("--state", "state", type=click.Path(path_type=Path), metavar="THƯ_MỤC",
                        default=DEFAULT_STATE, show_default=True,
                        help="Thư mục lưu trạng thái (sổ theo dõi thư đã gửi, biểu mẫu đã duyệt); ngoài thư mục "
                             "kết quả, make clean không xóa.")(command)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Báo cáo NQ28: đọc biểu mẫu, kiểm tra, tổng hợp và in văn bản."""


@main.command()
@_common
@click.option("--allow-invalid", is_flag=True, envvar="ALLOW_INVALID",
              help="Vẫn lập báo cáo khi có lỗi: đơn vị lỗi được ghi 'số liệu chưa hợp lệ' và không tính vào tổng.")
@_state_option
def report(year, input_dir, config_dir, output_root, verbose, jobs, allow_invalid, state) -> None:
    """Kiểm tra, tổng hợp và lập văn bản của một năm."""
    with _progress() as progress:
        options = _options(year, input_dir, config_dir, output_root, allow_invalid=allow_invalid,
                          jobs=jobs, progress=progress, say=_say, state=state)
        from pipeline import flow

        outcome = _run(lambda: flow.report(options), verbose)
    _print_validation(outcome.validation, outcome.folder / ISSUES_DATA.path())
    _print_targets(outcome.targets, config_dir)
    console.print(f"[green]Đã lập văn bản năm {outcome.year}[/] trong {shown(outcome.folder)}:")
    _print_documents(outcome.documents)


def _print_targets(change: TargetChange | None, config_dir: Path) -> None:
    """Next year's targets that differ from those of the report this run replaced, and the city total."""
    if change is None:
        return

    def figures(values: dict[str, tuple[int | None, int | None]]) -> str:
        return "; ".join(f"{code} {'-' if old is None else old} → {'-' if new is None else new}"
                         for code, (old, new) in values.items())

    console.print(f"[yellow]Chỉ tiêu năm {change.year} đã sửa so với báo cáo lập trước đó[/] "
                  f"({shown(config_dir / 'targets.yaml')}):")
    for unit, values in change.units:
        console.print(f"  - {shown(unit)}: {figures(values)}")
    console.print(f"  Tổng cộng {shown(change.scope)}: {figures(dict(change.totals))}")


@main.command()
@_common
@_state_option
@click.option("--file", "file", type=click.Path(path_type=Path), metavar="TỆP", default=None,
              help="Chỉ kiểm tra một biểu mẫu (ví dụ trước khi gửi đi): in danh sách lỗi, không ghi gì; "
                   "bỏ qua --input, --output và --state.")
def validate(year, input_dir, config_dir, output_root, verbose, jobs, state, file) -> None:
    """Chỉ kiểm tra biểu mẫu; thoát với mã 1 nếu có lỗi."""
    if file is not None:
        _validate_file(file, year, config_dir, output_root, verbose)
        return
    from pipeline import flow

    with _progress() as progress:
        options = _options(year, input_dir, config_dir, output_root, jobs=jobs, progress=progress, say=_say,
                           state=state)
        outcome = _run(lambda: flow.validate(options), verbose)
    _print_validation(outcome.validation, outcome.folder / ISSUES_DATA.path())
    console.print(f"Danh sách lỗi và phiếu kiểm tra từng đơn vị: {shown(outcome.folder)}")
    if outcome.validation.report.errors:
        sys.exit(1)


def _validate_file(file: Path, year: int | None, config_dir: Path, output_root: Path, verbose: bool) -> None:
    """One workbook checked, nothing written: its issues as validate prints them; exit 1 on errors."""
    from pipeline.onefile import validate_file

    validation = _run(lambda: validate_file(file, config_dir, output_root, year), verbose)
    _print_validation(validation)
    console.print(f"Đã kiểm tra riêng tệp {shown(file)}; không ghi tệp nào.")
    if validation.report.errors:
        sys.exit(1)


@main.command()
@_common
def forms(year, input_dir, config_dir, output_root, verbose, jobs) -> None:
    """Tạo biểu mẫu trống cho từng đơn vị (OUTPUT/NĂM/bieu-mau/)."""
    options = _options(year, input_dir, config_dir, output_root, say=_say)
    from pipeline import flow

    year, folder, names = _run(lambda: flow.forms(options), verbose)
    console.print(f"[green]Đã tạo {len(names)} biểu mẫu năm {year}[/] trong {shown(folder / FORM_XLSX.folder)}")


@main.command()
@_common
@click.option("--force", is_flag=True,
              help="Ghi lại năm đã có trong config/history.yaml (mặc định: không ghi đè).")
def history(year, input_dir, config_dir, output_root, verbose, jobs, force) -> None:
    """Ghi số liệu năm NĂM (số tổng và từng đơn vị) vào config/history.yaml.

    Lấy từ kết quả đã công bố (OUTPUT/NĂM/data/tong-hop.json), nếu chưa công bố thì từ biểu mẫu
    năm đó trong INPUT. Giữ nguyên chú thích và các năm khác; không ghi đè năm đã có nếu không có --force.
    """
    options = _options(year, input_dir, config_dir, output_root, jobs=jobs)
    from pipeline.yearend import export_history

    done = _run(lambda: export_history(options, force), verbose)
    for issue in done.issues:
        console.print(f"[yellow]Cảnh báo:[/] {shown(issue.message)}")
    figures = ", ".join(f"{code} {value}" for code, value in done.totals.items())
    console.print(f"[green]Đã ghi số liệu năm {done.year} vào {shown(done.path)}[/] "
                  f"(lấy từ {shown(done.source)}; tổng: {figures})")


@main.command()
@_common
@click.option("--allow-invalid", is_flag=True, envvar="ALLOW_INVALID",
              help="Gửi cả khi biểu mẫu còn lỗi (khi báo cáo đã lập với ALLOW_INVALID=1).")
@click.option("--send", is_flag=True,
              help="Gửi thư điện tử thật; mặc định chỉ chuẩn bị bộ văn bản, sổ gửi và in ra những thư sẽ gửi.")
@_state_option
@click.option("--resend", "resend", multiple=True, metavar="NƠI-NHẬN|ĐỊA-CHỈ|MESSAGE-ID",
              help="Gửi lại thư «chưa rõ đã gửi hay chưa» của nơi nhận này (mã nơi nhận, địa chỉ thư hoặc "
                   "Message-ID; nhiều tên cách nhau bởi dấu phẩy).")
def distribute(year, input_dir, config_dir, output_root, verbose, jobs, allow_invalid, send, state, resend) -> None:
    """Chuẩn bị bộ văn bản cho từng nơi nhận và sổ gửi văn bản; --send để gửi thư điện tử."""
    from pipeline import distribute as dispatch

    names = tuple(n.strip() for value in resend for n in value.split(",") if n.strip())
    with _progress() as progress:
        options = _options(year, input_dir, config_dir, output_root, allow_invalid=allow_invalid,
                          jobs=jobs, progress=progress, say=_say, state=state)
        outcome = _run(lambda: dispatch.distribute(options, send=send, state=state, resend=names), verbose)
    _print_sending(outcome)


@main.command()
@_common
@click.option("--send", is_flag=True,
              help="Gửi thư điện tử thật; mặc định chỉ chuẩn bị bộ văn bản, sổ gửi và in ra những thư sẽ gửi.")
@_state_option
@click.option("--resend", "resend", multiple=True, metavar="NƠI-NHẬN|ĐỊA-CHỈ|MESSAGE-ID",
              help="Gửi lại thư «chưa rõ đã gửi hay chưa» của nơi nhận này (như make distribute).")
def feedback(year, input_dir, config_dir, output_root, verbose, jobs, send, state, resend) -> None:
    """Gửi mỗi đơn vị phản hồi của mình (chạy được cả khi biểu mẫu còn lỗi): phiếu kiểm tra và biểu mẫu đánh dấu
    lỗi, hoặc công văn đôn đốc; chạy make validate trước; --send để gửi thư điện tử."""
    from pipeline import distribute as dispatch

    with _progress() as progress:
        options = _options(year, input_dir, config_dir, output_root, jobs=jobs, progress=progress, say=_say,
                          state=state)
        names = tuple(n.strip() for value in resend for n in value.split(",") if n.strip())
        outcome = _run(lambda: dispatch.distribute(options, send=send, state=state, resend=names, feedback=True),
                       verbose)
    _print_sending(outcome)


def _print_sending(outcome: Distribution) -> None:
    """What a distribute or feedback run prepared and sent; exit 1 when a letter failed."""
    from pipeline.cli_mail import print_distribution, print_uncertain

    print_distribution(console, outcome)
    print_uncertain(console, outcome)
    if outcome.failures:
        sys.exit(1)


@main.command()
@_common
@click.option("--allow-invalid", is_flag=True, envvar="ALLOW_INVALID",
              help="Ký cả khi biểu mẫu còn lỗi (khi báo cáo đã lập với ALLOW_INVALID=1).")
@_state_option
def sign(year, input_dir, config_dir, output_root, verbose, jobs, allow_invalid, state) -> None:
    """Ký số (PAdES) các văn bản PDF đã lập của năm vào thư mục ky-so/ (cấu hình: config/signing.yaml).

    Đọc lại biểu mẫu và cấu hình như make distribute: chỉ ký văn bản đúng với biểu mẫu hiện tại; bản ký số
    còn đúng thì giữ nguyên, không ký lại."""
    from pipeline import sign as signing
    from pipeline.cli_sign import print_signing

    with _progress() as progress:
        options = _options(year, input_dir, config_dir, output_root, allow_invalid=allow_invalid, jobs=jobs,
                          progress=progress, say=_say, state=state)
        outcome = _run(lambda: signing.sign(options), verbose)
    print_signing(console, outcome)
    _print_documents(outcome.files)


@main.command()
@_common
def verify(year, input_dir, config_dir, output_root, verbose, jobs) -> None:
    """Kiểm tra chữ ký số của mọi bản ký số trong ky-so/; mã thoát khác 0 nếu có bản không hợp lệ."""
    from pipeline import sign as signing
    from pipeline.cli_sign import print_verification

    options = _options(year, input_dir, config_dir, output_root, say=_say)
    outcome = _run(lambda: signing.verify(options), verbose)
    print_verification(console, outcome)
    if outcome.failed:
        sys.exit(1)


@main.command()
@_common
@click.option("--unit", "unit", required=True, metavar="MÃ",
              help="Mã đơn vị có biểu mẫu được duyệt (ví dụ HB).")
@_state_option
def approve(year, input_dir, config_dir, output_root, verbose, jobs, unit, state) -> None:
    """Duyệt biểu mẫu hiện có của một đơn vị: lưu bản sao, mã SHA-256 và thời điểm duyệt vào thư mục trạng thái.

    Từ chối (không ghi gì) khi biểu mẫu còn lỗi, đơn vị chưa có biểu mẫu hoặc mã đơn vị không có. Sau khi duyệt,
    nếu đơn vị gửi tệp khác, bản đã duyệt vẫn được dùng (có cảnh báo) cho đến khi duyệt lại.
    """
    from pipeline import approve as approving

    options = _options(year, input_dir, config_dir, output_root, jobs=jobs, say=_say, state=state)
    done = _run(lambda: approving.approve(options, unit), verbose)
    for line in done.lines():
        console.print(shown(line))


@main.command("new-year")
@click.option("--year", type=Integer(), default=None, metavar="NĂM",
              help="Năm mới (mặc định: năm mới nhất có tệp config/years/<năm>.yaml, cộng 1).")
@click.option("--config", "config_dir", type=click.Path(path_type=Path), metavar="THƯ_MỤC", default=Path("config"),
              show_default=True, help="Thư mục cấu hình.")
@click.option("-v", "--verbose", is_flag=True, help="In thêm thông tin quá trình chạy.")
def new_year(year, config_dir, verbose) -> None:
    """Tạo tệp config/years/NĂM.yaml cho năm mới từ tệp của năm trước, với các chỗ «<<CẦN ĐIỀN: …>>»
    phải điền; không bao giờ ghi đè tệp đã có."""
    from pipeline import flow

    made = _run(lambda: flow.new_year(config_dir, year), verbose)
    n = made.year
    console.print(f"[green]Đã tạo {shown(made.path)}[/] từ {shown(made.source)}: {len(made.keys)} mục cần điền "
                  f"(chỗ ghi «{shown(PLACEHOLDER)}: …>>»).")
    console.print(f"Việc tiếp theo cho năm {n} (xem mục «Mỗi năm làm gì» trong README.md):")
    for step in new_year_steps(n, config_dir):
        console.print(f"  {step}")


def new_year_steps(year: int, config_dir: Path) -> list[str]:
    """The year-end checklist printed after `new-year`."""
    years_file, targets = config_dir / "years" / f"{year}.yaml", config_dir / "targets.yaml"
    return [
        f"1. Điền mọi chỗ «{PLACEHOLDER}: …>>» trong {shown(years_file)}: số văn bản, ngày ký, hạn nộp, người ký, "
        "số thông báo, đánh giá (make report và make forms từ chối chạy khi còn chỗ chưa điền).",
        f"2. Thêm chỉ tiêu năm {year + 1} của từng đơn vị vào {shown(targets)} (thông báo năm {year} giao chỉ tiêu "
        f"năm {year + 1}); chỉ tiêu năm {year} đã giao năm trước cũng phải có ở đó.",
        f"3. make forms YEAR={year}: biểu mẫu trống (có hạn nộp) gửi các đơn vị.",
        f"4. Bỏ biểu mẫu các đơn vị gửi về vào input/{year}/.",
        f"5. make validate YEAR={year}: kiểm tra, gửi phiếu kiểm tra cho đơn vị còn lỗi.",
        f"6. make report (tự chọn năm {year} và in ra lý do), rồi make distribute.",
    ]


def _say(line: str) -> None:
    """The one line naming the year a run works on, and why."""
    console.print(shown(line))


def _log_handler() -> logging.Handler:
    """Rich's on a terminal (imported only then), plain lines otherwise."""
    if not console.is_terminal:
        return PlainLogHandler(console)
    from rich.logging import RichHandler

    return RichHandler(console=console, show_path=False, show_time=False)


@contextlib.contextmanager
def _progress():
    """A progress bar with counts and time left on a terminal; nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    # Imported here: only a terminal shows it (~20 ms of every command otherwise).
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # Shown from the first step on, not before: until then the terminal is free for a question (a token's PIN),
    # which a live display redrawing its line would erase.
    bar = Progress(*columns, console=console, transient=True)
    tasks: dict[str, TaskID] = {}

    def update(label: str, done: int, total: int) -> None:
        if not tasks:
            bar.start()
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total)
        bar.update(tasks[label], completed=done)

    try:
        yield update
    finally:
        bar.stop()


def _run(step, verbose: bool):
    handler = _log_handler()
    handler.addFilter(_visible_record)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s", handlers=[handler])
    # WeasyPrint's own progress lines are noise for a clerk; its warnings still
    # reach our log (and are judged by pipeline.render.pdf).
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    try:
        return step()
    except PipelineError as exc:
        if isinstance(exc, InvalidDataError) and isinstance(exc.validation, Validation):
            _print_validation(exc.validation, exc.issues_file)
        console.print(f"[red bold]Lỗi:[/] {shown(exc)}")
        sys.exit(exc.exit_code)


def _print_documents(names: tuple[str, ...]) -> None:
    """Top-level documents one per line; a folder of per-unit documents as one count."""
    folders: dict[str, tuple[int, str]] = {}
    for name in names:
        found = find(name)
        if found is not None and found[0].counted:
            count, words = folders.get(found[0].folder, (0, found[0].counted))
            folders[found[0].folder] = (count + 1, words)
        else:
            console.print(f"  - {shown(name)}")
    for folder, (count, words) in folders.items():
        console.print(f"  - {folder}/: {count} tệp {words}")


LEDGER_SHOWN = 30  # skipped or refused entries listed on the console; data/tep-nhan.json has them all


def _print_ledger(validation: Validation) -> None:
    """One line of counts for the input folder, then every entry not read, with why."""
    if not validation.ledger:
        return
    n = ledger_counts(validation.ledger)
    console.print(f"Thư mục biểu mẫu: {n['read']} tệp đã đọc, {n['skipped']} bỏ qua, {n['refused']} bị từ chối "
                  f"(danh sách: {LEDGER_DATA.path()}).")
    unread = [row for row in validation.ledger if row.status != "read"]
    for row in unread[:LEDGER_SHOWN]:
        line = Text("  - ")
        line.append(row.path, style="bold")
        line.append(f" ({'bỏ qua' if row.status == 'skipped' else 'từ chối'}): {row.reason}")
        console.print(line)
    if len(unread) > LEDGER_SHOWN:
        console.print(f"  … và {len(unread) - LEDGER_SHOWN} mục khác")


WARNINGS_SHOWN = 40  # open warnings listed on the console; data/kiem-tra.json and the status page have them all


def _print_validation(validation: Validation, issues_file: Path | None = None) -> None:
    """The year's counts and its issues: every error, and the first WARNINGS_SHOWN open warnings when
    `issues_file` has them all (a country's year has hundreds, which buried the errors and the result)."""
    _print_ledger(validation)
    report = validation.report
    counts = {s: sum(1 for v in validation.status.values() if v == s) for s in labels.STATUS}
    summary = ", ".join(f"{n} {labels.STATUS[s]}" for s, n in counts.items() if n)
    console.print(f"Năm {validation.year}: {len(validation.status)} đơn vị: {summary}.")
    if not report.issues:
        console.print("[green]Không có lỗi hay cảnh báo.[/]")
        return
    listed, left = _listed(report.issues, WARNINGS_SHOWN if issues_file is not None else None)
    explained = f" ({len(report.explained)} cảnh báo đã giải trình)" if report.explained else ""
    table = Table(title=f"{len(report.errors)} lỗi, {len(report.warnings)} cảnh báo{explained}", show_lines=False)
    # "Mã lỗi": the rule id, as kiem-tra.json and the issue reference (docs) name it.
    for column in ("Tệp", "Đơn vị", "Trang", "Ô", "Mức", "Mã lỗi", "Nội dung"):
        table.add_column(column, overflow="fold")
    for issue in listed:
        table.add_row(shown(issue.file), shown(issue.unit), shown(issue.sheet), shown(issue.cell),
                      f"[{SEVERITY_COLOURS[issue.severity]}]{labels.SEVERITY[issue.severity]}[/]", shown(issue.rule),
                      shown(issue.said()))
    console.print(table)
    if left:
        console.print(f"  … và {left} cảnh báo khác, đủ cả trong {shown(issues_file)} và trang tình hình "
                      f"({SITE_PAGE.path()})")


def _listed(issues: tuple[Issue, ...], warnings: int | None) -> tuple[list[Issue], int]:
    """The issues for the console's table, in order: every error, and at most `warnings` of the others
    (all when None); and how many were left out."""
    if warnings is None:
        return list(issues), 0
    listed, others = [], 0
    for issue in issues:
        others += not issue.is_error
        if issue.is_error or others <= warnings:
            listed.append(issue)
    return listed, max(others - warnings, 0)
