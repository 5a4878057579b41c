"""A Word template opened once per process, each further document written from it.

Rendering a notice the ordinary way (`pipeline.render.docx`) opens the .docx
again, parses every part, renders the body, then serialises and compresses
every part, twice (python-docx's save, then the fixed dates): the styles part
alone is 350 kB. Only three kinds of part depend on the document's context:
the body, the headers and footers, and the core properties. A `Base` keeps
the template open and the other parts compressed once, and writes each
document from the parts it renders and those it kept.

A base is learned from an ordinary render and kept only when it gives that
render's exact bytes for the same context; a template it cannot reproduce
(footnotes, images, anything else) keeps the ordinary path. Keyed by the
template's bytes and the office font, so an edited template is a new base.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.oxml import serialize_part_xml
from docx.opc.part import Part
from docx.oxml import parse_xml
from docxtpl import DocxTemplate

from pipeline.stable import Packed, pack, packed_zip

# The core properties docxtpl renders as templates (DocxTemplate.render_properties).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
BODY, CORE = "word/document.xml", "docProps/core.xml"
Finish = Callable[[DocxTemplate], None]  # what render_docx does after docxtpl: widths, fonts, properties


class Base:
    """One template kept open, with its context-free parts compressed once."""

    def __init__(self, template: Path, learned: bytes) -> None:
        self.tpl = tpl = DocxTemplate(template)
        tpl.init_docx()
        self.body = tpl.patch_xml(tpl.get_xml())
        self.parts = tuple((part, tpl.patch_xml(xml), tpl.get_headers_footers_encoding(xml), part.partname[1:])
                           for uri in (tpl.HEADER_URI, tpl.FOOTER_URI)
                           for _key, part in tpl.get_headers_footers(uri)
                           for xml in (tpl.get_part_xml(part),))
        core = tpl.docx.core_properties
        self.properties = {name: getattr(core, name) for name in PROPERTIES}
        parts = list(tpl.docx.part.package.iter_parts())
        self.core: Part = next(p for p in parts if p.partname == f"/{CORE}")
        self.usable = not any(p.content_type == FOOTNOTES for p in parts)
        rendered = {BODY, CORE, *(name for *_, name in self.parts)}
        with zipfile.ZipFile(io.BytesIO(learned)) as done:
            self.order = tuple((info.filename, info.compress_type, info.external_attr) for info in done.infolist())
            self.kept = {info.filename: pack(info.filename, done.read(info), info.compress_type, info.external_attr)
                         for info in done.infolist() if info.filename not in rendered}

    def render(self, values: dict[str, Any], env: jinja2.Environment, finish: Finish) -> bytes:
        """The document for `values`, as DocxTemplate.render, `finish` and a save would write it."""
        tpl = self.tpl
        tpl.pic_map, tpl.current_rendering_part, tpl.docx_ids_index = {}, None, 1000
        tree = tpl.fix_tables(tpl.render_xml_part(self.body, tpl.docx.part, values, env))
        tpl.fix_docpr_ids(tree)
        tpl.map_tree(tree)
        blobs = {name: serialize_part_xml(parse_xml(tpl.render_xml_part(source, part, values, env).encode(encoding)))
                 for part, source, encoding, name in self.parts}
        core = tpl.docx.core_properties
        for name, initial in self.properties.items():
            setattr(core, name, env.from_string(initial).render(values))
        finish(tpl)
        blobs[BODY], blobs[CORE] = tpl.docx.part.blob, self.core.blob
        return packed_zip(self._entry(name, kind, attr, blobs) for name, kind, attr in self.order)

    def _entry(self, name: str, kind: int, attr: int, blobs: dict[str, bytes]) -> Packed:
        return self.kept[name] if name in self.kept else pack(name, blobs[name], kind, attr)


class Bases:
    """The process's bases, by template bytes and office font; None where the ordinary path stays."""

    def __init__(self) -> None:
        self._bases: dict[tuple[str, str], Base | None] = {}

    @staticmethod
    def key(template: Path, font: str) -> tuple[str, str] | None:
        try:
            return hashlib.sha256(template.read_bytes()).hexdigest(), font
        except OSError:
            return None  # the ordinary path says what is wrong with the file

    def get(self, template: Path, font: str) -> Base | None:
        key = self.key(template, font)
        return self._bases.get(key) if key is not None else None

    def learn(self, template: Path, font: str, check: Callable[[Base], bytes], learned: bytes) -> None:
        """Keep a base for `template` if `check(base)` (the same context again) gives `learned`, byte for byte."""
        key = self.key(template, font)
        if key is None or key in self._bases:
            return
        if len(self._bases) >= 16:  # templates edited while a process lives: stay bounded
            self._bases.clear()
        try:
            base = Base(template, learned)
            kept = base if base.usable and check(base) == learned else None
        except Exception:  # anything unexpected: the ordinary path stays, and says what is wrong
            kept = None
        self._bases[key] = kept
