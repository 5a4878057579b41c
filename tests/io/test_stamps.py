"""Stat stamps of published files (pipeline.io.stamps): a reused file is hashed again unless its stat is
exactly the one recorded when a run wrote or verified it, so an edited or replaced file is never reused."""

from __future__ import annotations

import json
import os
import time

import pytest

from pipeline.core.catalogue import Command
from pipeline.io import publish as publishing
from pipeline.io import stamps as stamping
from pipeline.io.publish import Staging, keep_for

NAME = "thong-bao/HB.pdf"


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """The record waits past the clock's tick, as a national run's unlinks do, so that its stamps are not racy."""
    real = stamping.tempfile.mkstemp

    def later(*args, **kwargs):
        time.sleep(0.03)
        return real(*args, **kwargs)

    monkeypatch.setattr(stamping.tempfile, "mkstemp", later)


def run(root, files=None, reuse=(), command=Command.REPORT):
    """One publishing run: adds `files`, reuses `reuse`; returns what reuse said for each."""
    staging = Staging(root, 2016, keep_for(command))
    reused = {name: staging.reuse(name) for name in reuse}
    for name, data in (files or {}).items():
        if not reused.get(name):
            staging.add(name, data)
    staging.commit()
    return reused


@pytest.fixture
def hashed(monkeypatch):
    """The names of the files hashed to be checked."""
    names = []
    real = publishing.file_digest

    def counting(path):
        names.append(path.name)
        return real(path)

    monkeypatch.setattr(publishing, "file_digest", counting)
    return names


def record(root) -> dict:
    return json.loads((root / ".cache" / "da-cong-bo" / "2016.json").read_text())


def same_times_again(path, before: os.stat_result) -> None:
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_file_unchanged_since_it_was_published_is_reused_without_being_read(tmp_path, hashed):
    run(tmp_path, {NAME: b"%PDF notice"})
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}
    assert hashed == []
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}, "a reused file is stamped again"
    assert hashed == []
    assert (tmp_path / "2016" / NAME).read_bytes() == b"%PDF notice"


def test_a_file_edited_in_place_with_its_size_and_mtime_kept_is_not_reused(tmp_path, hashed):
    run(tmp_path, {NAME: b"%PDF notice"})
    path = tmp_path / "2016" / NAME
    before = os.stat(path)
    path.write_bytes(b"%PDF NOTICE")  # same size, same inode
    same_times_again(path, before)  # touch -r: the mtime says nothing changed, the ctime does
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: False}
    assert hashed == ["HB.pdf"]
    assert (tmp_path / "2016" / NAME).read_bytes() == b"%PDF notice"


def test_a_file_replaced_by_another_of_the_same_size_and_mtime_is_not_reused(tmp_path, hashed):
    run(tmp_path, {NAME: b"%PDF notice"})
    path = tmp_path / "2016" / NAME
    before = os.stat(path)
    other = path.with_name("HB.tmp")
    other.write_bytes(b"%PDF NOTICE")
    same_times_again(other, before)
    os.replace(other, path)
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: False}
    assert (tmp_path / "2016" / NAME).read_bytes() == b"%PDF notice"


def test_a_file_only_touched_is_read_again_and_reused(tmp_path, hashed):
    run(tmp_path, {NAME: b"%PDF notice"})
    path = tmp_path / "2016" / NAME
    same_times_again(path, os.stat(path))
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}
    assert hashed == ["HB.pdf"]


def test_a_stamp_whose_digest_sha256sums_no_longer_lists_is_not_trusted(tmp_path, hashed):
    run(tmp_path, {NAME: b"%PDF notice"})
    sums = tmp_path / "2016" / "SHA256SUMS"
    sums.write_text(sums.read_text().replace(record(tmp_path)[NAME][5], "0" * 64))
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: False}


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[]", b'{"thong-bao/HB.pdf": [1, 2, 3]}',
                                    b'{"thong-bao/HB.pdf": [1, 2, 3, 4, 5, "abc"]}'])
def test_a_damaged_record_only_costs_reading_the_files(tmp_path, hashed, damage):
    run(tmp_path, {NAME: b"%PDF notice"})
    (tmp_path / ".cache" / "da-cong-bo" / "2016.json").write_bytes(damage)
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}
    assert hashed == ["HB.pdf", "SHA256SUMS"], "the reused file, and the sums the unchanged folder is kept by"
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}
    assert hashed == ["HB.pdf", "SHA256SUMS"], "stamped again: read once"


def test_a_file_changed_after_the_run_saw_it_is_not_stamped(tmp_path):
    staging = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    staging.add(NAME, b"%PDF notice")
    (staging.folder / NAME).write_bytes(b"%PDF notice, longer")  # between the run's write and its record
    staging.add("bao-cao.pdf", b"%PDF report")
    staging.commit()
    assert set(record(tmp_path)) == {"bao-cao.pdf", "SHA256SUMS"}


def test_a_file_whose_ctime_is_in_the_tick_of_the_record_is_not_stamped(tmp_path, monkeypatch):
    """A write in the same tick as the stat could leave the ctime as it was: such a stamp would prove nothing."""
    staging = Staging(tmp_path, 2016, keep_for(Command.REPORT))
    staging.add(NAME, b"%PDF notice")
    racy = os.stat(staging.folder / NAME)
    monkeypatch.setattr(stamping.os, "fstat", lambda fd: racy)  # the probe's tick: the file's own
    staging.commit()
    assert NAME not in record(tmp_path)


def test_files_carried_over_unread_are_never_stamped(tmp_path, hashed):
    """validate carries the report's documents over with their published digest, altered or not."""
    run(tmp_path, {"bao-cao-2016.pdf": b"%PDF report"})
    report = tmp_path / "2016" / "bao-cao-2016.pdf"
    before = os.stat(report)
    report.write_bytes(b"%PDF REPORT")
    same_times_again(report, before)
    run(tmp_path, {"data/kiem-tra.json": b"{}"}, command=Command.VALIDATE)
    assert "bao-cao-2016.pdf" not in record(tmp_path)
    assert run(tmp_path, {"bao-cao-2016.pdf": b"%PDF report"}, reuse=["bao-cao-2016.pdf"]) == {
        "bao-cao-2016.pdf": False}
    assert report.read_bytes() == b"%PDF report"


def test_an_unwritable_record_only_costs_time(tmp_path, hashed):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "da-cong-bo").write_bytes(b"a file where the folder goes")
    run(tmp_path, {NAME: b"%PDF notice"})
    assert run(tmp_path, {NAME: b"%PDF notice"}, reuse=[NAME]) == {NAME: True}
    assert hashed == ["HB.pdf", "SHA256SUMS"]
