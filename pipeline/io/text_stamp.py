"""The decree's text stamp: the body's signature on an attachment that travels as its own file.

Nghị định 30/2020, Phụ lục I: on such an attachment the issuing body's
signature shows no image; at the top right of the first page it reads the
document's number and the signing time (date; hour, minute, second; Vietnam
time zone, ISO 8601), in Times New Roman 10 pt — here its metric twin,
Liberation Serif, embedded so that the Vietnamese letters show everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

MM = 72 / 25.4
FONT_SIZE = 10
LINE = 12  # points between two lines of the stamp
WIDTH = 60 * MM  # wide enough for "2017-01-10T09:30:05+07:00" and a long number at 10 pt
RIGHT_MARGIN = 20 * MM  # Nghị định 30: the right margin is 15–20 mm; the stamp ends where the text may
TOP = 6 * MM  # in the top margin (20–25 mm), above the document's first line
PADDING = 2  # points of room below the lines


class FontMissing(Exception):
    """Liberation Serif is not installed."""


def font_file(family: str) -> Path:
    """The regular face of the documents' font family (settings.yaml, style.font_family: Times New Roman or
    its metric twin Liberation Serif) as fontconfig finds it; a substitute is refused, the decree names the face."""
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{family}:style=Regular"],
                               capture_output=True, text=True, check=False).stdout.splitlines()
        if len(found) == 2 and family in found[0].split(","):
            return Path(found[1])
    raise FontMissing(f"không tìm thấy phông chữ {family} (style.font_family trong settings.yaml)")


@functools.cache
def _font_bytes(path: Path) -> bytes:
    """The font with 1000 units to the em: pyHanko 0.38 writes glyph widths in the font's own units, so a
    font of 2048 (Liberation's) comes out letter-spaced twice too wide."""
    font = TTFont(path)
    if "FFTM" in font:  # FontForge's timestamps: pyHanko's subsetter cannot keep them and says so on every stamp
        del font["FFTM"]
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class _Font(FontEngineFactory):
    def __init__(self, data: bytes) -> None:
        self.data = data

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        return GlyphAccumulator(writer, io.BytesIO(self.data), FONT_SIZE, obj_stream=obj_stream)


def stamp_text(number: str | None, when: dt.datetime) -> str:
    """The stamp's lines: the document's number (when known), then the signing time in ISO 8601."""
    return "\n".join(line for line in (number, when.isoformat()) if line)


def text_style(text: str, family: str) -> TextStampStyle:
    """The stamp: `text` right at the box's top right, 10 pt, no border, no image."""
    align = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MAX, y_align=layout.AxisAlignment.ALIGN_MAX,
                                       inner_content_scaling=layout.InnerScaling.NO_SCALING)
    box = TextBoxStyle(font=_Font(_font_bytes(font_file(family))), font_size=FONT_SIZE, leading=LINE)
    # pyHanko puts the last baseline on the text box's bottom edge, which clips the line's lower half: an empty
    # last line keeps every real one inside.
    return TextStampStyle(stamp_text=text.replace("%", "%%") + "\n", text_box_style=box, border_width=0,
                          inner_content_layout=align)


def top_right(data: bytes, lines: int = 2) -> tuple[float, float, float, float]:
    """The stamp's box on the first page of `data`: inside the right margin, in the top margin."""
    page, _ = PdfFileReader(io.BytesIO(data), strict=False).find_page_for_modification(0)
    node = page.get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # inherited from the page tree
        node = node["/Parent"].get_object()
    _, _, x1, y1 = (float(v) for v in node["/MediaBox"])
    right, top = x1 - RIGHT_MARGIN, y1 - TOP
    return right - WIDTH, top - (lines + 1) * LINE - PADDING, right, top
