"""Synthetic but realistic inputs for the benchmark: a post-2025 city of communes.

`make_city(n, target)` writes `target/config` (a copy of config/ with units,
targets, history and the year's notice numbers replaced) and
`target/input/<code>.xlsx` (one filled workbook per unit, written with
`write_form`). Everything is drawn from a generator seeded by the number of
units, so the same call writes byte-identical files on every run. The
workbooks validate with no error: tax codes are valid and unique, the list of
organisations matches the summary counts, dates fall in the year.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from openpyxl import load_workbook
from stdnum.vn import mst

from pipeline.core import layout
from pipeline.io.forms import FormData, IndicatorLine, write_form
from pipeline.settings import load_settings
from pipeline.stable import workbook_bytes

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
SAMPLE_INPUT = ROOT / "input" / "2016"
SAMPLE_YEAR = 2016
CITY_YEAR = 2025
SEED = 28_2025
TAX_PREFIX = "02"

SYLLABLES = (
    "An", "Bình", "Hòa", "Tân", "Phú", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Long",
    "Vĩnh", "Quang", "Thái", "Hải", "Kiến", "Thủy", "Tiên", "Minh", "Đức", "Phúc", "Lạc",
    "Thịnh", "Trung", "Sơn", "Hà", "Ngọc", "Xuân", "Cát", "Đồng", "Lợi", "Thuận", "Hợp",
    "Tiến", "Thành", "Mỹ", "Bảo", "Kim", "Lãng", "Dương", "Lão", "Hồng", "Việt", "Quyết",
)
SECTORS = (
    "Thương mại và Dịch vụ", "Xây dựng", "Vận tải biển", "Cơ khí", "Chế biến Thủy sản",
    "Logistics", "Giày da", "May mặc", "Đóng tàu", "Vật liệu Xây dựng", "Điện tử",
    "Du lịch", "Nhựa", "Thực phẩm", "Kho vận", "Xuất nhập khẩu", "Thép", "Bao bì",
)
FORMS = {
    "Công ty TNHH một thành viên": "Công ty TNHH MTV",
    "Công ty TNHH hai thành viên trở lên": "Công ty TNHH",
    "Công ty cổ phần": "Công ty Cổ phần",
    "Doanh nghiệp tư nhân": "Doanh nghiệp tư nhân",
}
PREPARERS = ("Nguyễn Văn Hùng", "Trần Thị Lan", "Phạm Minh Tuấn", "Vũ Thị Hoa", "Đỗ Quang Huy", "Lê Thị Mai")
ORG_KINDS = (  # organisation type, decision number pattern, members range
    ("Tổ chức đảng", "{n}-QĐ/ĐU", (3, 9)),
    ("Công đoàn", "{n}/QĐ-LĐLĐ", (10, 120)),
    ("Đoàn thanh niên", "{n}-QĐ/ĐTN", (10, 50)),
    ("Hội thanh niên", "{n}/QĐ-HTN", (10, 40)),
)


@dataclass(frozen=True)
class Dataset:
    scale: int
    year: int
    config: Path
    input: Path


def commune_names(n: int, rng: random.Random) -> list[str]:
    """n distinct two-syllable place names ("Tân Hưng", "Vĩnh Bảo"…)."""
    pairs = [f"{a} {b}" for a in SYLLABLES for b in SYLLABLES if a != b]
    return rng.sample(pairs, n)


def draw_tax_code(rng: random.Random, prefix: str) -> str:
    """A random 10-digit MST registered under `prefix`, with a valid check digit."""
    while True:
        body = prefix + f"{rng.randrange(1, 10**7):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check


class Enterprises:
    """Distinct enterprises (name, legal form, unique valid tax code) across the city."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.codes: set[str] = set()

    def tax_code(self) -> str:
        while True:
            code = draw_tax_code(self.rng, TAX_PREFIX)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def new(self) -> tuple[str, str, str]:
        while True:
            form = self.rng.choice(list(FORMS))
            sector = "" if form == "Doanh nghiệp tư nhân" else self.rng.choice(SECTORS) + " "
            name = " ".join(self.rng.sample(SYLLABLES, 2))
            full = f"{FORMS[form]} {sector}{name}"
            if full not in self.names:
                self.names.add(full)
                return full, form, self.tax_code()


def _units(n: int, rng: random.Random) -> list[dict]:
    urban = max(1, n // 4)  # about a quarter are wards
    units = []
    for i, name in enumerate(commune_names(n, rng)):
        level = "phường" if i < urban else "xã"
        units.append({"code": f"X{i + 1:03d}", "name": name, "level": level,
                      "party_body": f"Đảng ủy {level} {name}"})
    return units


def _plans(units: list[dict], rng: random.Random) -> dict[str, dict[str, int]]:
    return {u["code"]: {"TCD": rng.randint(0, 2), "CD": rng.randint(1, 5), "DTN": rng.randint(0, 2)} for u in units}


def _organisations(counts: dict[str, int], year: int, firms: Enterprises, rng: random.Random) -> list[dict]:
    rows = []
    for org_type, number, (low, high) in ORG_KINDS:
        for _ in range(counts[org_type]):
            firm = firms.new()
            rows.append({
                "enterprise": firm[0], "tax_code": firm[2], "legal_form": firm[1], "org_type": org_type,
                "decision_no": number.format(n=rng.randrange(12, 480)),
                "decision_date": dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330)),
                "members": rng.randint(low, high),
            })
    return sorted(rows, key=lambda r: (r["decision_date"], r["enterprise"]))


