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

This module holds the driver (steps 1 and the bookkeeping); the steps live in
:mod:`coterm.intersect_pairs` (2 and 4: nested pairs and the predicate cascade),
:mod:`coterm.intersect_pieces` (3: quadtree cutting) and :mod:`coterm.intersect_pool` (worker
processes).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely

from coterm.errors import GeometryError

from .intersect_pairs import item_areas, settle_nested
from .intersect_pieces import _POLYGONAL, piece_pairs, pieces

__all__ = ["intersection_areas", "overlapping_pairs"]

#: Polygons with more vertices than this are cut into pieces before intersecting.
MAX_PIECE_VERTICES = 2_000
#: Rough number of vertices handled per chunk of work (bounds memory, sets progress granularity).
CHUNK_VERTICES = 1_000_000
#: Below this many vertices of work a pool costs more than it saves; such jobs run in-process.
PARALLEL_MIN_VERTICES = 200_000

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
    ia, ib, done_ia, done_ib, done_area = settle_nested(ga, gb, ia, ib, a_disjoint, b_disjoint)
    owner_a, pieces_a = _pieces(ga)
    owner_b, pieces_b = _pieces(gb)
    xa, xb, pair = piece_pairs(ia, ib, len(ga), len(gb), owner_a, pieces_a, owner_b, pieces_b)
    item_area = np.zeros(len(xa), dtype=np.float64)
    chunks = _chunks(pieces_a, pieces_b, xa, xb, min_chunks=1 if workers == 1 else 4 * workers)
    total = len(chunks)
    # Items of uncut pairs from an "intersects" query are known to intersect; piece items and
    # bounding-box candidates are not.
    filtered = workers == 1 and len(xa) == len(ia)
    if workers == 1 or total <= 1:
        for done, sl in enumerate(chunks, start=1):
            item_area[sl] = item_areas(pieces_a[xa[sl]], pieces_b[xb[sl]], known_to_intersect=filtered)
            if progress is not None:
                progress(done, total)
    else:
        from .intersect_pool import run_pool

        run_pool(pieces_a, pieces_b, xa, xb, chunks, item_area, workers, progress)
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


def _work_vertices(ga, gb) -> int:
    """A cheap proxy for the work: vertices in both layers."""
    return int(shapely.get_num_coordinates(ga).sum() + shapely.get_num_coordinates(gb).sum())


def _mean_vertices(geoms: np.ndarray) -> float:
    return float(shapely.get_num_coordinates(geoms).mean()) if len(geoms) else 0.0


def _pieces(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of each polygon (see :func:`coterm.intersect_pieces.pieces`), cut at ``MAX_PIECE_VERTICES``."""
    return pieces(geoms, MAX_PIECE_VERTICES)


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
