"""The year's assessment against the figures it speaks of (issue 16, "stale text is caught")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.core.steps.aggregate import Result
from pipeline.core.steps.claims import Claim, claims, contradiction
from pipeline.settings import load_settings
from tests.factories import CONFIG

SETTINGS = load_settings(CONFIG)
INDICATORS = SETTINGS.indicators
BY_CODE = {i.code: i for i in INDICATORS}


def said(text: str, year: int = 2017) -> list[tuple[tuple[str, ...], str]]:
    return [(c.codes, c.kind) for c in claims(text, "assessment.strengths.0", INDICATORS, year)]


def test_the_sample_sentences_are_read_as_the_seed_article_means_them():
    paragraph = SETTINGS.documents[2016].assessment.strengths[0]
    assert list(claims(paragraph, "k", INDICATORS, 2016)) == [
        Claim("k", ("CD", "DTN"), "over", "tổ chức Công đoàn, Đoàn thanh niên được thành lập vượt"),
        Claim("k", ("TCD",), "under", "tổ chức Đảng tuy chưa hoàn thành"),
        Claim("k", ("TCD",), "up", "tổ chức Đảng tuy chưa hoàn thành chỉ tiêu nhưng vẫn tăng"),
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("Số tổ chức Đảng giảm so với năm 2016.", [(("TCD",), "down")]),
    ("So với năm trước, số cơ sở Đảng tăng.", [(("TCD",), "up")]),
    ("Số tổ chức Công đoàn vượt kế hoạch nhưng số tổ chức Đảng chưa đạt chỉ tiêu.",
     [(("CD",), "over"), (("TCD",), "under")]),
    ("Các tổ chức Đảng hoàn thành kế hoạch.", [(("TCD",), "met")]),
    # No comparison named: "tăng" alone is not a claim about last year.
    ("Số tổ chức Đảng tăng mạnh.", []),
    # "tăng cường" is not "tăng"; "không tăng" cannot be read either way.
    ("Tăng cường tổ chức Đảng so với năm trước.", []),
    ("Số tổ chức Đảng không tăng so với năm trước.", []),
    # The future, and a claim before any indicator is named, are left alone.
    ("Phấn đấu năm tới số tổ chức Đảng vượt kế hoạch.", []),
    ("Vượt kế hoạch là tổ chức Công đoàn.", []),
    # The longest name wins: "đoàn viên công đoàn" is not the union organisations.
    ("Số đoàn viên công đoàn tăng so với năm trước.", [(("DVCD",), "up")]),
    # Last year named by its number only when it is last year.
    ("Số tổ chức Đảng tăng so với năm 2015.", []),
])
def test_claims_are_bound_to_the_indicator_named_before_them(text, expected):
    assert said(text) == expected


def test_a_claim_the_figures_bear_out_is_not_a_contradiction():
    party = BY_CODE["TCD"]
    assert contradiction("up", party, Result(40, 26, Decimal(65), 24), 2016) == ""
    assert contradiction("under", party, Result(40, 26, Decimal(65), 24), 2016) == ""
    assert contradiction("over", party, Result(40, 26, Decimal(65), 24), 2016) == (
        "tổ chức Đảng: 26 tổ chức, kế hoạch 40 (65%)")
    assert contradiction("up", party, Result(40, 23, Decimal(57), 24), 2017) == (
        "tổ chức Đảng: 23 tổ chức, giảm 1 tổ chức so với năm 2016 (24)")
    # Nothing to compare with: not checked.
    assert contradiction("up", party, Result(40, 23, Decimal(57), None), 2017) == ""
    assert contradiction("over", BY_CODE["DV"], Result(None, 5, None, 4), 2017) == ""


def test_the_sample_assessment_agrees_with_the_sample_figures(tmp_path):
    from pipeline import plan as planning
    from tests import factories
    made = planning.plan(planning.Options(None, factories.SAMPLE_INPUT, CONFIG, tmp_path, jobs=1), documents=True)
    assert not [i for i in made.validation.report.issues if i.rule == "assessment-contradicts-data"]
