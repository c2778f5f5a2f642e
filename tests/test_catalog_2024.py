"""The 2024-2028 catalogue: known ONS facts about the current layers, checked on the shipped files.

Like test_catalog_data.py these read ``boundaries/`` directly (no ``coterm`` import), except the
last group, which drives the library on the current pairs.
"""

from __future__ import annotations

import pandas as pd
import pytest

from test_catalog_data import BUILT, LAYERS, ROOT, atoms, layer, lookup, membership

CURRENT = ["ltla-2024", "utla-2024", "icb-2026", "sicbl-2024", "pfa-2024", "csp-2024", "fra-2024", "sa-2025",
           "bcu-latest", "lrf-2020"]
NEW = ["sicbl-2024", "icb-2024", "icb-2026", "ccg-2021", "stp-2021", "pfa-2024", "csp-2024", "fra-2024", "utla-2024",
       "ca-2023", "sa-2025", "sa-2028", "bcu-2024", "bcu-latest"]
MERGED_ICB24 = ["E54000022", "E54000023", "E54000024", "E54000025", "E54000026", "E54000027", "E54000028",
                "E54000034", "E54000042", "E54000044", "E54000056", "E54000063", "E54000064"]


def units(layer_id: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / LAYERS[layer_id]["units_file"], dtype=str, keep_default_na=False)


@pytest.mark.parametrize("layer_id", NEW)
def test_new_layer_is_built_from_lsoas_with_attribution(layer_id):
    e = LAYERS[layer_id]
    assert layer_id in BUILT
    assert e["attribution"].startswith("Source: Office for National Statistics licensed under the Open Government")
    base = "lsoa-2011" if layer_id in ("ccg-2021", "stp-2021") else "lsoa-2021"
    assert e["atoms"]["base"] == base


def test_current_layers_are_flagged_current_and_say_so_in_the_title():
    flagged = {i for i, e in LAYERS.items() if e.get("current")}
    assert set(CURRENT) == flagged
    for i in ("icb-2026", "utla-2024", "pfa-2024", "sicbl-2024", "sa-2025"):
        assert "current" in LAYERS[i]["title"]
    assert not LAYERS["icb-2022"].get("current") and not LAYERS["icb-2024"].get("current")


@pytest.mark.parametrize(("layer_id", "count"), [
    ("sicbl-2024", 106), ("icb-2024", 42), ("icb-2026", 36), ("ccg-2021", 106), ("stp-2021", 42), ("pfa-2024", 43),
    ("csp-2024", 314), ("fra-2024", 47), ("utla-2024", 175), ("ca-2023", 10), ("sa-2025", 15), ("sa-2028", 21),
])  # fmt: skip
def test_new_layer_has_the_published_number_of_bodies(layer_id, count):
    assert len(layer(layer_id)) == count


# ---- ICBs of April 2026: the ONS facts ---------------------------------------------------------


def test_icb_2026_has_36_icbs_and_is_flagged_derived_with_the_evidence():
    e = LAYERS["icb-2026"]
    assert len(layer("icb-2026")) == 36
    assert "36 ICBs" in e["derived"] and "10,207" in e["derived"] and "1,060" in e["derived"]


def test_every_lsoa_of_the_13_merged_icbs_changes_code_and_no_other_does():
    icb24, icb26 = membership("icb-2024"), membership("icb-2026")
    both = pd.DataFrame({"old": icb24, "new": icb26.reindex(icb24.index)})
    changed = both[both.old != both.new]
    assert len(changed) == 10_207
    assert sorted(changed.old.unique()) == MERGED_ICB24
    assert not both.new.isin(MERGED_ICB24).any()


def test_lancashire_and_south_cumbria_is_unchanged_with_1060_lsoas_in_8_sub_icb_locations():
    icb26, sicbl = membership("icb-2026"), membership("sicbl-2024")
    lsc = icb26[icb26 == "E54000048"]
    assert len(lsc) == 1060
    assert sicbl.reindex(lsc.index).nunique() == 8
    assert set(lsc.index) == set(membership("icb-2024")[lambda s: s == "E54000048"].index)


def test_frimley_is_divided_by_district_as_the_verified_file_says():
    lad, icb24, icb26 = membership("ltla-2024"), membership("icb-2024"), membership("icb-2026")
    names = layer("ltla-2024").set_index("code")["name"]
    frimley = icb24[icb24 == "E54000034"].index
    got = pd.DataFrame({"lad": names[lad[frimley]].to_numpy(), "icb": icb26[frimley].to_numpy()})
    by = got.groupby("lad")["icb"].agg(set).to_dict()
    assert all(len(v) == 1 for v in by.values())
    dest = {k: next(iter(v)) for k, v in by.items()}
    assert {dest["Rushmoor"], dest["Hart"]} == {"ICB26-HIW"}
    assert {dest[d] for d in ("Surrey Heath", "Waverley", "Guildford", "Runnymede")} == {"ICB26-SSX"}
    assert {dest[d] for d in ("Bracknell Forest", "Slough", "Windsor and Maidenhead")} == {"ICB26-TVA"}


def test_west_essex_and_north_east_essex_join_essex_and_suffolk_joins_norfolk():
    sicbl, icb26 = membership("sicbl-2024"), membership("icb-2026")
    df = pd.DataFrame({"s": sicbl, "i": icb26.reindex(sicbl.index)})
    dest = df.groupby("s")["i"].agg(set)
    assert dest["E38000197"] == {"ICB26-ESX"} and dest["E38000117"] == {"ICB26-ESX"}
    assert dest["E38000086"] == {"ICB26-NSF"} and dest["E38000204"] == {"ICB26-NSF"}
    assert dest["E38000049"] == {"ICB26-CEA"} and dest["E38000079"] == {"ICB26-CEA"}


