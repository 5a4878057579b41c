"""pydantic's errors → Vietnamese lines naming the file, the key and what the key expects."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.settings.base import PATTERN_MESSAGES

_MESSAGES = {
    "missing": "thiếu giá trị bắt buộc",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi văn bản",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "literal_error": "giá trị không hợp lệ",
    "too_short": "danh sách không được rỗng",
    "string_too_short": "không được để trống",
    "dict_type": "phải là một bảng khóa: giá trị",
    "tuple_type": "phải là một danh sách",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một bảng khóa: giá trị",
}


def explain(path: Path, model: type[BaseModel], exc: ValidationError) -> str:
    """Turn pydantic's errors into Vietnamese lines naming the file and the key."""
    lines = [f"Cấu hình không hợp lệ trong tệp {path}:"]
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"]) or "(gốc)"
        kind = error["type"]
        text = _MESSAGES.get(kind)
        if kind == "extra_forbidden":
            text = "khóa không được phép" + hint(model, error["loc"])
        elif kind == "literal_error":
            text = f"giá trị không hợp lệ, chỉ nhận: {error['ctx']['expected'].replace(' or ', ' hoặc ')}"
        elif kind == "value_error":
            text = str(error["ctx"]["error"])
        elif kind == "string_pattern_mismatch":
            pattern = error["ctx"]["pattern"]
            text = PATTERN_MESSAGES.get(pattern, f"sai định dạng (cần khớp mẫu {pattern})")
        elif kind == "greater_than_equal":
            text = f"giá trị quá nhỏ: phải từ {count_text(error['ctx']['ge'])} trở lên"
        elif kind == "less_than_equal":
            text = f"giá trị quá lớn: tối đa {count_text(error['ctx']['le'])}"
        elif text is None:
            text = error["msg"]
        lines.append(f"  - khóa «{key}»: {text}")
    return "\n".join(lines)


def count_text(value: Any) -> str:
    """1000000 → "1.000.000", as the documents write numbers."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """Suggest the closest valid key for an unknown one (walks the model by loc)."""
    current: Any = model
    for part in loc[:-1]:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            continue
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = next((a for a in (annotation, *args) if hasattr(a, "model_fields")), None)
        if current is None:
            return ""
    valid = list(getattr(current, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    suggestion = f"; có phải «{close[0]}»?" if close else ""
    return f" (các khóa hợp lệ: {', '.join(valid)}){suggestion}"
