"""Synthetic but realistic inputs for the benchmark: post-2025 communes.

`make_city(n, target)` writes a city of n communes, `make_nation(target)` the
country's 3,321 communes under its 34 provinces (units.yaml `groups`, each
unit's `parent`). Both write `target/config` (a copy of config/ with units,
targets, history and the year's notice numbers replaced) and
`target/input/<code>.xlsx` (one filled workbook per unit, written with
`write_form`). The workbooks validate with no error: tax codes are valid and
unique, the list of organisations matches the summary counts, dates fall in
the year.

Same call, same bytes. Every figure is drawn in this process from one
generator seeded by the parameters, in unit order; only the writing of the
workbooks (the slow part: about 50 ms each) is spread over a process pool, so
the scheduling cannot change a byte. A stamp file records the parameters and
a fingerprint of the generator (its sources, config/, openpyxl's version) with
the digest of every file written; a later call with the same fingerprint and
intact files reuses the data set instead of writing it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml
from openpyxl import load_workbook
from stdnum.vn import mst

from pipeline.core import layout
from pipeline.io.forms.data import FormData, IndicatorLine
from pipeline.io.forms.workbook import write_form
from pipeline.settings import load_settings
from pipeline.stable import workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
SAMPLE_INPUT = ROOT / "input" / "2016"
SAMPLE_YEAR = 2016
CITY_YEAR = 2025
SEED = 28_2025
NATION_SEED_STEP = 1_000_000  # a nation's seed never equals a city's
TAX_PREFIX = "02"
NATION_UNITS = 3321
NATION_PROVINCES = 34
STAMP = "bench-data.json"
# The code that decides a data set's bytes: with config/ and openpyxl's version, its fingerprint.
GENERATOR_SOURCES = (Path(__file__).resolve(), *tuple(sorted((ROOT / "pipeline" / "io" / "forms").glob("*.py"))), *tuple(ROOT / "pipeline" / name for name in ("core/layout.py", "stable.py")), *tuple(sorted((ROOT / "pipeline" / "settings").glob("*.py"))))
CHUNK = 8  # workbooks per task sent to a worker

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
# Syllables for a country, which needs more commune names than SYLLABLES' 1,980 pairs.
MORE_SYLLABLES = (
    "Gia", "Yên", "Lộc", "Khánh", "Châu", "Lâm", "Phong", "Định", "Nghĩa", "Hiệp",
    "Thắng", "Lương", "Điền", "Cẩm", "Hoàng", "Khê", "Vân", "Mai", "Quỳnh", "Triệu",
)
# The 34 provinces and centrally-run cities since 1 July 2025, in the order of the
# resolution that formed them, with their number of communes (xã, phường, đặc
# khu; 3,321 in all), the weights by which a synthetic country is shared out.
PROVINCES = (
    ("HNI", "Hà Nội", "thành phố", 126), ("HUE", "Huế", "thành phố", 40),
    ("LCU", "Lai Châu", "tỉnh", 38), ("DBN", "Điện Biên", "tỉnh", 45),
    ("SLA", "Sơn La", "tỉnh", 75), ("LSN", "Lạng Sơn", "tỉnh", 65),
    ("QNH", "Quảng Ninh", "tỉnh", 54), ("THA", "Thanh Hóa", "tỉnh", 166),
    ("NAN", "Nghệ An", "tỉnh", 130), ("HTH", "Hà Tĩnh", "tỉnh", 69),
    ("CBG", "Cao Bằng", "tỉnh", 56), ("TQG", "Tuyên Quang", "tỉnh", 124),
    ("LCI", "Lào Cai", "tỉnh", 99), ("TNN", "Thái Nguyên", "tỉnh", 92),
    ("PTO", "Phú Thọ", "tỉnh", 148), ("BNH", "Bắc Ninh", "tỉnh", 99),
    ("HYN", "Hưng Yên", "tỉnh", 104), ("HPG", "Hải Phòng", "thành phố", 114),
    ("NBH", "Ninh Bình", "tỉnh", 129), ("QTI", "Quảng Trị", "tỉnh", 78),
    ("DNG", "Đà Nẵng", "thành phố", 94), ("QNI", "Quảng Ngãi", "tỉnh", 96),
    ("GLI", "Gia Lai", "tỉnh", 135), ("KHA", "Khánh Hòa", "tỉnh", 65),
    ("LDG", "Lâm Đồng", "tỉnh", 124), ("DLK", "Đắk Lắk", "tỉnh", 102),
    ("HCM", "Hồ Chí Minh", "thành phố", 168), ("DNI", "Đồng Nai", "tỉnh", 95),
    ("TNH", "Tây Ninh", "tỉnh", 96), ("CTO", "Cần Thơ", "thành phố", 103),
    ("VLG", "Vĩnh Long", "tỉnh", 124), ("DTP", "Đồng Tháp", "tỉnh", 102),
    ("CMU", "Cà Mau", "tỉnh", 64), ("AGG", "An Giang", "tỉnh", 102),
)
# A national data set is issued from the centre: settings.yaml keys replaced.
NATIONAL_ORGANISATION = {"superior_body": "BAN CHẤP HÀNH TRUNG ƯƠNG", "place": "Hà Nội",
                         "scope": "toàn quốc", "agency": "Ban Tổ chức Trung ương"}
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
    """n distinct two-syllable place names ("Tân Hưng", "Vĩnh Bảo"…).

    Up to 1,980 names come from SYLLABLES alone (the draws, hence the smaller
    data sets, stay what they were); a country takes MORE_SYLLABLES as well.
    """
    for syllables in (SYLLABLES, SYLLABLES + MORE_SYLLABLES):
        pairs = [f"{a} {b}" for a in syllables for b in syllables if a != b]
        if n <= len(pairs):
            return rng.sample(pairs, n)
    raise ValueError(f"at most {len(pairs)} distinct commune names, {n} asked")


def draw_tax_code(rng: random.Random, prefix: str) -> str:
    """A random 10-digit MST registered under `prefix`, with a valid check digit."""
    while True:
        body = prefix + f"{rng.randrange(1, 10**7):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check


class Enterprises:
    """Distinct enterprises (name, legal form, unique valid tax code) across the data set."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.codes: set[str] = set()

    def tax_code(self, prefix: str = TAX_PREFIX) -> str:
        while True:
            code = draw_tax_code(self.rng, prefix)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def new(self, prefix: str = TAX_PREFIX) -> tuple[str, str, str]:
        while True:
            form = self.rng.choice(list(FORMS))
            sector = "" if form == "Doanh nghiệp tư nhân" else self.rng.choice(SECTORS) + " "
            name = " ".join(self.rng.sample(SYLLABLES, 2))
            full = f"{FORMS[form]} {sector}{name}"
            if full not in self.names:
                self.names.add(full)
                return full, form, self.tax_code(prefix)


