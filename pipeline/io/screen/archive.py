"""The zip container of .xlsx, .xlsm and .ods: its table of parts, then each part unpacked in bounded chunks.

Declared sizes and compression ratios are judged before anything is
unpacked; each part is then inflated CHUNK at a time and fed to the scanners
of `tags`, `xlsx` and `ods`, and to `FormulaNotes` for the sheets.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from pipeline.core.vi import number
from pipeline.io.formulas import FormulaNotes
from pipeline.io.screen.limits import (
    BOMB,
    CHUNK,
    HOSTILE,
    MAX_DIRECTORY_BYTES,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_FLOOR_BYTES,
    Oversized,
    Refused,
    describe_failure,
    human_size,
    too_large,
)
from pipeline.io.screen.ods import OdsCells
from pipeline.io.screen.tags import TagScanner
from pipeline.io.screen.xlsx import XlsxCells, sheet_names

# Parts calamine never opens (it finds sheets only under xl/worksheets/, xl/chartsheets/,
# xl/dialogsheets/ of an .xlsx, and content.xml of an .ods): their declared sizes are
# checked with the rest, but unpacking them would only cost time.
SHEET_PARTS = ("xl/worksheets/",)  # where calamine finds the sheets that hold cells
UNREAD_PARTS = ("docProps/", "xl/theme/", "xl/media/", "xl/printerSettings/", "customXml/", "Thumbnails/")


def screen_zip(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    directory = _directory_bytes(data)
    if directory > MAX_DIRECTORY_BYTES:
        raise Refused(f"tệp nén bất thường: mục lục các phần dài {human_size(directory)} (giới hạn "
                       f"{human_size(MAX_DIRECTORY_BYTES)}, khoảng {number(MAX_ENTRIES)} phần); {HOSTILE}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises many kinds for a broken table of parts
        raise Refused(describe_failure(data, exc)) from exc
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"tệp nén bất thường: gồm {number(len(infos))} phần (giới hạn {number(MAX_ENTRIES)}); {HOSTILE}")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNPACKED_BYTES:
        raise Refused(f"tệp nén bất thường: giải nén ra {human_size(declared)} "
                      f"(giới hạn {human_size(MAX_UNPACKED_BYTES)}); {BOMB}")
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(f"tệp nén bất thường: phần «{info.filename}» nén {human_size(info.file_size)} vào "
                           f"{human_size(info.compress_size)} (tỉ lệ trên {MAX_RATIO}:1); {BOMB}")
    cells = 0
    notes: dict[str, dict[tuple[int, int], str]] = {}  # part → formulas without a value
    for info in infos:
        if info.filename.startswith(UNREAD_PARTS):
            continue
        try:
            cells = _scan_part(data, info, cells, notes)
        except Oversized as big:
            big.sheet = big.sheet or sheet_names(archive).get(info.filename, info.filename)
            raise Refused(too_large(big)) from None
    if not notes:
        return {}
    names = sheet_names(archive)
    return {names[part]: found for part, found in notes.items() if part in names}


def _directory_bytes(data: bytes) -> int:
    """Size of the zip's central directory, from its end record(s), before zipfile parses it."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0  # no end record: zipfile refuses the file
    size = int.from_bytes(data[end + 12:end + 16], "little")
    zip64 = end - 20 - 56  # the zip64 end record sits right before its locator, as zipfile reads it
    if zip64 >= 0 and data[end - 20:end - 16] == b"PK\x06\x07" and data[zip64:zip64 + 4] == b"PK\x06\x06":
        size = int.from_bytes(data[zip64 + 40:zip64 + 48], "little")
    return size


def _scan_part(data: bytes, info: zipfile.ZipInfo, cells: int, notes: dict[str, dict[tuple[int, int], str]]) -> int:
    """Unpack one part in chunks: its real size, no DTD, the cells holding values, formulas without one."""
    formulas = FormulaNotes() if info.filename.startswith(SHEET_PARTS) else None
    scanners: list[TagScanner] = [XlsxCells(info.filename, info.file_size)]
    if info.filename == "content.xml":  # OpenDocument; an .xlsx may name a sheet so too
        scanners.append(OdsCells(info.filename, info.file_size))
    unpacked = 0
    for chunk in _unpack(data, info):
        unpacked += len(chunk)
        if unpacked > info.file_size:
            raise Refused(f"tệp nén bất thường: phần «{info.filename}» giải nén ra nhiều hơn kích thước "
                           f"ghi trong tệp ({human_size(info.file_size)}); {BOMB}")
        for scanner in scanners:
            scanner.feed(chunk)
        if formulas:
            formulas.feed(chunk)
    for scanner in scanners:
        cells = scanner.close(cells)
    if formulas and (found := formulas.close()):
        notes[info.filename] = found
    return cells


def _unpack(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, CHUNK at a time, however much its header claims or hides."""
    start = info.header_offset
    if data[start:start + 4] != b"PK\x03\x04" or start + 30 > len(data):
        raise Refused(f"tệp Excel bị hỏng hoặc không đọc được (phần «{info.filename}»)")
    name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_len + extra_len
    packed = memoryview(data)[begin:begin + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(packed), CHUNK):
            yield packed[at:at + CHUNK].tobytes()
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise Refused(f"tệp Excel bị hỏng hoặc không đọc được (phần «{info.filename}» nén kiểu lạ)")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for at in range(0, len(packed), CHUNK):  # small slices: unconsumed_tail is a copy
            pending: bytes | memoryview = packed[at:at + CHUNK]
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, CHUNK)
                stalled = not chunk and len(inflater.unconsumed_tail) == len(pending)
                pending = inflater.unconsumed_tail
                yield chunk
                if stalled:
                    return
            if inflater.eof:
                return
        while not inflater.eof and (chunk := inflater.decompress(b"", CHUNK)):
            yield chunk  # what zlib still holds once the input has run out
    except zlib.error as exc:
        raise Refused(f"tệp Excel bị hỏng hoặc không đọc được (phần «{info.filename}»)") from exc
