"""What a report run compares with the report it replaces, and `make history`: a year's results into history.yaml.

`vanished_units` and `changed_targets` read the published data/tong-hop.json
of the year being reported again (units that sent a workbook then and none now;
next year's targets that changed since). `export_history` writes year N's
per-unit figures (its published results when trusted, else its workbooks) into
config/history.yaml, never over a year already there unless forced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import TOTALS_DATA
from pipeline.core.steps.aggregate import Figures, actuals
from pipeline.core.steps.validate import Validation, validate_year
from pipeline.errors import SourceError
from pipeline.io.history import write_year
from pipeline.issue_types import PUBLISHED_NOT_TRUSTED
from pipeline.issues import Issue
from pipeline.plan import Options, check_apart, read_inputs
from pipeline.previous import published_year
from pipeline.settings import Settings, load_settings


def vanished_units(published: Path, validation: Validation) -> tuple[str, ...]:
    """Units that had sent a workbook for the report being replaced and have none now."""
    try:
        data = json.loads((published / TOTALS_DATA.path()).read_text(encoding="utf-8"))
        before = {u["code"] for u in data["units"] if u.get("status") != "missing"}
    except (OSError, ValueError, KeyError, TypeError):
        return ()  # no earlier report (or not one of ours): nothing to compare with
    now = {code for code, status in validation.status.items() if status != "missing"}
    return tuple(sorted(before - now))


@dataclass(frozen=True)
class TargetChange:
    """Next year's targets now in config/targets.yaml against those of the report being replaced."""

    year: int  # the targets' year (N + 1)
    units: tuple[tuple[str, dict[str, tuple[int | None, int | None]]], ...]  # unit → indicator → (old, new)
    totals: dict[str, tuple[int, int]]  # indicator → (old, new) city total
    scope: str  # "toàn thành phố"


def changed_targets(published: Path, settings: Settings, year: int) -> TargetChange | None:
    """The units whose targets for `year` + 1 differ from those the published report of `year` assigned
    (its data/tong-hop.json, "next_year_targets"); None when none did, or there is nothing to compare with."""
    try:
        data = json.loads((published / TOTALS_DATA.path()).read_text(encoding="utf-8"))
        before = {str(code): {str(k): int(v) for k, v in figures.items()}
                  for code, figures in data["next_year_targets"]["units"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no earlier report, or one from before targets were kept in it
    now = settings.targets.get(year + 1, {})
    codes = [u.code for u in settings.units if u.code in before or u.code in now]
    units = []
    for code in codes:
        old, new = before.get(code, {}), now.get(code, {})
        diff = {ind: (old.get(ind), new.get(ind)) for ind in dict.fromkeys([*old, *new])
                if old.get(ind) != new.get(ind)}
        if diff:
            unit = settings.unit(code)
            units.append((f"{unit.full_name} ({code})" if unit else code, diff))
    if not units:
        return None
    indicators = dict.fromkeys([*(k for f in before.values() for k in f), *(k for f in now.values() for k in f)])
    totals = {ind: (sum(f.get(ind, 0) for f in before.values()), sum(f.get(ind, 0) for f in now.values()))
              for ind in indicators}
    return TargetChange(year + 1, tuple(units), totals, settings.general.organisation.scope)


# --- make history: one year's results into config/history.yaml ----------------------------


@dataclass(frozen=True)
class HistoryExport:
    """What `history` wrote: the year, where its figures came from, the file, the city totals."""

    year: int
    source: str
    path: Path
    totals: dict[str, int]
    issues: tuple[Issue, ...] = ()


def export_history(options: Options, force: bool = False) -> HistoryExport:
    """Write year N's per-unit figures (its published results, else its workbooks) into
    config/history.yaml; a year already there is replaced only with `force`."""
    settings = load_settings(options.config_dir)
    if options.year is None:
        raise SourceError("Chưa chọn năm cần ghi vào config/history.yaml: dùng YEAR=… (make) hoặc --year … "
                          "(dòng lệnh)")
    year, path = options.year, options.config_dir / "history.yaml"
    if year in settings.history and not force:
        raise SourceError(f"Năm {year} đã có trong {path}: không ghi đè. Dùng FORCE=1 (make) hoặc --force "
                          "(dòng lệnh) để ghi lại số liệu năm này.")
    issues: list[Issue] = []
    published, trusted = published_year(options.output_root, year, settings)
    if published is not None and isinstance(trusted, dict):
        figures, source = trusted, f"kết quả đã công bố ({options.output_root / published.where})"
    else:
        figures, source = _workbook_figures(year, options, settings)
        if published is not None and isinstance(trusted, str):
            issues.append(PUBLISHED_NOT_TRUSTED.at(published.where, previous=year, where=published.where,
                                                   reason=trusted, used=source))
    order = [u.code for u in settings.units_in(year)]
    ordered = {code: figures[code] for code in sorted(figures, key=lambda c: order.index(c) if c in order else 0)}
    totals = {i.code: sum(unit.get(i.code, 0) for unit in figures.values()) for i in settings.indicators}
    shown = ", ".join(f"{code} {value}" for code, value in totals.items())
    comment = f"Năm {year} (make history), lấy từ {source}; {settings.general.organisation.scope}: {shown}."
    if not write_year(path, year, ordered, comment, force):  # the file changed since it was read
        raise SourceError(f"Năm {year} đã có trong {path}: không ghi đè. Dùng FORCE=1 (make) hoặc --force "
                          "(dòng lệnh) để ghi lại số liệu năm này.")
    load_settings(options.config_dir)  # what was written must load; a ConfigError names file and key
    return HistoryExport(year, source, path, totals, tuple(issues))


def _workbook_figures(year: int, options: Options, settings: Settings) -> tuple[Figures, str]:
    """The valid units' figures of `year`'s workbooks; an error while any unit's workbook has errors."""
    check_apart(options.input_dir, options.output_root)
    inputs = read_inputs(options.input_dir, options.workers, settings)
    selection = inputs.year(year)
    subs = [s for s in selection.submissions if s.year == year]
    if not subs:
        raise SourceError(f"Không có kết quả đã công bố năm {year} trong {options.output_root / str(year)} và "
                          f"không có biểu mẫu năm {year} trong {options.input_dir}: chưa ghi gì vào "
                          "config/history.yaml. Kiểm tra lại YEAR=…, OUTPUT=… và INPUT=….")
    checked = validate_year(year, subs, list(selection.refusals), settings, selection)
    invalid = sorted(code for code, status in checked.status.items() if status == "invalid")
    if invalid:
        raise SourceError(f"Biểu mẫu năm {year} của {len(invalid)} đơn vị còn lỗi ({', '.join(invalid)}): chưa ghi "
                          f"gì vào config/history.yaml. Chạy make validate YEAR={year} để xem và sửa lỗi.")
    return actuals(checked), f"biểu mẫu năm {year} ({options.input_dir})"
