"""Every constrained config field explains its own constraint: never another field's message."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import annotated_types
import pytest
from pydantic import ValidationError

import pipeline.settings as config_models
from pipeline.settings import PATTERN_MESSAGES, Strict
from pipeline.settings.base import as_year, valid_addresses
from pipeline.settings.messages import explain
from tests.test_settings import config, edit, error_for  # noqa: F401

MODELS = [m for _, m in inspect.getmembers(config_models, inspect.isclass)
          if issubclass(m, Strict) and m is not Strict and m.__module__.startswith("pipeline.settings.")]


def _constraints():
    """(model, field, kind, bound) for every constraint a config field carries."""
    for model in MODELS:
        for name, field in model.model_fields.items():
            for meta in field.metadata:
                if getattr(meta, "pattern", None):
                    yield pytest.param(model, name, "pattern", meta.pattern, id=f"{model.__name__}.{name}-pattern")
                for kind, cls in (("ge", annotated_types.Ge), ("le", annotated_types.Le),
                                  ("min_length", annotated_types.MinLen)):
                    if isinstance(meta, cls):
                        bound = getattr(meta, kind)
                        yield pytest.param(model, name, kind, bound, id=f"{model.__name__}.{name}-{kind}")


def _message(model, name: str, value) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({name: value})
    lines = explain(Path("x.yaml"), model, caught.value).splitlines()
    mine = [line for line in lines if line.startswith(f"  - khóa «{name}»:")]
    assert len(mine) == 1, lines
    return mine[0].split(":", 1)[1].strip()


CONSTRAINTS = list(_constraints())


def test_the_walk_finds_every_kind_of_constraint():
    kinds = {(p.values[0].__name__, p.values[1], p.values[2]) for p in CONSTRAINTS}
    assert ("Unit", "code", "pattern") in kinds and ("Reporting", "period_end", "pattern") in kinds
    assert ("Rule", "id", "pattern") in kinds and ("Smtp", "port", "le") in kinds
    assert ("UnitsFile", "units", "min_length") in kinds and ("Smtp", "host", "min_length") in kinds
    assert len(CONSTRAINTS) >= 25


@pytest.mark.parametrize("model, name, kind, bound", CONSTRAINTS)
def test_each_constraint_has_its_own_message(model, name, kind, bound):
    if kind == "pattern":
        assert bound in PATTERN_MESSAGES, f"{model.__name__}.{name}: no Vietnamese message for pattern {bound}"
        assert _message(model, name, "x y/Z!") == PATTERN_MESSAGES[bound]
    elif kind == "ge":
        assert _message(model, name, bound - 1) == f"giá trị quá nhỏ: phải từ {bound:,} trở lên".replace(",", ".")
    elif kind == "le":
        assert _message(model, name, bound + 1) == f"giá trị quá lớn: tối đa {bound:,}".replace(",", ".")
    else:
        empty = "" if model.model_fields[name].annotation is str else []
        if typing.get_origin(model.model_fields[name].annotation) is dict:
            empty = {}
        expected = "không được để trống" if empty == "" else "danh sách không được rỗng"
        assert _message(model, name, empty) == expected


def test_the_patterns_messages_are_distinct():
    assert len(set(PATTERN_MESSAGES.values())) == len(PATTERN_MESSAGES)


def _fields_checked_by(function) -> list[tuple[type, str]]:
    """Fields whose type (or whose keys' type) runs `function`: the Year and Addresses fields."""
    return [pytest.param(m, n, id=f"{m.__name__}.{n}") for m in MODELS for n, f in m.model_fields.items()
            if function.__name__ in repr(f.annotation) or any(getattr(x, "func", None) is function for x in f.metadata)]


YEAR_FIELDS = _fields_checked_by(as_year)
ADDRESS_FIELDS = _fields_checked_by(valid_addresses)


def test_year_and_address_fields_are_found():
    assert {(p.values[0].__name__, p.values[1]) for p in YEAR_FIELDS} == {
        ("Unit", "valid_from"), ("Unit", "valid_until"), ("FiguresFile", "years")}
    assert {(p.values[0].__name__, p.values[1]) for p in ADDRESS_FIELDS} >= {("Unit", "email"), ("Recipient", "email")}


@pytest.mark.parametrize("model, name", YEAR_FIELDS)
def test_year_fields_say_they_want_a_year(model, name):
    for typed in ("hai nghìn", 16):
        expected = f"«{typed}» không phải là năm (số có 4 chữ số, ví dụ 2016)"
        if typing.get_origin(model.model_fields[name].annotation) is dict:  # a year as a key
            with pytest.raises(ValidationError) as caught:
                model.model_validate({name: {typed: {}}})
            assert f"khóa «{name}.{typed}.[key]»: {expected}" in explain(Path("x.yaml"), model, caught.value)
        else:
            assert _message(model, name, typed) == expected


@pytest.mark.parametrize("model, name", ADDRESS_FIELDS)
def test_address_fields_say_they_want_an_address(model, name):
    assert _message(model, name, "HB-2016") == "địa chỉ thư «HB-2016» không hợp lệ (cần dạng ten@ten-mien.vn)"


# --- through the files, as a clerk meets them ----------------------------------------------


@pytest.mark.parametrize("file, old, new, key, expected", [
    ("settings.yaml", 'period_end: "31/12"', 'period_end: "31/12/2016"', "reporting.period_end",
     'sai định dạng ngày/tháng: cần dạng dd/mm, ví dụ "31/12"'),
    ("units.yaml", "code: HB,", "code: hb,", "units.0.code", "sai định dạng mã: bắt đầu bằng chữ in hoa"),
    ("indicators.yaml", "code: TCD", "code: T-CD", "indicators.0.code", "sai định dạng mã"),
    ("targets.yaml", "2016:", "năm 2016:", "years.năm 2016.[key]", "«năm 2016» không phải là năm"),
    ("units.yaml", "email: hong-bang@example.invalid", "email: hong-bang", "units.0.email", "địa chỉ thư «hong-bang»"),
    ("settings.yaml", "percent_decimals: 0", "percent_decimals: 7", "numbers.percent_decimals",
     "giá trị quá lớn: tối đa 3"),
    ("settings.yaml", "max_count: 1000000", "max_count: 0", "limits.max_count", "giá trị quá nhỏ: phải từ 1 trở lên"),
])
def test_a_clerks_mistake_gets_the_fields_message(config, file, old, new, key, expected):
    edit(config / file, old, new)
    message = error_for(config)
    assert f"khóa «{key}»: {expected}" in message
    if "mã" not in expected:
        assert "chữ in hoa" not in message
