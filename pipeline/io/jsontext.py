"""The published JSON files' text, as `json.dumps(value, ensure_ascii=False, indent=2)` writes it, about twice as fast.

With an indent, the standard library encodes in Python through nested
generators: the country's data/tong-hop.json (9.5 MB) cost every rerun ~0.4 s.
This writes the same text from plain JSON values (str, int, float, bool, None,
dict with str keys, list, tuple) with the C string escaper; a value of any other
type (a subclass, a dict with other keys) is left to `json.dumps` whole, so the
text never differs (tests/io/test_jsontext.py compares the two on random values).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when the accelerator is built, as json.dumps uses
from typing import Any


class _Other(Exception):
    """A value this encoder does not write exactly as json.dumps would."""


def dumps(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`."""
    parts: list[str] = []
    try:
        _encode(value, "", parts.append)
    except _Other:
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(parts)


def _encode(value: Any, indent: str, add: Any) -> None:
    kind = type(value)
    if kind is str:
        add(encode_basestring(value))
    elif kind is dict:
        _object(value, indent, add)
    elif kind is list or kind is tuple:
        _array(value, indent, add)
    elif value is None:
        add("null")
    elif value is True:
        add("true")
    elif value is False:
        add("false")
    elif kind is int:
        add(int.__repr__(value))
    elif kind is float:
        add(_float(value))
    else:
        raise _Other


def _object(value: dict[Any, Any], indent: str, add: Any) -> None:
    if not value:
        add("{}")
        return
    inner = indent + "  "
    separator = "{\n" + inner
    for key, item in value.items():
        if type(key) is not str:
            raise _Other
        head = separator + encode_basestring(key) + ": "
        separator = ",\n" + inner
        leaf = _leaf(item)  # the country's tong-hop.json is mostly leaves: one add each, no call to _encode
        if leaf is None:
            add(head)
            _encode(item, inner, add)
        else:
            add(head + leaf)
    add("\n" + indent + "}")


def _array(value: list[Any] | tuple[Any, ...], indent: str, add: Any) -> None:
    if not value:
        add("[]")
        return
    inner = indent + "  "
    separator = "[\n" + inner
    for item in value:
        leaf = _leaf(item)
        if leaf is None:
            add(separator)
            _encode(item, inner, add)
        else:
            add(separator + leaf)
        separator = ",\n" + inner
    add("\n" + indent + "]")


def _leaf(value: Any) -> str | None:
    """The text of a str, exact int, None or bool as json.dumps writes it; None for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return None


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
