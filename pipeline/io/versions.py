"""The installed versions of libraries, for the keys of the caches: an upgraded library invalidates what it made."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable


def library_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each of `names` ("?" when absent), read from the names of the
    *.dist-info folders on sys.path: a listing per folder, where importlib.metadata reads every
    distribution's metadata for each name asked (~0.1 s a run). A folder is named by the
    distribution's normalised name and its version, so an upgrade renames it; a library not found
    that way is asked of importlib.metadata."""
    listed = _dist_info_versions()
    versions = {}
    for name in names:
        versions[name] = listed.get(_normalised(name)) or _metadata_version(name)
    return versions


def _dist_info_versions() -> dict[str, str]:
    """Normalised name → version of every *.dist-info folder on sys.path; the first one wins, as for imports."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder.removesuffix(".dist-info").partition("-")
                found.setdefault(_normalised(name), version)
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata_version(name: str) -> str:
    import importlib.metadata  # slow to import and to ask: only for a library the listing missed

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"
