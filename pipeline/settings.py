"""Configuration: config/*.yaml → frozen pydantic models, validated at start-up.

Everything about the locality, the units, the indicators, the targets and the
documents lives in the config folder, never in code. Each file is validated by
its own model so that an error names the file and the key; unknown keys are
rejected with a hint (most are typos). `load_settings` is called once per run
and the resulting `Settings` object is passed explicitly to whoever needs it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from pipeline.expressions import OPERATORS, Expression, parse_expression
from pipeline.textnorm import nfc
from pipeline.errors import ConfigError

UNIT_CODE_PATTERN = r"^[A-Z][A-Z0-9_]{0,15}$"
DAY_MONTH_PATTERN = r"^\d{2}/\d{2}$"
RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# What each pattern asks for, as its error says it: a field gets its own pattern's words, never another's.
PATTERN_MESSAGES = {
    UNIT_CODE_PATTERN: "sai định dạng mã: bắt đầu bằng chữ in hoa, sau đó chỉ chữ in hoa không dấu, chữ số, "
                       "dấu _, tối đa 16 ký tự (ví dụ HB, TCD)",
    DAY_MONTH_PATTERN: "sai định dạng ngày/tháng: cần dạng dd/mm, ví dụ \"31/12\"",
    RULE_ID_PATTERN: "sai định dạng mã quy tắc: chữ thường không dấu và chữ số, nối bằng dấu -, "
                     "ví dụ tong-bang-danh-sach",
}
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _year(value: Any) -> Any:
    """A year: a whole number such as 2016 (YAML reads 2016 as one; "2016" is accepted too)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValueError(f"«{value}» không phải là năm (số có 4 chữ số, ví dụ 2016)")
    return value


# valid_from/valid_until of units.yaml, the keys under `years` of targets.yaml and history.yaml.
Year = Annotated[int, BeforeValidator(_year)]
IndicatorFigures = dict[str, int]
# An ordinary mailbox address: no display name, no comments, an ASCII domain with a dot.
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def _address_list(value: Any) -> Any:
    """One address or a list of them; nothing is an empty list."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _valid_addresses(addresses: tuple[str, ...]) -> tuple[str, ...]:
    seen = set()
    for address in addresses:
        if not EMAIL_PATTERN.match(address):
            raise ValueError(f"địa chỉ thư «{address}» không hợp lệ (cần dạng ten@ten-mien.vn)")
        if address.lower() in seen:
            raise ValueError(f"địa chỉ thư «{address}» bị lặp")
        seen.add(address.lower())
    return addresses


# `email: a@b.vn` or `email: [a@b.vn, c@d.vn]`, each address checked.
Addresses = Annotated[tuple[str, ...], BeforeValidator(_address_list), AfterValidator(_valid_addresses)]


class Strict(BaseModel):
    """Base for every config model: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- settings.yaml -----------------------------------------------------------


class Organisation(Strict):
    superior_body: str
    issuing_body: str
    issuing_body_short: str
    issuer_in_text: str
    unit_title: str
    unit_leadership: str  # "Ban Thường vụ": whom a unit's notice and slip address, before its party_body
    place: str
    scope: str
    resolution: str
    resolution_full: str
    agency: str


# The font of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP, Hướng dẫn 36-HD/VPTW): the office
# files' font when settings.yaml does not name one (style.office_font).
DEFAULT_OFFICE_FONT = "Times New Roman"

NATIONAL_HEADERS = {
    "party": ("ĐẢNG CỘNG SẢN VIỆT NAM", ""),
    "state": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
}


class Style(Strict):
    """Party (Hướng dẫn 36-HD/VPTW) or State (Nghị định 30/2020/NĐ-CP) format."""

    kind: Literal["party", "state"] = "party"
    guideline: str
    national_header: str = ""
    motto: str = ""
    report_type_code: str = "BC"
    font_family: str = "Liberation Serif"  # the PDFs' font, embedded
    office_font: str = DEFAULT_OFFICE_FONT  # the XLSX and DOCX files' font, opened on the office's computers

    @model_validator(mode="before")
    @classmethod
    def _national_header_for_kind(cls, data: Any) -> Any:
        """Switching `kind` alone switches the top-right header too."""
        if isinstance(data, dict) and not data.get("national_header"):
            header, motto = NATIONAL_HEADERS.get(data.get("kind", "party"), ("", ""))
            data = {**data, "national_header": header, "motto": data.get("motto") or motto}
        return data


