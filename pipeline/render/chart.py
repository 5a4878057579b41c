"""ChartData → the report's bar chart: SVG text for the PDF, PNG bytes for the DOCX.

One grouped bar chart: a group per unit, a bar per planned indicator (percent
of plan), a dashed line at 100%. It is printed and photocopied, so series are
told apart by grey fill *and* hatch, never by colour. Text is set in the
document's font; a family that is not installed is an error, never a silent
fallback to DejaVu. The same data gives the same bytes (no date, no version
stamp in PNG, fixed SVG id salt).

Matplotlib is driven through `Figure` and its canvases only, never pyplot.
Its rc settings are process-global, so renders are serialised by a lock.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable, Iterable, Iterator

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from pipeline.core import vi
from pipeline.core.documents.appendix import ChartData
from pipeline.errors import RenderError
from pipeline.textnorm import nfc

WIDTH_MM, HEIGHT_MM = 165.0, 95.0  # A4 portrait body width (210 − 30 − 15 mm margins)
FONT_SIZE = 9.0  # pt at print size: smaller than the 14 pt body, still legible
PLAN_LINE_LABEL = "100% kế hoạch"
BAR_GID = "bar-{series}-{unit}"  # ids in the SVG, one per bar: tests count bars by them
# Greyscale fill + hatch per series: distinct on a black-and-white photocopy. Only line hatches:
# WeasyPrint draws an SVG pattern again for every bar that uses it, and a dotted one ("...",
# a circle per dot) made the national report 6.3 s and 950 KB; crossed lines, 2.0 s and 150 KB.
FILLS = ("0.35", "0.75", "white", "0.55", "0.9", "white")
HATCHES = ("", "///", "xxx", "\\\\\\", "---", "|||")
GROUP_WIDTH = 0.8

_LOCK = threading.Lock()


def chart_svg(data: ChartData, font_family: str) -> str:
    """The chart as an SVG document (no XML prolog) sized in pt; its words as text in the document's font."""
    return svg_document(lambda: _figure(data), _texts(data), font_family, "nq28-chart")


def svg_document(build: Callable[[], Figure], texts: Iterable[str], font_family: str, salt: str) -> str:
    """The figure `build` makes as an SVG document (no XML prolog), its ids salted with `salt`.

    Its words are <text> placed by matplotlib, which WeasyPrint sets in the same font as the body:
    the PDF renderer refuses any other font and any missing glyph (pdf.py), as for the body's text.
    Drawn as glyph outlines instead (a <use> of a path per letter), the words were four fifths of
    the time WeasyPrint took to draw the chart, ~0.4 s of every report, and could not be searched."""
    svg = render_figure(build, texts, font_family, "svg", {"Date": None},
                        {"svg.fonttype": "none", "svg.hashsalt": salt})
    text = svg.decode("utf-8")
    # The prolog and DOCTYPE would be stray markup when the SVG is inlined into HTML.
    return text[text.index("<svg"):]


def svg_data_uri(svg: str) -> str:
    """`src` for an <img>: WeasyPrint warns on inline <svg> (it reads the style attributes as CSS)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def chart_png(data: ChartData, font_family: str, dpi: int = 200) -> bytes:
    """The chart as a PNG at `dpi`, WIDTH_MM × HEIGHT_MM, for the DOCX."""
    return render_figure(lambda: _figure(data), _texts(data), font_family, "png", {"Software": None}, {}, dpi=dpi)


def font_path(font_family: str) -> str:
    """The regular face of `font_family`; RenderError if matplotlib would substitute another."""
    wanted = font_manager.FontProperties(family=font_family)
    try:
        path = font_manager.findfont(wanted, fallback_to_default=False)
    except ValueError:
        path = None
    # findfont may still answer with a generic alias's font (e.g. "serif" → DejaVu Serif).
    if path is None or font_manager.get_font(path).family_name.casefold() != font_family.casefold():
        raise RenderError(
            f"Không tìm thấy phông {font_family} để vẽ biểu đồ; "
            "hãy cài gói fonts-liberation2 (sudo apt-get install fonts-liberation2)"
        )
    return path


def render_figure(build: Callable[[], Figure], texts: Iterable[str], font_family: str, fmt: str,
                  metadata: dict[str, str | None], rc: dict[RcKeyType, object], dpi: float = 72) -> bytes:
    """The figure `build` makes, saved as `fmt` in the document's font (every one of `texts` checked
    against it), under the lock that serialises matplotlib's global rc settings."""
    path = font_path(font_family)
    _check_glyphs(path, font_family, texts)
    settings: dict[RcKeyType, object] = {"font.family": [font_family], "font.size": FONT_SIZE,
                                         "text.parse_math": False, "hatch.color": "black", "hatch.linewidth": 0.6,
                                         **rc}
    with _LOCK, rc_context(settings):
        figure = build()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def _texts(data: ChartData) -> Iterator[str]:
    yield from (data.title, PLAN_LINE_LABEL, "%", "0123456789.")
    yield from data.units
    yield from (s.name for s in data.series)


