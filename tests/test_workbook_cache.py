"""The read-workbook cache never serves a stale read: every part of its key, changed, is a miss;
a damaged, edited or foreign entry is a miss; a report made warm is the report made cold."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import flow, plan, runner
from pipeline.core.steps.parse import parse_workbook
from pipeline.core.steps.raw import Refusal
from pipeline.core.steps.submission import Figure, Organisation, Submission
from pipeline.core.steps.validate import check_file
from pipeline.errors import InvalidDataError
from pipeline.io import entries, parsed
from pipeline.io.excel import read_workbook
from pipeline.io.parsed import CACHE_FOLDER, PACKAGE, READER_CODE, read_cache, read_checked
from pipeline.issues import Issue
from pipeline.settings import load_settings
from tests import factories
from tests.factories import CONFIG, SAMPLE_INPUT

SETTINGS = factories.settings()
POLICY = runner.text_policy_of(SETTINGS)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the workbooks actually read (screen, calamine) rather than taken from the cache."""
    seen: list[str] = []
    real = parsed.workbook_of

    def spy(path, name, data, digest):
        seen.append(name)
        return real(path, name, data, digest)

    monkeypatch.setattr(parsed, "workbook_of", spy)
    return seen


def fresh(path: Path, name: str, policy=POLICY, settings=SETTINGS):
    raw = read_workbook(path, name)
    return raw if isinstance(raw, Refusal) else check_file(parse_workbook(raw, policy), settings)


def same(a, b) -> bool:
    """Equal including the fields left out of ==: cells, sheets, the checks' issues."""
    return type(a) is type(b) and a == b and dataclasses.asdict(a) == dataclasses.asdict(b)


def cache_of(root: Path, policy=POLICY, settings=SETTINGS):
    return read_cache(root / "out", policy, settings)


def read(form: Path, name: str, cache, policy=POLICY, settings=SETTINGS):
    return read_checked(form, name, policy, settings, cache)


@pytest.fixture
def form(tmp_path) -> Path:
    return factories.write(factories.good_form("HB"), tmp_path / "in" / "HB.xlsx")


def test_a_hit_gives_exactly_what_a_fresh_read_gives_checks_included(tmp_path, form, reads):
    cache = cache_of(tmp_path)
    cold = read(form, "2016/HB.xlsx", cache)
    warm = read(form, "2016/HB.xlsx", cache)
    assert reads == ["2016/HB.xlsx"]
    assert same(warm, cold) and same(warm, fresh(form, "2016/HB.xlsx"))
    assert warm.checked is not None and warm.checked == cold.checked


def test_entries_are_json_in_a_folder_of_the_code_version(tmp_path, form):
    cache = cache_of(tmp_path)
    read(form, "HB.xlsx", cache)
    [entry] = (tmp_path / "out" / CACHE_FOLDER).rglob("*.json")
    assert entry.parent.name == parsed.code_version()
    head, body = entry.read_bytes().split(b"\n", 1)
    assert json.loads(head)["format"] == "nq28-bieu-mau" and json.loads(head)["version"] == parsed.VERSION
    assert "submission" in json.loads(body)


def test_a_workbook_with_warnings_and_errors_comes_back_the_same(tmp_path, reads):
    form = factories.write(dataclasses.replace(factories.good_form("ZZ"), preparer="x" * 40), tmp_path / "ZZ.xlsx")
    cache = cache_of(tmp_path)
    cold, warm = read(form, "ZZ.xlsx", cache), read(form, "ZZ.xlsx", cache)
    assert reads == ["ZZ.xlsx"] and cold.checked, "an unknown unit is an issue of the checks"
    assert same(warm, cold) and same(warm, fresh(form, "ZZ.xlsx"))


def test_a_refusal_is_kept_and_given_back_the_same(tmp_path, reads):
    bad = tmp_path / "in" / "HB-hong.xlsx"
    bad.parent.mkdir()
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    cache = cache_of(tmp_path)
    first, again = (read(bad, "HB-hong.xlsx", cache) for _ in range(2))
    assert isinstance(again, Refusal) and same(again, first) and same(again, fresh(bad, "HB-hong.xlsx"))
    assert reads == ["HB-hong.xlsx"]


