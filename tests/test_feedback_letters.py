"""Closing the loop with the units: numbered official slips, and reminder letters to the units
that sent nothing or sent late, on the sample made to have one of each (and one error)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import cli, flow
from pipeline.core.documents.numbering import year_numbers
from pipeline.core.documents.reminder import reply_by
from tests.factories import CONFIG, SAMPLE_INPUT, copy_sample

MISSING, LATE, WRONG, CLEAN = "KT", "VB", "NQ", "HB"


def chase_input(target: Path) -> Path:
    """The sample with KT's workbook removed, VB's prepared after the deadline (18/12 > 15/12) and
    NQ's party count (F4) disagreeing with its list."""
    folder = copy_sample(target)
    (folder / "2016" / f"{MISSING}.xlsx").unlink()
    for code, sheet, cell, value in ((LATE, "ThongTin", "B6", dt.datetime(2016, 12, 18)),
                                     (WRONG, "TongHop", "F4", 99)):
        path = folder / "2016" / f"{code}.xlsx"
        book = openpyxl.load_workbook(path)
        book[sheet][cell] = value
        book.save(path)
    return folder


def run_validate(input_dir: Path, output: Path) -> Path:
    outcome = flow.validate(flow.Options(2016, input_dir, CONFIG, output, strict_warnings=True))
    assert outcome.folder is not None
    return outcome.folder


