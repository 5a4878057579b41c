"""The characters the documents' font can draw, read from the font files themselves.

WeasyPrint finds fonts through fontconfig, so the same fontconfig is asked
which files make up the family (`fc-list`; the fontconfig package comes with
Pango, which WeasyPrint needs). A character is drawable only if every face of
the family (regular, bold, italic…) has it: a name may be printed in any of
them. Read once per process; a family that cannot be found gives None and the
PDF renderer reports the missing font itself.
"""

from __future__ import annotations

import logging
import subprocess
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

log = logging.getLogger("pipeline")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")


@lru_cache(maxsize=8)
def drawable_characters(family: str) -> frozenset[int] | None:
    """Code points that every face of `family` maps to a glyph; None if the family is not installed."""
    covered: frozenset[int] | None = None
    for path in family_files(family):
        try:
            with TTFont(str(path), lazy=True, fontNumber=0) as font:
                points = frozenset(font.getBestCmap() or ())
        except (OSError, TTLibError, AssertionError) as exc:
            log.debug("Bỏ qua tệp phông %s: %s", path, exc)
            continue
        covered = points if covered is None else covered & points
    return covered


def family_files(family: str) -> list[Path]:
    """The font files of `family` as fontconfig lists them (exact family, no fallback), in a stable order."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\\n", family], capture_output=True, text=True,
                                timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("Không chạy được fc-list: %s", exc)
        return []
    return sorted({Path(line) for line in listed.splitlines() if line.lower().endswith(FONT_SUFFIXES)})
