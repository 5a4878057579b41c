"""A DOCX's chart pictures kept between runs, so that a rerun whose charts did not change draws none.

Drawing the report's two charts as PNGs took the worker making the report's DOCX ~1 s of a national rerun
after one late workbook, most of it importing matplotlib, though the charts (a group per province) had not
changed. A picture is given back only for the same key (`png_key`): which chart, its data's repr (the whole
of what it shows, as the render cache keys a chart file), the font family, the resolution, the versions of
matplotlib and of the libraries it draws and writes with, and the bytes of every matplotlibrc file it might
read besides its own; the store (`pipeline.render.kept.Kept`, kept on disk by pipeline.io.chart_images)
adds its format and the code's digest. A picture is the same bytes whether drawn or taken from the store.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import version
from pathlib import Path

DPI = 200  # the pictures' resolution
# matplotlib with what it lays out (kiwisolver), computes (numpy) and writes PNGs with (Pillow).
LIBRARIES = ("matplotlib", "numpy", "kiwisolver", "pillow", "contourpy", "pyparsing", "cycler")
RC_NAME = "matplotlibrc"


def png_key(chart: str, data: object, font_family: str, dpi: int = DPI) -> str:
    """Everything the PNG of `chart` drawn from `data` depends on but the code."""
    libraries = [f"{name}={version(name)}" for name in LIBRARIES]
    return repr((chart, repr(data), font_family, dpi, libraries, rc_files()))


def rc_files() -> list[tuple[str, str]]:
    """Each settings file matplotlib might read besides the one it ships (its version covers that), with the
    SHA-256 of its bytes: more places than the one it reads (`matplotlib.matplotlib_fname`), so that none can
    change unseen, and found without importing matplotlib (~0.5 s)."""
    home = Path(os.path.expanduser("~"))
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib"
    places = [Path.cwd() / RC_NAME, config / RC_NAME, home / ".matplotlib" / RC_NAME]
    for variable in ("MATPLOTLIBRC", "MPLCONFIGDIR"):
        if value := os.environ.get(variable):
            places += [Path(value), Path(value) / RC_NAME]
    found = []
    for place in places:
        try:
            found.append((str(place), hashlib.sha256(place.read_bytes()).hexdigest()))
        except OSError:  # missing, or a folder
            continue
    return found
