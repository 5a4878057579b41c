"""Small factories for workbooks and configs built in memory (no binary fixtures).

`good_form()` is a valid submission for unit HB of the sample config; tests
change what they need with `dataclasses.replace` or by editing the openpyxl
workbook that `form_workbook()` returns, then save with `save()`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import warnings
import zipfile
import zlib
from pathlib import Path

import openpyxl
from stdnum.vn import mst

from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.submission import Submission
from pipeline.io.excel import read_workbook
from pipeline.io.forms.data import FormData, IndicatorLine
from pipeline.io.forms.workbook import write_form
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
SAMPLE_INPUT = ROOT / "input"


def settings() -> Settings:
    return load_settings(CONFIG)


def tax_code(seed: int) -> str:
    """A valid 10-digit MST derived from a number."""
    n = seed
    while True:
        body = f"02{n % 10**7:07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1 and body[2:] != "0000000":
            return body + check
        n += 1


def org(kind: str, n: int, year: int = 2016, salt: int = 0, **changes) -> dict:
    """One organisation row; `salt` keeps enterprises of different units apart."""
    row = {
        "enterprise": f"Công ty TNHH Thương mại {kind} số {salt}-{n}",
        "tax_code": tax_code(1000 + salt * 10_000 + n * 7 + len(kind)),
        "legal_form": "Công ty TNHH hai thành viên trở lên",
        "org_type": kind,
        "decision_no": f"{n}-QĐ/QU",
        "decision_date": dt.date(year, 3, 1 + n % 27),
        "members": 5 + n,
    }
    row.update(changes)
    return row


def good_form(code: str = "HB", year: int = 2016, party: int = 2, unions: int = 3, youth: int = 1) -> FormData:
    """A valid submission: the list matches the summary, plans match the config."""
    cfg = settings()
    plans = cfg.targets.get(year, {}).get(code, {})
    salt = zlib.crc32(code.encode()) % 997
    orgs = (
        [org("Tổ chức đảng", i, year, salt) for i in range(party)]
        + [org("Công đoàn", 100 + i, year, salt) for i in range(unions)]
        + [org("Đoàn thanh niên", 200 + i, year, salt) for i in range(youth)]
    )
    actual = {"TCD": party, "CD": unions, "DTN": youth, "DV": 7, "DVCD": 120, "DVTN": 30}
    lines = tuple(
        IndicatorLine(i.code, i.name, i.measure, plans.get(i.code), actual[i.code]) for i in cfg.indicators
    )
    unit = cfg.unit(code)
    name = unit.title(cfg.general.organisation.unit_title) if unit else code
    return FormData(name, code, year, lines, tuple(orgs), dt.date(year, 12, 10), "Nguyễn Văn A", "0225.3123456")


def replace(form: FormData, **changes) -> FormData:
    return dataclasses.replace(form, **changes)


def form_bytes(form: FormData) -> bytes:
    buffer = io.BytesIO()
    write_form(form, buffer)
    return buffer.getvalue()


def form_workbook(form: FormData) -> openpyxl.Workbook:
    """The form as an openpyxl workbook, to mess up the way clerks do."""
    return openpyxl.load_workbook(io.BytesIO(form_bytes(form)))


def save(book: openpyxl.Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write(form: FormData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_form(form, path)
    return path


def parse_file(path: Path, name: str | None = None) -> Submission:
    raw = read_workbook(path, name or path.name)
    assert not hasattr(raw, "reason"), getattr(raw, "reason", "")
    return parse_workbook(raw)


def restate_year(path: Path, year: int | str) -> Path:
    """Change the workbook's «Năm báo cáo» as a clerk would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book["ThongTin"]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "Năm báo cáo":
                sheet.cell(row=cell.row, column=cell.column + 1).value = year
    book.save(path)
    return path


def copy_sample(target: Path) -> Path:
    """A private copy of the shipped sample input folder."""
    shutil.copytree(SAMPLE_INPUT, target)
    return target


def flatten(issues) -> set[tuple[str, str, str]]:
    """Issues as (rule, sheet, cell), the shape validation tests assert on."""
    return {(i.rule, i.sheet, i.cell) for i in issues}


def xls_bytes(form: FormData) -> bytes:
    """The same form saved as a legacy .xls (Excel 97-2003) workbook, via xlwt."""
    return xls_of(form_workbook(form))


def xls_of(source: openpyxl.Workbook) -> bytes:
    """The visible sheets' values of an openpyxl workbook saved as a legacy .xls, via xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for ws in source.worksheets:
        if ws.sheet_state != "visible":
            continue
        sheet = book.add_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    sheet.write(cell.row - 1, cell.column - 1, cell.value, date_style)
                else:
                    sheet.write(cell.row - 1, cell.column - 1, cell.value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted_bytes(form: FormData, password: str = "matkhau") -> bytes:
    """The form as a password-protected (encrypted) .xlsx, via msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain, encrypted = io.BytesIO(form_bytes(form)), io.BytesIO()
    OOXMLFile(plain).encrypt(password, encrypted)
    return encrypted.getvalue()


