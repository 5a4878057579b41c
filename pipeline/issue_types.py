"""The catalogue of issue types: every issue code declared once, as frictionless-py keeps its errors.

Each type is a small declaration: a stable English kebab-case code (the `rule`
of kiem-tra.json), a severity, a Vietnamese title, a Vietnamese message
template with named fields, and a short Vietnamese description. Code that
finds a problem names the type and fills the fields:

    yield COUNT_TOO_LARGE.at(sub.file, unit=…, sheet=…, cell=…, what=…, value=…, limit=…)

Where one code says different things in different cases (a tax code that lost
its leading 0, or is simply wrong), each wording is a variant of the type:
same code and severity, its own template. A field may hold a phrase built by
the caller (a Vietnamese number, a list of names, the problem a cell value
has); the template says where it goes. `{reason!u}` puts a field with its first
letter in upper case, so that a reason written for the input ledger opens a
sentence in the issue.

Two kinds of issue have codes that are not declared here: the rules of
config/rules.yaml (their codes, severities and messages are that file's own
catalogue; see `configured`), and the refusal of a file of another year, which
keeps its refusal code as a warning (see `refused_elsewhere`).

This module imports nothing from the pipeline but `issues`, so that core and
I/O can both use it. `reference()` writes the catalogue as Markdown.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.issues import Issue, Severity

LOCATION = ("file", "unit", "sheet", "cell")  # where an issue is: never a template field


class _Formatter(string.Formatter):
    """str.format with one more conversion: `!u`, the first letter in upper case."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "u":
            text = str(value)
            return text[:1].upper() + text[1:]
        return super().convert_field(value, conversion)


_FORMAT = _Formatter()


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: Severity
    title: str  # Vietnamese, a few words
    template: str  # Vietnamese; {field} as str.format, {field!u} capitalised
    description: str  # Vietnamese: when it happens and what the unit should do
    variant: str = ""  # "" for the type itself; else the case this wording is for

    @property
    def fields(self) -> tuple[str, ...]:
        """The template's field names, in order of first use."""
        names = (name for _, name, _, _ in _FORMAT.parse(self.template) if name is not None)
        return tuple(dict.fromkeys(names))

    def message(self, **fields: object) -> str:
        """The Vietnamese message; every field of the template, and no other, must be given."""
        if set(fields) != set(self.fields):
            raise TypeError(f"{self.code}{'/' + self.variant if self.variant else ''}: fields {sorted(fields)}, "
                            f"template needs {sorted(self.fields)}")
        return _FORMAT.vformat(self.template, (), fields)

    def at(self, file: str, *, unit: str = "", sheet: str = "", cell: str = "", **fields: object) -> Issue:
        """The issue of this type in `file`, located to the unit, sheet and cell."""
        return Issue(file, unit, sheet, cell, self.code, self.severity, self.message(**fields))


TYPES: list[IssueType] = []  # every type, in declaration order (the order of the reference)
VARIANTS: list[IssueType] = []  # every other wording of a declared type


def _declare(code: str, severity: Severity, title: str, template: str, description: str) -> IssueType:
    kind = IssueType(code, severity, title, template, description)
    TYPES.append(kind)
    return kind


def _variant(of: IssueType, name: str, template: str) -> IssueType:
    kind = IssueType(of.code, of.severity, of.title, template, of.description, name)
    VARIANTS.append(kind)
    return kind


# --- files that cannot be read (the input walk and the reader) ---------------------

UNREADABLE_FILE = _declare(
    "unreadable-file", "error", "Không đọc được tệp",
    "Không đọc được tệp: {reason}",
    "Tệp không mở hoặc không đọc được (hỏng, đặt mật khẩu, quá lớn, không có quyền đọc…); lý do ghi ngay sau.")
UNREADABLE_FOLDER = _declare(
    "unreadable-folder", "error", "Không đọc được thư mục",
    "{reason!u}",
    "Một thư mục trong thư mục biểu mẫu không đọc được hoặc lồng quá sâu: các biểu mẫu bên trong chưa được tính.")
