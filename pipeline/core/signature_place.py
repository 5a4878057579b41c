"""Where a document's signature block lies, as the PDF renderer records it and make sign reads it.

The renderer knows, from the laid-out boxes, the blank space of the signature
block: between the bottom of the signer's position line ("TRƯỞNG BAN") and the
top of the name line, as wide as the signature column. It writes that place
into the PDF's document information dictionary under `INFO_KEY`, as text:
the page index and the rectangle in PDF points, origin bottom-left (as pyHanko
places fields), e.g. "2 311.81 545.33 538.58 628.20". The PDF stays
self-describing (no file beside it to lose) and deterministic (same layout,
same text). The key has no XMP counterpart, so PDF/A-2b copies carry it too.
"""

from __future__ import annotations

from dataclasses import dataclass

INFO_KEY = "NQ28SignatureBlock"  # letters and digits only: WeasyPrint keeps only those of a custom key
DIGITS = 2  # hundredths of a point: finer than any placement needs, and the same text on every run


@dataclass(frozen=True)
class Place:
    """A page index and a rectangle (x0, y0, x1, y1) in PDF points, origin bottom-left."""

    page: int
    box: tuple[float, float, float, float]

    def text(self) -> str:
        return " ".join([str(self.page), *(f"{v:.{DIGITS}f}" for v in self.box)])


def read(text: str) -> Place | None:
    """The place `text` records; None when it is not one (damaged, or written by another tool)."""
    parts = text.split()
    if len(parts) != 5:
        return None
    try:
        page, x0, y0, x1, y1 = int(parts[0]), *(float(p) for p in parts[1:])
    except ValueError:
        return None
    if page < 0 or not (x0 < x1 and y0 < y1):
        return None
    return Place(page, (x0, y0, x1, y1))
