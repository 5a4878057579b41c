"""E-mail: a Letter as a MIME message, and an SMTP session that sends only over STARTTLS.

Credentials come from the environment (NQ28_SMTP_USER, NQ28_SMTP_PASSWORD),
never from a file, and are never written anywhere. The session refuses a
server that does not offer STARTTLS, and verifies its certificate (against
the system's CAs, or a private CA named in distribution.yaml), before it
says anything that matters: no password and no document crosses the network
in plain text. Failures come back in Vietnamese, per address where the
server refused one address, per message otherwise.
"""

from __future__ import annotations

import base64
import datetime as dt
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path, PurePosixPath
from typing import Mapping

from pipeline.core.distribution import Letter
from pipeline.errors import ConfigError, PipelineError
from pipeline.settings import Smtp

USER_VARIABLE, PASSWORD_VARIABLE = "NQ28_SMTP_USER", "NQ28_SMTP_PASSWORD"
MIME_TYPES = {
    "pdf": ("application", "pdf"),
    "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class MailError(PipelineError):
    """The server cannot be used (unreachable, no STARTTLS, bad certificate, login refused) or dropped us."""


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


class Session:
    """One SMTP connection, opened on first use and again after the server drops it."""

    def __init__(self, smtp: Smtp, ca_file: Path | None, login: Credentials | None) -> None:
        self.smtp, self.ca_file, self.login = smtp, ca_file, login
        self.client: smtplib.SMTP | None = None

    @property
    def server(self) -> str:
        return f"{self.smtp.host}:{self.smtp.port}"

    def open(self) -> None:
        if self.client is not None:
            return
        try:
            client = smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.smtp.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"Không kết nối được máy chủ thư {self.server}: {_network_reason(exc)}") from exc
        try:
            self._secure(client)
        except BaseException:
            _close(client)
            raise
        self.client = client

    def _secure(self, client: smtplib.SMTP) -> None:
        try:
            client.ehlo()
            if not client.has_extn("starttls"):
                raise MailError(f"Máy chủ thư {self.server} không hỗ trợ STARTTLS: không gửi, vì mật khẩu và văn bản "
                                "sẽ đi qua mạng không được mã hóa")
            client.starttls(context=self._tls())
            client.ehlo()
            if self.login:
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
                            f"{_network_reason(exc)}") from exc

    def _tls(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"Không đọc được chứng chỉ CA {self.ca_file} (distribution.yaml, khóa «smtp.ca_file»): "
                              f"{getattr(exc, 'strerror', None) or exc}") from exc
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def send(self, message: EmailMessage, addresses: tuple[str, ...]) -> dict[str, str]:
        """Send to `addresses`; return the refused ones with the server's reason.

        Raises MessageRefused when the server refuses the whole message, and
        MailError when the connection is lost (the next send reconnects).
        """
        self.open()
        assert self.client is not None
        try:
            refused = self.client.send_message(message, self.smtp.sender, list(addresses))
        except smtplib.SMTPRecipientsRefused as exc:
            return {a: _server_reason(*reply) for a, reply in exc.recipients.items()}
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._reset()
            raise MessageRefused(_server_reason(exc.smtp_code, exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(f"Mất kết nối với máy chủ thư {self.server}: {_network_reason(exc)}") from exc
        return {a: _server_reason(*reply) for a, reply in refused.items()}

    def _reset(self) -> None:
        try:
            assert self.client is not None
            self.client.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.client is not None:
            _close(self.client)
            self.client = None


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
    if isinstance(exc, TimeoutError):
        return "quá thời gian chờ máy chủ trả lời"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ ngắt kết nối"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _server_reason(exc.smtp_code, exc.smtp_error)
    return str(exc) or type(exc).__name__
