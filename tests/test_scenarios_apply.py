"""Applying scenarios to toy layers: merges are a group-by, transfers re-run the atom overlap."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_scenarios_toys import atom_layer, toy_atoms, toy_counties, toy_districts, toy_health  # noqa: F401  (fixtures)

from coterm.scenarios import compare_scenario
from coterm.overlap import overlap
from coterm.scenarios import parse_scenario_text
from coterm.scenarios import apply_scenario, scenario_layer
from coterm.scoring import score


def scenario(text: str, layer: str = "toy-districts"):
    return parse_scenario_text(f'name = "toy"\nlayer = "{layer}"\n' + text, path="toy.toml")


MERGE_NORTH = '[[merge]]\ninto = "North"\ncode = "N"\nmembers = ["E07000100", "E07000101"]\n'


def test_merging_conserves_the_measure(toy_districts, toy_health):
    ov = overlap(toy_districts, toy_health)
    after = apply_scenario(ov, scenario(MERGE_NORTH))
    assert after.all_pairs()["measure"].sum() == pytest.approx(ov.all_pairs()["measure"].sum())
    assert after.units_a["measure"].sum() == pytest.approx(ov.units_a["measure"].sum())
    assert after.units_b["measure"].equals(ov.units_b["measure"])
    assert list(after.units_a.index) == ["E07000102", "E07000103", "N"]


def test_an_empty_scenario_changes_nothing(toy_districts, toy_health):
    r = compare_scenario(scenario(""), against=[toy_health], layer=toy_districts)
    b, a = r.before[toy_health.id], r.after[toy_health.id]
    pd.testing.assert_frame_equal(b.overlap.table, a.overlap.table)
    # the same units and classes; only the layer id says which state each table describes
    pd.testing.assert_frame_equal(b.scores.units.drop(columns="layer"), a.scores.units.drop(columns="layer"))
    assert set(b.scores.units["layer"]) == {toy_districts.id, toy_health.id}
    assert set(a.scores.units["layer"]) == {r.after_layer.id, toy_health.id}
    assert r.changed_units.empty
    assert (r.before_after["change"].fillna(0) == 0).all()


def test_a_merge_of_units_nested_in_the_same_partner_makes_them_one_aligned_unit(toy_districts, toy_counties):
    r = compare_scenario(scenario(MERGE_NORTH), against=[toy_counties], layer=toy_districts)
    after = r.after[toy_counties.id].scores.units.set_index("code")
    assert after.loc["N", "class"] == "coterminous" and after.loc["C1", "class"] == "coterminous"
    text = set(r.changed_units["description"])
    assert "County 1 (county/unitary): contains → coterminous with North" in text
    assert "Reading (district): nested → coterminous with County 1 (as North)" in text


def _random_partition(rng, n_atoms: int, n_units: int) -> list[int]:
    labels = np.concatenate([np.arange(n_units), rng.integers(0, n_units, n_atoms - n_units)])
    rng.shuffle(labels)
    return labels.tolist()


def test_a_merge_of_units_nested_in_the_same_partner_never_lowers_alignment(toy_atoms, monkeypatch):
    """Property over random partitions of 8 atoms: weighted alignment never drops, in either direction."""
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(40):
        la = _random_partition(rng, 8, int(rng.integers(3, 8)))
        lb = _random_partition(rng, 8, int(rng.integers(1, 5)))
        a = atom_layer("ra", {f"A{k}": (f"A{k}", [i for i, x in enumerate(la) if x == k]) for k in sorted(set(la))})
        b = atom_layer("rb", {f"B{k}": (f"B{k}", [i for i, x in enumerate(lb) if x == k]) for k in sorted(set(lb))})
        sb = score(overlap(a, b))
        units = sb.units[sb.units["side"] == "a"]
        nested = units[units["class"] == "nested"]
        pairs = nested.groupby("dominant_code")["code"].apply(list)
        pairs = pairs[pairs.str.len() >= 2]
        if pairs.empty:
            continue
        members = pairs.iloc[0][:2]
        sc = scenario(f'[[merge]]\ninto = "M"\ncode = "M"\nmembers = {json.dumps(members)}\n', layer="ra")
        r = compare_scenario(sc, against=[b], layer=a, geometry=False)
        ba = r.before_after.set_index(["direction", "index"])
        for d, idx in [("a_to_b", "alignment_rate.population"), ("a_to_b", "alignment_rate.area"),
                       ("b_to_a", "alignment_rate.count"), ("b_to_a", "alignment_rate.population"), ("b_to_a", "alignment_rate.area")]:
            assert ba.loc[(d, idx), "after"] >= ba.loc[(d, idx), "before"] - 1e-12, (la, lb, members, d, idx)
        assert r.after["rb"].scores.units.set_index("code").loc["M", "class"] in ("nested", "coterminous")
        checked += 1
    assert checked >= 5


def test_a_transfer_moves_blocks_and_reruns_the_atom_overlap(toy_districts, toy_health):
    sc = scenario('[[transfer]]\nfrom = "E07000101"\nto = "E07000100"\nblocks = ["L2"]\n')
    r = compare_scenario(sc, against=[toy_health], layer=toy_districts)
    after = r.after[toy_health.id]
    assert after.overlap.mode == "atoms"
    cls = after.scores.units.set_index("code")["class"]
    assert cls["E07000100"] == "coterminous" and cls["H1"] == "coterminous" and cls["E07000101"] == "nested"
    assert "Health 1 (ICB): split → coterminous with Reading" in set(r.changed_units["description"])
    assert after.overlap.all_pairs()["measure"].sum() == pytest.approx(r.before[toy_health.id].overlap.all_pairs()["measure"].sum())


def test_a_clipped_transfer_via_another_layer_moves_only_the_part_in_the_source(toy_districts, toy_health, monkeypatch):
    sc = scenario('[[transfer]]\nfrom = "E07000101"\nto = "E07000100"\nvia = "toy-health"\nclip = true\nblocks = ["H1"]\n')
    from coterm.scenarios import validate

    real = validate._resolve_layer_ref
    monkeypatch.setattr(validate, "_resolve_layer_ref",
                        lambda s, ref, key, line=None: toy_health if ref == "toy-health" else real(s, ref, key, line))
    after = scenario_layer(toy_districts, sc)
    assert sorted(after.membership[after.membership == "E07000100"].index) == ["L0", "L1", "L2"]


def test_a_transfer_to_a_new_unit_creates_it(toy_districts):
    sc = scenario('[[transfer]]\nfrom = "E07000103"\nto = "NEW"\nto_name = "New town"\nblocks = ["L7"]\n')
    after = scenario_layer(toy_districts, sc)
    assert after.frame.loc["NEW", "name"] == "New town" and after.membership["L7"] == "NEW"
    # (no atom polygons for the toy base: the new unit has no geometry to draw)


def test_the_scenario_layer_has_dissolved_geometry(toy_districts):
    after = scenario_layer(toy_districts, scenario(MERGE_NORTH))
    g = after.frame.geometry
    assert g.loc["N"].area == pytest.approx(4e6) and g.loc["N"].geom_type == "Polygon"
    assert after.frame.loc["N", "name"] == "North" and len(after) == 3


def test_applying_to_an_overlap_finds_the_changed_side(toy_districts, toy_health):
    ov = overlap(toy_health, toy_districts)
    after = apply_scenario(ov, scenario(MERGE_NORTH))
    assert list(after.units_b.index) == ["E07000102", "E07000103", "N"]
    assert after.a is ov.a


def test_groups_define_a_new_layer_and_drop_ungrouped_units(toy_districts, toy_counties):
    sc = scenario('defines = "toy-bcu"\n[[group]]\ninto = "West"\ncode = "W"\nmembers = ["E07000100", "E07000101"]\n')
    r = compare_scenario(sc, against=[toy_counties], layer=toy_districts)
    assert list(r.layer.codes) == ["E07000100", "E07000101"]
    assert r.after_layer.id == "toy-bcu" and list(r.after_layer.codes) == ["W"]
    cls = r.after[toy_counties.id].scores.units.set_index("code")["class"]
    assert cls["W"] == "coterminous" and cls["C2"] == "outside"


def test_the_result_serialises_to_json_with_scores_per_partner(toy_districts, toy_health, toy_counties):
    r = compare_scenario(scenario(MERGE_NORTH), against=[toy_health, toy_counties], layer=toy_districts)
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) >= {"scenario", "layer", "against", "partners"}
    assert d["against"] == ["toy-health", "toy-counties"]
    assert d["partners"]["toy-counties"]["before"] == json.loads(json.dumps(r.before["toy-counties"].scores.to_dict()))
    assert set(r.before_after.columns) == {"partner", "direction", "index", "before", "after", "change"}
    assert {"partner", "layer", "code", "name", "before_class", "after_class", "description"} <= set(r.changed_units.columns)
