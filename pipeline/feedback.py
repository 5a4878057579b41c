"""A unit's own workbook sent back marked: read it, mark it, write the copy (`mark_workbook`).

The decisions are `pipeline.core.documents.feedback`'s, the writing
`pipeline.render.marked`'s; this joins them to the files. The submitted file
is only read. An .xlsx/.xlsm that openpyxl cannot load, though the reader
could, is rebuilt from its values like an .xls; one that nothing can read
gets a copy with the check sheet alone.
"""

from __future__ import annotations

import dataclasses
import logging
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import MARKED_XLSX
from pipeline.core.documents.feedback import FeedbackRequest
from pipeline.core.steps.raw import RawWorkbook, Refusal
from pipeline.core.steps.validate import Validation
from pipeline.io import file_digest, package_digest
from pipeline.io.approvals import copy_path
from pipeline.io.submitted import workbook_source, workbook_values, write_copy
from pipeline.issues import Issue
from pipeline.settings import Settings

log = logging.getLogger("pipeline")


def marked_request(source: Path, issues: Iterable[Issue], settings: Settings, unit_code: str = "") -> FeedbackRequest:
    """What the marked copy of `source` shows, for the issues given (all of them listed).

    `unit_code` defaults to the issues' unit; the unit's name comes from the config.
    """
    found = tuple(issues)
    code = unit_code or next((i.unit for i in found if i.unit), "")
    unit = settings.unit(code) if code else None
    org = settings.general.organisation
    files = {i.file for i in found if i.file}
    file = files.pop() if len(files) == 1 else source.name  # as the report names it ("2016/HB.xlsx")
    return FeedbackRequest(code, unit.title(org.unit_title) if unit else "", file, found, org.agency,
                           settings.general.style.office_font)


def marked_bytes(source: Path, issues: Iterable[Issue], settings: Settings, unit_code: str = "") -> bytes:
    """The marked copy of `source` as .xlsx bytes, for the issues given (all of them listed)."""
    return render_request(source, marked_request(source, issues, settings, unit_code))


def render_request(source: Path, request: FeedbackRequest) -> bytes:
    """The marked copy of `source` as .xlsx bytes, as `request` asks."""
    from pipeline.render.marked import render_marked, render_rebuilt  # openpyxl: only when a copy is marked

    loaded = workbook_source(source)
    if isinstance(loaded, bytes):
        try:
            return render_marked(loaded, request)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            log.warning("openpyxl không mở được %s (%s): dựng lại từ giá trị", source.name, exc)
            loaded = workbook_values(source)
    rebuilt = dataclasses.replace(request, rebuilt_from=source.suffix.lower())
    if isinstance(loaded, Refusal):
        loaded = RawWorkbook(loaded.path, loaded.sha256, ())
    return render_rebuilt(loaded, rebuilt)


def mark_workbook(source: Path, issues: Iterable[Issue], output: Path, settings: Settings,
                  unit_code: str = "") -> Path:
    """Write the marked copy of `source` to `output` (an .xlsx); `source` is never changed."""
    return write_copy(output, marked_bytes(source, issues, settings, unit_code))


def workbook_sources(files: Mapping[str, Path], validation: Validation, state: Path | None) -> dict[str, Path]:
    """Unit → the file its figures were read from: the approved copy in the state folder when that stands
    in (see pipeline.io.approvals), else its workbook in the input folder (`files`: shown name → path)."""
    found = {}
    for code, sub in validation.submissions.items():
        approval = validation.approved.get(code)
        if approval is not None and state is not None and sub.sha256 == approval.sha256 and sub.file not in files:
            found[code] = copy_path(state, approval)
        elif sub.file in files:
            found[code] = files[sub.file]
    return found


@dataclass(frozen=True)
class MarkedCopy:
    """phan-hoi/<CODE>.xlsx, to be made from `source` as `request` asks (see `pipeline.cache.Made`)."""

    name: str
    source: Path
    request: FeedbackRequest

    def material(self) -> str:
        """The copy's whole input besides the rendering code (in the render cache's fingerprint): the
        bytes of its source, what it marks, and the code that reads and marks it (the whole package's
        source: the reader and the feedback decisions live outside pipeline/render)."""
        return f"{package_digest()}\0{file_digest(self.source)}\0{self.request!r}"

    def make(self) -> bytes:
        return render_request(self.source, self.request)


def marked_copies(settings: Settings, validation: Validation, sources: Mapping[str, Path]) -> list[MarkedCopy]:
    """phan-hoi/<CODE>.xlsx for every unit whose workbook has open issues (explained warnings are not)."""
    copies = []
    for code, source in sources.items():
        issues = [i for i in validation.report.of_unit(code) if not i.explained]
        if issues:
            copies.append(MarkedCopy(MARKED_XLSX.path(code=code), source,
                                     marked_request(source, issues, settings, code)))
    return copies
