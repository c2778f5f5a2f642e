"""Known truths on the real catalogue: what ONS lookups and law say must come out."""

from __future__ import annotations

import pandas as pd
import pytest

import coterm

ROOT_SHARED = None


def counts(scores, key):
    d = scores.to_dict()[key]
    return {k: d[k] for k in ("coterminous", "nested", "contains", "split")}


@pytest.mark.parametrize("layer", ["ltla-2021", "icb-2022", "pfa-2020", "ccg-2015"])
@pytest.mark.parametrize("mode", ["atoms", "geometry"])
def test_a_layer_against_itself_is_entirely_coterminous_in_both_modes(layer, mode):
    s = coterm.compare_layers(layer, layer, mode=mode, by="area")
    n = len(coterm.load_layer(layer))
    assert counts(s, "a_to_b") == {"coterminous": n, "nested": 0, "contains": 0, "split": 0}
    assert s.indices["symmetric"]["vi_bits"] == pytest.approx(0.0, abs=1e-9)


def test_districts_nest_in_counties_unitaries_are_coterminous_and_nothing_is_split():
    s = coterm.compare_layers("ltla-2021", "utla-2021")
    u = s.units[s.units.side == "a"].set_index("code")["class"]
    assert not u.isin(["split", "minor split"]).any()
    # unitary, metropolitan and London codes are their own upper tier; shire districts (E07) nest
    assert (u[u.index.str.startswith("E07")] == "nested").all()
    assert (u[u.index.str.match(r"E0[689]|W06")] == "coterminous").all()


def test_districts_nest_in_their_2013_counties_too():
    s = coterm.compare_layers("ltla-2013", "utla-2013")
    assert s.to_dict()["a_to_b"]["split"] == 0
    assert s.to_dict()["b_to_a"]["units"] == 152


@pytest.mark.parametrize("body", ["pfa-2020", "lrf-2020", "fra-2021"])
def test_every_english_district_lies_in_exactly_one_police_force_resilience_forum_and_fire_authority(body):
    s = coterm.compare_layers("ltla-2021", body)
    u = s.units[s.units.side == "a"]
    english_split = u[u.code.str.startswith("E") & u["class"].isin(["split", "minor split"])]
    assert english_split.empty, english_split[["code", "name", "dominant_code"]].to_string()
    # No district is split anywhere, Wales included: the 2021 lookup's one wrong row (LSOA W01000060,
    # Gwynedd 015B, put in Powys) is corrected in the build, so the 2019- and 2021-based layers agree.
    others = u[u["class"].isin(["split", "minor split"])]
    assert others.empty, others[["code", "name"]].to_string()


def test_atom_mode_puts_297_english_districts_wholly_in_one_icb_and_splits_12():
    s = coterm.compare_layers("ltla-2021", "icb-2022")
    d = s.to_dict()["a_to_b"]
    assert d["units"] == 309 and d["outside"] == 22  # 22 Welsh districts lie outside England's ICBs
    assert d["nested"] + d["coterminous"] == 297
    assert d["split"] == 12


def test_the_12_split_districts_match_the_ons_lookup_derived_summary():
    truth = {"E06000060", "E07000029", "E07000089", "E07000099", "E07000163", "E07000180", "E07000209", "E07000212",
             "E07000214", "E07000216", "E07000225", "E07000244"}
    s = coterm.compare_layers("ltla-2021", "icb-2022")
    u = s.units[(s.units.side == "a") & s.units["class"].isin(["split", "minor split"])]
    assert set(u.code) == truth


def test_geometry_mode_on_two_lsoa_built_layers_equals_atom_mode_by_area():
    g = coterm.overlap("ltla-2021", "icb-2022", mode="geometry", by="area", min_share=0)
    a = coterm.overlap("ltla-2021", "icb-2022", mode="atoms", by="area", min_share=0)
    m = g.table.merge(a.table, on=["a_code", "b_code"], how="outer", suffixes=("_g", "_a"), indicator=True)
    assert (m["_merge"] == "both").all()
    assert m["area_m2_g"].to_numpy() == pytest.approx(m["area_m2_a"].to_numpy(), rel=1e-6)


