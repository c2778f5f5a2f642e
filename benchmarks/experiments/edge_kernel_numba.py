"""The edge (Green's theorem) kernel with its two slowest numpy stages compiled by numba — an EXPERIMENT.

Issue 18 asked whether ``edge_kernel.py``, correct but no faster than the shipped engine in numpy,
pays once compiled. Profiling it (CPU, in-process, ``msoa-2021 × ward-2022``: 1.63 s) put a third of
the time in the candidate join (``_candidates``: sort, ``searchsorted``, ``repeat`` over millions of
segment pairs) and a third in the point-in-polygon test of each run (``shapely.points`` + an STRtree
``within`` query). This module replaces exactly those two stages; everything else (events, pieces,
runs, sums, the exactness check) is ``edge_kernel``'s own code, so the two give the same table:

* **candidates** — the same uniform grid hash and cell-of-lower-left-corner rule, but the join of
  the two sorted key arrays is one compiled merge (count, then fill) instead of numpy's
  ``searchsorted`` + ``repeat`` passes that allocate one array per step;
* **point location** — the other layer's polygon bounding boxes in a uniform grid (CSR, compiled
  fill and lookup: one (point, polygon) candidate per box holding the point), then one vectorised
  prepared ``shapely.contains_xy`` over the candidates: no Point objects, no tree query.

``edge_intersection_areas_numba`` is fed every boundary segment of both layers;
``hybrid_intersection_areas`` only the units of the crossing pairs, after the engine has settled
the nested ones. Functions compile on first call (``cache=True``: later processes load them from
``__pycache__``); ``import numba`` itself costs about 0.4 s and the cache load another 0.4 s of CPU,
paid by every fresh process. Figures: README.md in this folder.
"""

from __future__ import annotations

import numpy as np
import shapely
from numba import njit

import edge_kernel as ek

__all__ = ["edge_intersection_areas_numba", "hybrid_intersection_areas"]


# --------------------------------------------------------------------------------------------
# candidate segment pairs: compiled merge join of the two sorted cell-key arrays


