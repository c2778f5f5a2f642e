"""Map features: display geometry plus escaped tooltip and popup HTML for every unit of one side.

Every string from data goes through :func:`coterm.maps.html.esc` before it becomes HTML; the HTML
itself travels to the page as a JSON string (never through a template engine).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .html import esc, fmt_area_km2, fmt_int, fmt_pct, join_words
from .memo import memo
from .style import CLASS_COLOURS, CLASS_TEXT

__all__ = ["Geometries", "unit_features"]


class Geometries:
    """Display geometries of the layers of one map, computed once per layer (vectorised), as compact texts
    (:func:`coterm.maps.geometry.compact_texts`)."""

    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self._cache: dict[int, tuple[object, dict, dict]] = {}
        self._bounds: list = []

    def bounds(self):
        """[[south, west], [north, east]] of every display geometry made so far, or None."""
        bs = [b for b in self._bounds if b]
        if not bs:
            return None
        return [[min(b[0][0] for b in bs), min(b[0][1] for b in bs)], [max(b[1][0] for b in bs), max(b[1][1] for b in bs)]]

    def _entry(self, layer):
        key = id(layer.frame)
        if key not in self._cache:
            frame = layer.frame
            drawn = memo("drawn", 24)  # None outside maps.reusing_work()
            made = drawn.get((frame,), self.tolerance) if drawn is not None else None
            if made is None:
                made = _drawn(frame, self.tolerance)
                if drawn is not None:
                    drawn.put((frame,), self.tolerance, made)
            out, points, bounds = made
            if bounds is not None:
                self._bounds.append(bounds)
            self._cache[key] = (frame, out, points)  # keep the frame alive so its id is not reused
        return self._cache[key]

    def of(self, layer) -> dict:
        """code → compact geometry text (``None`` when the unit has no drawable geometry), in the layer's order."""
        return self._entry(layer)[1]

    def label_points(self, layer) -> dict:
        """code → [lat, lon] of a point inside the unit's display geometry (for its label), or None."""
        return self._entry(layer)[2]

    def label_point(self, layer, code):
        """[lat, lon] of a point inside the unit's display geometry (for its label), or None."""
        return self.label_points(layer).get(code)


def _drawn(frame, tolerance: float) -> tuple[dict, dict, list | None]:
    """(code → compact text, code → label point, bounds or None) of one layer's display geometries."""
    import shapely

    from .geometry import bounds_latlon, compact_texts, display_geometries, label_points

    codes = list(frame.index.astype(str))
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object) if len(frame) else np.zeros(0, dtype=object)
    has = ~pd.isna(geoms) & ~np.asarray(shapely.is_empty(geoms), dtype=bool) if len(frame) else np.zeros(0, dtype=bool)
    out = dict.fromkeys(codes)
    points = dict.fromkeys(codes)
    bounds = None
    if has.any():
        shown = display_geometries(frame[has], tolerance=tolerance)
        kept = [codes[i] for i in np.flatnonzero(has)]
        out.update(zip(kept, compact_texts(shown)))
        points.update(zip(kept, label_points(shown)))
        bounds = bounds_latlon(shown)
    return out, points, bounds



def _other(side: str) -> str:
    return "b" if side == "a" else "a"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def unit_features(geoms: Geometries, ov, scores, side: str, *, changes: dict | None = None) -> list[tuple[str, dict]]:
    """``[(geometry text, properties)]`` for one side, sorted by code; units without geometry are left out.

    Properties: ``c`` code, ``n`` raw name (shown with textContent only), ``s`` layer title (raw), ``k``
    class, ``t`` tooltip HTML, ``p`` popup HTML (both escaped).
    """
    layer = ov.a if side == "a" else ov.b
    other = ov.b if side == "a" else ov.a
    shapes = geoms.of(layer)
    points = geoms.label_points(layer)
    # plain dicts, made once: per-unit pandas lookups (.loc, per-group frames) cost ~3 ms a unit
    units = scores.units[scores.units["side"] == side].set_index("code").to_dict("index")
    me, them = f"{side}_code", f"{_other(side)}_code"
    share, other_share = f"share_of_{side}", f"share_of_{_other(side)}"
    partners = _groups(ov.table.sort_values([me, share, them], ascending=[True, False, True]), me)
    slivers = {k: _by_share_descending(g, share) for k, g in _groups(ov.slivers, me).items()} if len(ov.slivers) else {}
    other_names = other.frame["name"] if "name" in other.frame else pd.Series(dtype=object)
    other_names = dict(zip(other_names.index.astype(str), other_names.to_numpy()))
    names = dict(zip(layer.frame.index.astype(str), layer.frame["name"].to_numpy()))
    from .attributes import unit_attributes

    extras = unit_attributes(layer)
    ctx = {"layer": layer, "other": other, "ov": ov, "share": share, "other_share": other_share, "them": them,
           "other_names": other_names, "extras": extras}
    out = []
    for code in sorted(shapes):
        geom = shapes[code]
        if geom is None:
            continue
        name = _text(names.get(code, code)) or code
        row = units.get(code)
        cls = str(row["class"]) if row is not None else "outside"
        change = (changes or {}).get((side, code)) or (changes or {}).get(("", code))
        props = {"c": code, "n": name, "s": layer.title, "k": cls, **_table_fields(row, other_names),
                 "lp": points.get(code),
                 "t": _tooltip(name, code, cls, row, other, change),
                 "p": _popup(name, code, cls, row, partners.get(code), slivers.get(code), change, ctx)}
        if extras.columns:
            props["x"] = extras.of(code)
        out.append((geom, props))
    return out


