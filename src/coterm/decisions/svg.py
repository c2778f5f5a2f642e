"""Small offline maps as inline SVG: polygons → path strings of numbers (never text from data).

Names travel separately and reach the page only through autoescaped templates (``<title>`` of each path).
Geometry is simplified for display only, after every measurement (``shapely.simplify`` in metres, topology kept
per polygon), and written with 0.1 px precision, so outputs are deterministic.
"""

from __future__ import annotations

import numpy as np

__all__ = ["svg_shapes", "PALETTE", "STRADDLE_COLOURS"]

PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#b2df8a", "#fb9a99",
           "#fdbf6f", "#cab2d6", "#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5")
STRADDLE_COLOURS = ("#4daf4a", "#ff9f1c", "#e41a1c")   # straddles 0, 1, 2+ partner layers


def _rings(geom):
    if geom is None or geom.is_empty:
        return []
    polys = getattr(geom, "geoms", [geom])
    out = []
    for p in polys:
        if p.geom_type != "Polygon":
            continue
        out.append(np.asarray(p.exterior.coords))
        out += [np.asarray(r.coords) for r in p.interiors]
    return out


def svg_shapes(geoms, *, width: float = 320.0, tolerance: float | None = None) -> tuple[list[str], str, float]:
    """(path ``d`` strings, viewBox, height) for polygons in a metric CRS, scaled to ``width`` pixels."""
    import shapely

    geoms = list(geoms)
    valid = [g for g in geoms if g is not None and not g.is_empty]
    if not valid:
        return ["" for _ in geoms], f"0 0 {width:g} {width:g}", width
    x0, y0, x1, y1 = shapely.total_bounds(valid)
    span = max(x1 - x0, y1 - y0, 1.0)
    scale = width / span
    tol = tolerance if tolerance is not None else span / width * 0.7
    height = max((y1 - y0) * scale, 1.0)
    paths = []
    for g in geoms:
        if g is None or g.is_empty:
            paths.append("")
            continue
        g = shapely.simplify(g, tol, preserve_topology=True)
        parts = []
        for ring in _rings(g):
            xs = (ring[:, 0] - x0) * scale
            ys = (y1 - ring[:, 1]) * scale
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
            parts.append(f"M{pts}Z")
        paths.append(" ".join(parts))
    return paths, f"0 0 {width:.1f} {height:.1f}", height
