"""League tables of reorganisation options: every option for an area against every partner body, best first.

An *option* is a scenario file changing one layer (e.g. ``ltla-2024``) for one area; an *area* is a folder
of options (``scenarios/lgr-2028/kent/``). The new councils of an option are the units its merges make.
Against each partner layer (ICBs, police areas, fire authorities...) each new council is coterminous, nested,
contains or split (:mod:`coterm.scoring`), and a partner body is **split by the option** when it shares people
with a new council and neither lies wholly in the other.

The rule for "best" (stated in every output): fewest people living in new councils that straddle a partner
body (summed over the partner layers), then fewest partner bodies split, then the option's file name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DecisionError
from .partners import kind_label

__all__ = ["OptionsResult", "rank_options", "collect_options", "RULE"]

RULE = ("best = fewest people living in new councils that straddle a partner body (summed over the partner layers), "
        "then fewest partner bodies split, then the option's file name")
SPLIT = ("split", "minor split")


@dataclass(frozen=True, eq=False)
class OptionsResult:
    """Result of :func:`rank_options`.

    ``table``: one row per option and partner layer (area, rank, option, status, name, partner, new_councils,
    coterminous, nested, contains, split, people_in_split_councils, partner_bodies, partner_bodies_split,
    split_bodies, pop_min, pop_max). ``ranking``: one row per option (area, rank, option, status, name,
    people_in_split_councils, partner_bodies_split, new_councils, pop_min, pop_max, summary). ``sentences``:
    area → one sentence. ``councils``: every new council of every option (area, option, code, name, population,
    and per partner its class and main body).
    """

    layer: str
    against: tuple[str, ...]
    by: str
    table: pd.DataFrame
    ranking: pd.DataFrame
    sentences: dict
    councils: pd.DataFrame
    notes: tuple[str, ...] = ()
    maps: dict | None = None

    def to_dict(self) -> dict:
        areas = []
        for area, r in self.ranking.groupby("area", sort=True):
            t = self.table[self.table["area"] == area]
            areas.append({"area": area, "sentence": self.sentences[area],
                          "options": [{**row, "partners": t[t["option"] == row["option"]].drop(columns=["area", "rank", "option", "status", "name"])
                                       .to_dict(orient="records")} for row in r.to_dict(orient="records")]})
        return {"layer": self.layer, "against": list(self.against), "by": self.by, "rule": RULE, "notes": list(self.notes),
                "population_basis": "population of the building blocks (LSOA) as held by the catalogue", "areas": areas}


class _Deferred(functools.partial):
    """The option maps, drawn when first read: only options.html shows them, and they need every polygon."""


def _get_maps(self):
    m = self.__dict__["_maps"]
    if isinstance(m, _Deferred):
        m = m()
        object.__setattr__(self, "maps", m)
    return m


def _set_maps(self, value) -> None:
    self.__dict__["_maps"] = value


# set after @dataclass: __init__ stores through the setter; reading .maps draws them once
OptionsResult.maps = property(_get_maps, _set_maps, doc="(area, option) → small SVG map of the option's new councils.")


def collect_options(paths) -> list[tuple[str, Path]]:
    """(area, file) for every option: a folder gives its ``.toml``/``.csv`` files (area = the folder's name;
    a folder of folders gives one area per sub-folder); a file is its own option (area = its folder's name)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(x for x in p.rglob("*") if x.suffix.lower() in (".toml", ".csv") and x.is_file())
            if not files:
                raise DecisionError(f"{p}: no option files (.toml or .csv scenario files) in this folder")
            out += [(f.parent.name, f) for f in files]
        elif p.is_file():
            out.append((p.parent.name or ".", p))
        else:
            raise DecisionError(f"{p}: no such file or folder; give option folders such as scenarios/lgr-2028/kent/")
    seen, uniq = set(), []
    for a, f in out:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            uniq.append((a, f))
    return uniq


def option_status(sc) -> str:
    """``decided`` / ``likely`` / ``proposed`` / ``not chosen`` from the first ``status:`` note (see scenarios/README.md)."""
    for n in sc.notes:
        if n.casefold().startswith("status:"):
            word = n.split(":", 1)[1].strip().split("—")[0].strip()
            return word or "proposed"
    return "proposed"


def _load(options):
    from ..scenarios import load_scenario

    loaded = []
    for area, f in options:
        sc = load_scenario(f)
        if sc.is_group:
            raise DecisionError(f"{f}: defines a new layer ([[group]]); an option must merge units of a layer ([[merge]])")
        if not sc.merges:
            raise DecisionError(f"{f}: has no [[merge]]: an option must say which units form each new council")
        loaded.append((area, f, sc))
    layers = {sc.layer for _, _, sc in loaded}
    if len(layers) > 1:
        first = loaded[0]
        other = next(x for x in loaded if x[2].layer != first[2].layer)
        raise DecisionError(f"{other[1]} changes {other[2].layer} but {first[1]} changes {first[2].layer}: the options compared must "
                            f"change the same layer; rebuild them on one layer")
    by_area: dict[str, list] = {}
    for area, f, sc in loaded:
        by_area.setdefault(area, []).append((f, sc))
    for area, items in by_area.items():
        touched = [set(c for m in sc.merges for c in m.members) | {t.from_ for t in sc.transfers} for _, sc in items]
        for i, (f, sc) in enumerate(items):
            others = set().union(*(t for j, t in enumerate(touched) if j != i)) if len(items) > 1 else touched[i]
            if not touched[i] & others:
                raise DecisionError(f"{f}: changes none of the units the other options for {area!r} change; is it a scenario for "
                                    f"another area? put it in its own folder")
    return loaded


def _after_overlap(sc, base, ov0, partner, cache: dict, *, mode, by, min_share):
    """The option's layer × the partner: a group-by of the base overlap, or (with transfers) a new overlap of
    the layer after the option (built once per option and geometry need)."""
    from ..overlap import overlap
    from ..scenarios import merge_mapping, scenario_layer

    if sc.transfers:
        geom = ov0.mode == "geometry"
        key = (id(sc), geom)
        if key not in cache:
            cache[key] = scenario_layer(base, sc, geometry=geom, check=False)
        return overlap(cache[key], partner, mode=ov0.mode if mode == "auto" else mode, by=by, min_share=min_share)
    mapping, names = merge_mapping(sc)
    return ov0.regroup("a", mapping, names)


def _restrict(ov, codes: set):
    """The part of an overlap that the options can change: the partner bodies touching ``codes`` and every unit
    sharing people with them. Shares stay relative to whole units (``units_b`` keeps full measures), so the
    group-by of an option on the restricted table gives the same pairs as on the whole country, much faster."""
    from dataclasses import replace

    pairs = ov.all_pairs()
    touched = pairs.loc[pairs["a_code"].isin(codes), "b_code"].unique()
    keep_a = pairs.loc[pairs["b_code"].isin(touched), "a_code"].unique()
    t, sl = ov.table, ov.slivers
    return replace(ov, table=t[t["b_code"].isin(touched)].reset_index(drop=True),
                   slivers=sl[sl["b_code"].isin(touched)].reset_index(drop=True),
                   units_a=ov.units_a[ov.units_a.index.isin(keep_a)], units_b=ov.units_b[ov.units_b.index.isin(touched)])


def _council_classes(ov, new: list[str]) -> pd.DataFrame:
    """Classes of the new councils only (:mod:`coterm.scoring` rules), from the pairs of the partner bodies they touch:
    the same answer as scoring the whole table, without classifying every other unit of the country."""
    from ..scoring import _classify

    t = ov.table
    touched = t.loc[t["a_code"].isin(new), "b_code"].unique()
    sub = t[t["b_code"].isin(touched)]
    return _classify(sub, ov.units_a.reindex(new), ov.units_b, "a", ov.units_b["name"])


def _crossing(ov, new_codes) -> pd.DataFrame:
    """Kept pairs where a new council and a partner body cross (neither lies wholly in the other)."""
    t = ov.table
    t = t[t["a_code"].isin(new_codes)]
    return t[(t["share_of_a"] < 1 - 1e-9) & (t["share_of_b"] < 1 - 1e-9)]


def rank_options(paths, *, against=None, by: str = "population", mode: str = "auto", min_share: float | None = None) -> OptionsResult:
    """Score every option of every area against partner layers and rank them.

    Parameters
    ----------
    paths : option folders and/or scenario files (see :func:`collect_options`).
    against : partner layer ids; default :func:`coterm.decisions.default_option_partners`.
    by : ``"population"`` or ``"area"`` (weight of the overlaps; populations of new councils are always people).
    mode, min_share : as :func:`coterm.overlap`.

    Notes
    -----
    The base overlap (the option's layer × each partner) is computed once; an option made only of merges is
    applied to it as a group-by (:meth:`coterm.Overlap.regroup`); an option with transfers is re-overlapped
    (exact in atom mode). Per option and partner: counts of new councils by class, people in split new
    councils, partner bodies touched and split. See :data:`RULE` for the ranking.
    """
    from ..layer import load_layer
    from ..overlap import overlap
    from ..scenarios import base_layer, check_scenario
    from .partners import default_option_partners

    if by not in ("population", "area"):
        raise DecisionError(f"--by must be population or area, not {by!r}")
    loaded = _load(collect_options(paths))
    base = base_layer(loaded[0][2])
    for _, _, sc in loaded:
        check_scenario(sc, layer=base)
    against = list(against or default_option_partners())
    if not against:
        raise DecisionError("no partner layers: give --against LAYER (e.g. --against pfa-2024)")
    partners = [load_layer(p) for p in against]
    rows, councils, cache = [], [], {}
    area_units = set()
    for _, _, sc in loaded:
        area_units |= {c for m in sc.merges for c in m.members} | {t.from_ for t in sc.transfers} | {t.to for t in sc.transfers}
    for partner in partners:
        ov0 = _restrict(overlap(base, partner, mode=mode, by=by, min_share=min_share), area_units)
        for area, f, sc in loaded:
            ov = _after_overlap(sc, base, ov0, partner, cache, mode=mode, by=by, min_share=min_share)
            new = [m.code for m in sc.merges]
            u = _council_classes(ov, new)
            pop = ov.units_a["population"].reindex(new)
            cls = u["class"]
            cross = _crossing(ov, new)
            touched = ov.table.loc[ov.table["a_code"].isin(new), "b_code"].unique()
            split_bodies = sorted(set(cross["b_code"]))
            bnames = ov.units_b["name"]
            rows.append({"area": area, "option": f.stem, "file": str(f), "status": option_status(sc), "name": sc.name,
                         "partner": partner.id, "new_councils": len(new),
                         "coterminous": int((cls == "coterminous").sum()), "nested": int((cls == "nested").sum()),
                         "contains": int((cls == "contains").sum()), "split": int(cls.isin(SPLIT).sum()),
                         "people_in_split_councils": float(pop[cls.isin(SPLIT).to_numpy()].sum()),
                         "partner_bodies": int(len(touched)), "partner_bodies_split": len(split_bodies),
                         "split_bodies": "; ".join(str(bnames.get(b, b)) for b in split_bodies),
                         "pop_min": float(pop.min()), "pop_max": float(pop.max())})
            for code in new:
                councils.append({"area": area, "option": f.stem, "code": code, "name": u.at[code, "name"], "population": float(pop[code]),
                                 "partner": partner.id, "class": u.at[code, "class"], "main_body": u.at[code, "dominant_name"],
                                 "main_share": float(u.at[code, "dominant_share"]) if pd.notna(u.at[code, "dominant_share"]) else None})
    table = pd.DataFrame(rows)
    ranking = _rank(table)
    table = table.merge(ranking[["area", "option", "rank"]], on=["area", "option"]).sort_values(["area", "rank", "partner"],
                                                                                                key=_partner_key(against))
    cols = ["area", "rank", "option", "status", "name", "partner", "new_councils", "coterminous", "nested", "contains", "split",
            "people_in_split_councils", "partner_bodies", "partner_bodies_split", "split_bodies", "pop_min", "pop_max"]
    table = table[cols].reset_index(drop=True)
    sentences = {area: _sentence(ranking[ranking["area"] == area], table[table["area"] == area]) for area in ranking["area"].unique()}
    ranking["summary"] = [_option_phrase(table[(table["area"] == r.area) & (table["option"] == r.option)]) for r in ranking.itertuples()]
    maps = _Deferred(_option_maps, base, loaded, pd.DataFrame(councils), cache)
    notes = (f"population: {base.id}'s building blocks ({base.atom_base or 'geometry'}) with their catalogue populations",)
    return OptionsResult(layer=base.id, against=tuple(p.id for p in partners), by=by, table=table, ranking=ranking.reset_index(drop=True),
                         sentences=sentences, councils=pd.DataFrame(councils), notes=notes, maps=maps)


def _option_maps(base, loaded, councils: pd.DataFrame, cache: dict) -> dict:
    """One small SVG map per option: its new councils, coloured by how many partner layers they straddle."""
    import shapely

    from ..scenarios import scenario_layer
    from .svg import STRADDLE_COLOURS, svg_shapes

    if base.frame.geometry.isna().all():
        return {}
    geo = base.frame.geometry
    out = {}
    for area, f, sc in loaded:
        if sc.transfers:
            key = (id(sc), True)
            if key not in cache:
                cache[key] = scenario_layer(base, sc, geometry=True, check=False)
            g = cache[key].frame.geometry
            geoms = [g.get(m.code) for m in sc.merges]
        else:
            geoms = [shapely.coverage_union_all(geo.reindex(list(m.members)).dropna().to_numpy()) for m in sc.merges]
        c = councils[(councils["area"] == area) & (councils["option"] == f.stem)]
        n_split = c[c["class"].isin(SPLIT)].groupby("code").size()
        paths, viewbox, _ = svg_shapes(geoms, width=220)
        shapes = []
        for m, d in zip(sc.merges, paths):
            k = int(n_split.get(m.code, 0))
            bodies = "; ".join(sorted(set(c.loc[(c["code"] == m.code) & c["class"].isin(SPLIT), "partner"])))
            shapes.append({"d": d, "fill": STRADDLE_COLOURS[min(k, 2)],
                           "title": f"{m.into}: straddles {k} partner layer(s)" + (f" ({bodies})" if bodies else "")})
        out[(area, f.stem)] = {"viewbox": viewbox, "width": 220, "label": sc.name, "shapes": shapes}
    return out


def _partner_key(against):
    order = {p: i for i, p in enumerate(against)}

    def key(s):
        return s.map(order) if s.name == "partner" else s
    return key


def _rank(table: pd.DataFrame) -> pd.DataFrame:
    agg = table.groupby(["area", "option"], sort=True).agg(
        status=("status", "first"), name=("name", "first"), people_in_split_councils=("people_in_split_councils", "sum"),
        partner_bodies_split=("partner_bodies_split", "sum"), new_councils=("new_councils", "first"),
        pop_min=("pop_min", "first"), pop_max=("pop_max", "first")).reset_index()
    agg = agg.sort_values(["area", "people_in_split_councils", "partner_bodies_split", "option"], ignore_index=True)
    agg.insert(1, "rank", agg.groupby("area").cumcount() + 1)
    return agg


def _option_phrase(t: pd.DataFrame) -> str:
    """What one option does: the partner kinds it keeps whole and the bodies it splits."""
    kept = [kind_label(p) for p in t.loc[t["split"] == 0, "partner"]]
    parts = []
    if kept:
        parts.append(f"keeps every new council inside or whole with {_join([f'one {k}' for k in kept])}" if len(kept) <= 3
                     else f"keeps every new council aligned with {_join([kind_label(p, True) for p in t.loc[t['split'] == 0, 'partner']])}")
    for r in t[t["split"] > 0].itertuples():
        bodies = r.split_bodies.split("; ") if r.split_bodies else []
        what = f"{_join(bodies[:3])}{' and others' if len(bodies) > 3 else ''}" if bodies else kind_label(r.partner, True)
        parts.append(f"splits {what} ({kind_label(r.partner, len(bodies) != 1)}; {r.people_in_split_councils:,.0f} people in "
                     f"{r.split} straddling council{'s' if r.split != 1 else ''})")
    return "; ".join(parts) if parts else "has no partner body in common with the partner layers"


def _sentence(ranking: pd.DataFrame, table: pd.DataFrame) -> str:
    best = ranking.iloc[0]
    bt = table[table["option"] == best["option"]]
    s = f"Option {best['option']} ({best['status']}) ranks first: it {_option_phrase(bt)}"
    if len(ranking) > 1:
        worst = ranking.iloc[-1]
        key = ["people_in_split_councils", "partner_bodies_split"]
        if all(float(best[k]) == float(worst[k]) for k in key):
            return f"All {len(ranking)} options tie on the rule: each {_option_phrase(bt)}."
        s += f"; option {worst['option']} ranks last: it {_option_phrase(table[table['option'] == worst['option']])}"
    return s + "."


def _join(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def population_range(pop: pd.Series) -> tuple[float, float]:
    return (float(np.nanmin(pop)), float(np.nanmax(pop))) if len(pop) else (np.nan, np.nan)


def options_page(result: OptionsResult) -> str:
    """The HTML page: one table per area (ranking, then per partner), from the shipped template."""
    from .outputs import ATTRIBUTION
    from .page import render_page

    d = result.to_dict()
    maps = {f"{a}/{o}": m for (a, o), m in (result.maps or {}).items()}
    return render_page("options.html.j2", title=f"Reorganisation options on {result.layer}: league tables", layer=result.layer,
                       against=list(result.against), by=result.by, rule=RULE, areas=d["areas"], maps=maps, attribution=ATTRIBUTION,
                       data=d)


def write_options(result: OptionsResult, out_dir) -> list:
    """``options.csv`` (one row per option and partner), ``options.json`` and ``options.html`` in ``out_dir``."""
    from .outputs import write_outputs

    return write_outputs(out_dir, {"options.csv": result.table, "options.json": result.to_dict(), "options.html": options_page(result)})
