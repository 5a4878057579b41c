"""Stat stamps of a published year folder: a rerun knows a reused file is unchanged without hashing it.

A rerun reuses a published document only while its bytes are those SHA256SUMS
lists (a clerk may have edited it since). Hashing the ~10,000 files of a
national folder costs every rerun ~0.8 s. Instead, each run that publishes
records, for the files it wrote or verified, their stat (device, inode, size,
mtime, ctime, all to the nanosecond) beside the digest they were published
with, in OUTPUT/.cache/da-cong-bo/<year>.json. The next run takes a file whose
stat is exactly the recorded one as having the recorded digest (when SHA256SUMS
still lists that digest), and hashes any other file.

Why an equal stat means equal bytes: every write to a file, and every change
of its times (touch, utime: the way an edit would hide itself), sets its ctime
to the current time, which no program can set back; a file replaced by
another has another inode or a later ctime. Two rules close the gaps:

- Racy stamps. Filesystems stamp times from a clock that advances in ticks
  (a few ms; seconds on some): a write in the very tick of the stat could
  leave ctime as it was. A stamp is kept only if the file's ctime is strictly
  older than a probe file made just before the stats, so any later write
  gets a later ctime. The others are hashed on the next run.
- Changes during the run. Publishing links and unlinks the files, which sets
  their ctime too, so the stamps are taken after the swap. A file is stamped
  only if its device, inode, size and mtime are still those it had when this
  run wrote or verified it.

What is left is an edit that keeps size and mtime (touch -r), made to a
published file during the seconds between the run verifying it and the end
of that run. Files carried over unread (a command's run that does not own
them) are never stamped: they keep their published digest even when altered.
The record is a cache: damaged, missing or unwritable, it only costs hashing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import stat
import tempfile
from pathlib import Path

log = logging.getLogger("pipeline")
FOLDER = Path(".cache") / "da-cong-bo"  # under OUTPUT, never published
Identity = tuple[int, int, int, int]  # device, inode, size, mtime_ns: what a run saw of a file it staged
_DIGEST = re.compile(r"[0-9a-f]{64}")


def identity(status: os.stat_result) -> Identity:
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def _stamp(status: os.stat_result) -> tuple[int, ...]:
    return (*identity(status), status.st_ctime_ns)


class Stamps:
    """The stamps recorded for one year folder, and what this run saw of the files it stages."""

    def __init__(self, output_root: Path, year: int) -> None:
        self.path = output_root / FOLDER / f"{year}.json"
        self.recorded = _load(self.path)
        self.seen: dict[str, Identity] = {}

    def digest(self, name: str, status: os.stat_result) -> str | None:
        """The digest recorded for `name` if `status` is exactly the stamp recorded with it, else None."""
        entry = self.recorded.get(name)
        return entry[1] if entry is not None and stat.S_ISREG(status.st_mode) and entry[0] == _stamp(status) else None

    def saw(self, name: str, status: os.stat_result) -> None:
        """This run wrote or verified `name` (by its digest) when it had `status`."""
        self.seen[name] = identity(status)

    def record(self, folder: Path, digests: dict[str, str]) -> None:
        """Stamp the files of the published `folder` this run saw unchanged since, with their digests."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
        except OSError as exc:
            log.debug("stamps not recorded: %s", exc)
            return
        try:
            with os.fdopen(fd, "w", encoding="ascii") as stream:
                probe = os.fstat(stream.fileno())  # the clock's tick now: newer ctimes are racy
                entries = {}
                for name, seen in self.seen.items():
                    with contextlib.suppress(OSError):
                        now = os.stat(folder / name, follow_symlinks=False)
                        if (name in digests and identity(now) == seen and now.st_dev == probe.st_dev
                                and stat.S_ISREG(now.st_mode) and now.st_ctime_ns < probe.st_ctime_ns):
                            entries[name] = [*_stamp(now), digests[name]]
                json.dump(entries, stream, separators=(",", ":"), sort_keys=True)
            os.replace(temporary, self.path)
        except OSError as exc:
            log.debug("stamps not recorded: %s", exc)
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _load(path: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    """name → (stamp, digest) as recorded; anything not exactly of that shape is left out."""
    try:
        raw = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    found = {}
    for name, entry in raw.items():
        if (isinstance(entry, list) and len(entry) == 6 and all(type(v) is int for v in entry[:5])
                and isinstance(entry[5], str) and _DIGEST.fullmatch(entry[5])):
            found[name] = (tuple(entry[:5]), entry[5])
    return found
