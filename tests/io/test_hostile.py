"""Hostile workbooks: refused before calamine opens them, in bounded memory and time.

Each file is built here, in the test. Without the screen, several of them do
not just fail but take the whole process down (calamine aborts on a failed
allocation): one value at XFD1048576 of a 5 KB .xlsx (550 GB asked for),
uniqueCount="4000000000" in xl/sharedStrings.xml (96 GB reserved up front), an
.xls whose DIMENSIONS record declares 2^32 rows, an .xls whose sector tables
point into the void (a chain grown without end). A 6 KB .xls with a value at
row 65536 costs calamine 0.5 GB per sheet.

Memory is measured with tracemalloc, which sees Python's allocations only: the
point is that the screen reads in bounded chunks and calamine is never reached.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.steps.raw import RawWorkbook, Refusal
from pipeline.io.excel import read_workbook
from pipeline.io.forms.workbook import blank_form
from pipeline.io.screen import limits
from tests import factories
from tests.factories import CONFIG, SAMPLE_INPUT

MB = 1 << 20
SHEET = "xl/worksheets/sheet1.xml"  # ThongTin in the factories' forms
LIST_SHEET = "xl/worksheets/sheet3.xml"  # DanhSach


@pytest.fixture(scope="module")
def good() -> bytes:
    return factories.form_bytes(factories.good_form())


def read(tmp_path: Path, data: bytes, name: str = "HB.xlsx") -> RawWorkbook | Refusal:
    path = tmp_path / name
    path.write_bytes(data)
    return read_workbook(path, f"2016/{name}")


def refused(tmp_path: Path, data: bytes, name: str = "HB.xlsx", *, peak_mb: float = 8) -> str:
    """The refusal's reason; the reading must stay within `peak_mb` of Python memory."""
    tracemalloc.start()
    try:
        result = read(tmp_path, data, name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Refusal), "the hostile file was read"
    assert result.path == f"2016/{name}"
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert peak < peak_mb * MB + len(data) * 2, f"peak {peak / MB:.1f} MB"
    return result.reason


def with_sheet(data: bytes, edit, name: str = SHEET) -> bytes:
    return factories.rezip(data, {name: lambda xml: edit(xml.decode()).encode()})


def add_row(xml: str, row: str) -> str:
    return xml.replace("</sheetData>", row + "</sheetData>")


# --- what must keep working ---------------------------------------------------------


def test_the_sample_workbooks_and_the_factories_forms_pass(tmp_path, good, settings):
    for path in sorted((SAMPLE_INPUT / "2016").glob("*.xlsx")):
        assert isinstance(read_workbook(path, path.name), RawWorkbook), path.name
    forms = {
        "good.xlsx": good,
        "openpyxl.xlsx": saved(factories.form_workbook(factories.good_form())),
        "blank.xlsx": blank_form(settings, "HB", 2016),
        "big.xlsx": factories.form_bytes(factories.good_form(party=300, unions=700, youth=200)),
        "legacy.xls": factories.xls_bytes(factories.good_form()),
    }
    for name, data in forms.items():
        assert isinstance(read(tmp_path, data, name), RawWorkbook), name


def test_a_styled_blank_far_away_is_not_data(tmp_path):
    """Borders drawn down to row 20,000 make cells without values: calamine leaves them out."""
    book = factories.form_workbook(factories.good_form())
    book["DanhSach"]["H20000"].border = openpyxl.styles.Border(left=openpyxl.styles.Side(style="thin"))
    book["DanhSach"].cell(5, 300).fill = openpyxl.styles.PatternFill(fill_type="solid", start_color="FFFF0000")
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read(tmp_path, buffer.getvalue())
    assert isinstance(raw, RawWorkbook)
    assert len(raw.sheets[2].rows) < 100


# --- zip bombs --------------------------------------------------------------------


