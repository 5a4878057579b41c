"""Legacy 8-bit Vietnamese text (TCVN3/ABC, VNI-Windows) inside Unicode workbooks.

Before Unicode, offices typed Vietnamese with 8-bit fonts: the ".VnTime" family
uses the TCVN3 code page (TCVN 5712:1993, "VN3", "ABC") and "VNI-Times" the
VNI-Windows one. A workbook typed that way stores those bytes as Latin-1
characters, so "Trật tự chữ cái" reads "TrËt tù ch÷ c¸i" (TCVN3) and "Việt Nam"
reads "Vieät Nam" (VNI). `detect` tells such text from ordinary Unicode text and
`convert` turns it into NFC Unicode Vietnamese (the detection heuristic is
described in `detect`). Pure functions, no I/O.

TCVN3 replaces each accented vowel by one character. `TCVN3_TO_UNICODE` covers
all 67 lowercase Vietnamese letters with a diacritic and the seven uppercase ones
the code page has (Ă Â Ê Ô Ơ Ư Đ). Uppercase letters with a tone mark do not
exist: headings were typed with the lowercase codes and drawn in capitals by a
".VnTimeH" font. So `convert` capitalises a word typed in capitals (two or more
ASCII capitals, no ASCII lowercase letter and a lowercase TCVN3 letter: "TØNH" →
"TỈNH"), and the whole text when it has no ASCII lowercase letter and holds such
a word ("CéNG HOµ X· HéI" → "CỘNG HOÀ XÃ HỘI"). A short mixed-case text keeps
its case ("Hå Hµ" → "Hồ Hà").

VNI-Windows keeps the ASCII vowel and appends mark characters
(`VNI_TO_UNICODE`): tones ø û õ ù ï (grave, hook, tilde, acute, dot below);
after a, e, o the circumflex, alone or with a tone, â à å ã á ä; after a the
breve, alone or with a tone, ê è ú ü é ë; ô ö ñ are ơ ư đ, and ì í æ ó ò î are
ì í ỉ ĩ ị ỵ. Capitals use the Latin-1 capital of each character ("VIEÄT NAM" →
"VIỆT NAM", "ÑAÛNG" → "ĐẢNG"). A mark whose case differs from its base letter is
accepted and the base letter decides the case ("Aê" → "Ă"); "yï" is accepted
for ỵ as some converters write it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

Encoding = Literal["tcvn3", "vni"]

# TCVN3 code → Unicode letter. Tones in the order grave, hook, tilde, acute, dot.
TCVN3_TO_UNICODE: dict[str, str] = {
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "«": "ô", "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "\u00ad": "ư", "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
    "®": "đ",
    "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ",
}

# Combining tone marks, in the order grave, hook, tilde, acute, dot below.
_TONES = "\u0300\u0309\u0303\u0301\u0323"
# VNI mark characters, same order; a hat or breve mark comes first, without tone.
_VNI_TONE_MARKS = "øûõùï"
_VNI_HAT_MARKS = "âàåãáä"
_VNI_BREVE_MARKS = "êèúüéë"
_VNI_SINGLES = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_lowercase() -> dict[str, str]:
    """The lowercase VNI table: single characters, then base letter + mark."""
    table = dict(_VNI_SINGLES)
    bases = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}
    for code, letter in bases.items():
        table.update({code + m: letter + t for m, t in zip(_VNI_TONE_MARKS, _TONES, strict=True)})
    for code, letter in {"a": "â", "e": "ê", "o": "ô"}.items():
        table.update({code + m: letter + t for m, t in zip(_VNI_HAT_MARKS, ("", *_TONES), strict=True)})
    table.update({"a" + m: "ă" + t for m, t in zip(_VNI_BREVE_MARKS, ("", *_TONES), strict=True)})
    table.pop("yï")  # ỵ is the single character î
    return {code: unicodedata.normalize("NFC", text) for code, text in table.items()}


# VNI code (one or two characters) → Unicode letter, lowercase and uppercase.
VNI_TO_UNICODE: dict[str, str] = {
    case(code): case(text) for code, text in _vni_lowercase().items() for case in (str.lower, str.upper)
}
# What `convert` also accepts: marks in the other case, and "yï" for ỵ.
_VNI_LOOKUP = {
    **{c[0] + c[1].swapcase(): t for c, t in VNI_TO_UNICODE.items() if len(c) == 2},
    "yï": "ỵ", "yÏ": "ỵ", "YÏ": "Ỵ", "Yï": "Ỵ",
    **VNI_TO_UNICODE,
}
_VNI_CODE = re.compile("|".join(map(re.escape, sorted(_VNI_LOOKUP, key=len, reverse=True))))
_TCVN3_TRANSLATION = str.maketrans(TCVN3_TO_UNICODE)

# A run of Latin letters (with combining marks) and Latin-1 symbols: a syllable
# in Vietnamese, legacy or not. Every TCVN3 and VNI code falls inside it.
_WORD = re.compile("[A-Za-z\u00a1-\u024f\u0300-\u036f\u1e00-\u1eff]+")
_ASCII_LOWER = re.compile("[a-z]")
_ASCII_UPPER = re.compile("[A-Z]")
# Latin-1 letters that ordinary Unicode Vietnamese uses; any other Latin-1
# character in a word is "foreign": only legacy text puts it next to letters.
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
# Foreign characters that modern text also uses (Café®, ©, 3×4, A·B, Straße).
_WEAK = frozenset("©®·×ß")
_THRESHOLD = 2
# Any Latin-1 character Unicode Vietnamese does not use: without one, text cannot be evidence.
_FOREIGN = re.compile("[" + "".join(
    re.escape(chr(c)) for c in range(0x80, 0x100) if chr(c) not in _VIETNAMESE_LATIN1) + "]")


def might_be_legacy(text: str) -> bool:
    """A cheap pre-check for `detect`: most Unicode Vietnamese text fails it at once."""
    return _FOREIGN.search(text) is not None

# Vietnamese syllable shape, written without tone marks: initial consonant,
# vowel nucleus, final consonant; nh/ch end only a, ê, i, y, oa, uê, uy. The
# loanword nucleus "oo" (xoong) is left out: VNI "boä" (bộ) reads "boọ" as TCVN3.
_INITIAL = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnrstvx]"
_OPEN = "iêu|oai|oao|oay|oeo|uây|uôi|uya|uyu|ươi|ươu|yêu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
_CLOSABLE = "oa|oe|uê|uy|uơ|[aeêioôơuưy]"
_CLOSED = "uyê|iê|yê|oă|uâ|uô|ươ|[ăâ]"
_PALATAL = "oa|uê|uy|[aêiy]"
_SYLLABLE = re.compile(
    f"(?:{_INITIAL})?(?:{_OPEN}|(?:{_CLOSABLE})(?:ng|[cmnpt])?"
    f"|(?:{_CLOSED})(?:ng|[cmnpt])|(?:{_PALATAL})(?:nh|ch))"
)


def detect(text: str) -> Encoding | None:
    """Which legacy encoding `text` looks like, or None for ordinary Unicode text.

    Only a word (a run of two or more letters and Latin-1 symbols) holding a
    *foreign* character is evidence: a Latin-1 character that Unicode
    Vietnamese never uses (¸ µ ¶ ® § Ë ÷ ø ä ö ñ ...). Such a word counts
    for an encoding when it decodes to a well-formed Vietnamese syllable (one
    tone, a valid initial, nucleus and final): "c¸i" → "cái" counts for TCVN3,
    "Vieät" → "Việt" for VNI, "Café®" and "Müller" count for neither. A word
    made only of © ® · × ß (which modern text uses) weighs 1, any other 2, and
    an encoding needs 2: one strong word, or two weak ones ("®· ®i"). Words with
    a character beyond Latin-1, or touching a digit ("5µm"), are skipped. Ties go
    to TCVN3, the more common encoding in northern offices.

    So text made only of Vietnamese Unicode letters (NFC or NFD), ASCII and
    digits is never flagged, even when it happens to be legacy text as well:
    "tù" is the Unicode word tù and also TCVN3 for "tự"; "Coâng" is VNI for
    "Công" but holds only Vietnamese letters. Such text needs a neighbour with
    a foreign character ("TrËt tù", "Coâng ñoaøn") to be detected.
    """
    scores: dict[Encoding, int] = {"tcvn3": 0, "vni": 0}
    for word, weight in _evidence_words(text):
        for encoding in scores:
            if _is_syllable(convert(word, encoding)):
                scores[encoding] += weight
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= _THRESHOLD else None


def convert(text: str, encoding: Encoding) -> str:
    """Legacy text → NFC Unicode Vietnamese."""
    if encoding == "tcvn3":
        converted = _convert_tcvn3(text)
    elif encoding == "vni":
        converted = _VNI_CODE.sub(lambda m: _VNI_LOOKUP[m.group()], text)
    else:
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    return unicodedata.normalize("NFC", converted)


def _convert_tcvn3(text: str) -> str:
    """Translate TCVN3 codes, capitalising words (or a text) typed in capitals."""
    all_caps = not _ASCII_LOWER.search(text) and any(map(_typed_in_capitals, _WORD.findall(text)))

    def word(match: re.Match[str]) -> str:
        converted = match.group().translate(_TCVN3_TRANSLATION)
        return converted.upper() if all_caps or _typed_in_capitals(match.group()) else converted

    return _WORD.sub(word, text)


def _typed_in_capitals(word: str) -> bool:
    """A TCVN3 word like "TØNH": capitals around lowercase codes (a .VnTimeH heading)."""
    return (
        len(_ASCII_UPPER.findall(word)) >= 2
        and not _ASCII_LOWER.search(word)
        and any(TCVN3_TO_UNICODE.get(c, "").islower() for c in word)
    )


def _evidence_words(text: str) -> Iterator[tuple[str, int]]:
    """(word, weight) for each word that can only be legacy text."""
    for match in _WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        foreign = {c for c in word if "\x80" <= c <= "\xff" and c not in _VIETNAMESE_LATIN1}
        if not foreign or max(word) > "\xff" or len(word) < 2:
            continue
        if text[start - 1 : start].isdigit() or text[end : end + 1].isdigit():
            continue
        yield word, 1 if foreign <= _WEAK else 2


def _is_syllable(word: str) -> bool:
    """Whether `word` is shaped like one Vietnamese syllable (at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None
