"""Interactive HTML maps of coterminosity: what a planner opens.

* :func:`coterminosity_map` – layer A filled by its class against layer B (coterminous, nested,
  contains, minor split, split, outside) with counts in a legend, layer B outlined on top, a
  headline box (both directions), tooltips, popups listing every partner, search, fullscreen and
  the catalogue's attribution.
* :func:`scenario_map` – before and after a scenario as toggles, units whose class changed
  highlighted and listed.
* :func:`save_map` / :func:`render_html` – deterministic HTML, written atomically.

folium is imported only inside these functions (``import coterm`` stays light). By default the HTML
is self-contained: Leaflet and the fullscreen plugin are inlined from the installed
``folium-offline`` package, no base tiles, nothing fetched at run time (:mod:`coterm.maps_assets`).
Display geometry is a coverage-simplified, rounded copy (:mod:`coterm.maps_geometry`); measuring
always uses the original geometry. Every text from data is HTML-escaped (:mod:`coterm.maps_html`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
import pandas as pd

from .maps_geometry import DEFAULT_TOLERANCE_M
from .maps_html import esc, fmt_area_km2, fmt_int, fmt_pct, join_words, safe_attribution

__all__ = ["coterminosity_map", "scenario_map", "save_map", "render_html", "CLASS_COLOURS", "DEFAULT_TOLERANCE_M"]

# class → fill colour; greens/blue = a clear relationship, orange/red = split, grey = no overlap.
CLASS_COLOURS = {
    "coterminous": "#1a9850",
    "nested": "#a6d96a",
    "contains": "#4393c3",
    "minor split": "#fdae61",
    "split": "#d73027",
    "outside": "#bdbdbd",
}
CLASS_ORDER = ("coterminous", "nested", "contains", "minor split", "split", "outside")
_CLASS_HELP = {
    "coterminous": "same boundary as one {other}",
    "nested": "inside one {other}",
    "contains": "made of whole {others}",
    "minor split": "split, but ≥95% in one {other}",
    "split": "straddles {others}",
    "outside": "not covered by {others}",
}
OUTLINE_COLOUR = "#1f1f1f"
CHANGED_COLOUR = "#c51b7d"

_TILES = {"osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap", "positron": "CartoDB positron",
          "cartodb": "CartoDB positron", "light": "CartoDB positron", "voyager": "CartoDB voyager"}


# ------------------------------------------------------------------------------------------------
# public API


def coterminosity_map(a, b=None, *, by: str = "population", scenario=None, tiles: str | None = None, cdn: bool = False,
                      title: str | None = None, tolerance: float = DEFAULT_TOLERANCE_M, mode: str = "auto",
                      min_share: float | None = None, tiles_attr: str | None = None):
    """An interactive map of how layer A's units relate to layer B's.

    Parameters
    ----------
    a, b
        Either two layers (catalogue ids, file paths or :class:`~coterm.layer.Layer`), which are then
        overlapped (``coterm.overlap(a, b, weight=by, mode=mode, min_share=min_share)``) and scored;
        or a precomputed :class:`~coterm.overlap.Overlap` as ``a`` with its
        :class:`~coterm.scoring.Scores` (or ``None``) as ``b``; or a ``Scores`` alone as ``a``.
    by : {"population", "area"}
        Weighting when layers are given (ignored for a precomputed overlap, which knows its weight).
    scenario : path or None
        A scenario file: the map then shows before and after (see :func:`scenario_map`).
    tiles : None, "none", "osm", "positron", a folium/xyzservices name or a URL template
        Base map; default none (offline). With tiles the map needs the internet to show them, and
        the provider's attribution is shown. A URL template needs ``tiles_attr``.
    cdn : bool
        Link Leaflet from its CDN instead of inlining it (smaller file, needs the internet).
    title : str
        Title shown on the map and in the page title (default: "A × B").
    tolerance : float
        Display simplification in metres (see :mod:`coterm.maps_geometry`).

    Returns
    -------
    folium.Map
        Save it with :func:`save_map` (deterministic, atomic) or ``m.save(path)``.
    """
    if scenario is not None:
        return _scenario_from_file(a, b, scenario, by=by, tiles=tiles, cdn=cdn, title=title, tolerance=tolerance,
                                   mode=mode, min_share=min_share, tiles_attr=tiles_attr)
    ov, scores = _resolve(a, b, by=by, mode=mode, min_share=min_share)
    ctx = _Context(tolerance=tolerance)
    m, bounds = _new_map(ov, tiles=tiles, tiles_attr=tiles_attr, cdn=cdn)
    ttl = title or f"{ov.a.title} × {ov.b.title}"
    sub = _subtitle(ov)
    a_feats = _unit_features(ctx, ov, scores, "a")
    b_feats = _unit_features(ctx, ov, scores, "b")
    _add_units(m, a_feats, name=f"{ov.a.title}: class against {ov.b.title}", role="a", fill=True)
    _add_units(m, b_feats, name=f"{ov.b.title}: boundaries", role="b", fill=False)
    counts = _class_counts(scores, "a")
    legend = _legend_html(ov, counts, before=None, changed=0)
    summary = _summary_html(ov, scores)
    _decorate(m, title=ttl, subtitle=sub, legend=legend, summary=summary, changes=None, search_roles=["a", "b"], ov=ov,
              bounds=bounds or _bounds(a_feats, b_feats))
    return m


def scenario_map(before_ov, before_scores, after_ov, after_scores, changed: pd.DataFrame | None = None, *,
                 title: str | None = None, scenario_name: str | None = None, tiles: str | None = None, cdn: bool = False,
                 tolerance: float = DEFAULT_TOLERANCE_M, tiles_attr: str | None = None, mappings: dict | None = None):
    """Before and after a scenario on one map: toggles, changed units highlighted and listed.

    Parameters
    ----------
    before_ov, before_scores, after_ov, after_scores
        Overlaps and scores before and after (``after_ov`` usually from ``Overlap.regroup``). The
        scores may be ``None`` (then computed).
    changed : DataFrame
        Units whose class changed: columns ``code``, ``name``, the class before and after
        (``before_class``/``after_class``, ``class_before``/``class_after`` or ``before``/``after``),
        ``description`` and optionally ``layer`` ("a"/"b"). ``None``: derived from the scores.
    mappings : dict, optional
        ``{"a": Series, "b": Series}`` old code → new code for a merged side whose after layer has no
        geometry (a names-only layer from ``regroup(layer=None)``); the merged units are then drawn by
        dissolving the old units. Not needed when the after layer has geometry.
    """
    from .scoring import score

    before_scores = before_scores if before_scores is not None else score(before_ov)
    after_scores = after_scores if after_scores is not None else score(after_ov)
    after_ov = _with_geometry(before_ov, after_ov, mappings or {})
    if changed is None:
        changed = _changed_units(before_scores, after_scores)
    changed = _normalise_changed(changed)
    ctx = _Context(tolerance=tolerance)
    m, bounds = _new_map(after_ov, tiles=tiles, tiles_attr=tiles_attr, cdn=cdn)
    label = scenario_name or "scenario"
    ttl = title or f"{label}: {before_ov.a.title} × {before_ov.b.title}"
    sub = _subtitle(after_ov) + f" · before and after {esc(label)}"
    change_info = {(str(r.layer or ""), str(r.code)): r for r in changed.itertuples(index=False)}
    feats = {
        "before-a": _unit_features(ctx, before_ov, before_scores, "a"),
        "before-b": _unit_features(ctx, before_ov, before_scores, "b"),
        "after-a": _unit_features(ctx, after_ov, after_scores, "a", changes=change_info),
        "after-b": _unit_features(ctx, after_ov, after_scores, "b", changes=change_info),
    }
    _add_units(m, feats["before-a"], name=f"Before: {before_ov.a.title} by class", role="before-a", fill=True, show=False)
    _add_units(m, feats["before-b"], name=f"Before: {before_ov.b.title} boundaries", role="before-b", fill=False, show=False)
    _add_units(m, feats["after-a"], name=f"After: {after_ov.a.title} by class", role="after-a", fill=True)
    _add_units(m, feats["after-b"], name=f"After: {after_ov.b.title} boundaries", role="after-b", fill=False)
    changed_feats = _changed_features(feats, changed)
    _add_units(m, changed_feats, name=f"Changed units ({len(changed)})", role="changed", fill=None)
    counts = _class_counts(after_scores, "a")
    legend = _legend_html(after_ov, counts, before=_class_counts(before_scores, "a"), changed=len(changed))
    summary = _summary_html(after_ov, after_scores, before=before_scores)
    changes = _changes_html(changed, label, feats)
    _decorate(m, title=ttl, subtitle=sub, legend=legend, summary=summary, changes=changes,
              search_roles=["after-a", "after-b"], ov=after_ov, bounds=bounds or _bounds(feats["after-a"], feats["after-b"]))
    return m


def render_html(m) -> str:
    """The map's HTML, deterministic: same inputs → same bytes (see :class:`coterm.maps_folium.CotermMap`)."""
    html = m.get_root().render()
    return _stable_ids(html)


