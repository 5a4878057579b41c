"""The SMTP session against a real server on 127.0.0.1: STARTTLS or nothing, login, refusals, MIME."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from pipeline.core.distribution.bundles import Delivery, Document, Letter, Recipient
from pipeline.errors import ConfigError
from pipeline.io.mail.errors import MailError, Uncertain
from pipeline.io.mail.letters import mime
from pipeline.io.mail.login import Credentials, credentials
from pipeline.io.mail.session import Session
from pipeline.settings import Smtp
from tests.io.mailserver import HOST, PASSWORD, USER, MailServer, Tarpit, free_port, make_certificates

PDF = b"%PDF-1.7 not really\n"
NOW = dt.datetime(2017, 1, 3, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


def smtp(port: int, **changes) -> Smtp:
    return Smtp(**{"host": HOST, "port": port, "sender": "bcd28@example.org", "sender_name": "Ban Chỉ đạo NQ28",
                   "timeout": 5, **changes})


def sample_letter(*addresses: str) -> Letter:
    recipient = Recipient("HB", "Quận ủy Hồng Bàng", "quan-uy-hong-bang", addresses)
    document = Document("thong-bao/HB.pdf", "notice", "HB", "Thông báo", "Số 16-TB/BCĐ", dt.date(2016, 12, 29), "s")
    delivery = Delivery(document, recipient, "thong-bao-2016-HB.pdf", "thong-bao/HB.pdf", "s",
                        "gui/quan-uy-hong-bang/thong-bao-2016-HB.pdf")
    return Letter(recipient, addresses, (delivery,), "Văn bản năm 2016 gửi Quận ủy Hồng Bàng",
                  "Kính gửi: Quận ủy Hồng Bàng\n", "<abc.2016.nq28@example.org>")


def message(*addresses: str):
    return mime(sample_letter(*addresses), {"thong-bao-2016-HB.pdf": PDF}, smtp(25), NOW)


def test_a_message_goes_over_starttls_with_vietnamese_headers_and_the_attachment(certificates):
    with MailServer(certificates) as server:
        session = Session(smtp(server.port), certificates.ca, Credentials(USER, PASSWORD))
        refused = session.send(message("hong-bang@example.invalid"), ("hong-bang@example.invalid",))
        session.close()
        assert refused == {} and server.inbox.logins == [(USER, PASSWORD)]
        [(rcpt, received)] = server.inbox.parsed()
    assert rcpt == ["hong-bang@example.invalid"]
    assert received["Subject"] == "Văn bản năm 2016 gửi Quận ủy Hồng Bàng"
    assert received["To"].addresses[0].display_name == "Quận ủy Hồng Bàng"
    assert received["From"].addresses[0].display_name == "Ban Chỉ đạo NQ28"
    assert received["Message-ID"] == "<abc.2016.nq28@example.org>"
    assert received.get_body().get_content().replace("\r\n", "\n") == "Kính gửi: Quận ủy Hồng Bàng\n"
    [attachment] = received.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content_type()) == ("thong-bao-2016-HB.pdf", "application/pdf")
    assert attachment.get_content() == PDF
    raw = server.inbox.messages[0][1]
    assert raw.isascii(), "headers and body are MIME-encoded, no raw 8-bit"


def test_a_password_beyond_ascii_logs_in_with_auth_plain(certificates):
    with MailServer(certificates) as server:
        server.inbox.account = (USER, "Mật khẩu tiếng Việt")
        session = Session(smtp(server.port), certificates.ca, Credentials(USER, "Mật khẩu tiếng Việt"))
        session.open()
        session.close()
        wrong = Session(smtp(server.port), certificates.ca, Credentials(USER, "Mật khẩu sai"))
        with pytest.raises(MailError, match="từ chối tên đăng nhập hoặc mật khẩu"):
            wrong.open()
        assert server.inbox.logins == [(USER, "Mật khẩu tiếng Việt"), (USER, "Mật khẩu sai")]


def test_a_server_without_starttls_gets_no_password_and_no_document():
    with MailServer(None) as server:
        session = Session(smtp(server.port), None, Credentials(USER, PASSWORD))
        with pytest.raises(MailError, match="không hỗ trợ STARTTLS: không gửi"):
            session.send(message("a@example.invalid"), ("a@example.invalid",))
        assert server.inbox.messages == [] and server.inbox.logins == []


def test_an_untrusted_certificate_is_refused(certificates, tmp_path):
    other = make_certificates(tmp_path / "other")
    with MailServer(certificates) as server:
        session = Session(smtp(server.port), other.ca, Credentials(USER, PASSWORD))
        with pytest.raises(MailError, match=r"Chứng chỉ của máy chủ thư .* không tin cậy được.*smtp\.ca_file"):
            session.open()
        assert server.inbox.logins == []


def test_an_unreachable_server_is_one_vietnamese_sentence():
    session = Session(smtp(free_port()), None, None)
    with pytest.raises(MailError, match=r"Không kết nối được máy chủ thư 127.0.0.1:\d+: máy chủ từ chối kết nối"):
        session.open()


def test_a_refused_address_is_reported_and_the_others_still_get_it(certificates):
    with MailServer(certificates) as server:
        server.inbox.refuse.add("ngo-quyen@example.invalid")
        session = Session(smtp(server.port), certificates.ca, Credentials(USER, PASSWORD))
        both = ("hong-bang@example.invalid", "ngo-quyen@example.invalid")
        refused = session.send(message(*both), both)
        assert list(refused) == ["ngo-quyen@example.invalid"] and "550" in refused["ngo-quyen@example.invalid"]
        alone = session.send(message("ngo-quyen@example.invalid"), ("ngo-quyen@example.invalid",))
        assert "máy chủ thư từ chối (550" in alone["ngo-quyen@example.invalid"]
        session.close()
        assert [rcpt for rcpt, _ in server.inbox.messages] == [["hong-bang@example.invalid"]]


def test_credentials_come_in_pairs_from_the_environment():
    assert credentials({}) is None
    assert credentials({"NQ28_SMTP_USER": "u", "NQ28_SMTP_PASSWORD": "p"}) == Credentials("u", "p")
    assert "p" not in repr(Credentials("u", "p"))
    with pytest.raises(ConfigError, match="Thiếu biến môi trường NQ28_SMTP_PASSWORD"):
        credentials({"NQ28_SMTP_USER": "u"})


# --- deadlines, and what is known after DATA ---------------------------------------------

HB = ("hong-bang@example.invalid",)


def test_a_tarpit_is_given_up_at_the_letters_deadline_and_called_a_timeout():
    with Tarpit(interval=0.2) as tarpit:  # one byte every 0.2 s: no single read ever waits a whole second
        session = Session(smtp(tarpit.port, timeout=1, deadline=2), None, None)
        start = time.monotonic()
        with pytest.raises(MailError) as caught, session.letter():
            session.send(message(*HB), HB)
        assert time.monotonic() - start < 4
    assert caught.value.timeout and not isinstance(caught.value, Uncertain)
    assert str(caught.value) == (f"Không kết nối được máy chủ thư 127.0.0.1:{tarpit.port}: quá thời gian chờ khi kết "
                                 "nối (quá 2 giây cho một thư)")


def test_a_server_that_accepts_and_never_answers_is_a_timeout_not_a_disconnection():
    with Tarpit(interval=None) as silent:
        session = Session(smtp(silent.port, timeout=1, deadline=5), None, None)
        with pytest.raises(MailError) as caught, session.letter():
            session.open()
    assert caught.value.timeout and "ngắt kết nối" not in str(caught.value)
    assert str(caught.value).endswith("quá thời gian chờ khi kết nối (máy chủ không trả lời sau 1 giây)")


def test_silence_after_the_final_dot_is_uncertain_and_journalled_before_data(certificates):
    with MailServer(certificates) as server:
        server.inbox.stall = 1
        session = Session(smtp(server.port, timeout=1, deadline=5), certificates.ca, Credentials(USER, PASSWORD))
        calls = []
        with pytest.raises(Uncertain) as caught, session.letter():
            session.send(message(*HB), HB, lambda: calls.append(len(server.inbox.messages)))
        assert calls == [0], "called once, before the server had the message"
        assert len(server.inbox.messages) == 1
    assert caught.value.timeout
    assert "đã nhận đủ nội dung thư nhưng không xác nhận: quá thời gian chờ máy chủ xác nhận đã nhận thư" in str(
        caught.value)


def test_a_hang_up_after_the_final_dot_is_uncertain_and_said_so(certificates):
    with MailServer(certificates) as server:
        server.inbox.drop = 1
        session = Session(smtp(server.port, timeout=2, deadline=5), certificates.ca, Credentials(USER, PASSWORD))
        with pytest.raises(Uncertain, match="không xác nhận: máy chủ ngắt kết nối") as caught, session.letter():
            session.send(message(*HB), HB)
        assert not caught.value.timeout and len(server.inbox.messages) == 1
        again = session.send(message(*HB), HB)  # the next letter reconnects
        session.close()
        assert again == {} and len(server.inbox.messages) == 2


def test_nothing_is_sent_when_the_hook_before_data_fails(certificates):
    def full():
        raise OSError(28, "No space left on device")

    with MailServer(certificates) as server:
        session = Session(smtp(server.port), certificates.ca, Credentials(USER, PASSWORD))
        with pytest.raises(OSError):
            session.send(message(*HB), HB, full)
        assert session.send(message(*HB), HB) == {}
        session.close()
        assert len(server.inbox.messages) == 1


def test_a_refused_recipient_is_refused_before_data(certificates):
    with MailServer(certificates) as server:
        server.inbox.refuse.add(HB[0])
        session = Session(smtp(server.port), certificates.ca, Credentials(USER, PASSWORD))
        calls = []
        refused = session.send(message(*HB), HB, lambda: calls.append(1))
        session.close()
    assert calls == [] and "550" in refused[HB[0]]
