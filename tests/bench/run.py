"""`make bench`: time the real pipeline on the sample city, a synthetic 114-commune
city and the synthetic country (3,321 communes under 34 provinces).

Inputs are generated deterministically (tests.bench.data) into
OUTPUT/bench/data/<scale>/ and reused while the generator and config/ are
unchanged; every ratio is taken against a baseline measured in the same run.
The 1-vs-2 workers comparison runs once, at the largest scale up to 114 (at
the country's scale it would double the longest run). Runs, reruns and
validations are timed as a clerk meets them: `python -m pipeline …` in a
process of its own, import time included (tests.bench.commands). The table is
printed and written to OUTPUT/bench/bench.md, each value beside the previous
commit's (tests.bench.table). Goals (issue 19) are reported, never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import logging
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine
import weasyprint

from pipeline import flow, plan
from pipeline.core.catalogue import NOTICE_PDF
from pipeline.core.documents.notice import notice_contexts
from pipeline.core.jobs import PdfJob
from pipeline.core.steps.validate import validate_year
from pipeline.io.excel import discover
from pipeline.render.html import render_html
from pipeline.render.pdf import STYLESHEET
from pipeline.resources import templates_dir
from pipeline.runner import READ_POOL_THRESHOLD, collector_paused, default_jobs, render_jobs
from pipeline.runner import renderers as make_renderers
from pipeline.settings import load_settings
from tests.bench import commands
from tests.bench.data import ROOT, Dataset, make_city, make_nation, sample_city
from tests.bench.table import (
    NOTICE_FLOOR,
    READ_FLOOR,
    Goal,
    Result,
    at_most,
    cost_floor,
    current_commit,
    markdown,
    previous_runs,
    ratio_at_most,
    save,
    share_at_most,
    speedup_floor,
)

NOTICES = 10
POOL_NOTICES = 100  # as in a real run, the pool's start-up is shared by many notices
REPEATS = 3
FLOOR_ROUNDS = 5  # the accepted floors' rounds (`paired`): their ratios move ±5% from run to run on 3
SCALES = "15,114,3321"
CITY_MAX = 200  # beyond, a country: no city has more communes (Hồ Chí Minh City has 168)
WORKERS_MAX = 114
SAMPLE = 15
# The accepted ratios were measured at 114 communes and nationally; at the sample the pool's start-up and each
# file's fixed costs dominate (issue 5's closing note), so a quick run shows the floors without judging them.
FLOOR_SCALE = 114
# Issue 19's goals for the waits a person feels: on the sample, and at national scale as ratios of one run.
COMMAND_S = 0.8  # sample: `validate`, and `report` with nothing changed
SAME_RATIO, CHANGED_RATIO = 0.2, 0.5  # sample: reruns over the full run
ONE_FILE_S = 0.5  # `validate --file` of one workbook
FULL_OVER_NOTICES = 1.35  # national: the full run over its notices alone through the pool
SAME_SHARE, CHANGED_SHARE = 0.015, 0.035  # national: reruns over the full run
PEAK_MB = 600  # national


@dataclass(frozen=True)
class Notices:
    """The pipeline's pooled notice time and how many notices a full run of the scale makes."""

    per_notice: float  # seconds
    count: int


