"""make sign / make verify: PAdES signatures of the sample's published PDFs with throw-away keys.

A CA, a signer and a body certificate are made here with `cryptography`;
the sample is reported into a temporary folder, signed, verified by pyHanko
and by poppler's pdfsig (an independent client); a flipped byte, a stale copy,
a missing config and a wrong password are each reported in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline import flow
from pipeline import sign as signing
from pipeline.core.catalogue import SIGNED_SUMS, signed
from pipeline.errors import ConfigError
from pipeline.settings import load_settings
from tests.factories import CONFIG, SAMPLE_INPUT, small_config
from tests.signing_keys import PIN, SOFTHSM_MODULE, make_keys, make_token

ROOT = Path(__file__).resolve().parent.parent
PASSWORDS = {"NQ28_KY_TRUONG_BAN": "mat-khau", "NQ28_KY_CO_QUAN": "mat-khau"}
WHEN = dt.datetime(2017, 1, 10, 2, 30, 5, tzinfo=dt.UTC)  # 09:30:05 in Vietnam
SIGNING_YAML = """\
signer:
  pkcs12: khoa/truong-ban.p12
  password_env: NQ28_KY_TRUONG_BAN
  signature_image: khoa/chu-ky.png
body:
  pkcs12: khoa/co-quan.p12
  password_env: NQ28_KY_CO_QUAN
  seal_image: khoa/con-dau.png
trust_roots: [khoa/ca.pem]
"""


def options(output: Path, config: Path, input_dir: Path = SAMPLE_INPUT) -> flow.Options:
    return flow.Options(2016, input_dir, config, output, strict_warnings=True)


def signing_config(folder: Path, text: str = SIGNING_YAML, pdfa: bool = False, base: Path = CONFIG) -> Path:
    """The sample's config (or `base`) with throw-away keys; without the archive's PDF/A copies unless asked
    (signing them too doubles the work; tests/test_sign_distribute.py covers them)."""
    shutil.copytree(base, folder)
    make_keys(folder / "khoa")
    (folder / "signing.yaml").write_text(text, encoding="utf-8")
    if not pdfa:
        distribution = folder / "distribution.yaml"
        text = distribution.read_text(encoding="utf-8")
        assert "  pdfa: true" in text
        distribution.write_text(text.replace("  pdfa: true", "  pdfa: false"), encoding="utf-8")
    return folder


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NQ28_KY_")} | (env or {})
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True,
                          env=environ)


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Path:
    """The sample reported once, unsigned: the output root."""
    out = tmp_path_factory.mktemp("out")
    flow.report(options(out, CONFIG))
    return out


@pytest.fixture(scope="module")
def few(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The sample cut to one unit (HB), reported once, unsigned: its input, config and output root. Three PDFs
    (the report, HB's notice and slip) prove what a kind of key does as well as the sample's 31."""
    base = tmp_path_factory.mktemp("few")
    (base / "input" / "2016").mkdir(parents=True)
    shutil.copy(SAMPLE_INPUT / "2016" / "HB.xlsx", base / "input" / "2016")
    config = small_config(base / "config", ("HB",))
    flow.report(options(base / "out", config, base / "input"))
    return base / "input", config, base / "out"


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    return signing_config(tmp_path_factory.mktemp("cfg") / "config")


