"""Shared fixtures: the sample config, and WeasyPrint warnings as failures."""

from __future__ import annotations

import gc
import logging
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as _hypothesis

from tests import factories


@pytest.fixture(scope="session")
def settings():
    return factories.settings()


@pytest.fixture(autouse=True)
def heap_unfrozen():
    """`plan` freezes what it built, for the rest of a command's process; a test process plans many
    times, so each test gives the collector back everything frozen during it."""
    yield
    gc.unfreeze()


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


# Hypothesis profiles: "ci" (the default) is short and derandomised, so `make test`
# gives the same result every run; "fuzz" (HYPOTHESIS_PROFILE=fuzz, `make fuzz`)
# explores thousands of random examples per property.
_hypothesis.register_profile("ci", max_examples=50, deadline=None, derandomize=True)
_hypothesis.register_profile("fuzz", max_examples=3_000, deadline=None, print_blob=True,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_hypothesis.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