SPECIAL_FILE = _declare(
    "special-file", "error", "Không phải tệp thông thường",
    "{reason!u}",
    "Ống dẫn, thiết bị hoặc socket nằm trong thư mục biểu mẫu; không bao giờ được mở.")
UNSUPPORTED_FORMAT = _declare(
    "unsupported-format", "error", "Định dạng không đọc được",
    "{reason!u}",
    "Tệp .xlsb, tệp mẫu, .csv, tệp Numbers hay tệp nén thay cho bảng tính; lý do nói cách lưu lại.")
BROKEN_LINK = _declare(
    "broken-link", "error", "Liên kết hỏng",
    "{reason!u}",
    "Liên kết trỏ tới một tệp không còn.")
LINK_OUTSIDE_INPUT = _declare(
    "link-outside-input", "error", "Liên kết ra ngoài thư mục biểu mẫu",
    "{reason!u}",
    "Liên kết trỏ ra ngoài thư mục biểu mẫu; chương trình không đọc theo.")
REFUSALS = {kind.code: kind for kind in
            (UNREADABLE_FILE, UNREADABLE_FOLDER, SPECIAL_FILE, UNSUPPORTED_FORMAT, BROKEN_LINK, LINK_OUTSIDE_INPUT)}
ELSEWHERE = "{refused} (tệp của năm {named}, không tính vào năm {year})"

# --- which year a workbook stands for (the ledger) ----------------------------------

MISPLACED_WORKBOOK = _declare(
    "misplaced-workbook", "warning", "Tệp nằm ở chỗ của năm khác",
    "Tệp {reason}. Nếu đây là số liệu năm {named}, sửa «Năm báo cáo» thành {named}; nếu là bản chép của năm "
    "{year}, chuyển hoặc xoá tệp",
    "Tệp ghi một năm nhưng nằm trong thư mục (hoặc mang tên) của năm khác, trong khi đơn vị đã có tệp của năm đó; "
    "tệp không được tính.")
YEAR_MISMATCH = _declare(
    "year-mismatch", "warning", "Năm ghi trong tệp khác năm ở tên tệp",
    "Tệp ghi «Năm báo cáo» {stated} nhưng tên tệp hoặc thư mục mang năm {named}: được tính là biểu mẫu năm "
    "{year}; kiểm tra lại đúng năm chưa",
    "«Năm báo cáo» trong tệp khác năm mang ở tên tệp hoặc thư mục; tệp được tính theo năm ghi trong tệp.")
YEAR_MISMATCH_ELSEWHERE = _variant(
    YEAR_MISMATCH, "counted-elsewhere",
    "Tệp ghi «Năm báo cáo» {stated} nhưng tên tệp hoặc thư mục mang năm {named}: tệp được tính cho năm {stated}, "
    "không phải năm {year}. Nếu đây là số liệu năm {year} (ví dụ chép từ tệp năm trước), sửa «Năm báo cáo» thành "
    "{year} rồi gửi lại")

# --- reading a workbook (parse, text) ------------------------------------------------

LEGACY_ENCODING = _declare(
    "legacy-encoding", "warning", "Chữ gõ bằng bảng mã cũ",
    "Chữ gõ bằng bảng mã cũ {encoding} đã được chuyển sang Unicode: «{typed}» → «{converted}»; đề nghị gõ lại "
    "bằng Unicode",
    "Ô có chữ gõ bằng phông TCVN3 hoặc VNI; chương trình đã chuyển sang Unicode.")
HIDDEN_CHARACTER = _declare(
    "hidden-character", "warning", "Ký tự ẩn",
    "Có {count} ký tự điều khiển hoặc ký tự ẩn ({codes}), có thể làm chữ in ra bị đảo chiều hoặc sai; đã bỏ, "
    "nội dung còn lại: «{preview}»",
    "Ô có ký tự điều khiển hoặc ký tự ẩn (thường do chép từ trang web); đã được bỏ.")