def test_changed_bytes_are_read_again(tmp_path, form, reads):
    cache = cache_of(tmp_path)
    before = read(form, "HB.xlsx", cache)
    factories.write(factories.good_form("HB", party=7), form)  # same name, new figures
    after = read(form, "HB.xlsx", cache)
    assert reads == ["HB.xlsx", "HB.xlsx"]
    assert after.sha256 != before.sha256 and same(after, fresh(form, "HB.xlsx"))


def test_another_name_folder_or_suffix_is_read_again(tmp_path, form, reads):
    cache = cache_of(tmp_path)
    read(form, "2016/HB.xlsx", cache)
    moved = read(form, "2017/HB.xlsx", cache)  # every issue names the file
    assert moved.file == "2017/HB.xlsx"
    other = shutil.copy(form, form.with_suffix(".xlsm"))
    read(Path(other), "2016/HB.xlsx", cache)
    assert reads == ["2016/HB.xlsx", "2017/HB.xlsx", "2016/HB.xlsx"]


@pytest.mark.parametrize("change", [
    {"max_length": 10},
    {"family": "DejaVu Sans"},
    {"drawable": frozenset(range(32, 127))},
    {"drawable": None},
])
def test_changed_reading_settings_are_a_miss(tmp_path, form, reads, change):
    other = dataclasses.replace(POLICY, **change)
    read(form, "HB.xlsx", cache_of(tmp_path))
    read(form, "HB.xlsx", cache_of(tmp_path, other), other)
    assert reads == ["HB.xlsx", "HB.xlsx"]


def test_changed_config_is_a_miss_and_gives_the_new_checks(tmp_path, form, reads):
    """The checks read the config: a unit taken out of units.yaml makes the same bytes an error."""
    read(form, "HB.xlsx", cache_of(tmp_path))
    fewer = SETTINGS.model_copy(update={"units": tuple(u for u in SETTINGS.units if u.code != "HB")})
    again = read(form, "HB.xlsx", cache_of(tmp_path, settings=fewer), settings=fewer)
    assert reads == ["HB.xlsx", "HB.xlsx"]
    assert same(again, fresh(form, "HB.xlsx", settings=fewer))
    assert again.checked != read(form, "HB.xlsx", cache_of(tmp_path)).checked
    assert reads == ["HB.xlsx", "HB.xlsx"], "the first config's entry is still there"


def test_a_read_without_checks_is_kept_apart(tmp_path, form, reads):
    read(form, "HB.xlsx", cache_of(tmp_path, settings=None), settings=None)
    checked = read(form, "HB.xlsx", cache_of(tmp_path))
    assert reads == ["HB.xlsx", "HB.xlsx"] and checked.checked is not None


def test_changed_code_is_a_miss_and_old_versions_are_removed(tmp_path, form, reads, monkeypatch):
    read(form, "HB.xlsx", cache_of(tmp_path))
    old = cache_of(tmp_path).folder
    monkeypatch.setattr(parsed, "code_version", lambda: "f" * 64)
    read(form, "HB.xlsx", cache_of(tmp_path))
    assert reads == ["HB.xlsx", "HB.xlsx"]
    (tmp_path / "out" / CACHE_FOLDER / "not-a-version").mkdir()
    cache_of(tmp_path).prune()
    assert sorted(p.name for p in (tmp_path / "out" / CACHE_FOLDER).iterdir()) == ["f" * 64, "not-a-version"]
    assert not old.exists()


@pytest.mark.parametrize("source", ["io/excel.py", "io/screen/xlsx.py", "core/steps/parse.py", "core/steps/checks.py",
                                    "core/steps/validate.py", "settings/model.py", "expressions.py", "io/entries.py"])
