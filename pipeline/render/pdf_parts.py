"""A document's kept part: the pages the template marks `kept-part`, rendered as a PDF of their own and
kept between runs, then joined after the rest of the document.

The report's list of new organisations (15 of its 22 pages on the sample, half its layout time) does
not change when a unit corrects a figure. WeasyPrint's laid-out pages hold Pango objects and cannot be
kept, but a PDF can: the part from its mark to the end of the body is laid out as a document of its
own, numbered on from the page before it, and written; the rest of the document is laid out and written
as before; `merged` appends the part's pages to it. The whole document's information dictionary (with
the signature place), outline and catalogue are the rest's, which has every heading and the signature;
a part with a heading of its own (a bookmark) is not kept apart. A part is merged whether it came from
the store or was just rendered, so the report's bytes are the same either way.

The store (`pipeline.render.kept.Kept`, kept on disk by pipeline.io.pdf_parts) gives a part back only for the same key:
the part's HTML, the page it starts after, the stylesheet and the library versions (`part_key`), with
the code's digest that the store adds.
"""

from __future__ import annotations

import hashlib
import io
import re
from importlib.metadata import version
from typing import Any

from pipeline.core.text import brief

FORMAT, VERSION = "nq28-phan-pdf", 1
KEPT_START = re.compile(r'<section class="[^"]*\bkept-part\b')
BODY_START = re.compile(r"<body\b[^>]*>")
BODY_END = "</body>"
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "pypdf")


class MergeError(Exception):
    """A part (or the rest) that pypdf cannot read or join; the renderer then lays the document out whole."""


def kept_apart(html: str, part_start: str) -> tuple[str, str] | None:
    """`html` without its kept part, and the kept part as a document of its own (the head, the body tag,
    `part_start`: a blank first page the renderer drops, then the part to the end of the body); None when
    `html` marks no part."""
    start, body, end = KEPT_START.search(html), BODY_START.search(html), html.rfind(BODY_END)
    if start is None or body is None or body.end() > start.start() or end < start.start():
        return None
    return html[:start.start()] + html[end:], html[:body.end()] + part_start + html[start.start():]


def part_key(html: str, after: int, stylesheet: bytes) -> str:
    """Everything a kept part's PDF depends on but the code: its HTML, the number of pages before it, the
    stylesheet and the libraries that lay it out, write it and merge it."""
    libraries = [f"{name}={version(name)}" for name in LIBRARIES]
    return repr((FORMAT, VERSION, html, after, hashlib.sha256(stylesheet).hexdigest(), libraries))


def merged(rest: bytes, part: bytes) -> bytes:
    """The PDF `rest` with the pages of the PDF `part` appended: `rest`'s catalogue, outline and information
    dictionary, each page's resources as its own PDF has them, the part's font subsets renamed apart
    (`_retagged`). Deterministic: same inputs, same bytes (no /ID: WeasyPrint writes none either)."""
    from pypdf import PdfReader, PdfWriter  # here: ~60 ms to import, for the processes that merge only
    from pypdf.errors import PyPdfError

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rest)))
        for page in PdfReader(io.BytesIO(part)).pages:
            _retagged(writer.add_page(page))
        out = io.BytesIO()
        writer.write(out)
    # pypdf's own errors, and what its parser lets through from a damaged file
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise MergeError(brief(str(exc)) or type(exc).__name__) from exc
    return out.getvalue()


def _retagged(page: Any) -> None:
    """Give each font subset of `page` a tag of its own. WeasyPrint tags a subset by the font it is cut from,
    so the part's subset of a font has the same name ("KZUJSR+Liberation-Serif-Bold") as the rest's, with
    other glyphs; PDF wants a tag per subset (ISO 32000-1 9.6.4), and a viewer that knows fonts by name
    could draw the part with the rest's glyphs. The new tag comes from the subset's bytes."""
    from pypdf.generic import NameObject

    fonts = page.get("/Resources", {}).get("/Font", {})
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        tag = _tag(descriptor["/FontFile2"].get_object().get_data())
        for holder, entry in ((font, "/BaseFont"), (descendant, "/BaseFont"), (descriptor, "/FontName")):
            name = str(holder[entry])
            holder[NameObject(entry)] = NameObject(f"/{tag}{name[name.index('+'):]}")


def _tag(data: bytes) -> str:
    """Six capital letters from a subset's bytes, as a subset tag is written."""
    digest = hashlib.sha256(data).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
