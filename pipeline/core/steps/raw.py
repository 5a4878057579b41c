"""Raw workbook data as the reader hands it to the core: values by A1 position.

Plain data shared by the I/O shell (which fills it) and the pure core (which
parses it), so the core never needs to import the reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from pipeline.issue_types import REFUSALS, UNREADABLE_FILE
from pipeline.issues import Issue

UNCALCULATED = "uncalculated"  # a formula saved without its value (never calculated)


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell the reader gives as blank: never calculated, or its cached value is an error.

    The parser puts one in place of the blank so that the cell is reported
    where it is used instead of read as "not filled in"; as text it is empty.
    """

    problem: str  # UNCALCULATED, or the error value as Excel shows it: "#N/A", "#DIV/0!"

    def __str__(self) -> str:
        return ""


Value = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | FormulaCell


@dataclass(frozen=True)
class RawSheet:
    """A sheet's values as rows from A1, strings NFC-normalised, blanks as "".

    `formulas` maps (row, col) from 0 to the problem of a formula cell the
    reader gave as blank (UNCALCULATED or its error value, "#N/A").
    """

    name: str
    hidden: bool
    rows: tuple[tuple[Value, ...], ...]
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict, compare=False, hash=False)

    @cached_property
    def texts(self) -> tuple[str, ...]:
        """Every string cell with something in it (kept: parsing asks several questions of them)."""
        return tuple(strings(self.rows))

    @cached_property
    def text(self) -> str:
        """`texts` joined by line breaks: one search over it answers for every cell of the sheet
        (NFC, legacy fonts, unsafe characters). A line break composes with nothing, so this is NFC
        exactly when every cell is, and holds no character but theirs and line breaks."""
        return "\n".join(self.texts)


def strings(rows: tuple[tuple[Value, ...], ...]) -> list[str]:
    """The string cells of `rows` with something in it, row by row (a blank "" holds no character)."""
    return [v for row in rows for v in row if isinstance(v, str) and v]


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
    rule: str = UNREADABLE_FILE.code  # one of issue_types.REFUSALS

    @property
    def message(self) -> str:
        return REFUSALS[self.rule].message(reason=self.reason)

    def issue(self, unit: str = "") -> Issue:
        """The refusal as an error of its year's validation."""
        return REFUSALS[self.rule].at(self.path, unit=unit, reason=self.reason)


@lru_cache(maxsize=65536)  # every row of every list names the same few columns
def cell_ref(row: int, col: int) -> str:
    """Zero-based (row, col) → A1 reference: (0, 0) → "A1", (9, 27) → "AB10"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
