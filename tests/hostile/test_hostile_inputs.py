"""Hostile inputs that reach the network, write beside the user's file, or hide a second layer or a wrong encoding."""

from __future__ import annotations

import os
import socket
import threading
import warnings
import zipfile

import pytest
import shapely

import coterm
from coterm.errors import CotermWarning, CRSError, DataFileError, GeometryError, LayerChoiceError
from conftest import X0, Y0, gdf, square
from hostile_helpers import BIG, ROWS, cli_error, run_cli, run_here, write_layer


@pytest.fixture
def listener():
    """A TCP listener on loopback that records every connection made to it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(4096))
                except OSError:
                    hits.append(b"")

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    yield srv.getsockname()[1], hits
    stop.set()
    t.join(2)
    srv.close()


def _vrt(port: int, scheme: str = "/vsicurl/http") -> str:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>{scheme}://127.0.0.1:{port}/a.geojson</SrcDataSource>'
            '</OGRVRTLayer></OGRVRTDataSource>')


@pytest.mark.parametrize("name", ["remote.vrt", "remote.gpkg", "remote.geojson", "remote.gml", "remote.kml"])
def test_a_vrt_pointing_at_a_url_is_refused_and_makes_no_request(tmp_path, listener, name):
    port, hits = listener
    p = tmp_path / name
    p.write_text(_vrt(port))
    with pytest.raises(DataFileError):
        coterm.load_layer(p)
    res = run_cli("show", p)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert hits == []


def test_a_vrt_with_a_known_suffix_is_named_as_a_virtual_dataset(tmp_path, listener):
    port, hits = listener
    p = tmp_path / "innocent.gpkg"
    p.write_text(_vrt(port))
    cli_error(run_cli("show", p), "innocent.gpkg: is a GDAL virtual dataset (VRT/WFS XML)")
    assert hits == []


def test_gdal_network_file_systems_are_off_in_the_process(tmp_path, listener, monkeypatch):
    """Even a name GDAL is handed directly (not through coterm's checks) fetches nothing, over HTTP or S3/GCS."""
    import pyogrio

    from coterm.io.vector import gdal

    port, hits = listener
    for k, v in {"AWS_S3_ENDPOINT": f"127.0.0.1:{port}", "AWS_NO_SIGN_REQUEST": "YES", "AWS_HTTPS": "NO", "AWS_VIRTUAL_HOSTING": "FALSE"}.items():
        monkeypatch.setenv(k, v)
    gdal()
    for name in (f"/vsicurl/http://127.0.0.1:{port}/x.geojson", f"/vsicurl_streaming/http://127.0.0.1:{port}/x.geojson",
                 f"/vsizip//vsicurl/http://127.0.0.1:{port}/x.zip", "/vsis3/bucket/x.geojson", "/vsigs/bucket/x.geojson"):
        with warnings.catch_warnings(), pytest.raises(Exception):
            warnings.simplefilter("ignore")
            pyogrio.read_info(name)
    assert hits == []


def test_a_kml_network_link_is_not_followed(tmp_path, listener):
    port, hits = listener
    p = tmp_path / "net.kml"
    p.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
                 f'<NetworkLink><name>x</name><Link><href>http://127.0.0.1:{port}/a.kml</href></Link></NetworkLink>'
                 '<Placemark><name>E1</name><Polygon><outerBoundaryIs><LinearRing><coordinates>-1,52 -0.9,52 -0.9,52.1 -1,52'
                 '</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>')
    assert list(coterm.load_layer(p, code="Name").codes) == ["E1"]
    assert hits == []


def test_a_gml_whose_schema_is_remote_fetches_nothing_and_reads(tmp_path, listener):
    port, hits = listener
    p = tmp_path / "units.gml"
    gdf(ROWS).to_file(p, driver="GML")
    (tmp_path / "units.xsd").unlink()
    text = p.read_text().replace("xsi:schemaLocation=\"", f"xsi:schemaLocation=\"http://127.0.0.1:{port}/schema http://127.0.0.1:{port}/s.xsd ", 1)
    p.write_text(text)
    lay = coterm.load_layer(p)
    assert list(lay.codes) == ["E1", "E2", "E3"]
    assert hits == []


