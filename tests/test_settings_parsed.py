"""Big config files kept parsed between runs (pipeline.settings.parsed, issue 19): never a stale or
damaged tree, the same Settings as without the cache, and nothing written when asked not to."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import ConfigError
from pipeline.settings import load_settings
from pipeline.settings import parsed as parsed_module
from pipeline.settings.parsed import CACHE_FOLDER, SMALLEST, ParsedCache, decode, encode
from tests.factories import CONFIG

BIG = ("units.yaml", "targets.yaml", "history.yaml")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The sample config with its big-file kinds padded past SMALLEST (comments: the same trees)."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    for name in BIG:
        path = target / name
        path.write_text(path.read_text(encoding="utf-8") + "# đệm\n" * (SMALLEST // 6 + 1), encoding="utf-8")
    return target


def entries(output: Path) -> list[Path]:
    return sorted((output / CACHE_FOLDER).glob("*/*.json"))


def test_a_warm_load_gives_the_same_settings_as_a_cold_one(config, tmp_path):
    output = tmp_path / "out"
    cold = load_settings(config)
    first = load_settings(config, ParsedCache(output))
    assert len(entries(output)) == 3 and first == cold
    assert load_settings(config, ParsedCache(output)) == cold


def test_small_files_are_not_kept(tmp_path):
    load_settings(CONFIG, ParsedCache(tmp_path / "out"))
    assert entries(tmp_path / "out") == []


def test_a_changed_file_is_parsed_again(config, tmp_path):
    output = tmp_path / "out"
    load_settings(config, ParsedCache(output))
    units = config / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("Hồng Bàng", "Hồng Bàng Mới", 1), encoding="utf-8")
    changed = load_settings(config, ParsedCache(output))
    assert changed == load_settings(config)
    assert any("Hồng Bàng Mới" in u.name for u in changed.units)


def test_changed_reading_code_misses_and_its_old_entries_go(config, tmp_path, monkeypatch):
    output = tmp_path / "out"
    load_settings(config, ParsedCache(output))
    old = {p.parent.name for p in entries(output)}
    monkeypatch.setattr(parsed_module, "reader_digest", lambda: "ma-doc-moi")
    calls = []
    real = parsed_module.ParsedCache.put
    monkeypatch.setattr(parsed_module.ParsedCache, "put", lambda self, raw, tree: calls.append(1) or real(self, raw, tree))
    assert load_settings(config, ParsedCache(output)) == load_settings(config)
    assert len(calls) == 3, "every big file parsed again"
    assert {p.parent.name for p in entries(output)} == {"ma-doc-moi"} and old != {"ma-doc-moi"}


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 99, "tree": {"units": []}}',
                                    b'{"format": 1, "tree": {"\\u0000x": 1}}', b'{"format": 1}', b"[1, 2]",
                                    b'{"format": 1, "tree": {"\\u0000d": [[[1], 2]]}}',
                                    b'{"format": 1, "tree": {"\\u0000t": "not a date"}}',
                                    b'{"format": 1, "tree": [1, 2]}', b'{"format": 1, "tree": null}'])
def test_a_damaged_entry_is_never_served(config, tmp_path, damage):
    output = tmp_path / "out"
    load_settings(config, ParsedCache(output))
    for entry in entries(output):
        entry.write_bytes(damage)
    assert load_settings(config, ParsedCache(output)) == load_settings(config)
    assert all(decode(e.read_bytes())["format"] == 1 for e in entries(output)), "written again"


def test_write_false_reads_and_writes_nothing(config, tmp_path):
    output = tmp_path / "out"
    assert load_settings(config, ParsedCache(output, write=False)) == load_settings(config)
    assert not output.exists()
    load_settings(config, ParsedCache(output))
    stamps = [e.stat().st_mtime_ns for e in entries(output)]
    assert load_settings(config, ParsedCache(output, write=False)) == load_settings(config)
    assert [e.stat().st_mtime_ns for e in entries(output)] == stamps


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_an_unwritable_output_only_costs_time(config, tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    output.chmod(0o500)
    try:
        assert load_settings(config, ParsedCache(output)) == load_settings(config)
    finally:
        output.chmod(0o700)


def test_an_unwritable_cache_folder_only_costs_time(config, tmp_path):
    output = tmp_path / "out"
    (output / ".cache").mkdir(parents=True)
    (output / CACHE_FOLDER).write_text("một tệp chắn chỗ thư mục")
    assert load_settings(config, ParsedCache(output)) == load_settings(config)


def test_a_bad_big_file_is_reported_as_before_and_not_kept(config, tmp_path):
    units = config / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\nunits: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"units\.yaml: lỗi cú pháp YAML"):
        load_settings(config, ParsedCache(tmp_path / "out"))
    assert entries(tmp_path / "out") == []  # units.yaml is read before the other big files


def test_windows_line_ends_read_as_before(config, tmp_path):
    units = config / "units.yaml"
    units.write_bytes(units.read_bytes().replace(b"\n", b"\r\n"))
    assert load_settings(config, ParsedCache(tmp_path / "out")) == load_settings(CONFIG)


scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.dates() | st.datetimes() | st.datetimes(timezones=st.timezones()))
keys = st.text() | st.integers() | st.dates() | st.just("\0t")
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                     max_leaves=20)


def same(a: object, b: object) -> bool:
    """Equal, with NaN equal to itself and types kept (True is not 1, a date not a datetime)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b  # type: ignore[arg-type]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))  # type: ignore[arg-type]
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)  # type: ignore[index]
    return a == b


@given(trees)
def test_every_tree_round_trips_exactly(tree):
    assert same(decode(json.dumps(encode(tree), ensure_ascii=False)), tree)


def test_a_value_json_cannot_hold_is_not_kept(tmp_path):
    cache = ParsedCache(tmp_path / "out")
    cache.put(b"x" * SMALLEST, {"binary": b"\x00"})
    assert entries(tmp_path / "out") == []
    assert decode(json.dumps(encode({"t": dt.date(2016, 1, 1)}))) == {"t": dt.date(2016, 1, 1)}
