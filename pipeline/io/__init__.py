"""The I/O shell: the only code that opens, reads or writes files."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks (it may be far bigger than memory should hold)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/


def source_digest(*names: str, package: Path = PACKAGE) -> hashlib._Hash:
    """SHA-256 over the source of `names` under `package` (files, or folders whole: each .py file's
    path and bytes), to continue with whatever else a key holds."""
    digest = hashlib.sha256()
    for name in names:
        root = package / name
        files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts) if root.is_dir() else [root]
        for path in files:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest


@functools.cache
def package_digest() -> str:
    """The whole `pipeline` package's `source_digest`: a key part for what code outside pipeline/render
    makes, so that any change to the code makes it again."""
    return source_digest(".").hexdigest()
