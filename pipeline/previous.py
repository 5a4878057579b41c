"""Last year and the years before, as a run finds them: its workbooks, its published results, history.yaml.

`Inputs` is everything the input walk read, grouped by the year each workbook
states. `find_previous` gives last year's per-unit actuals from, in order: that
year's published results (data/tong-hop.json, when ours and consistent), its
workbooks (all present and valid), config/history.yaml; none found is a
warning. Where they came from is said twice: for the clerk (naming the file)
and for the documents (no file names). `earlier_figures` gives every year
before, for the trend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.catalogue import TOTALS_DATA
from pipeline.core.steps.aggregate import Figures, actuals
from pipeline.core.steps.history import published_figures
from pipeline.core.steps.ledger import Entry, YearInputs, select_year
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import validate_year
from pipeline.io.history import Published, read_published
from pipeline.issue_types import NO_PREVIOUS_FIGURES, PUBLISHED_NOT_TRUSTED
from pipeline.issues import Issue
from pipeline.settings import Settings


@dataclass(frozen=True)
class Inputs:
    """Every entry under the input folder; the workbooks parsed and grouped by the year they state."""

    by_year: dict[int, list[Submission]]
    undated: list[Submission]
    refusals: list[Refusal]
    entries: tuple[Entry, ...] = ()  # everything the walk found, workbooks included (see io.inbox)
    read: dict[str, Submission | Refusal] = field(default_factory=dict)  # by displayed path

    def year(self, year: int) -> YearInputs:
        """The workbooks that stand for `year` (see `ledger.select_year`)."""
        return select_year(year, self.by_year, self.undated, self.refusals)


@dataclass(frozen=True)
class Previous:
    """Last year's actuals, where they came from (as the documents say it), what the clerk should know,
    and every earlier year's figures found (for the trend)."""

    figures: Figures
    source: str  # for the clerk: names the file (status page, tong-hop.json)
    issues: tuple[Issue, ...] = ()
    earlier: dict[int, Figures] = field(default_factory=dict)
    wording: str = ""  # for the documents: no file names


def find_previous(year: int, inputs: Inputs, settings: Settings, output_root: Path | None = None) -> Previous:
    """Last year's actuals, in order from: its published results under `output_root` (when ours and
    consistent), its workbooks (all present and valid), config/history.yaml. None found is a warning."""
    previous = year - 1
    issues: list[Issue] = []
    published, trusted = published_year(output_root, previous, settings)
    if published is not None and isinstance(trusted, dict):
        figures, source = trusted, f"kết quả đã công bố năm {previous} ({published.where})"
        wording = f"kết quả tổng hợp năm {previous} đã công bố"
    else:
        figures, source, wording = _unpublished(previous, inputs, settings)
    if published is not None and isinstance(trusted, str):
        issues.append(PUBLISHED_NOT_TRUSTED.at(published.where, previous=previous, where=published.where,
                                               reason=trusted, used=source))
    if not figures:
        where = f"{previous}/{TOTALS_DATA.path()}"
        issues.append(NO_PREVIOUS_FIGURES.at("config/history.yaml", previous=previous,
                                             published=f"không có {where}" if published is None else where))
    earlier = earlier_figures(year, settings, output_root)
    if figures:
        earlier[previous] = figures
    return Previous(figures, source, tuple(issues), earlier, wording)


def _unpublished(previous: int, inputs: Inputs, settings: Settings) -> tuple[Figures, str, str]:
    """Last year's workbooks if all present and valid, else config history; with the documents' words."""
    # Only workbooks that state last year: one whose year cannot be read belongs to this year's run.
    subs = [s for s in inputs.year(previous).submissions if s.year == previous]
    if subs:
        checked = validate_year(previous, subs, [], settings)
        if set(checked.status.values()) == {"valid"}:
            return actuals(checked), f"biểu mẫu năm {previous}", f"biểu mẫu báo cáo năm {previous} của các đơn vị"
    if previous in settings.history:
        return (settings.history[previous], f"config/history.yaml, năm {previous}",
                f"số liệu lưu trữ kết quả năm {previous}")
    return {}, "không có", ""


def published_year(output_root: Path | None, year: int, settings: Settings) -> tuple[Published | None, Figures | str]:
    """A year's published results and what they are worth: their figures when ours and consistent,
    else why not ("" when nothing is published)."""
    published = read_published(output_root, year) if output_root is not None else None
    if published is None:
        return None, ""
    return published, published.reason or trusted_figures(published.data, year, settings)


def trusted_figures(data: object, year: int, settings: Settings) -> Figures | str:
    """A published tong-hop.json's valid units' actuals, or why it is not trusted."""
    units = [u.code for u in settings.units_in(year)]
    return published_figures(data, year, units, [i.code for i in settings.indicators])


def earlier_figures(year: int, settings: Settings, output_root: Path | None) -> dict[int, Figures]:
    """Every year before `year` with figures: its published results when trusted, else history.yaml."""
    found: dict[int, Figures] = {y: figures for y, figures in settings.history.items() if y < year}
    if output_root is not None and output_root.is_dir():
        for folder in sorted(output_root.iterdir()):
            if not (folder.name.isdigit() and len(folder.name) == 4 and int(folder.name) < year):
                continue
            published = read_published(output_root, int(folder.name))
            if published is not None and not published.reason:
                figures = trusted_figures(published.data, int(folder.name), settings)
                if isinstance(figures, dict):
                    found[int(folder.name)] = figures
    return found
