"""Hostile coordinates and geometries: wrong CRSs are refused or handled exactly, broken polygons never distort a measure silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely

import coterm
from coterm.crs import require_metric
from coterm.errors import CoverageWarning, CRSError, GeometryError, GeometryRepairWarning
from conftest import X0, Y0, drawn_layer, gdf, square
from hostile_helpers import BIG, ROWS, cli_error, run_here, write_layer


def areas(ov):
    return {(r.a_code, r.b_code): round(r.area_m2, 3) for r in ov.all_pairs().itertuples()}


def geometry_overlap(a, b, **kw):
    return coterm.overlap(a, b, mode="geometry", by="area", **kw)


# --- CRS ---------------------------------------------------------------------------------------------


def test_a_file_without_any_crs_is_refused_in_python_and_in_the_cli(tmp_path):
    p = write_layer(ROWS, tmp_path / "bare.parquet", crs=None)
    with pytest.raises(CRSError, match=r"bare\.parquet: the file has no coordinate reference system; state it with crs="):
        coterm.load_layer(p)
    cli_error(run_here("compare", p, p, "--mode", "geometry"), "bare.parquet: the file has no coordinate reference system", "--crs")
    assert coterm.load_layer(p, crs="EPSG:27700").frame.area.sum() == pytest.approx(3e6)


def test_measuring_in_degrees_is_refused_by_require_metric():
    with pytest.raises(CRSError, match=r"lsoa: EPSG:4326 is not a projected CRS; areas in degrees are meaningless"):
        require_metric("EPSG:4326", source="lsoa")
    with pytest.raises(CRSError, match=r"lsoa: no CRS; areas cannot be measured"):
        require_metric(None, source="lsoa")
    require_metric("EPSG:27700", source="lsoa")  # fine


@pytest.mark.parametrize("side", ["a", "b"])
def test_a_layer_object_in_degrees_is_refused_by_the_geometric_engine_whichever_side_it_is_on(side):
    a, b = drawn_layer(ROWS, id="a"), drawn_layer(BIG, id="b")
    if side == "a":
        a = a.replace(frame=a.frame.to_crs(4326))
    else:
        b = b.replace(frame=b.frame.to_crs(4326))
    with pytest.raises(CRSError, match=rf"^{side}: EPSG:4326 is not a projected CRS"):
        geometry_overlap(a, b)


def test_files_in_different_crss_give_the_same_overlaps_as_both_in_british_national_grid(tmp_path):
    ref = geometry_overlap(write_layer(ROWS, tmp_path / "a.gpkg", driver="GPKG"), write_layer(BIG, tmp_path / "b.gpkg", driver="GPKG"))
    a_ll = write_layer(ROWS, tmp_path / "a_ll.geojson")  # written in BNG, then to lon/lat below
    gdf(ROWS).to_crs(4326).to_file(a_ll, driver="GeoJSON")
    b_merc = tmp_path / "b_merc.parquet"
    gdf(BIG).to_crs(3857).to_parquet(b_merc)
    got = geometry_overlap(a_ll, b_merc)
    assert got.a.crs.to_epsg() == 27700 and got.b.crs.to_epsg() == 27700
    assert list(zip(got.table.a_code, got.table.b_code)) == list(zip(ref.table.a_code, ref.table.b_code))
    np.testing.assert_allclose(got.table.area_m2, ref.table.area_m2, rtol=1e-6)
    np.testing.assert_allclose(got.table.share_of_a, ref.table.share_of_a, rtol=1e-9)


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:32630"])
@pytest.mark.parametrize("side", ["a", "b"])
def test_a_layer_object_in_another_projected_crs_is_measured_in_british_national_grid_not_in_its_own(crs, side):
    a, b = drawn_layer(ROWS, id="a"), drawn_layer(BIG, id="b")
    ref = geometry_overlap(a, b)
    if side == "a":
        a = a.replace(frame=a.frame.to_crs(crs))  # Web Mercator would inflate areas 2.6 times at 51°N
    else:
        b = b.replace(frame=b.frame.to_crs(crs))
    got = geometry_overlap(a, b)
    np.testing.assert_allclose(got.table.area_m2, ref.table.area_m2, rtol=1e-5)
    np.testing.assert_allclose(got.units_a.area_m2, ref.units_a.area_m2, rtol=1e-5)


def test_latitude_longitude_swapped_is_refused_with_a_clear_message(tmp_path):
    df = gdf(ROWS).to_crs(4326)
    df["geometry"] = shapely.transform(df.geometry.values, lambda c: c[:, ::-1])
    p = tmp_path / "swapped.geojson"
    df.to_file(p, driver="GeoJSON")
    with pytest.raises(CRSError, match=r"swapped\.geojson: coordinates look like latitude/longitude swapped .*write them as longitude, latitude"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "swapped.geojson: coordinates look like latitude/longitude swapped")


def test_metres_labelled_as_degrees_are_refused_suggesting_the_real_crs(tmp_path):
    p = tmp_path / "metres.parquet"
    gdf(ROWS).set_crs(4326, allow_override=True).to_parquet(p)
    with pytest.raises(CRSError, match=r"metres\.parquet: the CRS is EPSG:4326 \(degrees\) but coordinates reach x=473000, y=171000: "
                                       r"they look like metres; state the real CRS \(e\.g\. --crs EPSG:27700\)"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "they look like metres")


def test_degrees_labelled_as_metres_are_refused_suggesting_lon_lat(tmp_path):
    p = tmp_path / "degrees.parquet"
    gdf(ROWS).to_crs(4326).set_crs(27700, allow_override=True).to_parquet(p)
    with pytest.raises(CRSError, match=r"degrees\.parquet: the CRS is EPSG:27700 \(metres\) but every coordinate is within ±180 .*--crs EPSG:4326"):
        coterm.load_layer(p)


def test_a_crs_option_that_contradicts_the_file_is_refused_not_silently_applied(tmp_path):
    p = write_layer(ROWS, tmp_path / "bng.gpkg", driver="GPKG")
    with pytest.raises(CRSError, match=r"bng\.gpkg: the file declares EPSG:27700 but EPSG:4326 was given; drop the option or fix the file"):
        coterm.load_layer(p, crs="EPSG:4326")
    cli_error(run_here("show", p, "--crs", "EPSG:4326"), "bng.gpkg: the file declares EPSG:27700 but EPSG:4326 was given")


@pytest.mark.parametrize("bad_x,what", [(np.inf, "not finite numbers"), (np.nan, "not finite numbers"), (1e200, "beyond")])
def test_non_finite_or_absurd_coordinates_are_refused_naming_the_unit(bad_x, what):
    # a NaN vertex must not be "repaired" into a triangle, nor 1e200 give an infinite area
    bad = shapely.Polygon([(X0, Y0), (bad_x, Y0), (X0, Y0 + 10), (X0 + 5, Y0 + 5)])
    with pytest.raises(GeometryError, match=rf"1 unit\(s\) have coordinates that are {what}.*: INF; fix or drop those features"):
        drawn_layer([("INF", "Infinite", bad), *ROWS[1:]])


# --- geometry ----------------------------------------------------------------------------------------


def test_a_bow_tie_is_repaired_into_its_two_triangles_and_measured_as_such():
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    with pytest.warns(GeometryRepairWarning, match=r"drawn: repaired 1 invalid geometry with make_valid .*: BT$"):
        a = drawn_layer([("BT", "Bow tie", bowtie)])
    b = drawn_layer([("L", "Left", square(X0, Y0, 500, 1000)), ("R", "Right", square(X0 + 500, Y0, 500, 1000))], id="halves")
    ov = geometry_overlap(a, b)
    assert areas(ov) == {("BT", "L"): 250_000, ("BT", "R"): 250_000}


def test_a_ring_with_too_few_points_is_dropped_with_warnings_naming_its_code():
    sliver = shapely.from_wkt(f"POLYGON(({X0} {Y0}, {X0 + 10} {Y0}, {X0} {Y0}))")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        lay = drawn_layer([("TOOFEW", "Two points", sliver), *ROWS[1:]])
    msgs = [str(x.message) for x in w if issubclass(x.category, GeometryRepairWarning)]
    assert any(m.endswith("dropped 1 unit(s) with empty geometry: TOOFEW") for m in msgs), msgs
    assert list(lay.codes) == ["E2", "E3"]


def test_a_hole_outside_its_shell_removes_nothing_and_adds_nothing():
    odd = shapely.Polygon(square(X0, Y0, 1000).exterior.coords, [square(X0 + 5000, Y0, 100).exterior.coords])
    with pytest.warns(GeometryRepairWarning, match=r"repaired 1 invalid geometry .*: HOLE"):
        lay = drawn_layer([("HOLE", "Stray hole", odd), *ROWS[1:]])
    g = lay.frame.geometry["HOLE"]
    assert g.is_valid and g.area == pytest.approx(1_000_000)
    assert g.equals(square(X0, Y0, 1000))


def test_a_hole_that_touches_its_shell_is_still_a_hole():
    shell = square(X0, Y0, 1000)
    hole = square(X0, Y0 + 400, 200)  # shares the shell's left edge: invalid
    with pytest.warns(GeometryRepairWarning):
        lay = drawn_layer([("NOTCH", "Notch", shapely.Polygon(shell.exterior.coords, [hole.exterior.coords]))])
    assert lay.frame.geometry["NOTCH"].area == pytest.approx(1_000_000 - 40_000)


def test_duplicate_vertices_are_harmless_and_need_no_repair():
    dup = shapely.Polygon([(X0, Y0), (X0, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0 + 1000), (X0, Y0 + 1000), (X0, Y0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lay = drawn_layer([("DUP", "Duplicated", dup), *ROWS[1:]])
    ov = geometry_overlap(lay, drawn_layer(ROWS, id="ref"))
    assert areas(ov) == {("DUP", "E1"): 1e6, ("E2", "E2"): 1e6, ("E3", "E3"): 1e6}


def test_geometry_collections_keep_their_polygons_and_drop_points_and_lines():
    gc = shapely.GeometryCollection([square(X0, Y0, 1000), shapely.Point(X0, Y0), shapely.LineString([(X0, Y0), (X0 + 5000, Y0 + 5000)])])
    with pytest.warns(GeometryRepairWarning, match=r"drawn: 1 geometry collection\(s\) reduced to their polygons: GC"):
        lay = drawn_layer([("GC", "Collection", gc), *ROWS[1:]])
    assert lay.frame.geometry["GC"].equals(square(X0, Y0, 1000))


def test_points_and_lines_mixed_in_are_refused_naming_codes_and_types(tmp_path):
    rows = [("P1", "Pt", shapely.Point(X0, Y0)), ("L1", "Ln", shapely.LineString([(X0, Y0), (X0 + 1, Y0 + 1)])), *ROWS]
    with pytest.raises(GeometryError, match=r"drawn: 2 unit\(s\) are not polygons \(Point, LineString\): P1, L1; coterm needs areas"):
        drawn_layer(rows)
    p = write_layer(rows, tmp_path / "mixed.parquet")
    cli_error(run_here("show", p), "mixed.parquet: 2 unit(s) are not polygons (Point, LineString): P1, L1")


def test_empty_and_missing_geometries_are_dropped_naming_their_codes():
    with pytest.warns(GeometryRepairWarning, match=r"dropped 2 unit\(s\) with empty geometry: EMPTY, NONE"):
        lay = drawn_layer([("EMPTY", "e", shapely.Polygon()), ("NONE", "n", None), *ROWS])
    assert list(lay.codes) == ["E1", "E2", "E3"]


def test_a_layer_of_only_empty_geometries_is_refused():
    with pytest.raises(GeometryError, match=r"drawn: every geometry is empty; the layer has no areas to compare"):
        drawn_layer([("EMPTY", "e", shapely.Polygon()), ("NONE", "n", None)])


def test_a_polygon_with_a_million_vertices_is_measured_exactly_and_reports_progress():
    n = 1_000_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 5000
    circle = shapely.Polygon(np.c_[X0 + 5000 + r * np.cos(t), Y0 + 5000 + r * np.sin(t)])
    a = drawn_layer([("CIRCLE", "Circle", circle)], id="circle")
    b = drawn_layer([(f"Q{i}{j}", f"Quarter {i}{j}", square(X0 + 5000 * i, Y0 + 5000 * j, 5000)) for i in range(2) for j in range(2)],
                    id="quarters")
    calls = []
    ov = coterm.overlap(a, b, mode="geometry", by="area", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert ov.table.area_m2.sum() == pytest.approx(circle.area, rel=1e-9)
    np.testing.assert_allclose(ov.table.area_m2, circle.area / 4, rtol=1e-6)
    assert set(coterm.score(ov).unit_classes("a")) == {"contains"}


def test_overlapping_units_in_one_layer_are_warned_about_with_the_double_counted_area():
    a = drawn_layer([("A1", "Whole", square(X0, Y0, 2000))], id="whole")
    # B1 and B2 overlap on 500 m x 1,000 m; the top half of A1 is a gap that would hide the excess
    b = drawn_layer([("B1", "West", square(X0, Y0, 1500, 1000)), ("B2", "East", square(X0 + 1000, Y0, 1000, 1000))], id="overlapping")
    with pytest.warns(CoverageWarning, match=r"^overlapping is not a partition: 1 pair\(s\) of its units overlap each other "
                                             r"\(0\.5 km² in all, e\.g\. B1/B2\)"):
        ov = geometry_overlap(a, b)
    assert areas(ov) == {("A1", "B1"): 1_500_000, ("A1", "B2"): 1_000_000}  # each pair measured correctly
    assert any("not a partition" in n for n in ov.notes)  # and the caveat travels with the result
    assert any("not a partition" in n for n in coterm.score(ov).to_dict()["notes"])


def test_a_partition_raises_no_coverage_warning(districts, counties):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)
        geometry_overlap(districts, counties)


def test_gaps_in_a_layer_are_reported_as_uncovered_area_not_as_splits():
    a = drawn_layer([(f"D{i}", f"District {i}", square(X0 + 1000 * i, Y0, 1000)) for i in range(3)], id="districts")
    b = drawn_layer([("W", "West", square(X0, Y0, 1000)), ("E", "East", square(X0 + 2000, Y0, 1000)),
                     ("M", "Middle top", square(X0 + 1000, Y0 + 500, 1000, 500))], id="gappy")
    ov = geometry_overlap(a, b)
    assert ov.units_a.loc["D1", "uncovered_area_m2"] == pytest.approx(500_000)
    assert ov.units_a["uncovered_area_m2"].sum() == pytest.approx(500_000)
    s = coterm.score(ov)
    assert s.unit_classes("a").to_dict() == {"D0": "coterminous", "D1": "coterminous", "D2": "coterminous"}
    assert s.to_dict()["uncovered"]["a_area_km2"] == pytest.approx(0.5)


def test_layers_of_different_extents_mark_far_units_outside_and_never_split(tmp_path):
    a = drawn_layer([(f"D{i}", f"District {i}", square(X0 + 1000 * i, Y0, 1000)) for i in range(4)], id="wide")
    b = drawn_layer([("N", "Narrow", square(X0, Y0, 2000, 1000))], id="narrow")
    ov = geometry_overlap(a, b)
    s = coterm.score(ov)
    assert s.unit_classes("a").to_dict() == {"D0": "nested", "D1": "nested", "D2": "outside", "D3": "outside"}
    d = s.indices["a_to_b"]
    assert (d["units"], d["outside"], d["split"]) == (2, 2, 0)
    assert d["alignment_rate"]["count"] == 1.0
    assert s.to_dict()["uncovered"]["a_area_km2"] == pytest.approx(2.0)
    # units half outside each other are compared on the common extent (coterminous there), and the rest is reported
    c = drawn_layer([("H", "Half out", square(X0 - 500, Y0, 1000))], id="half")
    s2 = coterm.score(geometry_overlap(c, b))
    assert s2.unit_classes("a").to_dict() == {"H": "coterminous"} and s2.unit_classes("b").to_dict() == {"N": "coterminous"}
    assert s2.overlap.units_a.loc["H", "uncovered_area_m2"] == pytest.approx(500_000)
    assert s2.overlap.units_b.loc["N", "uncovered_area_m2"] == pytest.approx(1_500_000)
