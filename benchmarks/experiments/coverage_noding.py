"""EXPERIMENT (not used by coterm; correct but 1.2-3 x slower than coterm.intersect: see README.md here).

Intersection areas of two polygon layers by noding their linework once (coverage overlay).

``coterm.intersect`` pays one GEOS overlay per crossing pair, so an edge shared by many pairs is
processed once per pair. Here the boundary linework of *both* layers is built once, every
edge shared by two neighbours (or by the two layers) kept once, noded once and polygonized:
each face of the arrangement lies wholly inside or wholly outside every input polygon, so it is
one piece of one or more intersections ``a ∩ b``. One interior point per face, asked which
polygons of each layer contain it (one bulk prepared ``STRtree`` query per layer), assigns it.

The plane is cut into tiles of about ``TILE_VERTICES`` vertices of linework; each tile's
linework is clipped to the tile and noded together with the tile's outline, so faces stop at
tile borders (their areas still add up) and tiles can run in worker processes. The tiling
depends only on the inputs, never on ``workers``, so the result does not either.

Nothing here assumes the layers are partitions: a face inside two overlapping polygons of one
layer counts for both, as an overlay would. Inputs must be valid polygons in a projected CRS.
"""

from __future__ import annotations

import numpy as np
import shapely

from coterm.intersect import _as_polygons  # the engine's input check (same contract)

__all__ = ["coverage_intersection_areas"]

#: Rough number of linework vertices per tile (bounds the noder's and polygonizer's work).
TILE_VERTICES = 50_000


