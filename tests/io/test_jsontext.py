"""The published JSON text (pipeline.io.jsontext) is exactly json.dumps(value, ensure_ascii=False, indent=2)."""

from __future__ import annotations

import enum
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.io.jsontext import dumps

leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


@settings(max_examples=400)
@given(values)
def test_the_text_is_the_standard_encoders(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


def test_values_of_other_types_are_left_to_the_standard_encoder():
    for value in ({1: "a", None: 2, 1.5: 3, False: 4}, [Level.LOW], {"a": Name("b")}, [float("nan"), float("-inf")],
                  {"đơn vị": "Hải Phòng \u2028 \x00 \"\\"}):
        assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)
