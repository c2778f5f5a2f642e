"""Each branch of the working-CRS policy is checked against geodesic areas (pyproj.Geod on the ellipsoid).

BNG is used only when a layer's real points lie in Great Britain; the island of Ireland (and a
UK-wide layer) is measured in an equal-area projection, never in BNG (0.84 % off in Northern Ireland).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod

import coterm
from coterm.crs import WORKING_CRS, in_great_britain, working_crs_for

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parents[2]
SHARED_LTLA24 = next((c for c in (ROOT.parent / "shared", ROOT.parents[1] / "shared") if c.exists()), ROOT.parent / "shared") / "data" / "boundaries" / "ltla24.gpkg"


def _box(lon, lat, d=0.2):
    return shapely.segmentize(shapely.box(lon, lat, lon + d, lat + d), 0.01)


def _lonlat_layer(rows, tmp_path, name):
    df = gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs="EPSG:4326")
    p = tmp_path / f"{name}.gpkg"
    df.to_file(p, driver="GPKG")
    return p


def _geodesic(poly) -> float:
    return abs(GEOD.geometry_area_perimeter(poly)[0])


PLACES = {
    # name: (lon, lat, expected working CRS is BNG, tolerance against geodesic area)
    "Kent": (0.8, 51.2, True, 1.5e-3),
    "Cumbria": (-3.2, 54.6, True, 1.5e-3),
    "Shetland": (-1.3, 60.3, True, 1.5e-3),
    "Outer Hebrides": (-7.2, 57.5, True, 2e-3),  # BNG's worst corner: +0.15 %
    "Belfast": (-6.0, 54.55, False, 1e-5),
    "Derry": (-7.4, 54.95, False, 1e-5),
    "Dublin": (-6.4, 53.3, False, 1e-5),
    "Brittany": (-3.5, 48.0, False, 1e-5),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_every_crs_branch_measures_areas_within_its_tolerance_of_geodesic(tmp_path, place):
    lon, lat, bng, tol = PLACES[place]
    poly = _box(lon, lat)
    lay = coterm.load_layer(_lonlat_layer([("U1", poly)], tmp_path, place.replace(" ", "_")))
    assert lay.crs.equals(WORKING_CRS) is bng, lay.crs.to_string()
    area = float(lay.frame.geometry.area.iloc[0])
    assert area == pytest.approx(_geodesic(poly), rel=tol)


@pytest.mark.parametrize("lon,lat,bng_error", [(-6.0, 54.55, 5e-4), (-7.8, 54.3, 2e-3), (-9.0, 53.3, 5e-3)])
def test_a_layer_on_the_island_of_ireland_is_not_measured_in_bng_though_gb_s_box_holds_it(tmp_path, lon, lat, bng_error):
    poly = _box(lon, lat)
    lay = coterm.load_layer(_lonlat_layer([("I1", poly)], tmp_path, "ireland"))
    bng_area = float(gpd.GeoSeries([poly], crs=4326).to_crs(27700).area.iloc[0])
    geodesic = _geodesic(poly)
    assert abs(bng_area / geodesic - 1) > bng_error  # what BNG would have said (Belfast, Fermanagh, Galway)
    assert not lay.crs.equals(WORKING_CRS)
    assert float(lay.frame.geometry.area.iloc[0]) == pytest.approx(geodesic, rel=1e-5)


def test_a_uk_wide_layer_is_measured_in_equal_area_and_a_gb_layer_in_bng(tmp_path):
    gb = coterm.load_layer(_lonlat_layer([("E1", _box(-1.5, 52.0)), ("S1", _box(-4.0, 56.0))], tmp_path, "gb"))
    uk = coterm.load_layer(_lonlat_layer([("E1", _box(-1.5, 52.0)), ("N1", _box(-6.5, 54.5))], tmp_path, "uk"))
    assert gb.crs.equals(WORKING_CRS)
    assert not uk.crs.equals(WORKING_CRS) and "+proj=laea" in uk.crs.to_proj4()
    for code, lon, lat in (("E1", -1.5, 52.0), ("N1", -6.5, 54.5)):
        assert float(uk.frame.geometry.area.loc[code]) == pytest.approx(_geodesic(_box(lon, lat)), rel=1e-5)


def test_overlapping_a_gb_layer_with_an_irish_one_measures_both_in_equal_area(tmp_path):
    ni = coterm.load_layer(_lonlat_layer([("N1", _box(-6.0, 54.55))], tmp_path, "ni"))
    ni2 = coterm.load_layer(_lonlat_layer([("M1", _box(-6.0, 54.55, 0.1))], tmp_path, "ni2"))
    ov = coterm.overlap(ni, ni2, mode="geometry", by="area", min_share=0)
    assert float(ov.table.area_m2.sum()) == pytest.approx(_geodesic(_box(-6.0, 54.55, 0.1)), rel=1e-5)


def test_the_ireland_outline_keeps_the_nearest_british_coasts_out():
    # Mull of Kintyre, Rhinns of Galloway, Isle of Man, Anglesey, St Davids Head, Scilly, Islay
    gb = np.array([(-5.80, 55.29), (-5.16, 55.0), (-4.86, 54.63), (-4.8, 54.2), (-4.7, 53.3), (-5.31, 51.9), (-6.4, 49.9), (-6.33, 55.58)])
    # Malin Head, Rathlin, Fair Head, the Ards, Dublin, Carnsore Point, Mizen Head
    ireland = np.array([(-7.37, 55.38), (-6.2, 55.29), (-6.15, 55.23), (-5.43, 54.48), (-6.05, 53.37), (-6.36, 52.17), (-9.8, 51.44)])
    assert all(in_great_britain(p[None, :]) for p in gb)
    assert not any(in_great_britain(p[None, :]) for p in ireland)


@pytest.mark.skipif(not SHARED_LTLA24.exists(), reason="the shared ONS corpus is not available")
def test_on_ons_uk_districts_every_northern_irish_district_is_outside_great_britain():
    uk = gpd.read_file(SHARED_LTLA24).to_crs(4326)
    for code, geom in zip(uk["code"], uk.geometry):
        xy = shapely.get_coordinates(geom)
        assert in_great_britain(xy) is (not code.startswith("N")), code
    whole = working_crs_for(uk.total_bounds, CRS.from_epsg(4326), geoms=uk.geometry.to_numpy())
    assert not whole.equals(WORKING_CRS)
    gb = uk[~uk["code"].str.startswith("N")]
    assert working_crs_for(gb.total_bounds, CRS.from_epsg(4326), geoms=gb.geometry.to_numpy()).equals(WORKING_CRS)