UNDRAWABLE_CHARACTER = _declare(
    "undrawable-character", "warning", "Ký tự phông chữ không in được",
    "Phông chữ {family} của văn bản không in được {count} ký tự ({codes}), như biểu tượng cảm xúc hay chữ nước "
    "ngoài; đã thay bằng «{replacement}», nội dung in ra: «{preview}»; đề nghị gõ lại bằng chữ tiếng Việt",
    "Ô có ký tự mà phông chữ của văn bản không có; ký tự đó được thay khi in.")
TEXT_TOO_LONG = _declare(
    "text-too-long", "warning", "Nội dung quá dài",
    "Nội dung dài {length} ký tự, quá giới hạn {limit} ký tự; đã cắt, chỉ giữ {limit} ký tự đầu: «{preview}»",
    "Ô có nội dung dài hơn giới hạn trong cấu hình; phần thừa bị cắt.")
FORMULA_NO_VALUE = _declare(
    "formula-no-value", "error", "Công thức chưa có giá trị",
    "Ô {ref}{named} {problem}",
    "Ô có công thức nhưng tệp được lưu mà chưa tính giá trị; mở tệp bằng Excel hoặc LibreOffice, lưu lại.")
FORMULA_ERROR = _declare(
    "formula-error", "error", "Lỗi công thức",
    "Ô {ref}{named} {problem}",
    "Công thức của ô cho giá trị lỗi (#N/A, #DIV/0!…); sửa công thức hoặc gõ thẳng số liệu.")
MISSING_SHEET = _declare(
    "missing-sheet", "error", "Thiếu trang tính",
    "Thiếu trang tính «{name}» (các trang có trong tệp: {names})",
    "Tệp không có trang tính của biểu mẫu (ThongTin, TongHop, DanhSach).")
AMBIGUOUS_SHEET = _declare(
    "ambiguous-sheet", "error", "Nhiều trang tính cùng tên",
    "Có {count} trang tính cùng có thể là trang «{name}»: {names}; không biết đọc trang nào. Xoá hoặc đổi tên các "
    "trang thừa, chỉ để lại một trang «{name}»",
    "Hai trang tính trở lên có tên giống nhau như nhau; không trang nào được đọc.")
IGNORED_SHEET = _declare(
    "ignored-sheet", "warning", "Trang tính không được đọc",
    "Trang tính «{other}»{hidden} có tên gần giống «{name}» nhưng không được đọc: số liệu lấy ở trang «{read}». "
    "Nếu «{other}» là bản nháp, hãy xoá nó",
    "Một trang tính có tên gần giống trang của biểu mẫu (thường là bản nháp); số liệu lấy ở trang đúng tên.")
MISSING_LABEL = _declare(
    "missing-label", "error", "Không tìm thấy nhãn",
    "Không tìm thấy nhãn «{label}»",
    "Trang thông tin chung thiếu một nhãn bắt buộc, nên không biết giá trị nằm ở ô nào.")
MISSING_VALUE = _declare(
    "missing-value", "error", "Chưa điền",
    "Chưa điền «{label}»",
    "Ô bắt buộc còn trống.")
MISSING_ACTUAL = _variant(
    MISSING_VALUE, "actual",
    "Chưa điền «Thực hiện» của chỉ tiêu {indicator}")
BAD_YEAR = _declare(
    "bad-year", "error", "Năm báo cáo không hợp lệ",
    "«{label}» phải là năm, ví dụ 2016 (đang ghi: «{typed}»)",
    "«Năm báo cáo» không phải là một năm.")
BAD_DATE = _declare(
    "bad-date", "error", "Ngày không hợp lệ",
    "«{label}» {problem}",
    "Ô ngày không đọc được thành ngày/tháng/năm.")
BAD_NUMBER = _declare(
    "bad-number", "error", "Số không hợp lệ",
    "«{label}» {problem}",
    "Ô số không phải là số nguyên không âm (chữ, số thập phân, số âm, ngày…); lý do nói cách sửa.")
MISSING_HEADER = _declare(
    "missing-header", "error", "Không tìm thấy dòng tiêu đề",
    "Không tìm thấy dòng tiêu đề bảng có đủ các cột {labels}",
    "Bảng không có dòng tiêu đề với đủ các cột bắt buộc; không dòng nào của bảng được đọc.")
