"""The published documents as a command that ships or signs them checks them first.

`make distribute`, `make feedback` and `make sign` read the workbooks and
config again and go on only if every document they handle is exactly what
those inputs give now (its render key in data/khoa-van-ban.json) and unaltered
since (its SHA-256 in SHA256SUMS). The signed copies (`make sign`, in ky-so/)
are described in data/ky-so.json: which document each signs, its bytes' and
the document's SHA-256, who signed and when. A signed copy is current when its
own SHA-256 is the one recorded and it begins with the published document's
exact bytes (signing only appends).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pipeline.cache import RenderCache
from pipeline.core.catalogue import SIGNED_DATA, SUMS, signed
from pipeline.core.jobs import Job
from pipeline.core.signed import SignedCopy, parse_signed
from pipeline.errors import SourceError
from pipeline.io.publish import Staging


class Contents:
    """The bytes of a year-folder file being delivered: as staged by this run, or as published."""

    def __init__(self, out: Staging) -> None:
        self.out = out

    def get(self, name: str) -> bytes | None:
        return self.out.staged(name) if name in self.out.files else self.out.published(name)

    def __getitem__(self, name: str) -> bytes:
        data = self.get(name)
        assert data is not None, f"{name} was checked to be published"
        return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def some(names: Iterable[str]) -> str:
    """A few names of a list, and how many more: for a message."""
    names = list(names)
    shown = ", ".join(names[:3])
    return shown + (f" và {len(names) - 3} tệp khác" if len(names) > 3 else "")


def current(jobs: Iterable[Job], out: Staging, cache: RenderCache, contents: Contents, year: int,
            maker: str = "make report", then: str = "lệnh này") -> dict[str, str]:
    """name → SHA-256 of every published file, once each of `jobs` is checked to be current and unaltered
    (`maker`: the command that publishes them, `then` the one to run after, both named in the messages)."""
    jobs = list(jobs)
    sums = out.published_sums
    missing = [j.name for j in jobs if j.name not in sums]
    if missing:
        raise SourceError(f"Chưa có đủ văn bản năm {year} trong {out.target} (thiếu {some(missing)}): "
                          f"hãy chạy {maker} trước, rồi chạy lại {then}")
    stale = [j.name for j in jobs if not cache.current(j)]
    if stale:
        raise SourceError(f"Văn bản trong {out.target} chưa cập nhật theo biểu mẫu và cấu hình hiện tại "
                          f"({len(stale)} văn bản: {some(stale)}): hãy chạy {maker}, rồi chạy lại {then}")
    for job in jobs:
        data = contents.get(job.name)
        if data is None or sha256(data) != sums[job.name]:
            raise SourceError(f"Tệp {out.target / job.name} đã bị sửa hoặc xóa sau khi lập (mã SHA-256 không khớp "
                              f"{SUMS.path()}): hãy chạy {maker} để lập lại, rồi chạy lại {then}")
    return sums


# --- signed copies ---------------------------------------------------------------------

def read_signed(raw: bytes | None, where: str) -> dict[str, SignedCopy]:
    """document → its signed copy, from data/ky-so.json's bytes; a damaged file is an error naming it."""
    try:
        return parse_signed(raw)
    except ValueError as exc:
        raise SourceError(f"Tệp {where} (danh sách bản ký số) bị hỏng ({exc}): hãy chạy lại make sign") from exc


def signed_copies(out: Staging, contents: Contents, documents: Iterable[str]) -> tuple[dict[str, SignedCopy],
                                                                                        list[str], list[str]]:
    """The current signed copy of each of `documents`; and the documents with none, and those whose
    copy is stale (made from other bytes, or altered since)."""
    recorded = read_signed(out.published(SIGNED_DATA.path()), str(out.target / SIGNED_DATA.path()))
    found, missing, stale = {}, [], []
    for name in documents:
        copy = recorded.get(name)
        data = contents.get(signed(name))
        if copy is None or data is None:
            missing.append(name)
        elif sha256(data) != copy.sha256 or not data.startswith(contents[name]):
            stale.append(name)
        else:
            found[name] = copy
    return found, missing, stale


def from_signed(copy: SignedCopy | None, key: str, out: Staging) -> bytes | None:
    """The document a published signed copy signs, when its record says make sign rendered it from
    exactly the input whose render key is `key`, and the copy is intact: no need to render it again."""
    if copy is None or not copy.document_key or copy.document_key != key:
        return None
    data = out.published(copy.name)
    return copy.document_bytes(data) if data is not None and sha256(data) == copy.sha256 else None
