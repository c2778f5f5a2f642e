"""pct-2011: primary care trusts (approximate) on LSOA 2011, checked against the public record."""

from __future__ import annotations

import pandas as pd
import pytest

from test_catalog_data import LAYERS, ROOT, layer, membership

import coterm


def units():
    return pd.read_csv(ROOT / LAYERS["pct-2011"]["units_file"], dtype=str, keep_default_na=False)


def test_151_pcts_with_ons_and_nhs_codes_flagged_approximate():
    e = LAYERS["pct-2011"]
    assert e["approximate"] is True and e["atoms"]["base"] == "lsoa-2011"
    assert len(layer("pct-2011")) == 151
    u = units()
    assert u["code"].str.match(r"^E1[67]\d{6}$").all() and (u["nhs_code"].str.len() == 3).all()
    assert set(u["code"]) == set(layer("pct-2011")["code"])


def test_the_entry_lists_every_shared_ccg_and_the_people_who_may_be_misplaced():
    note = LAYERS["pct-2011"]["note"]
    assert "23 CCGs shared between PCTs" in note
    for ccg in ("E38000012", "E38000202", "E38000212", "E38000075"):  # Birmingham, West London, Newcastle Gateshead, Tees
        assert ccg in note
    assert "may be misplaced" in note


def test_every_english_lsoa_lies_in_one_pct():
    m = membership("pct-2011")
    assert m.index.str.startswith("E").all() and len(m) == 32_844


def test_london_31_pcts_for_33_boroughs_share_exactly_city_hackney_and_sutton_merton():
    pct, lad = membership("pct-2011"), membership("ltla-2013")
    df = pd.DataFrame({"pct": pct, "lad": lad.reindex(pct.index)})
    london = df[df.lad.str.startswith("E09")]
    assert london.lad.nunique() == 33 and london.pct.nunique() == 31
    # every London borough lies in one PCT, and every London PCT in London
    assert (london.groupby("lad").pct.nunique() == 1).all()
    assert set(df[df.pct.isin(london.pct)].lad) == set(london.lad)
    per_pct = london.groupby("pct").lad.agg(lambda s: tuple(sorted(set(s))))
    shared = sorted(v for v in per_pct if len(v) > 1)
    assert shared == [("E09000001", "E09000012"), ("E09000024", "E09000029")]  # City+Hackney, Merton+Sutton


def test_pct_against_utla_2013_runs_in_atom_mode_and_about_70_percent_are_coterminous():
    assert coterm.overlap("utla-2013", "pct-2011").mode == "atoms"
    s = coterm.compare_layers("utla-2013", "pct-2011")
    d = s.to_dict()["b_to_a"]
    assert d["units"] == 151
    rate = d["coterminous"] / d["units"]
    # the 2006 statement: "over 70 per cent" of the 152 PCTs coterminous with social-services councils
    assert 0.68 <= rate <= 0.76, rate


@pytest.mark.parametrize("pct, utla", [("E16000019", "E06000001"), ("E16000017", "E08000021"),
                                        ("E16000080", "E06000015"), ("E16000056", "E09000020")])
def test_pcts_inside_a_ccg_they_shared_follow_their_council(pct, utla):
    # Hartlepool, Newcastle, Derby City and Kensington and Chelsea were cut out of merged CCGs by council
    s = coterm.compare_layers("pct-2011", "utla-2013")
    u = s.units[s.units.side == "a"].set_index("code")
    assert u.loc[pct, "class"] == "coterminous" and u.loc[pct, "dominant_code"] == utla


# ---- PCT clusters of 2011 (scenarios/pct-clusters-2011.toml) on pct-2011 -------------------------------------


@pytest.fixture(scope="module")
def clusters():
    from coterm.scenarios import check_scenario, load_scenario, scenario_layer

    sc = load_scenario("pct-clusters-2011")
    check_scenario(sc)
    return sc, scenario_layer(None, sc, geometry=False)


def test_the_clusters_group_pct_2011_units_and_every_member_is_a_pct(clusters):
    sc, after = clusters
    assert sc.layer == "pct-2011" and sc.is_group and not sc.transfers  # PCTs, not councils standing in for them
    pcts = set(layer("pct-2011")["code"])
    members = [m for g in sc.merges for m in g.members]
    assert len(members) == len(set(members)) == 71 and set(members) <= pcts
    # the source lists 21 of the 52 clusters of 2011; after the scenario there is one unit per cluster
    assert len(sc.merges) == 21 == len(after) and "21 of 52" in sc.name
    assert set(after.membership.unique()) == set(after.codes)


def test_the_clusters_match_the_counts_the_sources_give(clusters):
    sc, _ = clusters
    size = {g.into: len(g.members) for g in sc.merges}
    north_west = ["Greater Manchester cluster", "Merseyside cluster", "Cheshire, Warrington and Wirral cluster",
                  "Lancashire cluster", "Cumbria (standalone)"]
    assert sum(size[c] for c in north_west) == 24  # "5 NW clusters, 24 PCTs"
    assert size["Greater Manchester cluster"] == 10 and size["Tees cluster"] == 4  # "GM = 10 PCTs"; "Tees = 4 PCTs"
    assert size["Birmingham and Solihull cluster"] == 4  # Birmingham's three PCTs and Solihull


def test_the_tees_cluster_holds_about_the_560000_people_the_hsj_reported(clusters):
    from coterm.atoms import atom_table

    sc, after = clusters
    tees = next(g for g in sc.merges if g.into == "Tees cluster")
    code = tees.code
    people = atom_table("lsoa-2011")["population"].reindex(after.membership[after.membership == code].index).sum()
    assert abs(people - 560_000) / 560_000 < 0.03, people  # mid-2020 estimates against a 2011 figure


def test_north_central_london_is_exactly_its_five_boroughs(clusters):
    sc, after = clusters
    ncl = next(g for g in sc.merges if g.into == "North Central London cluster")
    lsoas = set(after.membership[after.membership == ncl.code].index)
    lad = membership("ltla-2013")
    boroughs = {"E09000003", "E09000007", "E09000010", "E09000014", "E09000019"}  # Barnet, Camden, Enfield, Haringey, Islington
    assert lsoas == set(lad[lad.isin(boroughs)].index)


def test_the_cluster_scenario_runs_from_the_cli_against_the_councils_of_2013(tmp_path):
    import json

    from cli_inprocess import run_here  # the CLI's main() in this process (test_cli.py runs scenarios in real ones)

    p = run_here("scenario", "run", "pct-clusters-2011", "--against", "utla-2013", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["layer"] == "pct-2011" and d["result_layer"] == "pct-cluster-2011"
    before, after = d["partners"]["utla-2013"]["before"], d["partners"]["utla-2013"]["after"]
    assert before["mode"] == after["mode"] == "atoms"
    assert before["a_to_b"]["units"] == 71 and after["a_to_b"]["units"] == 21
    # clusters were groups of whole PCTs and (on this approximate layer) of whole councils
    assert after["a_to_b"]["split"] == 0 and after["a_to_b"]["contains"] + after["a_to_b"]["coterminous"] == 21
