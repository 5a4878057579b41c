"""Refuse hostile workbooks before calamine opens them, within bounded memory and time.

`screen(data, suffix)` raises `Refused` (a Vietnamese reason) for what a form
never is: a file far bigger than a form, a zip bomb (huge, lying or
over-compressed parts), an XML part with a DTD (billion laughs), and a sheet
whose used range is beyond any form. The last matters most: calamine
allocates every cell of a sheet's used range at once, so one value typed at
XFD1048576 of a 5 KB file asks for 550 GB and kills the process. .xls (OLE2
and BIFF records) and .ods are walked the way calamine walks them. The screen
mirrors calamine's behaviour: re-fuzz (`make fuzz`) after upgrading it.
"""

from __future__ import annotations

import html
import io
import re
import struct
import sys
import zipfile
import zlib
from abc import ABC, abstractmethod
from array import array
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from pipeline.core.steps.raw import cell_ref
from pipeline.core.vi import number
from pipeline.errors import os_cause
from pipeline.io.formulas import FormulaNotes
from pipeline.textnorm import nfc

# A real form is 10–30 KB and unpacks to well under 1 MB. The limits leave room
# for lists of thousands of organisations, logos and scans, and stop the rest.
MB = 1 << 20
MAX_FILE_BYTES = 50 * MB
MAX_ENTRIES = 1_000  # parts of a zip workbook (a form has about a dozen)
MAX_DIRECTORY_BYTES = 1 * MB  # the zip's table of parts (~1 KB per part at most), checked before it is parsed
MAX_UNPACKED_BYTES = 100 * MB  # all parts together
MAX_RATIO = 100  # compression ratio of one part that unpacks to more than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 * MB
MAX_ROWS = 10_000  # last row holding a value, counted from row 1
MAX_COLUMNS = 200  # last column holding a value (GR), counted from column A
MAX_CELLS = 4_000_000  # rows × columns of every sheet together
MAX_TAG_BYTES = 64 * 1024  # one XML start tag
CHUNK = 64 * 1024  # bytes unpacked at a time
# Parts calamine never opens (it finds sheets only under xl/worksheets/, xl/chartsheets/,
# xl/dialogsheets/ of an .xlsx, and content.xml of an .ods): their declared sizes are
# checked with the rest, but unpacking them would only cost time.
SHEET_PARTS = ("xl/worksheets/",)  # where calamine finds the sheets that hold cells
UNREAD_PARTS = ("docProps/", "xl/theme/", "xl/media/", "xl/printerSettings/", "customXml/", "Thumbnails/")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REDO = "hãy điền lại vào biểu mẫu chuẩn rồi gửi lại"
HOSTILE = f"có thể là tệp độc hại — {REDO}"



def human_size(n: int) -> str:
    """Bytes for a clerk: "35 KB", "100 MB", "2,1 GB"."""
    for unit, scale in (("GB", 1 << 30), ("MB", MB), ("KB", 1 << 10)):
        if n >= scale:
            value = (Decimal(n) / scale).quantize(Decimal("0.1"), ROUND_HALF_UP)
            whole = value == value.to_integral_value()
            return f"{number(value, 0 if whole else 1)} {unit}"
    return f"{n} byte"


def describe_failure(data: bytes, exc: BaseException) -> str:
    """Why calamine (or zipfile) could not read `data`, for a clerk."""
    if not data:
        return "tệp rỗng (0 byte)"
    if data[:2] == b"PK" or data[:8] == OLE_MAGIC:
        return f"tệp Excel bị hỏng hoặc không đọc được ({_damage(exc)})"
    return "tệp không phải bảng tính Excel (.xlsx, .xls) dù có đuôi tệp như vậy"



def _damage(exc: BaseException) -> str:
    """What broke, in words a clerk can pass on (not a Python class name)."""
    if type(exc).__name__ == "PanicException":
        return "chương trình đọc bảng tính gặp lỗi khi đọc tệp"
    if isinstance(exc, zipfile.BadZipFile):
        return "phần nén ZIP của tệp bị hỏng"
    if isinstance(exc, OSError):
        return os_cause(exc, reading=True)
    return "nội dung tệp không đúng định dạng"


# --- screening: refuse hostile files before calamine opens them ------------------


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Oversized(Exception):
    """A value beyond MAX_ROWS or MAX_COLUMNS: row and column from 1, sheet name if known."""

    def __init__(self, row: int, col: int, sheet: str = "") -> None:
        super().__init__(row, col, sheet)
        self.row, self.col, self.sheet = row, col, sheet


