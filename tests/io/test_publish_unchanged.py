"""A run that would publish exactly the folder already there swaps nothing (pipeline.io.publish.Staging.commit):
the published files stay as they are, neither linked nor unlinked. Any difference, even one a clerk made in the
published folder since, and the folder is replaced as before."""

from __future__ import annotations

import os

import pytest

from pipeline.core.catalogue import Command
from pipeline.errors import PublishError
from pipeline.io.publish import Staging, keep_for

REPORT = keep_for(Command.REPORT)
FILES = {"bao-cao.pdf": b"%PDF report", "thong-bao/HB.pdf": b"%PDF notice", "data/tong-hop.json": b"{}\n"}


def run(root, files: dict[str, bytes], reuse=("thong-bao/HB.pdf",), keep=REPORT):
    """A run that reuses `reuse` when it can and adds the rest of `files`; returns its staging, committed."""
    staging = Staging(root, 2016, keep)
    reused = {name for name in reuse if staging.reuse(name)}
    for name, data in files.items():
        if name not in reused:
            staging.add(name, data)
    staging.commit()
    return staging


def inodes(folder) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")}


def contents(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_run_with_nothing_changed_leaves_the_published_folder_as_it_is(tmp_path):
    run(tmp_path, FILES)
    folder = tmp_path / "2016"
    before, state = inodes(folder), os.stat(folder)
    run(tmp_path, FILES)
    assert inodes(folder) == before and os.stat(folder).st_ino == state.st_ino, "not one file replaced"
    assert all(p.stat().st_nlink == 1 for p in folder.rglob("*") if p.is_file()), "nothing linked"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2016.khoa", ".cache", "2016"], "no staging left"
    Staging(tmp_path, 2016, REPORT).abandon()  # the lock was released


@pytest.mark.parametrize("change", ["a figure", "a file more", "a file less"])
def test_any_difference_in_what_the_run_makes_replaces_the_folder(tmp_path, change):
    run(tmp_path, FILES)
    files = {"a figure": {**FILES, "bao-cao.pdf": b"%PDF report, corrected"},
             "a file more": {**FILES, "thong-bao/LC.pdf": b"%PDF notice LC"},
             "a file less": {k: v for k, v in FILES.items() if k != "data/tong-hop.json"}}[change]
    run(tmp_path, files)
    assert contents(tmp_path / "2016") == {**files, "SHA256SUMS": (tmp_path / "2016" / "SHA256SUMS").read_bytes()}


@pytest.mark.parametrize("edit", ["altered", "removed", "a stray file beside"])
def test_a_published_folder_a_clerk_changed_since_is_replaced_with_what_the_run_makes(tmp_path, edit):
    """The run's files are those published, but the folder no longer holds them: it is not the run's folder."""
    run(tmp_path, FILES)
    folder = tmp_path / "2016"
    if edit == "altered":
        (folder / "data" / "tong-hop.json").write_bytes(b'{"sua": 1}\n')
    elif edit == "removed":
        (folder / "bao-cao.pdf").unlink()
    else:
        (folder / "thong-bao" / "ghi-chu.txt").write_bytes(b"note")
    run(tmp_path, FILES)
    published = contents(folder)
    assert {k: v for k, v in published.items() if k != "SHA256SUMS"} == FILES


def test_a_reused_file_replaced_while_the_run_goes_on_stops_a_run_that_changes_the_folder(tmp_path):
    run(tmp_path, FILES)
    folder = tmp_path / "2016"
    staging = Staging(tmp_path, 2016, REPORT)
    assert staging.reuse("thong-bao/HB.pdf")
    staging.add("bao-cao.pdf", b"%PDF report, corrected")
    staging.add("data/tong-hop.json", FILES["data/tong-hop.json"])
    other = folder / "thong-bao" / "HB.tmp"  # an editor saving over the notice: a new file renamed in place
    other.write_bytes(b"%PDF NOTICE")
    os.replace(other, folder / "thong-bao" / "HB.pdf")
    with pytest.raises(PublishError, match="đã bị thay trong lúc chương trình chạy"):
        staging.commit()
    assert (folder / "bao-cao.pdf").read_bytes() == FILES["bao-cao.pdf"], "nothing replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2016.khoa", ".cache", "2016"]


def test_a_folder_replaced_after_a_partial_match_is_stamped_as_written(tmp_path, monkeypatch):
    """The comparison that found a difference late must not leave the earlier files stamped as the replaced
    copies: the next unchanged run would read them all again."""
    import time

    from pipeline.io import publish as publishing
    from pipeline.io import stamps as stamping

    mkstemp = stamping.tempfile.mkstemp  # past the clock's tick, as a country's run is (see test_stamps.settled)
    monkeypatch.setattr(stamping.tempfile, "mkstemp", lambda *a, **k: time.sleep(0.03) or mkstemp(*a, **k))
    run(tmp_path, FILES)
    changed = {**FILES, "data/tong-hop.json": b'{"a": 1}\n'}  # added last: the files before it matched
    run(tmp_path, changed)
    hashed = []
    real = publishing.file_digest
    monkeypatch.setattr(publishing, "file_digest", lambda path: hashed.append(path.name) or real(path))
    run(tmp_path, changed)
    assert hashed == []
