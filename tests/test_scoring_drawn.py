"""Scores on drawn layers whose answers are computed by hand."""

from __future__ import annotations

import pytest

import coterm


def classes(scores, side):
    return scores.unit_classes(side).to_dict()


def test_a_layer_against_itself_is_entirely_coterminous_with_zero_variation_of_information(districts):
    s = coterm.compare_layers(districts, districts, mode="geometry", by="area")
    assert set(classes(s, "a").values()) == {"coterminous"}
    assert set(classes(s, "b").values()) == {"coterminous"}
    # the drawn squares lie near Reading, so LSOA populations apportion to them too
    assert s.indices["a_to_b"]["coterminosity_rate"] == {"count": 1.0, "area": 1.0, "population": 1.0}
    assert s.indices["symmetric"]["vi_bits"] == pytest.approx(0.0, abs=1e-12)
    assert s.indices["symmetric"]["nmi"] == pytest.approx(1.0)


def test_districts_nest_in_counties_and_counties_contain_or_match_districts(districts, counties):
    s = coterm.compare_layers(districts, counties, mode="geometry", by="area")
    assert classes(s, "a") == {"D0": "nested", "D1": "nested", "D2": "coterminous", "D3": "coterminous"}
    assert classes(s, "b") == {"C1": "contains", "C2": "coterminous", "C3": "coterminous"}
    d = s.indices["a_to_b"]
    assert (d["coterminous"], d["nested"], d["contains"], d["split"]) == (2, 2, 0, 0)
    assert d["alignment_rate"]["count"] == 1.0
    assert d["coterminosity_rate"]["area"] == pytest.approx(0.5)
    assert d["conditional_entropy_bits"] == pytest.approx(0.0, abs=1e-12)
    # H(A|B): within C1 (half the area) districts split 50/50 -> 0.5 * 1 bit
    assert s.indices["b_to_a"]["conditional_entropy_bits"] == pytest.approx(0.5)


def test_a_district_cut_in_half_is_split_and_its_partners_are_listed_with_shares(districts, health):
    s = coterm.compare_layers(districts, health, mode="geometry", by="area")
    c = classes(s, "a")
    assert c == {"D0": "nested", "D1": "split", "D2": "nested", "D3": "nested"}
    row = s.units[(s.units.side == "a") & (s.units.code == "D1")].iloc[0]
    assert row.n_partners == 2
    p = s.partners[(s.partners.side == "a") & (s.partners.code == "D1")]
    assert p[["partner_code", "partner_name", "rank"]].values.tolist() == [["H1", "Health 1", 1], ["H2", "Health 2", 2]]
    assert p["share"].tolist() == pytest.approx([0.5, 0.5])
    # both health units are split: each shares D1 with the other
    assert classes(s, "b") == {"H1": "split", "H2": "split"}
    # nesting purity by area: (1 + 0.5 + 1 + 1) / 4 km² of districts
    assert s.indices["a_to_b"]["nesting_purity"]["area"] == pytest.approx(3.5 / 4)


def test_a_sliver_under_one_percent_of_both_units_is_dropped_and_ledgered(districts):
    from conftest import X0, Y0, drawn_layer, square

    # B mirrors districts but its D0/D1 edge is shifted 5 m east: a 5 m x 2 km sliver (0.5% of each unit)
    b = drawn_layer([("B0", "B0", square(X0, Y0, 1005, 2000)), ("B1", "B1", square(X0 + 1005, Y0, 995, 2000)),
                     ("B2", "B2", square(X0 + 2000, Y0, 1000, 2000)), ("B3", "B3", square(X0 + 3000, Y0, 1000, 2000))], id="shifted")
    ov = coterm.overlap(districts, b, mode="geometry", by="area")
    assert len(ov.slivers) == 1
    sl = ov.slivers.iloc[0]
    assert (sl.a_code, sl.b_code) == ("D1", "B0")
    assert sl.area_m2 == pytest.approx(5 * 2000)
    assert set(coterm.score(ov).unit_classes("a")) == {"coterminous"}
    # kept + dropped = the whole intersection area
    assert ov.table.area_m2.sum() + ov.slivers.area_m2.sum() == pytest.approx(4000 * 2000)
    # at a stricter threshold the sliver is a real partner and D1 becomes a minor split
    s0 = coterm.score(ov.with_min_share(0.001))
    assert s0.unit_classes("a")["D1"] == "minor split"


def test_units_outside_the_other_layer_are_reported_not_counted_as_split(districts):
    from conftest import X0, Y0, drawn_layer, square

    half = drawn_layer([("E", "East", square(X0 + 2000, Y0, 2000, 2000))], id="east")
    s = coterm.compare_layers(districts, half, mode="geometry", by="area")
    c = classes(s, "a")
    assert c == {"D0": "outside", "D1": "outside", "D2": "nested", "D3": "nested"}
    assert s.indices["a_to_b"]["units"] == 2
    assert s.indices["a_to_b"]["outside"] == 2
    assert s.indices["a_to_b"]["split"] == 0


def test_merging_units_by_regroup_equals_overlaying_the_merged_layer(districts, health):
    from conftest import X0, Y0, drawn_layer, square

    ov = coterm.overlap(districts, health, mode="geometry", by="area")
    merged = ov.regroup("a", {"D0": "M", "D1": "M"}, names={"M": "Merged"})
    direct = coterm.overlap(drawn_layer([("M", "Merged", square(X0, Y0, 2000, 2000)), ("D2", "District 2", square(X0 + 2000, Y0, 1000, 2000)),
                                         ("D3", "District 3", square(X0 + 3000, Y0, 1000, 2000))]), health, mode="geometry", by="area")
    cols = ["a_code", "b_code", "area_m2", "share_of_a", "share_of_b"]
    assert merged.table[cols].round(9).equals(direct.table[cols].round(9))
    assert coterm.score(merged).unit_classes("a").to_dict() == {"D2": "nested", "D3": "nested", "M": "split"}


def test_layers_that_do_not_overlap_at_all_are_refused_with_both_extents(districts):
    from conftest import X0, Y0, drawn_layer, square

    from coterm.errors import OverlapError

    far = drawn_layer([("F", "Far away", square(X0 + 100_000, Y0, 1000))], id="far")
    with pytest.raises(OverlapError, match=r"districts and far do not overlap at all \(districts spans x 470,000–474,000"):
        coterm.overlap(districts, far, mode="geometry", by="area")


def test_typed_indices_hold_exactly_the_dict_values(districts, health):
    s = coterm.compare_layers(districts, health, mode="geometry", by="area")
    d = s.indices["a_to_b"]
    t = s.a_to_b
    assert (t.units, t.nested, t.split) == (4, 3, 1)
    assert t.alignment_rate.by("area") == d["alignment_rate"]["area"] == pytest.approx(0.75)
    assert t.alignment_rate.by("count") == d["alignment_rate"]["count"] == pytest.approx(0.75)
    assert s.b_to_a.split == 2 and s.symmetric.vi_bits == s.indices["symmetric"]["vi_bits"]
    assert s.to_dict()["symmetric"] == s.indices["symmetric"]
