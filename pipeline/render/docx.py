"""Word template (docxtpl) + a document context → .docx bytes.

The editable twin of the PDF: the templates in templates/docx/ (built by
templates/docx/build_templates.py) read the same context objects as the HTML
templates, exposed by their field names. As for the HTML, autoescape is on and
undefined names are errors; in addition a `{{ … }}` may only print text or a
whole number (or an image): printing None or a whole object is an error rather
than a "None" or a Python repr in a signed document. Control characters in the
data are dropped: XML forbids most of them, and docxtpl would turn \\a and \\f
into new paragraphs and pages.

Images (the report's chart) are given as PNG bytes by name and placed 160 mm
wide where the template prints that name. The same context gives the same
bytes: fixed document properties, zip entries dated 1980-01-01.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from lxml import etree
from markupsafe import Markup

from pipeline.errors import RenderError, os_cause
from pipeline.render.docx_base import Bases
from pipeline.stable import FIXED_TIME, fixed_zip

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

IMAGE_WIDTH = Mm(160)
AUTHOR = "Báo cáo NQ28"
# C0 controls except tab and line feed (docxtpl makes those a tab and a line break), and what
# XML cannot hold either: lone surrogates (an undecodable file name), U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


class _Unprintable(Exception):
    """A {{ … }} tried to print something that is not text."""


def _printable(value: object) -> object:
    """Jinja's finalize: what a {{ … }} may print."""
    if isinstance(value, (Markup, jinja2.Undefined)) or hasattr(value, "__html__"):
        return value  # an undefined name fails when printed, with its own message
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Unprintable(type(value).__name__)


class _Environment(jinja2.Environment):
    """Compiles each distinct template source once per process.

    docxtpl hands every part of the .docx (body, headers, footers) to
    `from_string` on every render; for one template that source is the same
    each time, and compiling it was about 40% of a notice's render.
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, finalize=_printable)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: str | jinja2.nodes.Template, globals: MutableMapping[str, object] | None = None,
                    template_class: type[jinja2.Template] | None = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) >= 256:  # a template whose parts vary per render: stay bounded
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


_ENVIRONMENT = _Environment()
_BASES = Bases()


def environment() -> jinja2.Environment:
    """The process's Word-template environment (compiled parts cached by their source)."""
    return _ENVIRONMENT


def render_docx(template: Path, context: DataclassInstance, images: dict[str, bytes] | None = None) -> bytes:
    """Render one Word template with a dataclass context (and PNG images by name) to .docx bytes.

    Without images, the template's parts are kept after the first document (see pipeline.render.docx_base).
    """
    values = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    font = str(getattr(getattr(context, "header", None), "office_font", None) or "")
    base = None if images else _BASES.get(template, font)
    if base is not None:
        with _render_errors(template):
            return base.render(values, environment(), lambda tpl: _finish(tpl, template, context))
    tpl = _open(template)
    for name, png in (images or {}).items():
        values[name] = InlineImage(tpl, io.BytesIO(png), width=IMAGE_WIDTH)
    with _render_errors(template):
        tpl.render(values, jinja_env=environment(), autoescape=True)
    fonts = _font_change(tpl, context)
    _finish(tpl, template, context)
    if fonts is not None:
        _swap_fonts(tpl.docx.styles.element, *fonts)
    buffer = io.BytesIO()
    tpl.save(buffer)
    data = fixed_zip(buffer.getvalue(), {})
    if not images:
        _BASES.learn(template, font, lambda base: base.render(values, environment(),
                                                             lambda again: _finish(again, template, context)), data)
    return data


def _finish(tpl: DocxTemplate, template: Path, context: object) -> None:
    """After docxtpl: column widths, the office font in the body (the styles' own font still the
    template's: the caller swaps that part, or keeps it swapped), the properties."""
    for table in tpl.docx.element.body.iter(qn("w:tbl")):
        _fit_columns(table)
    fonts = _font_change(tpl, context)
    if fonts is not None:
        _swap_fonts(tpl.docx.element.body, *fonts)
    _fix_properties(tpl, template, context)


@contextmanager
def _render_errors(template: Path) -> Iterator[None]:
    """What went wrong in a template, said in Vietnamese."""
    try:
        yield
    except jinja2.UndefinedError as exc:
        raise RenderError(f"Mẫu Word {template.name} dùng một giá trị không có trong dữ liệu: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(
            f"Mẫu Word {template.name}: lỗi cú pháp Jinja2 ({exc.message}); kiểm tra các thẻ {{{{ }}}} và {{% %}} "
            "có bị gõ sai hoặc bị Word tách ra không"
        ) from exc
    except _Unprintable as exc:
        raise RenderError(
            f"Mẫu Word {template.name} in ra một giá trị kiểu {exc} thay vì chữ; nếu là ảnh thì phải truyền ảnh đó"
        ) from exc
    except UnrecognizedImageError as exc:
        raise RenderError(f"Ảnh chèn vào {template.name} không đọc được (cần ảnh PNG)") from exc


