"""Build the shipped sample: one filled 2016 workbook per unit in input/2016/.

The figures below model Hải Phòng's 15 district-level units in 2016 and sum to
the real report's: 26 Party organisations of 40 planned, 170 trade unions of
77, 33 youth organisations of 25. Enterprise names, tax codes and decisions are
invented but realistic, drawn from a seeded generator so the files are the same
on every run. Plans come from config/targets.yaml. Run with `make sample`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from pipeline.io.forms.data import FormData, IndicatorLine
from pipeline.io.forms.workbook import write_form
from pipeline.settings import Settings, load_settings
from tests.bench.data import FORMS, SECTORS, draw_tax_code

YEAR = 2016
# Results per unit: founded Party orgs, trade unions, youth orgs (Đoàn, Hội).
RESULTS = {
    "HB": (2, 14, (2, 1)), "NQ": (3, 18, (3, 1)), "LC": (4, 20, (2, 1)),
    "HA": (3, 16, (2, 1)), "KA": (1, 8, (1, 0)), "DS": (0, 4, (1, 0)),
    "DK": (1, 7, (1, 1)), "TN": (4, 22, (3, 1)), "AD": (3, 20, (2, 1)),
    "AL": (1, 10, (1, 1)), "KT": (1, 9, (2, 0)), "TL": (1, 9, (1, 1)),
    "VB": (2, 10, (2, 0)), "CH": (0, 3, (1, 0)), "BLV": (0, 0, (0, 0)),
}
PROVINCE_TAX_PREFIX = "02"
NAMES = (
    "Minh Phát", "Hoàng Long", "Thành Đạt", "An Phú", "Đại Dương", "Hải Âu", "Việt Hưng",
    "Phúc Thịnh", "Tân Cảng", "Bạch Đằng", "Sao Đỏ", "Hưng Thịnh", "Quang Minh", "Trường Sơn",
    "Đông Hải", "Kim Long", "Bảo Ngọc", "Hòa Bình", "Thịnh Vượng", "Nam Triệu", "Lạch Tray",
    "Cầu Rào", "Đình Vũ", "Vạn Xuân", "Thái Sơn", "Hồng Hà", "Duyên Hải", "Nhật Quang",
)
PREPARERS = ("Nguyễn Văn Hùng", "Trần Thị Lan", "Phạm Minh Tuấn", "Vũ Thị Hoa", "Đỗ Quang Huy")


def tax_code(rng: random.Random) -> str:
    """A 10-digit MST with a valid check digit, registered in the province."""
    return draw_tax_code(rng, PROVINCE_TAX_PREFIX)


class Enterprises:
    """Hands out distinct enterprises (name, form, tax code) across the city."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> tuple[str, str, str]:
        while True:
            form = self.rng.choice(list(FORMS))
            prefix = FORMS[form]
            name = self.rng.choice(NAMES)
            sector = "" if form == "Doanh nghiệp tư nhân" else self.rng.choice(SECTORS) + " "
            full = f"{prefix} {sector}{name}"
            if full not in self.used:
                self.used.add(full)
                return full, form, tax_code(self.rng)


def organisations(code: str, level: str, counts, firms: Enterprises, rng: random.Random) -> list[dict]:
    party, unions, (youth_union, youth_assoc) = counts
    committee = "QU" if level == "quận" else "HU"
    plan = (
        [("Tổ chức đảng", lambda n: f"{n}-QĐ/{committee}", (3, 9))] * party
        + [("Công đoàn", lambda n: f"{n}/QĐ-LĐLĐ", (10, 180))] * unions
        + [("Đoàn thanh niên", lambda n: f"{n}-QĐ/ĐTN", (10, 60))] * youth_union
        + [("Hội thanh niên", lambda n: f"{n}/QĐ-HTN", (10, 40))] * youth_assoc
    )
    rows = []
    pool: list[tuple[str, str, str]] = []
    for org_type, number, (low, high) in plan:
        # Some enterprises found more than one kind of organisation in a year.
        reuse = [f for f in pool if not any(r["enterprise"] == f[0] and r["org_type"] == org_type for r in rows)]
        firm = rng.choice(reuse) if reuse and rng.random() < 0.3 else firms.new()
        pool.append(firm)
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(0, 340))
        rows.append({
            "enterprise": firm[0], "tax_code": firm[2], "legal_form": firm[1], "org_type": org_type,
            "decision_no": number(rng.randrange(12, 480)), "decision_date": day,
            "members": rng.randint(low, high),
        })
    return sorted(rows, key=lambda r: (r["decision_date"], r["enterprise"]))


def unit_form(settings: Settings, code: str, firms: Enterprises, rng: random.Random) -> FormData:
    unit = settings.unit(code)
    rows = organisations(code, unit.level, RESULTS[code], firms, rng)
    plan = settings.targets[YEAR][code]
    members = {
        "DV": RESULTS[code][0] * 3 + rng.randint(2, 15),
        "DVCD": sum(r["members"] for r in rows if r["org_type"] == "Công đoàn") + rng.randint(0, 40),
        "DVTN": sum(r["members"] for r in rows if r["org_type"].endswith("thanh niên")) + rng.randint(0, 20),
    }
    lines = []
    for ind in settings.indicators:
        actual = sum(r["org_type"] in ind.org_types for r in rows) if ind.has_plan else members[ind.code]
        lines.append(IndicatorLine(ind.code, ind.name, ind.measure, plan.get(ind.code), actual))
    return FormData(
        unit_name=unit.title(settings.general.organisation.unit_title),
        unit_code=code,
        year=YEAR,
        indicators=tuple(lines),
        organisations=tuple(rows),
        prepared_on=dt.date(YEAR, 12, rng.randint(8, 14)),
        preparer=rng.choice(PREPARERS),
        phone=f"0225.3{rng.randrange(10**5, 10**6)}",
    )


def build(config: Path, target: Path) -> list[Path]:
    settings = load_settings(config)
    rng = random.Random(28_2016)
    firms = Enterprises(rng)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for code in RESULTS:
        path = target / f"{code}.xlsx"
        write_form(unit_form(settings, code, firms, rng), path)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--output", type=Path, default=Path("input") / str(YEAR))
    args = parser.parse_args()
    for path in build(args.config, args.output):
        print(path)


if __name__ == "__main__":
    main()
