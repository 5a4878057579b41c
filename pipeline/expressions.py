"""The expression language of config/rules.yaml, in the spirit of DHIS2's validation rules.

A rule compares a left and a right expression over one submission's figures
with an operator, and carries a severity and a Vietnamese message. The
expression language is deliberately tiny and never evaluated by Python:
integers, indicator codes (`DVCD` is the result, `CD.plan` the plan,
`CD.actual` the result again, `CD.previous` the same unit's result of the
previous year), joined by `+`, `-`, `*` and `/` with the usual precedence,
and parentheses. Arithmetic is exact (fractions: `TCD / 3` is a third, not a
rounded number). A rule whose figures are missing, or that divides by zero,
is skipped (DHIS2's "skip if any value missing"): it can raise no alarm.

Below both `pipeline.settings` (which parses each rule when config is
loaded) and `pipeline.core` (which evaluates them): it imports neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

Value = int | Fraction

OPERATORS: dict[str, Callable[[Value, Value], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
FIELDS = ("plan", "actual", "previous")  # CODE.plan, CODE.actual (= CODE), CODE.previous (last year's actual)
MAX_TOKENS = 200  # far beyond any real rule; keeps parsing and evaluation well within Python's recursion limit
_TOKEN = re.compile(r"\s*(?:(?P<num>\d{1,9})|(?P<ref>[A-Z][A-Z0-9_]*)(?:\.(?P<field>[A-Za-z_]+))?"
                    r"|(?P<op>[+\-*/()]))")


@dataclass(frozen=True)
class Ref:
    """An indicator's figure: its code and which figure (plan, actual, previous)."""

    code: str
    field: str


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


Node = int | Ref | BinOp | Neg


def _evaluate(node: Node, lookup: Callable[[str, str], int | None]) -> Value | None:
    if isinstance(node, int):
        return node
    if isinstance(node, Ref):
        return lookup(node.code, node.field)
    if isinstance(node, Neg):
        value = _evaluate(node.operand, lookup)
        return None if value is None else -value
    left, right = _evaluate(node.left, lookup), _evaluate(node.right, lookup)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        return None  # a division by zero makes the rule unanswerable, like a missing figure
    result = Fraction(left) / Fraction(right)
    return int(result) if result.denominator == 1 else result


def _refs(node: Node) -> Iterator[Ref]:
    if isinstance(node, Ref):
        yield node
    elif isinstance(node, Neg):
        yield from _refs(node.operand)
    elif isinstance(node, BinOp):
        yield from _refs(node.left)
        yield from _refs(node.right)


@dataclass(frozen=True)
class Expression:
    """A parsed expression: `text` as written, `tree` of numbers, figures and operations."""

    text: str
    tree: Node

    def references(self) -> set[str]:
        """The indicator codes it uses."""
        return {ref.code for ref in _refs(self.tree)}

    def uses_previous(self) -> bool:
        """Whether it needs last year's figures (CODE.previous)."""
        return self._uses_previous

    @cached_property  # asked of every rule for every workbook: parse_expression gives the same Expression
    def _uses_previous(self) -> bool:
        return any(ref.field == "previous" for ref in _refs(self.tree))

    def evaluate(self, lookup: Callable[[str, str], int | None]) -> Value | None:
        """The value (exact: an int, or a Fraction after a division), or None when any figure it
        needs is missing or it divides by zero."""
        return _evaluate(self.tree, lookup)


@lru_cache(maxsize=1024)  # a rule's sides are parsed for every workbook it checks
def parse_expression(text: str) -> Expression:
    """Parse "DVCD", "CD.plan * 2", "(TCD + CD) / 2", "TCD.previous * 3"; raise ValueError in Vietnamese."""
    tokens = list(_tokens(text))
    if not tokens:
        raise ValueError("biểu thức rỗng")
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"biểu thức «{text[:40]}…» quá dài (tối đa {MAX_TOKENS} số, mã và phép tính)")
    parser = _Parser(text, tokens)
    tree = parser.sum()
    if parser.pos < len(tokens):
        value = tokens[parser.pos][1]
        if value == ")":
            raise ValueError(f"thừa dấu «)» trong «{text}»")
        raise ValueError(f"thiếu phép tính trước «{_shown(value)}» trong «{text}»")
    return Expression(text, tree)


def _shown(value: object) -> str:
    if isinstance(value, Ref):
        return value.code if value.field == "actual" else f"{value.code}.{value.field}"
    return str(value)


class _Parser:
    """Recursive descent: sum := product (± product)*; product := unary (*|/ unary)*;
    unary := - unary | number | figure | ( sum )."""

    def __init__(self, text: str, tokens: list[tuple[str, int | Ref | str]]) -> None:
        self.text, self.tokens, self.pos = text, tokens, 0

    def _peek(self) -> int | Ref | str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def sum(self) -> Node:
        node = self.product()
        while self._peek() in ("+", "-"):
            op = str(self.tokens[self.pos][1])
            self.pos += 1
            node = BinOp(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self._peek() in ("*", "/"):
            op = str(self.tokens[self.pos][1])
            self.pos += 1
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.pos >= len(self.tokens):
            raise ValueError(f"biểu thức «{self.text}» kết thúc bằng một phép tính hoặc thiếu dấu «)»")
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if value == "-":
            return Neg(self.unary())
        if value == "(":
            inner = self.sum()
            if self._peek() != ")":
                raise ValueError(f"thiếu dấu «)» trong «{self.text}»")
            self.pos += 1
            return inner
        if kind == "op":
            raise ValueError(f"thiếu số hoặc mã chỉ tiêu trước «{value}» trong «{self.text}»")
        assert isinstance(value, (int, Ref)), "operators were handled above"
        return value


def _tokens(text: str) -> Iterator[tuple[str, int | Ref | str]]:
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"không hiểu «{text[pos:].strip()}» trong biểu thức «{text}» (chỉ dùng số, mã chỉ tiêu, "
                             "+ - * / và dấu ngoặc)")
        pos = match.end()
        if match["num"]:
            yield "num", int(match["num"])
        elif match["ref"]:
            field = match["field"] or "actual"
            if field not in FIELDS:
                raise ValueError(f"không hiểu «{match['ref']}.{field}» trong biểu thức «{text}» (sau dấu chấm chỉ "
                                 "dùng plan, actual hoặc previous)")
            yield "ref", Ref(match["ref"], field)
        else:
            yield "op", match["op"]