@pytest.fixture(scope="module")
def signed_out(reported, config, tmp_path_factory) -> tuple[Path, signing.Signing, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("signed")
    shutil.copytree(reported / "2016", out / "2016")
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    outcome = signing.sign(options(out, config), environ=PASSWORDS, clock=lambda: WHEN)
    return out, outcome, before


def test_sign_writes_a_signed_copy_of_every_published_pdf_and_leaves_the_documents_alone(signed_out):
    out, outcome, before = signed_out
    year = out / "2016"
    assert len(outcome.files) == 31  # the report, 15 notices, 15 slips
    assert "ky-so/bao-cao-2016.pdf" in outcome.files and "ky-so/thong-bao/HB.pdf" in outcome.files
    assert outcome.when.isoformat() == "2017-01-10T09:30:05+07:00"
    for name, data in before.items():  # the page and the checksums list the signed copies too
        if not name.endswith(("SHA256SUMS", "index.html", "khoa-van-ban.json")):
            assert (out / name).read_bytes() == data, f"{name} changed by signing"
    sums = (year / SIGNED_SUMS.path()).read_text(encoding="ascii").splitlines()
    assert len(sums) == 31
    for line in sums:
        digest, name = line.split("  ")
        copy = (year / signed(name)).read_bytes()
        assert hashlib.sha256(copy).hexdigest() == digest
        assert copy.startswith((year / name).read_bytes()), "signing appends: the first revision is the document"
    assert signed("bao-cao-2016.pdf") in (year / "SHA256SUMS").read_text(encoding="ascii")


def test_verify_accepts_every_signed_copy(signed_out, config):
    out, _, _ = signed_out
    result = signing.verify(options(out, config))
    assert len(result.verdicts) == 31 and result.failed == ()
    report = next(v for v in result.verdicts if v.name == "ky-so/bao-cao-2016.pdf")
    assert [c.signer for c in report.signatures] == ["Nguyễn Thị Nghĩa", "Ban Chỉ đạo NQ28"]
    assert [c.field for c in report.signatures] == ["ChuKyNguoiKy", "ChuKyCoQuan"]
    assert {c.when.isoformat() for c in report.signatures} == {"2017-01-10T09:30:05+07:00"}
    cli = run("verify", "--config", str(config), "--output", str(out), "--year", "2016")
    assert cli.returncode == 0, cli.stderr
    assert "Cả 31 bản ký số đều hợp lệ" in cli.stderr and "Nguyễn Thị Nghĩa" in cli.stderr


@pytest.mark.parametrize("name", ["bao-cao-2016.pdf", "thong-bao/HB.pdf"])
def test_pdfsig_reports_both_signatures_valid(signed_out, name):
    out, _, _ = signed_out
    result = subprocess.run(["pdfsig", str(out / "2016" / signed(name))], capture_output=True, text=True)
    assert result.stdout.count("Signature Validation: Signature is Valid.") == 2, result.stdout
    assert "Signer Certificate Common Name: Nguyễn Thị Nghĩa" in result.stdout
    assert "Signer Certificate Common Name: Ban Chỉ đạo NQ28" in result.stdout
    assert "ETSI.CAdES.detached" in result.stdout  # PAdES
    assert "Total document signed" in result.stdout  # the body's signature covers the signer's


def _colour_centres(png: Path) -> dict[str, tuple[float, float, int]]:
    """Centre (x, y) and count of the blue (signature) and red (seal) pixels of a rendered page."""
    image = Image.open(png).convert("RGB")
    found: dict[str, list[tuple[int, int]]] = {"blue": [], "red": []}
    for y in range(image.height):
        for x in range(image.width):
            r, g, b = image.getpixel((x, y))
            if b > 150 and r < 90 and g < 110:
                found["blue"].append((x, y))
            elif r > 170 and g < 80 and b < 80:
                found["red"].append((x, y))
    return {k: (sum(p[0] for p in v) / max(len(v), 1), sum(p[1] for p in v) / max(len(v), 1), len(v))
            for k, v in found.items()}


def test_the_signature_sits_between_position_and_name_with_the_seal_over_its_left_third(signed_out, tmp_path):
    out, _, _ = signed_out
    copy = out / "2016" / signed("thong-bao/HB.pdf")
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "2", "-l", "2", str(copy), str(tmp_path / "p")], check=True)
    page = next(tmp_path.glob("p*.png"))
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(copy), "-"], capture_output=True,
                          text=True, check=True).stdout
    rows = {w.split(">")[1].split("<")[0]: float(w.split('yMin="')[1].split('"')[0]) * 70 / 72
            for w in text.split("<word ")[1:]}
    centres = _colour_centres(page)
    blue_x, blue_y, blue_n = centres["blue"]
    red_x, _, red_n = centres["red"]
    assert blue_n > 100 and red_n > 100, centres
    assert rows["TRƯỞNG"] < blue_y < rows["Nghĩa"], "the signature between the position and the name"
    assert red_x < blue_x, "the seal on the signature's left"


