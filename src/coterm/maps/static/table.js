// coterm map page: the unit table (filter, sort, CSV built in the page) and printing. Loaded after map.js (which calls these from C.start).
// Data is data: names and codes are set with textContent; only HTML built from escaped parts in Python is inserted.
(function () {
  "use strict";
  var C = (window.cotermMap = window.cotermMap || {});
  var el = C.el, pct = C.pct;

  // ---- table of units with filter, sort and CSV download (built in the page)
  C.tableRole = function () {
    var D = C.data;
    return D.states ? D.states[C.state].table_role : D.table_role;
  };
  C.rows = function () {
    var role = C.tableRole(), rows = [];
    C.all.forEach(function (g) {
      if (g.ctRole !== role) { return; }
      g.eachLayer(function (l) { rows.push(l.feature.properties); });
    });
    return rows;
  };
  var COLS = [["n", "Name"], ["c", "Code"], ["k", "Class"], ["m", "Main partner"], ["ms", "Share in it"],
              ["np", "Partners"], ["pop", "Residents"]];
  function csvCell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) { s = "'" + s; }  // no spreadsheet formulas from data
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  // the units file's columns of the table's layer (police force, start date ...): [[key, label]]
  C.extras = function () {
    var role = C.tableRole(), out = [];
    C.all.forEach(function (g) { if (g.ctRole === role && g.ctOptions.extras) { out = g.ctOptions.extras; } });
    return out;
  };
  C.csv = function () {
    var ex = C.extras();
    var lines = [COLS.map(function (c) { return c[1]; }).concat(ex.map(function (c) { return c[1]; })).map(csvCell).join(",")];
    C.rows().forEach(function (p) {
      var x = p.x || {};
      lines.push(COLS.map(function (c) { return csvCell(p[c[0]]); })
        .concat(ex.map(function (c) { return csvCell(x[c[0]] === undefined ? "" : x[c[0]]); })).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  };
  C.table = function (parent) {
    var det = el("details", "ct-box ct-table", parent);
    el("summary", "", det, "Table of units");
    var bar = el("div", "ct-table-bar", det);
    var filter = el("input", "", bar);
    filter.type = "search"; filter.placeholder = "Filter"; filter.setAttribute("aria-label", "Filter the table");
    var dl = el("a", "ct-download", bar, "Download CSV");
    dl.href = "#";
    var wrap = el("div", "ct-table-wrap", det);
    var table = el("table", "", wrap);
    var head = el("tr", "", el("thead", "", table));
    var tbody = el("tbody", "", table);
    var sort = {key: "n", dir: 1};
    var lead = null;
    function value(p, key) { return key.charAt(0) === "x" && key.length > 1 && key.charAt(1) === ":" ? (p.x || {})[key.slice(2)] : p[key]; }
    function heads() {
      var ex = C.extras();
      lead = ex.length ? ex[0] : null;
      head.textContent = "";
      COLS.concat(lead ? [["x:" + lead[0], lead[1]]] : []).forEach(function (c) {
        var th = el("th", "", head, c[1]);
        th.setAttribute("role", "button");
        th.tabIndex = 0;
        th.addEventListener("click", function () { sort = {key: c[0], dir: sort.key === c[0] ? -sort.dir : 1}; draw(); });
      });
    }
    function draw() {
      heads();
      var q = filter.value.trim().toLowerCase();
      var rows = C.rows().filter(function (p) {
        return !q || [p.n, p.c, p.k, p.m, lead ? value(p, "x:" + lead[0]) : ""].some(function (v) {
          return String(v || "").toLowerCase().indexOf(q) >= 0;
        });
      });
      rows.sort(function (x, y) {
        var a = value(x, sort.key), b = value(y, sort.key);
        if (typeof a === "number" || typeof b === "number") { return sort.dir * ((a || 0) - (b || 0)); }
        return sort.dir * String(a || "").localeCompare(String(b || ""));
      });
      tbody.textContent = "";
      rows.forEach(function (p) {
        var tr = el("tr", "", tbody);
        el("td", "", tr, p.n); el("td", "", tr, p.c); el("td", "", tr, p.k); el("td", "", tr, p.m || "");
        el("td", "ct-num", tr, pct(p.ms)); el("td", "ct-num", tr, p.np === undefined ? "" : String(p.np));
        el("td", "ct-num", tr, p.pop === null || p.pop === undefined ? "" : Math.round(p.pop).toLocaleString("en-GB"));
        if (lead) { el("td", "", tr, String(value(p, "x:" + lead[0]) || "")); }
        tr.addEventListener("click", function () { C.show(C.map, p.c, C.tableRole()); });
      });
    }
    filter.addEventListener("input", draw);
    dl.addEventListener("click", function (e) {
      e.preventDefault();
      var blob = new Blob(["\ufeff" + C.csv()], {type: "text/csv;charset=utf-8"});
      var a = el("a", "", document.body);
      a.href = URL.createObjectURL(blob);
      a.download = (C.data.csv_name || "units") + ".csv";
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
    C.refreshTable = draw;
    C.tableBox = det;
    draw();
  };

  // printing: the panel (legend, summary, table, opened) leaves the map's box to follow the map on paper
  C.printMode = function (on) {
    var pc = C.panelControl && C.panelControl.getContainer();
    if (!pc) { return; }
    if (on && !C.printing) {
      C.printing = {home: pc.parentNode, next: pc.nextSibling, open: C.tableBox ? C.tableBox.open : false};
      document.body.appendChild(pc);
      if (C.tableBox) { C.tableBox.open = true; }
    } else if (!on && C.printing) {
      C.printing.home.insertBefore(pc, C.printing.next);
      if (C.tableBox) { C.tableBox.open = C.printing.open; }
      C.printing = null;
    }
    C.map.invalidateSize({animate: false});
  };
})();
