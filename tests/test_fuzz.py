"""Property tests over whole workbooks: read → parse → validate never raises, and nothing is lost.

`make test` runs a short, derandomised pass (the "ci" Hypothesis profile of
tests/conftest.py); `make fuzz` runs the same properties with thousands of
random examples (HYPOTHESIS_PROFILE=fuzz).

- Arbitrary cell values (weird Unicode, control characters, huge numbers,
  NaN and infinities, dates, booleans, error codes, blanks) written into the
  cells of a good form, as Excel stores them in the sheet XML.
- Structurally damaged workbooks: flipped, inserted and cut bytes, parts
  dropped, duplicated or mangled, sheets renamed, rows shuffled; the same
  for a legacy .xls.
- Conservation: for random sets of good and bad workbooks, every organisation
  row of every valid workbook is counted exactly once in the totals, and every
  workbook or unit left out of them is named in the issue report.

A Rust abort inside calamine kills the process before Hypothesis can report
the example: run with FUZZ_DUMP=/tmp/last- to find it on disk afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline.core.steps.aggregate import aggregate
from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.raw import RawSheet, RawWorkbook, Refusal
from pipeline.core.steps.submission import Submission
from pipeline.core.steps.validate import validate_year
from pipeline.core.vi import label_key
from pipeline.io.excel import read_workbook
from tests import factories

SETTINGS = factories.settings()
DUMP = os.environ.get("FUZZ_DUMP", "")  # e.g. FUZZ_DUMP=/tmp/last- : each workbook tried, saved before it is read
SHEETS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml")
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# data generation is slow next to the code under test (zip, openpyxl); that is expected here
slow = hsettings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def good_xlsx() -> bytes:
    return factories.form_bytes(factories.good_form())


@cache
def good_xls() -> bytes:
    return factories.xls_bytes(factories.good_form())


def read_bytes(data: bytes, name: str) -> RawWorkbook | Refusal:
    if DUMP:  # left on disk should calamine take the whole process down with it
        Path(DUMP + name).write_bytes(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_workbook(path, f"2016/{name}")


def check_all_the_way(data: bytes, name: str = "HB.xlsx") -> None:
    """Read, parse and validate one workbook: no exception, and every issue is one a clerk can act on."""
    raw = read_bytes(data, name)
    assert isinstance(raw, (RawWorkbook, Refusal))
    if isinstance(raw, Refusal):
        assert raw.reason and VIETNAMESE.search(raw.reason), raw.reason
        validation = validate_year(2016, [], [raw], SETTINGS)
    else:
        sub = parse_workbook(raw)
        assert isinstance(sub, Submission)
        validation = validate_year(2016, [sub], [], SETTINGS)
    for issue in validation.report.issues:
        assert KEBAB.match(issue.rule) and issue.severity in ("error", "warning"), issue
        assert issue.message and VIETNAMESE.search(issue.message), issue
        assert issue.file == f"2016/{name}" or (issue.rule == "not-submitted" and not issue.file), issue
    json.dumps(validation.report.as_dict(), ensure_ascii=False)  # kiem-tra.json can be written


# --- (a) arbitrary cell values ------------------------------------------------------------

weird_text = st.sampled_from([
    "", " ", "\u00a0", "\t", "12", " 1.234 ", "1,5", "-3", "+5", "007", "1e400", "NaN", "inf", "-0",
    "29/02/2016", "31/02/2016", "10/12/2016", "2016", "HB", "hb ", "Tổ chức đảng", "to chuc dang", "Công đoàn",
    "Hội thanh niên", "Mã đơn vị", "Năm báo cáo", "STT", "Thực hiện", "0225.3123456", "0200000053",
    "e\u0301", "\u200b", "\ufeff", "\x00", "\x01\x02\x1f", "_x0001_", "_x005F_x0001_", "&amp;", "<b>x</b>",
    "]]>", "\ufffe", "\U0001f600", "Ð", "Ñ", "§", "\u0300", "Tæ chøc ®¶ng", "Coâng ñoaøn", "x" * 300,
])
cell_values = st.one_of(
    st.text(max_size=30),  # any Unicode, control characters included
    weird_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
    st.tuples(st.just("serial-date"), st.integers(-10, 3_000_000)),  # a number styled as a date
    st.tuples(st.just("error"), st.sampled_from(["#DIV/0!", "#N/A", "#NAME?", "#REF!", "#VALUE!", "#WHAT?", ""])),
    st.tuples(st.just("shared"), st.integers(-1, 5)),  # an index into shared strings the form does not have
    st.tuples(st.just("formula"), st.text(max_size=10)),  # a formula and its cached text
    st.none(),  # an empty cell
)
# cells the parser reads (labels' values, the figures, the list) and cells anywhere around them
value_cells = st.sampled_from(
    [(0, f"B{r}") for r in range(3, 9)]
    + [(1, f"{c}{r}") for c in "BEF" for r in range(4, 10)]
    + [(2, f"{c}{r}") for c in "ABCDEFGH" for r in range(4, 10)]
    + [(0, "A4"), (1, "B3"), (2, "E3")])  # a label or a header itself
any_cells = st.tuples(st.integers(0, 2), st.builds(lambda c, r: f"{'ABCDEFGHIJ'[c]}{r}", st.integers(0, 9), st.integers(1, 40)))
changes = st.lists(st.tuples(st.one_of(value_cells, any_cells), cell_values), min_size=1, max_size=8)


def xml_text(text: str, raw_controls: bool) -> str:
    """Text as the sheet XML holds it: characters XML 1.0 forbids escaped the way Excel does, or left raw."""
    if not raw_controls:
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)
    return escape(text)


def cell_xml(ref: str, value, raw_controls: bool) -> str:
    if value is None:
        return f'<c r="{ref}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'<c r="{ref}" t="d"><v>{value.isoformat()}</v></c>'
    if isinstance(value, tuple):
        kind, detail = value
        if kind == "serial-date":
            return f'<c r="{ref}" s="5"><v>{detail}</v></c>'
        if kind == "error":
            return f'<c r="{ref}" t="e"><v>{escape(detail)}</v></c>'
        if kind == "shared":
            return f'<c r="{ref}" t="s"><v>{detail}</v></c>'
        return f'<c r="{ref}" t="str"><f>A1&amp;"x"</f><v>{xml_text(detail, raw_controls)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_text(value, raw_controls)}</t></is></c>'


def set_cell(xml: str, ref: str, cell: str) -> str:
    """The sheet XML with the cell at `ref` replaced, or added to its row (the row added if need be)."""
    own = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)')
    if own.search(xml):
        return own.sub(lambda _: cell, xml, count=1)
    row = re.sub(r"[A-Z]+", "", ref)
    existing = re.compile(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)')
    if existing.search(xml):
        return existing.sub(lambda m: m.group(1) + m.group(2) + cell + m.group(3), xml, count=1)
    return xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>', 1)


@slow
@given(changes, st.booleans())
def test_arbitrary_cell_values_are_read_parsed_and_validated_without_raising(cells, raw_controls):
    edits: dict[str, list[tuple[str, object]]] = {}
    for (sheet, ref), value in cells:
        edits.setdefault(SHEETS[sheet], []).append((ref, value))

    def apply(part: str):
        def edit(xml: bytes) -> bytes:
            text = xml.decode()
            for ref, value in edits[part]:
                text = set_cell(text, ref, cell_xml(ref, value, raw_controls))
            return text.encode("utf-8", "surrogatepass")
        return edit

    check_all_the_way(factories.rezip(good_xlsx(), {part: apply(part) for part in edits}))


# --- (b) damaged workbooks ---------------------------------------------------------------------


def flip(data: bytes, positions: list[int], mask: int) -> bytes:
    out = bytearray(data)
    for p in positions:
        out[p % len(out)] ^= mask or 0xFF
    return bytes(out)


def poke(data: bytes, at: int, width: int, value: int) -> bytes:
    """A little-endian number written over the bytes at `at`: sizes, counts and sector numbers go wild."""
    at %= len(data)
    return data[:at] + (value % (1 << (8 * width))).to_bytes(width, "little") + data[at + width:]


def rename_sheet(data: bytes, index: int, name: str) -> bytes:
    names = iter(range(10))

    def rename(xml: bytes) -> bytes:
        return re.sub(rb'name="[^"]*"', lambda m: (f"name={quoteattr(name)}".encode() if next(names) == index
                                                   else m.group()), xml)

    if "xl/workbook.xml" not in factories.zip_names(data):
        return data
    return factories.rezip(data, {"xl/workbook.xml": rename})


def shuffle_rows(data: bytes, sheet: int, order: list[int]) -> bytes:
    """The rows of a sheet moved to one another's places (their cells' references follow)."""
    def shuffle(xml: bytes) -> bytes:
        text = xml.decode()
        rows = re.findall(r'<row r="(\d+)"([^>]*)>(.*?)</row>', text)
        if len(rows) < 2:
            return xml
        numbers = [r for r, _, _ in rows]
        moved = sorted(range(len(rows)), key=lambda i: order[i % len(order)])
        body = "".join(f'<row r="{numbers[j]}"{rows[i][1]}>'
                       + re.sub(r'(<c r="[A-Z]+)\d+"', rf'\g<1>{numbers[j]}"', rows[i][2]) + "</row>"
                       for j, i in enumerate(moved))
        return re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{body}</sheetData>", text, flags=re.S).encode()

    if SHEETS[sheet] not in factories.zip_names(data):
        return data
    return factories.rezip(data, {SHEETS[sheet]: shuffle})


def mangle_part(data: bytes, index: int, at: int, cut: int, insert: bytes) -> bytes:
    """One part's unpacked bytes with a slice cut out and other bytes put in."""
    names = factories.zip_names(data)
    name = names[index % len(names)]

    def mangle(content: bytes) -> bytes:
        p = at % (len(content) + 1)
        return content[:p] + insert + content[p + cut:]

    return factories.rezip(data, {name: mangle})