def test_population_weighted_atom_shares_of_every_district_sum_to_one():
    ov = coterm.overlap("ltla-2021", "ccg-2020")
    sums = ov.all_pairs().groupby("a_code")["share_of_a"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    # and the measure is conserved: all people of English districts are in some CCG
    assert ov.all_pairs()["measure"].sum() == pytest.approx(ov.units_b["population"].sum())


def test_geometry_mode_on_the_ons_published_buc_files_classifies_at_least_95_percent_of_districts_as_atom_mode():
    # ltla-2021-buc and ccg-2020-buc are generalised independently (ONS BUC, 500 m): hundreds of slivers.
    geo = coterm.score(coterm.overlap("ltla-2021-buc", "ccg-2020-buc", mode="geometry")).unit_classes("a")
    atoms = coterm.score(coterm.overlap("ltla-2021", "ccg-2020")).unit_classes("a")
    english = atoms[atoms != "outside"].index
    agree = float((geo.reindex(english) == atoms[english]).mean())
    assert len(english) == 309
    assert agree >= 0.95, agree


def test_a_sliver_with_one_lsoa_point_in_it_stays_a_sliver_under_population_weighting():
    ov = coterm.overlap("ltla-2021-buc", "ccg-2020-buc", mode="geometry")
    p = ov.all_pairs()
    cov_a = p.groupby("a_code").area_m2.transform("sum")
    cov_b = p.groupby("b_code").area_m2.transform("sum")
    thin = (p.area_m2 / cov_a < 0.01) & (p.area_m2 / cov_b < 0.01)
    kept = ov.table.merge(p[thin][["a_code", "b_code"]], on=["a_code", "b_code"])
    assert kept.empty
    assert ((p[thin].population > 0)).any()  # such pieces exist: the rule matters on real data


def test_mixing_an_lsoa_built_layer_with_a_published_file_points_to_the_published_twin():
    ov = coterm.overlap("ltla-2021", "ccg-2021-buc", mode="geometry")  # auto mode would best-fit it (tests/test_bestfit_truths.py)
    assert ov.mode == "geometry"
    assert any("ltla-2021-buc shares the published generalisation" in n for n in ov.notes)
    assert not any("shares the published" in n for n in coterm.overlap("ltla-2021-buc", "ccg-2021-buc").notes)


# ---- the 2024-2028 catalogue -------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [("ltla-2024", "icb-2026"), ("utla-2024", "pfa-2024"), ("ltla-2024", "sa-2028"),
                                      ("ltla-2024", "bcu-2024"), ("csp-2024", "bcu-2024"), ("bcu-2024", "icb-2026"),
                                      ("bcu-2024", "sicbl-2024"), ("ltla-2024", "csp-2024")])
def test_current_pairs_run_in_atom_mode_with_census_2021_population(a, b):
    ov = coterm.overlap(a, b)
    assert ov.mode == "atoms" and ov.bridge is None
    assert ov.population_basis["year"] == "2021" and "Census 2021" in ov.population_basis["source"]


def test_police_force_areas_2024_are_unions_of_whole_counties_and_unitaries():
    s = coterm.compare_layers("utla-2024", "pfa-2024")
    assert s.to_dict()["a_to_b"]["split"] == 0


def test_strategic_authorities_leave_districts_outside_never_split():
    s = coterm.compare_layers("ltla-2024", "sa-2028")
    u = s.units[s.units.side == "a"].set_index("code")["class"]
    assert not u.isin(["split", "minor split"]).any()
    assert (u == "outside").sum() > 100  # most of England has no strategic authority yet
    assert u["E06000059"] == "outside"  # Dorset: Wessex is only proposed


def test_districts_and_icb_2026_split_fewer_councils_than_icb_2024():
    def n_split(icb):
        s = coterm.compare_layers("ltla-2024", icb)
        u = s.units[s.units.side == "a"]["class"]
        return int(u.isin(["split", "minor split"]).sum())

    # mergers put 7 of the 13 districts ICBs cut in 2024 wholly in one ICB (Frimley is divided along districts);
    # still cut in 2026: Buckinghamshire, Cumberland, Westmorland and Furness, North Yorkshire, Cherwell, Vale of WH
    assert (n_split("icb-2024"), n_split("icb-2026")) == (13, 6)


def test_ltla_2024_against_icb_2022_is_bridged_exactly_or_by_best_fit_and_says_so():
    ov = coterm.overlap("ltla-2024", "icb-2022")
    assert ov.mode == "atoms"
    assert ov.bridge is not None and ov.bridge["source"] == "lsoa-2011" and ov.bridge["target"] == "lsoa-2021"
    # every English LSOA 2021 descends from LSOAs 2011 of one ICB of 2022: all exact, none by best fit
    assert (ov.bridge["exact_atoms"], ov.bridge["best_fit_atoms"], ov.bridge["atoms"]) == (33_755, 0, 33_755)
    assert ov.bridge["irregular_atoms"] > 0  # irregular changes exist, but inside one ICB
    note = next(n for n in ov.notes if "bridged" in n)
    assert "icb-2022 was bridged to lsoa-2021" in note and "best fit" in note
    assert ov.population_basis["year"] == "2021"
    # the bridge conserves England: every English LSOA 2021 lies in one ICB of 2022
    assert ov.units_a.loc[ov.units_a.index.str.startswith("E"), "measure"].sum() == pytest.approx(
        ov.units_a.loc[ov.units_a.index.str.startswith("E"), "population"].sum())