@pytest.fixture(scope="module")
def chased(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("chase")
    return run_validate(chase_input(base / "input"), base / "out")


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert found
    return int(found.group(1))


# --- slips -------------------------------------------------------------------------------------


def test_a_valid_units_slip_is_a_one_page_numbered_receipt(chased, settings):
    slip = chased / "phieu-kiem-tra" / f"{CLEAN}.pdf"
    text = text_of(slip)
    number = year_numbers("slips", settings, 2016)[CLEAN]
    assert number == "32"
    assert pages(slip) == 1
    assert f"Số {number}-PKT/BCĐ" in text and "Hải Phòng, ngày 20 tháng 12 năm 2016" in text
    assert "Ban Chỉ đạo đã nhận và kiểm tra biểu mẫu của đơn vị: 2016/HB.xlsx." in text
    assert "Biểu mẫu hợp lệ, không có lỗi." in text
    assert "STT" not in text and "Nội dung" not in text, "a receipt has no table"
    assert "Nơi nhận: TRƯỞNG BAN" in text and "- Như trên, - Lưu Văn phòng Thành ủy." in text
    assert "Nguyễn Thị Nghĩa" in text


def test_the_slip_body_names_the_body_of_its_header(chased):
    text = text_of(chased / "phieu-kiem-tra" / f"{WRONG}.pdf")
    assert "BAN CHỈ ĐẠO" in text and "Ban Chỉ đạo đã nhận và kiểm tra" in text
    assert "Ban Tổ chức Thành ủy đã kiểm tra" not in text


def test_an_error_slip_names_the_indicator_not_its_code(chased, settings):
    slip = chased / "phieu-kiem-tra" / f"{WRONG}.pdf"
    text = text_of(slip)
    assert f"Số {year_numbers('slips', settings, 2016)[WRONG]}-PKT/BCĐ" in text
    flowing = " ".join(subprocess.run(["pdftotext", str(slip), "-"], check=True, capture_output=True,
                                      text=True).stdout.split())  # the table's message column, unbroken
    assert "Chỉ tiêu «Tổ chức đảng thành lập mới» ghi 99 nhưng Biểu số 02 liệt kê 3 tổ chức loại" in flowing
    assert "TCD" not in flowing
    assert "CHƯA được tính" in text and "Nơi nhận" in text


def test_slip_numbers_follow_the_units_and_stay_put_across_reruns(chased, tmp_path, settings):
    """A unit that sends later takes its own number: no other slip's number moves; a rerun gives the same bytes."""
    numbers = year_numbers("slips", settings, 2016)
    assert not (chased / "phieu-kiem-tra" / f"{MISSING}.pdf").exists()
    again = run_validate(chase_input(tmp_path / "input"), tmp_path / "out")
    for code in (CLEAN, WRONG, LATE):
        assert (again / "phieu-kiem-tra" / f"{code}.pdf").read_bytes() == \
            (chased / "phieu-kiem-tra" / f"{code}.pdf").read_bytes()
    input_dir = tmp_path / "input"
    shutil.copy(SAMPLE_INPUT / "2016" / f"{MISSING}.xlsx", input_dir / "2016" / f"{MISSING}.xlsx")
    later = run_validate(input_dir, tmp_path / "later")
    for code in (CLEAN, WRONG, LATE, MISSING):
        assert f"Số {numbers[code]}-PKT/BCĐ" in text_of(later / "phieu-kiem-tra" / f"{code}.pdf")
    assert not (later / "don-doc" / f"{MISSING}.pdf").exists(), "a unit that has sent is not reminded"


# --- reminders -----------------------------------------------------------------------------------


def test_only_the_missing_and_the_late_units_are_reminded(chased):
    assert sorted(p.name for p in (chased / "don-doc").iterdir()) == [
        f"{MISSING}.docx", f"{MISSING}.pdf", f"{LATE}.docx", f"{LATE}.pdf"]


def test_a_missing_unit_is_asked_for_its_workbook_by_a_new_date(chased, settings):
    docs = settings.document_settings(2016)
    assert reply_by(docs) == dt.date(2016, 12, 25), "5 days after the letter's date (20/12), the deadline past"
    letter = chased / "don-doc" / f"{MISSING}.pdf"
    text = text_of(letter)
    number = year_numbers("reminders", settings, 2016)[MISSING]
    assert pages(letter) == 1
    assert f"Số {number}-CV/BCĐ" in text and "V/v đôn đốc gửi biểu mẫu báo cáo kết quả" in text
    assert "Hải Phòng, ngày 20 tháng 12 năm 2016" in text
    assert "Kính gửi: Ban Thường vụ Huyện ủy Kiến Thụy" in text
    assert "trước ngày 15/12/2016" in text and "chưa nhận được biểu mẫu báo cáo kết quả" in text
    assert "chậm nhất ngày 25/12/2016" in text
    assert "Nơi nhận" in text and "TRƯỞNG BAN" in text and "Nguyễn Thị Nghĩa" in text
    assert "THÔNG BÁO" not in text and "PHIẾU" not in text, "a letter has no type name"


def test_a_late_unit_is_told_it_was_late(chased, settings):
    text = text_of(chased / "don-doc" / f"{LATE}.pdf")
    assert f"Số {year_numbers('reminders', settings, 2016)[LATE]}-CV/BCĐ" in text
    assert "được lập ngày 18/12/2016, sau thời hạn nêu trên" in text and "các kỳ sau đúng thời hạn." in text
    assert "phiếu kiểm tra" not in text, "its workbook is valid: nothing to correct"


def test_the_reminders_docx_opens_and_says_what_the_pdf_says(chased, settings):
    document = docx.Document(str(chased / "don-doc" / f"{MISSING}.docx"))
    cells = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    body = [p.text for p in document.paragraphs]
    number = year_numbers("reminders", settings, 2016)[MISSING]
    assert f"Số {number}-CV/BCĐ" in cells and "Hải Phòng, ngày 20 tháng 12 năm 2016" in cells
    assert any(c.startswith("V/v đôn đốc gửi biểu mẫu") for c in cells)
    assert "Kính gửi: Ban Thường vụ Huyện ủy Kiến Thụy" in body
    assert any("chậm nhất ngày 25/12/2016" in p for p in body)
    assert not any("{{" in p or "{%" in p for p in body + cells), "every tag rendered"


def test_the_status_page_lists_the_reminders(chased):
    page = (chased / "index.html").read_text(encoding="utf-8")
    assert "Công văn đôn đốc" in page and f'href="don-doc/{MISSING}.pdf"' in page


def test_without_feedback_date_the_letters_take_the_signing_date(settings):
    docs = settings.document_settings(2016).model_copy(update={"feedback_date": None})
    assert docs.checked_on() == docs.date == dt.date(2016, 12, 29)
    assert reply_by(docs) == dt.date(2017, 1, 3)
    ahead = docs.model_copy(update={"feedback_date": dt.date(2016, 12, 1)})
    assert reply_by(ahead) == dt.date(2016, 12, 15), "before the deadline, the deadline stands"


# --- the console ---------------------------------------------------------------------------------


def test_the_console_shows_each_issues_rule(tmp_path, monkeypatch):
    input_dir = chase_input(tmp_path / "input")
    monkeypatch.setattr(cli.console, "width", 250)  # wide enough that no rule id is folded
    result = CliRunner().invoke(cli.main, ["validate", "--year", "2016", "--input", str(input_dir), "--config",
                                           str(CONFIG), "--output", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Mã lỗi" in result.output
    rows = [line for line in result.output.splitlines() if "2016/" in line and "│" in line]
    assert any("│ list-count-mismatch │" in row and "NQ" in row for row in rows)
    assert any("│ late-submission" in row and "VB" in row for row in rows)
