"""Place search for maps: a compact name → point index of the places inside the mapped area.

The catalogue's ``ward-2022`` layer (electoral wards, December 2022, ONS) is the bundled place layer:
each ward gives its name, code and one point inside it (``point_on_surface``), kept when that point
lies in a unit of the map's layer. The page searches it next to the units' own names and, on a
choice, zooms to the place and opens the unit containing it (found in the page, so it follows the
before/after state shown). Postcodes: coterm ships no postcode data, so the search box says it does
not search them.

Size: parallel arrays, coordinates as integers in 10^-4 degree (about 11 m), so about 30 bytes per
ward (some 200 kB for all of England).
"""

from __future__ import annotations

from .memo import memo

__all__ = ["PLACE_LAYER", "place_index"]

PLACE_LAYER = "ward-2022"
_DECIMALS = 4


def place_index(layers, source: str | None = PLACE_LAYER) -> dict | None:
    """``{"kind", "title", "names", "ll", "scale"}`` for the places whose point lies in a unit of ``layers``.

    ``ll`` is flat ``[lat, lon, lat, lon, ...]`` in 10^-4 degree. ``None`` when ``source`` is falsy,
    not in the catalogue, or no place lies in the mapped area.
    """
    if not source:
        return None
    try:
        from ..catalog import catalog
        from ..layer import load_layer

        if source not in catalog().ids():
            return None
        wards = load_layer(source)
    except Exception:  # the place layer is an extra: a map without it still works and says nothing about places
        return None
    frames = (wards.frame, *(lay.frame for lay in layers))
    indexes = memo("place indexes", 16)  # None outside maps.reusing_work()
    held = indexes.get(frames, (source, str(wards.title))) if indexes is not None else None
    if held is None:
        held = (_place_index(wards, layers),)
        if indexes is not None:
            indexes.put(frames, (source, str(wards.title)), held)
    return held[0]



def _ward_points(wards):
    """(frame in EPSG:27700, one point inside each ward): the same for every map of a run."""
    import numpy as np
    import shapely

    points = memo("ward points", 2)
    held = points.get((wards.frame,), "points") if points is not None else None
    if held is None:
        frame = wards.frame
        if frame.crs is not None and frame.crs.to_epsg() != 27700:
            frame = frame.to_crs(27700)
        held = (frame, shapely.point_on_surface(np.asarray(frame.geometry.to_numpy(), dtype=object)))
        if points is not None:
            points.put((wards.frame,), "points", held)
    return held


def _place_index(wards, layers) -> dict | None:
    import numpy as np
    import shapely

    frame, pts = _ward_points(wards)
    inside = np.zeros(len(pts), dtype=bool)
    tree = shapely.STRtree(pts)
    for lay in layers:
        f = lay.frame
        if not len(f):
            continue
        if f.crs is not None and f.crs.to_epsg() != 27700:
            f = f.to_crs(27700)
        geoms = np.asarray(f.geometry.to_numpy(), dtype=object)
        geoms = geoms[~shapely.is_missing(geoms)]
        _, hit = tree.query(geoms, predicate="contains")  # each polygon prepared once: ~3x faster than points "within"
        inside[np.unique(hit)] = True
    if not inside.any():
        return None
    import geopandas

    keep = np.flatnonzero(inside)
    order = keep[np.argsort(frame.index.to_numpy()[keep].astype(str), kind="stable")]
    ll = geopandas.GeoSeries(pts[order], crs=27700).to_crs(4326)
    xy = shapely.get_coordinates(ll.to_numpy())
    factor = 10**_DECIMALS
    flat = np.rint(xy[:, ::-1] * factor).astype(np.int64).ravel().tolist()
    names = frame["name"].to_numpy()[order]
    return {"kind": "ward", "title": str(wards.title), "names": [str(n) for n in names], "ll": flat, "scale": factor}
