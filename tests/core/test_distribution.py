"""Who receives what (the plan), the sent log, the register and the messages: pure, on made-up documents."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.catalogue import attachment_name
from pipeline.core.distribution.bundles import Document, bundles_for, letter, parts, slug
from pipeline.core.distribution.register import register_data, register_rows
from pipeline.core.distribution.sent import Sending, SentLog, pending
from pipeline.core.documents.register_view import register_view
from pipeline.errors import ConfigError
from pipeline.settings import DistributionFile, Recipient
from tests import factories

UNITS = ["HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV"]
DAY = dt.date(2016, 12, 29)


def documents() -> list[Document]:
    """The sample year's documents, as distribute names them (checksums made up)."""
    docs = [Document("bao-cao-2016.pdf", "report", "", "Báo cáo năm 2016", "Số 15-BC/BCĐ", DAY, "r" * 64,
                     "luu-tru/bao-cao-2016.pdf", "a" * 64),
            Document("bao-cao-2016.docx", "report", "", "Báo cáo năm 2016", "Số 15-BC/BCĐ", DAY, "d" * 64),
            Document("tong-hop-2016.xlsx", "summary", "", "Biểu tổng hợp", "", None, "x" * 64)]
    for n, code in enumerate(UNITS):
        docs += [Document(f"thong-bao/{code}.pdf", "notice", code, f"Thông báo: {code}", f"Số {16 + n}-TB/BCĐ", DAY,
                          f"{n:064d}", f"luu-tru/thong-bao/{code}.pdf", f"{n:063d}a"),
                 Document(f"thong-bao/{code}.docx", "notice", code, f"Thông báo: {code}", "", DAY, f"{n:063d}d"),
                 Document(f"phieu-kiem-tra/{code}.pdf", "slip", code, f"Phiếu kiểm tra: {code}", "", None,
                          f"{n:063d}s", f"luu-tru/phieu-kiem-tra/{code}.pdf", f"{n:062d}sa")]
    return docs


def with_distribution(settings=None, **changes):
    settings = settings or factories.settings()
    return settings.model_copy(update={"distribution": settings.distribution.model_copy(update=changes)})


def files_of(bundles) -> dict[str, list[str]]:
    return {b.recipient.code: [d.document.name for d in b.deliveries] for b in bundles}


def test_each_line_of_the_sample_gets_its_documents():
    bundles = bundles_for(documents(), factories.settings(), 2016)
    files = files_of(bundles)
    assert list(files) == ["TTTU", "BCD", *UNITS, "VPTU"], "the order of the Nơi nhận lines, units in roster order"
    assert files["TTTU"] == ["bao-cao-2016.pdf"] + [f"thong-bao/{c}.pdf" for c in UNITS]
    assert files["BCD"] == ["bao-cao-2016.pdf"]
    assert files["HB"] == ["bao-cao-2016.pdf", "thong-bao/HB.pdf", "phieu-kiem-tra/HB.pdf"]
    assert files["VPTU"] == [d.name for d in documents()], "the archive gets everything, in both formats"


def test_the_archive_gets_the_archival_copies_and_the_others_the_documents():
    bundles = {b.recipient.code: b for b in bundles_for(documents(), factories.settings(), 2016)}
    archive = {d.document.name: (d.source, d.sha256) for d in bundles["VPTU"].deliveries}
    assert archive["bao-cao-2016.pdf"] == ("luu-tru/bao-cao-2016.pdf", "a" * 64)
    assert archive["bao-cao-2016.docx"] == ("bao-cao-2016.docx", "d" * 64), "a DOCX has no PDF/A copy"
    hb = bundles["HB"].deliveries[1]
    assert (hb.source, hb.sha256, hb.file) == ("thong-bao/HB.pdf", f"{0:064d}",
                                               "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf")
    assert bundles["HB"].zip_file == "gui/quan-uy-hong-bang.zip" and bundles["HB"].folder and bundles["HB"].zip


def test_a_zip_only_bundle_names_its_files_inside_the_zip():
    bundles = bundles_for(documents(), with_distribution(bundle="zip"), 2016)
    hb = next(b for b in bundles if b.recipient.code == "HB")
    assert (hb.folder, hb.zip) == (False, True)
    assert hb.deliveries[1].file == "gui/quan-uy-hong-bang.zip › thong-bao-2016-HB.pdf"


def test_docx_and_slips_follow_the_config():
    settings = with_distribution(docx=True, slips=False)
    files = files_of(bundles_for(documents(), settings, 2016))
    assert files["HB"] == ["bao-cao-2016.pdf", "bao-cao-2016.docx", "thong-bao/HB.pdf", "thong-bao/HB.docx"]
    assert "tong-hop-2016.xlsx" not in files["TTTU"] and "tong-hop-2016.xlsx" in files["VPTU"]


