"""Config loading: the sample loads; every kind of mistake names the file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.settings import load_settings
from tests.factories import CONFIG


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_for(config: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    return str(caught.value)


def test_sample_config_loads_with_the_seed_targets():
    settings = load_settings(CONFIG)
    assert [u.code for u in settings.units] == ["HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV"]
    assert [i.code for i in settings.planned_indicators()] == ["TCD", "CD", "DTN"]
    for year, expected in ((2016, (40, 77, 25)), (2017, (38, 62, 20))):
        sums = tuple(sum(t[c] for t in settings.targets[year].values()) for c in ("TCD", "CD", "DTN"))
        assert sums == expected
    assert sum(h["TCD"] for h in settings.history[2015].values()) == 24


def test_unknown_key_is_named_with_a_hint(config):
    edit(config / "settings.yaml", "  place: Hải Phòng", "  placе: Hải Phòng\n  plase: x")
    message = error_for(config)
    assert "settings.yaml" in message
    assert "organisation.plase" in message
    assert "có phải «place»" in message


def test_missing_key_is_named(config):
    edit(config / "years" / "2016.yaml", "  name: Nguyễn Thị Nghĩa\n", "")
    message = error_for(config)
    assert "2016.yaml" in message and "signer.name" in message and "thiếu giá trị bắt buộc" in message


def test_bad_value_types_are_explained_in_vietnamese(config):
    edit(config / "targets.yaml", "HB: {TCD: 3,", "HB: {TCD: ba,")
    message = error_for(config)
    assert "targets.yaml" in message and "years.2016.HB.TCD" in message and "số nguyên" in message


def test_negative_target_is_refused(config):
    edit(config / "targets.yaml", "HB: {TCD: 3,", "HB: {TCD: -3,")
    assert "số âm" in error_for(config)


def test_rounding_mode_must_be_known(config):
    edit(config / "settings.yaml", "percent_rounding: down", "percent_rounding: sideways")
    message = error_for(config)
    assert "numbers.percent_rounding" in message and "half-up" in message


def test_unit_code_format_is_checked(config):
    edit(config / "units.yaml", "{code: HB,", "{code: ../HB,")
    message = error_for(config)
    assert "units.yaml" in message and "units.0.code" in message


def test_duplicate_unit_codes_are_refused(config):
    edit(config / "units.yaml", "{code: NQ,", "{code: HB,")
    assert "«HB» bị lặp" in error_for(config)


def test_targets_must_name_known_units_and_planned_indicators(config):
    edit(config / "targets.yaml", "HB: {TCD: 3, CD: 6, DTN: 2}", "HX: {TCD: 3, CD: 6, DV: 2}")
    message = error_for(config)
    assert "years.2016.HX" in message and "units.yaml" in message
    assert "years.2016.HX.DV" in message


def test_unit_level_must_be_configured(config):
    edit(config / "units.yaml", "level: quận, party_body: Quận ủy Hồng Bàng", "level: phường, party_body: x")
    assert "«phường» không có trong unit_levels" in error_for(config)


def test_yaml_syntax_error_gives_line(config):
    (config / "units.yaml").write_text("units: [\n  - {code: HB\n", encoding="utf-8")
    message = error_for(config)
    assert "units.yaml" in message and "dòng" in message


def test_missing_file_and_folder(config, tmp_path):
    (config / "history.yaml").unlink()
    assert "history.yaml" in error_for(config)
    assert "Không tìm thấy thư mục cấu hình" in error_for(tmp_path / "nowhere")


def test_text_is_nfc_normalised(config):
    import unicodedata

    edit(config / "units.yaml", "name: Hồng Bàng", "name: " + unicodedata.normalize("NFD", "Hồng Bàng"))
    settings = load_settings(config)
    assert settings.unit("HB").name == "Hồng Bàng"


def test_groups_and_parents_load(tmp_path):
    from tests import factories

    settings = load_settings(factories.grouped_config(tmp_path / "config"))
    assert [(g.code, g.full_name) for g in settings.groups] == [("P01", "thành phố Hải Phòng"), ("P02", "tỉnh Quảng Ninh")]
    assert {u.code: u.parent for u in settings.units} == {"HB": "P01", "NQ": "P01", "LC": "P01",
                                                          "TN": "P02", "AD": "P02", "AL": "P02"}
    assert settings.general.report.max_unit_rows_in_pdf == 3


def test_a_unit_whose_parent_is_not_a_group_is_named(tmp_path):
    from tests import factories

    message = error_for(factories.grouped_config(tmp_path / "config", parents={"AL": "P99"}))
    assert "units.yaml" in message and "«AL»" in message and "«parent»" in message and "«P99»" in message


def test_the_unit_limit_defaults_and_must_not_be_negative(config):
    assert load_settings(CONFIG).general.report.max_unit_rows_in_pdf == 200
    edit(config / "settings.yaml", "max_unit_rows_in_pdf: 200", "max_unit_rows_in_pdf: -1")
    message = error_for(config)
    assert "settings.yaml" in message and "report.max_unit_rows_in_pdf" in message


def test_unit_lookup_follows_a_copy_with_other_units():
    settings = load_settings(CONFIG)
    assert settings.unit("HB").valid_until is None and settings.unit("XX") is None
    units = tuple(u.model_copy(update={"valid_until": 2015}) if u.code == "HB" else u for u in settings.units)
    retired = settings.model_copy(update={"units": units})
    assert retired.unit("HB").valid_until == 2015
    assert settings.unit("HB").valid_until is None


# --- config cannot be a bomb (issue 14) ------------------------------------------------

def _laughs(levels: int) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]\n"
    return text


BOMB_SCRIPT = """
import resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from pipeline.errors import ConfigError
from pipeline.settings import load_settings
start = time.monotonic()
try:
    load_settings(Path(sys.argv[1]))
except ConfigError as exc:
    print(round(time.monotonic() - start, 3), exc)
"""


@pytest.mark.parametrize("text, said", [
    (_laughs(9), "neo/bí danh YAML"),  # 480 bytes that expanded to 8.7 GB
    ("rules: " + "[" * 100_000 + "]" * 100_000, "lồng nhau quá"),  # overflowed libyaml's composer: a segfault
    ("rules:\n" + "- " * 100_000 + "x\n", "lồng nhau quá"),
])
def test_a_yaml_bomb_is_refused_in_bounded_memory_and_time(config, text, said):
    import subprocess
    import sys

    (config / "rules.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(config)], capture_output=True, text=True,
                          timeout=60, cwd=CONFIG.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, message = done.stdout.split(" ", 1)
    assert float(seconds) < 2 and said in message and "rules.yaml" in message


def test_a_huge_config_file_is_refused_unread(config, monkeypatch):
    from pipeline.settings import loading as module

    monkeypatch.setattr(module, "MAX_CONFIG_BYTES", 1000)
    (config / "rules.yaml").write_text("rules: []\n" + "#" * 2000, encoding="utf-8")
    assert "quá lớn" in error_for(config)