MISSING_CODE = _declare(
    "missing-code", "error", "Thiếu mã chỉ tiêu",
    "Dòng có số liệu nhưng thiếu «Mã chỉ tiêu»",
    "Một dòng của Biểu số 01 có số liệu nhưng không có mã chỉ tiêu; dòng đó không được tính.")

# --- one submission against the config (checks) --------------------------------------

UNKNOWN_UNIT = _declare(
    "unknown-unit", "error", "Mã đơn vị không có trong danh sách",
    "Mã đơn vị «{code}» không có trong danh sách {known}",
    "Mã đơn vị ghi trong tệp không có trong config/units.yaml.")
INACTIVE_UNIT = _declare(
    "inactive-unit", "error", "Đơn vị không báo cáo năm này",
    "Đơn vị {unit_name} không còn (hoặc chưa) là đơn vị báo cáo trong năm {year}",
    "Đơn vị đã giải thể, sáp nhập hoặc chưa thành lập trong năm báo cáo.")
UNKNOWN_INDICATOR = _declare(
    "unknown-indicator", "error", "Mã chỉ tiêu không có trong danh mục",
    "Mã chỉ tiêu «{indicator}» không có trong danh mục chỉ tiêu",
    "Biểu số 01 có mã chỉ tiêu không có trong config/indicators.yaml.")
DUPLICATE_INDICATOR = _declare(
    "duplicate-indicator", "error", "Chỉ tiêu ghi nhiều dòng",
    "Chỉ tiêu {indicator} được ghi ở nhiều dòng",
    "Một mã chỉ tiêu có ở hai dòng trở lên của Biểu số 01.")
MISSING_INDICATOR = _declare(
    "missing-indicator", "error", "Thiếu dòng chỉ tiêu",
    "Thiếu dòng chỉ tiêu «{name}» (mã chỉ tiêu {indicator})",
    "Biểu số 01 không có dòng của một chỉ tiêu trong danh mục.")
PLAN_MISMATCH = _declare(
    "plan-mismatch", "warning", "Kế hoạch khác số được giao",
    "Kế hoạch chỉ tiêu {indicator} ghi {plan}, khác số được giao {assigned}; báo cáo dùng số được giao",
    "Cột «Kế hoạch năm» khác chỉ tiêu được giao trong config/targets.yaml; báo cáo dùng số được giao.")
LIST_COUNT_MISMATCH = _declare(
    "list-count-mismatch", "error", "Số liệu khác danh sách",
    "Chỉ tiêu {indicator} ghi {actual} nhưng Biểu số 02 liệt kê {listed} tổ chức loại {types}",
    "Số «Thực hiện» của Biểu số 01 khác số tổ chức cùng loại liệt kê ở Biểu số 02.")
UNKNOWN_ORG_TYPE = _declare(
    "unknown-org-type", "error", "Loại tổ chức không hợp lệ",
    "«Loại tổ chức» phải là một trong: {allowed} (đang ghi: «{typed}»)",
    "Cột «Loại tổ chức» của Biểu số 02 không thuộc các loại trong cấu hình.")
BAD_TAX_CODE = _declare(
    "bad-tax-code", "error", "Mã số thuế không hợp lệ",
    "Mã số thuế «{tax_code}» không hợp lệ (10 hoặc 13 chữ số, đúng số kiểm tra)",
    "Mã số thuế không đúng 10 hoặc 13 chữ số hoặc sai số kiểm tra; mã mất số 0 ở đầu (ô định dạng Số) được "
    "chỉ ra cách sửa.")
BAD_TAX_CODE_LOST_ZERO = _variant(
    BAD_TAX_CODE, "lost-zero",
    "Mã số thuế «{tax_code}» chỉ có {digits} chữ số: có lẽ đã mất số 0 ở đầu vì ô đang định dạng Số; hãy định "
    "dạng ô là Văn bản (Text) rồi gõ lại «{fixed}» (là mã hợp lệ)")
