"""Byte-stable Office files: the same content always gives the same bytes.

openpyxl and python-docx stamp zip entries and document properties with the
time of saving. Outputs are compared by SHA-256 and must be reproducible, so
every zip-based file we write goes through `fixed_zip`, and every workbook
through `workbook_bytes`.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CREATOR = "Báo cáo NQ28"


def fixed_zip(raw: bytes, replace: dict[str, bytes]) -> bytes:
    """The same zip with every entry dated 1980-01-01 (and some entries replaced)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def document_time(day: dt.date | None) -> dt.datetime:
    """A document's "created" property: its own date (years/<YEAR>.yaml `date`) at midnight, else FIXED_TIME."""
    return FIXED_TIME if day is None else dt.datetime(day.year, day.month, day.day)


def workbook_bytes(book: Workbook, title: str | None = None, day: dt.date | None = None) -> bytes:
    """Save an openpyxl workbook with fixed properties and zip dates; `day` dates it (the document date)."""
    from openpyxl.xml.functions import tostring

    when = document_time(day)
    book.properties.creator = CREATOR
    if title:
        book.properties.title = title
    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)
    book.properties.modified = when  # openpyxl stamps the time of saving; put it back
    return fixed_zip(buffer.getvalue(), {"docProps/core.xml": tostring(book.properties.to_tree())})
