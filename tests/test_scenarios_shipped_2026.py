"""The 2026-28 scenario files: LGR options per area, ICB mergers 2026 (verified Frimley split) and 2027 candidates,
strategic authorities, Halton. Each validates on its layer; known truths; rebuilt byte-identically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import coterm
from coterm.decisions.options import collect_options, option_status
from coterm.scenarios import check_scenario, load_scenario, scenario_layer

ROOT = Path(__file__).resolve().parents[1]
LGR = ROOT / "scenarios" / "lgr-2028"
OPTIONS = sorted(LGR.rglob("*.toml"))
NEW_FILES = ["icb-verified-mergers-2026", "icb-mergers-2027-candidates", "strategic-authorities-2028", "halton-police-2028",
             "halton-fire-2028"]


def test_the_38_options_of_the_19_two_tier_areas_are_shipped_one_folder_per_area():
    assert len(OPTIONS) == 38
    areas = {p.parent.name for p in OPTIONS}
    assert len(areas) == 19 and {"kent", "norfolk", "hampshire", "essex", "hertfordshire"} <= areas


@pytest.mark.parametrize("path", OPTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_option_validates_on_the_2024_districts_and_states_its_status(path):
    sc = load_scenario(path)
    assert sc.layer == "ltla-2024" and sc.source and sc.confidence
    check_scenario(sc)
    assert option_status(sc) in ("decided", "likely", "proposed", "not chosen")


def test_the_decided_options_are_norfolk_and_hampshire_and_say_so():
    decided = sorted(f"{p.parent.name}/{p.stem}" for p in OPTIONS if option_status(load_scenario(p)) == "decided")
    assert decided == ["hampshire/5ua-1a-core", "norfolk/3ua-approx"]
    for p in (LGR / "hampshire" / "5ua-1a-core.toml", LGR / "norfolk" / "3ua-approx.toml"):
        sc = load_scenario(p)
        assert "DECIDED" in sc.name and any("SPLIT" in n for n in sc.notes)   # whole-district core, with the split named


def test_hertfordshire_4ua_moves_the_royston_wards_and_northaw_east_by_lsoa_best_fit():
    sc = load_scenario(LGR / "hertfordshire" / "4ua-core.toml")
    assert [(t.from_, t.to) for t in sc.transfers] == [("E07000099", "E07000242"), ("E07000241", "E07000242")]
    assert "best fit" in sc.transfers[0].note
    lay = scenario_layer(None, sc, geometry=False)
    eastern = next(m.code for m in sc.merges if "E07000242" in m.members)
    moved = set(sc.transfers[0].blocks) | set(sc.transfers[1].blocks)
    assert set(lay.membership.reindex(sorted(moved))) == {eastern}
    assert len(sc.transfers[0].blocks) == 14 and len(sc.transfers[1].blocks) == 3


@pytest.mark.parametrize("sid", NEW_FILES)
def test_the_other_2026_files_validate(sid):
    check_scenario(load_scenario(sid))


def test_the_verified_icb_mergers_on_icb_2024_give_exactly_the_catalogue_icb_2026():
    lay = scenario_layer(None, "icb-verified-mergers-2026", geometry=False)
    ref = coterm.load_layer("icb-2026")
    assert len(lay.codes) == len(ref.codes) == 36
    both = pd.concat([lay.membership.rename("mine"), ref.membership.rename("ref")], axis=1, join="outer")
    assert not both.isna().any().any()
    # one-to-one: every scenario ICB is exactly one catalogue ICB, LSOA for LSOA
    assert both.groupby("mine")["ref"].nunique().max() == 1 and both.groupby("ref")["mine"].nunique().max() == 1


def test_halton_moved_to_merseyside_makes_cheshire_police_the_cheshire_and_warrington_authority():
    from coterm.decisions.mayoral import strategic_authorities

    lay = scenario_layer(None, "halton-police-2028", geometry=False)
    d = coterm.load_layer("ltla-2024").membership
    both = pd.concat([d.rename("district"), lay.membership.rename("pfa")], axis=1, join="inner")
    ches = set(both.loc[both["pfa"] == "E23000006", "district"])
    auth, mem, _ = strategic_authorities()
    cw = auth.loc[auth["name"] == "Cheshire and Warrington Combined Authority", "code"].iloc[0]
    assert ches == set(mem.loc[mem["authority"] == cw, "district"]) == {"E06000007", "E06000049", "E06000050"}
    assert "E06000006" in set(both.loc[both["pfa"] == "E23000004", "district"])


def test_the_strategic_authorities_carry_dates_and_match_the_catalogue_sa_2028_memberships():
    from coterm.decisions.mayoral import strategic_authorities

    auth, mem, layer = strategic_authorities()
    assert layer == "ltla-2024"
    assert auth.loc[auth["name"] == "Greater Manchester", "from"].iloc[0] == "2017-05-08"
    sizes = mem.groupby("authority").size()
    gm = auth.loc[auth["name"] == "Greater Manchester", "code"].iloc[0]
    assert sizes[gm] == 10
    assert mem["district"].is_unique   # a district is in one authority at a time


def _shared() -> Path | None:
    for cand in (ROOT.parent / "shared", ROOT.parents[1] / "shared"):
        if (cand / "scenarios" / "lgr_proposals_2025_2026.csv").is_file():
            return cand
    return None


def test_the_2026_files_are_exactly_what_the_build_tool_makes(tmp_path):
    shared = _shared()
    if shared is None:
        pytest.skip("../shared (the research corpus) is not available")
    from conftest import run_build_tool

    assert run_build_tool("--shared", shared, "--out", tmp_path, "lgr-2028", *NEW_FILES[:3], "halton-2028") == 0
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.toml"))
    assert len(made) == 38 + 5
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (ROOT / "scenarios" / rel).read_bytes(), rel


def test_collect_options_groups_a_folder_of_folders_by_area():
    got = collect_options([LGR])
    assert len(got) == 38 and {a for a, _ in got} == {p.parent.name for p in OPTIONS}


def test_every_catalogue_sa_2028_authority_is_one_group_of_the_shipped_scenario_district_for_district():
    from coterm.decisions.mayoral import strategic_authorities

    auth, mem, _ = strategic_authorities()
    groups = {frozenset(g["district"]) for _, g in mem.groupby("authority")}
    ov = coterm.overlap("ltla-2024", "sa-2028")
    t = ov.table[ov.table["share_of_a"] > 0.5]
    sets = [frozenset(g["a_code"]) for _, g in t.groupby("b_code")]
    assert len(sets) == 21 and all(s in groups for s in sets)
    # the scenario adds Greater London (mayor since 2000) and the proposed Wessex
    extra = set(auth["name"]) - set(auth.loc[[frozenset(mem.loc[mem["authority"] == c, "district"]) in set(sets) for c in auth["code"]],
                                                  "name"])
    assert extra == {"Greater London Authority", "Wessex (proposed MSA)"}