BOMB = f"có thể là tệp độc hại (zip bomb) — {REDO}"


def screen(data: bytes, suffix: str) -> dict[str, dict[tuple[int, int], str]]:
    """Raise Refused for a file calamine must not open; cheap for a real form.

    Returns, per sheet name, the formula cells calamine will read as blank
    (see `formulas`): found in the same pass over the sheet XML.

    calamine picks its reader by the suffix, and its zip reader finds a zip
    behind any leading bytes: what is screened follows the suffix, not the
    first bytes. An OLE2 file named .xlsx is a password-protected workbook.
    """
    if data[:8] == OLE_MAGIC:
        _screen_ole(data)
        if suffix != ".xls" and data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557)) >= 0:
            return _screen_zip(data)
    elif suffix != ".xls":
        return _screen_zip(data)
    return {}


def _too_large(big: _Oversized) -> str:
    where = f"trang tính «{big.sheet}»" if big.sheet else "một trang tính"
    return (f"{where} quá lớn: có dữ liệu ở ô {cell_ref(big.row - 1, big.col - 1)} "
            f"(giới hạn {number(MAX_ROWS)} dòng, {MAX_COLUMNS} cột); nếu đó là ô gõ nhầm, hãy xoá hẳn "
            "các dòng, cột thừa rồi gửi lại")


def count_cells(total: int, rows: int, cols: int) -> int:
    total += rows * cols
    if total > MAX_CELLS:
        raise Refused(f"tệp quá lớn: các trang tính có tới {number(total)} ô (giới hạn {number(MAX_CELLS)}); {REDO}")
    return total


