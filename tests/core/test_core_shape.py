"""The core's rooms, as STYLE.md asks: each module says what it is for, none grows past ~400
lines, and the rooms split out of parse and register depend one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.core.steps.cells import cell_text, is_blank

CORE = Path(__file__).resolve().parents[2] / "pipeline" / "core"
MAX_LINES = 400


def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imported(path: Path) -> set[str]:
    return {node.module or "" for node in ast.walk(_module(path)) if isinstance(node, ast.ImportFrom)}


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: str(p.relative_to(CORE)))
def test_every_core_module_has_a_docstring_and_stays_small(path):
    assert ast.get_docstring(_module(path)), f"{path.name}: no module docstring"
    assert len(path.read_text(encoding="utf-8").splitlines()) < MAX_LINES


def test_the_types_and_the_cell_converters_do_not_depend_on_the_parser():
    for name in ("submission.py", "cells.py"):
        assert "pipeline.core.steps.parse" not in _imported(CORE / "steps" / name)


def test_the_register_does_not_know_the_page_and_the_page_reads_only_the_published_register():
    assert not any(m.startswith("pipeline.core.documents") for m in _imported(CORE / "distribution" / "register.py"))
    assert not any(m.startswith("pipeline.core.documents") for m in _imported(CORE / "distribution" / "sent.py"))
    assert "pipeline.core.distribution.sent" not in _imported(CORE / "documents" / "register_view.py")


def test_blank_and_text_of_a_cell():
    assert is_blank(None) and is_blank("  \n") and not is_blank(0) and not is_blank("0")
    assert cell_text(12.0) == "12" and cell_text(12.5) == "12.5" and cell_text(None) == ""
    assert cell_text("  Quận\n Hồng   Bàng ") == "Quận Hồng Bàng"
