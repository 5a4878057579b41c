"""giai-trinh.yaml: warnings the office has accepted, each with the reason a unit gave (optional file).

    giai_trinh:
      - unit: HB
        rule: plan-differs-from-target
        sheet: TongHop        # optional: any sheet
        cell: C5              # optional: any cell
        year: 2016            # optional: any year
        reason: Kế hoạch điều chỉnh theo Quyết định 12/QĐ-UBND

A matched warning is no longer counted as open; errors cannot be explained away.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from pipeline.settings.base import RULE_ID_PATTERN, UNIT_CODE_PATTERN, Strict, Year

EXPLANATIONS_FILE = "giai-trinh.yaml"  # optional: without it nothing is explained


class Explanation(Strict):
    """One accepted warning: whose, which rule, optionally where, and why."""

    unit: str = Field(pattern=UNIT_CODE_PATTERN)
    rule: str = Field(pattern=RULE_ID_PATTERN)
    reason: str = Field(min_length=1)
    sheet: str = ""
    cell: str = ""
    year: Year | None = None

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("lý do giải trình không được để trống")
        return value.strip()

    @field_validator("cell")
    @classmethod
    def _cell(cls, value: str) -> str:
        cell = value.strip().replace("$", "").upper()
        letters = cell.rstrip("0123456789")
        if cell and not (letters.isalpha() and letters.isascii() and cell[len(letters):].isdigit()):
            raise ValueError(f"«{value}» không phải địa chỉ ô (cần dạng C5, AB12)")
        return cell

    def where(self) -> str:
        """The entry as a clerk finds it again in the file: unit, rule, and the cell if any."""
        place = "!".join(p for p in (self.sheet, self.cell) if p)
        return f"đơn vị {self.unit}, quy tắc {self.rule}" + (f", ô {place}" if place else "")


class ExplanationsFile(Strict):
    giai_trinh: tuple[Explanation, ...] = ()
