"""The yearly cycle: `new-year` writes the year file with placeholders, report and forms refuse them,
the year is never guessed silently, and the year file's stale text is caught (issue 16)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from pipeline import flow
from pipeline import plan as planning
from pipeline.cli import main
from pipeline.core.steps.yearfile import year_file_issues
from pipeline.errors import ConfigError
from pipeline.settings import PLACEHOLDER, load_settings
from tests import factories
from tests.factories import CONFIG


@pytest.fixture
def config(tmp_path) -> Path:
    return Path(shutil.copytree(CONFIG, tmp_path / "config"))


@pytest.fixture
def input_2017(tmp_path) -> Path:
    """input/2016 as in the sample, and input/2017 with two workbooks that state 2017."""
    root = factories.copy_sample(tmp_path / "input")
    (root / "2017").mkdir()
    for code in ("HB", "DS"):
        factories.restate_year(Path(shutil.copy(root / "2016" / f"{code}.xlsx", root / "2017" / f"{code}.xlsx")), 2017)
    return root


def fill(path: Path, **values) -> None:
    """A clerk filling every placeholder of the year file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(date="2017-12-27", deadline="2017-12-12")
    data["numbering"] = {"report": 3, "notices": 10}
    data["signer"]["name"] = "Lê Văn Ký"
    data["assessment"] = {"strengths": ["Ưu điểm mới của năm 2017."], "weaknesses": ["Hạn chế mới."],
                          "tasks": ["Nhiệm vụ năm 2018."]}
    data.update(values)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def options(input_dir: Path, config: Path, output: Path, year: int | None = None, **kw) -> flow.Options:
    return flow.Options(year, input_dir, config, output, jobs=1, **kw)


# --- make new-year ------------------------------------------------------------------------


def test_new_year_writes_the_next_year_with_placeholders_and_comments(config):
    made = flow.new_year(config, None)
    assert made.year == 2017 and made.path == config / "years" / "2017.yaml"
    text = made.path.read_text(encoding="utf-8")
    assert text.startswith("# Văn bản của năm báo cáo 2017: tạo bằng make new-year YEAR=2017 từ years/2016.yaml.")
    assert "date: '<<CẦN ĐIỀN: ngày ký, dạng YYYY-MM-DD>>'" in text
    assert "<<CẦN ĐIỀN: hạn nộp biểu mẫu năm 2017, dạng YYYY-MM-DD>>" in text
    assert "<<CẦN ĐIỀN: họ tên người ký (năm 2016: Nguyễn Thị Nghĩa)>>" in text
    assert "# Người ký. Trưởng ban ký trực tiếp: authority để trống." in text
    assert "vẫn tăng so với năm trước" not in text, "last year's assessment is not carried over"
    data = yaml.safe_load(text)
    assert data["recipients"][0] == "Thường trực Thành ủy (để báo cáo)", "what carries over is copied"
    assert data["signer"]["title"] == "TRƯỞNG BAN"
    assert data["numbering"] == {"report": "<<CẦN ĐIỀN: số bắt đầu của dãy số báo cáo năm 2017>>",
                                 "notices": "<<CẦN ĐIỀN: số bắt đầu của dãy số thông báo năm 2017>>",
                                 "slips": "<<CẦN ĐIỀN: số bắt đầu của dãy số phiếu kiểm tra năm 2017>>",
                                 "reminders": "<<CẦN ĐIỀN: số bắt đầu của dãy số công văn đôn đốc năm 2017>>"}
    assert data["slips"]["type_code"] == "PKT" and data["reminders"]["reply_within_days"] == 5
    assert "feedback_date" not in data, "last year's checking date is not carried over: the signing date stands"
    assert data["notices"]["numbers"] == {} and "number" not in data, "numbers come from this year's sequence"
    settings = load_settings(config)  # a draft loads: the rest of the config still works
    assert 2017 in settings.drafts and 2017 not in settings.documents
    assert {"date", "deadline", "numbering.report", "numbering.notices", "signer.name",
            "assessment.strengths.0"} <= set(settings.drafts[2017].keys)


