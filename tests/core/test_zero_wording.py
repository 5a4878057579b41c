"""A zero said in words in every document: never "0 tổ chức Đảng, đạt 0% kế hoạch".

The sample's figures with one unit's (or the whole city's) results set to zero, through the phrase
builders of the report, the notice and the slip.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.header import counted_clause, result_clauses
from pipeline.core.documents.notice import notice_context, notice_input, trend_sentence
from pipeline.core.documents.report import cumulative_sentence, people_sentence, results_sentence
from pipeline.core.steps.aggregate import Result, Totals
from pipeline.core.steps.history import Point
from tests import factories

ZERO_FIGURE = re.compile(r"(?<![\d.,])0 (tổ chức|đảng viên|đoàn viên|hội viên)|\b0%")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    return settings, planning.summarise(settings, inputs, validation)


def zeroed(results: dict[str, Result], codes: set[str] | None = None) -> dict[str, Result]:
    """The same results with nothing founded (for `codes`, or all)."""
    return {c: dataclasses.replace(r, actual=0, percent=Decimal(0) if r.plan else None)
            if codes is None or c in codes else r for c, r in results.items()}


def zero_unit(totals: Totals, code: str, codes: set[str] | None = None) -> Totals:
    units = tuple(dataclasses.replace(u, results=zeroed(u.results, codes)) if u.unit.code == code else u
                  for u in totals.units)
    return dataclasses.replace(totals, units=units)


def test_result_clauses_say_a_zero_in_words(sample):
    settings, totals = sample
    planned = settings.planned_indicators()
    party = planned[0]
    some = zeroed(totals.totals, {party.code})
    text = result_clauses(some, planned, settings)
    plan = totals.totals[party.code].plan
    assert text.startswith("thành lập được ")
    assert text.endswith(f"chưa thành lập được {party.phrase} nào (kế hoạch {plan})")
    assert not ZERO_FIGURE.search(text)
    every = result_clauses(zeroed(totals.totals), planned, settings)
    assert every.startswith(f"chưa thành lập được {party.phrase} nào")
    assert "thành lập được " not in every.replace("chưa thành lập được ", "")
    assert every.count("chưa thành lập được") == len(planned)


def test_report_sentences_at_zero(sample):
    settings, totals = sample
    planned = settings.planned_indicators()
    people = tuple(i for i in settings.indicators if not i.has_plan)
    city = dataclasses.replace(totals, totals=zeroed(totals.totals))
    sentence = results_sentence(city, planned, settings)
    assert sentence.startswith("Năm 2016, toàn thành phố chưa thành lập được ")
    people_text = people_sentence(city, people)
    assert people_text.startswith("Trong năm, các đơn vị chưa kết nạp, phát triển mới ")
    for text in (sentence, people_text):
        assert not ZERO_FIGURE.search(text), text
    # Some founded, some not: the figures first, the zero in words after them.
    unchanged = people_sentence(totals, people)
    assert unchanged.startswith("Trong năm, các đơn vị đã kết nạp, phát triển mới ")


def test_cumulative_with_nothing_founded():
    assert counted_clause([(0, "tổ chức Đảng"), (3, "tổ chức Công đoàn")], "thành lập được") == (
        "đã thành lập được 3 tổ chức Công đoàn; chưa thành lập được tổ chức Đảng nào")
    assert counted_clause([(0, "đảng viên"), (None, "đoàn viên")], "kết nạp") == (
        "chưa kết nạp đảng viên nào; chưa kết nạp đoàn viên nào")


def test_cumulative_sentence_unchanged_with_figures(sample):
    settings, totals = sample
    text = cumulative_sentence(totals, settings.planned_indicators(), settings)
    assert text.startswith("Từ năm 2015 đến nay, toàn thành phố đã thành lập được ")


def test_notice_of_a_unit_with_nothing_founded(sample):
    settings, totals = sample
    code = next(u.unit.code for u in totals.by_status("valid"))
    zero = zero_unit(totals, code)
    unit = next(u for u in zero.units if u.unit.code == code)
    notice = notice_context(notice_input(unit, zero, settings), settings)
    party = settings.planned_indicators()[0]
    assert f"chưa thành lập được {party.phrase} nào (kế hoạch " in notice.results_sentence
    for text in (notice.results_sentence, notice.people_sentence):
        assert not ZERO_FIGURE.search(text), text
    assert notice.people_sentence.startswith("Đơn vị chưa kết nạp, phát triển mới ")


def test_notice_trend_with_a_zero_year(sample):
    settings, _ = sample
    planned = settings.planned_indicators()[:1]
    points = {planned[0].code: (Point(2015, 3, 0, Decimal(0)), Point(2016, 3, 2, Decimal("66.7")))}
    text = trend_sentence(points, planned)
    assert f"năm 2015: không thành lập được {planned[0].phrase} nào (kế hoạch 3)" in text
    assert not ZERO_FIGURE.search(text)


def test_notice_target_of_zero_is_no_target(sample):
    settings, totals = sample
    planned = settings.planned_indicators()
    unit = totals.by_status("valid")[0]
    code = unit.unit.code
    targets = {**settings.targets[2017], code: {**settings.targets[2017][code], planned[0].code: 0}}
    settings = settings.model_copy(update={"targets": {**settings.targets, 2017: targets}})
    text = notice_context(notice_input(unit, totals, settings), settings).targets_sentence
    assert f"không giao chỉ tiêu thành lập {planned[0].phrase}" in text
    assert not ZERO_FIGURE.search(text)


def test_slip_says_no_zero_count(tmp_path):
    """A workbook with errors and no warnings: "Biểu mẫu có 1 lỗi; …", not "1 lỗi và 0 cảnh báo"."""
    from pipeline.core.documents.slip import slip_contexts

    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["DanhSach"]["C4"] = "0100233480"  # wrong check digit
    factories.save(book, input_dir / "2016" / "HB.xlsx")
    settings, _, validation = planning.check(flow.Options(2016, input_dir, factories.CONFIG, tmp_path / "out"))
    issues = [i for i in validation.report.issues if i.unit == "HB"]
    assert issues and all(i.is_error for i in issues)
    verdict = slip_contexts(validation, settings)["HB"].verdict
    assert verdict.startswith(f"Biểu mẫu có {len(issues)} lỗi; số liệu của đơn vị CHƯA được tính")
    assert "0 cảnh báo" not in verdict
