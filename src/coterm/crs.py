"""The working CRS policy: every measurement happens in metres, in one place.

* Layers in Great Britain are measured in British National Grid (EPSG:27700): conformal, with a
  scale error under 0.04 % over England, so areas are within ~0.1 %.
* Elsewhere (the island of Ireland, a UK-wide layer that includes Northern Ireland, anywhere else) a
  Lambert azimuthal equal-area projection centred on the data is used: areas are exact. "In Great
  Britain" is a test of the layer's real points (each unit's representative point and a sample of its
  vertices) against a coarse outline of the island of Ireland, not of a box: GB's lon/lat box takes
  Northern Ireland in, where BNG would be 0.84 % off.
* Coordinates must be finite and plausible (within ±1e8 CRS units; degrees within ±180/±90); a CRS that
  is neither projected nor geographic (geocentric, engineering, vertical) is refused.
* A layer without a CRS is refused unless the caller states one; coordinates that cannot be what
  the CRS says (metres labelled as degrees, latitude/longitude swapped) are refused loudly.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS

from .errors import CRSError, shown

__all__ = ["WORKING_CRS", "working_crs_for", "to_working", "check_plausible", "require_metric", "parse_crs", "in_great_britain"]

WORKING_CRS = CRS.from_epsg(27700)

# Great Britain and its islands in lon/lat, generously (Scilly to Shetland).
_GB_LONLAT = (-9.0, 49.0, 2.5, 61.5)
# The island of Ireland, coarsely (lon, lat), drawn through the sea between it and Great Britain:
# St George's Channel, the Irish Sea west of Man, the North Channel between Antrim and Kintyre.
# Checked on ONS's UK districts (May 2024): every Northern Irish vertex inside, every British one
# outside, with 0.06° to spare.
_IRELAND_LONLAT = ((-11.0, 51.2), (-5.75, 51.2), (-5.75, 52.6), (-5.55, 53.6), (-5.3, 54.3), (-5.4, 54.75), (-5.9, 55.1),
                   (-6.0, 55.35), (-7.5, 55.5), (-11.0, 55.5))
_LIMIT = 1e8  # no coordinate on Earth is this far from the origin in any metric or feet-based CRS


def parse_crs(value, *, source: str = "--crs") -> CRS:
    """A CRS from user input (``EPSG:27700``, a PROJ string, WKT...), or a one-line CRSError."""
    if isinstance(value, CRS):
        return value
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        return CRS.from_user_input(value)
    except (ProjCRSError, TypeError, ValueError):
        raise CRSError(f"{source}: '{shown(value, 80)}' is not a coordinate reference system coterm knows; give an EPSG code "
                       "such as EPSG:27700 (British National Grid) or EPSG:4326 (longitude/latitude)") from None


def _bounds_within(bounds, box) -> bool:
    return bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def check_plausible(bounds, crs: CRS, *, source: str) -> None:
    """Refuse coordinates that cannot be what ``crs`` says they are.

    Raises CRSError for a CRS that is neither projected nor geographic (geocentric, engineering),
    non-finite or implausibly large coordinates, degrees out of range (metres labelled as degrees),
    latitude/longitude swapped in Britain, and projected coordinates that look like degrees.
    """
    if not (crs.is_projected or crs.is_geographic):
        kind = "geocentric (x, y, z from the Earth's centre)" if crs.is_geocentric else f"a {crs.type_name}"
        raise CRSError(f"{source}: the CRS {shown(crs.name, 80)} is {kind}, not a map projection or longitude/latitude; "
                       "reproject the file to EPSG:27700 or EPSG:4326")
    if not np.all(np.isfinite(bounds)):
        raise CRSError(f"{source}: coordinates are not finite numbers; check the file")
    if np.max(np.abs(bounds)) > _LIMIT:
        raise CRSError(f"{source}: coordinates reach {float(np.max(np.abs(bounds))):.3g}, which no place on Earth has in "
                       f"{shown(crs.to_string(), 60)}; the file is damaged or its CRS is wrong")
    minx, miny, maxx, maxy = bounds
    if crs.is_geographic:
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            raise CRSError(
                f"{source}: the CRS is {crs.to_string()} (degrees) but coordinates reach "
                f"x={max(abs(minx), abs(maxx)):.0f}, y={max(abs(miny), abs(maxy)):.0f}: they look like metres; "
                "state the real CRS (e.g. --crs EPSG:27700)"
            )
        # lat/lon swapped: "x" in Britain's latitudes and "y" in its longitudes
        if _bounds_within((miny, minx, maxy, maxx), _GB_LONLAT) and not _bounds_within(bounds, _GB_LONLAT):
            raise CRSError(
                f"{source}: coordinates look like latitude/longitude swapped (x from {minx:.2f} to {maxx:.2f} "
                "looks like British latitudes); write them as longitude, latitude (x, y)"
            )
    elif crs.is_projected:
        unit = (crs.axis_info[0].unit_name or "").lower() if crs.axis_info else ""
        if unit in ("metre", "meter", "m") and max(abs(minx), abs(maxx), abs(miny), abs(maxy)) <= 180 and (maxx - minx) < 10 and (maxy - miny) < 10:
            raise CRSError(
                f"{source}: the CRS is {crs.to_string()} (metres) but every coordinate is within ±180 and the layer is "
                f"{maxx - minx:.2f} × {maxy - miny:.2f} m: they look like degrees; state the real CRS (e.g. --crs EPSG:4326)"
            )


def in_great_britain(lonlat_xy) -> bool:
    """Whether every point (an (n, 2) array of lon, lat) lies in Great Britain's box and none on the island of Ireland."""
    import shapely

    xy = np.asarray(lonlat_xy, dtype=float).reshape(-1, 2)
    if not len(xy):
        return False
    if not _bounds_within((xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()), _GB_LONLAT):
        return False
    west = xy[xy[:, 0] < -5.2]
    return not (len(west) and shapely.contains_xy(shapely.Polygon(_IRELAND_LONLAT), west[:, 0], west[:, 1]).any())


