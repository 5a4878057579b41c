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
  received, over STARTTLS; each result goes at once into a journal beside the
  year folder, so a run killed after sending never sends the same file twice;
- data/da-gui.json (what was sent), data/so-gui.json and so-gui-van-ban-YEAR.xlsx
  (the register), and the status page with its register section.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from pipeline.batch import Job, Renderers, job_key
from pipeline.core.appendix import SUMMARY_FILE
from pipeline.core.distribution import (REGISTER_DATA, SENT_LOG, Bundle, Document, Letter, archival_name, letter, parts,
                                        plan, register_file)
from pipeline.core.register import RegisterRow, Sending, SentLog, pending, register_data, register_rows
from pipeline.errors import ConfigError, InvalidDataError, SourceError
from pipeline.flow import (Options, RenderCache, _add_all, _publish, _renderers, _site, check, check_jobs, report_jobs,
                           summarise)
from pipeline.io.mail import MailError, MessageRefused, Session, credentials, mime
from pipeline.io.publish import KEEP_FOR_DISTRIBUTE, SUMS_FILE, Staging
from pipeline.render.register import RegisterSheet, render_register_xlsx
from pipeline.settings import DISTRIBUTION_FILE, DistributionFile, Settings
from pipeline.stable import fixed_zip

JOURNAL = ".{year}.nhat-ky-gui-"  # + pid + ".jsonl": one per run, beside the year folder
SEND_LABEL = "Gửi thư"


@dataclass(frozen=True)
class Failure:
    recipient: str
    addresses: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Distribution:
    year: int
    folder: Path
    bundles: tuple[Bundle, ...]
    rows: tuple[RegisterRow, ...]
    letters: tuple[Letter, ...]  # sent this run, or (dry run) that would be
    failures: tuple[Failure, ...]
    sent: bool  # whether this run sent, or only prepared


