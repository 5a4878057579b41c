"""Atomic publishing of one year's outputs, and SHA256SUMS.

A run writes everything into a staging folder beside the target, then swaps
it in with one atomic exchange (renameat2 RENAME_EXCHANGE on Linux; two
renames and recovery elsewhere). A run that fails or is killed, even with
kill -9, leaves the previous outputs as they were, never a half-written file
that looks current; the next run clears what the killed one left behind. A
lock file (flock, released by the kernel when the process dies) stops two
runs from writing one year folder at once.

Several commands write into one year folder, each owning its part (declared
in `pipeline.core.catalogue`: forms the blank workbooks, validate the issue
report and the feedback slips, distribute the bundles, archival copies,
register and sent log, report everything else). A run carries
over (hard-links) the files it does not own from the current folder, so
publishing one part never loses another (a report run never forgets what was
sent); SHA256SUMS always covers the whole folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import weakref
from collections.abc import Callable
from functools import cached_property, partial
from pathlib import Path, PurePosixPath

from pipeline.core.catalogue import SUMS, Command, keeps
from pipeline.errors import PublishError, os_cause
from pipeline.io import file_digest, jsontext
from pipeline.io.stamps import Identity, Stamps, identity


def keep_for(command: Command) -> Callable[[str], bool]:
    """What a run of `command` carries over from the folder it replaces (see catalogue.keeps)."""
    return partial(keeps, command)


STAGING_MARK = "dang-ghi"  # .2016.dang-ghi-<pid>: a run's folder being written
OLD_MARK = "cu"  # .2016.cu-<pid>: the replaced folder, between the two renames of the fallback swap


class Staging:
    """Collects the files of one run; `commit` swaps them into OUTPUT/YEAR.

    Holds the year's lock from creation until `commit` or `abandon`.
    """

    def __init__(self, output_root: Path, year: int, keep: Callable[[str], bool]) -> None:
        self.target = output_root / str(year)
        self.folder = output_root / f".{year}.{STAGING_MARK}-{os.getpid()}"
        self.keep = keep
        self.files: dict[str, str] = {}  # name → SHA-256: a national run's bytes need not stay in memory
        self.stamps = Stamps(output_root, year)
        self._made: set[Path] = set()  # folders of the staging folder made for links
        # Published files staged as they are (reused, carried over), linked only at commit, and only if the folder
        # changes at all: name → the identity this run verified (None: carried over unread).
        self._linked: dict[str, Identity | None] = {}
        self._read: dict[str, str] = {}  # published files read this run (no stamp for them) → digest: stamp them
        self._published_names: list[str] | None = None
        try:
            output_root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"Không tạo được thư mục kết quả {output_root}: {os_cause(exc)}") from exc
        self._lock = _YearLock(output_root / f".{year}.khoa", self.target)
        try:
            _recover(output_root, year, self.target)
            self.folder.mkdir()
        except OSError as exc:
            self._lock.release()
            raise PublishError(f"Không tạo được thư mục kết quả {output_root}: {os_cause(exc)}") from exc

    def add(self, name: str, data: bytes) -> None:
        """Add one file by its path relative to the year folder ("data/tong-hop.json")."""
        relative = _safe_relative(name)
        path = self.folder / relative
        self._linked.pop(relative.as_posix(), None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written = os.stat(path)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.files[relative.as_posix()] = hashlib.sha256(data).hexdigest()
        self.stamps.saw(relative.as_posix(), written)

    def _failed(self, exc: OSError) -> PublishError:
        """A write into the staging folder failed: the run stops, the published folder is untouched."""
        return PublishError(f"Không ghi được kết quả vào {self.folder.parent} (tệp {exc.filename or self.folder}): "
                            f"{os_cause(exc)}. Chưa thay gì: văn bản lần trước trong {self.target} giữ nguyên")

    def add_json(self, name: str, value: object) -> None:
        text = jsontext.dumps(value) + "\n"  # json.dumps(value, ensure_ascii=False, indent=2)
        self.add(name, text.encode("utf-8"))

    def commit(self, finish: Callable[[tuple[str, ...]], dict[str, bytes]] | None = None) -> Path:
        """Carry over what this run does not own, let `finish` add files that list
        the whole folder (the status page), write SHA256SUMS, swap in two renames.

        A run that would publish exactly the folder already there (a rerun with nothing changed) swaps
        nothing: the published folder stays as it is, and its ~10,000 files are neither linked, nor
        unlinked with the replaced folder, nor stamped again (~0.6 s of a country's 3.5 s rerun)."""
        try:
            self._carry_over()
        except OSError as exc:
            raise self._failed(exc) from exc
        if finish is not None:
            for name, data in finish(tuple(sorted(self.files))).items():
                self.add(name, data)
        self.add(SUMS.path(), sha256sums(self.files).encode("ascii"))
        if self._unchanged():
            shutil.rmtree(self.folder, ignore_errors=True)
            if self._read:
                self.stamps.record(self.target, self.files)
            self._lock.release()
            return self.target
        swapped = False
        try:
            self._link_all()
            _swap(self.folder, self.target)
            swapped = True
        except OSError as exc:
            raise PublishError(f"Không ghi được kết quả vào {self.target}: {os_cause(exc)}. Chưa thay gì: văn bản "
                               "lần trước giữ nguyên") from exc
        finally:
            try:
                shutil.rmtree(self.folder, ignore_errors=True)  # after the exchange: the replaced folder
                if swapped:  # after those unlinks, which change the ctime of every reused file
                    self.stamps.record(self.target, self.files)
            finally:
                self._lock.release()
        return self.target

    def _unchanged(self) -> bool:
        """Whether the published folder holds exactly this run's files, byte for byte: the same names (no file
        more, none less), the staged-as-they-are ones being its own, and each added one equal to its copy there
        (by its stamp, else read)."""
        names = self._published_names
        if names is None or len(names) != len(self.files) or any(name not in self.files for name in names):
            return False
        kept = {}
        for name, digest in self.files.items():
            if name in self._linked:
                continue
            try:
                status = os.stat(self.target / name, follow_symlinks=False)
            except OSError:
                return False
            listed = name == SUMS.path() or digest == self.published_sums.get(name)  # SHA256SUMS lists not itself
            if not listed or not stat.S_ISREG(status.st_mode):
                return False
            if self._published_digest(name, status) != digest:
                return False
            kept[name] = status
        for name, status in kept.items():  # the published copies are the ones kept: their stamps, not the staged
            self.stamps.saw(name, status)
        return True

    def _link_all(self) -> None:
        """Link every published file staged as it is; one verified by this run must still be the file it verified
        (same device, inode, size and mtime), else the run stops: it was replaced while the run went on."""
        for name, seen in self._linked.items():
            path = self.target / name
            if seen is not None and identity(os.stat(path, follow_symlinks=False)) != seen:
                raise PublishError(f"Tệp {path} đã bị thay trong lúc chương trình chạy. Chưa thay gì: văn bản lần "
                                   "trước giữ nguyên; hãy chạy lại")
            self._link(path, name)

    def _carry_over(self) -> None:
        """Link what this run does not own, listed in SHA256SUMS with the digest it was published with (not
        read again: a file altered since stays visibly altered, for `sha256sum -c`, make sign and distribute)."""
        if not self.target.is_dir():
            return
        self._published_names = _names(self.target)
        for name in self._published_names:  # names before stats: a report run owns nearly all ~10,000 of them
            if name == SUMS.path() or name in self.files or not self.keep(name):
                continue
            path = self.target / name
            if not path.is_file():
                continue
            self._linked[name] = None
            self.files[name] = self.published_sums.get(name) or file_digest(path)

    def _link(self, path: Path, name: str) -> None:
        copy = self.folder / name
        if copy.parent not in self._made:  # a country's ~10,000 links go into a handful of folders
            copy.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(copy.parent)
        try:
            os.link(path, copy)
        except OSError:
            shutil.copy2(path, copy)

    def reuse(self, name: str) -> bool:
        """Stage the published copy of `name` unchanged (a hard link); False if there is none, or if it is no
        longer what was published (its SHA-256 is not the one SHA256SUMS lists): then it is made anew."""
        relative = _safe_name(name)
        path = self.target / relative
        expected = self.published_sums.get(relative)
        try:
            status = os.stat(path)
        except OSError:
            return False
        if expected is None or not stat.S_ISREG(status.st_mode):
            return False
        if self._published_digest(relative, status) != expected:
            return False
        self._linked[relative] = identity(status)
        self.files[relative] = expected
        self.stamps.saw(relative, status)
        return True

    def _published_digest(self, name: str, status: os.stat_result) -> str:
        """The SHA-256 of the published `name`, whose stat is `status`: its stamp's when unchanged since a run
        wrote or read it (see io.stamps), else read (once a run)."""
        digest = self.stamps.digest(name, status) or self._read.get(name)
        if digest is None:
            digest = self._read[name] = file_digest(self.target / name)
        return digest

    @cached_property
    def published_sums(self) -> dict[str, str]:
        """name → SHA-256 as the current year folder's SHA256SUMS lists it (empty when it has none)."""
        raw = self.published(SUMS.path())
        return parse_sums(raw.decode("ascii", "replace")) if raw else {}

    def staged(self, name: str) -> bytes | None:
        """A file as this run has it so far (added, reused or carried over)."""
        relative = _safe_relative(name).as_posix()
        if relative not in self.files:
            return None
        return ((self.target if relative in self._linked else self.folder) / relative).read_bytes()

    def published(self, name: str) -> bytes | None:
        """A file as the current year folder has it (before this run is swapped in)."""
        path = self.target / _safe_relative(name)
        return path.read_bytes() if path.is_file() else None

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._lock.release()


class _YearLock:
    """An exclusive flock on OUTPUT/.YEAR.khoa; the kernel drops it if the process dies.

    flock belongs to the open file, which a forked child shares: a worker that
    kept the descriptor would hold the lock after the run died (kill -9). So
    every forked child closes it at once (see `_forget_locks`), and a busy
    lock is only ever reported with a process that is still alive.
    """

    def __init__(self, path: Path, target: Path) -> None:
        try:
            self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise PublishError(f"Không tạo được tệp khóa {path}: {os_cause(exc)}") from exc
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = _busy(self.fd, path, target)
            os.close(self.fd)
            self.fd = None
            raise PublishError(message) from None
        _HELD.add(self)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode("ascii"), 0)

    def release(self) -> None:
        _HELD.discard(self)
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


