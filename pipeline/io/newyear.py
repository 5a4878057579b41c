"""`make new-year`: config/years/<N>.yaml written from <N-1>'s, with placeholders for the clerk.

What carries over from one year to the next (the signer's title, "Nơi nhận",
the closing of the notices, any key this module does not know) is copied; what
the clerk must decide for the new year (number, signing date, deadline, the
signer's name, the notices' numbers, the assessment) becomes a placeholder,
`<<CẦN ĐIỀN: …>>` (see `pipeline.settings.drafts`), which report and forms
refuse until it is filled. An existing file is never overwritten.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError, os_cause
from pipeline.settings import Settings, placeholder

DATE_HINT = "dạng YYYY-MM-DD"
# The top-level keys in the order the file lists them, each with its comment (Vietnamese).
COMMENTS: dict[str, str] = {
    "number": '# Số báo cáo: "15" cho "Số 15-BC/BCĐ". Để trống ("") khi còn là dự thảo.',
    "date": ("# Ngày ký báo cáo và thông báo, dạng YYYY-MM-DD (thường trong năm {year} hoặc đầu năm {next}).\n"
             "# Phiếu kiểm tra và công văn đôn đốc cũng ghi ngày này, trừ khi thêm «feedback_date: YYYY-MM-DD»\n"
             "# (ngày kiểm tra, đôn đốc các đơn vị)."),
    "deadline": ("# Hạn nộp biểu mẫu năm {year}, dạng YYYY-MM-DD: in trên biểu mẫu trống (make forms); "
                 "\"Ngày lập biểu\"\n# sau ngày này là nộp muộn (cảnh báo)."),
    "signer": ("# Người ký. Trưởng ban ký trực tiếp: authority để trống. Phó trưởng ban ký thay:\n"
               "# authority: K/T TRƯỞNG BAN, title: PHÓ TRƯỞNG BAN."),
    "recipients": "# Nơi nhận của báo cáo: mỗi dòng một nơi; dòng cuối là nơi lưu.",
    "notices": ("# Thông báo kết quả và giao chỉ tiêu gửi từng đơn vị. numbers: số thông báo của từng đơn vị\n"
                "# (mã đơn vị: số); recipients: nơi nhận; closing: đoạn kết (chép từ năm trước, xem lại), có thể\n"
                "# ghi chỗ thay {{don_vi}} (tên đơn vị nhận), {{nam}} ({year}), {{nam_sau}} ({next}); dấu ngoặc nhọn\n"
                "# in ra thì viết {{{{ và }}}}."),
    "feedback_date": ("# Ngày của phiếu kiểm tra và công văn đôn đốc, dạng YYYY-MM-DD (bỏ dòng này thì dùng ngày ký\n"
                      "# «date»)."),
    "slips": ("# Phiếu kiểm tra gửi từng đơn vị đã nộp: type_code (chữ viết tắt trong số), numbers (số ghi riêng),\n"
              "# recipients (nơi nhận)."),
    "reminders": ("# Công văn đôn đốc gửi đơn vị chưa nộp hoặc nộp muộn: type_code, numbers, recipients;\n"
                  "# reply_within_days: số ngày (tính từ ngày công văn) để đơn vị chưa nộp gửi biểu mẫu."),
    "assessment": ("# Phần đánh giá bằng lời của năm {year}: mỗi mục một đoạn văn (ưu điểm, hạn chế, nhiệm vụ).\n"
                   "# Viết mới cho năm {year}; lời của năm {previous} ở years/{previous}.yaml. Chép nguyên lời\n"
                   "# năm trước sẽ bị cảnh báo khi lập báo cáo."),
}
ASSESSMENT = {"strengths": "ưu điểm năm {year}, mỗi mục một đoạn văn",
              "weaknesses": "hạn chế, khuyết điểm năm {year}, mỗi mục một đoạn văn",
              "tasks": "nhiệm vụ, giải pháp năm {next}, mỗi mục một đoạn văn"}


@dataclass(frozen=True)
class NewYear:
    year: int
    path: Path
    source: Path
    keys: tuple[str, ...]  # the keys left as placeholders


def year_path(config_dir: Path, year: int) -> Path:
    return config_dir / "years" / f"{year}.yaml"


def refuse_existing(path: Path) -> None:
    """An existing year file is never overwritten (checked before the config is read: it may be half-edited)."""
    if path.exists() or path.is_symlink():
        raise ConfigError(f"Tệp {path} đã có: không ghi đè. Sửa thẳng tệp đó (các chỗ «<<CẦN ĐIỀN: …>>»), hoặc "
                          "xóa nó trước nếu muốn tạo lại từ năm trước.")


def next_year(settings: Settings) -> int:
    """The default: the latest year with a file in years/, plus one."""
    years = settings.year_files()
    if not years:
        raise ConfigError("Chưa có tệp years/<năm>.yaml nào trong thư mục cấu hình để chép sang năm mới: "
                          "chỉ rõ năm bằng YEAR=… và tạo tệp của năm trước trước")
    return max(years) + 1


def new_year(config_dir: Path, settings: Settings, year: int | None) -> NewYear:
    """Write years/<year>.yaml from the latest earlier year's file; never over an existing file."""
    year = next_year(settings) if year is None else year
    folder = config_dir / "years"
    path = year_path(config_dir, year)
    refuse_existing(path)
    earlier = [y for y in settings.year_files() if y < year]
    if not earlier:
        raise ConfigError(f"Không có tệp years/<năm>.yaml nào trước năm {year} trong {folder} để chép sang")
    source = folder / f"{max(earlier)}.yaml"
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))  # load_settings has read and checked it
    except OSError as exc:
        raise ConfigError(f"Không đọc được {source}: {os_cause(exc, reading=True)}") from exc
    rolled, keys = roll_over(data, year)
    text = render(rolled, year, max(earlier))
    try:
        with open(path, "x", encoding="utf-8") as out:  # "x": fails rather than overwrite, even in a race
            out.write(text)
    except FileExistsError as exc:
        raise ConfigError(f"Tệp {path} đã có: không ghi đè.") from exc
    except OSError as exc:
        raise ConfigError(f"Không ghi được {path}: {os_cause(exc)}") from exc
    return NewYear(year, path, source, keys)