def test_the_code_version_follows_every_source_file_read(tmp_path, monkeypatch, source):
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(parsed, "PACKAGE", copy)
    parsed.code_version.cache_clear()
    try:
        before = parsed.code_version()
        with (copy / source).open("a", encoding="utf-8") as stream:
            stream.write("\n# changed\n")
        parsed.code_version.cache_clear()
        assert parsed.code_version() != before
    finally:
        parsed.code_version.cache_clear()


@pytest.mark.parametrize("library", parsed.LIBRARIES)
def test_the_code_version_follows_the_libraries(monkeypatch, library):
    parsed.code_version.cache_clear()
    before = parsed.code_version()
    real = parsed.library_versions
    monkeypatch.setattr(parsed, "library_versions",
                        lambda names: {n: ("0.0.1" if n == library else v) for n, v in real(names).items()})
    parsed.code_version.cache_clear()
    try:
        assert parsed.code_version() != before
    finally:
        monkeypatch.undo()
        parsed.code_version.cache_clear()


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pipeline")}
    return found


def _source(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE / relative / "__init__.py", (PACKAGE / relative).with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def test_the_code_version_covers_everything_the_reader_and_checks_import():
    """READER_CODE is a fixed list (hashing it is cheap): it must hold every module the reader,
    the parser, the checks and the config models import, transitively."""
    seen: set[Path] = set()
    todo = ["pipeline.io.parsed", "pipeline.core.text", "pipeline.io.fonts"]  # and the text policy, from runner
    while todo:
        module = todo.pop()
        path = _source(module)
        if path is None or path in seen:
            continue
        seen.add(path)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(2, len(parts))]
        todo += sorted(_imports(path))
    covered = {p.relative_to(PACKAGE).as_posix() for p in seen}
    listed = {c for c in covered if any(c == r or c.startswith(r.rstrip("/") + "/") for r in READER_CODE)}
    assert covered - listed == set()


def test_the_entry_format_holds_every_field():
    """A field added to what a read holds must be added to the entries too (and changes the code version)."""
    names = {f.name for f in dataclasses.fields(Submission)}
    assert names == entries.SUBMISSION_FIELDS
    assert [len(dataclasses.fields(t)) for t in (Figure, Organisation, Issue, Refusal)] == [5, 13, 8, 4]


def _entry(cache, form: Path, name: str = "HB.xlsx") -> Path:
    good = read(form, name, cache)
    return cache.path(cache.key(good.sha256, name, ".xlsx"))


def _edit_body(body: bytes) -> bytes:
    value = json.loads(body)
    value["submission"]["figures"][0][1] += 1  # one figure changed by hand
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _reheaded(data: bytes, **change) -> bytes:
    head, body = data.split(b"\n", 1)
    return json.dumps(json.loads(head) | change).encode() + b"\n" + body


