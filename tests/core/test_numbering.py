"""Document numbers (pipeline.core.documents.numbering): a sequence per type and year, in unit order,
explicit numbers winning, conflicts refused with the file and keys."""

from __future__ import annotations

import pytest

from pipeline import flow
from pipeline import plan as planning
from pipeline.core.documents.notice import notice_contexts
from pipeline.core.documents.numbering import document_numbers, notice_numbers, year_numbers
from pipeline.settings import Numbering, Settings, YearDocuments, load_settings
from tests import factories
from tests.test_settings import config, edit, error_for  # noqa: F401

SAMPLE_UNITS = ("HB", "NQ", "LC", "HA", "KA", "DS", "DK", "TN", "AD", "AL", "KT", "TL", "VB", "CH", "BLV")


def with_numbers(docs: YearDocuments, explicit: dict[str, str] | None = None, **starts: int | None) -> YearDocuments:
    return docs.model_copy(update={"numbering": Numbering(**starts),
                                   "notices": docs.notices.model_copy(update={"numbers": explicit or {}})})


def test_the_sample_keeps_report_15_and_notices_16_to_30_in_unit_order(settings):
    assert settings.document_settings(2016).report_number() == "15"
    assert notice_numbers(settings, 2016) == {code: str(16 + k) for k, code in enumerate(SAMPLE_UNITS)}


def test_the_sequence_follows_the_order_of_the_units_not_their_codes(settings):
    docs = with_numbers(settings.document_settings(2016), notices=1)
    assert document_numbers("notices", docs, ["TN", "AD", "HB"]) == {"TN": "1", "AD": "2", "HB": "3"}


def test_an_explicit_number_wins_and_moves_no_other_unit(settings):
    docs = with_numbers(settings.document_settings(2016), {"NQ": "17a", "LC": ""}, notices=16)
    numbers = document_numbers("notices", docs, SAMPLE_UNITS)
    assert (numbers["HB"], numbers["NQ"], numbers["LC"], numbers["HA"], numbers["BLV"]) == ("16", "17a", "", "19", "30")


def test_without_a_start_only_explicit_numbers_are_printed_as_in_the_first_year_files(settings):
    docs = with_numbers(settings.document_settings(2016), {"HB": "16"})
    assert document_numbers("notices", docs, ["HB", "NQ"]) == {"HB": "16", "NQ": ""}
    assert with_numbers(docs).report_number() == ""
    assert with_numbers(docs, report=15).report_number() == "15"
    assert with_numbers(docs, report=15).model_copy(update={"number": "15b"}).report_number() == "15b"


def test_numbers_are_the_same_on_every_run():
    first, second = load_settings(factories.CONFIG), load_settings(factories.CONFIG)
    assert notice_numbers(first, 2016) == notice_numbers(second, 2016)
    assert list(notice_numbers(first, 2016)) == list(SAMPLE_UNITS)


def test_a_unit_added_at_the_end_takes_the_next_number_and_moves_no_other(settings):
    docs = settings.document_settings(2016)
    before = document_numbers("notices", docs, SAMPLE_UNITS)
    after = document_numbers("notices", docs, (*SAMPLE_UNITS, "MOI"))
    assert after == before | {"MOI": "31"}


def test_a_unit_inserted_in_the_middle_moves_the_units_after_it_unless_their_numbers_are_written(settings):
    docs = settings.document_settings(2016)
    units = ("HB", "MOI", *SAMPLE_UNITS[1:])
    moved = document_numbers("notices", docs, units)
    assert (moved["HB"], moved["MOI"], moved["NQ"], moved["BLV"]) == ("16", "17", "18", "31")
    issued = {code: str(16 + k) for k, code in enumerate(SAMPLE_UNITS)}
    pinned = document_numbers("notices", with_numbers(docs, issued | {"MOI": "31"}, notices=16), units)
    assert pinned == issued | {"MOI": "31"}


def test_slips_and_reminders_have_sequences_of_their_own(settings):
    docs = with_numbers(settings.document_settings(2016), {"HB": "99"}, report=15, notices=16, slips=1, reminders=7)
    assert document_numbers("slips", docs, ["HB", "NQ", "LC"]) == {"HB": "1", "NQ": "2", "LC": "3"}
    assert document_numbers("reminders", docs, ["HB", "NQ", "LC"]) == {"HB": "7", "NQ": "8", "LC": "9"}
    # The sample: notices 16…, slips 32…, reminders 48…, in units.yaml order, whoever has submitted.
    codes = [u.code for u in settings.units_in(2016)]
    slips, reminders = year_numbers("slips", settings, 2016), year_numbers("reminders", settings, 2016)
    assert [slips[c] for c in codes] == [str(32 + k) for k in range(len(codes))]
    assert [reminders[c] for c in codes] == [str(48 + k) for k in range(len(codes))]


