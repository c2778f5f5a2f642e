"""The working CRS policy: every measurement happens in metres, in one place.

* Layers in Great Britain are measured in British National Grid (EPSG:27700): conformal, with a
  scale error under 0.04 % over England, so areas are within ~0.1 %.
* Elsewhere a Lambert azimuthal equal-area projection centred on the data is used.
* A layer without a CRS is refused unless the caller states one; coordinates that cannot be what
  the CRS says (metres labelled as degrees, latitude/longitude swapped) are refused loudly.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from .errors import CRSError

__all__ = ["WORKING_CRS", "working_crs_for", "to_working", "check_plausible", "require_metric"]

WORKING_CRS = CRS.from_epsg(27700)

# Great Britain and its islands in lon/lat, generously (Scilly to Shetland).
_GB_LONLAT = (-9.0, 49.0, 2.5, 61.5)


def _bounds_within(bounds, box) -> bool:
    return bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3]


def check_plausible(bounds, crs: CRS, *, source: str) -> None:
    """Refuse coordinates that cannot be what ``crs`` says they are.

    Raises CRSError for degrees out of range (metres labelled as degrees), latitude/longitude
    swapped in Britain, and projected coordinates that look like degrees.
    """
    if not np.all(np.isfinite(bounds)):
        raise CRSError(f"{source}: coordinates are not finite numbers; check the file")
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


def working_crs_for(bounds, crs: CRS) -> CRS:
    """The metric CRS to measure a layer in: BNG in Great Britain, else an equal-area projection centred on it."""
    if crs.equals(WORKING_CRS):
        return WORKING_CRS
    from pyproj import Transformer

    if crs.is_geographic:
        lonlat = bounds
    else:
        t = Transformer.from_crs(crs, 4326, always_xy=True)
        lonlat = t.transform_bounds(*bounds)
    if _bounds_within(lonlat, _GB_LONLAT):
        return WORKING_CRS
    lon0 = round((lonlat[0] + lonlat[2]) / 2, 1)
    lat0 = round((lonlat[1] + lonlat[3]) / 2, 1)
    return CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")


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
        gdf = gdf.set_crs(CRS.from_user_input(crs))
    elif crs is not None and not CRS.from_user_input(crs).equals(gdf.crs):
        raise CRSError(
            f"{source}: the file declares {gdf.crs.to_string()} but {CRS.from_user_input(crs).to_string()} was given; "
            "drop the option or fix the file"
        )
    bounds = gdf.total_bounds
    if len(gdf):
        check_plausible(bounds, gdf.crs, source=source)
    dest = target if target is not None else working_crs_for(bounds, gdf.crs)
    if gdf.crs.equals(dest):
        return gdf
    return gdf.to_crs(dest)


def require_metric(crs, *, source: str) -> None:
    """Refuse to measure areas in a geographic (degree) CRS."""
    if crs is None:
        raise CRSError(f"{source}: no CRS; areas cannot be measured")
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise CRSError(
            f"{source}: {crs.to_string()} is not a projected CRS; areas in degrees are meaningless. "
            "Reproject to a metric CRS (coterm uses EPSG:27700 in Britain)"
        )
