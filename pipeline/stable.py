"""Byte-stable Office files: the same content always gives the same bytes.

openpyxl and python-docx stamp zip entries and document properties with the
time of saving. Outputs are compared by SHA-256 and must be reproducible, so
every zip-based file we write goes through `fixed_zip`, and every workbook
through `workbook_bytes`.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CREATOR = "Báo cáo NQ28"


def fixed_zip(raw: bytes, replace: dict[str, bytes], packed: dict[str, Packed] | None = None) -> bytes:
    """The same zip with every entry dated 1980-01-01 (and some entries replaced: by bytes, or by entries
    already compressed, `packed`).

    An entry kept is copied still compressed: zipfile compresses as it did when `raw` was written
    (deflate at the default level, or stored), so recompressing it would give the same bytes, slower."""
    packed = packed or {}
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        entries = [packed[info.filename] if info.filename in packed
                   else pack(info.filename, replace[info.filename], info.compress_type, info.external_attr)
                   if info.filename in replace else as_packed(raw, info) for info in src.infolist()]
    return packed_zip(entries)


def as_packed(raw: bytes, info: zipfile.ZipInfo) -> Packed:
    """An entry of `raw` as it is stored: the compressed bytes after its local header."""
    if info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) or info.flag_bits & 0x1:
        raise ValueError(f"{info.filename}: compression {info.compress_type} not copied")
    name_length, extra_length = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data = raw[start:start + info.compress_size]
    return Packed(info.filename, info.compress_type, info.external_attr, info.CRC, info.file_size, data)


def document_time(day: dt.date | None) -> dt.datetime:
    """A document's "created" property: its own date (years/<YEAR>.yaml `date`) at midnight, else FIXED_TIME."""
    return FIXED_TIME if day is None else dt.datetime(day.year, day.month, day.day)


def workbook_bytes(book: Workbook, title: str | None = None, day: dt.date | None = None,
                   parts: dict[str, Packed] | None = None) -> bytes:
    """Save an openpyxl workbook with fixed properties and zip dates; `day` dates it (the document date).
    `parts`: zip entries, already compressed, written in place of the ones openpyxl wrote (sheets kept from
    an earlier run, see pipeline.render.parts)."""
    from openpyxl.xml.functions import tostring

    when = document_time(day)
    book.properties.creator = CREATOR
    if title:
        book.properties.title = title
    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.modified = when  # openpyxl stamps the time of saving; put it back
    return fixed_zip(buffer.getvalue(), {"docProps/core.xml": tostring(book.properties.to_tree())}, parts)


@dataclass(frozen=True)
class Packed:
    """One zip entry compressed once: written again as is, the bytes `fixed_zip` would write for it."""

    name: str
    compress_type: int
    external_attr: int
    crc: int
    size: int
    data: bytes


@dataclass(frozen=True)
class SheetPart:
    """A workbook's sheet as its zip entry, and what workbook.xml takes from the sheet (kept between runs:
    pipeline.render.parts, pipeline.io.sheet_parts)."""

    packed: Packed
    print_titles: str | None
    filter_ref: str | None


def pack(name: str, data: bytes, compress_type: int = zipfile.ZIP_DEFLATED, external_attr: int = 0o600 << 16) -> Packed:
    """`data` compressed as zipfile compresses it (deflate at the default level, or stored)."""
    if compress_type == zipfile.ZIP_DEFLATED:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
    elif compress_type == zipfile.ZIP_STORED:
        packed = data
    else:
        raise ValueError(f"compression {compress_type} not packed")
    return Packed(name, compress_type, external_attr, zlib.crc32(data), len(data), packed)


def packed_zip(entries: Iterable[Packed]) -> bytes:
    """The zip of already compressed entries, dated 1980-01-01: the same bytes as `fixed_zip` of the same
    entries. zipfile has no public way to write compressed data as is, so each entry goes through the
    steps of ZipFile.writestr by hand (tests/test_stable.py holds the two byte for byte)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        assert dst.fp is not None
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=ZIP_TIME)
            info.compress_type, info.external_attr = entry.compress_type, entry.external_attr
            info.file_size, info.compress_size, info.CRC = entry.size, len(entry.data), entry.crc
            info.flag_bits, info.header_offset = 0, dst.fp.tell()
            dst.fp.write(info.FileHeader(False))
            dst.fp.write(entry.data)
            dst.filelist.append(info)
            dst.NameToInfo[info.filename] = info
            dst.start_dir = dst.fp.tell()
            setattr(dst, "_didModify", True)  # noqa: B010 - set by ZipFile.open(mode="w"): the directory gets written
    return out.getvalue()
