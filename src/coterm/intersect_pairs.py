"""Areas of candidate pairs decided by predicates: nested pairs settled at once, then the cascade.

Steps 2 and 4 of :func:`coterm.intersect.intersection_areas`: pairs where one polygon covers
the other cost one prepared predicate and no geometry; only pairs whose boundaries really cross
pay a GEOS overlay (``shapely.intersection``).
"""

from __future__ import annotations

import numpy as np
import shapely

#: Pairs whose intersection geometries are built at once (bounds peak memory; no effect on speed).
INTERSECTION_BATCH = 1_000


def settle_nested(ga, gb, ia, ib, a_disjoint: bool, b_disjoint: bool):
    """Pairs decided without the cascade, when one layer is known to be a partition.

    If the polygons of ``b`` have disjoint interiors and ``b[j]`` covers ``a[i]``, then
    ``area(a[i] ∩ b[j]) = area(a[i])`` and every other ``b`` meets ``a[i]`` in no area (it would
    overlap ``b[j]``). ``b[j]`` is found as the candidate containing an interior point of
    ``a[i]`` (``point_on_surface``): one prepared point test per candidate, then one prepared
    ``covers`` test per polygon of ``a``, instead of ``covers`` and ``touches`` for each of
    its neighbours. The same with the roles swapped when ``a`` is the partition.

    Returns the remaining candidates (ia, ib) and the settled pairs (ia, ib, area).
    """
    done = [np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)]
    if not len(ia) or not (a_disjoint or b_disjoint):
        return ia, ib, *done
    out_i, out_j, out_area = [], [], []
    for swap, flag in ((False, b_disjoint), (True, a_disjoint)):
        if not flag or not len(ia):
            continue
        inner, outer = (gb, ga) if swap else (ga, gb)
        inner_idx, outer_idx = (ib, ia) if swap else (ia, ib)
        pts = shapely.get_coordinates(shapely.point_on_surface(inner))  # one per polygon, (n, 2)
        if len(pts) != len(inner):  # empty or missing polygons: no interior point; settle nothing
            continue
        shapely.prepare(outer)
        near = shapely.contains_xy(outer[outer_idx], pts[inner_idx, 0], pts[inner_idx, 1])
        cand = np.flatnonzero(near)
        k = cand[shapely.covers(outer[outer_idx[cand]], inner[inner_idx[cand]])]
        out_i.append(ia[k])
        out_j.append(ib[k])
        out_area.append(shapely.area(inner[inner_idx[k]]))
        settled = np.zeros(len(inner), bool)
        settled[inner_idx[k]] = True
        rest = ~settled[inner_idx]
        ia, ib = ia[rest], ib[rest]
    if out_area:
        done = [np.concatenate(out_i).astype(np.int64), np.concatenate(out_j).astype(np.int64),
                np.concatenate(out_area).astype(np.float64)]
    return ia, ib, *done


def item_areas(x: np.ndarray, y: np.ndarray, known_to_intersect: bool = False) -> np.ndarray:
    """area(x[k] ∩ y[k]) for each k; zero for pairs that only touch or are disjoint.

    A cascade of prepared predicates, cheapest first, each applied only to the pairs still
    undecided; geometry is computed only for pairs whose boundaries really cross:

    1. the larger polygon ``contains_properly`` the smaller → area of the smaller;
    2. not ``intersects`` → 0 (skipped when the tree query already tested it);
    3. ``covers`` (containment with shared boundary, as in nested coverages) → the smaller;
    4. ``touches`` (shared edges but no common interior) → 0;
    5. otherwise ``area(intersection(x, y))``.

    Steps 3-4 cost little for pairs with crossing boundaries (they stop at the first
    counter-example) and save the overlay for pairs that share long runs of edges, which are
    the slowest to overlay.
    """
    ax = shapely.area(x)
    ay = shapely.area(y)
    x_big = ax >= ay
    big = np.where(x_big, x, y)
    small = np.where(x_big, y, x)
    small_area = np.minimum(ax, ay)
    shapely.prepare(big)
    area = np.zeros(len(x), dtype=np.float64)
    todo = np.arange(len(x))
    for test, whole in (
        (shapely.contains_properly, True),
        (shapely.intersects, None),
        (shapely.covers, True),
        (shapely.touches, False),
    ):
        if not len(todo):
            return area
        if whole is None and known_to_intersect:
            continue
        hit = test(big[todo], small[todo])
        if whole is None:  # a filter: keep the pairs that pass
            todo = todo[hit]
            continue
        if whole:
            area[todo[hit]] = small_area[todo[hit]]
        todo = todo[~hit]
    # In batches, so that only a batch of intersection geometries is alive at once (peak memory).
    for start in range(0, len(todo), INTERSECTION_BATCH):
        part = todo[start:start + INTERSECTION_BATCH]
        area[part] = shapely.area(shapely.intersection(x[part], y[part]))
    shapely.destroy_prepared(big)  # the prepared indexes are the other big cost in memory; a later chunk prepares what it needs again
    return area
