"""HTML → PDF bytes with WeasyPrint, faithfully or not at all.

WeasyPrint's log is routed into ours. A glyph that no font has (drawn as
.notdef) fails the render, and so does any font other than the document's
family ending up in the PDF: that is Pango falling back silently for a
character the official font lacks. Resources are fetched only from the
templates folder: no network, no other file on the machine.
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pipeline.core.signature_place import INFO_KEY
from pipeline.core.text import brief
from pipeline.errors import RenderError
from pipeline.render import placement
from pipeline.render import weasyprint_internals as internals
from pipeline.render.kept import Kept
from pipeline.render.pdf_parts import MergeError, kept_apart, merged, part_key
from pipeline.render.signature_space import signature_place

log = logging.getLogger("pipeline.render")
MISSING_GLYPH = ".notdef glyph"
# The documents' stylesheet, in the templates folder. The renderer parses it once
# and applies it to every document (parsing it per document cost ~15% of a notice),
# so the PDF templates do not link it.
STYLESHEET = "van-ban.css"
# Layout makes hundreds of thousands of short-lived objects per document; collecting the
# youngest generation every 50,000 allocations instead of every 700 saves ~6% of a notice.
LAYOUT_GC_THRESHOLD = (50_000, 50, 100)
ARCHIVAL_VARIANT = "pdf/a-2b"  # PDF/A-2 level B: fonts embedded, colours defined, XMP identification
# WeasyPrint's user-agent stylesheet gives every element five footnote and note pseudo-elements
# (::footnote-call, ::note-marker…), and computes a style for each of them in every document:
# ~3% of a notice. Our documents have no footnotes, so their renderer leaves those rules out.
NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^{}]*\}$", re.MULTILINE)
NOTE_RULE_COUNT = 5  # in WeasyPrint 70's html5_ua.css; tests check that the trim still applies
# Where the document's text would read differently as XML than as HTML (RAWTEXT <style> and
# <script>, a <base> that moves the base URL), or is not well-formed XML: parsed as HTML.
HTML_ONLY = re.compile(r"<style\b[^>]*>[^<]*&|<base\b|<script\b", re.IGNORECASE)


def lean_user_agent_css() -> tuple[weasyprint.CSS | None, int]:
    """WeasyPrint's user-agent stylesheet without its note rules, and how many rules went
    (None, 0 when the WeasyPrint internals it is made from have changed)."""
    whole = internals.UA
    if not internals.USABLE or whole is None:  # USABLE says UA is there
        return None, 0
    trimmed, removed = NOTE_RULES.subn("", whole)
    if removed != NOTE_RULE_COUNT:  # a WeasyPrint whose stylesheet changed: keep it whole
        trimmed, removed = whole, 0
    # Parsed as an author's sheet, the UA's own definitions of the reserved counter styles ("disc",
    # "decimal") are each refused with a warning; the styles stay defined through UA_COUNTER_STYLE.
    weasy_log = logging.getLogger("weasyprint")
    level = weasy_log.level
    weasy_log.setLevel(logging.ERROR)
    try:
        return weasyprint.CSS(string=trimmed, counter_style=internals.UA_COUNTER_STYLE), removed
    finally:
        weasy_log.setLevel(level)


LEAN_UA, _ = lean_user_agent_css()


def parse_xhtml(html: str) -> ElementTree.Element | None:
    """The document's tree through expat (C) when the text is well-formed XML that reads the
    same as HTML, which our templates' output is; None otherwise. WeasyPrint's own HTML
    parser (tinyhtml5, pure Python) costs ~5% of a notice."""
    if HTML_ONLY.search(html):
        return None
    try:
        return ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return None


class LeanHTML(internals.HTMLWithUserAgent):
    """A document of ours for WeasyPrint: parsed by `parse_xhtml` when it can be, styled
    with `LEAN_UA`. Tests render every template both ways and compare the pages' pixels.
    Both shortcuts use WeasyPrint internals (weasyprint_internals.py); if those changed,
    this is a plain weasyprint.HTML."""

    user_agent = LEAN_UA

    def __init__(self, string: str, base_url: str, url_fetcher: URLFetcher) -> None:
        root = parse_xhtml(string) if internals.USABLE else None
        if root is None:
            super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
            return
        internals.html_from_tree(self, root, base_url, url_fetcher)


# WeasyPrint ships no type information: to mypy URLFetcher is Any, and subclassing it an error.
class TemplateFetcher(URLFetcher):  # type: ignore[misc, unused-ignore]
    """Serves files below the templates folder, and data: URIs; refuses the rest."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(url2pathname(parsed.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        raise ValueError(f"tài nguyên ngoài thư mục mẫu bị chặn: {url}")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(brief(record.getMessage()))  # never a whole chart's data URI