def drop_or_copy_part(data: bytes, index: int, copy: bool) -> bytes:
    names = factories.zip_names(data)
    name = names[index % len(names)]
    if copy:
        return factories.rezip(data, add=((name, factories.part(data, name)),))
    return factories.rezip(data, {name: None})


positions = st.lists(st.integers(0, 10**6), min_size=1, max_size=8)
pokes = st.builds(lambda a, w, v: ("poke", a, w, v), st.integers(0, 10**6), st.sampled_from([1, 2, 4, 8]),
                  st.sampled_from([0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF, 2**63]))
zip_mutations = st.one_of(
    st.builds(lambda p, m: ("flip", p, m), positions, st.integers(0, 255)),
    pokes,
    st.builds(lambda n: ("truncate", n), st.integers(0, 10**6)),
    st.builds(lambda i, a, c, s: ("mangle", i, a, c, s), st.integers(0, 20), st.integers(0, 10**5), st.integers(0, 50),
              st.sampled_from([b"", b"<", b">", b'"', b"&", b"\x00", b"</row>", b"<row>", b"<c>", b"]]>", b"\xff\xfe",
                               b'<c r="A1"><v>1</v></c>', b'<c r="ZZ99"><v>x</v></c>', b"&#0;", b"&bogus;",
                               b' r="XFD1048576"', b' uniqueCount="4000000000"', b"99999999999", b"<sheetData>",
                               b"<!DOCTYPE x>", b' table:number-rows-repeated="1048576"'])),
    st.builds(lambda i, c: ("part", i, c), st.integers(0, 20), st.booleans()),
    st.builds(lambda i, n: ("rename", i, n), st.integers(0, 3), st.one_of(st.text(max_size=40), weird_text)),
    st.builds(lambda s, o: ("shuffle", s, o), st.integers(0, 2), st.lists(st.integers(), min_size=1, max_size=30)),
)


