"""What a map page inlines: Leaflet from an installed package, coterm's own script and stylesheet
from this package's ``static/`` folder. Nothing is downloaded at run time.

Leaflet: PyPI ``folium-offline`` (module ``offlinefolium``) ships Leaflet's files keyed by their CDN
URLs in ``offlinefolium.elements._res``; its Leaflet CSS already has its images (layer-control icon)
as ``data:`` URIs. A URL without an offline copy is an error, never a silent network fetch. folium
itself is not used to build pages (see :mod:`coterm.maps.page` for why).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..errors import OutputError

__all__ = ["LEAFLET_JS_URL", "LEAFLET_CSS_URL", "leaflet_js", "leaflet_css", "static_text"]

LEAFLET_JS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS_URL = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

_SCRIPT_CLOSE = re.compile(r"</script", re.I)
_STYLE_CLOSE = re.compile(r"</style", re.I)


def _offline(url: str) -> str:
    text = _offline_copy(url)
    if text is None:
        raise OutputError(f"no offline copy of {url} in folium-offline; use cdn=True (CLI: --cdn) for this map")
    return text


@lru_cache(maxsize=None)
def _offline_copy(url: str) -> str | None:
    """The package's copy of ``url``, read as a string literal from its source file when it can be (importing
    ``offlinefolium`` costs ~0.5 s of CPU: folium's classes and templates, none of which a page uses), else imported."""
    text = _literal_from_source(url)
    if text is not None:
        return text
    try:
        from offlinefolium.elements import _res  # 3.5 MB of strings: imported only when a page is rendered
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise OutputError(
            "offline maps need the 'folium-offline' package (pip install folium-offline); or use cdn=True (CLI: --cdn)"
        ) from exc
    return _res.get(url)


def _literal_from_source(url: str) -> str | None:
    """``_res[url] = \'\'\'…\'\'\'`` of ``offlinefolium/elements.py`` evaluated as a literal (never run as code),
    or None when the file or the assignment is not laid out that way (then the module is imported)."""
    import ast
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec("offlinefolium")  # a top-level package: found, not imported
        if spec is None or not spec.submodule_search_locations:
            return None
        src = (Path(list(spec.submodule_search_locations)[0]) / "elements.py").read_text(encoding="utf-8")
        head = f"\n_res[{url!r}] = '''"
        start = src.find(head)
        if start < 0 or src.find(head, start + 1) >= 0:
            return None
        start += len(head) - 3
        end = src.find("'''", start + 3)
        value = ast.literal_eval(src[start:end + 3]) if end > 0 else None
    except (OSError, ValueError, SyntaxError, UnicodeDecodeError, ImportError):
        return None
    return value if isinstance(value, str) else None


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
