"""Validation → one feedback slip (phiếu kiểm tra) context per unit.

Each unit that sent a workbook gets a slip listing its problems with sheet
and cell, or, when its workbook is valid, a short receipt; the office sends it
back. A slip is an official document: numbered in the year's "slips" sequence
(pipeline.core.documents.numbering), dated by the year file's feedback_date
(never the clock: the same inputs give the same bytes), signed, with "Nơi nhận".
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core import labels, vi
from pipeline.core.catalogue import MARKED_XLSX, attachment_name
from pipeline.core.documents.header import Header, Signature, header, plain_header
from pipeline.core.documents.numbering import year_numbers
from pipeline.core.steps.validate import Validation
from pipeline.issue_types import NOT_SUBMITTED
from pipeline.issues import Issue
from pipeline.settings import Settings, Unit, YearDocuments


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
    issuer: str  # who checked: the issuing body of the header, as the text names it
    signature: Signature | None  # None without the year file (or while it is a draft): a working paper
    recipients: tuple[str, ...]

    @property
    def receipt(self) -> bool:
        """A valid workbook with nothing to say: a short receipt, no table."""
        return not self.rows


def year_file(settings: Settings, year: int) -> YearDocuments | None:
    """The year's document settings, or None while years/<YEAR>.yaml is missing or a draft."""
    return None if year in settings.drafts else settings.documents.get(year)


def slip_header(settings: Settings, unit: Unit, year: int, number: str = "") -> Header:
    """Numbered and dated from the year file; without one, a working paper with neither."""
    org = settings.general.organisation
    docs = year_file(settings, year)
    summary = f"biểu mẫu báo cáo kết quả thực hiện {org.resolution} năm {year} của {unit.title(org.unit_title)}"
    if docs is None:
        return plain_header(settings, "PHIẾU KIỂM TRA", summary)
    return header(settings, docs, docs.slips.type_code, "PHIẾU KIỂM TRA", summary, number, docs.checked_on())


def slip_contexts(validation: Validation, settings: Settings) -> dict[str, SlipContext]:
    """unit code → slip, for every unit that sent at least one workbook; numbered in unit order."""
    slips = {}
    numbers = year_numbers("slips", settings, validation.year) if year_file(settings, validation.year) else {}
    for unit in settings.units_in(validation.year):
        issues = [i for i in validation.report.of_unit(unit.code) if i.rule != NOT_SUBMITTED.code]
        submitted = {validation.submissions[unit.code].file} if unit.code in validation.submissions else set()
        files = sorted({i.file for i in issues} | submitted)
        if files:
            slips[unit.code] = _slip(unit, validation, settings, tuple(files), issues, numbers.get(unit.code, ""))
    return slips


def _slip(
    unit: Unit, validation: Validation, settings: Settings, files: tuple[str, ...], issues: list[Issue], number: str
) -> SlipContext:
    year = validation.year
    docs = year_file(settings, year)
    errors = sum(i.is_error for i in issues)
    warnings = sum(1 for i in issues if not i.is_error and not i.explained)  # explained ones are not open
    if errors:
        verdict = (
            f"Biểu mẫu có {errors} lỗi" + (f" và {warnings} cảnh báo" if warnings else "")
            + f"; số liệu của đơn vị CHƯA được tính vào báo cáo tổng hợp năm {year}."
        )
        closing = "Đề nghị đơn vị sửa các lỗi nêu trên (theo đúng trang tính và ô) và gửi lại biểu mẫu."
    else:
        verdict = "Biểu mẫu hợp lệ" + (f", có {warnings} cảnh báo cần xem lại." if warnings else ", không có lỗi.")
        closing = f"Số liệu của đơn vị được tính vào báo cáo tổng hợp năm {year}." + (
            " Đề nghị đơn vị xem lại các cảnh báo nêu trên." if warnings else ""
        )
    if (errors or warnings) and unit.code in validation.submissions:  # its marked copy goes with the slip
        marked = attachment_name(MARKED_XLSX.path(code=unit.code), year)
        closing += (f" Gửi kèm phiếu này là biểu mẫu của đơn vị đã đánh dấu từng ô có vấn đề (tệp {marked}, trang "
                    "«KiemTra» liệt kê đủ); đơn vị có thể sửa ngay trên tệp đó rồi gửi lại.")
    rows = tuple(
        SlipRow(str(n), i.file, i.sheet, i.cell, labels.SEVERITY[i.severity], i.said(), i.is_error)
        for n, i in enumerate(sorted(issues, key=lambda i: (not i.is_error, i.file, i.sheet)), start=1)
    )
    return SlipContext(
        title=f"Phiếu kiểm tra biểu mẫu năm {year}: {vi.sentence_case(unit.full_name)}",
        header=slip_header(settings, unit, year, number),
        addressee=f"{settings.general.organisation.unit_leadership} {unit.party_body}",
        files=files,
        verdict=verdict,
        rows=rows,
        closing=closing,
        issuer=settings.general.organisation.issuer_in_text,
        signature=Signature(docs.signer.authority, docs.signer.title, docs.signer.name) if docs else None,
        recipients=docs.slips.recipients if docs else (),
    )
