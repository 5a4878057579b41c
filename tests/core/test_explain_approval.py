"""The pure steps of acceptance and explanations: which warnings an entry explains, which workbooks stand."""

from __future__ import annotations

from pipeline.core.steps.approval import Approval, keep_approved, needs_copy
from pipeline.core.steps.explain import explain
from pipeline.core.steps.ledger import YearInputs
from pipeline.issues import ValidationReport, error, warning
from pipeline.settings.explanations import Explanation
from tests import factories

LATE = warning("2016/HB.xlsx", "late-submission", "Nộp muộn", unit="HB", sheet="ThongTin", cell="B6")
PLAN = warning("2016/HB.xlsx", "plan-differs", "Kế hoạch khác", unit="HB", sheet="TongHop", cell="D5")
WRONG = error("2016/KA.xlsx", "list-count-mismatch", "Không khớp", unit="KA", sheet="TongHop", cell="F4")
REPORT = ValidationReport.of(2016, [LATE, PLAN, WRONG])


def entry(**kw) -> Explanation:
    return Explanation(**{"unit": "HB", "rule": "late-submission", "reason": "Có lý do", **kw})


def test_an_entry_explains_only_the_warnings_it_names():
    done = explain(REPORT, (entry(cell="b6", sheet="ThongTin"),), "config/giai-trinh.yaml")
    assert [i.rule for i in done.explained] == ["late-submission"] and done.explained[0].explained == "Có lý do"
    assert PLAN in done.warnings and LATE not in done.warnings and len(done.issues) == 3


def test_a_cell_or_sheet_or_year_that_differs_matches_nothing_and_says_so():
    for other in (entry(cell="B7"), entry(sheet="TongHop"), entry(year=2015)):
        done = explain(REPORT, (other,), "config/giai-trinh.yaml")
        assert not done.explained
    stale = explain(REPORT, (entry(cell="B7"),), "config/giai-trinh.yaml").warnings[-1]
    assert stale.rule == "explanation-unmatched" and stale.file == "config/giai-trinh.yaml" and stale.unit == ""
    assert not [i for i in explain(REPORT, (entry(year=2015),), "x").issues if i.rule == "explanation-unmatched"]


def test_an_error_is_not_explained_and_the_entry_is_warned_of():
    done = explain(REPORT, (entry(unit="KA", rule="list-count-mismatch"),), "config/giai-trinh.yaml")
    assert done.errors == (WRONG,) and not done.explained
    assert [i.rule for i in done.warnings if not i.unit] == ["explanation-on-error"]


def test_no_entries_leave_the_report_as_it_is():
    assert explain(REPORT, (), "x") is REPORT


def test_a_different_workbook_of_an_approved_unit_is_set_aside_and_the_copy_stands():
    hb = factories.parse_file(factories.SAMPLE_INPUT / "2016" / "HB.xlsx", "2016/HB.xlsx")
    other = factories.parse_file(factories.SAMPLE_INPUT / "2016" / "KA.xlsx", "2016/KA.xlsx")
    approval = Approval("HB", 2016, "2016/HB-cu.xlsx", "0" * 64, "HB-0000.xlsx", "2016-12-20T09:30:00+07:00")
    selection = YearInputs(2016, (hb, other), (), (), {}, {})
    assert needs_copy(selection, approval)
    copy = factories.parse_file(factories.SAMPLE_INPUT / "2016" / "HB.xlsx", "2016/HB-cu.xlsx (bản đã duyệt)")
    kept = keep_approved(selection, {"HB": approval}, {"HB": copy})
    assert [s.file for s in kept.submissions] == ["2016/KA.xlsx", "2016/HB-cu.xlsx (bản đã duyệt)"]
    assert "duyệt lúc 09:30 ngày 20/12/2016" in kept.set_aside["2016/HB.xlsx"]
    assert [i.rule for i in kept.issues] == ["changed-after-approval"]
    same = Approval("HB", 2016, "2016/HB.xlsx", hb.sha256, "HB-x.xlsx", "2016-12-20T09:30:00+07:00")
    assert not needs_copy(selection, same) and keep_approved(selection, {"HB": same}, {}) == selection