def _clock(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median(fn, repeats: int) -> float:
    return statistics.median(_clock(fn) for _ in range(repeats))


def paired(baseline, ours, repeats: int) -> tuple[float, float, float]:
    """The medians of `baseline()` and `ours()` (each returns seconds) measured in turn, `repeats` rounds, and
    the median of each round's baseline / ours: a floor's ratio taken in the same minutes, as this shared machine's
    speed drifts (measured apart, the notice floor moved ±8% from run to run with nothing changed)."""
    rounds = [(baseline(), ours()) for _ in range(repeats)]
    return (statistics.median(b for b, _ in rounds), statistics.median(o for _, o in rounds),
            statistics.median(b / o for b, o in rounds))


def prepare(scale: int, root: Path) -> Dataset:
    target = root / "data" / str(scale)
    if scale == 15:
        return sample_city(target)
    return make_city(scale, target) if scale <= CITY_MAX else make_nation(target, scale)


def _options(data: Dataset, input_dir: Path, out: Path, jobs: int | None = None) -> plan.Options:
    return plan.Options(data.year, input_dir, data.config, out, jobs=jobs)


def read_validate(data: Dataset, repeats: int, judge: bool) -> list[Result]:
    """The pipeline's read stage (screen, calamine, parse, checks: in workers past
    READ_POOL_THRESHOLD workbooks) against bare calamine reading every sheet, in one process.
    `judge`: show the stage's ratio against the accepted READ_FLOOR (at the run's largest scale)."""
    settings = load_settings(data.config)
    paths = discover(data.input)

    def stage(workers: int) -> float:
        # As a run does it (pipeline.plan.plan): the collector paused while the submissions arrive, then what
        # was made frozen. Outside that pause the parent's young collections walked every unpickled submission
        # twice after the pool (~0.13 s nationally), a cost no run pays. Timed without the clearing up after,
        # which a run leaves to its end, and done before the next measurement (the baseline's) starts.
        start = time.perf_counter()
        with collector_paused():
            inputs = plan.read_inputs(data.input, workers, settings)
            validate_year(data.year, inputs.by_year.get(data.year, []), inputs.refusals, settings)
            gc.freeze()
        seconds = time.perf_counter() - start
        del inputs
        gc.unfreeze()
        gc.collect()
        return seconds

    def bare() -> None:
        for p in paths:
            with calamine.CalamineWorkbook.from_path(str(p)) as book:
                for name in book.sheet_names:
                    book.get_sheet_by_name(name).to_python()

    bare(), stage(1)  # warm the file cache and imports
    label, scale = "đọc + kiểm tra / biểu mẫu", str(data.scale)
    pooled = len(paths) >= READ_POOL_THRESHOLD and default_jobs() >= 2
    base, ours, speed = paired(lambda: _clock(bare) / len(paths),
                               lambda: stage(default_jobs() if pooled else 1) / len(paths), max(repeats, FLOOR_ROUNDS))
    if not pooled:  # the pipeline reads in one process
        return [Result(f"{label}, 1 tiến trình", scale, ours * 1e3, "ms", base * 1e3, 1 / speed,
                       _floor(cost_floor(1 / speed, READ_FLOOR), data.scale, judge))]
    one = statistics.median(stage(1) for _ in range(repeats)) / len(paths)
    return [Result(f"{label}, 1 tiến trình", scale, one * 1e3, "ms", base * 1e3, one / base),
            Result(f"{label}, quy trình ({default_jobs()} tiến trình)", scale, ours * 1e3, "ms", base * 1e3,
                   1 / speed, _floor(cost_floor(1 / speed, READ_FLOOR), data.scale, judge))]


def _floor(goal: Goal, scale: int, shown: bool) -> tuple[Goal, ...]:
    """An accepted ratio's floor, on the rows of the run's largest scale; judged from FLOOR_SCALE units."""
    if not shown:
        return ()
    return (goal if scale >= FLOOR_SCALE else Goal(f"{goal.text}, chỉ xét từ {FLOOR_SCALE} đơn vị", None),)


def notice_render(data: Dataset, root: Path, judge: bool) -> tuple[list[Result], Notices]:
    """PDF notices: naive WeasyPrint (one default call per document, stylesheet parsed each
    time) against our renderer in one process, and against the pipeline's worker pool (its
    start-up shared by POOL_NOTICES notices); for context also naive WeasyPrint on the
    stylesheet without its fixed table layout. `judge`: show the pool's ratio against NOTICE_FLOOR."""
    options = _options(data, data.input, root / "work" / "scratch")
    settings, inputs, validation = plan.check(options)
    totals = plan.summarise(settings, inputs, validation)
    every = list(notice_contexts(totals, settings).values())
    contexts = every[:POOL_NOTICES]
    jobs = [PdfJob(NOTICE_PDF, NOTICE_PDF.path(code=i), c) for i, c in enumerate(contexts)]
    renderers = make_renderers(templates_dir(), settings.general.style.font_family, False)
    base_url = templates_dir().resolve().as_uri() + "/"
    stylesheet = str(templates_dir() / STYLESHEET)
    pages = [render_html(renderers.env, job.template, job.context) for job in jobs[:NOTICES]]

    # The planning ladder counted `table-layout: fixed` among the savings (481 → 316 ms):
    # the same stylesheet without it shows what a straightforward template costs.
    plain_css = (templates_dir() / STYLESHEET).read_text(encoding="utf-8").replace("table-layout: fixed;", "")

    def naive_one(html: str) -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(stylesheets=[stylesheet])

    def naive_plain(html: str) -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[weasyprint.CSS(string=plain_css, base_url=base_url)])

    renderers.render(jobs[0])  # warm: fonts, styles
    naive_one(pages[0])
    ours = statistics.median(_clock(lambda job=job: renderers.render(job)) for job in jobs[:NOTICES])
    plain = statistics.median(_clock(lambda html=html: naive_plain(html)) for html in pages)
    naive, pooled, speed = paired(
        lambda: statistics.median(_clock(lambda html=html: naive_one(html)) for html in pages),
        lambda: _clock(lambda: list(render_jobs(jobs, renderers, default_jobs()))) / len(jobs), FLOOR_ROUNDS)
    scale, pool = str(data.scale), f"quy trình ({default_jobs()} tiến trình)"
    return [
        Result("văn bản / thông báo, 1 tiến trình", scale, ours * 1e3, "ms", naive * 1e3, naive / ours),
        Result(f"văn bản / thông báo, {pool}", scale, pooled * 1e3, "ms", naive * 1e3, speed,
               _floor(speedup_floor(speed, NOTICE_FLOOR), data.scale, judge)),
        Result(f"văn bản / thông báo, {pool}, so với mẫu bảng tự dàn", scale, pooled * 1e3, "ms", plain * 1e3,
               plain / pooled),
    ], Notices(pooled, len(every))


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def workers(data: Dataset, root: Path) -> Result:
    times = {}
    for jobs in (1, 2):
        out = _fresh(root / "work" / str(data.scale) / f"jobs-{jobs}")
        times[jobs] = _clock(lambda out=out, jobs=jobs: flow.report(_options(data, data.input, out, jobs)))
    return Result("2 tiến trình so với 1", str(data.scale), times[2], "s", times[1], times[1] / times[2])


