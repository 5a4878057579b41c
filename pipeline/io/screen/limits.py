"""What a form never is, and the Vietnamese words of a refusal.

The limits every screen applies (size, parts, compression, rows, columns,
cells, tag length), `Refused` and its reasons, and the words for a file
calamine could not read at all.
"""

from __future__ import annotations

import zipfile
from decimal import ROUND_HALF_UP, Decimal

from pipeline.core.steps.raw import cell_ref
from pipeline.core.vi import number
from pipeline.errors import os_cause

# A real form is 10–30 KB and unpacks to well under 1 MB. The limits leave room
# for lists of thousands of organisations, logos and scans, and stop the rest.
MB = 1 << 20
MAX_FILE_BYTES = 50 * MB
MAX_ENTRIES = 1_000  # parts of a zip workbook (a form has about a dozen)
MAX_DIRECTORY_BYTES = 1 * MB  # the zip's table of parts (~1 KB per part at most), checked before it is parsed
MAX_UNPACKED_BYTES = 100 * MB  # all parts together
MAX_RATIO = 100  # compression ratio of one part that unpacks to more than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 * MB
MAX_ROWS = 10_000  # last row holding a value, counted from row 1
MAX_COLUMNS = 200  # last column holding a value (GR), counted from column A
MAX_CELLS = 4_000_000  # rows × columns of every sheet together
MAX_TAG_BYTES = 64 * 1024  # one XML start tag
CHUNK = 64 * 1024  # bytes unpacked at a time

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REDO = "hãy điền lại vào biểu mẫu chuẩn rồi gửi lại"
HOSTILE = f"có thể là tệp độc hại — {REDO}"
BOMB = f"có thể là tệp độc hại (zip bomb) — {REDO}"


def human_size(n: int) -> str:
    """Bytes for a clerk: "35 KB", "100 MB", "2,1 GB"."""
    for unit, scale in (("GB", 1 << 30), ("MB", MB), ("KB", 1 << 10)):
        if n >= scale:
            value = (Decimal(n) / scale).quantize(Decimal("0.1"), ROUND_HALF_UP)
            whole = value == value.to_integral_value()
            return f"{number(value, 0 if whole else 1)} {unit}"
    return f"{n} byte"


def describe_failure(data: bytes, exc: BaseException) -> str:
    """Why calamine (or zipfile) could not read `data`, for a clerk."""
    if not data:
        return "tệp rỗng (0 byte)"
    if data[:2] == b"PK" or data[:8] == OLE_MAGIC:
        return f"tệp Excel bị hỏng hoặc không đọc được ({_damage(exc)})"
    return "tệp không phải bảng tính Excel (.xlsx, .xls) dù có đuôi tệp như vậy"


def _damage(exc: BaseException) -> str:
    """What broke, in words a clerk can pass on (not a Python class name)."""
    if type(exc).__name__ == "PanicException":
        return "chương trình đọc bảng tính gặp lỗi khi đọc tệp"
    if isinstance(exc, zipfile.BadZipFile):
        return "phần nén ZIP của tệp bị hỏng"
    if isinstance(exc, OSError):
        return os_cause(exc, reading=True)
    return "nội dung tệp không đúng định dạng"


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Oversized(Exception):
    """A value beyond MAX_ROWS or MAX_COLUMNS: row and column from 1, sheet name if known."""

    def __init__(self, row: int, col: int, sheet: str = "") -> None:
        super().__init__(row, col, sheet)
        self.row, self.col, self.sheet = row, col, sheet


def too_large(big: Oversized) -> str:
    where = f"trang tính «{big.sheet}»" if big.sheet else "một trang tính"
    return (f"{where} quá lớn: có dữ liệu ở ô {cell_ref(big.row - 1, big.col - 1)} "
            f"(giới hạn {number(MAX_ROWS)} dòng, {MAX_COLUMNS} cột); nếu đó là ô gõ nhầm, hãy xoá hẳn "
            "các dòng, cột thừa rồi gửi lại")


def count_cells(total: int, rows: int, cols: int) -> int:
    total += rows * cols
    if total > MAX_CELLS:
        raise Refused(f"tệp quá lớn: các trang tính có tới {number(total)} ô (giới hạn {number(MAX_CELLS)}); {REDO}")
    return total


def check_extent(sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise Refused(too_large(Oversized(rows, cols, sheet)))
