"""Workbook → raw sheets with cell addresses; the only code that reads workbooks.

python-calamine reads .xlsx, .xlsm, .xls and .ods, and gives cached values for
formulas. Every string is NFC-normalised here, on read, before anything else
looks at it. A workbook that cannot be read is not an exception for the batch:
`read_workbook` returns a `Refusal` carrying a Vietnamese explanation, and the
caller turns it into an Issue for that file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import python_calamine as calamine

from pipeline.core.raw import RawSheet, RawWorkbook, Refusal
from pipeline.core.vi import nfc

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def discover(folder: Path) -> list[Path]:
    """Every workbook below `folder`, in a stable order; Excel lock files (~$…) skipped."""
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def read_workbook(path: Path, display_name: str) -> RawWorkbook | Refusal:
    """Read every sheet of one workbook; never raises for a bad file."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as book:
            sheets = tuple(_read_sheet(book, meta) for meta in book.sheets_metadata)
    except calamine.PasswordError:
        return Refusal(display_name, digest, "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        return Refusal(display_name, digest, _describe_failure(data, exc))
    return RawWorkbook(display_name, digest, sheets)


def _read_sheet(book: calamine.CalamineWorkbook, meta: calamine.SheetMetadata) -> RawSheet:
    sheet = book.get_sheet_by_name(meta.name)
    rows = tuple(tuple([nfc(v) if isinstance(v, str) else v for v in row])
                 for row in sheet.to_python(skip_empty_area=False))
    hidden = meta.visible != calamine.SheetVisibleEnum.Visible
    return RawSheet(nfc(meta.name), hidden, rows)


def _describe_failure(data: bytes, exc: Exception) -> str:
    if not data:
        return "tệp rỗng (0 byte)"
    if data[:2] == b"PK" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return f"tệp Excel bị hỏng hoặc không đọc được ({type(exc).__name__})"
    return "tệp không phải bảng tính Excel (.xlsx, .xls) dù có đuôi tệp như vậy"
