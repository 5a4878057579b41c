"""Earlier years without typing (issue 16): last year's figures come from its published results, its
workbooks or config/history.yaml, in that order, and the run says which; the trend since the first year."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import flow, yearend
from pipeline import plan as planning
from pipeline.core.catalogue import SUMS, TOTALS_DATA
from pipeline.core.documents.data import tong_hop
from pipeline.core.steps.history import published_figures, trend
from pipeline.errors import SourceError
from pipeline.io.publish import sha256sums
from pipeline.settings import load_settings
from tests.factories import CONFIG, SAMPLE_INPUT


@pytest.fixture(scope="module")
def sample():
    settings = load_settings(CONFIG)
    _, inputs, validation = planning.check(flow.Options(2016, SAMPLE_INPUT, CONFIG, Path("/nonexistent"), jobs=1))
    return settings, inputs, validation, planning.summarise(settings, inputs, validation)


def publish(root: Path, data: dict, year: int = 2016) -> Path:
    """A year folder as the publisher leaves it: tong-hop.json and its SHA256SUMS line."""
    folder = root / str(year)
    (folder / "data").mkdir(parents=True)
    content = json.dumps(data, ensure_ascii=False).encode("utf-8")
    (folder / TOTALS_DATA.path()).write_bytes(content)
    (folder / SUMS.path()).write_text(sha256sums({TOTALS_DATA.path(): hashlib.sha256(content).hexdigest()}))
    return folder


NO_INPUTS = planning.Inputs({}, [], [])


def test_published_results_come_first(sample, tmp_path):
    settings, inputs, _, totals = sample
    publish(tmp_path, tong_hop(totals))
    found = planning.find_previous(2017, inputs, settings, tmp_path)
    assert found.source == "kết quả đã công bố năm 2016 (2016/data/tong-hop.json)"
    assert found.issues == ()
    assert found.figures["HB"]["TCD"] == 2 and sum(f["TCD"] for f in found.figures.values()) == 26
    assert sorted(found.earlier) == [2015, 2016]


def test_then_the_workbooks_then_history(sample, tmp_path):
    settings, inputs, _, _ = sample
    assert planning.find_previous(2017, inputs, settings, tmp_path).source == "biểu mẫu năm 2016"
    found = planning.find_previous(2016, NO_INPUTS, settings, tmp_path)
    assert (found.source, found.issues) == ("config/history.yaml, năm 2015", ())


def test_nothing_found_is_a_warning_not_silence(sample, tmp_path):
    settings, *_ = sample
    found = planning.find_previous(2015, NO_INPUTS, settings, tmp_path)
    assert (found.figures, found.source) == ({}, "không có")
    [issue] = found.issues
    assert (issue.rule, issue.severity, issue.file) == ("no-previous-figures", "warning", "config/history.yaml")
    assert issue.message.startswith("Chưa có số liệu năm 2014 để so sánh: không có kết quả đã công bố "
                                    "(không có 2014/data/tong-hop.json)")
    assert "make history YEAR=2014" in issue.message


def test_a_tampered_published_file_is_not_trusted(sample, tmp_path):
    settings, inputs, _, totals = sample
    folder = publish(tmp_path, tong_hop(totals))
    path = folder / TOTALS_DATA.path()
    path.write_bytes(path.read_bytes().replace(b'"actual": 26', b'"actual": 62'))
    found = planning.find_previous(2017, inputs, settings, tmp_path)
    assert found.source == "biểu mẫu năm 2016"
    [issue] = found.issues
    assert issue.rule == "published-not-trusted"
    assert issue.message == ("Không dùng kết quả đã công bố năm 2016 (2016/data/tong-hop.json): mã SHA-256 không "
                             "khớp với 2016/SHA256SUMS (tệp đã bị sửa); số liệu năm 2016 lấy từ: biểu mẫu năm 2016")


def test_a_consistent_looking_forgery_is_not_trusted(sample, tmp_path):
    """Sums rewritten to match, but a unit's figure no longer adds up to the city total."""
    settings, _, _, totals = sample
    data = tong_hop(totals)
    data["units"][0]["indicators"]["TCD"]["actual"] = 9
    publish(tmp_path, data)
    found = planning.find_previous(2017, NO_INPUTS, settings, tmp_path)
    assert found.source == "không có"
    rules = [i.rule for i in found.issues]
    assert rules == ["published-not-trusted", "no-previous-figures"]
    assert "tổng chỉ tiêu TCD ghi 26, cộng các đơn vị hợp lệ được 33" in found.issues[0].message


