"""The characters the documents' font can draw, as fontconfig knows them.

WeasyPrint finds fonts through fontconfig (the fontconfig package comes with
Pango, which WeasyPrint needs), and Pango decides from fontconfig's character
set of a face whether it draws a character or falls back to another font. So
the same fontconfig is asked (`fc-list`), for every face of the family
(regular, bold, italic…): a character is drawable only if every face has it,
since a name may be printed in any of them. fontconfig keeps the sets in its
own cache, so asking costs one short process instead of reading the font
files. Read once per process; a family that cannot be found gives None and
the PDF renderer reports the missing font itself.
"""

from __future__ import annotations

import logging
import subprocess
from functools import lru_cache

log = logging.getLogger("pipeline")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# One face a line: its file, a tab, its character set as fontconfig prints it ("20-7e a0-36f 1ea0 …", hex).
FACES_FORMAT = "%{file}\\t%{charset}\\n"


@lru_cache(maxsize=8)
def drawable_characters(family: str) -> frozenset[int] | None:
    """Code points that every face of `family` maps to a glyph; None if the family is not installed."""
    covered: frozenset[int] | None = None
    for line in _faces(family):
        file, _, charset = line.partition("\t")
        if not file.lower().endswith(FONT_SUFFIXES):
            continue
        try:
            points = parse_charset(charset)
        except ValueError:
            log.debug("Bỏ qua bảng ký tự không đọc được của tệp phông %s", file)
            continue
        covered = points if covered is None else covered & points
    return covered


def parse_charset(charset: str) -> frozenset[int]:
    """fontconfig's printed character set ("20-7e a0 1ea0-1ef9"): its code points; ValueError if malformed."""
    points: set[int] = set()
    for item in charset.split():
        first, dash, last = item.partition("-")
        start, end = int(first, 16), int(last if dash else first, 16)
        if not 0 <= start <= end < 0x110000:
            raise ValueError(item)
        points.update(range(start, end + 1))
    return frozenset(points)


def _faces(family: str) -> list[str]:
    """fc-list's line for each face of `family` (exact family, no fallback), in a stable order."""
    try:
        listed = subprocess.run(["fc-list", "--format", FACES_FORMAT, family], capture_output=True, text=True,
                                timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("Không chạy được fc-list: %s", exc)
        return []
    return sorted(set(listed.splitlines()))
