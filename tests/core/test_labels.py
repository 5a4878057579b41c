"""Status and severity words are declared once (core.labels); no other module keeps its own table of them."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.core import labels
from pipeline.core.steps.validate import Status
from pipeline.issues import Severity

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
KEY_SETS = ({"valid", "invalid", "missing"}, {"error", "warning"})


def test_every_status_and_severity_has_its_words():
    assert set(labels.STATUS) == set(Status.__args__)
    assert set(labels.SEVERITY) == set(Severity.__args__)
    assert list(labels.STATUS) == ["valid", "invalid", "missing"]  # the order counts are shown in


def test_no_other_module_words_a_status_or_severity():
    found = []
    for path in sorted(PIPELINE.rglob("*.py")):
        if path.name == "labels.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict) or not all(isinstance(k, ast.Constant) for k in node.keys):
                continue
            keys = {k.value for k in node.keys}
            words = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if any(keys >= wanted for wanted in KEY_SETS) and any(not w.isascii() for w in words):
                found.append(f"{path.relative_to(PIPELINE)}:{node.lineno}")
    assert not found
