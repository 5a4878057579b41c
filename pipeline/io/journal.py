"""The state record of what was sent: one append-only journal per year, outside OUTPUT.

`make clean` deletes OUTPUT, and OUTPUT may be moved or made afresh; what
was sent must survive both, or the next `make distribute SEND=1` sends
everything again. So the record lives in a state folder of its own (by
default `.so-gui/` at the top of the project, `STATE=` / `--state`), as
JSON lines: each state change of a letter is one line, written with one
write() on an O_APPEND descriptor and fsynced before the caller goes on.
A line cut short by a crash is skipped when read, and the next append
starts on a fresh line. One sending run at a time holds an flock on the
file. What the records mean is pipeline.core.distribution.sent.replay's business.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from pipeline.errors import PipelineError

DEFAULT_STATE = Path(".so-gui")  # the state folder when STATE= / --state is not given

JOURNAL_FILE = "nhat-ky-gui-{year}.jsonl"


class JournalError(PipelineError):
    """The state journal cannot be written: sending stops."""


class StateJournal:
    def __init__(self, folder: Path, year: int) -> None:
        self.path = folder / JOURNAL_FILE.format(year=year)
        self.fd: int | None = None

    def read(self) -> list[dict[str, object]]:
        """Every record, in order; none if the journal does not exist yet."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        records: list[dict[str, object]] = []
        for line in raw.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the half-written line of a run that was killed or ran out of disk
            if isinstance(record, dict):
                records.append(record)
        return records

    def open(self) -> None:
        """Open for appending and take the lock; raises JournalError if it cannot."""
        if self.fd is not None:
            return
        try:
            created = not self.path.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(f"Không mở được sổ theo dõi gửi thư {self.path} ({exc.strerror}): chưa gửi thư nào") \
                from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise JournalError(f"Một lần gửi thư khác đang dùng sổ theo dõi {self.path}: chờ lần đó xong rồi chạy lại "
                               "(hai lần gửi cùng lúc có thể gửi trùng)") from exc
        self.fd = fd
        if created:
            _sync_folder(self.path.parent)

    def append(self, record: dict[str, object]) -> None:
        """One record, on disk when this returns; raises OSError (ENOSPC…) if not."""
        assert self.fd is not None, "open() first"
        data = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        size = os.fstat(self.fd).st_size
        if size and os.pread(self.fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # the last record was cut short: start a fresh line
        written = 0
        while written < len(data):
            written += os.write(self.fd, data[written:])
        os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
