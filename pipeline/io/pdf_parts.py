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
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import PDF_PART_CACHE
from pipeline.io.kept import code_key, read_kept, write_kept

FORMAT, VERSION = "nq28-phan-pdf", 1


@dataclass(frozen=True)
class PdfPartStore:
    """Kept parts in `folder`, one per document name (see pipeline.render.pdf_parts.PdfParts)."""

    folder: Path

    def get(self, document: str, key: str) -> bytes | None:
        kept = read_kept(self._path(document))
        return kept[1] if kept is not None and kept[0] == _head(key, kept[1]) else None

    def put(self, document: str, key: str, pdf: bytes) -> None:
        write_kept(self._path(document), _head(key, pdf), pdf, "phần văn bản")

    def _path(self, document: str) -> Path:
        return self.folder / f"{hashlib.sha256(document.encode()).hexdigest()}.part"


def _head(key: str, data: bytes) -> dict[str, object]:
    """The head line an entry of `key` with these bytes has."""
    return {"format": FORMAT, "version": VERSION,
            "key": code_key(key),
            "sha256": hashlib.sha256(data).hexdigest()}


def pdf_part_store(output_root: Path) -> PdfPartStore:
    """The store of kept parts under OUTPUT."""
    return PdfPartStore(output_root / PDF_PART_CACHE)
