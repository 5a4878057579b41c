"""The status page (index.html): its context, its links, and what a real browser makes of it."""

from __future__ import annotations

import dataclasses
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.site import NO_REPORT, site_context
from pipeline.errors import InvalidDataError
from pipeline.issues import ValidationReport, error, warning
from pipeline.render.html import environment
from pipeline.render.site import render_site
from pipeline.resources import templates_dir
from tests import factories
from tests.render import browser

HOSTILE = "<script>alert(1)</script>"
CHART = (b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200" viewBox="0 0 640 200">'
         b'<rect x="20" y="40" width="400" height="40" fill="#2e8b47"/></svg>\n')


def options(output: Path, input_dir: Path = factories.SAMPLE_INPUT) -> flow.Options:
    return flow.Options(2016, input_dir, factories.CONFIG, output)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    settings, inputs, validation = planning.check(options(tmp_path_factory.mktemp("check")))
    return settings, validation, planning.summarise(settings, inputs, validation)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> flow.Outcome:
    return flow.report(options(tmp_path_factory.mktemp("site") / "out"))


@pytest.fixture(scope="module")
def page(checked, published) -> Path:
    """index.html of the sample year, written beside the documents, with a stand-in chart."""
    settings, validation, totals = checked
    (published.folder / "bieu-do.svg").write_bytes(CHART)
    documents = (*published.documents, "bieu-do.svg")
    return write_page(published.folder, site_context(validation, totals, documents, settings))


def write_page(folder: Path, context) -> Path:
    path = folder / "index.html"
    path.write_bytes(render_site(environment(templates_dir()), context))
    return path


def with_issues(validation, *issues, **changes):
    report = ValidationReport.of(validation.year, validation.report.issues + issues)
    return dataclasses.replace(validation, report=report, **changes)


