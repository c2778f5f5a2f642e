"""Common footprints: where councils, the NHS, police and fire all nest.

For several partitions, the finest common footprints are the connected components of the graph whose
nodes are the units of every layer and whose edges are the kept overlaps (after ``min_share``) of every
pair of layers. Each footprint is a union of whole units of every layer, and no smaller union is.

A footprint can be one only because a few overlaps glue otherwise separate areas together. Each unit's
*main* relationship with another layer is its overlap with the unit of that layer holding most of it;
the components of the graph of main relationships are the footprint's **cores** (what the footprints would
be if every unit lay wholly in its main partners). The **gluing overlaps** are the kept overlaps joining
two different cores: those a boundary change would have to remove (moving the people in them) to split the
footprint into its cores.

Examples
--------
>>> import coterm.decisions as d
>>> fp = d.footprints(["ltla-2021", "utla-2021"])     # doctest: +SKIP
>>> len(fp.footprints) == len(coterm.load_layer("utla-2021").codes)  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DecisionError

__all__ = ["Footprints", "footprints"]


@dataclass(frozen=True, eq=False)
class Footprints:
    """Result of :func:`footprints`.

    ``footprints``: one row per footprint (id, name, population, area_km2, units, one column per layer
    with the codes of its units separated by ``;``, n_cores). ``units``: layer, code, name, footprint,
    core. ``gluing``: footprint, layer_a, a_code, a_name, layer_b, b_code, b_name, measure (people, or
    m² by area), share_of_a, share_of_b, core_a, core_b. ``pieces``: the gluing overlaps that are one
    piece of ground seen from several pairs of layers (same footprint, same two cores, same measure) as one
    row: footprint, measure, cores ("X | Y"), units ("name (code, layer); ..."), description.
    """

    layers: tuple[str, ...]
    by: str
    min_share: float
    mode: str
    footprints: pd.DataFrame
    units: pd.DataFrame
    gluing: pd.DataFrame
    pieces: pd.DataFrame
    overlaps: dict
    layer_objects: tuple = ()

    def to_dict(self) -> dict:
        return {
            "layers": list(self.layers), "by": self.by, "min_share": self.min_share, "mode": self.mode,
            "rule": "footprints = connected components of the units of all layers joined by kept overlaps; gluing overlaps join "
                    "two cores (components of each unit's main relationship with each other layer)",
            "footprints": self.footprints.to_dict(orient="records"),
            "gluing_pieces": self.pieces.to_dict(orient="records"),
            "gluing_overlaps": self.gluing.to_dict(orient="records"),
        }


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def _check_layers(layers, mode: str):
    from ..atoms import common_base

    if len(layers) < 2:
        raise DecisionError("footprints need at least two layers, e.g. `coterm footprints ltla-2024 icb-2026 pfa-2024 fra-2024`")
    if mode == "geometry":
        return
    for lay in layers[1:]:
        if common_base(layers[0], lay) is None:
            raise DecisionError(
                f"{layers[0].id} and {lay.id} are not built from the same building blocks ({layers[0].atom_base or 'geometry only'} "
                f"vs {lay.atom_base or 'geometry only'}): footprints are exact only on one base; choose layers of one vintage "
                f"or pass --mode geometry to intersect polygons")


def footprints(layers, *, min_share: float | None = None, by: str = "population", mode: str = "auto") -> Footprints:
    """The finest common footprints of several layers and the overlaps that glue them.

    Parameters
    ----------
    layers : catalogue ids, files or Layers (at least two).
    min_share : overlaps under this share of both units are slivers and are not edges (default: as
        :func:`coterm.overlap`: 0 in atom mode, 0.01 in geometry mode).
    by : ``"population"`` or ``"area"``: the measure of footprints and gluing overlaps.
    mode : ``"auto"`` (atoms; layers of different building blocks are refused), ``"atoms"`` or ``"geometry"``.

    Notes
    -----
    Nodes: every unit of every layer. Edges: kept pairs of :func:`coterm.overlap` for every pair of
    layers (``k(k-1)/2`` overlaps). Footprints: connected components. Cores: components of the
    graph whose edges are, for each unit ``u`` and each other layer ``L``, the pair of ``u`` with its
    dominant partner in ``L`` (largest share of ``u``; ties to the smaller code). Gluing overlaps: kept
    pairs whose two units lie in different cores.
    """
    from ..layer import load_layer
    from ..overlap import overlap

    lays = []
    for x in layers:
        lay = load_layer(x)
        n = sum(1 for y in lays if y.id.split("#")[0] == lay.id)
        lays.append(lay.replace(id=f"{lay.id}#{n + 1}") if n else lay)  # a layer given twice: its copy is told apart
    _check_layers(lays, mode)
    ovs = {}
    for p in range(len(lays)):
        for q in range(p + 1, len(lays)):
            ovs[(lays[p].id, lays[q].id)] = overlap(lays[p], lays[q], mode=mode, by=by, min_share=min_share)
    first = next(iter(ovs.values()))
    # nodes
    node_frames = []
    for k, lay in enumerate(lays):
        codes = pd.Index(lay.codes.astype(str))
        node_frames.append(pd.DataFrame({"layer": lay.id, "k": k, "code": codes,
                                         "name": lay.names.reindex(lay.codes).astype(str).to_numpy()}))
    nodes = pd.concat(node_frames, ignore_index=True)
    key = pd.Series(np.arange(len(nodes)), index=pd.MultiIndex.from_frame(nodes[["layer", "code"]]))
    measure = {}
    edges, dominant = [], []
    for (la, lb), ov in ovs.items():
        t = ov.table
        ia = key.reindex(pd.MultiIndex.from_arrays([[la] * len(t), t["a_code"].astype(str)])).to_numpy()
        ib = key.reindex(pd.MultiIndex.from_arrays([[lb] * len(t), t["b_code"].astype(str)])).to_numpy()
        e = pd.DataFrame({"i": ia, "j": ib, "layer_a": la, "a_code": t["a_code"].astype(str).to_numpy(), "layer_b": lb,
                          "b_code": t["b_code"].astype(str).to_numpy(), "measure": t["measure"].to_numpy(dtype=float),
                          "share_of_a": t["share_of_a"].to_numpy(dtype=float), "share_of_b": t["share_of_b"].to_numpy(dtype=float)})
        edges.append(e)
        for side, share, other in (("i", "share_of_a", "b_code"), ("j", "share_of_b", "a_code")):
            d = e.sort_values([side, share, other], ascending=[True, False, True]).drop_duplicates(side)
            dominant.append(d[["i", "j"]])
        for lay_id, units in ((la, ov.units_a), (lb, ov.units_b)):
            # a unit's measure: the most any other layer covers of it (layers may have different extents)
            m = units["measure"].astype(float)
            measure[lay_id] = m if lay_id not in measure else measure[lay_id].combine(m, max, fill_value=0.0)
    edges = pd.concat(edges, ignore_index=True)
    dom = pd.concat(dominant, ignore_index=True)
    comp = _components(len(nodes), edges["i"].to_numpy(), edges["j"].to_numpy())
    core = _components(len(nodes), dom["i"].to_numpy(), dom["j"].to_numpy())
    nodes["measure"] = [float(measure[r.layer].get(r.code, 0.0)) for r in nodes.itertuples()]
    # units no layer covers (measure 0 everywhere) are their own footprint: drop them from the listing
    covered = nodes["measure"] > 0
    nodes = nodes.assign(comp=comp, core=core)[covered].copy()
    fp_table, fp_id, core_name = _name_footprints(nodes, lays)
    nodes["footprint"] = nodes["comp"].map(fp_id)
    nodes["core_name"] = nodes["core"].map(core_name)
    edges["comp"] = comp[edges["i"].to_numpy()]
    glue = edges[core[edges["i"].to_numpy()] != core[edges["j"].to_numpy()]].copy()
    name_of = nodes.set_index(["layer", "code"])["name"]
    glue["footprint"] = glue["comp"].map(fp_id)
    glue["a_name"] = [name_of.get((r.layer_a, r.a_code), r.a_code) for r in glue.itertuples()]
    glue["b_name"] = [name_of.get((r.layer_b, r.b_code), r.b_code) for r in glue.itertuples()]
    glue["core_a"] = pd.Series(core[glue["i"].to_numpy()], index=glue.index).map(core_name)
    glue["core_b"] = pd.Series(core[glue["j"].to_numpy()], index=glue.index).map(core_name)
    glue = glue.sort_values(["footprint", "measure", "layer_a", "a_code", "layer_b", "b_code"], ascending=[True, False, True, True, True, True])
    glue = glue[["footprint", "layer_a", "a_code", "a_name", "layer_b", "b_code", "b_name", "measure", "share_of_a", "share_of_b",
                 "core_a", "core_b"]].reset_index(drop=True)
    pieces = _pieces(glue, "people" if first.by == "population" else "m²")
    n_glue = pieces.groupby("footprint").size()
    fp_table["gluing_overlaps"] = fp_table["id"].map(n_glue).fillna(0).astype(int)
    units = nodes.sort_values(["footprint", "k", "code"])[["layer", "code", "name", "footprint", "core_name", "measure"]]
    units = units.rename(columns={"core_name": "core"})
    return Footprints(layers=tuple(x.id for x in lays), by=first.by, min_share=first.min_share, mode=first.mode,
                      footprints=fp_table, units=units.reset_index(drop=True), gluing=glue, pieces=pieces, overlaps=ovs,
                      layer_objects=tuple(lays))


def _pieces(glue: pd.DataFrame, unit: str = "people") -> pd.DataFrame:
    """Gluing overlaps grouped into pieces: one stretch of ground is an overlap of every pair of layers it straddles."""
    cols = ["footprint", "measure", "cores", "units", "description"]
    if glue.empty:
        return pd.DataFrame(columns=cols)
    g = glue.copy()
    g["cores"] = [" | ".join(sorted((a, b))) for a, b in zip(g["core_a"], g["core_b"])]
    rows = []
    for (fp, cores, m), grp in g.groupby(["footprint", "cores", "measure"], sort=False):
        seen = {}
        for r in grp.itertuples():
            for lay, code, name in ((r.layer_a, r.a_code, r.a_name), (r.layer_b, r.b_code, r.b_name)):
                seen.setdefault((lay, code), f"{name} ({code}, {lay})")
        units = "; ".join(seen[k] for k in sorted(seen))
        rows.append({"footprint": fp, "measure": float(m), "cores": cores, "units": units,
                     "description": f"{m:,.0f} {unit} glue {cores.replace(' | ', ' to ')}: the part shared by {units}"})
    return pd.DataFrame(rows, columns=cols).sort_values(["footprint", "measure", "cores"], ascending=[True, False, True],
                                                        ignore_index=True)


def _label(names: list[str]) -> str:
    return " + ".join(names) if len(names) <= 3 else f"{names[0]} + {len(names) - 1} more"


def _name_footprints(nodes: pd.DataFrame, lays) -> tuple[pd.DataFrame, dict, dict]:
    """Number footprints F01… by their first-layer population (largest first, ties by code); name them by the
    coarsest layer's units (fewest units in the footprint), cores likewise."""
    order = {lay.id: k for k, lay in enumerate(lays)}
    nodes = nodes.sort_values(["k", "measure", "code"], ascending=[True, False, True])

    def label_of(group: pd.DataFrame) -> str:
        counts = group.groupby("k").size()
        k = int(counts.sort_values(kind="stable").index[0]) if len(counts) else 0
        return _label(list(group.loc[group["k"] == k, "name"]))

    rows = []
    for c, g in nodes.groupby("comp", sort=False):
        base = g[g["k"] == g["k"].min()]
        rows.append({"comp": c, "measure": float(base["measure"].sum()), "first": str(base["code"].min()), "name": label_of(g),
                     **{lay.id: ";".join(sorted(g.loc[g["layer"] == lay.id, "code"])) for lay in lays},
                     "units": int(len(g)), "n_cores": int(g["core"].nunique())})
    t = pd.DataFrame(rows).sort_values(["measure", "first"], ascending=[False, True]).reset_index(drop=True)
    width = max(2, len(str(len(t))))
    t.insert(0, "id", [f"F{i + 1:0{width}d}" for i in range(len(t))])
    fp_id = dict(zip(t["comp"], t["id"]))
    core_name = {c: label_of(g) for c, g in nodes.groupby("core", sort=False)}
    t = t.drop(columns=["comp", "first"])
    cols = ["id", "name", "measure", "units", "n_cores"] + [lay.id for lay in sorted(lays, key=lambda x: order[x.id])]
    return t[cols], fp_id, core_name


def write_footprints(fp: Footprints, out_dir) -> list:
    """``footprints.csv``, ``footprint_units.csv``, ``gluing.csv`` (pieces), ``gluing_pairs.csv``, ``footprints.json``
    and ``footprints.html`` in ``out_dir`` (atomic)."""
    from .outputs import ATTRIBUTION, write_outputs
    from .page import render_page

    d = fp.to_dict()
    html = render_page("footprints.html.j2", title=f"Common footprints of {', '.join(fp.layers)}", layers=list(fp.layers), rule=d["rule"],
                       by=fp.by, min_share=fp.min_share, mode=fp.mode, footprints=d["footprints"], pieces=d["gluing_pieces"],
                       attribution=ATTRIBUTION, data=d)
    return write_outputs(out_dir, {"footprints.csv": fp.footprints, "footprint_units.csv": fp.units, "gluing.csv": fp.pieces,
                                   "gluing_pairs.csv": fp.gluing, "footprints.json": d, "footprints.html": html})