def test_new_year_never_overwrites(config):
    flow.new_year(config, 2017)
    (config / "years" / "2017.yaml").write_text("# của tôi\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"years/2017\.yaml đã có: không ghi đè"):
        flow.new_year(config, 2017)
    assert (config / "years" / "2017.yaml").read_text(encoding="utf-8") == "# của tôi\n"


def test_new_year_from_the_command_line_prints_the_checklist(config):
    result = CliRunner().invoke(main, ["new-year", "--config", str(config)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Đã tạo" in flat and "10 mục cần điền" in flat
    for step in ("Thêm chỉ tiêu năm 2018", "make forms YEAR=2017", "input/2017/", "make report"):
        assert step in flat, step
    again = CliRunner().invoke(main, ["new-year", "--year", "2017", "--config", str(config)])
    assert again.exit_code == 2 and "đã có: không ghi đè" in " ".join(again.output.split())


def test_a_draft_with_another_mistake_still_names_it(config):
    flow.new_year(config, 2017)
    path = config / "years" / "2017.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "signr: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"khóa «signr»: khóa không được phép"):
        load_settings(config)


# --- report and forms refuse placeholders -------------------------------------------------


def test_report_refuses_while_a_placeholder_remains(config, input_2017, tmp_path):
    flow.new_year(config, 2017)
    with pytest.raises(ConfigError) as caught:
        planning.check(options(input_2017, config, tmp_path / "out", 2017), documents=True)
    message = str(caught.value)
    assert f"{config / 'years' / '2017.yaml'} (năm 2017) còn 10 mục chưa điền" in message
    assert "chưa thể chạy make report YEAR=2017" in message
    for key in ("date", "deadline", "signer.name", "numbering.notices", "assessment.tasks.0"):
        assert f"khóa «{key}»" in message, key


def test_forms_refuse_a_draft_and_a_missing_year_file(config, tmp_path):
    with pytest.raises(ConfigError, match=r"cần tệp years/2017\.yaml.*make new-year YEAR=2017"):
        flow.forms(options(factories.SAMPLE_INPUT, config, tmp_path / "out", 2017))
    flow.new_year(config, 2017)
    with pytest.raises(ConfigError, match=r"chưa thể chạy make forms YEAR=2017[\s\S]*khóa «deadline»"):
        flow.forms(options(factories.SAMPLE_INPUT, config, tmp_path / "out", 2017))
    assert not (tmp_path / "out" / "2017").exists()


def test_forms_after_filling_print_the_deadline_and_default_to_the_new_year(config, tmp_path):
    flow.new_year(config, 2017)
    fill(config / "years" / "2017.yaml")
    said: list[str] = []
    year, folder, _names = flow.forms(options(factories.SAMPLE_INPUT, config, tmp_path / "out", say=said.append))
    assert year == 2017 and said == [f"Năm của biểu mẫu 2017: năm mới nhất có tệp {config / 'years' / '2017.yaml'}."]
    guide = openpyxl.load_workbook(folder / "bieu-mau" / "HB.xlsx")["ThongTin"]
    texts = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value is not None)
    assert "12/12/2017" in texts and "đúng thời hạn" not in texts


# --- the year is never guessed silently ------------------------------------------------------


def test_default_year_with_workbooks_and_no_year_file_is_an_error_for_report(config, input_2017, tmp_path):
    said: list[str] = []
    with pytest.raises(ConfigError) as caught:
        planning.check(options(input_2017, config, tmp_path / "out", say=said.append), documents=True)
    assert said == [f"Năm báo cáo 2017: năm mới nhất có biểu mẫu trong {input_2017} (2 tệp); chưa có tệp "
                    f"{config / 'years' / '2017.yaml'}."]
    assert str(caught.value).startswith(
        f"Có 2 biểu mẫu năm 2017 trong {input_2017} nhưng chưa có tệp {config / 'years' / '2017.yaml'}")
    assert "Chạy make new-year YEAR=2017" in str(caught.value)


def test_validate_checks_the_new_years_workbooks_and_says_the_year_file_is_missing(config, input_2017, tmp_path):
    said: list[str] = []
    _, _, validation = planning.check(options(input_2017, config, tmp_path / "out", say=said.append))
    assert validation.year == 2017 and validation.status["HB"] != "missing"
    assert said[1].startswith(f"Chưa có tệp {config / 'years' / '2017.yaml'}: kiểm tra vẫn chạy")


def test_an_explicit_year_says_so_and_names_the_later_workbooks(config, input_2017, tmp_path):
    said: list[str] = []
    planning.check(options(input_2017, config, tmp_path / "out", 2016, say=said.append), documents=True)
    assert said == ["Năm báo cáo 2016: chọn bằng YEAR=2016.",
                    f"Thư mục {input_2017} còn có 2 biểu mẫu năm 2017: lần chạy này (năm 2016) không xét các tệp "
                    "đó; chạy với YEAR=2017 để xét."]


def test_the_latest_year_with_workbooks_and_a_year_file(tmp_path):
    said: list[str] = []
    planning.check(options(factories.SAMPLE_INPUT, CONFIG, tmp_path / "out", say=said.append), documents=True)
    assert said == [f"Năm báo cáo 2016: năm mới nhất có biểu mẫu trong {factories.SAMPLE_INPUT} và tệp "
                    f"{CONFIG / 'years' / '2016.yaml'}."]


# --- stale text --------------------------------------------------------------------------------


def test_the_year_file_copied_from_last_year_is_warned_of(config, input_2017, tmp_path):
    shutil.copy(config / "years" / "2016.yaml", config / "years" / "2017.yaml")  # copied, date unchanged
    _, _, validation = planning.check(options(input_2017, config, tmp_path / "out"), documents=True)
    warned = {i.rule: i for i in validation.report.warnings if i.file == "years/2017.yaml"}
    assert warned["stale-text"].message == (
        "Lời văn trong years/2017.yaml giống hệt năm 2016 ở khóa «assessment.strengths», «assessment.weaknesses», "
        "«assessment.tasks»: viết lại cho năm 2017")
    assert warned["signing-date-out-of-year"].message == (
        "Ngày ký 29/12/2016 (khóa «date» trong years/2017.yaml) nằm ngoài khoảng từ 01/01/2017 đến 30/06/2018: "
        "kiểm tra lại, có thể đã sửa nhầm tệp của năm khác")
    assert warned["deadline-out-of-year"].message == (
        "Hạn nộp 15/12/2016 (khóa «deadline» trong years/2017.yaml) nằm ngoài khoảng từ 01/01/2017 đến 30/06/2018: "
        "biểu mẫu sẽ bị tính nộp muộn hay đúng hạn theo hạn của năm khác; kiểm tra lại")


def test_one_paragraph_kept_from_last_year_is_named(config):
    flow.new_year(config, 2017)
    old = yaml.safe_load((config / "years" / "2016.yaml").read_text(encoding="utf-8"))["assessment"]
    fill(config / "years" / "2017.yaml", assessment={"strengths": ["Mới.", old["strengths"][1]], "tasks": ["Mới."]})
    settings = load_settings(config)
    [issue] = year_file_issues(settings, 2017)
    assert issue.rule == "stale-text" and "ở khóa «assessment.strengths.1»:" in issue.message


def test_last_years_file_edited_in_place_is_warned_of(config):
    path = config / "years" / "2016.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2016-12-29", "date: 2017-12-28"),
                    encoding="utf-8")
    [issue] = year_file_issues(load_settings(config), 2016)
    assert issue.rule == "signing-date-out-of-year" and "Ngày ký 28/12/2017" in issue.message