@pytest.mark.parametrize(("change", "reason"), [
    ({"year": 2015}, "tệp ghi năm 2015, không phải năm 2016"),
    ({"provenance": {}}, "không phải tệp do công cụ này lập"),
    ({"units": [{"code": "XX", "status": "valid"}]}, "đơn vị 'XX' không có trong danh sách đơn vị năm 2016"),
])
def test_published_checks(sample, change, reason):
    settings, _, _, totals = sample
    data = {**tong_hop(totals), **change}
    result = published_figures(data, 2016, [u.code for u in settings.units_in(2016)], ["TCD", "CD", "DTN"])
    assert isinstance(result, str) and result.startswith(reason)


def test_sample_trend_2015_from_history_2016_from_workbooks(sample):
    totals = sample[3]
    data = tong_hop(totals)
    assert data["trend"]["TCD"] == [{"year": 2015, "plan": None, "actual": 24, "percent": None},
                                    {"year": 2016, "plan": 40, "actual": 26, "percent": 65}]
    assert data["trend"]["CD"][0]["actual"] == 148 and data["trend"]["CD"][1]["actual"] == 170
    hb = next(u for u in data["units"] if u["code"] == "HB")
    assert hb["trend"]["TCD"] == [{"year": 2015, "plan": None, "actual": 2, "percent": None},
                                  {"year": 2016, "plan": 3, "actual": 2, "percent": 66}]
    assert totals.trend.first_year == 2015 and totals.trend.cumulative("TCD") == 50


def test_three_year_trend_with_a_gap_and_plans():
    years = {2016: {"A": {"X": 2}, "B": {"X": 1}}, 2018: {"A": {"X": 4}}, 2017: {"A": {"X": 3}, "B": {"X": 3}}}
    plans = {2017: {"A": {"X": 3}, "B": {"X": 2}}, 2018: {"A": {"X": 8}, "B": {"X": 8}}}
    result = trend(years, plans, [("X", True)], ["A", "B"], "half-up", 0)
    assert [(p.year, p.plan, p.actual, p.percent) for p in result.city["X"]] == [
        (2016, None, 3, None), (2017, 5, 6, Decimal(120)), (2018, 8, 4, Decimal(50))]  # 2018: A only counted
    assert [(p.year, p.actual) for p in result.units["B"]["X"]] == [(2016, 1), (2017, 3), (2018, None)]
    assert result.cumulative("X") == 13


def test_the_report_says_the_cumulative_total_and_where_last_year_comes_from(sample):
    from pipeline.core.documents.report import report_context
    settings, _, _, totals = sample
    context = report_context(totals, {}, settings)
    assert context.cumulative_sentence == ("Từ năm 2015 đến nay, toàn thành phố đã thành lập được 50 tổ chức Đảng; "
                                           "318 tổ chức Công đoàn; 61 tổ chức Đoàn, hội thanh niên.")
    # The document says where without a file name; the status page and tong-hop.json name the file.
    assert context.previous_note == "Ghi chú: số liệu năm 2015 dùng để so sánh lấy từ số liệu lưu trữ kết quả năm 2015."
    assert totals.previous_source == "config/history.yaml, năm 2015"


