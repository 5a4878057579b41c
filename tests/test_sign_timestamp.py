"""make sign with a time-stamping server (PAdES B-T): each signature carries an RFC 3161 token.

A local server on 127.0.0.1 answers timestamp requests with pyHanko's
DummyTimeStamper and a TSA certificate the test CA issued; the signed copies
are checked by pyHanko's validator (make verify) and by poppler's pdfsig. A
bad URL is a config error, an unreachable server a Vietnamese error with
nothing written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys, pem, tsp, x509
from pyhanko.sign.timestamps import DummyTimeStamper
from weasyprint import HTML

from pipeline import sign as signing
from pipeline.core.catalogue import SIGNED_SUMS, signed
from pipeline.errors import ConfigError, SourceError
from pipeline.io.signing import Signature, TimestampError, check_pdf, load_key, sign_pdf
from pipeline.settings import load_settings
from tests.signing_keys import make_keys
from tests.test_sign import PASSWORDS, SIGNING_YAML, WHEN, options, reported, run, signing_config  # noqa: F401

STAMPED_AT = dt.datetime(2017, 1, 10, 2, 30, 9, tzinfo=dt.UTC)  # the server's clock: 09:30:09 in Vietnam


def _load(path: Path) -> bytes:
    data = path.read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


def _stamper(khoa: Path) -> DummyTimeStamper:
    cert = x509.Certificate.load(_load(khoa / "tsa.crt.pem"))
    key = keys.PrivateKeyInfo.load(_load(khoa / "tsa.key.pem"))
    return DummyTimeStamper(cert, key, certs_to_embed=[x509.Certificate.load(_load(khoa / "ca.pem"))],
                            fixed_dt=STAMPED_AT)


def _handler(stamper: DummyTimeStamper) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def keys_folder(tmp_path_factory) -> Path:
    return signing_config(tmp_path_factory.mktemp("tsa-keys") / "config") / "khoa"


@pytest.fixture(scope="module")
def tsa(keys_folder) -> Iterator[str]:
    """The URL of a local RFC 3161 server whose certificate the test CA issued."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_stamper(keys_folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()


def _config(folder: Path, keys_folder: Path, url: str) -> Path:
    config = signing_config(folder, SIGNING_YAML + f"timestamp_url: {url}\n")
    shutil.rmtree(config / "khoa")
    shutil.copytree(keys_folder, config / "khoa")
    return config


@pytest.fixture(scope="module")
def stamped(reported, keys_folder, tsa, tmp_path_factory) -> tuple[Path, Path, float]:
    """The sample signed with timestamps: the output root, the config, the seconds it took."""
    config = _config(tmp_path_factory.mktemp("tsa-cfg") / "config", keys_folder, tsa)
    out = tmp_path_factory.mktemp("tsa-out")
    shutil.copytree(reported / "2016", out / "2016")
    start = time.perf_counter()
    signing.sign(options(out, config), environ=PASSWORDS, clock=lambda: WHEN)
    return out, config, time.perf_counter() - start


def test_verify_shows_the_servers_time_on_every_signature(stamped):
    out, config, _ = stamped
    result = signing.verify(options(out, config))
    assert len(result.verdicts) == 31 and result.failed == ()
    for verdict in result.verdicts:
        assert [c.timestamped for c in verdict.signatures] == [STAMPED_AT, STAMPED_AT], verdict.name
        assert {c.when for c in verdict.signatures} == {WHEN}
    cli = run("verify", "--config", str(config), "--output", str(out), "--year", "2016")
    assert cli.returncode == 0, cli.stderr
    assert "dấu thời gian: 2017-01-10T09:30:09+07:00" in cli.stderr


def test_pdfsig_accepts_the_timestamped_signatures(stamped):
    out, _, _ = stamped
    result = subprocess.run(["pdfsig", str(out / "2016" / signed("thong-bao/HB.pdf"))], capture_output=True,
                            text=True)
    assert result.stdout.count("Signature Validation: Signature is Valid.") == 2, result.stdout
    assert "ETSI.CAdES.detached" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_named_and_nothing_is_written(reported, keys_folder, tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/tsa"
    config = _config(tmp_path / "config", keys_folder, url)
    shutil.copytree(reported / "2016", tmp_path / "out" / "2016")
    with pytest.raises(SourceError) as caught:
        signing.sign(options(tmp_path / "out", config), environ=PASSWORDS, clock=lambda: WHEN)
    assert url in str(caught.value) and "dấu thời gian" in str(caught.value)
    assert not (tmp_path / "out" / "2016" / SIGNED_SUMS.path()).exists()
    assert not (tmp_path / "out" / "2016" / "ky-so").exists()


@pytest.mark.parametrize("url", ["ftp://tsa.example.vn", "tsa.example.vn", "http://", "http://tsa example.vn"])
def test_a_bad_timestamp_url_is_a_config_error_naming_file_and_key(tmp_path, url):
    folder = signing_config(tmp_path / "config", SIGNING_YAML + f"timestamp_url: '{url}'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(folder)
    message = str(caught.value)
    assert "signing.yaml" in message and "timestamp_url" in message and "dấu thời gian" in message


def test_a_timestamp_from_a_server_no_root_vouches_for_is_a_problem(keys_folder, tmp_path):
    """The signer's key chains to the trusted CA, the server's certificate to another: the signature
    itself is intact and trusted, its timestamp is not, and verify says so."""
    other = make_keys(tmp_path / "other")  # another CA, and a server certificate it issued
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_stamper(other["ca"].parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        data = HTML(string="<p>Phụ lục</p>").write_pdf()
        key = load_key((keys_folder / "co-quan.p12").read_bytes(), b"mat-khau")
        url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
        stamped = sign_pdf(data, [Signature("ChuKyCoQuan", key, None, 0, None)], WHEN, url)
    finally:
        server.shutdown()
        server.server_close()
    [checked] = check_pdf(stamped, [(keys_folder / "ca.pem").read_bytes()])
    assert checked.intact and checked.trusted and checked.timestamped == STAMPED_AT
    assert not checked.timestamp_trusted and not checked.valid


class _Garbage(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", "7")
        self.end_headers()
        self.wfile.write(b"garbage")

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_that_is_no_timestamp_is_the_servers_fault(keys_folder):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        key = load_key((keys_folder / "co-quan.p12").read_bytes(), b"mat-khau")
        with pytest.raises(TimestampError) as caught:
            sign_pdf(HTML(string="<p>Phụ lục</p>").write_pdf(), [Signature("ChuKyCoQuan", key, None, 0, None)], WHEN,
                     f"http://127.0.0.1:{server.server_address[1]}/tsa")
    finally:
        server.shutdown()
        server.server_close()
    assert "not a timestamp reply" in str(caught.value)