class Numbers(Strict):
    percent_rounding: Literal["half-up", "half-even", "down", "up"] = "half-up"
    percent_decimals: int = Field(default=0, ge=0, le=3)
    surplus_phrase_below: int = Field(default=200, ge=100)


class Reporting(Strict):
    """The reporting period: decisions dated outside it are errors.

    Party bodies set their own; the state regime's default runs from 15/12 of
    the previous year to 14/12 (period_start: "15/12", start_in_previous_year).
    """

    period_start: str = Field(default="01/01", pattern=DAY_MONTH_PATTERN)
    start_in_previous_year: bool = False
    period_end: str = Field(default="31/12", pattern=DAY_MONTH_PATTERN)

    def period(self, year: int) -> tuple[dt.date, dt.date]:
        start_day, start_month = (int(x) for x in self.period_start.split("/"))
        end_day, end_month = (int(x) for x in self.period_end.split("/"))
        start_year = year - 1 if self.start_in_previous_year else year
        return dt.date(start_year, start_month, start_day), dt.date(year, end_month, end_day)

    @model_validator(mode="after")
    def _real_dates(self) -> Reporting:
        try:
            start, end = self.period(2000)
        except ValueError:
            raise ValueError("period_start/period_end phải là ngày/tháng có thật, dạng DD/MM") from None
        if start > end:
            raise ValueError("kỳ báo cáo bắt đầu sau khi kết thúc")
        return self


class ReportLayout(Strict):
    """How much detail the city report itself carries."""

    # Above this many organisations the list stays in the XLSX summary only:
    # a PDF of thousands of table rows helps no reader and dominates the run.
    max_list_rows_in_pdf: int = Field(default=500, ge=0)
    # Above this many units the appendix tables and the chart show one row per
    # group (province) of units.yaml, or the totals only when there are no
    # groups; every unit's row stays in the XLSX summary.
    max_unit_rows_in_pdf: int = Field(default=200, ge=0)
    # Above this many counted units the chart shows groups (or the whole): 114
    # communes × 3 bars in 165 mm is unreadable, and its hatched bars alone cost
    # WeasyPrint ~10 s.
    max_units_in_chart: int = Field(default=40, ge=1)


MAX_FIGURE = 10**12  # a configured target or past result; far beyond any real one, well within Decimal


class InputLimits(Strict):
    """Bounds on what a workbook cell may hold before it reaches a document."""

    # A count (plan, result, members) above this is a typo or a hostile file,
    # never a real figure; it is an error located to its cell.
    max_count: int = Field(default=1_000_000, ge=1, le=MAX_FIGURE)
    # Text longer than this (a name, a decision number) is cut, with a warning:
    # no real name is that long, and a 32,767-character cell would fill pages.
    max_text_length: int = Field(default=300, ge=20, le=32_767)


class GeneralSettings(Strict):
    organisation: Organisation
    report: ReportLayout = ReportLayout()
    limits: InputLimits = InputLimits()
    style: Style
    numbers: Numbers = Numbers()
    reporting: Reporting = Reporting()
    unit_levels: tuple[str, ...]
    org_types: tuple[str, ...]
    enterprise_forms: tuple[str, ...]
    blank_indicator: str


# --- units.yaml, indicators.yaml ---------------------------------------------


