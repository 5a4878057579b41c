"""Documents' kept parts kept on disk as PDFs between runs (see pipeline.render.pdf_parts).

One file per document name in OUTPUT/.cache/phan-pdf/, the part of the document's last render only:
a rerun asks for the part it made last time, and any other key is a miss that replaces it. The
file's first line is JSON: the format and its version, the key's digest (the part's HTML, the page
it follows, stylesheet and library versions, with the digest of the whole pipeline package, so that
any change of code is a miss) and the SHA-256 of the rest, which is the part's PDF. A file that is
damaged, edited, of another format or key is a miss; one that cannot be written (read-only or full
disk) costs only time. Written to a temporary name then renamed: a concurrent run never sees half a part.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import PDF_PART_CACHE
from pipeline.io import package_digest
from pipeline.io.parsed import write_entry

log = logging.getLogger("pipeline")
FORMAT, VERSION = "nq28-phan-pdf", 1


@dataclass(frozen=True)
class PdfPartStore:
    """Kept parts in `folder`, one per document name (see pipeline.render.pdf_parts.PdfParts)."""

    folder: Path

    def get(self, document: str, key: str) -> bytes | None:
        try:
            with self._path(document).open("rb") as stream:
                head_line, data = stream.read().split(b"\n", 1)
            head = json.loads(head_line)
        except (OSError, ValueError):  # missing or damaged in any way: a miss, never an error
            return None
        return data if head == _head(key, data) else None

    def put(self, document: str, key: str, pdf: bytes) -> None:
        path = self._path(document)
        try:
            write_entry(path, json.dumps(_head(key, pdf)).encode() + b"\n" + pdf)
        except OSError as exc:
            log.debug("Không ghi được bộ nhớ đệm phần văn bản %s: %s", path, exc)

    def _path(self, document: str) -> Path:
        return self.folder / f"{hashlib.sha256(document.encode()).hexdigest()}.part"


def _head(key: str, data: bytes) -> dict[str, object]:
    """The head line an entry of `key` with these bytes has."""
    return {"format": FORMAT, "version": VERSION,
            "key": hashlib.sha256(f"{package_digest()}\0{key}".encode()).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest()}


def pdf_part_store(output_root: Path) -> PdfPartStore:
    """The store of kept parts under OUTPUT."""
    return PdfPartStore(output_root / PDF_PART_CACHE)
