"""The catalogue of issue types: declared once, used everywhere, templates filled with their own fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline import issue_types
from pipeline.core import labels
from pipeline.core.steps.raw import Refusal
from pipeline.issue_types import LOCATION, TYPES, VARIANTS, IssueType

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
CATALOGUE = PIPELINE / "issue_types.py"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESERVED: set[str] = set()  # declared codes that nothing makes yet, on purpose
DECLARED = {name: value for name, value in vars(issue_types).items() if isinstance(value, IssueType)}


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PIPELINE.rglob("*.py"))
            if path != CATALOGUE}


SOURCES = _sources()


def test_codes_are_unique_and_kebab_case():
    codes = [kind.code for kind in TYPES]
    assert len(codes) == len(set(codes))
    assert all(KEBAB.match(code) for code in codes), [c for c in codes if not KEBAB.match(c)]


def test_every_declaration_is_complete():
    for kind in TYPES + VARIANTS:
        assert kind.severity in ("error", "warning")
        assert kind.title and kind.template and kind.description, kind.code
        assert kind.title[0].isupper() and kind.description.endswith("."), kind.code


def test_every_variant_is_a_wording_of_a_declared_type():
    by_code = {kind.code: kind for kind in TYPES}
    for variant in VARIANTS:
        assert variant.variant, variant.code
        declared = by_code[variant.code]
        assert (variant.severity, variant.title) == (declared.severity, declared.title)
    assert len({(v.code, v.variant) for v in VARIANTS}) == len(VARIANTS)


def test_every_template_formats_with_its_declared_fields():
    for kind in TYPES + VARIANTS:
        assert not set(kind.fields) & set(LOCATION), kind.code
        message = kind.message(**{name: f"<{name}>" for name in kind.fields})
        assert "{" not in message and "}" not in message, kind.code
        for name in kind.fields:
            assert f"<{name}>" in message or f"<{name.capitalize()}>" in message


def test_a_message_refuses_missing_or_extra_fields():
    with pytest.raises(TypeError):
        issue_types.COUNT_TOO_LARGE.message(what="x", value="1")
    with pytest.raises(TypeError):
        issue_types.MISSING_CODE.message(extra="x")


def test_every_declared_type_and_variant_is_used_in_the_pipeline():
    used = {node.id for tree in SOURCES.values() for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used |= {node.attr for tree in SOURCES.values() for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    unused = {name for name, kind in DECLARED.items() if name not in used and kind.code not in RESERVED}
    # A refusal kind is chosen by its code (Refusal.rule), the reader's default being unreadable-file.
    unused -= {"UNREADABLE_FILE"} if "UNREADABLE_FILE" in used else set()
    assert not unused


def _kinds(node: ast.expr, local: dict[str, set[str]]) -> set[str]:
    """The catalogue constants an expression stands for: a name, a local name, or `A if … else B`."""
    if isinstance(node, ast.Name):
        return {node.id} if node.id in DECLARED else local.get(node.id, set())
    if isinstance(node, ast.IfExp):
        return _kinds(node.body, local) | _kinds(node.orelse, local)
    return set()


def _call_sites():
    """(where, constant name, field keywords) of every call that fills a catalogue type's fields."""
    for path, tree in SOURCES.items():
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            local: dict[str, set[str]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    found = _kinds(node.value, {})
                    if found:
                        local[node.targets[0].id] = found
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                fields = {k.arg for k in node.keywords if k.arg is not None} - set(LOCATION)
                if isinstance(node.func, ast.Attribute) and node.func.attr == "at":
                    kinds = _kinds(node.func.value, local)
                else:
                    kinds = set().union(*(_kinds(arg, local) for arg in node.args)) if node.args else set()
                    if not fields:
                        continue  # the type is handed on (to _converted): its fields are filled further on
                for name in kinds:
                    yield f"{path.relative_to(PIPELINE)}:{node.lineno}", name, fields


def test_every_call_site_fills_exactly_the_template_fields():
    sites = list(_call_sites())
    assert len(sites) >= 35  # every issue made in the pipeline but the refusals (made from their code)
    wrong = [(where, name, sorted(fields), sorted(DECLARED[name].fields)) for where, name, fields in sites
             if fields != set(DECLARED[name].fields)]
    assert not wrong


def test_no_issue_is_made_outside_the_catalogue():
    """Pipeline code makes issues through the catalogue, never with a bare code and message."""
    found = []
    for path, tree in SOURCES.items():
        if path.name == "issues.py":
            continue  # where Issue is, with error() and warning() for test fixtures
        if path.name == "entries.py":
            continue  # the workbook cache restores, field by field, issues the catalogue made when read
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "pipeline.issues":
                found += [f"{path.name}: imports {a.name}" for a in node.names if a.name in ("error", "warning")]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Issue":
                found.append(f"{path.name}:{node.lineno}: Issue(…)")
    assert not found


def test_no_declared_code_is_written_as_a_literal_elsewhere():
    codes = {kind.code for kind in TYPES}
    found = [f"{path.relative_to(PIPELINE)}:{node.lineno}: {node.value}" for path, tree in SOURCES.items()
             for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in codes]
    assert not found


def test_a_refusal_says_its_reason_as_its_kind_words_it():
    assert Refusal("a.xlsx", "", "tệp rỗng (0 byte)").message == "Không đọc được tệp: tệp rỗng (0 byte)"
    link = Refusal("b.xlsx", "", "liên kết hỏng", issue_types.BROKEN_LINK.code)
    assert link.message == "Liên kết hỏng"
    issue = link.issue(unit="HB")
    assert (issue.file, issue.unit, issue.rule, issue.severity, issue.message) == (
        "b.xlsx", "HB", "broken-link", "error", "Liên kết hỏng")


def test_a_refusal_of_another_year_keeps_its_code_as_a_warning():
    issue = issue_types.refused_elsewhere("unreadable-file", "2015/HB.xlsx", reason="tệp rỗng", named=2015,
                                          year=2016)
    assert (issue.rule, issue.severity, issue.message) == (
        "unreadable-file", "warning", "Không đọc được tệp: tệp rỗng (tệp của năm 2015, không tính vào năm 2016)")


def test_the_reference_lists_every_code_and_wording():
    page = issue_types.reference(labels.SEVERITY)
    assert page.startswith("# Danh mục lỗi\n")
    for kind in TYPES + VARIANTS:
        assert f"## `{kind.code}`: {kind.title}" in page
        assert f"> {kind.template}\n" in page
    assert page.count("\n## ") == len(TYPES)
