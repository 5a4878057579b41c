"""Where the package's own files are: the templates."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    """The templates folder (HTML, CSS, Word templates)."""
    return Path(__file__).resolve().parent.parent / "templates"
