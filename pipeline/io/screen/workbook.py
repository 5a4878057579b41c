"""The screen's entry: which walks a workbook's bytes go through before calamine opens them."""

from __future__ import annotations

from pipeline.io.screen.archive import screen_zip
from pipeline.io.screen.limits import OLE_MAGIC
from pipeline.io.screen.ole import screen_ole


def screen(data: bytes, suffix: str) -> dict[str, dict[tuple[int, int], str]]:
    """Raise Refused for a file calamine must not open; cheap for a real form.

    Returns, per sheet name, the formula cells calamine will read as blank
    (see `formulas`): found in the same pass over the sheet XML.

    calamine picks its reader by the suffix, and its zip reader finds a zip
    behind any leading bytes: what is screened follows the suffix, not the
    first bytes. An OLE2 file named .xlsx is a password-protected workbook.
    """
    if data[:8] == OLE_MAGIC:
        screen_ole(data)
        if suffix != ".xls" and data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557)) >= 0:
            return screen_zip(data)
    elif suffix != ".xls":
        return screen_zip(data)
    return {}