def mutate(data: bytes, mutation: tuple) -> bytes:
    kind, *args = mutation
    if not data:
        return data
    if kind == "flip":
        return flip(data, *args)
    if kind == "truncate":
        return data[:args[0] % (len(data) + 1)]
    if kind == "poke":
        return poke(data, *args)
    surgery = {"mangle": mangle_part, "part": drop_or_copy_part, "rename": rename_sheet, "shuffle": shuffle_rows}[kind]
    try:
        return surgery(data, *args)
    except Exception:  # zipfile fails in many ways on a zip broken by an earlier mutation
        return data  # the surgery needs a zip that still opens; a broken one is tested as it is


@slow
@given(st.lists(zip_mutations, min_size=1, max_size=3))
def test_damaged_xlsx_workbooks_never_raise(mutations):
    data = good_xlsx()
    for mutation in mutations:
        data = mutate(data, mutation)
    check_all_the_way(data)


xls_mutations = st.one_of(
    st.builds(lambda p, m: ("flip", p, m), positions, st.integers(0, 255)),
    pokes,
    st.builds(lambda n: ("truncate", n), st.integers(0, 10**6)),
    st.builds(lambda a, c, s: ("splice", a, c, s), st.integers(0, 10**6), st.integers(0, 600), st.binary(max_size=64)),
)


