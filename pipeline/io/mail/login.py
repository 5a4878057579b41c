"""The SMTP login: read from the environment, never from a file, and presented to the server.

smtplib cannot encode a name or password beyond ASCII; `authenticate` then
speaks AUTH PLAIN in UTF-8 itself.
"""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.errors import ConfigError

USER_VARIABLE, PASSWORD_VARIABLE = "NQ28_SMTP_USER", "NQ28_SMTP_PASSWORD"


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


def authenticate(client: smtplib.SMTP, login: Credentials) -> None:
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
