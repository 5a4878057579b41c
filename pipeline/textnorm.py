"""Unicode normalisation shared by the config loader and the core.

Below both `pipeline.settings` and `pipeline.core` (it imports neither): the
config loader composes every string it reads, and the core composes every
label and cell it compares.
"""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """Compose decomposed diacritics: NFD text drifts in PDFs and never matches labels."""
    return unicodedata.normalize("NFC", text)