def save_map(m, path) -> Path:
    """Write the map's HTML atomically (a temporary file moved into place); create missing folders.

    Returns the path written.
    """
    from .io import atomic_write, ensure_parent

    path = ensure_parent(path)  # one-line OutputError when the folder cannot be created
    html = render_html(m)
    with atomic_write(path, "w") as fh:
        fh.write(html)
    return path


# ------------------------------------------------------------------------------------------------
# inputs


def _resolve(a, b, *, by, mode, min_share):
    from .overlap import Overlap, overlap
    from .scoring import Scores, score

    if isinstance(a, Scores):
        return a.overlap, a
    if isinstance(a, Overlap):
        if b is not None and not isinstance(b, Scores):
            raise TypeError("with a precomputed Overlap, the second argument must be its Scores (or None)")
        return a, (b if b is not None else score(a))
    if b is None:
        raise TypeError("coterminosity_map needs two layers, an Overlap (with optional Scores) or a Scores")
    ov = overlap(a, b, weight=by, mode=mode, min_share=min_share)
    return ov, score(ov)


def _scenario_from_file(a, b, scenario, **kw):
    from . import scenarios

    ov, scores = _resolve(a, b, by=kw.pop("by"), mode=kw.pop("mode"), min_share=kw.pop("min_share"))
    hook = getattr(scenarios, "scenario_map_inputs", None)
    if hook is None:
        raise NotImplementedError("coterm.scenarios has no scenario_map_inputs(ov, scores, scenario) yet")
    inputs = hook(ov, scores, scenario)
    return scenario_map(**inputs, **kw)


