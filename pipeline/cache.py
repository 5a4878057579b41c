"""The render cache: a document whose render key is unchanged is reused from the published folder.

A key covers the document's whole input: its job (kind, template, context,
chart), every template file, the pipeline's code and the library versions. So a
rerun with nothing changed renders nothing, one late workbook re-renders only
what it touches, and a changed template or library re-renders everything.
The keys of a year folder are published as data/khoa-van-ban.json.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.core.catalogue import RENDER_KEYS
from pipeline.core.jobs import Job, key_material
from pipeline.io import PACKAGE, jsontext, package_digest, source_digest
from pipeline.io.publish import Staging
from pipeline.io.versions import library_versions

LIBRARIES = ("bao-cao-nq28", "weasyprint", "pydyf", "docxtpl", "python-docx", "matplotlib", "jinja2", "fonttools",
             "openpyxl", "pypdf")  # pypdf: merges the report's kept part (pipeline.render.pdf_parts)


def fingerprint(templates: Path, package: Path = PACKAGE) -> str:
    """What every document also depends on: templates, library versions and the source of the whole
    `pipeline` package. Not pipeline/render alone: what the renderers import from elsewhere decides
    bytes too (the Vietnamese number format in core/vi.py, the zip packing in stable.py, the signature
    place record in core/signature_place.py), and a change there must make the documents again."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(templates).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update((package_digest() if package == PACKAGE else source_digest(".", package=package).hexdigest())
                  .encode())
    for name, version in library_versions(LIBRARIES).items():
        digest.update(f"{name}={version}".encode())
    return digest.hexdigest()


class Made(Protocol):
    """A file made outside the render pool, by name, from `material()`, its whole input besides templates,
    rendering code and libraries."""

    @property
    def name(self) -> str: ...

    def material(self) -> str: ...

    def make(self) -> bytes: ...


def job_key(job: Job, base: str, context: str | None = None) -> str:
    """A document's render key: its whole input plus `base` (the fingerprint); `context` as in `key_material`."""
    digest = hashlib.sha256(base.encode())
    digest.update(key_material(job, context).encode())
    return digest.hexdigest()


class RenderCache:
    """Render keys of the published documents, and of this run's."""

    def __init__(self, staging: Staging, templates: Path, font_family: str) -> None:
        self.staging = staging
        # The font is every document's, and no context need carry it: a chart's data does not, so a font changed
        # in settings.yaml left bieu-do.svg in the old one, and the report's PDF, drawing that kept chart, refused
        # the foreign font as if it were not installed.
        self.base = hashlib.sha256(f"{fingerprint(templates)}\0{font_family}".encode()).hexdigest()
        old = staging.published(RENDER_KEYS.path())
        self.old: dict[str, str] = json.loads(old) if old else {}
        self.keys: dict[str, str] = {}

    def split(self, jobs: list[Job]) -> tuple[list[Job], int]:
        """Stage the documents that can be reused; return the jobs left to render."""
        fresh, reused = [], 0
        shown: dict[int, tuple[object, str]] = {}  # id → (the context, kept alive so its id stays its own; repr)
        for job in jobs:
            context = job.context
            if id(context) not in shown:
                shown[id(context)] = (context, repr(context))
            key = job_key(job, self.base, shown[id(context)][1])
            self.keys[job.name] = key
            if self.old.get(job.name) == key and self.staging.reuse(job.name):
                reused += 1
            else:
                fresh.append(job)
        return fresh, reused

    def adopt(self, job: Job, data: bytes) -> None:
        """Stage `data` as `job`'s output without rendering it: bytes known to be what `job` renders
        (a signed copy's first bytes, whose record carries this very render key)."""
        self.keys[job.name] = job_key(job, self.base)
        self.staging.add(job.name, data)

    def document(self, name: str, material: str, make: Callable[[], bytes]) -> bytes:
        """A file made outside the jobs (the status page) from `material`, its whole input besides
        templates, code and libraries: the published copy when its key is unchanged, else `make()`."""
        key = self.keys[name] = self._made_key(material)
        published = self.staging.published(name) if self.old.get(name) == key else None
        return published if published is not None else make()

    def unmade(self, files: Sequence[Made]) -> list[Made]:
        """Stage the published copy of each file made outside the jobs (a marked workbook), linked, whose
        key is unchanged; return the others, to be made (`make()`) and added."""
        todo = []
        for file in files:
            key = self.keys[file.name] = self._made_key(file.material())
            if not (self.old.get(file.name) == key and self.staging.reuse(file.name)):
                todo.append(file)
        return todo

    def current_made(self, file: Made) -> bool:
        """Whether the published copy of `file` was made from exactly this input."""
        return self.old.get(file.name) == self._made_key(file.material())

    def _made_key(self, material: str) -> str:
        return hashlib.sha256(self.base.encode() + b"\0" + material.encode()).hexdigest()

    def current(self, job: Job) -> bool:
        """Whether the published copy of `job` was rendered from exactly this input."""
        return self.old.get(job.name) == job_key(job, self.base)

    def manifest(self, names: tuple[str, ...]) -> bytes:
        listed = set(names)  # a country's folder lists ~10,000 names: a tuple's `in` made this quadratic
        kept = {n: k for n, k in self.old.items() if n in listed and n not in self.keys}
        merged = dict(sorted((kept | self.keys).items()))
        return (jsontext.dumps(merged) + "\n").encode("utf-8")
