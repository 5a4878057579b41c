"""Exceptions that stop a run.

Bad data in a workbook is not an exception: it becomes an `Issue` (see
`pipeline.issues`) and the batch goes on. These classes are for the cases where
the run cannot go on: broken configuration, an output folder that cannot be
written, a document that cannot be rendered faithfully. Each carries a message
in Vietnamese for the clerk; the CLI prints it on one line and exits non-zero.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class PipelineError(Exception):
    """Base class: `str(err)` is the Vietnamese message shown to the clerk."""

    exit_code = 2


class ConfigError(PipelineError):
    """A configuration file is missing, unreadable or invalid."""


class SourceError(PipelineError):
    """The input folder itself cannot be used (not a single workbook can be read)."""


class RenderError(PipelineError):
    """A document could not be rendered faithfully (missing font, missing glyph…)."""


class PublishError(PipelineError):
    """The output folder could not be written."""


class InvalidDataError(PipelineError):
    """Strict mode: some workbooks have errors, so no report is rendered.

    Carries the validation outcome so the CLI can show every issue first.
    """

    exit_code = 1

    def __init__(self, message: str, validation: object = None, issues_file: Path | None = None) -> None:
        super().__init__(message)
        self.validation = validation
        self.issues_file = issues_file  # where the run wrote every issue (the console may list fewer)


class Stopped(BaseException):
    """The run was asked to stop by a signal (Ctrl-C, SIGTERM, SIGHUP).

    A BaseException, like KeyboardInterrupt, so no `except Exception` on the
    way up swallows it; every `finally` and the staging clean-up still run.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# What a clerk can do about the usual causes; anything else keeps the system's own wording.
_OS_CAUSES = {
    "ENOSPC": "ổ đĩa đầy",
    "EDQUOT": "hết hạn mức dung lượng",
    "EACCES": "không có quyền ghi",
    "EPERM": "không có quyền ghi",
    "EROFS": "ổ đĩa chỉ cho phép đọc",
    "EMFILE": "quá nhiều tệp đang mở",
    "ENFILE": "quá nhiều tệp đang mở",
    "ENAMETOOLONG": "tên tệp quá dài",
    "ENOENT": "không tìm thấy tệp hay thư mục",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "EISDIR": "là một thư mục, không phải tệp",
    "EIO": "lỗi đọc ghi của ổ đĩa",
    "EFBIG": "tệp quá lớn",
    "EXDEV": "thư mục tạm và thư mục kết quả nằm trên hai ổ đĩa khác nhau",
}


def os_cause(exc: OSError, reading: bool = False) -> str:
    """Why an operating-system call failed, in Vietnamese ("ổ đĩa đầy"); the system's
    own text, with its error number, only for causes not listed here."""
    name = errno.errorcode.get(exc.errno or 0, "")
    if reading and name in ("EACCES", "EPERM"):
        return "không có quyền đọc"
    if name in _OS_CAUSES:
        return _OS_CAUSES[name]
    return f"lỗi hệ thống {name or exc.errno}: {exc.strerror or 'không rõ nguyên nhân'}"


def os_failure(exc: OSError) -> str:
    """One line for an OSError that reached the top of a run: the path and the cause."""
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    where = " → ".join(str(p) for p in paths)
    return (f"Không đọc hay ghi được {where}: {os_cause(exc)}" if where else f"Lỗi hệ thống tệp: {os_cause(exc)}") + (
        ". Chưa ghi gì: văn bản lần trước giữ nguyên")
