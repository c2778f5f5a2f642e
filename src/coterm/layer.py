"""Layer: a set of units (code, name, polygon) in a metric CRS, validated, with its provenance.

``load_layer`` is the single entry point for catalogue ids and users' files alike.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .deferred import _DeferredFrame, deferred_frame
from .errors import CodeError, GeometryError, GeometryRepairWarning, UnknownLayerError, warn

if TYPE_CHECKING:  # typing only: geopandas is imported where a frame is built
    import geopandas as gpd

    from .catalog import CatalogEntry

__all__ = ["Layer", "load_layer", "make_layer", "deferred_frame"]


@dataclass(eq=False)
class Layer:
    """A boundary layer: a GeoDataFrame indexed by unique unit code, with a ``name`` column and metadata.

    ``membership`` (atom code → unit code) is set when the units are unions of building blocks
    (LSOAs, districts): then overlaps can be computed exactly from sets instead of geometry.

    A catalogue layer reads its polygons on first use of ``frame``: codes and names come from the
    file's two text columns, so atom-mode work (sets of LSOAs) never imports geopandas or reads geometry.
    """

    id: str
    title: str
    frame: gpd.GeoDataFrame  # index "code", columns name, geometry
    family: str = ""
    kind: str = ""
    vintage: str = ""
    atom_base: str | None = None
    membership: pd.Series | None = field(default=None, repr=False)
    entry: CatalogEntry | None = field(default=None, repr=False)
    source: str = ""
    attribution: str = ""
    attribution_html: str = ""
    #: the FitReport when ``membership`` is a best fit of this layer's polygons (coterm.best_fit, or read back by coterm.fitted)
    fit: "object | None" = field(default=None, repr=False)

    @property
    def population_basis(self) -> dict:
        """{'base', 'source', 'year'} of the population of an atom layer (empty strings for a file)."""
        from .atoms import population_basis

        return population_basis(self.atom_base)

    def _table(self):
        """The frame, or while its geometry is unread, the codes and names (same index, same name column)."""
        f = self.__dict__["_frame"]
        return f.light if isinstance(f, _DeferredFrame) else f

    @property
    def codes(self) -> pd.Index:
        return self._table().index

    @property
    def names(self) -> pd.Series:
        return self._table()["name"]

    @property
    def crs(self):
        return self.frame.crs

    @property
    def geometry_loaded(self) -> bool:
        """False while a catalogue layer's polygons are still unread (they are read on first use of ``frame``)."""
        return not isinstance(self.__dict__["_frame"], _DeferredFrame)

    def __len__(self) -> int:
        return len(self._table())

    def label(self, code: str) -> str:
        """"Name (code)" for messages."""
        name = self._table()["name"].get(code, "")
        return f"{name} ({code})" if name and name != code else str(code)

    def replace(self, **changes) -> "Layer":
        if "frame" not in changes and not self.geometry_loaded:
            changes["frame"] = self.__dict__["_frame"]  # the copy reads the polygons only if it needs them
        return replace(self, **changes)


def _get_frame(self):
    f = self.__dict__["_frame"]
    if isinstance(f, _DeferredFrame):
        f = self.__dict__["_frame"] = f.load()
    return f


def _set_frame(self, value) -> None:
    self.__dict__["_frame"] = value


# set after @dataclass, so that __init__ (self.frame = frame) and dataclasses.replace go through it
Layer.frame = property(_get_frame, _set_frame, doc="GeoDataFrame indexed by code: name, geometry (read on first use).")


_CODE_PAT = re.compile(r"(^code$|cd$|_code$|^gss_?code$)", re.I)
_NAME_PAT = re.compile(r"(^name$|nm$|_name$)", re.I)