def test_sub_icb_locations_nest_in_icb_2024_and_icb_2026_but_frimley_is_cut_in_2026():
    sicbl = membership("sicbl-2024")
    for icb_id in ("icb-2024", "icb-2026"):
        df = pd.DataFrame({"s": sicbl, "i": membership(icb_id).reindex(sicbl.index)})
        n = df.groupby("s")["i"].nunique()
        split = sorted(n[n > 1].index)
        assert split == ([] if icb_id == "icb-2024" else ["E38000252"])  # Frimley's one sub-ICB location


# ---- 2021 NHS, police, fire, councils -----------------------------------------------------------


def test_ccg_2021_nests_in_stp_2021():
    ccg, stp = membership("ccg-2021"), membership("stp-2021")
    n = pd.DataFrame({"c": ccg, "s": stp.reindex(ccg.index)}).groupby("c")["s"].nunique()
    assert len(n) == 106 and (n == 1).all()


@pytest.mark.parametrize("layer_id", ["pfa-2024", "fra-2024", "utla-2024", "ca-2023", "sa-2025", "sa-2028", "bcu-2024"])
def test_layer_is_a_union_of_whole_may_2024_districts(layer_id):
    assert BUILT[layer_id]["atoms"]["via"] == "ltla-2024"
    lad, m = membership("ltla-2024"), membership(layer_id)
    n = pd.DataFrame({"lad": lad.reindex(m.index), "u": m}).groupby("lad")["u"].nunique()
    assert (n == 1).all()
    # every atom of a member district is in the layer: whole districts, never parts
    members = set(lookup(layer_id)[BUILT[layer_id]["atoms"]["key_column"]])
    assert set(lad[lad.isin(members)].index) == set(m.index)


def test_csp_2024_nests_in_pfa_2024_and_follows_former_districts_in_the_seven_merged_ones():
    csp, pfa, lad = membership("csp-2024"), membership("pfa-2024"), membership("ltla-2024")
    assert set(csp.index) == set(atoms("lsoa-2021")["code"])
    n = pd.DataFrame({"c": csp, "p": pfa.reindex(csp.index)}).groupby("c")["p"].nunique()
    assert (n == 1).all()
    per_lad = pd.DataFrame({"lad": lad, "c": csp.reindex(lad.index)}).groupby("lad")["c"].nunique()
    assert sorted(per_lad[per_lad > 1].index) == ["E06000058", "E06000060", "E06000061", "E06000062", "E06000063",
                                                   "E06000064", "E07000244"]
    # Buckinghamshire: the four former districts' CSPs; the note says how exact that is
    assert per_lad["E06000060"] == 4 and per_lad["E06000063"] == 3
    assert "former district" in LAYERS["csp-2024"]["note"]


def test_north_east_mca_replaces_north_east_and_north_of_tyne_in_sa_2025():
    sa, ca = membership("sa-2025"), membership("ca-2023")
    ne = set(ca[ca.isin(["E47000010", "E47000011"])].index)
    assert set(sa.reindex(list(ne)).unique()) == {"E47000014"}
    assert not sa.isin(["E47000010", "E47000011"]).any()


def test_strategic_authorities_carry_status_and_start_and_sa_2028_adds_six():
    u25, u28 = units("sa-2025"), units("sa-2028")
    for u in (u25, u28):
        assert list(u.columns[:4]) == ["code", "name", "status", "start"]
        assert (u["status"] != "").all() and u["start"].str.match(r"^\d{4}-\d{2}$").all()
    assert set(u25.code) < set(u28.code) and len(set(u28.code) - set(u25.code)) == 6
    assert "SA-CUMBRIA" in set(u28.code) and not u28.name.str.contains("Wessex").any()


def test_sa_layers_leave_districts_outside_rather_than_split():
    lad = membership("ltla-2024")
    sa = membership("sa-2028")
    outside = set(lad[lad.str.startswith("E")].index) - set(sa.index)
    assert len(outside) > 0  # strategic authorities do not cover England
    assert "E06000059" not in set(lookup("sa-2028")["ltla24_code"])  # Dorset (Wessex: proposed only)


def test_gwynedd_015b_is_in_gwynedd_in_the_2021_districts_with_the_fix_documented():
    assert membership("ltla-2021")["W01000060"] == "W06000002"
    assert "W01000060" in LAYERS["ltla-2021"]["note"]


def test_lsoa_bridge_ships_with_the_catalogue():
    from test_catalog_data import CATALOG, sha256

    (b,) = CATALOG["atom_bridge"]
    assert (b["source"], b["target"]) == ("lsoa-2011", "lsoa-2021")
    assert sha256(ROOT / b["file"]) == b["sha256"]
    df = pd.read_csv(ROOT / b["file"], dtype=str)
    assert set(df.change_code) == {"U", "S", "M", "X"}
    assert set(df.lsoa21_code) == set(atoms("lsoa-2021")["code"])


def test_atom_bases_name_their_population_year():
    from test_catalog_data import BASES

    assert BASES["lsoa-2021"]["population_year"] == "2021" and "Census 2021" in BASES["lsoa-2021"]["population_source"]
    assert BASES["lsoa-2011"]["population_year"] == "2020" and "mid-2020" in BASES["lsoa-2011"]["population_source"]
