"""years/<YEAR>.yaml: what the clerk changes every year (number, date, signer, "Nơi nhận")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from pipeline.settings.base import Strict

# The document types numbered per unit, each with its own sequence (numbering.<type> in years/<YEAR>.yaml);
# the report is numbered too but is one document. Later document types add their key here and in Numbering.
NumberedType = Literal["notices", "slips", "reminders"]
NUMBERED_TYPES: tuple[NumberedType, ...] = ("notices", "slips", "reminders")


def _number_text(value: Any) -> Any:
    """An explicit number may be typed bare (HB: 16) or quoted (HB: "16a"): both are its text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# An explicit document number as printed ("16", "16a"); "" keeps the document a draft.
DocumentNumber = Annotated[str, BeforeValidator(_number_text)]


class Signer(Strict):
    authority: str = ""
    title: str
    name: str


class Assessment(Strict):
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


# What a notice's closing text may name (notices.closing in years/<YEAR>.yaml): placeholder → what it stands for.
CLOSING_PLACEHOLDERS = {
    "don_vi": "tên đơn vị nhận thông báo, như trong lời văn của thông báo",
    "nam": "năm báo cáo, ví dụ 2016",
    "nam_sau": "năm giao chỉ tiêu, ví dụ 2017",
}
# A placeholder is a lower-case ASCII name in braces ("{don_vi}"); "{{" and "}}" write a brace itself. Any
# other braces ("{xem Phụ lục 1}", "{ }") are ordinary text and print as written.
PLACEHOLDER_FIELD = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """`text` with each {name} replaced by values[name] and "{{"/"}}" by a brace; a name that is not in
    `values` raises KeyError (config validation keeps unknown names out)."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0)[0] if name is None else values[name]
    return PLACEHOLDER_FIELD.sub(one, text)


def _known_placeholders(texts: tuple[str, ...]) -> tuple[str, ...]:
    for text in texts:
        unknown = [m.group(1) for m in PLACEHOLDER_FIELD.finditer(text)
                   if m.group(1) is not None and m.group(1) not in CLOSING_PLACEHOLDERS]
        if unknown:
            known = ", ".join(f"{{{name}}} ({meaning})" for name, meaning in CLOSING_PLACEHOLDERS.items())
            raise ValueError(f"không có chỗ thay «{{{unknown[0]}}}»; chỉ dùng được: {known}. "
                             "Muốn in dấu ngoặc nhọn thì viết {{ và }}")
    return texts


class Notices(Strict):
    """The per-unit notices (thông báo kết quả và giao chỉ tiêu)."""

    type_code: str = "TB"
    numbers: dict[str, DocumentNumber] = Field(default_factory=dict)
    recipients: tuple[str, ...] = ("Như trên",)
    closing: Annotated[tuple[str, ...], AfterValidator(_known_placeholders)] = ()

    def closing_for(self, unit: str, year: int) -> tuple[str, ...]:
        """The closing paragraphs for one unit's notice, its placeholders filled."""
        values = {"don_vi": unit, "nam": str(year), "nam_sau": str(year + 1)}
        return tuple(fill_placeholders(text, values) for text in self.closing)


class Slips(Strict):
    """The feedback slips (phiếu kiểm tra) sent to each unit that submitted a workbook."""

    type_code: str = "PKT"
    numbers: dict[str, DocumentNumber] = Field(default_factory=dict)
    recipients: tuple[str, ...] = ("Như trên",)


class Reminders(Strict):
    """The reminder letters (công văn đôn đốc) to units that sent nothing, or sent late."""

    type_code: str = "CV"
    numbers: dict[str, DocumentNumber] = Field(default_factory=dict)
    recipients: tuple[str, ...] = ("Như trên",)
    # A unit that has sent nothing is asked to send within this many days of the letter's date
    # (or by the deadline, when that is later).
    reply_within_days: int = Field(default=5, ge=1)


class Numbering(Strict):
    """numbering: where each document type's sequence starts this year; none: unnumbered (a draft).

    The report takes its start as its number; notices (and later slips, letters) number the units of the
    year in units.yaml order, an explicit number replacing a unit's own (pipeline.core.documents.numbering).
    """

    report: int | None = Field(default=None, ge=1)
    notices: int | None = Field(default=None, ge=1)
    slips: int | None = Field(default=None, ge=1)
    reminders: int | None = Field(default=None, ge=1)