def test_each_source_of_last_year_has_its_official_words(sample, tmp_path):
    settings, inputs, _, totals = sample
    assert planning.find_previous(2017, inputs, settings, tmp_path).wording == (
        "biểu mẫu báo cáo năm 2016 của các đơn vị")
    publish(tmp_path, tong_hop(totals))
    assert planning.find_previous(2017, inputs, settings, tmp_path).wording == "kết quả tổng hợp năm 2016 đã công bố"
    assert planning.find_previous(2015, NO_INPUTS, settings, tmp_path).wording == ""


# --- make history -----------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path):
    import shutil
    return Path(shutil.copytree(CONFIG, tmp_path / "config"))


def test_history_writes_a_year_from_the_workbooks_and_keeps_the_file(config, tmp_path):
    before = (config / "history.yaml").read_text(encoding="utf-8")
    options = flow.Options(2016, SAMPLE_INPUT, config, tmp_path / "out", jobs=1)
    done = yearend.export_history(options)
    assert done.source == f"biểu mẫu năm 2016 ({SAMPLE_INPUT})"
    assert (done.totals["TCD"], done.totals["CD"], done.totals["DTN"]) == (26, 170, 33)
    after = (config / "history.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # comments and 2015 as they were; 2016 added after
    assert "    HB: {TCD: 2, DV: 13, CD: 14, DVCD: 1445, DTN: 3, DVTN: 117}\n" in after
    settings = load_settings(config)
    assert settings.history[2016]["BLV"]["TCD"] == 0 and settings.history[2015] == load_settings(CONFIG).history[2015]
    # The 2017 report would compare with 2016 from history.yaml when 2016 is neither published nor in INPUT.
    assert planning.find_previous(2017, NO_INPUTS, settings).source == "config/history.yaml, năm 2016"


def test_history_refuses_to_overwrite_unless_forced(config, tmp_path, sample):
    options = flow.Options(2015, SAMPLE_INPUT, config, tmp_path / "out", jobs=1)
    with pytest.raises(SourceError) as refused:
        yearend.export_history(options)
    assert str(refused.value) == (f"Năm 2015 đã có trong {config / 'history.yaml'}: không ghi đè. Dùng FORCE=1 "
                                  "(make) hoặc --force (dòng lệnh) để ghi lại số liệu năm này.")
    # Forced, from a published 2016 result standing in for 2015's: the 2015 block is replaced, nothing else.
    data = {**tong_hop(sample[3]), "year": 2015}
    data["units"] = [u for u in data["units"] if u["code"] != "BLV"] + [
        {"code": "BLV", "status": "missing", "indicators": {}}]
    data["totals"] = {code: {"actual": sum(u["indicators"][code]["actual"] for u in data["units"]
                                           if u["status"] == "valid")} for code in ("TCD",)}
    publish(tmp_path / "out", data, year=2015)
    done = yearend.export_history(options, force=True)
    assert done.source.startswith("kết quả đã công bố")
    text = (config / "history.yaml").read_text(encoding="utf-8")
    assert text.count("  2015:") == 1 and "BLV" not in text.split("  2015:")[1]
    assert load_settings(config).history[2015]["HB"]["CD"] == 14


def test_make_history_target_is_documented():
    makefile = (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8")
    assert "history: $(RUN_STAMP) ## Ghi số liệu năm YEAR" in makefile
    assert "$(if $(filter 1 yes true,$(FORCE)),--force)" in makefile


def test_nq28_history_help_is_vietnamese():
    from click.testing import CliRunner

    from pipeline.cli import main
    result = CliRunner().invoke(main, ["history", "--help"])
    assert result.exit_code == 0
    assert "Ghi số liệu năm NĂM" in result.output and "--force" in result.output


def test_a_run_shows_the_untrusted_published_year_on_the_console_and_status_page(sample, tmp_path, caplog):
    """2015 published but altered: the 2016 report says so, and compares with history.yaml instead."""
    data = {**tong_hop(sample[3]), "year": 2015}
    folder = publish(tmp_path / "out", data, year=2015)
    (folder / SUMS.path()).write_text("0" * 64 + "  data/tong-hop.json\n")
    outcome = flow.report(flow.Options(2016, SAMPLE_INPUT, CONFIG, tmp_path / "out", jobs=1))
    message = ("Không dùng kết quả đã công bố năm 2015 (2015/data/tong-hop.json): mã SHA-256 không khớp với "
               "2015/SHA256SUMS (tệp đã bị sửa); số liệu năm 2015 lấy từ: config/history.yaml, năm 2015")
    assert message in caplog.text
    assert [i.message for i in outcome.validation.report.warnings] == [message]
    page = (tmp_path / "out" / "2016" / "index.html").read_text(encoding="utf-8")
    assert "mã SHA-256 không khớp" in page and "Số liệu năm 2015 lấy từ: config/history.yaml, năm 2015." in page
    published = json.loads((tmp_path / "out" / "2016" / TOTALS_DATA.path()).read_text(encoding="utf-8"))
    assert [p["actual"] for p in published["trend"]["TCD"]] == [24, 26]


def test_each_notice_shows_the_units_last_three_years(sample):
    from pipeline.core.documents.notice import notice_contexts, trend_sentence
    settings, _, _, totals = sample
    assert notice_contexts(totals, settings)["HB"].trend_sentence == (
        "Kết quả các năm 2015–2016: năm 2015: 2 tổ chức Đảng, 12 tổ chức Công đoàn, 3 tổ chức Đoàn, hội thanh niên; "
        "năm 2016: 2 tổ chức Đảng (đạt 66% kế hoạch), 14 tổ chức Công đoàn (đạt 233% kế hoạch), 3 tổ chức Đoàn, "
        "hội thanh niên (đạt 150% kế hoạch).")
    four = trend({y: {"HB": {"TCD": y - 2014}} for y in (2015, 2016, 2018)}, {2018: {"HB": {"TCD": 4}}},
                 [("TCD", True)], ["HB"], "down", 0)
    party = settings.planned_indicators()[:1]
    assert trend_sentence(four.units["HB"], party) == (
        "Kết quả các năm 2016–2018: năm 2016: 2 tổ chức Đảng; năm 2017: chưa có số liệu; "
        "năm 2018: 4 tổ chức Đảng (đạt 100% kế hoạch).")


def test_the_status_page_shows_the_trend(sample):
    from pipeline.core.documents.site import site_context
    settings, _, validation, totals = sample
    context = site_context(validation, totals, (), settings)
    assert context.trend_years == (2015, 2016)
    first = context.trend[0]
    assert (first.name, first.cells) == ("Tổ chức đảng thành lập mới", ("24", "26 (65%)"))


def test_the_summary_workbook_gains_a_sheet_of_the_years(sample):
    import io

    import openpyxl

    from pipeline.core.documents.summary import summary_context
    from pipeline.render.xlsx import render_summary_xlsx
    settings, _, _, totals = sample
    book = openpyxl.load_workbook(io.BytesIO(render_summary_xlsx(summary_context(totals, {}, settings))))
    assert book.sheetnames[-2:] == ["CacNam", "ChiTieuNamSau"]  # the years, before next year's targets
    rows = [r for r in book["CacNam"].iter_rows(values_only=True) if r[1] is not None]
    assert rows[-3:] == [
        (1, "2015", None, 24, None, None, 148, None, None, 28, None),
        (2, "2016", 40, 26, 0.65, 77, 170, 2.2, 25, 33, 1.32),
        (None, "Cộng 2015–2016", None, 50, None, None, 318, None, None, 61, None)]


def test_the_report_has_a_table_of_the_years(sample):
    from pipeline.core.documents.report import report_context
    settings, _, _, totals = sample
    context = report_context(totals, {}, settings)
    assert context.trend_caption == "Kết quả toàn thành phố các năm 2015–2016"
    assert [(r.name, r.cells[:3], r.note) for r in context.trend_rows] == [
        ("Năm 2015", ("-", "24", "-"), ""), ("Năm 2016", ("40", "26", "65%"), ""), ("Cộng 2015–2016", ("", "50", ""), "")]


# --- three years: 2015 (history), 2016 (published, then history), 2017 (workbooks) -----------------


def _restated(source: Path, target: Path, year: int) -> Path:
    """The sample's workbooks as a later year's: «Năm báo cáo» and every date moved to `year`."""
    import datetime

    import openpyxl
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for sheet in book:
            for row in sheet.iter_rows():
                for c in row:
                    if c.value == "Năm báo cáo":
                        sheet.cell(row=c.row, column=c.column + 1).value = year
                    elif isinstance(c.value, datetime.datetime) and c.value.year == 2016:
                        c.value = c.value.replace(year=year, day=min(c.value.day, 28))
        book.save(target / path.name)
    return target


def test_three_years_compare_with_the_published_year_then_with_history(config, tmp_path, sample):
    text = (config / "years" / "2016.yaml").read_text(encoding="utf-8")
    (config / "years" / "2017.yaml").write_text(text.replace("2016-12-29", "2017-12-28")
                                                .replace("2016-12-15", "2017-12-15")
                                                # no 2018 targets in the sample: publish before they are assigned
                                                .replace("targets_pending: false", "targets_pending: true"),
                                                encoding="utf-8")
    inputs_dir = tmp_path / "input"
    _restated(SAMPLE_INPUT / "2016", inputs_dir / "2017", 2017)  # the 2016 workbooks are archived
    out = tmp_path / "out"
    publish(out, tong_hop(sample[3]))
    options = flow.Options(2017, inputs_dir, config, out, jobs=1)

    run = planning.plan(options, documents=True)
    assert run.totals.previous_source == "kết quả đã công bố năm 2016 (2016/data/tong-hop.json)"
    assert [(p["year"], p["plan"], p["actual"]) for p in tong_hop(run.totals)["trend"]["TCD"]] == [
        (2015, None, 24), (2016, 40, 26), (2017, 38, 26)]
    assert not [i for i in run.validation.report.issues if i.rule.startswith(("no-previous", "published-"))]

    yearend.export_history(flow.Options(2016, inputs_dir, config, out, jobs=1))  # then the outputs are archived
    import shutil
    shutil.rmtree(out / "2016")
    run = planning.plan(options, documents=True)
    assert run.totals.previous_source == "config/history.yaml, năm 2016"
    data = tong_hop(run.totals)
    assert [(p["year"], p["actual"]) for p in data["trend"]["CD"]] == [(2015, 148), (2016, 170), (2017, 170)]
    hb = next(u for u in data["units"] if u["code"] == "HB")
    assert [p["actual"] for p in hb["trend"]["TCD"]] == [2, 2, 2]
    assert run.totals.trend.cumulative("TCD") == 76


def test_a_rule_on_last_year_reads_the_published_results_when_the_workbooks_are_archived(config, tmp_path, sample):
    """rules.yaml's CODE.previous comes from the same source as the report's comparison."""
    import yaml
    rules = yaml.safe_load((config / "rules.yaml").read_text(encoding="utf-8"))
    rules["rules"].append({"id": "tcd-grows", "left": "TCD", "operator": ">", "right": "TCD.previous",
                           "severity": "warning", "message": "Không tăng so với năm trước ({left}, {right})"})
    (config / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    inputs_dir = tmp_path / "input"
    _restated(SAMPLE_INPUT / "2016", inputs_dir / "2017", 2017)  # the 2016 workbooks are archived
    out = tmp_path / "out"
    options = flow.Options(2017, inputs_dir, config, out, jobs=1)
    fired = lambda: {i.unit for i in planning.check(options)[2].report.issues if i.rule == "tcd-grows"}  # noqa: E731
    assert fired() == set()  # nothing to compare with: the rule is skipped
    publish(out, tong_hop(sample[3]))
    assert fired() == {u.code for u in load_settings(config).units}  # the restated year repeats 2016
