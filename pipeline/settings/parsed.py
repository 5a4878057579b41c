"""Big config files kept parsed, as JSON: a country's units.yaml and targets.yaml (3,321 communes, ~0.6 MB)
cost PyYAML ~0.8 s a run to build, and a clerk's `validate --file` waits for it.

An entry is the tree `loading._read_yaml` built (after the anchor guard and NFC), stored under
OUTPUT/.cache/cau-hinh/<reader>/ with <reader> a digest of the code that builds the tree (this
module, loading.py, the NFC it applies and the Unicode tables behind it, PyYAML's version and
whether it has libyaml, Python's version), named by the SHA-256 of the file's bytes. A changed
file or changed reading code can only miss: a stale tree cannot be served. JSON holds no code: a
damaged or foreign entry is a miss, read again. Only files of SMALLEST bytes or more are kept
(the small ones parse in a millisecond). Writing is best effort (a read-only or full disk only
costs the time); `write=False` (validate --file, which writes nothing) only reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

import yaml

CACHE_FOLDER = Path(".cache") / "cau-hinh"  # under OUTPUT
FORMAT = 1
SMALLEST = 32 << 10
KEEP = 16  # entries per reader: a year of config edits; the oldest used go first
_HERE = Path(__file__).resolve().parent


class Unsupported(ValueError):
    """A value JSON cannot hold exactly (YAML's !!binary, !!set): that file is not kept."""


def reader_digest() -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{yaml.__version__}\0{yaml.__with_libyaml__}\0{sys.version}\0"
                            f"{unicodedata.unidata_version}".encode())
    for path in (_HERE / "parsed.py", _HERE / "loading.py", _HERE.parent / "textnorm.py"):
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


class ParsedCache:
    """The parsed trees of one OUTPUT's config files, by the SHA-256 of each file's bytes."""

    def __init__(self, output_root: Path, write: bool = True) -> None:
        self.root = output_root / CACHE_FOLDER
        self.folder = self.root / reader_digest()
        self.write = write

    def get(self, raw: bytes) -> dict[str, Any] | None:
        """The tree built from `raw` before, or None."""
        path = self._entry(raw)
        try:
            stored = decode(path.read_bytes())
            if not isinstance(stored, dict) or stored.get("format") != FORMAT:
                return None
            tree = stored["tree"]
            if not isinstance(tree, dict):  # only mappings are kept: anything else is damage
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        if self.write:
            with contextlib.suppress(OSError):
                os.utime(path)  # used: the last to be removed
        return tree

    def put(self, raw: bytes, tree: Any) -> None:
        if not self.write:
            return
        try:
            text = json.dumps({"format": FORMAT, "tree": encode(tree)}, ensure_ascii=False)
        except (Unsupported, RecursionError):
            return
        path = self._entry(raw)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
            self._prune()
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _entry(self, raw: bytes) -> Path:
        return self.folder / f"{hashlib.sha256(raw).hexdigest()}.json"

    def _prune(self) -> None:
        """Other readers' folders go; of this reader's entries, the KEEP last used stay."""
        for other in self.root.iterdir():
            if other != self.folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)


# --- the tree as JSON: mappings with text keys and finite numbers as themselves, the rest tagged ----------
# A tag is a one-key object whose key starts with NUL, which no YAML key read from config has: "\0t" a date,
# "\0T" a datetime, "\0f" a float JSON cannot write (nan, inf), "\0d" a mapping with other keys (years).

def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"\0f": repr(value)}
    if isinstance(value, dt.datetime):
        return {"\0T": value.isoformat()}
    if isinstance(value, dt.date):
        return {"\0t": value.isoformat()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("\0") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"\0d": [[encode(k), encode(v)] for k, v in value.items()]}
    raise Unsupported(type(value).__name__)


def decode(text: str | bytes) -> Any:
    return json.loads(text, object_hook=_untag)


def _untag(found: dict[str, Any]) -> Any:
    if len(found) != 1:
        return found
    (tag, inner), = found.items()
    if not tag.startswith("\0"):
        return found
    if tag == "\0d":
        return dict(inner)
    if tag == "\0f":
        return float(inner)
    if tag == "\0T":
        return dt.datetime.fromisoformat(inner)
    if tag == "\0t":
        return dt.date.fromisoformat(inner)
    raise ValueError(f"unknown tag {tag!r}")
