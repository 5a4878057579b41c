"""The status page's section on distribution: the published register read against the folder.

Pure. `published_view` turns data/so-gui.json (as `distribution.register`
publishes it) and the year folder's current checksums into the lines the page
shows: one per recipient, and, below a size limit, one per document sent,
marked when the document was made again after its bundle. It reads the
published register, not the sent log, so the page is right whichever command
wrote it last; it sits with the page's other builders (site, listing).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.core import vi
from pipeline.core.catalogue import KIND_LABELS, Kind, find
from pipeline.core.distribution.register import STATUS_TEXT, SendingStatus, local_time

MAX_ROWS_ON_PAGE = 500  # above this the page lists recipients only; the workbook has every row


@dataclass(frozen=True)
class RecipientLine:
    name: str
    addresses: str
    files: str
    zip: str  # href of the bundle's zip, or ""
    status: SendingStatus  # the CSS class beside the text
    status_text: str


@dataclass(frozen=True)
class RegisterLine:
    number: str
    label: str  # short: "Thông báo: Đảng bộ quận Hồng Bàng"; the title is in the workbook
    title: str
    doc_number: str
    date: str
    file: str
    href: str  # the file's link, "" when the bundle is a zip only
    sha256: str
    status: SendingStatus
    status_text: str
    detail: str  # when and under which Message-ID, or why not
    stale: bool


@dataclass(frozen=True)
class RegisterGroup:
    """One recipient's rows of the register."""

    anchor: str
    name: str
    addresses: str
    rows: tuple[RegisterLine, ...]


@dataclass(frozen=True)
class RegisterView:
    summary: str
    stale_note: str
    workbook: str  # href of the XLSX register, or ""
    recipients: tuple[RecipientLine, ...]
    groups: tuple[RegisterGroup, ...]
    rows_note: str


def published_view(raw: bytes | None, digests: Mapping[str, str]) -> RegisterView | None:
    """The section for a published data/so-gui.json; none if there is none or it cannot be read."""
    if not raw:
        return None
    try:
        return register_view(json.loads(raw), digests)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a register edited by hand: the page goes without it; make distribute writes it anew


def register_view(data: dict[str, Any], digests: Mapping[str, str]) -> RegisterView:
    """The published register against the folder's current files (`digests`: name → SHA-256)."""
    rows = data.get("rows", [])
    recipients = data.get("recipients", [])
    stale = {r["document"] for r in rows if digests.get(r["document"]) != r["document_sha256"]}
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUS_TEXT}
    by_mail = len(rows) - counts["paper"]
    summary = (f"Đã chuẩn bị {vi.number(len(recipients))} bộ văn bản ({vi.number(len(rows))} tệp). "
               f"Gửi thư điện tử: đã gửi {vi.number(counts['sent'])}/{vi.number(by_mail)} tệp"
               + (f", gửi lỗi {vi.number(counts['failed'])}" if counts["failed"] else "")
               + (f", chưa rõ đã gửi hay chưa {vi.number(counts['uncertain'])}" if counts["uncertain"] else "")
               + (f"; {vi.number(counts['paper'])} tệp gửi bản giấy" if counts["paper"] else "") + ".")
    stale_note = (f"{vi.number(len(stale))} văn bản đã được lập lại sau khi chuẩn bị gửi (đánh dấu «đã lập lại» "
                  "bên dưới): chạy make distribute để cập nhật các bộ văn bản và sổ gửi." if stale else "")
    groups: tuple[RegisterGroup, ...] = ()
    if len(rows) <= MAX_ROWS_ON_PAGE:
        groups = tuple(RegisterGroup(
            f"gui-{r['code']}", r["name"], ", ".join(r["addresses"]) or "chưa có địa chỉ thư",
            tuple(_line(row, row["document"] in stale, digests) for row in rows if row["recipient"] == r["code"]),
        ) for r in recipients)
    note = "" if groups or not rows else f"Sổ có {vi.number(len(rows))} dòng: xem đầy đủ trong tệp XLSX."
    workbook = data.get("workbook", "")
    return RegisterView(summary, stale_note, workbook if workbook in digests else "",
                        tuple(_recipient_line(r, rows, digests) for r in recipients), groups, note)


def _recipient_line(recipient: dict[str, Any], rows: list[dict[str, Any]], digests: Mapping[str, str]) -> RecipientLine:
    own = [r for r in rows if r["recipient"] == recipient["code"]]
    statuses = {r["status"] for r in own}
    worst: tuple[SendingStatus, ...] = ("uncertain", "failed")
    status: SendingStatus = next(iter(statuses)) if len(statuses) == 1 else next(
        (s for s in worst if s in statuses), "partial")
    return RecipientLine(
        recipient["name"], ", ".join(recipient["addresses"]) or "—", vi.number(recipient["files"]),
        recipient["zip"] if recipient["zip"] in digests else "",
        status, STATUS_TEXT[status],
    )


def _label(row: dict[str, Any]) -> str:
    """"Thông báo: Đảng bộ quận Hồng Bàng (PDF)": the kind, whom it is about, the format."""
    fmt = row["document"].rpartition(".")[2].upper()
    found = find(row["document"])
    kind = KIND_LABELS[found[0].kind] if found else KIND_LABELS[Kind.REPORT]
    if found is None or not found[0].per_unit:
        return f"{kind} ({fmt})"
    about = row["title"].rpartition(": ")[2]
    return f"{kind}: {about} ({fmt})"


def _line(row: dict[str, Any], stale: bool, digests: Mapping[str, str]) -> RegisterLine:
    if row["status"] == "uncertain":
        detail = (f"{row['error']}; Message-ID {', '.join(row['message_ids'])}. Hỏi nơi nhận đã nhận chưa; chỉ gửi "
                  f"lại khi chưa nhận: make distribute SEND=1 RESEND={row['recipient']}")
    elif row["status"] in ("sent", "partial"):
        detail = f"{local_time(row['sent_at'])}, Message-ID {', '.join(row['message_ids'])}"
    else:
        detail = row["error"]
    return RegisterLine(
        str(row["number"]), _label(row), row["title"], row["doc_number"] or "—",
        vi.short_date(dt.date.fromisoformat(row["date"])) if row["date"] else "—",
        row["file"], row["file"] if row["file"] in digests else "", row["sha256"], row["status"],
        row["status_text"], detail, stale,
    )
