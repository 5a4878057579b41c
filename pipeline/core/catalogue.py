"""Every file a run publishes into OUTPUT/YEAR, declared once (as Kedro's Data Catalog declares datasets).

An `Output` is one family of files: its path pattern (`thong-bao/{code}.pdf`),
the kind of document it is, the command that owns it, the template and the
renderer that make it, and the Vietnamese words the status page, the register
and the console use for it. Publishing, the status page, the register,
distribution and the CLI ask this module; no other module spells an output path.

Ownership decides what a run replaces: each command rewrites the files it owns
and carries over the rest of the year folder (see `keeps`). A file no entry
claims belongs to `report`, which rewrites the folder's documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from pathlib import PurePosixPath


class Command(StrEnum):
    """The commands that write into a year folder."""

    REPORT = "report"
    VALIDATE = "validate"  # the issue report, the input ledger, the slips, the page: rewritten by report too
    FORMS = "forms"
    DISTRIBUTE = "distribute"
    SIGN = "sign"


class Format(StrEnum):
    """How an output's bytes are made; the runner binds each document format to its renderer."""

    PDF = "pdf"
    PDFA = "pdfa"  # an archival PDF/A-2b twin of a PDF
    DOCX = "docx"
    SUMMARY_XLSX = "xlsx"
    CHART_SVG = "svg"
    FORM_XLSX = "form-xlsx"
    MARKED_XLSX = "marked-xlsx"  # a unit's own workbook with its issues marked (pipeline.feedback)
    REGISTER_XLSX = "register-xlsx"
    JSON = "json"
    PAGE = "html"
    SUMS = "sums"
    BUNDLE = "bundle"  # a copy of a document in a recipient's folder or zip
    SIGNED = "signed"  # a published PDF with its digital signatures appended (make sign)


class Kind(StrEnum):
    """What a document is, as distribution.yaml and the register name it."""

    REPORT = "report"
    SUMMARY = "summary"
    CHART = "chart"
    NOTICE = "notice"
    SLIP = "slip"
    REMINDER = "reminder"
    MARKED = "marked"
    FORM = "form"
    DATA = "data"
    PAGE = "page"
    ARCHIVE = "archive"
    BUNDLE = "bundle"
    REGISTER = "register"
    SIGNED = "signed"


KIND_LABELS: dict[Kind, str] = {
    Kind.REPORT: "Báo cáo",
    Kind.SUMMARY: "Biểu tổng hợp",
    Kind.CHART: "Biểu đồ",
    Kind.NOTICE: "Thông báo",
    Kind.SLIP: "Phiếu kiểm tra",
    Kind.REMINDER: "Công văn đôn đốc",
    Kind.MARKED: "Biểu mẫu đánh dấu lỗi",
    Kind.FORM: "Biểu mẫu",
    Kind.DATA: "Số liệu",
    Kind.PAGE: "Trang tình hình",
    Kind.ARCHIVE: "Bản lưu trữ",
    Kind.BUNDLE: "Bộ văn bản gửi",
    Kind.REGISTER: "Sổ gửi văn bản",
    Kind.SIGNED: "Bản ký số",
}
DISTRIBUTED_KINDS = (Kind.REPORT, Kind.SUMMARY, Kind.NOTICE, Kind.SLIP)  # what distribution.yaml may address
# What `make feedback` sends each unit while the year's workbooks are still being checked: its slip and its
# own workbook marked (units that sent one), or a reminder (units that sent nothing, or late).
FEEDBACK_KINDS = (Kind.SLIP, Kind.MARKED, Kind.REMINDER)
SIGNED_KINDS = (Kind.REPORT, Kind.NOTICE, Kind.SLIP, Kind.REMINDER)  # the PDFs `make sign` signs

# Groups of the status page's file list, in the order shown; a file no group claims goes last.
GROUP_REPORT, GROUP_NOTICES, GROUP_SLIPS, GROUP_REMINDERS, GROUP_SIGNED, GROUP_DATA, GROUP_FORMS = (
    "Báo cáo", "Thông báo", "Phiếu kiểm tra", "Công văn đôn đốc", "Bản ký số", "Số liệu", "Biểu mẫu")
OTHER_GROUP = "Tệp khác"
GROUPS = (GROUP_REPORT, GROUP_NOTICES, GROUP_SLIPS, GROUP_REMINDERS, GROUP_SIGNED, GROUP_DATA, GROUP_FORMS,
          OTHER_GROUP)

