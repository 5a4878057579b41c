"""`make bench`: time the real pipeline on the sample city, a synthetic 114-commune
city and the synthetic country (3,321 communes under 34 provinces).

Inputs are generated deterministically (tests.bench.data) into
OUTPUT/bench/data/<scale>/ and reused while the generator and config/ are
unchanged; every ratio is taken against a baseline measured in the same run.
The 1-vs-2 workers comparison runs once, at the largest scale up to 114 (at
the country's scale it would double the longest run). The table is printed
and written to OUTPUT/bench/bench.md and bench.json. Goals (issue 5) are
reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import statistics
import time
from dataclasses import asdict, dataclass
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
from pipeline.runner import READ_POOL_THRESHOLD, default_jobs, render_jobs
from pipeline.runner import renderers as make_renderers
from pipeline.settings import load_settings
from tests.bench.data import Dataset, bump_figure, make_city, make_nation, sample_city

COLUMNS = ("measure", "scale", "value", "baseline", "ratio", "goal")
NOTICES = 10
POOL_NOTICES = 100  # as in a real run, the pool's start-up is shared by many notices
REPEATS = 3
SCALES = "15,114,3321"
CITY_MAX = 200  # beyond, a country: no city has more communes (Hồ Chí Minh City has 168)
WORKERS_MAX = 114


@dataclass(frozen=True)
class Result:
    measure: str
    scale: str
    value: float
    unit: str  # "s", "ms" or "MB"
    baseline: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None


def _clock(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _median(fn, repeats: int) -> float:
    return statistics.median(_clock(fn) for _ in range(repeats))


def prepare(scale: int, root: Path) -> Dataset:
    target = root / "data" / str(scale)
    if scale == 15:
        return sample_city(target)
    return make_city(scale, target) if scale <= CITY_MAX else make_nation(target, scale)


def _options(data: Dataset, input_dir: Path, out: Path, jobs: int | None = None) -> plan.Options:
    return plan.Options(data.year, input_dir, data.config, out, jobs=jobs)


def read_validate(data: Dataset, repeats: int) -> list[Result]:
    """The pipeline's read stage (screen, calamine, parse, checks: in workers past
    READ_POOL_THRESHOLD workbooks) against bare calamine reading every sheet, in one process."""
    settings = load_settings(data.config)
    paths = discover(data.input)

    def stage(workers: int) -> None:
        inputs = plan.read_inputs(data.input, workers, settings)
        validate_year(data.year, inputs.by_year.get(data.year, []), inputs.refusals, settings)

    def bare() -> None:
        for p in paths:
            with calamine.CalamineWorkbook.from_path(str(p)) as book:
                for name in book.sheet_names:
                    book.get_sheet_by_name(name).to_python()

    bare(), stage(1)  # warm the file cache and imports
    base = _median(bare, repeats) / len(paths)
    one = _median(lambda: stage(1), repeats) / len(paths)
    label, scale = "đọc + kiểm tra / biểu mẫu", str(data.scale)
    if len(paths) < READ_POOL_THRESHOLD or default_jobs() < 2:  # the pipeline reads in one process
        return [Result(f"{label}, 1 tiến trình", scale, one * 1e3, "ms", base * 1e3, one / base, "≤ 1.5×",
                       one / base <= 1.5)]
    ours = _median(lambda: stage(default_jobs()), repeats) / len(paths)
    return [Result(f"{label}, 1 tiến trình", scale, one * 1e3, "ms", base * 1e3, one / base),
            Result(f"{label}, quy trình ({default_jobs()} tiến trình)", scale, ours * 1e3, "ms", base * 1e3,
                   ours / base, "≤ 1.5×", ours / base <= 1.5)]


def notice_render(data: Dataset, root: Path) -> list[Result]:
    """PDF notices: naive WeasyPrint (one default call per document, stylesheet parsed each
    time) against our renderer in one process, and against the pipeline's worker pool (its
    start-up shared by POOL_NOTICES notices); for context also naive WeasyPrint on the
    stylesheet without its fixed table layout."""
    options = _options(data, data.input, root / "work" / "scratch")
    settings, inputs, validation = plan.check(options)
    totals = plan.summarise(settings, inputs, validation)
    contexts = list(notice_contexts(totals, settings).values())[:POOL_NOTICES]
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
    naive = statistics.median(_clock(lambda html=html: naive_one(html)) for html in pages)
    plain = statistics.median(_clock(lambda html=html: naive_plain(html)) for html in pages)
    pooled = _median(lambda: list(render_jobs(jobs, renderers, default_jobs())), REPEATS) / len(jobs)
    scale, pool = str(data.scale), f"quy trình ({default_jobs()} tiến trình)"
    return [
        Result("văn bản / thông báo, 1 tiến trình", scale, ours * 1e3, "ms", naive * 1e3, naive / ours),
        Result(f"văn bản / thông báo, {pool}", scale, pooled * 1e3, "ms", naive * 1e3, naive / pooled, "≥ 2.5×",
               naive / pooled >= 2.5),
        Result(f"văn bản / thông báo, {pool}, so với mẫu bảng tự dàn", scale, pooled * 1e3, "ms", plain * 1e3,
               plain / pooled),
    ]


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
    ratio = times[1] / times[2]
    return Result("2 tiến trình so với 1", str(data.scale), times[2], "s", times[1], ratio, "≥ 1.8×", ratio >= 1.8)


def reruns(data: Dataset, root: Path) -> list[Result]:
    work = root / "work" / str(data.scale)
    input_dir = work / "input"
    if input_dir.exists():
        shutil.rmtree(input_dir)
    shutil.copytree(data.input, input_dir)
    out = _fresh(work / "runs")
    options = _options(data, input_dir, out)
    full = _clock(lambda: flow.report(options))
    same = _clock(lambda: flow.report(options))
    bump_figure(discover(input_dir)[0])
    changed = _clock(lambda: flow.report(options))
    goals = _rerun_goals(data.scale)
    names = ("chạy đầy đủ", "chạy lại, không đổi gì", "chạy lại, đổi 1 biểu mẫu")
    return [Result(name, str(data.scale), t, "s", goal=goal, met=(t < limit) if limit else None)
            for name, t, (goal, limit) in zip(names, (full, same, changed), goals, strict=False)]


def _rerun_goals(scale: int) -> tuple[tuple[str, float | None], ...]:
    """Goals of the full run, the rerun with nothing changed and with one workbook changed."""
    if scale > CITY_MAX:
        return (("< 10 min", 600), ("", None), ("", None))
    if scale >= 100:
        return (("< 60 s", 60), ("< 3 s", 3), ("< 8 s", 8))
    return (("", None),) * 3


def workers_scale(scales: list[int]) -> int | None:
    """The one scale at which 1 and 2 workers are compared: the largest up to WORKERS_MAX."""
    return max((s for s in scales if s <= WORKERS_MAX), default=None)


def peak_memory() -> Result:
    kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    mb = kb / 1024
    return Result("bộ nhớ đỉnh", "tất cả", mb, "MB", goal="< 2 GB", met=mb < 2048)


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f} s"


def markdown(results: list[Result]) -> str:
    """The results as a Markdown table and a closing line on the goals met."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        goal = r.goal + (" ✓" if r.met else " ✗" if r.met is False else "") if r.goal else "—"
        lines.append(f"| {r.measure} | {r.scale} | {_amount(r.value, r.unit)} | {_amount(r.baseline, r.unit)} "
                     f"| {ratio} | {goal} |")
    judged = [r for r in results if r.met is not None]
    met = [r for r in judged if r.met]
    missed = [f"{r.measure} ({r.scale})" for r in judged if not r.met]
    lines += ["", f"Đạt {len(met)}/{len(judged)} mục tiêu."
              + (f" Chưa đạt: {', '.join(missed)}." if missed else "")]
    return "\n".join(lines) + "\n"


