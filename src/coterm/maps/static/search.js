// coterm map page: search of units and places (electoral wards). Loaded after map.js (which calls these from C.start).
// Data is data: names and codes are set with textContent; only HTML built from escaped parts in Python is inserted.
(function () {
  "use strict";
  var C = (window.cotermMap = window.cotermMap || {});
  var el = C.el, PHONE = C.PHONE;

  // ring test on decoded GeoJSON coordinates (lng, lat)
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inGeometry(g, ll) {
    return g.coordinates.some(function (poly) {
      if (!inRing(poly[0], ll.lng, ll.lat)) { return false; }
      for (var h = 1; h < poly.length; h++) { if (inRing(poly[h], ll.lng, ll.lat)) { return false; } }
      return true;
    });
  }
  // the unit of the layer shown in the table (the state shown) containing a point: {g, l} or null
  C.unitAt = function (ll) {
    var role = C.tableRole(), hit = null;
    C.all.forEach(function (g) {
      if (hit || g.ctRole !== role) { return; }
      g.eachLayer(function (l) {
        if (!hit && l.getBounds().contains(ll) && inGeometry(l.feature.geometry, ll)) { hit = {g: g, l: l}; }
      });
    });
    return hit;
  };
  // a place (ward): zoom to it, mark it, open the unit containing it with its popup at the place
  C.goPlace = function (i) {
    var P = C.data.search.places, map = C.map;
    var ll = L.latLng(P.ll[2 * i] / P.scale, P.ll[2 * i + 1] / P.scale);
    map.setView(ll, Math.max(map.getZoom(), 12), {animate: false});
    if (C.placeMark) { map.removeLayer(C.placeMark); }
    C.placeMark = L.circleMarker(ll, {radius: 6, color: "#000", weight: 2, fillColor: "#fff", fillOpacity: 1,
                                      pane: "ctLabels", interactive: false}).addTo(map);
    C.placeMark.bindTooltip(el("span", "", null, P.names[i]), {permanent: true, direction: "right", className: "ct-place"}).openTooltip();
    var hit = C.unitAt(ll);
    C.placeUnit = hit ? hit.l.feature.properties.c : null;
    if (hit) { setTimeout(function () { hit.l.openPopup(ll); C.highlight(hit.l, hit.g); }, 0); }
    return C.placeUnit;
  };

  C.search = function (map, parent, S) {
    var d = el("div", "ct-box ct-search", parent);
    var input = el("input", "", d);
    input.type = "search";
    input.placeholder = S.placeholder;
    input.setAttribute("aria-label", S.placeholder);
    if (S.note) { el("div", "ct-code ct-search-note", d, S.note); }
    var ul = el("ul", "", d);
    var P = S.places;
    var lower = P ? P.names.map(function (n) { return String(n).toLowerCase(); }) : [];
    function entries() {
      var out = [];
      C.all.forEach(function (g) {
        if (!map.hasLayer(g) || g.ctOptions.interactive === false) { return; }
        g.eachLayer(function (l) {
          var p = l.feature.properties;
          out.push({n: String(p.n || ""), c: String(p.c || ""), s: String(p.s || ""), g: g, l: l});
        });
      });
      return out;
    }
    function close() {
      ul.textContent = "";
      if (window.innerWidth < PHONE) { C.panelControl.getContainer().classList.remove("ct-open"); }
    }
    function go(e) {
      input.value = e.n;
      close();
      map.fitBounds(e.l.getBounds(), {maxZoom: 11, padding: [40, 40], animate: false});
      setTimeout(function () { e.l.openPopup(); C.highlight(e.l, e.g); }, 0);
    }
    function goPlace(i) {
      input.value = P.names[i];
      close();
      C.goPlace(i);
    }
    function list() {
      ul.textContent = "";
      var q = input.value.trim().toLowerCase();
      if (!q) { return; }
      var n = 0, all = entries();
      for (var i = 0; i < all.length && n < 12; i++) {
        var e = all[i];
        if (e.n.toLowerCase().indexOf(q) >= 0 || e.c.toLowerCase() === q) {
          var li = el("li", "", ul, e.n + (e.s ? " \u00b7 " + e.s : ""));
          li.title = e.c;
          li.addEventListener("click", go.bind(null, e));
          n++;
        }
      }
      if (P && q.length >= 3) {  // places: names starting with the text first, then containing it
        var starts = [], within = [];
        for (var k = 0; k < lower.length && starts.length < 8; k++) {
          var at = lower[k].indexOf(q);
          if (at === 0) { starts.push(k); } else if (at > 0 && within.length < 8) { within.push(k); }
        }
        starts.concat(within).slice(0, 8).forEach(function (k) {
          var ll = L.latLng(P.ll[2 * k] / P.scale, P.ll[2 * k + 1] / P.scale);
          var hit = C.unitAt(ll);
          var li = el("li", "ct-place-hit", ul, P.names[k] + " (ward)" + (hit ? " \u00b7 in " + hit.l.feature.properties.n : ""));
          li.addEventListener("click", goPlace.bind(null, k));
          n++;
        });
      }
      if (!n) { el("li", "ct-none", ul, "no match"); }
    }
    input.addEventListener("input", list);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var li = ul.querySelector("li:not(.ct-none)"); if (li) { li.click(); } }
    });
  };
})();