# ------------------------------------------------------------------------------------------------
# features: display geometry + escaped tooltip/popup HTML per unit


@dataclass
class _Context:
    tolerance: float
    cache: dict | None = None

    def geometries(self, layer):
        import numpy as np
        import shapely

        from .maps_geometry import display_geometries

        if self.cache is None:
            self.cache = {}
        key = id(layer.frame)
        if key not in self.cache:
            frame = layer.frame
            has = ~frame.geometry.isna().to_numpy() & ~np.asarray(shapely.is_empty(frame.geometry.to_numpy()), dtype=bool) \
                if len(frame) else np.zeros(0, dtype=bool)
            out = pd.Series([None] * len(frame), index=frame.index.astype(str), dtype=object)
            if has.any():
                out.iloc[np.flatnonzero(has)] = display_geometries(frame[has], tolerance=self.tolerance)
            self.cache[key] = (layer.frame, out)  # keep the frame alive so its id is not reused
        return self.cache[key][1]


def _other(side: str) -> str:
    return "b" if side == "a" else "a"


def _noun(weight: str) -> tuple[str, str]:
    """(phrase for "residents live", phrase for "area lies") by weighting."""
    return ("residents live", "residents") if weight == "population" else ("area lies", "area")


def _unit_features(ctx: _Context, ov, scores, side: str, *, changes: dict | None = None) -> dict:
    """{"features": [...], "codes": [...], "layer": Layer} for one side, features sorted by code."""
    from .maps_geometry import feature_geometry

    layer = ov.a if side == "a" else ov.b
    other = ov.b if side == "a" else ov.a
    geoms = ctx.geometries(layer)
    units = scores.units[scores.units["layer"] == side].set_index("code")
    me, them = f"{side}_code", f"{_other(side)}_code"
    share, other_share = f"share_of_{side}", f"share_of_{_other(side)}"
    table = ov.table.sort_values([me, share, them], ascending=[True, False, True])
    partners = {k: g for k, g in table.groupby(me, sort=False)}
    slivers = {k: g.sort_values(share, ascending=False) for k, g in ov.slivers.groupby(me, sort=False)} if len(ov.slivers) else {}
    other_names = other.frame["name"] if "name" in other.frame else pd.Series(dtype=object)
    other_names = pd.Series(other_names.to_numpy(), index=other_names.index.astype(str))
    names = layer.frame["name"]
    names = pd.Series(names.to_numpy(), index=names.index.astype(str))
    feats = []
    for code in sorted(geoms.index):
        geom = feature_geometry(geoms[code]) if geoms[code] is not None else None
        if geom is None:
            continue
        name = _text(names.get(code, code)) or code
        row = units.loc[code] if code in units.index else None
        cls = str(row["class"]) if row is not None else "outside"
        change = (changes or {}).get((side, code)) or (changes or {}).get(("", code))
        props = {
            "c": code,
            "n": name,
            "s": layer.title,
            "k": cls,
            "t": _tooltip(name, code, cls, row, other, change),
            "p": _popup(name, code, cls, row, layer, other, ov, partners.get(code), slivers.get(code), share, other_share,
                        them, other_names, change),
        }
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"features": feats, "layer": layer, "side": side}


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _class_badge(cls: str) -> str:
    colour = CLASS_COLOURS.get(cls, "#dddddd")
    return f'<span class="ct-class" style="background:{colour}">{esc(cls)}</span>'


