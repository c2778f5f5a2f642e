"""The workbench's data and page, without a browser: what Python embeds and how it embeds it."""

from __future__ import annotations

import json
import re

import pytest

import coterm
from coterm.workbench import WorkbenchError, workbench_data, workbench_html
from coterm.workbench.data import grouping_mapping, reference_scores
from coterm.workbench.page import json_for_script

LAYER, PARTNERS = "ltla-2021", ["icb-2022", "pfa-2020"]


@pytest.fixture(scope="module")
def data():
    return workbench_data(LAYER, PARTNERS)


def _embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="coterm-data">(.*?)</script>', html, re.S)
    assert m, "the data block is missing"
    return json.loads(m.group(1))


def test_pairs_conserve_every_person(data):
    """Each partner's pairs hold the whole covered population of the layer: nothing lost in the export."""
    ov = coterm.overlap(LAYER, "icb-2022", mode="atoms")
    p = data["partners"][0]
    assert p["id"] == "icb-2022"
    assert sum(p["pairs"]["population"]) == pytest.approx(ov.units_a["measure"].sum(), rel=1e-12)
    assert len(p["pairs"]["a"]) == len(ov.all_pairs())


def test_adjacency_is_real_neighbours(data):
    """Adjacent districts share a border: Elmbridge touches Kingston upon Thames, not Cornwall."""
    codes = data["units"]["codes"]
    edges = {tuple(sorted((codes[a], codes[b]))) for a, b in data["adjacency"]}
    assert tuple(sorted(("E07000207", "E09000021"))) in edges   # Elmbridge – Kingston upon Thames
    assert not any("E06000052" in e and "E07000207" in e for e in edges)  # Cornwall – Elmbridge
    # every English district has a neighbour except the two island councils (Isle of Wight, Isles of Scilly)
    lonely = set(codes) - {c for e in edges for c in e}
    assert {c for c in lonely if c.startswith("E")} == {"E06000046", "E06000053"}


def test_surrey_is_offered_as_a_start(data):
    ids = [s["id"] for s in data["scenarios"]]
    assert "surrey-unitaries-2027" in ids
    surrey = data["scenarios"][ids.index("surrey-unitaries-2027")]
    assert sorted(len(g["members"]) for g in surrey["groups"]) == [5, 6]


def test_page_embeds_data_as_data_only():
    """A hostile unit name reaches the page only inside the JSON block, escaped, and round-trips exactly."""
    from tests.browser import strip_layer

    evil = "</script><script>window.__pwned=1</script>{{ 7*7 }}{% for x in y %}\u2028<!--"
    a = strip_layer([("A0", "x", 0, 2), ("A1", "y", 2, 4)], id="syn-a", title="Test {{ 7*7 }} districts", names={"A0": evil})
    d = {"schema": 1, "layer": {"id": "syn-a", "title": a.title, "family": ""}, "units": {"codes": ["A0", "A1"], "names": [evil, "y"]},
         "adjacency": [], "paths": ["M0 0 1 0 1 1Z", "M1 0 2 0 2 1Z"], "viewbox": [0, 0, 2, 1], "partners": [], "scenarios": [],
         "start": None, "population_source": "none", "attribution": "<b>OGL</b>"}
    html = workbench_html(d)
    assert html.count("<script") == 2  # the data block and the package script, nothing from data
    assert "49" not in html.split('id="coterm-data">')[1].split("</script>")[0]
    assert _embedded(html)["units"]["names"][0] == evil
    assert "&lt;b&gt;OGL&lt;/b&gt;" in html  # the attribution is text, escaped by the template
    assert "Test {{ 7*7 }} districts" in _embedded(html)["layer"]["title"]


def test_json_for_script_cannot_close_the_block():
    s = json_for_script({"x": "</script><!-- \u2028 \u2029 &"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s)["x"] == "</script><!-- \u2028 \u2029 &"


def test_page_is_deterministic(data):
    assert workbench_html(data) == workbench_html(workbench_data(LAYER, PARTNERS))


def test_grouping_refuses_a_unit_in_two_groups():
    with pytest.raises(WorkbenchError, match="E07000207 is in two groups"):
        grouping_mapping([{"code": "g1", "name": "G1", "members": ["E07000207"]},
                          {"code": "g2", "name": "G2", "members": ["E07000207"]}])


def test_partner_without_exact_overlaps_is_refused():
    """Overlapping drawn catchments cannot be best-fitted to LSOAs: only geometry mode, so refused, saying why."""
    from tests.browser import strip_layer

    drawn = strip_layer([("A0", "x", 0, 3), ("A1", "y", 2, 4)], id="syn-a", title="Test catchments")
    with pytest.raises(WorkbenchError, match="can only be compared by geometry .*not a partition"):
        workbench_data("ltla-2024", [drawn])


def test_reference_of_no_grouping_is_the_plain_score():
    """With no groups the reference is the layer pair's own score (districts × ICBs, 2021/2022)."""
    ref = reference_scores(LAYER, "icb-2022", [])
    s = coterm.compare_layers(LAYER, "icb-2022", mode="atoms")
    assert ref["a_to_b"] == s.indices["a_to_b"]
    assert ref["units_a"]["E07000207"]["class"] == str(s.unit_classes("a")["E07000207"])


def _cli(*args):
    from cli_inprocess import run_here  # what the command writes and prints: its main() in this process

    return run_here(*args)


def test_cli_writes_the_page_with_its_start(tmp_path):
    out = tmp_path / "wb.html"
    run = _cli("workbench", "--layer", LAYER, "--against", "icb-2022", "--start", "surrey-unitaries-2027", "-o", str(out))
    assert run.returncode == 0, run.stderr
    d = _embedded(out.read_text(encoding="utf-8"))
    assert [p["id"] for p in d["partners"]] == ["icb-2022"]
    assert "mid-2020" in d["population_source"] and d["population_source"].endswith("2020")  # the LSOA 2011 era's people
    assert sorted(g["name"] for g in d["start"]["groups"]) == ["East Surrey Council", "West Surrey Council"]


def test_cli_refuses_a_scenario_that_moves_blocks(tmp_path):
    run = _cli("workbench", "--layer", "icb-2022", "--against", "ltla-2021", "--start", "icb-mergers-2026", "-o", str(tmp_path / "x.html"))
    assert run.returncode == 2
    assert "regroups whole units only" in run.stderr and "icb-mergers-2026" in run.stderr
    assert not (tmp_path / "x.html").exists()