def test_the_sample_year_file_has_no_warning():
    assert year_file_issues(load_settings(CONFIG), 2016) == []
    assert PLACEHOLDER not in (CONFIG / "years" / "2016.yaml").read_text(encoding="utf-8")


# --- the status page says what the year still needs ---------------------------------------


def test_the_status_page_says_what_the_year_still_needs(config):
    from pipeline.core.documents.site import year_state

    assert year_state(load_settings(config), 2016) == (
        "Tệp config/years/2016.yaml: đã điền đủ.", "Chỉ tiêu năm 2017: đã có cho cả 15 đơn vị.")
    assert year_state(load_settings(config), 2017)[0] == (
        "Chưa có tệp config/years/2017.yaml: chạy make new-year YEAR=2017 rồi điền các mục cần điền.")
    flow.new_year(config, 2017)
    draft, targets = year_state(load_settings(config), 2017)
    assert draft == ("Tệp config/years/2017.yaml còn 10 mục chưa điền (chỗ ghi «<<CẦN ĐIỀN: …>>»): chưa lập được "
                     "báo cáo.")
    assert targets == "Chỉ tiêu năm 2018: mới có 0/15 đơn vị; thêm vào config/targets.yaml trước khi lập báo cáo."
    fill(config / "years" / "2017.yaml", targets_pending=True)
    assert year_state(load_settings(config), 2017) == (
        "Tệp config/years/2017.yaml: đã điền đủ.", "Chỉ tiêu năm 2018: sẽ giao sau (đã có 0/15 đơn vị).")


