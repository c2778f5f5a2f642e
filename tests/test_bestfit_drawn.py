"""Best fit on drawn blocks: hand-checkable answers, the ambiguity rule, real minor splits and a property."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coterm.bestfit import BestFitError, best_fit
from coterm.overlap import overlap
from coterm.scoring import score

from conftest import X0, Y0, drawn_layer, square

S = 500  # block side, metres


def blocks(cols=10, rows=4):
    return drawn_layer([(f"B{c:02d}{r}", f"Block {c},{r}", square(X0 + S * c, Y0 + S * r, S)) for c in range(cols) for r in range(rows)],
                       id="blocks")


def dissolve(fitted, blocks_layer):
    """The fitted units drawn as unions of their blocks."""
    geoms = blocks_layer.frame.geometry
    m = fitted.membership
    return drawn_layer([(u, u, shapely.union_all(geoms.loc[m.index[m == u]].to_numpy())) for u in sorted(set(m))], id="fitted")


def test_a_block_cut_fifty_fifty_is_reported_ambiguous_by_code_and_makes_the_fit_unclean():
    # U1 = columns 0-4 plus the left half of block (5, 0); U2 = the rest
    left = shapely.union_all([square(X0, Y0, 5 * S, 4 * S), square(X0 + 5 * S, Y0, S / 2, S)])
    right = shapely.difference(square(X0 + 5 * S, Y0, 5 * S, 4 * S), left)
    layer = drawn_layer([("U1", "Unit 1", left), ("U2", "Unit 2", right)], id="cut")
    fitted, report = best_fit(layer, blocks())
    assert report.ambiguous == ["B050"]
    row = report.blocks.loc["B050"]
    assert row["largest_share"] == pytest.approx(0.5) and row["runner_up_share"] == pytest.approx(0.5)
    assert not report.clean and any("ambiguous" in f for f in report.failures())
    assert "B050" in report.note()
    # every other block is wholly inside one unit and placed by area
    others = report.blocks.drop(index="B050")
    assert (others["share"] == 1).all() and (others["placed_by"] == "area").all()
    assert report.count("ge99") == 39 and report.count("lt95") == 1


def test_a_unit_truly_holding_five_percent_of_its_neighbour_keeps_that_minor_split():
    # districts A (columns 0-4) and B (5-9), 20 blocks each; unit UB also holds block (4, 0) of A: 1 of 20 blocks = 5%
    bl = blocks()
    districts = drawn_layer([("A", "A", square(X0, Y0, 5 * S, 4 * S)), ("B", "B", square(X0 + 5 * S, Y0, 5 * S, 4 * S))], id="districts")
    ua = shapely.difference(square(X0, Y0, 5 * S, 4 * S), square(X0 + 4 * S, Y0, S))
    ub = shapely.union_all([square(X0 + 5 * S, Y0, 5 * S, 4 * S), square(X0 + 4 * S, Y0, S)])
    fitted, report = best_fit(drawn_layer([("UA", "UA", ua), ("UB", "UB", ub)], id="units"), bl)
    assert fitted.membership["B040"] == "UB" and (fitted.membership == "UB").sum() == 21
    assert report.clean and report.tolerance_m == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = score(overlap(districts, dissolve(fitted, bl), mode="geometry", by="area"))
    cls = sc.unit_classes("a")
    assert cls["A"] == "minor split" and cls["B"] == "nested"


def test_blocks_mostly_outside_the_layer_are_left_out_and_counted():
    bl = blocks()
    # the layer covers columns 0-5 and a quarter of column 6
    layer = drawn_layer([("U1", "U1", square(X0, Y0, 3 * S, 4 * S)), ("U2", "U2", square(X0 + 3 * S, Y0, 3.25 * S, 4 * S))], id="part")
    fitted, report = best_fit(layer, bl)
    assert report.n_blocks == 24 and report.outside_blocks == 4
    assert report.outside_area_m2 == pytest.approx(4 * S * S / 4)
    assert set(fitted.membership.index) == {f"B{c:02d}{r}" for c in range(6) for r in range(4)}


def test_a_unit_smaller_than_any_block_is_reported_lost():
    bl = blocks()
    tiny = square(X0 + 100, Y0 + 100, 50)
    big = shapely.difference(square(X0, Y0, 10 * S, 4 * S), tiny)
    _, report = best_fit(drawn_layer([("BIG", "Big", big), ("TINY", "Tiny", tiny)], id="tiny"), bl)
    assert report.lost_units == ["TINY"] and not report.clean
    assert "TINY" in report.note()


def test_overlapping_catchments_are_refused_with_one_line_naming_the_pair():
    layer = drawn_layer([("P1", "P1", square(X0, Y0, 3000, 2000)), ("P2", "P2", square(X0 + 1500, Y0, 3000, 2000))], id="catchments")
    with pytest.raises(BestFitError) as e:
        best_fit(layer, blocks())
    msg = str(e.value)
    assert "not a partition" in msg and "P1/P2" in msg and "\n" not in msg


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 7), st.integers(1, 5), st.integers(1, 5), st.randoms(use_true_random=False))
def test_fitting_the_dissolved_geometry_of_an_atom_built_layer_returns_exactly_its_membership(cols, rows, k, rnd):
    bl = blocks(cols, rows)
    labels = pd.Series([f"U{rnd.randrange(k)}" for _ in range(len(bl))], index=bl.codes)
    geoms = bl.frame.geometry
    units = drawn_layer([(u, u, shapely.union_all(geoms.loc[labels.index[labels == u]].to_numpy())) for u in sorted(set(labels))], id="units")
    fitted, report = best_fit(units, bl)
    assert fitted.membership.sort_index().equals(labels.sort_index().rename("unit").rename_axis("atom"))
    assert report.clean and report.count("ge99") == len(bl) and report.ambiguous == []


def test_the_fit_is_deterministic():
    left = shapely.union_all([square(X0, Y0, 5 * S, 4 * S), square(X0 + 5 * S, Y0, S / 2, S)])
    right = shapely.difference(square(X0 + 5 * S, Y0, 5 * S, 4 * S), left)
    layer = drawn_layer([("U1", "Unit 1", left), ("U2", "Unit 2", right)], id="cut")
    a = best_fit(layer, blocks()).report.lookup()
    b = best_fit(layer, blocks()).report.lookup()
    assert a.equals(b) and np.array_equal(a["block_code"].to_numpy(), np.sort(a["block_code"].to_numpy()))


def test_a_unit_cutting_blocks_deeper_than_the_tolerance_is_not_clean_though_95_percent_of_blocks_are_inside():
    # 10 x 20 blocks: UA = columns 0-4, UB = columns 5-9 plus a 2.3-block square inside UA cutting 30% off four blocks.
    # The old figures pass (97.5% of blocks >= 95% inside, 0.65% displaced, none ambiguous) but the 30% strips reach
    # 0.079 of a block deeper than the estimated tolerance (0.221 of a block): 4 blocks (2%) are not firm, 0.16% of
    # the area lies deep inside another unit: the layer is not made of these blocks.
    bl = blocks(10, 20)
    hole = square(X0 + 1.7 * S, Y0 + 1.7 * S, 2.3 * S)
    ua = shapely.difference(square(X0, Y0, 5 * S, 20 * S), hole)
    ub = shapely.union_all([square(X0 + 5 * S, Y0, 5 * S, 20 * S), hole])
    fitted, report = best_fit(drawn_layer([("UA", "UA", ua), ("UB", "UB", ub)], id="cutting"), bl)
    assert report.tolerance_m == pytest.approx(5 * 1.29 * S / 29.2)
    assert report.count("ge95") == 195 and report.ambiguous == [] and report.displaced_area_share == pytest.approx(1.29 / 200)
    assert sorted(report.blocks.index[report.blocks["deep_share"] >= 0.05]) == ["B012", "B013", "B021", "B031"]
    assert report.firm_share == pytest.approx(0.98)
    # deep parts (in blocks): strips of width w = 0.3 - t along 2 - t of the square's length on two sides, and the w x w corner
    t = report.tolerance_m / S
    w = 0.3 - t
    assert report.deep_displaced_people_share == pytest.approx((2 * w * (2 - t) + w * w) / 200)  # drawn blocks: people ~ area
    f = report.failures()
    assert not report.clean and len(f) == 2 and f[0].startswith("only 98.0% of ") and "deeper than 110 m" in f[1]
    # the fully covered blocks still go to UB and the cut ones stay in UA
    assert {b for b, u in fitted.membership.items() if u == "UB" and int(b[1:3]) < 5} == {"B022", "B023", "B032", "B033"}