@njit(cache=True)
def _join(ka_key, ka_idx, kb_key, kb_idx, ax0, ay0, ax1, ay1, bx0, by0, bx1, by1, xmin, ymin, h, nx, fill, out_a, out_b):
    """Pairs of entries in the same cell whose boxes meet, reported from the cell holding the
    lower-left corner of the boxes' intersection. With ``fill`` False only counts them."""
    na, nb = len(ka_key), len(kb_key)
    i = 0
    j = 0
    n = 0
    while i < na and j < nb:
        ki, kj = ka_key[i], kb_key[j]
        if ki < kj:
            i += 1
            continue
        if kj < ki:
            j += 1
            continue
        i1 = i
        while i1 < na and ka_key[i1] == ki:
            i1 += 1
        j1 = j
        while j1 < nb and kb_key[j1] == ki:
            j1 += 1
        for p in range(i, i1):
            ea = ka_idx[p]
            for q in range(j, j1):
                eb = kb_idx[q]
                lx = max(ax0[ea], bx0[eb])
                ly = max(ay0[ea], by0[eb])
                if lx > min(ax1[ea], bx1[eb]) or ly > min(ay1[ea], by1[eb]):
                    continue
                if np.int64((ly - ymin) // h) * nx + np.int64((lx - xmin) // h) != ki:
                    continue
                if fill:
                    out_a[n] = ea
                    out_b[n] = eb
                n += 1
        i, j = i1, j1
    return n


def _candidates_numba(A: ek._Segs, B: ek._Segs) -> tuple[np.ndarray, np.ndarray]:
    """:func:`edge_kernel._candidates` with the join compiled (same pairs, same grid)."""
    if len(A) == 0 or len(B) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    h, xmin, ymin, nx = ek._grid(A, B)

    def entries(s):
        key, idx, boxes, chunked = ek._cell_entries(s, h, xmin, ymin, nx)
        order = np.argsort(key, kind="stable")
        return key[order], idx[order], boxes, chunked

    ka_key, ka_idx, (sa, ax0, ay0, ax1, ay1), chunked_a = entries(A)
    kb_key, kb_idx, (sb, bx0, by0, bx1, by1), chunked_b = entries(B)
    args = (ka_key, ka_idx, kb_key, kb_idx, ax0, ay0, ax1, ay1, bx0, by0, bx1, by1,
            float(xmin), float(ymin), float(h), np.int64(nx))
    dummy = np.zeros(0, np.int64)
    n = _join(*args, False, dummy, dummy)
    pa = np.empty(n, np.int64)
    pb = np.empty(n, np.int64)
    _join(*args, True, pa, pb)
    multi = np.zeros(n, dtype=bool)
    if chunked_a is not None:
        multi |= chunked_a[pa]
    if chunked_b is not None:
        multi |= chunked_b[pb]
    pa, pb = sa[pa], sb[pb]
    if multi.any():  # a pair of long segments may meet in several chunk pairs
        key = ek._unique(pa[multi] * np.int64(len(B)) + pb[multi])
        pa = np.concatenate([pa[~multi], key // len(B)])
        pb = np.concatenate([pb[~multi], key % len(B)])
    return pa, pb


# --------------------------------------------------------------------------------------------
# point location: polygon boxes in a compiled grid, then one prepared contains_xy


@njit(cache=True)
def _grid_fill(ix0, iy0, ix1, iy1, nx, ny):
    """CSR of the polygons whose box covers each cell: (start per cell, polygon ids)."""
    n = len(ix0)
    count = np.zeros(nx * ny + 1, np.int64)
    for k in range(n):
        for cy in range(iy0[k], iy1[k] + 1):
            for cx in range(ix0[k], ix1[k] + 1):
                count[cy * nx + cx + 1] += 1
    for c in range(1, len(count)):
        count[c] += count[c - 1]
    ids = np.empty(count[-1], np.int64)
    pos = count[:-1].copy()
    for k in range(n):
        for cy in range(iy0[k], iy1[k] + 1):
            for cx in range(ix0[k], ix1[k] + 1):
                c = cy * nx + cx
                ids[pos[c]] = k
                pos[c] += 1
    return count, ids


@njit(cache=True)
def _grid_query(x, y, start, ids, gx0, gy0, gx1, gy1, xmin, ymin, h, nx, ny, fill, out_p, out_g):
    """(point, polygon) for every polygon whose closed box holds the point; counts only unless ``fill``."""
    n = 0
    for p in range(len(x)):
        cx = np.int64((x[p] - xmin) // h)
        cy = np.int64((y[p] - ymin) // h)
        if cx < 0 or cy < 0 or cx >= nx or cy >= ny:
            continue
        c = cy * nx + cx
        for q in range(start[c], start[c + 1]):
            g = ids[q]
            if x[p] < gx0[g] or x[p] > gx1[g] or y[p] < gy0[g] or y[p] > gy1[g]:
                continue
            if fill:
                out_p[n] = p
                out_g[n] = g
            n += 1
    return n


def _grid_locator(geoms: np.ndarray):
    """``locate(x, y)`` for one layer: compiled box grid, then prepared ``contains_xy`` (interior only)."""
    valid = np.flatnonzero(~shapely.is_missing(geoms))
    g = geoms[valid]
    shapely.prepare(g)
    b = shapely.bounds(g)
    gx0, gy0, gx1, gy1 = (np.ascontiguousarray(b[:, k]) for k in range(4))
    h = float(np.median(np.maximum(gx1 - gx0, gy1 - gy0))) if len(g) else 1.0
    xmin, ymin = (float(gx0.min()), float(gy0.min())) if len(g) else (0.0, 0.0)
    span = max(float(gx1.max()) - xmin, float(gy1.max()) - ymin) if len(g) else 1.0
    h = max(h, span / 4096, 1e-9)  # at most 4096² cells
    nx = int(((gx1.max() - xmin) // h) + 1) if len(g) else 1
    ny = int(((gy1.max() - ymin) // h) + 1) if len(g) else 1
    ix0 = ((gx0 - xmin) // h).astype(np.int64)
    iy0 = ((gy0 - ymin) // h).astype(np.int64)
    ix1 = np.minimum(((gx1 - xmin) // h).astype(np.int64), nx - 1)
    iy1 = np.minimum(((gy1 - ymin) // h).astype(np.int64), ny - 1)
    start, ids = _grid_fill(ix0, iy0, ix1, iy1, nx, ny)

    def locate(x, y):
        x = np.ascontiguousarray(x, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        args = (x, y, start, ids, gx0, gy0, gx1, gy1, xmin, ymin, h, np.int64(nx), np.int64(ny))
        dummy = np.zeros(0, np.int64)
        n = _grid_query(*args, False, dummy, dummy)
        ip = np.empty(n, np.int64)
        ig = np.empty(n, np.int64)
        _grid_query(*args, True, ip, ig)
        inside = shapely.contains_xy(g[ig], x[ip], y[ip])
        ip, ig = ip[inside], valid[ig[inside]]
        order = np.lexsort((ig, ip))
        return ip[order], ig[order]

    return locate


def edge_intersection_areas_numba(a, b):
    """Same contract and table as :func:`edge_kernel.edge_intersection_areas`; two stages compiled."""
    return ek.edge_intersection_areas(a, b, candidates=_candidates_numba, point_locator=_grid_locator)


def warm_up() -> None:
    """Compile (or load from the cache) every function, on two tiny layers."""
    edge_intersection_areas_numba([shapely.box(0, 0, 2, 2)], [shapely.box(1, 1, 3, 3)])


# --------------------------------------------------------------------------------------------
# fed only the crossing pairs: the engine settles nested pairs, the compiled kernel the rest


def hybrid_intersection_areas(a, b, *, a_disjoint: bool = False, b_disjoint: bool = False):
    """The engine's candidates and nested-pair settling, then the compiled edge kernel on the rest.

    Same contract as :func:`coterm.intersect.intersection_areas` (``workers`` aside). The polygons
    that :func:`coterm.intersect_pairs.settle_nested` settles (covered by one unit of a partition)
    are taken out with all their candidates, so the edge kernel sees only the units of the
    remaining (touching or crossing) pairs; among those units every intersecting pair is a
    remaining candidate, so its table is exactly the remaining pairs' and nothing is counted twice.
    """
    from coterm.intersect import _as_polygons, _candidate_pairs
    from coterm.intersect_pairs import settle_nested

    ga = _as_polygons(a, "a")
    gb = _as_polygons(b, "b")
    ia, ib = _candidate_pairs(ga, gb, predicate=None)  # boxes only: the kernel itself finds which pairs meet
    ia, ib, done_ia, done_ib, done_area = settle_nested(ga, gb, ia, ib, a_disjoint, b_disjoint)
    ua, ub = np.unique(ia), np.unique(ib)
    ea, eb, earea = edge_intersection_areas_numba(ga[ua], gb[ub])
    ia = np.concatenate([ua[ea], done_ia])
    ib = np.concatenate([ub[eb], done_ib])
    area = np.concatenate([earea, done_area])
    order = np.lexsort((ib, ia))
    keep = area[order] > 0
    return ia[order][keep].astype(np.int64), ib[order][keep].astype(np.int64), area[order][keep]
