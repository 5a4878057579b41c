"""Where the files the code ships with are: the one place that knows.

The document templates live in the repository's top-level `templates/` folder.
A wheel (`pip install .`) carries that folder inside the package, as
`pipeline/templates` (pyproject.toml maps it there); the source tree, an
editable install and the tests use the top-level folder itself.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATE_ENTRY = "van-ban.css"  # a file every templates folder has: tells a real one from a stray folder


def templates_dir() -> Path:
    """The templates folder: the installed package's copy, else the source tree's."""
    for candidate in (PACKAGE / "templates", PACKAGE.parent / "templates"):
        if (candidate / TEMPLATE_ENTRY).is_file():
            return candidate
    # Neither: name where it was looked for, so the error that follows is clear.
    return PACKAGE.parent / "templates"
