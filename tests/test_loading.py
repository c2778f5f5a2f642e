"""Loading users' files: every format round-trips, every bad input gets a typed, actionable error."""

from __future__ import annotations

import warnings
import zipfile

import pytest
import shapely

import coterm
from coterm.errors import (CodeError, CRSError, DataFileError, GeometryError, GeometryRepairWarning, LayerChoiceError,
                           UnknownLayerError)
from conftest import X0, Y0, gdf, square

ROWS = [("E1", "Alpha", square(X0, Y0, 1000)), ("E2", "Beta", square(X0 + 1000, Y0, 1000)), ("E3", "Gamma", square(X0 + 2000, Y0, 1000))]


def write(df, path, **kw):
    if str(path).endswith(".parquet"):
        df.to_parquet(path)
    else:
        df.to_file(path, **kw)
    return path


@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON"), (".shp", "ESRI Shapefile"),
                                           (".fgb", "FlatGeobuf"), (".parquet", None)])
def test_each_supported_format_round_trips_codes_names_and_areas(tmp_path, suffix, driver):
    path = write(gdf(ROWS), tmp_path / f"units{suffix}", **({"driver": driver} if driver else {}))
    lay = coterm.load_layer(path)
    assert list(lay.codes) == ["E1", "E2", "E3"]
    assert list(lay.names) == ["Alpha", "Beta", "Gamma"]
    assert lay.crs.to_epsg() == 27700
    assert lay.frame.area.sum() == pytest.approx(3e6)


def test_a_zipped_shapefile_is_read_from_inside_the_zip(tmp_path):
    write(gdf(ROWS), tmp_path / "units.shp")
    z = tmp_path / "units.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in tmp_path.glob("units.*"):
            if p.suffix != ".zip":
                zf.write(p, p.name)
    assert len(coterm.load_layer(z)) == 3


def test_longitude_latitude_files_are_reprojected_to_british_national_grid(tmp_path):
    path = write(gdf(ROWS).to_crs(4326), tmp_path / "ll.geojson", driver="GeoJSON")
    lay = coterm.load_layer(path)
    assert lay.crs.to_epsg() == 27700
    assert lay.frame.area.sum() == pytest.approx(3e6, rel=1e-6)


def test_ons_style_columns_are_detected_as_code_and_name(tmp_path):
    df = gdf(ROWS).rename(columns={"code": "LAD21CD", "name": "LAD21NM"})
    lay = coterm.load_layer(write(df, tmp_path / "lad.gpkg", driver="GPKG"))
    assert list(lay.codes) == ["E1", "E2", "E3"] and lay.names["E2"] == "Beta"


def test_a_missing_file_names_the_path(tmp_path):
    with pytest.raises(DataFileError, match=r"nope\.gpkg: file not found"):
        coterm.load_layer(tmp_path / "nope.gpkg")


def test_an_unknown_layer_id_suggests_the_nearest_ids():
    with pytest.raises(UnknownLayerError, match=r"'pfa-2019' is not a catalogue layer id.*did you mean pfa-2024, pfa-2020"):
        coterm.load_layer("pfa-2019")


def test_a_corrupt_file_is_refused_with_its_path(tmp_path):
    p = tmp_path / "bad.gpkg"
    p.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 100)
    with pytest.raises(DataFileError, match=r"bad\.gpkg: cannot be read"):
        coterm.load_layer(p)


