"""Random partitions and random merges never crash and keep the engine's invariants (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coterm
from coterm.errors import OverlapError
from coterm.scoring import CLASSES
from conftest import X0, Y0, drawn_layer

SIDE = 10_000  # a 10 km square in British National Grid

cuts = st.lists(st.integers(1, 99), max_size=5, unique=True).map(lambda v: [0, *sorted(c * SIDE // 100 for c in v), SIDE])
PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def grid_layer(xs, ys, prefix, *, jitter=0):
    rows = [(f"{prefix}{i}_{j}", f"{prefix} {i} {j}", shapely.box(X0 + xs[i] + jitter, Y0 + ys[j], X0 + xs[i + 1] + jitter, Y0 + ys[j + 1]))
            for i in range(len(xs) - 1) for j in range(len(ys) - 1)]
    return drawn_layer(rows, id=prefix)


def overlap(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return coterm.overlap(a, b, mode="geometry", by="area", min_share=0.0)


@PROPS
@given(cuts, cuts, cuts, cuts)
def test_random_grids_conserve_area_keep_shares_in_unit_range_and_classify_every_unit(ax, ay, bx, by):
    a, b = grid_layer(ax, ay, "A"), grid_layer(bx, by, "B")
    ov = overlap(a, b)
    pairs = ov.all_pairs()
    assert ((pairs.share_of_a >= 0) & (pairs.share_of_a <= 1 + 1e-12)).all()
    assert ((pairs.share_of_b >= 0) & (pairs.share_of_b <= 1 + 1e-12)).all()
    # conservation: each unit is exactly the sum of its pieces, and the pieces tile the square
    per_a = pairs.groupby("a_code")["area_m2"].sum().reindex(a.codes)
    np.testing.assert_allclose(per_a.to_numpy(), a.frame.area.to_numpy(), rtol=1e-9)
    per_b = pairs.groupby("b_code")["area_m2"].sum().reindex(b.codes)
    np.testing.assert_allclose(per_b.to_numpy(), b.frame.area.to_numpy(), rtol=1e-9)
    assert pairs.area_m2.sum() == pytest.approx(SIDE * SIDE, rel=1e-12)
    s = coterm.score(ov)
    assert set(s.units["class"]) <= set(CLASSES) - {"outside"}
    assert len(s.units) == len(a) + len(b)


@PROPS
@given(cuts, cuts, cuts, cuts)
def test_overlap_of_b_and_a_is_the_transpose_of_overlap_of_a_and_b(ax, ay, bx, by):
    a, b = grid_layer(ax, ay, "A"), grid_layer(bx, by, "B")
    ab, ba = overlap(a, b), overlap(b, a)
    t = ab.transpose().all_pairs()
    u = ba.all_pairs()
    assert list(zip(t.a_code, t.b_code)) == list(zip(u.a_code, u.b_code))
    np.testing.assert_allclose(t.area_m2, u.area_m2, rtol=1e-9)
    np.testing.assert_allclose(t.share_of_a, u.share_of_a, rtol=1e-9)
    sa, sb = coterm.score(ab), coterm.score(ba)
    assert sa.unit_classes("a").to_dict() == sb.unit_classes("b").to_dict()
    assert sa.indices["a_to_b"]["coterminous"] == sb.indices["b_to_a"]["coterminous"]


@PROPS
@given(cuts, cuts, cuts, cuts, st.data())
def test_merging_units_equals_summing_their_rows_and_matches_a_real_dissolve(ax, ay, bx, by, data):
    a, b = grid_layer(ax, ay, "A"), grid_layer(bx, by, "B")
    groups = data.draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a)))
    mapping = pd.Series([f"M{g}" for g in groups], index=a.codes)
    ov = overlap(a, b)
    merged = ov.regroup("a", mapping, names=pd.Series({f"M{g}": f"Merged {g}" for g in set(groups)}))
    expected = ov.all_pairs().assign(a_code=lambda d: d.a_code.map(mapping)).groupby(["a_code", "b_code"])["area_m2"].sum()
    got = merged.all_pairs().set_index(["a_code", "b_code"])["area_m2"].sort_index()
    pd.testing.assert_series_equal(got, expected.sort_index(), check_names=False, rtol=1e-12)
    # the same as overlaying the dissolved units
    dissolved = drawn_layer([(code, code, shapely.union_all(a.frame.geometry[mapping == code].to_numpy()))
                             for code in sorted(set(mapping))], id="dissolved")
    real = overlap(dissolved, b).all_pairs().set_index(["a_code", "b_code"])["area_m2"].sort_index()
    pd.testing.assert_series_equal(got, real, check_names=False, rtol=1e-9)
    shares = merged.all_pairs()
    assert ((shares.share_of_a >= 0) & (shares.share_of_a <= 1 + 1e-12)).all()
    coterm.score(merged)  # never crashes


@PROPS
@given(cuts, cuts, st.integers(-SIDE, SIDE))
def test_a_layer_against_a_shifted_copy_of_itself_never_counts_outside_units_as_split(xs, ys, shift):
    a = grid_layer(xs, ys, "A")
    b = grid_layer(xs, ys, "B", jitter=shift)
    if abs(shift) >= max(xs) - min(xs):  # shifted clear of each other: refused, not scored as all "outside"
        with pytest.raises(OverlapError, match="do not overlap at all"):
            overlap(a, b)
        return
    s = coterm.score(overlap(a, b))
    u = s.units.set_index(["side", "code"])
    ov = s.overlap
    for side, units in (("a", ov.units_a), ("b", ov.units_b)):
        covered = units["measure"] > 0
        cls = u.loc[side]["class"].reindex(units.index)
        assert (cls[~covered] == "outside").all()
        assert (cls[covered] != "outside").all()
    if shift == 0:
        assert set(s.units["class"]) == {"coterminous"}


def test_ten_thousand_merges_regroup_in_seconds():
    xs = list(range(0, SIDE + 1, SIDE // 100))  # 100 x 100 = 10,000 units
    a = grid_layer(xs, xs, "A")
    b = grid_layer([0, SIDE // 2, SIDE], [0, SIDE], "B")
    ov = overlap(a, b)
    mapping = pd.Series([f"M{i // 2}" for i in range(len(a))], index=a.codes)  # 5,000 merges of two units
    merged = ov.regroup("a", mapping)
    assert len(merged.units_a) == 5_000
    assert merged.all_pairs().area_m2.sum() == pytest.approx(SIDE * SIDE)
