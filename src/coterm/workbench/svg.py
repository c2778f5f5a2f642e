"""Display geometry for the workbench: one SVG path per unit, simplified once as a coverage.

The page draws an SVG (no tiles, no map library), so it opens from ``file://`` with nothing else.
Coordinates are the layer's metric CRS divided by ``scale`` metres and rounded to integers, with y
flipped; ``coverage_simplify`` keeps neighbours gap-free. Only for display: nothing is measured on it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["svg_paths"]


def _tolerance(bounds) -> float:
    """Simplification tolerance in metres: about 1/1500 of the extent's larger side (≈ 400 m for England)."""
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0)
    return span / 1500.0


def svg_paths(layer, *, scale: float | None = None) -> tuple[list[str], list[int]]:
    """SVG path data per unit (in ``layer.codes`` order) and the view box ``[x, y, w, h]``."""
    import shapely

    from ..crs import to_working

    gdf = to_working(layer.frame, source=layer.id)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bounds = shapely.total_bounds(geoms)
    tol = _tolerance(bounds)
    try:
        simple = shapely.coverage_simplify(geoms, tol)
    except Exception:  # not a valid coverage (a user's file): simplify each unit on its own
        simple = shapely.simplify(geoms, tol, preserve_topology=True)
    scale = scale or max(tol / 2.0, 1.0)
    x0, y1 = bounds[0], bounds[3]
    paths = []
    for g in simple:
        rings = shapely.get_rings(shapely.get_parts(g)) if g is not None and not g.is_empty else []
        parts = []
        for ring in rings:
            xy = shapely.get_coordinates(ring)[:-1]
            if len(xy) < 3:
                continue
            px = np.rint((xy[:, 0] - x0) / scale).astype(np.int64)
            py = np.rint((y1 - xy[:, 1]) / scale).astype(np.int64)
            keep = np.ones(len(px), dtype=bool)
            keep[1:] = (np.diff(px) != 0) | (np.diff(py) != 0)  # drop repeats made by rounding
            px, py = px[keep], py[keep]
            if len(px) < 3:
                continue
            pts = " ".join(f"{a} {b}" for a, b in zip(px.tolist(), py.tolist()))
            parts.append(f"M{pts}Z")
        paths.append("".join(parts))
    w = int(np.ceil((bounds[2] - bounds[0]) / scale)) + 1
    h = int(np.ceil((bounds[3] - bounds[1]) / scale)) + 1
    return paths, [0, 0, w, h]