# --- units and provinces -----------------------------------------------------------


def share_out(n: int, weights: list[int]) -> list[int]:
    """n split in proportion to weights (largest remainders), every share at least 1."""
    if n < len(weights):
        raise ValueError(f"{n} units cannot fill {len(weights)} groups")
    total = sum(weights)
    exact = [divmod(n * w, total) for w in weights]
    shares = [whole for whole, _ in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-exact[i][1], i))
    for i in by_remainder[: n - sum(shares)]:
        shares[i] += 1
    for i, share in enumerate(shares):  # a tiny province still gets its commune
        if share == 0:
            shares[max(range(len(shares)), key=lambda j: (shares[j], -j))] -= 1
            shares[i] = 1
    return shares


def _provinces(count: int) -> list[dict]:
    if not 1 <= count <= len(PROVINCES):
        raise ValueError(f"provinces must be between 1 and {len(PROVINCES)}, not {count}")
    return [{"code": code, "name": name, "level": level} for code, name, level, _ in PROVINCES[:count]]


def _units(n: int, rng: random.Random, groups: list[dict]) -> list[dict]:
    """The communes, a quarter of them wards; with groups, shared out among them in order."""
    names = iter(commune_names(n, rng))
    width = max(3, len(str(n)))
    sizes = share_out(n, [weight for *_, weight in PROVINCES[: len(groups)]]) if groups else [n]
    units = []
    for group, size in zip(groups or [None], sizes, strict=False):
        urban = max(1, size // 4)
        for k in range(size):
            name, level = next(names), "phường" if k < urban else "xã"
            unit = {"code": f"X{len(units) + 1:0{width}d}", "name": name, "level": level,
                    "party_body": f"Đảng ủy {level} {name}"}
            if group:
                unit["parent"] = group["code"]
            units.append(unit)
    return units


def _plans(units: list[dict], rng: random.Random) -> dict[str, dict[str, int]]:
    return {u["code"]: {"TCD": rng.randint(0, 2), "CD": rng.randint(1, 5), "DTN": rng.randint(0, 2)} for u in units}


def _organisations(counts: dict[str, int], year: int, firms: Enterprises, rng: random.Random,
                   prefix: str = TAX_PREFIX) -> list[dict]:
    rows = []
    for org_type, number, (low, high) in ORG_KINDS:
        for _ in range(counts[org_type]):
            firm = firms.new(prefix)
            rows.append({
                "enterprise": firm[0], "tax_code": firm[2], "legal_form": firm[1], "org_type": org_type,
                "decision_no": number.format(n=rng.randrange(12, 480)),
                "decision_date": dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330)),
                "members": rng.randint(low, high),
            })
    return sorted(rows, key=lambda r: (r["decision_date"], r["enterprise"]))


