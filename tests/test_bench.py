"""The benchmark's generator and table, without the timings themselves."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.settings import load_settings
from tests.bench.commands import CommandFailed, pipeline
from tests.bench.data import PROVINCES, commune_names, make_city, make_nation, share_out
from tests.bench.run import paired, workers_scale
from tests.bench.table import (
    COLUMNS,
    NOTICE_FLOOR,
    READ_FLOOR,
    Commit,
    Goal,
    Result,
    at_most,
    cost_floor,
    markdown,
    previous_runs,
    save,
    share_at_most,
    speedup_floor,
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synthetic_city_is_deterministic_and_valid(tmp_path: Path) -> None:
    first = make_city(6, tmp_path / "a")
    make_city(6, tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len([n for n in a if n.startswith("input/")]) == 6
    assert a == b
    options = flow.Options(first.year, first.input, first.config, tmp_path / "out")
    settings, _, validation = planning.check(options)
    assert "xã" in settings.general.unit_levels and "phường" in settings.general.unit_levels
    assert not validation.report.errors
    assert set(validation.status.values()) == {"valid"}


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


def test_national_set_is_deterministic_grouped_and_valid(tmp_path: Path) -> None:
    nation = make_nation(tmp_path / "a", n=40, provinces=4, jobs=2)
    make_nation(tmp_path / "b", n=40, provinces=4, jobs=1)  # no pool: the scheduling changes nothing
    a = _files(tmp_path / "a")
    assert a == _files(tmp_path / "b")
    assert len([n for n in a if n.startswith("input/")]) == 40
    settings = load_settings(nation.config)
    groups = {g.code: g for g in settings.groups}
    assert len(groups) == 4 and {g.level for g in groups.values()} == {"thành phố", "tỉnh"}
    assert all(u.parent in groups for u in settings.units)
    assert {u.parent for u in settings.units} == set(groups)
    assert len({u.name for u in settings.units}) == len({u.code for u in settings.units}) == 40
    assert settings.general.organisation.scope == "toàn quốc"
    _, _, validation = planning.check(flow.Options(nation.year, nation.input, nation.config, tmp_path / "out"))
    assert not validation.report.errors
    assert set(validation.status.values()) == {"valid"}


def test_national_set_is_reused_while_intact(tmp_path: Path) -> None:
    target = tmp_path / "nation"
    nation = make_nation(target, n=40, provinces=4)
    written, before = _files(target), _mtimes(target)
    make_nation(target, n=40, provinces=4)
    assert _mtimes(target) == before
    (nation.input / "X007.xlsx").unlink()  # a damaged set is written again, the same
    make_nation(target, n=40, provinces=4)
    assert _files(target) == written
    make_nation(target, n=41, provinces=4)  # other parameters: another set
    assert len(list(nation.input.glob("*.xlsx"))) == 41


def test_communes_are_shared_out_like_the_country() -> None:
    real = [communes for *_, communes in PROVINCES]
    assert sum(real) == 3321 and share_out(3321, real) == real
    assert len({code for code, *_ in PROVINCES}) == len({name for _, name, *_ in PROVINCES}) == 34
    tiny = share_out(5, [100, 1, 1, 1])
    assert sum(tiny) == 5 and min(tiny) == 1
    with pytest.raises(ValueError):
        share_out(3, [1, 1, 1, 1])
    assert len(set(commune_names(3321, random.Random(0)))) == 3321


def test_workers_are_compared_at_114_not_at_the_largest_scale() -> None:
    assert workers_scale([15, 114, 3321]) == 114
    assert workers_scale([15, 50]) == 50
    assert workers_scale([3321]) is None


HEAD = Commit("b" * 40, "2026-12-07T05:00:00+00:00", False)
BEFORE = Commit("a" * 40, "2026-12-06T05:00:00+00:00", False)


def _rows(table: str) -> list[str]:
    return [line for line in table.splitlines() if line.startswith("| ")]


def test_table_marks_each_goal_and_counts_them() -> None:
    results = [
        Result("đọc + kiểm tra / biểu mẫu", "3321", 4.0, "ms", 2.0, 2.0, (cost_floor(2.0, READ_FLOOR),)),
        Result("chạy lại, không đổi gì", "15", 0.7, "s", 3.5, 0.2, (at_most(0.7, 0.8, "s"), Goal("≤ 0.2×", False))),
        Result("chạy đầy đủ", "15", 9.0, "s"),
    ]
    table = markdown(results, HEAD)
    rows = _rows(table)
    assert rows[0] == "| " + " | ".join(COLUMNS) + " |"
    assert rows[1] == "| đọc + kiểm tra / biểu mẫu | 3321 | 4.0 ms | — | 2.0 ms | 2.00× | sàn 1.9× (≤ 2.09×) ✓ |"
    assert rows[2].endswith("| 0.70 s | — | 3.50 s | 0.20× | ≤ 0.8 s ✓, ≤ 0.2× ✗ |")
    assert rows[3] == "| chạy đầy đủ | 15 | 9.00 s | — | — | — | — |"
    assert table.splitlines()[-1] == "Đạt 2/3 mục tiêu. Chưa đạt: chạy lại, không đổi gì (15) ≤ 0.2×."
    assert table.startswith(f"# make bench: commit {'b' * 10}, ngày commit 2026-12-07T05:00:00+00:00\n")


def test_floors_allow_a_tenth_worse_than_accepted() -> None:
    assert speedup_floor(NOTICE_FLOOR / 1.09, NOTICE_FLOOR).met
    assert not speedup_floor(NOTICE_FLOOR / 1.11, NOTICE_FLOOR).met
    assert speedup_floor(2.4, NOTICE_FLOOR).text == "sàn 2.6× (≥ 2.36×)"
    assert cost_floor(READ_FLOOR * 1.09, READ_FLOOR).met
    assert not cost_floor(READ_FLOOR * 1.11, READ_FLOOR).met
    assert share_at_most(0.02, 0.015) == Goal("≤ 1.5%", False)
    table = markdown([], HEAD)
    assert "2.6× WeasyPrint" in table and "1.9× calamine" in table


def test_unmeasured_row_says_why_and_is_not_judged() -> None:
    row = Result("make validate, 1 biểu mẫu (--file)", "15", None, "s", goals=(Goal("≤ 0.5 s", None),),
                 note="chưa có")
    table = markdown([row], HEAD)
    assert _rows(table)[1] == "| make validate, 1 biểu mẫu (--file) | 15 | chưa có | — | — | — | ≤ 0.5 s |"
    assert table.splitlines()[-1] == "Đạt 0/0 mục tiêu. Chưa đo: make validate, 1 biểu mẫu (--file) (15): chưa có."


def test_previous_column_shows_the_latest_value_at_another_commit(tmp_path: Path) -> None:
    oldest = Commit("0" * 40, "2026-12-05T05:00:00+00:00", False)
    day = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    # Newer by the time of the run, not by the commit's name: 0… ran first, then a…, then b….
    save(tmp_path, oldest, [Result("make validate", "3321", 5.0, "s"), Result("make validate", "15", 9.0, "s")], day)
    older = [Result("chạy lại, không đổi gì", "3321", 12.0, "s", 300.0, 0.04),
             Result("bộ nhớ đỉnh (make report)", "3321", 450.0, "MB"), Result("make validate", "15", 2.0, "s")]
    save(tmp_path, BEFORE, older, day + dt.timedelta(days=1))
    save(tmp_path, HEAD, [Result("chạy lại, không đổi gì", "3321", 99.0, "s", 300.0, 0.33)],  # same commit: skipped
         day + dt.timedelta(days=2))
    assert (tmp_path / "bench.json").exists() and len(list((tmp_path / "history").glob("*.json"))) == 3
    previous = previous_runs(tmp_path, HEAD)
    assert [run["commit"]["id"] for run in previous] == [BEFORE.id, oldest.id]
    now = [Result("chạy lại, không đổi gì", "3321", 4.0, "s", 320.0, 0.0125, (share_at_most(0.0125, 0.015),)),
           Result("bộ nhớ đỉnh (make report)", "3321", 500.0, "MB"),
           Result("make validate", "3321", 3.0, "s"), Result("make validate", "15", 1.0, "s"),
           Result("make validate", "114", 2.0, "s")]
    table = markdown(now, HEAD, previous)
    rows = _rows(table)
    assert rows[1] == "| chạy lại, không đổi gì | 3321 | 4.00 s | 12.00 s (4.0%) | 320.00 s | 1.2% | ≤ 1.5% ✓ |"
    assert rows[2] == "| bộ nhớ đỉnh (make report) | 3321 | 500 MB | 450 MB | — | — | — |"
    assert rows[3].startswith("| make validate | 3321 | 3.00 s | 5.00 s @0000000 |")  # not measured at BEFORE
    assert rows[4].startswith("| make validate | 15 | 1.00 s | 2.00 s |")
    assert rows[5].startswith("| make validate | 114 | 2.00 s | — |")
    assert f"commit khác — {'a' * 10}, ngày commit 2026-12-06T05:00:00+00:00, đo lúc" in table
    assert previous_runs(tmp_path / "none", HEAD) == []
    assert markdown(now, HEAD, []).count("| — |") >= len(now)


def test_a_failing_command_names_its_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "bad.log"
    with pytest.raises(CommandFailed, match="mã thoát 2"):
        pipeline(["khong-co-lenh"], log)
    assert log.read_bytes()  # click's usage message, kept for the reader
    run = pipeline(["--help"], tmp_path / "help.log")
    assert run.code == 0 and run.peak_mb > 0


def test_a_floors_ratio_is_taken_round_by_round_baseline_and_ours_in_turn():
    """A shared machine's speed drifts: each round's baseline and ours are timed one after the other, and the
    ratio is the median of the rounds' ratios, not a ratio of medians taken minutes apart."""
    calls: list[str] = []
    slow = iter([1.0, 2.0, 4.0])  # the machine slows down round by round
    speeds = iter([0.5, 1.0, 2.0])
    base, ours, speed = paired(lambda: calls.append("base") or next(slow),
                                lambda: calls.append("ours") or next(speeds), 3)
    assert calls == ["base", "ours"] * 3
    assert (base, ours, speed) == (2.0, 1.0, 2.0)
