"""A notice is keyed on what it is made from (its `NoticeInput` and the settings' digest), and its context is
built only when it is made again: a rerun with nothing changed builds none, and no change a notice shows
can leave its key as it was."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import NoticeInput, notice_context, notice_contexts, notice_input, notice_material
from pipeline.core.jobs import Deferred, DocxJob, PdfJob, built, context_of, key_material
from pipeline.core.steps.history import Point
from pipeline.render.renderers import Renderers
from pipeline.settings import load_settings
from tests.factories import CONFIG, SAMPLE_INPUT


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    options = planning.Options(2016, SAMPLE_INPUT, CONFIG, tmp_path_factory.mktemp("out"))
    settings, inputs, validation = planning.check(options, documents=True)
    return settings, validation, planning.summarise(settings, inputs, validation)


def notice_jobs(settings, validation, totals) -> list[PdfJob | DocxJob]:
    return [job for job in planning.report_jobs(settings, validation, totals)
            if isinstance(job, PdfJob | DocxJob) and job.unit]


def test_each_notice_builds_from_its_input_what_the_totals_give_once_for_its_pdf_and_docx(year):
    settings, validation, totals = year
    jobs = notice_jobs(settings, validation, totals)
    expected = notice_contexts(totals, settings)
    assert len(jobs) == 2 * len(expected) == 2 * len(totals.units)
    for pdf, docx in zip(jobs[::2], jobs[1::2], strict=True):
        assert isinstance(pdf.context, Deferred) and pdf.context is docx.context
        assert context_of(pdf) == expected[pdf.unit] and context_of(docx) is context_of(pdf)
        assert built(pdf).context is context_of(pdf) and built(docx).context is context_of(pdf)


def test_a_deferred_context_never_crosses_into_a_worker_unbuilt(year):
    settings, validation, totals = year
    job = notice_jobs(settings, validation, totals)[0]
    with pytest.raises(TypeError, match="built"):
        pickle.dumps(job)
    assert pickle.loads(pickle.dumps(built(job))) == built(job)


def _figure(given: NoticeInput) -> NoticeInput:
    results = dict(given.result.results)
    code = next(iter(given.result.ranks))
    results[code] = dataclasses.replace(results[code], actual=(results[code].actual or 0) + 1)
    return dataclasses.replace(given, result=dataclasses.replace(given.result, results=results))


def _rank(given: NoticeInput) -> NoticeInput:
    ranks = {code: rank + 1 for code, rank in given.result.ranks.items()}
    return dataclasses.replace(given, result=dataclasses.replace(given.result, ranks=ranks))


def _trend(given: NoticeInput) -> NoticeInput:
    code, points = next(iter(given.trend.items()))
    first = dataclasses.replace(points[0], actual=(points[0].actual or 0) + 7, percent=Decimal("999"))
    return dataclasses.replace(given, trend={**given.trend, code: (first, *points[1:])})


CHANGES = {
    "a figure": _figure,
    "a rank": _rank,
    "the count the ranks are out of": lambda g: dataclasses.replace(g, counted=g.counted + 1),
    "last years' figures": _trend,
    "the document number": lambda g: dataclasses.replace(g, number="99"),
    "the status": lambda g: dataclasses.replace(g, result=dataclasses.replace(g.result, status="invalid")),
    "the unit's name": lambda g: dataclasses.replace(g, result=dataclasses.replace(
        g.result, unit=g.result.unit.model_copy(update={"name": "Tên khác"}))),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_part_of_a_notices_input_is_in_its_key_and_shows_in_the_notice(year, change):
    settings, _, totals = year
    unit = next(u for u in totals.units if u.status == "valid" and u.ranks)
    given = notice_input(unit, totals, settings)
    assert len(given.trend) > 0 and all(isinstance(p, Point) for ps in given.trend.values() for p in ps)
    changed = CHANGES[change](given)
    digest = settings.digest()
    assert notice_material(changed, digest) != notice_material(given, digest)
    assert notice_context(changed, settings) != notice_context(given, settings)


SETTINGS_CHANGES = {
    "the signer": lambda s: s.model_copy(update={"documents": {
        y: d.model_copy(update={"signer": d.signer.model_copy(update={"name": "Người Khác"})})
        for y, d in s.documents.items()}}),
    "a unit": lambda s: s.model_copy(update={"units": (s.units[0].model_copy(update={"name": "Tên khác"}),
                                                       *s.units[1:])}),
    "next year's targets": lambda s: s.model_copy(update={"targets": {
        y: {c: {k: v + 1 for k, v in f.items()} for c, f in t.items()} for y, t in s.targets.items()}}),
    "the organisation": lambda s: s.model_copy(update={"general": s.general.model_copy(update={
        "organisation": s.general.organisation.model_copy(update={"resolution": "Nghị quyết khác"})})}),
}


@pytest.mark.parametrize("change", SETTINGS_CHANGES)
def test_any_change_to_the_settings_changes_every_notices_key(year, change):
    settings, validation, totals = year
    changed = SETTINGS_CHANGES[change](settings)
    assert changed.digest() != settings.digest()
    before = {job.name: key_material(job) for job in notice_jobs(settings, validation, totals)}
    after = {job.name: key_material(job) for job in notice_jobs(changed, validation, totals)}
    assert before.keys() == after.keys() and all(before[name] != after[name] for name in before)


def test_setting_up_signing_mail_rules_or_accepted_warnings_leaves_every_notice_current(year):
    """make report, then signing.yaml or distribution.yaml added: make sign and make distribute find every notice
    current. A notice is built from `Settings.shown()`, which has none of these, so it cannot show them."""
    settings, validation, totals = year
    before = {job.name: key_material(job) for job in notice_jobs(settings, validation, totals)}
    for field, value in {"signing": object(), "distribution": object(), "rules": (object(),),
                         "explanations": (object(),)}.items():
        changed = settings.model_copy(update={field: value})
        assert getattr(changed.shown(), field) in (None, ())
        assert {job.name: key_material(job) for job in notice_jobs(changed, validation, totals)} == before


def test_the_settings_digest_is_the_same_for_the_same_config_and_not_kept_by_a_copy(year):
    settings, _, _ = year
    again = load_settings(CONFIG)
    assert again.digest() == settings.digest()
    renamed = settings.model_copy(update={"units": (settings.units[0].model_copy(update={"name": "X"}),
                                                    *settings.units[1:])})
    assert settings.digest() != renamed.digest() == renamed.digest()


def _options(output: Path, config: Path = CONFIG) -> flow.Options:
    return flow.Options(2016, SAMPLE_INPUT, config, output, jobs=1)


def test_a_rerun_with_nothing_changed_builds_no_notice_and_a_signers_change_remakes_every_notice(
        tmp_path, monkeypatch):
    output = tmp_path / "out"
    flow.report(_options(output))
    built_for: list[str] = []
    real = planning.notice_context
    monkeypatch.setattr(planning, "notice_context",
                        lambda given, settings: built_for.append(given.result.unit.code) or real(given, settings))
    flow.report(_options(output))
    assert built_for == [], "an unchanged rerun builds no notice context"

    config = shutil.copytree(CONFIG, tmp_path / "config")
    year_file = config / "years" / "2016.yaml"
    year_file.write_text(year_file.read_text(encoding="utf-8").replace("Nguyễn Thị Nghĩa", "Trần Văn Khác"),
                         encoding="utf-8")
    rendered: list[str] = []
    render = Renderers.render
    monkeypatch.setattr(Renderers, "render", lambda self, job: rendered.append(job.name) or render(self, job))
    again = flow.report(_options(output, config))
    notices = sorted(p.relative_to(again.folder).as_posix() for p in (again.folder / "thong-bao").iterdir())
    assert notices and set(notices) <= set(rendered)
    assert sorted(built_for) == sorted({n.split("/")[1].split(".")[0] for n in notices}), "each built once"


def test_a_font_changed_in_the_settings_makes_every_document_again_charts_included(tmp_path):
    """The font is in no chart's data: with it outside the render keys, bieu-do.svg stayed in the old font and the
    report's PDF, drawing that kept chart, failed as if the new font were not installed."""
    config = shutil.copytree(CONFIG, tmp_path / "config")
    output = tmp_path / "out"
    flow.report(_options(output, config))
    general = config / "settings.yaml"
    text = general.read_text(encoding="utf-8")
    assert "font_family: Liberation Serif" in text
    general.write_text(text.replace("font_family: Liberation Serif", "font_family: Liberation Sans"), encoding="utf-8")
    again = flow.report(_options(output, config))
    for chart in ("bieu-do.svg", "bieu-do-cac-nam.svg"):
        svg = (again.folder / chart).read_text(encoding="utf-8")
        assert "Liberation Sans" in svg and "Liberation Serif" not in svg
