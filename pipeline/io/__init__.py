"""The I/O shell: the only code that opens, reads or writes files."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks (it may be far bigger than memory should hold)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
