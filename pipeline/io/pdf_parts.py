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

from pathlib import Path

from pipeline.core.catalogue import PDF_PART_CACHE
from pipeline.io.kept import KeptFiles

FORMAT, VERSION = "nq28-phan-pdf", 1


def pdf_part_store(output_root: Path) -> KeptFiles:
    """The store of kept parts under OUTPUT (see pipeline.render.pdf_parts)."""
    return KeptFiles(output_root / PDF_PART_CACHE, FORMAT, VERSION, "phần văn bản")
