#!/usr/bin/env python
"""Build coterm's bundled boundary catalogue (``boundaries/``) from the shared data corpus.

Usage::

    python tools/build_boundaries.py --source ../shared/data --out boundaries

The output is self-sufficient (users never have the source folder) and deterministic: the same
input gives byte-identical files. Steps, one function each:

1. load the LSOA atom bases (LSOA 2011, LSOA 2021), reproject to EPSG:27700 with a pinned
   transformation, snap to a 1 m grid, make them a clean polygonal coverage;
2. write the atom tables (population, area, a point on surface per LSOA);
3. for every layer that is legally a set of LSOAs or districts, write its lookup at its natural
   level and build its geometry by coverage-union of the member LSOAs, so neighbouring units of
   every built layer share edges exactly;
4. load the ONS-published (independently generalised) layers as-is, reprojected and snapped;
5. write ``catalog.toml`` and ``README.md``; print a feature-count table and the total size.

Progress goes to stderr; nothing is written outside ``--out``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer

CRS = "EPSG:27700"
GRID_M = 1.0
ZSTD_LEVEL = 19  # slow to write, tiny to ship; reading speed is unaffected

# The transformation is pinned rather than left to PROJ so that the output does not depend on
# whether the OSTN15 grid happens to be installed: this is EPSG's "Inverse of OSGB36 to WGS 84 (6)"
# 7-parameter Helmert (~2 m accuracy, far below the 200-500 m generalisation of the sources)
# followed by the British National Grid projection.
WGS84_TO_BNG_NAME = "Inverse of OSGB36 to WGS 84 (6) + British National Grid (Helmert, ~2 m)"
WGS84_TO_BNG = (
    "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step proj=push v_3 "
    "step proj=cart ellps=WGS84 step inv proj=helmert x=446.448 y=-125.157 z=542.06 "
    "rx=0.15 ry=0.247 rz=0.842 s=-20.489 convention=position_vector step inv proj=cart "
    "ellps=airy step proj=pop v_3 step proj=tmerc lat_0=49 lon_0=-2 k=0.9996012717 "
    "x_0=400000 y_0=-100000 ellps=airy"
)

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CC_BY_URL = "https://creativecommons.org/licenses/by/4.0/"
ONS_OGL = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
ONS_OGL_HTML = (
    "Source: Office for National Statistics licensed under the "
    f'<a href="{OGL_URL}">Open Government Licence v.3.0</a>'
)
CHORLEY = "GeoJSON and TopoJSON UK Boundary Data by Martin Chorley (CC BY 4.0)"
CHORLEY_HTML = (
    "GeoJSON and TopoJSON UK Boundary Data by Martin Chorley "
    f'(<a href="{CC_BY_URL}">CC BY 4.0</a>)'
)
CATALOG_YEAR = "2024"


def log(msg: str) -> None:
    """Progress on stderr, prefixed with the elapsed time."""
    print(f"[{time.perf_counter() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


_T0 = time.perf_counter()


# --------------------------------------------------------------------------------------------
# What to build. Plain data: the functions below interpret it.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtomBaseSpec:
    id: str
    gpkg: str  # stem in <source>/boundaries
    short: str  # "lsoa11": prefix for lookup file names and columns
    population_file: str
    population_code: str
    population_value: str
    population_source: str
    generalisation: str


@dataclass(frozen=True)
class Definition:
    """A layer defined as a union of building blocks through one lookup."""

    base: str  # atom base id
    via: str  # "" = keys are atom codes; else the layer id whose codes are the keys
    source: str  # lookup CSV stem in <source>/lookups ("" for a resolver-built lookup)
    key_src: str  # column of the source lookup holding the keys
    unit_src: str  # column holding this layer's codes
    name_src: str  # column holding this layer's names
    lookup: str  # output lookup stem (boundaries/lookups/<lookup>.csv)
    key_column: str
    unit_column: str


@dataclass(frozen=True)
class LayerSpec:
    id: str
    title: str
    family: str
    kind: str
    vintage: str
    coverage: str
    expected: int  # known feature count (data README / manifest)
    atoms: Definition | None = None  # built from atoms ...
    published: str = ""  # ... or shipped from this gpkg stem
    published_variant: str = ""
    approximate: bool = False
    note: str = ""
    extra_credit: bool = False  # also credit Martin Chorley (ltla13 / utla13 material)


ATOM_BASES = [
    AtomBaseSpec(
        id="lsoa-2011",
        gpkg="lsoa11",
        short="lsoa11",
        population_file="population_lsoa11_mid2019_mid2020",
        population_code="lsoa11_code",
        population_value="population_mid2020",
        population_source="ONS mid-2020 LSOA population estimates (SAPE23DT2)",
        generalisation="ONS BSC 200 m + ms_simplify keep=0.895 (geographr)",
    ),
    AtomBaseSpec(
        id="lsoa-2021",
        gpkg="lsoa21",
        short="lsoa21",
        population_file="population_lsoa21_census2021",
        population_code="lsoa21_code",
        population_value="usual_residents_census2021",
        population_source="ONS Census 2021 TS021 usual residents (cell-key perturbed)",
        generalisation="ONS BSC 200 m",
    ),
]


def _d(base, via, source, key_src, unit_src, name_src, lookup, key_column, unit_column):
    return Definition(base, via, source, key_src, unit_src, name_src, lookup, key_column, unit_column)


L11, L21 = "lsoa-2011", "lsoa-2021"
EW, EN, WA, UK = "England and Wales", "England", "Wales", "United Kingdom"

LAYERS = [
    # ---- councils ------------------------------------------------------------------------
    LayerSpec("ltla-2013", "Local authority districts (lower tier), England, 2013", "council", "ltla", "2013", EN, 326,
              atoms=_d(L11, "", "lookup_lsoa11_ccg15_ltla15", "lsoa11_code", "ltla15_code", "ltla15_name",
                       "lsoa11_ltla13", "lsoa11_code", "ltla13_code"),
              published_variant="ltla-2013-bgc",
              note="Built with the July 2015 LSOA->CCG->LAD lookup (the earliest LSOA->LAD lookup in the corpus); "
                   "its 326 district codes are exactly those of the December 2013 districts (checked at build)."),
    LayerSpec("ltla-2019", "Local authority districts (lower tier), December 2019", "council", "ltla", "2019", EW, 339,
              atoms=_d(L11, "", "lookup_lsoa11_ltla19", "lsoa11_code", "ltla19_code", "ltla19_name",
                       "lsoa11_ltla19", "lsoa11_code", "ltla19_code"),
              published_variant="ltla-2019-buc",
              note="England 317 + Wales 22; Scotland and Northern Ireland are only in the published variant."),
    LayerSpec("ltla-2021", "Local authority districts (lower tier), December 2021", "council", "ltla", "2021", EW, 331,
              atoms=_d(L11, "", "lookup_lsoa11_ltla21", "lsoa11_code", "ltla21_code", "ltla21_name",
                       "lsoa11_ltla21", "lsoa11_code", "ltla21_code"),
              published_variant="ltla-2021-buc",
              note="England 309 + Wales 22; Scotland and Northern Ireland are only in the published variant."),
    LayerSpec("ltla-2024", "Local authority districts (lower tier), May 2024", "council", "ltla", "2024", EW, 318,
              atoms=_d(L21, "", "lookup_lsoa21_ward24_ltla24", "lsoa21_code", "ltla24_code", "ltla24_name",
                       "lsoa21_ltla24", "lsoa21_code", "ltla24_code"),
              published_variant="ltla-2024-buc",
              note="England 296 + Wales 22, from the ONS LSOA 2021 -> ward 2024 -> LAD 2024 best-fit lookup."),
    LayerSpec("utla-2013", "Counties and unitary authorities (152 social-services authorities), 2013", "council",
              "utla", "2013", EN, 152,
              atoms=_d(L11, "ltla-2013", "lookup_ltla13_utla13", "ltla13_code", "utla13_code", "utla13_name",
                       "ltla13_utla13", "ltla13_code", "utla13_code"),
              extra_credit=True),
    LayerSpec("utla-2021", "Counties and unitary authorities (upper tier), April 2021", "council", "utla", "2021", EW,
              174,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_utla21", "ltla21_code", "utla21_code", "utla21_name",
                       "ltla21_utla21", "ltla21_code", "utla21_code"),
              published_variant="utla-2021-buc", note="England 152 + Wales 22."),
    # ---- health --------------------------------------------------------------------------
    LayerSpec("sha-2011", "Strategic health authorities (approximate), 2006-2013", "health", "sha", "2011", EN, 10,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_sha11_approx", "ltla19_code", "sha11_code", "sha11_name",
                       "ltla19_sha11", "ltla19_code", "sha11_code"),
              approximate=True,
              note="Approximation: 2019 districts grouped by region, South East split into South Central / South "
                   "East Coast by county; ignores the Glossop anomaly and any SHA edge that did not follow councils."),
    LayerSpec("ccg-2015", "Clinical commissioning groups, July 2015", "health", "ccg", "2015", EN, 209,
              atoms=_d(L11, "", "lookup_lsoa11_ccg15_ltla15", "lsoa11_code", "ccg15_code", "ccg15_name",
                       "lsoa11_ccg15", "lsoa11_code", "ccg15_code"),
              note="209 CCGs; differs from the 2013 set (211) only by the 2015 Newcastle Gateshead merger."),
    LayerSpec("ccg-2020", "Clinical commissioning groups, April 2020", "health", "ccg", "2020", EN, 135,
              atoms=_d(L11, "", "lookup_lsoa11_ccg20_ltla20", "lsoa11_code", "ccg20_code", "ccg20_name",
                       "lsoa11_ccg20", "lsoa11_code", "ccg20_code"),
              published_variant="ccg-2020-buc"),
    LayerSpec("ccg-2021", "Clinical commissioning groups, April 2021", "health", "ccg", "2021", EN, 106,
              published="ccg21",
              note="Published ONS BUC geometry only: no LSOA->CCG 2021 lookup in the corpus, so not LSOA-aligned."),
    LayerSpec("stp-2020", "Sustainability and transformation partnerships, April 2020", "health", "stp", "2020", EN,
              42,
              atoms=_d(L11, "ccg-2020", "lookup_ccg20_stp20", "ccg20_code", "stp20_code", "stp20_name",
                       "ccg20_stp20", "ccg20_code", "stp20_code")),
    LayerSpec("stp-2021", "Sustainability and transformation partnerships, April 2021", "health", "stp", "2021", EN,
              42, published="stp21",
              note="Published ONS BUC geometry only: no LSOA-level 2021 lookup in the corpus, so not LSOA-aligned."),
    LayerSpec("sicbl-2022", "Sub-ICB locations, July 2022", "health", "sicbl", "2022", EN, 106,
              atoms=_d(L11, "", "lookup_lsoa11_sicbl22_icb22_ltla22", "lsoa11_code", "sicbl22_code",
                       "sicbl22_name", "lsoa11_sicbl22", "lsoa11_code", "sicbl22_code"),
              published_variant="sicbl-2022-coarse"),
    LayerSpec("icb-2022", "Integrated care boards, July 2022", "health", "icb", "2022", EN, 42,
              atoms=_d(L11, "sicbl-2022", "lookup_lsoa11_sicbl22_icb22_ltla22", "sicbl22_code", "icb22_code",
                       "icb22_name", "sicbl22_icb22", "sicbl22_code", "icb22_code"),
              published_variant="icb-2022-coarse"),
    LayerSpec("lhb-2022", "Local health boards, Wales, 2022", "health", "lhb", "2022", WA, 7,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_lhb22", "ltla21_code", "lhb22_code", "lhb22_name",
                       "ltla21_lhb22", "ltla21_code", "lhb22_code")),
    # ---- police --------------------------------------------------------------------------
    LayerSpec("pfa-2020", "Police force areas, December 2020", "police", "pfa", "2020", EW, 43,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_csp19_pfa19", "ltla19_code", "pfa19_code", "pfa19_name",
                       "ltla19_pfa19", "ltla19_code", "pfa19_code"),
              published_variant="pfa-2020-buc",
              note="Built from the December 2019 LAD->CSP->PFA lookup: police force areas did not change 2019->2020."),
    LayerSpec("csp-2019", "Community safety partnerships, December 2019", "police", "csp", "2019", EW, 314,
              atoms=_d(L11, "", "", "lsoa11_code", "csp19_code", "csp19_name",
                       "lsoa11_csp19", "lsoa11_code", "csp19_code"),
              published_variant="csp-2019-oa", approximate=True,
              note="(filled in by resolve_csp19)"),
    # ---- fire ----------------------------------------------------------------------------
    LayerSpec("fra-2021", "Fire and rescue authorities, April 2021", "fire", "fra", "2021", EW, 47,
              atoms=_d(L11, "ltla-2021", "lookup_ltla21_fra21", "ltla21_code", "fra21_code", "fra21_name",
                       "ltla21_fra21", "ltla21_code", "fra21_code"),
              published_variant="fra-2021-oa",
              note="The April 2021 set (Hampshire and Isle of Wight merged, E31000048)."),
    # ---- resilience ----------------------------------------------------------------------
    LayerSpec("lrf-2020", "Local resilience forums, December 2020", "resilience", "lrf", "2020", EW, 42,
              atoms=_d(L11, "ltla-2019", "lookup_ltla19_lrf19", "ltla19_code", "lrf19_code", "lrf19_name",
                       "ltla19_lrf19", "ltla19_code", "lrf19_code"),
              published_variant="lrf-2020-buc",
              note="Built from the December 2019 LAD->LRF lookup (the 42 forums are unchanged in 2020)."),
    # ---- statistical building blocks -----------------------------------------------------
    LayerSpec("lsoa-2011", "Lower layer super output areas, 2011", "statistical", "lsoa", "2011", EW, 34753,
              published="lsoa11", note="Atom base for the 2011-2022 vintages."),
    LayerSpec("lsoa-2021", "Lower layer super output areas, 2021", "statistical", "lsoa", "2021", EW, 35672,
              published="lsoa21", note="Atom base for the 2023+ vintages."),
    LayerSpec("msoa-2021", "Middle layer super output areas, 2021", "statistical", "msoa", "2021", EW, 7264,
              published="msoa21"),
    LayerSpec("ward-2022", "Electoral wards, December 2022", "statistical", "ward", "2022", UK, 8482,
              published="wards22",
              note="E05014284 (Hunmanby & Sherburn) came as two rows, one per district; dissolved to one."),
    # ---- ONS-published counterparts of built layers (independently generalised) ------------
    LayerSpec("ltla-2013-bgc", "Local authority districts, England, December 2013 (published BGC)", "council", "ltla",
              "2013", EN, 326, published="ltla13", extra_credit=True,
              note="TopoJSON-quantised BGC; 250/326 geometries needed repair upstream (1.4 km2 in total)."),
    LayerSpec("ltla-2019-buc", "Local authority districts, December 2019 (published BUC)", "council", "ltla", "2019",
              UK, 382, published="ltla19"),
    LayerSpec("ltla-2021-buc", "Local authority districts, December 2021 (published BUC)", "council", "ltla", "2021",
              UK, 374, published="ltla21"),
    LayerSpec("ltla-2024-buc", "Local authority districts, May 2024 (published BUC)", "council", "ltla", "2024", UK,
              361, published="ltla24"),
    LayerSpec("utla-2021-buc", "Counties and unitary authorities, May 2021 (published BUC)", "council", "utla",
              "2021", UK, 217, published="utla21"),
    LayerSpec("ccg-2020-buc", "Clinical commissioning groups, April 2020 (published BUC)", "health", "ccg", "2020",
              EN, 135, published="ccg20"),
    LayerSpec("sicbl-2022-coarse", "Sub-ICB locations, July 2022 (geographr, over-simplified)", "health", "sicbl",
              "2022", EN, 106, published="sicbl22", approximate=True,
              note="Re-simplified by geographr (2,205 vertices in total): area overlaps against councils are "
                   "unreliable; prefer sicbl-2022."),
    LayerSpec("icb-2022-coarse", "Integrated care boards, July 2022 (geographr, over-simplified)", "health", "icb",
              "2022", EN, 42, published="icb22", approximate=True,
              note="BUC re-simplified by geographr (661 vertices in total): slivers up to ~31 km2 against "
                   "councils; prefer icb-2022."),
    LayerSpec("pfa-2020-buc", "Police force areas, December 2020 (published BUC)", "police", "pfa", "2020", EW, 43,
              published="pfa20"),
    LayerSpec("csp-2019-oa", "Community safety partnerships, December 2019 (OA best fit)", "police", "csp", "2019",
              EW, 314, published="csp19", approximate=True,
              note="Output-area best-fit approximation (OA 2011 BGC dissolved by OA->CSP, simplified), not an ONS "
                   "CSP boundary."),
    LayerSpec("fra-2021-oa", "Fire and rescue authorities, 2021 (OA best fit)", "fire", "fra", "2021", EW, 47,
              published="fra21", approximate=True,
              note="Output-area best-fit approximation; packaged upstream as 'Dec 2019' but holds the April 2021 "
                   "set (E31000048)."),
    LayerSpec("lrf-2020-buc", "Local resilience forums, December 2020 (published BUC)", "resilience", "lrf", "2020",
              EW, 42, published="lrf20"),
]

FAMILY_ORDER = ["council", "health", "police", "fire", "resilience", "statistical"]


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


def make_lookup(source: Path, d: Definition, keys_allowed: set[str], what: str) -> tuple[pd.DataFrame, pd.Series]:
    """(key, unit) pairs at the definition's natural level, plus unit names.

    Keys must form a partition (one unit per key); keys unknown to the atom base / via layer are
    an error, because a silently dropped LSOA would make every later overlap table wrong.
    """
    src = read_lookup(source, d.source)
    pairs = src[[d.key_src, d.unit_src]].drop_duplicates()
    pairs = pairs[(pairs[d.key_src] != "") & (pairs[d.unit_src] != "")]
    pairs.columns = [d.key_column, d.unit_column]
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


def resolve_csp19(source: Path, base: gpd.GeoDataFrame, csp_oa: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.Series, str]:
    """LSOA 2011 -> CSP 2019.

    The December 2019 LAD->CSP lookup has 342 rows for 339 districts: where a district holds
    several CSPs (they still follow pre-merger districts) a CSP is not a union of districts. LSOAs
    of single-CSP districts take their district's CSP; LSOAs of multi-CSP districts go to the
    candidate CSP whose OA-best-fit polygon (csp19.gpkg) covers most of the LSOA's area.
    """
    lsoa_lad = read_lookup(source, "lookup_lsoa11_ltla19")[["lsoa11_code", "ltla19_code"]]
    lad_csp_src = read_lookup(source, "lookup_ltla19_csp19_pfa19")
    lad_csp = lad_csp_src[["ltla19_code", "ltla19_name", "csp19_code", "csp19_name"]].drop_duplicates()
    n_csp = lad_csp.groupby("ltla19_code")["csp19_code"].nunique()
    split_lads = sorted(n_csp[n_csp > 1].index)

    whole = lad_csp[~lad_csp["ltla19_code"].isin(split_lads)][["ltla19_code", "csp19_code"]]
    single = lsoa_lad[~lsoa_lad["ltla19_code"].isin(split_lads)].merge(
        whole, on="ltla19_code", how="left", validate="many_to_one"
    )
    cand = lsoa_lad[lsoa_lad["ltla19_code"].isin(split_lads)].merge(
        lad_csp[["ltla19_code", "csp19_code"]], on="ltla19_code"
    )
    lsoa_geom = base.set_index("code").geometry
    csp_geom = csp_oa.set_index("code").geometry
    cand["overlap_m2"] = shapely.area(
        shapely.intersection(
            lsoa_geom.loc[cand["lsoa11_code"]].values.to_numpy(), csp_geom.loc[cand["csp19_code"]].values.to_numpy()
        )
    )
    # most area wins; ties (incl. no overlap at all) go to the lowest CSP code, deterministically
    best = cand.sort_values(["lsoa11_code", "overlap_m2", "csp19_code"], ascending=[True, False, True])
    no_overlap = best.groupby("lsoa11_code")["overlap_m2"].max().eq(0).sum()
    best = best.drop_duplicates("lsoa11_code")

    parts = []
    names = lad_csp.drop_duplicates("csp19_code").set_index("csp19_code")["csp19_name"]
    lad_names = lad_csp.drop_duplicates("ltla19_code").set_index("ltla19_code")["ltla19_name"]
    for lad in split_lads:
        sub = best[best["ltla19_code"] == lad]
        counts = sub["csp19_code"].value_counts().sort_index()
        shares = ", ".join(f"{names[c]} {c} {n}" for c, n in counts.items())
        parts.append(f"{lad_names[lad]} {lad} ({len(sub)} LSOAs: {shares})")
    note = (
        "LSOA-level best fit: LSOAs of single-CSP districts take their district's CSP; the districts with "
        f"several CSPs were split by largest area overlap with the OA-best-fit csp19 polygons: {'; '.join(parts)}"
        f" - {len(best)} LSOAs in all"
        + (f", {no_overlap} of them overlapping no candidate" if no_overlap else "")
        + "."
    )
    pairs = pd.concat([single[["lsoa11_code", "csp19_code"]], best[["lsoa11_code", "csp19_code"]]])
    pairs = pairs.sort_values(["lsoa11_code", "csp19_code"]).reset_index(drop=True)
    if pairs["csp19_code"].isna().any() or not pairs["lsoa11_code"].is_unique:
        raise RuntimeError("csp-2019: unresolved or doubly resolved LSOAs")
    log(f"csp-2019: {note}")
    return pairs, unit_names(lad_csp_src, "csp19_code", "csp19_name", "csp-2019"), note


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
    lks = [manifest["lookups"][s] for s in lookups_used]
    year = "2011" if base.id == "lsoa-2011" else "2021"
    return {
        "generalisation": f"built from LSOA {year} ({base.generalisation}), 1 m grid",
        "source_dataset": "; ".join([lk["source_dataset"] for lk in lks] + [mb["source_dataset"]]),
        "origin": "; ".join(dict.fromkeys([_origin(lk["origin"]) for lk in lks] + [_origin(mb["origin"])])),
        "licence": "OGL v3",
        "source_crs": mb["crs"],
    }


def q(value) -> str:
    """A TOML value. JSON string escapes are a subset of TOML basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def render_catalog(atom_entries: list[dict], layer_entries: list[dict]) -> str:
    lines = [
        "# generated by tools/build_boundaries.py — do not edit by hand",
        "# rebuild: python tools/build_boundaries.py --source ../shared/data --out boundaries",
        "schema = 1",
        f"attribution = {q(f'{ONS_OGL}. Contains OS data © Crown copyright and database right {CATALOG_YEAR}')}",
        f"attribution_html = {q(f'{ONS_OGL_HTML}. Contains OS data &copy; Crown copyright and database right {CATALOG_YEAR}')}",
        "",
    ]
    for a in atom_entries:
        lines.append("[[atom_base]]")
        lines += [f"{k} = {q(v)}" for k, v in a.items()]
        lines.append("")
    for entry in layer_entries:
        lines.append("[[layer]]")
        atoms = entry.pop("atoms", None)
        lines += [f"{k} = {q(v)}" for k, v in entry.items()]
        if atoms:
            lines.append("[layer.atoms]")
            lines += [f"{k} = {q(v)}" for k, v in atoms.items()]
        entry["atoms"] = atoms
        lines.append("")
    return "\n".join(lines)