def _tooltip(name, code, cls, row, other, change) -> str:
    parts = [f"<b>{esc(name)}</b> <small>{esc(code)}</small>", f"{_class_badge(cls)} <small>vs {esc(other.title)}</small>"]
    if row is not None and int(row.get("n_partners", 0) or 0) >= 1 and _text(row.get("dominant_code")):
        dom = _text(row.get("dominant_name")) or _text(row.get("dominant_code"))
        n = int(row["n_partners"])
        more = f" + {n - 1} more" if n > 1 else ""
        parts.append(f"Main partner: {esc(dom)} ({fmt_pct(row.get('dominant_share'))}){more}")
    if change is not None:
        parts.append(f"<b>Changed:</b> {esc(change.before)} → {esc(change.after)}")
    return "<br>".join(parts)


def _split_sentence(name: str, ps: pd.DataFrame, share: str, them: str, other_names: pd.Series, weight: str) -> str:
    verb, _ = _noun(weight)
    rows = [(other_names.get(str(r[them]), str(r[them])) or str(r[them]), float(r[share])) for _, r in ps.iterrows()]
    if len(rows) < 2:
        return ""
    subject = f"{esc(name)}’s {verb.split()[0]}"
    lies = verb.split()[1]
    if len(rows) == 2:
        (n1, s1), (n2, s2) = rows
        return f"{fmt_pct(s2)} of {subject} {lies} in {esc(n2)} ({fmt_pct(s1)} in {esc(n1)})."
    shown = rows[:4]
    rest = rows[4:]
    bits = [f"{fmt_pct(s)} in {esc(n)}" for n, s in shown[1:]]
    if rest:
        bits.append(f"{fmt_pct(sum(s for _, s in rest))} in {len(rest)} others")
    n1, s1 = shown[0]
    return f"{esc(name)} is split {len(rows)} ways: {fmt_pct(s1)} of its {verb.split()[0]} {lies} in {esc(n1)}, {join_words(bits)}."


