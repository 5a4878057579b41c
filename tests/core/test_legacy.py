"""Legacy 8-bit Vietnamese text: TCVN3 and VNI detection and conversion (pipeline.core.steps.legacy)."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipeline.core.steps import legacy
from pipeline.core.steps.legacy import TCVN3_TO_UNICODE, VNI_TO_UNICODE, convert, detect


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# grave, hook, tilde, acute, dot below
TONES = ["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
# The 67 lowercase Vietnamese letters with a diacritic: 12 vowels × 5 tones, ă â ê ô ơ ư đ.
ACCENTED = sorted({nfc(v + t) for v in "aăâeêioôơuưy" for t in TONES} | set("ăâêôơưđ"))
LOWER_LETTERS = ACCENTED + list(string.ascii_lowercase)
ALL_LETTERS = LOWER_LETTERS + [c.upper() for c in LOWER_LETTERS]
TCVN3_UPPERCASE = {"¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ"}

ENCODE_TCVN3 = {u: code for code, u in TCVN3_TO_UNICODE.items()}
ENCODE_VNI = {u: code for code, u in VNI_TO_UNICODE.items()}


def encode_tcvn3(text: str) -> str:
    return "".join(ENCODE_TCVN3.get(c, c) for c in text)


def encode_vni(text: str) -> str:
    return "".join(ENCODE_VNI.get(c, c) for c in text)


# --- tables --------------------------------------------------------------------


def test_there_are_67_accented_lowercase_letters():
    assert len(ACCENTED) == 67


def test_tcvn3_table_reaches_every_accented_letter_and_its_seven_capitals():
    assert set(ACCENTED) <= set(TCVN3_TO_UNICODE.values())
    assert TCVN3_UPPERCASE.items() <= TCVN3_TO_UNICODE.items()
    assert len(TCVN3_TO_UNICODE) == 67 + 7


def test_tcvn3_table_is_a_bijection_of_single_latin1_characters():
    assert len(set(TCVN3_TO_UNICODE.values())) == len(TCVN3_TO_UNICODE)
    assert all(len(code) == 1 and "\xa1" <= code <= "\xfe" for code in TCVN3_TO_UNICODE)
    assert all(len(u) == 1 and u == nfc(u) for u in TCVN3_TO_UNICODE.values())


@pytest.mark.parametrize(
    ("code", "letter"),
    [
        ("µ", "à"), ("¶", "ả"), ("·", "ã"), ("¸", "á"), ("¹", "ạ"),
        ("¨", "ă"), ("©", "â"), ("ª", "ê"), ("«", "ô"), ("¬", "ơ"), ("\u00ad", "ư"), ("®", "đ"),
        ("Ë", "ậ"), ("ù", "ự"), ("÷", "ữ"), ("å", "ồ"), ("é", "ộ"), ("æ", "ổ"), ("ø", "ứ"),
        ("Ü", "ĩ"), ("Ý", "í"), ("Ø", "ỉ"), ("ý", "ý"), ("þ", "ỵ"),
    ],
)
def test_tcvn3_table_entries(code, letter):
    assert TCVN3_TO_UNICODE[code] == letter


def test_vni_table_reaches_every_letter_in_both_cases_and_is_a_bijection():
    accented_both_cases = set(ACCENTED) | {c.upper() for c in ACCENTED}
    assert set(VNI_TO_UNICODE.values()) == accented_both_cases
    assert len(VNI_TO_UNICODE) == 2 * 67
    assert all(1 <= len(code) <= 2 and max(code) <= "\xff" for code in VNI_TO_UNICODE)


@pytest.mark.parametrize(
    ("code", "letter"),
    [
        ("aù", "á"), ("aø", "à"), ("aû", "ả"), ("aõ", "ã"), ("aï", "ạ"),
        ("aâ", "â"), ("aá", "ấ"), ("aà", "ầ"), ("aå", "ẩ"), ("aã", "ẫ"), ("aä", "ậ"),
        ("aê", "ă"), ("aé", "ắ"), ("aè", "ằ"), ("aú", "ẳ"), ("aü", "ẵ"), ("aë", "ặ"),
        ("eä", "ệ"), ("oâ", "ô"), ("ô", "ơ"), ("ôø", "ờ"), ("ö", "ư"), ("öï", "ự"),
        ("ñ", "đ"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("î", "ỵ"), ("yù", "ý"),
        ("Ñ", "Đ"), ("AÊ", "Ă"), ("EÄ", "Ệ"), ("ÔÛ", "Ở"), ("ÖØ", "Ừ"), ("Ó", "Ĩ"), ("Î", "Ỵ"),
    ],
)
def test_vni_table_entries(code, letter):
    assert VNI_TO_UNICODE[code] == letter


# --- convert ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy_text", "expected"),
    [
        ("TrËt tù ch÷ c¸i", "Trật tự chữ cái"),
        ("§¶ng bé quËn Hång Bµng", "Đảng bộ quận Hồng Bàng"),
        ("C«ng ®oµn", "Công đoàn"),
        ("Tæ chøc ®¶ng", "Tổ chức đảng"),
        ("§oµn thanh niªn", "Đoàn thanh niên"),
        ("B¸o c¸o tµi chÝnh quý II n¨m 2016", "Báo cáo tài chính quý II năm 2016"),
        ("QuyÕt ®Þnh cña Bé tr­ëng", "Quyết định của Bộ trưởng"),
        ("¡n ë, ¢u C¬, £-®i-x¬n, ¤ t«, ¥n, ¦íc", "Ăn ở, Âu Cơ, Ê-đi-xơn, Ô tô, Ơn, Ước"),
    ],
)
def test_convert_tcvn3(legacy_text, expected):
    assert convert(legacy_text, "tcvn3") == expected


@pytest.mark.parametrize(
    ("legacy_text", "expected"),
    [
        # .VnTimeH headings: capitals typed with the lowercase codes.
        ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("UBND TØNH H¶I D¦¥NG", "UBND TỈNH HẢI DƯƠNG"),
        ("Ban chÊp hµnh TØNH ñy", "Ban chấp hành TỈNH ủy"),
        # Mixed case or a single capital: the case is kept.
        ("Hå Hµ", "Hồ Hà"),
        ("UBND Hå Hµ", "UBND Hồ Hà"),
        ("Lª V¨n A", "Lê Văn A"),
    ],
)
def test_convert_tcvn3_capitalises_words_typed_in_capitals(legacy_text, expected):
    assert convert(legacy_text, "tcvn3") == expected


@pytest.mark.parametrize(
    ("legacy_text", "expected"),
    [
        ("Vieät Nam", "Việt Nam"),
        ("Tröôøng", "Trường"),
        ("Ñaûng boä", "Đảng bộ"),
        ("Coâng ñoaøn", "Công đoàn"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("TRÖÔØNG ÑAÏI HOÏC", "TRƯỜNG ĐẠI HỌC"),
        ("Thaønh phoá Hoà Chí Minh, Tænh Bình Döông", "Thành phố Hồ Chí Minh, Tỉnh Bình Dương"),
        ("Khuyeán khích, quyeát ñònh, Myõ, Lyù, Kyø, Hoaø, ngöôøi, thuôû", "Khuyến khích, quyết định, Mỹ, Lý, Kỳ, Hoà, người, thuở"),
        ("Aên, Aán, OÂng, ÔÛ, ÖÙng", "Ăn, Ấn, Ông, Ở, Ứng"),
    ],
)
def test_convert_vni(legacy_text, expected):
    assert convert(legacy_text, "vni") == expected


@pytest.mark.parametrize(
    ("legacy_text", "expected"),
    [
        ("Aên", "Ăn"),  # mark in the other case than its base letter
        ("aÊn", "ăn"),
        ("Ñoaøn kyï", "Đoàn kỵ"),  # "yï" as some converters write ỵ
        ("KYÏ", "KỴ"),
    ],
)
def test_convert_vni_tolerates_variants(legacy_text, expected):
    assert convert(legacy_text, "vni") == expected


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("text", ["", "12/12/2016", "Report 2016, No. 15-BC/BCD", "Số 15 Đường Lạch Tray"])
def test_convert_leaves_ascii_and_characters_beyond_latin1_alone(text, encoding):
    assert convert(text, encoding) == text


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_convert_returns_nfc(encoding):
    assert convert(nfd("Hà ") + "TrËt Vieät", encoding) == nfc(convert("Hà TrËt Vieät", encoding))


def test_convert_rejects_an_unknown_encoding():
    with pytest.raises(ValueError, match="viscii"):
        convert("abc", "viscii")  # type: ignore[arg-type]


# --- detect ----------------------------------------------------------------------

UNICODE_TEXTS = [
    "Đảng bộ quận Hồng Bàng",
    "Công ty TNHH MTV Thương mại Dịch vụ Hải Âu",
    "Huyện Bạch Long Vĩ",
    "Công ty Cổ phần Thép Việt Ý",
    "CÔNG TY CỔ PHẦN ĐÓNG TÀU",
    "Nguyễn Thị Nghĩa",
    "Trật tự chữ cái",
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Thành phố Hồ Chí Minh, tỉnh Bình Dương, Uỷ ban nhân dân",
    "Họ và tên; Ngày tháng năm sinh; Dân tộc; Tôn giáo; Trình độ chuyên môn",
    "Hoàng Thị Thuý, Khuyến, Quỳnh, Giáp, Doãn, Ngoãn, Uyên, Xuân, Quân, Yên, Âu, Ý, Ông, Út",
    "nhà tù, tù trưởng, bé, cà phê, ô tô, Cà Mau, Tiên Lãng, Kiến An, Lê Chân",
    "Số 15-BC/BCĐ",
    "0225.3123456",
    "12/12/2016",
    "",
    "   ",
    "The quick brown fox jumps over the lazy dog.",
    "Email: vanphong@haiphong.gov.vn, Tel: (+84) 225 3123 456",
    "Café®",
    "Café ©2016, Nhãn hiệu ABC® đã đăng ký",
    "3×4",
    "Kích thước 3 × 4 m · Giá 1.200.000 đ",
    "A·B, x ÷ y, 25°C, ½ kg, £5, ¥100, § 3, 5µm, 1ª",
    "naïve café résumé, Müller, Straße, señor, Zürich, Ångström, Gödel, Noël, façade, Øresund",
    "«Bonjour», ¡Hola!, ¿Qué?",
    "Điện Biên Phủ – “Đảng bộ” … ‘xã’",
]


@pytest.mark.parametrize("text", UNICODE_TEXTS)
@pytest.mark.parametrize("form", [str, str.upper, str.lower, nfd, lambda t: nfd(t.upper())])
def test_detect_leaves_ordinary_text_alone(text, form):
    assert detect(form(text)) is None


TCVN3_SAMPLES = [
    "TrËt tù ch÷ c¸i",
    "§¶ng bé quËn Hång Bµng",
    "C«ng ®oµn",
    "Tæ chøc ®¶ng",
    "§oµn thanh niªn",
    "§¶ng",
    "c¸i",
    "ch÷",
    "B¸o c¸o tµi chÝnh",
    "QuyÕt ®Þnh cña Bé tr­ëng",
    "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM",
    "Sè 15-BC/BC§ cña Ban Th­êng vô",
]
VNI_SAMPLES = [
    "Vieät Nam",
    "Tröôøng",
    "Ñaûng boä",
    "Coâng ñoaøn",
    "Vieät",
    "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
    "Ñoäc laäp - Töï do - Haïnh phuùc",
    "COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM",
    "Thaønh phoá Haûi Phoøng",
    "Tænh",  # VNI "Tỉnh"; TCVN3 would read "Tổnh", not a Vietnamese syllable
]


@pytest.mark.parametrize("text", TCVN3_SAMPLES)
def test_detect_tcvn3(text):
    assert detect(text) == "tcvn3"


@pytest.mark.parametrize("text", VNI_SAMPLES)
def test_detect_vni(text):
    assert detect(text) == "vni"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A TCVN3 letter replaces the vowel, a VNI mark follows it.
        ("bé", None),  # Unicode "bé", TCVN3 "bộ": ambiguous, left alone
        ("boä", "vni"),  # VNI "bộ"; TCVN3 would read "boọ"
        ("Coâng", None),  # VNI "Công" but only Vietnamese letters: see next
        ("Coâng ty", None),
        ("Coâng ñoaøn", "vni"),
        ("ChÊp", None),  # TCVN3 "Chấp", but Ê is a Vietnamese capital
        ("ChÊp hµnh", "tcvn3"),
        ("CHAÁP", None),  # VNI "CHẤP", but Á and Ã are Vietnamese capitals
        ("CHAÁP HAØNH", "vni"),
    ],
)
def test_detect_tells_tcvn3_from_vni(text, expected):
    assert detect(text) == expected


def test_a_unicode_word_that_is_also_tcvn3_is_left_alone():
    # "tù" is Unicode for tù (prison) and TCVN3 for "tự": without a character
    # foreign to Unicode Vietnamese nothing can tell them apart.
    assert detect("tù") is None
    assert detect("nhà tù") is None
    assert detect("TrËt tù") == "tcvn3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("®i", None),  # one word made only of symbols modern text uses
        ("Café®", None),
        ("©®", None),
        ("®· ®i", "tcvn3"),  # two such words: "đã đi"
        ("hßa b×nh", "tcvn3"),  # "hòa bình"
        ("®i häc", "tcvn3"),  # one strong character (ä) is enough
    ],
)
def test_detect_needs_stronger_evidence_for_symbols_modern_text_uses(text, expected):
    assert detect(text) == expected


PHRASES = [
    "báo cáo tổng kết công tác xây dựng đảng năm hai nghìn mười sáu",
    "quyết định của ban thường vụ thành uỷ về việc khen thưởng",
    "uỷ ban nhân dân quận hồng bàng thành phố hải phòng",
    "chi bộ trường trung học cơ sở nguyễn khuyến",
    "đoàn thanh niên cộng sản hồ chí minh",
]


@pytest.mark.parametrize("phrase", PHRASES)
def test_detect_and_convert_phrases_encoded_from_unicode(phrase):
    for encoding, encode in (("tcvn3", encode_tcvn3), ("vni", encode_vni)):
        legacy_text = encode(phrase)
        assert detect(legacy_text) == encoding
        assert convert(legacy_text, encoding) == phrase
    title = phrase.title()
    assert detect(encode_vni(title)) == "vni"
    assert convert(encode_vni(title), "vni") == title


# --- properties ------------------------------------------------------------------

PUNCTUATION = list(" " + string.digits + string.punctuation)
unicode_text = st.builds(
    unicodedata.normalize,
    st.sampled_from(["NFC", "NFD"]),
    st.text(alphabet=st.sampled_from(ALL_LETTERS + PUNCTUATION), max_size=40),
)


@hsettings(max_examples=300, deadline=None)
@given(unicode_text)
def test_detect_never_flags_vietnamese_unicode_text(text):
    assert detect(text) is None


@hsettings(deadline=None)
@given(unicode_text, st.sampled_from(sorted(legacy._WEAK)), st.integers(min_value=0, max_value=40))
def test_detect_never_flags_vietnamese_text_with_one_modern_symbol(text, symbol, at):
    assert detect(text[:at] + symbol + text[at:]) is None


@hsettings(deadline=None)
@given(st.text(alphabet=st.sampled_from([*LOWER_LETTERS, " "]), max_size=40))
def test_tcvn3_round_trip(text):
    assert convert(encode_tcvn3(text), "tcvn3") == text


@hsettings(deadline=None)
@given(st.text(alphabet=st.sampled_from(ALL_LETTERS + PUNCTUATION), max_size=40))
def test_vni_round_trip(text):
    assert convert(encode_vni(text), "vni") == text


@hsettings(deadline=None)
@given(st.text(max_size=30), st.sampled_from(["tcvn3", "vni"]))
def test_detect_and_convert_accept_any_text(text, encoding):
    assert detect(text) in (None, "tcvn3", "vni")
    assert convert(text, encoding) == nfc(convert(text, encoding))
