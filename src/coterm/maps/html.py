"""Text that goes into a map's HTML and JavaScript, made safe.

Unit names, codes, scenario names and layer titles come from files anyone can edit. Leaflet puts
tooltip, popup, layer-control and attribution strings into ``innerHTML``, so every such string is
built here from escaped parts. The rules:

* :func:`esc` for text placed in HTML: ``& < > " '`` plus ``$`` and backtick (so that a
  ``${...}`` payload cannot become a template-literal interpolation if a string ever reaches one).
* :func:`js_json` for values placed in ``<script>``: JSON with ``<``, ``>``, ``&``, U+2028/2029
  escaped, so a value cannot close the script element (``</script>``) or break the JS parser.
* :func:`safe_attribution` for the catalogue's attribution HTML: only text and ``<a href="http(s)://">``
  links survive; everything else is escaped.

No third-party imports: this module is cheap to import and test.
"""

from __future__ import annotations

import html
import json
import math
import re
from html.parser import HTMLParser
from typing import Any, Iterable

__all__ = ["esc", "js_json", "safe_attribution", "fmt_pct", "fmt_int", "fmt_area_km2"]

_EXTRA = str.maketrans({"$": "&#36;", "`": "&#96;"})


def esc(value: Any) -> str:
    """HTML-escape any value (``None``/NaN → empty string), including ``$`` and backtick.

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc("${window.x=1}")
    '&#36;{window.x=1}'
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)


_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
    "$": "\\u0024",
    "`": "\\u0060",
}


def js_json(value: Any) -> str:
    """JSON for a ``<script>`` element: compact, key order kept, ``</script>`` impossible.

    ``$`` and backtick are escaped too (``\\u0024``, ``\\u0060``: same value once parsed), so no
    ``${...}`` payload appears literally anywhere in the page.

    Examples
    --------
    >>> js_json({"name": "</script><script>x()</script>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ex()\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # one str.replace per character (no replacement contains another's character): a map's popups hold
    # tens of thousands of "<", and a regex with a callback per match cost 2-3 times as much
    for ch, rep in _JS_ESCAPES.items():
        if ch in text:
            text = text.replace(ch, rep)
    return text


class _AttributionCleaner(HTMLParser):
    """Keep text and ``<a href="http(s)://...">`` links; escape everything else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open_links = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if re.match(r"^https?://[^\s\"'<>`]+$", href):
                self.out.append(f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">')
                self.open_links += 1
            # links with other schemes (javascript:, data:) are dropped; their text is kept

    def handle_endtag(self, tag):
        if tag == "a" and self.open_links:
            self.out.append("</a>")
            self.open_links -= 1

    def handle_data(self, data):
        self.out.append(esc(data))

    def close(self):
        super().close()
        self.out.extend("</a>" for _ in range(self.open_links))
        self.open_links = 0


def safe_attribution(html_text: str | None, text: str | None = None) -> str:
    """Attribution HTML reduced to text and plain web links (the catalogue's OGL notices need no more).

    Falls back to the escaped plain ``text`` when ``html_text`` is empty.

    Examples
    --------
    >>> safe_attribution('Contains OS data &copy; Crown copyright <a href="https://x.org/ogl">OGL</a><img src=x onerror=alert(1)>')
    'Contains OS data © Crown copyright <a href="https://x.org/ogl" target="_blank" rel="noopener noreferrer">OGL</a>'
    """
    if not html_text:
        return esc(text or "")
    parser = _AttributionCleaner()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.out)


def fmt_pct(share: float | None, *, digits: int = 0) -> str:
    """A share (0–1) as a percentage; shares that round to 0 or 100 but are not show "<1%"/">99%"."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    pct = 100.0 * float(share)
    text = f"{pct:.{digits}f}%"
    if digits == 0:
        if 0 < pct < 0.5:
            return "<1%"
        if 99.5 <= pct < 100:
            return ">99%"
    return text


def fmt_int(value: float | None) -> str:
    """A count with thousands separators; "–" when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round(float(value)):,}"


def fmt_area_km2(m2: float | None) -> str:
    """Square metres as km² with sensible precision; "–" when unknown."""
    if m2 is None or (isinstance(m2, float) and math.isnan(m2)):
        return "–"
    km2 = float(m2) / 1e6
    if km2 >= 100:
        return f"{km2:,.0f} km²"
    if km2 >= 1:
        return f"{km2:,.1f} km²"
    return f"{km2:,.2f} km²"


def join_words(items: Iterable[str]) -> str:
    """"a", "a and b", "a, b and c" (items already escaped)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
