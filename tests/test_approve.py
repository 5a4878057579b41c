"""Acceptance (make approve): the approved workbook stays in force until the office approves another."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import approve as approving
from pipeline import plan as planning
from pipeline.core.catalogue import LEDGER_DATA
from pipeline.errors import PipelineError
from pipeline.io import approvals
from pipeline.issue_types import CHANGED_AFTER_APPROVAL
from tests import factories

WHEN = dt.datetime(2016, 12, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture()
def office(tmp_path) -> dict[str, Path]:
    """Two units, their workbooks in input/2016, an empty state folder."""
    config = factories.small_config(tmp_path / "config", ("HB", "KA"))
    inbox = tmp_path / "input" / "2016"
    inbox.mkdir(parents=True)
    for code in ("HB", "KA"):
        shutil.copy(factories.SAMPLE_INPUT / "2016" / f"{code}.xlsx", inbox / f"{code}.xlsx")
    return {"config": config, "input": tmp_path / "input", "output": tmp_path / "output", "state": tmp_path / "state",
            "inbox": inbox}


def options(office, **kw) -> planning.Options:
    return planning.Options(2016, office["input"], office["config"], office["output"], state=office["state"], **kw)


def approve(office, unit: str = "HB", when: dt.datetime = WHEN) -> approving.Approved:
    return approving.approve(options(office), unit, lambda: when)


def figures(office) -> tuple[int, int]:
    """HB's party organisations as counted, and the city total."""
    run = planning.plan(options(office), documents=True)
    assert run.totals is not None
    return run.validation.submissions["HB"].figure("TCD").actual, run.totals.totals["TCD"].actual


def changed_hb(office, party: int = 5) -> Path:
    """HB sends a different (valid) workbook after approval, under a new name."""
    (office["inbox"] / "HB.xlsx").unlink()
    return factories.write(factories.good_form("HB", party=party), office["inbox"] / "HB-moi.xlsx")


def test_approve_records_the_copy_its_hash_and_the_time(office):
    done = approve(office)
    a = done.approval
    source = (office["inbox"] / "HB.xlsx").read_bytes()
    assert done.copy.read_bytes() == source and done.copy.parent == office["state"] / "duyet" / "2016"
    record = json.loads(done.record.read_text(encoding="utf-8"))
    assert record == {"unit": "HB", "year": 2016, "file": "2016/HB.xlsx", "sha256": a.sha256, "copy": a.copy,
                      "approved_at": "2016-12-20T09:30:00+07:00"}
    assert a.when() == "09:30 ngày 20/12/2016" and not done.unchanged


def test_approving_the_same_file_again_changes_nothing(office):
    first = approve(office)
    stamp = first.record.stat().st_mtime_ns
    again = approve(office, when=WHEN + dt.timedelta(days=3))
    assert again.unchanged and again.approval == first.approval
    assert first.record.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("case, message", [
    ("unknown", "Không có đơn vị mã «XY»"),
    ("missing", "Đơn vị KA chưa có biểu mẫu năm 2016"),
    ("errors", "Biểu mẫu năm 2016 của đơn vị HB còn"),
])
def test_approve_refuses_and_writes_nothing(office, case, message):
    unit = {"unknown": "XY", "missing": "KA", "errors": "HB"}[case]
    if case == "missing":
        (office["inbox"] / "KA.xlsx").unlink()
    if case == "errors":
        book = factories.form_workbook(factories.good_form("HB"))
        book["TongHop"]["F4"] = 3  # TCD: 3 founded, but the list names 2 Party organisations
        factories.save(book, office["inbox"] / "HB.xlsx")
    with pytest.raises(PipelineError) as caught:
        approve(office, unit)
    assert message in str(caught.value) and "chưa duyệt" in str(caught.value)
    assert not office["state"].exists()


def test_a_changed_workbook_does_not_change_the_totals_until_approved_again(office):
    before = figures(office)
    approve(office)
    new = changed_hb(office, party=before[0] + 4)
    run = planning.plan(options(office), documents=True)
    assert figures(office) == before  # the approved copy still counts
    warned = [i for i in run.validation.report.warnings if i.rule == CHANGED_AFTER_APPROVAL.code]
    assert len(warned) == 1 and warned[0].file == "2016/HB-moi.xlsx" and warned[0].unit == "HB"
    assert "tệp «2016/HB-moi.xlsx» gửi sau khác bản đã duyệt" in warned[0].message
    assert "make approve UNIT=HB YEAR=2016" in warned[0].message
    row = next(r for r in run.validation.ledger if r.path == "2016/HB-moi.xlsx")
    assert row.status == "skipped" and "khác bản đã duyệt" in row.reason and "make approve UNIT=HB" in row.reason
    assert run.validation.status["HB"] == "valid"
    assert new.is_file()  # the input folder is never touched
    done = approve(office, when=WHEN + dt.timedelta(days=1))
    assert not done.unchanged
    assert figures(office) == (before[0] + 4, before[1] + 4)
    again = planning.plan(options(office), documents=True)
    assert not [i for i in again.validation.report.issues if i.rule == CHANGED_AFTER_APPROVAL.code]
    assert len(list((office["state"] / "duyet" / "2016").iterdir())) == 2  # HB.json and the new copy only


def test_an_unchanged_workbook_says_nothing(office):
    approve(office)
    run = planning.plan(options(office), documents=True)
    assert not run.validation.report.of_unit("HB") and not run.validation.report.of_unit("KA")
    assert run.validation.approved["HB"].file == "2016/HB.xlsx"


