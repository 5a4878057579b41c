"""TrendChartData → the report's trend chart: SVG text for the PDF, PNG bytes for the DOCX.

Years on the x axis; per planned indicator, the city-wide actual as a line
(solid, dash-dot, dotted, …) through filled markers, and the plan of each year,
where one was set, as a hollow marker of the same shape, unjoined: a plan is
set year by year, it is not a curve. Like the bar chart
(`pipeline.render.chart`, whose font check, lock and fixed metadata it uses)
it is printed and photocopied: lines differ by marker shape and grey, never
by colour; text is set in the document's font or not at all; the same data
gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pipeline.core import vi
from pipeline.core.documents.trend import TrendChartData
from pipeline.render.chart import FONT_SIZE, HEIGHT_MM, WIDTH_MM, render_figure, svg_document
from pipeline.textnorm import nfc

ACTUAL_LABEL, PLAN_LABEL = "{name}: thực hiện", "{name}: kế hoạch"
LINE_GID = "trend-{kind}-{line}"  # ids in the SVG, one per drawn line: tests count lines by them
MARKERS = ("o", "s", "^", "D", "v", "P")
GREYS = ("0", "0.5", "0.25", "0.6", "0.15", "0.4")
LINE_STYLES = ("-", (0, (7, 2, 1.5, 2)), (0, (1.5, 1.5)), (0, (5, 2)), (0, (7, 2, 1.5, 2, 1.5, 2)), "-")


def trend_svg(data: TrendChartData, font_family: str) -> str:
    """The chart as an SVG document (no XML prolog) sized in pt; its words as text in the document's font."""
    return svg_document(lambda: _figure(data), _texts(data), font_family, "nq28-trend-chart")


def trend_png(data: TrendChartData, font_family: str, dpi: int = 200) -> bytes:
    """The chart as a PNG at `dpi`, WIDTH_MM × HEIGHT_MM, for the DOCX."""
    return render_figure(lambda: _figure(data), _texts(data), font_family, "png", {"Software": None}, {}, dpi=dpi)


def _texts(data: TrendChartData) -> Iterator[str]:
    yield from (data.title, data.measure, "0123456789.")
    for line in data.lines:
        yield from (ACTUAL_LABEL.format(name=line.name), PLAN_LABEL.format(name=line.name))


def _figure(data: TrendChartData) -> Figure:
    figure = Figure(figsize=(WIDTH_MM / 25.4, HEIGHT_MM / 25.4), layout="constrained")
    ax = figure.add_subplot()
    actuals, plans = _lines(ax, data)
    _axes(ax, data)
    # Two to a row below the axes: a line's actual on the left, its plan on the right.
    figure.legend(handles=[*actuals, *plans], loc="outside lower center", ncols=2, frameon=False, handlelength=3.0)
    return figure


def _lines(ax: Axes, data: TrendChartData) -> tuple[list[Line2D], list[Line2D]]:
    xs = range(len(data.years))
    actuals, plans = [], []
    for n, line in enumerate(data.lines):
        grey, marker, style = GREYS[n % len(GREYS)], MARKERS[n % len(MARKERS)], LINE_STYLES[n % len(LINE_STYLES)]
        (actual,) = ax.plot(xs, _values(line.actuals), color=grey, linewidth=1.5, linestyle=style, marker=marker,
                            markersize=6, markerfacecolor=grey, markeredgecolor=grey,
                            label=nfc(ACTUAL_LABEL.format(name=line.name)), zorder=3)
        (plan,) = ax.plot(xs, _values(line.plans), linestyle="none", marker=marker, markersize=7,
                          markerfacecolor="white", markeredgecolor=grey, markeredgewidth=1.2,
                          label=nfc(PLAN_LABEL.format(name=line.name)), zorder=4)
        actual.set_gid(LINE_GID.format(kind="actual", line=n))
        plan.set_gid(LINE_GID.format(kind="plan", line=n))
        actuals.append(actual)
        plans.append(plan)
    return actuals, plans


def _values(values: tuple[int | None, ...]) -> list[float]:
    """None (no figures, no plan) as NaN: matplotlib leaves a gap there instead of drawing a 0."""
    return [math.nan if v is None else float(v) for v in values]


def _axes(ax: Axes, data: TrendChartData) -> None:
    ax.set_title(nfc(data.title), fontsize=FONT_SIZE + 2, fontweight="bold")
    ax.set_ylabel(nfc(vi.sentence_case(data.measure)))
    top = max([1] + [v for line in data.lines for v in (*line.actuals, *line.plans) if v is not None])
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: vi.number(int(v))))  # "1.000", not "1000"
    ax.grid(axis="y", color="0.8", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(-0.4, len(data.years) - 0.6)
    ax.set_xticks(range(len(data.years)), [str(y) for y in data.years])
