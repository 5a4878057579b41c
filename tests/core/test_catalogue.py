"""The output catalogue: every family declared once, found back from its paths, owned by one command."""

from __future__ import annotations

import pytest

from pipeline.core import catalogue
from pipeline.core.catalogue import (
    CATALOGUE,
    CHART_SVG,
    FORM_XLSX,
    MARKED_XLSX,
    NOTICE_DOCX,
    NOTICE_PDF,
    REGISTER_XLSX,
    REMINDER_DOCX,
    REMINDER_PDF,
    REPORT_PDF,
    SLIP_PDF,
    Command,
    Kind,
)

SAMPLE = {
    "bao-cao-2016.pdf": (Command.REPORT, Kind.REPORT), "bao-cao-2016.docx": (Command.REPORT, Kind.REPORT),
    "tong-hop-2016.xlsx": (Command.REPORT, Kind.SUMMARY), "bieu-do.svg": (Command.REPORT, Kind.CHART),
    "thong-bao/HB.pdf": (Command.REPORT, Kind.NOTICE), "thong-bao/HB.docx": (Command.REPORT, Kind.NOTICE),
    "data/tong-hop.json": (Command.REPORT, Kind.DATA), "SHA256SUMS": (Command.REPORT, Kind.DATA),
    "data/kiem-tra.json": (Command.VALIDATE, Kind.DATA), "data/tep-nhan.json": (Command.VALIDATE, Kind.DATA),
    "phieu-kiem-tra/HB.pdf": (Command.VALIDATE, Kind.SLIP), "index.html": (Command.VALIDATE, Kind.PAGE),
    "data/khoa-van-ban.json": (Command.VALIDATE, Kind.DATA), "bieu-mau/HB.xlsx": (Command.FORMS, Kind.FORM),
    "luu-tru/thong-bao/HB.pdf": (Command.DISTRIBUTE, Kind.ARCHIVE),
    "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf": (Command.DISTRIBUTE, Kind.BUNDLE),
    "gui/quan-uy-hong-bang.zip": (Command.DISTRIBUTE, Kind.BUNDLE),
    "so-gui-van-ban-2016.xlsx": (Command.DISTRIBUTE, Kind.REGISTER),
    "data/so-gui.json": (Command.DISTRIBUTE, Kind.REGISTER), "data/da-gui.json": (Command.DISTRIBUTE, Kind.REGISTER),
}


def test_every_family_is_declared_once_with_a_pattern_of_its_own():
    patterns = [o.pattern for o in CATALOGUE]
    assert len(patterns) == len(set(patterns))
    assert all(o in CATALOGUE for o in vars(catalogue).values() if isinstance(o, catalogue.Output))


@pytest.mark.parametrize("path", SAMPLE)
def test_a_published_path_is_found_back_with_its_owner_and_kind(path):
    owner, kind = SAMPLE[path]
    found = catalogue.find(path)
    assert found is not None and found[0].kind == kind
    assert catalogue.owner(path) == owner


def test_paths_are_made_from_their_fields_and_read_back():
    assert NOTICE_PDF.path(code="HB") == "thong-bao/HB.pdf" and NOTICE_PDF.match("thong-bao/HB.pdf") == {"code": "HB"}
    assert REPORT_PDF.path(year=2016) == "bao-cao-2016.pdf" and REGISTER_XLSX.path(year=2016) == "so-gui-van-ban-2016.xlsx"
    assert NOTICE_PDF.match("thong-bao/HB.docx") is None and CHART_SVG.match("bieu-do.svg") == {}
    assert catalogue.archival("thong-bao/HB.pdf") == "luu-tru/thong-bao/HB.pdf"
    assert catalogue.bundle_file("x", "a.pdf", folder=True) == "gui/x/a.pdf"
    assert catalogue.bundle_file("x", "a.pdf", folder=False) == "gui/x.zip › a.pdf"
    assert catalogue.bundle_folder("x") == "gui/x/"


@pytest.mark.parametrize("command, kept", [
    # What each command carries over from the folder it replaces (the rest it rewrites).
    (Command.REPORT, {"bieu-mau/HB.xlsx", "gui/quan-uy-hong-bang.zip", "luu-tru/thong-bao/HB.pdf",
                      "so-gui-van-ban-2016.xlsx", "data/so-gui.json", "data/da-gui.json",
                      "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf"}),
    (Command.VALIDATE, set(SAMPLE) - {"data/kiem-tra.json", "data/tep-nhan.json", "phieu-kiem-tra/HB.pdf",
                                      "index.html", "data/khoa-van-ban.json"}),
    (Command.FORMS, set(SAMPLE) - {"bieu-mau/HB.xlsx"}),
    (Command.DISTRIBUTE, {p for p, (owner, _) in SAMPLE.items() if owner is not Command.DISTRIBUTE}),
])
def test_each_command_rewrites_only_its_part(command, kept):
    assert {p for p in SAMPLE if catalogue.keeps(command, p)} == kept


def test_a_file_no_family_declares_belongs_to_report_and_is_listed_with_its_folder():
    assert catalogue.find("ghi-chu.txt") is None and catalogue.owner("ghi-chu.txt") is Command.REPORT
    assert catalogue.group_of("ghi-chu.txt") == catalogue.GROUP_REPORT
    assert catalogue.group_of("data/khac.json") == catalogue.GROUP_DATA
    assert catalogue.group_of("khac/x.pdf") == catalogue.OTHER_GROUP


def test_the_per_unit_folders_are_the_unit_families():
    assert catalogue.unit_folders() == ("thong-bao", "phieu-kiem-tra", "phan-hoi", "don-doc", "bieu-mau")
    assert {o for o in CATALOGUE if o.per_unit} == {NOTICE_PDF, NOTICE_DOCX, SLIP_PDF, MARKED_XLSX, REMINDER_PDF,
                                                        REMINDER_DOCX, FORM_XLSX}
