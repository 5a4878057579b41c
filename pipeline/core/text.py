"""Text from workbooks made safe to print: nothing invisible, nothing the font lacks, nothing endless.

A cell can hold anything Unicode allows. Three kinds of character harm a
document: control and format characters (a right-to-left override prints
"TNHH" as "HHNT", a bell stops an XML writer), characters the documents' font
has no glyph for (an emoji stops WeasyPrint), and sheer length (a 32,767-letter
word fills pages). `clean_workbook` removes the first, replaces the second by
a visible "□" and cuts the third, with a warning located to the cell, before
anything is parsed; `printable` is the renderers' last line for every other
string (file names, sheet names, messages quoting cells).

A `TextPolicy` is built once per process: one regular expression matches any
character that is not plainly printable, so the usual sheet costs one search.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.core.steps.raw import RawSheet, RawWorkbook, cell_ref
from pipeline.core.vi import number
from pipeline.issue_types import HIDDEN_CHARACTER, TEXT_TOO_LONG, UNDRAWABLE_CHARACTER
from pipeline.issues import Issue

REPLACEMENT = "□"  # WHITE SQUARE: in WGL4, so in every font an official document may use
KEPT_CONTROLS = "\t\n\r"  # ordinary white space: the parser reads it as a space
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# Every character of categories Cc, Cf, Zl and Zp (Unicode 14, Python 3.11's unicodedata),
# spelled out: scanning all 1,114,112 code points for them costs ~1 s per process.
# tests/core/test_text.py checks the list against unicodedata.
HIDDEN_CLASS = ("\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
                "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
                "\ud800-\udfff")
PREVIEW = 60  # characters of a cleaned value quoted in a warning
LISTED = 5  # distinct code points named in a warning


@dataclass(frozen=True)
class TextPolicy:
    """What may be printed: `unsafe` matches one character that is hidden or not drawable."""

    family: str
    max_length: int
    unsafe: re.Pattern[str]
    drawable: frozenset[int] | None


def text_policy(drawable: frozenset[int] | None, family: str, max_length: int) -> TextPolicy:
    """The policy for a font drawing `drawable` (None: unknown, only hidden characters are unsafe)."""
    if drawable is None:
        unsafe = re.compile(f"[{_without_kept(HIDDEN_CLASS)}]")
    else:
        allowed = {cp for cp in drawable if not is_hidden(chr(cp))} | {ord(c) for c in KEPT_CONTROLS}
        unsafe = re.compile(f"[^{_ranges(sorted(allowed))}]")
    return TextPolicy(family, max_length, unsafe, drawable)


def _without_kept(chars: str) -> str:
    return chars.replace("\x00-\x1f", "\x00-\x08\x0b\x0c\x0e-\x1f")


def _ranges(points: list[int]) -> str:
    """Sorted code points as the inside of a regular-expression character class."""
    spans: list[list[int]] = []
    for cp in points:
        if spans and spans[-1][1] == cp - 1:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans)


def is_hidden(char: str) -> bool:
    """A control, format (bidi, zero-width…), separator or surrogate character, but not tab or newline."""
    return char not in KEPT_CONTROLS and unicodedata.category(char) in HIDDEN_CATEGORIES


def printable(text: str, policy: TextPolicy) -> str:
    """`text` with hidden characters dropped (white-space ones become a space) and undrawable ones as "□"."""
    if policy.unsafe.search(text) is None:
        return text
    return policy.unsafe.sub(lambda m: _substitute(m.group(), policy), text)


def _substitute(char: str, policy: TextPolicy) -> str:
    if is_hidden(char):
        return " " if char.isspace() else ""
    return REPLACEMENT if policy.drawable is not None else char


def visible(text: str) -> str:
    """`text` for a terminal or a log: hidden characters as escapes (\\x1b, \\u202e), undecodable
    bytes of a file name (surrogate escapes) as \\xNN."""
    if (text.isascii() and text.isprintable()) or not any(map(is_hidden, text)):
        return text  # printable ASCII first: none of it is hidden, decided without a call per character
    return "".join(_escape(c) if is_hidden(c) else c for c in text)


LOG_LIMIT = 600  # characters of one log line: a library's warning may quote a whole document
_DATA_URI = re.compile(r"data:[\w/+.-]*(?:;[\w=.-]+)*,[^\s'\")>]{40,}")


def brief(text: str, limit: int = LOG_LIMIT) -> str:
    """`text` short enough for one log line: data URIs (a chart is 140 KB of base64) reduced
    to their kind and size, and anything longer than `limit` cut with its length said."""
    text = _DATA_URI.sub(lambda m: f"{m.group(0).split(',', 1)[0]},…({len(m.group(0))} ký tự)", text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (đã cắt, dài {len(text)} ký tự)"


def _escape(char: str) -> str:
    cp = ord(char)
    if 0xDC80 <= cp <= 0xDCFF:  # os.fsdecode's surrogateescape of an undecodable byte
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


# --- workbooks -----------------------------------------------------------------------


def clean_workbook(book: RawWorkbook, policy: TextPolicy) -> tuple[RawWorkbook, tuple[Issue, ...]]:
    """Every string cell made printable and cut to `policy.max_length`, with a warning per change."""
    issues: list[Issue] = []
    sheets = tuple(_clean_sheet(sheet, policy, book.path, issues) for sheet in book.sheets)
    if not issues:
        return book, ()
    return dataclasses.replace(book, sheets=sheets), tuple(issues)


def _clean_sheet(sheet: RawSheet, policy: TextPolicy, file: str, issues: list[Issue]) -> RawSheet:
    if policy.unsafe.search(sheet.text) is None and max(map(len, sheet.texts), default=0) <= policy.max_length:
        return sheet  # the usual case: one search over the whole sheet
    rows = []
    for r, row in enumerate(sheet.rows):
        new_row = list(row)
        for c, value in enumerate(row):
            if isinstance(value, str):
                new_row[c] = _clean_cell(value, policy, file, sheet.name, cell_ref(r, c), issues)
        rows.append(tuple(new_row))
    return dataclasses.replace(sheet, rows=tuple(rows))


def _clean_cell(value: str, policy: TextPolicy, file: str, sheet: str, cell: str, issues: list[Issue]) -> str:
    unsafe = policy.unsafe.findall(value)
    hidden = [c for c in unsafe if is_hidden(c)]
    lacking = [c for c in unsafe if not is_hidden(c)]
    text = printable(value, policy)
    length = len(text)
    if length > policy.max_length:
        text = text[:policy.max_length]
    if hidden:
        issues.append(HIDDEN_CHARACTER.at(file, sheet=sheet, cell=cell, count=_count(hidden), codes=_codes(hidden),
                                          preview=_preview(text)))
    if lacking:
        issues.append(UNDRAWABLE_CHARACTER.at(file, sheet=sheet, cell=cell, family=policy.family,
                                              count=_count(lacking), codes=_codes(lacking), replacement=REPLACEMENT,
                                              preview=_preview(text)))
    if length > policy.max_length:
        issues.append(TEXT_TOO_LONG.at(file, sheet=sheet, cell=cell, length=number(length),
                                       limit=number(policy.max_length), preview=_preview(text)))
    return text


def _count(chars: list[str]) -> str:
    return number(len(chars))


def _codes(chars: Iterable[str]) -> str:
    distinct = list(dict.fromkeys(chars))
    named = ", ".join(f"U+{ord(c):04X}" for c in distinct[:LISTED])
    return named + (", …" if len(distinct) > LISTED else "")


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[:PREVIEW] + "…"
