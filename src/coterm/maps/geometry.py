"""Display geometry for maps: a simplified, rounded copy made only for drawing.

Steps (never applied to the geometry used for measuring):

1. ``shapely.coverage_simplify`` in the layer's metric CRS (EPSG:27700), tolerance
   :data:`DEFAULT_TOLERANCE_M`. Coverage simplification simplifies each shared edge once, so
   neighbouring units keep identical edges: no gaps or overlaps appear between them.
2. Reproject to EPSG:4326 (what Leaflet expects).
3. Round coordinates to 5 decimals (1e-5° ≈ 1.1 m north–south, ≈ 0.7 m east–west in England),
   then drop repeated points. Shared vertices round identically, so neighbours stay gap-free.

Why 100 m: the national map opens at zoom ~6–7 where a pixel is ~1–2 km, and a planner zooms to
a county (zoom ~10, ~150 m/pixel); a 100 m tolerance is below a pixel there, while it cuts the
LTLA × ICB map well under the 4 MB budget. The tolerance is a keyword for closer looks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_TOLERANCE_M", "display_geometries", "geojson_texts", "compact_texts", "decode_compact", "label_points",
           "bounds_latlon"]

DEFAULT_TOLERANCE_M = 100.0
DECIMALS = 5


def display_geometries(frame, *, tolerance: float = DEFAULT_TOLERANCE_M, decimals: int = DECIMALS):
    """Simplified, EPSG:4326, rounded copies of a layer's geometries (a numpy array, same order).

    ``frame`` is a GeoDataFrame in a metric CRS. When the layer is not a valid coverage (units overlap)
    the GEOS coverage simplifier may fail; each unit is then simplified on its own (topology kept per
    unit, small gaps possible between neighbours).
    """
    import geopandas
    import shapely

    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    crs = frame.crs
    if crs is not None and crs.is_geographic:
        # never simplify in degrees: go to British National Grid for the simplification step
        geoms = np.asarray(geopandas.GeoSeries(geoms, crs=crs).to_crs(27700).to_numpy(), dtype=object)
        crs = geopandas.GeoSeries([], crs=27700).crs
    if tolerance and tolerance > 0 and len(geoms):
        try:
            simplified = shapely.coverage_simplify(geoms, tolerance)
        except shapely.errors.GEOSException:
            simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
        # a unit simplified to nothing keeps its original shape rather than vanishing from the map
        lost = shapely.is_empty(simplified) & ~shapely.is_empty(geoms)
        simplified = np.where(lost, geoms, simplified)
    else:
        simplified = geoms
    wgs = geopandas.GeoSeries(simplified, crs=crs).to_crs(4326).to_numpy()
    factor = 10.0**decimals
    rounded = shapely.transform(np.asarray(wgs, dtype=object), lambda xy: np.round(xy * factor) / factor)
    return shapely.remove_repeated_points(rounded, 0.0)


def geojson_texts(geoms) -> list:
    """GeoJSON geometry texts of display geometries (vectorised ``shapely.to_geojson``); ``None`` for empty ones.

    Only polygonal parts are kept (a coverage simplification can leave a stray line or point).
    """
    import shapely

    geoms = _polygonal(geoms)
    empty = pd_isna(geoms) | shapely.is_empty(geoms)
    texts = shapely.to_geojson(np.where(empty, None, geoms))
    return [None if e else str(t) for t, e in zip(texts, empty)]


def _polygonal(geoms):
    """Only the polygonal parts of each geometry (a coverage simplification can leave a stray line or point)."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    polygonal = np.asarray(shapely.get_type_id(geoms), dtype=int)
    mixed = ~np.isin(polygonal, (3, 6)) & ~shapely.is_empty(geoms) & ~pd_isna(geoms)
    if mixed.any():
        geoms = geoms.copy()
        for i in np.flatnonzero(mixed):
            parts = [g for g in shapely.get_parts(geoms[i]) if shapely.get_type_id(g) in (3, 6)]
            geoms[i] = shapely.multipolygons(list(shapely.get_parts(parts))) if parts else None
    return geoms


def compact_texts(geoms, decimals: int = DECIMALS) -> list:
    """The page's geometry format (about 60% smaller than GeoJSON), one JSON text per geometry, ``None`` for empty ones.

    A geometry is ``[polygon, ...]``, a polygon ``[ring, ...]`` (outer ring first), a ring a flat list of
    integers ``[x0, y0, dx1, dy1, ...]``: longitude and latitude in units of 10^-decimals degree, the
    first vertex absolute, each next one as the step from the one before; the closing vertex is left
    out (the page closes rings). Built with vectorised shapely and numpy (``to_ragged_array``): no
    per-vertex Python. :func:`decode_compact` reads it back (what ``static/map.js`` does).
    """
    import shapely

    geoms = _polygonal(geoms)
    empty = pd_isna(geoms) | np.asarray(shapely.is_empty(np.where(pd_isna(geoms), None, geoms)), dtype=bool)
    out: list = [None] * len(geoms)
    keep = np.flatnonzero(~empty)
    if not len(keep):
        return out
    typ, coords, offsets = shapely.to_ragged_array(list(geoms[keep]))
    if typ == shapely.GeometryType.POLYGON:
        ring_off, poly_off = offsets
        geom_off = np.arange(len(keep) + 1)
    else:
        ring_off, poly_off, geom_off = offsets
    factor = 10.0**decimals
    ints = np.rint(coords[:, :2] * factor).astype(np.int64)
    steps = ints.copy()
    steps[1:] -= ints[:-1]
    starts, ends = ring_off[:-1], ring_off[1:] - 1  # drop each ring's closing vertex
    steps[starts] = ints[starts]
    rings = [",".join(map(str, steps[a:b].ravel().tolist())) for a, b in zip(starts, ends)]
    polys = ["[" + ",".join("[" + rings[r] + "]" for r in range(poly_off[p], poly_off[p + 1])) + "]"
             for p in range(len(poly_off) - 1)]
    for j, i in enumerate(keep):
        out[i] = "[" + ",".join(polys[geom_off[j]:geom_off[j + 1]]) + "]"
    return out


def decode_compact(text: str, decimals: int = DECIMALS):
    """A shapely MultiPolygon from one :func:`compact_texts` text (for tests and checks)."""
    import json

    import shapely

    factor = 10.0**decimals
    polys = []
    for poly in json.loads(text):
        rings = []
        for ring in poly:
            xy = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0) / factor
            rings.append(np.vstack([xy, xy[:1]]))
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.MultiPolygon(polys)


def label_points(geoms) -> list:
    """[lat, lon] (5 decimals) of a point inside each geometry (``shapely.point_on_surface``), None for empty ones."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    pts = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(pts, include_z=False)
    empty = shapely.is_empty(pts) | pd_isna(geoms)
    out, k = [], 0
    for e in empty:
        if e:
            out.append(None)
        else:
            out.append([round(float(xy[k, 1]), 5), round(float(xy[k, 0]), 5)])
            k += 1
    return out


def pd_isna(geoms) -> np.ndarray:
    return np.array([g is None for g in geoms], dtype=bool)


def bounds_latlon(geoms) -> list[list[float]] | None:
    """[[south, west], [north, east]] of display geometries, or None when all are empty."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    keep = ~shapely.is_empty(geoms)
    if not keep.any():
        return None
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[keep])
    return [[round(float(ymin), 5), round(float(xmin), 5)], [round(float(ymax), 5), round(float(xmax), 5)]]