BAD_TAX_CODE_LOST_ZERO_STILL_BAD = _variant(
    BAD_TAX_CODE, "lost-zero-still-bad",
    "Mã số thuế «{tax_code}» chỉ có {digits} chữ số: có lẽ đã mất số 0 ở đầu vì ô đang định dạng Số; hãy định "
    "dạng ô là Văn bản (Text) rồi gõ lại «{fixed}» (nhưng mã này cũng không hợp lệ, hãy kiểm tra lại từng chữ số)")
UNKNOWN_LEGAL_FORM = _declare(
    "unknown-legal-form", "warning", "Loại hình doanh nghiệp lạ",
    "Loại hình doanh nghiệp «{legal_form}» không có trong danh mục",
    "Loại hình doanh nghiệp không có trong danh mục của cấu hình.")
DATE_OUTSIDE_PERIOD = _declare(
    "date-outside-period", "error", "Ngày ngoài kỳ báo cáo",
    "Ngày quyết định {date} nằm ngoài kỳ báo cáo năm {year} ({start} - {end})",
    "Ngày quyết định thành lập tổ chức không thuộc kỳ báo cáo của năm.")
COUNT_TOO_LARGE = _declare(
    "count-too-large", "error", "Số quá lớn",
    "{what} ghi {value}, vượt mức tối đa {limit}; hãy kiểm tra lại số liệu",
    "Một số vượt mức tối đa trong cấu hình (limits.max_count): thường là gõ nhầm.")
LATE_SUBMISSION = _declare(
    "late-submission", "warning", "Nộp muộn",
    "Nộp muộn: ngày lập biểu {prepared}, hạn nộp {deadline}",
    "Ngày lập biểu sau hạn nộp của năm.")

# --- the submissions of one year together (validate) ----------------------------------

NOT_SUBMITTED = _declare(
    "not-submitted", "warning", "Chưa nộp",
    "Đơn vị {unit_name} chưa nộp biểu mẫu năm {year}{note}",
    "Đơn vị báo cáo của năm không có biểu mẫu; nếu có tệp của đơn vị ghi năm khác, thông báo nêu tên tệp đó.")
DUPLICATE_COPY = _declare(
    "duplicate-copy", "warning", "Tệp trùng",
    "Tệp giống hệt tệp {same}; chỉ tính một lần",
    "Hai tệp giống hệt nhau từng byte; chỉ tính một lần.")
DUPLICATE_UNIT = _declare(
    "duplicate-unit", "error", "Đơn vị nộp nhiều biểu mẫu",
    "Đơn vị {code} có {count} biểu mẫu khác nhau: {names}; chỉ được nộp một",
    "Một đơn vị có hai biểu mẫu khác nhau cho cùng năm; không biết tính tệp nào.")
DUPLICATE_ENTERPRISE = _declare(
    "duplicate-enterprise", "error", "Doanh nghiệp được hai đơn vị báo cáo",
    "Doanh nghiệp mã số thuế {tax_code} ({org_type}) cũng được đơn vị {others} báo cáo",
    "Cùng một doanh nghiệp và loại tổ chức có trong danh sách của hai đơn vị trở lên.")

# --- the year file of config/years (report) ---------------------------------------------

STALE_TEXT = _declare(
    "stale-text", "warning", "Lời văn chép từ năm trước",
    "Lời văn trong years/{year}.yaml giống hệt năm {previous} ở khóa {keys}: viết lại cho năm {year}",
    "Phần đánh giá của năm (ưu điểm, hạn chế, nhiệm vụ) giống nguyên văn tệp của năm trước: có thể đã chép mà "
    "chưa sửa, nên lời văn nói về số liệu năm trước.")
SIGNING_DATE_OUT_OF_YEAR = _declare(
    "signing-date-out-of-year", "warning", "Ngày ký ngoài năm báo cáo",
    "Ngày ký {date} (khóa «date» trong years/{year}.yaml) nằm ngoài khoảng từ 01/01/{year} đến {latest}: "
    "kiểm tra lại, có thể đã sửa nhầm tệp của năm khác",
    "Báo cáo năm N ký trong năm N hoặc nửa đầu năm N+1; ngày khác (báo cáo năm 2016 ký ngày 28/12/2017) thường "
    "là do sửa tệp của năm trước thay cho tạo tệp mới bằng make new-year.")