def coverage_intersection_areas(a, b, *, workers: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same contract as :func:`coterm.intersect.intersection_areas`: ``(ia, ib, area)`` sorted by
    ``(ia, ib)``, only pairs with ``area > 0``.

    >>> import shapely
    >>> a = [shapely.box(0, 0, 2, 2)]
    >>> b = [shapely.box(1, 1, 3, 3), shapely.box(2, 0, 3, 1)]  # the second only touches
    >>> coverage_intersection_areas(a, b)
    (array([0]), array([0]), array([1.]))
    """
    ga = _as_polygons(a, "a")
    gb = _as_polygons(b, "b")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    ok_a = ~(shapely.is_missing(ga) | shapely.is_empty(ga))
    ok_b = ~(shapely.is_missing(gb) | shapely.is_empty(gb))
    if not ok_a.any() or not ok_b.any():
        return _empty()
    lines = unique_linework(np.concatenate([ga[ok_a], gb[ok_b]]))
    tiles = _tiles(lines, ga[ok_a], gb[ok_b])
    jobs = [(tile, lines) for tile in tiles]
    if workers > 1 and len(tiles) > 1:
        parts = _run_pool(jobs, ga, gb, workers)
    else:
        tree_a, tree_b = shapely.STRtree(ga), shapely.STRtree(gb)
        parts = [_tile_pieces(t, ls, ga, gb, tree_a, tree_b) for t, ls in jobs]
    fa = np.concatenate([p[0] for p in parts])
    fb = np.concatenate([p[1] for p in parts])
    area = np.concatenate([p[2] for p in parts])
    if not len(area):
        return _empty()
    key = fa * np.int64(len(gb)) + fb
    uniq, inv = np.unique(key, return_inverse=True)
    total = np.bincount(inv, weights=area, minlength=len(uniq))
    keep = total > 0
    uniq, total = uniq[keep], total[keep]
    return uniq // len(gb), uniq % len(gb), total


def _empty():
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)


def unique_linework(geoms: np.ndarray) -> np.ndarray:
    """The boundary linework of ``geoms`` with every segment kept once, as linestrings.

    A segment shared by two neighbours (or two layers) appears in both rings, once in each
    direction or the same; the second occurrence is dropped. Kept segments are joined back into
    the longest runs along their rings, so the noder sees few, long lines.
    """
    rings = shapely.get_rings(shapely.get_parts(geoms))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    start = np.flatnonzero(same)  # segment k runs from point start[k] to start[k] + 1
    p, q = xy[start], xy[start + 1]
    flip = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
    seg = np.where(flip[:, None], np.hstack([q, p]), np.hstack([p, q]))
    _, first = np.unique(seg, axis=0, return_index=True)
    keep = np.zeros(len(start), bool)
    keep[first] = True
    kept = start[keep]
    # a new run starts where the previous kept segment is not the one just before on the same ring
    new_run = np.ones(len(kept), bool)
    new_run[1:] = (kept[1:] != kept[:-1] + 1) | (ring[kept[1:]] != ring[kept[:-1]])
    run = np.cumsum(new_run) - 1
    last = np.ones(len(kept), bool)
    last[:-1] = new_run[1:]
    pts = np.concatenate([kept, kept[last] + 1])
    pts_run = np.concatenate([run, run[last]])
    order = np.lexsort((pts, pts_run))
    return shapely.linestrings(xy[pts[order]], indices=pts_run[order])


def _tiles(lines: np.ndarray, ga: np.ndarray, gb: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Rectangles covering both layers, split (kd-style, at the median vertex) until each holds
    about TILE_VERTICES vertices of linework."""
    xy = shapely.get_coordinates(lines)
    b1, b2 = shapely.total_bounds(ga), shapely.total_bounds(gb)
    pad = 1.0
    box = (min(b1[0], b2[0]) - pad, min(b1[1], b2[1]) - pad, max(b1[2], b2[2]) + pad, max(b1[3], b2[3]) + pad)
    out = []
    stack = [(box, xy)]
    while stack:
        (x0, y0, x1, y1), pts = stack.pop()
        if len(pts) <= TILE_VERTICES or (x1 - x0) < 1.0 and (y1 - y0) < 1.0:
            out.append((x0, y0, x1, y1))
            continue
        axis = 0 if (x1 - x0) >= (y1 - y0) else 1
        cut = float(np.median(pts[:, axis]))
        lo = (x0, y0, cut, y1) if axis == 0 else (x0, y0, x1, cut)
        hi = (cut, y0, x1, y1) if axis == 0 else (x0, cut, x1, y1)
        left = pts[:, axis] <= cut
        stack.append((hi, pts[~left]))
        stack.append((lo, pts[left]))
    return sorted(out)


def _tile_pieces(tile, lines, ga, gb, tree_a, tree_b):
    """(ia, ib, area) of the faces of one tile (unsorted, one row per face and pair)."""
    x0, y0, x1, y1 = tile
    if len(tiles_lines := _lines_in(tile, lines)) == 0:
        return _empty()
    outline = shapely.boundary(shapely.box(x0, y0, x1, y1))
    clipped = shapely.clip_by_rect(tiles_lines, x0, y0, x1, y1)
    clipped = clipped[~shapely.is_empty(clipped)]
    noded = shapely.node(shapely.multilinestrings(np.concatenate([shapely.get_parts(clipped), [outline]])))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    if not len(faces):
        return _empty()
    pts = shapely.point_on_surface(faces)
    fa, pa = _containing(pts, ga, tree_a)
    fb, pb = _containing(pts, gb, tree_b)
    ia, ib, face = _join(fa, pa, fb, pb, len(faces))
    return ia, ib, shapely.area(faces)[face]


def _lines_in(tile, lines):
    x0, y0, x1, y1 = tile
    b = shapely.bounds(lines)
    hit = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
    return lines[hit]


def _containing(pts, polys, tree):
    """(point index, polygon index) for every polygon containing a point."""
    cand_pt, cand_poly = tree.query(pts)  # bounding boxes only
    if not len(cand_pt):
        return cand_pt, cand_poly
    # prepared polygons, each asked about its own few points
    shapely.prepare(polys[cand_poly])
    inside = shapely.contains_properly(polys[cand_poly], pts[cand_pt])
    return cand_pt[inside].astype(np.int64), cand_poly[inside].astype(np.int64)


def _join(fa, pa, fb, pb, n_faces):
    """Every (a, b, face) with face inside both a and b (usually one a and one b per face)."""
    oa = np.argsort(fa, kind="stable")
    fa, pa = fa[oa], pa[oa]
    ob = np.argsort(fb, kind="stable")
    fb, pb = fb[ob], pb[ob]
    cb = np.bincount(fb, minlength=n_faces)
    start_b = np.concatenate([[0], np.cumsum(cb)])[:-1]
    reps = cb[fa]
    rows = np.repeat(np.arange(len(fa)), reps)
    block = np.repeat(np.cumsum(reps) - reps, reps)
    offset = np.arange(len(rows)) - block
    face = fa[rows]
    return pa[rows], pb[start_b[face] + offset], face


# --------------------------------------------------------------------------------------------
# parallel execution: tiles in worker processes


def _run_pool(jobs, ga, gb, workers):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    _SHARED = (ga, gb)  # inherited by forked workers; spawn falls back to WKB below
    payload = None if ctx.get_start_method() == "fork" else (shapely.to_wkb(ga), shapely.to_wkb(gb))
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
            futures = [pool.submit(_worker, tile, shapely.to_wkb(_lines_in(tile, lines)), payload)
                       for tile, lines in jobs]
            return [f.result() for f in futures]
    finally:
        _SHARED = None


_SHARED = None
_TREES = None


def _worker(tile, lines_wkb, payload):
    global _SHARED, _TREES
    if payload is not None and _SHARED is None:
        _SHARED = tuple(shapely.from_wkb(p) for p in payload)
    ga, gb = _SHARED
    if _TREES is None:
        _TREES = (shapely.STRtree(ga), shapely.STRtree(gb))
    return _tile_pieces(tile, shapely.from_wkb(lines_wkb), ga, gb, *_TREES)
