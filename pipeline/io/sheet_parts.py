"""The summary workbook's sheets kept on disk as zip parts between runs (see pipeline.render.parts).

One file per sheet name in OUTPUT/.cache/trang-tinh/, the part of the sheet's last input only:
a rerun asks for the sheet it made last time, and any other input is a miss that replaces it.
The file's first line is JSON: the format and its version, the key (the render's key of the
sheet's input, looks and library versions, with the digest of the whole pipeline package, so that
any change of code is a miss), the SHA-256 of the rest, and what workbook.xml takes from the
sheet; the rest is the part's compressed bytes. A file that is damaged, edited, of another
format or key is a miss; one that cannot be written (read-only or full disk) costs only time.
Written to a temporary name then renamed: a concurrent run never sees half a part.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.catalogue import SHEET_CACHE
from pipeline.io.kept import code_key, read_kept, write_kept
from pipeline.stable import Packed, SheetPart

FORMAT, VERSION = "nq28-trang-tinh", 1


@dataclass(frozen=True)
class SheetStore:
    """Sheet parts in `folder`, one per sheet name (see pipeline.render.parts.SheetParts)."""

    folder: Path

    def get(self, sheet: str, key: str) -> SheetPart | None:
        kept = read_kept(self._path(sheet))
        if kept is None:
            return None
        head, data = kept
        try:
            if not isinstance(head, dict) or head.get("key") != code_key(key) or head != _head(key, data, head):
                return None
            packed = Packed(head["name"], head["compress_type"], head["external_attr"], head["crc"], head["size"], data)
            return SheetPart(packed, head["print_titles"], head["filter_ref"])
        except (ValueError, TypeError, KeyError):  # damaged in any way: a miss, never an error
            return None

    def put(self, sheet: str, key: str, part: SheetPart) -> None:
        packed = part.packed
        head = {"name": packed.name, "compress_type": packed.compress_type, "external_attr": packed.external_attr,
                "crc": packed.crc, "size": packed.size, "print_titles": part.print_titles,
                "filter_ref": part.filter_ref}
        write_kept(self._path(sheet), _head(key, packed.data, head), packed.data, "trang tính")

    def _path(self, sheet: str) -> Path:
        name = sheet if sheet.isascii() and sheet.isalnum() else hashlib.sha256(sheet.encode()).hexdigest()
        return self.folder / f"{name}.part"


def _head(key: str, data: bytes, fields: dict[str, object]) -> dict[str, object]:
    """The head line an entry of `key` with these bytes has: `fields` with the format, the key and a checksum
    of the fields and the bytes (an edited field is a miss as much as a damaged byte)."""
    known = {k: fields.get(k) for k in ("name", "compress_type", "external_attr", "crc", "size", "print_titles",
                                        "filter_ref")}
    checksum = hashlib.sha256(json.dumps(known, sort_keys=True).encode() + b"\0" + data).hexdigest()
    return {"format": FORMAT, "version": VERSION, "key": code_key(key), "sha256": checksum, **known}


def sheet_store(output_root: Path) -> SheetStore:
    """The store of sheet parts under OUTPUT."""
    return SheetStore(output_root / SHEET_CACHE)
