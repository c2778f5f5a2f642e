"""Notebook-friendly views of coterm's results: short ``repr``s, small HTML summaries, GeoDataFrames.

``Overlap``, ``Scores`` and ``ScenarioResult`` print their headline figures and split units, never a
dump of whole frames (the frames stay one attribute away: ``.table``, ``.units``, ``.changed_units``).
Every text from data (names, codes) is HTML-escaped in ``_repr_html_`` and passed through the
terminal sanitiser in ``repr``. Only pandas and the standard library are imported here; the map
(``Scores.explore``) imports folium when called.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

__all__ = ["overlap_repr", "overlap_html", "scores_repr", "scores_html", "scenario_repr", "scenario_html",
           "scores_to_geodataframe", "scores_explore"]

_MAX_LISTED = 10
_BOX = ('<div class="coterm-summary" style="font-family:sans-serif;font-size:13px;line-height:1.35">{}</div>')


def _t(text) -> str:
    from .report import one_line

    return one_line(text)


def _pct(v) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{100 * float(v):.1f}%"


def _basis(ov) -> str:
    return "population" if ov.by == "population" else "area"


# --- Overlap -------------------------------------------------------------------------------------------


def overlap_repr(ov) -> str:
    return _t(f"<Overlap {ov.a.id} × {ov.b.id}: {ov.mode} mode, weighted by {ov.by}, min_share {ov.min_share:g}; "
              f"{len(ov.units_a)} × {len(ov.units_b)} units, {len(ov.table)} pairs kept, {len(ov.slivers)} slivers dropped>")


def overlap_html(ov) -> str:
    rows = [("layers", f"{ov.a.title} ({ov.a.id}) × {ov.b.title} ({ov.b.id})"),
            ("engine", f"{ov.mode} mode, weighted by {ov.by}, min_share {ov.min_share:g}"),
            ("units", f"{len(ov.units_a)} in {ov.a.id}, {len(ov.units_b)} in {ov.b.id}"),
            ("pairs", f"{len(ov.table)} kept, {len(ov.slivers)} slivers dropped"
                      + (f" ({ov.slivers['area_m2'].sum() / 1e6:.2f} km²)" if len(ov.slivers) else ""))]
    rows += [("note", n) for n in ov.notes]
    body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in rows)
    return _BOX.format(f"<b>Overlap</b><table>{body}</table><i>score it: coterm.score(ov); the pairs: ov.table</i>")


# --- Scores --------------------------------------------------------------------------------------------


def _direction_text(d: dict, by: str) -> str:
    return (f"coterminous {d['coterminous']}, nested {d['nested']}, contains {d['contains']}, split {d['split']}; "
            f"aligned {_pct(d['alignment_rate']['count'])} of units, {_pct(d['alignment_rate'].get(by))} by {by}")


def _split_units(scores, side: str) -> pd.DataFrame:
    u = scores.units
    return u[(u["side"] == side) & u["class"].isin(["split", "minor split"])]


def scores_repr(scores) -> str:
    ov, idx = scores.overlap, scores.indices
    by = _basis(ov)
    lines = [f"<Scores {ov.a.id} × {ov.b.id} ({ov.mode} mode, weighted by {ov.by})",
             f"  {ov.a.id} → {ov.b.id}: {_direction_text(idx['a_to_b'], by)}",
             f"  {ov.b.id} → {ov.a.id}: {_direction_text(idx['b_to_a'], by)}"]
    for side, lay in (("a", ov.a), ("b", ov.b)):
        sp = _split_units(scores, side)
        if len(sp):
            names = ", ".join(sp["name"].astype(str).head(_MAX_LISTED))
            lines.append(f"  split in {lay.id}: {names}" + (f" ... ({len(sp)} in all)" if len(sp) > _MAX_LISTED else ""))
    return "\n".join(_t(x) for x in lines) + ">"


def scores_html(scores) -> str:
    ov, idx = scores.overlap, scores.indices
    by = _basis(ov)
    head = ("<tr><th></th><th>units</th><th>coterminous</th><th>nested</th><th>contains</th><th>split</th>"
            f"<th>aligned (units)</th><th>aligned (by {escape(by)})</th></tr>")
    rows = []
    for key, src, dst in (("a_to_b", ov.a, ov.b), ("b_to_a", ov.b, ov.a)):
        d = idx[key]
        cells = [d["units"], d["coterminous"], d["nested"], d["contains"], d["split"],
                 _pct(d["alignment_rate"]["count"]), _pct(d["alignment_rate"].get(by))]
        rows.append(f"<tr><th style='text-align:left'>{escape(src.id)} → {escape(dst.id)}</th>"
                    + "".join(f"<td style='text-align:right'>{escape(str(c))}</td>" for c in cells) + "</tr>")
    parts = [f"<b>{escape(ov.a.title)} × {escape(ov.b.title)}</b> <span style='color:#666'>({escape(ov.mode)} mode, "
             f"weighted by {escape(ov.by)})</span><table>{head}{''.join(rows)}</table>"]
    for side, lay, other in (("a", ov.a, ov.units_b), ("b", ov.b, ov.units_a)):
        sp = _split_units(scores, side)
        if not len(sp):
            continue
        items = []
        for r in sp.head(_MAX_LISTED).itertuples(index=False):
            main = other["name"].get(r.dominant_code, r.dominant_code) if isinstance(r.dominant_code, str) else "–"
            items.append(f"<li>{escape(str(r.name))} ({escape(str(r.code))}): {escape(str(r.n_partners))} partners, "
                         f"{_pct(r.dominant_share)} in {escape(str(main))}</li>")
        more = f"<li>… and {len(sp) - _MAX_LISTED} more (scores.units)</li>" if len(sp) > _MAX_LISTED else ""
        parts.append(f"<div>split units of {escape(lay.id)} ({len(sp)}):<ul style='margin:0'>{''.join(items)}{more}</ul></div>")
    parts.append("<i>every unit: scores.units or scores.to_geodataframe('a'); a map: scores.explore()</i>")
    return _BOX.format("".join(parts))


def _side(scores, side: str) -> str:
    ov = scores.overlap
    if side in ("a", "b"):
        return side
    if side == ov.a.id:
        return "a"
    if side == ov.b.id:
        return "b"
    raise ValueError(f"side must be 'a', 'b', {ov.a.id!r} or {ov.b.id!r}, not {side!r}")


def scores_to_geodataframe(scores, side: str = "a"):
    """The units of one side with class, partners as structured columns, measures and geometry.

    ``partner_codes``, ``partner_names`` and ``partner_shares`` are lists, largest share first (the
    kept pairs; slivers are in ``overlap.slivers``), so codes containing ``:`` or ``;`` stay intact.
    """
    import geopandas as gpd

    side = _side(scores, side)
    ov = scores.overlap
    lay = ov.a if side == "a" else ov.b
    me, them, share = (("a_code", "b_code", "share_of_a") if side == "a" else ("b_code", "a_code", "share_of_b"))
    other_names = (ov.units_b if side == "a" else ov.units_a)["name"]
    t = ov.table.sort_values([me, share, them], ascending=[True, False, True])
    grouped = t.groupby(me, sort=True)
    u = scores.units[scores.units["side"] == side].drop(columns=["side", "layer", "partners"], errors="ignore").set_index("code", drop=False)
    codes, shares = grouped[them].agg(list), grouped[share].agg(list)
    u["partner_codes"] = [[str(c) for c in codes.get(k, [])] for k in u.index]
    u["partner_names"] = [[str(other_names.get(c, c)) for c in cs] for cs in u["partner_codes"]]
    u["partner_shares"] = [[float(v) for v in shares.get(k, [])] for k in u.index]
    geoms = lay.frame.geometry.reindex(u.index).to_numpy()
    return gpd.GeoDataFrame(u.reset_index(drop=True), geometry=geoms, crs=lay.crs)


def scores_explore(scores, **kwargs):
    """The interactive map of these scores (a :class:`coterm.maps.MapPage`, shown inline in Jupyter); kwargs go to the map."""
    from .maps import coterminosity_map

    return coterminosity_map(scores, **kwargs)


# --- ScenarioResult --------------------------------------------------------------------------------------


def _headlines(res) -> list[tuple[str, str, object, object]]:
    out = []
    for p in res.against:
        h = res.headline(p)
        out.append((p, "a_to_b", *h["a_to_b"]))
        out.append((p, "b_to_a", *h["b_to_a"]))
    return out


def scenario_repr(res) -> str:
    sc = res.scenario
    n = len(res.changed_units)
    lines = [f"<ScenarioResult {sc.name} on {res.layer.id} → {res.after_layer.id}, by {res.by}: "
             f"{n} unit{'s' if n != 1 else ''} changed class"]
    for p, d, before, after in _headlines(res):
        src, dst = (res.after_layer.id, p) if d == "a_to_b" else (p, res.after_layer.id)
        lines.append(f"  aligned {src} → {dst}: {_pct(before)} → {_pct(after)} of units")
    ch = res.changed_units
    for r in ch.head(_MAX_LISTED).itertuples(index=False):
        lines.append(f"  {r.name} ({r.code}): {r.before_class} → {r.after_class} vs {r.partner}")
    if n > _MAX_LISTED:
        lines.append(f"  ... ({n} in all: .changed_units)")
    return "\n".join(_t(x) for x in lines) + ">"


def scenario_html(res) -> str:
    sc = res.scenario
    rows = []
    for p, d, before, after in _headlines(res):
        src, dst = (res.after_layer.id, p) if d == "a_to_b" else (p, res.after_layer.id)
        rows.append(f"<tr><td>{escape(src)} → {escape(dst)}</td><td style='text-align:right'>{_pct(before)}</td>"
                    f"<td style='text-align:right'>{_pct(after)}</td></tr>")
    ch = res.changed_units
    items = "".join(f"<li>{escape(str(r.name))} ({escape(str(r.code))}): {escape(str(r.before_class))} → "
                    f"{escape(str(r.after_class))} vs {escape(str(r.partner))}</li>" for r in ch.head(_MAX_LISTED).itertuples(index=False))
    more = f"<li>… and {len(ch) - _MAX_LISTED} more (.changed_units)</li>" if len(ch) > _MAX_LISTED else ""
    return _BOX.format(
        f"<b>{escape(str(sc.name))}</b> <span style='color:#666'>({escape(res.layer.id)} → {escape(res.after_layer.id)}, "
        f"by {escape(res.by)})</span><table><tr><th>aligned units</th><th>before</th><th>after</th></tr>{''.join(rows)}</table>"
        f"<div>{len(ch)} unit(s) changed class<ul style='margin:0'>{items}{more}</ul></div>"
        "<i>every index: .before_after; the units: .changed_units</i>")
