"""folium elements for coterm maps. Imports folium at module level: import this module lazily.

* :class:`CotermMap` – a ``folium.Map`` that, whenever it is rendered, (1) gives every element a
  deterministic id (folium uses random uuids) and (2) in offline mode inlines every JavaScript and
  CSS asset from ``folium-offline`` instead of linking CDNs (see :mod:`coterm.maps_assets`).
* :class:`UnitsLayer` – one layer of units drawn by coterm's runtime (a ``folium.map.Layer``, so the
  LayerControl can toggle it).
* :class:`Script` – a piece of JavaScript run after the map is created (boxes, search, attribution).
"""

from __future__ import annotations

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from .maps_assets import KEEP_MAP_CSS, KEEP_MAP_JS, RUNTIME_CSS, RUNTIME_JS, asset_text
from .maps_html import js_json

__all__ = ["CotermMap", "UnitsLayer", "GeometryStore", "Script", "walk"]


def walk(element):
    """Every element of a folium/branca tree, parents before children, in insertion order."""
    stack = [element]
    while stack:
        el = stack.pop()
        yield el
        children = list(getattr(el, "_children", {}).values())
        if isinstance(el, Figure):
            children = [el.header, el.html, el.script] + children
        stack.extend(reversed(children))


class CotermMap(folium.Map):
    """A folium Map whose HTML is deterministic and, unless ``cdn=True``, self-contained."""

    def __init__(self, *args, cdn: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.cdn = cdn
        # only Leaflet is needed: drop jQuery, Bootstrap, Font Awesome, Glyphicons, awesome-markers
        self.default_js = [(n, u) for n, u in folium.Map.default_js if n in KEEP_MAP_JS]
        self.default_css = [(n, u) for n, u in folium.Map.default_css if n in KEEP_MAP_CSS]

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            self._finalise(figure)
        super().render(**kwargs)

    def _finalise(self, figure: Figure) -> None:
        # 1. deterministic ids, in tree order, given once (re-rendering must not renumber: rendering
        #    adds helper elements to the tree)
        counter = figure.__dict__.setdefault("_coterm_next_id", [0])
        for el in walk(figure):
            if "_coterm_id" not in el.__dict__:
                el._id = el._coterm_id = f"{counter[0]:04d}"
                counter[0] += 1
        # 2. forget what the previous render put into the page (folium re-adds it, some of it under
        #    fresh random keys, which would duplicate scripts on a second render)
        parts = (figure.header, figure.html, figure.script)
        base = figure.__dict__.get("_coterm_base")
        if base is None:
            base = figure._coterm_base = [set(p._children) for p in parts]
        for part, keys in zip(parts, base):
            for key in [k for k in part._children if k not in keys]:
                del part._children[key]
        # 3. assets: inline (offline) or linked (cdn); then coterm's runtime after them
        assets = []
        for el in walk(figure):
            if not hasattr(el, "default_js"):
                continue
            if "_coterm_assets" not in el.__dict__:
                el._coterm_assets = (list(el.default_js), list(el.default_css))
            js, css = el._coterm_assets
            if self.cdn:
                el.default_js, el.default_css = list(js), list(css)
                continue
            el.default_js, el.default_css = [], []
            for name, url in css:
                assets.append((f"css_{name}", Element(f"<style>{asset_text(url, 'css')}</style>")))
            for name, url in js:
                assets.append((f"js_{name}", Element(f"<script>{asset_text(url, 'js')}</script>")))
        assets.append(("coterm_css", Element(f"<style>{RUNTIME_CSS}</style>")))
        assets.append(("coterm_js", Element(f"<script>{RUNTIME_JS}</script>")))
        # libraries first (after the charset meta), then the runtime, then whatever folium adds;
        # rebuilt identically on every render so that rendering twice gives the same HTML
        mine = {k for k, _ in assets}
        header = figure.header
        rest = [(k, v) for k, v in header._children.items() if k not in mine]
        head = [(k, v) for k, v in rest if k == "meta_http"]
        tail = [(k, v) for k, v in rest if k != "meta_http"]
        header._children = type(header._children)(head + assets + tail)
        for _, el in assets:
            el._parent = header
            el._id = el._coterm_id = "asset"


class UnitsLayer(folium.map.Layer):
    """A GeoJSON layer of units styled by a key, with escaped tooltip and popup HTML per feature.

    ``options`` (JSON-encoded safely): ``data`` (FeatureCollection whose properties are ``c`` code,
    ``n`` raw name, ``s`` search hint, ``k`` style key, ``t`` tooltip HTML, ``p`` popup HTML), ``styles``
    (key → Leaflet path style, ``_`` = default), ``hover`` style, ``pane``, ``role``, ``front``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = cotermMap.units({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict, *, name: str, show: bool = True, control: bool = True):
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "CotermUnits"
        self.options_json = js_json(options)


class GeometryStore(MacroElement):
    """GeoJSON geometries written once (``cotermMap.G``); features of unit layers refer to them by index."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        cotermMap.G = {{ this.json() }};
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "CotermGeometries"
        self.geoms: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, geometry: dict) -> int:
        import json

        key = json.dumps(geometry, separators=(",", ":"))
        if key not in self._index:
            self._index[key] = len(self.geoms)
            self.geoms.append(key)
        return self._index[key]

    def json(self) -> str:
        return "[" + ",".join(self.geoms) + "]"  # numbers and fixed keys only: nothing to escape


class Script(MacroElement):
    """JavaScript run in the map's script block: ``body`` is the body of a function of ``map``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
        {{ this.body }}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str):
        super().__init__()
        self._name = "CotermScript"
        self.body = body
