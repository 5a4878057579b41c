"""Year files still being written: the placeholders `make new-year` leaves for the clerk.

`make new-year` writes config/years/<N>.yaml with every value the clerk must
decide for the new year (signing date, deadline, numbers, signer, assessment)
as the text PLACEHOLDER…>> ("<<CẦN ĐIỀN: ngày ký>>"). Such a file is a draft:
it is checked like any year file, except that a placeholder is accepted where
its key expects something else (a date, a number), and it stands for
"unfilled". Commands that need the year's documents (report, forms) refuse a
draft, naming each unfilled key and the file.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

from pipeline.settings.base import Strict

PLACEHOLDER = "<<CẦN ĐIỀN"  # how every placeholder starts: "<<CẦN ĐIỀN: ngày ký>>"


def placeholder(what: str) -> str:
    """The placeholder of one value: `<<CẦN ĐIỀN: what>>`."""
    return f"{PLACEHOLDER}: {what}>>"


def unfilled(data: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The key paths of every value in a YAML tree that still holds a placeholder."""
    if isinstance(data, str):
        return [at] if PLACEHOLDER in data else []
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in unfilled(value, (*at, key))]
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in unfilled(value, (*at, i))]
    return []


def key_name(path: tuple[str | int, ...]) -> str:
    """A key path as the config messages write it: assessment.strengths.0."""
    return ".".join(str(part) for part in path)


def other_errors(exc: ValidationError, paths: list[tuple[str | int, ...]]) -> ValidationError | None:
    """`exc` without the errors about placeholders (a date key holding "<<CẦN ĐIỀN…>>"); None if none remain."""
    held = set(paths)
    rest = [error for error in exc.errors() if not any(tuple(error["loc"][:n]) in held
                                                        for n in range(1, len(error["loc"]) + 1))]
    if not rest:
        return None
    details = [InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=e.get("ctx", {}))
               for e in rest]
    return ValidationError.from_exception_data(exc.title, details)


class Draft(Strict):
    """A year file that still has placeholders: where it is and which keys are unfilled."""

    file: str
    keys: tuple[str, ...]

    def refusal(self, year: int, command: str) -> str:
        """Why `command` cannot run for `year` yet, in Vietnamese."""
        listed = "\n".join(f"  - khóa «{key}»" for key in self.keys)
        return (f"Tệp {self.file} (năm {year}) còn {len(self.keys)} mục chưa điền (chỗ ghi «{PLACEHOLDER}: …>>»); "
                f"chưa thể chạy {command}. Điền các mục sau rồi chạy lại:\n{listed}")