def run(output: Path, scales: list[int], repeats: int = 3) -> list[Result]:
    root = output / "bench"
    results: list[Result] = []
    compare_at = workers_scale(scales)
    for scale in scales:
        print(f"Quy mô {scale} đơn vị: tạo dữ liệu…", flush=True)
        data = prepare(scale, root)
        print(f"Quy mô {scale}: đọc và kiểm tra biểu mẫu…", flush=True)
        results.extend(read_validate(data, repeats))
        print(f"Quy mô {scale}: lập thông báo (so với WeasyPrint đơn giản)…", flush=True)
        results.extend(notice_render(data, root))
        if scale == compare_at:
            print(f"Quy mô {scale}: 1 và 2 tiến trình…", flush=True)
            results.append(workers(data, root))
        print(f"Quy mô {scale}: chạy đầy đủ và chạy lại ({default_jobs()} tiến trình)…", flush=True)
        results.extend(reruns(data, root))
    results.append(peak_memory())
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Đo tốc độ của quy trình lập báo cáo.")
    parser.add_argument("--output", type=Path, default=Path("output"), help="thư mục kết quả (OUTPUT)")
    parser.add_argument("--scales", default=SCALES,
                        help=f"số đơn vị, cách nhau bằng dấu phẩy: 15 là bộ mẫu, đến {CITY_MAX} là một thành phố, "
                             "lớn hơn là cả nước (34 tỉnh, thành phố)")
    parser.add_argument("--repeats", type=int, default=3, help="số lần lặp cho phép đo nhanh")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    results = run(args.output, scales, args.repeats)
    table = markdown(results)
    folder = args.output / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.md").write_text(table, encoding="utf-8")
    (folder / "bench.json").write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    print()
    print(table, end="")
    print(f"\nĐã ghi {folder / 'bench.md'} và {folder / 'bench.json'}")


if __name__ == "__main__":
    main()