def zeros_part(data: bytes, name: str, megabytes: int, level: int) -> bytes:
    """`data` with one more part: `megabytes` MB of zeros, deflated, written in chunks."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=level) as archive, \
            archive.open(name, "w") as stream:
            block = bytes(MB)
            for _ in range(megabytes):
                stream.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path, good):
    bomb = zeros_part(good, "xl/media/image1.png", 120, level=1)
    assert len(bomb) < 2 * MB
    reason = refused(tmp_path, bomb)
    assert reason.startswith("tệp nén bất thường: giải nén ra 120 MB (giới hạn 100 MB)")
    assert "zip bomb" in reason and "biểu mẫu chuẩn" in reason


def test_forged_header_sizes_are_refused_from_the_directory_alone(tmp_path, good):
    forged = factories.forge_size(good, SHEET, 2_254_857_830)
    reason = refused(tmp_path, forged)
    assert "giải nén ra 2,1 GB (giới hạn 100 MB)" in reason


def test_an_over_compressed_part_is_refused(tmp_path, good):
    bomb = zeros_part(good, "xl/media/image1.png", 20, level=9)
    reason = refused(tmp_path, bomb)
    assert "phần «xl/media/image1.png» nén 20 MB vào" in reason and "tỉ lệ trên 100:1" in reason


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused_while_unpacking(tmp_path, good):
    """Declared 1 KB, holding 20 MB: caught after one chunk, never held in memory."""
    bomb = factories.forge_size(zeros_part(good, "xl/worksheets/sheet9.xml", 20, level=9), "xl/worksheets/sheet9.xml",
                                1024)
    reason = refused(tmp_path, bomb, peak_mb=2)
    assert "phần «xl/worksheets/sheet9.xml» giải nén ra nhiều hơn kích thước ghi trong tệp (1 KB)" in reason


def test_too_many_parts_are_refused(tmp_path, good):
    extra = tuple((f"customXml/item{i}.xml", b"<a/>") for i in range(1_500))
    reason = refused(tmp_path, factories.rezip(good, add=extra))
    assert reason.startswith("tệp nén bất thường: gồm 1.511 phần (giới hạn 1.000)")


def test_a_huge_table_of_parts_is_refused_before_it_is_parsed(tmp_path, good):
    extra = tuple((f"customXml/{'x' * 200}{i}.xml", b"") for i in range(6_000))
    reason = refused(tmp_path, factories.rezip(good, add=extra, compression=zipfile.ZIP_STORED), peak_mb=4)
    assert reason.startswith("tệp nén bất thường: mục lục các phần dài 1,5 MB (giới hạn 1 MB")


def test_a_file_far_bigger_than_a_form_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "HB.xlsx"
    with path.open("wb") as stream:
        stream.write(b"PK\x03\x04")
        stream.truncate(60 * MB)  # sparse: no 60 MB written to disk
    tracemalloc.start()
    result = read_workbook(path, "2016/HB.xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(result, Refusal)
    assert result.reason.startswith("tệp quá lớn: 60 MB (giới hạn 50 MB)")
    assert peak < 4 * MB


# --- XML entity bombs -------------------------------------------------------------

LAUGHS = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + "]>\n")


def billion_laughs(xml: bytes) -> bytes:
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml.decode())
    return (LAUGHS + text.replace("<t>", "<t>&lol9;", 1)).encode()


SHARED_STRINGS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
                  b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>HB</t></si></sst>')


@pytest.mark.parametrize("where", ["xl/sharedStrings.xml", SHEET, "xl/workbook.xml", "[Content_Types].xml"])
def test_a_billion_laughs_part_is_refused(tmp_path, good, where):
    if where == "xl/sharedStrings.xml":
        hostile = factories.rezip(good, add=((where, billion_laughs(SHARED_STRINGS)),))
    else:
        hostile = factories.rezip(good, {where: billion_laughs})
    reason = refused(tmp_path, hostile)
    assert reason.startswith(f"phần «{where}» của tệp có khai báo DTD")
    assert "billion laughs" in reason


def test_an_entity_declared_after_the_first_chunk_is_still_refused(tmp_path, good):
    """Padding the prolog past the first chunk does not hide the declaration."""
    padded = with_sheet(good, lambda xml: " " * (limits.CHUNK + 10) + '<!DOCTYPE x [<!ENTITY a "b">]>' + xml)
    assert "khai báo DTD" in refused(tmp_path, padded)


# --- shared strings ------------------------------------------------------------------


def with_shared_strings(data: bytes, sst: bytes) -> bytes:
    """The form with xl/sharedStrings.xml, wired in, and ThongTin!B4 (the unit code) read from it."""
    return factories.rezip(data, {
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                                 b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'),
        "[Content_Types].xml": lambda xml: xml.replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                         b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        SHEET: lambda xml: re.sub(rb'<c r="B4"[^>]*>.*?</c>', b'<c r="B4" t="s"><v>0</v></c>', xml),
    }, add=(("xl/sharedStrings.xml", sst),))


def sst(unique: str, padding: int = 0) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + b" " * padding
            + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
            + unique.encode() + b"><si><t>HB</t></si></sst>")


def test_shared_strings_read(tmp_path, good):
    raw = read(tmp_path, with_shared_strings(good, sst('uniqueCount="1"')))
    assert raw.sheets[0].rows[3][:2] == ("Mã đơn vị", "HB")


@pytest.mark.parametrize("unique", ['uniqueCount="4000000000"', "uniqueCount = '+0004000000000'",
                                    'uniqueCount="99999999999999999999"'])
def test_an_absurd_count_of_shared_strings_is_refused(tmp_path, good, unique):
    """calamine reserves room for uniqueCount strings before reading one: 4e9 asks for 96 GB."""
    reason = refused(tmp_path, with_shared_strings(good, sst(unique)))
    assert reason.startswith("phần «xl/sharedStrings.xml» của tệp khai báo")
    assert "chuỗi ký tự (giới hạn 4.000.000)" in reason


@pytest.mark.parametrize("split", [3, 14, 20, 300])
def test_a_count_cut_by_a_chunk_boundary_is_still_read_whole(tmp_path, good, split):
    head = len(sst("", 0).split(b"<sst")[0]) + len(b'<sst xmlns="http://schemas.openxmlformats.org/'
                                                   b'spreadsheetml/2006/main" count="1" ')
    gap = " " * 300 if split == 300 else ""
    padding = limits.CHUNK - head - min(split, 20)
    data = with_shared_strings(good, sst(f'uniqueCount={gap}"4000000000"', padding))
    assert "chuỗi ký tự (giới hạn" in refused(tmp_path, data)


# --- sheets beyond any form ---------------------------------------------------------


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("cell", "shown"), [((20_000, 1), "A20000"), ((5, 300), "KN5"),
                                             ((1_048_576, 16_384), "XFD1048576")])
def test_a_value_far_outside_the_form_is_refused_naming_the_sheet_and_cell(tmp_path, cell, shown):
    book = factories.form_workbook(factories.good_form())
    book["DanhSach"].cell(*cell, "gõ nhầm")
    reason = refused(tmp_path, saved(book))
    assert reason.startswith(f"trang tính «DanhSach» quá lớn: có dữ liệu ở ô {shown} (giới hạn 10.000 dòng, 200 cột)")


@pytest.mark.parametrize("prefix", [b"X", b"MZ" + bytes(200)])
def test_bytes_before_the_zip_do_not_hide_it(tmp_path, prefix):
    """calamine's zip reader finds the archive behind leading bytes; so must the screen."""
    book = factories.form_workbook(factories.good_form())
    book["DanhSach"].cell(1_048_576, 16_384, "x")
    assert "có dữ liệu ở ô XFD1048576" in refused(tmp_path, prefix + saved(book))


