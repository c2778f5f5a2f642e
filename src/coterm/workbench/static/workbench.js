/* coterm workbench: the page. Reads its data from the JSON block, draws an SVG map, keeps the
 * grouping (undo/redo, URL fragment), re-scores with CotermScore on every change, exports and imports
 * scenario files. Every string from data is set with textContent or attributes, never as HTML.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("coterm-data").textContent);
  var S = window.CotermScore;
  var NS = "http://www.w3.org/2000/svg";
  // Okabe-Ito and Tol colours: distinguishable under the common colour-vision deficiencies
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288", "#117733", "#882255"];
  var CLASS_WORD = { coterminous: "coterminous", nested: "nested", contains: "contains", split: "split",
                     "minor split": "minor split", outside: "outside" };
  var idx = {}; D.units.codes.forEach(function (c, i) { idx[c] = i; });
  var neighbours = D.units.codes.map(function () { return []; });
  D.adjacency.forEach(function (e) { neighbours[e[0]].push(e[1]); neighbours[e[1]].push(e[0]); });
  var pop = D.units.codes.map(function () { return 0; });
  if (D.partners.length) {
    var p0 = D.partners[0].pairs;
    for (var k = 0; k < p0.a.length; k++) pop[p0.a[k]] += p0.population[k];
  }

  var state = { groups: [], active: -1 };
  var startGroups = [], baseScores = null;
  var past = [], future = [];
  var paths = [];

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtInt(n) { return Math.round(n).toLocaleString("en-GB"); }
  function pct(v) { return v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%"; }
  function clone(g) { return JSON.parse(JSON.stringify(g)); }
  function slug(t) { return String(t).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "group"; }

  function groupOf(code) {
    for (var g = 0; g < state.groups.length; g++) if (state.groups[g].members.indexOf(code) >= 0) return g;
    return -1;
  }

  /* ---- state changes (each one undoable) ---- */
  function commit(next, active) {
    past.push({ groups: clone(state.groups), active: state.active });
    if (past.length > 200) past.shift();
    future = [];
    state.groups = next.filter(function (g) { return g.members.length > 0; });
    state.active = Math.min(active === undefined ? state.active : active, state.groups.length - 1);
    render();
  }
  function uniqueCode(name) {
    var base = slug(name), code = base, n = 2, used = {};
    state.groups.forEach(function (g) { used[g.code] = true; });
    while (used[code] || idx[code] !== undefined) code = base + "-" + n++;
    return code;
  }
  function toggle(code) {
    var next = clone(state.groups), g = groupOf(code), active = state.active;
    if (g >= 0) {
      next[g].members.splice(next[g].members.indexOf(code), 1);
    } else {
      if (active < 0) {
        var name = "New group " + (next.length + 1);
        next.push({ code: uniqueCode(name), name: name, members: [] });
        active = next.length - 1;
      }
      next[active].members.push(code);
      next[active].members.sort();
    }
    commit(next, active);
  }
  function move(code, target) {
    var next = clone(state.groups), g = groupOf(code);
    if (g === target) return;
    if (g >= 0) next[g].members.splice(next[g].members.indexOf(code), 1);
    next[target].members.push(code); next[target].members.sort();
    commit(next, target);
  }
  function newGroup() {
    var name = "New group " + (state.groups.length + 1);
    past.push({ groups: clone(state.groups), active: state.active }); future = [];
    state.groups.push({ code: uniqueCode(name), name: name, members: [] });
    state.active = state.groups.length - 1;
    render();
  }
  function undo() { if (!past.length) return; future.push({ groups: clone(state.groups), active: state.active }); var s = past.pop(); state.groups = s.groups; state.active = s.active; render(); }
  function redo() { if (!future.length) return; past.push({ groups: clone(state.groups), active: state.active }); var s = future.pop(); state.groups = s.groups; state.active = s.active; render(); }

  /* ---- checks shared by imports and the URL ---- */
  function validate(groups, layer) {
    if (layer && layer !== D.layer.id) return "this scenario changes " + layer + ", but the workbench reshapes " + D.layer.id;
    var seen = {};
    for (var g = 0; g < groups.length; g++) {
      for (var m = 0; m < groups[g].members.length; m++) {
        var c = groups[g].members[m];
        if (idx[c] === undefined) return "unit " + c + " (in " + groups[g].name + ") is not a unit of " + D.layer.id;
        if (seen[c]) return "unit " + c + " is in two groups (" + seen[c] + " and " + groups[g].name + ")";
        seen[c] = groups[g].name;
      }
    }
    return null;
  }

  /* ---- contiguity from the adjacency computed in Python ---- */
  function contiguous(members) {
    if (members.length < 2) return true;
    var inG = {}, seen = {}, stack = [idx[members[0]]], n = 0;
    members.forEach(function (c) { inG[idx[c]] = true; });
    seen[stack[0]] = true;
    while (stack.length) {
      var u = stack.pop(); n++;
      neighbours[u].forEach(function (v) { if (inG[v] && !seen[v]) { seen[v] = true; stack.push(v); } });
    }
    return n === members.length;
  }

  /* ---- export / import ---- */
  function tomlString(s) { return '"' + String(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\u0000-\u001f\u007f]/g, function (ch) { return "\\u" + ("000" + ch.charCodeAt(0).toString(16)).slice(-4); }) + '"'; }
  function toToml() {
    var lines = ["# Made in the coterm workbench; check it with: coterm scenario check FILE",
                 "name = " + tomlString($("sc-name").value || "Workbench grouping"),
                 "layer = " + tomlString(D.layer.id),
                 "description = " + tomlString("A grouping of " + D.layer.title + " drawn in the coterm workbench."),
                 'confidence = "low: a what-if drawn in the workbench"',
                 "against = [" + D.partners.map(function (p) { return tomlString(p.id); }).join(", ") + "]", ""];
    state.groups.forEach(function (g) {
      lines.push("[[merge]]", "into = " + tomlString(g.name), "code = " + tomlString(g.code), "members = [");
      g.members.forEach(function (m) { lines.push("  " + tomlString(m) + ",  # " + D.units.names[idx[m]].replace(/[\r\n]/g, " ")); });
      lines.push("]", "");
    });
    return lines.join("\n");
  }
  function csvCell(s) { s = String(s); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function toCsv() {
    var rows = ["# layer: " + D.layer.id, "new_unit,member_code,new_code"];
    state.groups.forEach(function (g) { g.members.forEach(function (m) { rows.push([csvCell(g.name), csvCell(m), csvCell(g.code)].join(",")); }); });
    return rows.join("\n") + "\n";
  }
  function download(text, name, type) {
    var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: type })), download: name });
    document.body.appendChild(a); a.click(); a.remove();
  }
  function unquote(v) {
    v = v.trim();
    if (v[0] === '"') return JSON.parse(v.replace(/\\u([0-9a-fA-F]{4})/g, function (m) { return m; }));
    if (v[0] === "'") return v.slice(1, -1);
    return v;
  }
  /* The TOML this page writes and the shipped merge files use: top-level keys and [[merge]] tables. */
  function parseToml(text) {
    var groups = [], layer = null, name = null, cur = null, inMembers = false;
    text.split(/\r?\n/).forEach(function (raw, n) {
      var line = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "").trim();
      if (!line) return;
      if (inMembers) {
        line.split(",").forEach(function (t) { t = t.replace("]", "").trim(); if (t) cur.members.push(unquote(t)); });
        if (raw.indexOf("]") >= 0) inMembers = false;
        return;
      }
      if (line === "[[merge]]") { cur = { name: "", code: "", members: [] }; groups.push(cur); return; }
      if (/^\[/.test(line)) throw new Error("line " + (n + 1) + ": " + line + " is not supported here (the workbench regroups whole units: [[merge]] only)");
      var m = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
      if (!m) throw new Error("line " + (n + 1) + " is not a key = value line");
      var key = m[1], val = m[2];
      if (cur) {
        if (key === "into") cur.name = unquote(val);
        else if (key === "code") cur.code = unquote(val);
        else if (key === "members") {
          var body = val.replace(/^\[/, "");
          body.split(",").forEach(function (t) { t = t.replace("]", "").trim(); if (t) cur.members.push(unquote(t)); });
          inMembers = val.indexOf("]") < 0;
        }
      } else if (key === "layer") layer = unquote(val);
      else if (key === "name") name = unquote(val);
    });
    groups.forEach(function (g) { if (!g.code) g.code = slug(g.name); g.members.sort(); });
    return { layer: layer, name: name, groups: groups };
  }
  function parseCsv(text) {
    var layer = null, groups = {}, order = [];
    text.split(/\r?\n/).forEach(function (line) {
      if (!line.trim()) return;
      var lm = /^#\s*layer:\s*(\S+)/.exec(line);
      if (lm) { layer = lm[1]; return; }
      if (line[0] === "#" || /^new_unit,/.test(line)) return;
      var cells = [], cur = "", q = false;
      for (var i = 0; i < line.length; i++) {
        var ch = line[i];
        if (q) { if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') q = false; else cur += ch; }
        else if (ch === '"') q = true; else if (ch === ",") { cells.push(cur); cur = ""; } else cur += ch;
      }
      cells.push(cur);
      var key = cells[0];
      if (!groups[key]) { groups[key] = { name: cells[0], code: cells[2] || slug(cells[0]), members: [] }; order.push(key); }
      groups[key].members.push(cells[1].trim());
    });
    return { layer: layer, name: null, groups: order.map(function (k) { groups[k].members.sort(); return groups[k]; }) };
  }
  function importText(text, filename) {
    var msg = $("import-msg");
    try {
      var sc = /\.csv$/i.test(filename) ? parseCsv(text) : parseToml(text);
      var err = validate(sc.groups, sc.layer);
      if (err) throw new Error(err);
      if (sc.name) $("sc-name").value = sc.name;
      commit(sc.groups, sc.groups.length ? 0 : -1);
      msg.textContent = "Loaded " + filename + ": " + sc.groups.length + " groups.";
      msg.className = "ok";
    } catch (e) {
      msg.textContent = filename + ": " + e.message + ". Nothing was changed.";
      msg.className = "bad";
    }
  }

  /* ---- URL fragment: the grouping, so a link reopens it ---- */
  function writeHash() {
    var compact = state.groups.map(function (g) { return [g.code, g.name, g.members.map(function (m) { return idx[m]; })]; });
    var h = "#g=" + encodeURIComponent(JSON.stringify(compact));
    if (location.hash !== h) history.replaceState(null, "", state.groups.length ? h : location.pathname + location.search);
  }
  function readHash() {
    var m = /^#g=(.*)$/.exec(location.hash);
    if (!m) return null;
    try {
      var arr = JSON.parse(decodeURIComponent(m[1]));
      return arr.map(function (g) { return { code: String(g[0]), name: String(g[1]), members: g[2].map(function (i) { return D.units.codes[i]; }).filter(Boolean).sort() }; });
    } catch (e) { return null; }
  }

  /* ---- drawing ---- */
  function drawMap() {
    var svg = $("map");
    svg.setAttribute("viewBox", D.viewbox.join(" "));
    D.paths.forEach(function (d, i) {
      var p = document.createElementNS(NS, "path");
      p.setAttribute("d", d);
      p.setAttribute("data-code", D.units.codes[i]);
      p.setAttribute("tabindex", "0");
      p.setAttribute("role", "button");
      p.setAttribute("aria-label", D.units.names[i]);
      var t = document.createElementNS(NS, "title"); t.textContent = D.units.names[i] + " (" + D.units.codes[i] + ")";
      p.appendChild(t);
      p.addEventListener("click", function () { toggle(D.units.codes[i]); });
      p.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(D.units.codes[i]); } });
      svg.appendChild(p); paths.push(p);
    });
    var vb = D.viewbox.slice();
    function setVb() { svg.setAttribute("viewBox", vb.join(" ")); }
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var f = ev.deltaY > 0 ? 1.2 : 1 / 1.2, r = svg.getBoundingClientRect();
      var mx = vb[0] + (ev.clientX - r.left) / r.width * vb[2], my = vb[1] + (ev.clientY - r.top) / r.height * vb[3];
      vb = [mx - (mx - vb[0]) * f, my - (my - vb[1]) * f, vb[2] * f, vb[3] * f]; setVb();
    }, { passive: false });
    $("zoom-in").onclick = function () { vb = [vb[0] + vb[2] * 0.15, vb[1] + vb[3] * 0.15, vb[2] * 0.7, vb[3] * 0.7]; setVb(); };
    $("zoom-out").onclick = function () { vb = [vb[0] - vb[2] * 0.2, vb[1] - vb[3] * 0.2, vb[2] * 1.4, vb[3] * 1.4]; setVb(); };
    $("zoom-reset").onclick = function () { vb = D.viewbox.slice(); setVb(); };
  }

  function renderMap() {
    paths.forEach(function (p) {
      var g = groupOf(p.getAttribute("data-code"));
      p.setAttribute("class", g < 0 ? "unit" : "unit grouped" + (g === state.active ? " active" : ""));
      p.style.fill = g < 0 ? "" : PALETTE[g % PALETTE.length];
    });
  }

  function renderGroups() {
    var box = $("groups"); box.textContent = "";
    state.groups.forEach(function (g, gi) {
      var card = el("section", { "class": "group" + (gi === state.active ? " active" : ""), "data-group": String(gi) });
      card.style.borderLeftColor = PALETTE[gi % PALETTE.length];
      card.addEventListener("dragover", function (ev) { ev.preventDefault(); });
      card.addEventListener("drop", function (ev) { ev.preventDefault(); move(ev.dataTransfer.getData("text/plain"), gi); });
      var head = el("div", { "class": "group-head" });
      var nm = el("input", { type: "text", "aria-label": "Group name", value: g.name });
      nm.addEventListener("change", function () { var next = clone(state.groups); next[gi].name = nm.value || g.name; commit(next, gi); });
      var act = el("button", { type: "button", "class": "pick" }, gi === state.active ? "adding here" : "add here");
      act.addEventListener("click", function () { state.active = gi; render(); });
      head.appendChild(nm); head.appendChild(act); card.appendChild(head);
      var people = g.members.reduce(function (s, m) { return s + pop[idx[m]]; }, 0);
      var ok = contiguous(g.members);
      card.appendChild(el("p", { "class": "meta" }, g.members.length + " units · " + fmtInt(people) + " people · " + (ok ? "contiguous" : "NOT contiguous")));
      var list = el("ul", { "class": "members" });
      g.members.forEach(function (m) {
        var li = el("li", { draggable: "true", "data-code": m });
        li.addEventListener("dragstart", function (ev) { ev.dataTransfer.setData("text/plain", m); });
        li.appendChild(el("span", {}, D.units.names[idx[m]]));
        var sel = el("select", { "aria-label": "Move " + D.units.names[idx[m]] + " to" });
        sel.appendChild(el("option", { value: "" }, "move…"));
        state.groups.forEach(function (o, oi) { if (oi !== gi) sel.appendChild(el("option", { value: String(oi) }, o.name)); });
        sel.appendChild(el("option", { value: "out" }, "remove from group"));
        sel.addEventListener("change", function () { if (sel.value === "out") toggle(m); else if (sel.value) move(m, Number(sel.value)); });
        li.appendChild(sel); list.appendChild(li);
      });
      card.appendChild(list); box.appendChild(card);
    });
  }

  function renderUnitList() {
    var q = $("unit-search").value.trim().toLowerCase(), list = $("unit-list"); list.textContent = "";
    D.units.codes.forEach(function (c, i) {
      var n = D.units.names[i];
      if (q && n.toLowerCase().indexOf(q) < 0 && c.toLowerCase().indexOf(q) < 0) return;
      var g = groupOf(c);
      var b = el("button", { type: "button", "data-code": c }, n + (g >= 0 ? " — " + state.groups[g].name : ""));
      b.addEventListener("click", function () { toggle(c); });
      var li = el("li"); li.appendChild(b); list.appendChild(li);
    });
  }

  function renderScores() {
    var t0 = performance.now();
    var res = S.score(D, state.groups);
    if (!baseScores) baseScores = S.score(D, startGroups);  // the start only changes in start()
    var base = baseScores;
    var box = $("scores"); box.textContent = "";
    D.partners.forEach(function (p) {
      var r = res[p.id], b = base[p.id], ab = r.a_to_b, ba = r.b_to_a;
      var sec = el("section", { "class": "partner", "data-partner": p.id });
      sec.appendChild(el("h3", {}, p.title));
      var sent = ab.split === 0
        ? "Every unit lies wholly inside one body of this layer, or is made of whole bodies."
        : ab.split + " of " + ab.units + " units straddle two or more bodies; " + fmtInt(ab.people_in_split_units || 0) + " people live in them.";
      sec.appendChild(el("p", { "class": "sentence" }, sent));
      var tbl = el("table"), rows = [
        ["Units aligned (by population)", pct(ab.alignment_rate.population), pct(b.a_to_b.alignment_rate.population)],
        ["Units coterminous", String(ab.coterminous), String(b.a_to_b.coterminous)],
        ["Units split", String(ab.split), String(b.a_to_b.split)],
        ["People in split units", fmtInt(ab.people_in_split_units || 0), fmtInt(b.a_to_b.people_in_split_units || 0)],
        ["Bodies split by the units", String(ba.split), String(b.b_to_a.split)]];
      var hr = el("tr"); ["", "now", "at start"].forEach(function (h) { hr.appendChild(el("th", {}, h)); }); tbl.appendChild(hr);
      rows.forEach(function (row) { var tr = el("tr"); row.forEach(function (c, i) { tr.appendChild(el(i ? "td" : "th", {}, c)); }); tbl.appendChild(tr); });
      sec.appendChild(tbl);
      var names = {}; p.codes.forEach(function (c, i) { names[c] = p.names[i]; });
      function isSplitB(res, c) { var u = res.units_b[c]; return u && (u["class"] === "split" || u["class"] === "minor split"); }
      var splitBodies = Object.keys(r.units_b).filter(function (c) { return isSplitB(r, c); }).sort();
      var fresh = splitBodies.filter(function (c) { return !isSplitB(b, c); });
      var healed = Object.keys(b.units_b).filter(function (c) { return isSplitB(b, c) && !isSplitB(r, c); }).sort();
      function bodyList(title, list, word) {
        if (!list.length) return;
        sec.appendChild(el("p", { "class": "meta" }, title));
        var ul = el("ul", { "class": "split-bodies" });
        list.slice(0, 12).forEach(function (c) {
          var u = r.units_b[c];
          ul.appendChild(el("li", { "data-body": c }, names[c] + ": " + word(u)));
        });
        if (list.length > 12) ul.appendChild(el("li", {}, "… and " + (list.length - 12) + " more"));
        sec.appendChild(ul);
      }
      bodyList("Bodies the grouping cuts that were whole at the start:", fresh,
               function (u) { return Math.round(100 * u.dominant_share) + "% in its largest unit"; });
      bodyList("Bodies no longer cut:", healed, function (u) { return CLASS_WORD[u["class"]]; });
      var already = splitBodies.length - fresh.length;
      if (already) sec.appendChild(el("p", { "class": "meta" }, already + " bodies of this layer were already cut at the start and still are."));
      state.groups.forEach(function (g) {
        var u = r.units_a[g.code];
        if (u) sec.appendChild(el("p", { "class": "meta group-class", "data-group-code": g.code }, g.name + ": " + CLASS_WORD[u["class"]] + (u["class"] === "split" || u["class"] === "minor split" ? " (" + u.n_partners + " bodies)" : "")));
      });
      box.appendChild(sec);
    });
    $("timing").textContent = "re-scored in " + Math.max(1, Math.round(performance.now() - t0)) + " ms";
  }

  function renderChanges() {
    var ul = $("changes"); ul.textContent = "";
    var startOf = {}; startGroups.forEach(function (g) { g.members.forEach(function (m) { startOf[m] = g.name; }); });
    var n = 0;
    D.units.codes.forEach(function (c) {
      var g = groupOf(c), now = g >= 0 ? state.groups[g].name : null, was = startOf[c] || null;
      if (now !== was) { n++; ul.appendChild(el("li", {}, D.units.names[idx[c]] + ": " + (was || "on its own") + " → " + (now || "on its own"))); }
    });
    $("changes-count").textContent = n ? n + " units changed since the start" : "No changes since the start";
  }

  function render() {
    renderMap(); renderGroups(); renderUnitList(); renderScores(); renderChanges(); writeHash();
    $("undo").disabled = !past.length; $("redo").disabled = !future.length;
  }

  function start(groups) {
    startGroups = clone(groups); baseScores = null; state.groups = clone(groups); state.active = groups.length ? 0 : -1; past = []; future = [];
    render();
  }

  /* ---- wiring ---- */
  function init() {
    $("layer-title").textContent = D.layer.title;
    $("pop-source").textContent = D.population_source;
    var pick = $("start");
    pick.appendChild(el("option", { value: "" }, "the current boundaries (no changes)"));
    D.scenarios.forEach(function (s, i) { pick.appendChild(el("option", { value: String(i) }, s.name)); });
    pick.addEventListener("change", function () { start(pick.value === "" ? [] : D.scenarios[Number(pick.value)].groups); });
    $("new-group").onclick = newGroup;
    $("undo").onclick = undo; $("redo").onclick = redo;
    $("unit-search").addEventListener("input", renderUnitList);
    $("export-toml").onclick = function () { download(toToml(), slug($("sc-name").value || "workbench") + ".toml", "application/toml"); };
    $("export-csv").onclick = function () { download(toCsv(), slug($("sc-name").value || "workbench") + ".csv", "text/csv"); };
    $("import-file").addEventListener("change", function (ev) {
      var f = ev.target.files[0]; if (!f) return;
      f.text().then(function (t) { importText(t, f.name); }); ev.target.value = "";
    });
    document.addEventListener("dragover", function (ev) { if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") >= 0) ev.preventDefault(); });
    document.addEventListener("drop", function (ev) {
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      ev.preventDefault(); var f = ev.dataTransfer.files[0]; f.text().then(function (t) { importText(t, f.name); });
    });
    document.addEventListener("keydown", function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "z") { ev.preventDefault(); ev.shiftKey ? redo() : undo(); }
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "y") { ev.preventDefault(); redo(); }
    });
    drawMap();
    var fromHash = readHash(), initial = D.start ? D.start.groups : [];
    if (fromHash && !validate(fromHash, null)) { startGroups = clone(initial); baseScores = null; state.groups = fromHash; state.active = fromHash.length ? 0 : -1; render(); }
    else start(initial);
  }

  window.coterm = {
    score: function (groups) { return S.score(D, groups || state.groups); },
    grouping: function () { return clone(state.groups); },
    toToml: toToml, toCsv: toCsv, importText: importText,
    data: D
  };
  init();
})();
