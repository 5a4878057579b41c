"""The benchmark's generator and table, without the timings themselves."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.settings import load_settings
from tests.bench.data import PROVINCES, commune_names, make_city, make_nation, share_out
from tests.bench.run import COLUMNS, Result, markdown, workers_scale


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


def test_table_has_the_expected_columns() -> None:
    results = [
        Result("đọc + kiểm tra / biểu mẫu", "114", 4.0, "ms", 3.0, 4 / 3, "≤ 1.5×", True),
        Result("chạy đầy đủ", "114", 70.0, "s", goal="< 60 s", met=False),
        Result("chạy đầy đủ", "15", 9.0, "s"),
    ]
    table = markdown(results).splitlines()
    assert table[0] == "| " + " | ".join(COLUMNS) + " |"
    assert table[1].startswith("|---|")
    assert table[2] == "| đọc + kiểm tra / biểu mẫu | 114 | 4.0 ms | 3.0 ms | 1.33× | ≤ 1.5× ✓ |"
    assert "| 70.00 s | — | — | < 60 s ✗ |" in table[3]
    assert table[4].endswith("| — | — | — |")
    assert table[-1].startswith("Đạt 1/2 mục tiêu.")
