"""The notice's closing text (years/<YEAR>.yaml notices.closing) may name the unit: {don_vi}, {nam}, {nam_sau}.

An unknown placeholder is a config error naming the file and the key; "{{" and "}}" print a brace, and braces
around anything that is not a lower-case ASCII name are ordinary text.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import notice_context, notice_input
from pipeline.errors import ConfigError
from pipeline.settings import load_settings
from pipeline.settings.documents import fill_placeholders
from tests import factories

VALUES = {"don_vi": "Đảng bộ quận Hồng Bàng", "nam": "2016", "nam_sau": "2017"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Đề nghị {don_vi} hoàn thành chỉ tiêu năm {nam_sau}.",
     "Đề nghị Đảng bộ quận Hồng Bàng hoàn thành chỉ tiêu năm 2017."),
    ("Kết quả năm {nam} {{don_vi}}", "Kết quả năm 2016 {don_vi}"),
    ("{Nghị quyết 28} và { } và {xem Phụ lục 1}", "{Nghị quyết 28} và { } và {xem Phụ lục 1}"),
    ("{{ và }}", "{ và }"),
    ("không có chỗ thay", "không có chỗ thay"),
])
def test_fill_placeholders(text, expected):
    assert fill_placeholders(text, VALUES) == expected


def config_with_closing(tmp_path, closing: list[str]):
    target = tmp_path / "config"
    shutil.copytree(factories.CONFIG, target)
    path = target / "years" / "2016.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notices"]["closing"] = closing
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def test_unknown_placeholder_is_a_config_error(tmp_path):
    config = config_with_closing(tmp_path, ["Đề nghị {donvi} hoàn thành chỉ tiêu."])
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "2016.yaml" in message and "notices.closing" in message
    assert "{donvi}" in message and "{don_vi}" in message


def test_notice_closing_names_its_unit(tmp_path):
    config = config_with_closing(tmp_path, ["Đề nghị {don_vi} hoàn thành chỉ tiêu năm {nam_sau} {{sic}}."])
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, config, tmp_path / "out"))
    totals = planning.summarise(settings, inputs, validation)
    for unit in totals.units[:2]:
        notice = notice_context(notice_input(unit, totals, settings), settings)
        assert notice.closing == (f"Đề nghị {notice.unit_title} hoàn thành chỉ tiêu năm 2017 {{sic}}.",)