def test_nhu_tren_in_the_report_and_an_unknown_line_are_named():
    settings = factories.settings()
    year = settings.documents[2016]
    bad = settings.model_copy(update={"documents": {2016: year.model_copy(update={
        "recipients": ("Như trên", *year.recipients)})}})
    with pytest.raises(ConfigError, match=r"years/2016.yaml, khóa «recipients.0», dòng «Như trên».*chỉ dùng"):
        bundles_for(documents(), bad, 2016)
    unknown = settings.model_copy(update={"documents": {2016: year.model_copy(update={
        "notices": year.notices.model_copy(update={"recipients": ("Như trên", "Ủy ban Kiểm tra Thành ủy")})})}})
    with pytest.raises(ConfigError, match=r"khóa «notices.recipients.1», dòng «Ủy ban Kiểm tra Thành ủy».*"
                                          r"chưa có trong distribution.yaml"):
        bundles_for(documents(), unknown, 2016)


def test_lines_match_whatever_their_case_dash_and_punctuation():
    config = factories.settings().distribution
    assert config.target("- Lưu Văn phòng Thành ủy.") == "VPTU"
    assert config.target("  các quận ủy,  huyện ủy, ") == "units"
    assert config.target("Ban Tuyên giáo") is None


def test_folder_names_are_plain_and_unique():
    assert slug("Quận ủy Hồng Bàng") == "quan-uy-hong-bang"
    assert slug("Đảng ủy Khối Doanh nghiệp (lưu)") == "dang-uy-khoi-doanh-nghiep-luu"
    assert slug("???") == "noi-nhan"
    twin = Recipient(code="QHB", name="Quận ủy Hồng Bàng", email=("x@example.org",))
    settings = with_distribution(recipients=(*factories.settings().distribution.recipients, twin),
                                 lines={**factories.settings().distribution.lines, "Quận ủy Hồng Bàng (phối hợp)": "QHB"})
    year = settings.documents[2016]
    settings = settings.model_copy(update={"documents": {2016: year.model_copy(update={
        "recipients": (*year.recipients, "Quận ủy Hồng Bàng (phối hợp)")})}})
    slugs = [b.recipient.slug for b in bundles_for(documents(), settings, 2016)]
    assert len(slugs) == len(set(slugs)) and "quan-uy-hong-bang-hb" in slugs


def test_attachment_names_are_flat_and_say_the_year():
    assert attachment_name("thong-bao/HB.pdf", 2016) == "thong-bao-2016-HB.pdf"
    assert attachment_name("bao-cao-2016.pdf", 2016) == "bao-cao-2016.pdf"


def sending(delivery, address, error="", when="2017-01-03T09:05:00+07:00") -> Sending:
    return Sending(delivery.sha256, delivery.recipient.code, address, delivery.attachment, "<id@example.org>", when,
                   error)


def test_a_sent_file_is_never_due_again_and_a_changed_one_is():
    bundles = {b.recipient.code: b for b in bundles_for(documents(), factories.settings(), 2016)}
    bcd = bundles["BCD"]
    log = SentLog()
    assert pending(bcd, log) == [(bcd.recipient.emails, bcd.deliveries)], "both addresses in one message"
    first, second = bcd.recipient.emails
    log.record(sending(bcd.deliveries[0], first))
    log.record(sending(bcd.deliveries[0], second, error="máy chủ thư từ chối (550 …)"))
    assert pending(bcd, log) == [((second,), bcd.deliveries)], "only the address that failed"
    log.record(sending(bcd.deliveries[0], first, error="later failure"))
    assert log.is_sent(bcd.deliveries[0], first), "a success is never overwritten"
    changed = bundles_for([d if d.name != "bao-cao-2016.pdf" else Document(
        d.name, d.kind, d.unit, d.title, d.number, d.date, "n" * 64) for d in documents()],
        factories.settings(), 2016)
    assert pending(next(b for b in changed if b.recipient.code == "BCD"), log)[0][0] == (first, second)
    assert SentLog.from_dict(log.as_dict(2016)).entries == log.entries