def test_a_flipped_byte_fails_verify_naming_the_file(signed_out, config, tmp_path):
    out, _, _ = signed_out
    shutil.copytree(out / "2016", tmp_path / "2016")
    victim = tmp_path / "2016" / signed("thong-bao/HB.pdf")
    data = bytearray(victim.read_bytes())
    data[len(data) // 3] ^= 0x01  # inside the document the signatures cover
    victim.write_bytes(bytes(data))
    result = signing.verify(options(tmp_path, config))
    assert [v.name for v in result.failed] == ["ky-so/thong-bao/HB.pdf"]
    cli = run("verify", "--config", str(config), "--output", str(tmp_path), "--year", "2016")
    assert cli.returncode == 1 and "Traceback" not in cli.stderr
    assert "ky-so/thong-bao/HB.pdf" in cli.stderr and "Không hợp lệ" in cli.stderr


def test_a_signed_copy_of_a_document_rendered_again_is_reported_stale(signed_out, config, tmp_path):
    out, _, _ = signed_out
    shutil.copytree(out / "2016", tmp_path / "2016")
    changed = tmp_path / "changed"
    shutil.copytree(config, changed)
    year_file = changed / "years" / "2016.yaml"
    text = year_file.read_text(encoding="utf-8")
    assert "numbers: {}" in text
    year_file.write_text(text.replace("numbers: {}", 'numbers: {HB: "16a"}', 1), encoding="utf-8")
    flow.report(options(tmp_path, changed))
    assert (tmp_path / "2016" / signed("thong-bao/HB.pdf")).is_file(), "a report run keeps the signed copies"
    result = signing.verify(options(tmp_path, changed))
    stale = {v.name: v.problems for v in result.failed}
    assert "ky-so/thong-bao/HB.pdf" in stale
    assert any("bản ký số cũ" in p for p in stale["ky-so/thong-bao/HB.pdf"])
    assert "ky-so/thong-bao/AD.pdf" not in stale


def test_without_signing_config_sign_says_so_and_writes_nothing(reported, tmp_path):
    shutil.copytree(reported / "2016", tmp_path / "2016")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run("sign", "--config", str(CONFIG), "--output", str(tmp_path), "--year", "2016")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Chưa cấu hình ký số" in result.stderr and "signing.yaml" in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(("env", "words"), [
    ({"NQ28_KY_TRUONG_BAN": "sai", "NQ28_KY_CO_QUAN": "mat-khau"}, "sai mật khẩu"),
    ({"NQ28_KY_CO_QUAN": "mat-khau"}, "Chưa đặt biến môi trường NQ28_KY_TRUONG_BAN"),
])
def test_a_wrong_or_missing_password_names_the_variable_without_a_traceback(reported, config, tmp_path, env, words):
    shutil.copytree(reported / "2016", tmp_path / "2016")
    result = run("sign", "--config", str(config), "--output", str(tmp_path), "--year", "2016", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert words in result.stderr and "NQ28_KY_TRUONG_BAN" in result.stderr
    assert not (tmp_path / "2016" / SIGNED_SUMS.path()).exists()


@pytest.mark.parametrize(("image", "words"), [("khoa/khong-co.png", "không có tệp ảnh"),
                                              ("khoa/ca.pem", "không phải ảnh PNG")])
def test_a_missing_or_non_png_image_is_a_config_error_naming_file_and_key(tmp_path, image, words):
    folder = signing_config(tmp_path / "config", SIGNING_YAML.replace("khoa/con-dau.png", image))
    with pytest.raises(ConfigError) as caught:
        load_settings(folder)
    assert words in str(caught.value) and "body.seal_image" in str(caught.value) and image in str(caught.value)


def test_one_key_signs_for_both_when_only_one_is_configured(few, tmp_path):
    input_dir, small, reported = few
    one_key = SIGNING_YAML.replace("  pkcs12: khoa/co-quan.p12\n  password_env: NQ28_KY_CO_QUAN\n", "")
    folder = signing_config(tmp_path / "config", one_key, base=small)
    shutil.copytree(reported / "2016", tmp_path / "out" / "2016")
    signing.sign(options(tmp_path / "out", folder, input_dir), environ={"NQ28_KY_TRUONG_BAN": "mat-khau"},
                 clock=lambda: WHEN)
    result = signing.verify(options(tmp_path / "out", folder, input_dir))
    assert len(result.verdicts) == 3 and result.failed == ()
    assert {c.signer for v in result.verdicts for c in v.signatures} == {"Nguyễn Thị Nghĩa"}
    assert {len(v.signatures) for v in result.verdicts} == {2}


def test_the_sample_config_has_no_signing():
    assert load_settings(CONFIG).signing is None


TOKEN_YAML = """\
signer:
  pkcs11: {module: MODULE, token_label: nq28, key_label: truong-ban, pin_env: NQ28_KY_PIN}
  signature_image: khoa/chu-ky.png
body:
  pkcs11: {module: MODULE, token_label: nq28, key_label: co-quan, pin_env: NQ28_KY_PIN}
  seal_image: khoa/con-dau.png
trust_roots: [khoa/ca.pem]
"""


@pytest.mark.skipif(not SOFTHSM_MODULE.is_file() or shutil.which("softhsm2-util") is None,
                    reason="SoftHSM2 is not installed (make test-system-deps)")
def test_a_softhsm_token_signs_and_a_wrong_pin_is_named(few, tmp_path):
    input_dir, small, reported = few
    folder = signing_config(tmp_path / "config", TOKEN_YAML.replace("MODULE", str(SOFTHSM_MODULE)), base=small)
    env = make_token(tmp_path / "hsm", folder / "khoa")
    shutil.copytree(reported / "2016", tmp_path / "out" / "2016")
    args = ("--input", str(input_dir), "--config", str(folder), "--output", str(tmp_path / "out"), "--year", "2016")
    wrong = run("sign", *args, env=env | {"NQ28_KY_PIN": "000000"})
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "NQ28_KY_PIN" in wrong.stderr and "mã PIN" in wrong.stderr
    signed_run = run("sign", *args, env=env | {"NQ28_KY_PIN": PIN})
    assert signed_run.returncode == 0, signed_run.stderr
    verified = run("verify", *args)
    assert verified.returncode == 0, verified.stderr
    assert "Cả 3 bản ký số đều hợp lệ" in verified.stderr
    pdfsig = subprocess.run(["pdfsig", str(tmp_path / "out" / "2016" / signed("thong-bao/HB.pdf"))],
                            capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid.") == 2 and "Ban Chỉ đạo NQ28" in pdfsig


def test_the_status_page_groups_and_names_the_signed_copies():
    from pipeline.core.catalogue import GROUP_SIGNED, group_of
    from pipeline.core.documents.listing import label
    settings = load_settings(CONFIG)
    assert group_of("ky-so/thong-bao/HB.pdf") == group_of("ky-so/SHA256SUMS") == GROUP_SIGNED == "Bản ký số"
    assert label("ky-so/thong-bao/HB.pdf", settings, 2016) == "Bản ký số: Thông báo Quận Hồng Bàng"
    assert label("ky-so/luu-tru/thong-bao/HB.pdf", settings, 2016) == (
        "Bản ký số: Thông báo Quận Hồng Bàng (bản lưu trữ PDF/A)")
    assert label("ky-so/bao-cao-2016.pdf", settings, 2016) == (
        "Bản ký số: Báo cáo kết quả thực hiện năm 2016, phương hướng, nhiệm vụ năm 2017")


@pytest.mark.parametrize(("moment", "words"), [(dt.datetime(2100, 1, 1, tzinfo=dt.UTC), "đã hết hạn từ 01/01/2099"),
                                               (dt.datetime(2009, 6, 1, tzinfo=dt.UTC), "chưa có hiệu lực đến 01/01/2010")])
def test_a_certificate_not_valid_at_the_signing_time_is_refused_before_anything_is_read(tmp_path, config, moment,
                                                                                         words):
    with pytest.raises(ConfigError) as caught:
        signing.sign(options(tmp_path / "out", config), environ=PASSWORDS, clock=lambda: moment)
    message = str(caught.value)
    assert words in message and "Nguyễn Thị Nghĩa" in message and "signing.yaml" in message
    assert not (tmp_path / "out").exists()
