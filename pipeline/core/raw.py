"""Raw workbook data as the reader hands it to the core: values by A1 position.

Plain data shared by the I/O shell (which fills it) and the pure core (which
parses it), so the core never needs to import the reader.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from dataclasses import dataclass
from typing import Union

Value = Union[str, int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta]


@dataclass(frozen=True)
class RawSheet:
    """A sheet's values as rows from A1, strings NFC-normalised, blanks as ""."""

    name: str
    hidden: bool
    rows: tuple[tuple[Value, ...], ...]


@dataclass(frozen=True)
class RawWorkbook:
    path: str
    sha256: str
    sheets: tuple[RawSheet, ...]


@dataclass(frozen=True)
class Refusal:
    """An entry under INPUT that is not a readable workbook, and why (in Vietnamese).

    `rule` says what kind: a workbook that could not be read, or an entry that is
    not one at all (a folder without read permission, a .xlsb or .zip, a link
    out of INPUT, a FIFO), which the walk refuses without opening it.
    """

    path: str
    sha256: str
    reason: str
    rule: str = "unreadable-file"

    @property
    def message(self) -> str:
        if self.rule == "unreadable-file":
            return f"Không đọc được tệp: {self.reason}"
        return self.reason[:1].upper() + self.reason[1:]


@lru_cache(maxsize=65536)  # every row of every list names the same few columns
def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) → A1 reference: (0, 0) → "A1", (9, 27) → "AB10"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
