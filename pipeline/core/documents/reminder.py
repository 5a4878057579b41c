"""Validation → one reminder letter (công văn đôn đốc) per unit that has sent nothing, or sent late.

A unit "chưa nộp" is told what is missing (its workbook of the year), the deadline it
missed, and the new date to send it by: `reminders.reply_within_days` after the
letter's date, or the deadline itself while that is still ahead. A unit whose
workbook was prepared after the deadline (the late check) is told so and asked to
keep the deadline next time. Letters are numbered in the year's "reminders" sequence
in unit order, like the notices, and dated by the year file's feedback_date (never the
clock). The PDF and the DOCX of a letter share this one context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.core import vi
from pipeline.core.documents.header import Header, Signature, letter_header
from pipeline.core.documents.numbering import year_numbers
from pipeline.core.documents.slip import year_file
from pipeline.core.steps.validate import Validation
from pipeline.settings import Settings, Unit, YearDocuments


@dataclass(frozen=True)
class ReminderContext:
    title: str
    header: Header
    addressee: str
    paragraphs: tuple[str, ...]
    signature: Signature
    recipients: tuple[str, ...]
    unit_code: str
    reason: str  # "missing" or "late"


def reminder_contexts(validation: Validation, settings: Settings) -> dict[str, ReminderContext]:
    """unit code → letter, for every unit of the year that has sent nothing or sent late, in unit order;
    none without the year file (its signer, deadline and date make the letter)."""
    if year_file(settings, validation.year) is None:
        return {}
    numbers = year_numbers("reminders", settings, validation.year)
    letters = {}
    for unit in settings.units_in(validation.year):
        if validation.status.get(unit.code) == "missing":
            letters[unit.code] = _letter(unit, validation, settings, numbers.get(unit.code, ""), "missing")
        elif unit.code in validation.late:
            letters[unit.code] = _letter(unit, validation, settings, numbers.get(unit.code, ""), "late")
    return letters


def reply_by(docs: YearDocuments) -> dt.date:
    """The date a unit that has sent nothing is asked to send by: the deadline while it is ahead,
    else `reply_within_days` after the letter's date."""
    on = docs.checked_on()
    if docs.deadline is not None and docs.deadline >= on:
        return docs.deadline
    return on + dt.timedelta(days=docs.reminders.reply_within_days)


def _letter(unit: Unit, validation: Validation, settings: Settings, number: str, reason: str) -> ReminderContext:
    year = validation.year
    docs = settings.document_settings(year)
    org = settings.general.organisation
    title = unit.title(org.unit_title)
    on = docs.checked_on()
    form = f"biểu mẫu báo cáo kết quả thực hiện {org.resolution} năm {year}"
    deadline = f"ngày {vi.short_date(docs.deadline)}" if docs.deadline else ""
    asked = (f"Thực hiện chế độ báo cáo hằng năm, {org.issuer_in_text} đã đề nghị các đơn vị gửi {form}"
             + (f" trước {deadline}." if deadline else "."))
    if reason == "missing":
        subject = f"đôn đốc gửi {form}"
        body = (
            asked,
            f"Đến ngày {vi.short_date(on)}, {org.issuer_in_text} chưa nhận được {form} của {title}; "
            f"vì vậy số liệu của đơn vị chưa được tính vào kết quả tổng hợp năm {year}.",
            f"Đề nghị {org.unit_leadership} {unit.party_body} chỉ đạo hoàn thành và gửi biểu mẫu về "
            f"{org.agency} chậm nhất ngày {vi.short_date(reply_by(docs))} để kịp tổng hợp, báo cáo.",
        )
    else:
        sub = validation.submissions.get(unit.code)
        prepared = f" được lập ngày {vi.short_date(sub.prepared_on)}" if sub and sub.prepared_on else ""
        fix = ("; biểu mẫu còn lỗi, đề nghị sửa theo phiếu kiểm tra và gửi lại"
               if validation.status.get(unit.code) == "invalid" else "")
        subject = f"nộp chậm {form}"
        body = (
            asked,
            f"{vi.sentence_case(form)} của {title}{prepared}, sau thời hạn nêu trên; việc nộp chậm "
            "làm chậm việc tổng hợp, báo cáo chung.",
            f"Đề nghị {org.unit_leadership} {unit.party_body} rút kinh nghiệm, chỉ đạo gửi biểu mẫu các kỳ sau "
            f"đúng thời hạn{fix}.",
        )
    return ReminderContext(
        title=f"Công văn {subject}: {title}",
        header=letter_header(settings, docs, docs.reminders.type_code, subject, number, on),
        addressee=f"{org.unit_leadership} {unit.party_body}",
        paragraphs=body,
        signature=Signature(docs.signer.authority, docs.signer.title, docs.signer.name),
        recipients=docs.reminders.recipients,
        unit_code=unit.code,
        reason=reason,
    )
