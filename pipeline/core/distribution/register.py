"""The distribution register (sổ gửi văn bản) and the log of what was sent.

Pure. The sent log holds one entry per (file checksum, recipient, address):
a document that changes has a new checksum and is due again, an unchanged one
is never sent twice to the same address. A success is never overwritten; an
uncertain sending (the server may have accepted it) is overwritten only by a
success, a plain failure by anything. An uncertain one is never due again
unless the user names it (`resend`). `replay` rebuilds the log from the state
journal's records (pipeline.io.journal). The register is one row per
document per recipient: what, which number and date, to whom, which file with
which SHA-256, and whether, when and under which Message-ID it was sent.
`register_view` turns the published register into the status page section.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pipeline.core import vi
from pipeline.core.catalogue import KIND_LABELS, Kind, bundle_folder, find
from pipeline.core.distribution.bundles import Bundle, Delivery

SendingStatus = Literal["sent", "partial", "failed", "uncertain", "pending", "paper"]  # of a register row
STATUS_TEXT: dict[SendingStatus, str] = {
    "sent": "đã gửi",
    "partial": "đã gửi một phần",
    "failed": "gửi lỗi",
    "uncertain": "chưa rõ đã gửi hay chưa",
    "pending": "chưa gửi",
    "paper": "gửi bản giấy",
}
MAX_ROWS_ON_PAGE = 500  # above this the page lists recipients only; the workbook has every row


@dataclass(frozen=True)
class Sending:
    """One address's copy of one file: sent (no error) or the reason it was not."""

    sha256: str
    recipient: str
    address: str
    attachment: str
    message_id: str
    time: str  # ISO 8601, local time with its offset, to the second
    error: str = ""
    uncertain: bool = False  # the message may have reached the server: `error` says why it is not known

    @property
    def key(self) -> tuple[str, str, str]:
        return self.sha256, self.recipient, self.address.lower()

    @property
    def sent(self) -> bool:
        return not self.error

    @property
    def rank(self) -> int:
        return 2 if self.sent else 1 if self.uncertain else 0

    def named_by(self, token: str) -> bool:
        """Whether RESEND=`token` names this sending: its recipient's code, its address or its Message-ID."""
        token = token.strip().lower()
        message_id = self.message_id.lower()
        return bool(token) and (token in (self.recipient.lower(), self.address.lower(), message_id,
                                          message_id.strip("<>"))
                                or (len(token) >= 8 and message_id.startswith("<" + token)))


