"""The distribution register (sổ gửi văn bản): one row per document per recipient.

Pure. Each row says what was sent, under which number and date, to whom, which
file with which SHA-256, and whether, when and under which Message-ID it was
sent, read from the bundles and the sent log (`sent`). `register_data` is its
published form (data/so-gui.json), which the XLSX register and the status
page's section (pipeline.core.documents.register_view) are made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pipeline.core.catalogue import KIND_LABELS, SIGNED_PDF, bundle_folder
from pipeline.core.distribution.bundles import Bundle
from pipeline.core.distribution.sent import SentLog

SendingStatus = Literal["sent", "partial", "failed", "uncertain", "pending", "paper"]  # of a register row
STATUS_TEXT: dict[SendingStatus, str] = {
    "sent": "đã gửi",
    "partial": "đã gửi một phần",
    "failed": "gửi lỗi",
    "uncertain": "chưa rõ đã gửi hay chưa",
    "pending": "chưa gửi",
    "paper": "gửi bản giấy",
}


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
    kind: str = ""  # what the document is, in words ("Phiếu kiểm tra", "Công văn đôn đốc"): feedback and final alike
    signature: str = ""  # who signed the copy sent, and when (make sign); "" when it was sent unsigned

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
                "; ".join(dict.fromkeys(e.error for e in failed)), KIND_LABELS[d.document.kind],
                d.document.signature if SIGNED_PDF.match(d.source) else "",
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