def _pick_column(columns, given, pattern, what: str, source: str, exclude=()) -> str | None:
    cols = [c for c in columns if c != "geometry"]
    if given is not None:
        if given not in cols:
            raise CodeError(f"{source}: has no column {given!r} for unit {what}s; its columns are: {', '.join(map(str, cols))}")
        return given
    exact = [c for c in cols if str(c).lower() == what]
    if exact:
        return exact[0]
    cands = [c for c in cols if pattern.search(str(c)) and c not in exclude]
    if len(cands) == 1:
        return cands[0]
    if what == "name" and not cands:
        return None  # names are optional: fall back to codes
    if not cands:
        raise CodeError(
            f"{source}: no column looks like a unit code (code, *CD, *_code); its columns are: {', '.join(map(str, cols))}. "
            "Name it with code=... (CLI: --code COLUMN)"
        )
    flag = "--code" if what == "code" else "--name"
    raise CodeError(f"{source}: several columns could hold unit {what}s ({', '.join(map(str, cands))}); choose one with {what}=... (CLI: {flag} COLUMN)")


def _as_codes(series: pd.Series, source: str, column: str) -> pd.Series:
    null = series.isna() | (series.astype("string").str.strip() == "")
    if null.any():
        rows = np.flatnonzero(null.to_numpy())
        raise CodeError(
            f"{source}: {int(null.sum())} unit(s) have no code in column {column!r} (feature rows {', '.join(map(str, rows[:10] + 1))}"
            f"{' ...' if len(rows) > 10 else ''}); give every unit a code"
        )
    if pd.api.types.is_float_dtype(series) and np.all(np.mod(series.to_numpy(), 1) == 0):
        series = series.astype("int64")  # 12.0 -> "12", not "12.0"
    codes = series.astype(str).str.strip()
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        uniq = sorted(set(dup))
        raise CodeError(
            f"{source}: duplicate unit codes in column {column!r}: {_codes_list(uniq)} "
            f"({len(uniq)} code(s)); each unit needs a unique code (dissolve parts first)"
        )
    return codes


def _clean_geometries(gdf, codes: pd.Series, source: str):
    """Keep polygonal parts, drop empties, repair invalid geometries; warn with the codes affected."""
    import shapely

    geoms = gdf.geometry.to_numpy()
    missing = pd.isna(geoms)
    geoms = np.where(missing, shapely.Polygon(), geoms)
    geoms = _finite_2d(geoms, codes, source)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, [3, 6])  # Polygon, MultiPolygon
    collection = types == 7
    if collection.any():
        # keep the polygonal parts of GeometryCollections
        parts = shapely.get_parts(geoms[collection], return_index=True)
        keep = np.isin(shapely.get_type_id(parts[0]), [3, 6])
        rebuilt = np.full(collection.sum(), None, dtype=object)
        for i in range(collection.sum()):
            sel = parts[0][keep & (parts[1] == i)]
            rebuilt[i] = shapely.union_all(sel) if len(sel) else shapely.Polygon()
        geoms[collection] = rebuilt
        warn(
            f"{source}: {int(collection.sum())} geometry collection(s) reduced to their polygons: {_codes_list(codes[collection])}",
            GeometryRepairWarning,
        )
        polygonal |= collection
    bad = ~polygonal & ~shapely.is_empty(geoms)
    if bad.any():
        kinds = sorted(set(shapely.get_type_id(geoms[bad]).tolist()))
        names = {0: "Point", 1: "LineString", 2: "LinearRing", 4: "MultiPoint", 5: "MultiLineString"}
        raise GeometryError(
            f"{source}: {int(bad.sum())} unit(s) are not polygons ({', '.join(names.get(k, str(k)) for k in kinds)}): "
            f"{_codes_list(codes[bad])}; coterm needs areas (polygons)"
        )
    empty = shapely.is_empty(geoms)
    invalid = ~empty & ~shapely.is_valid(geoms)
    if invalid.any():
        before = shapely.area(geoms[invalid])
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        # a hole can only remove area: GEOS turns a "hole" lying outside its shell into land, so clip to the shells
        parts, owner = shapely.get_parts(geoms[invalid], return_index=True)
        shells = shapely.make_valid(shapely.polygons(shapely.get_exterior_ring(parts)), method="structure", keep_collapsed=False)
        shells = np.array([shapely.union_all(shells[owner == k]) for k in range(int(invalid.sum()))], dtype=object)
        fixed = _polygonal_only(shapely.intersection(_polygonal_only(fixed), shells))
        after = shapely.area(fixed)
        geoms[invalid] = fixed
        warn(
            f"{source}: repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} with make_valid "
            f"(area change {float(np.sum(np.abs(after - before))):.6g} in CRS units²): {_codes_list(codes[invalid])}",
            GeometryRepairWarning,
        )
        empty = shapely.is_empty(geoms)
    if empty.all():
        raise GeometryError(f"{source}: every geometry is empty; the layer has no areas to compare")
    if empty.any():
        warn(f"{source}: dropped {int(empty.sum())} unit(s) with empty geometry: {_codes_list(codes[empty])}", GeometryRepairWarning)
    return geoms, ~empty


