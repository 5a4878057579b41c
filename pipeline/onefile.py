"""A clerk's check of one workbook before sending it: `make validate FILE=…` (`validate --file`).

Reads and checks that one file exactly as `validate` reads and checks each
workbook under INPUT (the same reader, the same rules of the file, last
year's figures for the rules that use them), and writes nothing: no output
folder, no state. The year is the one the workbook states (as `validate`
groups files), else YEAR=, else the one its name or folder gives; the unit is
the one it states, else its file name's. What the other units sent (copies,
duplicates, who has not sent) is not this check's business.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pipeline.core.steps.checks import uses_previous
from pipeline.core.steps.explain import explain
from pipeline.core.steps.ledger import path_year
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.validate import Validation, unit_from_name, validate_year
from pipeline.errors import SourceError
from pipeline.io.inbox import WORKBOOK_SUFFIXES
from pipeline.issues import ValidationReport
from pipeline.previous import Inputs, find_previous
from pipeline.runner import read_files
from pipeline.settings import Settings, load_settings
from pipeline.settings.explanations import EXPLANATIONS_FILE
from pipeline.settings.parsed import ParsedCache


def validate_file(file: Path, config_dir: Path, output_root: Path, year: int | None = None) -> Validation:
    """The issues of `file` alone, as `validate` reports them; SourceError if it is not a workbook to read."""
    settings = load_settings(config_dir, ParsedCache(output_root, write=False))  # writes nothing
    shown = str(file)
    _check_path(file)
    read = read_files([(file, shown)], 1, settings)[0]
    if isinstance(read, Refusal):
        return _refused(read, settings, year or path_year(shown) or _latest(settings))
    stated = read.year or year or path_year(shown, read.unit_code) or _latest(settings)
    previous = None
    if any(map(uses_previous, settings.rules)):  # last year's figures, as validate finds them (read only)
        previous = find_previous(stated, Inputs({stated: [read]}, [], []), settings, output_root).figures
    whole = validate_year(stated, [read], [], settings, None, previous, absent_noted=False)
    own = ValidationReport.of(stated, (i for i in whole.report.issues if i.file == shown))
    own = explain(own, settings.explanations, str(config_dir / EXPLANATIONS_FILE))
    status = {code: s for code, s in whole.status.items() if code in whole.submissions}
    return dataclasses.replace(whole, status=status, report=own)


def _check_path(file: Path) -> None:
    """A missing path, a folder or a file that is not a workbook: one Vietnamese line, before reading."""
    if not file.exists():
        raise SourceError(f"Không tìm thấy tệp {file}: kiểm tra lại đường dẫn FILE=…")
    if file.is_dir():
        raise SourceError(f"{file} là một thư mục, không phải một biểu mẫu: FILE=… nhận một tệp "
                          f"({', '.join(WORKBOOK_SUFFIXES)}); muốn kiểm tra cả thư mục, dùng INPUT={file}")
    if file.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise SourceError(f"{file} không phải là biểu mẫu (bảng tính {', '.join(WORKBOOK_SUFFIXES)}): "
                          "chọn tệp biểu mẫu Excel đơn vị đã điền")
    if not os.access(file, os.R_OK):
        raise SourceError(f"Không đọc được tệp {file} (không có quyền đọc)")


def _refused(refusal: Refusal, settings: Settings, year: int) -> Validation:
    """A file the reader refused: its one error, its unit (by name) invalid."""
    unit = unit_from_name(refusal.path, settings)
    return Validation(year, {}, {unit: "invalid"} if unit else {},
                      ValidationReport.of(year, [refusal.issue(unit=unit)]))


def _latest(settings: Settings) -> int:
    return max(settings.year_files(), default=0)
