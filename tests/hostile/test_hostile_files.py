"""Hostile files: every unreadable input is refused with a typed error naming the file, in Python and in the CLI."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import zipfile

import pandas as pd
import pytest
import shapely

import coterm
from coterm.errors import CRSError, DataFileError, GeometryError, LayerChoiceError, OutputError, OverlapError
from coterm.io import atomic_dir, write_csv, write_json
from conftest import gdf
from hostile_helpers import BIG, ROWS, cli_error, run_cli, run_here, tree_bytes, write_layer


@pytest.fixture
def good(tmp_path):
    return write_layer(ROWS, tmp_path / "good.gpkg", driver="GPKG")


@pytest.fixture
def good_parquet(tmp_path):
    return write_layer(ROWS, tmp_path / "good.parquet")


@contextlib.contextmanager
def _mounted(path, options):
    """Mount a tmpfs at ``path`` (root only); skip the test where mounting is not allowed."""
    path.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def readonly_dir(tmp_path):
    """A folder nobody may write in: chmod for ordinary users, a read-only tmpfs for root."""
    d = tmp_path / "locked"
    if os.geteuid() != 0:
        d.mkdir()
        d.chmod(0o555)
        yield d
        d.chmod(0o755)
    else:
        with _mounted(d, "ro,size=1m"):
            yield d


# --- reading --------------------------------------------------------------------------------------


def test_a_missing_file_is_refused_naming_the_path(tmp_path):
    with pytest.raises(DataFileError, match=r"nope\.gpkg: file not found; check the path"):
        coterm.load_layer(tmp_path / "nope.gpkg")
    cli_error(run_here("show", tmp_path / "nope.gpkg"), "nope.gpkg: file not found")


def test_an_empty_file_is_refused_as_empty_not_as_corrupt(tmp_path):
    p = tmp_path / "empty.geojson"
    p.write_bytes(b"")
    with pytest.raises(DataFileError, match=r"empty\.geojson: the file is empty \(0 bytes\)"):
        coterm.load_layer(p)
    cli_error(run_here("compare", p, p), "empty.geojson: the file is empty (0 bytes)")


def test_a_truncated_geopackage_is_refused_as_unreadable(tmp_path, good):
    p = tmp_path / "cut.gpkg"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    with pytest.raises(DataFileError, match=r"cut\.gpkg: cannot be read"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "cut.gpkg: cannot be read")


def test_a_truncated_geoparquet_is_refused_asking_whether_the_file_is_complete(tmp_path, good_parquet):
    p = tmp_path / "cut.parquet"
    p.write_bytes(good_parquet.read_bytes()[: good_parquet.stat().st_size // 2])
    with pytest.raises(DataFileError, match=r"cut\.parquet: cannot be read as GeoParquet .*is the file complete\?"):
        coterm.load_layer(p)
    cli_error(run_here("compare", p, good_parquet, "--mode", "geometry"), "cut.parquet: cannot be read as GeoParquet")


@pytest.mark.parametrize("name,content,message", [
    # a suffix coterm does not document is refused before GDAL sees the file
    ("notes.txt", b"hello world\n", ".txt is not a format coterm reads"),
    ("fake.gpkg", b"just some text pretending to be a geopackage\n", "cannot be read as a vector file"),
    ("table.csv", b"code,name\nE1,Alpha\n", ".csv is not a format coterm reads"),
    ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, ".png is not a format coterm reads"),
])
def test_a_file_that_is_not_geospatial_is_refused_naming_the_file(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DataFileError, match=re.escape(message)):
        coterm.load_layer(p)
    cli_error(run_here("show", p), f"{name}: {message}")


def test_a_plain_parquet_table_without_geometry_is_refused(tmp_path):
    p = tmp_path / "plain.parquet"
    pd.DataFrame({"code": ["E1"], "name": ["Alpha"]}).to_parquet(p)
    with pytest.raises(DataFileError, match=r"plain\.parquet: cannot be read as GeoParquet \(Missing geo metadata"):
        coterm.load_layer(p)


def test_a_zip_without_a_shapefile_lists_what_it_holds(tmp_path):
    p = tmp_path / "bundle.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "no shapes here")
        zf.writestr("data.csv", "a,b\n")
    with pytest.raises(DataFileError, match=r"bundle\.zip: the zip holds no \.shp shapefile \(it holds data\.csv, readme\.txt\)"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "bundle.zip: the zip holds no .shp shapefile")


def test_a_file_named_zip_that_is_not_a_zip_is_refused(tmp_path):
    p = tmp_path / "broken.zip"
    p.write_bytes(b"PK\x03\x04 but not really")
    with pytest.raises(DataFileError, match=r"broken\.zip: not a valid zip archive"):
        coterm.load_layer(p)


def test_a_shapefile_without_prj_is_refused_until_its_crs_is_stated(tmp_path):
    p = write_layer(ROWS, tmp_path / "noprj.shp")
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(CRSError, match=r"noprj\.shp: the file has no coordinate reference system; state it with crs="):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "noprj.shp: the file has no coordinate reference system", "--crs EPSG:27700")
    ok = run_here("show", p, "--crs", "EPSG:27700", "--json")
    assert ok.returncode == 0, ok.stderr
    assert '"units": 3' in ok.stdout


def test_a_zipped_shapefile_without_prj_is_refused_too(tmp_path):
    write_layer(ROWS, tmp_path / "units.shp")
    z = tmp_path / "units.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in ("shp", "shx", "dbf"):
            zf.write(tmp_path / f"units.{ext}", f"units.{ext}")
    with pytest.raises(CRSError, match=r"units\.zip: the file has no coordinate reference system"):
        coterm.load_layer(z)


@pytest.mark.parametrize("text", [
    '{"type": "FeatureCollection", "features": [',
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "E1"}, "geometry": ',
    "{'type': 'FeatureCollection'}",
])
def test_geojson_that_is_not_valid_json_is_refused_saying_so(tmp_path, text):
    p = tmp_path / "broken.geojson"
    p.write_text(text)
    with pytest.raises(DataFileError, match=r"broken\.geojson: cannot be read as a vector file .*the GeoJSON is not valid JSON"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "broken.geojson: cannot be read", "not valid JSON")


def test_a_layer_name_that_does_not_exist_lists_the_layers_that_do(tmp_path, good):
    with pytest.raises(LayerChoiceError, match=r"good\.gpkg: has no layer 'wards'; its layers are: good"):
        coterm.load_layer(good, layer="wards")
    cli_error(run_here("show", good, "--layer", "wards"), "good.gpkg: has no layer 'wards'", "its layers are: good")


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".geojson"])
def test_a_layer_with_no_features_is_refused_naming_the_file(tmp_path, suffix):
    p = tmp_path / f"nothing{suffix}"
    empty = gdf(ROWS).iloc[:0]
    empty.to_parquet(p) if suffix == ".parquet" else empty.to_file(p)
    with pytest.raises(GeometryError, match=rf"nothing\{suffix}: the layer has no features"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), f"nothing{suffix}: the layer has no features")


def test_a_folder_given_as_a_boundary_file_is_refused(tmp_path):
    d = tmp_path / "shapes.gpkg"
    d.mkdir()
    with pytest.raises(DataFileError, match=r"shapes\.gpkg: is a folder, not a boundary file"):
        coterm.load_layer(d)


def test_the_debug_flag_is_the_only_way_to_see_a_traceback(tmp_path):
    res = run_cli("--debug", "show", tmp_path / "nope.gpkg")
    assert res.returncode != 0
    assert "Traceback" in res.stderr and "DataFileError" in res.stderr


# --- writing ----------------------------------------------------------------------------------------


def test_an_output_folder_that_cannot_be_written_is_refused_and_nothing_is_written(readonly_dir, good):
    out = readonly_dir / "results"
    cli_error(run_here("compare", good, good, "--mode", "geometry", "--by", "area", "--out", out),
              f"{out}: the folder {readonly_dir} is not writable")
    assert list(readonly_dir.iterdir()) == []


def test_a_missing_output_folder_is_created_with_its_parents(tmp_path, good):
    out = tmp_path / "new" / "deeper" / "results"
    res = run_here("compare", good, good, "--mode", "geometry", "--by", "area", "--out", out)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["pairs.csv", "partners.csv", "slivers.csv", "summary.json", "units.csv", "units.gpkg"]
    assert [p.name for p in out.parent.iterdir()] == ["results"]  # no temporary leftovers beside it


def test_an_output_folder_that_is_an_existing_file_is_refused_and_the_file_is_untouched(tmp_path, good):
    out = tmp_path / "results"
    out.write_text("precious")
    # click refuses it before any work (a usage error: exit 2, "Error: ..." naming the path)
    res = run_here("compare", good, good, "--mode", "geometry", "--by", "area", "--out", out)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"Error: Invalid value for '--out': Directory '{out}' is a file." in res.stderr
    with pytest.raises(OutputError, match=r"results: exists and is a file; give a folder for the outputs"):
        with atomic_dir(out):
            pass
    assert out.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.gpkg", "results"]


def test_an_output_file_path_that_is_a_folder_is_refused(tmp_path):
    d = tmp_path / "units.csv"
    d.mkdir()
    with pytest.raises(OutputError, match=r"units\.csv: is a folder; give a file name"):
        write_csv(pd.DataFrame({"a": [1]}), d)
    with pytest.raises(OutputError, match=r"units\.csv: is a folder"):
        write_json({"a": 1}, d)
    assert list(d.iterdir()) == []


def test_an_output_file_in_a_missing_folder_is_refused_naming_the_folder(tmp_path):
    with pytest.raises(OutputError, match=r"out\.csv: the folder .*nowhere does not exist; create it first"):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "nowhere" / "out.csv")


def test_a_failed_compare_never_touches_a_previous_output_folder(tmp_path, good):
    out = tmp_path / "results"
    assert run_here("compare", good, good, "--mode", "geometry", "--by", "area", "--out", out).returncode == 0
    before = tree_bytes(out)
    cli_error(run_here("compare", good, tmp_path / "missing.gpkg", "--mode", "geometry", "--out", out), "missing.gpkg: file not found")
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.gpkg", "results"]


def test_two_layers_with_nothing_in_common_are_refused_naming_both_extents(tmp_path, good):
    far_rows = [(c, n, shapely.affinity.translate(g, 50_000, 0)) for c, n, g in BIG]
    far = write_layer(far_rows, tmp_path / "far.parquet")
    with pytest.raises(OverlapError, match=r"do not overlap at all .* spans x .* spans x"):
        coterm.compare_layers(good, far, mode="geometry", by="area")
    res = run_here("compare", good, far, "--mode", "geometry", "--by", "area", "--json")
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "do not overlap at all" in res.stderr
