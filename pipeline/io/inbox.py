"""Walk the input folder: every entry under it is a workbook to read, refused or skipped.

Nothing under INPUT is dropped silently. `walk` classifies each file, folder,
link and special file exactly once, without following links and without
opening anything but folders: a FIFO is never opened (it would block), a link
is never followed out of INPUT, an unreadable folder is an entry of its own,
not a hole. Workbooks are returned to be read; everything else comes back
with its status and a Vietnamese reason for the input ledger (tep-nhan.json).
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

from pipeline.core.steps.ledger import Entry
from pipeline.core.text import KEPT_CONTROLS, visible
from pipeline.errors import os_cause
from pipeline.issue_types import (
    BROKEN_LINK,
    LINK_OUTSIDE_INPUT,
    SPECIAL_FILE,
    UNREADABLE_FILE,
    UNREADABLE_FOLDER,
    UNSUPPORTED_FORMAT,
)
from pipeline.textnorm import nfc

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# What an office's PC or a Mac leaves beside the files it was given: never a submission.
OS_METADATA = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".localized", "icon\r"}
METADATA_FOLDERS = {"__macosx", ".spotlight-v100", ".trashes", ".fseventsd", "$recycle.bin",
                    "system volume information", ".git"}
MAX_DEPTH = 20  # folders inside folders: far beyond any office's, and the walk's recursion stays bounded
SAVE_AS_XLSX = "mở tệp bằng Excel hoặc LibreOffice, chọn Lưu thành (Save As) kiểu .xlsx rồi gửi lại"
UNZIP = "giải nén tệp này và đặt các tệp .xlsx bên trong vào thư mục biểu mẫu"
# Formats a unit may well send instead of a workbook: refused with what to do, never skipped.
REFUSED_FORMATS = {
    ".xlsb": f"bảng tính dạng nhị phân .xlsb không đọc được; {SAVE_AS_XLSX}",
    ".xlt": f"đây là tệp mẫu (template) của Excel; {SAVE_AS_XLSX}",
    ".xltx": f"đây là tệp mẫu (template) của Excel; {SAVE_AS_XLSX}",
    ".xltm": f"đây là tệp mẫu (template) của Excel; {SAVE_AS_XLSX}",
    ".ots": f"đây là tệp mẫu (template) của LibreOffice; {SAVE_AS_XLSX}",
    ".fods": f"bảng tính dạng .fods không đọc được; {SAVE_AS_XLSX}",
    ".csv": f"tệp .csv không có đủ các trang của biểu mẫu; điền vào biểu mẫu chuẩn, {SAVE_AS_XLSX}",
    ".numbers": "tệp Numbers (máy Mac) không đọc được; chọn Xuất (Export) sang Excel .xlsx rồi gửi lại",
    ".zip": f"tệp nén; {UNZIP}",
    ".rar": f"tệp nén; {UNZIP}",
    ".7z": f"tệp nén; {UNZIP}",
    ".gz": f"tệp nén; {UNZIP}",
    ".tgz": f"tệp nén; {UNZIP}",
    ".tar": f"tệp nén; {UNZIP}",
}


def display(relative: str) -> str:
    """A relative path as a clerk can read it and JSON can hold it.

    Names unzipped from a Windows zip are often not UTF-8 (bytes like
    b"H\\xf4ng B\\xe0ng.xlsx"): Python hands them over as lone surrogates, which
    no file format can store; they are shown as \\xf4. Control and format
    characters (escape sequences, bidi overrides, even a newline) are shown as
    escapes so that no name can rewrite a terminal or reorder itself.
    Decomposed (NFD) names, as a Mac writes them, become NFC.
    """
    return visible(nfc(relative)).translate(_WHITE_ESCAPES)


_WHITE_ESCAPES = {ord(c): f"\\x{ord(c):02x}" for c in KEPT_CONTROLS}


def walk(root: Path) -> list[Entry]:
    """Every entry below `root`, sorted by displayed path; never raises for an entry."""
    real_root = os.path.realpath(root)
    found: list[tuple[Entry, str]] = []
    _walk(root, "", real_root, found)
    shown: dict[str, int] = {}
    for entry, _ in found:
        shown[entry.path] = shown.get(entry.path, 0) + 1
    # Two names a clerk cannot tell apart (NFC and NFD "Hồng", or two undecodable spellings)
    # are two files all the same: such names are shown exactly, every non-ASCII character escaped.
    entries = [entry if shown[entry.path] == 1 else dataclasses.replace(entry, path=exact(raw, entry.path))
               for entry, raw in found]
    return sorted(entries, key=lambda e: e.path)


def exact(raw: str, shown: str) -> str:
    """`raw` with every non-ASCII character as \\u…, every undecodable byte as \\x…."""
    text = os.fsencode(raw).decode("utf-8", "backslashreplace").encode("ascii", "backslashreplace").decode("ascii")
    return display(text) + ("/" if shown.endswith("/") else "")


def _walk(folder: Path, prefix: str, real_root: str, out: list[tuple[Entry, str]], depth: int = 0) -> None:
    """List `folder`'s entries into `out`; a sub-folder that cannot be listed is one refused entry."""
    if depth > MAX_DEPTH:
        out.append((Entry(display(prefix), "refused", f"thư mục lồng nhau quá sâu (hơn {MAX_DEPTH} cấp), không đọc "
                          "bên trong; chép các biểu mẫu ra thư mục nông hơn", rule=UNREADABLE_FOLDER.code), prefix))
        return
    children = _list(folder)
    if isinstance(children, OSError):
        if not prefix:  # the root itself: the caller checked it; it vanished or broke since
            raise children
        refused = Entry(display(prefix), "refused", _unreadable_folder(children), rule=UNREADABLE_FOLDER.code)
        out.append((refused, prefix))
        return
    if prefix:
        out.append((Entry(display(prefix), "read", "thư mục"), prefix))
    for child in children:
        relative = prefix + child.name
        entry = _classify(child, relative, real_root)
        if entry is None:  # a folder to walk
            _walk(Path(child.path), relative + "/", real_root, out, depth + 1)
        else:
            out.append((entry, relative))