def _finite_2d(geoms, codes, source: str):
    """Drop Z/M (areas are planar) and refuse non-finite or absurdly large coordinates, naming the units.

    A NaN vertex must not be "repaired" into another shape, nor 1e200 give an infinite area.
    """
    import shapely

    from .crs import _LIMIT

    if shapely.has_z(geoms).any() or (hasattr(shapely, "has_m") and shapely.has_m(geoms).any()):
        geoms = shapely.force_2d(geoms)
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    bad = ~np.isfinite(xy).all(axis=1) | (np.abs(np.nan_to_num(xy, nan=0.0)) > _LIMIT).any(axis=1)
    if bad.any():
        units = np.unique(owner[bad])
        what = "not finite numbers (NaN or infinite)" if (~np.isfinite(xy[bad])).any() else f"beyond ±{_LIMIT:.0e}, which no place has"
        raise GeometryError(f"{source}: {len(units)} unit(s) have coordinates that are {what}: {_codes_list(codes.to_numpy()[units])}; "
                            "fix or drop those features")
    return geoms


def _polygonal_only(geoms):
    import shapely

    out = np.array(geoms, dtype=object)
    types = shapely.get_type_id(out)
    for i in np.flatnonzero(~np.isin(types, [3, 6])):
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out


def _codes_list(codes, n: int = 10) -> str:
    from .errors import shown

    codes = [shown(c, 40) for c in codes]
    return ", ".join(codes[:n]) + (f" ... ({len(codes)} in all)" if len(codes) > n else "")


def make_layer(gdf, *, id: str, title: str | None = None, code: str | None = None, name: str | None = None,
               crs=None, source: str | None = None, target_crs=None, **meta) -> Layer:
    """Validate a GeoDataFrame and turn it into a Layer in its working metric CRS.

    Codes must be unique and non-null (CodeError lists them); non-polygons are refused
    (GeometryError); empty geometries are dropped and invalid ones repaired, with a warning naming
    the codes. Coordinates are reprojected once, here, to the working CRS (EPSG:27700 in Britain).
    """
    import geopandas as gpd

    from .crs import to_working

    source = source or id
    if len(gdf) == 0:
        raise GeometryError(f"{source}: the layer has no features; choose another layer or file")
    code_col = _pick_column(gdf.columns, code, _CODE_PAT, "code", source)
    name_col = _pick_column(gdf.columns, name, _NAME_PAT, "name", source, exclude=(code_col,))
    codes = _as_codes(gdf[code_col], source, code_col)
    names = gdf[name_col].astype("string").fillna("").astype(str) if name_col is not None else codes
    names = names.where(names.str.len() > 0, codes)
    geoms, keep = _clean_geometries(gdf, codes, source)
    index = pd.Index(codes.to_numpy()[keep], name="code", dtype=object)
    frame = gpd.GeoDataFrame(
        {"name": names.to_numpy()[keep]}, geometry=gpd.GeoSeries(geoms[keep], crs=gdf.crs, index=index), index=index
    )
    frame = to_working(frame, source=source, crs=crs, target=target_crs)
    frame = frame.sort_index()
    return Layer(id=id, title=title or id, frame=frame, source=str(source), **meta)


# --- loading -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _read_catalog_frame(path: str, sha256: str = ""):
    from .io import read_bundled_parquet

    return read_bundled_parquet(path, sha256, what="bundled layer file")


@functools.lru_cache(maxsize=64)
def _read_catalog_names(path: str, sha256: str, code_field: str, name_field: str) -> pd.DataFrame:
    """Codes and names of a bundled layer without its geometry (pyarrow only: no geopandas, shapely or pyproj)."""
    from .io import read_bundled_parquet

    raw = read_bundled_parquet(path, sha256, columns=list(dict.fromkeys([code_field, name_field])), geo=False,
                               what="bundled layer file")
    return _indexed(raw, code_field, name_field, ["name"])