@slow
@given(st.lists(xls_mutations, min_size=1, max_size=3))
def test_damaged_xls_workbooks_never_raise(mutations):
    data = good_xls()
    for kind, *args in mutations:
        if kind == "splice":
            at, cut, insert = args
            at %= len(data) + 1
            data = data[:at] + insert + data[at + cut:]
        else:
            data = mutate(data, (kind, *args))
    check_all_the_way(data, "HB.xls")


@slow
@given(st.binary(max_size=2_000), st.sampled_from(["HB.xlsx", "HB.xls", "HB.ods"]))
def test_arbitrary_bytes_never_raise(data, name):
    for head in (b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        check_all_the_way(head + data, name)


# --- conservation ---------------------------------------------------------------------------

UNITS = tuple(u.code for u in SETTINGS.units_in(2016))
ORG_INDICATORS = {ind.code: {label_key(t) for t in ind.org_types} for ind in SETTINGS.indicators if ind.org_types}


@cache
def base_raw(code: str) -> RawWorkbook:
    """The unit's good form with three organisations of each kind, as the reader returns it."""
    raw = read_bytes(factories.form_bytes(factories.good_form(code, party=3, unions=3, youth=3)), f"{code}.xlsx")
    assert isinstance(raw, RawWorkbook)
    return raw


def header_index(sheet: RawSheet, label: str) -> tuple[int, int]:
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and label_key(value) == label_key(label):
                return r, c
    raise AssertionError(label)


def variant(code: str, counts: tuple[int, int, int], lie: bool, name: str) -> RawWorkbook:
    """The unit's form keeping the first `counts` organisations of each kind, figures to match (or not)."""
    raw = base_raw(code)
    info, summary, listing = raw.sheets
    header, type_col = header_index(listing, "Loại tổ chức")
    kinds = ("Tổ chức đảng", "Công đoàn", "Đoàn thanh niên")
    kept, seen = [], Counter()
    for row in listing.rows[header + 1:]:
        kind = row[type_col]
        if kind in kinds and seen[kind] < counts[kinds.index(kind)]:
            seen[kind] += 1
            kept.append(row)
    code_row, code_col = header_index(summary, "Mã chỉ tiêu")
    _, actual_col = header_index(summary, "Thực hiện")
    figures = dict(zip(("TCD", "CD", "DTN"), counts, strict=False))
    if lie:
        figures["CD"] += 1
    rows = list(summary.rows)
    for r in range(code_row + 1, len(rows)):
        if rows[r][code_col] in figures:
            rows[r] = (*rows[r][:actual_col], float(figures[rows[r][code_col]]), *rows[r][actual_col + 1:])
    sheets = (info, dataclasses.replace(summary, rows=tuple(rows)),
              dataclasses.replace(listing, rows=listing.rows[:header + 1] + tuple(kept)))
    return RawWorkbook(name, f"{code}-{counts}-{lie}".ljust(64, "0"), sheets)


counts = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
unit_states = st.one_of(
    st.just(("missing",)),
    st.tuples(st.just("valid"), counts),
    st.tuples(st.just("lying"), counts),  # Biểu số 01 says one more trade union than the list
    st.just(("unreadable",)),
    st.tuples(st.just("copied"), counts),  # the same file sent twice: counted once
    st.tuples(st.just("twice"), counts, counts),  # two different workbooks for one unit
)


@slow
@given(st.fixed_dictionaries(dict.fromkeys(UNITS, unit_states)), st.randoms(use_true_random=False))
def test_every_row_is_counted_once_and_everything_left_out_is_reported(states, rng):
    subs, refusals = [], []
    for code, (state, *args) in states.items():
        name = f"2016/{code}.xlsx"
        if state == "unreadable":
            refusals.append(Refusal(name, "0" * 64, "tệp Excel bị hỏng hoặc không đọc được (phần nén ZIP của tệp bị hỏng)"))
        elif state in ("valid", "lying", "copied"):
            subs.append(parse_workbook(variant(code, args[0], state == "lying", name)))
            if state == "copied":
                subs.append(parse_workbook(variant(code, args[0], False, f"2016/ban-sao/{code}.xlsx")))
        elif state == "twice":
            subs.append(parse_workbook(variant(code, args[0], False, name)))
            other = args[1] if args[1] != args[0] else tuple(n + 1 for n in args[1])
            subs.append(parse_workbook(variant(code, other, False, f"2016/{code}-2.xlsx")))
    rng.shuffle(subs)

    validation = validate_year(2016, subs, refusals, SETTINGS)
    totals = aggregate(validation, {}, "không có", SETTINGS)
    report = json.loads(json.dumps(validation.report.as_dict(), ensure_ascii=False))

    expected = {code: "missing" if s[0] == "missing" else "valid" if s[0] in ("valid", "copied") else "invalid"
                for code, s in states.items()}
    assert validation.status == expected
    # every organisation row of every valid workbook, counted exactly once
    rows = [(sub.file, org.row, org.org_type) for code in validation.counted()
            for sub in [validation.submissions[code]] for org in sub.organisations]
    assert len(rows) == len(set(rows))
    for indicator, types in ORG_INDICATORS.items():
        listed = sum(label_key(t) in types for _, _, t in rows)
        assert totals.totals[indicator].actual == listed
        assert listed == sum(u.results[indicator].actual for u in totals.units if u.status == "valid")
    assert all(r.actual is None for u in totals.units if u.status != "valid" for r in u.results.values())
    for indicator in SETTINGS.indicators:  # and the other figures: the totals are the valid units' sum
        counted = [u.results[indicator.code].actual for u in totals.units if u.status == "valid"]
        assert totals.totals[indicator.code].actual == sum(counted)
    # every file and unit left out of the totals is in kiem-tra.json
    counted_files = {validation.submissions[code].file for code in validation.counted()}
    named_files = {i["file"] for i in report["issues"]}
    for sub in subs:
        if sub.file not in counted_files:
            assert sub.file in named_files, sub.file
    assert {r.path for r in refusals} <= named_files
    for code, status in validation.status.items():
        flagged = [i for i in report["issues"] if i["unit"] == code]
        if status == "invalid":
            assert any(i["severity"] == "error" for i in flagged), code
        if status == "missing":
            assert [i["rule"] for i in flagged] == ["not-submitted"], code