@pytest.mark.parametrize("damage", ["missing", "altered"])
def test_a_damaged_approved_copy_is_an_error_naming_it(office, damage):
    copy = approve(office).copy
    if damage == "missing":
        copy.unlink()
    else:
        copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(approvals.ApprovalError) as caught:
        planning.check(options(office))
    assert str(copy) in str(caught.value)
    assert ("Thiếu bản đã duyệt" if damage == "missing" else "đã bị thay đổi") in str(caught.value)
    done = approve(office)  # approving the same workbook again repairs it
    assert not done.unchanged and done.copy.read_bytes() == (office["inbox"] / "HB.xlsx").read_bytes()


def test_a_corrupted_record_is_an_error_naming_it(office):
    record = approve(office).record
    record.write_text('{"unit": "HB", "ye', encoding="utf-8")
    with pytest.raises(approvals.ApprovalError) as caught:
        planning.check(options(office))
    assert f"Bản ghi duyệt {record} bị hỏng" in str(caught.value)


def test_a_write_killed_midway_leaves_the_previous_approval_in_force(office):
    """kill -9 during make approve: a half-written temporary file, or a copy no record names yet."""
    first = approve(office)
    folder = first.record.parent
    (folder / f"{approvals.TEMPORARY}x1y2z3").write_bytes(first.copy.read_bytes()[:100])  # cut short
    orphan = folder / "HB-0123456789abcdef.xlsx"  # a new copy whose record was never renamed in
    factories.write(factories.good_form("HB", party=9), orphan)
    assert approvals.read_approvals(office["state"], 2016) == {"HB": first.approval}
    before = figures(office)
    changed_hb(office, party=9)
    assert figures(office) == before
    done = approve(office)  # the next approval goes through, temporary files or not
    assert not done.unchanged and done.approval.sha256 != first.approval.sha256


def test_the_atomic_write_leaves_no_partial_file_when_interrupted(office, monkeypatch):
    first = approve(office)
    changed_hb(office, party=7)

    def killed(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(approvals.ApprovalError) as caught:
        approve(office)
    assert "ổ đĩa đầy" in str(caught.value) or "chưa duyệt" in str(caught.value)
    monkeypatch.undo()
    names = sorted(p.name for p in first.record.parent.iterdir())
    assert names == sorted([first.record.name, first.approval.copy])
    assert approvals.read_approvals(office["state"], 2016) == {"HB": first.approval}


def test_ledger_file_is_published_with_the_reason(office):
    from pipeline import flow

    approve(office)
    changed_hb(office)
    outcome = flow.validate(options(office, strict_warnings=True))
    ledger = json.loads((outcome.folder / LEDGER_DATA.path()).read_text(encoding="utf-8"))
    row = next(r for r in ledger["files"] if r["path"] == "2016/HB-moi.xlsx")
    assert row["status"] == "skipped" and "chưa dùng" in row["reason"]
    page = (outcome.folder / "index.html").read_text(encoding="utf-8")
    assert "09:30 ngày 20/12/2016; có tệp mới chờ duyệt" in page and "Đã duyệt" in page


def cli(office, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "approve", "--year", "2016", "--input",
                           str(office["input"]), "--config", str(office["config"]), "--output", str(office["output"]),
                           "--state", str(office["state"]), *args], capture_output=True, text=True,
                          cwd=factories.ROOT, env={**os.environ, "COLUMNS": "200"})


def test_the_command_says_what_it_did_in_vietnamese(office):
    first = cli(office, "--unit", "hb")
    assert first.returncode == 0, first.stderr
    assert "Đã duyệt biểu mẫu «2016/HB.xlsx» của đơn vị HB năm 2016" in first.stderr
    again = cli(office, "--unit", "HB")
    assert again.returncode == 0 and "đã được duyệt lúc" in again.stderr and "không có gì thay đổi" in again.stderr
    unknown = cli(office, "--unit", "XY")
    assert unknown.returncode != 0 and "Lỗi: Không có đơn vị mã «XY»" in unknown.stderr


def test_make_approve_needs_a_unit_and_passes_the_state_folder():
    make = ["make", "--no-print-directory", "-o", ".venv/.installed-run"]
    bare = subprocess.run([*make, "approve"], cwd=factories.ROOT, capture_output=True, text=True)
    assert bare.returncode != 0 and "Thiếu mã đơn vị: make approve UNIT=" in bare.stderr
    planned = subprocess.run([*make, "-n", "approve", "UNIT=HB", "STATE=/tmp/trang-thai"], cwd=factories.ROOT,
                             capture_output=True, text=True)
    assert '--unit "HB" --state "/tmp/trang-thai"' in planned.stdout
    for target in ("validate", "report"):
        planned = subprocess.run([*make, "-n", target, "STATE=/tmp/trang-thai"], cwd=factories.ROOT,
                                 capture_output=True, text=True)
        assert '--state "/tmp/trang-thai"' in planned.stdout, planned.stdout


def test_a_state_folder_inside_the_output_is_refused(office):
    inside = planning.Options(2016, office["input"], office["config"], office["output"],
                              state=office["output"] / "trang-thai")
    with pytest.raises(PipelineError) as caught:
        approving.approve(inside, "HB", lambda: WHEN)
    assert "make clean sẽ xóa cả biểu mẫu đã duyệt" in str(caught.value)
    assert not (office["output"] / "trang-thai").exists()
