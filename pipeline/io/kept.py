"""Files kept between runs under OUTPUT/.cache as one JSON head line and the bytes after it
(pipeline.io.sheet_parts, pipeline.io.pdf_parts, pipeline.io.chart_images): read and written whole or not at all, and
keyed with the digest of the whole pipeline package, so that any change of code is a miss."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.io import package_digest
from pipeline.io.parsed import write_entry

log = logging.getLogger("pipeline")


def code_key(key: str) -> str:
    """`key` with the code's digest: what a kept file's head holds as its key."""
    return hashlib.sha256(f"{package_digest()}\0{key}".encode()).hexdigest()


def read_kept(path: Path) -> tuple[object, bytes] | None:
    """The parsed head line of `path` and the bytes after it; None when it is missing or unreadable."""
    try:
        with path.open("rb") as stream:
            head_line, data = stream.read().split(b"\n", 1)
        return json.loads(head_line), data
    except (OSError, ValueError):  # missing or damaged in any way: a miss, never an error
        return None


def write_kept(path: Path, head: dict[str, object], data: bytes, what: str) -> None:
    """`head` as a JSON line, then `data`, as the file `path`; one that cannot be written (read-only or
    full disk) costs only time, and says so in the log's details (`what`: the cache's words)."""
    try:
        write_entry(path, json.dumps(head, ensure_ascii=False).encode() + b"\n" + data)
    except OSError as exc:
        log.debug("Không ghi được bộ nhớ đệm %s %s: %s", what, path, exc)


@dataclass(frozen=True)
class KeptFiles:
    """Bytes kept in `folder`, one file per name, the last key's only: `get` gives back the bytes put under exactly
    `key` with this code, else None (another key, format or version, a damaged or edited file). Entries are
    `format`/`version` files; `what` names them in the log."""

    folder: Path
    format: str
    version: int
    what: str

    def get(self, name: str, key: str) -> bytes | None:
        kept = read_kept(self._path(name))
        return kept[1] if kept is not None and kept[0] == self._head(key, kept[1]) else None

    def put(self, name: str, key: str, data: bytes) -> None:
        write_kept(self._path(name), self._head(key, data), data, self.what)

    def _path(self, name: str) -> Path:
        return self.folder / f"{hashlib.sha256(name.encode()).hexdigest()}.part"

    def _head(self, key: str, data: bytes) -> dict[str, object]:
        """The head line an entry of `key` with these bytes has."""
        return {"format": self.format, "version": self.version, "key": code_key(key),
                "sha256": hashlib.sha256(data).hexdigest()}
