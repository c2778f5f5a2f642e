// coterm map page: reads the page's JSON data block and draws it with Leaflet.
// Data is data: plain strings (names, codes, titles) are set with textContent; the only HTML inserted
// (tooltips, popups, legend, summary, layer names) was built from escaped parts in Python.
(function () {
  "use strict";
  var C = (window.cotermMap = window.cotermMap || {});
  C.all = [];
  var PHONE = 700;

  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function pct(v) { return v === null || v === undefined ? "" : Math.round(100 * v) + "%"; }
  C.el = el;  // shared with search.js, table.js and sidebyside.js
  C.pct = pct;
  C.PHONE = PHONE;

  C.panes = function (map) {
    [["ctAOutlines", 440], ["ctOutlines", 450], ["ctChanged", 460], ["ctLabels", 470]].forEach(function (p) {
      if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = p[1]; }
    });
    map.getPane("ctLabels").style.pointerEvents = "none";
  };

  // ---- unit layers ------------------------------------------------------------------------------
  // registry: the list the layer joins (C.all for the main map; the side-by-side map keeps its own)
  C.units = function (map, o, registry) {
    var data = {type: "FeatureCollection", features: o.features.map(function (f) {
      return {type: "Feature", geometry: C.G[f.g], properties: f.properties};
    })};
    var layer = L.geoJSON(data, {
      pane: o.pane || "overlayPane",
      interactive: o.interactive !== false,
      style: function (f) {
        var s = o.styles[f.properties.k] || o.styles._;
        if (s.ctHatch) { s = L.extend({}, s, {fillColor: "url(#ct-hatch-" + s.ctHatch + ")"}); }
        return s;
      },
      onEachFeature: function (f, l) {
        if (o.interactive === false) { return; }
        var p = f.properties;
        if (p.t) { l.bindTooltip(p.t, {sticky: true, className: "ct-tip", direction: "top", offset: [0, -8]}); }
        if (p.p) { l.bindPopup(p.p, {maxWidth: 420, minWidth: 220, className: "ct-pop", autoPanPadding: [20, 60]}); }
        l.on("mouseover", function (e) {
          if (C.lit === e.target) { return; }
          e.target.setStyle(o.hover);
          if (o.front) { e.target.bringToFront(); }
        });
        l.on("mouseout", function (e) { if (C.lit !== e.target) { layer.resetStyle(e.target); } });
        l.on("popupopen", function () { C.highlight(l, layer); });
        l.on("popupclose", function () { if (C.lit === l) { C.highlight(null); } });
      }
    });
    layer.ctRole = o.role || "";
    layer.ctState = o.state || null;
    layer.ctOptions = o;
    (registry || C.all).push(layer);
    return layer;
  };

  C.hatch = function (map) {
    var svg = map.getPane("overlayPane").querySelector("svg");
    if (!svg || svg.querySelector("defs.ct-defs")) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    defs.setAttribute("class", "ct-defs");
    var seen = {};
    C.all.forEach(function (g) {
      var st = g.ctOptions.styles || {};
      Object.keys(st).forEach(function (k) {
        var s = st[k];
        if (!s.ctHatch || seen[s.ctHatch]) { return; }
        seen[s.ctHatch] = true;
        var p = document.createElementNS(ns, "pattern");
        p.setAttribute("id", "ct-hatch-" + s.ctHatch);
        p.setAttribute("patternUnits", "userSpaceOnUse");
        p.setAttribute("width", "8");
        p.setAttribute("height", "8");
        p.setAttribute("patternTransform", "rotate(45)");
        var r = document.createElementNS(ns, "rect");
        r.setAttribute("width", "8"); r.setAttribute("height", "8"); r.setAttribute("fill", s.fillColor);
        var line = document.createElementNS(ns, "rect");
        line.setAttribute("width", s.ctHatch === "split" ? "3" : "1.5"); line.setAttribute("height", "8");
        line.setAttribute("fill", "rgba(0,0,0,0.45)");
        p.appendChild(r); p.appendChild(line); defs.appendChild(p);
      });
    });
    svg.insertBefore(defs, svg.firstChild);
  };

  C.highlight = function (l, group) {
    if (C.lit && C.litGroup) { C.litGroup.resetStyle(C.lit); }
    C.lit = l || null;
    C.litGroup = group || null;
    if (l) {
      l.setStyle({color: "#000000", weight: 4, opacity: 1});
      if (l.bringToFront) { l.bringToFront(); }
    }
  };

  C.find = function (code, role) {
    var hit = null;
    C.all.forEach(function (g) {
      if (hit || (role && g.ctRole !== role) || g.ctOptions.interactive === false) { return; }
      g.eachLayer(function (l) { if (!hit && l.feature.properties.c === code) { hit = {g: g, l: l}; } });
    });
    return hit;
  };
  // a unit in a layer shown now, preferring the given side ("a" or "b") of the map
  C.findShown = function (code, side) {
    var roles = C.roles(), hit = null;
    if (side) {
      roles = roles.filter(function (r) { return r.slice(-1) === side; })
        .concat(roles.filter(function (r) { return r.slice(-1) !== side; }));
    }
    roles.some(function (r) { hit = C.find(code, r); return hit; });
    return hit;
  };
  // roles a user can reach now: the visible interactive layers (the shown state's)
  C.roles = function () {
    return C.all.filter(function (g) { return C.map.hasLayer(g) && g.ctOptions.interactive !== false; })
      .map(function (g) { return g.ctRole; });
  };
  C.show = function (map, code, role, side) {
    var hit = null;
    if (!role || role === "changed") {
      hit = C.findShown(code, side);
    } else {
      hit = C.find(code, role);
    }
    if (!hit) { hit = C.find(code, null); }
    if (!hit) { return false; }
    if (!map.hasLayer(hit.g)) { map.addLayer(hit.g); }
    map.fitBounds(hit.l.getBounds(), {maxZoom: 11, padding: [40, 40], animate: false});
    // opened after the click that asked for it has finished, so the map's own click cannot close it
    setTimeout(function () { hit.l.openPopup(); C.highlight(hit.l, hit.g); }, 0);
    return true;
  };

  // ---- the panel: one control holding search, state switch, layers, legend, summary, changes, table
  C.panel = function (map) {
    var c = L.control({position: "topright"});
    var d;
    c.onAdd = function () {
      d = el("div", "ct-panel leaflet-control");
      var btn = el("button", "ct-panel-toggle", d, "\u2630 Key, search and table");
      btn.type = "button";
      btn.setAttribute("aria-expanded", "false");
      var body = el("div", "ct-panel-body", d);
      body.id = "ct-panel-body";
      btn.setAttribute("aria-controls", body.id);
      btn.addEventListener("click", function () {
        var open = !d.classList.contains("ct-open");
        d.classList.toggle("ct-open", open);
        btn.setAttribute("aria-expanded", String(open));
      });
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      c.body = body;
      return d;
    };
    c.addTo(map);
    return c;
  };
  C.section = function (parent, html, cls) {
    var d = el("div", "ct-box " + (cls || ""), parent);
    d.innerHTML = html;  // built from escaped parts in Python
    C.wire(d);
    return d;
  };
  C.wire = function (d) {
    d.querySelectorAll("[data-ct-code]").forEach(function (e) {
      e.addEventListener("click", function () {
        C.show(C.map, e.getAttribute("data-ct-code"), e.getAttribute("data-ct-role"), e.getAttribute("data-ct-side"));
      });
      // hover a row: that unit is outlined on the map (in the state shown), the changed overlay brightened
      e.addEventListener("mouseenter", function () {
        var code = e.getAttribute("data-ct-code"), side = e.getAttribute("data-ct-side");
        var hit = C.findShown(code, side);
        if (hit && !hit.l.isPopupOpen()) {
          C.hovered = hit.l;
          C.highlight(hit.l, hit.g);
        }
        C.all.forEach(function (g) {
          if (g.ctRole === "changed" && C.map.hasLayer(g)) {
            g.eachLayer(function (l) { if (l.feature.properties.c === code) { l.setStyle({fillOpacity: 0.35, weight: 5}); } });
          }
        });
      });
      e.addEventListener("mouseleave", function () {
        C.all.forEach(function (g) { if (g.ctRole === "changed") { g.eachLayer(function (l) { g.resetStyle(l); }); } });
        if (C.hovered && C.lit === C.hovered && !(C.hovered.isPopupOpen && C.hovered.isPopupOpen())) { C.highlight(null); }
        C.hovered = null;
      });
    });
  };

  // title, subtitle and back link are plain text
  C.title = function (map, D) {
    var d = el("div", "ct-title", map.getContainer());
    if (D.back) {
      var a = el("a", "ct-back", d, "\u2190 " + D.back.text);
      a.href = D.back.href;
    }
    el("span", "ct-title-main", d, D.title);
    if (D.subtitle) { el("small", "", d, D.subtitle); }
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  C.fullscreen = function (map) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var d = el("div", "leaflet-bar leaflet-control ct-fullscreen");
      var a = el("a", "leaflet-control-zoom-fullscreen", d);
      a.href = "#";
      a.title = "Full screen";
      a.setAttribute("role", "button");
      a.setAttribute("aria-label", "Full screen");
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var box = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); } else if (box.requestFullscreen) { box.requestFullscreen(); }
      });
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
  };

  // ---- before/after: one switch; legend, summary, table, search and popups follow the shown state
  C.setState = function (name) {
    var D = C.data;
    if (!D.states) { return; }
    var side = name === "side";
    if (side) { name = "after"; }
    C.state = name;
    C.view = side ? "side" : name;
    C.all.forEach(function (g) {
      if (g.ctState === null) { return; }
      if (g.ctState === name) { C.map.addLayer(g); } else { C.map.removeLayer(g); }
    });
    var s = D.states[name];
    C.legendBox.innerHTML = s.legend;
    C.summaryBox.innerHTML = s.summary;
    C.map.closePopup();
    C.highlight(null);
    document.querySelectorAll(".ct-switch input").forEach(function (i) { i.checked = i.value === C.view; });
    document.body.setAttribute("data-ct-state", C.view);
    if (C.sideBySide) { C.sideBySide(side); }
    if (C.refreshTable) { C.refreshTable(); }
    if (C.drawLabels) { C.drawLabels(); }
  };
  C.switcher = function (parent) {
    var D = C.data;
    var f = el("fieldset", "ct-box ct-switch", parent);
    el("legend", "", f, "Show the map");
    D.states.order.concat(C.sideBySide ? ["side"] : []).forEach(function (name) {
      var lab = el("label", "", f);
      var i = el("input", "", lab);
      i.type = "radio"; i.name = "ct-state"; i.value = name;
      lab.appendChild(document.createTextNode(" " + (name === "side" ? "Side by side (before | after)" : D.states[name].label)));
      i.addEventListener("change", function () { if (i.checked) { C.setState(name); } });
    });
  };

  // ---- labels: unit names at suitable zooms, largest first, never overlapping
  C.labels = function (map) {
    var pane = map.getPane("ctLabels");
    var ctx = document.createElement("canvas").getContext("2d");
    ctx.font = "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
    function draw() {
      pane.textContent = "";
      var role = C.tableRole();
      var placed = [];
      var size = map.getSize();
      var cands = [];
      C.all.forEach(function (g) {
        if (g.ctRole !== role || !map.hasLayer(g)) { return; }
        g.eachLayer(function (l) {
          var p = l.feature.properties;
          if (!p.lp || p.k === "outside") { return; }
          var b = l.getBounds();
          var sw = map.latLngToContainerPoint(b.getSouthWest()), ne = map.latLngToContainerPoint(b.getNorthEast());
          var w = Math.abs(ne.x - sw.x), h = Math.abs(sw.y - ne.y);
          cands.push({p: p, w: w, h: h});
        });
      });
      cands.sort(function (a, b) { return b.w * b.h - a.w * a.h; });
      cands.forEach(function (c) {
        var text = c.p.n;
        var tw = Math.ceil(ctx.measureText(text).width) + 8, th = 15;
        if (c.w < tw * 0.8 || c.h < th * 1.5) { return; }
        var pt = map.latLngToContainerPoint(c.p.lp);
        var box = {x0: pt.x - tw / 2, x1: pt.x + tw / 2, y0: pt.y - th / 2, y1: pt.y + th / 2};
        if (box.x0 < 0 || box.y0 < 0 || box.x1 > size.x || box.y1 > size.y) { return; }
        for (var i = 0; i < placed.length; i++) {
          var q = placed[i];
          if (box.x0 < q.x1 + 4 && box.x1 > q.x0 - 4 && box.y0 < q.y1 + 2 && box.y1 > q.y0 - 2) { return; }
        }
        placed.push(box);
        var lp = map.latLngToLayerPoint(c.p.lp);
        var s = el("span", "ct-label-text", pane, text);
        s.style.left = (lp.x - tw / 2) + "px";
        s.style.top = (lp.y - th / 2) + "px";
        s.style.width = tw + "px";
      });
    }
    map.on("zoomend moveend overlayadd overlayremove", draw);
    C.drawLabels = draw;
    draw();
  };

  // page coordinates of a point inside a unit (fx, fy: fractions across its bounding box); for tests
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

  // phones: the controls start below the title, whatever its height
  C.layout = function (map) {
    var t = map.getContainer().querySelector(".ct-title");
    var top = window.innerWidth < PHONE && t ? (t.offsetHeight + 14) + "px" : "";
    map.getContainer().querySelectorAll(".leaflet-top").forEach(function (e) { e.style.top = top; });
  };

  C.openHash = function () {
    var h = window.location.hash.replace(/^#/, "");
    if (!h) { return; }
    var code;
    try { code = decodeURIComponent(h); } catch (e) { return; }
    C.show(C.map, code, null);
  };

  // ---- the page: everything from the JSON block (data, never code)
  C.start = function () {
    var D = JSON.parse(document.getElementById("coterm-data").textContent);
    C.data = D;
    // geometries: [polygon [ring [x0, y0, dx1, dy1, ...]]] in 1e-5 degrees (see coterm.maps.geometry.compact_texts)
    C.G = D.geometries.map(function (polys) {
      return {type: "MultiPolygon", coordinates: polys.map(function (rings) {
        return rings.map(function (r) {
          var out = new Array(r.length / 2), x = 0, y = 0;
          for (var i = 0, j = 0; i < r.length; i += 2, j++) { x += r[i]; y += r[i + 1]; out[j] = [x / 1e5, y / 1e5]; }
          return out;
        });
      })};
    });
    // a tooltip or popup given as a number is the same text as that feature's (counted across all layers)
    var flat = [];
    D.layers.forEach(function (o) { o.features.forEach(function (f) { flat.push(f.properties); }); });
    flat.forEach(function (p) {
      if (typeof p.t === "number") { p.t = flat[p.t].t; }
      if (typeof p.p === "number") { p.p = flat[p.p].p; }
    });
    var map = L.map("ct-map", {center: [52.8, -1.6], zoom: 7, zoomSnap: 0.25, zoomDelta: 0.5});
    C.map = map;
    C.panes(map);
    L.control.scale().addTo(map);
    if (D.tiles) { L.tileLayer(D.tiles.url, {attribution: D.tiles.attribution, maxZoom: 19}).addTo(map); }
    var overlays = {};
    D.layers.forEach(function (o) {
      var layer = C.units(map, o);
      if (o.show && !o.state) { layer.addTo(map); }
      if (o.control !== false) { overlays[o.name_html] = layer; }
    });
    C.fullscreen(map);
    C.title(map, D);
    var panel = C.panelControl = C.panel(map);
    if (D.search) { C.search(map, panel.body, D.search); }
    if (D.states) { C.switcher(panel.body); }
    C.legendBox = C.section(panel.body, D.legend || "", "ct-legend");
    if (D.changes) { C.section(panel.body, D.changes, "ct-changes"); }
    C.summaryBox = C.section(panel.body, D.summary || "", "ct-summary");
    if (Object.keys(overlays).length) {
      var lc = L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(map);
      var lcBox = lc.getContainer();
      lcBox.classList.add("ct-box");
      panel.body.appendChild(lcBox);
    }
    if (D.attribution) { map.attributionControl.addAttribution(D.attribution); }
    if (D.states) { C.state = D.states["default"]; C.setState(D.states["default"]); }
    C.table(panel.body);
    C.layout(map);
    window.addEventListener("resize", function () { C.layout(map); });
    if (D.bounds) {
      var wide = window.innerWidth >= PHONE;
      map.fitBounds(D.bounds, {paddingTopLeft: [20, wide ? 60 : 90], paddingBottomRight: [wide ? 350 : 20, 20], animate: false});
    }
    C.hatch(map);
    map.on("layeradd", function () { C.hatch(map); });
    C.labels(map);
    window.addEventListener("beforeprint", function () { C.printMode(true); });
    window.addEventListener("afterprint", function () { C.printMode(false); });
    if (window.matchMedia) {
      var mq = window.matchMedia("print");
      var onPrint = function (e) { C.printMode(e.matches); };
      if (mq.addEventListener) { mq.addEventListener("change", onPrint); } else if (mq.addListener) { mq.addListener(onPrint); }
    }
    window.addEventListener("hashchange", C.openHash);
    C.openHash();
    C.ready = true;
    // drawn: the frame after the first paint of every layer (ms since navigation start; benchmarks/pages.py reads it)
    requestAnimationFrame(function () { requestAnimationFrame(function () { C.drawnAt = performance.now(); }); });
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", C.start); } else { C.start(); }
})();