def test_reading_a_gml_never_writes_beside_it(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    p = d / "units.gml"
    gdf(ROWS).to_file(p, driver="GML")
    (d / "units.xsd").unlink()  # without its schema GDAL would write a .gfs next to the file
    before = sorted(os.listdir(d))
    assert list(coterm.load_layer(p).codes) == ["E1", "E2", "E3"]
    assert run_here("show", p).returncode == 0
    assert sorted(os.listdir(d)) == before == ["units.gml"]


def test_a_fifo_as_input_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "units.geojson"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match=r"units\.geojson: is a FIFO \(named pipe\), not a file"):
        coterm.load_layer(fifo)
    cli_error(run_cli("show", fifo, timeout=60), "units.geojson: is a FIFO (named pipe), not a file")


def test_a_300_character_input_name_is_refused_in_one_line(tmp_path):
    p = tmp_path / ("u" * 300 + ".gpkg")
    err = cli_error(run_here("show", p), "cannot be opened (the name is too long (305 characters))")
    assert len(err) < 400


def test_a_file_with_an_undocumented_suffix_is_refused(tmp_path):
    p = tmp_path / "units.csv"
    p.write_text("code,name,WKT\nE1,A,\"POLYGON((0 0,1 0,1 1,0 0))\"\n")
    cli_error(run_here("show", p), "units.csv: .csv is not a format coterm reads")


# --- zips with several shapefiles --------------------------------------------------------------


@pytest.fixture
def two_shapefile_zip(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_layer(ROWS, src / "districts.shp")
    write_layer(BIG, src / "counties.shp")
    z = tmp_path / "both.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(src.iterdir()):
            zf.write(f, f.name)
    return z


def test_a_zip_with_two_shapefiles_is_refused_listing_them(two_shapefile_zip):
    with pytest.raises(LayerChoiceError, match=r"both\.zip: holds 2 shapefiles \(counties\.shp, districts\.shp\); choose one with layer="):
        coterm.load_layer(two_shapefile_zip)
    cli_error(run_here("show", two_shapefile_zip), "both.zip: holds 2 shapefiles (counties.shp, districts.shp)", "--layer NAME")


def test_layer_reaches_either_shapefile_in_a_zip(two_shapefile_zip):
    assert list(coterm.load_layer(two_shapefile_zip, layer="districts").codes) == ["E1", "E2", "E3"]
    assert list(coterm.load_layer(two_shapefile_zip, layer="counties.shp").codes) == ["B1", "B2"]
    with pytest.raises(LayerChoiceError, match=r"has no shapefile wards; it holds: counties\.shp, districts\.shp"):
        coterm.load_layer(two_shapefile_zip, layer="wards")
    res = run_here("show", two_shapefile_zip, "--layer", "counties")
    assert res.returncode == 0 and "B1" in res.stdout and "E1" not in res.stdout
    assert coterm.io.list_file_layers(two_shapefile_zip) == ["counties", "districts"]


# --- encodings and codes -------------------------------------------------------------------------

WELSH = [("W1", "Ynys Môn", square(X0, Y0, 1000)), ("W2", "Pen-y-bont ar Ogwr – Bridgend", square(X0 + 1000, Y0, 1000))]


def test_a_utf8_shapefile_without_cpg_is_read_as_utf8_with_a_warning(tmp_path):
    p = write_layer(WELSH, tmp_path / "wales.shp", encoding="UTF-8")
    p.with_suffix(".cpg").unlink()
    with pytest.warns(CotermWarning, match=r"wales\.shp: the shapefile has no \.cpg file and its text is UTF-8 .* read as UTF-8"):
        lay = coterm.load_layer(p)
    assert list(lay.names) == ["Ynys Môn", "Pen-y-bont ar Ogwr – Bridgend"]


def test_a_zipped_utf8_shapefile_without_cpg_is_read_as_utf8_too(tmp_path):
    p = write_layer(WELSH, tmp_path / "wales.shp", encoding="UTF-8")
    p.with_suffix(".cpg").unlink()
    z = tmp_path / "wales.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(p.with_suffix(ext), f"wales{ext}")
    with pytest.warns(CotermWarning, match="read as UTF-8"):
        assert coterm.load_layer(z).names.tolist()[0] == "Ynys Môn"


def test_a_latin1_shapefile_is_left_as_latin1_without_a_warning(tmp_path):
    p = write_layer(WELSH[:1], tmp_path / "latin.shp", encoding="ISO-8859-1")
    p.with_suffix(".cpg").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CotermWarning)
        assert coterm.load_layer(p).names.tolist() == ["Ynys Môn"]


