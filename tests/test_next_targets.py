"""Next year's targets: a report of year N needs config/targets.yaml's N+1 targets for every unit of the year,
or an explicit targets_pending in years/N.yaml; the documents then say the targets come later; and a rerun
lists on the console the targets changed since the report it replaces."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import flow, yearend
from pipeline import plan as planning
from pipeline.cli import main
from pipeline.core.catalogue import TOTALS_DATA
from pipeline.core.jobs import PdfJob, context_of
from pipeline.errors import InvalidDataError
from tests.factories import CONFIG, SAMPLE_INPUT

ALL_UNITS = ("HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV")


def config_with(tmp_path: Path, *, drop: tuple[str, ...] = (), replace: dict[str, str] | None = None,
                pending: bool = False) -> Path:
    """The sample config with 2017 target lines removed (`drop`: unit codes) or edited, and targets_pending."""
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "targets.yaml").read_text(encoding="utf-8")
    before, after = text.split("  2017:\n")
    lines = [line for line in after.splitlines(keepends=True) if line.split(":")[0].strip() not in drop]
    text = before + "  2017:\n" + "".join(lines) if lines else before.rstrip() + "\n"
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    (config / "targets.yaml").write_text(text, encoding="utf-8")
    if pending:
        year_file = config / "years" / "2016.yaml"
        year_file.write_text(year_file.read_text(encoding="utf-8").replace("targets_pending: false",
                                                                           "targets_pending: true"), encoding="utf-8")
    return config


def run_plan(config: Path, tmp_path: Path) -> planning.Plan:
    return planning.plan(planning.Options(2016, SAMPLE_INPUT, config, tmp_path / "output", jobs=1), documents=True)


def contexts(run: planning.Plan) -> tuple[object, dict[str, object]]:
    """The report's context and each unit's notice context, from the planned PDF jobs."""
    pdfs = [job for job in run.documents if isinstance(job, PdfJob)]
    report = next(context_of(job) for job in pdfs if not job.unit)
    return report, {job.unit: context_of(job) for job in pdfs if job.unit}


def test_the_sample_has_every_target_and_no_issue(tmp_path):
    run = run_plan(CONFIG, tmp_path)
    assert not run.validation.report.issues and run.totals is not None


def test_a_unit_without_next_years_targets_is_an_error_naming_it_and_the_key(tmp_path):
    config = config_with(tmp_path, drop=("HB",))
    run = run_plan(config, tmp_path)
    found = run.validation.report.errors
    assert [(i.file, i.unit, i.rule) for i in found] == [(str(config / "targets.yaml"), "", "targets-missing")]
    assert found[0].message == (
        f"Chưa có chỉ tiêu năm 2017 của quận Hồng Bàng (HB): thêm vào {config / 'targets.yaml'}, khóa "
        f"«years.2017.HB»; hoặc, nếu chỉ tiêu sẽ giao sau, ghi «targets_pending: true» vào "
        f"{config / 'years' / '2016.yaml'}")
    assert run.totals is None and not run.documents  # strict: no document, as with a workbook error
    assert run.validation.status["HB"] == "valid"  # the unit's own workbook is fine: its slip stays clean
    assert not run.validation.report.of_unit("HB")


def test_a_unit_missing_one_indicator_is_named_with_it(tmp_path):
    config = config_with(tmp_path, replace={"NQ: {TCD: 4, CD: 6, DTN: 2}": "NQ: {TCD: 4, CD: 6}"})
    found = run_plan(config, tmp_path).validation.report.errors
    assert [i.message.split(":")[0] for i in found] == ["Chưa có chỉ tiêu năm 2017 của quận Ngô Quyền (NQ) "
                                                        "(chỉ tiêu DTN)"]


def test_a_year_without_any_target_is_one_error_listing_the_units(tmp_path):
    config = config_with(tmp_path, drop=ALL_UNITS)
    found = run_plan(config, tmp_path).validation.report.errors
    assert len(found) == 1 and found[0].rule == "targets-missing"
    assert found[0].message.startswith("Chưa có chỉ tiêu năm 2017 của 15 đơn vị (HB, NQ, LC, HA, KA, DS, DK, TN, "
                                       "AD, AL, KT, TL, VB, CH, BLV): thêm khóa «years.2017» vào ")


def test_the_strict_report_refuses_and_says_what_to_do(tmp_path):
    config = config_with(tmp_path, drop=("HB",))
    with pytest.raises(InvalidDataError) as caught:
        flow.report(flow.Options(2016, SAMPLE_INPUT, config, tmp_path / "output", jobs=1))
    message = str(caught.value)
    assert message.startswith("Có 1 lỗi về chỉ tiêu năm 2017 (config/targets.yaml): chưa lập báo cáo")
    assert "ghi «targets_pending: true» vào config/years/2016.yaml" in message
    issues = json.loads((tmp_path / "output" / "2016" / "data" / "kiem-tra.json").read_text(encoding="utf-8"))
    assert [i["rule"] for i in issues["issues"]] == ["targets-missing"]


def test_targets_pending_publishes_with_a_warning_and_the_documents_say_so(tmp_path):
    config = config_with(tmp_path, drop=("HB",), replace={"NQ: {TCD: 4, CD: 6, DTN: 2}": "NQ: {TCD: 4, CD: 6}"},
                         pending=True)
    run = run_plan(config, tmp_path)
    assert not run.validation.report.errors
    [warning] = run.validation.report.warnings
    assert warning.rule == "targets-pending" and warning.file == str(config / "targets.yaml")
    assert warning.message.startswith("Chỉ tiêu năm 2017 chưa giao cho 2 đơn vị (HB, NQ) và ")
    assert "báo cáo và thông báo ghi «Chỉ tiêu năm 2017 … sẽ được giao sau»" in warning.message
    report, notices = contexts(run)
    assert report.targets_sentence == (
        "Năm 2017, giao chỉ tiêu cho các đơn vị thành lập 35 tổ chức Đảng; 57 tổ chức Công đoàn; 16 tổ chức Đoàn, "
        "hội thanh niên. Chỉ tiêu năm 2017 của quận Hồng Bàng và quận Ngô Quyền sẽ được giao sau.")
    assert report.target_list_note == "Chỉ tiêu năm 2017 của quận Hồng Bàng và quận Ngô Quyền sẽ được giao sau."
    assert report.target_rows[0].cells == ("giao sau",) * 3  # HB, first in units.yaml
    assert report.target_rows[1].cells == ("4", "6", "giao sau")
    hb, nq = notices["HB"], notices["NQ"]
    assert hb.targets_sentence == "Chỉ tiêu năm 2017 của đơn vị sẽ được giao sau."
    assert [row.target for row in hb.targets] == ["giao sau"] * 3
    assert "giao chỉ tiêu" not in hb.title and "giao chỉ tiêu" not in hb.intro  # it assigns none
    assert nq.targets_sentence == ("Năm 2017, giao Đảng bộ quận Ngô Quyền thành lập 4 tổ chức Đảng; 6 tổ chức "
                                   "Công đoàn. Chỉ tiêu tổ chức Đoàn, hội thanh niên sẽ được giao sau.")
    assert "và giao chỉ tiêu năm 2017" in nq.title


def test_targets_pending_with_no_targets_at_all(tmp_path):
    config = config_with(tmp_path, drop=ALL_UNITS, pending=True)
    report, notices = contexts(run_plan(config, tmp_path))
    assert report.targets_sentence == "Chỉ tiêu năm 2017 sẽ được giao sau."
    assert report.targets_reference == ""
    assert report.target_list_note == "Chỉ tiêu năm 2017 của các đơn vị sẽ được giao sau."
    assert report.target_rows[-1].cells == ("giao sau",) * 3
    assert {n.targets_sentence for n in notices.values()} == {"Chỉ tiêu năm 2017 của đơn vị sẽ được giao sau."}


def test_totals_data_keeps_next_years_targets(tmp_path):
    data = run_plan(CONFIG, tmp_path).document_data()[TOTALS_DATA.path()]
    kept = data["next_year_targets"]
    assert kept["year"] == 2017 and kept["units"]["HB"] == {"TCD": 3, "CD": 5, "DTN": 2}
    assert kept["totals"] == {"TCD": 38, "CD": 62, "DTN": 20}  # SPEC: 2017 targets 38, 62, 20


def published(tmp_path: Path, units: dict[str, dict[str, int]]) -> Path:
    folder = tmp_path / "output" / "2016"
    (folder / "data").mkdir(parents=True)
    (folder / TOTALS_DATA.path()).write_text(json.dumps({"next_year_targets": {"year": 2017, "units": units}}),
                                             encoding="utf-8")
    return folder


def test_changed_targets_are_compared_with_the_published_report(tmp_path, settings):
    now = settings.targets[2017]
    before = {code: dict(figures) for code, figures in now.items() if code != "BLV"}
    before["LC"] = {**before["LC"], "TCD": 3}
    change = yearend.changed_targets(published(tmp_path, before), settings, 2016)
    assert change is not None and change.year == 2017
    assert change.units == (("quận Lê Chân (LC)", {"TCD": (3, 4)}),
                            ("huyện Bạch Long Vĩ (BLV)", {"TCD": (None, 1), "CD": (None, 1), "DTN": (None, 0)}))
    assert change.totals == {"TCD": (36, 38), "CD": (61, 62), "DTN": (20, 20)}
    assert yearend.changed_targets(published(tmp_path / "same", now), settings, 2016) is None
    assert yearend.changed_targets(tmp_path / "none", settings, 2016) is None


def test_the_console_lists_the_changed_targets(tmp_path, settings):
    before = {code: dict(figures) for code, figures in settings.targets[2017].items()}
    before["HB"] = {**before["HB"], "CD": 4}
    published(tmp_path, before)
    result = CliRunner().invoke(main, ["report", "--year", "2016", "--input", str(SAMPLE_INPUT), "--config",
                                       str(CONFIG), "--output", str(tmp_path / "output"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Chỉ tiêu năm 2017 đã sửa so với báo cáo lập trước đó" in text
    assert "- quận Hồng Bàng (HB): CD 4 → 5" in text
    assert "Tổng cộng toàn thành phố: TCD 38 → 38; CD 61 → 62; DTN 20 → 20" in text