@pytest.mark.parametrize(
    ("style", "row"),
    [
        ("no references", '<row><c t="n"><v>1</v></c></row>' * 10_001),
        ("references last", '<row r="20000"><c t="n" r="A20000"><v>1</v></c></row>'),
        ("single quotes", "<row r='20000'><c r='A20000' t='n'><v>1</v></c></row>"),
        ("lower case", '<row r="20000"><c r="a20000" t="n"><v>1</v></c></row>'),
        ("spaced", '<row r="20000"><c\n r = "A20000" t="n"><v>1</v></c></row>'),
        ("a '/>' inside a value", '<row r="20000"><c r="A20000" t="n" x="/>"><v>1</v></c></row>'),
        ("a 300-cell row", "<row r='40'>" + '<c t="n"><v>1</v></c>' * 300 + "</row>"),
        # calamine takes the last of two references (found while fuzzing: it aborted on this one)
        ("a second reference", '<row r="9000"><c r="A9000" t="n" r="A20000"><v>1</v></c></row>'),
        ("leading zeros", '<row r="9000"><c r="A000020000" t="n"><v>1</v></c></row>'),
    ],
)
def test_a_far_value_is_found_however_the_sheet_writes_it(tmp_path, good, style, row):
    reason = refused(tmp_path, with_sheet(good, lambda xml: add_row(xml, row)))
    assert "trang tính «ThongTin» quá lớn" in reason, style