def _popup(name, code, cls, row, layer, other, ov, ps, sl, share, other_share, them, other_names, change) -> str:
    out = [f"<h4>{esc(name)}</h4>", f'<div class="ct-code">{esc(code)} · {esc(layer.title)}</div>',
           f"<div>{_class_badge(cls)} against {esc(other.title)}</div>"]
    if change is not None:
        desc = _text(change.description)
        out.append(f'<p class="ct-why"><b>Changed by the scenario:</b> {esc(change.before)} → {esc(change.after)}'
                   + (f"<br>{esc(desc)}" if desc else "") + "</p>")
    if cls in ("split", "minor split") and ps is not None:
        sentence = _split_sentence(name, ps, share, them, other_names, ov.weight)
        if sentence:
            out.append(f'<p class="ct-why">{sentence}</p>')
    if ps is not None and len(ps):
        use_pop = ps["population"].notna().any()
        last = "Residents" if use_pop else "Area"
        out.append(f'<table><tr><th>{esc(other.title)}</th><th class="ct-num">of this</th>'
                   f'<th class="ct-num">of that</th><th class="ct-num">{last}</th></tr>')
        for _, r in ps.iterrows():
            pc = str(r[them])
            pn = other_names.get(pc, pc) or pc
            amount = fmt_int(r["population"]) if use_pop else fmt_area_km2(r["area_m2"])
            out.append(f"<tr><td>{esc(pn)} <small>{esc(pc)}</small></td><td class=\"ct-num\">{fmt_pct(r[share])}</td>"
                       f"<td class=\"ct-num\">{fmt_pct(r[other_share])}</td><td class=\"ct-num\">{amount}</td></tr>")
        out.append("</table>")
    elif cls == "outside":
        out.append(f"<p>No part of it lies in {esc(other.title)}.</p>")
    if sl is not None and len(sl):
        bits = [f"{esc(other_names.get(str(r[them]), str(r[them])))} ({fmt_pct(r[share], digits=1)})" for _, r in sl.head(3).iterrows()]
        more = f" and {len(sl) - 3} more" if len(sl) > 3 else ""
        out.append(f'<div class="ct-code">Ignored slivers (under {fmt_pct(ov.min_share, digits=1)} of both): '
                   f"{', '.join(bits)}{more}</div>")
    if row is not None:
        facts = []
        if not pd.isna(row.get("population")):
            facts.append(f"Residents: {fmt_int(row['population'])}")
        if not pd.isna(row.get("area_m2")):
            facts.append(f"Area: {fmt_area_km2(row['area_m2'])}")
        if facts:
            out.append(f'<div class="ct-code">{" · ".join(facts)}</div>')
    return "".join(out)


# ------------------------------------------------------------------------------------------------
# map assembly


def _new_map(ov, *, tiles, tiles_attr, cdn):
    from .maps_folium import CotermMap

    m = CotermMap(location=[52.8, -1.6], zoom_start=7, tiles=None, control_scale=True, cdn=cdn, prefer_canvas=False,
                  font_size="13px", zoom_snap=0.25, zoom_delta=0.5)
    _add_tiles(m, tiles, tiles_attr)
    return m, None


def _add_tiles(m, tiles, tiles_attr):
    import folium

    if tiles is None or str(tiles).lower() in ("", "none", "off", "no"):
        return
    name = _TILES.get(str(tiles).lower(), tiles)
    kw = {"control": False}
    if tiles_attr:
        kw["attr"] = tiles_attr
    folium.TileLayer(name, **kw).add_to(m)


def _add_units(m, feats: dict, *, name: str, role: str, fill: bool | None, show: bool = True):
    from .maps_folium import UnitsLayer

    if fill is True:
        styles = {k: {"fillColor": c, "fillOpacity": 0.72, "color": "#ffffff", "weight": 0.7, "opacity": 0.9}
                  for k, c in CLASS_COLOURS.items()}
        styles["_"] = {"fillColor": "#dddddd", "fillOpacity": 0.6, "color": "#ffffff", "weight": 0.7}
        hover = {"color": "#000000", "weight": 2.5, "fillOpacity": 0.88}
        opts = {"pane": "overlayPane", "front": True}
    elif fill is False:
        styles = {"_": {"fill": False, "color": OUTLINE_COLOUR, "weight": 2.2, "opacity": 0.9}}
        hover = {"color": "#0050b4", "weight": 4}
        opts = {"pane": "ctOutlines", "front": False}
    else:  # changed units: dashed magenta outline with a faint tint
        styles = {"_": {"fill": True, "fillColor": CHANGED_COLOUR, "fillOpacity": 0.06, "color": CHANGED_COLOUR,
                        "weight": 3.5, "dashArray": "7 5", "opacity": 1}}
        hover = {"weight": 5, "fillOpacity": 0.25}
        opts = {"pane": "ctChanged", "front": False}
    store = _geometry_store(m)
    features = [{"type": "Feature", "g": store.index(f["geometry"]), "properties": f["properties"]} for f in feats["features"]]
    options = {"data": {"type": "FeatureCollection", "features": features}, "styles": styles, "hover": hover,
               "role": role, **opts}
    UnitsLayer(options, name=esc(name), show=show).add_to(m)


def _geometry_store(m):
    """The map's shared geometry table (added before the first layer): a geometry drawn by several
    layers (before/after, changed units) is written into the page once."""
    from .maps_folium import GeometryStore

    for child in m._children.values():
        if isinstance(child, GeometryStore):
            return child
    store = GeometryStore()
    store.add_to(m)
    return store


