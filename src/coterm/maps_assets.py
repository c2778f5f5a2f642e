"""Offline assets for maps: Leaflet and plugins inlined from an installed package, plus coterm's own
small runtime (JavaScript + CSS).

folium links its JavaScript and CSS from CDNs. PyPI ``folium-offline`` (module ``offlinefolium``)
ships the same files, keyed by the same CDN URLs, in ``offlinefolium.elements._res``; Leaflet's CSS
there already has its images (layer-control icon, marker icons) as ``data:`` URIs. We look every
URL folium asks for up in that table and inline it; a URL without an offline copy is an error
(never a silent network fetch). Nothing is downloaded at run time.

Only Leaflet itself and the fullscreen plugin are used: folium's other defaults (jQuery,
Bootstrap, Font Awesome, Glyphicons, awesome-markers) are dropped from coterm maps. They would add
~1.2 MB and their CSS references web fonts by relative URL, which fail offline.
"""

from __future__ import annotations

import re

from .errors import OutputError

__all__ = ["asset_text", "KEEP_MAP_JS", "KEEP_MAP_CSS", "RUNTIME_JS", "RUNTIME_CSS"]

# folium.Map's default assets that coterm maps need (by folium's names); the rest are dropped.
KEEP_MAP_JS = ("leaflet",)
KEEP_MAP_CSS = ("leaflet_css",)

_CLOSERS = {"js": re.compile(r"</script", re.I), "css": re.compile(r"</style", re.I)}


def asset_text(url: str, kind: str) -> str:
    """The text of a CDN asset from the installed ``folium-offline`` package, safe to inline.

    Raises :class:`~coterm.errors.OutputError` when the package is missing or has no copy of ``url``.
    """
    try:
        from offlinefolium.elements import _res  # 3.5 MB of strings: imported only when a map is rendered
    except ImportError as exc:  # pragma: no cover - it is a dependency
        raise OutputError(
            "offline maps need the 'folium-offline' package (pip install folium-offline); or use cdn=True (CLI: --cdn)"
        ) from exc
    text = _res.get(url)
    if text is None:
        raise OutputError(f"no offline copy of {url} in folium-offline; use cdn=True (CLI: --cdn) for this map")
    if kind == "js":
        text = _CLOSERS["js"].sub(r"<\\/script", text)
    elif _CLOSERS["css"].search(text):
        raise OutputError(f"cannot inline {url}: it contains '</style'")
    return text


# --------------------------------------------------------------------------------------------------
# coterm's runtime: builds unit layers, boxes, search; all strings it inserts as HTML were escaped
# in Python (maps_html.esc); names it shows from JSON go through textContent only.
RUNTIME_JS = r"""
(function () {
  "use strict";
  var C = (window.cotermMap = window.cotermMap || {});
  C.panes = function (map) {
    [["ctOutlines", 450], ["ctChanged", 460]].forEach(function (p) {
      if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = p[1]; }
    });
  };
  C.units = function (map, o) {
    C.map = map;
    C.panes(map);
    o.data.features.forEach(function (f) {
      if (f.geometry === undefined && f.g !== undefined) { f.geometry = C.G[f.g]; }
    });
    var layer = L.geoJSON(o.data, {
      pane: o.pane || "overlayPane",
      style: function (f) { return o.styles[f.properties.k] || o.styles._; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.t) { l.bindTooltip(p.t, {sticky: true, className: "ct-tip", direction: "top", offset: [0, -8]}); }
        if (p.p) { l.bindPopup(p.p, {maxWidth: 420, minWidth: 220, className: "ct-pop", autoPanPadding: [20, 60]}); }
        l.on("mouseover", function (e) {
          e.target.setStyle(o.hover);
          if (o.front) { e.target.bringToFront(); }
        });
        l.on("mouseout", function (e) { layer.resetStyle(e.target); });
      }
    });
    layer.ctRole = o.role || "";
    C.all = C.all || [];
    C.all.push(layer);
    return layer;
  };
  C.box = function (map, position, html, cls) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "ct-box " + (cls || ""));
      d.innerHTML = html;
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      d.querySelectorAll("[data-ct-code]").forEach(function (el) {
        el.addEventListener("click", function () { C.show(map, el.getAttribute("data-ct-code"), el.getAttribute("data-ct-role")); });
      });
      return d;
    };
    c.addTo(map);
    return c;
  };
  C.title = function (map, html) {
    var d = L.DomUtil.create("div", "ct-title", map.getContainer());
    d.innerHTML = html;
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  C.find = function (code, role) {
    var hit = null;
    (C.all || []).forEach(function (g) {
      if (hit || (role && g.ctRole !== role)) { return; }
      g.eachLayer(function (l) { if (!hit && l.feature.properties.c === code) { hit = {g: g, l: l}; } });
    });
    return hit;
  };
  C.show = function (map, code, role) {
    var hit = C.find(code, role);
    if (!hit) { return; }
    if (!map.hasLayer(hit.g)) { map.addLayer(hit.g); }
    map.fitBounds(hit.l.getBounds(), {maxZoom: 11, padding: [40, 40]});
    hit.l.openPopup();
  };
  C.search = function (map, roles, placeholder) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "ct-box ct-search");
      var input = L.DomUtil.create("input", "", d);
      input.type = "search";
      input.placeholder = placeholder;
      input.setAttribute("aria-label", placeholder);
      var ul = L.DomUtil.create("ul", "", d);
      var entries = null;
      function index() {
        entries = [];
        (C.all || []).forEach(function (g) {
          if (roles.indexOf(g.ctRole) < 0) { return; }
          g.eachLayer(function (l) {
            var p = l.feature.properties;
            entries.push({n: String(p.n || ""), c: String(p.c || ""), s: String(p.s || ""), g: g, l: l});
          });
        });
      }
      function go(e) {
        if (!map.hasLayer(e.g)) { map.addLayer(e.g); }
        map.fitBounds(e.l.getBounds(), {maxZoom: 11, padding: [40, 40]});
        e.l.openPopup();
        ul.textContent = "";
        input.value = e.n;
      }
      function list() {
        if (entries === null) { index(); }
        ul.textContent = "";
        var q = input.value.trim().toLowerCase();
        if (!q) { return; }
        var n = 0;
        for (var i = 0; i < entries.length && n < 12; i++) {
          var e = entries[i];
          if (e.n.toLowerCase().indexOf(q) >= 0 || e.c.toLowerCase() === q) {
            var li = L.DomUtil.create("li", "", ul);
            li.textContent = e.n + (e.s ? " \u00b7 " + e.s : "");
            li.title = e.c;
            li.addEventListener("click", go.bind(null, e));
            n++;
          }
        }
        if (!n) { L.DomUtil.create("li", "ct-none", ul).textContent = "no match"; }
      }
      input.addEventListener("input", list);
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") { var li = ul.querySelector("li:not(.ct-none)"); if (li) { li.click(); } }
      });
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
    return c;
  };
  // page coordinates of a point inside a unit (fx, fy: fractions across its bounding box); for tests and links
  C.pointOf = function (code, role, fx, fy) {
    var hit = C.find(code, role);
    if (!hit || !C.map) { return null; }
    var b = hit.l.getBounds();
    var ll = L.latLng(b.getSouth() + (fy === undefined ? 0.5 : fy) * (b.getNorth() - b.getSouth()),
                      b.getWest() + (fx === undefined ? 0.5 : fx) * (b.getEast() - b.getWest()));
    var p = C.map.latLngToContainerPoint(ll);
    var r = C.map.getContainer().getBoundingClientRect();
    return {x: r.left + p.x, y: r.top + p.y};
  };
  C.attribution = function (map, html) {
    if (map.attributionControl) { map.attributionControl.addAttribution(html); }
  };
})();
"""