def check_extent(sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise Refused(_too_large(_Oversized(rows, cols, sheet)))


# --- zip workbooks (.xlsx, .xlsm, .ods) ---


def _screen_zip(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
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
        except _Oversized as big:
            big.sheet = big.sheet or _sheet_names(archive).get(info.filename, info.filename)
            raise Refused(_too_large(big)) from None
    if not notes:
        return {}
    names = _sheet_names(archive)
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
    scanners: list[_TagScanner] = [_XlsxCells(info.filename, info.file_size)]
    if info.filename == "content.xml":  # OpenDocument; an .xlsx may name a sheet so too
        scanners.append(_OdsCells(info.filename, info.file_size))
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


_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_ATTRS = rb"""([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)"""  # quoted values may hold '>' and '/'
_DTD = re.compile(rb"<!(?i:doctype|entity)")
# <sst uniqueCount="…">, read the way calamine reads it (a whole number, maybe with "+")
_UNIQUE = re.compile(rb"""uniqueCount\s*=\s*(["'])\+?0*(\d+)\1""")
_UNIQUE_START = re.compile(rb"""uniqueCount\s*(?:=\s*(?:["'][+\d]*)?)?""")


class _TagScanner(ABC):
    """Feeds chunks of one XML part to `_tag`, one start tag at a time, in bounded memory.

    Every part, whatever its name, is also searched for what a workbook never
    declares (`_declarations`): a DTD, or a shared-string count that calamine
    would reserve memory for before reading a single string.
    """

    TAG: re.Pattern[bytes]
    START: re.Pattern[bytes]

    def __init__(self, part: str, size: int) -> None:
        self.part, self.size = part, size
        self.carry = b""  # an unfinished start tag, for the next chunk
        self.pending = b""  # the end of the last chunk, where a declaration may continue
        self.cells = 0

    def feed(self, chunk: bytes) -> None:
        self._declarations(chunk)
        buf = self.carry + chunk if self.carry else chunk
        if self._skip(buf):
            self.carry = buf[-16:]  # enough for a marker cut in two
            return
        end = 0
        for match in self.TAG.finditer(buf):
            self._tag(match)
            end = match.end()
        rest = buf[end:]
        if len(rest) > MAX_TAG_BYTES:  # text runs long; a tag never does
            cut = len(rest) - MAX_TAG_BYTES
            if self.START.search(rest, 0, cut):
                raise self._abnormal()
            rest = rest[cut:]
        self.carry = rest

    def close(self, cells: int) -> int:
        self._declarations(b"", final=True)
        return self._total(cells)

    def _declarations(self, chunk: bytes, final: bool = False) -> None:
        buf = self.pending + chunk
        if b"<!" in buf and _DTD.search(buf):  # anywhere, not just before the root
            raise Refused(f"phần «{self.part}» của tệp có khai báo DTD, thực thể XML (<!DOCTYPE, <!ENTITY), "
                           f"điều tệp Excel thật không bao giờ có; có thể là tệp độc hại (billion laughs) — {REDO}")
        cut = len(buf) if final else max(0, len(buf) - 256)
        at = buf.find(b"uniqueCount", 0, cut)
        while at >= 0:
            match = _UNIQUE.match(buf, at)
            if match is None and not final and _UNIQUE_START.fullmatch(buf, at):
                cut = at  # the value goes on in the next chunk
                break
            if match and (len(match[2]) > 9 or int(match[2]) > MAX_CELLS):
                raise Refused(f"phần «{self.part}» của tệp khai báo {number(int(match[2][:15]))} chuỗi ký tự "
                               f"(giới hạn {number(MAX_CELLS)}); {HOSTILE}")
            at = buf.find(b"uniqueCount", at + 1, cut)
        self.pending = buf[cut:]
        if len(self.pending) > MAX_TAG_BYTES:
            raise self._abnormal()

    def _abnormal(self) -> Refused:
        return Refused(f"tệp Excel bị hỏng hoặc bất thường (thẻ XML dài quá {human_size(MAX_TAG_BYTES)} "
                        f"trong phần «{self.part}»); {HOSTILE}")

    def _total(self, cells: int) -> int:
        return cells

    def _skip(self, buf: bytes) -> bool:
        """Whether this buffer needs no tag-by-tag reading."""
        return False

    @abstractmethod
    def _tag(self, match: re.Match[bytes]) -> None:
        """Account for one start tag found by the subclass's TAG pattern."""


class _XlsxCells(_TagScanner):
    """Rows and cells (<row r="5">, <c r="B5">) of a worksheet part, as calamine places them.

    calamine reads cells only inside <sheetData>, so a part without one costs a
    search. A part that fits one chunk and writes every cell the usual way
    (`<c r="B5"`, within limits) is judged by a few searches (`_quick`);
    anything else is read tag by tag.
    """

    TAG = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])" + _ATTRS + rb">(\s*</" + _PREFIX + rb"c\s*>)?")
    START = re.compile(rb"<" + _PREFIX + rb"(?:row|c)(?=[\s/>])")
    REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)0*(\d*)""")
    # A cell the usual way: <c r="B5" s="3" t="n">, the reference first and within GR9999, then only
    # the other attributes of the schema (s, t, cm, vm, ph), double-quoted, one space apart.
    UNUSUAL_CELL = (re.compile(rb"<c[>/\t\n\r]"),  # no attribute, or odd spacing
                    re.compile(rb":c[\s/>]"),  # a namespace prefix
                    re.compile(rb'<c (?!r="(?i:[A-F]?[A-Z]|G[A-R])\d{1,4}"(?: (?:s|t|cm|vm|ph)="[^"<>]*")* ?/?>)'))

    def __init__(self, part: str, size: int) -> None:
        super().__init__(part, size)
        self.in_sheet = False
        self.row = self.col = 0

    def _skip(self, buf: bytes) -> bool:
        if not self.in_sheet:
            if b"sheetData" not in buf:
                return True
            self.in_sheet = True
            return len(buf) == self.size and self._quick(buf)
        return False

    def _quick(self, buf: bytes) -> bool:
        """Whether every cell of the whole part starts with its own r="…" within GR9999.

        Rows do not matter then: calamine places a cell that has a reference by it.
        """
        return not any(p.search(buf) for p in self.UNUSUAL_CELL)

    def _tag(self, match: re.Match[bytes]) -> None:
        name, attrs, closed = match.groups()
        refs = self.REF.findall(attrs)  # calamine takes the last of repeated r="…": judge them all
        if name == b"row":
            self.row = max((_whole(digits) for _, digits in refs if digits), default=self.row + 1)
            self.col = 0
            return
        row = max((_whole(digits) for _, digits in refs if digits), default=max(self.row, 1))
        col = max((_column(letters) for letters, _ in refs if letters), default=self.col + 1)
        self.row, self.col = row, col
        if attrs.endswith(b"/") or closed:
            return  # a styled blank: calamine leaves it out of the used range
        if row > MAX_ROWS or col > MAX_COLUMNS:
            raise _Oversized(row, col)


class _OdsCells(_TagScanner):
    """Tables, rows and cells of an OpenDocument content.xml, with their repeat counts."""

    TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
                     + _ATTRS + rb">")
    START = re.compile(rb"<" + _PREFIX + rb"(?:table|table-row|table-cell|covered-table-cell)(?=[\s/>])")
    ATTR = re.compile(rb"""(?:^|\s)""" + _PREFIX
                      + rb"""(number-rows-repeated|number-columns-repeated|value-type|name)"""
                      rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")

    def __init__(self, part: str, size: int) -> None:
        super().__init__(part, size)
        self.table = ""
        self.row = self.span = self.next_row = self.col = self.rows = self.cols = 0

    def _tag(self, match: re.Match[bytes]) -> None:
        closing, name, attrs = match.groups()
        if closing:
            if name == b"table":
                self._end_table()
            return
        found: dict[bytes, list[bytes]] = {}
        for attr in self.ATTR.finditer(attrs):
            found.setdefault(attr[1], []).append(attr[2] if attr[2] is not None else attr[3])

        def repeat(key: bytes) -> int:  # the largest, should an attribute come twice
            return max(map(_whole, found.get(key, [b"1"])))

        if name == b"table":
            self._end_table()
            self.table = nfc(html.unescape(found.get(b"name", [b""])[-1].decode("utf-8", "replace")))
        elif name == b"table-row":
            self.row, self.span = self.next_row, repeat(b"number-rows-repeated")
            self.next_row += self.span
            self.col = 0
        else:
            self.col += repeat(b"number-columns-repeated")
            if b"value-type" in found or not attrs.endswith(b"/"):
                last_row, last_col = self.row + self.span, self.col
                if last_row > MAX_ROWS or last_col > MAX_COLUMNS:
                    raise _Oversized(last_row, last_col, self.table)
                self.rows, self.cols = max(self.rows, last_row), max(self.cols, last_col)

    def _end_table(self) -> None:
        self.cells = count_cells(self.cells, self.rows, self.cols)
        self.row = self.span = self.next_row = self.col = self.rows = self.cols = 0

    def _total(self, cells: int) -> int:
        self._end_table()
        return count_cells(cells, self.cells, 1)


def _whole(digits: bytes) -> int:
    """A count or row number; absurdly long ones only need to be too large."""
    digits = digits.strip().lstrip(b"0") or b"0"
    if not digits.isdigit():
        return 1
    return int(digits) if len(digits) <= 15 else 10**15


def _column(letters: bytes) -> int:
    """"A" → 1, "xfd" → 16384; longer than any real column → beyond every limit."""
    if len(letters) > 4:
        return 10**6
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name, from xl/workbook.xml and its relationships (best effort, bounded)."""
    try:
        with archive.open("xl/workbook.xml") as book, archive.open("xl/_rels/workbook.xml.rels") as rels:
            book_xml, rels_xml = book.read(MB), rels.read(MB)
    except Exception:  # only for a friendlier message: without it the part name is shown
        return {}
    attrs = re.compile(rb"""([\w:]+)\s*=\s*"([^"]*)\"""")
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels_xml):
        found = dict(attrs.findall(tag))
        target = found.get(b"Target", b"").decode("utf-8", "replace")
        targets[found.get(b"Id", b"")] = target.lstrip("/") if target.startswith(("/", "xl/")) else f"xl/{target}"
    names = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book_xml):
        found = dict(attrs.findall(tag))
        rid = next((v for k, v in found.items() if k.endswith(b":id")), b"")
        if rid in targets:
            names[targets[rid]] = nfc(html.unescape(found.get(b"name", b"").decode("utf-8", "replace")))
    return names


# --- legacy workbooks (.xls): the BIFF records inside the OLE2 compound file ---

_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x0206, 0x027E, 0x0406})
_BIFF_MULRK, _BIFF_BOUNDSHEET, _BIFF_FILEPASS, _BIFF_DIMENSIONS = 0x00BD, 0x0085, 0x002F, 0x0200
_BIFF_BOF = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_END_OF_CHAIN, _FREE_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF
_MINI_CUTOFF = 4096  # calamine's, whatever the header says: shorter streams live in the mini stream


def _screen_ole(data: bytes) -> None:
    for stream in _ole_streams(data, ("workbook", "book")):
        try:
            _scan_biff(stream)
        except _Oversized as big:
            raise Refused(_too_large(big)) from None


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
            raise _Oversized(row + 1, col + 1, names[sheet - 1] if 0 < sheet <= len(names) else "")
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
