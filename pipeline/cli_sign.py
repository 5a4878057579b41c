"""What make sign and make verify print: the signed copies, and a table of verdicts (one row per file)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.core.text import visible
from pipeline.io.signing import Checked
from pipeline.sign import VIETNAM, Signing, Verification


def _shown(value: object) -> str:
    return escape(visible(str(value)))


def print_signing(console: Console, outcome: Signing) -> None:
    console.print(f"[green]Đã ký số {len(outcome.files)} văn bản năm {outcome.year}[/] lúc "
                  f"{outcome.when.isoformat()} (giờ Việt Nam), vào {_shown(outcome.folder)}.")


def _when(checked: Checked) -> str:
    """The signing time the signer's machine wrote, and the time-stamping server's when there is one."""
    told = checked.when.isoformat() if checked.when else ""
    if checked.timestamped is None:
        return told
    return f"{told} (dấu thời gian: {checked.timestamped.astimezone(VIETNAM).isoformat()})".lstrip()


def print_verification(console: Console, outcome: Verification) -> None:
    table = Table(title=f"Kiểm tra chữ ký số năm {outcome.year} ({_shown(outcome.folder)})")
    for column in ("Tệp", "Người ký", "Thời gian ký", "Kết quả"):
        table.add_column(column, overflow="fold")
    for verdict in outcome.verdicts:
        who = "\n".join(_shown(c.signer) for c in verdict.signatures)
        when = "\n".join(_when(c) for c in verdict.signatures)
        result = "[green]Hợp lệ[/]" if verdict.ok else "[red]Không hợp lệ:[/] " + _shown("; ".join(verdict.problems))
        table.add_row(_shown(verdict.name), who, when, result)
    console.print(table)
    if outcome.failed:
        console.print(f"[red bold]{len(outcome.failed)}/{len(outcome.verdicts)} bản ký số không hợp lệ.[/]")
    else:
        console.print(f"[green]Cả {len(outcome.verdicts)} bản ký số đều hợp lệ.[/]")
