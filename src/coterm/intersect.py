"""Areas of the pairwise intersections of two polygon layers (the geometric-mode kernel).

A pure kernel: no I/O, no CRS handling. Callers pass polygons already projected to a metric
CRS (EPSG:27700 for Great Britain) and get back a sparse table of intersection areas.

The algorithm, step by step (each step is one vectorised call over all pairs):

1. **Candidates** – one bulk ``STRtree.query(..., predicate="intersects")``.
2. **Containment** – for each pair, the polygon with the larger area is prepared and asked
   whether it ``covers`` the other; if so the intersection area is the smaller polygon's area
   and no geometry is computed. Within a coverage most pairs are of this kind.
3. **Huge polygons** – polygons with more than ``MAX_PIECE_VERTICES`` vertices are cut by a
   quadtree of rectangles into pieces with few vertices (pieces partition the polygon, so the
   sum of piece areas is the polygon's area). Each remaining pair becomes the pairs of its
   pieces whose bounding boxes meet, so every intersection is small and local.
4. **Intersections** – ``shapely.intersection`` and ``shapely.area`` over the remaining
   (piece) pairs; pairs that only touch give zero area and are dropped.

Work is cut into chunks of pairs; with ``workers > 1`` the chunks run in worker processes that
receive geometries as WKB (GEOS prepared geometries are not thread-safe, and a process pool
side-steps the GIL for the non-releasing parts). The result does not depend on ``workers``:
every pair's area is computed by the same operations on the same geometries.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import numpy as np
import shapely

from coterm.errors import GeometryError

__all__ = ["intersection_areas", "overlapping_pairs"]

#: Polygons with more vertices than this are cut into pieces before intersecting.
MAX_PIECE_VERTICES = 2_000
#: Rough number of vertices handled per chunk of work (bounds memory, sets progress granularity).
CHUNK_VERTICES = 4_000_000
#: Below this many vertices of work a pool costs more than it saves; such jobs run in-process.
PARALLEL_MIN_VERTICES = 200_000

_POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon

Progress = Callable[[int, int], object]


def overlapping_pairs(geoms) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of polygons of ONE layer whose interiors meet (DE-9IM ``2********``).

    None means the layer is a partition (units may touch but never overlap). Exact, even where gaps
    in the same unit would hide an excess of area: candidates from one STRtree query.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    inner = shapely.relate_pattern(geoms[i], geoms[j], "2********")
    return i[inner], j[inner]


def intersection_areas(
    a,
    b,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    a_disjoint: bool = False,
    b_disjoint: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Areas of every positive-area intersection between polygons of two layers.

    Parameters
    ----------
    a, b : array-like of shapely Polygon / MultiPolygon
        Numpy arrays, GeoSeries or sequences, in the same projected CRS (metres). Missing
        (``None``) and empty geometries are allowed and intersect nothing. Geometries should be
        valid (``shapely.is_valid``); invalid ones may raise ``shapely.errors.GEOSException``.
    workers : int, default 1
        Number of worker processes. ``1`` computes in this process with no pool.
    progress : callable(done, total), optional
        Called from this process after each chunk of work with the number of chunks done and
        the total number of chunks.
    a_disjoint, b_disjoint : bool, default False
        The caller knows that the polygons of ``a`` (of ``b``) have pairwise disjoint interiors
        (the layer is a partition, e.g. ``shapely.coverage_is_valid``). Then a polygon of the
        other layer that one of them covers is settled by one point query and one ``covers``
        test, and its other candidates (neighbours it only touches) are never tested. The result
        is the same; only nested pairs get faster. Wrong if the layer's polygons overlap.

    Returns
    -------
    ia, ib : numpy.ndarray of int64
        Positions into ``a`` and ``b``.
    area : numpy.ndarray of float64
        Area of ``a[ia] ∩ b[ib]`` in squared units of the CRS; only pairs with ``area > 0``,
        sorted by ``(ia, ib)``. Identical for any ``workers``.

    Notes
    -----
    For a pair where the larger polygon covers the smaller one, ``area = area(smaller)``
    exactly. Otherwise ``area = Σ_{p ∈ pieces(a_i), q ∈ pieces(b_j)} area(p ∩ q)`` where the
    pieces of a polygon are the polygon itself, or for polygons with more than
    ``MAX_PIECE_VERTICES`` vertices its intersections with the leaves of a quadtree of
    rectangles; pieces have disjoint interiors and union to the polygon, so the sum equals
    ``area(a_i ∩ b_j)`` up to floating point rounding.

    Examples
    --------
    >>> import shapely
    >>> a = [shapely.box(0, 0, 2, 2)]
    >>> b = [shapely.box(1, 1, 3, 3), shapely.box(2, 0, 3, 1)]  # the second only touches
    >>> intersection_areas(a, b)
    (array([0]), array([0]), array([1.]))
    """
    ga = _as_polygons(a, "a")
    gb = _as_polygons(b, "b")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")

    if workers > 1 and _work_vertices(ga, gb) < PARALLEL_MIN_VERTICES:
        workers = 1
    ia, ib = _candidate_pairs(ga, gb, predicate=None if workers > 1 else "intersects")
    ia, ib, done_ia, done_ib, done_area = _settle_nested(ga, gb, ia, ib, a_disjoint, b_disjoint)
    owner_a, pieces_a = _pieces(ga)
    owner_b, pieces_b = _pieces(gb)
    xa, xb, pair = _piece_pairs(ia, ib, len(ga), len(gb), owner_a, pieces_a, owner_b, pieces_b)
    item_area = np.zeros(len(xa), dtype=np.float64)
    chunks = _chunks(pieces_a, pieces_b, xa, xb, min_chunks=1 if workers == 1 else 4 * workers)
    total = len(chunks)
    # Items of uncut pairs from an "intersects" query are known to intersect; piece items and
    # bounding-box candidates are not.
    filtered = workers == 1 and len(xa) == len(ia)
    if workers == 1 or total <= 1:
        for done, sl in enumerate(chunks, start=1):
            item_area[sl] = _item_areas(pieces_a[xa[sl]], pieces_b[xb[sl]], known_to_intersect=filtered)
            if progress is not None:
                progress(done, total)
    else:
        _run_pool(pieces_a, pieces_b, xa, xb, chunks, item_area, workers, progress)
    area = np.bincount(pair, weights=item_area, minlength=len(ia)).astype(np.float64)
    if len(done_area):
        ia, ib, area = np.concatenate([ia, done_ia]), np.concatenate([ib, done_ib]), np.concatenate([area, done_area])
        order = np.lexsort((ib, ia))
        ia, ib, area = ia[order], ib[order], area[order]
    keep = area > 0
    return ia[keep], ib[keep], area[keep]


