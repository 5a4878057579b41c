"""signing.yaml: the keys and images of make sign / make verify (optional: no file, no signing).

Passwords never live here: each key names the environment variable that holds
its password. Paths are relative to the config folder. The images are checked
when the config is read, so a wrong path stops every command at start-up.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.settings.base import ENV_NAME_PATTERN, Strict

SIGNING_FILE = "signing.yaml"  # optional: only make sign and make verify need it
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Token(Strict):
    """A key on a PKCS#11 token (a USB token of a Vietnamese CA, or SoftHSM): it never leaves the token."""

    module: str = Field(min_length=1)  # the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
    token_label: str = Field(min_length=1)
    key_label: str = Field(min_length=1)
    cert_label: str | None = None  # the certificate's label on the token; default: the key's
    pin_env: str = Field(pattern=ENV_NAME_PATTERN)  # the variable holding the user PIN


class Party(Strict):
    """Who signs (the signer, the issuing body): a key (PKCS#12 file or PKCS#11 token) and its image."""

    pkcs12: str | None = None  # a .p12/.pfx file, relative to the config folder
    pkcs11: Token | None = None  # or a key on a token
    password_env: str | None = Field(default=None, pattern=ENV_NAME_PATTERN)  # the variable holding its password
    signature_image: str | None = None  # the signer's handwritten signature (PNG, transparent background)
    seal_image: str | None = None  # the body's seal (PNG, transparent background, real size)

    @model_validator(mode="after")
    def _key_whole(self) -> Party:
        if (self.pkcs12 is None) != (self.password_env is None):
            raise ValueError("cần cả «pkcs12» (tệp khóa) và «password_env» (tên biến môi trường chứa mật khẩu), "
                             "hoặc bỏ cả hai để dùng khóa của bên kia")
        if self.pkcs12 is not None and self.pkcs11 is not None:
            raise ValueError("chỉ khai báo một khóa: «pkcs12» (tệp khóa) hoặc «pkcs11» (thiết bị ký số), không cả hai")
        return self

    @property
    def has_key(self) -> bool:
        return self.pkcs12 is not None or self.pkcs11 is not None


class SigningFile(Strict):
    """signing.yaml: the signer's key and the body's; one key signs for both when only one is given."""

    signer: Party | None = None
    body: Party | None = None
    trust_roots: tuple[str, ...] = ()  # CA certificates (PEM or DER) make verify trusts
    timestamp_url: str | None = None  # an RFC 3161 time-stamping server: each signature gets its token (PAdES B-T)

    @field_validator("timestamp_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
            raise ValueError(f"«{value}» không phải địa chỉ máy chủ cấp dấu thời gian: cần địa chỉ http:// hoặc "
                             "https:// đầy đủ, ví dụ http://tsa.example.vn/tsa")
        return value

    @model_validator(mode="after")
    def _one_key(self) -> SigningFile:
        if not any(p is not None and p.has_key for p in (self.signer, self.body)):
            raise ValueError("chưa có khóa nào: cần «signer» hoặc «body» có «pkcs12» và «password_env», hoặc «pkcs11»")
        return self

    def parties(self) -> tuple[tuple[str, Party], ...]:
        """The signatures to make, in order (signer, then body), each with a key: its own or the other's."""
        given = [(role, p) for role, p in (("signer", self.signer), ("body", self.body)) if p is not None]
        keyed = next(p for _, p in given if p.has_key)
        borrowed = {"pkcs12": keyed.pkcs12, "password_env": keyed.password_env, "pkcs11": keyed.pkcs11}
        return tuple((role, p if p.has_key else p.model_copy(update=borrowed)) for role, p in given)


def check_files(signing: SigningFile, path: Path, config_dir: Path) -> None:
    """Every image a PNG and every key and root a file; a ConfigError naming the file and the key otherwise."""
    for role, party in (("signer", signing.signer), ("body", signing.body)):
        if party is None:
            continue
        for key in ("signature_image", "seal_image"):
            value = getattr(party, key)
            if value is None:
                continue
            image = config_dir / value
            if not image.is_file():
                raise ConfigError(f"{path}, khóa «{role}.{key}»: không có tệp ảnh {image}")
            with image.open("rb") as f:
                if f.read(len(PNG_MAGIC)) != PNG_MAGIC:
                    raise ConfigError(f"{path}, khóa «{role}.{key}»: tệp {image} không phải ảnh PNG "
                                      "(cần ảnh PNG nền trong suốt)")
        if party.pkcs12 is not None and not (config_dir / party.pkcs12).is_file():
            raise ConfigError(f"{path}, khóa «{role}.pkcs12»: không có tệp khóa {config_dir / party.pkcs12}")
        if party.pkcs11 is not None and not (config_dir / party.pkcs11.module).is_file():
            raise ConfigError(f"{path}, khóa «{role}.pkcs11.module»: không có thư viện PKCS#11 "
                              f"{config_dir / party.pkcs11.module} (cài phần mềm của thiết bị ký số, "
                              "hoặc sửa đường dẫn)")
    for n, root in enumerate(signing.trust_roots):
        if not (config_dir / root).is_file():
            raise ConfigError(f"{path}, khóa «trust_roots[{n}]»: không có tệp chứng thư {config_dir / root}")
