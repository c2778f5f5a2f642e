"""Huge polygons cut into pieces, and the pairs of pieces that make up a pair of polygons.

Step 3 of :func:`coterm.intersect.intersection_areas`: a polygon with more vertices than the
engine's limit is cut by a quadtree of rectangles into pieces with few vertices (the pieces
partition the polygon, so their areas sum to its area), and a candidate pair involving it becomes
the pairs of pieces whose bounding boxes meet. Every intersection is then small and local.
"""

from __future__ import annotations

import numpy as np
import shapely

_POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon


def pieces(geoms: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of each polygon: itself, or quadtree pieces if it has more than ``max_vertices`` vertices.

    Returns (owner, pieces) sorted by owner: the position in ``geoms`` each piece came from.
    """
    big = shapely.get_num_coordinates(geoms) > max_vertices
    if not big.any():
        return np.arange(len(geoms), dtype=np.int64), geoms
    ids = np.flatnonzero(big)
    cut_owner, cut_geom = quadtree_cut(geoms[ids], max_vertices)
    owner = np.concatenate([np.flatnonzero(~big), ids[cut_owner]])
    pieces = np.concatenate([geoms[~big], cut_geom])
    order = np.argsort(owner, kind="stable")
    return owner[order].astype(np.int64), pieces[order]


def piece_pairs(ia, ib, n_a, n_b, owner_a, pieces_a, owner_b, pieces_b):
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



def quadtree_cut(geoms: np.ndarray, max_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut each polygon into pieces of at most ``max_vertices`` vertices (where possible).

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
        parts, part_owner = polygonal(parts, part_owner)
        small = shapely.get_num_coordinates(parts) <= max_vertices
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


def polygonal(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
