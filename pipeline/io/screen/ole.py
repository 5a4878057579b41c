"""Legacy workbooks (.xls) and encrypted ones: the OLE2 compound file and the BIFF records inside.

The compound file's chains of sectors are walked the way calamine walks
them, and refused as broken where calamine would loop, panic or reserve
gigabytes; the BIFF records then place each sheet's cells.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator

from pipeline.core.vi import number
from pipeline.io.screen.limits import (
    HOSTILE,
    MAX_COLUMNS,
    MAX_ROWS,
    Oversized,
    Refused,
    count_cells,
    too_large,
)
from pipeline.textnorm import nfc

_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x0206, 0x027E, 0x0406})
_BIFF_MULRK, _BIFF_BOUNDSHEET, _BIFF_FILEPASS, _BIFF_DIMENSIONS = 0x00BD, 0x0085, 0x002F, 0x0200
_BIFF_BOF = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_END_OF_CHAIN, _FREE_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF
_MINI_CUTOFF = 4096  # calamine's, whatever the header says: shorter streams live in the mini stream


def screen_ole(data: bytes) -> None:
    for stream in _ole_streams(data, ("workbook", "book")):
        try:
            _scan_biff(stream)
        except Oversized as big:
            raise Refused(too_large(big)) from None


def _ole_streams(data: bytes, wanted: tuple[str, ...]) -> Iterator[bytes]:
    """The named streams of an OLE2 compound file, its structure checked the way calamine walks it.

    calamine follows each chain of sectors to its end mark and first reserves
    the length the header or directory claims: a chain that loops or leaves
    the file, or a length beyond the file, makes it loop for ever, panic or ask
    for gigabytes. Such a file is refused here as broken.
    """
    broken = Refused("tệp Excel bị hỏng hoặc không đọc được (cấu trúc OLE2 hỏng)")
    if len(data) < 512:
        raise broken
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise broken
    size = 1 << shift
    count = (len(data) - 1) // size  # sectors after the header, a cut last one included
    dir_len, fat_len, dir_start, _, _, minifat_start, minifat_len, difat_start, difat_len = struct.unpack_from(
        "<9I", data, 0x28)
    if max(dir_len, fat_len, minifat_len, difat_len) * size > len(data):
        raise broken

    def sector(sid: int) -> bytes:
        block = data[(sid + 1) * size:(sid + 2) * size]
        if len(block) < size:
            raise broken
        return block

    def chain(start: int, entries: array[int], limit: int) -> list[int]:
        """The sectors from `start` to the end mark; a longer chain than `limit` loops."""
        ids: list[int] = []
        sid = start
        while sid != _END_OF_CHAIN:
            if sid >= len(entries) or sid >= limit or len(ids) >= limit:
                raise broken
            ids.append(sid)
            sid = entries[sid]
        return ids

    fat_ids = list(struct.unpack_from("<109I", data, 0x4C))
    sid, seen = difat_start, 0
    while sid not in (_END_OF_CHAIN, _FREE_SECTOR):
        if sid >= count or seen >= count:
            raise broken
        block = _u32s(sector(sid))
        fat_ids.extend(block[:-1])
        sid, seen = block[-1], seen + 1
    fat_ids = [sid for sid in fat_ids if sid != _FREE_SECTOR]
    if len(fat_ids) > count or any(sid >= count for sid in fat_ids):
        raise broken
    fat = _u32s(b"".join(sector(sid) for sid in fat_ids))
    directory = b"".join(sector(sid) for sid in chain(dir_start, fat, count))
    entries = [_ole_entry(directory, at, size) for at in range(0, len(directory) - 127, 128)]
    if not entries or entries[0][2] > len(data):
        raise broken
    _, root_start, root_len = entries[0]
    ministream = b"".join(sector(sid) for sid in chain(root_start, fat, count))[:root_len or None]
    minifat = _u32s(b"".join(sector(sid) for sid in chain(minifat_start, fat, count)))
    for name, start, length in entries[1:]:
        if name.lower() not in wanted:
            continue
        if length > len(data):
            raise broken
        if length < _MINI_CUTOFF:
            ids = chain(start, minifat, len(ministream) // 64)
            yield b"".join(ministream[sid * 64:(sid + 1) * 64] for sid in ids)[:length]
        else:
            yield b"".join(sector(sid) for sid in chain(start, fat, count))[:length]


def _ole_entry(directory: bytes, at: int, size: int) -> tuple[str, int, int]:
    """Name, first sector and length of one directory entry, read as calamine reads them."""
    name = directory[at:at + 64].decode("utf-16-le", "ignore").split("\0", 1)[0]
    start = struct.unpack_from("<I", directory, at + 116)[0]
    length = struct.unpack_from("<I" if size == 512 else "<Q", directory, at + 120)[0]
    return name, start, length


def _u32s(raw: bytes) -> array[int]:
    """Little-endian sector numbers."""
    entries = array("I")
    entries.frombytes(raw[:len(raw) // 4 * 4])
    if sys.byteorder == "big":
        entries.byteswap()
    return entries


def _scan_biff(stream: bytes) -> None:
    """The cells holding values in each sheet of a BIFF5/BIFF8 workbook stream."""
    header = struct.Struct("<HH").unpack_from
    names: list[str] = []
    sheet, rows, cols, cells = -1, 0, 0, 0
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, length = header(stream, pos)
        body, pos = pos + 4, pos + 4 + length
        if pos > end:
            break
        if kind in _BIFF_CELLS and length >= 4:
            row, col = header(stream, body)
        elif kind == _BIFF_MULRK and length >= 6:
            row = header(stream, body)[0]
            col = header(stream, pos - 2)[0]
        elif kind in _BIFF_BOF:
            cells, sheet, rows, cols = count_cells(cells, rows, cols), sheet + 1, 0, 0
            continue
        elif kind == _BIFF_BOUNDSHEET:
            names.append(_boundsheet_name(stream[body:pos]))
            continue
        elif kind == _BIFF_FILEPASS:
            return  # encrypted: calamine asks for the password, and the refusal says so
        elif kind == _BIFF_DIMENSIONS:
            _check_dimensions(stream[body:pos])
            continue
        else:
            continue
        if row >= MAX_ROWS or col >= MAX_COLUMNS:
            raise Oversized(row + 1, col + 1, names[sheet - 1] if 0 < sheet <= len(names) else "")
        rows, cols = max(rows, row + 1), max(cols, col + 1)
    count_cells(cells, rows, cols)


def _check_dimensions(body: bytes) -> None:
    """The used range a sheet declares, which calamine reserves room for: within what .xls allows."""
    if len(body) >= 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", body)
    else:
        return
    if end_row > 65_536 or end_col > 256 or first_row > end_row or first_col > end_col:
        raise Refused(f"tệp Excel bất thường: một trang tính khai báo vùng dữ liệu {number(end_row)} dòng × "
                       f"{number(end_col)} cột, vượt khổ tệp .xls (65.536 dòng × 256 cột); {HOSTILE}")


def _boundsheet_name(body: bytes) -> str:
    """A BIFF8 BOUNDSHEET record's sheet name (empty if it cannot be read)."""
    if len(body) < 8:
        return ""
    length, flags = body[6], body[7]
    text = body[8:8 + length * 2].decode("utf-16-le", "replace") if flags & 1 else body[8:8 + length].decode("latin-1")
    return nfc(text)