# --- config -------------------------------------------------------------------------


def _edit(text: str, pattern: str, replace: Callable[[re.Match], str]) -> str:
    """One line of settings.yaml rewritten; a line that moved fails loudly, never silently."""
    text, count = re.subn(pattern, replace, text, count=1, flags=re.M)
    if count != 1:
        raise ValueError(f"config/settings.yaml: no line matches {pattern!r}")
    return text


def _settings_text(text: str, national: bool) -> str:
    text = _edit(text, r"^unit_levels: \[(.*)\]$", lambda m: f"unit_levels: [{m[1]}, xã, phường]")
    if national:
        for key, value in NATIONAL_ORGANISATION.items():
            text = _edit(text, rf"^(\s+{key}: ).*$", lambda m, value=value: m[1] + value)
    return text


def _write_config(target: Path, units: list[dict], year: int, rng: random.Random, groups: list[dict]) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(CONFIG, target, ignore=shutil.ignore_patterns("years"))
    (target / "years").mkdir()
    settings = (target / "settings.yaml").read_text(encoding="utf-8")
    (target / "settings.yaml").write_text(_settings_text(settings, bool(groups)), encoding="utf-8")

    def dump(name: str, data: object) -> None:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
        (target / name).write_text(text, encoding="utf-8")

    dump("units.yaml", {"groups": groups, "units": units} if groups else {"units": units})
    dump("targets.yaml", {"years": {year: _plans(units, rng), year + 1: _plans(units, rng)}})
    history = {u["code"]: {"TCD": rng.randint(0, 2), "CD": rng.randint(0, 6), "DTN": rng.randint(0, 2)} for u in units}
    dump("history.yaml", {"years": {year - 1: history}})
    documents = yaml.safe_load((CONFIG / "years" / f"{SAMPLE_YEAR}.yaml").read_text(encoding="utf-8"))
    documents["date"] = dt.date(year, 12, 29)
    documents["deadline"] = dt.date(year, 12, 15)
    documents["notices"]["numbers"] = {}
    dump(f"years/{year}.yaml", documents)


# --- workbooks ------------------------------------------------------------------------


def _forms(config: Path, year: int, rng: random.Random, prefixes: dict[str, str]) -> list[FormData]:
    """Every unit's filled workbook, drawn in unit order from the one generator."""
    settings = load_settings(config)
    firms = Enterprises(rng)
    title = settings.general.organisation.unit_title
    forms = []
    for unit in settings.units_in(year):
        counts = {"Tổ chức đảng": rng.randint(0, 3), "Công đoàn": rng.randint(0, 8),
                  "Đoàn thanh niên": rng.randint(0, 2), "Hội thanh niên": rng.randint(0, 1)}
        rows = _organisations(counts, year, firms, rng, prefixes.get(unit.parent or "", TAX_PREFIX))
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
        forms.append(FormData(unit_name=unit.title(title), unit_code=unit.code, year=year, indicators=lines,
                              organisations=tuple(rows), prepared_on=dt.date(year, 12, rng.randint(5, 14)),
                              preparer=rng.choice(PREPARERS), phone=f"0225.3{rng.randrange(10**5, 10**6)}"))
    return forms


