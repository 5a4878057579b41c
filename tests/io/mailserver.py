"""A real SMTP server on 127.0.0.1 for the distribution tests (aiosmtpd), with STARTTLS.

The server's certificate is signed by a throw-away CA made here with the
`cryptography` package; the client trusts that CA through distribution.yaml's
`smtp.ca_file`, exactly as an office with a private mail server would. The
server refuses AUTH before STARTTLS; the inbox keeps every accepted message's
raw bytes and every login tried, and refuses the addresses a test names.
It can also misbehave after DATA (keep the message and never answer, or keep
it and hang up); `Tarpit` is a server that answers one byte at a time, or
never.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
USER, PASSWORD = "nq28-gui-thu", "Mat-khau-bi-mat-42!"


@dataclass(frozen=True)
class Certificates:
    ca: Path  # what the client trusts
    chain: Path  # the server's certificate
    key: Path


def make_certificates(folder: Path) -> Certificates:
    """A CA and a server certificate for 127.0.0.1 and localhost, valid for a day."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "NQ28 test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths


@dataclass
class Inbox:
    """The server's behaviour and memory: addresses to refuse, and every message accepted."""

    refuse: set[str] = field(default_factory=set)
    account: tuple[str, str] = (USER, PASSWORD)
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    stall: int = 0  # the next so many messages are kept, and the server never answers the final dot
    drop: int = 0  # the next so many messages are kept, and the server hangs up instead of answering
    stalled: threading.Event = field(default_factory=threading.Event)  # set when a message is kept and stalled

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        if self.drop:
            self.drop -= 1
            server.transport.abort()
            return "250 Message accepted for delivery"
        if self.stall:
            self.stall -= 1
            self.stalled.set()
            await asyncio.sleep(30)  # the client gives up long before; the controller cancels this on stop
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            ok = (auth_data.login.decode(), auth_data.password.decode()) == self.account
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    def parsed(self) -> list[tuple[list[str], EmailMessage]]:
        return [(rcpt, message_from_bytes(raw, policy=policy.default)) for rcpt, raw in self.messages]

    def clear(self) -> None:
        self.messages.clear()
        self.logins.clear()
        self.stall = self.drop = 0
        self.stalled.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class MailServer:
    """aiosmtpd on 127.0.0.1 in a thread; STARTTLS (required before AUTH) when given certificates."""

    def __init__(self, certificates: Certificates | None, inbox: Inbox | None = None) -> None:
        self.inbox = inbox or Inbox()
        self.port = free_port()
        kwargs = {}
        if certificates is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificates.chain, certificates.key)
            kwargs = {"tls_context": context, "require_starttls": True, "authenticator": self.inbox.authenticate,
                          "auth_required": True, "auth_require_tls": True}
        self.controller = Controller(self.inbox, hostname=HOST, port=self.port, **kwargs)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class Tarpit:
    """A TCP server on 127.0.0.1 that accepts and then says "220 …" one byte every `interval` seconds,
    or nothing at all when `interval` is None."""

    def __init__(self, interval: float | None) -> None:
        self.interval = interval
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            for byte in b"220 tarpit.example.org ESMTP\r\n":
                if self.stop.wait(self.interval or 30):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def __enter__(self) -> Tarpit:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.listener.close()
