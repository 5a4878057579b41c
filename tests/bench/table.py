"""The bench's results: goals with ✓/✗, a history per commit, and the Markdown table.

Each run is kept as OUTPUT/bench/history/<commit>.json (the latest also as
bench.json); the table's "trước" column shows the value of the most recent run
at another commit, so a change is judged against the HEAD before it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

COLUMNS = ("measure", "scale", "value", "trước", "baseline", "ratio", "goal")
# Issue 19: the owner accepted these two ratios as measured (the floor of this design); `make bench` tracks
# them and they must not regress by more than REGRESSION.
NOTICE_FLOOR = 2.6  # naive WeasyPrint's time over the pipeline's pooled notice (2.2–2.6× measured)
READ_FLOOR = 1.9  # the pipeline's read + validate over bare calamine (~1.9× at national scale)
REGRESSION = 0.10
HISTORY = "history"
LATEST = "bench.json"


@dataclass(frozen=True)
class Goal:
    text: str
    met: bool | None  # None: not measured (the row says why)


@dataclass(frozen=True)
class Result:
    measure: str
    scale: str
    value: float | None  # None: not measured, `note` says why
    unit: str  # "s", "ms" or "MB"
    baseline: float | None = None
    ratio: float | None = None
    goals: tuple[Goal, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Commit:
    id: str
    date: str
    dirty: bool

    @property
    def label(self) -> str:
        return self.id[:10] + (" (có thay đổi chưa commit)" if self.dirty else "")


def at_most(value: float, limit: float, unit: str) -> Goal:
    return Goal(f"≤ {limit:g} {unit}", value <= limit)


def ratio_at_most(ratio: float, limit: float) -> Goal:
    return Goal(f"≤ {limit:g}×", ratio <= limit)


def share_at_most(ratio: float, limit: float) -> Goal:
    """A rerun's time as a share of the full run's: `limit` 0.015 reads ≤ 1.5%."""
    return Goal(f"≤ {limit * 100:g}%", ratio <= limit)


def speedup_floor(ratio: float, accepted: float) -> Goal:
    """A ratio where more is better (naive / ours): at most REGRESSION more time than when accepted."""
    limit = accepted / (1 + REGRESSION)
    return Goal(f"sàn {accepted:g}× (≥ {limit:.2f}×)", ratio >= limit)


def cost_floor(ratio: float, accepted: float) -> Goal:
    """A ratio where less is better (ours / bare): at most REGRESSION above the accepted value."""
    limit = accepted * (1 + REGRESSION)
    return Goal(f"sàn {accepted:g}× (≤ {limit:.2f}×)", ratio <= limit)


# --- history -------------------------------------------------------------------------------


def current_commit(root: Path) -> Commit:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False).stdout.strip()

    return Commit(git("rev-parse", "HEAD") or "unknown", git("log", "-1", "--format=%cI"),
                  bool(git("status", "--porcelain", "--untracked-files=no")))


def save(folder: Path, commit: Commit, results: list[Result], ran_at: dt.datetime | None = None) -> None:
    """Record a run as history/<commit>.json (replacing an earlier run at that commit) and as bench.json."""
    when = ran_at or dt.datetime.now(dt.UTC)
    record = {"commit": asdict(commit), "ran_at": when.isoformat(timespec="seconds"),
              "results": [asdict(r) for r in results]}
    text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    (folder / HISTORY).mkdir(parents=True, exist_ok=True)
    (folder / HISTORY / f"{commit.id}.json").write_text(text, encoding="utf-8")
    (folder / LATEST).write_text(text, encoding="utf-8")


def previous_runs(folder: Path, commit: Commit) -> list[dict]:
    """The runs recorded at other commits, the most recent first."""
    runs = []
    for path in sorted((folder / HISTORY).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("commit", {}).get("id") != commit.id:
            runs.append(record)
    return sorted(runs, key=lambda r: str(r.get("ran_at", "")), reverse=True)


def _earlier(runs: list[dict]) -> dict[tuple[str, str], tuple[Result, str]]:
    """Each row's latest value at another commit, with that commit (a quick run measures fewer rows)."""
    fields = set(Result.__dataclass_fields__) - {"goals"}
    earlier: dict[tuple[str, str], tuple[Result, str]] = {}
    for record in runs:
        for row in record.get("results", []):
            result = Result(**{k: v for k, v in row.items() if k in fields})
            earlier.setdefault((result.measure, result.scale), (result, record["commit"]["id"]))
    return earlier


# --- the table -----------------------------------------------------------------------------


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} s"


def _ratio(ratio: float | None) -> str:
    """A ratio; under 0.1 (a rerun's share of a full run) as a percentage."""
    return "—" if ratio is None else f"{ratio * 100:.1f}%" if ratio < 0.1 else f"{ratio:.2f}×"


def _before(found: tuple[Result, str] | None, latest: str) -> str:
    """A row's previous value (and ratio); its commit when older than the latest previous run."""
    if found is None or found[0].value is None:
        return "—"
    result, commit = found
    ratio = f" ({_ratio(result.ratio)})" if result.ratio is not None else ""
    return _amount(result.value, result.unit) + ratio + (f" @{commit[:7]}" if commit != latest else "")


def _goals(goals: tuple[Goal, ...]) -> str:
    marks = {True: " ✓", False: " ✗", None: ""}
    return ", ".join(g.text + marks[g.met] for g in goals) or "—"


def _header(commit: Commit, previous: dict | None) -> list[str]:
    before = "không có" if previous is None else (
        f"{Commit(**previous['commit']).label}, ngày commit {previous['commit']['date']}, "
        f"đo lúc {previous.get('ran_at', '?')}")
    return [f"# make bench: commit {commit.label}, ngày commit {commit.date}", "",
            f"Cột «trước»: lần đo gần nhất ở commit khác — {before}; dòng nào lần đó không đo thì lấy từ lần "
            "đo trước nữa, ghi kèm @commit.",
            f"Tỉ lệ đã chấp nhận (issue 19), không được kém hơn {REGRESSION:.0%}: lập thông báo nhanh "
            f"{NOTICE_FLOOR:g}× WeasyPrint đơn giản, đọc + kiểm tra {READ_FLOOR:g}× calamine trần.", ""]


def markdown(results: list[Result], commit: Commit, previous: list[dict] | None = None) -> str:
    """The results as a Markdown table, each beside its previous value (`previous`: the runs at other
    commits, the most recent first), and a closing line on the goals met."""
    earlier, latest = _earlier(previous or []), previous[0] if previous else None
    latest_id = latest["commit"]["id"] if latest else ""
    lines = [*_header(commit, latest), "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        value = r.note if r.value is None else _amount(r.value, r.unit)
        lines.append(f"| {r.measure} | {r.scale} | {value} | {_before(earlier.get((r.measure, r.scale)), latest_id)} "
                     f"| {_amount(r.baseline, r.unit)} | {_ratio(r.ratio)} | {_goals(r.goals)} |")
    judged = [(r, g) for r in results for g in r.goals if g.met is not None]
    missed = [f"{r.measure} ({r.scale}) {g.text}" for r, g in judged if not g.met]
    unmeasured = [f"{r.measure} ({r.scale}): {r.note}" for r in results if r.value is None]
    lines += ["", f"Đạt {len(judged) - len(missed)}/{len(judged)} mục tiêu."
              + (f" Chưa đạt: {'; '.join(missed)}." if missed else "")
              + (f" Chưa đo: {'; '.join(unmeasured)}." if unmeasured else "")]
    return "\n".join(lines) + "\n"
