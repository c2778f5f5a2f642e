"""A map page: its data (one JSON value) and the HTML rendered from the package's template.

Why not folium: branca's ``MacroElement.render`` compiles every element's rendered script with
``jinja2.Template`` a second time, so any string from data placed in an element's options or script
(unit names, codes, layer titles, scenario names) is evaluated as a template (issue 11 §1). Escaping
cannot fix that class of bug; not handing data to a template engine does. So a page here is:

* ``templates/map.html.j2`` (package source, jinja2 with autoescape) for the page's frame;
* the page's data as ONE JSON value in ``<script type="application/json" id="coterm-data">``
  (:func:`coterm.maps.html.js_json`: ``<``, ``>``, ``&``, U+2028/2029 escaped, so ``</script>`` and
  ``<!--`` cannot occur in it), which no template engine ever compiles: it is a *value* of the
  template context, rendered once as text;
* ``static/map.js`` (package file) that reads the JSON and draws with Leaflet; Leaflet inlined from
  the installed ``folium-offline`` package (or linked from its CDN with ``cdn=True``).

Deterministic: same data → same bytes (no random ids, key order kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["MapPage", "render_html", "save_map"]


@dataclass
class MapPage:
    """Everything a map page shows. ``data`` is JSON-ready (plain dicts, lists, str, numbers).

    ``title`` is plain text (escaped by the template). ``geometries`` holds geometry texts of
    :func:`coterm.maps.geometry.compact_texts` (integers and brackets only); the page's features refer
    to them by index.
    """

    title: str
    data: dict
    geometries: list = field(default_factory=list)
    cdn: bool = False

    def _repr_html_(self) -> str:  # notebooks
        return render_html(self)


def _data_json(page: MapPage) -> str:
    from .html import js_json

    text = js_json(page.data)
    assert text.endswith("}")
    # geometry texts come from compact_texts (integers, commas, brackets): spliced in as they are
    geoms = ",".join(page.geometries)
    return text[:-1] + ("," if len(text) > 2 else "") + f'"geometries":[{geoms}]' + "}"


def _finalize(value):
    """Every plain string printed by a template goes through :func:`coterm.maps.html.esc` (``$`` and backtick too)."""
    from markupsafe import Markup

    from .html import esc

    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(esc(value))
    return value


@lru_cache(maxsize=None)
def environment(package: str = "coterm.maps"):
    """The jinja2 environment for coterm's pages: templates only from ``<package>/templates``, autoescape on.

    Data arrives as context values, never as a template source. One per package and process, so a run that
    writes many pages (the demo) compiles each template once.
    """
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True, finalize=_finalize)


def render_html(page: MapPage) -> str:
    """The page's HTML: deterministic (same page → same bytes)."""
    from markupsafe import Markup

    from . import assets

    if not isinstance(page, MapPage):
        raise TypeError(f"render_html needs a coterm MapPage, not {type(page).__name__}")
    ctx = {
        "title": page.title,
        "cdn": page.cdn,
        "leaflet_js_url": assets.LEAFLET_JS_URL,
        "leaflet_css_url": assets.LEAFLET_CSS_URL,
        # package assets and escaped JSON: marked as markup so autoescape leaves their bytes alone
        "leaflet_js": Markup("" if page.cdn else assets.leaflet_js()),
        "leaflet_css": Markup("" if page.cdn else assets.leaflet_css()),
        "map_js": Markup(assets.static_text("map.js")),
        "search_js": Markup(assets.static_text("search.js")),
        "table_js": Markup(assets.static_text("table.js")),
        # scenario pages: the side-by-side view (a second map kept in step with the first)
        "side_js": Markup(assets.static_text("sidebyside.js") if page.data.get("states") else ""),
        "map_css": Markup(assets.static_text("map.css")),
        "data_json": Markup(_data_json(page)),
    }
    return environment().get_template("map.html.j2").render(**ctx)


def save_map(page: MapPage, path) -> Path:
    """Write the page's HTML atomically (a temporary file moved into place); create missing folders.

    Returns the path written.
    """
    from ..io import atomic_write, ensure_parent

    path = ensure_parent(path)  # one-line OutputError when the folder cannot be created
    html = render_html(page)
    with atomic_write(path, "w") as fh:
        fh.write(html)
    return path
