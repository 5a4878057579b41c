"""Throw-away keys for the signing tests: a CA, a signer and a body certificate, PKCS#12 files, PNG images,
and a time-stamping server's certificate (extended key usage timeStamping, critical, as RFC 3161 asks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw

START = dt.datetime(2010, 1, 1, tzinfo=dt.UTC)  # before the sample's signing time (2017)
END = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool, timestamping: bool = False
                 ) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(START).not_valid_after(END)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                            crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if timestamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def make_keys(folder: Path, password: bytes = b"mat-khau") -> dict[str, Path]:
    """ca.pem, truong-ban.p12, co-quan.p12 (and each key and certificate loose), chu-ky.png (blue),
    con-dau.png (red), tsa.key.pem and tsa.crt.pem (a time-stamping server's) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("CA thử nghiệm", ca_key, "CA thử nghiệm", ca_key, True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files = {"ca": folder / "ca.pem"}
    for stem, subject in (("truong-ban", "Nguyễn Thị Nghĩa"), ("co-quan", "Ban Chỉ đạo NQ28")):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _certificate(subject, key, "CA thử nghiệm", ca_key, False)
        data = pkcs12.serialize_key_and_certificates(stem.encode(), key, cert, [ca],
                                                     serialization.BestAvailableEncryption(password))
        (folder / f"{stem}.p12").write_bytes(data)
        # The same key and certificate loose, for importing into a SoftHSM token.
        (folder / f"{stem}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (folder / f"{stem}.crt.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
        files[stem] = folder / f"{stem}.p12"
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = _certificate("TSA thử nghiệm", tsa_key, "CA thử nghiệm", ca_key, False, timestamping=True)
    (folder / "tsa.key.pem").write_bytes(tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "tsa.crt.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    files |= {"tsa_key": folder / "tsa.key.pem", "tsa": folder / "tsa.crt.pem"}
    signature = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(signature).line([(30, 150), (120, 40), (200, 160), (280, 50), (370, 140)], fill=(20, 40, 200, 255),
                                   width=12)
    signature.save(folder / "chu-ky.png")
    seal = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    draw.ellipse((10, 10, 390, 390), outline=(220, 20, 20, 255), width=16)
    draw.ellipse((70, 70, 330, 330), outline=(220, 20, 20, 255), width=8)
    draw.regular_polygon((200, 200, 60), 5, fill=(220, 20, 20, 255))
    seal.save(folder / "con-dau.png")
    files |= {"signature": folder / "chu-ky.png", "seal": folder / "con-dau.png"}
    return files


SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN, SO_PIN = "nq28", "123456", "87654321"
_STORE_CERTIFICATE = """
import sys, pkcs11
from pkcs11 import Attribute, CertificateType, ObjectClass
from cryptography import x509
module, token_label, pin, label, key_id, path = sys.argv[1:]
der = open(path, "rb").read()
cert = x509.load_der_x509_certificate(der)
token = pkcs11.lib(module).get_token(token_label=token_label)
with token.open(rw=True, user_pin=pin) as session:
    session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                           Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: bytes.fromhex(key_id),
                           Attribute.SUBJECT: cert.subject.public_bytes(), Attribute.VALUE: der})
"""


def make_token(folder: Path, keys: Path) -> dict[str, str]:
    """A SoftHSM2 token holding the signer's and the body's keys and certificates; the environment to use it."""
    import subprocess
    import sys

    (folder / "tokens").mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {"SOFTHSM2_CONF": str(conf)}
    environ = {**__import__("os").environ, **env}

    def util(*args: str) -> None:
        subprocess.run(["softhsm2-util", *args], check=True, capture_output=True, env=environ)

    util("--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
    for n, stem in enumerate(("truong-ban", "co-quan"), start=1):
        key_id = f"{n:02x}"
        util("--import", str(keys / f"{stem}.key.pem"), "--token", TOKEN, "--label", stem, "--id", key_id,
             "--pin", PIN)
        subprocess.run([sys.executable, "-c", _STORE_CERTIFICATE, str(SOFTHSM_MODULE), TOKEN, PIN, stem, key_id,
                        str(keys / f"{stem}.crt.der")], check=True, capture_output=True, env=environ)
    return env
