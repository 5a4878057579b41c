"""The commands that publish a year folder, as short compositions of the public steps.

    plan (read → parse → validate → aggregate → contexts and jobs)
      → runner (render what changed) → publisher (stage, then swap)

`validate` publishes the check (issue report, input ledger, feedback slips,
status page); `report` publishes the documents too, or, strict by default,
only the check while any workbook has errors; `forms` publishes blank
workbooks. `pipeline.distribute` composes the same steps for distribution.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import RenderCache
from pipeline.core.catalogue import FORM_XLSX, ISSUES_DATA, SITE_PAGE, Command
from pipeline.core.steps.aggregate import Totals
from pipeline.core.steps.validate import Validation
from pipeline.errors import InvalidDataError, SourceError
from pipeline.feedback import marked_copies
from pipeline.io.chart_images import chart_image_store
from pipeline.io.newyear import NewYear, refuse_existing, year_path
from pipeline.io.newyear import new_year as write_new_year
from pipeline.io.pdf_parts import pdf_part_store
from pipeline.io.publish import Staging
from pipeline.io.sheet_parts import sheet_store
from pipeline.issue_types import TARGETS_MISSING
from pipeline.plan import Options, Plan, check_apart, plan
from pipeline.publisher import Target, add_data, add_made, publish, render_into, status_page
from pipeline.render.renderers import Renderers
from pipeline.runner import renderers as renderers_for
from pipeline.settings import Settings, load_settings
from pipeline.yearend import TargetChange, changed_targets, vanished_units

log = logging.getLogger("pipeline")


@dataclass(frozen=True)
class Outcome:
    year: int
    validation: Validation
    totals: Totals | None
    folder: Path | None
    documents: tuple[str, ...]
    vanished: tuple[str, ...] = ()  # units in the replaced report that sent nothing this time
    targets: TargetChange | None = None  # next year's targets changed since the replaced report


def target(options: Options, year: int, command: Command, settings: Settings) -> Target:
    return Target(options.output_root, year, command, options.templates_dir, settings.general.style.font_family,
                  options.workers, options.progress)


def renderers(options: Options, settings: Settings) -> Renderers:
    return renderers_for(options.templates_dir, settings.general.style.font_family, options.strict_warnings,
                         sheet_store(options.output_root), pdf_part_store(options.output_root),
                         chart_image_store(options.output_root))


def render_check(where: Target, render: Renderers, run: Plan, out: Staging, cache: RenderCache) -> list[str]:
    """data/kiem-tra.json, data/tep-nhan.json, one feedback slip per unit that sent a workbook (a reminder
    to each that did not, or late), and each unit's own workbook marked where it has issues."""
    return (add_data(out, run.check_data()) + render_into(where, render, run.slips, out, cache, "Phiếu kiểm tra")
            + add_made(where, cache, marked_copies(run.settings, run.validation, run.sources), "Biểu mẫu đánh dấu"))


def render_documents(where: Target, render: Renderers, run: Plan, out: Staging, cache: RenderCache) -> list[str]:
    """The report, its summary workbook and chart, every notice, and data/tong-hop.json."""
    return render_into(where, render, run.documents, out, cache, "Văn bản") + add_data(out, run.document_data())


def validate(options: Options) -> Outcome:
    """Check, then publish the issue report and the feedback slips only."""
    run = plan(options)
    folder, documents = _publish_check(options, run)
    return Outcome(run.year, run.validation, None, folder, documents)


def _publish_check(options: Options, run: Plan) -> tuple[Path, tuple[str, ...]]:
    where, render = target(options, run.year, Command.VALIDATE, run.settings), renderers(options, run.settings)
    return publish(where, lambda out, cache: render_check(where, render, run, out, cache),
                   status_page(render, run.settings, run.validation, None))


