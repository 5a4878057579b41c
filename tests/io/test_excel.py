"""The workbook reader (pipeline.io.excel) and A1 references (pipeline.core.steps.raw)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.core.steps.raw import RawWorkbook, Refusal, cell_ref
from pipeline.io.excel import discover, read_workbook
from tests import factories


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# --- cell_ref -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "col", "expected"),
    [
        (0, 0, "A1"),
        (0, 1, "B1"),
        (2, 5, "F3"),
        (0, 25, "Z1"),
        (0, 26, "AA1"),
        (9, 27, "AB10"),
        (4, 51, "AZ5"),
        (4, 52, "BA5"),
        (0, 701, "ZZ1"),
        (0, 702, "AAA1"),
        (1048575, 16383, "XFD1048576"),
    ],
)
def test_cell_ref(row, col, expected):
    assert cell_ref(row, col) == expected


def test_cell_ref_agrees_with_openpyxl_for_the_first_thousand_columns():
    from openpyxl.utils import get_column_letter

    for col in range(1000):
        assert cell_ref(6, col) == f"{get_column_letter(col + 1)}7"


# --- discover -----------------------------------------------------------------


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_discover_finds_workbooks_in_sub_folders_and_skips_lock_files(tmp_path):
    # created in an order unlike the expected one: the result must not depend on it
    for name in [
        "2016/quan/LC.xlsx",
        "2016/~$LC.xlsx",  # Excel lock file of an open workbook
        "2016/quan/~$HB.xlsx",
        "2016/HB.xlsx",
        "2016/huyen/TN.XLSX",  # upper-case suffix
        "2016/huyen/old/VB.xls",
        "2015/AD.xlsm",
        "2015/KT.ods",
        "2016/ghi-chu.txt",
        "2016/.~lock.HB.xlsx#",  # LibreOffice lock file
        "2016/HB.xlsx.bak",
        "2016/bao-cao.pdf",
    ]:
        touch(tmp_path / name)
    (tmp_path / "2016" / "folder.xlsx").mkdir()  # a folder is not a workbook

    found = discover(tmp_path)

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "2015/AD.xlsm",
        "2015/KT.ods",
        "2016/HB.xlsx",
        "2016/huyen/TN.XLSX",
        "2016/huyen/old/VB.xls",
        "2016/quan/LC.xlsx",
    ]
    assert all(p.is_file() for p in found)


def test_discover_is_stable_and_sorted_by_relative_path(tmp_path):
    names = ["b/Z.xlsx", "a/Y.xlsx", "X.xlsx", "a/b/W.xlsx", "a/A.xlsx"]
    for name in names:
        touch(tmp_path / name)
    first = discover(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in first] == sorted(names)
    assert discover(tmp_path) == first


def test_discover_on_an_empty_folder(tmp_path):
    assert discover(tmp_path) == []


# --- read_workbook: good files -------------------------------------------------------


def test_read_workbook_returns_sheets_rows_from_a1_and_the_sha256(tmp_path):
    path = factories.write(factories.good_form(), tmp_path / "sub" / "HB.xlsx")

    raw = read_workbook(path, "sub/HB.xlsx")

    assert isinstance(raw, RawWorkbook)
    assert raw.path == "sub/HB.xlsx"
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [s.name for s in raw.sheets] == ["ThongTin", "TongHop", "DanhSach"]
    assert [s.hidden for s in raw.sheets] == [False, False, False]
    info = raw.sheets[0]
    assert info.rows[3][:2] == ("Mã đơn vị", "HB")  # row 4 → index 3
    assert info.rows[5][1] == dt.date(2016, 12, 10)  # date cells come back as dates
    summary = raw.sheets[1]
    assert summary.rows[2][:2] == ("STT", "Mã chỉ tiêu")
    assert summary.rows[3][1] == "TCD"
    assert summary.rows[3][5] == 2  # numbers come back as numbers
    assert summary.rows[4][4] == ""  # blanks are "", not None


def test_rows_start_at_a1_even_when_the_sheet_starts_lower(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws["C5"] = "Mã đơn vị"
    ws["D5"] = "HB"
    path = factories.save(book, tmp_path / "offset.xlsx")

    sheet = read_workbook(path, "offset.xlsx").sheets[0]

    assert len(sheet.rows) == 5
    assert sheet.rows[4][2:4] == ("Mã đơn vị", "HB")
    assert all(v == "" for row in sheet.rows[:4] for v in row)


def test_strings_and_sheet_names_are_nfc_on_read(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = nfd("Thông tin")
    ws["A1"] = nfd("Đơn vị báo cáo")
    ws["B1"] = nfd("Đảng bộ quận Hồng Bàng")
    ws["A2"] = nfd("Loại tổ chức")
    ws["B2"] = nfd("Đoàn thanh niên")
    path = factories.save(book, tmp_path / "nfd.xlsx")
    assert not is_nfc(ws.title) and not is_nfc(ws["B1"].value)  # the file really holds NFD

    raw = read_workbook(path, "nfd.xlsx")

    sheet = raw.sheets[0]
    assert sheet.name == "Thông tin" and is_nfc(sheet.name)
    assert sheet.rows[0] == ("Đơn vị báo cáo", "Đảng bộ quận Hồng Bàng")
    assert sheet.rows[1] == ("Loại tổ chức", "Đoàn thanh niên")
    assert all(is_nfc(v) for row in sheet.rows for v in row if isinstance(v, str))


def test_hidden_sheets_are_reported_as_hidden(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "ThongTin"
    book.create_sheet("TongHop").sheet_state = "hidden"
    book.create_sheet("Cu").sheet_state = "veryHidden"
    book.create_sheet("DanhSach")
    for ws in book.worksheets:
        ws["A1"] = ws.title
    path = factories.save(book, tmp_path / "hidden.xlsx")

    raw = read_workbook(path, "hidden.xlsx")

    assert [(s.name, s.hidden) for s in raw.sheets] == [
        ("ThongTin", False),
        ("TongHop", True),
        ("Cu", True),
        ("DanhSach", False),
    ]
    assert raw.sheets[1].rows == (("TongHop",),)  # a hidden sheet is still read


def test_merged_cells_keep_the_value_in_the_top_left_cell(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = "Mã đơn vị"
    ws.merge_cells("A1:B1")
    ws["C1"] = "HB"
    path = factories.save(book, tmp_path / "merged.xlsx")

    assert read_workbook(path, "merged.xlsx").sheets[0].rows == (("Mã đơn vị", "", "HB"),)


def with_cached_values(data: bytes, sheet_xml: str, cached: dict[str, str]) -> bytes:
    """Add cached formula results to a workbook openpyxl wrote (it writes formulas without them)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == sheet_xml:
                xml = content.decode()
                for ref, value in cached.items():
                    kind = "" if value.lstrip("-").replace(".", "").isdigit() else ' t="str"'
                    xml, n = re.subn(rf'<c r="{ref}"><f>(.*?)</f>(?:<v ?/>|<v></v>)', rf'<c r="{ref}"{kind}><f>\1</f><v>{value}</v>', xml)
                    assert n == 1, ref
                content = xml.encode()
            target.writestr(item, content)
    return buffer.getvalue()


