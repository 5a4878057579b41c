"""The expression language of config/rules.yaml, in the spirit of DHIS2's validation rules.

A rule compares a left and a right expression over one submission's figures
with an operator, and carries a severity and a Vietnamese message. The
expression language is deliberately tiny and never evaluated by Python:
integers, indicator codes (`DVCD` is the result, `CD.plan` the plan, and
`CD.actual` the result again), joined by `+`, `-` and `*`. A rule whose
figures are missing is skipped (DHIS2's "skip if any value missing").

Below both `pipeline.settings` (which parses each rule when config is
loaded) and `pipeline.core` (which evaluates them): it imports neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_TOKEN = re.compile(r"\s*(?:(?P<num>\d{1,9})|(?P<ref>[A-Z][A-Z0-9_]*)(?:\.(?P<field>plan|actual))?|(?P<op>[+\-*]))")

Factor = int | tuple[str, str]


@dataclass(frozen=True)
class Expression:
    """A sum of signed products; `terms` is ((sign, (factor, …)), …)."""

    text: str
    terms: tuple[tuple[int, tuple[Factor, ...]], ...]

    def references(self) -> set[str]:
        return {f[0] for _, factors in self.terms for f in factors if isinstance(f, tuple)}

    def evaluate(self, lookup: Callable[[str, str], int | None]) -> int | None:
        """The value, or None when any figure it needs is missing."""
        total = 0
        for sign, factors in self.terms:
            product = 1
            for factor in factors:
                value = factor if isinstance(factor, int) else lookup(*factor)
                if value is None:
                    return None
                product *= value
            total += sign * product
        return total


@lru_cache(maxsize=1024)  # a rule's sides are parsed for every workbook it checks
def parse_expression(text: str) -> Expression:
    """Parse "DVCD", "CD.plan * 2", "TCD + CD - 1"; raise ValueError in Vietnamese."""
    tokens = list(_tokens(text))
    if not tokens:
        raise ValueError("biểu thức rỗng")
    terms: list[tuple[int, tuple[Factor, ...]]] = []
    sign, expect_value = 1, True
    factors: list[Factor] = []
    for kind, value in tokens:
        if expect_value:
            if kind == "op" and value == "-" and not factors:
                sign = -sign
                continue
            if kind == "op":
                raise ValueError(f"thiếu số hoặc mã chỉ tiêu trước «{value}» trong «{text}»")
            assert not isinstance(value, str), "an operator was handled above"
            factors.append(value)
            expect_value = False
        elif value == "*":
            expect_value = True
        else:
            terms.append((sign, tuple(factors)))
            sign, factors, expect_value = (1 if value == "+" else -1), [], True
    if expect_value:
        raise ValueError(f"biểu thức «{text}» kết thúc bằng một phép tính")
    terms.append((sign, tuple(factors)))
    return Expression(text, tuple(terms))


def _tokens(text: str) -> Iterable[tuple[str, Factor | str]]:
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"không hiểu «{text[pos:]}» trong biểu thức «{text}» (chỉ dùng số, mã chỉ tiêu, + - *)")
        pos = match.end()
        if match["num"]:
            yield "num", int(match["num"])
        elif match["ref"]:
            yield "ref", (match["ref"], match["field"] or "actual")
        else:
            yield "op", match["op"]
