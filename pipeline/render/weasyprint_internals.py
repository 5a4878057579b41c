"""Every use of WeasyPrint's internals, in one place: what an upgrade may change under us.

The PDF renderer's two shortcuts (pipeline/render/pdf.py: LeanHTML) lean on what
is not WeasyPrint's public API:

- `weasyprint.html.UA` and `UA_COUNTER_STYLE`: the text of the user-agent
  stylesheet and its counter styles, to build a trimmed copy of it;
- `weasyprint.HTML._ua_stylesheets(forms)`: the hook through which the
  stylesheets of a document are asked for its user-agent stylesheets (the first
  of the list is `UA_STYLESHEET`);
- what `weasyprint.HTML.__init__` sets on the document (`HTML_ATTRIBUTES`), to set
  the same from a tree parsed by expat instead of tinyhtml5.

Two readers of the laid-out document also go below the public API: the box tree
of each page (`page._page_box`, its `children`, `position_y`, `content_box_x()`,
and `LineBox`/`TextBox` from weasyprint.formatting_structure.boxes), read by
placement.py (where figures land) and signature_space.py (the signature block's
place, recorded for make sign). Their tests render real documents, so a change
there fails them.

`problems()` says, in plain words, what of this no longer holds; the tests call it
(tests/render/test_internals.py) so an upgrade that breaks it fails loudly. At
run time `USABLE` is false then, and the renderer takes WeasyPrint's ordinary
path: slower, never wrong.
"""

from __future__ import annotations

import inspect
import xml.etree.ElementTree as ElementTree
from types import ModuleType

import cssselect2
import weasyprint
import weasyprint.css
import weasyprint.html
from weasyprint.urls import URLFetcher

UA: str | None = getattr(weasyprint.html, "UA", None)
UA_COUNTER_STYLE = getattr(weasyprint.html, "UA_COUNTER_STYLE", None)
# What weasyprint.HTML.__init__ sets on a document (WeasyPrint 70); html_from_tree sets the same.
HTML_ATTRIBUTES = frozenset({"base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"})
UA_HOOK = "_ua_stylesheets"


def html_from_tree(document: weasyprint.HTML, root: ElementTree.Element, base_url: str,
                   url_fetcher: URLFetcher) -> None:
    """Do what weasyprint.HTML.__init__ does, for a tree already parsed (no <base>, print media)."""
    document.base_url = base_url
    document.url_fetcher = url_fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element


# WeasyPrint ships no type information, so to mypy its classes are Any and subclassing one is an error.
class HTMLWithUserAgent(weasyprint.HTML):  # type: ignore[misc, unused-ignore]
    """A weasyprint.HTML styled with `user_agent` in place of WeasyPrint's own user-agent
    stylesheet (its form stylesheet kept); WeasyPrint's own when `user_agent` is None."""

    user_agent: weasyprint.CSS | None = None

    def _ua_stylesheets(self, forms: bool = False) -> list[weasyprint.CSS]:
        sheets = super()._ua_stylesheets(forms)
        return sheets if self.user_agent is None or not USABLE else [self.user_agent, *sheets[1:]]


def _source(module: ModuleType) -> str:
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):  # compiled only: nothing to read, nothing to say
        return UA_HOOK + "("


def problems() -> list[str]:
    """What this module relies on that the installed WeasyPrint no longer does; empty if all holds."""
    version = getattr(weasyprint, "__version__", "?")
    found: list[str] = []
    if not isinstance(UA, str):
        found.append("weasyprint.html.UA (the user-agent stylesheet's text) is gone")
    if UA_COUNTER_STYLE is None:
        found.append("weasyprint.html.UA_COUNTER_STYLE is gone")
    hook = getattr(weasyprint.HTML, UA_HOOK, None)
    if hook is None:
        found.append(f"weasyprint.HTML.{UA_HOOK} is gone")
    else:
        parameters = list(inspect.signature(hook).parameters.values())
        if [p.name for p in parameters] != ["self", "forms"] or parameters[1].default is not False:
            found.append(f"weasyprint.HTML.{UA_HOOK} changed signature: {inspect.signature(hook)}, "
                         "we override (self, forms=False)")
        elif UA_HOOK + "(" not in _source(weasyprint.css):
            found.append(f"weasyprint.css no longer calls html.{UA_HOOK}(…): "
                         "our user-agent stylesheet would be ignored")
    try:
        plain = weasyprint.HTML(string="<p>x</p>", base_url="file:///")
    except Exception as exc:  # reported, whatever it is
        return [*found, f"weasyprint.HTML(string=…) failed: {exc!r}"]
    if set(vars(plain)) != HTML_ATTRIBUTES:
        found.append(f"weasyprint.HTML.__init__ now sets {sorted(vars(plain))}, html_from_tree sets "
                     f"{sorted(HTML_ATTRIBUTES)}")
    if hook is not None and not found:
        sheets = hook(plain, False)
        if not sheets or sheets[0] is not getattr(weasyprint.html, "UA_STYLESHEET", None):
            found.append(f"weasyprint.HTML.{UA_HOOK}() no longer starts with weasyprint.html.UA_STYLESHEET")
    if "content_language" not in inspect.signature(cssselect2.ElementWrapper.from_html_root).parameters:
        found.append("cssselect2.ElementWrapper.from_html_root lost its content_language parameter")
    return [f"WeasyPrint {version}: {problem}" for problem in found]


USABLE = not problems()
