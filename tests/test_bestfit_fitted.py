"""The output of `coterm fit --out DIR` is a layer everywhere: units, compare, reconcile, scenarios (layer and --against).

The newcomer's police file (pfa-2020-buc saved as GeoJSON in EPSG:4326), with the City of London's code
replaced by one holding ``: ; , " =`` and a newline, is fitted once; the folder is then used as a layer.
"""

from __future__ import annotations

import json
import shutil
import warnings

import pandas as pd
import pytest

import coterm
from coterm.errors import CotermError

CITY = 'City:1;"Lon,don"\n=EC'  # the City of London police area, under a hostile code
CITY_LSOAS = {"E01000001", "E01000002", "E01000003", "E01000005", "E01032739", "E01032740"}


def run(*args, check=True, cwd=None):
    """The command through the CLI's main() in this process (tests/cli_inprocess.py): these tests check outputs
    (tests/test_bestfit_truths.py runs `coterm fit --out` in a real process too)."""
    from cli_inprocess import run_here

    p = run_here(*args, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"coterm {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """(folder, police.geojson): fitted in one folder, then both moved together (the manifest's relative path still finds the file).

    Fitted once per test session (tests/shared_once.py); the tests only read the folder.
    """
    from shared_once import built_once

    def build(shared):
        first = shared / "fit-first"
        first.mkdir()
        frame = coterm.load_layer("pfa-2020-buc").frame.reset_index().to_crs(4326)
        frame["code"] = frame["code"].replace({"E23000034": CITY})
        frame.to_file(first / "police.geojson", driver="GeoJSON")
        run("fit", first / "police.geojson", "--base", "lsoa-2011", "--out", first / "police-fit")
        (shared / "fit-moved").mkdir()
        shutil.move(str(first), str(shared / "fit-moved" / "here"))
        assert not (first / "police.geojson").exists()  # the manifest's absolute path is gone: only the relative one works

    moved = built_once(tmp_path_factory, "police-fit", build) / "fit-moved" / "here"
    return moved / "police-fit", moved / "police.geojson"


def test_the_manifest_names_the_base_the_fitted_file_and_the_lookup_by_sha256(fitted):
    folder, geojson = fitted
    d = json.loads((folder / "fit.json").read_text())
    m = d["manifest"]
    assert d["format"] == m["format"] == "coterm-fit" and m["version"] == 1 and m["base"] == "lsoa-2011"
    from coterm.fitted import file_digest

    assert m["source"]["file"] == "../police.geojson" and m["source"]["sha256"] == file_digest(geojson)
    assert m["lookup"]["rows"] == 34711 and m["lookup"]["columns"][:2] == ["block_code", "unit_code"]
    assert d["clean"] and d["blocks_ge95"] == 34118  # the fit's figures stay at the top level


def test_units_of_a_fit_folder_are_the_fitted_units_with_exact_lsoa_populations_and_say_so(fitted):
    folder, geojson = fitted
    d = json.loads(run("units", folder, "--json").stdout)
    assert d["fit"]["lookup_file"] == str(folder / "lookup.csv") and d["fit"]["used"] is None and d["fit"]["clean"]
    assert "summed over lsoa-2011 building blocks" in d["basis"]["population"]
    pops = {u["code"]: u["population"] for u in d["units"]}
    lookup = pd.read_csv(folder / "lookup.csv", dtype={"block_code": str, "unit_code": str}, keep_default_na=False)
    assert pops == pytest.approx(lookup.groupby("unit_code")["population"].sum().to_dict())
    assert set(lookup.loc[lookup["block_code"].isin(CITY_LSOAS), "unit_code"]) == {CITY}  # the hostile code round-trips
    # the same as the in-memory fit: every LSOA in the force its LSOA-built twin pfa-2020 puts it in
    twin = coterm.load_layer("pfa-2020").membership.replace({"E23000034": CITY})
    lay = coterm.load_layer(folder)
    assert lay.atom_base == "lsoa-2011" and lay.membership.equals(twin.reindex(lay.membership.index).rename("unit"))
    text = run("units", folder).stdout
    assert f"fitted lookup from {folder / 'lookup.csv'}: police fitted to LSOA 2011: 34,118 of 34,711 LSOAs" in text


def test_compare_with_a_fit_folder_is_exact_without_refitting_and_equals_the_in_memory_fit(fitted, monkeypatch):
    folder, geojson = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = coterm.overlap(str(geojson), "ltla-2021")  # best-fitted in this process
    from coterm import bestfit

    def no_refit(*a, **k):
        raise AssertionError("a fit folder must not be fitted again")

    monkeypatch.setattr(bestfit, "best_fit", no_refit)
    saved = coterm.overlap(str(folder), "ltla-2021")
    assert saved.mode == fresh.mode == "atoms" and saved.min_share == fresh.min_share == 0.01
    assert saved.fit.used and saved.fit.lookup_file == str(folder / "lookup.csv")
    pd.testing.assert_frame_equal(saved.table, fresh.table)
    pd.testing.assert_frame_equal(saved.units_a, fresh.units_a)
    sd, fd = coterm.score(saved).to_dict(), coterm.score(fresh).to_dict()
    for key in ("a_to_b", "b_to_a", "indices", "symmetric", "slivers"):
        assert sd[key] == fd[key], key
    cls = coterm.score(saved).unit_classes("a")
    english = cls[~cls.index.str.startswith("W")]
    assert len(english) == 39 and not english.isin(["split", "minor split"]).any()  # 0 English split forces
    assert coterm.score(saved).unit_classes("b")["E09000001"] == "coterminous"  # City of London district = its police area


def test_cli_compare_of_a_fit_folder_says_fitted_lookup_in_the_header_and_summary(fitted, tmp_path):
    folder, _ = fitted
    p = run("compare", folder, "ltla-2021", "--out", tmp_path / "out")
    header = p.stdout.splitlines()[1]
    assert header.startswith(f"mode atoms (fitted lookup from {folder / 'lookup.csv'}, police on lsoa-2011)")
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["mode"] == "atoms" and s["a_to_b"]["split"] == 0 and s["fit"]["lookup_file"] == str(folder / "lookup.csv")
    assert any(n.startswith(f"fitted lookup from {folder / 'lookup.csv'}: police fitted to LSOA 2011") for n in s["notes"])
    # its lookup.csv and fit.json are the same reference
    for ref in (folder / "lookup.csv", folder / "fit.json"):
        d = json.loads(run("compare", "ltla-2021", ref, "--json").stdout)
        assert d["mode"] == "atoms" and d["b_to_a"]["split"] == 0 and d["fit"]["used"]


def test_a_scenario_on_the_fitted_layer_regroups_it_exactly(fitted, tmp_path):
    folder, _ = fitted
    sc = folder.parent / "mercia.toml"  # the layer is named relative to the scenario file
    sc.write_text('name = "West Mercia and Warwickshire merged"\nlayer = "police-fit"\nagainst = ["pfa-2020", "ltla-2021"]\n\n'
                  '[[merge]]\ninto = "Mercia"\ncode = "E23900001"\nmembers = ["E23000016", "E23000017"]\n')
    d = json.loads(run("scenario", "run", sc, "--json").stdout)
    assert any("fitted lookup from" in n for n in d["notes"])
    pb, pa = d["partners"]["pfa-2020"]["before"], d["partners"]["pfa-2020"]["after"]
    assert (pb["a_to_b"]["units"], pb["a_to_b"]["coterminous"]) == (43, 43)  # the fit reproduces the LSOA-built forces
    assert (pa["a_to_b"]["units"], pa["a_to_b"]["coterminous"], pa["a_to_b"]["contains"]) == (42, 41, 1)
    assert (pa["b_to_a"]["coterminous"], pa["b_to_a"]["nested"]) == (41, 2)
    lb, la = d["partners"]["ltla-2021"]["before"], d["partners"]["ltla-2021"]["after"]
    assert lb["mode"] == la["mode"] == "atoms" and la["fit"]["lookup_file"].endswith("lookup.csv")
    assert (lb["a_to_b"]["split"], la["a_to_b"]["split"], la["a_to_b"]["units"]) == (0, 0, 42)
    # the same merge of the catalogue's LSOA-built forces gives the same figures against the districts
    ref = tmp_path / "mercia-pfa.toml"
    ref.write_text(sc.read_text().replace('layer = "police-fit"', 'layer = "pfa-2020"').replace('"pfa-2020", ', ""))
    r = json.loads(run("scenario", "run", ref, "--json").stdout)["partners"]["ltla-2021"]
    for when in ("before", "after"):
        for direction in ("a_to_b", "b_to_a"):
            got, want = d["partners"]["ltla-2021"][when][direction], r[when][direction]
            for k in ("units", "coterminous", "nested", "contains", "split"):
                assert got[k] == want[k], (when, direction, k)


def test_a_transfer_on_the_fitted_layer_is_compared_before_and_after_on_the_same_terms(fitted, tmp_path):
    folder, _ = fitted
    lookup = pd.read_csv(folder / "lookup.csv", dtype=str, keep_default_na=False)
    block = lookup.loc[lookup["unit_code"] == "E23000017", "block_code"].min()  # one LSOA of Warwickshire moves to West Mercia
    sc = tmp_path / "move.toml"
    sc.write_text(f'name = "One LSOA moves"\nlayer = "{folder}"\nagainst = ["ltla-2021"]\n\n'
                  f'[[transfer]]\nfrom = "E23000017"\nto = "E23000016"\nblocks = ["{block}"]\n')
    d = json.loads(run("scenario", "run", sc, "--json").stdout)["partners"]["ltla-2021"]
    before, after = d["before"], d["after"]
    assert before["mode"] == after["mode"] == "atoms" and before["min_share"] == after["min_share"] == 0.01
    assert after["fit"]["lookup_file"] == before["fit"]["lookup_file"] == str(folder / "lookup.csv")
    # the district the LSOA leaves is now split between the two forces, and so are both forces
    assert (before["a_to_b"]["split"], after["a_to_b"]["split"]) == (0, 2)
    assert (before["b_to_a"]["split"], after["b_to_a"]["split"]) == (0, 1)


def test_a_fit_folder_is_a_partner_for_against_and_for_reconcile(fitted, tmp_path):
    folder, _ = fitted
    sc = tmp_path / "mercia.toml"
    sc.write_text('name = "Mercia"\nlayer = "pfa-2020"\n\n[[merge]]\ninto = "Mercia"\ncode = "E23900001"\n'
                  'members = ["E23000016", "E23000017"]\n')
    d = json.loads(run("scenario", "run", sc, "--against", folder, "--json").stdout)
    (pid,) = d["against"]
    before, after = d["partners"][pid]["before"], d["partners"][pid]["after"]
    assert pid == "police" and before["mode"] == "atoms" and before["fit"]["lookup_file"] == str(folder / "lookup.csv")
    assert (before["a_to_b"]["coterminous"], after["a_to_b"]["coterminous"], after["a_to_b"]["contains"]) == (43, 41, 1)
    # reconcile: the atom side is the saved lookup, so every force is coterminous with its LSOA-built twin there
    rd = json.loads(run("reconcile", folder, "pfa-2020", "--json").stdout)
    assert rd["units"] and {u["atoms_class"] for u in rd["units"]} == {"coterminous"}


# --- bad references: one line naming the file and what to do ----------------------------------------


@pytest.fixture
def copy(fitted, tmp_path):
    """A copy of the fit folder beside a copy of the fitted file."""
    folder, geojson = fitted
    shutil.copy(geojson, tmp_path / "police.geojson")
    shutil.copytree(folder, tmp_path / "police-fit")
    return tmp_path / "police-fit"


def error(ref) -> str:
    with pytest.raises(CotermError) as exc:
        coterm.load_layer(ref)
    msg = str(exc.value)
    assert "\n" not in msg.replace(CITY, "")
    return msg


def test_an_edited_lookup_is_refused(copy):
    text = (copy / "lookup.csv").read_text()
    assert "0.667092" in text
    (copy / "lookup.csv").write_text(text.replace("0.667092", "0.667093", 1))  # one share touched by hand
    assert "lookup.csv: changed since coterm fit wrote it (sha256 differs from fit.json); re-run `coterm fit" in error(copy)


def test_a_fitted_file_changed_or_missing_since_the_fit_is_refused(copy):
    geo = copy.parent / "police.geojson"
    geo.write_bytes(geo.read_bytes() + b"\n")
    assert "police.geojson has changed since it was fitted (sha256 differs from the manifest)" in error(copy)
    geo.unlink()
    msg = error(copy / "lookup.csv")
    assert "the fitted file '../police.geojson' is not there" in msg and "put it back beside the fit" in msg


def test_a_missing_unreadable_or_foreign_manifest_is_refused(copy, tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(copy / "lookup.csv", alone / "lookup.csv")
    assert "looks like a fitted lookup but has no fit.json beside it" in error(alone / "lookup.csv")
    (copy / "fit.json").write_text("{not json")
    assert "fit.json: cannot be read as JSON" in error(copy)
    old = {"layer": "police", "base": "lsoa-2011", "clean": True}  # the fit.json of an older coterm fit: figures, no manifest
    (copy / "fit.json").write_text(json.dumps(old))
    assert "has no coterm fit manifest" in error(copy)
    p = run("compare", copy, "ltla-2021", check=False)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "re-run `coterm fit FILE --out DIR`" in p.stderr


def test_a_manifest_whose_counts_or_version_do_not_match_is_refused(copy):
    d = json.loads((copy / "fit.json").read_text())
    d["manifest"]["version"] = 99
    (copy / "fit.json").write_text(json.dumps(d))
    assert "manifest version 99; this coterm reads version 1" in error(copy)
    d["manifest"]["version"] = 1
    d["manifest"]["lookup"]["rows"] = 5
    (copy / "fit.json").write_text(json.dumps(d))
    assert "lookup.csv: has 34,711 rows and columns block_code, unit_code" in error(copy) and "not what fit.json records" in error(copy)


def test_coterm_fit_refuses_to_fit_a_fit_folder(fitted):
    folder, _ = fitted
    p = run("fit", folder, check=False)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "is already a fitted lookup" in p.stderr


def test_a_geojson_called_fit_json_is_still_a_boundary_file(tmp_path):
    coterm.load_layer("pfa-2020-buc").frame.head(2).reset_index().to_crs(4326).to_file(tmp_path / "fit.json", driver="GeoJSON")
    lay = coterm.load_layer(tmp_path / "fit.json")
    assert len(lay) == 2 and lay.fit is None and lay.membership is None


def test_a_map_of_a_fit_folder_states_the_fitted_lookup_in_its_method_panel(fitted, tmp_path):
    folder, _ = fitted
    run("map", folder, "ltla-2021", "--output", tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert f"fitted lookup from {folder / 'lookup.csv'}: police fitted to LSOA 2011" in page
    assert '"k":"split"' not in page and '"k":"minor split"' not in page  # nothing drawn as split
