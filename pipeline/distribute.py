"""`make distribute`: the published documents → one bundle per recipient, the register, and e-mail.

Reads the workbooks and config again, as `report` does, to know every
document's context, and goes on only if the published documents are exactly
what those inputs give (their render keys in data/khoa-van-ban.json and their
checksums in SHA256SUMS): a stale or altered document is never distributed.
Then, in one staged, locked publication that owns only the distribution's
part of the year folder (pipeline.io.publish):
- luu-tru/: an archival PDF/A-2b copy of every PDF, when distribution.yaml asks
  (re-rendered only when its document changed);
- gui/<recipient>/ and/or gui/<recipient>.zip: exactly that recipient's documents
  (their current signed copies from make sign, when signing is configured);
- with `send`, one message per recipient carrying what it has not yet
  received, journalled in the state folder before it is sent (pipeline.post);
- data/da-gui.json (what was sent, for the page; the journal is the authority),
  data/so-gui.json and so-gui-van-ban-YEAR.xlsx (the register), and the status
  page with its register section.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import RenderCache, job_key
from pipeline.core.catalogue import (
    DISTRIBUTED_KINDS,
    FEEDBACK_KINDS,
    MARKED_XLSX,
    REGISTER_DATA,
    REGISTER_XLSX,
    SENT_LOG,
    SIGNED_DATA,
    SIGNED_KINDS,
    Command,
    Kind,
    archival,
)
from pipeline.core.distribution.bundles import Bundle, Document, Letter, bundles_for
from pipeline.core.distribution.register import RegisterRow, register_data, register_rows
from pipeline.core.distribution.sent import SentLog, UncertainLetter, uncertain_letters
from pipeline.core.jobs import ArchiveJob, DocxJob, Job, PdfJob, SummaryJob, context_of
from pipeline.core.signed import SignedCopy
from pipeline.errors import ConfigError, InvalidDataError, SourceError
from pipeline.feedback import MarkedCopy, marked_copies
from pipeline.flow import renderers as renderers_for
from pipeline.flow import target as target_for
from pipeline.io.journal import DEFAULT_STATE, StateJournal
from pipeline.io.mail.login import credentials
from pipeline.io.mail.session import Session
from pipeline.io.publish import Staging
from pipeline.plan import Options, plan
from pipeline.post import Failure, Post
from pipeline.published import (
    Contents,
    current,
    from_signed,
    read_signed,
    sha256,
    signed_copies,
    some,
)
from pipeline.publisher import Target, publish, render_into, status_page
from pipeline.render.register import RegisterSheet, render_register_xlsx
from pipeline.render.renderers import Renderers
from pipeline.settings import DISTRIBUTION_FILE, SIGNING_FILE, DistributionFile, Settings
from pipeline.stable import fixed_zip


@dataclass(frozen=True)
class Distribution:
    year: int
    folder: Path
    bundles: tuple[Bundle, ...]
    rows: tuple[RegisterRow, ...]
    letters: tuple[Letter, ...]  # sent this run, or (dry run) that would be
    failures: tuple[Failure, ...]
    sent: bool  # whether this run sent, or only prepared
    uncertain: tuple[UncertainLetter, ...] = ()  # every letter still not known to have arrived, this run's or older
    state: Path = DEFAULT_STATE
    command: str = "distribute"  # the make target that made it, as the console names it


def distribute(options: Options, send: bool = False, environ: Mapping[str, str] = os.environ,
               clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(), *,
               state: Path, resend: tuple[str, ...] = (), feedback: bool = False) -> Distribution:
    """Prepare every bundle and the register; with `send`, also send by e-mail what is due.

    `state` holds the journal of what was sent (outside OUTPUT); `resend`
    names uncertain letters to send again (recipient code, address or Message-ID).
    With `feedback` (make feedback), while the workbooks are still being checked, errors or not: each unit's
    slip and marked workbook, or its reminder, as `make validate` published them; nothing else.
    """
    _check_state(options, state)
    work = plan(options, documents=not feedback)
    settings, validation, year = work.settings, work.validation, work.year
    config = settings.distribution
    if config is None:
        raise ConfigError(f"Thiếu tệp cấu hình {options.config_dir / DISTRIBUTION_FILE}: tệp này cho biết mỗi dòng "
                          "«Nơi nhận» là ai và gửi thư qua máy chủ nào (xem config/distribution.yaml của bộ mẫu)")
    if feedback:
        settings.document_settings(year, "make feedback")  # numbered, dated, signed: the year file is complete
    elif work.totals is None:
        raise InvalidDataError(
            f"Có {len(validation.report.errors)} lỗi trong biểu mẫu năm {year}: chưa gửi văn bản. Sửa các lỗi, "
            "chạy make report rồi make distribute (hoặc dùng ALLOW_INVALID=1 nếu báo cáo đã lập như vậy); để gửi "
            "phiếu kiểm tra, biểu mẫu đánh dấu lỗi và công văn đôn đốc cho từng đơn vị, dùng make feedback.",
            validation)
    mailer = _mailer(options, config, environ) if send else None
    kinds = FEEDBACK_KINDS if feedback else DISTRIBUTED_KINDS
    jobs: list[Job] = [j for j in (*work.documents, *work.slips)
                       if not isinstance(j, ArchiveJob) and j.output.kind in kinds]
    marked = marked_copies(settings, validation, work.sources) if feedback else []
    renderers = renderers_for(options, settings)
    where = target_for(options, year, Command.DISTRIBUTE, settings)
    post = Post(settings, config, year, options.output_root, mailer, clock, StateJournal(state, year), resend,
                options.progress, feedback)
    run = _Run(where, settings, config, post, feedback)
    try:
        folder, _ = publish(where, lambda out, cache: run.prepare(jobs, renderers, out, cache, marked),
                            status_page(renderers, settings, validation, work.totals))
    finally:
        post.journal.close()  # kept for good: it is the record of what was sent
    post.done()
    return Distribution(year, folder, run.bundles, run.rows, post.letters, tuple(post.failures), send,
                        run.uncertain, state, "feedback" if feedback else "distribute")


def _check_state(options: Options, state: Path) -> None:
    """The record of what was sent must not live where `make clean` deletes it."""
    inside = state.resolve().is_relative_to(options.output_root.resolve())
    if inside:
        raise ConfigError(f"Thư mục lưu sổ theo dõi gửi thư ({state}) nằm trong thư mục kết quả "
                          f"{options.output_root}: make clean sẽ xóa nó và lần gửi sau sẽ gửi trùng; hãy chọn "
                          "STATE= (dòng lệnh: --state) ở ngoài OUTPUT")


def _mailer(options: Options, config: DistributionFile, environ: Mapping[str, str]) -> Session:
    """Everything sending needs, checked before anything is prepared."""
    smtp = config.smtp
    if smtp is None:
        raise ConfigError(f"{options.config_dir / DISTRIBUTION_FILE}: chưa có mục «smtp» (máy chủ thư): "
                          "không gửi được thư; bỏ SEND=1 để chỉ chuẩn bị bộ văn bản")
    ca_file = None
    if smtp.ca_file:
        ca_file = options.config_dir / smtp.ca_file
        if not ca_file.is_file():
            raise ConfigError(f"{options.config_dir / DISTRIBUTION_FILE}, khóa «smtp.ca_file»: không có tệp {ca_file}")
    return Session(smtp, ca_file, credentials(environ))


class _Run:
    """One distribute run inside its staging: documents checked, archival copies, bundles, letters, register."""

    def __init__(self, target: Target, settings: Settings, config: DistributionFile, post: Post,
                 feedback: bool = False) -> None:
        self.target, self.settings, self.config, self.post = target, settings, config, post
        self.feedback = feedback
        self.year = target.year
        self.bundles: tuple[Bundle, ...] = ()
        self.rows: tuple[RegisterRow, ...] = ()
        self.uncertain: tuple[UncertainLetter, ...] = ()

    def prepare(self, jobs: list[Job], renderers: Renderers, out: Staging, cache: RenderCache,
                marked: Sequence[MarkedCopy]) -> list[str]:
        contents = Contents(out)
        sums = current(jobs, out, cache, contents, self.year, "make validate" if self.feedback else "make report")
        sums |= _current_files(marked, out, cache, sums, self.year)
        names = []
        archival_copies: dict[str, str] = {}
        if self.config.archive.pdfa:
            copies: list[Job] = [ArchiveJob(j) for j in jobs if isinstance(j, PdfJob)]
            taken = self._from_signed(copies, out, cache)
            names += taken + render_into(self.target, renderers, [c for c in copies if c.name not in taken], out,
                                         cache, "Bản lưu trữ PDF/A")
            archival_copies = {j.name: archival(j.name) for j in jobs if isinstance(j, PdfJob)}
        signatures = self._signed(jobs, archival_copies, out, contents)
        documents = [_document(j, sums[j.name], archival_copies.get(j.name, ""), out, self.settings, self.year,
                               signatures) for j in jobs if isinstance(j, (PdfJob, DocxJob, SummaryJob))]
        documents += [_marked(m.name, sums[m.name], self.settings, self.year) for m in marked]
        self.bundles = bundles_for(documents, self.settings, self.year)
        names += self._bundles(out, contents)
        sent = (self.post.send if self.post.mailer else self.post.due)(self.bundles, contents, out)
        self.rows = register_rows(self.bundles, sent)
        self.uncertain = uncertain_letters(sent)
        return names + self._register(out, sent)

    def _from_signed(self, copies: list[Job], out: Staging, cache: RenderCache) -> list[str]:
        """The PDF/A copies that make sign already rendered (and signed): taken from the signed copies'
        first bytes instead of rendered again, where the published one is not current."""
        if self.settings.signing is None:
            return []
        records = read_signed(out.published(SIGNED_DATA.path()), str(out.target / SIGNED_DATA.path()))
        taken = []
        for job in copies:
            if not cache.current(job) and (data := from_signed(records.get(job.name), job_key(job, cache.base),
                                                                 out)) is not None:
                cache.adopt(job, data)
                taken.append(job.name)
        return taken

    def _signed(self, jobs: list[Job], archival_copies: Mapping[str, str], out: Staging,
                contents: Contents) -> dict[str, SignedCopy]:
        """document → its current signed copy, sent instead of it, when signing is configured: then every
        PDF that make sign signs must have one (a stale one is never sent)."""
        if self.settings.signing is None:
            return {}
        wanted = [j.name for j in jobs if isinstance(j, PdfJob) and j.output.kind in SIGNED_KINDS]
        wanted += [archival_copies[name] for name in wanted if name in archival_copies]
        found, missing, stale = signed_copies(out, contents, wanted)
        command = "make feedback" if self.feedback else "make distribute"
        if stale:
            raise SourceError(f"Bản ký số của {len(stale)} văn bản năm {self.year} đã cũ: văn bản đã được lập lại "
                              f"sau khi ký, hoặc bản ký số đã bị sửa ({some(stale)}). Không gửi bản ký số cũ: hãy "
                              f"chạy make sign, rồi chạy lại {command}")
        if missing:
            raise SourceError(f"Đã cấu hình ký số ({SIGNING_FILE}) nhưng {len(missing)} văn bản năm {self.year} chưa "
                              f"có bản ký số ({some(missing)}): hãy chạy make sign, rồi chạy lại {command}")
        return found

    def _bundles(self, out: Staging, contents: Contents) -> list[str]:
        names = []
        for bundle in self.bundles:
            files = {d.attachment: contents[d.source] for d in bundle.deliveries}
            if bundle.folder:
                for d in bundle.deliveries:
                    out.add(d.file, files[d.attachment])
                    names.append(d.file)
            if bundle.zip:
                out.add(bundle.zip_file, _zip(files))
                names.append(bundle.zip_file)
        return names

    def _register(self, out: Staging, sent: SentLog) -> list[str]:
        org = self.settings.general.organisation
        workbook = REGISTER_XLSX.path(year=self.year)
        out.add_json(SENT_LOG.path(), sent.as_dict(self.year))
        out.add_json(REGISTER_DATA.path(), register_data(self.year, self.bundles, self.rows, workbook))
        sheet = RegisterSheet(f"SỔ GỬI VĂN BẢN NĂM {self.year}", org.superior_body,
                              tuple(org.issuing_body.splitlines()), self.rows,
                              self.settings.general.style.office_font)
        out.add(workbook, render_register_xlsx(sheet))
        return [SENT_LOG.path(), REGISTER_DATA.path(), workbook]


def _current_files(files: Sequence[MarkedCopy], out: Staging, cache: RenderCache, sums: Mapping[str, str],
                   year: int) -> dict[str, str]:
    """name → SHA-256 of each marked workbook, once the published one was made from exactly what the inputs
    give now (its key in data/khoa-van-ban.json) and is unaltered since (SHA256SUMS)."""
    stale = [f.name for f in files if f.name not in sums or not cache.current_made(f)
             or sha256(out.published(f.name) or b"") != sums[f.name]]
    if stale:
        raise SourceError(f"Biểu mẫu đánh dấu lỗi năm {year} trong {out.target} chưa cập nhật theo biểu mẫu hiện tại "
                          f"({len(stale)} tệp: {some(stale)}): hãy chạy make validate, rồi chạy lại make feedback")
    return {f.name: sums[f.name] for f in files}


def _marked(name: str, sha: str, settings: Settings, year: int) -> Document:
    """A unit's marked workbook as the register names it."""
    code = MARKED_XLSX.match(name) or {}
    unit = settings.unit(code.get("code", ""))
    title = f"Biểu mẫu năm {year} của {unit.party_body if unit else code.get('code', '')} đã đánh dấu lỗi"
    return Document(name, Kind.MARKED, code.get("code", ""), title, "", None, sha)


def _document(job: PdfJob | DocxJob | SummaryJob, sha: str, archival: str, out: Staging, settings: Settings,
              year: int, signatures: Mapping[str, SignedCopy]) -> Document:
    """A published document as the register names it: kind, title, number and date as printed."""
    if isinstance(job, SummaryJob):
        title = f"Biểu tổng hợp kết quả thực hiện {settings.general.organisation.resolution} năm {year}"
        number, date = "", None
    else:
        context = context_of(job)
        title = context.title
        number = context.header.number_line
        date = settings.document_settings(year).date if number else None
    archival_sha = out.files.get(archival, "") if archival else ""
    if archival in signatures:  # the archive keeps the signed PDF/A copy
        archival, archival_sha = signatures[archival].name, signatures[archival].sha256
    own = signatures.get(job.name)
    if own is None:
        return Document(job.name, job.output.kind, job.unit, title, number, date, sha, archival, archival_sha)
    return Document(job.name, job.output.kind, job.unit, title, number, date, sha, archival, archival_sha,
                    own.name, own.sha256, own.said())


def _zip(files: dict[str, bytes]) -> bytes:
    """A zip of the bundle's files, sorted, with fixed dates: the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[name])
    return fixed_zip(buffer.getvalue(), {})
