"""Deterministic synthetic partitions for the benchmarks (and a few tests).

A *fine* layer is a Voronoi partition of a square (metres, EPSG:27700-like coordinates) whose
edges are densified and jittered **once per edge**, then re-assembled with ``shapely.polygonize``:
both neighbours of an edge share the very same wiggly line, so the layer stays a gap-free,
overlap-free coverage, with a few hundred vertices per cell (like real administrative data).

Two coarser layers go with it:

* ``nested`` – unions of ~10 neighbouring fine cells (every fine cell lies in exactly one coarse
  unit; neighbouring units touch along shared fine edges), like LSOAs inside districts.
* ``independent`` – a Voronoi partition from a different seed with ~n/10 cells and the same edge
  resolution, unrelated to the fine cells, like two bodies that never coordinated.

Usage::

    fine, nested, independent = synthetic_layers(10_000, seed=1)   # numpy arrays of polygons
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

__all__ = ["ORIGIN", "SIDE", "partition", "nested_groups", "synthetic_layers"]

#: South-west corner of the square (EPSG:27700 metres, in the English Midlands) and its side.
ORIGIN = (400_000.0, 250_000.0)
SIDE = 100_000.0
#: Target number of vertices on the boundary of one fine cell.
VERTICES_PER_CELL = 200


def _square(origin=ORIGIN, side=SIDE):
    x0, y0 = origin
    return shapely.box(x0, y0, x0 + side, y0 + side)


def partition(n: int, seed: int, *, segment: float | None = None, origin=ORIGIN, side=SIDE) -> np.ndarray:
    """A coverage of the square by ``n`` jittered Voronoi cells (array of Polygons).

    ``segment`` is the target spacing of boundary vertices in metres; by default it gives about
    ``VERTICES_PER_CELL`` vertices per cell.
    """
    rng = np.random.default_rng(seed)
    square = _square(origin, side)
    x0, y0 = origin
    pts = rng.uniform(0, side, size=(n, 2)) + (x0, y0)
    cell = side / np.sqrt(n)
    if segment is None:
        segment = 3.7 * cell / VERTICES_PER_CELL  # Voronoi perimeter ≈ 3.7·√area
    frame = shapely.buffer(square, side)  # far enough for every clipped edge to be finite
    edges = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame, only_edges=True)
    edges = shapely.get_parts(shapely.intersection(edges, square))
    edges = edges[shapely.get_type_id(edges) == 1]  # LineStrings only
    edges = _jitter(edges, segment, rng)
    # The square's outline stays straight, split wherever an edge ends on it.
    rim = _rim(square, edges)
    cells = shapely.get_parts(shapely.polygonize(np.concatenate([edges, rim])))
    return _order(cells)


def _rim(square, edges: np.ndarray) -> np.ndarray:
    """The square's outline cut into lines at the edge ends lying on it (exact coordinates)."""
    ring = shapely.boundary(square)
    ends = np.concatenate([shapely.get_point(edges, 0), shapely.get_point(edges, -1)])
    ends = ends[shapely.distance(ends, ring) < 1e-6]
    corners = shapely.points(shapely.get_coordinates(ring)[:-1])
    where = np.concatenate([shapely.line_locate_point(ring, ends), shapely.line_locate_point(ring, corners)])
    xy = np.concatenate([shapely.get_coordinates(ends), shapely.get_coordinates(corners)])
    is_end = np.concatenate([np.ones(len(ends), bool), np.zeros(len(corners), bool)])
    order = np.argsort(where, kind="stable")
    xy, is_end = xy[order], is_end[order]
    first = int(np.flatnonzero(is_end)[0])  # rotate so the ring starts at an edge end
    xy = np.roll(xy, -first, axis=0)
    is_end = np.roll(is_end, -first)
    xy = np.vstack([xy, xy[:1]])
    cuts = np.flatnonzero(np.append(is_end, True))
    return np.array([shapely.linestrings(xy[s : e + 1]) for s, e in zip(cuts[:-1], cuts[1:])])


def _jitter(lines: np.ndarray, segment: float, rng) -> np.ndarray:
    """Densify each straight edge and move interior vertices sideways, ends fixed."""
    lines = shapely.segmentize(lines, segment)
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    start = shapely.get_coordinates(shapely.get_point(lines, 0))[idx]
    end = shapely.get_coordinates(shapely.get_point(lines, -1))[idx]
    vec = end - start
    length = np.hypot(vec[:, 0], vec[:, 1])
    t = np.einsum("ij,ij->i", coords - start, vec) / np.where(length > 0, length**2, 1.0)
    t = np.clip(t, 0.0, 1.0)
    normal = np.column_stack([-vec[:, 1], vec[:, 0]]) / np.where(length > 0, length, 1.0)[:, None]
    taper = 4 * t * (1 - t)  # zero at both ends: nodes stay put
    # a gentle bend over the whole edge plus vertex-scale noise
    phase = rng.uniform(0, 2 * np.pi, size=len(lines))[idx]
    bend = 0.02 * length * np.sin(np.pi * t + phase) * np.sin(np.pi * t)
    noise = 0.25 * segment * rng.uniform(-1, 1, size=len(coords))
    offset = (bend + noise * np.minimum(1.0, taper * 4)) * np.minimum(1.0, taper * 2)
    moved = coords + normal * offset[:, None]
    return shapely.linestrings(moved, indices=idx)


def _order(cells: np.ndarray) -> np.ndarray:
    """A stable, spatially coherent order (like codes): by row of 2 km bands, then x."""
    p = shapely.get_coordinates(shapely.point_on_surface(cells))
    order = np.lexsort((p[:, 0], np.floor(p[:, 1] / 2_000.0)))
    return cells[order]


def nested_groups(cells: np.ndarray, group_size: int, seed: int) -> np.ndarray:
    """Union of groups of about ``group_size`` neighbouring cells (coverage union per group)."""
    rng = np.random.default_rng(seed)
    p = shapely.get_coordinates(shapely.point_on_surface(cells))
    k = max(1, len(cells) // group_size)
    centres = p[np.sort(rng.choice(len(cells), size=k, replace=False))]
    _, group = cKDTree(centres).query(p)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    members = np.split(cells[order], bounds)
    units = np.array([shapely.coverage_union_all(m) for m in members], dtype=object)
    return _order(units)


def synthetic_layers(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fine, nested, independent) layers for ``n`` fine cells; deterministic for ``seed``."""
    fine = partition(n, seed)
    segment = 3.7 * (SIDE / np.sqrt(n)) / VERTICES_PER_CELL
    nested = nested_groups(fine, 10, seed + 1)
    independent = partition(max(2, n // 10), seed + 1_000, segment=segment)
    return fine, nested, independent
