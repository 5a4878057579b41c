"""settings.yaml: the office, its documents' style, numbers, the reporting period, limits."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, model_validator

from pipeline.settings.base import DAY_MONTH_PATTERN, Strict


class Organisation(Strict):
    superior_body: str
    issuing_body: str
    issuing_body_short: str
    issuer_in_text: str
    unit_title: str
    unit_leadership: str  # "Ban Thường vụ": whom a unit's notice and slip address, before its party_body
    place: str
    scope: str
    resolution: str
    resolution_full: str
    agency: str


# The font of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP, Hướng dẫn 36-HD/VPTW): the office
# files' font when settings.yaml does not name one (style.office_font).
DEFAULT_OFFICE_FONT = "Times New Roman"

NATIONAL_HEADERS = {
    "party": ("ĐẢNG CỘNG SẢN VIỆT NAM", ""),
    "state": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
}


class Style(Strict):
    """Party (Hướng dẫn 36-HD/VPTW) or State (Nghị định 30/2020/NĐ-CP) format."""

    kind: Literal["party", "state"] = "party"
    guideline: str
    national_header: str = ""
    motto: str = ""
    report_type_code: str = "BC"
    font_family: str = "Liberation Serif"  # the PDFs' font, embedded
    office_font: str = DEFAULT_OFFICE_FONT  # the XLSX and DOCX files' font, opened on the office's computers

    @model_validator(mode="before")
    @classmethod
    def _national_header_for_kind(cls, data: Any) -> Any:
        """Switching `kind` alone switches the top-right header too."""
        if isinstance(data, dict) and not data.get("national_header"):
            header, motto = NATIONAL_HEADERS.get(data.get("kind", "party"), ("", ""))
            data = {**data, "national_header": header, "motto": data.get("motto") or motto}
        return data


class Numbers(Strict):
    percent_rounding: Literal["half-up", "half-even", "down", "up"] = "half-up"
    percent_decimals: int = Field(default=0, ge=0, le=3)
    surplus_phrase_below: int = Field(default=200, ge=100)


class Reporting(Strict):
    """The reporting period: decisions dated outside it are errors.

    Party bodies set their own; the state regime's default runs from 15/12 of
    the previous year to 14/12 (period_start: "15/12", start_in_previous_year).
    """

    period_start: str = Field(default="01/01", pattern=DAY_MONTH_PATTERN)
    start_in_previous_year: bool = False
    period_end: str = Field(default="31/12", pattern=DAY_MONTH_PATTERN)

    def period(self, year: int) -> tuple[dt.date, dt.date]:
        start_day, start_month = (int(x) for x in self.period_start.split("/"))
        end_day, end_month = (int(x) for x in self.period_end.split("/"))
        start_year = year - 1 if self.start_in_previous_year else year
        return dt.date(start_year, start_month, start_day), dt.date(year, end_month, end_day)

    @model_validator(mode="after")
    def _real_dates(self) -> Reporting:
        try:
            start, end = self.period(2000)
        except ValueError:
            raise ValueError("period_start/period_end phải là ngày/tháng có thật, dạng DD/MM") from None
        if start > end:
            raise ValueError("kỳ báo cáo bắt đầu sau khi kết thúc")
        return self


class ReportLayout(Strict):
    """How much detail the city report itself carries."""

    # Above this many organisations the list stays in the XLSX summary only:
    # a PDF of thousands of table rows helps no reader and dominates the run.
    max_list_rows_in_pdf: int = Field(default=500, ge=0)
    # Above this many units the appendix tables and the chart show one row per
    # group (province) of units.yaml, or the totals only when there are no
    # groups; every unit's row stays in the XLSX summary.
    max_unit_rows_in_pdf: int = Field(default=200, ge=0)
    # Above this many counted units the chart shows groups (or the whole): 114
    # communes × 3 bars in 165 mm is unreadable, and its hatched bars alone cost
    # WeasyPrint ~10 s.
    max_units_in_chart: int = Field(default=40, ge=1)


MAX_FIGURE = 10**12  # a configured target or past result; far beyond any real one, well within Decimal


class InputLimits(Strict):
    """Bounds on what a workbook cell may hold before it reaches a document."""

    # A count (plan, result, members) above this is a typo or a hostile file,
    # never a real figure; it is an error located to its cell.
    max_count: int = Field(default=1_000_000, ge=1, le=MAX_FIGURE)
    # Text longer than this (a name, a decision number) is cut, with a warning:
    # no real name is that long, and a 32,767-character cell would fill pages.
    max_text_length: int = Field(default=300, ge=20, le=32_767)


class GeneralSettings(Strict):
    organisation: Organisation
    report: ReportLayout = ReportLayout()
    limits: InputLimits = InputLimits()
    style: Style
    numbers: Numbers = Numbers()
    reporting: Reporting = Reporting()
    unit_levels: tuple[str, ...]
    org_types: tuple[str, ...]
    enterprise_forms: tuple[str, ...]
    blank_indicator: str