NUMBERED = {"report": "báo cáo", "notices": "thông báo", "slips": "phiếu kiểm tra", "reminders": "công văn đôn đốc"}
PER_UNIT = {"notices": "số thông báo", "slips": "số phiếu kiểm tra", "reminders": "số công văn đôn đốc"}


def roll_over(data: dict[str, Any], year: int) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Last year's data with a placeholder in every value the clerk must decide for `year`."""
    new = copy.deepcopy(data)
    keys: list[str] = []

    def put(where: dict[str, Any], key: str, value: Any, name: str) -> None:
        where[key] = value
        keys.append(name)

    fmt = {"year": year, "next": year + 1}
    if new.get("targets_pending"):
        new["targets_pending"] = False  # a new year's report checks next year's targets again
    numbering = new.get("numbering")
    if isinstance(numbering, dict) and numbering:
        # Numbers run per document type and usually start again each year: the clerk gives each start.
        new.pop("number", None)
        for kind in numbering:
            put(numbering, kind, placeholder(f"số bắt đầu của dãy số {NUMBERED.get(kind, kind)} năm {year}"),
                f"numbering.{kind}")
    else:
        put(new, "number", placeholder("số báo cáo"), "number")
    put(new, "date", placeholder(f"ngày ký, {DATE_HINT}"), "date")
    put(new, "deadline", placeholder(f"hạn nộp biểu mẫu năm {year}, {DATE_HINT}"), "deadline")
    signer = new.get("signer")
    if isinstance(signer, dict):
        was = f" (năm {year - 1}: {signer['name']})" if signer.get("name") else ""
        put(signer, "name", placeholder(f"họ tên người ký{was}"), "signer.name")
    # Last year's checking date means nothing now; without one, slips and reminders take the signing date
    # until the clerk writes the day they chase the units (COMMENTS["date"] says so).
    new.pop("feedback_date", None)
    for kind, what in PER_UNIT.items():
        section = new.get(kind)
        if isinstance(section, dict) and isinstance(section.get("numbers"), dict):
            if section["numbers"] and isinstance(numbering, dict) and numbering:
                section["numbers"] = {}  # last year's explicit numbers: this year's come from the sequence
            for code in section["numbers"]:
                put(section["numbers"], code, placeholder(f"{what} gửi đơn vị {code}"), f"{kind}.numbers.{code}")
    assessment = new.setdefault("assessment", {})
    if isinstance(assessment, dict):
        for part, what in ASSESSMENT.items():
            put(assessment, part, [placeholder(what.format(**fmt))], f"assessment.{part}")
    return new, tuple(keys)


def render(data: dict[str, Any], year: int, previous: int) -> str:
    """The YAML text, the known keys first with their comments, then whatever else the old file had."""
    fmt = {"year": year, "next": year + 1, "previous": previous}
    lines = [f"# Văn bản của năm báo cáo {year}: tạo bằng make new-year YEAR={year} từ years/{previous}.yaml.",
             "# Mọi chỗ ghi «<<CẦN ĐIỀN: …>>» phải thay bằng giá trị của năm này (xóa cả dấu << >>); make report",
             "# và make forms không chạy khi tệp còn chỗ như vậy và nêu tên từng mục. Các mục khác chép từ năm",
             f"# {previous}: xem lại và sửa nếu đã thay đổi. Mỗi năm một tệp mới; không sửa tệp của năm đã báo cáo.",
             ""]
    order = [key for key in COMMENTS if key in data] + [key for key in data if key not in COMMENTS]
    for key in order:
        if key in COMMENTS:
            lines.append(COMMENTS[key].format(**fmt))
        else:
            lines.append(f"# Chép từ years/{previous}.yaml.")
        lines.append(yaml.safe_dump({key: data[key]}, allow_unicode=True, sort_keys=False, width=100,
                                    default_flow_style=False).rstrip("\n"))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


