"""One basis everywhere (issue 15 §1): the index cell, the map headline and the CLI's JSON give the same figure.

They used to differ (districts × ICBs: index 97% · 64%, map 96% / 67%) because the map's headline
used unit counts under a title saying "weighted by population".
"""

from __future__ import annotations

import json
import re

import pytest

PAIR = ("ltla-2021", "icb-2022")


def _cli_json(*args) -> dict:
    from cli_inprocess import run_here  # the CLI's main() in this process (test_cli.py runs these in real ones)

    out = run_here(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _text(html_fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", html_fragment)


def test_index_cell_map_headline_and_cli_agree_for_a_pair():
    import coterm
    from coterm import demo, maps
    from coterm.maps.html import fmt_pct

    cli = _cli_json("compare", *PAIR)
    sc = coterm.score(coterm.overlap(*PAIR))
    page = maps.coterminosity_map(sc)
    fig = page.data["figures"]
    assert fig["basis"] == "population" and fig["population_source"].startswith("ONS ")
    plan = demo.DemoPlan(rows=(demo.DISTRICTS,), columns=(PAIR[1],), cells={(demo.DISTRICTS, PAIR[1]): PAIR[0]}, story=(),
                         scenarios=(), breaker_bodies=(), breaker_council=PAIR[0])
    from coterm.demo.run import _matrix_table

    matrix = _matrix_table(plan, {PAIR: sc}, "population")
    headline = _text(page.data["summary"])
    for direction, col in (("a_to_b", "council_alignment"), ("b_to_a", "body_alignment")):
        want = cli[direction]["alignment_rate"]["population"]
        assert fig[direction]["alignment_rate"] == pytest.approx(want, abs=1e-9)
        assert matrix[col].iloc[0] == pytest.approx(want, abs=1e-9)
        assert f"{fmt_pct(want)} of residents in units with a clear relationship" in headline
        assert fig[direction]["split"] == cli[direction]["split"]
    # the known figures of issue 15 (population basis): 97% of districts' residents, 64% of ICBs'
    assert fmt_pct(fig["a_to_b"]["alignment_rate"]) == "97%" and fmt_pct(fig["b_to_a"]["alignment_rate"]) == "64%"
    assert "weighted by population" in page.data["subtitle"]


def test_scenario_map_headline_and_cli_agree_before_and_after():
    from coterm import maps
    from coterm.scenarios import compare_scenario
    from coterm.maps.html import fmt_pct

    cli = _cli_json("scenario", "met-bcus-2019", "--against", "ltla-2021")
    res = compare_scenario("met-bcus-2019", against=["ltla-2021"])
    page = maps.scenario_map(res)
    p = cli["partners"]["ltla-2021"]
    for state, key in (("after", "figures"), ("before", "figures_before")):
        for direction in ("a_to_b", "b_to_a"):
            want = p[state][direction]["alignment_rate"]["population"]
            assert page.data[key][direction]["alignment_rate"] == pytest.approx(want, abs=1e-9)
            shown = _text(page.data["states"][state]["summary"])
            assert f"{fmt_pct(want)} of residents in units with a clear relationship" in shown


def test_the_lead_sentence_counts_the_councils_the_bodies_cover_once():
    """Strategic authorities cover part of England: 154 districts are outside, never subtracted twice."""
    import coterm
    from coterm.maps.panels import lead_sentence

    s = coterm.compare_layers("ltla-2024", "sa-2028")
    d = s.indices["a_to_b"]
    assert d["units"] + d["outside"] == 318 and d["outside"] == 154
    text = lead_sentence(s.overlap, s)
    assert f"of the {d['units']} " in text or f"of {d['units']} " in text, text
    assert "-" not in text.split(" ")[0:6], text


def test_the_map_says_how_the_overlaps_were_made():
    """An LSOA-era bridge (or a best fit) is stated in the map's method panel, escaped."""
    import coterm
    from coterm.maps.panels import summary_html

    s = coterm.compare_layers("ltla-2024", "icb-2022")
    assert s.overlap.notes, "the bridged pair carries a note"
    html = summary_html(s.overlap, s)
    from html import escape

    assert all(escape(n, quote=False) in html or escape(n) in html for n in s.overlap.notes)
