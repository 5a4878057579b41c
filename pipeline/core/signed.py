"""A signed copy (make sign) as data/ky-so.json records it: what it signs, its bytes, who signed and when.

Pure: the record and its published form; pipeline.published checks a copy
against the files, pipeline.core.documents.listing shows who signed on the
status page and the register shows it beside each copy sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.core.catalogue import signed


@dataclass(frozen=True)
class Signer:
    role: str  # "signer" (the person) or "body" (the issuing body)
    name: str  # the certificate's holder, as people read it
    certificate: str  # SHA-256 of the certificate (DER)


@dataclass(frozen=True)
class SignedCopy:
    """One signed copy as data/ky-so.json records it."""

    document: str  # the published PDF it signs: "thong-bao/HB.pdf" (or its PDF/A copy, "luu-tru/…")
    document_sha256: str
    sha256: str
    when: dt.datetime
    signers: tuple[Signer, ...]
    recipe: str  # digest of what the signatures were made with (certificates, images, timestamp server)
    document_key: str = ""  # the document's render key, when make sign rendered it (a PDF/A copy)
    document_size: int = 0  # its length: the signed copy's first bytes are the document

    def document_bytes(self, data: bytes) -> bytes | None:
        """The document this copy signs, taken from the copy's bytes `data`; None if they do not give it."""
        head = data[:self.document_size] if self.document_size else b""
        return head if head and hashlib.sha256(head).hexdigest() == self.document_sha256 else None

    @property
    def name(self) -> str:
        return signed(self.document)

    def said(self) -> str:
        """"Nguyễn Thị Nghĩa; Ban Chỉ đạo NQ28 — 10/01/2017 09:30:05": who signed, and when (Vietnam time)."""
        who = "; ".join(dict.fromkeys(s.name for s in self.signers))
        return f"{who} — {self.when:%d/%m/%Y %H:%M:%S}"

    def as_dict(self) -> dict[str, object]:
        return {"document": self.document, "document_sha256": self.document_sha256, "sha256": self.sha256,
                "signed_at": self.when.isoformat(), "recipe": self.recipe,
                "signers": [s.__dict__ for s in self.signers], "document_key": self.document_key,
                "document_size": self.document_size}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SignedCopy:
        signers = data["signers"]
        assert isinstance(signers, list)
        return cls(str(data["document"]), str(data["document_sha256"]), str(data["sha256"]),
                   dt.datetime.fromisoformat(str(data["signed_at"])),
                   tuple(Signer(str(s["role"]), str(s["name"]), str(s["certificate"])) for s in signers),
                   str(data.get("recipe", "")), str(data.get("document_key", "")),
                   int(str(data.get("document_size", 0))))


def signed_data(year: int, copies: Iterable[SignedCopy]) -> dict[str, object]:
    """data/ky-so.json."""
    return {"year": year, "copies": [c.as_dict() for c in sorted(copies, key=lambda c: c.document)]}


def parse_signed(raw: bytes | None) -> dict[str, SignedCopy]:
    """document → its signed copy, from data/ky-so.json's bytes; ValueError (saying why) if damaged."""
    if raw is None:
        return {}
    try:
        return {c.document: c for c in (SignedCopy.from_dict(item) for item in json.loads(raw)["copies"])}
    except (KeyError, TypeError, AssertionError) as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from exc


def signature_notes(copies: Mapping[str, SignedCopy], digests: Mapping[str, str]) -> dict[str, str]:
    """signed copy → what the status page says beside it: who signed and when, and whether the document
    was made again since (`digests`: the year folder's files → SHA-256)."""
    notes = {}
    for copy in copies.values():
        note = f"Ký số: {copy.said()}"
        now = digests.get(copy.document)
        if now is not None and now != copy.document_sha256:
            note += " (bản cũ: văn bản đã được lập lại sau khi ký; chạy make sign)"
        notes[copy.name] = note
    return notes
