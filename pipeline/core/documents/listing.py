"""The published files of a year folder → labelled, grouped links for the status page.

A document and its twins (bao-cao-2016.pdf, bao-cao-2016.docx) are one entry
with one link per format. Each href is the relative path exactly as published,
so the links work when index.html is opened from the folder itself.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipeline.core import vi
from pipeline.core.catalogue import (
    ARCHIVE_PDF,
    GROUP_NOTICES,
    GROUP_REPORT,
    GROUPS,
    KIND_LABELS,
    LISTED_DATA,
    SIGNED_PDF,
    SITE_PAGE,
    Kind,
    Output,
    distributed,
    find,
    group_of,
    unit_folders,
)
from pipeline.settings import Settings

FORMAT_ORDER = ("pdf", "docx", "xlsx", "svg", "json")
# When a strict run stops on errors, the report part of the folder is the last good run's.
STALE_GROUPS = {GROUP_REPORT, GROUP_NOTICES}
STALE_NOTE = "Văn bản của lần lập báo cáo trước; chưa cập nhật theo biểu mẫu hiện tại."


@dataclass(frozen=True)
class Link:
    href: str
    text: str  # the format, "PDF"
    description: str  # what a screen reader says: "Thông báo quận Hồng Bàng, PDF"


@dataclass(frozen=True)
class DocumentItem:
    label: str
    links: tuple[Link, ...]
    note: str = ""  # a signed copy: who signed it and when


@dataclass(frozen=True)
class DocumentGroup:
    title: str
    note: str
    items: tuple[DocumentItem, ...]


def format_name(path: str) -> str:
    suffix = _suffix(path)
    return suffix[1:].upper() if suffix else posixpath.basename(path)


def _split_name(path: str) -> tuple[str, str]:
    """PurePosixPath's stem and suffix ("thong-bao/HB.pdf" → "HB", ".pdf"), without building one for each
    of a country's files."""
    name = posixpath.basename(path)
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")


def _suffix(path: str) -> str:
    return _split_name(path)[1]


def _format_key(path: str) -> tuple[int, str]:
    ext = _suffix(path)[1:].lower()
    return (FORMAT_ORDER.index(ext) if ext in FORMAT_ORDER else len(FORMAT_ORDER), ext)


def links(paths: list[str], label: str) -> tuple[Link, ...]:
    ordered = sorted(paths, key=_format_key)
    return tuple(Link(p, format_name(p), f"{label}, {format_name(p)}") for p in ordered)


def unit_links(published: frozenset[str], outputs: tuple[Output, ...], code: str, label: str) -> tuple[Link, ...]:
    """The files of one unit's document (its PDF and DOCX), those that were published."""
    found = [p for p in (output.path(code=code) for output in outputs) if p in published]
    return links(found, label)


def _folder(path: str) -> str:
    """A published name's top folder ("thong-bao/HB.pdf" → "thong-bao"), "" for a file at the top."""
    top, slash, _ = path.partition("/")
    return top if slash else ""


def _stem(path: str) -> str:
    return _split_name(path)[0]


def label(path: str, settings: Settings, year: int) -> str:
    """What the page calls a file: its family's label, the unit's name for a unit's document, else its name."""
    found = find(path)
    if found is not None and found[0] is SIGNED_PDF:  # "Bản ký số: Thông báo quận Hồng Bàng", by what was signed
        inner = found[1]["name"]
        archived = ARCHIVE_PDF.match(inner)
        if archived is not None:  # the signed PDF/A copy the archive keeps
            return f"{label(SIGNED_PDF.path(name=archived['name']), settings, year)} (bản lưu trữ PDF/A)"
        signed = find(inner)
        kind = f"{KIND_LABELS[signed[0].kind]} " if signed is not None and _folder(inner) in unit_folders() else ""
        return f"{KIND_LABELS[Kind.SIGNED]}: {kind}{label(inner, settings, year)}"
    if _folder(path) in unit_folders():
        unit = settings.unit(_stem(path))
        return vi.sentence_case(unit.full_name) if unit else _stem(path)
    if found is not None and found[0].label:
        return found[0].label.format(year=year, next_year=year + 1)
    return PurePosixPath(path).name


def _rank(path: str, units: dict[str, int]) -> int:
    """Unit documents follow the roster's order, data files a fixed one; the rest keep
    the order they were published in (ties broken by that order)."""
    if _folder(path) in unit_folders():
        return units.get(_stem(path), len(units))
    return LISTED_DATA.index(path) if path in LISTED_DATA else -1


def document_groups(documents: tuple[str, ...], settings: Settings, year: int, stale: bool = False,
                    notes: Mapping[str, str] | None = None) -> tuple[DocumentGroup, ...]:
    """Every published file but the page itself and the distribution's (its own section lists them),
    by group, twins merged; `notes` says more of some (a signed copy: who signed it and when)."""
    notes = notes or {}
    twins: dict[str, list[str]] = {}
    for path in documents:
        if path != SITE_PAGE.path() and not distributed(path):
            twins.setdefault(path[:len(path) - len(_suffix(path))], []).append(path)
    order = {u.code: n for n, u in enumerate(settings.units_in(year))}
    by_group: dict[str, list[tuple[tuple[int, int], DocumentItem]]] = {}
    for n, paths in enumerate(twins.values()):
        first = paths[0]
        text, title = label(first, settings, year), group_of(first)
        described = f"{title}: {text}" if _folder(first) in unit_folders() else text
        key = (_rank(first, order), n)
        item = DocumentItem(text, links(paths, described), notes.get(first, ""))
        by_group.setdefault(title, []).append((key, item))
    return tuple(
        DocumentGroup(title, STALE_NOTE if stale and title in STALE_GROUPS else "",
                      tuple(item for _, item in sorted(by_group[title], key=lambda pair: pair[0])))
        for title in GROUPS if title in by_group
    )