ASSESSMENT_CONTRADICTS_DATA = _declare(
    "assessment-contradicts-data", "warning", "Lời đánh giá trái với số liệu",
    "Lời văn ở khóa «{key}» của years/{year}.yaml nói «{quote}» ({says}), nhưng số liệu năm {year} cho thấy "
    "khác: {facts}. Sửa lời văn cho khớp số liệu",
    "Phần đánh giá nói một chỉ tiêu tăng hay giảm so với năm trước, vượt hay chưa hoàn thành kế hoạch, trái với "
    "số liệu chung tính từ các biểu mẫu: thường là lời văn chép từ năm trước.")

DEADLINE_OUT_OF_YEAR = _declare(
    "deadline-out-of-year", "warning", "Hạn nộp ngoài năm báo cáo",
    "Hạn nộp {date} (khóa «deadline» trong years/{year}.yaml) nằm ngoài khoảng từ 01/01/{year} đến {latest}: "
    "biểu mẫu sẽ bị tính nộp muộn hay đúng hạn theo hạn của năm khác; kiểm tra lại",
    "Hạn nộp biểu mẫu của năm N nằm trong năm N hoặc nửa đầu năm N+1; hạn của năm khác thường là do chép tệp "
    "của năm trước mà chưa sửa hạn nộp.")
# --- the config a report needs (report) -------------------------------------------------
# Located to the config file to edit (unit ""): not a unit's fault, so not on its slip.

TARGETS_MISSING = _declare(
    "targets-missing", "error", "Chưa có chỉ tiêu năm sau",
    "Chưa có chỉ tiêu năm {next_year} của {unit_name} ({code}){which}: thêm vào {targets_file}, khóa "
    "«years.{next_year}.{code}»; hoặc, nếu chỉ tiêu sẽ giao sau, ghi «targets_pending: true» vào {year_file}",
    "Báo cáo năm N giao chỉ tiêu năm N+1 cho từng đơn vị: đơn vị thiếu chỉ tiêu thì báo cáo không lập (tổng "
    "chỉ tiêu của cả địa bàn sẽ thiếu). Thêm chỉ tiêu vào config/targets.yaml, hoặc ghi targets_pending: true "
    "vào config/years/N.yaml để lập báo cáo trước khi có chỉ tiêu.")
TARGETS_MISSING_YEAR = _variant(
    TARGETS_MISSING, "year",
    "Chưa có chỉ tiêu năm {next_year} của {count} đơn vị ({units}): thêm khóa «years.{next_year}» vào "
    "{targets_file}, mỗi đơn vị một dòng; hoặc, nếu chỉ tiêu sẽ giao sau, ghi «targets_pending: true» vào {year_file}")
TARGETS_PENDING = _declare(
    "targets-pending", "warning", "Chỉ tiêu năm sau sẽ giao sau",
    "Chỉ tiêu năm {next_year} chưa giao cho {count} đơn vị ({units}) và {year_file} ghi «targets_pending: true»: "
    "báo cáo và thông báo ghi «Chỉ tiêu năm {next_year} … sẽ được giao sau»; khi có chỉ tiêu, thêm vào {targets_file} "
    "rồi lập lại báo cáo",
    "Báo cáo được lập trước khi giao chỉ tiêu năm sau, theo lựa chọn targets_pending trong config/years/N.yaml; "
    "văn bản nói rõ chỉ tiêu sẽ được giao sau.")

# --- the previous year's figures (report) ------------------------------------------------

NO_PREVIOUS_FIGURES = _declare(
    "no-previous-figures", "warning", "Thiếu số liệu năm trước",
    "Chưa có số liệu năm {previous} để so sánh: không có kết quả đã công bố ({published}), không có đủ biểu "
    "mẫu hợp lệ năm {previous} trong thư mục biểu mẫu, không có năm {previous} trong config/history.yaml. Chạy "
    "make history YEAR={previous} nếu còn kết quả năm đó, hoặc ghi số liệu vào config/history.yaml",
    "Báo cáo không so sánh được với năm trước; văn bản ghi «chưa có số liệu năm trước để so sánh».")
