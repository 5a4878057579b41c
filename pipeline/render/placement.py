"""Where a figure sits: further on, where it fits, rather than leaving a page part empty.

A browser (and WeasyPrint) keeps a figure that does not fit on the page whole by
pushing it to the next page, which leaves the rest of the page blank: a quarter of
page 1 of the report, under a sentence pointing at the chart. Print layout lets the
text that follows fill that space and puts the figure after it, as a float would.
WeasyPrint has no such floats, so the renderer does it: after laying out the document,
a block marked `flows-down` that opens a page after one left more than
`MAX_BLANK_SHARE` empty is moved past the next paragraph of the HTML, and the document
is laid out again. Only the document's body decides (`decisive`): an appendix starts a page
of its own (van-ban.css), so the pages before it are the same without it, and laying out the
body alone (3 pages of the report's 22) instead of the whole report made its PDF ~1 s quicker.
The renderer then keeps that layout and lays out only the rest (`appendices`) after it.
The text names the figure by its caption ("Biểu đồ 1"), which stays
true wherever it lands. Same HTML, same layout: the result is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MAX_BLANK_SHARE = 0.1  # of the page's content height left empty above a pushed figure (the sample left 18%)
MAX_MOVES = 8  # paragraphs a figure may move past (each move is one more layout)
FLOWS_DOWN = re.compile(r'<figure class="[^"]*\bflows-down\b[^"]*">.*?</figure>\n?', re.DOTALL)
PARAGRAPH_END = re.compile(r"</p>\n?")
# A figure stays in its part of the document: it moves past paragraphs and lower headings,
# never past a part heading, the signature or an appendix.
BARRIER = re.compile(r'<h2\b|<section\b|class="signature-block"')
LEAD_IN = '<p class="lead-in"'  # "Ưu điểm:" belongs with the paragraph after it
# Where the pages that can hold the figure end: an appendix, which van-ban.css starts on a new page.
PAGE_START = re.compile(r'<section class="[^"]*\bappendix\b')
BODY_END = "</body>"
BODY_START = re.compile(r"<body\b[^>]*>")
# Opens the appendices' own layout with a page of its own, which takes the first page's style
# (pdf.py drops it): an appendix starts a page, so this adds no other page.
PART_START = '<div class="part-start"></div>'


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _flow(page: Any) -> list[Any]:
    """The blocks of the page's body, in order."""
    body = next((b for b in _boxes(page._page_box) if getattr(b, "element_tag", None) == "body"), None)
    return list(getattr(body, "children", ())) if body is not None else []


def _flows_down(box: Any) -> bool:
    element = getattr(box, "element", None)
    return element is not None and "flows-down" in (element.get("class") or "").split()


def pushed(document: Any) -> bool:
    """True when a `flows-down` block opens a page and the page before it is left partly empty."""
    pages = document.pages
    for n, page in enumerate(pages[1:], start=1):
        flow = _flow(page)
        if not flow or not _flows_down(flow[0]):
            continue
        before = _flow(pages[n - 1])
        if not before:
            return False
        frame = pages[n - 1]._page_box
        top, height = frame.content_box_y(), frame.height
        last = before[-1]
        used = last.position_y + last.margin_height() - top
        return (height - used) > MAX_BLANK_SHARE * height
    return False


def moved_on(html: str) -> str | None:
    """The HTML with the first `flows-down` figure moved past the next paragraph; None when it cannot move."""
    figure = FLOWS_DOWN.search(html)
    if figure is None:
        return None
    rest = html[figure.end():]
    end = PARAGRAPH_END.search(rest)
    while end is not None and rest.rfind("<p", 0, end.start()) == rest.rfind(LEAD_IN, 0, end.start()) >= 0:
        end = PARAGRAPH_END.search(rest, end.end())
    if end is None or BARRIER.search(rest, 0, end.end()):
        return None
    return html[:figure.start()] + rest[:end.end()] + figure.group(0) + rest[end.end():]


def _appendix_start(html: str, figure: re.Match[str]) -> int | None:
    """Where the first appendix after `figure` starts; None when the document has none."""
    start, end = PAGE_START.search(html, figure.end()), html.rfind(BODY_END)
    return None if start is None or end < start.start() else start.start()


def decisive(html: str) -> str | None:
    """The part of `html` that decides where its `flows-down` figure sits: the document up to its
    first appendix (the whole of it when it has none); None when it has no such figure."""
    figure = FLOWS_DOWN.search(html)
    if figure is None:
        return None
    start = _appendix_start(html, figure)
    return html if start is None else html[:start] + html[html.rfind(BODY_END):]


def appendices(html: str) -> str | None:
    """The rest of `html` after its `decisive` part: the document's head and body tag, a blank first
    page (`PART_START`), then the appendices; None when `decisive` is the whole document (or None)."""
    figure = FLOWS_DOWN.search(html)
    body = BODY_START.search(html)
    start = None if figure is None else _appendix_start(html, figure)
    if start is None or body is None or body.end() > start:
        return None
    return html[:body.end()] + PART_START + html[start:]
