"""Build steps: geometry helpers, readers, lookups, layer writing, provenance."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer

from .spec import (CATALOG_YEAR, CHORLEY, CHORLEY_HTML, CRS, GRID_M, ONS_OGL, ONS_OGL_HTML, WGS84_TO_BNG, ZSTD_LEVEL,
                   AtomBaseSpec, Definition, LayerSpec)

def log(msg: str) -> None:
    """Progress on stderr, prefixed with the elapsed time."""
    print(f"[{time.perf_counter() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


_T0 = time.perf_counter()

# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------


def to_bng(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries of ``gdf`` in EPSG:27700 (pinned pipeline for EPSG:4326 input)."""
    epsg = gdf.crs.to_epsg() if gdf.crs is not None else None
    if epsg == 27700:
        return gdf.geometry.values.to_numpy()
    if epsg != 4326:
        raise ValueError(f"unexpected source CRS {gdf.crs!r}")
    transformer = Transformer.from_pipeline(WGS84_TO_BNG)
    return shapely.transform(
        gdf.geometry.values.to_numpy(), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Valid, polygonal-only, consistently oriented geometries.

    ``make_valid`` can return collections holding lines or points where a ring touched itself;
    those zero-area parts are dropped so every output is a (Multi)Polygon.
    """
    geoms = np.asarray(geoms, dtype=object).copy()
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    collections = shapely.get_type_id(geoms) == 7
    for i in np.flatnonzero(collections):
        parts = shapely.get_parts(geoms[i])
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        geoms[i] = shapely.union_all(parts) if len(parts) else shapely.Polygon()
    # exterior rings counter-clockwise, holes clockwise (the OGC/GeoJSON convention)
    return shapely.orient_polygons(geoms)


def snap(geoms: np.ndarray) -> np.ndarray:
    """Snap to the 1 m grid. Identical input vertices stay identical, so shared edges survive.

    Reprojection can leave a published polygon marginally invalid (a ring touching itself), which
    GEOS's snap-rounding refuses, so such inputs are repaired first.
    """
    geoms = polygonal(geoms)
    # GEOS treats a geometry that already carries a 1 m precision model as snapped and returns
    # it unchanged, but coverage_clean can add off-grid nodes to such geometries: reset first.
    return shapely.set_precision(shapely.set_precision(geoms, 0.0), GRID_M)


def check_nonempty(codes, geoms, what: str) -> None:
    empty = shapely.is_empty(geoms) | (shapely.area(geoms) <= 0)
    if empty.any():
        raise RuntimeError(f"{what}: empty geometry for {list(np.asarray(codes)[empty])[:10]}")


def dissolve(codes: np.ndarray, geoms: np.ndarray, *, coverage: bool) -> tuple[np.ndarray, np.ndarray]:
    """One geometry per code (sorted). ``coverage=True`` uses the fast, edge-exact coverage union,
    which is only correct on a valid coverage (checked by the caller)."""
    order = np.lexsort((np.arange(len(codes)), codes))
    codes, geoms = np.asarray(codes)[order], geoms[order]
    uniq, start = np.unique(codes, return_index=True)
    bounds = list(start) + [len(codes)]
    union = shapely.coverage_union_all if coverage else shapely.union_all
    out = np.empty(len(uniq), dtype=object)
    for k in range(len(uniq)):
        chunk = geoms[bounds[k] : bounds[k + 1]]
        out[k] = chunk[0] if len(chunk) == 1 else union(chunk)
    return uniq, out


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def read_lookup(source: Path, stem: str) -> pd.DataFrame:
    """A source lookup with every column as a stripped string (codes must never become numbers)."""
    df = pd.read_csv(source / "lookups" / f"{stem}.csv", dtype=str, keep_default_na=False)
    return df.apply(lambda s: s.str.strip())


def load_atom_base(source: Path, spec: AtomBaseSpec, findings: dict) -> gpd.GeoDataFrame:
    """LSOA geometry snapped to 1 m and made a valid coverage.

    Why clean: dissolving by ``coverage_union`` is only exact if neighbours share identical edges
    and do not overlap. Where the snapped LSOAs are not a valid coverage, GEOS's CoverageCleaner
    (no snapping, no gap filling) nodes the shared edges; the area moved is recorded.
    """
    gdf = gpd.read_file(source / "boundaries" / f"{spec.gpkg}.gpkg")
    log(f"{spec.id}: read {len(gdf)} polygons ({gdf.crs})")
    geoms = polygonal(snap(to_bng(gdf)))
    invalid_edges = shapely.coverage_invalid_edges(geoms)
    bad = ~shapely.is_empty(invalid_edges)
    finding = {
        "units": len(gdf),
        "coverage_valid_after_snap": bool(not bad.any()),
        "polygons_with_invalid_edges": int(bad.sum()),
        "invalid_edge_length_m": round(float(shapely.length(invalid_edges[bad]).sum()), 1),
        "codes_with_invalid_edges": sorted(gdf["code"].to_numpy()[bad].tolist()),
    }
    if bad.any():
        cleaned = polygonal(snap(shapely.coverage_clean(geoms, snapping_distance=0.0)))
        moved = ~shapely.equals(cleaned, geoms)
        delta = shapely.area(cleaned) - shapely.area(geoms)
        finding.update(
            cleaned_polygons=int(moved.sum()),
            cleaned_codes=sorted(gdf["code"].to_numpy()[moved].tolist()),
            cleaned_abs_area_change_m2=round(float(np.abs(delta[moved]).sum()), 1),
            coverage_valid_after_clean=bool(shapely.coverage_is_valid(cleaned)),
        )
        if not finding["coverage_valid_after_clean"]:
            raise RuntimeError(f"{spec.id}: still not a valid coverage after cleaning")
        geoms = cleaned
    findings[spec.id] = finding
    log(f"{spec.id}: coverage check {finding}")
    out = gpd.GeoDataFrame(
        {"code": gdf["code"].str.strip().astype(str), "name": gdf["name"].astype(str)}, geometry=geoms, crs=CRS
    )
    out = out.sort_values("code", kind="stable").reset_index(drop=True)
    if not out["code"].is_unique:
        raise RuntimeError(f"{spec.id}: duplicate LSOA codes")
    check_nonempty(out["code"], out.geometry.values.to_numpy(), spec.id)
    return out


def write_atom_table(source: Path, out: Path, spec: AtomBaseSpec, base: gpd.GeoDataFrame) -> dict:
    """Population, area and a point on surface per atom: everything atom-mode overlap needs."""
    pop = pd.read_csv(source / "attributes" / f"{spec.population_file}.csv", dtype={spec.population_code: str})
    pop = pop.set_index(spec.population_code)[spec.population_value]
    missing = sorted(set(base["code"]) - set(pop.index))
    if missing:
        raise RuntimeError(f"{spec.id}: no population for {missing[:5]} ({len(missing)} codes)")
    geoms = base.geometry.values.to_numpy()
    pts = shapely.point_on_surface(geoms)
    table = pa.table(
        {
            "code": pa.array(base["code"].tolist(), pa.string()),
            "population": pa.array(pop.loc[base["code"]].to_numpy(dtype=np.int64), pa.int64()),
            "area_m2": pa.array(shapely.area(geoms), pa.float64()),
            "x": pa.array(shapely.get_x(pts), pa.float64()),
            "y": pa.array(shapely.get_y(pts), pa.float64()),
        }
    )
    path = out / "atoms" / f"{spec.id}.parquet"
    pq.write_table(table, path, compression="zstd", compression_level=ZSTD_LEVEL)
    total = int(np.asarray(table["population"]).sum())
    log(f"{spec.id}: atom table {len(table)} rows, population {total:,}")
    return {"file": f"atoms/{spec.id}.parquet", "population_total": total, "units": len(table)}


def make_lookup(source: Path, d: Definition, keys_allowed: set[str], what: str,
                fixes: tuple = ()) -> tuple[pd.DataFrame, pd.Series]:
    """(key, unit) pairs at the definition's natural level, plus unit names.

    Keys must form a partition (one unit per key); keys unknown to the atom base / via layer are
    an error, because a silently dropped LSOA would make every later overlap table wrong.
    """
    src = read_lookup(source, d.source)
    pairs = src[[d.key_src, d.unit_src]].drop_duplicates()
    pairs = pairs[(pairs[d.key_src] != "") & (pairs[d.unit_src] != "")]
    pairs.columns = [d.key_column, d.unit_column]
    for key, unit, _why in fixes:  # documented corrections of source rows (see the layer's note)
        row = pairs[d.key_column] == key
        if row.sum() != 1 or (pairs.loc[row, d.unit_column] == unit).all() or unit not in set(pairs[d.unit_column]):
            raise RuntimeError(f"{what}: fix {key} -> {unit} no longer applies to the source lookup; review it")
        pairs.loc[row, d.unit_column] = unit
    dup = pairs[d.key_column].duplicated(keep=False)
    if dup.any():
        raise RuntimeError(f"{what}: keys mapping to several units: {pairs[dup].head().to_dict('records')}")
    unknown = sorted(set(pairs[d.key_column]) - keys_allowed)
    if unknown:
        raise RuntimeError(f"{what}: {len(unknown)} lookup keys not in the base: {unknown[:5]}")
    names = unit_names(src, d.unit_src, d.name_src, what)
    return pairs.sort_values([d.key_column, d.unit_column]).reset_index(drop=True), names


def unit_names(src: pd.DataFrame, code_col: str, name_col: str, what: str) -> pd.Series:
    """code -> name; the first name in code order if a lookup spells a unit two ways."""
    pairs = src[[code_col, name_col]].drop_duplicates().sort_values([code_col, name_col])
    clashes = pairs[code_col][pairs[code_col].duplicated()].unique()
    if len(clashes):
        log(f"{what}: {len(clashes)} codes with several names, first kept: {list(clashes)[:5]}")
    return pairs.drop_duplicates(code_col).set_index(code_col)[name_col]


def write_lookup(out: Path, stem: str, pairs: pd.DataFrame) -> str:
    path = out / "lookups" / f"{stem}.csv"
    pairs.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return f"lookups/{stem}.csv"


def atom_membership(d: Definition, pairs: pd.DataFrame, memberships: dict[str, pd.Series]) -> pd.Series:
    """atom code -> unit code, composing through the via layer's own membership when chained."""
    key_to_unit = pairs.set_index(d.key_column)[d.unit_column]
    if not d.via:
        return key_to_unit
    via = memberships[d.via]  # atom -> via unit
    composed = via.map(key_to_unit).dropna()
    return composed


def build_from_atoms(base: gpd.GeoDataFrame, membership: pd.Series, names: pd.Series, what: str) -> gpd.GeoDataFrame:
    """Union of member atoms per unit; edges shared by neighbouring units stay identical."""
    sub = base[base["code"].isin(membership.index)]
    codes, geoms = dissolve(membership.loc[sub["code"]].to_numpy(), sub.geometry.values.to_numpy(), coverage=True)
    geoms = polygonal(geoms)
    missing = [c for c in codes if c not in names.index]
    if missing:
        raise RuntimeError(f"{what}: no names for {missing[:5]}")
    return gpd.GeoDataFrame({"code": codes, "name": names.loc[codes].to_numpy()}, geometry=geoms, crs=CRS)


def load_published(source: Path, stem: str) -> gpd.GeoDataFrame:
    """A published layer as shipped upstream: reprojected, snapped, valid, one row per code."""
    gdf = gpd.read_file(source / "boundaries" / f"{stem}.gpkg")
    codes = gdf["code"].str.strip().to_numpy()
    geoms = polygonal(snap(to_bng(gdf)))
    dup = pd.Series(codes).duplicated(keep=False).to_numpy()
    if dup.any():
        log(f"{stem}: dissolving {dup.sum()} rows sharing {len(set(codes[dup]))} code(s): {sorted(set(codes[dup]))}")
    names = unit_names(pd.DataFrame({"c": codes, "n": gdf["name"].to_numpy()}), "c", "n", stem)
    ucodes, ugeoms = dissolve(codes, geoms, coverage=False)
    ugeoms = polygonal(ugeoms)
    return gpd.GeoDataFrame({"code": ucodes, "name": names.loc[ucodes].to_numpy()}, geometry=ugeoms, crs=CRS)


def write_layer(out: Path, layer_id: str, gdf: gpd.GeoDataFrame) -> str:
    """GeoParquet, zstd, sorted by code, columns code/name/geometry, no index, no bbox column."""
    gdf = gdf.sort_values("code", kind="stable").reset_index(drop=True)
    gdf = gpd.GeoDataFrame(
        {"code": gdf["code"].astype(str), "name": gdf["name"].astype(str)}, geometry=gdf.geometry.values, crs=CRS
    )
    if not gdf["code"].is_unique:
        raise RuntimeError(f"{layer_id}: duplicate codes")
    g = gdf.geometry.values.to_numpy()
    check_nonempty(gdf["code"], g, layer_id)
    if not shapely.is_valid(g).all() or not np.isin(shapely.get_type_id(g), (3, 6)).all():
        raise RuntimeError(f"{layer_id}: invalid or non-polygonal output")
    path = out / "layers" / f"{layer_id}.parquet"
    gdf.to_parquet(path, index=False, compression="zstd", compression_level=ZSTD_LEVEL, schema_version="1.0.0")
    return f"layers/{layer_id}.parquet"


def write_units(out: Path, layer_id: str, units: pd.DataFrame) -> str:
    """Per-unit attributes (status, start, force, members ...) beside the layer, one row per code."""
    (out / "units").mkdir(exist_ok=True)
    path = out / "units" / f"{layer_id}.csv"
    units.sort_values("code").to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return f"units/{layer_id}.csv"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Metadata: provenance, attribution, catalog.toml, README.md
# --------------------------------------------------------------------------------------------


def attribution(spec: LayerSpec) -> tuple[str, str]:
    """OGL text with the layer's vintage year (data README convention), plus Chorley's credit
    where the 2013 TopoJSON material is involved."""
    year = spec.vintage
    text = f"{ONS_OGL}. Contains OS data © Crown copyright and database right {year}"
    html = f"{ONS_OGL_HTML}. Contains OS data &copy; Crown copyright and database right {year}"
    if spec.extra_credit:
        text += f". {CHORLEY}"
        html += f". {CHORLEY_HTML}"
    return text, html


def _origin(o: str) -> str:
    return "derived for the coterm data corpus" if o == "derived here" else o


def _described(manifest: dict, stem: str) -> dict:
    """Manifest record of a corpus file, or the data README's description of files added in 2026."""
    from .facts import EXTRA_PROVENANCE

    if stem in manifest["lookups"]:
        return manifest["lookups"][stem]
    if stem in EXTRA_PROVENANCE:
        ds, origin = EXTRA_PROVENANCE[stem]
        return {"source_dataset": ds, "origin": origin}
    raise RuntimeError(f"no provenance for {stem}: add it to EXTRA_PROVENANCE")


def provenance(spec: LayerSpec, manifest: dict, base_specs: dict, lookups_used: list[str]) -> dict:
    """source_dataset / origin / licence / generalisation / source_crs from the manifest."""
    if spec.published:
        m = manifest["boundaries"][spec.published]
        moved = "1 m grid" if m["crs"] == CRS else "reprojected to EPSG:27700, 1 m grid"
        gen = f"{m['generalisation'].replace('; CRS EPSG:27700', '')}; {moved}"
        if spec.id in base_specs:
            gen = f"{base_specs[spec.id].generalisation}; reprojected to EPSG:27700, 1 m grid, coverage-cleaned"
        return {
            "generalisation": gen,
            "source_dataset": m["source_dataset"],
            "origin": _origin(m["origin"]),
            "licence": m["licence"],
            "source_crs": m["crs"],
        }
    base = base_specs[spec.atoms.base]
    mb = manifest["boundaries"][base.gpkg]
    lks = [_described(manifest, s) for s in lookups_used]
    year = "2011" if base.id == "lsoa-2011" else "2021"
    return {
        "generalisation": f"built from LSOA {year} ({base.generalisation}), 1 m grid",
        "source_dataset": "; ".join([lk["source_dataset"] for lk in lks] + [mb["source_dataset"]]),
        "origin": "; ".join(dict.fromkeys([_origin(lk["origin"]) for lk in lks] + [_origin(mb["origin"])])),
        "licence": "OGL v3",
        "source_crs": mb["crs"],
    }