# --------------------------------------------------------------------------------------------
# steps


def _as_polygons(x, name: str) -> np.ndarray:
    """A 1-D object array of Polygon/MultiPolygon/None, or a GeometryError naming the culprit."""
    values = getattr(x, "values", x)  # GeoSeries -> GeometryArray
    arr = np.asarray(values, dtype=object)
    if arr.ndim != 1:
        raise GeometryError(f"layer {name!r} must be a 1-D array of polygons, got shape {arr.shape}")
    type_id = shapely.get_type_id(arr)  # raises TypeError for non-geometries
    ok = np.isin(type_id, _POLYGONAL) | (type_id == -1) | shapely.is_empty(arr)
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        raise GeometryError(
            f"layer {name!r} must hold only Polygon or MultiPolygon geometries; position {bad} "
            f"is a {shapely.get_type_id(arr[bad])!r} type id ({arr[bad].geom_type})"
        )
    return arr


def _candidate_pairs(ga, gb, predicate: str | None = "intersects") -> tuple[np.ndarray, np.ndarray]:
    """All (ia, ib) whose geometries intersect, sorted by (ia, ib): one bulk tree query.

    The query prepares its input geometries, so the layer with more vertices per polygon is the
    input (each prepared polygon is tested against its many small neighbours) and the other
    layer goes in the tree. With ``predicate=None`` only bounding boxes are compared; the
    chunks then test ``intersects`` themselves (in parallel, when there are workers).
    """
    if _mean_vertices(ga) >= _mean_vertices(gb):
        ia, ib = shapely.STRtree(gb).query(ga, predicate=predicate)
    else:
        ib, ia = shapely.STRtree(ga).query(gb, predicate=predicate)
    order = np.lexsort((ib, ia))
    return ia[order].astype(np.int64), ib[order].astype(np.int64)


