"""Shared fixtures: the sample config, and WeasyPrint warnings as failures."""

from __future__ import annotations

import logging

import pytest

from tests import factories


@pytest.fixture(scope="session")
def settings():
    return factories.settings()


@pytest.fixture(autouse=True)
def weasyprint_warnings_fail(caplog):
    """Any WeasyPrint warning in any test is a failure: it means a missing glyph or a fallback."""
    caplog.set_level(logging.WARNING)
    yield
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("weasyprint", "pipeline.render")) and r.levelno >= logging.WARNING
    ]
    assert not warnings, f"WeasyPrint warned: {warnings}"