def _bounds(*feature_sets) -> list | None:
    lo = [math.inf, math.inf]
    hi = [-math.inf, -math.inf]

    def visit(c):
        if isinstance(c[0], (int, float)):
            lo[0], lo[1] = min(lo[0], c[1]), min(lo[1], c[0])
            hi[0], hi[1] = max(hi[0], c[1]), max(hi[1], c[0])
        else:
            for x in c:
                visit(x)

    for fs in feature_sets:
        for f in fs["features"]:
            for ring_set in f["geometry"]["coordinates"]:
                visit(ring_set)
    if lo[0] == math.inf:
        return None
    return [lo, hi]


def _decorate(m, *, title, subtitle, legend, summary, changes, search_roles, ov, bounds):
    import folium
    from folium.plugins import Fullscreen

    from .maps_folium import Script
    from .maps_html import js_json

    m.get_root().title = esc(title)
    Fullscreen(position="topleft", title="Full screen", title_cancel="Exit full screen").add_to(m)
    body = [f"cotermMap.title(map, {js_json(f'{esc(title)}<small>{subtitle}</small>')});",
            f"cotermMap.search(map, {js_json(search_roles)}, {js_json('Search name or code')});",
            f"cotermMap.box(map, 'bottomright', {js_json(legend)}, 'ct-legend');",
            f"cotermMap.box(map, 'bottomleft', {js_json(summary)}, 'ct-summary');"]
    if changes:
        body.append(f"cotermMap.box(map, 'topright', {js_json(changes)}, 'ct-changes');")
    text = _attribution(ov)
    if text:
        body.append(f"cotermMap.attribution(map, {js_json(text)});")
    Script("\n".join(body)).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))


def _attribution(ov) -> str:
    """Both layers' attributions (sanitised), sentences said twice kept once."""
    sentences: list[str] = []
    for lyr in (ov.a, ov.b):
        text = safe_attribution(getattr(lyr, "attribution_html", ""), getattr(lyr, "attribution", ""))
        for s in re.split(r"(?<=\.)\s+", text.strip()):
            if s and s not in sentences:
                sentences.append(s)
    return " ".join(sentences)


def _subtitle(ov) -> str:
    weight = "population" if ov.weight == "population" else "area"
    bits = [f"weighted by {weight}", f"{esc(ov.mode)} overlay"]
    if ov.min_share:
        bits.append(f"pairs under {fmt_pct(ov.min_share, digits=1)} of both units ignored")
    return " · ".join(bits)


def _class_counts(scores, side: str) -> dict:
    c = scores.units.loc[scores.units["layer"] == side, "class"].astype(str)
    return {k: int((c == k).sum()) for k in CLASS_ORDER}


def _legend_html(ov, counts: dict, *, before: dict | None, changed: int) -> str:
    other = esc(ov.b.title)
    rows = [f"<h3>{esc(ov.a.title)}</h3><div class=\"ct-code\">coloured by how each unit relates to B = {other}</div>"]
    for k in CLASS_ORDER:
        if k == "outside" and not counts.get(k) and not (before or {}).get(k):
            continue
        help_ = _CLASS_HELP[k].format(other="unit of B", others="units of B")
        was = ""
        if before is not None and before.get(k, 0) != counts.get(k, 0):
            was = f" <small>(was {before.get(k, 0)})</small>"
        rows.append(f'<div class="ct-row"><span class="ct-sw" style="background:{CLASS_COLOURS[k]}"></span>'
                    f'<span class="ct-label">{esc(k)} <small>{esc(help_)}</small></span>'
                    f'<span class="ct-n">{counts.get(k, 0)}{was}</span></div>')
    rows.append(f'<div class="ct-row"><span class="ct-line"></span><span class="ct-label">B boundary</span></div>')
    if changed:
        rows.append(f'<div class="ct-row"><span class="ct-dash"></span><span class="ct-label">class changed</span>'
                    f'<span class="ct-n">{changed}</span></div>')
    return "".join(rows)


def _rate(d: dict, key: str, by: str = "count"):
    v = (d.get(key) or {}).get(by) if isinstance(d.get(key), dict) else None
    return v


