"""The pipeline as data: read → parse → validate → aggregate → context → render → publish.

The one place that joins the I/O shell and the pure core. Each step is a
function of the previous step's result; the CLI only calls `validate` or
`report` and prints what they return.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.aggregate import Figures, Totals, actuals, aggregate
from pipeline.core.context import report_context
from pipeline.core.data import tong_hop
from pipeline.core.parse import Submission, parse_workbook
from pipeline.core.raw import Refusal
from pipeline.core.validate import Validation, validate_year
from pipeline.errors import InvalidDataError, SourceError
from pipeline.io.excel import discover, read_workbook
from pipeline.io.publish import Staging
from pipeline.render.html import environment, render_html
from pipeline.render.pdf import PdfRenderer
from pipeline.settings import Settings, load_settings

log = logging.getLogger("pipeline")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Options:
    year: int | None
    input_dir: Path
    config_dir: Path
    output_root: Path
    allow_invalid: bool = False
    strict_warnings: bool = False
    templates_dir: Path = TEMPLATES


@dataclass(frozen=True)
class Inputs:
    """Every workbook under the input folder, parsed and grouped by the year it states."""

    by_year: dict[int, list[Submission]]
    undated: list[Submission]
    refusals: list[Refusal]


@dataclass(frozen=True)
class Outcome:
    year: int
    validation: Validation
    totals: Totals | None
    folder: Path | None
    documents: tuple[str, ...]


def report_year(options: Options, settings: Settings) -> int:
    """The year asked for, or else the latest year with document settings in config."""
    if options.year is not None:
        return options.year
    if not settings.documents:
        raise SourceError("Chưa chọn năm báo cáo: dùng YEAR=… (make) hoặc --year … (dòng lệnh)")
    return max(settings.documents)


def read_inputs(input_dir: Path) -> Inputs:
    if not input_dir.is_dir():
        raise SourceError(f"Không tìm thấy thư mục biểu mẫu: {input_dir}")
    by_year: dict[int, list[Submission]] = defaultdict(list)
    undated: list[Submission] = []
    refusals: list[Refusal] = []
    for path in discover(input_dir):
        raw = read_workbook(path, path.relative_to(input_dir).as_posix())
        if isinstance(raw, Refusal):
            refusals.append(raw)
            continue
        sub = parse_workbook(raw)
        (by_year[sub.year] if sub.year else undated).append(sub)
    log.info("Đã đọc %d tệp trong %s", sum(map(len, by_year.values())) + len(undated) + len(refusals), input_dir)
    return Inputs(dict(by_year), undated, refusals)


def validate(options: Options) -> tuple[Settings, Inputs, Validation]:
    settings = load_settings(options.config_dir)
    year = report_year(options, settings)
    inputs = read_inputs(options.input_dir)
    found = inputs.by_year.get(year, []) + inputs.undated
    return settings, inputs, validate_year(year, found, inputs.refusals, settings)


def previous_figures(year: int, inputs: Inputs, settings: Settings) -> tuple[Figures, str]:
    """Last year's actuals: its workbooks if all present and valid, else config history."""
    previous = year - 1
    subs = inputs.by_year.get(previous, [])
    if subs:
        checked = validate_year(previous, subs, [], settings)
        if set(checked.status.values()) == {"valid"}:
            return actuals(checked), f"biểu mẫu năm {previous}"
    if previous in settings.history:
        return settings.history[previous], f"config/history.yaml, năm {previous}"
    return {}, "không có"


def report(options: Options) -> Outcome:
    """Validate, aggregate, render and publish one year's documents."""
    settings, inputs, validation = validate(options)
    year = validation.year
    settings.document_settings(year)
    if validation.report.errors and not options.allow_invalid:
        raise InvalidDataError(
            f"Có {len(validation.report.errors)} lỗi trong biểu mẫu năm {year}: chưa lập báo cáo. "
            "Sửa các lỗi trên rồi chạy lại, hoặc dùng ALLOW_INVALID=1 để lập báo cáo "
            "không tính các đơn vị có số liệu chưa hợp lệ.",
            validation,
        )
    previous, source = previous_figures(year, inputs, settings)
    totals = aggregate(validation, previous, source, settings)
    staging = Staging(options.output_root, year)
    try:
        documents = _render_all(options, settings, validation, totals, staging)
        folder = staging.commit()
    except BaseException:
        staging.abandon()
        raise
    return Outcome(year, validation, totals, folder, documents)


def _render_all(options: Options, settings: Settings, validation: Validation, totals: Totals, staging: Staging) -> tuple[str, ...]:
    env = environment(options.templates_dir)
    pdf = PdfRenderer(options.templates_dir, settings.general.style.font_family, options.strict_warnings)
    organisations = {code: sub.organisations for code, sub in validation.submissions.items()}
    context = report_context(totals, organisations, settings)
    name = f"bao-cao-{totals.year}.pdf"
    staging.add(name, pdf.render(render_html(env, "bao-cao.html.j2", context), name))
    staging.add_json("data/tong-hop.json", tong_hop(totals))
    staging.add_json("data/kiem-tra.json", validation.report.as_dict())
    return (name,)