def report(options: Options) -> Outcome:
    """Validate, aggregate, render and publish one year's documents.

    Strict by default: with errors, only the issue report and the slips are
    published (the last good documents stay) and InvalidDataError is raised.
    """
    run = plan(options, documents=True)
    year, validation = run.year, run.validation
    if run.totals is None:
        folder, _ = _publish_check(options, run)
        targets = sum(1 for i in validation.report.errors if i.rule == TARGETS_MISSING.code)
        found = len(validation.report.errors) - targets
        what = " và ".join(([f"{found} lỗi trong biểu mẫu năm {year}"] if found else [])
                           + ([f"{targets} lỗi về chỉ tiêu năm {year + 1} (config/targets.yaml)"] if targets else []))
        instead = ("dùng ALLOW_INVALID=1 để lập báo cáo không tính các đơn vị có số liệu chưa hợp lệ" if found else
                   f"ghi «targets_pending: true» vào config/years/{year}.yaml để lập báo cáo ghi rõ chỉ tiêu năm "
                   f"{year + 1} sẽ được giao sau")
        raise InvalidDataError(
            f"Có {what}: chưa lập báo cáo (văn bản của lần chạy trước, nếu có, giữ nguyên). Danh sách lỗi và "
            f"phiếu kiểm tra từng đơn vị trong {folder}. Sửa các lỗi rồi chạy lại, hoặc {instead}.",
            validation, folder / ISSUES_DATA.path(),
        )
    vanished = vanished_units(options.output_root / str(year), validation)
    changed = changed_targets(options.output_root / str(year), run.settings, year)
    if vanished:
        log.warning("Báo cáo năm %s lập trước đó có số liệu của %d đơn vị mà lần này không có biểu mẫu: %s; "
                    "các đơn vị này không được tính (xem %s)", year, len(vanished), ", ".join(vanished),
                    SITE_PAGE.path())
    where, render = target(options, year, Command.REPORT, run.settings), renderers(options, run.settings)

    def work(out: Staging, cache: RenderCache) -> list[str]:
        return (render_documents(where, render, run, out, cache) + render_check(where, render, run, out, cache))

    folder, documents = publish(where, work, status_page(render, run.settings, validation, run.totals, vanished))
    return Outcome(year, validation, run.totals, folder, documents, vanished, changed)


def forms_year(options: Options, settings: Settings) -> int:
    """The year asked for, or else the latest year with a file in config/years; said on the console."""
    if options.year is not None:
        options.tell(f"Năm của biểu mẫu {options.year}: chọn bằng YEAR={options.year}.")
        return options.year
    files = settings.year_files()
    if not files:
        raise SourceError("Chưa chọn năm của biểu mẫu: dùng YEAR=… (make) hoặc --year … (dòng lệnh); năm đó cần "
                          "tệp config/years/<năm>.yaml (tạo bằng make new-year YEAR=…)")
    year = max(files)
    options.tell(f"Năm của biểu mẫu {year}: năm mới nhất có tệp {options.config_dir / 'years' / f'{year}.yaml'}.")
    return year


def forms(options: Options) -> tuple[int, Path, tuple[str, ...]]:
    """Write one blank submission workbook per unit into OUTPUT/YEAR/bieu-mau/."""
    settings = load_settings(options.config_dir)
    check_apart(options.input_dir, options.output_root)  # blank forms in INPUT would be read as submissions
    year = forms_year(options, settings)
    settings.document_settings(year, "make forms")  # the deadline printed on the forms: the file must be complete
    if year not in settings.targets:
        log.warning("targets.yaml chưa có chỉ tiêu năm %s: biểu mẫu để trống cột kế hoạch", year)

    def write(out: Staging, _cache: RenderCache) -> list[str]:
        from pipeline.io.forms.workbook import blank_form  # openpyxl's writer: only this command needs it

        names = []
        for unit in settings.units_in(year):
            name = FORM_XLSX.path(code=unit.code)
            out.add(name, blank_form(settings, unit.code, year))
            names.append(name)
        return names

    folder, names = publish(target(options, year, Command.FORMS, settings), write)
    return year, folder, names


def new_year(config_dir: Path, year: int | None) -> NewYear:
    """Write config/years/<year>.yaml from the year before, with placeholders; never over an existing file."""
    if year is not None:
        refuse_existing(year_path(config_dir, year))
    return write_new_year(config_dir, load_settings(config_dir), year)