def test_register_rows_say_sent_partly_sent_failed_or_paper():
    bundles = bundles_for(documents(), factories.settings(), 2016)
    by_code = {b.recipient.code: b for b in bundles}
    log = SentLog()
    first, _second = by_code["BCD"].recipient.emails
    log.record(sending(by_code["BCD"].deliveries[0], first))
    log.record(sending(by_code["HB"].deliveries[0], "hong-bang@example.invalid", error="máy chủ thư từ chối (550)"))
    rows = {(r.recipient, r.document): r for r in register_rows(bundles, log)}
    assert len(rows) == sum(len(b.deliveries) for b in bundles)
    assert rows["BCD", "bao-cao-2016.pdf"].status_text == "đã gửi 1/2 địa chỉ"
    assert rows["HB", "bao-cao-2016.pdf"].status == "failed" and "550" in rows["HB", "bao-cao-2016.pdf"].error
    assert rows["NQ", "bao-cao-2016.pdf"].status_text == "chưa gửi"
    assert rows["VPTU", "bao-cao-2016.pdf"].status_text == "gửi bản giấy (chưa có địa chỉ thư)"
    hb = rows["HB", "thong-bao/HB.pdf"]
    assert (hb.title, hb.doc_number, hb.date, hb.recipient_name) == ("Thông báo: HB", "Số 16-TB/BCĐ", DAY,
                                                                     "Quận ủy Hồng Bàng")


def test_the_page_view_marks_documents_made_again_since():
    bundles = bundles_for(documents(), factories.settings(), 2016)
    rows = register_rows(bundles, SentLog())
    data = register_data(2016, bundles, rows, "so-gui-van-ban-2016.xlsx")
    digests = {d.name: d.sha256 for d in documents()} | {r.file: r.sha256 for r in rows}
    digests["so-gui-van-ban-2016.xlsx"] = "0" * 64
    view = register_view(data, digests)
    assert view.stale_note == "" and view.workbook == "so-gui-van-ban-2016.xlsx"
    assert [g.name for g in view.groups][:3] == ["Thường trực Thành ủy", "Các đồng chí thành viên Ban Chỉ đạo",
                                                "Quận ủy Hồng Bàng"]
    assert view.groups[2].rows[1].label == "Thông báo: HB (PDF)"
    digests["thong-bao/HB.pdf"] = "changed"
    view = register_view(data, digests)
    assert view.stale_note.startswith("1 văn bản đã được lập lại")
    assert {r.file for g in view.groups for r in g.rows if r.stale} == {
        "gui/thuong-truc-thanh-uy/thong-bao-2016-HB.pdf", "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf",
        "gui/van-phong-thanh-uy-luu/thong-bao-2016-HB.pdf"}


def test_the_message_id_depends_on_the_content_only():
    settings = factories.settings()
    bundle = next(b for b in bundles_for(documents(), settings, 2016) if b.recipient.code == "HB")
    one = letter(bundle.recipient, bundle.recipient.emails, bundle.deliveries, settings, 2016, "bcd@example.org")
    again = letter(bundle.recipient, bundle.recipient.emails, bundle.deliveries, settings, 2016, "bcd@example.org")
    fewer = letter(bundle.recipient, bundle.recipient.emails, bundle.deliveries[:2], settings, 2016, "bcd@example.org")
    assert one.message_id == again.message_id != fewer.message_id
    assert one.message_id.endswith(".2016.nq28@example.org>")
    assert one.subject == "[Nghị quyết 28-NQ/TU] Văn bản năm 2016 gửi Quận ủy Hồng Bàng"
    assert "Kính gửi: Quận ủy Hồng Bàng" in one.body and "Số 16-TB/BCĐ, 29/12/2016" in one.body
    assert f"Tệp thong-bao-2016-HB.pdf, mã SHA-256: {0:064d}" in one.body


def test_distribution_file_refuses_a_line_to_an_unknown_code():
    with pytest.raises(ValueError, match="chỉ tới mã «XYZ»"):
        DistributionFile.model_validate({"lines": {"Ban Tuyên giáo": "XYZ"}})


def test_a_bundle_too_big_for_one_message_goes_in_several():
    settings = factories.settings()
    tttu = next(b for b in bundles_for(documents(), settings, 2016) if b.recipient.code == "TTTU")
    size = {d.source: 3 << 20 for d in tttu.deliveries}  # 16 files of 3 MB, 4 MB each once encoded
    groups = parts(tttu.deliveries, size, 20 << 20)
    assert [len(g) for g in groups] == [4, 4, 4, 4] and sum(groups, ()) == tttu.deliveries
    assert [len(g) for g in parts(tttu.deliveries[:2], {**size, "bao-cao-2016.pdf": 30 << 20}, 20 << 20)] == [1, 1]
    second = letter(tttu.recipient, tttu.recipient.emails, groups[1], settings, 2016, "bcd@example.org", (2, 4))
    assert second.subject.endswith("gửi Thường trực Thành ủy (thư 2/4)")