def test_formulas_give_their_cached_values(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"] = 3
    ws["B1"] = "=A1*2"
    ws["C1"] = '=CONCATENATE("Công"," đoàn")'
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(with_cached_values(buffer.getvalue(), "xl/worksheets/sheet1.xml", {"B1": "6", "C1": "Công đoàn"}))

    sheet = read_workbook(path, "formulas.xlsx").sheets[0]

    assert sheet.rows == ((3, 6, "Công đoàn"),)


# --- read_workbook: files that are not workbooks -----------------------------


def good_bytes() -> bytes:
    return factories.form_bytes(factories.good_form())


def not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason_has"),
    [
        ("empty.xlsx", lambda: b"", "tệp rỗng"),
        ("text.xlsx", lambda: "Báo cáo năm 2016\nkhông phải Excel\n".encode(), "không phải bảng tính Excel"),
        ("csv.xls", lambda: b"STT,Ma chi tieu\n1,TCD\n", "không phải bảng tính Excel"),
        ("truncated.xlsx", lambda: good_bytes()[: len(good_bytes()) // 2], "bị hỏng"),
        ("header-only.xlsx", lambda: good_bytes()[:100], "bị hỏng"),
        ("other.xlsx", not_a_workbook_zip, "bị hỏng"),
        ("ole.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "bị hỏng"),
    ],
)
def test_a_file_that_is_not_a_readable_workbook_is_a_refusal(tmp_path, name, content, reason_has):
    data = content()
    path = tmp_path / name
    path.write_bytes(data)

    result = read_workbook(path, f"2016/{name}")  # must not raise

    assert isinstance(result, Refusal)
    assert result.path == f"2016/{name}"
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert reason_has in result.reason


def test_empty_file_refusal_names_zero_bytes(tmp_path):
    path = tmp_path / "HB.xlsx"
    path.write_bytes(b"")
    result = read_workbook(path, "HB.xlsx")
    assert result == Refusal("HB.xlsx", hashlib.sha256(b"").hexdigest(), "tệp rỗng (0 byte)")


def test_a_file_name_that_is_not_utf8_is_read(tmp_path):
    """os.fsdecode turns the byte \\xff into a surrogate escape, which calamine's path argument cannot take."""
    path = factories.write(factories.good_form(), tmp_path / os.fsdecode(b"HB-\xff.xlsx"))
    assert isinstance(read_workbook(path, "HB-\\xff.xlsx"), RawWorkbook)
