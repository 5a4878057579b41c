"""distribution.yaml: who receives what, and how mail goes out (make distribute)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from pipeline.settings.base import UNIT_CODE_PATTERN, Addresses, Strict, reject_duplicates, valid_addresses

DISTRIBUTION_FILE = "distribution.yaml"  # optional: only distribute needs it
ADDRESSEE, ALL_UNITS = "addressee", "units"  # the two kinds of "Nơi nhận" line that name no one recipient


def line_key(line: str) -> str:
    """A "Nơi nhận" line as it is matched: case, spacing, a leading "-" and trailing punctuation do not count."""
    return " ".join(line.strip().lstrip("-").strip().rstrip(",.;:").split()).casefold()


class Recipient(Strict):
    """Someone named in a "Nơi nhận" list: a body, a group of people, the archive."""

    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    email: Addresses = ()
    archive: bool = False  # the archive ("Lưu …") receives every document of the year


class Smtp(Strict):
    """The mail server. Credentials never live here: NQ28_SMTP_USER / NQ28_SMTP_PASSWORD."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: Annotated[str, AfterValidator(lambda a: valid_addresses((a,))[0])]
    sender_name: str = ""
    ca_file: str | None = None  # a private CA's certificate, relative to the config folder
    timeout: int = Field(default=60, ge=1, le=600)  # seconds the server may stay silent within a step
    deadline: int = Field(default=600, ge=1, le=7200)  # seconds for one whole letter: connect, TLS, login, send
    max_message_mb: int = Field(default=20, ge=1, le=1000)  # a bigger bundle goes in several messages


class Archive(Strict):
    pdfa: bool = False  # an archival PDF/A-2b copy of every PDF, in luu-tru/, for the archive


class DistributionFile(Strict):
    """config/distribution.yaml: each "Nơi nhận" line → a recipient, and the ways to send."""

    lines: dict[str, str] = Field(min_length=1)
    recipients: tuple[Recipient, ...] = ()
    docx: bool = False  # send the editable DOCX beside each PDF
    slips: bool = True  # each unit also receives its feedback slip
    bundle: Literal["folder", "zip", "both"] = "folder"
    archive: Archive = Archive()
    smtp: Smtp | None = None

    @field_validator("lines")
    @classmethod
    def _known_kinds(cls, lines: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for line, target in lines.items():
            if target not in (ADDRESSEE, ALL_UNITS) and not re.match(UNIT_CODE_PATTERN, target):
                raise ValueError(f"dòng «{line}»: «{target}» phải là mã nơi nhận (chữ in hoa), "
                                 f"«{ADDRESSEE}» (nơi được gửi, \"Như trên\") hoặc «{ALL_UNITS}» (mọi đơn vị)")
            if line_key(line) in seen:
                raise ValueError(f"dòng «{line}» trùng với dòng «{seen[line_key(line)]}»")
            seen[line_key(line)] = line
        return lines

    @model_validator(mode="after")
    def _lines_name_recipients(self) -> DistributionFile:
        reject_duplicates([r.code for r in self.recipients], "recipients", "mã nơi nhận")
        codes = {r.code for r in self.recipients}
        for line, target in self.lines.items():
            if target not in (ADDRESSEE, ALL_UNITS) and target not in codes:
                raise ValueError(f"lines: dòng «{line}» chỉ tới mã «{target}» nhưng recipients không có mã này")
        return self

    def target(self, line: str) -> str | None:
        """What a "Nơi nhận" line stands for: a recipient code, ADDRESSEE, ALL_UNITS; None if not configured."""
        wanted = line_key(line)
        return next((t for text, t in self.lines.items() if line_key(text) == wanted), None)

    def recipient(self, code: str) -> Recipient:
        return next(r for r in self.recipients if r.code == code)
