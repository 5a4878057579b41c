"""The DOCX's chart pictures kept between runs (pipeline.render.chart_images, pipeline.io.chart_images): the
same bytes whether drawn or kept, a miss for any change of what they depend on, and no matplotlib for a kept one."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from pipeline.io.chart_images import chart_image_store
from pipeline.render import chart, chart_images, trend_chart
from pipeline.resources import templates_dir
from pipeline.runner import renderers as make_renderers
from tests.render.test_trend_chart import FONT, report_jobs, sample  # noqa: F401  (the sample's totals)

NAME = "bao-cao-2016.docx#chart"


def test_a_docx_is_the_same_bytes_with_and_without_the_store(sample, tmp_path, monkeypatch):
    _, _, word = report_jobs(sample)
    bare = make_renderers(templates_dir(), FONT, strict_warnings=True).render(word)
    store = chart_image_store(tmp_path)
    drawn = make_renderers(templates_dir(), FONT, strict_warnings=True, images=store).render(word)
    assert len(list((tmp_path / ".cache" / "hinh-bieu-do").iterdir())) == 2  # the bar chart and the trend chart
    monkeypatch.setattr(chart, "chart_png", lambda *_: pytest.fail("drawn again"))
    monkeypatch.setattr(trend_chart, "trend_png", lambda *_: pytest.fail("drawn again"))
    kept = make_renderers(templates_dir(), FONT, strict_warnings=True, images=store).render(word)
    assert bare == drawn == kept


def test_each_key_part_changes_the_key(sample, monkeypatch, tmp_path):
    _, pdf, _ = report_jobs(sample)
    data = pdf.chart
    other = dataclasses.replace(data, title=data.title + " ")
    key = chart_images.png_key("chart", data, FONT)
    keys = {key, chart_images.png_key("trend_chart", data, FONT), chart_images.png_key("chart", other, FONT),
            chart_images.png_key("chart", data, "DejaVu Serif"), chart_images.png_key("chart", data, FONT, 300)}
    assert len(keys) == 5
    for library in chart_images.LIBRARIES:
        real = chart_images.version
        monkeypatch.setattr(chart_images, "version", lambda name, library=library, real=real:
                            "0" if name == library else real(name))
        assert chart_images.png_key("chart", data, FONT) != key, library
        monkeypatch.setattr(chart_images, "version", real)
    monkeypatch.chdir(tmp_path)  # a matplotlibrc where matplotlib would read one: its bytes are in the key
    assert chart_images.png_key("chart", data, FONT) == key
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 3\n")
    changed = chart_images.png_key("chart", data, FONT)
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 4\n")
    assert len({key, changed, chart_images.png_key("chart", data, FONT)}) == 3


@pytest.mark.parametrize("variable", ["MATPLOTLIBRC", "MPLCONFIGDIR", "XDG_CONFIG_HOME"])
def test_a_settings_file_named_by_the_environment_is_in_the_key(variable, monkeypatch, tmp_path):
    folder = tmp_path / "matplotlib" if variable == "XDG_CONFIG_HOME" else tmp_path
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv(variable, str(tmp_path))
    before = chart_images.rc_files()
    (folder / "matplotlibrc").write_text("font.size: 20\n")
    assert chart_images.rc_files() != before


def test_a_damaged_picture_is_drawn_again(sample, tmp_path):
    _, _, word = report_jobs(sample)
    store = chart_image_store(tmp_path)
    first = make_renderers(templates_dir(), FONT, strict_warnings=True, images=store).render(word)
    for path in (tmp_path / ".cache" / "hinh-bieu-do").iterdir():
        path.write_bytes(path.read_bytes()[:-10])
    assert make_renderers(templates_dir(), FONT, strict_warnings=True, images=store).render(word) == first


def test_a_kept_picture_needs_no_matplotlib(sample, tmp_path):
    """The point of the store: the worker making an unchanged chart's DOCX imports no matplotlib (~0.5 s)."""
    _, _, word = report_jobs(sample)
    make_renderers(templates_dir(), FONT, strict_warnings=True, images=chart_image_store(tmp_path)).render(word)
    probe = ("import pickle, sys\n"
             "from pipeline.io.chart_images import chart_image_store\n"
             "from pipeline.resources import templates_dir\n"
             "from pipeline.runner import renderers\n"
             f"job = pickle.loads({__import__('pickle').dumps(word)!r})\n"
             f"r = renderers(templates_dir(), {FONT!r}, True, images=chart_image_store(__import__('pathlib').Path("
             f"{str(tmp_path)!r})))\n"
             "r.render(job)\n"
             "print('matplotlib' in sys.modules)\n")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"
