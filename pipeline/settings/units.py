"""units.yaml, indicators.yaml, rules.yaml, targets.yaml and history.yaml."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from pipeline.expressions import OPERATORS, Expression, Value, parse_expression
from pipeline.settings.base import RULE_ID_PATTERN, UNIT_CODE_PATTERN, Addresses, Strict, Year, reject_duplicates
from pipeline.settings.general import MAX_FIGURE


class Unit(Strict):
    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    level: str
    party_body: str
    parent: str | None = None
    valid_from: Year | None = None
    valid_until: Year | None = None
    email: Addresses = ()  # where `make distribute SEND=1` sends the unit its documents

    def title(self, unit_title: str) -> str:
        """"Đảng bộ quận Hồng Bàng": the unit as an organisation."""
        return f"{unit_title} {self.full_name}"

    @property
    def full_name(self) -> str:
        """"quận Hồng Bàng", as the unit is named in running text."""
        return f"{self.level} {self.name}"

    def active_in(self, year: int) -> bool:
        return (self.valid_from or year) <= year <= (self.valid_until or year)


class Group(Strict):
    """The level above the units (a province above its communes): `parent` of a unit names one."""

    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    level: str

    @property
    def full_name(self) -> str:
        return f"{self.level} {self.name}"


class UnitsFile(Strict):
    groups: tuple[Group, ...] = ()
    units: tuple[Unit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> UnitsFile:
        reject_duplicates([g.code for g in self.groups], "groups", "mã nhóm")
        reject_duplicates([u.code for u in self.units], "units", "mã đơn vị")
        return self


class Indicator(Strict):
    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    measure: str
    has_plan: bool
    phrase: str
    # Other words the year's assessment uses for it ("cơ sở Đảng"): claims there are checked against it.
    mentions: tuple[Annotated[str, Field(min_length=1)], ...] = ()
    org_types: tuple[str, ...] = ()


class IndicatorsFile(Strict):
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> IndicatorsFile:
        reject_duplicates([i.code for i in self.indicators], "indicators", "mã chỉ tiêu")
        return self


# --- rules.yaml ----------------------------------------------------------------


class Rule(Strict):
    """left operator right over one submission's figures (DHIS2-style)."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    left: str
    operator: Literal["==", "!=", "<", "<=", ">", ">="]
    right: str
    severity: Literal["error", "warning"] = "error"
    message: str

    @field_validator("left", "right")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_expression(text)
        return text

    def expressions(self) -> tuple[Expression, Expression]:
        return parse_expression(self.left), parse_expression(self.right)

    def holds(self, left: Value, right: Value) -> bool:
        return OPERATORS[self.operator](left, right)


class RulesFile(Strict):
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        reject_duplicates([r.id for r in self.rules], "rules", "mã quy tắc")
        return self


# --- targets.yaml, history.yaml ----------------------------------------------


class FiguresFile(Strict):
    """Per year, per unit code, per indicator code: a whole number from 0 to MAX_FIGURE."""

    years: dict[Year, dict[str, dict[str, int]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _within_bounds(self) -> FiguresFile:
        for year, units in self.years.items():
            for unit, figures in units.items():
                for code, value in figures.items():
                    if value < 0:
                        raise ValueError(f"years.{year}.{unit}.{code}: số âm ({value})")
                    if value > MAX_FIGURE:
                        raise ValueError(f"years.{year}.{unit}.{code}: số quá lớn (tối đa 1.000.000.000.000)")
        return self