def _direction_html(d: dict, title: str, other_title: str, weight: str, before: dict | None) -> str:
    n = d.get("units", 0)

    def delta(key, by="count"):
        if before is None:
            return ""
        b, a = _rate(before, key, by), _rate(d, key, by)
        if b is None or a is None or fmt_pct(b) == fmt_pct(a):
            return ""
        return f" <small>(was {fmt_pct(b)})</small>"

    parts = [f"<p><b>{esc(title)}</b> ({n} units)"]
    parts.append(f"<br>{fmt_pct(_rate(d, 'coterminosity_rate'))} coterminous with {esc(other_title)}{delta('coterminosity_rate')}")
    parts.append(f"<br>{fmt_pct(_rate(d, 'alignment_rate'))} aligned <small>(coterminous, nested or contains)</small>"
                 f"{delta('alignment_rate')}")
    split = d.get("split", 0)
    line = f"<br>{split} split"
    if weight == "population" and d.get("people_in_split_units") is not None:
        share = _rate(d, "split_rate", "population")
        line += f": {fmt_int(d['people_in_split_units'])} residents ({fmt_pct(share)}) live in split units"
    elif d.get("area_in_split_units_km2") is not None:
        share = _rate(d, "split_rate", "area")
        line += f": {fmt_int(d['area_in_split_units_km2'])} km² ({fmt_pct(share)}) in split units"
    parts.append(line + "</p>")
    return "".join(parts)


def _summary_html(ov, scores, *, before=None) -> str:
    ind = scores.indices
    bi = before.indices if before is not None else {}
    out = ["<details open><summary>Headline</summary>"]
    out.append(_direction_html(ind.get("a_to_b", {}), ov.a.title, ov.b.title, ov.weight, bi.get("a_to_b")))
    out.append(_direction_html(ind.get("b_to_a", {}), ov.b.title, ov.a.title, ov.weight, bi.get("b_to_a")))
    sym = ind.get("symmetric", {})
    if sym.get("nmi") is not None:
        was = ""
        if bi.get("symmetric", {}).get("nmi") is not None:
            was = f" (was {bi['symmetric']['nmi']:.3f})"
        out.append(f'<p class="ct-code">Normalised mutual information {sym["nmi"]:.3f}{was} (1 = identical)</p>')
    out.append("</details>")
    return "".join(out)


# ------------------------------------------------------------------------------------------------
# scenarios


def _changed_units(before_scores, after_scores) -> pd.DataFrame:
    """Units present before and after whose class differs."""
    b = before_scores.units.set_index(["layer", "code"])
    a = after_scores.units.set_index(["layer", "code"])
    common = b.index.intersection(a.index)
    diff = [k for k in common if str(b.at[k, "class"]) != str(a.at[k, "class"])]
    rows = [{"layer": k[0], "code": k[1], "name": a.at[k, "name"], "before": b.at[k, "class"], "after": a.at[k, "class"],
             "description": f"{a.at[k, 'name']}: {b.at[k, 'class']} → {a.at[k, 'class']}"} for k in sorted(diff)]
    return pd.DataFrame(rows, columns=["layer", "code", "name", "before", "after", "description"])


