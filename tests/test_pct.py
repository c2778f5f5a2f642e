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
    u = s.units[s.units.layer == "a"].set_index("code")
    assert u.loc[pct, "class"] == "coterminous" and u.loc[pct, "dominant_code"] == utla