_HELD: weakref.WeakSet[_YearLock] = weakref.WeakSet()


def _forget_locks() -> None:
    """In a forked child: close the inherited lock descriptors without unlocking
    (flock(LOCK_UN) here would free the parent's lock too)."""
    for lock in list(_HELD):
        if lock.fd is not None:
            with contextlib.suppress(OSError):
                os.close(lock.fd)
            lock.fd = None
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_locks)


def _busy(fd: int, path: Path, target: Path) -> str:
    """Why the lock cannot be taken, naming processes that are alive."""
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    writer = int(text) if text.isdigit() else None
    if writer is not None and _alive(writer):
        return f"Một lần chạy khác (tiến trình {writer}) đang ghi vào {target}; hãy chờ lần chạy đó xong rồi chạy lại"
    holders = _holders(fd)
    if holders:
        pids = " ".join(map(str, holders))
        return (f"Tệp khóa {path} vẫn bị giữ bởi tiến trình {pids}, còn sót lại từ một lần chạy đã dừng đột ngột"
                f"{f' (tiến trình {writer} không còn chạy)' if writer else ''}; hãy dừng tiến trình đó "
                f"(kill {pids}) rồi chạy lại")
    return f"Một lần chạy khác đang ghi vào {target}; hãy chờ lần chạy đó xong rồi chạy lại"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        pass
    try:  # a zombie (dead, not yet reaped) holds nothing
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def _holders(fd: int) -> list[int]:
    """Other processes with the lock file open (Linux /proc), which is who can hold its flock."""
    wanted = os.fstat(fd)
    found = set()
    for fds in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fds.parent.name)
        if pid == os.getpid():
            continue
        try:
            links = list(fds.iterdir())
        except OSError:
            continue
        for link in links:
            with contextlib.suppress(OSError):
                st = link.stat()
                if (st.st_dev, st.st_ino) == (wanted.st_dev, wanted.st_ino):
                    found.add(pid)
    return sorted(found)