RUNTIME_CSS = """
.leaflet-container { background: #f3f5f7; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.ct-box { background: rgba(255,255,255,0.94); border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.35);
  padding: 7px 10px; color: #222; max-width: 300px; }
.ct-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 800;
  background: rgba(255,255,255,0.94); border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.35);
  padding: 5px 14px; font-size: 15px; font-weight: 600; width: max-content; max-width: calc(100% - 640px); text-align: center; }
.leaflet-control-layers-expanded { max-width: 270px; }
.leaflet-control-layers label { margin: 2px 0; line-height: 1.25; }
.leaflet-control-attribution { max-width: calc(100vw - 360px); }
.ct-legend { max-width: 330px; }
.ct-title small { display: block; font-weight: 400; font-size: 12px; color: #555; }
.ct-legend .ct-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.ct-legend .ct-sw { flex: 0 0 16px; height: 12px; border: 1px solid rgba(0,0,0,0.35); border-radius: 2px; }
.ct-legend .ct-line { flex: 0 0 16px; height: 0; border-top: 3px solid #222; }
.ct-legend .ct-dash { flex: 0 0 16px; height: 0; border-top: 3px dashed #c51b7d; }
.ct-legend .ct-n { margin-left: auto; padding-left: 10px; font-variant-numeric: tabular-nums; font-weight: 600; }
.ct-legend .ct-label small { color: #555; }
.ct-box h3 { margin: 0 0 4px; font-size: 13px; }
.ct-summary details > summary { cursor: pointer; font-weight: 600; }
.ct-summary table, .ct-pop table { border-collapse: collapse; margin-top: 4px; }
.ct-summary td, .ct-summary th, .ct-pop td, .ct-pop th { padding: 1px 6px 1px 0; text-align: left; vertical-align: top; }
.ct-summary td.ct-num, .ct-pop td.ct-num, .ct-pop th.ct-num { text-align: right; font-variant-numeric: tabular-nums; }
.ct-summary p { margin: 4px 0; }
.ct-changes ul { margin: 4px 0 0; padding-left: 16px; max-height: 180px; overflow-y: auto; }
.ct-changes li[data-ct-code] { cursor: pointer; }
.ct-changes li[data-ct-code]:hover { text-decoration: underline; }
.ct-search input { width: 210px; font: inherit; padding: 3px 5px; border: 1px solid #999; border-radius: 4px; }
.ct-search ul { list-style: none; margin: 4px 0 0; padding: 0; max-height: 240px; overflow-y: auto; }
.ct-search li { padding: 2px 4px; cursor: pointer; }
.ct-search li:hover { background: #e6eef7; }
.ct-search li.ct-none { color: #777; cursor: default; }
.ct-tip { font-size: 12px; }
.ct-pop .leaflet-popup-content { margin: 10px 12px; font-size: 12px; }
.ct-pop h4 { margin: 0 0 2px; font-size: 14px; }
.ct-pop .ct-code { color: #555; margin-bottom: 4px; }
.ct-pop .ct-why { margin: 4px 0; padding: 4px 6px; background: #fff4e5; border-left: 3px solid #f28e2b; }
.ct-class { display: inline-block; padding: 0 5px; border-radius: 3px; color: #111; border: 1px solid rgba(0,0,0,0.25); }
"""
