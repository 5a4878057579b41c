"""The status page context → index.html bytes.

Writes nothing: flow decides where the page goes. The page is self-contained
(CSS embedded, no scripts), so it reads the same from a USB stick as on a
shared drive.
"""

from __future__ import annotations

import jinja2

from pipeline.core.documents.site import SiteContext
from pipeline.render.html import render_html

TEMPLATE = "index.html.j2"


def render_site(env: jinja2.Environment, context: SiteContext) -> bytes:
    return render_html(env, TEMPLATE, context).encode("utf-8")