def _settle_nested(ga, gb, ia, ib, a_disjoint: bool, b_disjoint: bool):
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


def _work_vertices(ga, gb) -> int:
    """A cheap proxy for the work: vertices in both layers."""
    return int(shapely.get_num_coordinates(ga).sum() + shapely.get_num_coordinates(gb).sum())


def _mean_vertices(geoms: np.ndarray) -> float:
    return float(shapely.get_num_coordinates(geoms).mean()) if len(geoms) else 0.0


def _pieces(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of each polygon: itself, or quadtree pieces if it has > MAX_PIECE_VERTICES vertices.

    Returns (owner, pieces) sorted by owner: the position in ``geoms`` each piece came from.
    """
    big = shapely.get_num_coordinates(geoms) > MAX_PIECE_VERTICES
    if not big.any():
        return np.arange(len(geoms), dtype=np.int64), geoms
    ids = np.flatnonzero(big)
    cut_owner, cut_geom = _quadtree_cut(geoms[ids])
    owner = np.concatenate([np.flatnonzero(~big), ids[cut_owner]])
    pieces = np.concatenate([geoms[~big], cut_geom])
    order = np.argsort(owner, kind="stable")
    return owner[order].astype(np.int64), pieces[order]


def _piece_pairs(ia, ib, n_a, n_b, owner_a, pieces_a, owner_b, pieces_b):
    """Work items: pairs of pieces (xa, xb) and the candidate pair each belongs to.

    A pair of uncut polygons is one item. A pair involving a cut polygon becomes the pairs of
    its pieces whose bounding boxes meet. Items are sorted by (pair, xa, xb), which fixes the
    order of summation and so makes the sums deterministic.
    """
    na, nb = len(owner_a), len(owner_b)
    count_a = np.bincount(owner_a, minlength=n_a)
    count_b = np.bincount(owner_b, minlength=n_b)
    first_a = np.concatenate([[0], np.cumsum(count_a)])[:-1]
    first_b = np.concatenate([[0], np.cumsum(count_b)])[:-1]
    pair = np.arange(len(ia), dtype=np.int64)
    if na == len(count_a) and nb == len(count_b):  # nothing was cut
        return first_a[ia], first_b[ib], pair
    whole = (count_a[ia] == 1) & (count_b[ib] == 1)
    xa, xb, k = [first_a[ia[whole]]], [first_b[ib[whole]]], [pair[whole]]
    cut = np.flatnonzero(~whole)
    if len(cut):
        n_b = np.int64(len(count_b))
        wanted = ia[cut] * n_b + ib[cut]  # sorted, as pairs are
        sel_a = np.flatnonzero(np.isin(owner_a, ia[cut]))
        sel_b = np.flatnonzero(np.isin(owner_b, ib[cut]))
        qa, qb = shapely.STRtree(pieces_b[sel_b]).query(pieces_a[sel_a])
        qa, qb = sel_a[qa], sel_b[qb]
        key = owner_a[qa] * n_b + owner_b[qb]
        pos = np.minimum(np.searchsorted(wanted, key), len(wanted) - 1)
        hit = wanted[pos] == key
        xa.append(qa[hit])
        xb.append(qb[hit])
        k.append(cut[pos[hit]])
    xa, xb, k = (np.concatenate(v).astype(np.int64) for v in (xa, xb, k))
    order = np.lexsort((xb, xa, k))
    return xa[order], xb[order], k[order]


def _chunks(pieces_a, pieces_b, xa, xb, min_chunks: int = 1) -> list[slice]:
    """Consecutive slices of the work items, each touching at most about CHUNK_VERTICES vertices."""
    if len(xa) == 0:
        return []
    cost = shapely.get_num_coordinates(pieces_a)[xa] + shapely.get_num_coordinates(pieces_b)[xb]
    cum = np.cumsum(cost)
    n_chunks = max(min_chunks, int(np.ceil(cum[-1] / CHUNK_VERTICES)))
    cuts = np.searchsorted(cum, np.arange(1, n_chunks) * (cum[-1] / n_chunks))
    bounds = np.unique(np.concatenate([[0], cuts, [len(xa)]]))
    return [slice(int(s), int(e)) for s, e in zip(bounds[:-1], bounds[1:]) if e > s]


def _item_areas(x: np.ndarray, y: np.ndarray, known_to_intersect: bool = False) -> np.ndarray:
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
    if len(todo):
        area[todo] = shapely.area(shapely.intersection(x[todo], y[todo]))
    return area


def _quadtree_cut(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut each polygon into pieces of at most MAX_PIECE_VERTICES vertices (where possible).

    Returns (owner, pieces) sorted by owner. Each level splits every oversized piece into the
    four quadrants of its bounding box with one vectorised ``shapely.intersection``.
    """
    owner = np.arange(len(geoms))
    todo = geoms
    out_owner, out_geom = [], []
    for _level in range(32):
        if len(todo) == 0:
            break
        xmin, ymin, xmax, ymax = shapely.bounds(todo).T
        xm = (xmin + xmax) / 2
        ym = (ymin + ymax) / 2
        boxes = shapely.box(
            np.concatenate([xmin, xm, xmin, xm]),
            np.concatenate([ymin, ymin, ym, ym]),
            np.concatenate([xm, xmax, xm, xmax]),
            np.concatenate([ym, ym, ymax, ymax]),
        )
        parts = shapely.intersection(np.tile(todo, 4), boxes)
        part_owner = np.tile(owner, 4)
        parts, part_owner = _polygonal(parts, part_owner)
        small = shapely.get_num_coordinates(parts) <= MAX_PIECE_VERTICES
        out_owner.append(part_owner[small])
        out_geom.append(parts[small])
        todo, owner = parts[~small], part_owner[~small]
    if len(todo):  # give up refining pathological pieces
        out_owner.append(owner)
        out_geom.append(todo)
    owner = np.concatenate(out_owner)
    geom = np.concatenate(out_geom)
    order = np.argsort(owner, kind="stable")
    return owner[order], geom[order]


def _polygonal(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the non-empty polygonal results (dropping lines and points from touching boxes)."""
    keep = ~shapely.is_empty(geoms)
    geoms, owner = geoms[keep], owner[keep]
    tid = shapely.get_type_id(geoms)
    mixed = ~np.isin(tid, _POLYGONAL)
    if mixed.any():
        parts, idx = shapely.get_parts(geoms[mixed], return_index=True)
        poly = np.isin(shapely.get_type_id(parts), _POLYGONAL)
        geoms = np.concatenate([geoms[~mixed], parts[poly]])
        owner = np.concatenate([owner[~mixed], owner[mixed][idx[poly]]])
    return geoms, owner


# --------------------------------------------------------------------------------------------
# parallel execution


def _run_pool(pieces_a, pieces_b, xa, xb, chunks, out, workers, progress) -> None:
    import multiprocessing as mp

    # fork is cheap and needs no importable __main__; WKB keeps the payload explicit and small.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    total = len(chunks)
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=ctx) as pool:
        futures = {}
        for sl in chunks:
            ua, la = np.unique(xa[sl], return_inverse=True)
            ub, lb = np.unique(xb[sl], return_inverse=True)
            job = (shapely.to_wkb(pieces_a[ua]), shapely.to_wkb(pieces_b[ub]), la, lb)
            futures[pool.submit(_worker, job)] = sl
        done = 0
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                out[futures[fut]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, total)


def _worker(job) -> np.ndarray:
    wa, wb, la, lb = job
    return _item_areas(shapely.from_wkb(wa)[la], shapely.from_wkb(wb)[lb])
