"""Properties of the overlap table and scores on random partitions (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coterm
from conftest import X0, Y0, drawn_layer, square

SIZE = 6000.0  # a 6 km square in British National Grid


def grid(xcuts, ycuts, prefix, dx=0.0, dy=0.0):
    xs = [0.0, *sorted(set(xcuts)), SIZE]
    ys = [0.0, *sorted(set(ycuts)), SIZE]
    rows = []
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            rows.append((f"{prefix}{i}_{j}", f"{prefix} {i},{j}", square(X0 + dx + xs[i], Y0 + dy + ys[j], xs[i + 1] - xs[i], ys[j + 1] - ys[j])))
    return drawn_layer(rows, id=prefix)


cuts = st.lists(st.integers(1, 59).map(lambda v: v * 100.0), min_size=0, max_size=4, unique=True)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ax=cuts, ay=cuts, bx=cuts, by=cuts)
def test_shares_of_each_unit_sum_to_one_and_lie_in_zero_one_when_the_other_layer_covers_it(ax, ay, bx, by):
    ov = coterm.overlap(grid(ax, ay, "A"), grid(bx, by, "B"), mode="geometry", by="area", min_share=0)
    p = ov.all_pairs()
    assert p["share_of_a"].between(0, 1 + 1e-12).all() and p["share_of_b"].between(0, 1 + 1e-12).all()
    assert p.groupby("a_code")["share_of_a"].sum().to_numpy() == pytest.approx(1.0)
    assert p.groupby("b_code")["share_of_b"].sum().to_numpy() == pytest.approx(1.0)
    assert p["area_m2"].sum() == pytest.approx(SIZE * SIZE)  # the measure is conserved


@SETTINGS
@given(ax=cuts, ay=cuts, bx=cuts, by=cuts)
def test_overlap_b_a_is_the_transpose_of_overlap_a_b_and_classes_follow(ax, ay, bx, by):
    a, b = grid(ax, ay, "A"), grid(bx, by, "B")
    ab = coterm.overlap(a, b, mode="geometry", by="area")
    ba = coterm.overlap(b, a, mode="geometry", by="area")
    t = ab.transpose()
    cols = ["a_code", "b_code", "area_m2", "share_of_a", "share_of_b"]
    assert t.table[cols].round(6).equals(ba.table[cols].round(6))
    s_ab, s_ba = coterm.score(ab), coterm.score(ba)
    assert s_ab.unit_classes("a").to_dict() == s_ba.unit_classes("b").to_dict()
    from coterm.scenarios import flatten_indices

    fa = flatten_indices({"a_to_b": s_ab.indices["a_to_b"]})
    fb = flatten_indices({"a_to_b": s_ba.indices["b_to_a"]})
    assert fa["index"].tolist() == fb["index"].tolist()
    assert pd.to_numeric(fa["value"]).to_numpy() == pytest.approx(pd.to_numeric(fb["value"]).to_numpy(), nan_ok=True)


@SETTINGS
@given(ax=cuts, ay=cuts, bx=cuts, by=cuts, dx=st.integers(-50_000, 50_000), dy=st.integers(-50_000, 50_000))
def test_translating_both_layers_changes_nothing(ax, ay, bx, by, dx, dy):
    s1 = coterm.score(coterm.overlap(grid(ax, ay, "A"), grid(bx, by, "B"), mode="geometry", by="area"))
    s2 = coterm.score(coterm.overlap(grid(ax, ay, "A", dx, dy), grid(bx, by, "B", dx, dy), mode="geometry", by="area"))
    assert s1.units["class"].tolist() == s2.units["class"].tolist()
    assert s1.units["dominant_share"].round(9).tolist() == s2.units["dominant_share"].round(9).tolist()


@SETTINGS
@given(ax=cuts, ay=cuts, bx=cuts, by=cuts, seed=st.integers(0, 10_000))
def test_merging_units_equals_summing_their_rows(ax, ay, bx, by, seed):
    a, b = grid(ax, ay, "A"), grid(bx, by, "B")
    ov = coterm.overlap(a, b, mode="geometry", by="area", min_share=0)
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, max(1, len(a) // 2), size=len(a))
    mapping = pd.Series([f"M{g}" for g in groups], index=a.codes)
    merged = ov.regroup("a", mapping)
    expect = ov.all_pairs().assign(a_code=lambda d: d["a_code"].map(mapping)).groupby(["a_code", "b_code"])["area_m2"].sum()
    got = merged.all_pairs().set_index(["a_code", "b_code"])["area_m2"]
    assert got.sort_index().to_numpy() == pytest.approx(expect.sort_index().to_numpy())
    assert merged.units_a["measure"].sum() == pytest.approx(ov.units_a["measure"].sum())


@SETTINGS
@given(ax=cuts, ay=cuts)
def test_a_layer_against_itself_is_all_coterminous_with_zero_variation_of_information(ax, ay):
    a = grid(ax, ay, "A")
    s = coterm.score(coterm.overlap(a, a, mode="geometry", by="area"))
    assert set(s.units["class"]) == {"coterminous"}
    assert s.indices["symmetric"]["vi_bits"] == pytest.approx(0.0, abs=1e-9)
