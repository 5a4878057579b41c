"""`make sign` and `make verify`: PAdES signatures of the year's published PDFs, and their check.

sign reads config/signing.yaml (no file, or one of comments only: it says so
and stops), opens each key (password or PIN from the environment variable the
config names, or a token's PIN typed at the terminal), reads the inputs again
as distribute does, and signs every report, notice, slip and reminder that is
exactly what they give now (and the archive's PDF/A copies, where made): the
signer's signature, then the issuing body's, each shown over the signature
block the renderer recorded (the signer's handwritten signature, the body's
seal over its left third), or the body's as a text stamp where there is none.
The signed copies go to ky-so/ under the same relative names, with their own
SHA256SUMS, and data/ky-so.json records them (pipeline.core.signed); a copy
still current is kept. One staged publication owns that part of the folder
(pipeline.io.publish); the unsigned documents stay as they are.

verify checks every signed copy: integrity, chain to the configured trust
roots, nothing but signatures added after signing, its SHA-256 in
ky-so/SHA256SUMS, and that its unsigned content (the bytes before the first
signature's update) is exactly the published document now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.cache import RenderCache, job_key
from pipeline.core.catalogue import (
    ARCHIVE_PDF,
    SIGNED_DATA,
    SIGNED_KINDS,
    SIGNED_PDF,
    SIGNED_SUMS,
    Command,
    signed,
)
from pipeline.core.documents.numbering import published_number
from pipeline.core.jobs import ArchiveJob, Job, PdfJob
from pipeline.core.signed import SignedCopy, Signer, parse_signed, signed_data
from pipeline.errors import ConfigError, SourceError
from pipeline.flow import renderers as renderers_for
from pipeline.flow import target as target_for
from pipeline.io.publish import Staging, parse_sums, sha256sums
from pipeline.io.signing import (
    Checked,
    KeyFileError,
    Signature,
    SignatureUnreadable,
    TimestampError,
    TokenError,
    certificate_digest,
    certificate_name,
    certificate_validity,
    check_pdf,
    load_key,
    open_session,
    sign_pdf,
    signature_block,
    token_signer,
)
from pipeline.io.text_stamp import FontMissing, stamp_text, top_right
from pipeline.plan import Options, Plan, plan, report_year
from pipeline.published import (
    Contents,
    current,
    from_signed,
    sha256,
)
from pipeline.publisher import Target, publish, status_page
from pipeline.render.renderers import Renderers
from pipeline.runner import render_jobs
from pipeline.settings import SIGNING_FILE, Party, SigningFile, Token, load_settings

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is the zone
FIELDS = {"signer": "ChuKyNguoiKy", "body": "ChuKyCoQuan"}  # the signature fields' names in the PDF
ROLES = {"signer": "người ký", "body": "cơ quan ban hành"}
Prompt = Callable[[str], "str | None"]  # asks the clerk (hidden) and gives the answer; None: nobody to ask


def terminal_prompt(question: str) -> str | None:
    """The answer typed on the terminal, not echoed; None when stdin is not a terminal (cron, CI, a pipe)."""
    if not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(question)
    except EOFError:
        return None


@dataclass(frozen=True)
class Signing:
    year: int
    folder: Path
    files: tuple[str, ...]  # the signed copies, relative to the year folder
    when: dt.datetime


@dataclass(frozen=True)
class Verdict:
    """One signed file as verify judged it."""

    name: str  # relative to the year folder
    signatures: tuple[Checked, ...]
    problems: tuple[str, ...]  # in Vietnamese; none: valid

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Verification:
    year: int
    folder: Path
    verdicts: tuple[Verdict, ...]

    @property
    def failed(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.ok)


def _config(options: Options) -> SigningFile:
    signing = load_settings(options.config_dir).signing
    if signing is None:
        raise ConfigError(f"Chưa cấu hình ký số: chưa có tệp {options.config_dir / SIGNING_FILE} hoặc tệp chỉ "
                          "có chú thích. Hãy khai báo khóa (tệp PKCS#12 hoặc thiết bị ký số PKCS#11, mật khẩu "
                          "hay mã PIN để trong biến môi trường), ảnh chữ ký và ảnh con dấu theo ví dụ trong tệp "
                          "đó (bộ mẫu có sẵn), rồi chạy lại. Chưa ký văn bản nào.")
    return signing


def _keys(signing: SigningFile, options: Options, environ: Mapping[str, str], sessions: ExitStack,
          prompt: Prompt = terminal_prompt) -> dict[str, object]:
    """role → an opened key, each opened once (with the password or PIN from its variable, or a PIN
    typed at `prompt`); token sessions are closed by `sessions`."""
    config = options.config_dir / SIGNING_FILE
    opened: dict[str, object] = {}
    sessions_by_token: dict[tuple[str, str], object] = {}
    keys = {}
    for role, party in signing.parties():
        where = party.model_dump_json(include={"pkcs12", "password_env", "pkcs11"})
        if where not in opened:
            if party.pkcs11 is not None:
                opened[where] = _open_token(party.pkcs11, role, config, options.config_dir, environ, sessions,
                                            sessions_by_token, prompt)
            else:
                opened[where] = _open(party, role, config, options.config_dir, environ)
        keys[role] = opened[where]
    return keys


TOKEN_PROBLEMS = {
    "module": "không nạp được thư viện PKCS#11 {module}",
    "token": "không thấy thiết bị ký số có nhãn «{token}» (đã cắm thiết bị chưa? nhãn có đúng không?)",
    "pin": "mã PIN trong biến môi trường {pin_env} không đúng hoặc thiết bị đã bị khóa PIN",
    "pin-typed": "mã PIN vừa nhập không đúng hoặc thiết bị đã bị khóa PIN",
    "key": "trên thiết bị «{token}» không có khóa hoặc chứng thư nhãn «{key}»",
}


def _open_token(token: Token, role: str, config: Path, config_dir: Path, environ: Mapping[str, str],
                sessions: ExitStack, by_token: dict[tuple[str, str], object], prompt: Prompt) -> object:
    module = str(config_dir / token.module)
    pin, typed = environ.get(token.pin_env), False
    if pin is None and (module, token.token_label) not in by_token:  # a token already open asks nothing
        pin = prompt(f"Mã PIN thiết bị ký số «{token.token_label}» của {ROLES[role]} (không hiện khi gõ): ")
        typed = True
        if pin is None:
            raise ConfigError(f"Chưa đặt biến môi trường {token.pin_env}: đó là mã PIN thiết bị ký số "
                              f"«{token.token_label}» của {ROLES[role]} (khóa «{role}.pkcs11.pin_env» trong "
                              f"{config}). Hãy đặt rồi chạy lại, ví dụ {token.pin_env}='mã PIN' make sign, "
                              "hoặc chạy make sign ở cửa sổ dòng lệnh để nhập mã PIN")
    try:
        if (module, token.token_label) not in by_token:
            session = open_session(module, token.token_label, pin or "")
            sessions.callback(session.close)
            by_token[module, token.token_label] = session
        return token_signer(by_token[module, token.token_label], token.key_label, token.cert_label)
    except TokenError as exc:
        reason = "pin-typed" if exc.reason == "pin" and typed else exc.reason
        problem = TOKEN_PROBLEMS[reason].format(module=module, token=token.token_label, pin_env=token.pin_env,
                                                    key=token.cert_label or token.key_label)
        raise ConfigError(f"Không dùng được khóa của {ROLES[role]} ({config}, khóa «{role}.pkcs11»): {problem}") \
            from exc


def _open(party: Party, role: str, config: Path, config_dir: Path, environ: Mapping[str, str]) -> object:
    assert party.pkcs12 is not None and party.password_env is not None  # parties() gives each a key
    variable, path = party.password_env, config_dir / party.pkcs12
    password = environ.get(variable)
    if password is None:
        raise ConfigError(f"Chưa đặt biến môi trường {variable}: đó là mật khẩu tệp khóa {path} của "
                          f"{ROLES[role]} (khóa «{role}.password_env» trong {config}). Hãy đặt rồi chạy lại, ví dụ "
                          f"{variable}='mật khẩu' make sign")
    try:
        return load_key(path.read_bytes(), password.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp khóa {path} ({config}, khóa «{role}.pkcs12»): {exc.strerror}") from exc
    except KeyFileError as exc:
        raise ConfigError(f"Không mở được tệp khóa {path} của {ROLES[role]} bằng mật khẩu trong biến môi trường "
                          f"{variable}: sai mật khẩu, hoặc tệp không phải khóa PKCS#12 (.p12, .pfx)") from exc


def sign(options: Options, environ: Mapping[str, str] = os.environ,
         clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(VIETNAM), prompt: Prompt = terminal_prompt
         ) -> Signing:
    """Sign the year's current documents into ky-so/, atomically; nothing is written on any error.

    The inputs are read again, as distribute does: only documents that are exactly what the workbooks and
    config give now, unaltered since, are signed. A signed copy still current (same document bytes, same
    certificates, images and timestamp server) is kept as it is, so a rerun signs only what changed and
    distribute does not send a document again for a new signing time alone. A token's PIN missing from the
    environment is asked at `prompt` (the terminal's, when there is one).
    """
    signing = _config(options)
    with ExitStack() as sessions:
        keys = _keys(signing, options, environ, sessions, prompt)
        when = clock().astimezone(VIETNAM).replace(microsecond=0)
        _check_validity(keys, when, options.config_dir / SIGNING_FILE)
        work = plan(options, documents=True)
        try:
            return _Run(options, work, signing, keys, when).publish()
        except FontMissing as exc:
            raise SourceError(f"Không ký được: {exc}; dấu chữ ký trên văn bản kèm theo cần phông chữ này (cài gói "
                              "fonts-liberation2, ví dụ make system-deps). Chưa ghi bản ký số nào.") from exc
        except TimestampError as exc:
            raise SourceError(f"Không lấy được dấu thời gian từ máy chủ {signing.timestamp_url} (khóa "
                              f"«timestamp_url» trong {options.config_dir / SIGNING_FILE}): máy chủ không trả lời "
                              f"hoặc trả lời sai ({exc}). Kiểm tra mạng và địa chỉ rồi chạy lại; chưa ghi bản ký số "
                              "nào.") from exc


class _Run:
    """One make sign: the documents checked, their PDF/A copies where the archive takes them, each signed."""

    def __init__(self, options: Options, work: Plan, signing: SigningFile, keys: dict[str, Any],
                 when: dt.datetime) -> None:
        self.options, self.work, self.keys = options, work, keys
        self.year = work.year
        self.settings = work.settings
        self.when = when
        self.images = {role: options.config_dir / image for role, party in signing.parties()
                       if (image := party.signature_image if role == "signer" else party.seal_image) is not None}
        self.timestamp_url = signing.timestamp_url
        self.recipe = _recipe(keys, self.images, signing.timestamp_url)
        self.files: tuple[str, ...] = ()

    def publish(self) -> Signing:
        jobs: list[Job] = [j for j in (*self.work.documents, *self.work.slips)
                if isinstance(j, PdfJob) and j.output.kind in SIGNED_KINDS]
        if not jobs:
            raise SourceError(f"Không có văn bản PDF nào để ký năm {self.year}: hãy chạy make report trước")
        renderers = renderers_for(self.options, self.settings)
        where = target_for(self.options, self.year, Command.SIGN, self.settings)
        folder, _ = publish(where, lambda out, cache: self._sign(jobs, renderers, where, out, cache),
                            status_page(renderers, self.settings, self.work.validation, self.work.totals))
        return Signing(self.year, folder, self.files, self.when)

    def _sign(self, jobs: list[Job], renderers: Renderers, where: Target, out: Staging,
              cache: RenderCache) -> list[str]:
        contents = Contents(out)
        maker = "make report" if self.work.totals is not None else "make validate"
        current(jobs, out, cache, contents, self.year, maker, "make sign")
        try:
            kept = parse_signed(out.published(SIGNED_DATA.path()))
        except ValueError:
            kept = {}  # a damaged record: every document is signed anew, and the record written whole
        documents = {j.name: contents[j.name] for j in jobs}
        archival = self._archival(jobs, renderers, where, out, cache, kept)
        documents |= {name: data for name, (data, _) in archival.items()}
        keys = {name: key for name, (_, key) in archival.items()}
        copies: dict[str, SignedCopy] = {}
        for n, (name, data) in enumerate(documents.items()):
            old = kept.get(name)
            if old is not None and old.recipe == self.recipe and old.document_sha256 == sha256(data) \
                    and sha256(out.published(signed(name)) or b"") == old.sha256 and out.reuse(signed(name)):
                key = keys.get(name, "")
                copies[name] = dataclasses.replace(old, document_key=key, document_size=len(data) if key else 0)
            else:
                copies[name] = self._signed(name, data, out, keys.get(name, ""))
            if self.options.progress:
                self.options.progress("Ký số", n + 1, len(documents))
        out.add(SIGNED_SUMS.path(), sha256sums({c.document: c.sha256 for c in copies.values()}).encode("ascii"))
        out.add_json(SIGNED_DATA.path(), signed_data(self.year, copies.values()))
        self.files = tuple(c.name for c in copies.values())
        return [*self.files, SIGNED_SUMS.path(), SIGNED_DATA.path()]

    def _archival(self, jobs: list[Job], renderers: Renderers, where: Target, out: Staging,
                  cache: RenderCache, kept: Mapping[str, SignedCopy]) -> dict[str, tuple[bytes, str]]:
        """The PDF/A copies distribute makes for the archive (distribution.yaml, archive.pdfa), to sign them
        too, each with its render key: as published when current, else rendered here (distribute then takes
        them from the signed copies rather than render them again)."""
        config = self.settings.distribution
        if config is None or not config.archive.pdfa:
            return {}
        wanted: list[Job] = [ArchiveJob(j) for j in jobs if isinstance(j, PdfJob)]
        sums = out.published_sums
        found = {}
        for job in wanted:
            data = out.published(job.name) if cache.current(job) else None
            if data is None or sums.get(job.name) != sha256(data):  # not published as it is now: signed before?
                data = from_signed(kept.get(job.name), job_key(job, cache.base), out)
            if data is not None:
                found[job.name] = data
        fresh = [j for j in wanted if j.name not in found]
        found |= dict(render_jobs(fresh, renderers, where.workers, where.progress, "Bản lưu trữ PDF/A"))
        return {j.name: (found[j.name], job_key(j, cache.base)) for j in wanted}

    def _signed(self, name: str, data: bytes, out: Staging, key: str = "") -> SignedCopy:
        block = signature_block(data)
        page = block.page if block else 0
        boxes = {"signer": block.signature_box() if block else None, "body": block.seal_box() if block else None}
        texts = {}
        if block is None:  # an attachment of its own: the body's signature is the decree's text stamp
            number = published_number(self.settings, self.year, name)
            boxes["body"], texts["body"] = top_right(data), stamp_text(number, self.when)
        font = self.settings.general.style.font_family
        signatures = [Signature(FIELDS[role], key, self.images.get(role), page, boxes[role], texts.get(role), font)
                      for role, key in self.keys.items()]
        signed_bytes = sign_pdf(data, signatures, self.when, self.timestamp_url)
        out.add(signed(name), signed_bytes)
        signers = tuple(Signer(role, certificate_name(key), certificate_digest(key)) for role, key in self.keys.items())
        return SignedCopy(name, sha256(data), sha256(signed_bytes), self.when, signers, self.recipe, key,
                          len(data) if key else 0)


def _check_validity(keys: Mapping[str, Any], when: dt.datetime, config: Path) -> None:
    """A certificate expired or not yet valid at the signing time would give signatures no one accepts."""
    for role, key in keys.items():
        start, end = certificate_validity(key)
        if not start <= when <= end:
            state = "đã hết hạn từ" if when > end else "chưa có hiệu lực đến"
            moment = (end if when > end else start).astimezone(VIETNAM)
            raise ConfigError(f"Chứng thư số của {ROLES[role]} ({certificate_name(key)}, khai báo ở khóa «{role}» "
                              f"trong {config}) {state} {moment:%d/%m/%Y %H:%M}: chữ ký sẽ không được công nhận. "
                              "Hãy gia hạn hoặc dùng chứng thư còn hiệu lực rồi chạy lại; chưa ký văn bản nào.")


def _recipe(keys: Mapping[str, Any], images: Mapping[str, Path], timestamp_url: str | None) -> str:
    """What a signed copy was made with, besides its document: a copy made otherwise is signed again."""
    digest = hashlib.sha256(f"timestamp:{timestamp_url or ''}\0".encode())
    for role, key in sorted(keys.items()):
        digest.update(f"{role}:{certificate_digest(key)}\0".encode())
    for role, image in sorted(images.items()):
        digest.update(f"{role}:{sha256(image.read_bytes())}\0".encode())
    return digest.hexdigest()


def verify(options: Options) -> Verification:
    """Check every signed copy of the year; the verdicts say what is wrong with each, in Vietnamese."""
    signing = _config(options)
    choice = report_year(options, load_settings(options.config_dir))
    options.tell(choice.line())
    year = choice.year
    roots = []
    for root in signing.trust_roots:
        try:
            roots.append((options.config_dir / root).read_bytes())
        except OSError as exc:
            raise ConfigError(f"Không đọc được chứng thư gốc {options.config_dir / root}: {exc.strerror}") from exc
    folder = options.output_root / str(year)
    base = folder / SIGNED_PDF.folder
    sums_file = folder / SIGNED_SUMS.path()
    if not sums_file.is_file():
        raise SourceError(f"Chưa có bản ký số năm {year} trong {base}: hãy chạy make sign trước")
    sums = parse_sums(sums_file.read_text("ascii", "replace"))
    copies = {p.relative_to(folder).as_posix() for p in base.rglob("*") if p.is_file()} - {SIGNED_SUMS.path()}
    names = sorted({(SIGNED_PDF.match(c) or {}).get("name", c) for c in copies} | set(sums))
    verdicts = tuple(_verdict(folder, name, sums.get(name), roots) for name in names)
    if not verdicts:
        raise SourceError(f"Chưa có bản ký số năm {year} trong {base}: hãy chạy make sign trước")
    return Verification(year, folder, verdicts)


def _verdict(folder: Path, name: str, digest: str | None, roots: list[bytes]) -> Verdict:
    copy = signed(name)
    path = folder / copy
    if not path.is_file():
        return Verdict(copy, (), (f"thiếu tệp (có trong {SIGNED_SUMS.path()})",))
    data = path.read_bytes()
    problems = []
    if digest is None:
        problems.append(f"không có trong {SIGNED_SUMS.path()}")
    elif hashlib.sha256(data).hexdigest() != digest:
        problems.append(f"mã SHA-256 không khớp {SIGNED_SUMS.path()}: tệp đã bị sửa sau khi ký")
    published = folder / name
    if not published.is_file():
        if not ARCHIVE_PDF.match(name):  # a PDF/A copy is published by make distribute, after make sign
            problems.append(f"không còn văn bản gốc {PurePosixPath(name)}")
    elif not data.startswith(published.read_bytes()):
        problems.append("bản ký số cũ: văn bản đã được lập lại sau khi ký; hãy chạy lại make sign")
    try:
        checked = tuple(check_pdf(data, roots))
    except SignatureUnreadable as exc:
        return Verdict(copy, (), (*problems, f"không đọc được chữ ký: {exc}"))
    if not checked:
        problems.append("không có chữ ký số")
    for c in checked:
        if not c.intact:
            problems.append(f"chữ ký {c.field} không hợp lệ: nội dung đã bị sửa sau khi ký")
        elif not c.trusted:
            problems.append(f"chứng thư của chữ ký {c.field} không dẫn tới chứng thư gốc tin cậy (trust_roots)")
        if c.intact and not c.timestamp_trusted:
            problems.append(f"dấu thời gian của chữ ký {c.field} không hợp lệ hoặc máy chủ cấp dấu thời gian "
                            "không dẫn tới chứng thư gốc tin cậy (trust_roots)")
        if c.intact and not c.unchanged:
            problems.append(f"tệp có thay đổi khác ngoài chữ ký sau chữ ký {c.field}")
    return Verdict(copy, checked, tuple(dict.fromkeys(problems)))

