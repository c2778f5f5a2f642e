"""What the workbench page needs, as plain JSON-ready data: units, adjacency, overlap tables, scenarios.

Merging units is a group-by on the overlap table (what :meth:`coterm.Overlap.regroup` does), so the
page only needs, per partner layer, every (unit, partner body) pair with its population and area.
The page's script does the group-by and the classification itself; :func:`reference_scores` is the
Python answer for the same grouping, which the tests compare with the browser's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CotermError

# the current bodies a council or ICB grouping is judged against, when they are in the catalogue
DEFAULT_PARTNERS = ("icb-2026", "sicbl-2024", "pfa-2024", "csp-2024", "fra-2024", "sa-2028", "bcu-2024")

__all__ = ["DEFAULT_PARTNERS", "WorkbenchError", "workbench_data", "grouping_mapping", "reference_scores", "summarise_scores"]


class WorkbenchError(CotermError):
    """The workbench cannot be built for these layers or this starting scenario."""


def _unit_block(layer) -> dict:
    codes = [str(c) for c in layer.codes]
    names = [str(layer.names.get(c, c)) for c in codes]
    return {"codes": codes, "names": names}


def _partner_block(ov, a_index: dict) -> dict:
    """One partner layer: its bodies and every pair (unit index, body index, population, area)."""
    pairs = ov.all_pairs()
    b_codes = [str(c) for c in ov.units_b.index]
    b_index = {c: i for i, c in enumerate(b_codes)}
    pop = pairs["population"].fillna(0.0).to_numpy(dtype=float)
    return {
        "id": ov.b.id,
        "title": ov.b.title,
        "family": getattr(ov.b, "family", "") or "",
        "codes": b_codes,
        "names": [str(n) for n in ov.units_b["name"]],
        "pairs": {
            "a": [a_index[str(c)] for c in pairs["a_code"]],
            "b": [b_index[str(c)] for c in pairs["b_code"]],
            # integers where they are (people), so the page sums exactly what Python sums
            "population": [int(v) if float(v).is_integer() else float(v) for v in pop],
            "area_m2": [float(v) for v in pairs["area_m2"].to_numpy(dtype=float)],
        },
    }


def _adjacency(layer) -> list[list[int]]:
    """Pairs of unit indices whose boundaries share a line (a corner alone is not a neighbour)."""
    import shapely

    geoms = np.asarray(layer.frame.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)
    ia, ib = tree.query(geoms, predicate="intersects")
    keep = ia < ib
    ia, ib = ia[keep], ib[keep]
    if not len(ia):
        return []
    shared = shapely.intersection(shapely.boundary(geoms[ia]), shapely.boundary(geoms[ib]))
    touching = shapely.length(shared) > 1.0  # metres: coordinates sit on a 1 m grid
    return [[int(a), int(b)] for a, b in zip(ia[touching], ib[touching])]


def _scenario_grouping(sc, codes: set[str]) -> dict:
    """A shipped or user scenario as groups of whole units (the workbench cannot move blocks)."""
    if sc.transfers:
        raise WorkbenchError(f"{sc.path or sc.id}: moves building blocks between units ({len(sc.transfers)} transfers); "
                             "the workbench regroups whole units only; start from a scenario of merges")
    groups = []
    for m in sc.merges:
        unknown = [c for c in m.members if c not in codes]
        if unknown:
            raise WorkbenchError(f"{sc.path or sc.id}: merge {m.into!r} names {unknown[0]}, not a unit of {sc.layer}")
        groups.append({"code": m.code, "name": m.into, "members": sorted(m.members)})
    return {"id": sc.id, "name": sc.name, "groups": groups}


def _shipped_scenarios(layer_id: str, codes: set[str]) -> list[dict]:
    """Every shipped scenario of whole-unit merges on this layer, the area folders (lgr-2028/<area>/) included.

    Scenarios that move wards or other blocks between units cannot be drawn by regrouping whole units,
    so the page does not offer them.
    """
    from ..scenarios import read_scenario, scenarios_dir

    out = []
    root = scenarios_dir()
    for path in sorted(root.rglob("*.toml")):
        try:
            sc = read_scenario(path)
        except CotermError:
            continue
        if sc.layer != layer_id or sc.transfers or sc.defines:
            continue
        g = _scenario_grouping(sc, codes)
        g["id"] = path.relative_to(root).with_suffix("").as_posix()  # lgr-2028/norfolk/3ua: unique across folders
        out.append(g)
    return sorted(out, key=lambda s: s["id"])


def workbench_data(layer, against, *, start=None, progress=None) -> dict:
    """Everything the page needs for reshaping ``layer`` against the ``against`` layers (atom mode only)."""
    from ..layer import load_layer
    from ..overlap import overlap
    from .svg import svg_paths

    la = layer if hasattr(layer, "frame") else load_layer(layer)
    if not against:
        raise WorkbenchError("give at least one partner layer (--against)")
    units = _unit_block(la)
    a_index = {c: i for i, c in enumerate(units["codes"])}
    partners = []
    for other in against:
        lb = other if hasattr(other, "frame") else load_layer(other)
        if lb.id == la.id:
            raise WorkbenchError(f"{lb.id} is the layer being reshaped; choose other partner layers")
        ov = overlap(la, lb, mode="auto", by="population")  # atoms, bridged eras or a clean best fit
        if ov.mode != "atoms":
            why = ov.notes[0] if ov.notes else "no shared building blocks"
            raise WorkbenchError(f"{la.id} × {lb.id} can only be compared by geometry ({why}); the workbench needs layers "
                                 "built from the same building blocks (see coterm layers), or a file that best-fits them cleanly")
        partners.append(_partner_block(ov, a_index))
        if progress:
            progress(lb.id)
    paths, view = svg_paths(la)
    codes = set(units["codes"])
    start_grouping = None
    if start is not None:
        from ..scenarios import load_scenario

        sc = load_scenario(start) if isinstance(start, str) else start
        if sc.layer != la.id:
            raise WorkbenchError(f"{sc.path or sc.id}: changes {sc.layer}, not {la.id}; start from a scenario on {la.id}")
        start_grouping = _scenario_grouping(sc, codes)
    return {
        "schema": 1,
        "layer": {"id": la.id, "title": la.title, "family": getattr(la, "family", "") or ""},
        "units": units,
        "adjacency": _adjacency(la),
        "paths": paths,
        "viewbox": view,
        "partners": partners,
        "scenarios": _shipped_scenarios(la.id, codes),
        "start": start_grouping,
        "population_source": _population_source(la),
        "attribution": la.attribution or "",
    }


def _population_source(layer) -> str:
    """The population behind every figure of the page, as the catalogue states it (source and year)."""
    basis = layer.population_basis
    return f"{basis['source']}, {basis['year']}" if basis.get("source") else "LSOA populations (ONS)"


def grouping_mapping(groups) -> tuple[pd.Series, pd.Series]:
    """``groups`` (list of {code, name, members}) → (member code → group code, group code → name)."""
    mapping, names = {}, {}
    for g in groups:
        for m in g["members"]:
            if m in mapping:
                raise WorkbenchError(f"unit {m} is in two groups ({mapping[m]} and {g['code']})")
            mapping[m] = g["code"]
        names[g["code"]] = g["name"]
    return pd.Series(mapping, dtype=object), pd.Series(names, dtype=object)


def reference_scores(layer, partner, groups, *, base_overlap=None) -> dict:
    """The Python answer for a grouping: regroup the atom overlap and score it (what the page must equal).

    ``base_overlap`` reuses an overlap of ``layer`` × ``partner`` already computed (atoms, population).
    """
    from ..overlap import overlap
    from ..scoring import score

    ov = base_overlap if base_overlap is not None else overlap(layer, partner, mode="auto", by="population")
    mapping, names = grouping_mapping(groups)
    if len(mapping):
        ov = ov.regroup("a", mapping, names=names)
    return summarise_scores(score(ov))


def summarise_scores(s) -> dict:
    """The JSON the page's ``coterm.score`` returns for one partner: indices and per-unit classes."""
    def units(side):
        u = s.units[s.units["side"] == side]
        # plain lists and whole-column missing masks: a per-value pd.isna was most of this function's time
        rows = zip(u["code"].tolist(), u["class"].tolist(), u["n_partners"].tolist(), u["dominant_code"].tolist(),
                   u["dominant_code"].isna().tolist(), u["dominant_share"].tolist(), u["dominant_share"].isna().tolist())
        return {str(code): {"class": str(cls), "n_partners": int(n), "dominant_code": None if no_dom else str(dom),
                            "dominant_share": None if no_share else float(share)}
                for code, cls, n, dom, no_dom, share, no_share in rows}

    return {"a_to_b": s.indices["a_to_b"], "b_to_a": s.indices["b_to_a"], "symmetric": s.indices["symmetric"],
            "units_a": units("a"), "units_b": units("b")}
