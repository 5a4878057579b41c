"""The DOCX's chart pictures kept on disk as PNGs between runs (see pipeline.render.chart_images).

One file per document and chart in OUTPUT/.cache/hinh-bieu-do/, the picture of its last render only, in the
kept-file format of pipeline.io.kept: a JSON head line (the format and its version, the key's digest, with the
digest of the whole pipeline package, so that any change of code is a miss, and the SHA-256 of the rest), then
the PNG. A file that is damaged, edited, of another format or key is a miss; one that cannot be written costs
only time.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.catalogue import CHART_IMAGE_CACHE
from pipeline.io.kept import KeptFiles

FORMAT, VERSION = "nq28-hinh-bieu-do", 1


def chart_image_store(output_root: Path) -> KeptFiles:
    """The store of chart pictures under OUTPUT (see pipeline.render.chart_images)."""
    return KeptFiles(output_root / CHART_IMAGE_CACHE, FORMAT, VERSION, "hình biểu đồ")
