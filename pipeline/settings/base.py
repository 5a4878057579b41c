"""What every config model shares: the base model, the field formats and their messages, years, addresses."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

UNIT_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,15}$"
DAY_MONTH_PATTERN = r"^\d{2}/\d{2}$"
RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$"  # the name of an environment variable holding a password or PIN
# What each pattern asks for, as its error says it: a field gets its own pattern's words, never another's.
PATTERN_MESSAGES = {
    UNIT_CODE_PATTERN: "sai định dạng mã: bắt đầu bằng chữ in hoa, sau đó chỉ chữ in hoa không dấu, chữ số, "
                       "dấu _, tối đa 16 ký tự (ví dụ HB, TCD)",
    DAY_MONTH_PATTERN: "sai định dạng ngày/tháng: cần dạng dd/mm, ví dụ \"31/12\"",
    RULE_ID_PATTERN: "sai định dạng mã quy tắc: chữ thường không dấu và chữ số, nối bằng dấu -, "
                     "ví dụ tong-bang-danh-sach",
    ENV_NAME_PATTERN: "sai định dạng tên biến môi trường: chữ in hoa không dấu, chữ số và dấu _, không bắt đầu "
                      "bằng chữ số, ví dụ NQ28_KY_TRUONG_BAN",
}
FIRST_YEAR, LAST_YEAR = 1900, 2999


def as_year(value: Any) -> Any:
    """A year: a whole number such as 2016 (YAML reads 2016 as one; "2016" is accepted too)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValueError(f"«{value}» không phải là năm (số có 4 chữ số, ví dụ 2016)")
    return value


# valid_from/valid_until of units.yaml, the keys under `years` of targets.yaml and history.yaml.
Year = Annotated[int, BeforeValidator(as_year)]
# An ordinary mailbox address: no display name, no comments, an ASCII domain with a dot.
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def _address_list(value: Any) -> Any:
    """One address or a list of them; nothing is an empty list."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def valid_addresses(addresses: tuple[str, ...]) -> tuple[str, ...]:
    seen = set()
    for address in addresses:
        if not EMAIL_PATTERN.match(address):
            raise ValueError(f"địa chỉ thư «{address}» không hợp lệ (cần dạng ten@ten-mien.vn)")
        if address.lower() in seen:
            raise ValueError(f"địa chỉ thư «{address}» bị lặp")
        seen.add(address.lower())
    return addresses


# `email: a@b.vn` or `email: [a@b.vn, c@d.vn]`, each address checked.
Addresses = Annotated[tuple[str, ...], BeforeValidator(_address_list), AfterValidator(valid_addresses)]


class Strict(BaseModel):
    """Base for every config model: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def reject_duplicates(codes: list[str], key: str, label: str) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{label} «{code}» bị lặp trong {key}")
        seen.add(code)
