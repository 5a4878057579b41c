"""E-mail: a Letter as a MIME message, and an SMTP session that sends only over STARTTLS.

Credentials come from the environment (NQ28_SMTP_USER, NQ28_SMTP_PASSWORD),
never from a file, and are never written anywhere. The session refuses a
server that does not offer STARTTLS, and verifies its certificate (against
the system's CAs, or a private CA named in distribution.yaml), before it
says anything that matters: no password and no document crosses the network
in plain text. Failures come back in Vietnamese, per address where the
server refused one address, per message otherwise.

Each letter runs under a deadline (smtp.deadline) as well as the per-read
timeout (smtp.timeout): a watchdog shuts the connection when the letter's
time is up, so a server that answers one byte at a time cannot hold a run.
A timeout names the step it happened in. The session sends DATA itself, so
it can tell a failure before the final dot (the message was certainly not
accepted: `MailError`, `MessageRefused`) from one after it (the server may
have accepted it: `Uncertain`), and calls back just before DATA so the
caller can journal "đang gửi" first.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path, PurePosixPath

from pipeline.core.distribution.bundles import Letter
from pipeline.errors import ConfigError, PipelineError
from pipeline.settings import Smtp

USER_VARIABLE, PASSWORD_VARIABLE = "NQ28_SMTP_USER", "NQ28_SMTP_PASSWORD"
MIME_TYPES = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


# Where a letter was when its time ran out, as the clerk reads it after "quá thời gian chờ".
STEPS = {
    "connect": "khi kết nối",
    "tls": "khi bắt tay TLS",
    "login": "khi đăng nhập",
    "envelope": "khi khai báo người gửi, người nhận",
    "content": "khi gửi nội dung",
    "confirm": "máy chủ xác nhận đã nhận thư",
}


class MailError(PipelineError):
    """The server cannot be used (unreachable, no STARTTLS, bad certificate, login refused) or dropped us
    before the message was complete: it was certainly not accepted."""

    def __init__(self, message: str, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class Uncertain(MailError):
    """The whole message went out but no final reply came: the server may or may not have accepted it."""


class MessageRefused(Exception):
    """The server refused one whole message (sender or content); the session goes on."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


def credentials(environ: Mapping[str, str]) -> Credentials | None:
    """The SMTP login from the environment; None when the server is used without one."""
    user, password = environ.get(USER_VARIABLE, ""), environ.get(PASSWORD_VARIABLE, "")
    if not user and not password:
        return None
    if not user or not password:
        missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
        raise ConfigError(f"Thiếu biến môi trường {missing}: cần đặt cả {USER_VARIABLE} và {PASSWORD_VARIABLE} "
                          "(hoặc không đặt biến nào nếu máy chủ thư không yêu cầu đăng nhập)")
    return Credentials(user, password)