def test_a_geojson_saved_with_a_gpkg_suffix_keeps_the_leading_zero_guard(tmp_path):
    p = tmp_path / "codes.gpkg"
    ring = [[X0, Y0], [X0 + 10, Y0], [X0, Y0 + 10], [X0, Y0]]
    p.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}, '
                 '"features": [{"type": "Feature", "properties": {"code": 01234, "name": "A"}, '
                 f'"geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}]}}')
    with pytest.raises(DataFileError, match=r"codes\.gpkg: line 1: 'code' is the number 01234, which is not valid JSON"):
        coterm.load_layer(p)


def test_a_megabyte_code_and_invisible_characters_give_a_short_readable_line(tmp_path):
    huge = "X" * 1_000_000
    rows = [(huge, "Huge", square(X0, Y0, 1000)), (huge, "Again", square(X0 + 1000, Y0, 1000)),
            ("E1\u200b", "Zero width", square(X0 + 2000, Y0, 1000)), ("E1\u200b", "Twin", square(X0 + 3000, Y0, 1000))]
    p = write_layer(rows, tmp_path / "codes.gpkg", driver="GPKG")
    err = cli_error(run_here("show", p), "duplicate unit codes", "E1\\u200b", "(1000000 characters)")
    assert len(err) < 600


# --- geometry kinds and CRS options -----------------------------------------------------------------


def test_zm_geometries_are_read_flat_and_mapped(tmp_path):
    zm = shapely.from_wkt(f"POLYGON ZM (({X0} {Y0} 5 1, {X0 + 1000} {Y0} 5 2, {X0 + 1000} {Y0 + 1000} 5 3, {X0} {Y0 + 1000} 5 4, {X0} {Y0} 5 1))")
    src = write_layer([("Z1", "Zed", zm), *ROWS[1:]], tmp_path / "zm.parquet")
    lay = coterm.load_layer(src)
    assert not shapely.has_z(lay.frame.geometry.to_numpy()).any() and not shapely.has_m(lay.frame.geometry.to_numpy()).any()
    assert lay.frame.geometry.area.loc["Z1"] == pytest.approx(1e6)
    out = tmp_path / "m.html"
    res = run_here("map", src, write_layer(BIG, tmp_path / "b.parquet"), "--mode", "geometry", "--by", "area", "-o", out)
    assert res.returncode == 0, res.stderr
    assert out.stat().st_size > 0


@pytest.mark.parametrize("given", ["EPSG:99999999", "not a crs", "+proj=nonsense"])
def test_an_unknown_crs_option_is_a_one_line_error(tmp_path, given):
    p = write_layer(ROWS, tmp_path / "nocrs.gpkg", crs=None, driver="GPKG")
    with pytest.raises(CRSError, match=rf"'{__import__('re').escape(given)}' is not a coordinate reference system coterm knows"):
        coterm.load_layer(p, crs=given)
    cli_error(run_here("show", p, "--crs", given), f"'{given}' is not a coordinate reference system coterm knows", "EPSG:27700")


def test_a_geocentric_crs_is_refused(tmp_path):
    p = write_layer(ROWS, tmp_path / "ecef.gpkg", crs="EPSG:4978", driver="GPKG")
    with pytest.raises(CRSError, match=r"ecef\.gpkg: the CRS WGS 84 is geocentric .*not a map projection or longitude/latitude"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "ecef.gpkg: the CRS WGS 84 is geocentric")


def test_coordinates_of_1e200_are_refused_from_a_file(tmp_path):
    big = shapely.Polygon([(0, 0), (1e200, 0), (0, 1e200)])
    p = write_layer([("HUGE", "Huge", big), *ROWS[1:]], tmp_path / "huge.gpkg", driver="GPKG")
    with pytest.raises(GeometryError, match=r"huge\.gpkg: 1 unit\(s\) have coordinates that are beyond ±1e\+08.*: HUGE"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "huge.gpkg: 1 unit(s) have coordinates that are beyond")
