"""What a map page inlines: Leaflet from an installed package, coterm's own script and stylesheet
from this package's ``static/`` folder. Nothing is downloaded at run time.

Leaflet: PyPI ``folium-offline`` (module ``offlinefolium``) ships Leaflet's files keyed by their CDN
URLs in ``offlinefolium.elements._res``; its Leaflet CSS already has its images (layer-control icon)
as ``data:`` URIs. A URL without an offline copy is an error, never a silent network fetch. folium
itself is not used to build pages (see :mod:`coterm.maps.page` for why).
"""

from __future__ import annotations

import re
from importlib import resources

from ..errors import OutputError

__all__ = ["LEAFLET_JS_URL", "LEAFLET_CSS_URL", "leaflet_js", "leaflet_css", "static_text"]

LEAFLET_JS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

_SCRIPT_CLOSE = re.compile(r"</script", re.I)
_STYLE_CLOSE = re.compile(r"</style", re.I)


def _offline(url: str) -> str:
    try:
        from offlinefolium.elements import _res  # 3.5 MB of strings: imported only when a page is rendered
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise OutputError(
            "offline maps need the 'folium-offline' package (pip install folium-offline); or use cdn=True (CLI: --cdn)"
        ) from exc
    text = _res.get(url)
    if text is None:
        raise OutputError(f"no offline copy of {url} in folium-offline; use cdn=True (CLI: --cdn) for this map")
    return text


def _safe_js(text: str, name: str) -> str:
    """Script text that cannot close its ``<script>`` element (``</script`` → ``<\\/script``, same JS)."""
    if "<!--" in text:
        raise OutputError(f"cannot inline {name}: it contains '<!--'")
    return _SCRIPT_CLOSE.sub(r"<\\/script", text)


def _safe_css(text: str, name: str) -> str:
    if _STYLE_CLOSE.search(text):
        raise OutputError(f"cannot inline {name}: it contains '</style'")
    return text


def leaflet_js() -> str:
    return _safe_js(_offline(LEAFLET_JS_URL), LEAFLET_JS_URL)


def leaflet_css() -> str:
    return _safe_css(_offline(LEAFLET_CSS_URL), LEAFLET_CSS_URL)


def static_text(name: str) -> str:
    """A file of ``coterm/maps/static/`` (``map.js``, ``map.css``), made safe to inline."""
    text = resources.files("coterm.maps").joinpath("static", name).read_text(encoding="utf-8")
    return _safe_js(text, name) if name.endswith(".js") else _safe_css(text, name)
