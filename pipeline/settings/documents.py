"""years/<YEAR>.yaml: what the clerk changes every year (number, date, signer, "Nơi nhận")."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from pipeline.settings.base import Strict


class Signer(Strict):
    authority: str = ""
    title: str
    name: str


class Assessment(Strict):
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


class Notices(Strict):
    """The per-unit notices (thông báo kết quả và giao chỉ tiêu)."""

    type_code: str = "TB"
    numbers: dict[str, str] = Field(default_factory=dict)
    recipients: tuple[str, ...] = ("Như trên",)
    closing: tuple[str, ...] = ()


class YearDocuments(Strict):
    number: str = ""
    date: dt.date
    deadline: dt.date | None = None
    notices: Notices = Notices()
    signer: Signer
    recipients: tuple[str, ...] = Field(min_length=1)
    assessment: Assessment = Assessment()
    # Publish the year's report before next year's targets are assigned (the documents then say they will
    # be assigned later); without it, a unit with no targets for next year stops the report.
    targets_pending: bool = False
