"""The kept-file stores (pipeline.io.kept): the PDF parts' and the chart pictures' give back only what was put
under exactly the same key with the same code; a damaged, edited or foreign file is a miss, and a store that
cannot be written costs only time."""

from __future__ import annotations

import pytest

from pipeline.io.chart_images import chart_image_store
from pipeline.io.pdf_parts import pdf_part_store

STORES = {"phan-pdf": (pdf_part_store, "bao-cao-2016.pdf", b"%PDF-1.7 part"),
          "hinh-bieu-do": (chart_image_store, "bao-cao-2016.docx#chart", b"\x89PNG picture")}


@pytest.mark.parametrize("folder", STORES)
@pytest.mark.parametrize("damage", ["flip", "truncate", "head", "empty"])
def test_a_damaged_or_foreign_entry_is_a_miss(tmp_path, damage, folder):
    make, name, data = STORES[folder]
    store = make(tmp_path)
    store.put(name, "key", data)
    assert store.get(name, "key") == data
    assert store.get(name, "other") is None and store.get(name + "x", "key") is None
    (path,) = (tmp_path / ".cache" / folder).iterdir()
    kept = path.read_bytes()
    path.write_bytes({"flip": kept[:-1] + bytes([kept[-1] ^ 1]), "truncate": kept[:-3],
                      "head": kept.replace(b'"version": 1', b'"version": 2'), "empty": b""}[damage])
    assert store.get(name, "key") is None


@pytest.mark.parametrize("folder", STORES)
def test_another_code_version_is_a_miss(tmp_path, monkeypatch, folder):
    make, name, data = STORES[folder]
    store = make(tmp_path)
    store.put(name, "key", data)
    monkeypatch.setattr("pipeline.io.kept.package_digest", lambda: "another")
    assert store.get(name, "key") is None


@pytest.mark.parametrize("folder", STORES)
def test_an_unwritable_store_costs_only_time(tmp_path, folder):
    make, name, data = STORES[folder]
    (tmp_path / ".cache").write_text("a file where the folder would be")
    store = make(tmp_path)
    store.put(name, "key", data)
    assert store.get(name, "key") is None


def test_the_two_stores_keep_apart(tmp_path):
    pdf, images = pdf_part_store(tmp_path), chart_image_store(tmp_path)
    pdf.put("same", "key", b"pdf")
    assert images.get("same", "key") is None
