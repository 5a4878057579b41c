"""Where a renderer keeps bytes between runs (a document's kept part, a DOCX's chart pictures): kept on disk by
pipeline.io.kept.KeptFiles, one file per name, the last key's only."""

from __future__ import annotations

from typing import Protocol


class Kept(Protocol):
    """`get` gives back the bytes put under exactly `key` with this code; None for anything else, damaged or of
    another code version."""

    def get(self, name: str, key: str) -> bytes | None: ...

    def put(self, name: str, key: str, data: bytes) -> None: ...
