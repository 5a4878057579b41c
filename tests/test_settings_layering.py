"""Layering: settings sits below the core, and the small shared modules below settings."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _pipeline_modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(m for m in sys.modules if m.startswith('pipeline')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_settings_imports_nothing_from_core():
    loaded = _pipeline_modules_after_import("pipeline.settings")
    assert not {m for m in loaded if m.startswith("pipeline.core")}, loaded


@pytest.mark.parametrize("module", ["pipeline.expressions", "pipeline.textnorm"])
def test_shared_modules_import_neither_settings_nor_core(module):
    loaded = _pipeline_modules_after_import(module) - {"pipeline", module}
    assert not loaded, loaded