def md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def render_readme(layer_entries: list[dict], atom_entries: list[dict], findings: dict, sizes: dict) -> str:
    rows = []
    for e in layer_entries:
        how = e["generalisation"]
        if e.get("atoms"):
            a = e["atoms"]
            chain = f" via `{a['via']}`" if a["via"] else ""
            how = f"union of `{a['base']}` atoms{chain} through `{a['lookup']}`; {how}"
        else:
            how = f"published geometry; {how}"
        note = ("**approximate.** " if e["approximate"] else "") + e["note"]
        rows.append(
            f"| `{e['id']}` | {md_escape(e['title'])} ({e['coverage']}, {e['features']}) | "
            f"{md_escape(e['source_dataset'])} | {md_escape(e['origin'])} | {md_escape(how)} | {md_escape(note)} |"
        )
    cov = []
    for base_id, f in findings.items():
        line = (
            f"* `{base_id}`: after snapping to 1 m, {f['polygons_with_invalid_edges']} of {f['units']} polygons had "
            f"coverage-invalid edges ({f['invalid_edge_length_m']} m in total)"
        )
        if f.get("cleaned_polygons"):
            line += (
                f"; `shapely.coverage_clean` (no snapping, no gap filling) changed {f['cleaned_polygons']} polygons "
                f"({', '.join(f['cleaned_codes'])}) by {f['cleaned_abs_area_change_m2']} m² in total, after which "
                f"the coverage is valid"
            )
        else:
            line += "; it is a valid coverage as is"
        cov.append(line + ".")
    atoms = "\n".join(
        f"| `{a['id']}` | `{a['file']}` | {a['units']} | {a['population_total']:,} | {a['population_source']} |"
        for a in atom_entries
    )
    return f"""<!-- generated by tools/build_boundaries.py — do not edit by hand -->
# coterm boundary catalogue

Boundary layers, LSOA atom tables and lookups that ship with coterm, described by
[`catalog.toml`](catalog.toml). Everything here is generated by
[`tools/build_boundaries.py`](../tools/build_boundaries.py) from the team's data corpus; nothing
else is needed at run time.

* `layers/<id>.parquet` — GeoParquet 1.0 (zstd), columns `code`, `name`, `geometry`, one row per
  code, sorted by code, CRS **EPSG:27700**, coordinates on a 1 m grid, every geometry a valid,
  non-empty (Multi)Polygon.
* `atoms/<base>.parquet` — one row per LSOA: `code`, `population` (int64), `area_m2` (of the
  shipped geometry), `x`, `y` (a point on surface, EPSG:27700) for apportioning people to any polygon.
* `lookups/<key>_<unit>.csv` — the membership of every layer that is legally a set of LSOAs or
  districts, at its natural level (UTF-8, codes as strings, sorted). A chained definition
  (`via`) maps the codes of another layer, e.g. police force areas are sets of 2019 districts.
* `catalog.toml` — one `[[layer]]` per layer with provenance, attribution, SHA-256 and, for
  built layers, an `[layer.atoms]` table naming the atom base, lookup and columns.

Total size: {sizes['total_mb']:.1f} MB.

## One geometry base

Layers that are sets of LSOAs or districts are **built** by coverage-union of the same LSOA layer
(LSOA 2011 for 2011–2022 vintages, LSOA 2021 for 2023+), so neighbouring units — and units of
different layers built on the same base — share edges exactly and geometric overlays of them
produce no slivers. The ONS-published, independently generalised files are kept beside them with a
suffix (`-buc`: BUC 500 m; `-bgc`: 2013 BGC via TopoJSON; `-coarse`: geographr's over-simplified
ICB/SICBL; `-oa`: output-area best-fit approximations) so that sliver handling can be exercised on
real data and results compared.

Reprojection from EPSG:4326 uses a pinned pipeline ({WGS84_TO_BNG_NAME}) so the output does not
depend on which PROJ grids are installed. Coordinates are snapped to 1 m on the LSOA base
*before* dissolving, so shared edges stay identical.

Coverage validity of the atom bases:

{chr(10).join(cov)}

## Atom bases

| id | file | LSOAs | population | population source |
|---|---|---|---|---|
{atoms}

## Layers

| id | what (coverage, features) | source dataset | origin | how built | notes |
|---|---|---|---|---|---|
{chr(10).join(rows)}

## Rebuild

```sh
python tools/build_boundaries.py --source ../shared/data --out boundaries
python -m pytest tests/test_catalog_data.py
```

The build is deterministic: two runs on the same input give byte-identical files (the SHA-256 of
every file is in `catalog.toml`).

## Licence and attribution

All data here is published under the **Open Government Licence v3.0**
(<{OGL_URL}>). When you use or show it, include:

> Source: Office for National Statistics licensed under the Open Government Licence v.3.0
> Contains OS data © Crown copyright and database right 2024

Layers of other vintages carry "Contains OS data © Crown copyright and database right <year>"
with their own year (2011, 2013, 2015, 2019, 2020, 2021, 2022, 2024; see each layer's
`attribution` in `catalog.toml`). Population tables: "Source: Office for National Statistics
licensed under the Open Government Licence v.3.0".

Other credits:

* `ltla-2013-bgc`, and the 2013 district→county lookup behind `utla-2013`: {CHORLEY}
  (the underlying data is ONS / OS Crown copyright under the OGL).
* `csp-2019-oa`, `fra-2021-oa`: packaged by lvalnegri/RbndUK (repository code MIT; data ONS, OGL v3).
* Most layers and lookups were obtained through humaniverse/geographr and demographr, and
  jtrim-ons/ons-lookups (ONS data, OGL v3).
"""


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def prepare_out(out: Path) -> None:
    """Start the generated sub-folders empty so that no stale file survives a rebuild."""
    for sub in ("layers", "atoms", "lookups"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)


