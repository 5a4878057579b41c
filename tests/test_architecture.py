"""The shape of the code, checked: output paths are spelled only in the catalogue, and no
private name crosses a module boundary."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipeline.core.catalogue import CATALOGUE

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
CATALOGUE_MODULE = PACKAGE / "core" / "catalogue.py"


def _shape(pattern: str) -> str:
    """A published file's name as a regex: "bao-cao-{year}.pdf" → bao-cao-<anything>.pdf."""
    parts = re.split(r"\{\w+\}", pattern)
    return r"[^\s/]*".join(re.escape(part) for part in parts)


# What an output path looks like: a family's folder ("thong-bao/"), or a name of its shape.
FOLDERS = sorted({o.pattern.split("/")[0] + "/" for o in CATALOGUE if "/" in o.pattern})
SHAPES = sorted({_shape(o.pattern) for o in CATALOGUE if "/" not in o.pattern}
                | {re.escape(o.pattern.rsplit("/", 1)[1]) for o in CATALOGUE if "/" in o.pattern and "{" not in o.pattern})
# A folder named on its own ("thong-bao" as a dict key); "data" and "gui" are words of their own too.
FOLDER_NAMES = {f.rstrip("/") for f in FOLDERS} - {"data", "gui"}
PATH_LIKE = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, FOLDERS)) + "|(?:" + "|".join(SHAPES) + r")(?![\w.]))")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose may name files)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def output_path_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                and (PATH_LIKE.search(node.value) or node.value in FOLDER_NAMES)):
            hits.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    return hits


def test_the_pattern_finds_a_path_literal():
    assert PATH_LIKE.search("thong-bao/HB.pdf") and PATH_LIKE.search("data/kiem-tra.json")
    assert PATH_LIKE.search("gui/") and PATH_LIKE.search("index.html") and PATH_LIKE.search("SHA256SUMS")
    assert PATH_LIKE.search("xem bao-cao-2016.pdf") and PATH_LIKE.search("tong-hop-2016.xlsx")
    assert not PATH_LIKE.search("Thông báo") and not PATH_LIKE.search("thong-bao-ve")
    assert not PATH_LIKE.search("index.html.j2") and not PATH_LIKE.search("bao-cao-nq28")
    assert {"thong-bao", "phieu-kiem-tra", "phan-hoi", "don-doc", "bieu-mau", "luu-tru", "ky-so"} == FOLDER_NAMES


def test_no_output_path_literal_outside_the_catalogue():
    hits = [hit for path in _modules() if path != CATALOGUE_MODULE for hit in output_path_literals(path)]
    assert hits == [], "output paths belong in pipeline/core/catalogue.py:\n" + "\n".join(hits)


def test_no_private_name_is_imported_across_modules():
    hits = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                hits += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.module}.{a.name}"
                         for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert hits == [], "\n".join(hits)