class Unit(Strict):
    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    level: str
    party_body: str
    parent: str | None = None
    valid_from: Year | None = None
    valid_until: Year | None = None
    email: Addresses = ()  # where `make distribute SEND=1` sends the unit its documents

    def title(self, unit_title: str) -> str:
        """"Đảng bộ quận Hồng Bàng": the unit as an organisation."""
        return f"{unit_title} {self.full_name}"

    @property
    def full_name(self) -> str:
        """"quận Hồng Bàng", as the unit is named in running text."""
        return f"{self.level} {self.name}"

    def active_in(self, year: int) -> bool:
        return (self.valid_from or year) <= year <= (self.valid_until or year)


class Group(Strict):
    """The level above the units (a province above its communes): `parent` of a unit names one."""

    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    level: str

    @property
    def full_name(self) -> str:
        return f"{self.level} {self.name}"


class UnitsFile(Strict):
    groups: tuple[Group, ...] = ()
    units: tuple[Unit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> UnitsFile:
        _reject_duplicates([g.code for g in self.groups], "groups", "mã nhóm")
        _reject_duplicates([u.code for u in self.units], "units", "mã đơn vị")
        return self


class Indicator(Strict):
    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    measure: str
    has_plan: bool
    phrase: str
    org_types: tuple[str, ...] = ()


class IndicatorsFile(Strict):
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> IndicatorsFile:
        _reject_duplicates([i.code for i in self.indicators], "indicators", "mã chỉ tiêu")
        return self


# --- rules.yaml ----------------------------------------------------------------


class Rule(Strict):
    """left operator right over one submission's figures (DHIS2-style)."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    left: str
    operator: Literal["==", "!=", "<", "<=", ">", ">="]
    right: str
    severity: Literal["error", "warning"] = "error"
    message: str

    @field_validator("left", "right")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_expression(text)
        return text

    def expressions(self) -> tuple[Expression, Expression]:
        return parse_expression(self.left), parse_expression(self.right)

    def holds(self, left: int, right: int) -> bool:
        return OPERATORS[self.operator](left, right)


class RulesFile(Strict):
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        _reject_duplicates([r.id for r in self.rules], "rules", "mã quy tắc")
        return self


# --- targets.yaml, history.yaml ----------------------------------------------


class FiguresFile(Strict):
    """Per year, per unit code, per indicator code: a whole number from 0 to MAX_FIGURE."""

    years: dict[Year, dict[str, dict[str, int]]] = {}

    @model_validator(mode="after")
    def _within_bounds(self) -> FiguresFile:
        for year, units in self.years.items():
            for unit, figures in units.items():
                for code, value in figures.items():
                    if value < 0:
                        raise ValueError(f"years.{year}.{unit}.{code}: số âm ({value})")
                    if value > MAX_FIGURE:
                        raise ValueError(f"years.{year}.{unit}.{code}: số quá lớn (tối đa 1.000.000.000.000)")
        return self


# --- years/<YEAR>.yaml: what the clerk changes every year --------------------


class Signer(Strict):
    authority: str = ""
    title: str
    name: str


class Assessment(Strict):
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


class Notices(Strict):
    """The per-unit notices (thông báo kết quả và giao chỉ tiêu)."""

    type_code: str = "TB"
    numbers: dict[str, str] = {}
    recipients: tuple[str, ...] = ("Như trên",)
    closing: tuple[str, ...] = ()


class YearDocuments(Strict):
    number: str = ""
    date: dt.date
    deadline: dt.date | None = None
    notices: Notices = Notices()
    signer: Signer
    recipients: tuple[str, ...] = Field(min_length=1)
    assessment: Assessment = Assessment()


# --- distribution.yaml: who receives what, and how mail goes out (make distribute) ---

ADDRESSEE, ALL_UNITS = "addressee", "units"  # the two kinds of "Nơi nhận" line that name no one recipient


def line_key(line: str) -> str:
    """A "Nơi nhận" line as it is matched: case, spacing, a leading "-" and trailing punctuation do not count."""
    return " ".join(line.strip().lstrip("-").strip().rstrip(",.;:").split()).casefold()


class Recipient(Strict):
    """Someone named in a "Nơi nhận" list: a body, a group of people, the archive."""

    code: str = Field(pattern=UNIT_CODE_PATTERN)
    name: str
    email: Addresses = ()
    archive: bool = False  # the archive ("Lưu …") receives every document of the year


class Smtp(Strict):
    """The mail server. Credentials never live here: NQ28_SMTP_USER / NQ28_SMTP_PASSWORD."""

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: Annotated[str, AfterValidator(lambda a: _valid_addresses((a,))[0])]
    sender_name: str = ""
    ca_file: str | None = None  # a private CA's certificate, relative to the config folder
    timeout: int = Field(default=60, ge=1, le=600)  # seconds the server may stay silent within a step
    deadline: int = Field(default=600, ge=1, le=7200)  # seconds for one whole letter: connect, TLS, login, send
    max_message_mb: int = Field(default=20, ge=1, le=1000)  # a bigger bundle goes in several messages


class Archive(Strict):
    pdfa: bool = False  # an archival PDF/A-2b copy of every PDF, in luu-tru/, for the archive


class DistributionFile(Strict):
    """config/distribution.yaml: each "Nơi nhận" line → a recipient, and the ways to send."""

    lines: dict[str, str] = Field(min_length=1)
    recipients: tuple[Recipient, ...] = ()
    docx: bool = False  # send the editable DOCX beside each PDF
    slips: bool = True  # each unit also receives its feedback slip
    bundle: Literal["folder", "zip", "both"] = "folder"
    archive: Archive = Archive()
    smtp: Smtp | None = None

    @field_validator("lines")
    @classmethod
    def _known_kinds(cls, lines: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for line, target in lines.items():
            if target not in (ADDRESSEE, ALL_UNITS) and not re.match(UNIT_CODE_PATTERN, target):
                raise ValueError(f"dòng «{line}»: «{target}» phải là mã nơi nhận (chữ in hoa), "
                                 f"«{ADDRESSEE}» (nơi được gửi, \"Như trên\") hoặc «{ALL_UNITS}» (mọi đơn vị)")
            if line_key(line) in seen:
                raise ValueError(f"dòng «{line}» trùng với dòng «{seen[line_key(line)]}»")
            seen[line_key(line)] = line
        return lines

    @model_validator(mode="after")
    def _lines_name_recipients(self) -> DistributionFile:
        _reject_duplicates([r.code for r in self.recipients], "recipients", "mã nơi nhận")
        codes = {r.code for r in self.recipients}
        for line, target in self.lines.items():
            if target not in (ADDRESSEE, ALL_UNITS) and target not in codes:
                raise ValueError(f"lines: dòng «{line}» chỉ tới mã «{target}» nhưng recipients không có mã này")
        return self

    def target(self, line: str) -> str | None:
        """What a "Nơi nhận" line stands for: a recipient code, ADDRESSEE, ALL_UNITS; None if not configured."""
        wanted = line_key(line)
        return next((t for text, t in self.lines.items() if line_key(text) == wanted), None)

    def recipient(self, code: str) -> Recipient:
        return next(r for r in self.recipients if r.code == code)


# --- the whole configuration -------------------------------------------------


class Settings(Strict):
    """Everything a run needs to know, loaded once from the config folder."""

    general: GeneralSettings
    units: tuple[Unit, ...]
    groups: tuple[Group, ...] = ()
    indicators: tuple[Indicator, ...]
    targets: dict[int, dict[str, dict[str, int]]]
    history: dict[int, dict[str, dict[str, int]]]
    rules: tuple[Rule, ...] = ()
    documents: dict[int, YearDocuments]
    distribution: DistributionFile | None = None  # config/distribution.yaml, optional: only distribute needs it

    def units_in(self, year: int) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.active_in(year))

    def unit(self, code: str) -> Unit | None:
        units, index = self._unit_index
        if units is not self.units:  # a model_copy(update={"units": …}) carries the old index along
            del self.__dict__["_unit_index"]
            units, index = self._unit_index
        return index.get(code)

    @cached_property
    def _unit_index(self) -> tuple[tuple[Unit, ...], dict[str, Unit]]:
        # Built once: a linear search per lookup is quadratic over 3,321 communes.
        return self.units, {u.code: u for u in self.units}

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def planned_indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.has_plan)

    def document_settings(self, year: int) -> YearDocuments:
        try:
            return self.documents[year]
        except KeyError:
            raise ConfigError(
                f"Thiếu cấu hình văn bản cho năm {year}: cần tệp years/{year}.yaml "
                "trong thư mục cấu hình (số văn bản, ngày ký, người ký, nơi nhận)."
            ) from None


FILES = {
    "settings.yaml": GeneralSettings,
    "units.yaml": UnitsFile,
    "indicators.yaml": IndicatorsFile,
    "targets.yaml": FiguresFile,
    "history.yaml": FiguresFile,
    "rules.yaml": RulesFile,
}
DISTRIBUTION_FILE = "distribution.yaml"


def load_settings(config_dir: Path) -> Settings:
    """Read and validate every config file; raise ConfigError naming file and key."""
    if not config_dir.is_dir():
        raise ConfigError(f"Không tìm thấy thư mục cấu hình: {config_dir}")
    parsed = {name: _load_file(config_dir / name, model) for name, model in FILES.items()}
    documents = {
        year: _load_file(path, YearDocuments)
        for year, path in _year_files(config_dir / "years").items()
    }
    optional = config_dir / DISTRIBUTION_FILE
    distribution = _load_file(optional, DistributionFile) if optional.is_file() else None
    settings = Settings(
        general=parsed["settings.yaml"],
        units=parsed["units.yaml"].units,
        groups=parsed["units.yaml"].groups,
        indicators=parsed["indicators.yaml"].indicators,
        targets=parsed["targets.yaml"].years,
        history=parsed["history.yaml"].years,
        rules=parsed["rules.yaml"].rules,
        documents=documents,
        distribution=distribution,
    )
    _check_references(settings, config_dir)
    return settings


def _year_files(folder: Path) -> dict[int, Path]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        if not path.stem.isdigit():
            raise ConfigError(f"{path}: tên tệp phải là năm, ví dụ years/2016.yaml")
        found[int(path.stem)] = path
    return found


def _load_file(path: Path, model: type[Strict]) -> Any:
    data = _read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(path, model, exc)) from exc


# libyaml's safe loader when PyYAML has it: the same documents, parsed about ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A national units.yaml (3,321 communes) is ~0.5 MB: anything far bigger is not a config file.
MAX_CONFIG_BYTES = 20 << 20


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"Thiếu tệp cấu hình {path}")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: tệp cấu hình quá lớn ({path.stat().st_size:,} byte, giới hạn "
                              f"{MAX_CONFIG_BYTES:,} byte)".replace(",", "."))
        text = path.read_text(encoding="utf-8")
        _guard(path, text)
        data = _nfc_tree(yaml.load(text, Loader=YAML_LOADER))
    except RecursionError as exc:
        raise ConfigError(f"{path}: cấu trúc lồng nhau quá sâu, không phải tệp cấu hình") from exc
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: tệp không phải văn bản UTF-8 (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise ConfigError(f"{path}: lỗi cú pháp YAML{where}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: tệp phải là một bảng khóa: giá trị (mapping YAML)")
    return data


MAX_CONFIG_DEPTH = 32  # nesting of mappings and lists: config goes 4–5 deep
# What could nest deeper than indentation allows: a flow collection inside another,
# block sequences on one line ("- - -"), or lines indented past MAX_INDENT spaces.
_MAY_NEST = re.compile(r"[\[{][^\]}]*[\[{]|(?:^|\s)-\s+-\s|^ {40,}", re.M)


def _guard(path: Path, text: str) -> None:
    """Refuse YAML anchors and aliases, and absurd nesting, before anything is built.

    Nine nested aliases in 480 bytes expand to billions of nodes (a "billion
    laughs" bomb: 8.7 GB before being killed), and 100,000 nested brackets
    overflow libyaml's composer (a segmentation fault). Config needs neither. A
    file without "&", "*" or anything that nests past its indentation cannot
    hold them: the usual file costs two searches, the rest one pass of events.
    """
    if "&" not in text and "*" not in text and not _MAY_NEST.search(text):
        return
    depth = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ConfigError(f"{path}: dòng {line} dùng neo/bí danh YAML (&… hoặc *…); hãy viết đầy đủ từng giá "
                              "trị, không dùng neo (để tệp không thể phình ra vô hạn khi đọc)")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError(f"{path}: dòng {line}: lồng nhau quá {MAX_CONFIG_DEPTH} cấp, không phải tệp "
                                  "cấu hình")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _nfc_tree(value: Any) -> Any:
    """NFC-normalise every string in a YAML tree, keys included."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {_nfc_tree(k): _nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    return value


_MESSAGES = {
    "missing": "thiếu giá trị bắt buộc",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi văn bản",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "literal_error": "giá trị không hợp lệ",
    "too_short": "danh sách không được rỗng",
    "string_too_short": "không được để trống",
    "dict_type": "phải là một bảng khóa: giá trị",
    "tuple_type": "phải là một danh sách",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một bảng khóa: giá trị",
}


def _explain(path: Path, model: type[BaseModel], exc: ValidationError) -> str:
    """Turn pydantic's errors into Vietnamese lines naming the file and the key."""
    lines = [f"Cấu hình không hợp lệ trong tệp {path}:"]
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"]) or "(gốc)"
        kind = error["type"]
        text = _MESSAGES.get(kind)
        if kind == "extra_forbidden":
            text = "khóa không được phép" + _hint(model, error["loc"])
        elif kind == "literal_error":
            text = f"giá trị không hợp lệ, chỉ nhận: {error['ctx']['expected'].replace(' or ', ' hoặc ')}"
        elif kind == "value_error":
            text = str(error["ctx"]["error"])
        elif kind == "string_pattern_mismatch":
            pattern = error["ctx"]["pattern"]
            text = PATTERN_MESSAGES.get(pattern, f"sai định dạng (cần khớp mẫu {pattern})")
        elif kind == "greater_than_equal":
            text = f"giá trị quá nhỏ: phải từ {_count(error['ctx']['ge'])} trở lên"
        elif kind == "less_than_equal":
            text = f"giá trị quá lớn: tối đa {_count(error['ctx']['le'])}"
        elif text is None:
            text = error["msg"]
        lines.append(f"  - khóa «{key}»: {text}")
    return "\n".join(lines)


def _count(value: Any) -> str:
    """1000000 → "1.000.000", as the documents write numbers."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """Suggest the closest valid key for an unknown one (walks the model by loc)."""
    current: Any = model
    for part in loc[:-1]:
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            continue
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = next((a for a in (annotation, *args) if hasattr(a, "model_fields")), None)
        if current is None:
            return ""
    valid = list(getattr(current, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
    suggestion = f"; có phải «{close[0]}»?" if close else ""
    return f" (các khóa hợp lệ: {', '.join(valid)}){suggestion}"


def _reject_duplicates(codes: list[str], key: str, label: str) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{label} «{code}» bị lặp trong {key}")
        seen.add(code)


def _check_references(settings: Settings, config_dir: Path) -> None:
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
                problems.append(f"years/{year}.yaml, khóa «notices.numbers.{code}»: mã đơn vị không có trong units.yaml")
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
    for ind in settings.indicators:
        for org_type in ind.org_types:
            if org_type not in general.org_types:
                problems.append(
                    f"indicators.yaml, chỉ tiêu «{ind.code}», khóa «org_types»: «{org_type}» "
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
    if problems:
        raise ConfigError(
            f"Cấu hình trong thư mục {config_dir} không nhất quán:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def _uncovered_lines(documents: dict[int, YearDocuments], distribution: DistributionFile) -> list[str]:
    """Each "Nơi nhận" line of years/*.yaml must be one of distribution.yaml's lines; "Như trên" only in notices."""
    problems = []
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