def count_table(specs: list[LayerSpec], entries: dict[str, dict]) -> str:
    lines = [f"{'id':<20} {'features':>8} {'expected':>8} {'England':>7}  ok"]
    for s in specs:
        e = entries[s.id]
        lines.append(
            f"{s.id:<20} {e['features']:>8} {s.expected:>8} {e['_england']:>7}  {'yes' if e['features'] == s.expected else 'NO'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the shared data corpus folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder (boundaries/)")
    args = parser.parse_args(argv)
    source, out = args.source.resolve(), args.out
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    prepare_out(out)

    specs = sorted(LAYERS, key=lambda s: FAMILY_ORDER.index(s.family))  # stable: keeps order in family
    base_specs = {b.id: b for b in ATOM_BASES}
    findings: dict = {}
    bases = {b.id: load_atom_base(source, b, findings) for b in ATOM_BASES}

    atom_entries = []
    for b in ATOM_BASES:
        info = write_atom_table(source, out, b, bases[b.id])
        atom_entries.append(
            {
                "id": b.id,
                "file": info["file"],
                "population_source": b.population_source,
                "population_total": info["population_total"],
                "units": info["units"],
                "sha256": sha256(out / info["file"]),
            }
        )

    memberships: dict[str, pd.Series] = {}
    built: dict[str, gpd.GeoDataFrame] = {}
    entries: dict[str, dict] = {}
    csp_oa = load_published(source, "csp19")  # needed by csp-2019 and shipped as csp-2019-oa
    # build order: a via layer before the layers chained through it
    build_order = sorted(specs, key=lambda s: bool(s.atoms and s.atoms.via))
    for spec in build_order:
        d = spec.atoms
        note = spec.note
        lookups_used = []
        if d is None:
            if spec.id in bases:
                gdf = bases[spec.id][["code", "name", "geometry"]]
            elif spec.published == "csp19":
                gdf = csp_oa
            else:
                gdf = load_published(source, spec.published)
        else:
            if d.source:
                keys = set(bases[d.base]["code"]) if not d.via else set(built[d.via]["code"])
                pairs, names = make_lookup(source, d, keys, spec.id)
                lookups_used.append(d.source)
            else:  # csp-2019: resolved at LSOA level
                pairs, names, note = resolve_csp19(source, bases[d.base], csp_oa)
                lookups_used += ["lookup_lsoa11_ltla19", "lookup_ltla19_csp19_pfa19"]
            if d.via:  # provenance names the via layer's lookup too
                via_def = next(s.atoms for s in specs if s.id == d.via)
                lookups_used.append(via_def.source)
            lookup_file = write_lookup(out, d.lookup, pairs)
            memberships[spec.id] = atom_membership(d, pairs, memberships)
            gdf = build_from_atoms(bases[d.base], memberships[spec.id], names, spec.id)
        built[spec.id] = gdf
        file = write_layer(out, spec.id, gdf)
        text, html = attribution(spec)
        entry = {
            "id": spec.id,
            "title": spec.title,
            "family": spec.family,
            "kind": spec.kind,
            "vintage": spec.vintage,
            "coverage": spec.coverage,
            "file": file,
            "code_field": "code",
            "name_field": "name",
            "crs": CRS,
        }
        prov = provenance(spec, manifest, base_specs, list(dict.fromkeys(lookups_used)))
        entry["source_crs"] = prov.pop("source_crs")
        entry["features"] = len(gdf)
        entry["generalisation"] = prov.pop("generalisation")
        entry["approximate"] = spec.approximate
        entry["note"] = note
        entry.update(prov)  # source_dataset, origin, licence
        entry["attribution"] = text
        entry["attribution_html"] = html
        entry["sha256"] = sha256(out / file)
        if spec.published_variant:
            entry["published_variant"] = spec.published_variant
        if d is not None:
            entry["atoms"] = {
                "base": d.base,
                "via": d.via,
                "lookup": lookup_file,
                "key_column": d.key_column,
                "unit_column": d.unit_column,
                "sha256": sha256(out / lookup_file),
            }
        entry["_england"] = int(gdf["code"].str.startswith("E").sum())
        entries[spec.id] = entry
        log(f"{spec.id}: {len(gdf)} features -> {file}")

    checks(specs, entries, built, memberships, source)

    layer_entries = []
    for s in specs:
        e = dict(entries[s.id])
        e.pop("_england")
        layer_entries.append(e)
    catalog = render_catalog(atom_entries, layer_entries)
    tomllib.loads(catalog)  # never ship a catalogue that does not parse
    (out / "catalog.toml").write_text(catalog, encoding="utf-8", newline="\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "README.md")
    readme = render_readme(layer_entries, atom_entries, findings, {"total_mb": total / 1e6})
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(count_table(specs, entries), file=sys.stderr)
    log(f"total size of {out}: {total / 1e6:.2f} MB ({total / 2**20:.2f} MiB)")
    return 0


def checks(specs, entries, built, memberships, source: Path) -> None:
    """Cross-checks that are cheap here and would be silent errors later."""
    bad = [s.id for s in specs if entries[s.id]["features"] != s.expected]
    if bad:
        raise RuntimeError(f"feature counts differ from the known counts for {bad}")
    l13 = set(gpd.read_file(source / "boundaries" / "ltla13.gpkg", ignore_geometry=True)["code"].str.strip())
    same = l13 == set(built["ltla-2013"]["code"])
    log(f"ltla-2013 codes {'match' if same else 'DIFFER FROM'} ltla13.gpkg ({len(l13)} codes)")
    if not same:
        raise RuntimeError("ltla-2013 codes differ from ltla13.gpkg")
    # 297/12: English 2021 districts wholly inside one ICB, by LSOA membership
    lad, icb = memberships["ltla-2021"], memberships["icb-2022"]
    both = pd.DataFrame({"lad": lad, "icb": icb.reindex(lad.index)}).dropna()
    n_icb = both.groupby("lad")["icb"].nunique()
    log(f"ltla-2021 in icb-2022 by LSOA: {int((n_icb == 1).sum())} wholly in one ICB, {int((n_icb > 1).sum())} split")


if __name__ == "__main__":
    sys.exit(main())