def _sample_points(geoms, bounds, n: int = 20_000):
    """The layer's real points: each unit's representative point and an even sample of its vertices (or the box's corners)."""
    import shapely

    if geoms is None:
        x0, y0, x1, y1 = bounds
        return np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1], [(x0 + x1) / 2, (y0 + y1) / 2]])
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    reps = shapely.get_coordinates(shapely.point_on_surface(geoms))
    verts = shapely.get_coordinates(geoms)
    if len(verts) > n:
        verts = verts[:: len(verts) // n]
    return np.vstack([reps, verts])


@lru_cache(maxsize=64)
def _to_lonlat(crs: CRS):
    """The transformer from ``crs`` to lon/lat, built once per CRS: building one costs ~25 ms, more than
    transforming a layer's sample points (geopandas caches its own the same way). Transformers are
    thread-safe in pyproj 3.1+ (one PROJ context per thread)."""
    from pyproj import Transformer

    return Transformer.from_crs(crs, 4326, always_xy=True)


def working_crs_for(bounds, crs: CRS, *, geoms=None) -> CRS:
    """The metric CRS to measure a layer in: BNG in Great Britain, else an equal-area projection centred on it.

    ``geoms`` (the layer's geometries, in ``crs``) lets the test use the layer's real points; without
    them only the corners and centre of ``bounds`` are tested.
    """
    if crs.equals(WORKING_CRS) and geoms is None:
        return WORKING_CRS
    pts = _sample_points(geoms, bounds)
    if crs.is_geographic and crs.equals(CRS.from_epsg(4326)):
        lonlat_pts = pts
    else:
        t = _to_lonlat(crs)
        lonlat_pts = np.column_stack(t.transform(pts[:, 0], pts[:, 1]))
    if in_great_britain(lonlat_pts):
        return WORKING_CRS
    if crs.is_geographic:
        lonlat = bounds
    else:
        lonlat = _to_lonlat(crs).transform_bounds(*bounds)
    lon0 = round((lonlat[0] + lonlat[2]) / 2, 1)
    lat0 = round((lonlat[1] + lonlat[3]) / 2, 1)
    return CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")


def working_crs_for_frames(*frames) -> CRS:
    """One metric CRS to measure several layers together (each a GeoDataFrame with a CRS).

    Layers already sharing BNG or one of coterm's equal-area projections stay in it; otherwise the
    test of :func:`working_crs_for` runs on the real points of all of them together.
    """
    first = frames[0].crs
    if all(f.crs.equals(first) for f in frames) and (first.equals(WORKING_CRS) or "+proj=laea" in (first.to_proj4() or "")):
        return first
    pts = []
    for f in frames:
        p = _sample_points(f.geometry.to_numpy(), f.total_bounds)
        if not (f.crs.is_geographic and f.crs.equals(CRS.from_epsg(4326))):
            p = np.column_stack(_to_lonlat(f.crs).transform(p[:, 0], p[:, 1]))
        pts.append(p)
    lonlat = np.vstack(pts)
    return working_crs_for((lonlat[:, 0].min(), lonlat[:, 1].min(), lonlat[:, 0].max(), lonlat[:, 1].max()), CRS.from_epsg(4326),
                           geoms=_points(lonlat))


def _points(xy):
    import shapely

    return shapely.points(xy)


def to_working(gdf, *, source: str, crs=None, target: CRS | None = None):
    """Return ``gdf`` in its working metric CRS (or ``target``), checking the CRS is present and plausible.

    ``crs`` states the CRS of a file that has none (it does not override one the file declares,
    unless the declared one is implausible for the coordinates: then the error says so).
    """
    if gdf.crs is None:
        if crs is None:
            raise CRSError(
                f"{source}: the file has no coordinate reference system; state it with crs=... "
                "(CLI: --crs EPSG:27700 for British National Grid, EPSG:4326 for longitude/latitude)"
            )
        gdf = gdf.set_crs(parse_crs(crs, source=source))
    elif crs is not None and not parse_crs(crs, source=source).equals(gdf.crs):
        raise CRSError(
            f"{source}: the file declares {shown(gdf.crs.to_string(), 80)} but {shown(parse_crs(crs).to_string(), 80)} was given; "
            "drop the option or fix the file"
        )
    bounds = gdf.total_bounds
    if len(gdf):
        check_plausible(bounds, gdf.crs, source=source)
    dest = target if target is not None else working_crs_for(bounds, gdf.crs, geoms=gdf.geometry.to_numpy())
    if gdf.crs.equals(dest):
        return gdf
    return gdf.to_crs(dest)


def require_metric(crs, *, source: str) -> None:
    """Refuse to measure areas in a geographic (degree) CRS."""
    if crs is None:
        raise CRSError(f"{source}: no CRS; areas cannot be measured")
    crs = parse_crs(crs, source=source)
    if not crs.is_projected:
        raise CRSError(
            f"{source}: {crs.to_string()} is not a projected CRS; areas in degrees are meaningless. "
            "Reproject to a metric CRS (coterm uses EPSG:27700 in Britain)"
        )
