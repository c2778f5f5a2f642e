"""The demo's computed sentences: police command units against councils, the CCG back-test residual, and the
plan's choices (a BCU column; the verified 2026 ICB mergers, not the superseded file)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import coterm
from coterm.demo.plan import DISTRICTS, DemoPlan, full_plan
from coterm.demo.summaries import backtest_residual, bcu_sentence, bcu_summary
from test_catalog_data import LAYERS, ROOT


def test_the_bcu_counts_are_what_the_units_file_says_about_districts():
    s = bcu_summary(coterm.compare_layers("ltla-2024", "bcu-2024"))
    # oracle: every district of a covered force is in exactly one unit (tests/test_bcu.py), so a unit of one
    # district is coterminous with it and a unit of several groups whole districts
    u = pd.read_csv(ROOT / LAYERS["bcu-2024"]["units_file"], dtype=str, keep_default_na=False)
    n = u["districts"].str.split().str.len()
    assert s["bcus"] == len(u) == 146
    assert s["coterminous"] == int((n == 1).sum()) == 105
    assert s["groups"] == int((n > 1).sum()) == 41
    assert s["cuts"] == 0 and s["councils_split"] == 0
    covered = set(" ".join(u["districts"]).split())
    assert s["councils_outside"] == len(coterm.load_layer("ltla-2024")) - len(covered) == 82
    text = bcu_sentence(s)
    assert "of 146 units, 105 are coterminous with one council, 41 group whole councils and none cuts a council" in text
    assert "82 councils are in forces without BCU data" in text and "not as split" in text


def test_the_ccg_back_test_residual_is_the_three_documented_moves():
    from coterm.scenarios import scenario_layer

    after = scenario_layer("ccg-2020", "ccg-mergers-2021", geometry=False)
    r = backtest_residual(after, coterm.load_layer("sicbl-2022"))
    lad = coterm.load_layer("ltla-2021")
    by_district = r["block"].map(lad.membership).map(lad.names).value_counts().to_dict()
    assert by_district == {"Birmingham": 92, "High Peak": 21, "North Northamptonshire": 9}
    pop = coterm.atoms.atom_table("lsoa-2011")["population"]
    assert r["population"].sum() == pop.reindex(r["block"]).sum() > 0
    assert (r["target_code"] != r["matched_code"]).all()


def test_a_layer_against_itself_leaves_no_residual():
    lay = coterm.load_layer("sicbl-2022")
    assert backtest_residual(lay, lay).empty


def test_the_full_plan_has_a_bcu_column_and_uses_the_verified_2026_mergers():
    from coterm.demo.run import _scenario_names

    plan = full_plan()
    assert "bcu-2024" in plan.columns and plan.cells[(DISTRICTS, "bcu-2024")] == "ltla-2024"
    names = _scenario_names(plan)
    assert "icb-verified-mergers-2026" in names and "icb-mergers-2026" not in names
    old = coterm.load_scenario("icb-mergers-2026")
    assert "superseded by icb-verified-mergers-2026" in old.name and old.notes[0].startswith("status: superseded")
    assert plan.extra["pairs"] == (("csp-2024", "bcu-2024"), ("bcu-2024", "icb-2026"), ("bcu-2024", "sicbl-2024"))
    assert [st.body for st in plan.story][-1] == "icb-2026"  # the 2026 step is the catalogue's icb-2026 (verified)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """The demo's own code on a small plan: districts × BCUs, and the CCG back-test (run once per test session)."""
    from coterm.demo import run_demo
    from shared_once import built_once

    def build(folder):
        plan = DemoPlan(rows=(DISTRICTS,), columns=("bcu-2024",), cells={(DISTRICTS, "bcu-2024"): "ltla-2024"}, story=(),
                        scenarios=("ccg-mergers-2021",), breaker_bodies=("bcu-2024",), breaker_council="ltla-2024",
                        extra={"pairs": (("bcu-2024", "icb-2026"),)})
        assert run_demo(folder / "maps", quick=True, plan=plan) == folder / "maps" / "index.html"

    out = built_once(tmp_path_factory, "small-demo", build) / "maps"
    return out, (out / "index.html").read_text(encoding="utf-8")


def test_the_index_states_the_bcu_counts_and_shows_uncovered_councils_as_not_covered(small_demo):
    out, html = small_demo
    assert "105 are coterminous with one council, 41 group whole councils and none cuts a council" in html
    m = pd.read_csv(out / "tables" / "matrix.csv")
    row = m[m.body_layer == "bcu-2024"].iloc[0]
    assert row.councils_outside == 82 and row.councils_split == 0 and row.councils_covered == 236
    assert re.search(r"0 of 236 councils split<br>82 not covered", html)


def test_the_index_shows_the_back_test_residual_not_an_alignment_rate(small_demo):
    out, html = small_demo
    assert re.search(r"Residual: 122 of 32,844 LSOAs \([\d,]+ people, ONS mid-2020[^)]*\)\) did not follow whole CCGs", html)
    assert "Birmingham 92; High Peak 21; North Northamptonshire 9" in html
    t = pd.read_csv(out / "tables" / "backtest__ccg-mergers-2021.csv", comment="#")
    assert len(t) == 122 and f"{int(t.population.sum()):,} people" in html


def test_every_demo_table_ends_with_its_basis(small_demo):
    from coterm.report import BASIS_COLUMNS

    out, _ = small_demo
    tables = sorted((out / "tables").glob("*.csv"))
    assert len(tables) >= 5
    for t in tables:
        df = pd.read_csv(t, dtype=str, keep_default_na=False)
        assert tuple(df.columns[-3:]) == BASIS_COLUMNS, t.name
        assert set(df["basis"]) <= {"population"}, t.name
    m = pd.read_csv(out / "tables" / "matrix.csv", dtype=str)
    assert (m["population_source"].iloc[0], m["population_year"].iloc[0]) == (
        "ONS Census 2021 TS021 usual residents (cell-key perturbed)", "2021")
    b = pd.read_csv(out / "tables" / "backtest__ccg-mergers-2021.csv", dtype=str)
    assert set(b["population_year"]) == {"2020"}  # the CCGs are on LSOA 2011: mid-2020 estimates


def test_the_story_note_counts_pcts_coterminous_with_councils_from_the_comparison():
    from coterm.demo.run import _pct_figure

    s = coterm.compare_layers("utla-2013", "pct-2011")
    assert _pct_figure({("utla-2013", "pct-2011"): s}) == "109 of 151 (72%)"  # README; tests/test_pct.py checks the range
    assert _pct_figure({}) == ""  # no PCT step: no sentence


def test_bcus_against_other_bodies_are_listed_with_their_maps_in_atom_mode(small_demo):
    out, html = small_demo
    o = pd.read_csv(out / "tables" / "other_pairs.csv")
    (row,) = o.itertuples()
    assert (row.council_layer, row.body_layer, row.mode) == ("bcu-2024", "icb-2026", "atoms")
    assert row.a_units + row.a_outside == 146 and row.a_outside > 0  # the Welsh BCUs: not covered by English ICBs
    assert (out / row.map).is_file() and f'href="{row.map}"' in html
    assert "coterm compare bcu-2024 icb-2026" in html
