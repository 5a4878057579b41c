"""Three year ends from the command line, with only the steps README «Mỗi năm làm gì» gives.

2016 is the sample; 2017 and 2018 are made with new-year, their placeholders filled, next year's
targets added, forms written and filled, and `report` run without a year: it picks the new year and
says why, compares it with last year's published results, and the trend runs from 2015 (history.yaml)
to the year reported.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.io.forms.data import IndicatorLine
from pipeline.settings import load_settings
from tests import factories

pytestmark = pytest.mark.slow

# Per unit and year: (party, unions, youth) founded. Deterministic, different from year to year.
FIGURES = {2017: lambda n: (n % 3 + 1, n % 4 + 2, n % 2 + 1), 2018: lambda n: (n % 2 + 1, n % 3 + 3, 1)}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def fill_year_file(path: Path, year: int) -> None:
    """What the clerk decides for the year: every «<<CẦN ĐIỀN>>» replaced."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(date=f"{year}-12-27", deadline=f"{year}-12-15")
    data["numbering"] = {"report": 5, "notices": 6}
    data["signer"]["name"] = "Lê Văn Ký"
    data["assessment"] = {"strengths": [f"Ưu điểm năm {year}."], "weaknesses": [f"Hạn chế năm {year}."],
                          "tasks": [f"Nhiệm vụ năm {year + 1}."]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "CẦN ĐIỀN" not in path.read_text(encoding="utf-8")


def add_targets(config: Path, year: int) -> None:
    """Next year's targets, as the clerk adds them to targets.yaml: last year's, one more party organisation."""
    path = config / "targets.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["years"][year] = {code: {**t, "TCD": t["TCD"] + 1} for code, t in data["years"][year - 1].items()}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fill_forms(config: Path, input_dir: Path, year: int) -> dict[str, int]:
    """Every unit's form filled and sent back into input/<year>/; the city totals they make."""
    settings = load_settings(config)
    folder = input_dir / str(year)
    folder.mkdir(parents=True)
    totals = {"TCD": 0, "CD": 0, "DTN": 0}
    for n, unit in enumerate(settings.units_in(year)):
        party, unions, youth = FIGURES[year](n)
        form = factories.good_form(unit.code, year, party=party, unions=unions, youth=youth)
        plans = settings.targets[year][unit.code]
        lines = tuple(IndicatorLine(line.code, line.name, line.measure, plans.get(line.code), line.actual)
                      for line in form.indicators)
        factories.write(dataclasses.replace(form, indicators=lines), folder / f"{unit.code}.xlsx")
        for code, count in zip(("TCD", "CD", "DTN"), (party, unions, youth), strict=True):
            totals[code] += count
    return totals


def trend(output: Path, year: int, code: str) -> list[tuple[int, int | None]]:
    data = json.loads((output / str(year) / "data" / "tong-hop.json").read_text(encoding="utf-8"))
    return [(point["year"], point["actual"]) for point in data["trend"][code]]


def test_three_year_ends_with_only_the_documented_steps(tmp_path):
    config = Path(shutil.copytree(factories.CONFIG, tmp_path / "config"))
    input_dir = factories.copy_sample(tmp_path / "input")
    output = tmp_path / "output"
    where = ("--input", str(input_dir), "--config", str(config), "--output", str(output))

    said = run("report", *where)  # the first year, as shipped
    assert "Năm báo cáo 2016" in said
    actual = {2015: {"TCD": 24, "CD": 148, "DTN": 28}, 2016: {"TCD": 26, "CD": 170, "DTN": 33}}

    for year in (2017, 2018):
        said = run("new-year", "--config", str(config))
        assert (config / "years" / f"{year}.yaml").is_file() and f"Thêm chỉ tiêu năm {year + 1}" in said
        fill_year_file(config / "years" / f"{year}.yaml", year)
        add_targets(config, year + 1)
        run("forms", "--year", str(year), *where)
        assert (output / str(year) / "bieu-mau" / "HB.xlsx").is_file()
        actual[year] = fill_forms(config, input_dir, year)
        if year == 2018:
            shutil.rmtree(input_dir / "2016")  # the office archives its oldest workbooks
        said = run("report", *where)  # no YEAR: the newest year, and why
        assert f"Năm báo cáo {year}: năm mới nhất có biểu mẫu" in said, said
        published = json.loads((output / str(year) / "data" / "tong-hop.json").read_text(encoding="utf-8"))
        source = published["provenance"]["previous_year_source"]
        assert source.startswith(f"kết quả đã công bố năm {year - 1}"), source
        for code in ("TCD", "CD", "DTN"):
            assert trend(output, year, code) == [(y, actual[y][code]) for y in range(2015, year + 1)], code
        # The trend chart beside the multi-year table, and next year's targets in the summary workbook.
        folder = output / str(year)
        assert (folder / "bieu-do-cac-nam.svg").read_text(encoding="utf-8").count('id="trend-actual-') == 3
        assert len(docx.Document(folder / f"bao-cao-{year}.docx").inline_shapes) == 2
        sheet = openpyxl.load_workbook(folder / f"tong-hop-{year}.xlsx")["ChiTieuNamSau"]
        assert f"CHỈ TIÊU NĂM {year + 1} GIAO CÁC ĐƠN VỊ" in [c.value for c in sheet["A"]]
