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
    var data = {type: "FeatureCollection", features: o.features.map(function (f) {
      return {type: "Feature", geometry: C.G[f.g], properties: f.properties};
    })};
    var layer = L.geoJSON(data, {
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
  // title and subtitle are plain text (textContent): no markup from data ever reaches the DOM as HTML here
  C.title = function (map, title, subtitle) {
    var d = L.DomUtil.create("div", "ct-title", map.getContainer());
    L.DomUtil.create("span", "ct-title-main", d).textContent = title;
    if (subtitle) { L.DomUtil.create("small", "", d).textContent = subtitle; }
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  C.fullscreen = function (map) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var d = L.DomUtil.create("div", "leaflet-bar leaflet-control");
      var a = L.DomUtil.create("a", "leaflet-control-zoom-fullscreen", d);
      a.href = "#";
      a.title = "Full screen";
      a.setAttribute("role", "button");
      a.setAttribute("aria-label", "Full screen");
      a.textContent = "\u26f6";
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (el.requestFullscreen) { el.requestFullscreen(); }
      });
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
    return c;
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
  // the page: everything from the JSON block (data, never code)
  C.start = function () {
    var D = JSON.parse(document.getElementById("coterm-data").textContent);
    C.data = D;
    C.G = D.geometries;
    var map = L.map("ct-map", {center: [52.8, -1.6], zoom: 7, zoomSnap: 0.25, zoomDelta: 0.5});
    C.map = map;
    L.control.scale().addTo(map);
    if (D.tiles) { L.tileLayer(D.tiles.url, {attribution: D.tiles.attribution, maxZoom: 19}).addTo(map); }
    var overlays = {};
    D.layers.forEach(function (o) {
      var layer = C.units(map, o);
      if (o.show) { layer.addTo(map); }
      overlays[o.name_html] = layer;
    });
    C.fullscreen(map);
    C.title(map, D.title, D.subtitle);
    if (D.search) { C.search(map, D.search.roles, D.search.placeholder); }
    if (D.legend) { C.box(map, "bottomright", D.legend, "ct-legend"); }
    if (D.summary) { C.box(map, "bottomleft", D.summary, "ct-summary"); }
    if (D.changes) { C.box(map, "topright", D.changes, "ct-changes"); }
    if (D.attribution) { C.attribution(map, D.attribution); }
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
    if (D.bounds) { map.fitBounds(D.bounds, {padding: [20, 20]}); }
    C.ready = true;
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", C.start); } else { C.start(); }
})();
