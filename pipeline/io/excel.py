"""Workbook → raw sheets with cell addresses; the only code that reads workbooks.

python-calamine reads .xlsx, .xlsm, .xls and .ods, and gives cached values for
formulas. Every string is NFC-normalised here, on read, before anything else
looks at it. A workbook that cannot be read is not an exception for the batch:
`read_workbook` returns a `Refusal` carrying a Vietnamese explanation, and the
caller turns it into an Issue for that file.

Before calamine opens a file, `pipeline.io.screen` looks at it within bounded memory and
time and refuses what a form never is: a file far bigger than a form, a zip
bomb (huge, lying or over-compressed parts), an XML part with a DTD (billion
laughs), and a sheet whose used range is beyond any form. The last matters
most: calamine allocates every cell of a sheet's used range at once, so one
value typed at XFD1048576 of a 5 KB file asks for 550 GB and kills the process.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import python_calamine as calamine

from pipeline.core.steps.raw import RawSheet, RawWorkbook, Refusal
from pipeline.errors import os_cause
from pipeline.io import file_digest
from pipeline.io.inbox import walk
from pipeline.io.screen.limits import (
    MAX_FILE_BYTES,
    REDO,
    Refused,
    check_extent,
    count_cells,
    describe_failure,
    human_size,
)
from pipeline.io.screen.workbook import screen
from pipeline.textnorm import nfc


def discover(folder: Path) -> list[Path]:
    """Every workbook below `folder` to be read, in a stable order (see `inbox.walk`)."""
    return [entry.file for entry in walk(folder) if isinstance(entry.file, Path)]  # a readable file's Path, else None


def read_workbook(path: Path, display_name: str) -> RawWorkbook | Refusal:
    """Read every sheet of one workbook; never raises for a bad file.

    A permission or I/O error is a refusal like any other; a name that is not
    valid UTF-8 is read through a temporary copy (see `_calamine`).
    """
    data = read_bytes(path, display_name)
    if isinstance(data, Refusal):
        return data
    return workbook_of(path, display_name, data, hashlib.sha256(data).hexdigest())


def read_bytes(path: Path, display_name: str) -> bytes | Refusal:
    """The bytes of one workbook, or a refusal: a file far bigger than a form is not read into memory."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Refusal(display_name, file_digest(path),
                           f"tệp quá lớn: {human_size(size)} (giới hạn {human_size(MAX_FILE_BYTES)}), trong khi biểu "
                           f"mẫu chỉ vài chục KB; {REDO}")
        return path.read_bytes()
    except OSError as exc:
        why = os_cause(exc, reading=True)
        return Refusal(display_name, "", f"không mở được tệp ({why}); cấp quyền đọc hoặc chép lại tệp rồi chạy lại")


def workbook_of(path: Path, display_name: str, data: bytes, digest: str) -> RawWorkbook | Refusal:
    """Every sheet of the workbook whose bytes (read from `path`) are `data`, screened first;
    `digest` is their SHA-256."""
    try:
        formulas = screen(data, path.suffix.lower())
        with _calamine(path, data) as book:
            sheets = _read_sheets(book, formulas)
    except Refused as refused:
        return Refusal(display_name, digest, refused.reason)
    except calamine.PasswordError:
        return Refusal(display_name, digest, "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        return Refusal(display_name, digest, describe_failure(data, exc))
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        return Refusal(display_name, digest, describe_failure(data, exc))
    return RawWorkbook(display_name, digest, sheets)


@contextmanager
def _calamine(path: Path, data: bytes) -> Iterator[calamine.CalamineWorkbook]:
    """calamine opened on `path` by its suffix, as the screen assumed.

    calamine's path API takes UTF-8 only: a name unzipped from a Windows zip
    (bytes like b"H\\xf4ng.xlsx") is not found. Such a file is read from a
    copy of the bytes already screened under a plain name with the same suffix.
    (`from_filelike` would avoid the copy, but it tries every reader in turn,
    .xlsb included, which the screen does not cover.)
    """
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        with tempfile.TemporaryDirectory(prefix="nq28-") as folder:
            copy = Path(folder) / f"workbook{path.suffix.lower()}"
            copy.write_bytes(data)
            with calamine.CalamineWorkbook.from_path(str(copy)) as book:
                yield book
        return
    with calamine.CalamineWorkbook.from_path(str(path)) as book:
        yield book


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine (a damaged file can cause one) reaches Python as pyo3's
    PanicException, a BaseException that no `except Exception` catches."""
    return type(exc).__name__ == "PanicException"


def _read_sheets(book: calamine.CalamineWorkbook,
                 formulas: dict[str, dict[tuple[int, int], str]]) -> tuple[RawSheet, ...]:
    """Every sheet, its size checked by calamine's own count before its values become Python objects.

    calamine loads an .xlsx sheet only when asked, so this is where the cells of
    all sheets together are held to MAX_CELLS; the screen has already kept each
    sheet within MAX_ROWS × MAX_COLUMNS, and found the formula cells calamine
    reads as blank (`formulas`, by sheet name).
    """
    sheets, cells = [], 0
    for meta in book.sheets_metadata:
        name, sheet = nfc(meta.name), book.get_sheet_by_name(meta.name)
        if sheet.end is not None:
            rows, cols = sheet.end[0] + 1, sheet.end[1] + 1
            check_extent(name, rows, cols)
            cells = count_cells(cells, rows, cols)
        sheets.append(composed(RawSheet(name, meta.visible != calamine.SheetVisibleEnum.Visible,
                                        tuple(map(tuple, sheet.to_python(skip_empty_area=False))),
                                        formulas.get(name, {}))))
    return tuple(sheets)


def composed(sheet: RawSheet) -> RawSheet:
    """`sheet` with every string NFC-normalised: as it is when its text already is (one check for
    the whole sheet, `RawSheet.text`, which the sheet keeps: parsing searches it again), else cell
    by cell."""
    if unicodedata.is_normalized("NFC", sheet.text):
        return sheet
    rows = tuple(tuple([nfc(v) if isinstance(v, str) else v for v in row]) for row in sheet.rows)
    return RawSheet(sheet.name, sheet.hidden, rows, sheet.formulas)