def test_a_far_value_is_found_with_a_namespace_prefix(tmp_path, good):
    def prefixed(xml: str) -> str:
        xml = add_row(xml, '<row r="20000"><c r="A20000" t="n"><v>1</v></c></row>')
        xml = re.sub(r"<(/?)(?=[A-Za-z])", r"<\1x:", xml)
        return xml.replace("<x:worksheet xmlns=", "<x:worksheet xmlns:x=")

    prefixed_data = with_sheet(good, prefixed)
    reason = refused(tmp_path, prefixed_data)
    assert "có dữ liệu ở ô A20000" in reason


def test_the_unusual_ways_of_writing_cells_read_when_they_stay_inside_the_limits(tmp_path, good):
    near = with_sheet(good, lambda xml: add_row(xml, "<row r='40'><c t='n' r='C40'><v>7</v></c><c t='n'><v>8</v></c></row>"))
    raw = read(tmp_path, near)
    assert isinstance(raw, RawWorkbook)
    assert raw.sheets[0].rows[39][2:4] == (7, 8)


def test_a_sheet_larger_than_a_chunk_is_read_in_chunks(tmp_path, good):
    """A long list reads; the same list with one value beyond the limits is refused."""
    rows = "".join(f'<row r="{r}"><c r="J{r}" t="inlineStr"><is><t>{"chữ " * 20}</t></is></c></row>'
                   for r in range(30, 1_030))
    long_list = with_sheet(good, lambda xml: add_row(xml, rows), LIST_SHEET)
    assert len(factories.part(long_list, LIST_SHEET)) > 2 * limits.CHUNK
    assert isinstance(read(tmp_path, long_list), RawWorkbook)
    far = with_sheet(long_list, lambda xml: add_row(xml, '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'),
                     LIST_SHEET)
    assert "trang tính «DanhSach» quá lớn: có dữ liệu ở ô A1000000" in refused(tmp_path, far)


def test_a_start_tag_longer_than_any_real_one_is_refused(tmp_path, good):
    row = f'<row r="20000"><c r="A20000" pad="{"x" * (2 * limits.MAX_TAG_BYTES)}"><v>1</v></c></row>'
    reason = refused(tmp_path, with_sheet(good, lambda xml: add_row(xml, row)))
    assert "quá lớn" in reason or "thẻ XML dài" in reason


def test_sheets_within_the_limits_but_too_many_cells_together_are_refused(tmp_path):
    book = openpyxl.Workbook()
    for i in range(3):
        ws = book.active if i == 0 else book.create_sheet()
        ws.title = f"Trang{i + 1}"
        ws["A1"], ws["GR9000"] = "đầu", "cuối"
    reason = refused(tmp_path, saved(book), peak_mb=64)
    assert reason.startswith("tệp quá lớn: các trang tính có tới 5.400.000 ô (giới hạn 4.000.000)")


# --- OpenDocument (.ods) ------------------------------------------------------------


def ods(rows: str) -> bytes:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="ThongTin">'
               f'{rows}</table:table></office:spreadsheet></office:body></office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return buffer.getvalue()


TEXT_CELL = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'