def _indexed(raw, code_field: str, name_field: str, columns: list[str]) -> pd.DataFrame:
    frame = raw.set_index(raw[code_field].astype(str).rename("code"))
    return frame.rename(columns={name_field: "name"})[columns].sort_index()


def _catalog_frame(path: str, sha256: str, code_field: str, name_field: str):
    raw = _read_catalog_frame(path, sha256)
    return _indexed(raw, code_field, name_field, ["name", "geometry"]).copy()  # callers may modify their copy; the cache stays intact


def _load_catalog_layer(entry) -> Layer:
    from .atoms import resolve_membership
    from .catalog import catalog

    cat = catalog()
    path = cat.path(entry.file)
    light = _read_catalog_names(str(path), entry.sha256, entry.code_field, entry.name_field).copy()
    frame = _DeferredFrame(light, functools.partial(_catalog_frame, str(path), entry.sha256, entry.code_field, entry.name_field))
    membership = resolve_membership(entry) if entry.atoms is not None else None
    return Layer(
        id=entry.id, title=entry.title, frame=frame, family=entry.family, kind=entry.kind, vintage=entry.vintage,
        atom_base=entry.atoms.base if entry.atoms is not None else None, membership=membership, entry=entry,
        source=str(path), attribution=entry.attribution or cat.attribution,
        attribution_html=entry.attribution_html or cat.attribution_html,
    )


from .io.vector import VECTOR_SUFFIXES as _FILE_SUFFIXES  # noqa: E402 - light module: no GDAL at import


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long to look up: read_vector says so in one line
        return True


def load_layer(id_or_path, *, code: str | None = None, name: str | None = None, layer: str | None = None, crs=None) -> Layer:
    """Load a catalogue layer by id, or any polygon file, as a validated :class:`Layer` in a metric CRS.

    Parameters
    ----------
    id_or_path : catalogue id (``coterm layers``), a path to a GeoPackage, GeoJSON, Shapefile
        (also zipped), GeoParquet or FlatGeobuf file, or a PostGIS reference
        ``postgresql://user@host:port/db?table=schema.name`` (or ``?sql=SELECT ...``; see :mod:`coterm.postgis`).
    code, name : columns holding unit codes and names (detected when omitted: ``code``/``*CD``,
        ``name``/``*NM``).
    layer : the layer to read from a multi-layer file (GeoPackage).
    crs : the CRS of a file that declares none.

    Examples
    --------
    >>> import coterm
    >>> pfa = coterm.load_layer("pfa-2020")
    >>> len(pfa), pfa.crs.to_epsg()
    (43, 27700)
    """
    if isinstance(id_or_path, Layer):
        return id_or_path
    from .catalog import catalog
    from .io import read_vector

    if isinstance(id_or_path, str) and id_or_path.lower().startswith(("postgresql://", "postgres://")):
        from .postgis import read_postgis_layer  # a PostGIS table or query (coterm[postgis])

        return read_postgis_layer(id_or_path, code=code, name=name, crs=crs)
    text = str(id_or_path)
    path = Path(text).expanduser()
    if not isinstance(id_or_path, Path) and not _exists(path):
        try:
            return _load_catalog_layer(catalog().get(text))
        except UnknownLayerError:
            if "/" in text or "\\" in text or path.suffix.lower() in _FILE_SUFFIXES:
                from .errors import DataFileError

                raise DataFileError(f"{path}: file not found; check the path (or use a catalogue id: `coterm layers`)") from None
            raise
    from .fitted import is_fit_reference

    if is_fit_reference(path):  # the output of `coterm fit --out DIR`: an atom layer on its base, no re-fit
        from .fitted import load_fitted

        return load_fitted(path)
    gdf = read_vector(path, layer=layer)
    lid = path.stem if layer is None else f"{path.stem}:{layer}"
    return make_layer(gdf, id=lid, title=lid, code=code, name=name, crs=crs, source=str(path))