def _list(folder: Path) -> list[os.DirEntry[str]] | OSError:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError as exc:
        return exc


def _classify(child: os.DirEntry[str], relative: str, real_root: str) -> Entry | None:
    name = child.name.lower()
    shown = display(relative)
    try:
        mode = child.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return Entry(shown, "refused", f"không đọc được ({os_cause(exc, reading=True)})", rule=UNREADABLE_FILE.code)
    if stat.S_ISLNK(mode):
        return _link(child, shown, real_root)
    if stat.S_ISDIR(mode):
        if name in METADATA_FOLDERS:
            return Entry(shown + "/", "skipped", "thư mục của hệ điều hành (ví dụ __MACOSX do máy Mac tạo khi nén "
                                                 "tệp), không phải biểu mẫu; bỏ qua cả thư mục")
        return None
    if not stat.S_ISREG(mode):
        return Entry(shown, "refused", "không phải tệp thông thường (ống dẫn, thiết bị hoặc socket); "
                                       "hãy xoá nó khỏi thư mục biểu mẫu", rule=SPECIAL_FILE.code)
    return _file(child, relative, shown, name)


def _file(child: os.DirEntry[str], relative: str, shown: str, name: str) -> Entry:
    suffix = os.path.splitext(name)[1]
    if name.startswith("._") or name in OS_METADATA:
        return Entry(shown, "skipped", "tệp thông tin của hệ điều hành (máy Mac, Windows tạo ra), không phải biểu mẫu")
    if name.startswith(("~$", ".~lock.")):
        return Entry(shown, "skipped", "tệp khóa tạm của Excel/LibreOffice (có khi tệp đang được mở), "
                                       "không phải biểu mẫu")
    if suffix in REFUSED_FORMATS:
        return Entry(shown, "refused", REFUSED_FORMATS[suffix], rule=UNSUPPORTED_FORMAT.code)
    if suffix not in WORKBOOK_SUFFIXES:
        return Entry(shown, "skipped", "không phải bảng tính (.xlsx, .xlsm, .xls, .ods)")
    return Entry(shown, None, file=Path(child.path))


def _link(child: os.DirEntry[str], shown: str, real_root: str) -> Entry:
    target = os.path.realpath(child.path)
    inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
    if not os.path.exists(target):
        return Entry(shown, "refused", "liên kết hỏng (trỏ tới một tệp không còn); chép chính tệp biểu mẫu vào đây",
                     rule=BROKEN_LINK.code)
    if not inside:
        return Entry(shown, "refused", "liên kết (shortcut, symlink) trỏ ra ngoài thư mục biểu mẫu; không đọc theo "
                                       "liên kết: chép chính các tệp vào thư mục biểu mẫu, hoặc chỉ định thư mục "
                                       "đó bằng INPUT=…", rule=LINK_OUTSIDE_INPUT.code)
    where = display(os.path.relpath(target, real_root)) if target != real_root else "."
    return Entry(shown, "skipped", f"liên kết tới «{where}» trong thư mục biểu mẫu; tệp đó được đọc trực tiếp, "
                                   "không đọc hai lần")


def _unreadable_folder(exc: OSError) -> str:
    why = os_cause(exc, reading=True)
    return (f"không đọc được thư mục ({why}): các biểu mẫu bên trong (nếu có) chưa được tính; "
            "cấp quyền đọc hoặc chép các tệp ra thư mục khác rồi chạy lại")
