"""The read-workbook cache: a workbook read and checked before, with the same bytes, config and code, is not read again.

Reading a form (the hostile-file screen, calamine, the parse) and running its
own checks (`validate.check_file`) is most of a rerun's reading time; hashing
its bytes is a small part of it. An entry's key covers everything the result
depends on, so a stale entry cannot be served:

- the SHA-256 of the bytes read (never a date or a size), the name the file
  is shown under (every issue names it, and it says the year folder) and its
  suffix (which reader opens it);
- the reading settings: the text policy (the font's drawable characters, the
  longest text a cell may hold);
- the whole config as loaded (`config_digest`): the checks read units,
  indicators, rules, the year's deadline;
- the code (`code_version`): every source file of the reader, the parser, the
  checks and the config models (`READER_CODE`; tests/test_workbook_cache.py
  checks that it holds all they import), the versions of the libraries they
  use, and Python's.

Entries are JSON (`pipeline.io.entries`), never pickles: loading one runs no
code. Each is one file in OUTPUT/.cache/bieu-mau/<code version>/, named by its
key and written to a temporary name then renamed, so that concurrent runs never
see half an entry. Its first line names the format and its version, the key and
the SHA-256 of the second line, the entry itself: an entry that is damaged,
edited, of another format or another key, or that does not decode exactly, is
a miss and is read and written again. Folders of other code versions are
removed when entries are written. A cache that cannot be written (read-only or
full disk) only costs time; deleting it (or `make clean`) too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.core.catalogue import READ_CACHE
from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import check_file
from pipeline.core.text import TextPolicy
from pipeline.io import PACKAGE, source_digest
from pipeline.io.entries import decode, encode
from pipeline.io.excel import read_bytes, workbook_of
from pipeline.io.versions import library_versions
from pipeline.settings import Settings

log = logging.getLogger("pipeline")
FORMAT, VERSION = "nq28-bieu-mau", 1  # an entry's first line names them; a new layout of entries changes VERSION
CACHE_FOLDER = Path(READ_CACHE)  # under OUTPUT
# The reader, parser, checks and config models, with everything of this package they import (files, or folders whole).
READER_CODE = ("__init__.py", "errors.py", "expressions.py", "issues.py", "issue_types.py", "textnorm.py",
               "io/__init__.py", "io/entries.py", "io/excel.py", "io/fonts.py", "io/formulas.py", "io/inbox.py",
               "io/parsed.py", "io/versions.py", "io/screen", "core/__init__.py", "core/catalogue.py",
               "core/labels.py", "core/layout.py", "core/text.py", "core/vi.py", "core/steps", "settings")
LIBRARIES = ("python-calamine", "fonttools", "python-stdnum", "babel", "pydantic")
Read = Submission | Refusal


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code a read entry depends on: its source files, the libraries it uses, Python."""
    digest = source_digest(*READER_CODE, package=PACKAGE)
    digest.update(f"python={sys.version}\0{FORMAT} {VERSION}\0".encode())
    for name, version in library_versions(LIBRARIES).items():
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def policy_digest(policy: TextPolicy | None) -> str:
    """A digest of the reading settings: what the text policy lets through (None: no policy)."""
    if policy is None:
        return "none"
    digest = hashlib.sha256(f"{policy.family}\0{policy.max_length}\0".encode())
    if policy.drawable is None:
        digest.update(b"drawable=?")
    else:
        digest.update(array("I", sorted(policy.drawable)).tobytes())
    return digest.hexdigest()


