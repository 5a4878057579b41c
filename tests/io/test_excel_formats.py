"""Workbook formats clerks actually send: legacy .xls, password-protected files."""

from __future__ import annotations

import json

from pipeline import flow
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.validate import validate_year
from pipeline.io.excel import read_workbook
from tests import factories
from tests.factories import CONFIG


def test_a_legacy_xls_workbook_reads_like_its_xlsx_twin(tmp_path, settings):
    form = factories.good_form("HB", party=2, unions=3, youth=1)
    path = tmp_path / "HB.xls"
    path.write_bytes(factories.xls_bytes(form))
    sub = factories.parse_file(path)
    assert sub.unit_code == "HB" and sub.year == 2016
    assert {f.code: f.actual for f in sub.figures}["CD"] == 3
    assert len(sub.organisations) == 6
    assert sub.organisations[0].decision_date == form.organisations[0]["decision_date"]
    validation = validate_year(2016, [sub], [], settings)
    assert validation.status["HB"] == "valid"
    assert not validation.report.errors


def test_a_password_protected_workbook_is_refused_with_a_clear_reason(tmp_path):
    path = tmp_path / "HB.xlsx"
    path.write_bytes(factories.encrypted_bytes(factories.good_form()))
    refusal = read_workbook(path, "HB.xlsx")
    assert isinstance(refusal, Refusal)
    assert "mật khẩu" in refusal.reason


def test_a_protected_workbook_among_good_ones_spoils_only_itself(tmp_path):
    input_dir = factories.copy_sample(tmp_path / "input")
    (input_dir / "2016" / "HB.xlsx").write_bytes(factories.encrypted_bytes(factories.good_form("HB", party=2, unions=14, youth=3)))
    outcome = flow.validate(flow.Options(2016, input_dir, CONFIG, tmp_path / "out"))
    issues = list(outcome.validation.report.errors)
    assert [(i.file, i.rule) for i in issues] == [("2016/HB.xlsx", "unreadable-file")]
    assert "mật khẩu" in issues[0].message
    assert issues[0].unit == "HB", "the file name tells which unit sent it"
    assert outcome.validation.status["HB"] == "invalid"
    assert sum(s == "valid" for s in outcome.validation.status.values()) == 14
    saved = json.loads((outcome.folder / "data" / "kiem-tra.json").read_text(encoding="utf-8"))
    assert [i["rule"] for i in saved["issues"]] == ["unreadable-file"]
    assert (outcome.folder / "phieu-kiem-tra" / "HB.pdf").is_file()