def _write_config(target: Path, units: list[dict], year: int, rng: random.Random) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(CONFIG, target, ignore=shutil.ignore_patterns("years"))
    (target / "years").mkdir()
    settings = (target / "settings.yaml").read_text(encoding="utf-8")
    settings = re.sub(r"^unit_levels: \[(.*)\]$", r"unit_levels: [\1, xã, phường]", settings, flags=re.M)
    (target / "settings.yaml").write_text(settings, encoding="utf-8")

    def dump(name: str, data: object) -> None:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
        (target / name).write_text(text, encoding="utf-8")

    dump("units.yaml", {"units": units})
    dump("targets.yaml", {"years": {year: _plans(units, rng), year + 1: _plans(units, rng)}})
    history = {u["code"]: {"TCD": rng.randint(0, 2), "CD": rng.randint(0, 6), "DTN": rng.randint(0, 2)} for u in units}
    dump("history.yaml", {"years": {year - 1: history}})
    documents = yaml.safe_load((CONFIG / "years" / f"{SAMPLE_YEAR}.yaml").read_text(encoding="utf-8"))
    documents["date"] = dt.date(year, 12, 29)
    documents["deadline"] = dt.date(year, 12, 15)
    documents["notices"]["numbers"] = {}
    dump(f"years/{year}.yaml", documents)


def make_city(n: int, target: Path, year: int = CITY_YEAR) -> Dataset:
    """Write a synthetic city of n communes into target/{config,input}; same n, same bytes."""
    rng = random.Random(SEED + n)
    units = _units(n, rng)
    config, inputs = target / "config", target / "input"
    _write_config(config, units, year, rng)
    settings = load_settings(config)
    if inputs.exists():
        shutil.rmtree(inputs)
    inputs.mkdir(parents=True)
    firms = Enterprises(rng)
    title = settings.general.organisation.unit_title
    for unit in settings.units_in(year):
        counts = {"Tổ chức đảng": rng.randint(0, 3), "Công đoàn": rng.randint(0, 8),
                  "Đoàn thanh niên": rng.randint(0, 2), "Hội thanh niên": rng.randint(0, 1)}
        rows = _organisations(counts, year, firms, rng)
        plan = settings.targets[year][unit.code]
        members = {
            "DV": counts["Tổ chức đảng"] * 3 + rng.randint(2, 15),
            "DVCD": sum(r["members"] for r in rows if r["org_type"] == "Công đoàn") + rng.randint(0, 40),
            "DVTN": sum(r["members"] for r in rows if r["org_type"].endswith("thanh niên")) + rng.randint(0, 20),
        }
        lines = tuple(
            IndicatorLine(ind.code, ind.name, ind.measure, plan.get(ind.code),
                          sum(r["org_type"] in ind.org_types for r in rows) if ind.has_plan else members[ind.code])
            for ind in settings.indicators)
        data = FormData(unit_name=unit.title(title), unit_code=unit.code, year=year, indicators=lines,
                        organisations=tuple(rows), prepared_on=dt.date(year, 12, rng.randint(5, 14)),
                        preparer=rng.choice(PREPARERS), phone=f"0225.3{rng.randrange(10**5, 10**6)}")
        write_form(data, inputs / f"{unit.code}.xlsx")
    return Dataset(n, year, config, inputs)


def sample_city(target: Path) -> Dataset:
    """The shipped 15-unit sample (config/ and input/2016), copied into target."""
    for src, name in ((CONFIG, "config"), (SAMPLE_INPUT, "input")):
        if (target / name).exists():
            shutil.rmtree(target / name)
        shutil.copytree(src, target / name)
    return Dataset(15, SAMPLE_YEAR, target / "config", target / "input")


def bump_figure(path: Path, code: str = "DVCD") -> None:
    """One late correction: the workbook's `code` actual + 1 (DVCD has no list to match)."""
    book = load_workbook(path)
    sheet = book[layout.SUMMARY_SHEET]
    header = next(r for r in sheet.iter_rows() if any(c.value == "Thực hiện" for c in r))
    column = next(c.column for c in header if c.value == "Thực hiện")
    row = next(r for r in sheet.iter_rows(min_row=header[0].row + 1) if any(c.value == code for c in r))
    cell = sheet.cell(row=row[0].row, column=column)
    cell.value = int(cell.value) + 1
    path.write_bytes(workbook_bytes(book))
