"""One organisation row type: as read, as listed in the summary workbook, as printed in the report."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pipeline.core.documents import report, summary
from pipeline.core.steps import parse
from pipeline.core.steps.submission import Organisation


def _org(**changes: object) -> Organisation:
    org = Organisation(row=4, enterprise="Công ty A", tax_code="0100233488", legal_form="Công ty TNHH",
                       org_type="Công đoàn", decision_no="12/QĐ", decision_date=dt.date(2016, 12, 29),
                       members=1234, cells={"enterprise": "B4"})
    return dataclasses.replace(org, **changes)


def test_the_documents_use_the_type_the_parser_makes():
    assert not hasattr(summary, "OrganisationRow") and not hasattr(report, "OrgRow")
    assert summary.SummaryContext.__annotations__["organisations"].startswith("tuple[Organisation")
    assert parse.Organisation is Organisation


def test_listed_places_a_row_and_keeps_what_was_read():
    listed = _org().listed(7, "Quận Hồng Bàng", "HB", "Thành phố")
    assert (listed.number, listed.unit, listed.unit_code, listed.group) == (7, "Quận Hồng Bàng", "HB", "Thành phố")
    assert (listed.decision_date, listed.members, listed.cells) == (dt.date(2016, 12, 29), 1234, {"enterprise": "B4"})
    assert (_org().number, _org().unit) == (0, "")


def test_listed_keeps_every_field_it_does_not_set():
    """`listed` names each field (faster than dataclasses.replace): a field added later must be carried too."""
    org = _org(cells={"enterprise": "B9", "members": "H9"}, row=9)
    listed = org.listed(2, "Quận Lê Chân", "LC", "Nhóm 1")
    expected = dataclasses.replace(org, number=2, unit="Quận Lê Chân", unit_code="LC", group="Nhóm 1")
    assert [getattr(listed, f.name) for f in dataclasses.fields(Organisation)] == \
        [getattr(expected, f.name) for f in dataclasses.fields(Organisation)]
    assert listed.cells is org.cells


def test_printed_writes_dates_and_counts_the_vietnamese_way():
    assert _org().listed(3, "Quận Hồng Bàng", "HB").printed() == {
        "number": "3", "enterprise": "Công ty A", "tax_code": "0100233488", "legal_form": "Công ty TNHH",
        "org_type": "Công đoàn", "decision_no": "12/QĐ", "decision_date": "29/12/2016", "members": "1.234"}
    blank = _org(decision_date=None, members=None).printed()
    assert (blank["decision_date"], blank["members"]) == ("", "-")
