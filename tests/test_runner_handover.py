"""Forked render workers take their jobs from the memory they inherit, by index (pipeline.runner.render_jobs):
nothing is pickled on the way in, and the documents are the same bytes, in job order, as rendered in one
process or by spawned workers that are sent the jobs themselves."""

from __future__ import annotations

import pickle

import pytest

from pipeline import runner
from pipeline.core.jobs import built
from pipeline.resources import templates_dir
from tests.render.test_trend_chart import FONT, report_jobs, sample  # noqa: F401  (the sample's totals)


@pytest.fixture(scope="module")
def jobs(sample):
    return report_jobs(sample)[0]


def alone(jobs):
    render = runner.renderers(templates_dir(), FONT, strict_warnings=True)
    return [(job.name, render.render(job)) for job in jobs]


def test_forked_workers_are_handed_indices_and_give_the_same_documents(jobs, monkeypatch):
    sent = []
    real = runner._Pool.ordered
    monkeypatch.setattr(runner._Pool, "ordered", lambda pool, fn, items, chunk=1: sent.append((fn, items))
                        or real(pool, fn, items, chunk))
    pooled = list(runner.render_jobs(jobs, runner.renderers(templates_dir(), FONT, True), workers=2))
    assert sent == [(runner._work_at, list(range(len(jobs))))]
    assert all(len(pickle.dumps(item)) < 20 for item in sent[0][1])
    assert pooled == alone(jobs) and runner._JOBS == []


def test_without_fork_the_jobs_themselves_are_sent(jobs, monkeypatch):
    monkeypatch.setattr(runner, "_forks", lambda: False)
    sent = []
    real = runner._Pool.ordered
    monkeypatch.setattr(runner._Pool, "ordered", lambda pool, fn, items, chunk=1: sent.append((fn, items))
                        or real(pool, fn, items, chunk))
    pooled = list(runner.render_jobs(jobs, runner.renderers(templates_dir(), FONT, True), workers=2))
    assert sent == [(runner._work, [built(job) for job in jobs])]
    assert pooled == alone(jobs)