class SentLog:
    def __init__(self, entries: list[Sending] | tuple[Sending, ...] = ()) -> None:
        self.entries: dict[tuple[str, str, str], Sending] = {}
        for entry in entries:
            self.record(entry)

    def record(self, entry: Sending) -> None:
        old = self.entries.get(entry.key)
        if old is None or (not old.sent and entry.rank >= old.rank):
            self.entries[entry.key] = entry

    def uncertain(self) -> list[Sending]:
        return [e for e in self.entries.values() if e.uncertain and not e.sent]

    def get(self, delivery: Delivery, address: str) -> Sending | None:
        return self.entries.get((delivery.sha256, delivery.recipient.code, address.lower()))

    def is_sent(self, delivery: Delivery, address: str) -> bool:
        entry = self.get(delivery, address)
        return entry is not None and entry.sent

    def as_dict(self, year: int) -> dict[str, Any]:
        ordered = sorted(self.entries.values(), key=lambda e: (e.recipient, e.attachment, e.address, e.sha256))
        return {"year": year, "entries": [asdict(e) for e in ordered]}

    @classmethod
    def from_dict(cls, data: object) -> SentLog:
        """The published log; raises ValueError (with the reason) if it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            raise ValueError("thiếu danh sách «entries»")
        try:
            return cls([Sending(**entry) for entry in data["entries"]])
        except TypeError as exc:
            raise ValueError(f"một mục không đúng dạng ({exc})") from None


def pending(bundle: Bundle, log: SentLog,
            resend: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], tuple[Delivery, ...]]]:
    """The messages a bundle still needs: addresses that lack the same files share one message.
    A file whose sending is uncertain is due only when `resend` names it."""
    groups: dict[tuple[Delivery, ...], list[str]] = {}
    for address in bundle.recipient.emails:
        due = tuple(d for d in bundle.deliveries if _due(log.get(d, address), resend))
        if due:
            groups.setdefault(due, []).append(address)
    return [(tuple(addresses), due) for due, addresses in groups.items()]


def _due(entry: Sending | None, resend: tuple[str, ...]) -> bool:
    if entry is None:
        return True
    if entry.uncertain and not entry.sent:
        return any(entry.named_by(token) for token in resend)
    return not entry.sent


def unknown_tokens(log: SentLog, resend: tuple[str, ...]) -> list[str]:
    """The RESEND names that match no uncertain sending: a typo must not pass for "nothing to resend"."""
    uncertain = log.uncertain()
    return [t for t in resend if not any(e.named_by(t) for e in uncertain)]


@dataclass(frozen=True)
class UncertainLetter:
    """A message that may or may not have reached its recipient: listed until someone decides."""

    recipient: str
    message_id: str
    addresses: tuple[str, ...]
    attachments: tuple[str, ...]
    time: str
    reason: str


def uncertain_letters(log: SentLog) -> tuple[UncertainLetter, ...]:
    letters: dict[str, list[Sending]] = {}
    for entry in log.uncertain():
        letters.setdefault(entry.message_id, []).append(entry)
    return tuple(UncertainLetter(
        entries[0].recipient, message_id, tuple(dict.fromkeys(e.address for e in entries)),
        tuple(dict.fromkeys(e.attachment for e in entries)), max(e.time for e in entries), entries[0].error,
    ) for message_id, entries in sorted(letters.items(), key=lambda kv: (kv[1][0].recipient, kv[0])))


# --- the state journal's records -------------------------------------------------------

STOPPED = "chương trình dừng khi đang gửi thư này, chưa ghi được kết quả"


def replay(records: list[dict[str, Any]]) -> list[Sending]:
    """The journal's records, in order, as sendings.

    "sending" (written before DATA) opens a letter; "sent", "failed" or
    "uncertain" closes it. A letter left open (the run was killed, or the
    disk was full when its outcome was written) is uncertain. "import"
    carries entries of an older log (data/da-gui.json) into the journal.
    """
    entries: list[Sending] = []
    open_letters: dict[str, dict[str, Any]] = {}
    for record in records:
        event, letter_id = record.get("event"), record.get("id", "")
        if event == "import":
            entries += [Sending(**e) for e in record.get("entries", [])]
        elif event == "sending":
            if letter_id in open_letters:
                entries += _closed(open_letters.pop(letter_id), {"event": "uncertain", "error": STOPPED})
            open_letters[letter_id] = record
        elif event in ("sent", "failed", "uncertain") and letter_id in open_letters:
            entries += _closed(open_letters.pop(letter_id), record)
    for opened in open_letters.values():
        entries += _closed(opened, {"event": "uncertain", "error": STOPPED})
    return entries


def _closed(opened: dict[str, Any], outcome: dict[str, Any]) -> list[Sending]:
    refused = outcome.get("refused", {}) if outcome["event"] == "sent" else {}
    error = outcome.get("error", "") or STOPPED
    entries = []
    for address in opened["addresses"]:
        for sha256, attachment in opened["files"]:
            if outcome["event"] == "sent":
                entries.append(Sending(sha256, opened["recipient"], address, attachment, opened["id"],
                                       outcome.get("time", opened["time"]), refused.get(address, "")))
            else:
                entries.append(Sending(sha256, opened["recipient"], address, attachment, opened["id"],
                                       outcome.get("time", opened["time"]), error, outcome["event"] == "uncertain"))
    return entries


# --- the register -------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    number: int
    document: str  # the published document
    title: str
    doc_number: str
    date: dt.date | None
    recipient: str
    recipient_name: str
    addresses: tuple[str, ...]
    file: str  # the bundle's copy
    sha256: str
    document_sha256: str  # of the published document when the bundle was made
    status: SendingStatus
    sent_to: tuple[str, ...]
    sent_at: str  # the latest sending
    message_ids: tuple[str, ...]
    error: str

    @property
    def status_text(self) -> str:
        if self.status == "uncertain" and self.sent_to:
            return f"đã gửi {len(self.sent_to)}/{len(self.addresses)} địa chỉ, còn lại chưa rõ đã gửi hay chưa"
        if self.status == "partial":
            return f"đã gửi {len(self.sent_to)}/{len(self.addresses)} địa chỉ"
        if self.status == "paper":
            return "gửi bản giấy (chưa có địa chỉ thư)"
        return STATUS_TEXT[self.status]


def register_rows(bundles: tuple[Bundle, ...], log: SentLog) -> tuple[RegisterRow, ...]:
    rows: list[RegisterRow] = []
    for bundle in bundles:
        for d in bundle.deliveries:
            entries = [log.get(d, a) for a in bundle.recipient.emails]
            sent = [e for e in entries if e is not None and e.sent]
            failed = [e for e in entries if e is not None and not e.sent]
            unsure = [e for e in failed if e.uncertain]
            rows.append(RegisterRow(
                len(rows) + 1, d.document.name, d.document.title, d.document.number, d.document.date,
                d.recipient.code, d.recipient.name, d.recipient.emails, d.file, d.sha256, d.document.sha256,
                _status(len(bundle.recipient.emails), len(sent), len(failed), len(unsure)),
                tuple(e.address for e in sent), max((e.time for e in sent), default=""),
                tuple(dict.fromkeys(e.message_id for e in sent + unsure)),
                "; ".join(dict.fromkeys(e.error for e in failed)),
            ))
    return tuple(rows)


def _status(addresses: int, sent: int, failed: int, unsure: int = 0) -> SendingStatus:
    if not addresses:
        return "paper"
    if sent == addresses:
        return "sent"
    if unsure:
        return "uncertain"
    if sent:
        return "partial"
    return "failed" if failed else "pending"


def register_data(year: int, bundles: tuple[Bundle, ...], rows: tuple[RegisterRow, ...],
                  workbook: str) -> dict[str, Any]:
    """data/so-gui.json: the register for machines and for the status page."""
    recipients = [{
        "code": b.recipient.code, "name": b.recipient.name, "addresses": list(b.recipient.emails),
        "archive": b.recipient.archive, "folder": bundle_folder(b.recipient.slug) if b.folder else "",
        "zip": b.zip_file if b.zip else "", "files": len(b.deliveries),
    } for b in bundles]
    return {
        "year": year,
        "workbook": workbook,
        "recipients": recipients,
        "rows": [{**asdict(r), "date": r.date.isoformat() if r.date else None, "status_text": r.status_text}
                 for r in rows],
    }


def local_time(iso: str) -> str:
    """"2017-01-03T09:05:00+07:00" → "03/01/2017 09:05"."""
    if not iso:
        return ""
    moment = dt.datetime.fromisoformat(iso)
    return f"{moment:%d/%m/%Y %H:%M}"


# --- the status page section ----------------------------------------------------------


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
