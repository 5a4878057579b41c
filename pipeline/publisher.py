"""Staging and swapping a year folder: what a run renders goes in whole, or not at all.

`publish` opens a staging folder for one command (which part of the year
folder it owns: `pipeline.core.catalogue.keeps`), lets the run add its files
(rendered through the runner, reused through the render cache), then writes
the render keys and the status page, which list the whole folder, and swaps
it in (`pipeline.io.publish.Staging`). On any failure nothing is replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import Made, RenderCache
from pipeline.core.catalogue import REGISTER_DATA, RENDER_KEYS, SIGNED_DATA, SITE_PAGE, Command
from pipeline.core.documents.register_view import published_view
from pipeline.core.documents.site import SiteContext, site_context
from pipeline.core.jobs import Job
from pipeline.core.signed import parse_signed, signature_notes
from pipeline.core.steps.aggregate import Totals
from pipeline.core.steps.validate import Validation
from pipeline.io.publish import Staging, keep_for
from pipeline.render.renderers import Renderers
from pipeline.runner import Progress, make_all, render_jobs
from pipeline.settings import Settings

log = logging.getLogger("pipeline")
Work = Callable[[Staging, RenderCache], list[str]]  # adds a run's files; returns their names in order
Page = Callable[[tuple[str, ...], Staging, RenderCache], bytes]  # the status page, given every file of the folder


@dataclass(frozen=True)
class Target:
    """Where and how a run publishes."""

    output_root: Path
    year: int
    command: Command
    templates: Path
    font_family: str  # the documents' font (settings.yaml style.font_family): part of every render key
    workers: int
    progress: Progress | None = None


def publish(target: Target, work: Work, page: Page | None = None) -> tuple[Path, tuple[str, ...]]:
    """Stage what `work` adds, then swap it in; on any failure leave no trace.

    `page(names, staging)` renders the status page once every file of the folder is known.
    """
    staging = Staging(target.output_root, target.year, keep_for(target.command))
    try:
        cache = RenderCache(staging, target.templates, target.font_family)
        documents = work(staging, cache)
        keys, site = RENDER_KEYS.path(), SITE_PAGE.path()

        def finish(names: tuple[str, ...]) -> dict[str, bytes]:
            extra = {site: page((*names, keys), staging, cache)} if page else {}
            return {keys: cache.manifest((*names, keys)), **extra}  # the page's own key is in the manifest

        folder = staging.commit(finish)
    except BaseException:
        staging.abandon()
        raise
    return folder, tuple(documents) + ((SITE_PAGE.path(),) if page else ())


def render_into(target: Target, renderers: Renderers, jobs: list[Job] | tuple[Job, ...], out: Staging,
                cache: RenderCache, label: str) -> list[str]:
    """Render what changed among `jobs` into the staging folder, reuse the rest; the names of all."""
    fresh, reused = cache.split(list(jobs))
    rendered = {job.name for job in fresh}
    renderers.remember((job for job in jobs if job.name not in rendered), out.staged)
    if reused:
        log.info("%s: dùng lại %d văn bản không đổi, lập mới %d", label, reused, len(fresh))
    for name, data in render_jobs(fresh, renderers, target.workers, target.progress, label):
        out.add(name, data)
    return [job.name for job in jobs]


def add_data(out: Staging, data: dict[str, object]) -> list[str]:
    """Write machine-readable outputs (JSON) into the staging folder."""
    for name, value in data.items():
        out.add_json(name, value)
    return list(data)


def add_made(target: Target, cache: RenderCache, files: Sequence[Made], label: str) -> list[str]:
    """Stage files made outside the render jobs (the marked workbooks), reusing those whose input is unchanged
    and making the others in the target's worker processes."""
    todo = cache.unmade(files)
    for file, data in zip(todo, make_all(todo, target.workers, target.progress, label), strict=True):
        cache.staging.add(file.name, data)
    return [file.name for file in files]


def status_page(renderers: Renderers, settings: Settings, validation: Validation, totals: Totals | None,
                vanished: tuple[str, ...] = ()) -> Page:
    """The status page of the folder being published, with the register as `distribute` last left it."""

    def page(names: tuple[str, ...], staging: Staging, cache: RenderCache) -> bytes:
        view = published_view(staging.staged(REGISTER_DATA.path()), staging.files)
        try:
            notes = signature_notes(parse_signed(staging.staged(SIGNED_DATA.path())), staging.files)
        except ValueError:
            notes = {}  # damaged: the page lists the copies without who signed; make sign writes it anew
        context = site_context(validation, totals, names, settings, view, vanished, notes)
        # Reused like a document when its context is unchanged: compiling its template alone costs a rerun ~0.1 s.
        return cache.document(SITE_PAGE.path(), repr(context), lambda: _render_site(renderers, context))

    return page


def _render_site(renderers: Renderers, context: SiteContext) -> bytes:
    from pipeline.render.site import render_site  # Jinja: only when the page is made anew

    return render_site(renderers.env, context)
