"""A submitted workbook read whole for its marked copy, and that copy written beside nothing else.

The marked copy (see `pipeline.feedback`) needs an .xlsx/.xlsm's own bytes, to
keep its layout, and an .xls/.ods's values as the reader gives them. Reading
never changes the file; the copy is written to a temporary name and renamed,
so a reader never sees half a workbook.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pipeline.core.steps.raw import RawWorkbook, Refusal
from pipeline.errors import SourceError, os_cause
from pipeline.io.excel import read_workbook
from pipeline.io.screen.limits import Refused
from pipeline.io.screen.workbook import screen

KEPT_SUFFIXES = (".xlsx", ".xlsm")  # loaded and written back with their formats
REBUILT_SUFFIXES = (".xls", ".ods")  # rebuilt from their values


def workbook_source(path: Path) -> bytes | RawWorkbook | Refusal:
    """The bytes of an .xlsx/.xlsm; the values of an .xls/.ods (or why they cannot be read)."""
    suffix = path.suffix.lower()
    if suffix in REBUILT_SUFFIXES:
        return read_workbook(path, path.name)
    if suffix not in KEPT_SUFFIXES:
        raise SourceError(f"Không đánh dấu được {path}: chỉ nhận tệp .xlsx, .xlsm, .xls hoặc .ods")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"Không đọc được {path}: {os_cause(exc, reading=True)}") from exc
    try:
        screen(data, suffix)  # what the reader refuses is not handed to openpyxl either
    except Refused as refused:
        return Refusal(path.name, hashlib.sha256(data).hexdigest(), refused.reason)
    return data


def workbook_values(path: Path) -> RawWorkbook | Refusal:
    """The values of any workbook, as the reader gives them."""
    return read_workbook(path, path.name)


def write_copy(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (through a temporary name in the same folder)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise SourceError(f"Không ghi được {path}: {os_cause(exc, reading=False)}") from exc
    return path
