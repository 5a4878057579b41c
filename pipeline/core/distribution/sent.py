"""The log of what was sent, and the state journal's records replayed into it.

Pure. The sent log holds one entry per (file checksum, recipient, address):
a document that changes has a new checksum and is due again, an unchanged one
is never sent twice to the same address. A success is never overwritten; an
uncertain sending (the server may have accepted it) is overwritten only by a
success, a plain failure by anything. An uncertain one is never due again
unless the user names it (`resend`). `replay` rebuilds the log from the state
journal's records (pipeline.io.journal).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipeline.core.distribution.bundles import Bundle, Delivery


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
