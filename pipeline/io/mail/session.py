"""One SMTP session that sends only over STARTTLS, each letter under a deadline.

The session refuses a server that does not offer STARTTLS and verifies its
certificate before it says anything that matters. A watchdog shuts the
connection when a letter's time (smtp.deadline) is up. The session sends
DATA itself, so it can tell a failure before the final dot from one after it,
and calls back just before DATA so the caller can journal "đang gửi" first.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.io.mail.errors import (
    STEPS,
    MailError,
    MessageRefused,
    Uncertain,
    caused_by,
    network_reason,
    server_reason,
)
from pipeline.io.mail.login import PASSWORD_VARIABLE, USER_VARIABLE, Credentials, authenticate
from pipeline.settings import Smtp


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
                authenticate(client, self.login)
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
            raise MessageRefused(server_reason(exc.smtp_code, exc.smtp_error)) from exc
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
                refused[address] = server_reason(code, reply)
        return refused

    def _timed_out(self, exc: BaseException) -> bool:
        return self.expired or caused_by(exc, TimeoutError)

    def _reason(self, exc: BaseException) -> str:
        """Why a step failed; a timeout says which step and which limit, never "máy chủ ngắt kết nối"."""
        if self.expired:
            return f"quá thời gian chờ {STEPS[self.step]} (quá {self.smtp.deadline} giây cho một thư)"
        if caused_by(exc, TimeoutError):
            return f"quá thời gian chờ {STEPS[self.step]} (máy chủ không trả lời sau {self.smtp.timeout} giây)"
        return network_reason(exc)

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


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
