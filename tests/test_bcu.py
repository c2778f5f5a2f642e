"""Police command units (bcu-2024, bcu-latest): coverage per force, merged split districts, known counts."""

from __future__ import annotations

import pandas as pd
import pytest

import coterm
from test_catalog_data import LAYERS, ROOT, layer, lookup, membership

PARTIAL = {"Northumbria Police": (2, 6), "Wiltshire Police": (1, 2)}  # (districts with data, districts of the force)
MISSING = ["Avon and Somerset", "Bedfordshire", "Devon & Cornwall", "Dorset", "Essex", "Gwent", "Humberside",
           "Leicestershire", "Norfolk", "Suffolk", "Surrey"]


def units(layer_id):
    return pd.read_csv(ROOT / LAYERS[layer_id]["units_file"], dtype=str, keep_default_na=False)


FORCES = sorted(units("bcu-2024")["force"].unique())


def pfa_districts(pfa_code: str) -> set[str]:
    lk = lookup("pfa-2024")
    return set(lk.loc[lk["pfa24_code"] == pfa_code, "ltla24_code"])


def test_32_forces_have_data_and_eleven_are_missing_as_the_entry_says():
    assert len(FORCES) == 32
    note = LAYERS["bcu-2024"]["note"]
    for name in MISSING:
        assert name in note
    assert "partial: Northumbria Police (2 of 6 districts), Wiltshire Police (1 of 2 districts)" in note
    assert "of England and Wales (Census 2021)" in note


@pytest.mark.parametrize("layer_id", ["bcu-2024", "bcu-latest"])
@pytest.mark.parametrize("force", FORCES)
def test_every_district_of_a_covered_force_is_in_exactly_one_unit_of_that_force(layer_id, force):
    u = units(layer_id)
    mine = u[u["force"] == force]
    pfa = mine["pfa_code"].iloc[0]
    lk = lookup(layer_id)
    members = lk[lk["bcu_code" if layer_id == "bcu-latest" else "bcu24_code"].isin(mine["code"])]["ltla24_code"]
    assert members.is_unique  # one unit per district
    wanted = pfa_districts(pfa)
    if force in PARTIAL:
        have, total = PARTIAL[force]
        assert (len(set(members)), len(wanted)) == (have, total)
        assert set(members) < wanted
    else:
        assert set(members) == wanted


@pytest.mark.parametrize(("layer_id", "n_bcus", "n_units"), [("bcu-2024", 155, 146), ("bcu-latest", 149, 140)])
def test_bcus_in_force_and_units_after_merging_split_districts(layer_id, n_bcus, n_units):
    u = units(layer_id)
    assert len(layer(layer_id)) == n_units == len(u)
    assert sum(len(ids.split()) for ids in u["bcu_ids"]) == n_bcus
    assert f"{n_bcus} BCUs" in LAYERS[layer_id]["note"]


def test_bcus_that_split_a_district_are_merged_per_district_and_flagged():
    u = units("bcu-2024").set_index("code")
    merged = u[u["merged"] == "True"]
    assert sorted(merged.index) == ["CHE-CHS+CHE-ELP+CHE-NOR", "CHE-CRE+CHE-MAC", "CHE-RUN+CHE-WID",
                                    "DUR-E+DUR-S+DUR-W", "NYP-CTY+NYP-SR+NYP-YS", "STA-HAN+STA-LON"]
    assert "merged" in merged.loc["DUR-E+DUR-S+DUR-W", "name"] and "County Durham" in merged.loc["DUR-E+DUR-S+DUR-W", "name"]
    assert set(merged.loc["NYP-CTY+NYP-SR+NYP-YS", "districts"].split()) == {"E06000014", "E06000065"}  # York + N Yorks


def test_latest_structure_has_the_new_thames_valley_and_west_mercia_units_only():
    latest, y2024 = set(units("bcu-latest")["code"]), set(units("bcu-2024")["code"])
    assert {"TVP-BE", "TVP-BW", "WMC-HW", "WMC-ST"} <= latest and not {"TVP-BE", "WMC-HW"} & y2024
    assert {"TVP-LPA-RDG", "WMC-HER"} <= y2024 and not {"TVP-LPA-RDG", "WMC-HER"} & latest


def test_100_bcus_are_exactly_one_district_as_the_data_readme_says():
    # all 100 single-district BCUs of the data were in force in 2024 (the 2025-26 units group districts)
    u = units("bcu-2024")
    single = u[(u["merged"] == "False") & (u["districts"].str.split().str.len() == 1)]
    assert len(single) == 100
    assert membership("bcu-2024").index.str.match(r"^[EW]01").all()


def test_the_met_is_twelve_bcus_of_whole_boroughs():
    u = units("bcu-2024")
    met = u[u["force"] == "Metropolitan Police Service"]
    assert len(met) == 12
    assert sum(len(d.split()) for d in met["districts"]) == 32


def test_the_white_paper_scenario_is_what_its_builder_writes_and_makes_bcus_councils():
    import sys

    path = ROOT.parent / "scenarios" / "bcu-councils-2026.toml"
    shipped = path.read_text(encoding="utf-8")
    sys.path.insert(0, str(ROOT.parent / "tools"))
    try:
        import build_bcu_scenario
    finally:
        sys.path.pop(0)
    assert build_bcu_scenario.build() == shipped  # deterministic, from the shipped catalogue only

    sc = coterm.load_scenario("bcu-councils-2026")
    r = coterm.compare_scenario(sc, against=["ltla-2024"])
    ba = r.before_after.set_index(["partner", "direction", "index"])["after"]
    # after: every unit is one council, except the merged North Yorkshire + York unit (contains two)
    assert ba[("ltla-2024", "a_to_b", "units")] == 235
    assert ba[("ltla-2024", "a_to_b", "coterminous")] == 234 and ba[("ltla-2024", "a_to_b", "contains")] == 1


@pytest.mark.parametrize(("a", "b"), [("ltla-2024", "bcu-2024"), ("csp-2024", "bcu-2024"), ("bcu-2024", "icb-2026"),
                                      ("bcu-2024", "sicbl-2024")])
def test_the_issue_pairs_run_in_atom_mode_from_the_cli(a, b, tmp_path):
    import json

    from cli_inprocess import run_here  # the CLI's main() in this process (test_cli.py runs compare in a real one)

    p = run_here("compare", a, b, "--mode", "atoms", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["mode"] == "atoms" and d["population"]["year"] == "2021"
    bcu = d["a_to_b"] if a == "bcu-2024" else d["b_to_a"]
    assert bcu["units"] + bcu["outside"] == 146  # the Welsh BCUs are outside the English NHS layers
    if a == "ltla-2024":  # districts of forces without data are outside, never split
        assert (d["a_to_b"]["outside"], d["a_to_b"]["split"]) == (82, 0)
        assert (bcu["coterminous"], bcu["contains"], bcu["split"]) == (105, 41, 0)
