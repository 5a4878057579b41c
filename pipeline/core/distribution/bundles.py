"""Who receives which document: the year's documents + "Nơi nhận" → one bundle per recipient.

Pure: from the published documents (name, title, number, checksum), the
"Nơi nhận" lines of years/<YEAR>.yaml and config/distribution.yaml, decide each
recipient's bundle and name its files. The rules, as an office reads them:
- each line of the report's "Nơi nhận" receives the report (PDF; DOCX too when
  distribution.yaml says `docx: true`);
- each line of the notices' "Nơi nhận" receives every notice, and "Như trên"
  (the addressee line) means the unit the notice is addressed to;
- each unit receives its own feedback slip (`slips: true`), and with it its
  marked workbook or its reminder letter (sent by `make feedback`);
- a line that stands for all units gives each unit its own copy;
- the archive ("Lưu …", `archive: true`) receives everything: the report and
  the notices in both formats, the slips and the summary workbook, as PDF/A
  where archival copies are made.
Opens no file and sends nothing: pipeline.distribute does both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipeline.core import vi
from pipeline.core.catalogue import BUNDLE_ZIP, Kind, attachment_name, bundle_file
from pipeline.errors import ConfigError
from pipeline.settings import ADDRESSEE, ALL_UNITS, DISTRIBUTION_FILE, DistributionFile, Settings, Unit

SLUG_LENGTH = 60



@dataclass(frozen=True)
class Document:
    """One published document, as the register names it."""

    name: str  # as published: "thong-bao/HB.pdf"
    kind: Kind  # report, summary, notice or slip
    unit: str  # the unit a notice or slip is about; "" for the report and the summary
    title: str
    number: str  # "Số 16-TB/BCĐ", as the document prints it; "" for working papers
    date: dt.date | None
    sha256: str
    archival: str = ""  # its PDF/A copy in luu-tru/, when one is made (signed: in ky-so/luu-tru/)
    archival_sha256: str = ""
    signed: str = ""  # its signed copy in ky-so/, sent instead of it when make sign made one
    signed_sha256: str = ""
    signature: str = ""  # who signed it and when, as the register says it; "" when not signed

    @property
    def fmt(self) -> str:
        return PurePosixPath(self.name).suffix[1:].lower()


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    slug: str  # its folder under gui/
    emails: tuple[str, ...]
    archive: bool = False


@dataclass(frozen=True)
class Delivery:
    """One document for one recipient: a file of its bundle, an attachment of its message."""

    document: Document
    recipient: Recipient
    attachment: str  # the file's name in the bundle and in the message: "thong-bao-2016-HB.pdf"
    source: str  # the year-folder file whose bytes are delivered (the document or its PDF/A copy)
    sha256: str
    file: str  # where the bundle holds it: "gui/<slug>/<attachment>", or "gui/<slug>.zip › <attachment>"


@dataclass(frozen=True)
class Bundle:
    recipient: Recipient
    deliveries: tuple[Delivery, ...]
    folder: bool
    zip: bool

    @property
    def zip_file(self) -> str:
        return BUNDLE_ZIP.path(slug=self.recipient.slug)


# --- recipients -------------------------------------------------------------------


def slug(text: str) -> str:
    """"Quận ủy Hồng Bàng" → "quan-uy-hong-bang": a folder name any system and any clerk can type."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:SLUG_LENGTH].strip("-") or "noi-nhan"


def _unit_recipient(unit: Unit) -> Recipient:
    return Recipient(unit.code, unit.party_body, slug(unit.party_body), unit.email)


def _recipients(settings: Settings, config: DistributionFile, year: int) -> dict[str, Recipient]:
    """Every possible recipient by code, each with a folder name no other has."""
    found = [Recipient(r.code, r.name, slug(r.name), r.email, r.archive) for r in config.recipients]
    found += [_unit_recipient(u) for u in settings.units_in(year)]
    taken: set[str] = set()
    unique = {}
    for r in found:
        name = r.slug if r.slug not in taken else f"{r.slug}-{r.code.lower()}"
        taken.add(name)
        unique[r.code] = Recipient(r.code, r.name, name, r.emails, r.archive)
    return unique


def _targets(lines: tuple[str, ...], config: DistributionFile, year: int, key: str, addressed: bool) -> list[str]:
    """The "Nơi nhận" lines as targets; a line distribution.yaml does not know stops the run."""
    targets = []
    for n, line in enumerate(lines):
        target = config.target(line)
        where = f"years/{year}.yaml, khóa «{key}.{n}», dòng «{line}»"
        if target is None:
            raise ConfigError(f"{where}: chưa có trong {DISTRIBUTION_FILE} (khóa «lines»): hãy thêm dòng này và "
                              f"nơi nhận của nó (một mã nơi nhận, «{ADDRESSEE}» hoặc «{ALL_UNITS}»)")
        if target == ADDRESSEE and not addressed:
            raise ConfigError(f"{where}: «Như trên» chỉ dùng trong nơi nhận của thông báo; báo cáo không có "
                              "nơi được gửi ở đầu văn bản")
        targets.append(target)
    return targets


def _codes(target: str, document: Document, units: list[str]) -> list[str]:
    if target == ADDRESSEE:
        return [document.unit] if document.unit else []
    return units if target == ALL_UNITS else [target]


# --- the bundles ---------------------------------------------------------------------