_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Output:
    """One family of published files."""

    pattern: str  # relative to the year folder; {year}, {code} (a unit), {name}, {slug}, {attachment}
    kind: Kind
    owner: Command
    format: Format
    template: str = ""  # in templates/ (HTML) or templates/docx/ (Word)
    label: str = ""  # on the status page: may use {year}, {next_year}; "" = the file's name, or the unit's name
    group: str = ""  # the status page's group; "" = not listed there
    counted: str = ""  # the console's words for a folder of them: "thông báo gửi các đơn vị"

    def path(self, **fields: object) -> str:
        """The published path: `NOTICE_PDF.path(code="HB")` → "thong-bao/HB.pdf"."""
        return self.pattern.format(**fields)

    @cached_property
    def prefix(self) -> str:
        """What every file of the family starts with: its folder, or its name up to the first field."""
        return self.pattern.split("{", 1)[0]

    @cached_property
    def folder(self) -> str:
        """The folder of a family of per-unit files ("thong-bao"), "" for files at the top."""
        parent = PurePosixPath(self.pattern).parent.as_posix()
        return "" if parent == "." else parent

    @property
    def per_unit(self) -> bool:
        return "{code}" in self.pattern

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        parts = _FIELD.split(self.pattern)
        # split alternates literal text and field names: literal, field, literal, …
        body = "".join(re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts))
        return re.compile(body)

    def match(self, path: str) -> dict[str, str] | None:
        """The fields of `path` if it is one of this family's files ("thong-bao/HB.pdf" → {"code": "HB"})."""
        found = self._regex.fullmatch(path)
        return found.groupdict() if found else None


# --- report: the documents of the year ---------------------------------------------------
REPORT_PDF = Output("bao-cao-{year}.pdf", Kind.REPORT, Command.REPORT, Format.PDF, "bao-cao.html.j2",
                    "Báo cáo kết quả thực hiện năm {year}, phương hướng, nhiệm vụ năm {next_year}", GROUP_REPORT)
REPORT_DOCX = Output("bao-cao-{year}.docx", Kind.REPORT, Command.REPORT, Format.DOCX, "bao-cao.docx",
                     REPORT_PDF.label, GROUP_REPORT)
SUMMARY_XLSX = Output("tong-hop-{year}.xlsx", Kind.SUMMARY, Command.REPORT, Format.SUMMARY_XLSX, "",
                      "Biểu tổng hợp kết quả năm {year}", GROUP_REPORT)
CHART_SVG = Output("bieu-do.svg", Kind.CHART, Command.REPORT, Format.CHART_SVG, "",
                   "Biểu đồ tỉ lệ thực hiện so với kế hoạch năm {year}", GROUP_REPORT)
TREND_CHART_SVG = Output("bieu-do-cac-nam.svg", Kind.CHART, Command.REPORT, Format.CHART_SVG, "",
                         "Biểu đồ kết quả thực hiện các năm", GROUP_REPORT)
NOTICE_PDF = Output("thong-bao/{code}.pdf", Kind.NOTICE, Command.REPORT, Format.PDF, "thong-bao.html.j2",
                    group=GROUP_NOTICES, counted="thông báo gửi các đơn vị")
NOTICE_DOCX = Output("thong-bao/{code}.docx", Kind.NOTICE, Command.REPORT, Format.DOCX, "thong-bao.docx",
                     group=GROUP_NOTICES, counted=NOTICE_PDF.counted)
TOTALS_DATA = Output("data/tong-hop.json", Kind.DATA, Command.REPORT, Format.JSON,
                     label="Số liệu tổng hợp theo đơn vị và chỉ tiêu", group=GROUP_DATA)
# --- validate (and report): what was read and what is wrong ------------------------------
ISSUES_DATA = Output("data/kiem-tra.json", Kind.DATA, Command.VALIDATE, Format.JSON,
                     label="Danh sách lỗi và cảnh báo", group=GROUP_DATA)
LEDGER_DATA = Output("data/tep-nhan.json", Kind.DATA, Command.VALIDATE, Format.JSON,
                     label="Các tệp đã nhận: đã đọc, bỏ qua, bị từ chối", group=GROUP_DATA)