def _open(template: Path) -> DocxTemplate:
    tpl = DocxTemplate(template)
    try:
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, OSError) as exc:
        why = os_cause(exc, reading=True) if isinstance(exc, OSError) else "tệp hỏng hoặc không phải tệp Word"
        raise RenderError(f"Không mở được mẫu Word {template}: {why}") from exc
    return tpl


def _font_change(tpl: DocxTemplate, context: object) -> tuple[str, str] | None:
    """(the template's font, the office font) when they differ, else None."""
    font = getattr(getattr(context, "header", None), "office_font", None)
    styles = tpl.docx.styles.element
    default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    built = default.get(qn("w:ascii")) if default is not None else None
    if not font or not built or font == built:
        return None
    return built, font


def _swap_fonts(root: etree._Element, built: str, font: str) -> None:
    names = [qn(f"w:{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")]
    for fonts in root.iter(qn("w:rFonts")):
        for name in names:
            if fonts.get(name) == built:
                fonts.set(name, font)


def _fix_properties(tpl: DocxTemplate, template: Path, context: object) -> None:
    """Document properties that name the document, not the moment or the machine."""
    props = tpl.docx.core_properties
    props.created = props.modified = FIXED_TIME
    props.author = props.last_modified_by = AUTHOR
    props.revision = 1
    props.comments = f"Lập từ mẫu {template.name}"
    title = getattr(context, "title", None)
    if isinstance(title, str):
        props.title = title[:255]


# --- column widths after column loops ---------------------------------------------------


def _fit_columns(table: etree._Element) -> None:
    """Give column-loop cells their widths, and the table a grid that matches its cells.

    The template marks a cell repeated by {%tc for %} with the width "auto". In
    the row with the most grid columns, fixed cells keep their width and the
    repeated ones share what is left of the table width equally; every cell
    then takes the width of the grid columns it spans. docxtpl itself would
    spread the added columns evenly over the whole table.
    """
    rows = table.findall(qn("w:tr"))
    if not any(_width(tc)[0] == "auto" for tr in rows for tc in tr.findall(qn("w:tc"))):
        return
    widest = max(rows, key=lambda tr: (sum(map(_span, tr.findall(qn("w:tc")))), len(tr.findall(qn("w:tc")))))
    cells = widest.findall(qn("w:tc"))
    total = int(table.find(f"{qn('w:tblPr')}/{qn('w:tblW')}").get(qn("w:w")))
    fixed = sum(width for kind, width in map(_width, cells) if kind == "dxa")
    shared = sum(_span(tc) for tc in cells if _width(tc)[0] != "dxa")
    share = max(total - fixed, 0) // shared if shared else 0
    grid: list[int] = []
    for tc in cells:
        kind, width = _width(tc)
        grid += [width // _span(tc) if kind == "dxa" else share] * _span(tc)
    grid[-1] += total - sum(grid)
    _set_grid(table, grid)
    for tr in rows:
        column = 0
        for tc in tr.findall(qn("w:tc")):
            _set_width(tc, sum(grid[column:column + _span(tc)]))
            column += _span(tc)


def _width(tc: etree._Element) -> tuple[str, int]:
    width = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    if width is None:
        return "auto", 0
    return width.get(qn("w:type"), "dxa"), int(width.get(qn("w:w"), "0"))


def _span(tc: etree._Element) -> int:
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    return 1 if span is None else int(span.get(qn("w:val")))


def _set_grid(table: etree._Element, widths: list[int]) -> None:
    grid = table.find(qn("w:tblGrid"))
    for column in grid.findall(qn("w:gridCol")):
        grid.remove(column)
    for n, width in enumerate(widths):
        column = etree.Element(qn("w:gridCol"))
        column.set(qn("w:w"), str(width))
        grid.insert(n, column)


def _set_width(tc: etree._Element, width: int) -> None:
    """tcW first in tcPr (after cnfStyle), as the schema wants: docxtpl's colspan puts gridSpan before it."""
    tc_pr = tc.find(qn("w:tcPr"))
    if tc_pr is None:
        tc_pr = etree.Element(qn("w:tcPr"))
        tc.insert(0, tc_pr)
    for old in tc_pr.findall(qn("w:tcW")):
        tc_pr.remove(old)
    element = etree.Element(qn("w:tcW"))
    element.set(qn("w:w"), str(width))
    element.set(qn("w:type"), "dxa")
    first = tc_pr[0] if len(tc_pr) else None
    tc_pr.insert(1 if first is not None and first.tag == qn("w:cnfStyle") else 0, element)
