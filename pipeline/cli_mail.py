"""The console's account of a distribute or feedback run: what was prepared, sent, failed, or is uncertain."""

from __future__ import annotations

from rich.table import Table

from pipeline.cli_vi import Console, shown
from pipeline.core.catalogue import BUNDLE_FILE, REGISTER_XLSX, bundle_folder
from pipeline.distribute import Distribution


def print_uncertain(console: Console, outcome: Distribution) -> None:
    """Letters that may or may not have arrived: listed on every run until someone decides."""
    if not outcome.uncertain:
        return
    names = {b.recipient.code: b.recipient.name for b in outcome.bundles}
    table = Table(title=f"[red]Chưa rõ đã gửi hay chưa: {len(outcome.uncertain)} thư[/] (không tự gửi lại)",
                  show_lines=True)
    for column in ("Nơi nhận (mã)", "Địa chỉ thư", "Tệp", "Message-ID, lý do"):
        table.add_column(column, overflow="fold")
    for item in outcome.uncertain:
        table.add_row(shown(f"{names.get(item.recipient, item.recipient)} ({item.recipient})"),
                      "\n".join(map(shown, item.addresses)), "\n".join(map(shown, item.attachments)),
                      shown(f"{item.message_id}\n{item.reason}"))
    console.print(table)
    example = outcome.uncertain[0].recipient
    console.print("Máy chủ thư có thể đã nhận các thư này. Hỏi nơi nhận đã nhận chưa; chỉ khi chưa nhận mới gửi lại "
                  f"đúng thư đó: make {outcome.command} SEND=1 RESEND={shown(example)} (mã nơi nhận, địa chỉ thư hoặc "
                  f"Message-ID). Sổ theo dõi: {shown(outcome.state)}.")


def print_distribution(console: Console, outcome: Distribution) -> None:
    files = sum(len(b.deliveries) for b in outcome.bundles)
    console.print(f"[green]Đã chuẩn bị {len(outcome.bundles)} bộ văn bản ({files} tệp) năm {outcome.year}[/] "
                  f"trong {shown(outcome.folder / BUNDLE_FILE.prefix)}; sổ gửi văn bản: "
                  f"{shown(outcome.folder / REGISTER_XLSX.path(year=outcome.year))}")
    paper = [b for b in outcome.bundles if not b.recipient.emails]
    for bundle in paper:
        console.print(f"  - Gửi bản giấy (chưa có địa chỉ thư): {shown(bundle.recipient.name)}, "
                      f"{len(bundle.deliveries)} tệp trong {shown(bundle_folder(bundle.recipient.slug))}")
    if not outcome.letters:
        console.print("Không có thư nào cần gửi: mọi văn bản đã gửi trước đó, không gửi lại.")
        return
    failed = {(f.recipient, a) for f in outcome.failures for a in f.addresses}
    unsure = {(f.recipient, a) for f in outcome.failures if f.uncertain for a in f.addresses}
    title = "Kết quả gửi thư" if outcome.sent else "Thư sẽ gửi (chạy thử, chưa gửi)"
    table = Table(title=f"{title}: {len(outcome.letters)} thư")
    for column in ("Nơi nhận", "Địa chỉ thư", "Số tệp"):
        table.add_column(column, overflow="fold")
    if outcome.sent:
        table.add_column("Kết quả")
    for item in outcome.letters:
        row = [shown(item.recipient.name), "\n".join(map(shown, item.addresses)), str(len(item.deliveries))]
        if outcome.sent:
            bad = [a for a in item.addresses if (item.recipient.name, a) in failed]
            row.append("[red]chưa rõ đã gửi hay chưa[/]" if (item.recipient.name, item.addresses[0]) in unsure else
                       "[red]lỗi[/]" if len(bad) == len(item.addresses) else
                       f"[yellow]lỗi {len(bad)}/{len(item.addresses)} địa chỉ[/]" if bad else "[green]đã gửi[/]")
        table.add_row(*row)
    console.print(table)
    if not outcome.sent:
        console.print(f"Chạy thử: chưa gửi thư nào. Để gửi: make {outcome.command} SEND=1 (dòng lệnh: --send); "
                      "tên đăng nhập, "
                      "mật khẩu máy chủ thư đặt trong biến môi trường NQ28_SMTP_USER, NQ28_SMTP_PASSWORD.")
    plain = [f for f in outcome.failures if not f.uncertain]
    if plain:
        # One row per reason: an unreachable server is one line, not one per recipient.
        by_reason: dict[str, list[str]] = {}
        for failure in plain:
            by_reason.setdefault(shown(failure.reason), []).append(
                shown(f"{failure.recipient} ({', '.join(failure.addresses)})"))
        failures = Table(title=f"[red]Gửi lỗi tới {len(plain)} nơi nhận[/]", show_lines=True)
        for column in ("Lý do", "Nơi nhận (địa chỉ thư)"):
            failures.add_column(column, overflow="fold", ratio=1)
        for reason, recipients in by_reason.items():
            failures.add_row(reason, "\n".join(recipients))
        console.print(failures)
        console.print("Văn bản gửi lỗi được ghi «gửi lỗi» trong sổ gửi văn bản; các nơi nhận khác vẫn được gửi. "
                      f"Sửa nguyên nhân rồi chạy lại make {outcome.command} SEND=1: chỉ những gì chưa gửi được mới "
                      "gửi lại.")
