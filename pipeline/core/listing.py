"""The published files of a year folder → labelled, grouped links for the status page.

A document and its twins (bao-cao-2016.pdf, bao-cao-2016.docx) are one entry
with one link per format. Each href is the relative path exactly as published,
so the links work when index.html is opened from the folder itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from pipeline.core import vi
from pipeline.core.distribution import distribution_part
from pipeline.settings import Settings

PAGE = "index.html"
GROUPS = {
    "": "Báo cáo",
    "thong-bao": "Thông báo",
    "phieu-kiem-tra": "Phiếu kiểm tra",
    "data": "Số liệu",
    "bieu-mau": "Biểu mẫu",
}
OTHER_GROUP = "Tệp khác"
UNIT_FOLDERS = ("thong-bao", "phieu-kiem-tra", "bieu-mau")
DATA_FILES = {
    "data/tong-hop.json": "Số liệu tổng hợp theo đơn vị và chỉ tiêu",
    "data/kiem-tra.json": "Danh sách lỗi và cảnh báo",
    "data/tep-nhan.json": "Các tệp đã nhận: đã đọc, bỏ qua, bị từ chối",
    "SHA256SUMS": "Mã kiểm tra SHA-256 của các tệp",
}
FORMAT_ORDER = ("pdf", "docx", "xlsx", "svg", "json")
# When a strict run stops on errors, the report part of the folder is the last good run's.
STALE_GROUPS = {"Báo cáo", "Thông báo"}
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


@dataclass(frozen=True)
class DocumentGroup:
    title: str
    note: str
    items: tuple[DocumentItem, ...]


def format_name(path: str) -> str:
    suffix = PurePosixPath(path).suffix
    return suffix[1:].upper() if suffix else PurePosixPath(path).name


def _format_key(path: str) -> tuple[int, str]:
    ext = PurePosixPath(path).suffix[1:].lower()
    return (FORMAT_ORDER.index(ext) if ext in FORMAT_ORDER else len(FORMAT_ORDER), ext)


def links(paths: list[str], label: str) -> tuple[Link, ...]:
    ordered = sorted(paths, key=_format_key)
    return tuple(Link(p, format_name(p), f"{label}, {format_name(p)}") for p in ordered)


def unit_links(published: frozenset[str], folder: str, code: str, label: str) -> tuple[Link, ...]:
    """The PDF and DOCX of one unit's document, those that were published."""
    found = [p for p in (f"{folder}/{code}.pdf", f"{folder}/{code}.docx") if p in published]
    return links(found, label)


def _folder(path: str) -> str:
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else ""


def _group_title(path: str) -> str:
    if path in DATA_FILES:
        return GROUPS["data"]
    return GROUPS.get(_folder(path), OTHER_GROUP)


def label(path: str, settings: Settings, year: int) -> str:
    p = PurePosixPath(path)
    if path in DATA_FILES:
        return DATA_FILES[path]
    if _folder(path) in UNIT_FOLDERS:
        unit = settings.unit(p.stem)
        return vi.sentence_case(unit.full_name) if unit else p.stem
    if _folder(path) == "" and p.stem.startswith("bao-cao"):
        return f"Báo cáo kết quả thực hiện năm {year}, phương hướng, nhiệm vụ năm {year + 1}"
    if _folder(path) == "" and p.stem.startswith("tong-hop"):
        return f"Biểu tổng hợp kết quả năm {year}"
    if p.suffix == ".svg":
        return f"Biểu đồ tỉ lệ thực hiện so với kế hoạch năm {year}"
    return p.name


def _rank(path: str, units: dict[str, int]) -> int:
    """Unit documents follow the roster's order, data files a fixed one; the rest keep
    the order they were published in (ties broken by that order)."""
    if _folder(path) in UNIT_FOLDERS:
        return units.get(PurePosixPath(path).stem, len(units))
    return list(DATA_FILES).index(path) if path in DATA_FILES else -1


def document_groups(documents: tuple[str, ...], settings: Settings, year: int, stale: bool = False) -> tuple[DocumentGroup, ...]:
    """Every published file but the page itself and the distribution's (its own section lists them),
    by group, twins merged."""
    twins: dict[str, list[str]] = {}
    for path in documents:
        if path != PAGE and not distribution_part(path):
            twins.setdefault(str(PurePosixPath(path).with_suffix("")), []).append(path)
    order = {u.code: n for n, u in enumerate(settings.units_in(year))}
    by_group: dict[str, list[tuple[tuple[int, int], DocumentItem]]] = {}
    for n, paths in enumerate(twins.values()):
        first = paths[0]
        text, title = label(first, settings, year), _group_title(first)
        described = f"{title}: {text}" if _folder(first) in UNIT_FOLDERS else text
        key = (_rank(first, order), n)
        by_group.setdefault(title, []).append((key, DocumentItem(text, links(paths, described))))
    titles = [*GROUPS.values(), OTHER_GROUP]
    return tuple(
        DocumentGroup(title, STALE_NOTE if stale and title in STALE_GROUPS else "",
                      tuple(item for _, item in sorted(by_group[title], key=lambda pair: pair[0])))
        for title in titles if title in by_group
    )