SLIP_PDF = Output("phieu-kiem-tra/{code}.pdf", Kind.SLIP, Command.VALIDATE, Format.PDF, "phieu-kiem-tra.html.j2",
                  group=GROUP_SLIPS, counted="phiếu kiểm tra gửi các đơn vị")
# Each unit's own workbook sent back with every issue marked on its cell, when it has open issues.
MARKED_XLSX = Output("phan-hoi/{code}.xlsx", Kind.MARKED, Command.VALIDATE, Format.MARKED_XLSX, group=GROUP_SLIPS,
                     counted="biểu mẫu đánh dấu lỗi trả lại các đơn vị")
# A letter to each unit that sent nothing, or sent late (công văn đôn đốc).
REMINDER_PDF = Output("don-doc/{code}.pdf", Kind.REMINDER, Command.VALIDATE, Format.PDF, "don-doc.html.j2",
                      group=GROUP_REMINDERS, counted="công văn đôn đốc gửi các đơn vị")
REMINDER_DOCX = Output("don-doc/{code}.docx", Kind.REMINDER, Command.VALIDATE, Format.DOCX, "don-doc.docx",
                       group=GROUP_REMINDERS, counted=REMINDER_PDF.counted)
SITE_PAGE = Output("index.html", Kind.PAGE, Command.VALIDATE, Format.PAGE, "index.html.j2")
RENDER_KEYS = Output("data/khoa-van-ban.json", Kind.DATA, Command.VALIDATE, Format.JSON, group=GROUP_DATA)
# --- written by every command ------------------------------------------------------------
SUMS = Output("SHA256SUMS", Kind.DATA, Command.REPORT, Format.SUMS,
              label="Mã kiểm tra SHA-256 của các tệp", group=GROUP_DATA)
# --- forms -------------------------------------------------------------------------------
FORM_XLSX = Output("bieu-mau/{code}.xlsx", Kind.FORM, Command.FORMS, Format.FORM_XLSX, group=GROUP_FORMS)
# --- distribute --------------------------------------------------------------------------
ARCHIVE_PDF = Output("luu-tru/{name}", Kind.ARCHIVE, Command.DISTRIBUTE, Format.PDFA)
BUNDLE_FILE = Output("gui/{slug}/{attachment}", Kind.BUNDLE, Command.DISTRIBUTE, Format.BUNDLE)
BUNDLE_ZIP = Output("gui/{slug}.zip", Kind.BUNDLE, Command.DISTRIBUTE, Format.BUNDLE)
REGISTER_XLSX = Output("so-gui-van-ban-{year}.xlsx", Kind.REGISTER, Command.DISTRIBUTE, Format.REGISTER_XLSX)
REGISTER_DATA = Output("data/so-gui.json", Kind.REGISTER, Command.DISTRIBUTE, Format.JSON)
SENT_LOG = Output("data/da-gui.json", Kind.REGISTER, Command.DISTRIBUTE, Format.JSON)
# --- sign --------------------------------------------------------------------------------
SIGNED_PDF = Output("ky-so/{name}", Kind.SIGNED, Command.SIGN, Format.SIGNED, group=GROUP_SIGNED,
                    counted="văn bản đã ký số")
SIGNED_SUMS = Output("ky-so/SHA256SUMS", Kind.SIGNED, Command.SIGN, Format.SUMS,
                     label="Mã kiểm tra SHA-256 của các bản ký số", group=GROUP_SIGNED)
SIGNED_DATA = Output("data/ky-so.json", Kind.DATA, Command.SIGN, Format.JSON,
                     label="Các bản ký số: văn bản được ký, người ký, thời điểm ký", group=GROUP_DATA)

CATALOGUE: tuple[Output, ...] = (
    REPORT_PDF, REPORT_DOCX, SUMMARY_XLSX, CHART_SVG, TREND_CHART_SVG, NOTICE_PDF, NOTICE_DOCX, TOTALS_DATA,
    ISSUES_DATA, LEDGER_DATA, SLIP_PDF, MARKED_XLSX, REMINDER_PDF, REMINDER_DOCX, SITE_PAGE, RENDER_KEYS, SUMS,
    FORM_XLSX, ARCHIVE_PDF, BUNDLE_FILE, BUNDLE_ZIP, REGISTER_XLSX, REGISTER_DATA, SENT_LOG, SIGNED_SUMS, SIGNED_DATA,
    SIGNED_PDF,
)
# The data files the status page lists, in the order it lists them (the render keys are listed by name only).
LISTED_DATA = tuple(o.pattern for o in CATALOGUE if o.group == GROUP_DATA and o.label)
IN_ZIP = " › "  # a file inside a zip-only bundle, as the register names it: "gui/x.zip › thong-bao-2016-HB.pdf"


