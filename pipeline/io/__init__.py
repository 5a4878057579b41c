"""The I/O shell: the only code that opens, reads or writes files."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks (it may be far bigger than memory should hold)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def package_digest() -> str:
    """SHA-256 over the source of the whole `pipeline` package (each file's path and bytes): a key part for
    what code outside pipeline/render makes, so that any change to the code makes it again."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
