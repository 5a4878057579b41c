"""Earlier years on disk: a published year's tong-hop.json (checked against its SHA256SUMS line), and
config/history.yaml written a year at a time.

history.yaml is edited as text, so that its comments and the other years stay
exactly as the office wrote them: `write_year` adds one block under `years:`
(or, when asked, replaces that year's block) in the file's own style, one unit
a line: `    HB: {TCD: 2, CD: 12, DTN: 3}`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import SUMS, TOTALS_DATA
from pipeline.errors import SourceError, os_cause


@dataclass(frozen=True)
class Published:
    """A year's published tong-hop.json: its parsed contents, or why it was not read (`data` None)."""

    where: str  # "<year>/data/tong-hop.json", as the documents name it
    data: object
    reason: str = ""


def read_published(output_root: Path, year: int) -> Published | None:
    """OUTPUT/<year>/data/tong-hop.json when its SHA256SUMS line matches; None when not published."""
    folder = output_root / str(year)
    where = f"{year}/{TOTALS_DATA.path()}"
    path = folder / TOTALS_DATA.path()
    if not path.is_file():
        return None
    try:
        content = path.read_bytes()
        sums = (folder / SUMS.path()).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        return Published(where, None, f"không đọc được: {os_cause(exc, reading=True)}")
    listed = {name: digest for digest, name in _sum_lines(sums)}
    digest = listed.get(TOTALS_DATA.path())
    if digest is None:
        return Published(where, None, f"không có dòng {TOTALS_DATA.path()} trong {year}/{SUMS.path()}")
    if hashlib.sha256(content).hexdigest() != digest.lower():
        return Published(where, None, f"mã SHA-256 không khớp với {year}/{SUMS.path()} (tệp đã bị sửa)")
    try:
        return Published(where, json.loads(content.decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        return Published(where, None, "không phải JSON hợp lệ")


def _sum_lines(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name:
            pairs.append((digest.strip(), name.strip()))
    return pairs


# --- writing history.yaml ----------------------------------------------------------------

_YEAR_LINE = re.compile(r"^(\s+)(\d{4})\s*:")


def write_year(path: Path, year: int, figures: dict[str, dict[str, int]], comment: str, force: bool) -> bool:
    """Write `year`'s per-unit figures into history.yaml; False (nothing written) when the year is already
    there and not `force`. Comments and the other years are kept as they are."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise SourceError(f"Không đọc được {path}: {os_cause(exc, reading=True)}") from exc
    lines = text.splitlines()
    if not any(line.rstrip() == "years:" for line in lines):
        if any(line.strip() == "years: {}" for line in lines):
            lines = [("years:" if line.strip() == "years: {}" else line) for line in lines]
        else:
            lines.append("years:")
    start, end = _year_block(lines, year)
    if start is not None and not force:
        return False
    block = [f"  # {comment}", f"  {year}:"] + [
        f"    {code}: {{{', '.join(f'{ind}: {value}' for ind, value in values.items())}}}"
        for code, values in figures.items()]
    if start is not None:
        while start > 0 and lines[start - 1].strip().startswith("#") and lines[start - 1].startswith("  "):
            start -= 1  # the block's own comment goes with it
        lines[start:end] = block
    else:
        lines[_insert_at(lines, year):_insert_at(lines, year)] = block
    _atomic_write(path, "\n".join(lines) + "\n")
    return True


def _year_block(lines: list[str], year: int) -> tuple[int | None, int]:
    """The lines of `year`'s block under `years:` (its key line to before the next year's), if any."""
    start = None
    for i, line in enumerate(lines):
        match = _YEAR_LINE.match(line)
        if start is None and match and int(match.group(2)) == year:
            start = i
        elif start is not None and (match or (line and not line.startswith(" ") and not line.startswith("#"))):
            end = i
            while end > start + 1 and lines[end - 1].strip().startswith("#"):
                end -= 1  # a comment just above the next year belongs to it
            return start, end
    return start, len(lines)


def _insert_at(lines: list[str], year: int) -> int:
    """Years in order: before the first later year (and the comment above it), else at the end of `years:`."""
    top = next(i for i, line in enumerate(lines) if line.rstrip() == "years:")
    for i in range(top + 1, len(lines)):
        match = _YEAR_LINE.match(lines[i])
        if match and int(match.group(2)) > year:
            while i > top + 1 and lines[i - 1].strip().startswith("#"):
                i -= 1
            return i
        if lines[i] and not lines[i].startswith((" ", "#")):
            return i
    return len(lines)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise SourceError(f"Không ghi được {path}: {os_cause(exc, reading=False)}") from exc
