"""The blank space of a laid-out document's signature block, from WeasyPrint's boxes.

The signature partial (templates/partials/signature.html.j2) writes the signer's
column as the position lines, an empty `signature-space` and the name line.
The place recorded (pipeline.core.signature_place) runs from the bottom of the
text of the last line above the space to the top of the text of the first line
below it, as wide as the column: where the wet signature goes, and where make
sign shows the digital one. WeasyPrint lays out in CSS pixels from the page's
top; PDF points are 3/4 of a pixel, counted from the page's bottom.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from weasyprint.formatting_structure.boxes import LineBox, TextBox

from pipeline.core.signature_place import Place

SPACE_CLASS = "signature-space"
POINTS_PER_PX = 0.75  # 72 points to the inch, 96 CSS pixels to the inch


def _classes(box: Any) -> list[str]:
    element = getattr(box, "element", None)
    return (element.get("class") or "").split() if element is not None and hasattr(element, "get") else []


def _with_parents(box: Any, parent: Any = None) -> Iterator[tuple[Any, Any]]:
    yield box, parent
    for child in getattr(box, "children", ()):
        yield from _with_parents(child, box)


def _texts(box: Any) -> Iterator[Any]:
    """The text boxes below `box`, in order."""
    if isinstance(box, TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _texts(child)


def _lines(box: Any) -> list[tuple[float, float]]:
    """(top, bottom) in CSS pixels of the text of each line below `box` that has any."""
    found = []
    for line in (b for b, _ in _with_parents(box) if isinstance(b, LineBox)):
        texts = [t for t in _texts(line) if t.text.strip()]
        if texts:
            found.append((min(t.position_y for t in texts), max(t.position_y + t.margin_height() for t in texts)))
    return found


def _space(space: Any, column: Any, page_height: float) -> tuple[float, float, float, float] | None:
    """The rectangle in PDF points between the lines around `space` in `column`."""
    siblings = list(column.children)
    at = siblings.index(space)
    above = [line for sibling in siblings[:at] for line in _lines(sibling)]
    below = [line for sibling in siblings[at + 1:] for line in _lines(sibling)]
    if not above or not below:
        return None
    top, bottom = above[-1][1], below[0][0]
    left, right = column.content_box_x(), column.content_box_x() + column.width
    return (left * POINTS_PER_PX, (page_height - bottom) * POINTS_PER_PX,
            right * POINTS_PER_PX, (page_height - top) * POINTS_PER_PX)


def signature_place(document: Any) -> Place | None:
    """Where the (last) signature block of a laid-out weasyprint.Document leaves room for the signature."""
    found = None
    for index, page in enumerate(document.pages):
        for box, parent in _with_parents(page._page_box):
            if parent is not None and SPACE_CLASS in _classes(box):
                rectangle = _space(box, parent, page.height)
                if rectangle is not None:
                    found = Place(index, rectangle)
    return found