def _groups(df: pd.DataFrame, key: str) -> dict[str, list[dict]]:
    """key → its rows as dicts, in the frame's order (what ``groupby(key, sort=False)`` gives, without frames)."""
    out: dict[str, list[dict]] = {}
    for rd in df.to_dict("records"):
        out.setdefault(rd[key], []).append(rd)
    return out


def _by_share_descending(rows: list[dict], share: str) -> list[dict]:
    """``rows`` ordered as pandas' ``sort_values(share, ascending=False)`` orders them, ties and NaN included
    (its default quicksort is not stable, so the order of equal shares must be reproduced, not re-derived)."""
    if len(rows) < 2:
        return rows
    items = np.asarray([rd[share] for rd in rows], dtype=float)
    mask = np.isnan(items)
    idx = np.arange(len(items))
    non_nans, non_nan_idx = items[~mask][::-1], idx[~mask][::-1]
    order = np.concatenate([non_nan_idx[non_nans.argsort(kind="quicksort")][::-1], np.flatnonzero(mask)])
    return [rows[i] for i in order]


def _isna(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _number(v):
    return None if _isna(v) else float(v)


def _table_fields(row, other_names) -> dict:
    """Plain values for the page's unit table: main partner (name, share), number of partners, residents."""
    if row is None:
        return {"m": "", "ms": None, "np": 0, "pop": None}
    dom = _text(row.get("dominant_code"))
    return {"m": _text(row.get("dominant_name")) or other_names.get(dom, dom) or "",
            "ms": _number(row.get("dominant_share")), "np": int(row.get("n_partners", 0) or 0),
            "pop": _number(row.get("population"))}


def class_badge(cls: str) -> str:
    colour = CLASS_COLOURS.get(cls, "#dddddd")
    text = CLASS_TEXT.get(cls, "#111111")
    return (f'<span class="ct-class ct-k-{esc(cls).replace(" ", "-")}" style="background:{colour};color:{text}">'
            f"{esc(cls)}</span>")


def _tooltip(name, code, cls, row, other, change) -> str:
    parts = [f"<b>{esc(name)}</b> <small>{esc(code)}</small>", f"{class_badge(cls)} <small>vs {esc(other.title)}</small>"]
    if row is not None and int(row.get("n_partners", 0) or 0) >= 1 and _text(row.get("dominant_code")):
        dom = _text(row.get("dominant_name")) or _text(row.get("dominant_code"))
        n = int(row["n_partners"])
        more = f" + {n - 1} more" if n > 1 else ""
        parts.append(f"Main partner: {esc(dom)} ({fmt_pct(row.get('dominant_share'))}){more}")
    if change is not None:
        parts.append(f"<b>Changed:</b> {esc(change.before)} → {esc(change.after)}")
    return "<br>".join(parts)


def _split_sentence(name: str, ps: list[dict], share: str, them: str, other_names: dict, by: str) -> str:
    noun, lies = ("residents", "live") if by == "population" else ("area", "lies")
    rows = [(other_names.get(str(rd[them]), str(rd[them])) or str(rd[them]), float(rd[share])) for rd in ps]
    if len(rows) < 2:
        return ""
    if len(rows) == 2:
        (n1, s1), (n2, s2) = rows
        return f"{fmt_pct(s2)} of {esc(name)}’s {noun} {lies} in {esc(n2)} ({fmt_pct(s1)} in {esc(n1)})."
    shown, rest = rows[:4], rows[4:]
    bits = [f"{fmt_pct(s)} in {esc(n)}" for n, s in shown[1:]]
    if rest:
        bits.append(f"{fmt_pct(sum(s for _, s in rest))} in {len(rest)} others")
    n1, s1 = shown[0]
    return f"{esc(name)} is split {len(rows)} ways: {fmt_pct(s1)} of its {noun} {lies} in {esc(n1)}, {join_words(bits)}."


def _cut_sentence(name, ps, other_share, them, other_names, other, by) -> str:
    """For a body made of whole partners except a few it cuts: name the ones cut, with their share inside it.

    E.g. "NHS Sussex ICB is made of whole district councils except Chichester, which it cuts: 94% of
    Chichester’s residents are in NHS Sussex ICB." Empty unless at least two partners lie wholly inside
    (otherwise the unit is simply split between partners).
    """
    from .style import nouns

    inside = [float(rd[other_share]) for rd in ps]
    whole = [v >= 0.995 for v in inside]
    if sum(whole) < 2 or all(whole):  # a body made of several whole partners; otherwise it is simply split
        return ""
    noun = "residents" if by == "population" else "area"
    verb = "are" if by == "population" else "is"
    cut = [(other_names.get(str(rd[them]), str(rd[them])) or str(rd[them]), v) for rd, v in zip(ps, inside) if v < 0.995]
    cut.sort(key=lambda t: -t[1])
    _, many = nouns(other)
    names = join_words([esc(n) for n, _ in cut[:4]]) + (f" and {len(cut) - 4} more" if len(cut) > 4 else "")
    shares = "; ".join(f"{fmt_pct(v)} of {esc(n)}’s {noun} {verb} in {esc(name)}" for n, v in cut[:4])
    return f"{esc(name)} is made of whole {esc(many)} except {names}, which it cuts: {shares}."


def _popup(name, code, cls, row, ps, sl, change, ctx) -> str:
    layer, other, ov = ctx["layer"], ctx["other"], ctx["ov"]
    share, other_share, them, other_names = ctx["share"], ctx["other_share"], ctx["them"], ctx["other_names"]
    out = [f"<h4>{esc(name)}</h4>", f'<div class="ct-code">{esc(code)} · {esc(layer.title)}</div>',
           f"<div>{class_badge(cls)} against {esc(other.title)}</div>"]
    extra = ctx["extras"].shown(code)
    if extra:
        out.append('<div class="ct-attrs">' + "<br>".join(f"{esc(label)}: <b>{esc(v)}</b>" for label, v in extra) + "</div>")
    if change is not None:
        desc = _text(change.description)
        out.append(f'<p class="ct-why"><b>Changed by the scenario:</b> {esc(change.before)} → {esc(change.after)}'
                   + (f"<br>{esc(desc)}" if desc else "") + "</p>")
    if cls in ("split", "minor split") and ps is not None:
        sentence = _cut_sentence(name, ps, other_share, them, other_names, other, ov.by) or \
            _split_sentence(name, ps, share, them, other_names, ov.by)
        if sentence:
            out.append(f'<p class="ct-why">{sentence}</p>')
    if ps is not None and len(ps):
        use_pop = any(not _isna(rd["population"]) for rd in ps)
        last = "Residents" if use_pop else "Area"
        out.append(f'<table><tr><th>{esc(other.title)}</th><th class="ct-num">share of {esc(name)}</th>'
                   f'<th class="ct-num">share of partner</th><th class="ct-num">{last}</th></tr>')
        for rd in ps:
            pc = str(rd[them])
            pn = other_names.get(pc, pc) or pc
            amount = fmt_int(rd["population"]) if use_pop else fmt_area_km2(rd["area_m2"])
            out.append(f"<tr><td>{esc(pn)} <small>{esc(pc)}</small></td><td class=\"ct-num\">{fmt_pct(rd[share])}</td>"
                       f"<td class=\"ct-num\">{fmt_pct(rd[other_share])}</td><td class=\"ct-num\">{amount}</td></tr>")
        out.append("</table>")
    elif cls == "outside":
        out.append(f"<p>No part of it lies in {esc(other.title)}.</p>")
    if sl is not None and len(sl):
        bits = [f"{esc(other_names.get(str(rd[them]), str(rd[them])))} ({fmt_pct(rd[share], digits=1)})" for rd in sl[:3]]
        more = f" and {len(sl) - 3} more" if len(sl) > 3 else ""
        out.append(f'<div class="ct-code">Ignored slivers (under {fmt_pct(ov.min_share, digits=1)} of both): '
                   f"{', '.join(bits)}{more}</div>")
    if row is not None:
        facts = []
        if not _isna(row.get("population")):
            facts.append(f"Residents: {fmt_int(row['population'])}")
        if not _isna(row.get("area_m2")):
            facts.append(f"Area: {fmt_area_km2(row['area_m2'])}")
        if facts:
            out.append(f'<div class="ct-code">{" · ".join(facts)}</div>')
    return "".join(out)