def test_an_ods_workbook_reads_and_its_trailing_blank_rows_do_not_count(tmp_path):
    data = ods(f"<table:table-row>{TEXT_CELL.format('Mã đơn vị')}{TEXT_CELL.format('HB')}</table:table-row>"
               '<table:table-row table:number-rows-repeated="1048575">'
               '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    raw = read(tmp_path, data, "HB.ods")
    assert isinstance(raw, RawWorkbook)
    assert raw.sheets[0].rows == (("Mã đơn vị", "HB"),)


@pytest.mark.parametrize("rows", [
    # a million repeated blank rows, then one value: calamine fills every row in between
    '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>'
    f'<table:table-row>{TEXT_CELL.format("z")}</table:table-row>',
    # one value repeated across 300 columns
    '<table:table-row><table:table-cell office:value-type="float" office:value="1" '
    'table:number-columns-repeated="300"/></table:table-row>',
])
def test_an_ods_repeat_bomb_is_refused(tmp_path, rows):
    assert "trang tính «ThongTin» quá lớn" in refused(tmp_path, ods(rows), "HB.ods")


# --- legacy .xls (OLE2) ---------------------------------------------------------------


def xls(cells_per_sheet: dict[str, list[tuple[int, int]]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, cells in cells_per_sheet.items():
        sheet = book.add_sheet(name)
        for row, col in cells:
            sheet.write(row, col, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xls_with_a_value_far_outside_the_form_is_refused(tmp_path):
    data = xls({"ThongTin": [(0, 0)], "DanhSach": [(0, 0), (65_535, 255)]})
    assert len(data) < 10_000
    reason = refused(tmp_path, data, "HB.xls")
    assert reason.startswith("trang tính «DanhSach» quá lớn: có dữ liệu ở ô IV65536")


@pytest.mark.parametrize(("at", "mask"), [(692, 0x01), (1496, 0xFF)])
def test_an_xls_that_makes_calamine_panic_is_a_refusal(tmp_path, at, mask):
    """Found by tests/test_fuzz.py: one flipped byte, and calamine 0.37 panics (index out of bounds)."""
    data = bytearray(factories.xls_bytes(factories.good_form()))
    data[at] ^= mask
    reason = refused(tmp_path, bytes(data), "HB.xls")
    assert reason == "tệp Excel bị hỏng hoặc không đọc được (chương trình đọc bảng tính gặp lỗi khi đọc tệp)"


def test_an_xls_whose_sector_chains_run_wild_is_refused_before_calamine_opens_it(tmp_path):
    """Found by tests/test_fuzz.py: three splices leave the sector tables pointing into the void, and
    calamine 0.37 grows one chain without end (4–8 GB asked for; the process aborted or was killed)."""
    x = factories.xls_bytes(factories.good_form())
    data = x[:810] + b"(\xfe" + x[1147:7390] + x[7896:7897] + b"\xfe" + x[7949:11732] + b"*" + x[11733:]
    assert refused(tmp_path, data, "HB.xls") == "tệp Excel bị hỏng hoặc không đọc được (cấu trúc OLE2 hỏng)"


def test_an_xls_declaring_a_used_range_beyond_the_format_is_refused(tmp_path):
    """calamine reserves room for the range a DIMENSIONS record declares: 2^32 rows × 65,535
    columns asks for 11 PB and aborts the process."""
    data = bytearray(xls({"ThongTin": [(0, 0)]}))
    at = data.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record of the one sheet
    struct.pack_into("<IIHH", data, at + 4, 0, 0xFFFFFFFF, 0, 0xFFFF)
    reason = refused(tmp_path, bytes(data), "HB.xls")
    assert reason.startswith("tệp Excel bất thường: một trang tính khai báo vùng dữ liệu 4.294.967.295 dòng")


def test_xls_sheets_with_too_many_cells_together_are_refused(tmp_path):
    data = xls({f"Trang{i}": [(0, 0), (8_999, 199)] for i in range(3)})
    assert "các trang tính có tới 5.400.000 ô" in refused(tmp_path, data, "HB.xls")


def test_an_xls_inside_the_limits_reads(tmp_path):
    raw = read(tmp_path, xls({"ThongTin": [(0, 0), (9_999, 199)]}), "HB.xls")
    assert isinstance(raw, RawWorkbook)
    assert len(raw.sheets[0].rows) == 10_000 and len(raw.sheets[0].rows[0]) == 200


# --- through the flow -------------------------------------------------------------------


def test_one_hostile_workbook_among_good_ones_spoils_only_itself(tmp_path):
    input_dir = factories.copy_sample(tmp_path / "input")
    book = factories.form_workbook(factories.good_form("HB", party=2, unions=14, youth=3))
    book["DanhSach"].cell(1_048_576, 16_384, "x")
    (input_dir / "2016" / "HB.xlsx").write_bytes(saved(book))
    (input_dir / "2016" / "LC.xlsx").write_bytes(
        factories.rezip((SAMPLE_INPUT / "2016" / "LC.xlsx").read_bytes(), {"[Content_Types].xml": billion_laughs}))

    _, _, validation = planning.check(flow.Options(2016, input_dir, CONFIG, tmp_path / "out"))

    errors = [(i.file, i.unit, i.rule) for i in validation.report.errors]
    assert errors == [("2016/HB.xlsx", "HB", "unreadable-file"), ("2016/LC.xlsx", "LC", "unreadable-file")]
    messages = {i.file: i.message for i in validation.report.errors}
    assert "XFD1048576" in messages["2016/HB.xlsx"] and "billion laughs" in messages["2016/LC.xlsx"]
    assert validation.status["HB"] == validation.status["LC"] == "invalid"
    assert sum(s == "valid" for s in validation.status.values()) == 13
    listed = {i["file"] for i in validation.report.as_dict()["issues"]}
    assert {"2016/HB.xlsx", "2016/LC.xlsx"} <= listed
