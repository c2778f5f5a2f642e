"""Population in geometry mode: people apportioned to polygon pieces by LSOA representative points.

Each LSOA's population is given to the unit (of each layer) holding its population-weighted
centroid, so a pair's population is the sum over the points lying in both units. Where a unit that
really meets the other layer holds no point (Scotland, Ireland, a unit smaller than an LSOA), the
comparison is weighted by area instead, with a warning and a note.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .errors import CoverageWarning, warn

__all__ = ["point_population", "area_if_unpopulated", "atom_points"]


def area_if_unpopulated(a, b, pairs, tot_a, tot_b, pop_a, pop_b, base, notes, min_share) -> str:
    """Weight by area when some unit that really meets the other layer holds no LSOA point (Scotland, Ireland, a tiny unit).

    Such a unit has no population data, not no people: weighting it by population would class it
    "outside" and drop its pairs as slivers without a word. Mixing people and m² in one table would
    make the weighted indices meaningless, so the whole comparison falls back to area, and says so.
    "Really meets": by area, one of its pairs is not a sliver (a Scottish district touching English
    bodies only through generalisation slivers is outside either way and changes nothing).
    """
    from .errors import shown

    area = pairs["area_m2"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sa = area / pairs["a_code"].map(tot_a["area_m2"]).to_numpy(dtype=float)
        sb = area / pairs["b_code"].map(tot_b["area_m2"]).to_numpy(dtype=float)
    real = pairs[(area > 0) & ((sa >= min_share) | (sb >= min_share))]
    empty = []
    for lay, col, pop in ((a, "a_code", pop_a), (b, "b_code", pop_b)):
        have = pop.reindex(real[col].unique()).fillna(0.0)
        empty.extend(f"{lay.id}:{shown(c, 40)}" for c in sorted(have.index[have.to_numpy() <= 0]))
    if not empty:
        return "population"
    listed = ", ".join(empty[:10]) + (f" ... ({len(empty)} in all)" if len(empty) > 10 else "")
    msg = (f"{a.id} × {b.id}: {len(empty)} unit(s) hold no {base} population point ({listed}): outside England and Wales, "
           "or too small to hold an LSOA's point; weighted by area instead of population, for every unit")
    warn(msg, CoverageWarning)
    notes.append(msg)
    return "area"


@functools.lru_cache(maxsize=2)
def atom_points(base: str):
    """Representative points and populations of an atom base (cached: built once per process)."""
    import shapely

    from .atoms import atom_table

    atoms = atom_table(base)
    return shapely.points(atoms["x"].to_numpy(), atoms["y"].to_numpy()), atoms["population"].to_numpy(dtype=float)


@functools.lru_cache(maxsize=2)
def _coordinates(base: str):
    """The (n, 2) coordinates of :func:`atom_points` (read-only: shared by every call)."""
    import shapely

    xy = shapely.get_coordinates(atom_points(base)[0])
    xy.flags.writeable = False
    return xy


def point_population(a, b, ga, gb):
    """Population of each pair, each unit, from LSOA representative points (None if not applicable)."""
    import shapely

    from .catalog import catalog
    from .crs import WORKING_CRS

    if not a.crs.equals(WORKING_CRS):
        return None
    vintages = [int(v) for v in (a.vintage, b.vintage) if str(v).isdigit()]
    base = "lsoa-2021" if vintages and min(vintages) >= 2023 else "lsoa-2011"
    try:
        catalog().atom_base(base)
        pts, pop = atom_points(base)
    except Exception:
        return None
    xy = _coordinates(base)

    def locate(geoms, layer):
        # only points inside the layer's extent can land in it (keeps small layers fast)
        xmin, ymin, xmax, ymax = layer.frame.total_bounds
        near = np.flatnonzero((xy[:, 0] >= xmin) & (xy[:, 0] <= xmax) & (xy[:, 1] >= ymin) & (xy[:, 1] <= ymax))
        # each unit queries a tree of the points ("contains" prepares the polygon once: fast on big polygons); the
        # same pairs as each point "within" a unit. A point in two units (overlapping units) keeps the first unit of the
        # point-wise query, so people are counted once, as before
        ig, ip = shapely.STRtree(pts[near]).query(geoms, predicate="contains")
        if len(np.unique(ip)) != len(ip):
            ip, ig = shapely.STRtree(geoms).query(pts[near], predicate="within")
        first = np.unique(ip, return_index=True)[1]
        loc = np.full(len(pts), -1)
        loc[near[ip[first]]] = ig[first]
        return loc

    la = locate(ga, a)
    lb = locate(gb, b)
    if (la >= 0).sum() == 0 or (lb >= 0).sum() == 0:
        return None
    # only points in A or B can count (each sum below drops the rest); keeping them in their order keeps every sum's bits
    keep = np.flatnonzero((la >= 0) | (lb >= 0))
    la, lb = la[keep], lb[keep]
    ca = np.where(la >= 0, a.codes.to_numpy()[np.maximum(la, 0)], None)
    cb = np.where(lb >= 0, b.codes.to_numpy()[np.maximum(lb, 0)], None)
    df = pd.DataFrame({"a_code": ca, "b_code": cb, "population": pop[keep]})
    # row masks, not dropna (slow on object columns): the same rows in the same order
    in_a, in_b = la >= 0, lb >= 0
    pop_a = df[in_a].groupby("a_code")["population"].sum()
    pop_b = df[in_b].groupby("b_code")["population"].sum()
    pair_pop = df[in_a & in_b].groupby(["a_code", "b_code"], sort=True)["population"].sum().reset_index()
    return pair_pop, pop_a, pop_b, base
