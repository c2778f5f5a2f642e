// coterm scenario maps: "side by side" view. A second Leaflet map (before) beside the main map (after),
// panning and zooming kept in step both ways. Offline, no plugin: Leaflet's own move events.
// Each side has its own legend (counts of its own state); popups and tooltips are each layer's own.
(function () {
  "use strict";
  var C = (window.cotermMap = window.cotermMap || {});

  // keep b's view equal to a's; `busy` stops the echo (b's move event would set a again)
  C.sync = function (a, b) {
    var busy = false;
    function follow(src, dst) {
      return function () {
        if (busy) { return; }
        busy = true;
        dst.setView(src.getCenter(), src.getZoom(), {animate: false});
        busy = false;
      };
    }
    a.on("move moveend zoomend", follow(a, b));
    b.on("move moveend zoomend", follow(b, a));
  };

  function box(tag, cls, parent, text) {
    var e = document.createElement(tag);
    e.className = cls;
    if (text !== undefined) { e.textContent = text; }
    parent.appendChild(e);
    return e;
  }

  C.before = null;  // {map, layers, legend} once built
  function build() {
    var D = C.data;
    var div = document.createElement("div");
    div.id = "ct-map2";
    div.className = "ct-map ct-map2";
    div.setAttribute("role", "application");
    div.setAttribute("aria-label", D.states.before.label);
    document.body.insertBefore(div, document.getElementById("ct-map"));
    var map = L.map(div, {zoomSnap: C.map.options.zoomSnap, zoomDelta: C.map.options.zoomDelta, attributionControl: false});
    C.panes(map);
    var layers = [];
    D.layers.forEach(function (o) {
      if (o.state === "before") { C.units(map, o, layers).addTo(map); }
    });
    C.hatch(map);
    var tag = box("div", "ct-side-tag", div, D.states.before.label);
    L.DomEvent.disableClickPropagation(tag);
    var lc = L.control({position: "topright"});
    var legend;
    lc.onAdd = function () {
      var d = box("div", "leaflet-control ct-box ct-legend ct-legend-before", document.createElement("div"));
      d.innerHTML = D.states.before.legend;  // built from escaped parts in Python
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      legend = d;
      return d;
    };
    lc.addTo(map);
    var t2 = box("div", "ct-side-tag ct-side-tag-after", document.getElementById("ct-map"), D.states.after.label);
    L.DomEvent.disableClickPropagation(t2);
    C.before = {map: map, layers: layers, legend: legend, div: div, afterTag: t2};
    C.sync(C.map, map);
  }

  C.sideBySide = function (on) {
    if (!C.data.states) { return; }
    if (on && !C.before) { build(); }
    document.body.classList.toggle("ct-sbs", !!on);
    C.map.invalidateSize({animate: false});
    if (C.before) {
      C.before.map.invalidateSize({animate: false});
      if (on && C.data.bounds) {  // the whole area on both halves, clear of the panel on the right
        var wide = window.innerWidth >= 700;
        C.map.fitBounds(C.data.bounds, {paddingTopLeft: [10, wide ? 60 : 90],
                                        paddingBottomRight: [wide ? 330 : 10, 20], animate: false});
      }
      if (on) { C.before.map.setView(C.map.getCenter(), C.map.getZoom(), {animate: false}); }
      // the "after" tag sits above the attribution, whatever its height
      var attr = C.map.getContainer().querySelector(".leaflet-control-attribution");
      C.before.afterTag.style.bottom = ((attr ? attr.offsetHeight : 0) + 34) + "px";
    }
    if (C.layout) { C.layout(C.map); }
    if (C.drawLabels) { C.drawLabels(); }
  };
})();
