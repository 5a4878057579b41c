"""config/distribution.yaml and units.yaml's e-mail addresses: mistakes name the file and the key, in Vietnamese."""

from __future__ import annotations

from pipeline.settings import load_settings
from tests.factories import CONFIG

# The same config copy, editing and error helpers as the rest of the config tests.
from tests.test_settings import config, edit, error_for  # noqa: F401


def test_the_sample_distribution_loads():
    settings = load_settings(CONFIG)
    config = settings.distribution
    assert [r.code for r in config.recipients] == ["TTTU", "BCD", "VPTU"]
    assert config.recipient("BCD").email == ("truong-ban.bcd28@example.invalid", "pho-truong-ban.bcd28@example.invalid")
    assert config.recipient("VPTU").archive and config.archive.pdfa and config.bundle == "both"
    assert config.smtp.host == "mail.example.org" and config.smtp.port == 587
    assert settings.unit("HB").email == ("hong-bang@example.invalid",)


def test_the_distribution_file_is_optional(config):
    (config / "distribution.yaml").unlink()
    assert load_settings(config).distribution is None


def test_an_unknown_key_is_named_with_a_hint(config):
    edit(config / "distribution.yaml", "  sender: bcd28@example.org", "  sendr: bcd28@example.org")
    message = error_for(config)
    assert "distribution.yaml" in message and "smtp.sendr" in message and "có phải «sender»" in message
    assert "smtp.sender" in message and "thiếu giá trị bắt buộc" in message


def test_a_bad_address_is_named(config):
    edit(config / "distribution.yaml", "email: thuong-truc.thanh-uy@example.invalid", "email: thuong truc@")
    message = error_for(config)
    assert "khóa «recipients.0.email»" in message and "địa chỉ thư «thuong truc@» không hợp lệ" in message
    edit(config / "distribution.yaml", "email: thuong truc@", "email: a@example.org")
    edit(config / "units.yaml", "email: hong-bang@example.invalid", "email: [hb@example.org, HB@example.org]")
    message = error_for(config)
    assert "units.yaml" in message and "units.0.email" in message and "bị lặp" in message


def test_a_line_must_point_to_a_declared_recipient(config):
    edit(config / "distribution.yaml", "Các đồng chí thành viên Ban Chỉ đạo: BCD", "Các đồng chí thành viên Ban Chỉ đạo: BCĐ")
    message = error_for(config)
    assert "khóa «lines»" in message and "«BCĐ» phải là mã nơi nhận" in message
    edit(config / "distribution.yaml", "Các đồng chí thành viên Ban Chỉ đạo: BCĐ", "Các đồng chí thành viên Ban Chỉ đạo: BTV")
    assert "chỉ tới mã «BTV» nhưng recipients không có mã này" in error_for(config)


def test_two_spellings_of_one_line_are_refused(config):
    edit(config / "distribution.yaml", "  Như trên: addressee\n", "  Như trên: addressee\n  như  trên.: addressee\n")
    assert "dòng «như  trên.» trùng với dòng «Như trên»" in error_for(config)


def test_a_recipient_code_must_not_be_a_unit_code(config):
    edit(config / "distribution.yaml", "code: TTTU", "code: HB")
    edit(config / "distribution.yaml", "(để báo cáo): TTTU", "(để báo cáo): HB")
    message = error_for(config)
    assert "distribution.yaml, nơi nhận «HB», khóa «code»: trùng mã một đơn vị" in message


def test_mail_server_values_are_checked(config):
    edit(config / "distribution.yaml", "port: 587", "port: 70000")
    assert "smtp.port" in error_for(config)
    edit(config / "distribution.yaml", "port: 70000", "port: 587")
    edit(config / "distribution.yaml", "bundle: both", "bundle: thư mục")
    assert "khóa «bundle»: giá trị không hợp lệ, chỉ nhận: 'folder', 'zip' hoặc 'both'" in error_for(config)


# --- cross-file checks at load time: every command, not only distribute ---------------------


def test_a_recipient_line_missing_from_distribution_yaml_stops_every_command(config):
    edit(config / "years" / "2016.yaml", "    - Lưu Văn phòng Thành ủy", "    - Ủy ban Kiểm tra Thành ủy")
    message = error_for(config)
    assert "không nhất quán" in message
    assert ("years/2016.yaml, khóa «notices.recipients.2», dòng «Ủy ban Kiểm tra Thành ủy»: chưa có trong "
            "distribution.yaml (khóa «lines»)") in message
    (config / "distribution.yaml").unlink()  # without distribution.yaml nothing is distributed: nothing to cover
    assert load_settings(config).distribution is None


def test_nhu_tren_in_the_report_recipients_is_refused_at_load(config):
    edit(config / "years" / "2016.yaml", "  - Thường trực Thành ủy (để báo cáo)\n  - Các đồng chí",
         "  - Như trên\n  - Các đồng chí")
    message = error_for(config)
    assert "years/2016.yaml, khóa «recipients.0», dòng «Như trên»: «Như trên» chỉ dùng trong nơi nhận của thông báo" \
        in message


def test_every_year_file_is_covered(config):
    text = (config / "years" / "2016.yaml").read_text(encoding="utf-8")
    (config / "years" / "2017.yaml").write_text(text.replace("  - Các quận ủy, huyện ủy", "  - Các huyện ủy"),
                                                encoding="utf-8")
    assert "years/2017.yaml, khóa «recipients.2», dòng «Các huyện ủy»: chưa có trong" in error_for(config)


def test_a_missing_ca_file_is_named_at_load(config):
    edit(config / "distribution.yaml", "# ca_file: chung-chi-ca.pem", "ca_file: khong-co.pem  #")
    message = error_for(config)
    assert "distribution.yaml, khóa «smtp.ca_file»: không có tệp" in message and "khong-co.pem" in message
    (config / "khong-co.pem").write_text("x", encoding="utf-8")
    assert load_settings(config).distribution.smtp.ca_file == "khong-co.pem"