def test_a_file_without_crs_is_refused_unless_one_is_given(tmp_path):
    df = gdf(ROWS).set_crs(None, allow_override=True)
    path = write(df, tmp_path / "nocrs.geojson", driver="GeoJSON")
    # GeoJSON implies WGS84, so use a shapefile without .prj for a truly CRS-less file
    path = write(df, tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink(missing_ok=True)
    with pytest.raises(CRSError, match=r"nocrs\.shp: the file has no coordinate reference system.*--crs"):
        coterm.load_layer(path)
    assert coterm.load_layer(path, crs="EPSG:27700").crs.to_epsg() == 27700


def test_points_are_refused_because_coterminosity_needs_areas(tmp_path):
    df = gdf([("P1", "Point", shapely.Point(X0, Y0)), *ROWS[1:]])
    with pytest.raises(GeometryError, match=r"1 unit\(s\) are not polygons \(Point\): P1"):
        coterm.load_layer(write(df, tmp_path / "pts.gpkg", driver="GPKG"))


def test_empty_geometries_are_dropped_with_a_warning_naming_the_codes(tmp_path):
    df = gdf([("X9", "Empty", shapely.Polygon()), *ROWS])
    with pytest.warns(GeometryRepairWarning, match=r"dropped 1 unit\(s\) with empty geometry: X9"):
        lay = coterm.load_layer(write(df, tmp_path / "empty.parquet"))
    assert "X9" not in lay.codes and len(lay) == 3


def test_invalid_geometries_are_repaired_with_a_warning_naming_codes_and_area_change(tmp_path):
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    df = gdf([("BT", "Bow tie", bowtie), *ROWS[1:]])
    with pytest.warns(GeometryRepairWarning, match=r"repaired 1 invalid geometry with make_valid \(area change .*\): BT"):
        lay = coterm.load_layer(write(df, tmp_path / "bowtie.parquet"))
    assert lay.frame.geometry["BT"].is_valid
    assert lay.frame.geometry["BT"].area == pytest.approx(500_000)


def test_duplicate_codes_are_listed(tmp_path):
    df = gdf([ROWS[0], ("E1", "Again", square(X0 + 5000, Y0, 100)), ROWS[2]])
    with pytest.raises(CodeError, match=r"duplicate unit codes in column 'code': E1 \(1 code\(s\)\)"):
        coterm.load_layer(write(df, tmp_path / "dup.parquet"))


def test_null_codes_are_listed_by_feature_row(tmp_path):
    df = gdf(ROWS)
    df.loc[1, "code"] = None
    with pytest.raises(CodeError, match=r"1 unit\(s\) have no code in column 'code' \(feature rows 2\)"):
        coterm.load_layer(write(df, tmp_path / "null.parquet"))


def test_a_geopackage_with_several_layers_lists_them_when_none_is_chosen(tmp_path):
    p = tmp_path / "multi.gpkg"
    write(gdf(ROWS), p, layer="districts", driver="GPKG")
    write(gdf(ROWS[:2]), p, layer="wards", driver="GPKG")
    with pytest.raises(LayerChoiceError, match=r"holds 2 layers \(districts, wards\); choose one with layer="):
        coterm.load_layer(p)
    assert len(coterm.load_layer(p, layer="wards")) == 2
    with pytest.raises(LayerChoiceError, match=r"has no layer 'parishes'; its layers are: districts, wards"):
        coterm.load_layer(p, layer="parishes")


def test_metres_labelled_as_degrees_are_detected(tmp_path):
    df = gdf(ROWS).set_crs(4326, allow_override=True)
    with pytest.raises(CRSError, match=r"they look like metres"):
        coterm.load_layer(write(df, tmp_path / "mislabelled.parquet"))


def test_latitude_and_longitude_swapped_is_detected(tmp_path):
    df = gdf(ROWS).to_crs(4326)
    df["geometry"] = shapely.transform(df.geometry.values, lambda c: c[:, ::-1])
    with pytest.raises(CRSError, match=r"swapped"):
        coterm.load_layer(write(df, tmp_path / "swapped.parquet"))


def test_ambiguous_code_columns_ask_for_a_choice(tmp_path):
    df = gdf(ROWS).rename(columns={"code": "LAD21CD"})
    df["CTY21CD"] = "X"
    with pytest.raises(CodeError, match=r"several columns could hold unit codes \(LAD21CD, CTY21CD\)"):
        coterm.load_layer(write(df, tmp_path / "amb.parquet"))
    assert len(coterm.load_layer(tmp_path / "amb.parquet", code="LAD21CD")) == 3


def test_importing_coterm_imports_neither_folium_nor_the_cli_library():
    import subprocess
    import sys

    code = "import sys, coterm; bad = [m for m in ('folium', 'click', 'coterm.cli', 'rich', 'branca') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