DAMAGES = {
    "empty": lambda data: b"",
    "garbage": lambda data: b"garbage\n\x00\xff",
    "head only": lambda data: data.split(b"\n", 1)[0],
    "truncated": lambda data: data[: len(data) // 2],
    "a byte flipped": lambda data: data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],
    "edited by hand": lambda data: data.split(b"\n", 1)[0] + b"\n" + _edit_body(data.split(b"\n", 1)[1]),
    "another key": lambda data: _reheaded(data, key="0" * 64),
    "another format": lambda data: _reheaded(data, format="pickle"),
    "a newer version": lambda data: _reheaded(data, version=parsed.VERSION + 1),
    "a pickle": lambda data: b"\x80\x04\x95\x00\n",
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_edited_or_foreign_entry_is_a_miss_and_is_written_again(tmp_path, form, reads, damage):
    cache = cache_of(tmp_path)
    entry = _entry(cache, form)
    good = entry.read_bytes()
    entry.write_bytes(DAMAGES[damage](good))
    again = read(form, "HB.xlsx", cache)
    assert reads == ["HB.xlsx", "HB.xlsx"] and same(again, fresh(form, "HB.xlsx"))
    assert entry.read_bytes() == good
    read(form, "HB.xlsx", cache)
    assert reads == ["HB.xlsx", "HB.xlsx"]  # written again: a hit


def test_an_edit_with_a_matching_checksum_but_wrong_types_is_a_miss(tmp_path, form, reads):
    cache = cache_of(tmp_path)
    entry = _entry(cache, form)
    head, body = entry.read_bytes().split(b"\n", 1)
    value = json.loads(body)
    value["submission"]["year"] = True  # a bool where an int belongs
    body = json.dumps(value).encode()
    entry.write_bytes(json.dumps(parsed._head(json.loads(head)["key"], body)).encode() + b"\n" + body)
    assert same(read(form, "HB.xlsx", cache), fresh(form, "HB.xlsx")) and len(reads) == 2


def test_an_entry_for_other_bytes_is_never_served(tmp_path, form, reads):
    """Even a whole, well-formed entry under this key is checked against the bytes it claims to be."""
    cache = cache_of(tmp_path)
    good = read(form, "HB.xlsx", cache)
    other = factories.write(factories.good_form("HB", party=9), tmp_path / "other" / "HB.xlsx")
    cache.put(good.sha256, "HB.xlsx", ".xlsx", fresh(other, "HB.xlsx"))  # a read of other bytes
    again = read(form, "HB.xlsx", cache)
    assert reads == ["HB.xlsx", "HB.xlsx"] and same(again, good)


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, form):
    (tmp_path / "out").write_text("a file where the cache folder would be")
    assert same(read(form, "HB.xlsx", cache_of(tmp_path)), fresh(form, "HB.xlsx"))


def test_a_read_only_cache_only_costs_time(tmp_path, form, reads):
    cache = cache_of(tmp_path)
    cache.folder.mkdir(parents=True)
    cache.folder.chmod(0o500)
    try:
        assert same(read(form, "HB.xlsx", cache), fresh(form, "HB.xlsx"))
        assert same(read(form, "HB.xlsx", cache), fresh(form, "HB.xlsx"))
    finally:
        cache.folder.chmod(0o700)


def test_a_value_entries_cannot_hold_is_not_kept(tmp_path, form):
    cache = cache_of(tmp_path)
    good = fresh(form, "HB.xlsx")
    odd = dataclasses.replace(good, year=2016.0)  # a float would come back an int: not stored at all
    cache.put(good.sha256, "HB.xlsx", ".xlsx", odd)
    assert not list(cache.folder.rglob("*.json"))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _report(input_dir: Path, output: Path) -> Path:
    try:
        return flow.report(flow.Options(2016, input_dir, CONFIG, output, jobs=1)).folder
    except InvalidDataError:
        return output / "2016"


