"""PAdES signatures on PDF bytes, through pyHanko.

Signing appends incremental updates: the signed file begins with the
document's bytes unchanged, then one revision per signature (signer, then
issuing body). The visible fields are placed over the signature block that the
renderer recorded in the PDF from its layout (pipeline.core.signature_place):
the blank space between the signer's position and name, where a wet signature
goes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from pipeline.core.signature_place import INFO_KEY, read
from pipeline.io.text_stamp import text_style

MM = 72 / 25.4
SIGNATURE_WIDTH = 45 * MM  # the handwritten signature's box, centred between position and name
SEAL_SIZE = 36 * MM  # a round seal's real diameter (Nghị định 99/2016: 35–42 mm for most bodies)


class KeyFileError(Exception):
    """A PKCS#12 file that cannot be opened (wrong password, or not a PKCS#12 file)."""


class TokenError(Exception):
    """A PKCS#11 token that cannot be used; `reason` says which part failed, for the message."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # "module", "token", "pin", "key"


class TimestampError(Exception):
    """The time-stamping server did not answer, or answered with no usable token."""


class SignatureUnreadable(Exception):
    """A signed file whose structure or signatures cannot be read at all (damaged, or not a PDF)."""


@dataclass(frozen=True)
class Block:
    """Where the signature goes on a page: page index and rectangle (x0, y0, x1, y1) in PDF points."""

    page: int
    box: tuple[float, float, float, float]

    def signature_box(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.box
        centre = (x0 + x1) / 2
        return centre - SIGNATURE_WIDTH / 2, y0, centre + SIGNATURE_WIDTH / 2, y1

    def seal_box(self) -> tuple[float, float, float, float]:
        """The seal covers about the left third of the signature image, centred on it vertically."""
        sx0, y0, _, y1 = self.signature_box()
        right = sx0 + SIGNATURE_WIDTH / 3
        middle = (y0 + y1) / 2
        return right - SEAL_SIZE, middle - SEAL_SIZE / 2, right, middle + SEAL_SIZE / 2


@dataclass(frozen=True)
class Signature:
    """One signature to add: its field, its key, its image or text (neither: invisible), where it shows."""

    field: str
    signer: Any  # pyhanko.sign.signers.Signer
    image: Path | None
    page: int
    box: tuple[float, float, float, float] | None
    text: str | None = None  # shown as these lines instead of an image (an attachment's stamp, pipeline.io.text_stamp)
    font: str = ""  # the family the text is set in (the documents' font)


def load_key(pkcs12: bytes, password: bytes) -> signers.SimpleSigner:
    try:
        return signers.SimpleSigner.load_pkcs12_data(pkcs12, [], passphrase=password)
    except ValueError as exc:
        raise KeyFileError(str(exc)) from exc


def open_session(module: str, token_label: str, pin: str) -> Any:
    """A logged-in session on the token (one per token: a second login fails); close it when done."""
    import pkcs11  # only offices with a token need the PKCS#11 binding loaded
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    try:
        return open_pkcs11_session(module, token_criteria=TokenCriteria(label=token_label), user_pin=pin)
    except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange, pkcs11.PinLocked) as exc:
        raise TokenError("pin", type(exc).__name__) from exc
    except pkcs11.PKCS11Error as exc:
        raise TokenError("token", f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # the module itself: not loadable, not PKCS#11, or failing
        raise TokenError("module", f"{type(exc).__name__}: {exc}") from exc


def token_signer(session: Any, key_label: str, cert_label: str | None) -> Any:
    """A signer whose key stays on the token."""
    from pyhanko.sign.pkcs11 import PKCS11Signer

    try:
        signer = PKCS11Signer(session, key_label=key_label, cert_label=cert_label or key_label)
        signer.signing_cert  # noqa: B018 - fetched now, so a missing key or certificate fails here
    except Exception as exc:
        raise TokenError("key", f"{type(exc).__name__}: {exc}") from exc
    return signer


def signature_block(data: bytes) -> Block | None:
    """The signature block's blank space as the renderer recorded it in the PDF's information dictionary
    (pipeline.core.signature_place); None when there is none (a document without a signature block, or
    one rendered before the renderer recorded it: its fields go unplaced)."""
    try:
        trailer = PdfFileReader(io.BytesIO(data), strict=False).trailer_view
        value = trailer["/Info"].get("/" + INFO_KEY) if "/Info" in trailer else None
        text = str(value.get_object()) if value is not None else None
    except Exception:  # a PDF pyHanko cannot read has nothing recorded; signing it will say why
        return None
    place = read(text) if text is not None else None
    return Block(place.page, place.box) if place is not None else None


class _Signer(signers.PdfSigner):
    """A PdfSigner whose signing time is the one given (pyHanko takes the machine's clock and zone)."""

    def __init__(self, *args: Any, when: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.when = when

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.when
        return session


TIMESTAMP_TIMEOUT = 20  # seconds for one answer of the time-stamping server


class _TimeStamper(HTTPTimeStamper):
    """pyHanko's client, with an answer that is not DER at all failing as the server's fault too."""

    async def async_request_tsa_response(self, req: Any) -> Any:
        try:
            response = await super().async_request_tsa_response(req)
            response.native  # noqa: B018 - parsed now: asn1crypto parses lazily, deep inside the signing
        except ValueError as exc:
            raise TimestampRequestError("Timestamp server response is not a timestamp reply") from exc
        return response


@functools.cache
def _timestamper(url: str) -> HTTPTimeStamper:
    """One client per server and run: it keeps the size of a token it learnt from the first request."""
    return _TimeStamper(url, timeout=TIMESTAMP_TIMEOUT)


def sign_pdf(data: bytes, signatures: Sequence[Signature], when: dt.datetime,
             timestamp_url: str | None = None) -> bytes:
    """`data` with each signature appended as its own incremental update, in order; with a signature
    timestamp token from `timestamp_url` (RFC 3161) in each when it is given (PAdES B-T)."""
    try:
        return _sign_each(data, signatures, when, _timestamper(timestamp_url) if timestamp_url else None)
    except TimestampRequestError as exc:
        raise TimestampError(f"{exc}: {exc.__cause__ or ''}".rstrip(": ")) from exc


def _sign_each(data: bytes, signatures: Sequence[Signature], when: dt.datetime, timestamper: Any) -> bytes:
    for signature in signatures:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        box = tuple(round(v) for v in signature.box) if signature.box is not None else None
        spec = fields.SigFieldSpec(signature.field, on_page=signature.page, box=box)  # type: ignore[arg-type]
        meta = signers.PdfSignatureMetadata(field_name=signature.field, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256")
        style: Any = None
        if signature.text is not None and signature.box is not None:
            style = text_style(signature.text, signature.font)
        elif signature.image is not None and signature.box is not None:
            style = StaticStampStyle(background=PdfImage(str(signature.image)), background_opacity=1.0,
                                     border_width=0)
        pdf_signer = _Signer(meta, signature.signer, stamp_style=style, new_field_spec=spec, when=when,
                             timestamper=timestamper)
        out = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=out)
        data = out.getvalue()
    return data


@dataclass(frozen=True)
class Checked:
    """One signature of a signed file as the validator judged it."""

    field: str
    signer: str  # the certificate's subject, as people read it
    when: dt.datetime | None
    intact: bool
    trusted: bool
    unchanged: bool  # nothing but signatures was added after it
    detail: str
    timestamped: dt.datetime | None = None  # the time a time-stamping server vouches for (PAdES B-T)
    timestamp_trusted: bool = True  # the timestamp token checks out and its server chains to a root (or none)

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.unchanged and self.timestamp_trusted


def _common_name(cert: Any) -> str:
    """The certificate's holder as people read it: its common name, else the whole subject."""
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name") or cert.subject.human_friendly)


def check_pdf(data: bytes, roots: Sequence[bytes]) -> list[Checked]:
    """Every signature of `data`, validated against `roots` (PEM or DER certificates) without network."""
    trusted = [x509.Certificate.load(pem.unarmor(r)[2] if pem.detect(r) else r) for r in roots]
    try:
        return _check(data, trusted)
    except Exception as exc:  # a damaged file fails in many ways inside pyHanko; each is a verdict, not a bug
        raise SignatureUnreadable(f"{type(exc).__name__}: {exc}") from exc


def _check(data: bytes, trusted: list[Any]) -> list[Checked]:
    results = []
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    for embedded in reader.embedded_signatures:
        context = ValidationContext(trust_roots=trusted, allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
        cert = status.signing_cert
        level = status.modification_level
        stamp = status.timestamp_validity
        results.append(Checked(
            embedded.field_name, _common_name(cert),
            embedded.self_reported_timestamp, bool(status.intact and status.valid), bool(status.trusted),
            bool(status.docmdp_ok) and level is not None and level.value <= 2,
            status.summary(),
            stamp.timestamp if stamp is not None else None,
            stamp is None or bool(stamp.intact and stamp.valid and stamp.trusted)))
    return results


def certificate_name(signer: Any) -> str:
    """Who a key signs as: its certificate's common name."""
    return _common_name(signer.signing_cert)


def certificate_digest(signer: Any) -> str:
    """SHA-256 of a key's certificate (DER): the same certificate, the same signer."""
    return hashlib.sha256(signer.signing_cert.dump()).hexdigest()


def certificate_validity(signer: Any) -> tuple[dt.datetime, dt.datetime]:
    """When a key's certificate starts and stops being valid."""
    validity = signer.signing_cert["tbs_certificate"]["validity"]
    return validity["not_before"].native, validity["not_after"].native
