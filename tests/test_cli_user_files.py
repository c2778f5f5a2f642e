"""A user's own files through every command: a two-layer GeoPackage with FORCE_ID/FORCE_NAME columns, a
zipped Shapefile and an EPSG:4326 GeoJSON, each side with its own --a-*/--b-*/--base-*/--against-* options.

The files are cut from the catalogue's real police force areas and districts (2020/2021, built from
LSOA 2011), so the answers are known: a layer against its own reprojected copy is all coterminous,
and districts nest in police force areas.
"""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest



def run(*args, check=True):
    """``coterm ARGS`` through the CLI's main() in this process (tests/cli_inprocess.py), as test_cli.run checks it;
    test_cli.py keeps a real process for each of these commands."""
    from cli_inprocess import run_here

    p = run_here(*args, env={"COLUMNS": "200"})
    if check and p.returncode != 0:
        raise AssertionError(f"coterm {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p

FORCES = {"E23000030": "Hampshire", "E23000031": "Surrey", "E23000032": "Kent", "E23000033": "Sussex"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import geopandas as gpd

    import coterm

    d = tmp_path_factory.mktemp("userfiles")
    pfa = coterm.load_layer("pfa-2020").frame.loc[list(FORCES)]
    forces = gpd.GeoDataFrame({"FORCE_ID": pfa.index.to_numpy(), "FORCE_NAME": pfa["name"].to_numpy()},
                              geometry=pfa.geometry.to_numpy(), crs=pfa.crs)
    s = coterm.score(coterm.overlap("ltla-2021", "pfa-2020"))
    u = s.units[(s.units.side == "a") & s.units.dominant_code.isin(list(FORCES))]
    lad = coterm.load_layer("ltla-2021").frame.loc[u.code.tolist()]
    districts = gpd.GeoDataFrame({"LAD21CD": lad.index.to_numpy(), "LAD21NM": lad["name"].to_numpy()},
                                 geometry=lad.geometry.to_numpy(), crs=lad.crs)
    gpkg = d / "bodies.gpkg"
    forces.to_file(gpkg, layer="forces", driver="GPKG")
    districts.rename(columns={"LAD21CD": "FORCE_ID", "LAD21NM": "FORCE_NAME"}).to_file(gpkg, layer="districts", driver="GPKG")
    shp = d / "shp"
    shp.mkdir()
    districts.to_file(shp / "districts.shp")
    zpath = d / "districts.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for p in sorted(shp.iterdir()):
            z.write(p, p.name)
    geojson = d / "forces.geojson"
    gpd.GeoDataFrame({"ID": forces["FORCE_ID"], "LABEL": forces["FORCE_NAME"]}, geometry=forces.geometry,
                     crs=forces.crs).to_crs(4326).to_file(geojson, driver="GeoJSON")
    merge = d / "merge.csv"
    merge.write_text("# name: Surrey and Sussex merged\nnew_unit,member_code\nSurrey and Sussex,E23000031\nSurrey and Sussex,E23000033\n")
    return {"gpkg": gpkg, "zip": zpath, "geojson": geojson, "merge": merge, "n_districts": len(districts), "dir": d,
            "areas": (pfa.geometry.area / 1e6).to_dict()}


GPKG_FORCES = ("--a-layer", "forces", "--a-code", "FORCE_ID", "--a-name", "FORCE_NAME")


def test_compare_reads_a_chosen_geopackage_layer_against_a_lon_lat_geojson_and_finds_them_all_coterminous(files):
    d = json.loads(run("compare", files["gpkg"], files["geojson"], *GPKG_FORCES, "--b-code", "ID", "--b-name", "LABEL",
                       "--by", "area", "--json").stdout)
    assert d["mode"] == "geometry"
    assert (d["a_to_b"]["units"], d["a_to_b"]["coterminous"]) == (4, 4)
    assert (d["b_to_a"]["units"], d["b_to_a"]["coterminous"]) == (4, 4)


def test_compare_of_a_zipped_shapefile_with_the_geopackage_finds_every_district_nested_in_its_force(files, tmp_path):
    out = tmp_path / "res"
    p = run("compare", files["zip"], files["gpkg"], "--b-layer", "forces", "--b-code", "FORCE_ID", "--b-name", "FORCE_NAME",
            "--by", "area", "--out", out)
    assert "districts" in p.stdout
    summary = json.loads((out / "summary.json").read_text())
    n = files["n_districts"]
    assert summary["a_to_b"]["units"] == n and summary["a_to_b"]["nested"] + summary["a_to_b"]["coterminous"] == n
    assert summary["b_to_a"]["contains"] + summary["b_to_a"]["coterminous"] == 4 and summary["b_to_a"]["split"] == 0
    partners = pd.read_csv(out / "partners.csv", dtype={"code": str, "partner_code": str})
    firsts = partners[(partners.layer == summary["a"]) & (partners["rank"] == 1)]
    assert len(firsts) == n and set(firsts.partner_code) <= set(FORCES)


def test_a_two_layer_geopackage_without_a_layer_choice_names_the_sides_own_flag(files):
    p = run("compare", files["zip"], files["gpkg"], check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "--b-layer" in p.stderr and "districts" in p.stderr and "forces" in p.stderr
    p = run("compare", files["gpkg"], files["zip"], "--a-layer", "forces", check=False)
    assert p.returncode == 2 and "--a-code COLUMN" in p.stderr and "FORCE_ID" in p.stderr


def test_map_draws_both_user_files_with_their_own_names(files, tmp_path):
    out = tmp_path / "m.html"
    run("map", files["gpkg"], files["zip"], *GPKG_FORCES, "--by", "area", "-o", out)
    html = out.read_text()
    assert "Surrey" in html and "Tunbridge Wells" in html and "E23000032" in html


def test_map_of_a_csv_scenario_takes_its_layer_and_partner_from_user_files(files, tmp_path):
    out = tmp_path / "s.html"
    run("map", "--scenario", files["merge"], files["gpkg"], files["geojson"], *GPKG_FORCES, "--b-code", "ID", "--b-name", "LABEL",
        "--by", "area", "-o", out)
    html = out.read_text()
    assert "Surrey and Sussex" in html and "Kent" in html


def test_reconcile_of_a_user_file_refuses_in_one_line_and_points_to_compare(files):
    p = run("reconcile", files["gpkg"], "pfa-2020", *GPKG_FORCES, check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "geometry only" in p.stderr and "coterm compare" in p.stderr and "--mode geometry" in p.stderr


def test_units_lists_every_unit_of_a_user_file_with_area_and_population(files):
    p = run("units", files["gpkg"], "--layer", "forces", "--code", "FORCE_ID", "--name", "FORCE_NAME", "--csv")
    df = pd.read_csv(__import__("io").StringIO(p.stdout), dtype={"code": str})
    assert df.code.tolist() == sorted(FORCES) and dict(zip(df.code, df.name)) == FORCES
    for code, area in zip(df.code, df.area_km2):
        assert area == pytest.approx(files["areas"][code], rel=1e-4)
    ref = json.loads(run("units", "pfa-2020", "--json").stdout)
    ref_pop = {u["code"]: u["population"] for u in ref["units"]}
    assert "lsoa-2011" in ref["basis"]["population"]
    for code, pop in zip(df.code, df.population):
        assert pop == pytest.approx(ref_pop[code], rel=0.005)  # LSOA points in the file's polygons vs the exact LSOA sums


def test_scenario_run_on_a_user_file_with_a_csv_merge_and_a_geojson_partner_reports_the_known_changes(files):
    p = run("scenario", "run", files["merge"], "--base", files["gpkg"], "--base-layer", "forces", "--base-code", "FORCE_ID",
            "--base-name", "FORCE_NAME", "--against", files["geojson"], "--against-code", "ID", "--against-name", "LABEL",
            "--by", "area", "--json")
    d = json.loads(p.stdout)
    (pid,) = d["against"]
    before, after = d["partners"][pid]["before"], d["partners"][pid]["after"]
    assert before["a_to_b"]["coterminous"] == 4
    assert (after["a_to_b"]["units"], after["a_to_b"]["coterminous"], after["a_to_b"]["contains"]) == (3, 2, 1)
    assert (after["b_to_a"]["coterminous"], after["b_to_a"]["nested"]) == (2, 2)
    text = run("scenario", files["merge"], "--base", files["gpkg"], "--base-layer", "forces", "--base-code", "FORCE_ID",
               "--base-name", "FORCE_NAME", "--against", files["geojson"], "--against-code", "ID", "--against-name", "LABEL",
               "--by", "area").stdout
    assert "Surrey (" in text and "coterminous → nested in Surrey and Sussex" in text


def test_a_csv_scenario_without_its_layer_says_how_to_give_it(files):
    p = run("scenario", "check", files["merge"], check=False)
    assert p.returncode == 2 and "--base ID" in p.stderr
