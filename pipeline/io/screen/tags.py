"""One XML part read start tag by start tag, in bounded memory, and what no part may declare."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod

from pipeline.core.vi import number
from pipeline.io.screen.limits import HOSTILE, MAX_CELLS, MAX_TAG_BYTES, REDO, Refused, human_size

PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
ATTRS = rb"""([^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*)"""  # quoted values may hold '>' and '/'
_DTD = re.compile(rb"<!(?i:doctype|entity)")
# <sst uniqueCount="…">, read the way calamine reads it (a whole number, maybe with "+")
_UNIQUE = re.compile(rb"""uniqueCount\s*=\s*(["'])\+?0*(\d+)\1""")
_UNIQUE_START = re.compile(rb"""uniqueCount\s*(?:=\s*(?:["'][+\d]*)?)?""")


class TagScanner(ABC):
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
        # anywhere, not just before the root; "!" first: one memchr, where a two-byte search walks the part
        if b"!" in buf and _DTD.search(buf):
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


def whole(digits: bytes) -> int:
    """A count or row number; absurdly long ones only need to be too large."""
    digits = digits.strip().lstrip(b"0") or b"0"
    if not digits.isdigit():
        return 1
    return int(digits) if len(digits) <= 15 else 10**15


def column(letters: bytes) -> int:
    """"A" → 1, "xfd" → 16384; longer than any real column → beyond every limit."""
    if len(letters) > 4:
        return 10**6
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col
