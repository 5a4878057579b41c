"""Validation → one feedback slip (phiếu kiểm tra) context per unit.

Each unit that sent a workbook gets a slip listing its problems with sheet
and cell, or confirming that its workbook is valid; the office sends it back.
Slips carry no document number or date: they are working papers, and the
same inputs must give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core import labels, vi
from pipeline.core.documents.header import Header, plain_header
from pipeline.core.steps.validate import Validation
from pipeline.issue_types import NOT_SUBMITTED
from pipeline.issues import Issue
from pipeline.settings import Settings, Unit


@dataclass(frozen=True)
class SlipRow:
    number: str
    file: str
    sheet: str
    cell: str
    severity: str
    message: str
    is_error: bool


@dataclass(frozen=True)
class SlipContext:
    title: str
    header: Header
    addressee: str
    files: tuple[str, ...]
    verdict: str
    rows: tuple[SlipRow, ...]
    closing: str
    agency: str


def slip_header(settings: Settings, unit: Unit, year: int) -> Header:
    org = settings.general.organisation
    summary = f"biểu mẫu báo cáo kết quả thực hiện {org.resolution} năm {year} của {unit.title(org.unit_title)}"
    return plain_header(settings, "PHIẾU KIỂM TRA", summary)


def slip_contexts(validation: Validation, settings: Settings) -> dict[str, SlipContext]:
    """unit code → slip, for every unit that sent at least one workbook."""
    slips = {}
    for unit in settings.units_in(validation.year):
        issues = [i for i in validation.report.of_unit(unit.code) if i.rule != NOT_SUBMITTED.code]
        submitted = {validation.submissions[unit.code].file} if unit.code in validation.submissions else set()
        files = sorted({i.file for i in issues} | submitted)
        if files:
            slips[unit.code] = _slip(unit, validation, settings, tuple(files), issues)
    return slips


def _slip(
    unit: Unit, validation: Validation, settings: Settings, files: tuple[str, ...], issues: list[Issue]
) -> SlipContext:
    year = validation.year
    header = slip_header(settings, unit, year)
    errors = sum(i.is_error for i in issues)
    warnings = sum(1 for i in issues if not i.is_error and not i.explained)  # explained ones are not open
    if errors:
        verdict = (
            f"Biểu mẫu có {errors} lỗi và {warnings} cảnh báo; số liệu của đơn vị CHƯA được tính vào "
            f"báo cáo tổng hợp năm {year}."
        )
        closing = "Đề nghị đơn vị sửa các lỗi nêu trên (theo đúng trang tính và ô) và gửi lại biểu mẫu."
    else:
        verdict = "Biểu mẫu hợp lệ" + (f", có {warnings} cảnh báo cần xem lại." if warnings else ", không có lỗi.")
        closing = "Số liệu của đơn vị được tính vào báo cáo tổng hợp." + (
            " Đề nghị đơn vị xem lại các cảnh báo nêu trên." if warnings else ""
        )
    rows = tuple(
        SlipRow(str(n), i.file, i.sheet, i.cell, labels.SEVERITY[i.severity], i.said(), i.is_error)
        for n, i in enumerate(sorted(issues, key=lambda i: (not i.is_error, i.file, i.sheet)), start=1)
    )
    return SlipContext(
        title=f"Phiếu kiểm tra biểu mẫu năm {year}: {vi.sentence_case(unit.full_name)}",
        header=header,
        addressee=f"{settings.general.organisation.unit_leadership} {unit.party_body}",
        files=files,
        verdict=verdict,
        rows=rows,
        closing=closing,
        agency=settings.general.organisation.agency,
    )
