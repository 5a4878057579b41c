"""Sending the bundles by e-mail, with the state journal as the record of what was sent.

Each letter is journalled "sending" in the state folder (pipeline.io.journal,
outside OUTPUT) before DATA and closed with its outcome after the server's
final reply. A letter whose outcome is unknown (no reply after the final dot,
the run killed, the disk full) is never sent again unless the user names it
(`resend`); a failure before DATA is retried on the next run. What an older
version recorded in the year folder (data/da-gui.json, per-run journals) is
carried into the state journal.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import SENT_LOG
from pipeline.core.distribution.bundles import Bundle, Letter, letter, parts
from pipeline.core.distribution.sent import Sending, SentLog, pending, replay, uncertain_letters, unknown_tokens
from pipeline.errors import ConfigError, SourceError
from pipeline.io.journal import JournalError, StateJournal
from pipeline.io.mail.errors import MailError, MessageRefused, Uncertain
from pipeline.io.mail.letters import mime
from pipeline.io.mail.session import Session
from pipeline.io.publish import Staging
from pipeline.published import Contents
from pipeline.runner import Progress
from pipeline.settings import DistributionFile, Settings

LEGACY_JOURNAL = ".{year}.nhat-ky-gui-*.jsonl"  # older versions' per-run journals, beside the year folder
SEND_LABEL = "Gửi thư"


@dataclass(frozen=True)
class Failure:
    recipient: str
    addresses: tuple[str, ...]
    reason: str
    uncertain: bool = False  # the server may have accepted it: not sent again unless asked


class Post:
    """The letters of one distribute run: what is due, sending it, and what became of each."""

    def __init__(self, settings: Settings, config: DistributionFile, year: int, output_root: Path,
                 mailer: Session | None, clock: Callable[[], dt.datetime], journal: StateJournal,
                 resend: tuple[str, ...], progress: Progress | None = None, feedback: bool = False) -> None:
        self.settings, self.config, self.year, self.output_root = settings, config, year, output_root
        self.feedback = feedback  # make feedback: the letters carry a unit's check, not the year's documents
        self.mailer, self.clock, self.journal, self.resend, self.progress = mailer, clock, journal, resend, progress
        self.legacy: list[Path] = []
        self.letters: tuple[Letter, ...] = ()
        self.failures: list[Failure] = []

    def done(self) -> None:
        """Published: the older versions' journals, carried into the state journal, can go."""
        if self.mailer is not None:
            for path in self.legacy:
                path.unlink(missing_ok=True)

    def sent_log(self, out: Staging) -> SentLog:
        """What earlier runs sent: the state journal, and what an older version recorded in OUTPUT
        (data/da-gui.json, its per-run journals), carried into the state journal when sending."""
        older = self._older_log(out)
        known = SentLog(replay(self.journal.read()))
        if self.mailer is not None:
            self.journal.open()
            carried = [e for key, e in older.entries.items()
                       if e.sent and not (key in known.entries and known.entries[key].sent)]
            if carried:
                self._append({"event": "import", "entries": [e.__dict__ for e in carried]},
                             "chưa gửi thư nào")
        for entry in older.entries.values():
            known.record(entry)
        unknown = unknown_tokens(known, self.resend)
        if unknown:
            listed = ", ".join(f"{u.recipient} ({u.message_id})" for u in uncertain_letters(known))
            raise ConfigError(f"RESEND={','.join(unknown)}: không có thư nào «chưa rõ đã gửi hay chưa» khớp (ghi mã "
                              "nơi nhận, địa chỉ thư hoặc Message-ID); "
                              + (f"các thư chưa rõ: {listed}" if listed else "hiện không có thư nào chưa rõ"))
        return known

    def _older_log(self, out: Staging) -> SentLog:
        published = out.published(SENT_LOG.path())
        try:
            entries = SentLog.from_dict(json.loads(published)) if published else SentLog()
        except ValueError as exc:
            raise SourceError(f"Tệp {out.target / SENT_LOG.path()} (nhật ký gửi thư) bị hỏng: {exc}; khôi phục tệp này "
                              "từ bản sao lưu trước khi gửi tiếp, để không gửi trùng") from exc
        self.legacy = sorted(self.output_root.glob(LEGACY_JOURNAL.format(year=self.year)))
        for path in self.legacy:
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entries.record(Sending(**json.loads(line)))
                except (ValueError, TypeError):
                    continue  # the half-written last line of a run that was killed
        return entries

    def _append(self, record: dict[str, object], consequence: str) -> None:
        try:
            self.journal.append(record)
        except OSError as exc:
            raise JournalError(f"Không ghi được sổ theo dõi gửi thư {self.journal.path} "
                               f"({exc.strerror or exc}): {consequence}; dừng gửi. Giải phóng chỗ trống trên đĩa "
                               "rồi chạy lại make distribute SEND=1") from exc

    def _letters(self, bundles: tuple[Bundle, ...], log: SentLog, contents: Contents) -> tuple[Letter, ...]:
        """The messages due: one per recipient, or several where its files exceed smtp.max_message_mb."""
        smtp = self.config.smtp
        sender = smtp.sender if smtp else "nq28.invalid"
        limit = (smtp.max_message_mb if smtp else 20) << 20
        letters = []
        for bundle in bundles:
            for addresses, due in pending(bundle, log, self.resend):
                size = {d.source: len(contents[d.source]) for d in due}
                groups = parts(due, size, limit)
                letters += [letter(bundle.recipient, addresses, group, self.settings, self.year, sender,
                                   (n, len(groups)), self.feedback) for n, group in enumerate(groups, start=1)]
        return tuple(letters)

    def due(self, bundles: tuple[Bundle, ...], contents: Contents, out: Staging) -> SentLog:
        """What was sent before, and the letters due now (not sent: a dry run)."""
        log = self.sent_log(out)
        self.letters = self._letters(bundles, log, contents)
        return log

    def send(self, bundles: tuple[Bundle, ...], contents: Contents, out: Staging) -> SentLog:
        """Send every letter due, recording each in the state journal; what is known sent, after."""
        assert self.mailer is not None and self.config.smtp is not None
        log = self.sent_log(out)
        self.letters = self._letters(bundles, log, contents)
        broken = ""  # once the server cannot be reached, the other letters fail at once with the same reason
        try:
            for done, item in enumerate(self.letters, start=1):
                broken = self._post(item, contents, log, broken)
                if self.progress is not None:
                    self.progress(SEND_LABEL, done, len(self.letters))
        finally:
            self.mailer.close()
        return log

    def _post(self, item: Letter, contents: Contents, log: SentLog, broken: str) -> str:
        """Send one letter under its deadline and record its outcome; returns why the server is unusable,
        if it is (unreachable, timing out, or it left a letter uncertain): the rest then wait for the next run."""
        assert self.mailer is not None and self.config.smtp is not None
        if broken:
            self._outcome(item, log, dict.fromkeys(item.addresses, broken))
            return broken
        message = mime(item, {d.attachment: contents[d.source] for d in item.deliveries}, self.config.smtp,
                       self.clock())
        journalled = False

        def sending() -> None:
            nonlocal journalled
            self._append({"event": "sending", "id": item.message_id, "recipient": item.recipient.code,
                          "addresses": list(item.addresses), "time": self._now(),
                          "files": [[d.sha256, d.attachment] for d in item.deliveries]},
                         f"chưa gửi thư tới {item.recipient.name}")
            journalled = True

        unsure = opened = False
        with self.mailer.letter():
            try:
                self.mailer.open()
                opened = True
                refused = self.mailer.send(message, item.addresses, sending)
            except Uncertain as exc:
                refused, unsure = dict.fromkeys(item.addresses, str(exc)), True
                broken = f"Chưa gửi, vì thư trước đó không được máy chủ xác nhận: {exc}"
            except MessageRefused as exc:
                refused = dict.fromkeys(item.addresses, str(exc))
            except MailError as exc:  # a lost connection: the next letter reconnects; a timeout: stop trying
                refused = dict.fromkeys(item.addresses, str(exc))
                broken = str(exc) if exc.timeout or not opened else ""
        if journalled:
            self._close(item, refused, unsure)
        self._outcome(item, log, refused, unsure)
        return broken

    def _close(self, item: Letter, refused: dict[str, str], unsure: bool) -> None:
        """The letter's outcome in the state journal; if it cannot be written, the letter stays uncertain."""
        record: dict[str, object] = {"id": item.message_id, "time": self._now()}
        if unsure:
            record |= {"event": "uncertain", "error": refused[item.addresses[0]]}
        elif len(refused) == len(item.addresses):
            record |= {"event": "failed", "error": "; ".join(dict.fromkeys(refused.values()))}
        else:
            record |= {"event": "sent", "refused": refused}
        self._append(record, f"thư gửi {item.recipient.name} ({', '.join(item.addresses)}) được ghi là «chưa rõ đã "
                             "gửi hay chưa» và sẽ không tự gửi lại")

    def _outcome(self, item: Letter, log: SentLog, refused: dict[str, str], unsure: bool = False) -> None:
        when = self._now()
        for address in item.addresses:
            for d in item.deliveries:
                log.record(Sending(d.sha256, d.recipient.code, address, d.attachment, item.message_id, when,
                                   refused.get(address, ""), unsure))
        failed = tuple(a for a in item.addresses if a in refused)
        if failed:
            reasons = "; ".join(dict.fromkeys(refused[a] for a in failed))
            self.failures.append(Failure(item.recipient.name, failed, reasons, unsure))

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