PUBLISHED_NOT_TRUSTED = _declare(
    "published-not-trusted", "warning", "Không dùng kết quả đã công bố",
    "Không dùng kết quả đã công bố năm {previous} ({where}): {reason}; số liệu năm {previous} lấy từ: {used}",
    "Số liệu tổng hợp đã công bố của năm trước bị sửa, không khớp mã kiểm tra SHA-256, không phải của công "
    "cụ này hoặc không nhất quán; số liệu năm trước lấy từ nguồn kế tiếp (biểu mẫu, rồi config/history.yaml).")

# --- acceptance (make approve) and explanations (config/giai-trinh.yaml) --------------------

CHANGED_AFTER_APPROVAL = _declare(
    "changed-after-approval", "warning", "Tệp gửi sau khi đã duyệt",
    "Biểu mẫu của đơn vị {code} đã được duyệt ({approved}, lúc {when}); tệp «{new}» gửi sau khác bản đã duyệt "
    "nên chưa được dùng: số liệu vẫn lấy từ bản đã duyệt. Nếu chấp nhận tệp mới, chạy make approve UNIT={code} "
    "YEAR={year} (bỏ tệp cũ khỏi thư mục biểu mẫu trước, nếu còn)",
    "Đơn vị đã được duyệt biểu mẫu (make approve) rồi lại gửi tệp khác: bản đã duyệt vẫn được dùng cho đến khi "
    "văn phòng duyệt lại.")
EXPLANATION_UNMATCHED = _declare(
    "explanation-unmatched", "warning", "Giải trình không khớp cảnh báo nào",
    "Mục giải trình thứ {number} ({what}) không khớp cảnh báo nào năm {year}: có thể đơn vị đã sửa hoặc tệp "
    "giải trình đã cũ; xoá hoặc sửa mục đó",
    "Một mục trong config/giai-trinh.yaml không ứng với cảnh báo nào của lần chạy này.")
EXPLANATION_ON_ERROR = _declare(
    "explanation-on-error", "warning", "Không giải trình được lỗi",
    "Mục giải trình thứ {number} ({what}) trùng với {count} lỗi: lỗi không giải trình được, đơn vị phải sửa "
    "biểu mẫu; chỉ cảnh báo mới giải trình được",
    "Một mục trong config/giai-trinh.yaml trỏ tới một lỗi (không phải cảnh báo): lỗi vẫn tính là lỗi.")

BY_CODE: Mapping[str, IssueType] = {kind.code: kind for kind in TYPES}


def refused_elsewhere(code: str, file: str, *, reason: str, named: int | None, year: int) -> Issue:
    """A file refused with `code` that belongs to another year: its refusal, as a warning of `year`."""
    kind = REFUSALS[code]
    return Issue(file, "", "", "", kind.code, "warning",
                 ELSEWHERE.format(refused=kind.message(reason=reason), named=named, year=year))


def configured(file: str, code: str, severity: Severity, message: str, *, unit: str = "", sheet: str = "",
               cell: str = "") -> Issue:
    """An issue of a rule of config/rules.yaml: code, severity and message come from that file."""
    return Issue(file, unit, sheet, cell, code, severity, message)


def reference(severity_names: Mapping[str, str]) -> str:
    """The catalogue as a Markdown page, "Danh mục lỗi"; `severity_names` as the documents word them."""
    lines = ["# Danh mục lỗi", "",
             ("Mỗi vấn đề trong danh sách lỗi và cảnh báo có một mã (`rule`), một mức độ và lời nhắn theo mẫu "
              "dưới đây; phần trong {…} điền theo từng trường hợp. Các quy tắc của config/rules.yaml có mã, "
              "mức độ và lời nhắn riêng trong tệp đó."), ""]
    for kind in TYPES:
        lines += [f"## `{kind.code}`: {kind.title}", "", f"Mức độ: {severity_names[kind.severity]}.", "",
                  kind.description, ""]
        for wording in [kind] + [other for other in VARIANTS if other.code == kind.code]:
            lines += [f"> {wording.template}", ""]
    return "\n".join(lines).rstrip() + "\n"