def test_two_slips_with_one_number_are_refused_naming_the_keys(config):
    edit(config / "years" / "2016.yaml", "  type_code: PKT\n  numbers: {}", '  type_code: PKT\n  numbers: {HB: "33"}')
    assert ("years/2016.yaml, khóa «slips.numbers.HB» và «numbering.slips» (đơn vị NQ): 2 văn bản loại PKT "
            "cùng số «33» trong năm 2016") in error_for(config)


def test_two_notices_with_one_number_are_refused_naming_the_keys(config):
    edit(config / "years" / "2016.yaml", "  numbers: {}", '  numbers: {HB: "17"}')
    assert ("years/2016.yaml, khóa «notices.numbers.HB» và «numbering.notices» (đơn vị NQ): 2 văn bản loại TB "
            "cùng số «17» trong năm 2016; mỗi số chỉ dùng cho một văn bản (sửa số ghi riêng hoặc số bắt đầu của dãy)"
            ) in error_for(config)


def test_an_explicit_number_may_be_typed_without_quotes(config):
    edit(config / "years" / "2016.yaml", "  numbers: {}", '  numbers: {HB: 40, NQ: "41a"}')
    numbers = notice_numbers(load_settings(config), 2016)
    assert (numbers["HB"], numbers["NQ"], numbers["LC"]) == ("40", "41a", "18")


def test_two_explicit_numbers_written_differently_are_one_number(config):
    edit(config / "years" / "2016.yaml", "  numbers: {}", '  numbers: {HB: "40", NQ: "040"}')
    assert ("years/2016.yaml, khóa «notices.numbers.HB» và «notices.numbers.NQ»: 2 văn bản loại TB cùng số «40» "
            "trong năm 2016") in error_for(config)


def test_the_report_and_notices_sharing_a_type_code_share_its_numbers(config):
    edit(config / "years" / "2016.yaml", "numbering: {report: 15, notices: 16,", "numbering: {report: 16, notices: 16,")
    edit(config / "years" / "2016.yaml", "  numbers: {}", "  type_code: BC\n  numbers: {}")
    assert ("years/2016.yaml, khóa «numbering.report» và «numbering.notices» (đơn vị HB): 2 văn bản loại BC "
            "cùng số «16» trong năm 2016") in error_for(config)


def test_one_number_in_two_types_is_no_conflict(config):
    edit(config / "years" / "2016.yaml", "numbering: {report: 15, notices: 16,", "numbering: {report: 16, notices: 16,")
    assert load_settings(config).document_settings(2016).report_number() == "16"


def test_a_start_that_is_not_a_positive_whole_number_is_named(config):
    edit(config / "years" / "2016.yaml", "notices: 16,", "notices: 0,")
    assert "khóa «numbering.notices»: giá trị quá nhỏ: phải từ 1 trở lên" in error_for(config)
    edit(config / "years" / "2016.yaml", "notices: 0,", "notices: mười sáu,")
    assert "khóa «numbering.notices»: phải là số nguyên" in error_for(config)


def test_an_unknown_document_type_is_named(config):
    edit(config / "years" / "2016.yaml", "notices: 16,", "notices: 16, notice: 16,")
    assert "khóa «numbering.notice»: khóa không được phép (các khóa hợp lệ: report, notices, slips, reminders); có phải «notices»?" \
        in error_for(config)


# --- where the numbers are printed ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    settings, inputs, validation = planning.check(
        flow.Options(2016, factories.SAMPLE_INPUT, factories.CONFIG, tmp_path_factory.mktemp("out")))
    return settings, planning.summarise(settings, inputs, validation)


def _documents(settings: Settings, docs: YearDocuments) -> Settings:
    return settings.model_copy(update={"documents": {2016: docs}})


def test_each_notice_header_prints_its_number_from_the_sequence(sample):
    settings, totals = sample
    notices = notice_contexts(totals, settings)
    assert notices["HB"].header.number_line == "Số 16-TB/BCĐ"
    assert notices["BLV"].header.number_line == "Số 30-TB/BCĐ"
    changed = _documents(settings, with_numbers(settings.document_settings(2016), {"NQ": "40"}, notices=101))
    notices = notice_contexts(totals, changed)
    assert [notices[c].header.number_line for c in ("HB", "NQ", "LC")] == [
        "Số 101-TB/BCĐ", "Số 40-TB/BCĐ", "Số 103-TB/BCĐ"]