def _check_glyphs(path: str, font_family: str, texts: Iterable[str]) -> None:
    """Matplotlib would draw a missing glyph as an empty box with only a warning: refuse instead."""
    charmap = font_manager.get_font(path).get_charmap()
    missing = sorted({c for t in texts for c in nfc(t) if not c.isspace() and ord(c) not in charmap})
    if missing:
        raise RenderError(f"Phông {font_family} thiếu ký tự {' '.join(missing)} cần cho biểu đồ")


def _figure(data: ChartData) -> Figure:
    # Figure() directly: no pyplot, so no global figure registry and no GUI backend.
    figure = Figure(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4), layout="constrained")
    ax = figure.add_subplot()
    _bars(ax, data)
    plan = ax.axhline(100, color="black", linestyle=(0, (5, 3)), linewidth=1.0, label=PLAN_LINE_LABEL, zorder=3)
    _axes(ax, data)
    # Below the unit names, series first and the 100% line last (matplotlib would list lines first).
    figure.legend(handles=[*ax.containers, plan], loc="outside lower center", ncols=2, frameon=False,
                  handlelength=2.2)
    return figure


def _bars(ax: Axes, data: ChartData) -> None:
    width = GROUP_WIDTH / max(len(data.series), 1)
    for s, series in enumerate(data.series):
        shown = [(u, v) for u, v in enumerate(series.percents) if v is not None]  # None: no plan, no bar
        offset = (s - (len(data.series) - 1) / 2) * width
        bars = ax.bar([u + offset for u, _ in shown], [v for _, v in shown], width,
                      label=nfc(series.name), color=FILLS[s % len(FILLS)], hatch=HATCHES[s % len(HATCHES)],
                      edgecolor="black", linewidth=0.6, zorder=2)
        for bar, (u, _) in zip(bars, shown, strict=True):
            bar.set_gid(BAR_GID.format(series=s, unit=u))
        # A 0% bar has no height: mark it, or it reads as "no plan" (None, no bar at all).
        ax.bar_label(bars, labels=["0" if v == 0 else "" for _, v in shown], padding=1, fontsize=FONT_SIZE - 2)


def _axes(ax: Axes, data: ChartData) -> None:
    ax.set_title(nfc(data.title), fontsize=FONT_SIZE + 2, fontweight="bold")
    ax.set_ylabel("%")
    top = max([100.0] + [v for s in data.series for v in s.percents if v is not None])
    ax.set_ylim(0, top * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: vi.number(int(v))))  # "1.000", not "1000"
    ax.grid(axis="y", color="0.8", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(-0.5, max(len(data.units), 1) - 0.5)  # no units (nothing valid yet): still a frame
    ax.set_xticks(range(len(data.units)), [nfc(u) for u in data.units])
    if _labels_crowded(data.units):
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set(horizontalalignment="right", rotation_mode="anchor")


def _labels_crowded(units: tuple[str, ...]) -> bool:
    # Half an em per character is a fair mean for a serif face: enough to tell
    # whether the longest name fits under its group without measuring text.
    slot_pt = WIDTH_MM / 25.4 * 72 * 0.85 / max(len(units), 1)
    return max((len(u) for u in units), default=0) * FONT_SIZE * 0.5 > slot_pt