def _recover(output_root: Path, year: int, target: Path) -> None:
    """Clear what an earlier, killed run left: its staging folder, or a half-done swap.

    Called under the year's lock, so no other run is using these folders.
    """
    leftovers = [*sorted(output_root.glob(f".{year}.{STAGING_MARK}-*")),
                 *sorted(output_root.glob(f".{year}.{OLD_MARK}-*"))]
    for folder in leftovers:
        if folder.name.startswith(f".{year}.{OLD_MARK}-") and not target.exists():
            folder.rename(target)  # killed between the fallback's two renames: the old outputs come back
        else:
            shutil.rmtree(folder, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# renameat2(olddirfd, oldpath, newdirfd, newpath, flags) → 0, or -1 with errno set.
_Renameat2 = Callable[[int, bytes, int, bytes, int], int]


def _libc_renameat2() -> _Renameat2 | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_RENAMEAT2 = _libc_renameat2()


def _swap(folder: Path, target: Path) -> None:
    """Put `folder` at `target`; the replaced folder ends up at `folder`'s path."""
    if not target.exists():
        folder.rename(target)
        return
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(folder), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(folder), None, str(target))
    old = target.with_name(f".{target.name}.{OLD_MARK}-{os.getpid()}")
    target.rename(old)
    try:
        folder.rename(target)
    except OSError:
        old.rename(target)
        raise
    old.rename(folder)


def parse_sums(text: str) -> dict[str, str]:
    """name → hex digest from SHA256SUMS's text (see `sha256sums`)."""
    found = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name:
            found[name] = digest
    return found


def sha256sums(digests: dict[str, str]) -> str:
    """`sha256sum -c` format from name → hex digest, sorted by path; the sums file itself is not listed."""
    lines = [f"{digest}  {name}" for name, digest in sorted(digests.items()) if name != SUMS.path()]
    return "\n".join(lines) + "\n"


def _names(folder: Path) -> list[str]:
    """Every entry under `folder` but its folders, as sorted relative POSIX names (symlinked folders not entered)."""
    found = []
    for root, _folders, files in os.walk(folder):
        prefix = Path(root).relative_to(folder).as_posix()
        found += [name if prefix == "." else f"{prefix}/{name}" for name in files]
    return sorted(found)


def _safe_name(name: str) -> str:
    """`_safe_relative(name).as_posix()`, without making a path when `name` is already plain (a rerun asks ~10,000)."""
    if name and name[0] != "/" and not any(part in ("", ".", "..") for part in name.split("/")):
        return name
    return _safe_relative(name).as_posix()


def _safe_relative(name: str) -> PurePosixPath:
    """A relative path that stays inside the year folder (no '..', no absolute)."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts):
        raise PublishError(f"Tên tệp kết quả không hợp lệ: {name!r}")
    return path
