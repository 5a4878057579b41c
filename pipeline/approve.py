"""make approve: record a unit's accepted workbook in the state folder (see pipeline.io.approvals).

The unit's current workbook under INPUT is checked as `make validate` checks it,
without any earlier approval in force: one with errors, none at all, or an
unknown unit are refused with nothing written. Approving the same bytes again
changes nothing (but repairs a missing or altered copy).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.steps.approval import Approval
from pipeline.errors import SourceError, os_cause
from pipeline.io.approvals import ApprovalError, approved_bytes, read_approvals, record, record_path
from pipeline.plan import Options, check
from pipeline.settings import load_settings

SHOWN_ERRORS = 5  # errors quoted in a refusal; make validate lists them all


@dataclass(frozen=True)
class Approved:
    approval: Approval
    record: Path  # the state folder's record
    copy: Path  # the accepted copy
    unchanged: bool  # the same workbook was already approved: nothing written
    warnings: int  # the workbook's open warnings (approved all the same)

    def lines(self) -> list[str]:
        """What the console says, in Vietnamese."""
        a = self.approval
        if self.unchanged:
            return [f"Biểu mẫu «{a.file}» của đơn vị {a.unit} năm {a.year} đã được duyệt lúc {a.when()}: không có gì "
                    "thay đổi."]
        said = [f"Đã duyệt biểu mẫu «{a.file}» của đơn vị {a.unit} năm {a.year} (SHA-256 {a.sha256[:16]}…, lúc "
                f"{a.when()}); bản lưu: {self.copy}."]
        if self.warnings:
            said.append(f"Biểu mẫu còn {self.warnings} cảnh báo chưa giải trình (xem phiếu kiểm tra; giải trình "
                        "trong config/giai-trinh.yaml).")
        return [*said, "Từ nay tệp khác của đơn vị gửi đến sẽ không được dùng cho đến khi duyệt lại."]


def approve(options: Options, unit: str, now: Callable[[], dt.datetime] | None = None) -> Approved:
    """Record `unit`'s current workbook as accepted; `now` gives the time recorded (tests fix it)."""
    if options.state is None:
        raise SourceError("Chưa chọn thư mục lưu trạng thái (STATE=, dòng lệnh --state): chưa duyệt gì")
    if options.state.resolve().is_relative_to(options.output_root.resolve()):
        raise SourceError(f"Thư mục trạng thái {options.state} nằm trong thư mục kết quả {options.output_root}: "
                          "make clean sẽ xóa cả biểu mẫu đã duyệt. Chọn STATE= (dòng lệnh: --state) ở ngoài OUTPUT; "
                          "chưa duyệt gì")
    code = unit.strip().upper()
    settings = load_settings(options.config_dir)
    if settings.unit(code) is None:
        raise SourceError(f"Không có đơn vị mã «{unit}» trong {options.config_dir / 'units.yaml'}: chưa duyệt gì. "
                          "Kiểm tra lại UNIT=… (mã đơn vị, ví dụ UNIT=HB)")
    _, inputs, validation = check(dataclasses.replace(options, state=None))
    year = validation.year
    status = validation.status.get(code)
    if status is None:
        raise SourceError(f"Đơn vị {code} không phải đơn vị báo cáo năm {year} (units.yaml): chưa duyệt gì")
    if status == "missing":
        raise SourceError(f"Đơn vị {code} chưa có biểu mẫu năm {year} trong {options.input_dir}: chưa duyệt gì")
    errors = [i for i in validation.report.of_unit(code) if i.is_error]
    if status != "valid" or errors:
        quoted = "; ".join(f"{i.file} {i.sheet}!{i.cell}: {i.message}" if i.cell else f"{i.file}: {i.message}"
                           for i in errors[:SHOWN_ERRORS])
        more = f" và {len(errors) - SHOWN_ERRORS} lỗi khác" if len(errors) > SHOWN_ERRORS else ""
        raise SourceError(f"Biểu mẫu năm {year} của đơn vị {code} còn {len(errors)} lỗi, chưa duyệt được"
                          + (f" ({quoted}{more})" if quoted else "")
                          + f". Chạy make validate YEAR={year} để xem phiếu kiểm tra; sửa xong rồi duyệt lại.")
    sub = validation.submissions[code]
    source = next(e.file for e in inputs.entries if e.path == sub.file and e.file is not None)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SourceError(f"Không đọc được {source}: {os_cause(exc, reading=True)}; chưa duyệt gì") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sub.sha256:
        raise SourceError(f"Tệp {sub.file} vừa thay đổi trong khi kiểm tra: chưa duyệt gì; chạy lại make approve "
                          f"UNIT={code}")
    state = options.state
    warnings = sum(1 for i in validation.report.of_unit(code) if not i.is_error and not i.explained)
    existing = read_approvals(state, year).get(code)
    if existing is not None and existing.sha256 == digest:
        try:
            copy = approved_bytes(state, existing)
            return Approved(existing, record_path(state, year, code), copy, True, warnings)
        except ApprovalError:
            pass  # the copy went missing or was altered: approving the same bytes again repairs it
    moment = (now or _now)()
    approval = Approval(code, year, sub.file, digest, f"{code}-{digest[:16]}{source.suffix.lower()}",
                        moment.isoformat(timespec="seconds"))
    record(state, approval, data)
    return Approved(approval, record_path(state, year, code), approved_bytes(state, approval), False, warnings)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()
