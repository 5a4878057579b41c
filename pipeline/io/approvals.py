"""Accepted workbooks (make approve): a copy of each, its SHA-256 and the time, in the state folder.

The state folder (STATE=, default .so-gui/, which `make clean` keeps) holds what
must outlive OUTPUT: the mail journal at its top, and here, under duyet/<YEAR>/,
one record per approved unit:

    duyet/2016/HB.json                 {"unit", "year", "file", "sha256", "copy", "approved_at"}
    duyet/2016/HB-<sha256[:16]>.xlsx   the accepted workbook, byte for byte

Every file is written beside its place under a temporary name, fsynced, then
renamed over it; the copy first, the record last. A run killed mid-write leaves
at most a temporary file (ignored, and replaced by the next approval) or a copy
no record names yet (the old approval stays in force). A later run finds the copy
through the record and checks its SHA-256: a missing or altered copy stops the
run with the state file named, never a silent fall-back to the input folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pipeline.core.steps.approval import Approval, keep_approved, needs_copy
from pipeline.core.steps.ledger import YearInputs
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Submission
from pipeline.errors import PipelineError, os_cause

APPROVALS_FOLDER = "duyet"
TEMPORARY = ".tam-"  # the prefix of a file being written


class ApprovalError(PipelineError):
    """The state folder's record of an approval cannot be read or trusted."""


def folder(state: Path, year: int) -> Path:
    return state / APPROVALS_FOLDER / str(year)


def record_path(state: Path, year: int, unit: str) -> Path:
    return folder(state, year) / f"{unit}.json"


def copy_path(state: Path, approval: Approval) -> Path:
    return folder(state, approval.year) / approval.copy


def read_approvals(state: Path, year: int) -> dict[str, Approval]:
    """unit code → its approval for `year`; none when nothing was approved. A record that cannot be
    read is an error naming it."""
    where = folder(state, year)
    if not where.is_dir():
        return {}
    found: dict[str, Approval] = {}
    for path in sorted(where.glob("*.json")):
        if path.name.startswith(TEMPORARY):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            approval = Approval(**{key: data[key] for key in Approval.__dataclass_fields__})
        except OSError as exc:
            raise ApprovalError(f"Không đọc được bản ghi duyệt {path}: {os_cause(exc, reading=True)}") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ApprovalError(f"Bản ghi duyệt {path} bị hỏng (không phải bản ghi của make approve): khôi phục "
                                f"tệp từ bản sao lưu, hoặc xoá tệp rồi duyệt lại bằng make approve "
                                f"UNIT={path.stem} YEAR={year}") from exc
        if approval.unit != path.stem or approval.year != year:
            raise ApprovalError(f"Bản ghi duyệt {path} ghi đơn vị {approval.unit} năm {approval.year}, không khớp "
                                f"tên tệp: khôi phục tệp từ bản sao lưu hoặc duyệt lại bằng make approve "
                                f"UNIT={path.stem} YEAR={year}")
        found[approval.unit] = approval
    return found


def approved_bytes(state: Path, approval: Approval) -> Path:
    """The path of the approved copy once its SHA-256 is checked; an ApprovalError naming it otherwise."""
    path = copy_path(state, approval)
    again = (f"khôi phục tệp từ bản sao lưu thư mục {state}, hoặc duyệt lại biểu mẫu hiện có bằng make approve "
             f"UNIT={approval.unit} YEAR={approval.year}")
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError as exc:
        raise ApprovalError(f"Thiếu bản đã duyệt của đơn vị {approval.unit} năm {approval.year}: {path} "
                            f"(bản ghi {record_path(state, approval.year, approval.unit)}). Chưa lập gì; "
                            f"{again}") from exc
    except OSError as exc:
        raise ApprovalError(f"Không đọc được bản đã duyệt {path}: {os_cause(exc, reading=True)}") from exc
    if digest != approval.sha256:
        raise ApprovalError(f"Bản đã duyệt của đơn vị {approval.unit} năm {approval.year} ({path}) đã bị thay đổi: "
                            f"mã SHA-256 không khớp bản ghi {record_path(state, approval.year, approval.unit)}. "
                            f"Chưa lập gì; {again}")
    return path


def in_force(state: Path, approvals: dict[str, Approval], selection: YearInputs,
             read: Callable[[Path, str], Submission | Refusal]) -> YearInputs:
    """The year's workbooks with each approved unit's accepted copy in force (see core.steps.approval).
    Every approved copy's SHA-256 is checked on every run; `read` parses a copy when it must stand in."""
    copies: dict[str, Submission] = {}
    for code, approval in approvals.items():
        path = approved_bytes(state, approval)
        if not needs_copy(selection, approval):
            continue
        # Shown by the name it was approved under: the state folder is the office's, not the unit's.
        found = read(path, f"{approval.file} (bản đã duyệt)")
        if isinstance(found, Refusal):
            raise ApprovalError(f"Không đọc được bản đã duyệt {path} của đơn vị {code}: {found.reason}")
        copies[code] = found
    return keep_approved(selection, approvals, copies)


def record(state: Path, approval: Approval, data: bytes) -> None:
    """Write the copy (`data`, the workbook's bytes), then the record, each atomically; an older copy
    is removed last."""
    where = folder(state, approval.year)
    before = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        old = record_path(state, approval.year, approval.unit)
        if old.is_file():
            before = read_approvals(state, approval.year).get(approval.unit)
        _write(copy_path(state, approval), data)
        text = json.dumps(approval.as_dict(), ensure_ascii=False, indent=2) + "\n"
        _write(old, text.encode("utf-8"))
        if before is not None and before.copy != approval.copy:
            copy_path(state, before).unlink(missing_ok=True)
    except OSError as exc:
        raise ApprovalError(f"Không ghi được bản duyệt vào {where}: {os_cause(exc, reading=False)}; chưa duyệt "
                            "(bản duyệt trước, nếu có, vẫn giữ nguyên)") from exc


def _write(path: Path, data: bytes) -> None:
    """`data` at `path` or nothing: a temporary file beside it, fsynced, renamed over it."""
    fd, temporary = tempfile.mkstemp(prefix=TEMPORARY, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
