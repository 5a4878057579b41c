"""Checks across config files, run when the settings are loaded (every command)."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.settings.distribution import ADDRESSEE, ALL_UNITS, DISTRIBUTION_FILE, DistributionFile
from pipeline.settings.documents import YearDocuments
from pipeline.settings.explanations import EXPLANATIONS_FILE
from pipeline.settings.model import Settings


def check_references(settings: Settings, config_dir: Path) -> None:
    """Cross-file checks: every code used in one file is defined in another."""
    units = {u.code for u in settings.units}
    planned = {i.code for i in settings.planned_indicators()}
    indicators = {i.code for i in settings.indicators}
    general = settings.general
    problems: list[str] = []
    for filename, table, allowed in (
        ("targets.yaml", settings.targets, planned),
        ("history.yaml", settings.history, indicators),
    ):
        for year, per_unit in table.items():
            for code, figures in per_unit.items():
                if code not in units:
                    problems.append(f"{filename}, khóa «years.{year}.{code}»: mã đơn vị không có trong units.yaml")
                for ind in figures:
                    if ind not in allowed:
                        problems.append(
                            f"{filename}, khóa «years.{year}.{code}.{ind}»: "
                            "mã chỉ tiêu không có (hoặc không giao kế hoạch) trong indicators.yaml"
                        )
    for year, docs in settings.documents.items():
        for code in docs.notices.numbers:
            if code not in units:
                problems.append(f"years/{year}.yaml, khóa «notices.numbers.{code}»: "
                                "mã đơn vị không có trong units.yaml")
        problems += docs.number_conflicts(year, general.style.report_type_code,
                                          [u.code for u in settings.units_in(year)])
    for unit in settings.units:
        if unit.level not in general.unit_levels:
            problems.append(
                f"units.yaml, đơn vị «{unit.code}», khóa «level»: «{unit.level}» không có trong "
                f"unit_levels của settings.yaml ({', '.join(general.unit_levels)})"
            )
    groups = {g.code for g in settings.groups}
    for unit in settings.units:
        if groups and unit.parent not in groups:
            where = f"units.yaml, đơn vị «{unit.code}», khóa «parent»"
            problems.append(f"{where}: «{unit.parent}» không có trong groups" if unit.parent
                            else f"{where}: thiếu mã nhóm (units.yaml có groups nên mỗi đơn vị phải thuộc một nhóm)")
    for indicator in settings.indicators:
        for org_type in indicator.org_types:
            if org_type not in general.org_types:
                problems.append(
                    f"indicators.yaml, chỉ tiêu «{indicator.code}», khóa «org_types»: «{org_type}» "
                    "không có trong org_types của settings.yaml"
                )
    for rule in settings.rules:
        for side in rule.expressions():
            for code in sorted(side.references() - indicators):
                problems.append(f"rules.yaml, quy tắc «{rule.id}»: mã chỉ tiêu «{code}» không có trong indicators.yaml")
    if general.blank_indicator not in planned:
        problems.append(
            f"settings.yaml, khóa «blank_indicator»: «{general.blank_indicator}» "
            "không phải chỉ tiêu có kế hoạch trong indicators.yaml"
        )
    if settings.distribution:
        for recipient in settings.distribution.recipients:
            if recipient.code in units:
                problems.append(f"{DISTRIBUTION_FILE}, nơi nhận «{recipient.code}», khóa «code»: trùng mã một đơn vị "
                                "trong units.yaml (mỗi đơn vị đã là một nơi nhận); hãy chọn mã khác")
        problems += _uncovered_lines(settings.documents, settings.distribution)
        smtp = settings.distribution.smtp
        if smtp is not None and smtp.ca_file and not (config_dir / smtp.ca_file).is_file():
            problems.append(f"{DISTRIBUTION_FILE}, khóa «smtp.ca_file»: không có tệp {config_dir / smtp.ca_file}")
    for n, entry in enumerate(settings.explanations):
        if entry.unit not in units:
            problems.append(f"{EXPLANATIONS_FILE}, khóa «giai_trinh.{n}.unit»: mã đơn vị «{entry.unit}» không có "
                            "trong units.yaml")
    if problems:
        raise ConfigError(
            f"Cấu hình trong thư mục {config_dir} không nhất quán:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def _uncovered_lines(documents: dict[int, YearDocuments], distribution: DistributionFile) -> list[str]:
    """Each "Nơi nhận" line of years/*.yaml must be one of distribution.yaml's lines; "Như trên" only in notices."""
    problems: list[str] = []
    for year, docs in sorted(documents.items()):
        for key, lines, addressed in (("recipients", docs.recipients, False),
                                      ("notices.recipients", docs.notices.recipients, True)):
            for n, line in enumerate(lines):
                target = distribution.target(line)
                where = f"years/{year}.yaml, khóa «{key}.{n}», dòng «{line}»"
                if target is None:
                    problems.append(f"{where}: chưa có trong {DISTRIBUTION_FILE} (khóa «lines»): hãy thêm dòng này "
                                    f"và nơi nhận của nó (một mã nơi nhận, «{ADDRESSEE}» hoặc «{ALL_UNITS}»)")
                elif target == ADDRESSEE and not addressed:
                    problems.append(f"{where}: «Như trên» chỉ dùng trong nơi nhận của thông báo; báo cáo không có "
                                    "nơi được gửi ở đầu văn bản")
    return problems