def distribute(options: Options, send: bool = False, environ: Mapping[str, str] = os.environ,
               clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> Distribution:
    """Prepare every bundle and the register; with `send`, also send by e-mail what is due."""
    settings, inputs, validation = check(options)
    year = validation.year
    config = settings.distribution
    if config is None:
        raise ConfigError(f"Thiếu tệp cấu hình {options.config_dir / DISTRIBUTION_FILE}: tệp này cho biết mỗi dòng "
                          "«Nơi nhận» là ai và gửi thư qua máy chủ nào (xem config/distribution.yaml của bộ mẫu)")
    settings.document_settings(year)
    if validation.report.errors and not options.allow_invalid:
        raise InvalidDataError(
            f"Có {len(validation.report.errors)} lỗi trong biểu mẫu năm {year}: chưa gửi văn bản. Sửa các lỗi, "
            "chạy make report rồi make distribute (hoặc dùng ALLOW_INVALID=1 nếu báo cáo đã lập như vậy).",
            validation)
    mailer = _mailer(options, config, environ) if send else None
    totals = summarise(settings, inputs, validation)
    jobs = report_jobs(settings, validation, totals) + check_jobs(settings, validation)
    renderers = _renderers(options, settings)
    run = _Run(options, settings, config, year, mailer, clock)
    try:
        folder, _ = _publish(options, year, KEEP_FOR_DISTRIBUTE,
                             lambda out, cache: run.prepare(jobs, renderers, out, cache),
                             _site(renderers, settings, validation, totals))
    except BaseException:
        run.journal.close()  # kept: the next run must know what this one sent
        raise
    run.journal.done()
    return Distribution(year, folder, run.bundles, run.rows, run.letters, tuple(run.failures), send)


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

    def __init__(self, options: Options, settings: Settings, config: DistributionFile, year: int,
                 mailer: Session | None, clock: Callable[[], dt.datetime]) -> None:
        self.options, self.settings, self.config, self.year = options, settings, config, year
        self.mailer, self.clock = mailer, clock
        self.journal = _Journal(options.output_root, year)
        self.bundles: tuple[Bundle, ...] = ()
        self.rows: tuple[RegisterRow, ...] = ()
        self.letters: tuple[Letter, ...] = ()
        self.failures: list[Failure] = []

    def prepare(self, jobs: list[Job], renderers: Renderers, out: Staging, cache: RenderCache) -> list[str]:
        contents = _Contents(out)
        sums = _current(jobs, out, cache, contents, self.year)
        names = []
        archival: dict[str, str] = {}
        if self.config.archive.pdfa:
            copies = [Job(archival_name(j.name), "pdfa", j.template, j.context, j.chart) for j in jobs if j.kind == "pdf"]
            names += _add_all(self.options, renderers, copies, out, cache, "Bản lưu trữ PDF/A")
            archival = {j.name: archival_name(j.name) for j in jobs if j.kind == "pdf"}
        documents = [_document(j, sums[j.name], archival.get(j.name, ""), out, self.settings, self.year)
                     for j in jobs if j.kind != "svg"]
        self.bundles = plan(documents, self.settings, self.year)
        names += self._bundles(out, contents)
        sent = self._send(contents, out) if self.mailer else self._due(contents, out)
        self.rows = register_rows(self.bundles, sent)
        return names + self._register(out, sent)

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
        """What earlier runs sent: the published log, plus the journal of a run that died before publishing."""
        published = out.published(SENT_LOG)
        try:
            entries = SentLog.from_dict(json.loads(published)) if published else SentLog()
        except ValueError as exc:
            raise SourceError(f"Tệp {out.target / SENT_LOG} (nhật ký gửi thư) bị hỏng: {exc}; khôi phục tệp này "
                              "từ bản sao lưu trước khi gửi tiếp, để không gửi trùng") from exc
        for entry in self.journal.read():
            entries.record(entry)
        return entries

    def _letters(self, log: SentLog, contents: _Contents) -> tuple[Letter, ...]:
        """The messages due: one per recipient, or several where its files exceed smtp.max_message_mb."""
        smtp = self.config.smtp
        sender = smtp.sender if smtp else "nq28.invalid"
        limit = (smtp.max_message_mb if smtp else 20) << 20
        letters = []
        for bundle in self.bundles:
            for addresses, due in pending(bundle, log):
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
        """Send one letter and record each address's outcome; returns why the server is unusable, if it is."""
        assert self.mailer is not None and self.config.smtp is not None
        if not broken:
            try:
                self.mailer.open()
            except MailError as exc:
                broken = str(exc)
        if broken:
            refused = dict.fromkeys(item.addresses, broken)
        else:
            message = mime(item, {d.attachment: contents[d.source] for d in item.deliveries}, self.config.smtp,
                           self.clock())
            try:
                refused = self.mailer.send(message, item.addresses)
            except (MessageRefused, MailError) as exc:  # a lost connection: the next letter reconnects
                refused = dict.fromkeys(item.addresses, str(exc))
        when = self.clock().isoformat(timespec="seconds")
        for address in item.addresses:
            for d in item.deliveries:
                entry = Sending(d.sha256, d.recipient.code, address, d.attachment, item.message_id, when,
                                refused.get(address, ""))
                log.record(entry)
                self.journal.write(entry)
        failed = tuple(a for a in item.addresses if a in refused)
        if failed:
            reasons = "; ".join(dict.fromkeys(refused[a] for a in failed))
            self.failures.append(Failure(item.recipient.name, failed, reasons))
        return broken

    def _register(self, out: Staging, sent: SentLog) -> list[str]:
        org = self.settings.general.organisation
        workbook = register_file(self.year)
        out.add_json(SENT_LOG, sent.as_dict(self.year))
        out.add_json(REGISTER_DATA, register_data(self.year, self.bundles, self.rows, workbook))
        sheet = RegisterSheet(f"SỔ GỬI VĂN BẢN NĂM {self.year}", org.superior_body,
                              tuple(org.issuing_body.splitlines()), self.rows)
        out.add(workbook, render_register_xlsx(sheet))
        return [SENT_LOG, REGISTER_DATA, workbook]


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
    stale = [j.name for j in jobs if cache.old.get(j.name) != job_key(j, cache.base)]
    if stale:
        raise SourceError(f"Văn bản trong {out.target} chưa cập nhật theo biểu mẫu và cấu hình hiện tại "
                          f"({len(stale)} văn bản: {_some(stale)}): hãy chạy make report, rồi chạy lại make distribute")
    for job in jobs:
        data = contents.get(job.name)
        if data is None or _sha256(data) != sums[job.name]:
            raise SourceError(f"Tệp {out.target / job.name} đã bị sửa hoặc xóa sau khi lập (mã SHA-256 không khớp "
                              f"{SUMS_FILE}): hãy chạy make report để lập lại, rồi chạy lại make distribute")
    return sums


def _published_sums(out: Staging) -> dict[str, str]:
    raw = out.published(SUMS_FILE)
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


def _document(job: Job, sha: str, archival: str, out: Staging, settings: Settings, year: int) -> Document:
    """A published document as the register names it: kind, title, number and date as printed."""
    folder = job.name.partition("/")[0] if "/" in job.name else ""
    kind = {"thong-bao": "notice", "phieu-kiem-tra": "slip"}.get(folder) or (
        "summary" if job.name == SUMMARY_FILE.format(year=year) else "report")
    unit = job.name.rsplit("/", 1)[-1].split(".")[0] if folder else ""
    context = job.context
    if kind == "summary":
        title = f"Biểu tổng hợp kết quả thực hiện {settings.general.organisation.resolution} năm {year}"
        number, date = "", None
    else:
        title = context.title
        number = context.header.number_line
        date = settings.document_settings(year).date if number else None
    archival_sha = out.files.get(archival, "") if archival else ""
    return Document(job.name, kind, unit, title, number, date, sha, archival, archival_sha)


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


class _Journal:
    """Each sending's outcome, appended and synced as it happens, outside the staged folder.

    If the run dies after sending but before publishing, the next run reads
    this journal and does not send those files again. Each run writes its own
    file; a run that has published removes its own and those it read.
    """

    def __init__(self, output_root: Path, year: int) -> None:
        self.root = output_root
        self.pattern = JOURNAL.format(year=year) + "*.jsonl"
        self.path = output_root / f"{JOURNAL.format(year=year)}{os.getpid()}.jsonl"
        self.read_paths: list[Path] = []
        self.stream = None

    def read(self) -> list[Sending]:
        entries = []
        for path in sorted(self.root.glob(self.pattern)):
            self.read_paths.append(path)
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entries.append(Sending(**json.loads(line)))
                except (ValueError, TypeError):
                    continue  # the half-written last line of a run that was killed
        return entries

    def write(self, entry: Sending) -> None:
        if self.stream is None:
            self.stream = self.path.open("a", encoding="utf-8")
        self.stream.write(json.dumps(entry.__dict__, ensure_ascii=False) + "\n")
        self.stream.flush()
        os.fsync(self.stream.fileno())

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def done(self) -> None:
        """The log is published: the journals are no longer needed."""
        self.close()
        for path in {self.path, *self.read_paths}:
            path.unlink(missing_ok=True)