@contextmanager
def _roomy_collector() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*LAYOUT_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _captured_warnings() -> Iterator[_Collector]:
    """Route WeasyPrint's warnings through us (named by document) instead of the root log."""
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def _record_signature_place(document: weasyprint.Document) -> bool:
    """Put where the signature block lies into the document's information dictionary, for make sign
    (pipeline.core.signature_place); False when the document has none. It is the only custom entry:
    the HTML's own <meta> names are not written, as before."""
    place = signature_place(document)
    document.metadata.custom = {INFO_KEY: place.text()} if place is not None else {}
    return place is not None


class PdfRenderer:
    """One renderer per process: shares the font configuration and the parsed stylesheet; `parts` keeps
    documents' kept parts between runs (pipeline.render.pdf_parts)."""

    def __init__(self, templates: Path, font_family: str, strict_warnings: bool = False,
                 parts: Kept | None = None) -> None:
        self.templates = templates.resolve()
        self.font_family = font_family
        self.strict_warnings = strict_warnings
        self.parts = parts
        self.fetcher = TemplateFetcher(self.templates)
        self.font_config = FontConfiguration()
        self.stylesheet_bytes = (self.templates / STYLESHEET).read_bytes()
        self.stylesheets = [weasyprint.CSS(filename=str(self.templates / STYLESHEET), url_fetcher=self.fetcher,
                                           font_config=self.font_config)]

    def render(self, html: str, name: str, archival: bool = False) -> bytes:
        """Lay out and write one document (as PDF/A-2b if `archival`); raise RenderError if it is not faithful."""
        with _captured_warnings() as caught, _roomy_collector():
            try:
                pdf, documents, fresh = self._written(html, name, archival)
            except FatalURLFetchingError as exc:
                raise RenderError(f"{name}: mẫu văn bản dùng tài nguyên bị chặn: {exc.__cause__ or exc}") from exc
        self._judge(caught.messages, name)
        for document in documents:
            self._check_fonts(document, name)
        if fresh is not None and self.parts is not None and not caught.messages:  # kept once known faithful
            self.parts.put(name, *fresh)
        return pdf

    def _written(self, html: str, name: str, archival: bool) -> tuple[bytes, list[weasyprint.Document],
                                                                       tuple[str, bytes] | None]:
        """The PDF, the documents laid out for it, and its kept part's (key, PDF) when it was rendered now.
        The figure is placed by laying out the body once (`_placed`), the appendices after it (`_continued`).
        An archival copy is written whole: PDF/A asks for one document's fonts, XMP and output intent."""
        html, body = self._placed(html)
        apart = None if archival else kept_apart(html, placement.PART_START)
        joined = None if apart is None else self._with_part(*apart, body, name)
        if joined is not None:
            return joined
        document = self._whole(html, body)
        return self._pdf(document, archival), [document], None

    def _with_part(self, rest_html: str, part_html: str, body: weasyprint.Document | None, name: str
                   ) -> tuple[bytes, list[weasyprint.Document], tuple[str, bytes] | None] | None:
        """The document written without its kept part, then the part (kept, or rendered now) merged after it;
        None when the part cannot be kept apart (it has a heading) or the merge failed."""
        rest = self._whole(rest_html, body)
        key = part_key(part_html, len(rest.pages), self.stylesheet_bytes)
        part_pdf = self.parts.get(name, key) if self.parts is not None else None
        documents, fresh = [rest], None
        if part_pdf is None:
            part = self._part(part_html, len(rest.pages))
            if part is None:
                return None
            part_pdf = part.write_pdf()
            documents, fresh = [rest, part], (key, part_pdf)
        try:
            return merged(self._pdf(rest, False), part_pdf), documents, fresh
        except MergeError as exc:  # never a wrong report: the document is laid out whole instead
            log.warning("%s: không ghép được phần tách riêng (%s), lập lại cả văn bản", name, exc)
            return None

    def _pdf(self, document: weasyprint.Document, archival: bool) -> bytes:
        pdf: bytes = document.write_pdf(pdf_variant=ARCHIVAL_VARIANT if archival else None,
                                        custom_metadata=_record_signature_place(document))
        return pdf

    def _whole(self, html: str, body: weasyprint.Document | None) -> weasyprint.Document:
        """`html` laid out, reusing `body`, the layout of its part before the appendices (`_placed`) if given."""
        if body is None:
            return self._laid_out(html)
        rest = placement.appendices(html)
        return body if rest is None else self._continued(body, rest)

    def _part(self, html: str, after: int) -> weasyprint.Document | None:
        """A kept part (pdf_parts.kept_apart) laid out as its own document numbered on from page `after`, its
        blank first page dropped; None when it has a heading, which the whole document's outline must hold."""
        laid_out = self._numbered_from(html, after)
        part = laid_out.copy(laid_out.pages[1:])
        return None if part.make_bookmark_tree() else part

    def _placed(self, html: str) -> tuple[str, weasyprint.Document | None]:
        """`html` with a figure that would leave a page part empty moved on (placement.py), decided by
        laying out only the part of the document before its appendices; and that part's layout for
        the HTML returned (None when the document has no such figure or the last move was not laid out)."""
        body = None
        for _ in range(placement.MAX_MOVES):
            decisive = placement.decisive(html)
            if decisive is None:
                break
            body = self._laid_out(decisive)
            if not placement.pushed(body):
                break
            moved = placement.moved_on(html)
            if moved is None:
                break
            html, body = moved, None
        return html, body

    def _continued(self, body: weasyprint.Document, rest: str) -> weasyprint.Document:
        """`body` followed by the pages of `rest` (placement.appendices: a blank first page, then the
        appendices), numbered on from the body's last page. The blank page takes the first page's
        style (no page number), so the appendices' pages are styled as in a layout of the whole;
        Document.copy writes pages of both layouts as one document, each font embedded once."""
        appendices = self._numbered_from(rest, len(body.pages))
        return body.copy([*body.pages, *appendices.pages[1:]])

    def _numbered_from(self, html: str, after: int) -> weasyprint.Document:
        """`html` laid out with its first page numbered `after` (a blank page the caller drops)."""
        numbered = weasyprint.CSS(string=f"@page :first {{ counter-reset: page {after} }}")
        return LeanHTML(html, self.templates.as_uri() + "/", self.fetcher).render(
            font_config=self.font_config, stylesheets=[*self.stylesheets, numbered])

    def _laid_out(self, html: str) -> weasyprint.Document:
        return LeanHTML(html, self.templates.as_uri() + "/", self.fetcher).render(
            font_config=self.font_config, stylesheets=self.stylesheets)

    def _judge(self, messages: list[str], name: str) -> None:
        for message in messages:
            log.warning("WeasyPrint (%s): %s", name, message)
        missing = [m for m in messages if MISSING_GLYPH in m]
        if missing:
            raise RenderError(f"{name}: phông chữ {self.font_family} thiếu ký tự: {missing[0]}")
        if messages and self.strict_warnings:
            raise RenderError(f"{name}: WeasyPrint cảnh báo: {messages[0]}")

    def _check_fonts(self, document: weasyprint.Document, name: str) -> None:
        families = {font.family for font in document.fonts.values()}
        foreign = sorted(f for f in families if f != self.font_family)
        if foreign or not families:
            raise RenderError(
                f"{name}: văn bản phải dùng phông {self.font_family} "
                f"nhưng đã dùng {', '.join(foreign) or 'không phông nào'}; "
                "hãy cài gói fonts-liberation2 (sudo apt-get install fonts-liberation2)"
            )
