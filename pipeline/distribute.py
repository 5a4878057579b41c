"""`make distribute`: the published documents → one bundle per recipient, the register, and e-mail.

Reads the workbooks and config again, as `report` does, to know every
document's context, and goes on only if the published documents are exactly
what those inputs give (their render keys in data/khoa-van-ban.json and their
checksums in SHA256SUMS): a stale or altered document is never distributed.
Then, in one staged, locked publication that owns only the distribution's
part of the year folder (pipeline.io.publish):
- luu-tru/: an archival PDF/A-2b copy of every PDF, when distribution.yaml asks
  (re-rendered only when its document changed);
- gui/<recipient>/ and/or gui/<recipient>.zip: exactly that recipient's documents;
- with `send`, one message per recipient carrying what it has not yet
  received, over STARTTLS. Each letter is journalled "sending" in the state
  folder (pipeline.io.journal, outside OUTPUT) before DATA and closed with its
  outcome after the server's final reply. A letter whose outcome is unknown
  (no reply after the final dot, the run killed, the disk full) is never sent
  again unless the user names it (`resend`); a failure before DATA is retried;
- data/da-gui.json (what was sent, for the page; the journal is the authority),
  data/so-gui.json and so-gui-van-ban-YEAR.xlsx (the register), and the status
  page with its register section.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import RenderCache
from pipeline.core.catalogue import REGISTER_DATA, REGISTER_XLSX, SENT_LOG, SUMS, Command, archival
from pipeline.core.distribution.bundles import Bundle, Document, Letter, letter, parts
from pipeline.core.distribution.bundles import plan as bundles_for
from pipeline.core.distribution.register import (
    RegisterRow,
    Sending,
    SentLog,
    UncertainLetter,
    pending,
    register_data,
    register_rows,
    replay,
    uncertain_letters,
    unknown_tokens,
)
from pipeline.core.jobs import ArchiveJob, DocxJob, Job, PdfJob, SummaryJob
from pipeline.errors import ConfigError, InvalidDataError, SourceError
from pipeline.flow import renderers as renderers_for
from pipeline.flow import target as target_for
from pipeline.io.journal import JournalError, StateJournal
from pipeline.io.mail import MailError, MessageRefused, Session, Uncertain, credentials, mime
from pipeline.io.publish import Staging
from pipeline.plan import Options, plan
from pipeline.publisher import Target, publish, render_into, status_page
from pipeline.render.register import RegisterSheet, render_register_xlsx
from pipeline.render.renderers import Renderers
from pipeline.settings import DISTRIBUTION_FILE, DistributionFile, Settings
from pipeline.stable import fixed_zip

LEGACY_JOURNAL = ".{year}.nhat-ky-gui-*.jsonl"  # older versions' per-run journals, beside the year folder
DEFAULT_STATE = Path(".so-gui")
SEND_LABEL = "Gửi thư"


@dataclass(frozen=True)
class Failure:
    recipient: str
    addresses: tuple[str, ...]
    reason: str
    uncertain: bool = False  # the server may have accepted it: not sent again unless asked


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


def distribute(options: Options, send: bool = False, environ: Mapping[str, str] = os.environ,
               clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(), *,
               state: Path, resend: tuple[str, ...] = ()) -> Distribution:
    """Prepare every bundle and the register; with `send`, also send by e-mail what is due.

    `state` holds the journal of what was sent (outside OUTPUT); `resend`
    names uncertain letters to send again (recipient code, address or Message-ID).
    """
    _check_state(options, state)
    work = plan(options, documents=True)
    settings, validation, year = work.settings, work.validation, work.year
    config = settings.distribution
    if config is None:
        raise ConfigError(f"Thiếu tệp cấu hình {options.config_dir / DISTRIBUTION_FILE}: tệp này cho biết mỗi dòng "
                          "«Nơi nhận» là ai và gửi thư qua máy chủ nào (xem config/distribution.yaml của bộ mẫu)")
    if work.totals is None:
        raise InvalidDataError(
            f"Có {len(validation.report.errors)} lỗi trong biểu mẫu năm {year}: chưa gửi văn bản. Sửa các lỗi, "
            "chạy make report rồi make distribute (hoặc dùng ALLOW_INVALID=1 nếu báo cáo đã lập như vậy).",
            validation)
    mailer = _mailer(options, config, environ) if send else None
    jobs = [*work.documents, *work.slips]
    renderers = renderers_for(options, settings)
    where = target_for(options, year, Command.DISTRIBUTE)
    run = _Run(where, options, settings, config, mailer, clock, StateJournal(state, year), resend)
    try:
        folder, _ = publish(where, lambda out, cache: run.prepare(jobs, renderers, out, cache),
                            status_page(renderers, settings, validation, work.totals))
    finally:
        run.journal.close()  # kept for good: it is the record of what was sent
    run.done()
    return Distribution(year, folder, run.bundles, run.rows, run.letters, tuple(run.failures), send,
                        run.uncertain, state)


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
    """One distribute run inside its staging: documents checked, bundles, sending, register."""

    def __init__(self, target: Target, options: Options, settings: Settings, config: DistributionFile,
                 mailer: Session | None, clock: Callable[[], dt.datetime], journal: StateJournal,
                 resend: tuple[str, ...]) -> None:
        self.target, self.options, self.settings, self.config = target, options, settings, config
        self.year = target.year
        self.mailer, self.clock, self.journal, self.resend = mailer, clock, journal, resend
        self.legacy: list[Path] = []
        self.bundles: tuple[Bundle, ...] = ()
        self.rows: tuple[RegisterRow, ...] = ()
        self.letters: tuple[Letter, ...] = ()
        self.failures: list[Failure] = []
        self.uncertain: tuple[UncertainLetter, ...] = ()

    def prepare(self, jobs: list[Job], renderers: Renderers, out: Staging, cache: RenderCache) -> list[str]:
        contents = _Contents(out)
        sums = _current(jobs, out, cache, contents, self.year)
        names = []
        archival_copies: dict[str, str] = {}
        if self.config.archive.pdfa:
            copies: list[Job] = [ArchiveJob(j) for j in jobs if isinstance(j, PdfJob)]
            names += render_into(self.target, renderers, copies, out, cache, "Bản lưu trữ PDF/A")
            archival_copies = {j.name: archival(j.name) for j in jobs if isinstance(j, PdfJob)}
        documents = [_document(j, sums[j.name], archival_copies.get(j.name, ""), out, self.settings, self.year)
                     for j in jobs if isinstance(j, (PdfJob, DocxJob, SummaryJob))]
        self.bundles = bundles_for(documents, self.settings, self.year)
        names += self._bundles(out, contents)
        sent = self._send(contents, out) if self.mailer else self._due(contents, out)
        self.rows = register_rows(self.bundles, sent)
        self.uncertain = uncertain_letters(sent)
        return names + self._register(out, sent)

    def done(self) -> None:
        """Published: the older versions' journals, carried into the state journal, can go."""
        if self.mailer is not None:
            for path in self.legacy:
                path.unlink(missing_ok=True)

    def _bundles(self, out: Staging, contents: _Contents) -> list[str]:
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

    def _sent_log(self, out: Staging) -> SentLog:
        """What earlier runs sent: the state journal, and what an older version recorded in OUTPUT
        (data/da-gui.json, its per-run journals), carried into the state journal when sending."""
        older = self._older_log(out)
        known = SentLog(replay(self.journal.read()))
        if self.mailer is not None:
            self.journal.open()
            carried = [e for key, e in older.entries.items()
                       if e.sent and not (key in known.entries and known.entries[key].sent)]
            if carried:
                self._append({"event": "import", "entries": [e.__dict__ for e in carried]},
                             "chưa gửi thư nào")
        for entry in older.entries.values():
            known.record(entry)
        unknown = unknown_tokens(known, self.resend)
        if unknown:
            listed = ", ".join(f"{u.recipient} ({u.message_id})" for u in uncertain_letters(known))
            raise ConfigError(f"RESEND={','.join(unknown)}: không có thư nào «chưa rõ đã gửi hay chưa» khớp (ghi mã "
                              "nơi nhận, địa chỉ thư hoặc Message-ID); "
                              + (f"các thư chưa rõ: {listed}" if listed else "hiện không có thư nào chưa rõ"))
        return known

    def _older_log(self, out: Staging) -> SentLog:
        published = out.published(SENT_LOG.path())
        try:
            entries = SentLog.from_dict(json.loads(published)) if published else SentLog()
        except ValueError as exc:
            raise SourceError(f"Tệp {out.target / SENT_LOG.path()} (nhật ký gửi thư) bị hỏng: {exc}; khôi phục tệp này "
                              "từ bản sao lưu trước khi gửi tiếp, để không gửi trùng") from exc
        self.legacy = sorted(self.options.output_root.glob(LEGACY_JOURNAL.format(year=self.year)))
        for path in self.legacy:
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entries.record(Sending(**json.loads(line)))
                except (ValueError, TypeError):
                    continue  # the half-written last line of a run that was killed
        return entries

    def _append(self, record: dict, consequence: str) -> None:
        try:
            self.journal.append(record)
        except OSError as exc:
            raise JournalError(f"Không ghi được sổ theo dõi gửi thư {self.journal.path} "
                               f"({exc.strerror or exc}): {consequence}; dừng gửi. Giải phóng chỗ trống trên đĩa "
                               "rồi chạy lại make distribute SEND=1") from exc

    def _letters(self, log: SentLog, contents: _Contents) -> tuple[Letter, ...]:
        """The messages due: one per recipient, or several where its files exceed smtp.max_message_mb."""
        smtp = self.config.smtp
        sender = smtp.sender if smtp else "nq28.invalid"
        limit = (smtp.max_message_mb if smtp else 20) << 20
        letters = []
        for bundle in self.bundles:
            for addresses, due in pending(bundle, log, self.resend):
                size = {d.source: len(contents[d.source]) for d in due}
                groups = parts(due, size, limit)
                letters += [letter(bundle.recipient, addresses, group, self.settings, self.year, sender,
                                   (n, len(groups))) for n, group in enumerate(groups, start=1)]
        return tuple(letters)

    def _due(self, contents: _Contents, out: Staging) -> SentLog:
        log = self._sent_log(out)
        self.letters = self._letters(log, contents)
        return log

    def _send(self, contents: _Contents, out: Staging) -> SentLog:
        assert self.mailer is not None and self.config.smtp is not None
        log = self._sent_log(out)
        self.letters = self._letters(log, contents)
        broken = ""  # once the server cannot be reached, the other letters fail at once with the same reason
        try:
            for done, item in enumerate(self.letters, start=1):
                broken = self._post(item, contents, log, broken)
                if self.options.progress is not None:
                    self.options.progress(SEND_LABEL, done, len(self.letters))
        finally:
            self.mailer.close()
        return log

    def _post(self, item: Letter, contents: _Contents, log: SentLog, broken: str) -> str:
        """Send one letter under its deadline and record its outcome; returns why the server is unusable,
        if it is (unreachable, timing out, or it left a letter uncertain): the rest then wait for the next run."""
        assert self.mailer is not None and self.config.smtp is not None
        if broken:
            self._outcome(item, log, dict.fromkeys(item.addresses, broken))
            return broken
        message = mime(item, {d.attachment: contents[d.source] for d in item.deliveries}, self.config.smtp,
                       self.clock())
        journalled = False

        def sending() -> None:
            nonlocal journalled
            self._append({"event": "sending", "id": item.message_id, "recipient": item.recipient.code,
                          "addresses": list(item.addresses), "time": self._now(),
                          "files": [[d.sha256, d.attachment] for d in item.deliveries]},
                         f"chưa gửi thư tới {item.recipient.name}")
            journalled = True

        unsure = opened = False
        with self.mailer.letter():
            try:
                self.mailer.open()
                opened = True
                refused = self.mailer.send(message, item.addresses, sending)
            except Uncertain as exc:
                refused, unsure = dict.fromkeys(item.addresses, str(exc)), True
                broken = f"Chưa gửi, vì thư trước đó không được máy chủ xác nhận: {exc}"
            except MessageRefused as exc:
                refused = dict.fromkeys(item.addresses, str(exc))
            except MailError as exc:  # a lost connection: the next letter reconnects; a timeout: stop trying
                refused = dict.fromkeys(item.addresses, str(exc))
                broken = str(exc) if exc.timeout or not opened else ""
        if journalled:
            self._close(item, refused, unsure)
        self._outcome(item, log, refused, unsure)
        return broken

    def _close(self, item: Letter, refused: dict[str, str], unsure: bool) -> None:
        """The letter's outcome in the state journal; if it cannot be written, the letter stays uncertain."""
        record: dict[str, object] = {"id": item.message_id, "time": self._now()}
        if unsure:
            record |= {"event": "uncertain", "error": refused[item.addresses[0]]}
        elif len(refused) == len(item.addresses):
            record |= {"event": "failed", "error": "; ".join(dict.fromkeys(refused.values()))}
        else:
            record |= {"event": "sent", "refused": refused}
        self._append(record, f"thư gửi {item.recipient.name} ({', '.join(item.addresses)}) được ghi là «chưa rõ đã "
                             "gửi hay chưa» và sẽ không tự gửi lại")

    def _outcome(self, item: Letter, log: SentLog, refused: dict[str, str], unsure: bool = False) -> None:
        when = self._now()
        for address in item.addresses:
            for d in item.deliveries:
                log.record(Sending(d.sha256, d.recipient.code, address, d.attachment, item.message_id, when,
                                   refused.get(address, ""), unsure))
        failed = tuple(a for a in item.addresses if a in refused)
        if failed:
            reasons = "; ".join(dict.fromkeys(refused[a] for a in failed))
            self.failures.append(Failure(item.recipient.name, failed, reasons, unsure))

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

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