def test_bridging_districts_2021_to_2024_places_three_lsoas_by_best_fit():
    ov = coterm.overlap("ltla-2021", "ltla-2024")
    assert (ov.bridge["best_fit_atoms"], ov.bridge["best_fit_people"]) == (3, 4_333)
    assert any("3 LSOAs (4,333 people) by population-weighted best fit" in n for n in ov.notes)


def test_bridging_icb_2022_to_2024_finds_exactly_the_surrey_sussex_boundary_change():
    # ICB 2022 -> 2024: two codes changed because Surrey Heartlands passed a small area to Sussex; the 40 others
    # are the same sets of LSOAs, so across the bridge they are coterminous
    s = coterm.compare_layers("icb-2022", "icb-2024")
    u = s.units[s.units.side == "a"].set_index("code")
    assert (u["class"] == "coterminous").sum() == 40
    assert u.loc["E54000052", "class"] == "minor split" and u.loc["E54000052", "dominant_code"] == "E54000063"
    assert 0.99 < u.loc["E54000052", "dominant_share"] < 1
    assert u.loc["E54000053", "class"] == "nested"  # Sussex 2022 inside Sussex 2024


def test_a_pair_that_cannot_be_bridged_says_why_and_which_layer_to_use(tmp_path):
    # a catalogue without the LSOA 2011 -> 2021 lookup (e.g. an older install): the CLI says why in one line
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    from coterm.catalog import catalog_dir

    src = Path(catalog_dir())
    for sub in ("layers", "atoms", "lookups", "units"):
        (tmp_path / sub).symlink_to(src / sub)
    text = (src / "catalog.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[\[atom_bridge\]\].*?(?=\n\[\[layer\]\])", "", text, flags=re.S)
    assert "atom_bridge" not in text
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    env = {**os.environ, "COTERM_BOUNDARIES": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "coterm", "compare", "ltla-2024", "icb-2022", "--mode", "atoms"],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert "icb-2022 is built on lsoa-2011 and ltla-2024 on lsoa-2021, and they cannot be bridged" in line
    assert line.endswith("compare icb-2022 with ltla-2021, a layer of its own era")
    # in auto mode the same pair falls back to geometry and says why
    p = subprocess.run([sys.executable, "-m", "coterm", "compare", "ltla-2024", "icb-2022"], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0 and "mode geometry" in p.stdout and "compared by geometry instead" in p.stdout


def test_north_wales_police_is_coterminous_with_its_fire_authority_after_the_gwynedd_fix():
    s = coterm.compare_layers("pfa-2020", "fra-2021")
    u = s.units[s.units.side == "a"].set_index("code")["class"]
    assert u["W15000001"] == "coterminous"  # North Wales Police
    assert u["W15000004"] == "nested"  # Dyfed-Powys lies in Mid and West Wales fire (with Swansea, Neath Port Talbot)


def test_the_cli_header_and_summary_json_name_the_population_source_and_year(tmp_path):
    import json

    from cli_inprocess import run_here  # what the command prints and writes: its main() in this process

    p = run_here("compare", "ltla-2021", "icb-2022", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "population: ONS mid-2020 LSOA population estimates (SAPE23DT2), 2020 (lsoa-2011)" in p.stdout.splitlines()
    d = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert d["population"] == {"base": "lsoa-2011", "source": "ONS mid-2020 LSOA population estimates (SAPE23DT2)",
                               "year": "2020"}
    assert d["bridge"] is None
    area = coterm.compare_layers("ltla-2024", "icb-2026", by="area").to_dict()
    assert area["population"]["source"] == ""


def test_by_is_the_one_name_of_the_measure_and_weight_is_a_warned_alias():
    new = coterm.compare_layers("ltla-2021", "utla-2021", by="area")
    with pytest.warns(DeprecationWarning, match="by="):
        old = coterm.compare_layers("ltla-2021", "utla-2021", weight="area")
    assert new.overlap.by == old.overlap.by == "area" and new.to_dict()["by"] == "area"
    assert new.units.equals(old.units)
    with pytest.raises(coterm.errors.OverlapError, match="disagree"), pytest.warns(DeprecationWarning):
        coterm.overlap("ltla-2021", "utla-2021", by="population", weight="area")


def test_every_table_names_a_side_and_a_layer_id_the_same_way():
    s = coterm.compare_layers("ltla-2021", "utla-2021")
    for t in (s.units, s.partners):
        assert set(t["side"]) == {"a", "b"}
        assert (t.loc[t["side"] == "a", "layer"] == "ltla-2021").all() and (t.loc[t["side"] == "b", "layer"] == "utla-2021").all()
    r = coterm.compare_scenario("icb-verified-mergers-2026", against=["ltla-2024"])
    ch = r.changed_units
    assert len(ch) and set(ch["side"]) <= {"a", "b"} and set(ch["layer"]) <= {"icb-2024", "ltla-2024"}