class YearDocuments(Strict):
    number: str = ""  # the report's explicit number: wins over numbering.report
    numbering: Numbering = Numbering()
    date: dt.date
    deadline: dt.date | None = None
    # The date of the slips and reminder letters (the day the office checks and chases the units);
    # none: the signing `date`. Never the clock: the same inputs give the same documents.
    feedback_date: dt.date | None = None
    notices: Notices = Notices()
    slips: Slips = Slips()
    reminders: Reminders = Reminders()
    signer: Signer
    recipients: tuple[str, ...] = Field(min_length=1)
    assessment: Assessment = Assessment()
    # Publish the year's report before next year's targets are assigned (the documents then say they will
    # be assigned later); without it, a unit with no targets for next year stops the report.
    targets_pending: bool = False

    def explicit_numbers(self, kind: NumberedType) -> dict[str, str]:
        """unit code → the number typed for it (an empty one keeps that unit's document a draft)."""
        return dict(self.of_type(kind).numbers)

    def of_type(self, kind: NumberedType) -> Notices | Slips | Reminders:
        """The settings of a per-unit document type (its type code, explicit numbers, recipients)."""
        kinds: dict[str, Notices | Slips | Reminders] = {
            "notices": self.notices, "slips": self.slips, "reminders": self.reminders}
        return kinds[kind]

    def checked_on(self) -> dt.date:
        """The date of the slips and reminders: `feedback_date`, else the signing date."""
        return self.feedback_date or self.date

    def report_number(self) -> str:
        """The report's number: the explicit `number`, else numbering.report, else blank (a draft)."""
        if self.number:
            return self.number
        return str(self.numbering.report) if self.numbering.report is not None else ""

    def number_conflicts(self, year: int, report_type_code: str, units: Sequence[str]) -> list[str]:
        """Two documents of one type (type code) with the same number this year, each named by its key
        in years/<YEAR>.yaml; `units` are the year's unit codes in units.yaml order."""
        holders: dict[tuple[str, str], list[tuple[NumberedType | None, str]]] = {}  # → (kind, unit code)
        if self.report_number():
            holders[(report_type_code, same_number(self.report_number()))] = [(None, "")]
        for kind in NUMBERED_TYPES:
            type_code, explicit = self.of_type(kind).type_code, self.explicit_numbers(kind)
            start = getattr(self.numbering, kind)
            for k, code in enumerate(units):  # the numbers numbered() gives; str(n) is its own same_number
                typed = code in explicit
                number = explicit[code] if typed else "" if start is None else str(start + k)
                if number:
                    holders.setdefault((type_code, same_number(number) if typed else number), []).append((kind, code))
        # Named only where two meet: a country's ten thousand numbers are rarely in conflict.
        return [
            f"years/{year}.yaml, khóa " + " và ".join(self._number_key(*holder) for holder in found)
            + f": {len(found)} văn bản loại {code} cùng số «{number}» trong năm {year}; "
            "mỗi số chỉ dùng cho một văn bản (sửa số ghi riêng hoặc số bắt đầu của dãy)"
            for (code, number), found in holders.items() if len(found) > 1
        ]

    def _number_key(self, kind: NumberedType | None, code: str) -> str:
        """Where a number of `number_conflicts` comes from: its key in years/<YEAR>.yaml."""
        if kind is None:
            return "«number»" if self.number else "«numbering.report»"
        if code in self.of_type(kind).numbers:
            return f"«{kind}.numbers.{code}»"
        return f"«numbering.{kind}» (đơn vị {code})"


def numbered(start: int | None, units: Sequence[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """unit code → number: the k-th unit (from 0, in `units` order) takes start + k unless it has an
    explicit number, which replaces it (that sequence number then stays unused, so no other moves);
    no start and no explicit number: "" (a draft). See pipeline.core.documents.numbering."""
    return {code: explicit[code] if code in explicit else "" if start is None else str(start + k)
            for k, code in enumerate(units)}


def same_number(number: str) -> str:
    """A number as compared for conflicts: "016" and "16" are one number."""
    number = number.strip()
    return str(int(number)) if number.isdigit() else number
