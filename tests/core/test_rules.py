"""DHIS2-style rules: the expression language (pipeline.expressions), config errors, and checks on submissions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from fractions import Fraction

import pytest

from pipeline import plan as planning
from pipeline.core.steps.validate import validate_year
from pipeline.errors import ConfigError
from pipeline.expressions import parse_expression
from pipeline.settings import Rule, load_settings
from tests import factories
from tests.factories import CONFIG


def values(code: str, field: str) -> int | None:
    return {("CD", "actual"): 7, ("CD", "plan"): 5, ("DV", "actual"): 12, ("CD", "previous"): 2,
            ("DV", "previous"): 0}.get((code, field))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("CD", 7), ("CD.plan", 5), ("CD.actual", 7), ("CD + DV", 19), ("CD.plan * 2 + 1", 11),
     ("DV - CD * 2", -2), ("- CD + 10", 3), ("3 * CD.plan * 2", 30), ("42", 42),
     # parentheses, division (exact) and the usual precedence
     ("(CD + DV) * 2", 38), ("CD + DV * 2", 31), ("2 * (DV - CD)", 10), ("-(CD - DV)", 5), ("((CD))", 7),
     ("DV / 4", 3), ("CD / 2", Fraction(7, 2)), ("12 / 2 / 3", 2), ("10 - 4 - 3", 3), ("DV / 4 * 2", 6),
     ("CD + DV / 4", 10), ("(CD + 1) / (DV - 8)", 2),
     # last year's figures of the same unit
     ("CD.previous", 2), ("CD / CD.previous", Fraction(7, 2)), ("CD.previous * 3", 6)],
)
def test_expressions_evaluate(text, expected):
    assert parse_expression(text).evaluate(values) == expected


@pytest.mark.parametrize("text", ["DV / DV.previous", "CD / (CD - 7)", "CD / 0", "(CD / 0) * 0"])
def test_a_division_by_zero_makes_the_expression_missing(text):
    assert parse_expression(text).evaluate(values) is None


def test_a_missing_previous_figure_makes_the_expression_missing():
    assert parse_expression("DTN / DTN.previous").evaluate(values) is None
    assert parse_expression("CD.previous").uses_previous() and not parse_expression("CD.plan").uses_previous()


def test_a_missing_figure_makes_the_expression_missing():
    assert parse_expression("CD + DTN").evaluate(values) is None


@pytest.mark.parametrize("text", ["", "CD +", "* 2", "cd", "CD.note", "__import__('os')", "CD CD", "CD // 2",
                                  "(CD", "CD)", "()", "CD (DV)", "CD.previous.plan", "(" * 150 + "1" + ")" * 150])
def test_anything_else_is_refused_in_vietnamese(text):
    with pytest.raises(ValueError) as caught:
        parse_expression(text)
    assert any(word in str(caught.value) for word in ("biểu thức", "không hiểu", "thiếu", "thừa"))


@pytest.mark.parametrize(("text", "message"), [
    ("(TCD + CD", "thiếu dấu «)» trong «(TCD + CD»"),
    ("TCD + CD)", "thừa dấu «)» trong «TCD + CD)»"),
    ("TCD /", "biểu thức «TCD /» kết thúc bằng một phép tính hoặc thiếu dấu «)»"),
    ("TCD.last", "không hiểu «TCD.last» trong biểu thức «TCD.last» (sau dấu chấm chỉ dùng plan, actual hoặc "
                 "previous)"),
    ("TCD % 2", "không hiểu «% 2» trong biểu thức «TCD % 2» (chỉ dùng số, mã chỉ tiêu, + - * / và dấu ngoặc)"),
    ("TCD (CD)", "thiếu phép tính trước «(» trong «TCD (CD)»"),
])
def test_the_messages_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_expression(text)


def test_references_are_listed():
    assert parse_expression("CD.plan * 2 + DV - 3").references() == {"CD", "DV"}
    assert parse_expression("(CD + DTN.previous) / DV").references() == {"CD", "DTN", "DV"}


def test_a_bad_previous_rule_names_the_file_and_the_key(tmp_path):
    config = config_with_rules(tmp_path, "rules:\n  - {id: r1, left: (CD, operator: '>=', right: DV, message: x}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert "rules.yaml" in str(caught.value) and "rules.0.left" in str(caught.value)
    assert "thiếu dấu «)»" in str(caught.value)


def last_year_rule(severity: str = "warning") -> Rule:
    return Rule(id="tcd-vs-last-year", left="TCD / TCD.previous", operator="<=", right="3", severity=severity,
                message="Số tổ chức đảng thành lập mới gấp {left} lần năm trước (hơn {right} lần); đề nghị giải thích")


def test_a_rule_on_last_year_warns_with_the_ratio(settings, tmp_path):
    with_rule = settings.model_copy(update={"rules": (last_year_rule(),)})
    sub = factories.parse_file(factories.write(factories.good_form(party=7), tmp_path / "HB.xlsx"))
    validation = validate_year(2016, [sub], [], with_rule, previous={"HB": {"TCD": 2}})
    found = [i for i in validation.report.warnings if i.rule == "tcd-vs-last-year"]
    assert [(i.unit, i.sheet, i.cell) for i in found] == [("HB", "TongHop", "F4")]
    assert found[0].message == ("Số tổ chức đảng thành lập mới gấp 3,50 lần năm trước (hơn 3 lần); "
                                "đề nghị giải thích")
    assert validation.status["HB"] == "valid"
    assert not validate_year(2016, [sub], [], with_rule, previous={"HB": {"TCD": 3}}).report.of_unit("HB")


@pytest.mark.parametrize("previous", [None, {}, {"HB": {}}, {"HB": {"TCD": 0}}, {"NQ": {"TCD": 1}}])
def test_a_rule_on_last_year_is_skipped_without_last_year_or_when_it_was_zero(settings, tmp_path, previous):
    with_rule = settings.model_copy(update={"rules": (last_year_rule("error"),)})
    sub = factories.parse_file(factories.write(factories.good_form(party=7), tmp_path / "HB.xlsx"))
    validation = validate_year(2016, [sub], [], with_rule, previous=previous)
    assert not validation.report.of_unit("HB") and validation.status["HB"] == "valid"


def test_a_rule_on_last_year_uses_the_history_in_a_run(tmp_path):
    """The sample's own rule (tcd-vs-last-year) sees config/history.yaml's 2015 figures in a real check:
    TN founded 4 party organisations in 2016; with 1 in 2015 that is 4 times as many."""
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    history = (config / "history.yaml").read_text(encoding="utf-8")
    (config / "history.yaml").write_text(history.replace("TN: {TCD: 3,", "TN: {TCD: 1,"), encoding="utf-8")
    _, _, validation = planning.check(planning.Options(2016, factories.SAMPLE_INPUT, config, tmp_path / "output"))
    assert [(i.unit, i.rule, i.severity, i.cell) for i in validation.report.issues] == [
        ("TN", "tcd-vs-last-year", "warning", "F4")]
    assert validation.report.issues[0].message.startswith("Số tổ chức đảng thành lập mới gấp 4 lần năm trước (hơn 3")


def config_with_rules(tmp_path, text: str):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / "rules.yaml").write_text(text, encoding="utf-8")
    return config


def test_a_bad_rule_names_the_file_and_the_key(tmp_path):
    config = config_with_rules(tmp_path, "rules:\n  - {id: r1, left: CD +, operator: '>=', right: DV, message: x}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert "rules.yaml" in str(caught.value) and "rules.0.left" in str(caught.value)


def test_a_rule_on_an_unknown_indicator_is_refused(tmp_path):
    config = config_with_rules(tmp_path, "rules:\n  - {id: r1, left: XYZ, operator: '>=', right: DV, message: x}\n")
    with pytest.raises(ConfigError, match="«XYZ»"):
        load_settings(config)


def test_a_broken_rule_is_reported_at_the_left_indicator_cell(settings, tmp_path):
    rule = Rule(id="dv-at-least-three-per-party-org", left="DV", operator=">=", right="TCD * 3",
                severity="error", message="Đảng viên kết nạp mới ({left}) ít hơn 3 lần số tổ chức đảng ({right})")
    strict = settings.model_copy(update={"rules": (rule,)})
    form = factories.good_form(party=3)  # DV is 7 in the factory, 3 × 3 = 9
    sub = factories.parse_file(factories.write(form, tmp_path / "HB.xlsx"))
    validation = validate_year(2016, [sub], [], strict)
    found = [i for i in validation.report.errors if i.rule == rule.id]
    assert [(i.sheet, i.cell) for i in found] == [("TongHop", "F5")]
    assert found[0].message == "Đảng viên kết nạp mới (7) ít hơn 3 lần số tổ chức đảng (9)"
    assert validation.status["HB"] == "invalid"


def test_the_sample_rules_hold_for_the_sample(settings):
    from pipeline import flow

    _, _, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, CONFIG, factories.ROOT / "output"))
    assert not validation.report.issues


def test_decisions_outside_a_custom_period_are_errors(settings, tmp_path):
    general = settings.general.model_copy(update={"reporting": settings.general.reporting.model_copy(
        update={"period_start": "15/12", "start_in_previous_year": True, "period_end": "14/12"})})
    custom = settings.model_copy(update={"general": general})
    form = factories.good_form(party=1, unions=0, youth=0)
    rows = (dict(form.organisations[0], decision_date=dt.date(2016, 12, 20)),)
    sub = factories.parse_file(factories.write(dataclasses.replace(form, organisations=rows), tmp_path / "HB.xlsx"))
    validation = validate_year(2016, [sub], [], custom)
    errors = [i for i in validation.report.errors if i.rule == "date-outside-period"]
    assert errors and "15/12/2015 - 14/12/2016" in errors[0].message
    early = dataclasses.replace(form, organisations=(dict(rows[0], decision_date=dt.date(2015, 12, 20)),))
    sub = factories.parse_file(factories.write(early, tmp_path / "HB2.xlsx"))
    assert not validate_year(2016, [sub], [], custom).report.errors


def test_late_submissions_are_warned_and_listed(settings, tmp_path):
    late = dataclasses.replace(factories.good_form(), prepared_on=dt.date(2016, 12, 20))
    sub = factories.parse_file(factories.write(late, tmp_path / "HB.xlsx"))
    validation = validate_year(2016, [sub], [], settings)
    assert validation.late == {"HB"}
    assert ("late-submission", "ThongTin", "B6") in factories.flatten(validation.report.warnings)
    assert validation.status["HB"] == "valid"


def test_identical_copies_count_once(settings, tmp_path):
    data = factories.form_bytes(factories.good_form())
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "HB.xlsx").write_bytes(data)
    (tmp_path / "HB copy.xlsx").write_bytes(data)
    subs = [factories.parse_file(tmp_path / "a" / "HB.xlsx", "a/HB.xlsx"), factories.parse_file(tmp_path / "HB copy.xlsx")]
    validation = validate_year(2016, subs, [], settings)
    assert validation.status["HB"] == "valid"
    assert [(i.file, i.rule) for i in validation.report.warnings if i.unit == "HB"] == [("a/HB.xlsx", "duplicate-copy")]