class Refs(HTMLParser):
    """Every href and src, and every id, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.refs += [values[a] for a in ("href", "src") if a in values]
        if "id" in values:
            self.ids.add(values["id"])


def refs_of(path: Path) -> Refs:
    parser = Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --- the context ----------------------------------------------------------------------


def test_title_and_issuing_body(checked, published):
    settings, validation, totals = checked
    context = site_context(validation, totals, published.documents, settings)
    assert context.title == "Tình hình báo cáo thực hiện Nghị quyết 28-NQ/TU năm 2016"
    assert context.issuing_body == "BAN CHỈ ĐẠO THỰC HIỆN NGHỊ QUYẾT 28"
    assert context.no_report == ""


def test_roster_of_the_sample(checked, published):
    settings, validation, totals = checked
    roster = site_context(validation, totals, published.documents, settings).roster
    assert len(roster) == 15 and {r.status_text for r in roster} == {"hợp lệ"}
    hb = roster[0]
    assert (hb.number, hb.name, hb.errors, hb.warnings, hb.late) == ("1", "Quận Hồng Bàng", "0", "0", False)
    assert [link.href for link in hb.notice] == ["thong-bao/HB.pdf", "thong-bao/HB.docx"]
    assert [link.href for link in hb.slip] == ["phieu-kiem-tra/HB.pdf"]


def test_roster_marks_invalid_missing_and_late_units(checked, published):
    settings, validation, totals = checked
    changed = with_issues(
        validation,
        error("2016/HB.xlsx", "not-a-number", "Ô D7 phải là số", unit="HB", sheet="Biểu số 01", cell="D7"),
        warning("2016/HB.xlsx", "dvcd-not-below-cd", "Đề nghị kiểm tra lại", unit="HB", sheet="Biểu số 01", cell="D9"),
        status={**validation.status, "HB": "invalid", "NQ": "missing"},
        late=frozenset({"LC"}),
    )
    context = site_context(changed, totals, published.documents, settings)
    hb, nq, lc = context.roster[:3]
    assert (hb.status_text, hb.errors, hb.warnings, hb.issues_anchor) == ("số liệu chưa hợp lệ", "1", "1", "van-de-HB")
    assert (nq.status_text, lc.status_text, lc.late) == ("chưa nộp", "hợp lệ", True)
    assert {c.label: c.value for c in context.counts} == {
        "Đơn vị": "15", "Hợp lệ": "13", "Chưa hợp lệ": "1", "Chưa nộp": "1", "Nộp muộn": "1", "Lỗi": "1", "Cảnh báo": "1",
        "Đã giải trình": "0", "Đã duyệt": "0"}
    assert context.issues_summary == "Có 1 lỗi và 1 cảnh báo."


def test_city_totals_are_formatted_in_vietnamese(checked, published):
    settings, validation, totals = checked
    rows = site_context(validation, totals, published.documents, settings).totals
    assert [(r.name, r.plan, r.actual, r.percent, r.previous) for r in rows] == [
        ("Tổ chức đảng thành lập mới", "40", "26", "65%", "24"),
        ("Công đoàn cơ sở thành lập mới", "77", "170", "220%", "148"),
        ("Tổ chức Đoàn, Hội thanh niên thành lập mới", "25", "33", "132%", "28"),
    ]
    assert [(r.bar, r.met) for r in rows] == [(65, False), (100, True), (100, True)]


def test_issues_are_grouped_per_unit_and_unattributed_last(checked, published):
    settings, validation, totals = checked
    changed = with_issues(
        validation,
        error("la.xlsx", "unreadable-file", "Không đọc được tệp", unit=""),
        warning("2016/TL.xlsx", "late", "Nộp sau hạn", unit="TL"),
        error("2016/HB.xlsx", "bad", "Sai tổng", unit="HB", sheet="Biểu số 01", cell="E12"),
    )
    groups = site_context(changed, totals, published.documents, settings).issue_groups
    assert [(g.title, g.summary) for g in groups] == [
        ("Quận Hồng Bàng", "1 lỗi, 0 cảnh báo"), ("Huyện Tiên Lãng", "0 lỗi, 1 cảnh báo"),
        ("Chưa xác định được đơn vị", "1 lỗi, 0 cảnh báo")]
    row = groups[0].rows[0]
    assert (row.file, row.sheet, row.cell, row.severity, row.message) == ("2016/HB.xlsx", "Biểu số 01", "E12", "Lỗi", "Sai tổng")
    assert groups[1].rows[0].severity == "Cảnh báo"


def test_documents_are_grouped_and_twins_share_an_entry(checked, published):
    settings, validation, totals = checked
    documents = tuple(dict.fromkeys((*published.documents, "bao-cao-2016.docx", "thong-bao/HB.docx", "tong-hop-2016.xlsx", "bieu-do.svg", "bieu-mau/HB.xlsx", "SHA256SUMS", "index.html")))
    context = site_context(validation, totals, documents, settings)
    groups = {g.title: g for g in context.documents}
    assert list(groups) == ["Báo cáo", "Thông báo", "Phiếu kiểm tra", "Số liệu", "Biểu mẫu"]
    report = groups["Báo cáo"].items[0]
    assert [(link.href, link.text) for link in report.links] == [("bao-cao-2016.pdf", "PDF"), ("bao-cao-2016.docx", "DOCX")]
    assert [item.label for item in groups["Thông báo"].items][:2] == ["Quận Hồng Bàng", "Quận Ngô Quyền"]
    assert [item.label for item in groups["Số liệu"].items] == [
        "Số liệu tổng hợp theo đơn vị và chỉ tiêu", "Danh sách lỗi và cảnh báo",
        "Các tệp đã nhận: đã đọc, bỏ qua, bị từ chối", "Mã kiểm tra SHA-256 của các tệp"]
    assert [link.href for link in context.roster[0].notice] == ["thong-bao/HB.pdf", "thong-bao/HB.docx"]
    hrefs = {link.href for g in context.documents for item in g.items for link in item.links}
    assert hrefs == set(documents) - {"index.html"}
    assert context.chart_file == "bieu-do.svg"


def test_strict_failure_context_says_no_report(checked, published):
    settings, validation, _ = checked
    context = site_context(validation, None, published.documents, settings)
    assert context.no_report == NO_REPORT == "Chưa lập báo cáo: còn lỗi trong biểu mẫu"
    assert context.totals == () and context.totals_notes == ()
    assert {g.note for g in context.documents if g.title in ("Báo cáo", "Thông báo")} == {
        "Văn bản của lần lập báo cáo trước; chưa cập nhật theo biểu mẫu hiện tại."}


# --- the rendered page ---------------------------------------------------------------


def test_every_link_resolves_inside_the_year_folder(page, published):
    refs = refs_of(page)
    files = [r for r in refs.refs if not r.startswith(("#", "data:"))]
    for ref in files:
        assert "://" not in ref and not ref.startswith("/"), ref
        assert (page.parent / ref).is_file(), f"{ref} không có trong {page.parent}"
    assert [r[1:] for r in refs.refs if r.startswith("#")] and all(r[1:] in refs.ids for r in refs.refs if r.startswith("#"))
    assert set(published.documents) - {"index.html"} | {"bieu-do.svg"} <= set(files)


def test_page_is_complete_html5_in_vietnamese(page):
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html
    assert '<meta charset="utf-8">' in html and 'name="viewport"' in html
    assert "<style>" in html and "<script" not in html and "{{" not in html and "{%" not in html
    assert "http://" not in html and "https://" not in html
    for text in ("Tình hình nộp biểu mẫu", "Quận Hồng Bàng", "hợp lệ", "220%", "Văn bản đã lập", "Phiếu kiểm tra"):
        assert text in html


def test_workbook_text_is_printed_literally(checked, published):
    settings, validation, totals = checked
    changed = with_issues(validation, error(f"{HOSTILE}.xlsx", "bad", f"Doanh nghiệp {HOSTILE} sai mã số thuế",
                                            unit=HOSTILE, sheet=HOSTILE, cell="C5"))
    html = render_site(environment(templates_dir()), site_context(changed, totals, published.documents, settings)).decode()
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- in a real browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    if not browser.CHROMIUM.exists():
        pytest.skip("chưa cài Chromium (/usr/bin/chromium): apt-get install chromium")


def test_the_browser_harness_sees_errors_and_dialogs(chromium, tmp_path):
    """A clean result below means something only if a broken page is caught."""
    bad = tmp_path / "hong.html"
    bad.write_text('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>x</title></head><body>'
                   '<img src="khong-co.png" alt="x"><script>console.error("lỗi"); alert(2); khongCo();</script>'
                   "</body></html>", encoding="utf-8")
    seen = browser.load(bad)
    assert {m.source for m in seen.errors} == {"log", "console", "exception"}
    assert seen.dialogs == ["alert: 2"] and seen.broken_images


def test_page_loads_in_chromium_without_console_errors(chromium, page, tmp_path):
    seen = browser.load(page)
    assert seen.errors == [] and seen.messages == [] and seen.dialogs == []
    assert seen.broken_images == [] and seen.scripts == 0
    for text in ("Quận Hồng Bàng", "Huyện Bạch Long Vĩ", "hợp lệ", "Công đoàn cơ sở thành lập mới", "220%", "170"):
        assert text in seen.text
    assert 'src="bieu-do.svg"' in seen.dom
    shot = tmp_path / "index.png"
    shot.write_bytes(seen.screenshot)
    assert seen.screenshot.startswith(b"\x89PNG") and len(seen.screenshot) > 50_000


def test_hostile_text_does_not_run_in_chromium(chromium, checked, published, tmp_path):
    settings, validation, totals = checked
    folder = shutil.copytree(published.folder, tmp_path / "2016")
    changed = with_issues(validation, error("2016/HB.xlsx", "bad", f"Doanh nghiệp {HOSTILE} trùng mã số thuế",
                                            unit=HOSTILE, sheet="Biểu số 02", cell="C5"))
    seen = browser.load(write_page(folder, site_context(changed, totals, published.documents, settings)))
    (tmp_path / "hostile.png").write_bytes(seen.screenshot)
    assert seen.dialogs == [] and seen.messages == [] and seen.scripts == 0
    assert f"Doanh nghiệp {HOSTILE} trùng mã số thuế" in seen.text


def test_strict_failure_page_in_chromium(chromium, published, tmp_path):
    """A strict run that stops keeps last run's report; the page says no report was made."""
    root = tmp_path / "out"
    shutil.copytree(published.folder, root / "2016")
    broken = factories.copy_sample(tmp_path / "input")
    (broken / "2016" / "HB.xlsx").write_bytes(b"khong phai tep Excel")
    with pytest.raises(InvalidDataError) as stopped:
        flow.report(options(root, broken))
    folder = root / "2016"
    documents = tuple(sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))
    settings = factories.settings()
    page = write_page(folder, site_context(stopped.value.validation, None, documents, settings))
    assert all((folder / r).is_file() for r in refs_of(page).refs if not r.startswith(("#", "data:")))
    seen = browser.load(page)
    (tmp_path / "strict.png").write_bytes(seen.screenshot)
    assert seen.errors == [] and seen.dialogs == []
    assert NO_REPORT in seen.text and "số liệu chưa hợp lệ" in seen.text and "Không đọc được tệp" in seen.text


def test_the_reminder_column_shows_only_when_a_unit_was_reminded(checked):
    """Decided once for the whole roster (a per-row test made the national page quadratic)."""
    settings, validation, totals = checked
    context = site_context(validation, totals, (), settings)
    plain = render_site(environment(templates_dir()), context).decode()
    first, *rest = context.roster
    reminded = dataclasses.replace(context, roster=(dataclasses.replace(first, reminded="có công văn"), *rest))
    page = render_site(environment(templates_dir()), reminded).decode()
    assert "Đôn đốc" not in plain
    assert page.count('<th scope="col">Đôn đốc</th>') == 1
    assert page.count("có công văn") == 1
    assert page.count('<span class="none">—</span></td>') - plain.count('<span class="none">—</span></td>') \
        == len(rest)