def bundles_for(documents: list[Document], settings: Settings, year: int) -> tuple[Bundle, ...]:
    """One bundle per recipient named for the year, in the order of the "Nơi nhận" lines."""
    config = settings.distribution
    assert config is not None, "distribute checks for distribution.yaml first"
    docs = settings.document_settings(year)
    recipients = _recipients(settings, config, year)
    units = [u.code for u in settings.units_in(year)]
    report_targets = _targets(docs.recipients, config, year, "recipients", addressed=False)
    notice_targets = _targets(docs.notices.recipients, config, year, "notices.recipients", addressed=True)
    order = list(dict.fromkeys(code for target in report_targets + notice_targets
                               for code in (units if target in (ADDRESSEE, ALL_UNITS) else [target])))
    archives = [code for code in order if recipients[code].archive]
    wanted: dict[str, list[Document]] = {code: [] for code in order}
    for document in documents:
        for code in _receivers(document, config, report_targets, notice_targets, units):
            if code in wanted and not recipients[code].archive:
                wanted[code].append(document)
        for code in archives:
            wanted[code].append(document)
    return tuple(_bundle(recipients[code], wanted[code], config, year) for code in order if wanted[code])


def _receivers(document: Document, config: DistributionFile, report: list[str], notices: list[str],
               units: list[str]) -> list[str]:
    """Who, the archive apart, receives `document`."""
    editable = document.fmt == "docx"
    if document.kind == Kind.REPORT and (not editable or config.docx):
        targets = report
    elif document.kind == Kind.NOTICE and (not editable or config.docx):
        targets = notices
    elif document.kind in (Kind.SLIP, Kind.MARKED, Kind.REMINDER) and config.slips and (not editable or config.docx):
        targets = [ADDRESSEE]  # the unit's own feedback: its slip and marked workbook, or its reminder
    else:
        return []
    return list(dict.fromkeys(code for t in targets for code in _codes(t, document, units)))


def _bundle(recipient: Recipient, documents: list[Document], config: DistributionFile, year: int) -> Bundle:
    folder, zipped = config.bundle in ("folder", "both"), config.bundle in ("zip", "both")
    deliveries = []
    for document in documents:
        archival = recipient.archive and document.archival
        if archival:
            source, sha = document.archival, document.archival_sha256
        elif document.signed:
            source, sha = document.signed, document.signed_sha256
        else:
            source, sha = document.name, document.sha256
        name = attachment_name(document.name, year)
        file = bundle_file(recipient.slug, name, folder)
        deliveries.append(Delivery(document, recipient, name, source, sha, file))
    return Bundle(recipient, tuple(deliveries), folder, zipped)


# --- messages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """What one message says; pipeline.io.mail turns it into MIME."""

    recipient: Recipient
    addresses: tuple[str, ...]
    deliveries: tuple[Delivery, ...]
    subject: str
    body: str
    message_id: str


def letter(recipient: Recipient, addresses: tuple[str, ...], deliveries: tuple[Delivery, ...], settings: Settings,
           year: int, sender: str, part: tuple[int, int] = (1, 1), feedback: bool = False) -> Letter:
    """The message that carries `deliveries` to `addresses` (`part` of a bundle too big for one message);
    its Message-ID depends on its content and recipient only (year, recipient code, addresses, each file's
    name and SHA-256), so a resend of the same documents to the same place is recognisable as such."""
    org = settings.general.organisation
    what = "Kết quả kiểm tra biểu mẫu" if feedback else "Văn bản"  # make feedback: the unit's own check
    subject = f"[{org.resolution}] {what} năm {year} gửi {recipient.name}"
    if part[1] > 1:
        subject += f" (thư {part[0]}/{part[1]})"
    lines = [f"Kính gửi: {recipient.name}", "",
             f"{org.issuer_in_text} gửi kèm thư này {vi.number(len(deliveries))} văn bản:"]
    for n, d in enumerate(deliveries, start=1):
        date = vi.short_date(d.document.date) if d.document.date else ""
        facts = ", ".join(x for x in (d.document.number, date) if x)
        lines.append(f"{n}. {d.document.title}" + (f" ({facts})" if facts else ""))
        lines.append(f"   Tệp {d.attachment}, mã SHA-256: {d.sha256}")
    lines += ["", "Mã SHA-256 của mỗi tệp dùng để đối chiếu với sổ gửi văn bản. Đề nghị trả lời thư này để xác nhận "
              "đã nhận đủ văn bản.", "", f"{org.agency}", f"(Cơ quan thường trực {org.issuer_in_text})"]
    digest = hashlib.sha256("\0".join(
        [str(year), recipient.code, *sorted(a.lower() for a in addresses),
         *sorted(f"{d.attachment}:{d.sha256}" for d in deliveries)]).encode("utf-8")).hexdigest()
    domain = sender.rpartition("@")[2]
    return Letter(recipient, addresses, deliveries, subject, "\n".join(lines) + "\n",
                  f"<{digest[:40]}.{year}.nq28@{domain}>")


def parts(deliveries: tuple[Delivery, ...], size: dict[str, int], limit: int) -> list[tuple[Delivery, ...]]:
    """Deliveries in order, cut into groups whose attachments stay under `limit` bytes once
    base64-encoded (a third larger); a file larger than the limit goes alone."""
    groups: list[list[Delivery]] = [[]]
    total = 0
    for d in deliveries:
        encoded = size[d.source] * 4 // 3 + 1024
        if groups[-1] and total + encoded > limit:
            groups.append([])
            total = 0
        groups[-1].append(d)
        total += encoded
    return [tuple(g) for g in groups if g]
