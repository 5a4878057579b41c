"""Submissions → per-unit and city-wide results (pipeline.core.steps.aggregate).

Property tests build small Submission objects in memory (no workbook I/O) and
run them through validate_year and aggregate, so the figures are counted only
when the rules say the unit is valid.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from stdnum.vn import mst

from pipeline.core.steps.aggregate import Result, actuals, aggregate
from pipeline.core.steps.submission import Figure, Organisation, Submission
from pipeline.core.steps.validate import validate_year
from pipeline.settings import Numbers
from tests import factories

YEAR = 2016
ALL_UNITS = ["HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV"]
PLANNED = ("TCD", "CD", "DTN")
ORG_TYPE = {"TCD": "Tổ chức đảng", "CD": "Công đoàn", "DTN": "Đoàn thanh niên"}
ORG_COLUMNS = ("stt", "enterprise", "tax_code", "legal_form", "org_type", "decision_no", "decision_date", "members")
SUMMARY_COLUMNS = ("stt", "code", "name", "measure", "plan", "actual", "note")


def _tax_codes(count: int) -> list[str]:
    codes, n = [], 1
    while len(codes) < count:
        body = f"03{n:07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            codes.append(body + check)
        n += 1
    return codes


TAX_CODES = _tax_codes(3000)  # distinct valid codes, so no two units claim one enterprise by accident


@functools.lru_cache(maxsize=1)
def _sample_settings():
    return factories.settings()


def submission(
    code: str,
    counts: dict[str, int],
    *,
    file: str | None = None,
    listed: dict[str, int] | None = None,
    slot: int | None = None,
    cfg=None,
) -> Submission:
    """A parsed workbook for `code`: figures from `counts`, plans as configured, and a
    Biểu số 02 listing `listed` organisations per planned indicator (default: as counted)."""
    cfg = cfg or _sample_settings()
    plans = cfg.targets.get(YEAR, {}).get(code, {})
    listed = counts if listed is None else listed
    figures = tuple(
        Figure(ind.code, plans.get(ind.code), counts.get(ind.code, 0), row,
               {k: f"{'ABCDEFG'[i]}{row}" for i, k in enumerate(SUMMARY_COLUMNS)})
        for row, ind in enumerate(cfg.indicators, start=4)
    )
    base = (ALL_UNITS.index(code) if slot is None else slot) * 100
    orgs, row = [], 4
    for ind in PLANNED:
        for k in range(listed.get(ind, 0)):
            orgs.append(Organisation(
                row=row,
                enterprise=f"Công ty cổ phần {code} {ind} {k}",
                tax_code=TAX_CODES[base + row],
                legal_form="Công ty cổ phần",
                org_type=ORG_TYPE[ind],
                decision_no=f"{row}-QĐ/QU",
                decision_date=dt.date(YEAR, 6, 1),
                members=10,
                cells={key: f"{'ABCDEFGH'[i]}{row}" for i, key in enumerate(ORG_COLUMNS)},
            ))
            row += 1
    return Submission(
        file=file or f"{YEAR}/{code}.xlsx",
        sha256=f"{sum(map(ord, file or code)):064x}",
        unit_code=code,
        unit_name=f"Đảng bộ {code}",
        year=YEAR,
        prepared_on=dt.date(YEAR, 12, 10),
        preparer="Nguyễn Văn A",
        phone="",
        figures=figures,
        organisations=tuple(orgs),
        issues=(),
        cells={"unit_code": ("ThongTin", "B4")},
    )


def counts(tcd: int = 0, cd: int = 0, dtn: int = 0, dv: int = 0, dvcd: int = 0, dvtn: int = 0) -> dict[str, int]:
    return {"TCD": tcd, "DV": dv, "CD": cd, "DVCD": dvcd, "DTN": dtn, "DVTN": dvtn}


def run(subs, cfg, previous=None):
    validation = validate_year(YEAR, subs, [], cfg)
    return validation, aggregate(validation, previous or {}, "test", cfg)


def unit(totals, code):
    return next(u for u in totals.units if u.unit.code == code)


def with_numbers(cfg, **numbers):
    general = cfg.general.model_copy(update={"numbers": Numbers(**numbers)})
    return cfg.model_copy(update={"general": general})


# --- the shipped sample: the worked example ---------------------------------------------


@pytest.fixture(scope="module")
def sample_totals():
    from pipeline.core.steps.parse import parse_workbook
    from pipeline.io.excel import discover, read_workbook

    cfg = factories.settings()
    folder = factories.SAMPLE_INPUT
    subs = [parse_workbook(read_workbook(p, p.relative_to(folder).as_posix())) for p in discover(folder)]
    validation = validate_year(YEAR, subs, [], cfg)
    assert validation.report.errors == ()
    return aggregate(validation, cfg.history[YEAR - 1], "config/history.yaml", cfg)


def test_sample_reproduces_the_2016_report(sample_totals):
    t = sample_totals.totals
    assert (t["TCD"].actual, t["TCD"].plan, t["TCD"].percent, t["TCD"].previous) == (26, 40, Decimal("65"), 24)
    assert (t["CD"].actual, t["CD"].plan, t["CD"].percent) == (170, 77, Decimal("220"))
    assert (t["DTN"].actual, t["DTN"].plan, t["DTN"].percent) == (33, 25, Decimal("132"))
    assert t["DV"].plan is None and t["DV"].percent is None


def test_sample_totals_equal_the_sum_of_the_units(sample_totals):
    for code, total in sample_totals.totals.items():
        assert total.actual == sum(u.results[code].actual for u in sample_totals.units)
        if total.plan is not None:
            assert total.plan == sum(u.results[code].plan for u in sample_totals.units)
        previous = [u.results[code].previous for u in sample_totals.units if u.results[code].previous is not None]
        assert total.previous == (sum(previous) if previous else None)


def test_sample_blank_units_are_those_with_no_party_organisation(sample_totals):
    assert [u.code for u in sample_totals.blank_units] == ["DS", "CH", "BLV"]


def test_sample_sources_are_every_file_with_its_hash(sample_totals):
    assert [f for f, _ in sample_totals.sources] == sorted(f"{YEAR}/{c}.xlsx" for c in ALL_UNITS)
    assert all(len(sha) == 64 for _, sha in sample_totals.sources)


# --- totals, invalid units, previous year -------------------------------------------------


def test_totals_sum_the_valid_units(settings):
    subs = [
        submission("HB", counts(2, 3, 1, dv=7, dvcd=120, dvtn=30)),
        submission("NQ", counts(4, 7, 2, dv=5, dvcd=80, dvtn=10)),
    ]
    _, t = run(subs, settings)

    assert t.totals["TCD"] == Result(plan=3 + 4, actual=6, percent=Decimal("85"), previous=None)  # 6/7 = 85.7 → 85
    assert t.totals["CD"] == Result(plan=13, actual=10, percent=Decimal("76"), previous=None)
    assert t.totals["DTN"] == Result(plan=4, actual=3, percent=Decimal("75"), previous=None)
    assert t.totals["DV"] == Result(plan=None, actual=12, percent=None, previous=None)
    assert t.totals["DVCD"].actual == 200
    assert t.totals["DVTN"].actual == 40
    hb = unit(t, "HB")
    assert hb.status == "valid" and hb.file == "2016/HB.xlsx"
    assert hb.results["TCD"] == Result(plan=3, actual=2, percent=Decimal("66"), previous=None)
    assert hb.results["DV"] == Result(plan=None, actual=7, percent=None, previous=None)


def test_invalid_units_are_left_out_of_the_totals(settings):
    subs = [
        submission("HB", counts(2, 3, 1, dv=7)),
        submission("NQ", counts(4, 7, 2, dv=5), listed=counts(3, 7, 2)),  # list names 3 Party orgs, not 4
    ]
    v, t = run(subs, settings)

    assert v.status["NQ"] == "invalid"
    assert {(i.file, i.rule) for i in v.report.errors} == {("2016/NQ.xlsx", "list-count-mismatch")}
    assert (t.totals["TCD"].actual, t.totals["TCD"].plan) == (2, 3)
    assert t.totals["DV"].actual == 7
    nq = unit(t, "NQ")
    assert nq.status == "invalid" and nq.file == "2016/NQ.xlsx"
    assert all(r.actual is None and r.percent is None for r in nq.results.values())
    assert nq.results["TCD"].plan == 4  # the plan is still shown
    assert nq.ranks == {}


def test_missing_units_are_listed_with_their_plan_and_no_figures(settings):
    _, t = run([submission("HB", counts(2, 3, 1))], settings)

    assert [u.unit.code for u in t.units] == ALL_UNITS
    assert [u.unit.code for u in t.by_status("missing")] == ALL_UNITS[1:]
    blv = unit(t, "BLV")
    assert blv.file == "" and blv.results["CD"] == Result(plan=1, actual=None, percent=None, previous=None)


def test_previous_year_per_unit_and_in_total(settings):
    previous = {"HB": {"TCD": 2, "CD": 12}, "NQ": {"TCD": 3, "CD": 15, "DTN": 3}}
    _, t = run([submission("HB", counts(2, 3, 1)), submission("NQ", counts(4, 7, 2))], settings, previous)

    assert unit(t, "HB").results["TCD"].previous == 2
    assert unit(t, "HB").results["DTN"].previous is None
    assert unit(t, "NQ").results["DTN"].previous == 3
    assert t.totals["TCD"].previous == 5
    assert t.totals["CD"].previous == 27
    assert t.totals["DTN"].previous == 3
    assert t.totals["DV"].previous is None
    assert t.previous_source == "test"


def test_aggregate_does_not_mutate_its_inputs(settings):
    subs = [submission("HB", counts(2, 3, 1)), submission("NQ", counts(0, 1, 0))]
    validation = validate_year(YEAR, subs, [], settings)
    previous = {"HB": {"TCD": 2}}
    before = (copy.deepcopy(validation.status), copy.deepcopy(previous), dict(validation.submissions))

    first = aggregate(validation, previous, "x", settings)
    second = aggregate(validation, previous, "x", settings)

    assert (validation.status, previous, validation.submissions) == before
    assert first == second


# --- ranks ---------------------------------------------------------------------------------


def test_competition_ranks_by_percent_then_count(settings):
    # 2016 Party organisation plans: HB 3, NQ 4, LC 4, HA 4, KA 2, DS 1
    subs = [
        submission("HB", counts(tcd=3)),  # 100%, 3
        submission("NQ", counts(tcd=4)),  # 100%, 4
        submission("HA", counts(tcd=4)),  # 100%, 4 (tie with NQ)
        submission("LC", counts(tcd=6)),  # 150%
        submission("KA", counts(tcd=1)),  # 50%
        submission("DS", counts(tcd=0)),  # 0%
        submission("DK", counts(tcd=9), listed=counts(tcd=1)),  # invalid: no rank
    ]
    _, t = run(subs, settings)

    ranks = {u.unit.code: u.ranks.get("TCD") for u in t.units if u.status != "missing"}
    assert ranks == {"LC": 1, "NQ": 2, "HA": 2, "HB": 4, "KA": 5, "DS": 6, "DK": None}
    assert set(unit(t, "LC").ranks) == set(PLANNED)  # one rank per planned indicator
    assert unit(t, "TN").ranks == {}


def test_ranks_follow_the_rounded_percent(settings):
    # CD plans: HB 6, NQ 7. HB 4/6 = 66.6…%, NQ 5/7 = 71.4…%; DTN plans HB 2, NQ 2
    subs = [submission("HB", counts(cd=4, dtn=1)), submission("NQ", counts(cd=5, dtn=1))]
    _, t = run(subs, settings)
    assert (unit(t, "NQ").ranks["CD"], unit(t, "HB").ranks["CD"]) == (1, 2)
    assert (unit(t, "NQ").ranks["DTN"], unit(t, "HB").ranks["DTN"]) == (1, 1)


# --- blank units -------------------------------------------------------------------------


def test_blank_units_are_valid_units_with_no_party_organisation(settings):
    subs = [
        submission("HB", counts(tcd=0, cd=3)),
        submission("NQ", counts(tcd=1)),
        submission("BLV", counts(tcd=0)),
        submission("DS", counts(tcd=0, cd=2), listed=counts(tcd=0, cd=1)),  # invalid: not said to be blank
    ]
    v, t = run(subs, settings)

    assert v.status["DS"] == "invalid"
    assert [u.code for u in t.blank_units] == ["HB", "BLV"]  # config order, missing units not blank


# --- percent and its rounding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "decimals", "hb_tcd", "city_cd"),
    [
        ("down", 0, "66", "220"),
        ("half-up", 0, "67", "221"),
        ("half-even", 0, "67", "221"),
        ("up", 0, "67", "221"),
        ("down", 1, "66.6", "220.7"),
        ("half-up", 1, "66.7", "220.8"),
    ],
)
def test_percent_uses_the_configured_rounding(settings, mode, decimals, hb_tcd, city_cd):
    cfg = with_numbers(settings, percent_rounding=mode, percent_decimals=decimals)
    # CD plans of HB, NQ, LC, HA, KA, DS, DK, TN, AD, AL, KT, TL, VB, CH, BLV sum to 77
    cd = dict(zip(ALL_UNITS, [14, 18, 20, 16, 8, 4, 7, 22, 20, 10, 9, 9, 10, 3, 0], strict=False))
    subs = [submission(code, counts(tcd=2 if code == "HB" else 0, cd=n)) for code, n in cd.items()]

    _, t = run(subs, cfg)

    assert unit(t, "HB").results["TCD"].percent == Decimal(hb_tcd)
    assert str(unit(t, "HB").results["TCD"].percent) == hb_tcd
    assert (t.totals["CD"].actual, t.totals["CD"].plan) == (170, 77)
    assert str(t.totals["CD"].percent) == city_cd


def test_no_plan_no_percent(settings):
    _, t = run([submission("HB", counts(dv=9))], settings)
    assert unit(t, "HB").results["DV"].percent is None
    assert t.totals["DV"].percent is None


# --- properties ------------------------------------------------------------------------------

figure_values = st.fixed_dictionaries({
    "TCD": st.integers(0, 6),
    "DV": st.integers(0, 300),
    "CD": st.integers(0, 25),
    "DVCD": st.integers(0, 3000),
    "DTN": st.integers(0, 5),
    "DVTN": st.integers(0, 500),
})
unit_cases = st.fixed_dictionaries(
    {code: st.tuples(st.sampled_from(["valid", "valid", "invalid", "missing"]), figure_values) for code in ALL_UNITS}
)


def build(cases: dict, cfg) -> list[Submission]:
    subs = []
    for code, (kind, values) in cases.items():
        if kind == "missing":
            continue
        listed = dict(values, TCD=values["TCD"] + 1) if kind == "invalid" else None
        subs.append(submission(code, values, listed=listed, cfg=cfg))
    return subs


@hsettings(max_examples=100, deadline=None)
@given(unit_cases)
def test_totals_equal_the_sum_of_the_counted_units(settings, cases):
    validation, t = run(build(cases, settings), settings, settings.history[YEAR - 1])

    valid = [code for code in ALL_UNITS if cases[code][0] == "valid"]  # config order
    assert validation.counted() == valid
    assert dict(validation.status.items()) == {code: kind for code, (kind, _) in cases.items()}
    targets = settings.targets[YEAR]
    for ind in settings.indicators:
        expected = sum(cases[code][1][ind.code] for code in valid)
        assert t.totals[ind.code].actual == expected
        assert t.totals[ind.code].actual == sum(unit(t, c).results[ind.code].actual for c in valid)
        if ind.has_plan:
            plan = sum(targets[code][ind.code] for code in valid)
            assert t.totals[ind.code].plan == plan
            # the sample rounds down: an integer oracle
            assert t.totals[ind.code].percent == (Decimal(expected * 100 // plan) if plan else None)
    assert actuals(validation) == {code: cases[code][1] for code in valid}
    assert [u.code for u in t.blank_units] == [c for c in valid if cases[c][1]["TCD"] == 0]


duplicate_cases = st.fixed_dictionaries(
    {code: st.tuples(st.sampled_from(["valid", "invalid", "missing", "twice"]), figure_values)
     for code in ALL_UNITS[:6]}
)


@hsettings(max_examples=60, deadline=None)
@given(duplicate_cases, st.randoms(use_true_random=False))
def test_the_order_of_submissions_does_not_change_the_result(settings, cases, rnd):
    subs = build({c: ("valid" if k == "twice" else k, v) for c, (k, v) in cases.items()}, settings)
    for slot, (code, (kind, values)) in enumerate(cases.items(), start=20):
        if kind == "twice":  # a second, different workbook for the same unit
            subs.append(submission(code, dict(values, DV=values["DV"] + 1), file=f"{YEAR}/{code}-lan-2.xlsx",
                                   slot=slot, cfg=settings))
    shuffled = subs[:]
    rnd.shuffle(shuffled)

    v1, t1 = run(subs, settings, settings.history[YEAR - 1])
    v2, t2 = run(shuffled, settings, settings.history[YEAR - 1])

    assert t1 == t2
    assert v1.report == v2.report
    assert v1.status == v2.status
    for code, (kind, _) in cases.items():
        if kind == "twice":
            assert v1.status[code] == "invalid"
            # the first by file name stands for the unit, whatever the order
            assert v1.submissions[code].file == min(f"{YEAR}/{code}.xlsx", f"{YEAR}/{code}-lan-2.xlsx")
            assert {i.file for i in v1.report.errors if i.unit == code and i.rule == "duplicate-unit"} == {
                f"{YEAR}/{code}.xlsx", f"{YEAR}/{code}-lan-2.xlsx"}


# --- ranks against a brute-force oracle ---------------------------------------------------

rank_rows = st.lists(
    st.tuples(
        st.sampled_from(["valid", "valid", "valid", "invalid", "missing"]),
        st.one_of(st.none(), st.integers(0, 5).map(lambda n: Decimal(n * 25))),  # few values: many ties
        st.integers(0, 3),
    ),
    max_size=40,
)


@hsettings(max_examples=200, deadline=None)
@given(rank_rows)
def test_ranks_equal_the_quadratic_definition(settings, cases):
    """1 + the number of valid units scoring strictly higher (percent, then count): 1, 2, 2, 4."""
    from types import SimpleNamespace

    from pipeline.core.steps.aggregate import _ranks

    planned = settings.planned_indicators()
    rows = [
        (SimpleNamespace(code=f"U{n}"), status, "", {i.code: Result(None, actual, percent, None) for i in planned})
        for n, (status, percent, actual) in enumerate(cases)
    ]
    score = {f"U{n}": (Decimal(-1) if percent is None else percent, actual)
             for n, (status, percent, actual) in enumerate(cases) if status == "valid"}
    expected = {f"U{n}": {i.code: 1 + sum(other > score[f"U{n}"] for other in score.values()) for i in planned}
                if f"U{n}" in score else {} for n in range(len(cases))}

    assert _ranks(rows, planned) == expected
