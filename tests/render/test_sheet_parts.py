"""The summary workbook's sheets kept as zip parts (pipeline.render.parts, pipeline.io.sheet_parts).

A workbook made with parts taken from the store must be byte for byte the one made without a
store, and a part must never be served for another input, look table, library or code.
"""

from __future__ import annotations

import dataclasses
import zlib

import openpyxl
import pytest

from pipeline.io.sheet_parts import sheet_store
from pipeline.render import parts
from pipeline.render.xlsx import LIST_SHEET, TARGET_SHEET, _list_input, _looks, render_summary_xlsx
from pipeline.stable import SheetPart
from tests.render.test_xlsx import context, grouped_book, larger, sample  # noqa: F401 - fixtures

CACHED = {LIST_SHEET, TARGET_SHEET}


class Store:
    """SheetParts in memory, counting what was served."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, str], SheetPart] = {}
        self.served: list[str] = []

    def get(self, sheet: str, key: str) -> SheetPart | None:
        part = self.parts.get((sheet, key))
        if part is not None:
            self.served.append(sheet)
        return part

    def put(self, sheet: str, key: str, part: SheetPart) -> None:
        self.parts[(sheet, key)] = part


def assert_same_with_parts(context, store) -> None:
    plain = render_summary_xlsx(context)
    assert render_summary_xlsx(context, store) == plain  # made, and kept
    assert {sheet for sheet, _ in store.parts} >= CACHED
    store.served.clear()
    assert render_summary_xlsx(context, store) == plain  # taken from the store
    assert set(store.served) == CACHED


def test_parts_give_the_bytes_of_a_whole_render(context):
    assert_same_with_parts(context, Store())


def test_parts_give_the_bytes_of_a_whole_render_on_a_larger_set(context):
    assert_same_with_parts(larger(context), Store())


def test_parts_give_the_bytes_of_a_whole_render_grouped(grouped_book):
    _, grouped, _ = grouped_book
    assert_same_with_parts(grouped, Store())


def test_a_changed_list_is_made_again(context):
    """One organisation renamed: DanhSach is made again, the targets are taken, the bytes are the new ones."""
    store = Store()
    render_summary_xlsx(context, store)
    first, *rest = context.organisations
    changed = dataclasses.replace(context, organisations=(dataclasses.replace(first, enterprise="Công ty khác"),
                                                          *rest))
    store.served.clear()
    assert render_summary_xlsx(changed, store) == render_summary_xlsx(changed)
    assert store.served == [TARGET_SHEET]


def test_a_part_is_placed_where_its_sheet_now_is(context):
    """ChiTieuNamSau comes after CacNam when there is a trend: its part, kept without, is reused with, and
    the other way round."""
    assert context.trend
    store, without = Store(), dataclasses.replace(context, trend=())
    render_summary_xlsx(without, store)
    store.served.clear()
    assert render_summary_xlsx(context, store) == render_summary_xlsx(context)
    assert set(store.served) == CACHED
    render_summary_xlsx(context, Store())
    assert render_summary_xlsx(without, store) == render_summary_xlsx(without)


def test_the_on_disk_store_gives_the_bytes_of_a_whole_render(context, tmp_path):
    store = sheet_store(tmp_path)
    plain = render_summary_xlsx(context)
    assert render_summary_xlsx(context, store) == plain
    assert sorted(p.name for p in (tmp_path / ".cache" / "trang-tinh").iterdir()) == ["ChiTieuNamSau.part",
                                                                                       "DanhSach.part"]
    assert render_summary_xlsx(context, store) == plain


def test_each_key_part_changes_the_key(context, monkeypatch):
    given, looks = _list_input(context), _looks(context)
    key = parts.part_key(LIST_SHEET, given, looks)
    assert parts.part_key(TARGET_SHEET, given, looks) != key
    first, *rest = given.organisations
    assert parts.part_key(LIST_SHEET, dataclasses.replace(
        given, organisations=(dataclasses.replace(first, members=(first.members or 0) + 1), *rest)), looks) != key
    assert parts.part_key(LIST_SHEET, given, _looks(dataclasses.replace(
        context, percent_decimals=context.percent_decimals + 1))) != key
    assert parts.part_key(LIST_SHEET, given, _looks(dataclasses.replace(context, office_font="Arial"))) != key
    monkeypatch.setattr(openpyxl, "__version__", "0.0")
    assert parts.part_key(LIST_SHEET, given, looks) != key
    monkeypatch.undo()
    monkeypatch.setattr(zlib, "ZLIB_RUNTIME_VERSION", "0.0")
    assert parts.part_key(LIST_SHEET, given, looks) != key


def kept(context, tmp_path):
    store = sheet_store(tmp_path)
    render_summary_xlsx(context, store)
    key = parts.part_key(LIST_SHEET, _list_input(context), _looks(context))
    assert store.get(LIST_SHEET, key) is not None
    return store, key


def test_another_code_version_is_a_miss(context, tmp_path, monkeypatch):
    store, key = kept(context, tmp_path)
    monkeypatch.setattr("pipeline.io.kept.package_digest", lambda: "mã nguồn khác")
    assert store.get(LIST_SHEET, key) is None


def test_another_key_is_a_miss(context, tmp_path):
    store, key = kept(context, tmp_path)
    assert store.get(LIST_SHEET, key + "x") is None
    assert store.get(TARGET_SHEET, key) is None


@pytest.mark.parametrize("damage", ["flip", "truncate", "head", "empty"])
def test_a_damaged_part_is_a_miss(context, tmp_path, damage):
    store, key = kept(context, tmp_path)
    path = store._path(LIST_SHEET)
    data = path.read_bytes()
    head, body = data.split(b"\n", 1)
    damaged = {"flip": head + b"\n" + body[:-1] + bytes([body[-1] ^ 1]), "truncate": data[:-10],
               "head": head.replace(b'"size": ', b'"size": 1') + b"\n" + body, "empty": b""}[damage]
    path.write_bytes(damaged)
    assert store.get(LIST_SHEET, key) is None
    plain = render_summary_xlsx(context)
    assert render_summary_xlsx(context, store) == plain  # made again, and kept again
    assert store.get(LIST_SHEET, key) is not None


def test_an_unwritable_store_costs_only_time(context, tmp_path):
    (tmp_path / ".cache").write_text("not a folder")
    assert render_summary_xlsx(context, sheet_store(tmp_path)) == render_summary_xlsx(context)


def test_no_part_is_kept_when_a_look_is_outside_the_table(context, monkeypatch):
    """A sheet given a look the table lacks would number its styles after the other sheets': never kept."""
    monkeypatch.setattr(parts, "register_looks", lambda book, looks: (1,))
    store = Store()
    render_summary_xlsx(context, store)
    assert store.parts == {}
