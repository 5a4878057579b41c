"""Groups of units (provinces) and the report's unit tables past the limit (pipeline.core.documents.appendix).

The grouped config is the sample cut to six units in two groups, with
`max_unit_rows_in_pdf: 3` (tests/factories.grouped_config).
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline import flow
from pipeline import plan as planning
from pipeline.core import vi
from pipeline.core.documents.appendix import group_words
from pipeline.core.documents.report import names_in_text, report_context
from pipeline.core.steps.aggregate import GroupResult, aggregate
from pipeline.settings import Group, ReportLayout
from tests import factories

PLANNED = ("TCD", "CD", "DTN")


def run(root, **config):
    options = flow.Options(2016, factories.grouped_input(root / "input"),
                           factories.grouped_config(root / "config", **config), root / "out")
    settings, inputs, validation = planning.check(options)
    return settings, inputs, validation, planning.summarise(settings, inputs, validation)


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    return run(tmp_path_factory.mktemp("grouped"))


def organisations(validation):
    return {c: s.organisations for c, s in validation.submissions.items()}


def with_limit(settings, limit: int):
    general = settings.general.model_copy(update={"report": ReportLayout(max_unit_rows_in_pdf=limit)})
    return settings.model_copy(update={"general": general})


# --- the figures ------------------------------------------------------------------------


def test_group_results_sum_to_the_totals(grouped):
    settings, _, _validation, totals = grouped
    assert [(g.group.code, g.counted, g.total) for g in totals.groups] == [("P01", 3, 3), ("P02", 3, 3)]
    for ind in settings.indicators:
        total = totals.totals[ind.code]
        assert total.actual == sum(g.results[ind.code].actual for g in totals.groups)
        previous = [g.results[ind.code].previous for g in totals.groups if g.results[ind.code].previous is not None]
        assert total.previous == (sum(previous) if previous else None)
        if ind.has_plan:
            assert total.plan == sum(g.results[ind.code].plan for g in totals.groups)


def test_a_group_is_computed_like_the_city_total(grouped):
    settings, _, _, totals = grouped
    p01 = totals.groups[0]
    members = [u for u in totals.units if u.unit.parent == "P01"]
    numbers = settings.general.numbers
    for code in PLANNED:
        plan = sum(u.results[code].plan for u in members)
        actual = sum(u.results[code].actual for u in members)
        assert (p01.results[code].plan, p01.results[code].actual) == (plan, actual)
        assert p01.results[code].percent == vi.percent_of(actual, plan, numbers.percent_rounding,
                                                            numbers.percent_decimals)
        assert p01.results[code].previous == sum(settings.history[2015][u.unit.code][code] for u in members)


def test_a_group_counts_only_its_valid_units(grouped):
    settings, inputs, validation, _totals = grouped
    status = {**validation.status, "HB": "invalid", "NQ": "missing"}
    changed = dataclasses.replace(validation, status=status,
                                  submissions={c: s for c, s in validation.submissions.items() if c != "NQ"})
    after = planning.summarise(settings, inputs, changed)
    p01 = after.groups[0]
    assert (p01.counted, p01.total) == (1, 3)
    lc = next(u for u in after.units if u.unit.code == "LC")
    assert all(p01.results[code] == lc.results[code] for code in PLANNED)
    rows = report_context(after, organisations(changed), settings).result_rows
    assert rows[0].note == "tổng hợp 1/3 đơn vị" and rows[1].note == ""


@hsettings(max_examples=40, deadline=None)
@given(st.fixed_dictionaries({code: st.sampled_from(["valid", "invalid", "missing"])
                              for code in factories.GROUPED_UNITS}))
def test_group_rows_sum_to_the_total_whatever_the_statuses(grouped, statuses):
    settings, inputs, validation, _ = grouped
    changed = dataclasses.replace(validation, status=statuses, submissions={
        c: s for c, s in validation.submissions.items() if statuses[c] != "missing"})
    totals = planning.summarise(settings, inputs, changed)
    assert sum(g.counted for g in totals.groups) == list(statuses.values()).count("valid")
    assert sum(g.total for g in totals.groups) == len(statuses)
    for ind in settings.indicators:
        assert totals.totals[ind.code].actual == sum(g.results[ind.code].actual for g in totals.groups)
        if ind.has_plan:
            assert totals.totals[ind.code].plan == sum(g.results[ind.code].plan for g in totals.groups)


def test_no_groups_no_group_results(tmp_path):
    settings, _, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path))
    assert aggregate(validation, {}, "x", settings).groups == ()


# --- the report past the limit ----------------------------------------------------------


def test_past_the_limit_the_tables_and_the_chart_are_per_group(grouped):
    settings, _, validation, totals = grouped
    report = report_context(totals, organisations(validation), settings)
    names = ["Thành phố Hải Phòng", "Tỉnh Quảng Ninh", "Tổng cộng"]
    for rows in (report.result_rows, report.people_rows, report.target_rows):
        assert [r.name for r in rows] == names
        assert [r.number for r in rows] == ["1", "2", ""] and rows[-1].total
    p01 = totals.groups[0].results
    assert report.result_rows[0].cells[:3] == (vi.number(p01["TCD"].plan), vi.number(p01["TCD"].actual),
                                               vi.percent(p01["TCD"].percent))
    assert report.result_rows[-1].cells == report_context(totals, organisations(validation),
                                                          with_limit(settings, 200)).result_rows[-1].cells
    targets = settings.targets[2017]
    assert report.target_rows[0].cells == tuple(vi.number(sum(targets[c][i] for c in ("HB", "NQ", "LC")))
                                                for i in PLANNED)
    assert report.chart.units == ("Hải Phòng", "Quảng Ninh")
    assert report.chart.series[0].percents == (float(p01["TCD"].percent), float(totals.groups[1].results["TCD"].percent))


def test_past_the_limit_the_report_says_where_each_unit_is(grouped):
    settings, _, validation, totals = grouped
    report = report_context(totals, organisations(validation), settings)
    assert report.appendix_titles == ("KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2016 THEO THÀNH PHỐ, TỈNH",
                                      "CHỈ TIÊU GIAO NĂM 2017 THEO THÀNH PHỐ, TỈNH")
    assert report.results_reference == (
        "Kết quả theo thành phố, tỉnh tại Phụ lục 1 và Biểu đồ 1; kết quả của từng đơn vị tại biểu tổng "
        "hợp kèm theo (tệp tong-hop-2016.xlsx); danh sách tổ chức thành lập mới tại Phụ lục 3.")
    assert report.unit_list_note == ("Kết quả của từng đơn vị (6 đơn vị) được lập thành biểu tổng hợp kèm theo "
                                     "(tệp tong-hop-2016.xlsx, trang «TongHop»), không in kèm báo cáo này.")
    assert "thông báo gửi đơn vị" in report.targets_reference and "thông báo gửi đơn vị" in report.target_list_note


def test_below_the_limit_the_tables_are_per_unit(grouped):
    settings, _, validation, totals = grouped
    report = report_context(totals, organisations(validation), with_limit(settings, 6))
    assert [r.name for r in report.result_rows] == [vi.sentence_case(u.unit.full_name) for u in totals.units] + ["Tổng cộng"]
    assert report.appendix_titles == ("KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2016 CỦA CÁC ĐƠN VỊ",
                                      "CHỈ TIÊU GIAO CÁC ĐƠN VỊ NĂM 2017")
    assert report.unit_list_note == report.target_list_note == ""
    assert report.results_reference.startswith("Kết quả của từng đơn vị tại Phụ lục 1")
    assert report.chart.units == tuple(u.unit.name for u in totals.units)


def test_without_groups_past_the_limit_only_the_totals_are_printed(tmp_path):
    settings, inputs, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path))
    totals = planning.summarise(settings, inputs, validation)
    full = report_context(totals, organisations(validation), settings)
    report = report_context(totals, organisations(validation), with_limit(settings, 14))
    for rows, every in ((report.result_rows, full.result_rows), (report.people_rows, full.people_rows),
                        (report.target_rows, full.target_rows)):
        assert rows == every[-1:]
    assert report.appendix_titles == ("KẾT QUẢ THỰC HIỆN CHỈ TIÊU NĂM 2016", "CHỈ TIÊU GIAO NĂM 2017")
    assert report.results_reference.startswith("Kết quả chung tại Phụ lục 1")
    assert "(15 đơn vị)" in report.unit_list_note and "tong-hop-2016.xlsx" in report.unit_list_note
    assert report.chart.units == ("Toàn thành phố",)
    assert report.chart.series[0].percents == (65.0,)


def test_the_group_words_come_from_the_config_most_frequent_first():
    def result(level: str, n: int) -> GroupResult:
        return GroupResult(Group(code=f"P{n}", name=f"Tên {n}", level=level), 1, 1, {})

    assert group_words((result("thành phố", 1), result("tỉnh", 2), result("tỉnh", 3))) == "tỉnh, thành phố"
    assert group_words((result("tỉnh", 1),)) == "tỉnh"


# --- long lists of names --------------------------------------------------------------------


def test_long_name_lists_end_with_how_many_more():
    names = [f"xã {n}" for n in range(1, 3322)]
    assert names_in_text(names[:3]) == "xã 1, xã 2 và xã 3"
    assert names_in_text(names[:11]).endswith("xã 10 và xã 11")  # one more name is shorter than "1 đơn vị khác"
    assert names_in_text(names) == ", ".join(names[:10]) + " và 3.311 đơn vị khác"


def test_the_completeness_sentence_reads_well_with_many_units_missing(tmp_path):
    settings, inputs, validation = planning.check(flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path))
    status = dict.fromkeys(validation.status, "missing") | {"HB": "valid"}
    changed = dataclasses.replace(validation, status=status, submissions={"HB": validation.submissions["HB"]})
    sentence = report_context(planning.summarise(settings, inputs, changed), {}, settings).completeness_sentence
    assert sentence.startswith("Số liệu tổng hợp từ biểu mẫu của 1/15 đơn vị; chưa nộp: quận Ngô Quyền, ")
    assert sentence.endswith(" và 4 đơn vị khác.")


# --- the chart stays readable ---------------------------------------------------------


def with_chart_limit(settings, limit: int, groups: bool = True):
    general = settings.general.model_copy(update={"report": ReportLayout(max_units_in_chart=limit)})
    return settings.model_copy(update={"general": general, **({} if groups else {"groups": ()})})


def test_past_the_chart_limit_the_chart_shows_groups_and_the_text_says_so(grouped):
    settings, _, validation, totals = grouped
    settings = with_chart_limit(settings, 5)
    context = report_context(totals, organisations(validation), settings)
    assert len(context.result_rows) == 7, "the tables still list every unit (6 and the total)"
    assert context.chart.units == tuple(g.group.name for g in totals.groups)
    assert "Biểu đồ 1 so sánh tỉ lệ thực hiện kế hoạch theo" in context.results_reference


def test_without_groups_the_chart_shows_the_whole(grouped):
    settings, _, validation, _ = grouped
    settings = with_chart_limit(settings, 5, groups=False)
    totals = aggregate(validation, {}, "", settings)
    context = report_context(totals, organisations(validation), settings)
    assert context.chart.units == (vi.sentence_case(settings.general.organisation.scope),)
    assert f"so sánh tỉ lệ thực hiện kế hoạch của {settings.general.organisation.scope}" in context.results_reference


def test_within_the_chart_limit_a_bar_group_per_counted_unit(grouped):
    settings, _, validation, totals = grouped
    context = report_context(totals, organisations(validation), with_chart_limit(settings, 6))
    assert len(context.chart.units) == 6 and "và Biểu đồ 1" in context.results_reference