def config_digest(settings: Settings | None) -> str:
    """A digest of the whole config as loaded, which the per-file checks read (None: no checks)."""
    return "none" if settings is None else hashlib.sha256(settings.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class ReadCache:
    """Read workbooks in `folder` (this code version's), under keys that start from `base` (settings, config)."""

    folder: Path
    base: str

    def key(self, sha256: str, name: str, suffix: str) -> str:
        return hashlib.sha256(f"{self.base}\0{sha256}\0{suffix}\0{name}".encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, sha256: str, name: str, suffix: str) -> Read | None:
        """The read stored under this key, or None: missing, unreadable, damaged, edited or not this key's."""
        key = self.key(sha256, name, suffix)
        try:
            with self.path(key).open("rb") as stream:
                head, body = stream.read().split(b"\n", 1)
            if json.loads(head) != _head(key, body):
                return None
            found = decode(json.loads(body))
        except (OSError, ValueError, TypeError, RecursionError):  # damaged in any way: a miss, never an error
            return None
        return found if _matches(found, sha256, name) else None

    def put(self, sha256: str, name: str, suffix: str, item: Read) -> None:
        """Store a read; a cache that cannot be written costs only time."""
        key = self.key(sha256, name, suffix)
        path = self.path(key)
        try:
            body = json.dumps(encode(item), ensure_ascii=False, separators=(",", ":")).encode()
            entry = json.dumps(_head(key, body)).encode() + b"\n" + body
            write_entry(path, entry)
        except (OSError, ValueError) as exc:  # ValueError: a value entries cannot hold exactly, text not UTF-8
            log.debug("Không ghi được bộ nhớ đệm biểu mẫu %s: %s", path, exc)

    def prune(self) -> None:
        """Remove the folders of other code versions: their entries can never be read again."""
        with contextlib.suppress(OSError):
            for other in self.folder.parent.iterdir():
                if other != self.folder and _is_digest(other.name) and other.is_dir() and not other.is_symlink():
                    shutil.rmtree(other, ignore_errors=True)
                    log.debug("Đã xóa bộ nhớ đệm biểu mẫu của phiên bản cũ: %s", other)


def _head(key: str, body: bytes) -> dict[str, object]:
    return {"format": FORMAT, "version": VERSION, "key": key, "sha256": hashlib.sha256(body).hexdigest()}


def _is_digest(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def write_entry(path: Path, data: bytes) -> None:
    """`data` as the file `path`, whole or not at all: written to a temporary name, then renamed (cache entries)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    except FileNotFoundError:  # the first entry of this code version: not asked for every entry (slow)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _matches(found: Read, sha256: str, name: str) -> bool:
    if isinstance(found, Submission):
        return found.sha256 == sha256 and found.file == name
    return found.sha256 == sha256 and found.path == name


def read_cache(output_root: Path, policy: TextPolicy | None, settings: Settings | None) -> ReadCache:
    """The cache of read workbooks under OUTPUT, for this code, these reading settings and this config."""
    base = hashlib.sha256(f"{policy_digest(policy)}\0{config_digest(settings)}".encode()).hexdigest()
    return ReadCache(output_root / CACHE_FOLDER / code_version(), base)


def cached(path: Path, name: str, cache: ReadCache) -> Read | None:
    """The read of the workbook's present bytes kept in `cache`, or None (see `read_checked`)."""
    data = read_bytes(path, name)
    if isinstance(data, Refusal):
        return None  # refused before reading: never kept
    return cache.get(hashlib.sha256(data).hexdigest(), name, path.suffix.lower())


def read_checked(path: Path, name: str, policy: TextPolicy | None, settings: Settings | None,
                 cache: ReadCache | None = None) -> Read:
    """One workbook read and parsed (see `excel.read_workbook`, `parse.parse_workbook`), with `settings` also
    checked (see `check_file`); from the cache when its bytes were read before under the same key.
    Never raises for a bad file."""
    data = read_bytes(path, name)
    if isinstance(data, Refusal):
        return data
    digest, suffix = hashlib.sha256(data).hexdigest(), path.suffix.lower()
    if cache is not None and (hit := cache.get(digest, name, suffix)) is not None:
        return hit
    raw = workbook_of(path, name, data, digest)
    if isinstance(raw, Refusal):
        read: Read = raw
    else:
        sub = parse_workbook(raw, policy)
        read = check_file(sub, settings) if settings is not None else sub
    if cache is not None and _unchanged(path, digest):
        cache.put(digest, name, suffix, read)
    return read


def _unchanged(path: Path, digest: str) -> bool:
    """Whether `path` still holds the bytes hashed: calamine opens the file by its path, so a file
    replaced while it was read is read again next time rather than kept under the old bytes' key."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False