def _write_one(task: tuple[FormData, Path]) -> None:
    data, path = task
    write_form(data, path)


def _write_forms(forms: list[FormData], folder: Path, jobs: int | None) -> None:
    """Write the workbooks, in a pool of forked workers when there are several cores."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    tasks = [(data, folder / f"{data.unit_code}.xlsx") for data in forms]
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(tasks)))
    print(f"  ghi {len(tasks)} biểu mẫu ({jobs} tiến trình)…", flush=True)
    if jobs == 1:
        _count(map(_write_one, tasks), len(tasks))
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            _count(pool.imap_unordered(_write_one, tasks, chunksize=CHUNK), len(tasks))


def _count(written: Iterator[None], total: int) -> None:
    """Wait for every workbook, saying how far it got every tenth."""
    step, start = max(1, total // 10), time.perf_counter()
    for done, _ in enumerate(written, start=1):
        if done % step == 0 or done == total:
            print(f"  đã ghi {done}/{total} biểu mẫu ({time.perf_counter() - start:.0f} s)", flush=True)


# --- the cache ---------------------------------------------------------------------------


def _fingerprint(params: dict) -> str:
    """What the bytes depend on: the parameters, the generator's code, config/, openpyxl."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    digest.update(openpyxl.__version__.encode())
    for path in (*GENERATOR_SOURCES, *sorted(p for p in CONFIG.rglob("*") if p.is_file())):
        digest.update(b"\0" + path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _contents(target: Path) -> dict[str, str]:
    """The SHA-256 of every file of a data set (the stamp aside), by relative path."""
    return {p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(target.rglob("*")) if p.is_file() and p.name != STAMP}


def _reusable(target: Path, fingerprint: str) -> bool:
    try:
        stamp = json.loads((target / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp.get("fingerprint") == fingerprint and stamp.get("files") == _contents(target)


def _make(n: int, target: Path, year: int, provinces: int, jobs: int | None) -> Dataset:
    params = {"n": n, "provinces": provinces, "year": year, "seed": SEED}
    dataset = Dataset(n, year, target / "config", target / "input")
    fingerprint = _fingerprint(params)
    if _reusable(target, fingerprint):
        print(f"  dùng lại dữ liệu đã tạo trong {target}", flush=True)
        return dataset
    (target / STAMP).unlink(missing_ok=True)  # written last: an interrupted run leaves none
    rng = random.Random(SEED + n + NATION_SEED_STEP * provinces)
    groups = _provinces(provinces) if provinces else []
    units = _units(n, rng, groups)
    _write_config(dataset.config, units, year, rng, groups)
    prefixes = {g["code"]: f"{i:02d}" for i, g in enumerate(groups, start=1)}  # an MST's first digits: the province
    _write_forms(_forms(dataset.config, year, rng, prefixes), dataset.input, jobs)
    stamp = {"params": params, "fingerprint": fingerprint, "files": _contents(target)}
    (target / STAMP).write_text(json.dumps(stamp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return dataset


def make_city(n: int, target: Path, year: int = CITY_YEAR, *, jobs: int | None = None) -> Dataset:
    """A synthetic city of n communes in target/{config,input}; same n, same bytes."""
    return _make(n, target, year, 0, jobs)


def make_nation(target: Path, n: int = NATION_UNITS, provinces: int = NATION_PROVINCES,
                year: int = CITY_YEAR, *, jobs: int | None = None) -> Dataset:
    """The country: n communes shared out among the first `provinces` of PROVINCES.

    units.yaml lists the provinces as `groups` (thành phố or tỉnh) and names
    each commune's `parent`; unit names are unique in the country; the
    documents are issued from the centre (NATIONAL_ORGANISATION).
    """
    return _make(n, target, year, provinces, jobs)


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
