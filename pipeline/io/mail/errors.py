"""What can go wrong while sending, and the Vietnamese words for it.

A failure before the final dot means the message was certainly not accepted
(`MailError`, `MessageRefused`); one after it may have been (`Uncertain`).
The reasons name the step a timeout happened in and never show a system's
English text.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl

from pipeline.errors import PipelineError

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


def caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """smtplib turns a read timeout into SMTPServerDisconnected; the timeout is still in the chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_reason(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"máy chủ thư từ chối ({code} {' '.join(text.split())})"


def network_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, ConnectionRefusedError):
        return "máy chủ từ chối kết nối (sai cổng hoặc máy chủ chưa chạy)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ ngắt kết nối"
    if isinstance(exc, smtplib.SMTPResponseException):
        return server_reason(exc.smtp_code, exc.smtp_error)
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
