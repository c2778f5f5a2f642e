"""The shipped scenarios on the real catalogue: each validates and runs; the CCG back-test; headline effects."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_scenarios_toys import catalogue  # noqa: F401  (fixture)

import coterm
from coterm.scenarios import compare_scenario
from coterm.scenarios import check_scenario, list_scenarios, load_scenario, scenario_layer, scenarios_dir

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))


def test_the_shipped_scenarios_include_the_historical_and_current_ones():
    assert set(SHIPPED) >= {"bcu-councils-2026", "ccg-mergers-2021", "icb-mergers-2026", "met-bcus-2019", "pct-clusters-2011",
                            "police-mergers-2006", "sha-clusters-2011", "surrey-unitaries-2027", "total-place-2009"}
    # + the 2026-28 files (test_scenarios_shipped_2026)
    assert [s.id for s in list_scenarios()] == SHIPPED
    # installed or not, the package reads the same files as the repository holds
    for stem in SHIPPED:
        assert (scenarios_dir() / f"{stem}.toml").read_bytes() == (ROOT / "scenarios" / f"{stem}.toml").read_bytes()


@pytest.mark.parametrize("sid", SHIPPED)
def test_every_shipped_scenario_carries_source_confidence_and_dates(sid):
    sc = load_scenario(sid)
    assert sc.name and sc.description and sc.source and sc.effective[:4].isdigit()
    assert sc.confidence.split(":")[0].split(" ")[0] in ("high", "medium-high", "medium", "low-medium", "low")
    assert sc.against, "each shipped file names its partner layers"


@pytest.mark.parametrize("sid", SHIPPED)
def test_every_shipped_scenario_validates_and_runs(sid, catalogue):
    sc = load_scenario(sid)
    check_scenario(sc)
    r = compare_scenario(sc)
    assert list(r.against) == list(sc.against)
    assert len(r.after_layer) == len(set(r.after_layer.codes)) > 0
    assert not r.after_layer.frame.geometry.isna().any(), "every unit after the scenario can be drawn"
    json.dumps(r.to_dict())
    for p in r.against:
        b, a = r.before[p].overlap, r.after[p].overlap
        if not sc.transfers or sc.is_group:
            # merges and groups are a group-by of the same table: the measure is conserved exactly
            assert a.all_pairs()["measure"].sum() == pytest.approx(b.all_pairs()["measure"].sum(), rel=1e-12)


def test_the_ccg_back_test_equals_sub_icb_locations_except_the_documented_moves(catalogue):
    """CCG mergers of April 2021 applied to the April 2020 CCGs vs the July 2022 sub-ICB locations.

    The residual is exactly the three documented 2022 moves: Glossop (21 LSOAs of High Peak), West
    Birmingham (92 LSOAs of Birmingham) and the Oundle practice (9 LSOAs of North Northamptonshire).
    """
    after = scenario_layer("ccg-2020", "ccg-mergers-2021", geometry=False)
    sicbl = coterm.load_layer("sicbl-2022")
    assert len(after) == 106 == len(sicbl)
    both = pd.concat([after.membership.rename("ccg"), sicbl.membership.rename("sicbl")], axis=1, join="inner")
    assert len(both) == len(after.membership) == len(sicbl.membership)
    match = both.groupby(["ccg", "sicbl"]).size().rename("n").reset_index().sort_values("n", ascending=False).drop_duplicates("ccg")
    assert match["sicbl"].is_unique, "each merged CCG matches its own sub-ICB location"
    both["matched"] = both["ccg"].map(match.set_index("ccg")["sicbl"])
    residual = both[both["matched"] != both["sicbl"]]
    ltla = coterm.load_layer("ltla-2021").membership
    by_district = residual.index.map(ltla).value_counts().to_dict()
    names = coterm.load_layer("ltla-2021").names
    assert {names[k]: v for k, v in by_district.items()} == {"Birmingham": 92, "High Peak": 21, "North Northamptonshire": 9}
    assert len(residual) == 122


def test_the_icb_2026_mergers_make_36_icbs_and_frimley_disappears(catalogue):
    after = scenario_layer("icb-2022", "icb-mergers-2026", geometry=False)
    assert len(after) == 36 and "E54000034" not in after.codes
    sizes = after.membership.value_counts()
    icb22 = coterm.load_layer("icb-2022").membership
    assert sizes.sum() == len(icb22)
    essex = set(after.membership[after.membership == "nhs-essex-icb"].index)
    ltla = coterm.load_layer("ltla-2021")
    essex_districts = {ltla.names[c] for c in set(ltla.membership.reindex(list(essex)))}
    assert {"Colchester", "Tendring", "Epping Forest", "Harlow", "Uttlesford", "Southend-on-Sea", "Thurrock", "Basildon"} <= essex_districts
    assert "Ipswich" not in essex_districts


def test_the_icb_2026_mergers_raise_alignment_with_councils_police_and_fire(catalogue):
    r = compare_scenario("icb-mergers-2026")
    for p in ("ltla-2021", "utla-2021", "pfa-2020", "fra-2021"):
        for d, (before, after) in r.headline(p).items():
            assert after > before, (p, d)
    desc = set(r.changed_units["description"])
    assert "Essex (police force area): split → coterminous with NHS Essex ICB" in desc


def test_the_met_bcus_group_32_boroughs_into_12(catalogue):
    r = compare_scenario("met-bcus-2019", against=["icb-2022"])
    assert len(r.layer) == 32 and len(r.after_layer) == 12 and r.after_layer.id == "met-bcu-2019"
    assert r.after_layer.family == "police" and set(r.layer.codes) <= set(coterm.load_layer("ltla-2021").codes)


def test_the_surrey_scenario_also_validates_against_ltla_2024(catalogue):
    check_scenario("surrey-unitaries-2027", layer="ltla-2024")
    after = scenario_layer("ltla-2024", "surrey-unitaries-2027", geometry=False)
    assert {"east-surrey-council", "west-surrey-council"} <= set(after.codes)


def test_default_partners_are_the_other_families_at_the_nearest_vintage(catalogue):
    from coterm.scenarios import default_partners

    p = default_partners("icb-2022")
    assert "ltla-2021" in p and "utla-2021" in p and "pfa-2020" in p and "fra-2021" in p
    assert not any(x.startswith(("icb", "sicbl", "ccg", "lsoa", "msoa", "ward", "lhb")) for x in p)


def test_the_shipped_files_are_exactly_what_the_build_tool_makes(tmp_path):
    shared = ROOT.parent / "shared"
    if not (shared / "scenarios").is_dir():
        pytest.skip("../shared (the research corpus) is not available")
    from conftest import run_build_tool

    assert run_build_tool("--out", tmp_path) == 0
    # bcu-councils-2026 is made from the catalogue's BCU layer by tools/build_bcu_scenario.py (checked below)
    for sid in [s for s in SHIPPED if s != "bcu-councils-2026"]:
        assert (tmp_path / f"{sid}.toml").read_bytes() == (ROOT / "scenarios" / f"{sid}.toml").read_bytes(), sid


def test_the_bcu_scenario_is_exactly_what_its_build_tool_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_bcu_scenario", ROOT / "tools" / "build_bcu_scenario.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.build() == (ROOT / "scenarios" / "bcu-councils-2026.toml").read_text(encoding="utf-8")