def _normalise_changed(changed: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(changed).copy()
    cols = {str(c).lower().replace(" ", "_"): c for c in df.columns}

    def pick(*names):
        for n in names:
            if n in cols:
                return df[cols[n]]
        return pd.Series([""] * len(df), index=df.index, dtype=object)

    out = pd.DataFrame({
        "layer": pick("layer", "side").astype(object).where(lambda s: s.notna(), "").astype(str),
        "code": pick("code", "unit_code").astype(str),
        "name": pick("name", "unit_name").astype(object),
        "before": pick("before_class", "class_before", "before", "old_class", "from"),
        "after": pick("after_class", "class_after", "after", "new_class", "to"),
        "description": pick("description", "change", "text"),
    })
    out["layer"] = out["layer"].replace({"A": "a", "B": "b", "nan": ""})
    return out.reset_index(drop=True)


def _changed_features(feats: dict, changed: pd.DataFrame) -> dict:
    """Features of changed units, taken from the after layers (then before), tooltip/popup from there."""
    index = {}
    for role in ("after-a", "after-b", "before-a", "before-b"):
        side = role[-1]
        for f in feats[role]["features"]:
            index.setdefault((side, f["properties"]["c"]), f)
            index.setdefault(("", f["properties"]["c"]), f)
    out = []
    seen = set()
    for r in changed.itertuples(index=False):
        f = index.get((r.layer, r.code)) if r.layer in ("a", "b") else index.get(("", r.code))
        if f is None or (r.layer, r.code) in seen:
            continue
        seen.add((r.layer, r.code))
        out.append(f)
    return {"features": out}


def _changes_html(changed: pd.DataFrame, label: str, feats: dict) -> str:
    drawable = {f["properties"]["c"] for role in ("after-a", "after-b", "before-a", "before-b") for f in feats[role]["features"]}
    items = []
    for r in changed.itertuples(index=False):
        desc = _text(r.description) or f"{_text(r.name) or r.code}: {_text(r.before)} → {_text(r.after)}"
        attr = f' data-ct-code="{esc(r.code)}" data-ct-role="changed"' if r.code in drawable else ""
        items.append(f"<li{attr}>{esc(desc)}</li>")
    if not items:
        items.append("<li>No unit changed class.</li>")
    return f"<h3>Changed by {esc(label)} ({len(changed)})</h3><ul>{''.join(items)}</ul>"


def _with_geometry(before_ov, after_ov, mappings: dict):
    """Give the after overlap's layers geometry where ``regroup`` left a names-only layer."""
    from dataclasses import replace

    changes = {}
    for side in ("a", "b"):
        after_layer = getattr(after_ov, side)
        before_layer = getattr(before_ov, side)
        frame = after_layer.frame
        if after_layer.title == f"{before_layer.title} (regrouped)":
            changes[side] = after_layer = after_layer.replace(title=before_layer.title)
        if len(frame) and frame.geometry.notna().all():
            continue
        mapping = mappings.get(side)
        if mapping is None:
            mapping = _infer_mapping(before_ov, after_ov, side)
        changes[side] = _dissolved_layer(before_layer, after_layer, pd.Series(mapping, dtype=object))
    return replace(after_ov, **changes) if changes else after_ov


def _infer_mapping(before_ov, after_ov, side: str) -> pd.Series:
    """Old → new codes of a merged side, guessed from the pairs when no mapping was given.

    An old code missing after the merge goes to the new code whose partners (on the other side)
    overlap its own partners most.
    """
    me, them = f"{side}_code", f"{_other(side)}_code"
    old_units = (before_ov.units_a if side == "a" else before_ov.units_b).index.astype(str)
    new_units = (after_ov.units_a if side == "a" else after_ov.units_b).index.astype(str)
    gone = [c for c in old_units if c not in set(new_units)]
    fresh = [c for c in new_units if c not in set(old_units)]
    if not gone or not fresh:
        return pd.Series(dtype=object)
    bp = before_ov.all_pairs()
    ap = after_ov.all_pairs()
    before_partners = bp.groupby(me)[them].agg(lambda s: set(map(str, s)))
    after_partners = ap.groupby(me)[them].agg(lambda s: set(map(str, s)))
    out = {}
    for old in gone:
        mine = before_partners.get(old, set())
        best = max(fresh, key=lambda new: (len(mine & after_partners.get(new, set())), new))
        out[old] = best
    return pd.Series(out, dtype=object)


def _dissolved_layer(before_layer, after_layer, mapping: pd.Series):
    """after_layer with geometry: old units dissolved by ``mapping`` (old → new; unmapped codes kept)."""
    import geopandas as gpd
    import shapely

    frame = before_layer.frame
    old = frame.index.astype(str).to_series()
    new = old.map(mapping).fillna(old)
    geoms = frame.geometry.to_numpy()
    want = after_layer.frame.index.astype(str)
    out = []
    for code in want:
        sel = geoms[(new == code).to_numpy()]
        sel = sel[~pd.isna(sel)]
        out.append(shapely.coverage_union_all(sel) if len(sel) > 1 else (sel[0] if len(sel) else None))
    index = pd.Index(want, name="code")
    gdf = gpd.GeoDataFrame({"name": after_layer.frame["name"].to_numpy()}, geometry=gpd.GeoSeries(out, crs=frame.crs, index=index),
                           index=index)
    return after_layer.replace(frame=gdf)


# ------------------------------------------------------------------------------------------------
# determinism


_UUID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9A-Za-z])")


def _stable_ids(html: str) -> str:
    """Replace any random folium id left in the HTML (uuid4 hex) by ``u0001``… in order of appearance.

    CotermMap already assigns ids in tree order; this is a safety net for elements created during rendering.
    """
    seen: dict[str, str] = {}

    def sub(m):
        return seen.setdefault(m.group(0), f"u{len(seen) + 1:04d}")

    return _UUID.sub(sub, html)
