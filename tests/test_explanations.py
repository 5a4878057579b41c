"""Explanations (giải trình): warnings accepted with a reason in config/giai-trinh.yaml."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.catalogue import ISSUES_DATA
from pipeline.core.documents.site import site_context
from pipeline.core.documents.slip import slip_contexts
from pipeline.errors import ConfigError
from pipeline.issue_types import EXPLANATION_ON_ERROR, EXPLANATION_UNMATCHED, LATE_SUBMISSION
from pipeline.settings import load_settings
from tests import factories

REASON = "Đơn vị đã báo cáo bằng điện thoại đúng hạn, văn bản gửi sau"


@pytest.fixture()
def office(tmp_path) -> dict[str, Path]:
    """HB sent late (a warning), KA on time; no explanations yet."""
    config = factories.small_config(tmp_path / "config", ("HB", "KA"))
    # The sample's assessment speaks of fifteen units' figures: here, words that claim nothing.
    year_file = config / "years" / "2016.yaml"
    docs = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    docs["assessment"] = {"strengths": ["Ưu điểm."], "weaknesses": ["Hạn chế."], "tasks": ["Nhiệm vụ."]}
    year_file.write_text(yaml.safe_dump(docs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    inbox = tmp_path / "input" / "2016"
    late = factories.replace(factories.good_form("HB"), prepared_on=dt.date(2016, 12, 20))
    factories.write(late, inbox / "HB.xlsx")
    shutil.copy(factories.SAMPLE_INPUT / "2016" / "KA.xlsx", inbox / "KA.xlsx")
    return {"config": config, "input": tmp_path / "input", "output": tmp_path / "output"}


def options(office) -> planning.Options:
    return planning.Options(2016, office["input"], office["config"], office["output"], strict_warnings=True)


def explain(office, text: str) -> None:
    (office["config"] / "giai-trinh.yaml").write_text(text, encoding="utf-8")


def late_issue(validation):
    return next(i for i in validation.report.issues if i.rule == LATE_SUBMISSION.code)


def test_without_explanations_the_late_warning_is_open(office):
    _, _, validation = planning.check(options(office))
    issue = late_issue(validation)
    assert issue in validation.report.warnings and not issue.explained


def test_an_explained_warning_is_no_longer_open(office):
    issue = late_issue(planning.check(options(office))[2])
    explain(office, f"giai_trinh:\n  - unit: HB\n    rule: late-submission\n    cell: {issue.cell.lower()}\n"
                    f"    sheet: {issue.sheet}\n    reason: {REASON}\n")
    settings, _, validation = planning.check(options(office))
    issue = late_issue(validation)
    assert issue.explained == REASON
    assert issue not in validation.report.warnings and validation.report.explained == (issue,)
    assert issue.as_dict()["explained"] == REASON
    row = next(r for r in slip_contexts(validation, settings)["HB"].rows if r.message.startswith("Nộp muộn"))
    assert row.message.endswith(f"(đã giải trình: {REASON})")
    slip = slip_contexts(validation, settings)["HB"]
    assert slip.verdict == "Biểu mẫu hợp lệ, không có lỗi."
    site = site_context(validation, None, (), settings)
    hb = next(r for r in site.roster if r.code == "HB")
    assert (hb.warnings, hb.explained, hb.approved, hb.reminded) == ("0", "1", "", "")
    assert {c.label: c.value for c in site.counts}["Đã giải trình"] == "1"


def test_kiem_tra_json_marks_the_explained_warning(office):
    explain(office, f"giai_trinh:\n  - {{unit: HB, rule: late-submission, reason: \"{REASON}\"}}\n")
    outcome = flow.validate(options(office))
    data = json.loads((outcome.folder / ISSUES_DATA.path()).read_text(encoding="utf-8"))
    late = [i for i in data["issues"] if i["rule"] == "late-submission"]
    assert late and all(i["explained"] == REASON for i in late)
    assert all("explained" not in i for i in data["issues"] if i["rule"] != "late-submission")
    page = (outcome.folder / "index.html").read_text(encoding="utf-8")
    assert f"đã giải trình: {REASON}" in page


def test_an_entry_matching_nothing_is_a_warning(office):
    explain(office, "giai_trinh:\n  - {unit: KA, rule: late-submission, reason: Cũ}\n")
    _, _, validation = planning.check(options(office))
    stale = [i for i in validation.report.warnings if i.rule == EXPLANATION_UNMATCHED.code]
    assert len(stale) == 1 and stale[0].file.endswith("giai-trinh.yaml")
    assert stale[0].message.startswith("Mục giải trình thứ 1 (đơn vị KA, quy tắc late-submission) không khớp")
    assert not late_issue(validation).explained


def test_errors_cannot_be_explained_away(office):
    book = factories.form_workbook(factories.good_form("KA"))
    book["TongHop"]["F4"] = 3  # TCD: 3 founded, but the list names 2
    factories.save(book, office["input"] / "2016" / "KA.xlsx")
    explain(office, "giai_trinh:\n  - {unit: KA, rule: list-count-mismatch, reason: Đã hỏi lại}\n")
    _, _, validation = planning.check(options(office))
    said = [i for i in validation.report.warnings if i.rule == EXPLANATION_ON_ERROR.code]
    assert len(said) == 1 and "lỗi không giải trình được" in said[0].message
    assert validation.status["KA"] == "invalid"
    assert all(not i.explained for i in validation.report.errors)


@pytest.mark.parametrize("text, message", [
    ("giai_trinh:\n  - {unit: XY, rule: late-submission, reason: Lý do}\n",
     "giai-trinh.yaml, khóa «giai_trinh.0.unit»: mã đơn vị «XY» không có trong units.yaml"),
    ("giai_trinh:\n  - {unit: HB, rule: late-submission}\n", "giai_trinh"),
    ("giai_trinh:\n  - {unit: HB, rule: late-submission, reason: Lý do, cell: 5C}\n", "không phải địa chỉ ô"),
    ("giai_trinh:\n  - {unit: HB, rule: late-submission, reason: Lý do, ly_do: x}\n", "ly_do"),
])
def test_a_bad_entry_is_a_config_error_naming_file_and_key(office, text, message):
    explain(office, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(office["config"])
    assert "giai-trinh.yaml" in str(caught.value) and message in str(caught.value)


def test_the_console_counts_explained_warnings_apart(office, monkeypatch):
    from click.testing import CliRunner

    from pipeline import cli
    from pipeline.cli import main

    monkeypatch.setattr(cli.console, "_width", 250)  # one table row per issue, whatever ran before

    explain(office, f"giai_trinh:\n  - {{unit: HB, rule: late-submission, reason: \"{REASON}\"}}\n")
    result = CliRunner().invoke(main, ["validate", "--year", "2016", "--input", str(office["input"]), "--config",
                                       str(office["config"]), "--output", str(office["output"]), "--state",
                                       str(office["output"].parent / "state")], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "0 lỗi, 0 cảnh báo (1 cảnh báo đã giải trình)" in result.output
    assert f"(đã giải trình: {REASON})" in result.output
