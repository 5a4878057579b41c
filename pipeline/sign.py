"""`make sign` and `make verify`: PAdES signatures of the year's published PDFs, and their check.

sign reads config/signing.yaml (no file, or one of comments only: it says so
and stops), opens each key with the password from the environment variable
the config names, and signs every published report, notice, slip and reminder
that SHA256SUMS lists and that is unaltered: the signer's signature, then the
issuing body's, each shown over the document's signature block (the signer's
handwritten signature, the body's seal over its left third). The signed copies
go to ky-so/ under the same relative names, with their own SHA256SUMS, in one
staged publication that owns only that folder (pipeline.io.publish); the
unsigned documents stay as they are.

verify checks every signed copy: integrity, chain to the configured trust
roots, nothing but signatures added after signing, its SHA-256 in
ky-so/SHA256SUMS, and that its unsigned content (the bytes before the first
signature's update) is exactly the published document now.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.core.catalogue import SIGNED_PDF, SIGNED_SUMS, SUMS, Command, signable, signed
from pipeline.core.documents.numbering import published_number
from pipeline.errors import ConfigError, SourceError
from pipeline.io.publish import Staging, keep_for, sha256sums
from pipeline.io.signing import (
    Checked,
    KeyFileError,
    Signature,
    SignatureUnreadable,
    TimestampError,
    TokenError,
    check_pdf,
    find_block,
    load_key,
    open_session,
    sign_pdf,
    token_signer,
)
from pipeline.io.text_stamp import FontMissing, stamp_text, top_right
from pipeline.plan import Options, report_year
from pipeline.settings import SIGNING_FILE, Party, Settings, SigningFile, Token, load_settings

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


def _config(options: Options) -> tuple[Settings, SigningFile, int]:
    settings = load_settings(options.config_dir)
    if settings.signing is None:
        raise ConfigError(f"Chưa cấu hình ký số: chưa có tệp {options.config_dir / SIGNING_FILE} hoặc tệp chỉ "
                          "có chú thích. Hãy khai báo khóa (tệp PKCS#12 hoặc thiết bị ký số PKCS#11, mật khẩu "
                          "hay mã PIN để trong biến môi trường), ảnh chữ ký và ảnh con dấu theo ví dụ trong tệp "
                          "đó (bộ mẫu có sẵn), rồi chạy lại. Chưa ký văn bản nào.")
    choice = report_year(options, settings)
    options.tell(choice.line())
    return settings, settings.signing, choice.year


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


def _published(folder: Path, year: int) -> dict[str, bytes]:
    """name → bytes of every published PDF that make sign signs, each checked against SHA256SUMS."""
    sums_file = folder / SUMS.path()
    if not sums_file.is_file():
        raise SourceError(f"Chưa có văn bản năm {year} trong {folder}: hãy chạy make report trước, rồi make sign")
    sums = _sums(sums_file.read_text("ascii", "replace"))
    documents = {}
    for name in sorted(n for n in sums if signable(n)):
        path = folder / name
        data = path.read_bytes() if path.is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != sums[name]:
            raise SourceError(f"Tệp {path} đã bị sửa hoặc xóa sau khi lập (mã SHA-256 không khớp {sums_file}): "
                              "hãy chạy make report để lập lại, rồi chạy lại make sign")
        documents[name] = data
    if not documents:
        raise SourceError(f"Không có văn bản PDF nào để ký trong {folder}: hãy chạy make report trước")
    return documents


def _sums(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name:
            found[name] = digest
    return found


def sign(options: Options, environ: Mapping[str, str] = os.environ,
         clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(VIETNAM), prompt: Prompt = terminal_prompt
         ) -> Signing:
    """Sign the year's published PDFs into ky-so/, atomically; nothing is written on any error. A token's
    PIN missing from the environment is asked at `prompt` (the terminal's, when there is one)."""
    settings, signing, year = _config(options)
    with ExitStack() as sessions:
        try:
            return _sign(options, environ, clock, settings, signing, year, sessions, prompt)
        except FontMissing as exc:
            raise SourceError(f"Không ký được: {exc}; dấu chữ ký trên văn bản kèm theo cần phông chữ này (cài gói "
                              "fonts-liberation2, ví dụ make system-deps). Chưa ghi bản ký số nào.") from exc
        except TimestampError as exc:
            raise SourceError(f"Không lấy được dấu thời gian từ máy chủ {signing.timestamp_url} (khóa "
                              f"«timestamp_url» trong {options.config_dir / SIGNING_FILE}): máy chủ không trả lời "
                              f"hoặc trả lời sai ({exc}). Kiểm tra mạng và địa chỉ rồi chạy lại; chưa ghi bản ký số "
                              "nào.") from exc


def _sign(options: Options, environ: Mapping[str, str], clock: Callable[[], dt.datetime], settings: Settings,
          signing: SigningFile, year: int, sessions: ExitStack, prompt: Prompt) -> Signing:
    keys = _keys(signing, options, environ, sessions, prompt)
    signer_name = settings.document_settings(year, "make sign").signer.name
    folder = options.output_root / str(year)
    documents = _published(folder, year)
    when = clock().astimezone(VIETNAM).replace(microsecond=0)
    images = {role: options.config_dir / image for role, party in signing.parties()
              if (image := party.signature_image if role == "signer" else party.seal_image) is not None}
    out = Staging(options.output_root, year, keep_for(Command.SIGN))
    try:
        copies: dict[str, str] = {}
        for n, (name, data) in enumerate(documents.items()):
            block = find_block(data, signer_name)
            page = block.page if block else 0
            boxes = {"signer": block.signature_box() if block else None, "body": block.seal_box() if block else None}
            texts = {}
            if block is None:  # an attachment of its own: the body's signature is the decree's text stamp
                boxes["body"], texts["body"] = top_right(data), stamp_text(published_number(settings, year, name), when)
            signatures = [Signature(FIELDS[role], key, images.get(role), page, boxes[role], texts.get(role))
                          for role, key in keys.items()]
            signed_bytes = sign_pdf(data, signatures, when, signing.timestamp_url)
            out.add(signed(name), signed_bytes)
            copies[name] = hashlib.sha256(signed_bytes).hexdigest()
            if options.progress:
                options.progress("Ký số", n + 1, len(documents))
        out.add(SIGNED_SUMS.path(), sha256sums(copies).encode("ascii"))
        result = out.commit()
    except BaseException:
        out.abandon()
        raise
    return Signing(year, result, tuple(signed(n) for n in documents), when)


def verify(options: Options) -> Verification:
    """Check every signed copy of the year; the verdicts say what is wrong with each, in Vietnamese."""
    _, signing, year = _config(options)
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
    sums = _sums(sums_file.read_text("ascii", "replace"))
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

