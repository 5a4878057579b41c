"""The benchmark's generator and table, without the timings themselves."""

from __future__ import annotations

from pathlib import Path

from pipeline import flow
from pipeline.bench import COLUMNS, Result, markdown
from pipeline.bench_data import make_city


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synthetic_city_is_deterministic_and_valid(tmp_path: Path) -> None:
    first = make_city(6, tmp_path / "a")
    make_city(6, tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len([n for n in a if n.startswith("input/")]) == 6
    assert a == b
    options = flow.Options(first.year, first.input, first.config, tmp_path / "out")
    settings, _, validation = flow.check(options)
    assert "xã" in settings.general.unit_levels and "phường" in settings.general.unit_levels
    assert not validation.report.errors
    assert set(validation.status.values()) == {"valid"}


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
