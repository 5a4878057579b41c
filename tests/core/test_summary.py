"""Totals → the summary workbook's context (pipeline.core.documents.summary), on the shipped sample."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.data import json_number, tong_hop
from pipeline.core.documents.summary import Planned, summary_context
from pipeline.core.vi import sentence_case
from tests import factories


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    return settings, inputs, validation


@pytest.fixture(scope="module")
def totals(sample):
    return planning.summarise(*sample)


@pytest.fixture(scope="module")
def context(sample, totals):
    settings, _, validation = sample
    organisations = {c: s.organisations for c, s in validation.submissions.items()}
    return summary_context(totals, organisations, settings)


@pytest.fixture(scope="module")
def troubled(sample):
    """The sample with HB invalid, CH missing and NQ late: as a bad year would be."""
    settings, inputs, validation = sample
    status = {**validation.status, "HB": "invalid", "CH": "missing"}
    submissions = {c: s for c, s in validation.submissions.items() if c != "CH"}
    changed = dataclasses.replace(validation, status=status, submissions=submissions, late=frozenset({"NQ"}))
    totals = planning.summarise(settings, inputs, changed)
    return summary_context(totals, {c: s.organisations for c, s in submissions.items()}, settings), totals


def test_title_and_issuing_body(context):
    assert context.title == "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT 28-NQ/TU NĂM 2016"
    assert context.issuing_body == ("BAN CHỈ ĐẠO", "THỰC HIỆN NGHỊ QUYẾT 28")
    assert context.superior_body == "ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG"
    assert (context.year, context.previous_year, context.percent_decimals) == (2016, 2015, 0)


def test_columns_follow_the_config(context):
    assert [c.code for c in context.planned] == ["TCD", "CD", "DTN"]
    assert [c.code for c in context.people] == ["DV", "DVCD", "DVTN"]
    assert context.planned[0].short == "Tổ chức Đảng"


def test_totals_are_the_seed_figures_typed(context):
    total = context.total
    assert total.total and total.name == "Tổng cộng" and total.number is None
    assert total.planned == (
        Planned(40, 26, Decimal(65)), Planned(77, 170, Decimal(220)), Planned(25, 33, Decimal(132)),
    )
    assert total.previous == (24, 148, 28)
    assert total.people == (167, 16281, 1370)
    assert total.ranks == (None, None, None)


def test_unit_rows_equal_tong_hop(context, totals):
    data = tong_hop(totals)
    assert [r.code for r in context.rows] == [u["code"] for u in data["units"]]
    for n, (row, unit) in enumerate(zip(context.rows, data["units"], strict=False), start=1):
        assert row.number == n
        assert row.name == sentence_case(unit["name"])
        assert row.status == unit["status"] and row.status_label == "hợp lệ"
        for col, figures in zip(context.planned, row.planned, strict=False):
            expected = unit["indicators"][col.code]
            assert (figures.plan, figures.actual, json_number(figures.percent)) == (
                expected["plan"], expected["actual"], expected["percent"])
            assert isinstance(figures.actual, int) and isinstance(figures.percent, Decimal)
        assert row.people == tuple(unit["indicators"][c.code]["actual"] for c in context.people)
        assert row.ranks == tuple(unit["rank"][c.code] for c in context.planned)


def test_unit_names_are_capitalised(context):
    assert context.rows[0].name == "Quận Hồng Bàng"
    assert context.rows[-1].name == "Huyện Bạch Long Vĩ"


def test_organisations_are_listed_with_dates(context):
    orgs = context.organisations
    assert len(orgs) == 229
    assert [o.number for o in orgs] == list(range(1, 230))
    assert all(isinstance(o.decision_date, dt.date) for o in orgs)
    assert all(isinstance(o.members, int) for o in orgs)
    assert orgs[0].unit == "Quận Hồng Bàng" and orgs[0].unit_code == "HB"
    assert orgs[0].tax_code.startswith("0")


def test_roster_of_the_sample(context):
    counts = {line.key: line.count for line in context.roster}
    assert counts == {"submitted": 15, "valid": 15, "invalid": 0, "missing": 0, "late": 0}
    assert context.unit_count == 15
    assert context.roster[0].units[0] == "Quận Hồng Bàng"


def test_invalid_and_missing_units_have_blank_figures(troubled):
    context, totals = troubled
    rows = {r.code: r for r in context.rows}
    data = {u["code"]: u for u in tong_hop(totals)["units"]}
    for code, label in (("HB", "số liệu chưa hợp lệ"), ("CH", "chưa nộp")):
        row = rows[code]
        assert row.status_label == label
        assert all(p.actual is None and p.percent is None for p in row.planned)
        assert row.people == (None, None, None) and row.ranks == (None, None, None)
        # The plan stays, as tong-hop.json gives it.
        assert [p.plan for p in row.planned] == [data[code]["indicators"][c.code]["plan"] for c in context.planned]


def test_late_units_are_flagged(troubled):
    context, _ = troubled
    rows = {r.code: r for r in context.rows}
    assert rows["NQ"].late and rows["NQ"].late_note == "nộp muộn"
    assert not rows["LC"].late and rows["LC"].late_note == ""


def test_roster_of_a_troubled_year(troubled):
    context, _ = troubled
    lines = {line.key: line for line in context.roster}
    assert lines["submitted"].count == 14 and "Huyện Cát Hải" not in lines["submitted"].units
    assert lines["valid"].count == 13
    assert lines["invalid"].units == ("Quận Hồng Bàng",)
    assert lines["missing"].units == ("Huyện Cát Hải",)
    assert lines["late"].units == ("Quận Ngô Quyền",)


def test_uncounted_units_are_left_out_of_totals_and_list(troubled, context):
    changed, _ = troubled
    hb = next(r for r in context.rows if r.code == "HB")
    assert changed.total.planned[0].actual == 26 - hb.planned[0].actual
    assert {o.unit_code for o in changed.organisations}.isdisjoint({"HB", "CH"})
    assert [o.number for o in changed.organisations] == list(range(1, len(changed.organisations) + 1))


# --- units grouped under provinces ------------------------------------------------------------


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    root = tmp_path_factory.mktemp("grouped")
    options = flow.Options(2016, factories.grouped_input(root / "input"),
                           factories.grouped_config(root / "config"), root / "out")
    settings, inputs, validation = planning.check(options)
    totals = planning.summarise(settings, inputs, validation)
    return summary_context(totals, {c: s.organisations for c, s in validation.submissions.items()}, settings), totals


def test_without_groups_nothing_is_grouped(context):
    assert (context.group_header, context.group_sheet, context.group_title, context.groups) == ("", "", "", ())
    assert {r.group for r in context.rows} == {""} and {o.group for o in context.organisations} == {""}


def test_each_unit_and_organisation_names_its_group(grouped):
    context, _ = grouped
    assert context.group_header == "Thành phố, tỉnh"
    assert [(r.code, r.group) for r in context.rows] == [
        ("HB", "Thành phố Hải Phòng"), ("NQ", "Thành phố Hải Phòng"), ("LC", "Thành phố Hải Phòng"),
        ("TN", "Tỉnh Quảng Ninh"), ("AD", "Tỉnh Quảng Ninh"), ("AL", "Tỉnh Quảng Ninh")]
    assert context.total.group == ""
    by_unit = {r.code: r.group for r in context.rows}
    assert context.organisations and all(o.group == by_unit[o.unit_code] for o in context.organisations)


def test_group_rows_are_typed_and_sum_to_the_total(grouped):
    context, _totals = grouped
    assert context.group_sheet == "TheoThanhPhoTinh"
    assert context.group_title == "KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT 28-NQ/TU NĂM 2016 THEO THÀNH PHỐ, TỈNH"
    *groups, total = context.groups
    assert [(g.number, g.name, g.code, g.counted, g.units) for g in groups] == [
        (1, "Thành phố Hải Phòng", "P01", 3, 3), (2, "Tỉnh Quảng Ninh", "P02", 3, 3)]
    assert total.total and total.name == "Tổng cộng" and (total.counted, total.units) == (6, 6)
    assert total.planned == context.total.planned and total.previous == context.total.previous
    for k in range(len(context.planned)):
        assert total.planned[k].plan == sum(g.planned[k].plan for g in groups)
        assert total.planned[k].actual == sum(g.planned[k].actual for g in groups)
        assert all(isinstance(g.planned[k].actual, int) and isinstance(g.planned[k].percent, Decimal) for g in groups)
    for k in range(len(context.people)):
        assert total.people[k] == sum(g.people[k] for g in groups)


# --- next year's targets -----------------------------------------------------------------------


def test_next_years_targets_are_typed_per_unit_of_next_year_in_config_order(context, sample):
    settings = sample[0]
    sheet = context.targets
    assert sheet.title == "CHỈ TIÊU NĂM 2017 GIAO CÁC ĐƠN VỊ" and sheet.note == ""
    *units, total = sheet.rows
    assert [r.code for r in units] == [u.code for u in settings.units_in(2017)]
    assert (units[0].number, units[0].name, units[0].targets, units[0].note) == (1, "Quận Hồng Bàng", (3, 5, 2), "")
    assert total.total and total.name == "Tổng cộng" and total.targets == (38, 62, 20)


def test_a_unit_gone_next_year_gets_no_target_row(sample, totals):
    settings = sample[0]
    units = tuple(u.model_copy(update={"valid_until": 2016}) if u.code == "BLV" else u for u in settings.units)
    targets = {**settings.targets, 2017: {c: t for c, t in settings.targets[2017].items() if c != "BLV"}}
    context = summary_context(totals, {}, settings.model_copy(update={"units": units, "targets": targets}))
    codes = [r.code for r in context.targets.rows if not r.total]
    assert "BLV" not in codes and len(codes) == 14 and context.targets.note == ""


def test_targets_pending_leave_no_rows_only_the_sentence(sample, totals):
    settings = sample[0]
    pending = settings.model_copy(update={"targets": {y: t for y, t in settings.targets.items() if y != 2017}})
    sheet = summary_context(totals, {}, pending).targets
    assert sheet.rows == () and sheet.note == "Chỉ tiêu năm 2017 sẽ được giao sau."