def mime(letter: Letter, attachments: Mapping[str, bytes], smtp: Smtp, date: dt.datetime) -> EmailMessage:
    """The message: Vietnamese subject and body (encoded as MIME requires), one attachment per document."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = letter.subject
    message["From"] = Address(smtp.sender_name, addr_spec=smtp.sender)
    message["To"] = [Address(letter.recipient.name, addr_spec=a) for a in letter.addresses]
    message["Date"] = format_datetime(date)
    message["Message-ID"] = letter.message_id
    message.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    for delivery in letter.deliveries:
        suffix = PurePosixPath(delivery.attachment).suffix[1:].lower()
        maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
        message.add_attachment(attachments[delivery.attachment], maintype=maintype, subtype=subtype,
                               filename=delivery.attachment)
    return message


class _Client(smtplib.SMTP):
    """smtplib's client, its connect bounded by the letter's deadline and its socket watched."""

    def __init__(self, session: Session) -> None:
        self.session = session
        super().__init__(timeout=session.smtp.timeout)
        # STARTTLS checks the certificate against it; smtplib sets it only when connecting in __init__.
        self._host = session.smtp.host

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # smtplib's own hook for opening the socket (typeshed does not declare it)
        sock: socket.socket = super()._get_socket(host, port, min(timeout, self.session.remaining()))  # type: ignore[misc]
        sock.settimeout(timeout)
        self.session.watch(sock)
        return sock

    def getreply(self) -> tuple[int, bytes]:
        reply = super().getreply()
        if self.session.expired:  # the watchdog cut a line short: what was read is not the server's reply
            self.close()
            raise smtplib.SMTPServerDisconnected("the letter's deadline passed") from TimeoutError()
        return reply


class Session:
    """One SMTP connection, opened on first use and again after the server drops it."""

    def __init__(self, smtp: Smtp, ca_file: Path | None, login: Credentials | None) -> None:
        self.smtp, self.ca_file, self.login = smtp, ca_file, login
        self.client: smtplib.SMTP | None = None
        self.step = "connect"
        self.end: float | None = None  # the current letter's deadline (time.monotonic)
        self.expired = False
        self.fd: int | None = None  # a duplicate of the connection's socket, for the watchdog to shut
        self.lock = threading.Lock()

    @property
    def server(self) -> str:
        return f"{self.smtp.host}:{self.smtp.port}"

    def remaining(self) -> float:
        if self.end is None:
            return float(self.smtp.timeout)
        return max(0.05, self.end - time.monotonic())

    @contextlib.contextmanager
    def letter(self) -> Iterator[None]:
        """One letter's deadline: when it passes, the connection is shut and the step under way fails."""
        self.expired = False
        self.end = time.monotonic() + self.smtp.deadline
        timer = threading.Timer(self.smtp.deadline, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            self.end = None
            if self.expired:
                self._drop()

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self._release()
            self.fd = os.dup(sock.fileno())
            if self.expired:
                _shutdown(self.fd)

    def _expire(self) -> None:
        with self.lock:
            self.expired = True
            if self.fd is not None:
                _shutdown(self.fd)

    def _release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def open(self) -> None:
        if self.client is not None:
            return
        client = _Client(self)
        self.step = "connect"
        try:
            client.connect(self.smtp.host, self.smtp.port)
        except (OSError, smtplib.SMTPException) as exc:
            client.close()
            self._drop()
            raise MailError(f"Không kết nối được máy chủ thư {self.server}: {self._reason(exc)}",
                            self._timed_out(exc)) from exc
        try:
            self._secure(client)
        except BaseException:
            client.close()
            self._drop()
            raise
        self.client = client

    def _secure(self, client: smtplib.SMTP) -> None:
        try:
            self.step = "tls"
            client.ehlo()
            if not client.has_extn("starttls"):
                raise MailError(f"Máy chủ thư {self.server} không hỗ trợ STARTTLS: không gửi, vì mật khẩu và văn bản "
                                "sẽ đi qua mạng không được mã hóa")
            client.starttls(context=self._tls())
            client.ehlo()
            if self.login:
                self.step = "login"
                _login(client, self.login)
        except ssl.SSLCertVerificationError as exc:
            raise MailError(f"Chứng chỉ của máy chủ thư {self.server} không tin cậy được ({exc.verify_message}); "
                            "nếu máy chủ dùng CA riêng, khai báo smtp.ca_file trong distribution.yaml") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"Máy chủ thư {self.server} từ chối tên đăng nhập hoặc mật khẩu (biến môi trường "
                            f"{USER_VARIABLE}, {PASSWORD_VARIABLE})") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"Máy chủ thư {self.server} không nhận đăng nhập (AUTH); bỏ các biến môi trường "
                            f"{USER_VARIABLE}, {PASSWORD_VARIABLE} nếu máy chủ không cần") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"Không bắt đầu được phiên làm việc an toàn với máy chủ thư {self.server}: "
                            f"{self._reason(exc)}", self._timed_out(exc)) from exc

    def _tls(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"Không đọc được chứng chỉ CA {self.ca_file} (distribution.yaml, khóa «smtp.ca_file»): "
                              f"{getattr(exc, 'strerror', None) or exc}") from exc
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def send(self, message: EmailMessage, addresses: tuple[str, ...],
             before_data: Callable[[], None] = lambda: None) -> dict[str, str]:
        """Send to `addresses`; return the refused ones with the server's reason.

        `before_data` runs once the server has taken the addresses, just
        before DATA; if it raises, nothing is sent and the error goes up.
        Raises MessageRefused when the server refuses the whole message,
        MailError when the connection is lost or times out before the
        message is complete, Uncertain when it is lost after the final dot.
        """
        self.open()
        client = self.client
        assert client is not None
        with self._failures():
            refused = self._envelope(client, addresses)
        if len(refused) == len(addresses):
            self._reset()
            return refused
        wire = _wire(message)
        try:
            before_data()
        except BaseException:
            self._reset()
            raise
        with self._failures():
            code, reply = client.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            self.step = "content"
            client.send(wire)
            self.step = "confirm"
            code, reply = client.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        return refused

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        """The server's and the network's errors as MessageRefused, MailError or Uncertain."""
        try:
            yield
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._reset()
            raise MessageRefused(_server_reason(exc.smtp_code, exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            reason = self._reason(exc)
            if self.step == "confirm":
                raise Uncertain(f"Máy chủ thư {self.server} đã nhận đủ nội dung thư nhưng không xác nhận: {reason}",
                                self._timed_out(exc)) from exc
            if self._timed_out(exc):
                raise MailError(f"Máy chủ thư {self.server}: {reason}", True) from exc
            raise MailError(f"Mất kết nối với máy chủ thư {self.server}: {reason}") from exc

    def _envelope(self, client: smtplib.SMTP, addresses: tuple[str, ...]) -> dict[str, str]:
        self.step = "envelope"
        code, reply = client.mail(self.smtp.sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, self.smtp.sender)
        refused = {}
        for address in addresses:
            code, reply = client.rcpt(address)
            if code not in (250, 251):
                refused[address] = _server_reason(code, reply)
        return refused

    def _timed_out(self, exc: BaseException) -> bool:
        return self.expired or _caused_by(exc, TimeoutError)

    def _reason(self, exc: BaseException) -> str:
        """Why a step failed; a timeout says which step and which limit, never "máy chủ ngắt kết nối"."""
        if self.expired:
            return f"quá thời gian chờ {STEPS[self.step]} (quá {self.smtp.deadline} giây cho một thư)"
        if _caused_by(exc, TimeoutError):
            return f"quá thời gian chờ {STEPS[self.step]} (máy chủ không trả lời sau {self.smtp.timeout} giây)"
        return _network_reason(exc)

    def _reset(self) -> None:
        try:
            assert self.client is not None
            self.client.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        """Close without a word to the server: after an error it may never answer QUIT."""
        if self.client is not None:
            self.client.close()
            self.client = None
        with self.lock:
            self._release()

    def close(self) -> None:
        if self.client is not None:
            _close(self.client)
            self.client = None
        with self.lock:
            self._release()


def _wire(message: EmailMessage) -> bytes:
    """The message as DATA carries it: CRLF lines, leading dots doubled, the final dot."""
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    raw = re.sub(rb"(?m)^\.", b"..", raw)
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw + b".\r\n"


def _shutdown(fd: int) -> None:
    """Shut the connection under `fd` (a duplicate): a read blocked in another thread returns at once."""
    sock = socket.socket(fileno=fd)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.detach()


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """smtplib turns a read timeout into SMTPServerDisconnected; the timeout is still in the chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _login(client: smtplib.SMTP, login: Credentials) -> None:
    """smtplib's login, or AUTH PLAIN in UTF-8 (RFC 4616) for a name or password beyond ASCII,
    which smtplib cannot encode."""
    if (login.user + login.password).isascii():
        client.login(login.user, login.password)
        return
    if "plain" not in client.esmtp_features.get("auth", "").lower().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
    token = base64.b64encode(b"\0" + login.user.encode("utf-8") + b"\0" + login.password.encode("utf-8"))
    code, reply = client.docmd("AUTH", "PLAIN " + token.decode("ascii"))
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _server_reason(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"máy chủ thư từ chối ({code} {' '.join(text.split())})"


def _network_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, ConnectionRefusedError):
        return "máy chủ từ chối kết nối (sai cổng hoặc máy chủ chưa chạy)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ ngắt kết nối"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _server_reason(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "chứng chỉ của máy chủ không hợp lệ hoặc không tin cậy (xem smtp.ca_file)"
    if isinstance(exc, ssl.SSLError):
        return "lỗi mã hóa TLS khi trao đổi với máy chủ"
    if isinstance(exc, ConnectionResetError):
        return "máy chủ ngắt kết nối đột ngột"
    if isinstance(exc, (ConnectionAbortedError, BrokenPipeError)):
        return "kết nối tới máy chủ bị đứt"
    if isinstance(exc, OSError) and exc.errno is not None:
        # The system's English text is not for a clerk: its symbolic name is enough to look up.
        return f"lỗi mạng {errno.errorcode.get(exc.errno, exc.errno)}"
    return "lỗi không xác định khi trao đổi với máy chủ thư"
