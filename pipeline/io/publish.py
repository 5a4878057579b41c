"""Atomic publishing of one year's outputs, and SHA256SUMS.

A run writes everything into a staging folder beside the target, then swaps
it in with renames. A run that fails or is killed leaves the previous outputs
as they were, never a half-written file that looks current.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path, PurePosixPath

from pipeline.errors import PublishError

SUMS_FILE = "SHA256SUMS"


class Staging:
    """Collects the files of one run; `commit` swaps them into OUTPUT/YEAR."""

    def __init__(self, output_root: Path, year: int) -> None:
        self.target = output_root / str(year)
        self.folder = output_root / f".{year}.dang-ghi-{os.getpid()}"
        self.files: dict[str, bytes] = {}
        try:
            output_root.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir()
        except OSError as exc:
            raise PublishError(f"Không tạo được thư mục kết quả {output_root}: {exc.strerror}") from exc

    def add(self, name: str, data: bytes) -> None:
        """Add one file by its path relative to the year folder ("data/tong-hop.json")."""
        relative = _safe_relative(name)
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files[relative.as_posix()] = data

    def add_json(self, name: str, value: object) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        self.add(name, text.encode("utf-8"))

    def commit(self) -> Path:
        """Write SHA256SUMS, then replace the year folder in two renames."""
        self.add(SUMS_FILE, sha256sums(self.files).encode("ascii"))
        old = self.target.with_name(f".{self.target.name}.cu-{os.getpid()}")
        try:
            if self.target.exists():
                self.target.rename(old)
            self.folder.rename(self.target)
        except OSError as exc:
            if old.exists() and not self.target.exists():
                old.rename(self.target)
            raise PublishError(f"Không ghi được kết quả vào {self.target}: {exc.strerror}") from exc
        shutil.rmtree(old, ignore_errors=True)
        return self.target

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sha256sums(files: dict[str, bytes]) -> str:
    """`sha256sum -c` format, sorted by path; the sums file itself is not listed."""
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}"
        for name, data in sorted(files.items())
        if name != SUMS_FILE
    ]
    return "\n".join(lines) + "\n"


def _safe_relative(name: str) -> PurePosixPath:
    """A relative path that stays inside the year folder (no '..', no absolute)."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        raise PublishError(f"Tên tệp kết quả không hợp lệ: {name!r}")
    return path