@pytest.mark.parametrize("broken", [False, True])
def test_a_report_is_byte_identical_with_a_cold_and_a_warm_cache(tmp_path, reads, broken):
    """On the sample, and with a workbook with warnings and errors and one that is refused."""
    input_dir = SAMPLE_INPUT
    if broken:
        input_dir = factories.copy_sample(tmp_path / "input")
        factories.write(dataclasses.replace(factories.good_form("HB", party=-1), preparer="Nguyễn\u200bVăn A"),
                        input_dir / "2016" / "HB.xlsx")
        (input_dir / "2016" / "LC-hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    first = _report(input_dir, cold)
    count = len(reads)
    assert len(list((cold / CACHE_FOLDER).rglob("*.json"))) == count >= 15
    shutil.copytree(cold / CACHE_FOLDER, warm / CACHE_FOLDER)  # a warm cache, and nothing published yet
    reads.clear()
    second = _report(input_dir, warm)
    assert reads == []
    assert _files(second) == _files(first)
    assert (second / "SHA256SUMS").read_bytes() == (first / "SHA256SUMS").read_bytes()
    assert (second / "data" / "kiem-tra.json").read_bytes() == (first / "data" / "kiem-tra.json").read_bytes()
    if broken:
        issues = json.loads((second / "data" / "kiem-tra.json").read_bytes())["issues"]
        assert {i["severity"] for i in issues} == {"error", "warning"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_read_through_the_cache_gives_what_a_read_without_it_gives(tmp_path, monkeypatch, workers, reads):
    """Cold, warm, and warm with one workbook changed, in one process and in a pool: the same
    submissions with the same checks as a read without the cache; warm, nothing is read."""
    monkeypatch.setattr(runner, "READ_POOL_THRESHOLD", 2)
    input_dir = factories.copy_sample(tmp_path / "input")
    (input_dir / "2016" / "HB-hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")

    def both() -> None:
        plain = plan.read_inputs(input_dir, workers, SETTINGS)
        through = plan.read_inputs(input_dir, workers, SETTINGS, tmp_path / "out")
        assert through == plain
        assert [(s.checked, s.cells, s.sheets) for s in through.by_year[2016]] == [
            (s.checked, s.cells, s.sheets) for s in plain.by_year[2016]]

    both()  # cold
    sent: list[list] = []
    real = runner._read_all
    monkeypatch.setattr(runner, "_read_all", lambda files, *rest: sent.append(files) or real(files, *rest))
    through = plan.read_inputs(input_dir, workers, SETTINGS, tmp_path / "out")
    assert sent == [[]] and len(through.read) == 16  # warm: nothing read, no pool started
    both()  # warm
    factories.write(factories.good_form("HB", party=7), input_dir / "2016" / "HB.xlsx")
    both()  # one changed


_texts = st.text(max_size=8)
_ints = st.integers(-(2 ** 70), 2 ** 70)
_dates = st.none() | st.dates()
_issues = st.builds(Issue, _texts, _texts, _texts, _texts, _texts, st.sampled_from(["error", "warning"]), _texts,
                    _texts)
_cells = st.dictionaries(_texts, _texts, max_size=3)
_submissions = st.builds(
    Submission, file=_texts, sha256=_texts, unit_code=_texts, unit_name=_texts, year=st.none() | _ints,
    prepared_on=_dates, preparer=_texts, phone=_texts,
    figures=st.lists(st.builds(Figure, _texts, st.none() | _ints, st.none() | _ints, _ints, _cells),
                     max_size=3).map(tuple),
    organisations=st.lists(st.builds(Organisation, _ints, _texts, _texts, _texts, _texts, _texts, _dates,
                                     st.none() | _ints, _cells, _ints, _texts, _texts, _texts), max_size=3).map(tuple),
    issues=st.lists(_issues, max_size=3).map(tuple),
    cells=st.dictionaries(_texts, st.tuples(_texts, _texts), max_size=3),
    checked=st.none() | st.lists(_issues, max_size=3).map(tuple), sheets=_cells)


@given(_submissions)
def test_any_submission_comes_back_exactly_through_json(sub):
    assert same(entries.decode(json.loads(json.dumps(entries.encode(sub), ensure_ascii=False))), sub)


def _nested(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=14) | st.dictionaries(st.text(max_size=12), inner, max_size=14)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5), _nested,
                     max_leaves=40)


@given(st.dictionaries(st.sampled_from(["submission", "refusal", "x"]), _json, min_size=1, max_size=2))
def test_no_json_value_makes_decoding_raise_anything_but_a_miss(value):
    with contextlib.suppress(ValueError, TypeError):  # what ReadCache.get takes for a miss
        entries.decode(value)


@pytest.mark.parametrize(("file", "old", "new"), [
    ("years/2016.yaml", "deadline: 2016-12-15", "deadline: 2016-01-15"),  # the on-time check reads it
    ("rules.yaml", "    severity: warning", "    severity: error"),  # a configured rule's severity
])
def test_an_edited_config_file_is_another_key(tmp_path, file, old, new):
    config = shutil.copytree(CONFIG, tmp_path / "config")
    before = parsed.config_digest(load_settings(config))
    text = (config / file).read_text(encoding="utf-8")
    assert old in text
    (config / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    after = load_settings(config)
    assert parsed.config_digest(after) != before
    assert read_cache(tmp_path, POLICY, after).base != read_cache(tmp_path, POLICY, load_settings(CONFIG)).base