class _Contents:
    """The bytes of a year-folder file being delivered: as staged by this run, or as published."""

    def __init__(self, out: Staging) -> None:
        self.out = out

    def get(self, name: str) -> bytes | None:
        return self.out.staged(name) if name in self.out.files else self.out.published(name)

    def __getitem__(self, name: str) -> bytes:
        data = self.get(name)
        assert data is not None, f"{name} was checked to be published"
        return data


def _current(jobs: list[Job], out: Staging, cache: RenderCache, contents: _Contents, year: int) -> dict[str, str]:
    """name → SHA-256 of every published document, once it is checked to be current and unaltered."""
    sums = _published_sums(out)
    missing = [j.name for j in jobs if j.name not in sums]
    if missing:
        raise SourceError(f"Chưa có đủ văn bản năm {year} trong {out.target} (thiếu {_some(missing)}): "
                          "hãy chạy make report trước, rồi chạy lại make distribute")
    stale = [j.name for j in jobs if not cache.current(j)]
    if stale:
        raise SourceError(f"Văn bản trong {out.target} chưa cập nhật theo biểu mẫu và cấu hình hiện tại "
                          f"({len(stale)} văn bản: {_some(stale)}): hãy chạy make report, rồi chạy lại make distribute")
    for job in jobs:
        data = contents.get(job.name)
        if data is None or _sha256(data) != sums[job.name]:
            raise SourceError(f"Tệp {out.target / job.name} đã bị sửa hoặc xóa sau khi lập (mã SHA-256 không khớp "
                              f"{SUMS.path()}): hãy chạy make report để lập lại, rồi chạy lại make distribute")
    return sums


def _published_sums(out: Staging) -> dict[str, str]:
    raw = out.published(SUMS.path())
    if raw is None:
        return {}
    sums = {}
    for line in raw.decode("ascii", "replace").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            sums[name] = digest
    return sums


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" và {len(names) - 3} tệp khác" if len(names) > 3 else "")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _document(job: PdfJob | DocxJob | SummaryJob, sha: str, archival: str, out: Staging, settings: Settings,
              year: int) -> Document:
    """A published document as the register names it: kind, title, number and date as printed."""
    if isinstance(job, SummaryJob):
        title = f"Biểu tổng hợp kết quả thực hiện {settings.general.organisation.resolution} năm {year}"
        number, date = "", None
    else:
        title = job.context.title
        number = job.context.header.number_line
        date = settings.document_settings(year).date if number else None
    archival_sha = out.files.get(archival, "") if archival else ""
    return Document(job.name, job.output.kind, job.unit, title, number, date, sha, archival, archival_sha)


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
