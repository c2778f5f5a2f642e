/* coterm workbench: the scoring engine, the same rules as coterm.scoring (Python), for one grouping.
 *
 * Merging units is a group-by on the overlap table (Overlap.regroup); then every unit of both sides
 * is classified from its kept partners (pairs with people in them: atom mode keeps every such pair):
 *   coterminous: one partner, which has only it; nested: one partner, which has others;
 *   contains: several partners, each having only it; split: anything else ("minor split" when the
 *   largest share is >= 95%); outside: no partner.
 * The indices per direction and the symmetric ones follow scoring._direction and scoring._symmetric.
 * The tests check this file against Python for every shipped scenario and random groupings.
 */
(function (root) {
  "use strict";
  var MINOR = 0.95;
  var ALIGNED = { coterminous: true, nested: true, contains: true };

  function cmp(x, y) { return x < y ? -1 : x > y ? 1 : 0; }
  function log2(x) { return Math.log(x) / Math.LN2; }

  /* groups: [{code, name, members: [unit codes]}] -> unit index -> group code */
  function keys(units, groups) {
    var byCode = {}, i, g, m;
    for (i = 0; i < units.codes.length; i++) byCode[units.codes[i]] = units.codes[i];
    for (g = 0; g < groups.length; g++) {
      for (m = 0; m < groups[g].members.length; m++) byCode[groups[g].members[m]] = String(groups[g].code);
    }
    var out = new Array(units.codes.length);
    for (i = 0; i < units.codes.length; i++) out[i] = byCode[units.codes[i]];
    return out;
  }

  /* Aggregate the partner's pairs by (group, body): rows {a, b, measure, area, pop}. */
  function aggregate(partner, key) {
    var p = partner.pairs, acc = {}, order = [], k, i;
    for (i = 0; i < p.a.length; i++) {
      k = key[p.a[i]] + "\u0000" + partner.codes[p.b[i]];
      if (!(k in acc)) { acc[k] = { a: key[p.a[i]], b: partner.codes[p.b[i]], pop: 0, area: 0 }; order.push(k); }
      acc[k].pop += p.population[i];
      acc[k].area += p.area_m2[i];
    }
    var rows = order.map(function (kk) { var r = acc[kk]; r.measure = r.pop; return r; });
    rows.sort(function (x, y) { return cmp(x.a, y.a) || cmp(x.b, y.b); });
    return rows;
  }

  function sumBy(rows, side, field) {
    var out = {};
    rows.forEach(function (r) { out[r[side]] = (out[r[side]] || 0) + r[field]; });
    return out;
  }

  function classify(kept, allUnits, side) {
    var them = side === "a" ? "b" : "a", share = side === "a" ? "share_a" : "share_b";
    var nMe = {}, nThem = {}, by = {};
    kept.forEach(function (r) {
      nMe[r[side]] = (nMe[r[side]] || 0) + 1;
      nThem[r[them]] = (nThem[r[them]] || 0) + 1;
      (by[r[side]] = by[r[side]] || []).push(r);
    });
    var out = {};
    allUnits.forEach(function (u) {
      var rs = (by[u] || []).slice();
      rs.sort(function (x, y) { return (y[share] - x[share]) || cmp(x[them], y[them]); });
      var n = rs.length, excl = rs.every(function (r) { return nThem[r[them]] === 1; });
      var dom = n ? rs[0] : null, cls;
      if (n === 0) cls = "outside";
      else if (n === 1 && excl) cls = "coterminous";
      else if (n === 1) cls = "nested";
      else if (excl) cls = "contains";
      else if (dom[share] >= MINOR) cls = "minor split";
      else cls = "split";
      out[u] = { "class": cls, n_partners: n, dominant_code: dom ? dom[them] : null,
                 dominant_share: dom ? dom[share] : null };
    });
    return out;
  }

  function entropy(ps) {
    var h = 0, n = 0;
    ps.forEach(function (p) { if (p > 0) { h -= p * log2(p); n++; } });
    return n ? Math.max(0, h) : 0;
  }

  function condEntropy(kept, given) {
    var tot = 0, pa = {}, h = 0;
    kept.forEach(function (r) { tot += r.measure; });
    if (tot <= 0) return 0;
    kept.forEach(function (r) { pa[r[given]] = (pa[r[given]] || 0) + r.measure / tot; });
    kept.forEach(function (r) { var p = r.measure / tot; if (p > 0) h -= p * log2(p / pa[r[given]]); });
    return Math.max(0, h);
  }

  function direction(kept, all, cls, side) {
    var inside = Object.keys(cls).filter(function (u) { return cls[u]["class"] !== "outside"; }).sort(cmp);
    var areaW = sumBy(all, side, "area"), popW = sumBy(all, side, "pop");
    var aw = inside.map(function (u) { return areaW[u] || 0; }), pw = inside.map(function (u) { return popW[u] || 0; });
    var totA = aw.reduce(function (s, v) { return s + v; }, 0), totP = pw.reduce(function (s, v) { return s + v; }, 0);
    var hasPop = totP > 0;
    var c = inside.map(function (u) { return cls[u]["class"]; });
    function rate(test) {
      var n = 0, a = 0, p = 0;
      c.forEach(function (k, i) { if (test(k)) { n++; a += aw[i]; p += pw[i]; } });
      return { count: c.length ? n / c.length : null, area: totA > 0 ? a / totA : null, population: hasPop ? p / totP : null };
    }
    function isSplit(k) { return k === "split" || k === "minor split"; }
    var splitPop = 0, splitArea = 0;
    c.forEach(function (k, i) { if (isSplit(k)) { splitPop += pw[i]; splitArea += aw[i]; } });
    function purity(field) {
      if (field === "pop" && !hasPop) return null;
      var mx = {}, tot = 0;
      all.forEach(function (r) {
        if (cls[r[side]] && cls[r[side]]["class"] !== "outside") {
          tot += r[field];
          mx[r[side]] = Math.max(mx[r[side]] === undefined ? -Infinity : mx[r[side]], r[field]);
        }
      });
      if (!(tot > 0)) return null;
      var s = 0; Object.keys(mx).forEach(function (u) { s += mx[u]; });
      return s / tot;
    }
    var domMean = 0; inside.forEach(function (u) { domMean += cls[u].dominant_share; });
    var count = function (k) { return c.filter(function (x) { return x === k; }).length; };
    return {
      units: inside.length,
      outside: Object.keys(cls).length - inside.length,
      coterminous: count("coterminous"), nested: count("nested"), contains: count("contains"),
      split: c.filter(isSplit).length, minor_split: count("minor split"),
      coterminosity_rate: rate(function (k) { return k === "coterminous"; }),
      alignment_rate: rate(function (k) { return ALIGNED[k] === true; }),
      split_rate: rate(isSplit),
      people_in_split_units: hasPop ? splitPop : null,
      area_in_split_units_km2: splitArea / 1e6,
      nesting_purity: { count: inside.length ? domMean / inside.length : null, area: purity("area"), population: purity("pop") },
      conditional_entropy_bits: condEntropy(kept, side)
    };
  }

  function symmetric(kept) {
    var tot = 0;
    kept.forEach(function (r) { tot += r.measure; });
    if (!(tot > 0)) return { vi_bits: null, nmi: null, h_a_bits: null, h_b_bits: null, mutual_information_bits: null };
    var pa = sumBy(kept, "a", "measure"), pb = sumBy(kept, "b", "measure");
    var ha = entropy(Object.keys(pa).map(function (k) { return pa[k] / tot; }));
    var hb = entropy(Object.keys(pb).map(function (k) { return pb[k] / tot; }));
    var hba = condEntropy(kept, "a"), hab = condEntropy(kept, "b");
    var mi = Math.max(hb - hba, 0);
    var nmi = ha + hb === 0 ? 1 : 2 * mi / (ha + hb);
    return { vi_bits: hab + hba, nmi: Math.min(nmi, 1), h_a_bits: ha, h_b_bits: hb, mutual_information_bits: mi,
             h_b_given_a_bits: hba, h_a_given_b_bits: hab };
  }

  /* Score one partner layer for a grouping of the reshaped layer's units. */
  function scorePartner(data, partner, groups) {
    var key = keys(data.units, groups || []);
    var all = aggregate(partner, key);
    var totA = sumBy(all, "a", "measure"), totB = sumBy(all, "b", "measure");
    all.forEach(function (r) {
      r.share_a = totA[r.a] > 0 ? r.measure / totA[r.a] : 0;
      r.share_b = totB[r.b] > 0 ? r.measure / totB[r.b] : 0;
    });
    var kept = all.filter(function (r) { return r.measure > 0; });
    var aUnits = Array.from(new Set(key)).sort(cmp);
    var bUnits = partner.codes.slice().sort(cmp);
    var ca = classify(kept, aUnits, "a"), cb = classify(kept, bUnits, "b");
    return { a_to_b: direction(kept, all, ca, "a"), b_to_a: direction(kept, all, cb, "b"), symmetric: symmetric(kept),
             units_a: ca, units_b: cb };
  }

  /* Every partner layer: {partner id: result}. */
  function score(data, groups) {
    var out = {};
    data.partners.forEach(function (p) { out[p.id] = scorePartner(data, p, groups); });
    return out;
  }

  root.CotermScore = { score: score, scorePartner: scorePartner, MINOR_SPLIT_SHARE: MINOR };
})(typeof window !== "undefined" ? window : this);
