"""Text typed with legacy 8-bit fonts (TCVN3, VNI) is converted where it is read, and reported."""

from __future__ import annotations

from pipeline.core.steps.validate import validate_year
from tests import factories


def test_tcvn3_text_is_converted_and_each_cell_warned(tmp_path, settings):
    book = factories.form_workbook(factories.good_form())
    book["DanhSach"]["B4"] = "C«ng ty TNHH Th\u00ad¬ng m¹i H¶i ¢u"
    book["DanhSach"]["E5"] = "Tæ chøc ®¶ng"
    sub = factories.parse_file(factories.save(book, tmp_path / "HB.xlsx"))
    assert sub.organisations[0].enterprise == "Công ty TNHH Thương mại Hải Âu"
    assert sub.organisations[1].org_type == "Tổ chức đảng"
    assert factories.flatten(sub.issues) == {("legacy-encoding", "DanhSach", "B4"), ("legacy-encoding", "DanhSach", "E5")}
    assert all(i.severity == "warning" and "TCVN3" in i.message for i in sub.issues)
    validation = validate_year(2016, [sub], [], settings)
    assert validation.status["HB"] == "valid", "converted text counts like Unicode text"


def test_vni_text_is_converted_too(tmp_path):
    book = factories.form_workbook(factories.good_form())
    book["ThongTin"]["B7"] = "Nguyeãn Vaên Huøng"
    sub = factories.parse_file(factories.save(book, tmp_path / "HB.xlsx"))
    assert sub.preparer == "Nguyễn Văn Hùng"
    assert [(i.rule, i.cell) for i in sub.issues] == [("legacy-encoding", "B7")]
    assert "VNI" in sub.issues[0].message


def test_ordinary_unicode_text_is_left_alone(tmp_path):
    sub = factories.parse_file(factories.write(factories.good_form(), tmp_path / "HB.xlsx"))
    assert not [i for i in sub.issues if i.rule == "legacy-encoding"]