def workers_scale(scales: list[int]) -> int | None:
    """The one scale at which 1 and 2 workers are compared: the largest up to WORKERS_MAX."""
    return max((s for s in scales if s <= WORKERS_MAX), default=None)


def run(output: Path, scales: list[int], repeats: int = REPEATS) -> list[Result]:
    root = output / "bench"
    results: list[Result] = []
    compare_at, largest = workers_scale(scales), max(scales)
    for scale in scales:
        print(f"Quy mô {scale} đơn vị: tạo dữ liệu…", flush=True)
        data = prepare(scale, root)
        print(f"Quy mô {scale}: đọc và kiểm tra biểu mẫu…", flush=True)
        results.extend(read_validate(data, repeats, scale == largest))
        print(f"Quy mô {scale}: lập thông báo (so với WeasyPrint đơn giản)…", flush=True)
        notice_results, notices = notice_render(data, root, scale == largest)
        results.extend(notice_results)
        if scale == compare_at:
            print(f"Quy mô {scale}: 1 và 2 tiến trình…", flush=True)
            results.append(workers(data, root))
        print(f"Quy mô {scale}: chạy đầy đủ, chạy lại và kiểm tra bằng lệnh riêng ({default_jobs()} tiến trình)…",
              flush=True)
        results.extend(commands_at(data, root, notices, repeats))
    return results


def commands_at(data: Dataset, root: Path, notices: Notices, repeats: int) -> list[Result]:
    """The commands' timings at one scale, with the goals issue 19 sets at that scale."""
    times = commands.measure(data, root / "work" / str(data.scale) / "commands", repeats)
    scale, national, sample = str(data.scale), data.scale > CITY_MAX, data.scale == SAMPLE
    alone = notices.per_notice * notices.count
    full_goals = (ratio_at_most(times.full / alone, FULL_OVER_NOTICES),) if national else ()
    same, changed = times.same / times.full, times.changed / times.full
    same_goals = ((at_most(times.same, COMMAND_S, "s"), ratio_at_most(same, SAME_RATIO)) if sample
                  else (share_at_most(same, SAME_SHARE),) if national else ())
    changed_goals = ((ratio_at_most(changed, CHANGED_RATIO),) if sample
                     else (share_at_most(changed, CHANGED_SHARE),) if national else ())
    validate_goals = (at_most(times.validate, COMMAND_S, "s"),) if sample else ()
    one_goal = (Goal(f"≤ {ONE_FILE_S:g} s", None) if times.one_file is None
                else at_most(times.one_file, ONE_FILE_S, "s"))
    return [
        Result("make report, lần đầu (so với riêng thông báo qua quy trình)", scale, times.full, "s", alone, times.full / alone,
               full_goals),
        Result("make report, chạy lại, không đổi gì", scale, times.same, "s", times.full, same, same_goals),
        Result("make report, chạy lại, đổi 1 biểu mẫu", scale, times.changed, "s", times.full, changed, changed_goals),
        Result("make validate", scale, times.validate, "s", goals=validate_goals),
        Result("make validate, 1 biểu mẫu (--file)", scale, times.one_file, "s", goals=(one_goal,),
               note=times.one_file_note),
        Result("bộ nhớ đỉnh (make report)", scale, times.peak_mb, "MB",
               goals=(at_most(times.peak_mb, PEAK_MB, "MB"),) if national else ()),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Đo tốc độ của quy trình lập báo cáo.")
    parser.add_argument("--output", type=Path, default=Path("output"), help="thư mục kết quả (OUTPUT)")
    parser.add_argument("--scales", default=SCALES,
                        help=f"số đơn vị, cách nhau bằng dấu phẩy (mặc định {SCALES}): 15 là bộ mẫu, "
                             f"đến {CITY_MAX} là một thành phố, lớn hơn là cả nước (34 tỉnh, thành phố)")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="số lần lặp cho phép đo nhanh")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    # The commands are timed as an office runs them: with the package's bytecode written (the Makefile's
    # install does it; a shell with PYTHONDONTWRITEBYTECODE would otherwise compile it in every command).
    compileall.compile_dir(ROOT / "pipeline", quiet=1)
    results = run(args.output, scales, args.repeats)
    folder = args.output / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    commit = current_commit(ROOT)
    table = markdown(results, commit, previous_runs(folder, commit))
    (folder / "bench.md").write_text(table, encoding="utf-8")
    save(folder, commit, results)
    print()
    print(table, end="")
    print(f"\nĐã ghi {folder / 'bench.md'} và {folder / 'bench.json'} (lịch sử: {folder / 'history'})")


if __name__ == "__main__":
    main()
