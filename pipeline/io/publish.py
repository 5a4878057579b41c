"""Atomic publishing of one year's outputs, and SHA256SUMS.

A run writes everything into a staging folder beside the target, then swaps
it in with renames. A run that fails or is killed leaves the previous outputs
as they were, never a half-written file that looks current.

Several commands write into one year folder, each owning its part: `forms`
owns bieu-mau/, `validate` owns the issue report and the feedback slips, and
`report` owns everything but the forms. A run carries over (hard-links) the
files it does not own from the current folder, so publishing one part never
loses another; SHA256SUMS always covers the whole folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Callable

from pipeline.errors import PublishError

SUMS_FILE = "SHA256SUMS"
FORMS_FOLDER = "bieu-mau/"
SITE_FILE = "index.html"
KEYS_FILE = "data/khoa-van-ban.json"
# Rewritten by every report or validate run, never carried over as they were.
CHECK_OUTPUTS = ("data/kiem-tra.json", "phieu-kiem-tra/", SITE_FILE, KEYS_FILE)


def forms_part(name: str) -> bool:
    return name.startswith(FORMS_FOLDER)


def check_part(name: str) -> bool:
    return name.startswith(CHECK_OUTPUTS)


# What each command keeps from the folder it replaces.
KEEP_FOR_REPORT: Callable[[str], bool] = forms_part
KEEP_FOR_CHECK: Callable[[str], bool] = lambda name: not check_part(name)  # noqa: E731
KEEP_FOR_FORMS: Callable[[str], bool] = lambda name: not forms_part(name)  # noqa: E731


class Staging:
    """Collects the files of one run; `commit` swaps them into OUTPUT/YEAR."""

    def __init__(self, output_root: Path, year: int, keep: Callable[[str], bool] = KEEP_FOR_REPORT) -> None:
        self.target = output_root / str(year)
        self.folder = output_root / f".{year}.dang-ghi-{os.getpid()}"
        self.keep = keep
        self.files: dict[str, str] = {}  # name → SHA-256: a national run's bytes need not stay in memory
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
        # A carried-over file is a hard link to the published one: never write through it.
        path.unlink(missing_ok=True)
        path.write_bytes(data)
        self.files[relative.as_posix()] = hashlib.sha256(data).hexdigest()

    def add_json(self, name: str, value: object) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        self.add(name, text.encode("utf-8"))

    def commit(self, finish: Callable[[tuple[str, ...]], dict[str, bytes]] | None = None) -> Path:
        """Carry over what this run does not own, let `finish` add files that list
        the whole folder (the status page), write SHA256SUMS, swap in two renames."""
        self._carry_over()
        if finish is not None:
            for name, data in finish(tuple(sorted(self.files))).items():
                self.add(name, data)
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

    def _carry_over(self) -> None:
        if not self.target.is_dir():
            return
        for path in sorted(self.target.rglob("*")):
            name = path.relative_to(self.target).as_posix()
            if not path.is_file() or name == SUMS_FILE or name in self.files or not self.keep(name):
                continue
            self._link(path, name)

    def _link(self, path: Path, name: str) -> None:
        copy = self.folder / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, copy)
        except OSError:
            shutil.copy2(path, copy)
        self.files[name] = _file_digest(copy)

    def reuse(self, name: str) -> bool:
        """Stage the published copy of `name` unchanged (a hard link); False if there is none."""
        path = self.target / _safe_relative(name)
        if not path.is_file():
            return False
        self._link(path, _safe_relative(name).as_posix())
        return True

    def published(self, name: str) -> bytes | None:
        """A file as the current year folder has it (before this run is swapped in)."""
        path = self.target / _safe_relative(name)
        return path.read_bytes() if path.is_file() else None

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sha256sums(digests: dict[str, str]) -> str:
    """`sha256sum -c` format from name → hex digest, sorted by path; the sums file itself is not listed."""
    lines = [f"{digest}  {name}" for name, digest in sorted(digests.items()) if name != SUMS_FILE]
    return "\n".join(lines) + "\n"


def _file_digest(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _safe_relative(name: str) -> PurePosixPath:
    """A relative path that stays inside the year folder (no '..', no absolute)."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        raise PublishError(f"Tên tệp kết quả không hợp lệ: {name!r}")
    return path
