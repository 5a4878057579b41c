"""What one submission workbook says, and what a blank form needs besides its data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.io.forms.cells import Faces
from pipeline.io.forms.protocols import CellValue


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    measure: str
    plan: int | None = None
    actual: int | None = None
    note: str = ""


@dataclass(frozen=True)
class FormData:
    """Everything one workbook says; blank forms leave results and list empty."""

    unit_name: str
    unit_code: str
    year: int
    indicators: tuple[IndicatorLine, ...]
    organisations: tuple[dict[str, CellValue], ...] = ()  # LIST_COLUMNS key → value
    prepared_on: dt.date | None = None
    preparer: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Options:
    """What a blank form needs besides its data: choices, room, guide."""

    org_types: tuple[str, ...]
    enterprise_forms: tuple[str, ...]
    list_rows: int
    period: tuple[dt.date, dt.date]
    deadline: dt.date | None
    send_to: str
    faces: Faces