# --- a config whose units are grouped (communes under provinces) -------------------

GROUPS = (
    {"code": "P01", "name": "Hải Phòng", "level": "thành phố", "units": ("HB", "NQ", "LC")},
    {"code": "P02", "name": "Quảng Ninh", "level": "tỉnh", "units": ("TN", "AD", "AL")},
)
GROUPED_UNITS = tuple(code for g in GROUPS for code in g["units"])


def grouped_config(target: Path, max_unit_rows: int = 3, parents: dict[str, str] | None = None) -> Path:
    """The sample config cut to six units in two groups, with `report.max_unit_rows_in_pdf` set.

    `parents` overrides a unit's group (unit code → group code), to test a wrong one.
    """
    shutil.copytree(CONFIG, target)
    parent = {code: g["code"] for g in GROUPS for code in g["units"]} | (parents or {})
    units = _yaml(target / "units.yaml")
    _dump(target / "units.yaml", {
        "groups": [{k: v for k, v in g.items() if k != "units"} for g in GROUPS],
        "units": [{**u, "parent": parent[u["code"]]} for u in units["units"] if u["code"] in parent],
    })
    for name in ("targets.yaml", "history.yaml"):
        data = _yaml(target / name)
        _dump(target / name, {"years": {year: {code: figures for code, figures in per_unit.items() if code in parent}
                                        for year, per_unit in data["years"].items()}})
    for path in (target / "years").glob("*.yaml"):
        docs = _yaml(path)
        docs["notices"]["numbers"] = {c: n for c, n in docs["notices"].get("numbers", {}).items() if c in parent}
        _dump(path, docs)
    settings_file = target / "settings.yaml"
    text = settings_file.read_text(encoding="utf-8")
    settings_file.write_text(text.replace("max_unit_rows_in_pdf: 200", f"max_unit_rows_in_pdf: {max_unit_rows}"),
                             encoding="utf-8")
    return target


def small_config(target: Path, codes: tuple[str, ...] = ("HB",)) -> Path:
    """The sample config cut to the units `codes`, for quick whole runs."""
    shutil.copytree(CONFIG, target)
    units = _yaml(target / "units.yaml")
    _dump(target / "units.yaml", {"units": [u for u in units["units"] if u["code"] in codes]})
    for name in ("targets.yaml", "history.yaml"):
        data = _yaml(target / name)
        _dump(target / name, {"years": {year: {code: figures for code, figures in per_unit.items() if code in codes}
                                        for year, per_unit in data["years"].items()}})
    for path in (target / "years").glob("*.yaml"):
        docs = _yaml(path)
        docs["notices"]["numbers"] = {c: n for c, n in docs["notices"].get("numbers", {}).items() if c in codes}
        _dump(path, docs)
    return target


def grouped_input(target: Path) -> Path:
    """The sample workbooks of the grouped config's six units."""
    for code in GROUPED_UNITS:
        (target / "2016").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE_INPUT / "2016" / f"{code}.xlsx", target / "2016" / f"{code}.xlsx")
    return target


def _yaml(path: Path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, data) -> None:
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- zip surgery, for hostile and mutated workbooks ----------------------------------


def rezip(data: bytes, change: dict | None = None, add: tuple[tuple[str, bytes], ...] = (),
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of a zip workbook with parts changed, removed or added.

    `change` maps a part name to new bytes, to a function of the old bytes, or
    to None (the part is dropped); `add` appends parts, even under a name that
    is already there.
    """
    change = change or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    missing = set(change) - set(source.namelist())
    assert not missing, f"no part {missing} to change"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted here
        for item in source.infolist():
            content = source.read(item)
            edit = change.get(item.filename, content)
            if edit is None:
                continue
            target.writestr(item.filename, edit(content) if callable(edit) else edit)
        for name, content in add:
            target.writestr(name, content)
    return buffer.getvalue()


def zip_names(data: bytes) -> list[str]:
    """The names of a zip workbook's parts, in order."""
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def part(data: bytes, name: str) -> bytes:
    """One part of a zip workbook, unpacked."""
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


def forge_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with the unpacked size of part `name` rewritten in both of its headers (no zip64)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out[info.header_offset + 22:info.header_offset + 26] = size.to_bytes(4, "little")
    end = data.rfind(b"PK\x05\x06")
    at = int.from_bytes(data[end + 16:end + 20], "little")
    while data[at:at + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = (int.from_bytes(data[at + k:at + k + 2], "little") for k in (28, 30, 32))
        if data[at + 46:at + 46 + name_len].decode() == name:
            out[at + 24:at + 28] = size.to_bytes(4, "little")
        at += 46 + name_len + extra_len + comment_len
    return bytes(out)