def test_a_copied_assessment_that_the_figures_contradict_is_warned_of(config, tmp_path):
    """The sample's "vẫn tăng so với năm trước" kept in 2017, when only two units sent their figures."""
    root = factories.copy_sample(tmp_path / "input")
    (root / "2017").mkdir()
    plans = load_settings(config).targets[2017]
    for code in ("HB", "DS"):
        form = factories.good_form(code, 2017, party=0, unions=1, youth=1)
        lines = tuple(dataclasses.replace(line, plan=plans[code].get(line.code)) for line in form.indicators)
        factories.write(dataclasses.replace(form, indicators=lines), root / "2017" / f"{code}.xlsx")
    copied = (config / "years" / "2016.yaml").read_text(encoding="utf-8").replace("2016-12-", "2017-12-")
    (config / "years" / "2017.yaml").write_text(copied.replace("targets_pending: false", "targets_pending: true"),
                                                encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--input", str(root), "--config", str(config), "--output",
                                       str(tmp_path / "out"), "--allow-invalid"], terminal_width=400)
    made = planning.plan(options(root, config, tmp_path / "out2", allow_invalid=True), documents=True)
    said = {i.message for i in made.validation.report.warnings if i.rule == "assessment-contradicts-data"}
    assert said == {
        "Lời văn ở khóa «assessment.strengths.0» của years/2017.yaml nói «tổ chức Công đoàn, Đoàn thanh niên được "
        "thành lập vượt» (vượt kế hoạch), nhưng số liệu năm 2017 cho thấy khác: tổ chức Công đoàn: 2 tổ chức, kế "
        "hoạch 7 (28%); tổ chức Đoàn, hội thanh niên: 2 tổ chức, kế hoạch 3 (66%). Sửa lời văn cho khớp số liệu",
        "Lời văn ở khóa «assessment.strengths.0» của years/2017.yaml nói «tổ chức Đảng tuy chưa hoàn thành chỉ tiêu "
        "nhưng vẫn tăng» (tăng so với năm trước), nhưng số liệu năm 2017 cho thấy khác: tổ chức Đảng: 0 tổ chức, "
        "giảm 2 tổ chức so với năm 2016 (2). Sửa lời văn cho khớp số liệu",
    }
    assert result.exit_code == 0, result.output
    published = json.loads((tmp_path / "out" / "2017" / "data" / "kiem-tra.json").read_text(encoding="utf-8"))
    assert {i["message"] for i in published["issues"] if i["rule"] == "assessment-contradicts-data"} == said


def test_validate_warns_of_a_deadline_copied_from_last_year(config, input_2017, tmp_path):
    """The late check of validate uses the year file's deadline: a copied one is said before the report."""
    flow.new_year(config, 2017)
    fill(config / "years" / "2017.yaml", deadline="2016-12-15")
    _, _, validation = planning.check(options(input_2017, config, tmp_path / "out"))
    [issue] = [i for i in validation.report.warnings if i.file == "years/2017.yaml"]
    assert issue.rule == "deadline-out-of-year" and issue.message.startswith("Hạn nộp 15/12/2016 (khóa «deadline»")
