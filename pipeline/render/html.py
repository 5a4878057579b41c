"""Jinja2 templates → HTML text.

Autoescape is on and undefined names are errors (StrictUndefined): text from a
workbook is always printed literally, and a template that asks for something
the context does not have fails loudly instead of printing nothing. With a
text policy, everything a `{{ … }}` prints is made printable (hidden characters
dropped, what the font cannot draw shown as "□"): workbook cells are cleaned on
read, but file names, sheet names and messages quoting them reach documents too,
and no content may stop a render.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from pipeline.core.text import TextPolicy, printable
from pipeline.errors import RenderError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def environment(templates: Path, policy: TextPolicy | None = None) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_printer(policy) if policy is not None else None,
    )


def _printer(policy: TextPolicy) -> Callable[[object], object]:
    """Jinja's finalize: a printed string made printable. Markup (a macro's output, a joined
    list) too: the characters changed are never part of HTML syntax, so it stays well-formed."""

    def finalize(value: object) -> object:
        if isinstance(value, Markup):
            return Markup(printable(str(value), policy))
        if isinstance(value, str):
            return printable(value, policy)
        return value

    return finalize


def render_html(env: jinja2.Environment, template: str, context: DataclassInstance, **extra: object) -> str:
    """Render one template with a dataclass context exposed by its field names.

    `extra` carries what a renderer adds to the data (a chart drawn from it).
    """
    values = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)} | extra
    try:
        return env.get_template(template).render(**values)
    except jinja2.TemplateNotFound as exc:
        where = getattr(env.loader, "searchpath", ["?"])[0]
        raise RenderError(f"Không tìm thấy mẫu văn bản {template} trong {where}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"Mẫu văn bản {exc.filename or template}, dòng {exc.lineno}: lỗi cú pháp Jinja2 "
                          f"({exc.message})") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"Mẫu văn bản {template} dùng một giá trị không có trong dữ liệu: {exc.message}") from exc
