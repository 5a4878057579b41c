"""One cell → one value, or the Vietnamese phrase saying what is wrong with it.

The converters the parser applies to a count (`to_int`), a date (`to_date`) and
a formula without a usable value (`formula_problem`). Each returns the value
and a problem phrase a clerk can act on ("phải là số nguyên, không phải …");
the parser turns a phrase into an Issue at the cell. Nothing here raises on
what a cell holds.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.core.steps.raw import UNCALCULATED, FormulaCell, Value
from pipeline.core.vi import ascii_key

EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_DIGITS = 15  # beyond any count a unit could report; also below int()'s digit limit
_LIMIT = 10**MAX_DIGITS
_DATE_TEXT = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_INT_TEXT = re.compile(r"^[+]?\d{1,3}(\.\d{3})+$|^[+]?\d+$")
_COMMA_THOUSANDS = re.compile(r"^[+]?\d{1,3}(,\d{3})+$")
_NOTHING = frozenset({"khong", "khongco", "ko", "k", "kco"})  # ascii_key of "không", "không có", "ko", …
_DASHES = frozenset("-–—_.")
# What Excel's error values mean, for the clerk who has to fix the formula.
FORMULA_ERRORS = {
    "#DIV/0!": "chia cho 0",
    "#N/A": "không tìm thấy giá trị cần tra",
    "#VALUE!": "sai kiểu dữ liệu",
    "#REF!": "tham chiếu tới ô đã bị xoá",
    "#NAME?": "sai tên hàm hoặc tên vùng",
    "#NUM!": "phép tính cho số không hợp lệ",
    "#NULL!": "các vùng ô không giao nhau",
}


def is_blank(value: Value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Value) -> str:
    """A cell as one line of text: 12.0 → "12", runs of spaces and line breaks → one space."""
    if type(value) is str:  # the usual cell, first: a blank one splits into nothing
        return " ".join(value.split())
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def formula_problem(cell: FormulaCell) -> str:
    """What is wrong with a formula cell and what to do, for a clerk."""
    if cell.problem == UNCALCULATED:
        return "có công thức nhưng chưa có giá trị; mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại"
    meaning = FORMULA_ERRORS.get(cell.problem.upper())
    shown = f"{cell.problem} ({meaning})" if meaning else cell.problem
    return f"có lỗi công thức {shown}; sửa công thức hoặc gõ thẳng số liệu vào ô rồi gửi lại"


def to_int(raw: Value) -> tuple[int | None, str | None]:
    """A whole number ≥ 0 from a cell: 12, 12.0, "12", " 1.234 " → value; else a problem.

    A value is never beyond 15 digits, so nothing downstream (Decimal
    arithmetic, formatting) can fail on it; the configured bound is a check.
    """
    if (type(raw) is float or type(raw) is int) and 0 <= raw < _LIMIT and raw == int(raw):
        return int(raw), None  # the usual count, first: a whole number within bounds, as below
    if is_blank(raw):
        return None, None
    if isinstance(raw, str):
        return _int_text(raw)
    if isinstance(raw, FormulaCell):
        return None, formula_problem(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None, _not_a_number(raw)
    if raw != raw or raw in (float("inf"), float("-inf")):
        return None, "không phải là số"
    if isinstance(raw, float) and not raw.is_integer():
        return None, _fraction(raw)
    if abs(raw) >= 10**MAX_DIGITS:
        return None, f"quá lớn ({_plain(raw)}); hãy kiểm tra lại số liệu"
    if raw < 0:
        return None, f"không được âm ({cell_text(raw)})"
    return int(raw), None


def _int_text(raw: str) -> tuple[int | None, str | None]:
    text = raw.replace("\u00a0", " ").replace(" ", "")
    if len(text) > MAX_DIGITS:
        return None, f"quá lớn («{cell_text(raw)[:20]}…»); hãy kiểm tra lại số liệu"
    if _INT_TEXT.match(text):
        return int(text.replace(".", "").lstrip("+")), None
    if ascii_key(text) in _NOTHING or set(text) <= _DASHES:
        return None, f"phải là số nguyên không âm, không phải «{cell_text(raw)}»; ghi số 0 nếu không có"
    if _COMMA_THOUSANDS.match(text):
        whole = text.replace(",", "").lstrip("+")
        return None, (f"phải là số nguyên, không phải «{cell_text(raw)}» (dấu phẩy là dấu thập phân); "
                      f"nếu là số {whole} thì ghi {whole}")
    return None, f"phải là số nguyên không âm, không phải «{cell_text(raw)}»"


def _not_a_number(raw: Value) -> str:
    """A boolean, date or time where a count belongs: what Excel shows, and what to do."""
    if isinstance(raw, bool):
        return (f"phải là số nguyên, không phải giá trị đúng/sai ({'TRUE' if raw else 'FALSE'}); "
                "hãy gõ số vào ô")
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        kind = "ngày" if isinstance(raw, dt.date) else "giờ"
        return (f"phải là số nguyên, không phải {kind} «{_when(raw)}» (ô đang định dạng {kind}); "
                "hãy định dạng ô là Số (Number) rồi gõ lại số")
    return f"phải là số nguyên, không phải «{cell_text(raw)}»"


def _fraction(raw: float) -> str:
    """A non-whole number, with a hint when it is a whole count typed into a percent cell
    (1 typed, 0.01 stored) or with thousands written as a decimal point (1.234)."""
    problem = f"phải là số nguyên, không phải {_plain(raw)}"
    for scale, hint in ((100, "percent"), (1000, "thousands")):
        scaled = round(raw * scale, 6)
        if scaled.is_integer() and 0 < abs(scaled) < 10**MAX_DIGITS:
            typed = int(scaled)
            if hint == "percent":
                return (f"{problem}: nếu đã gõ {typed} thì ô đang định dạng phần trăm ({typed}%); "
                        f"hãy định dạng ô là Số (Number) rồi gõ lại {typed}")
            return f"{problem}; nếu là số {typed} thì gõ liền {typed}, không có dấu chấm hay dấu phẩy"
    return problem


def _plain(raw: float | int) -> str:
    """A number as the clerk would read it: decimal comma, no exponent for ordinary sizes."""
    if isinstance(raw, int) and abs(raw) >= 10**MAX_DIGITS:
        return f"hơn {MAX_DIGITS} chữ số"  # str() of a huge int is slow, or refused beyond 4,300 digits
    if isinstance(raw, float) and (abs(raw) >= 10**MAX_DIGITS or 0 < abs(raw) < 1e-6):
        return f"{raw:.3g}".replace(".", ",").upper()  # as Excel shows it: 1E+30
    return (str(int(raw)) if float(raw).is_integer() else repr(raw)).replace(".", ",")


def _when(raw: dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    minutes = int(raw.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def to_date(raw: Value) -> tuple[dt.date | None, str | None]:
    """A date from a cell: a date, an Excel serial, or "29/12/2016" text."""
    if is_blank(raw):
        return None, None
    if isinstance(raw, FormulaCell):
        return None, formula_problem(raw)
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(raw)), None
    match = _DATE_TEXT.match(str(raw).strip())
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day), None
        except ValueError:
            pass
    return None, f"phải là ngày dạng ngày/tháng/năm, ví dụ 29/12/2016 (đang ghi: «{cell_text(raw)}»)"