def find(path: str) -> tuple[Output, dict[str, str]] | None:
    """The family `path` belongs to and its fields, or None for a file no entry declares."""
    for output in CATALOGUE:
        fields = output.match(path)
        if fields is not None:
            return output, fields
    return None


def owner(path: str) -> Command:
    """The command that rewrites `path`: the entry whose folder or name prefix it has, else report."""
    for output in CATALOGUE:
        if output.owner is not Command.REPORT and path.startswith(output.prefix):
            return output.owner
    return Command.REPORT


def keeps(command: Command, path: str) -> bool:
    """Whether a run of `command` carries `path` over from the folder it replaces.

    report rewrites the documents and what validate owns; validate, forms and
    distribute rewrite only their own part (the page and the render keys are
    rebuilt by every run from the whole folder).
    """
    held = owner(path)
    if command is Command.REPORT:
        return held in (Command.FORMS, Command.DISTRIBUTE, Command.SIGN)
    return held is not command


def distributed(path: str) -> bool:
    """Whether `path` is part of the distribution (bundles, archive, register, sent log)."""
    return owner(path) is Command.DISTRIBUTE


def archival(path: str) -> str:
    """The archival PDF/A copy of a published PDF: "thong-bao/HB.pdf" → "luu-tru/thong-bao/HB.pdf"."""
    return ARCHIVE_PDF.path(name=path)


def signed(path: str) -> str:
    """The signed copy of a published PDF: "thong-bao/HB.pdf" → "ky-so/thong-bao/HB.pdf"."""
    return SIGNED_PDF.path(name=path)


def signable(path: str) -> bool:
    """Whether `path` is a published PDF that `make sign` signs (report, notice, slip, reminder)."""
    found = find(path)
    return found is not None and found[0].format is Format.PDF and found[0].kind in SIGNED_KINDS


def attachment_name(path: str, year: int) -> str:
    """A published path as one flat, self-describing file name: thong-bao/HB.pdf → thong-bao-2016-HB.pdf."""
    parts = PurePosixPath(path).parts
    if len(parts) == 1:
        return path
    return f"{'-'.join(parts[:-1])}-{year}-{parts[-1]}"


def bundle_file(slug: str, attachment: str, folder: bool) -> str:
    """Where a recipient's bundle holds a file: in its folder, or inside its zip (as the register says)."""
    if folder:
        return BUNDLE_FILE.path(slug=slug, attachment=attachment)
    return f"{BUNDLE_ZIP.path(slug=slug)}{IN_ZIP}{attachment}"


def group_of(path: str) -> str:
    """The status page group of a published file: its family's, else that of its folder's families."""
    found = find(path)
    if found is not None and found[0].group:
        return found[0].group
    folder = PurePosixPath(path).parent.as_posix()
    folder = "" if folder == "." else folder
    return next((o.group for o in CATALOGUE if o.group and o.folder == folder), OTHER_GROUP)


@cache
def unit_folders() -> tuple[str, ...]:
    """The folders of per-unit documents: thong-bao, phieu-kiem-tra, don-doc, bieu-mau."""
    return tuple(dict.fromkeys(o.folder for o in CATALOGUE if o.per_unit))


def bundle_folder(slug: str) -> str:
    """A recipient's folder of documents: "gui/quan-uy-hong-bang/"."""
    return BUNDLE_FILE.path(slug=slug, attachment="")


# Under OUTPUT, apart from the year folders and never published: workbooks read before (see io.parsed).
READ_CACHE = ".cache/bieu-mau"
# OUTPUT/.cache/cau-hinh holds the parsed config files (pipeline.settings.parsed: settings lie below core).
# Sheets of the summary workbook kept as zip parts between runs (see io.sheet_parts).
SHEET_CACHE = ".cache/trang-tinh"
# Documents' kept parts (the report's list of new organisations) as PDFs between runs (see io.pdf_parts).
PDF_PART_CACHE = ".cache/phan-pdf"
# The DOCX's chart pictures as PNGs between runs, so a rerun whose charts are unchanged imports no matplotlib
# (see io.chart_images).
CHART_IMAGE_CACHE = ".cache/hinh-bieu-do"
