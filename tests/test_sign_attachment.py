"""The body's signature on an attachment that travels as its own file: a text stamp at the top right.

Nghị định 30/2020, Phụ lục I: no image; the document's number and the
signing time (ISO 8601, Vietnam time) in Times New Roman 10 pt (Liberation
Serif here), top right of the first page. A small PDF with no signature block
is made here with WeasyPrint, signed, and read back with poppler.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from weasyprint import HTML

from pipeline import sign as signing
from pipeline.core.catalogue import signed
from pipeline.core.documents.numbering import published_number
from pipeline.io.signing import Signature, load_key, sign_pdf
from pipeline.io.text_stamp import FontMissing, font_file, stamp_text, top_right
from pipeline.settings import load_settings
from tests.factories import CONFIG
from tests.signing_keys import make_keys
from tests.test_sign import PASSWORDS, options, reported, signing_config  # noqa: F401

WHEN = dt.datetime(2017, 1, 10, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))
NUMBER = "15-TB/BCĐ"
PAGE = """<html lang="vi"><style>@page { size: A4; margin: 20mm 15mm 20mm 30mm }</style>
<body><h1>Phụ lục: Bảng tổng hợp kết quả</h1><p>Đơn vị tính: người.</p></body></html>"""


@pytest.fixture(scope="module")
def stamped(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("attachment")
    keys = make_keys(folder / "khoa")
    data = HTML(string=PAGE).write_pdf()
    key = load_key(keys["co-quan"].read_bytes(), b"mat-khau")
    signature = Signature("ChuKyCoQuan", key, None, 0, top_right(data), text=stamp_text(NUMBER, WHEN),
                          font=load_settings(CONFIG).general.style.font_family)
    path = folder / "phu-luc.pdf"
    path.write_bytes(sign_pdf(data, [signature], WHEN))
    return path


def _words(path: Path) -> dict[str, tuple[float, float]]:
    """word → (xMin, yMin) on the first page, in points from the top left."""
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return {w.split(">")[1].split("<")[0]: (float(w.split('xMin="')[1].split('"')[0]),
                                           float(w.split('yMin="')[1].split('"')[0]))
            for w in text.split("<word ")[1:]}


def test_the_stamp_shows_number_and_vietnam_time_at_the_top_right(stamped):
    words = _words(stamped)
    assert NUMBER in words and "2017-01-10T09:30:05+07:00" in words, words
    heading = words["Phụ"]
    for word in (NUMBER, "2017-01-10T09:30:05+07:00"):
        x, y = words[word]
        assert x > 595 / 2 and y < heading[1], f"{word} at {x, y}: not above the text, on the right"
    assert words[NUMBER][1] < words["2017-01-10T09:30:05+07:00"][1], "the number first, then the time"


def test_the_stamp_is_liberation_serif_embedded(stamped):
    fonts = subprocess.run(["pdffonts", str(stamped)], capture_output=True, text=True, check=True).stdout
    line = next(row for row in fonts.splitlines() if "LiberationSerif" in row)
    assert line.split()[-5] == "yes", fonts  # emb


def test_pdfsig_says_the_stamped_signature_is_valid(stamped):
    result = subprocess.run(["pdfsig", str(stamped)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in result.stdout, result.stdout


def test_without_a_number_the_stamp_is_the_time_alone():
    assert stamp_text(None, WHEN) == "2017-01-10T09:30:05+07:00"
    assert stamp_text(NUMBER, WHEN) == f"{NUMBER}\n2017-01-10T09:30:05+07:00"


def test_a_missing_font_is_named():
    with pytest.raises(FontMissing) as caught:
        font_file("Phông Không Có")
    assert "Phông Không Có" in str(caught.value) and "style.font_family" in str(caught.value)


def test_make_sign_stamps_the_body_signature_on_a_pdf_without_signature_block(reported, tmp_path):
    """A published PDF with no signature block (an appendix of its own): the signer's signature stays
    invisible, the body's is the text stamp with its number and the signing time."""
    config = signing_config(tmp_path / "config")
    year = tmp_path / "out" / "2016"
    shutil.copytree(reported / "2016", year)
    name = "phieu-kiem-tra/AD.pdf"
    appendix = HTML(string=PAGE).write_pdf()
    old = hashlib.sha256((year / name).read_bytes()).hexdigest()
    (year / name).write_bytes(appendix)
    sums = year / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="ascii").replace(old, hashlib.sha256(appendix).hexdigest()),
                    encoding="ascii")
    signing.sign(options(tmp_path / "out", config), environ=PASSWORDS, clock=lambda: WHEN)
    copy = year / signed(name)
    words = _words(copy)
    assert "2017-01-10T09:30:05+07:00" in words and words["2017-01-10T09:30:05+07:00"][0] > 595 / 2, words
    assert "40-PKT/BCĐ" in words and words["40-PKT/BCĐ"][0] > 595 / 2, "the slip's number and symbol"
    result = subprocess.run(["pdfsig", str(copy)], capture_output=True, text=True).stdout
    assert result.count("Signature Validation: Signature is Valid.") == 2, result
    assert signing.verify(options(tmp_path / "out", config)).failed == ()


def test_the_number_is_the_one_the_document_header_prints():
    settings = load_settings(CONFIG)
    assert published_number(settings, 2016, "bao-cao-2016.pdf") == "15-BC/BCĐ"
    assert published_number(settings, 2016, "thong-bao/HB.pdf") == "16-TB/BCĐ"
    assert published_number(settings, 2016, "phieu-kiem-tra/AD.pdf") == "40-PKT/BCĐ"
    assert published_number(settings, 2016, "khac.pdf") is None
