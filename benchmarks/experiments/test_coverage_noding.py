"""The coverage-overlay-by-noding experiment (``benchmarks/experiments/coverage_noding.py``): not used by coterm
(slower than the shipped engine; see the experiments README), pinned down here so the experiment can be resumed.
Outside the main suite, beside the experiment: ``python -m pytest benchmarks/experiments``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "tests"))  # the main suite's oracles and drawn partitions
import coverage_noding  # noqa: E402
from coverage_noding import coverage_intersection_areas, unique_linework  # noqa: E402
from conftest import overlay_oracle  # noqa: E402
from test_intersect import as_dict, rectangle_partitions, voronoi_partition  # noqa: E402


def oracle(a, b):
    ia, ib, area = overlay_oracle(a, b)
    return {(int(i), int(j)): float(x) for i, j, x in zip(ia, ib, area) if x > 1e-6}


def test_drawn_layers_give_hand_computed_areas_and_drop_touching_pairs():
    a = [box(0, 0, 2, 2)]
    b = [box(1, 1, 3, 3), box(2, 0, 3, 1)]
    assert as_dict(coverage_intersection_areas(a, b)) == {(0, 0): 1.0}


def test_overlapping_units_of_one_layer_each_get_the_common_area():
    a = [box(0, 0, 2, 2), box(1, 0, 3, 2)]  # overlap in [1, 2] x [0, 2]
    b = [box(0, 0, 3, 2)]
    assert as_dict(coverage_intersection_areas(a, b)) == {(0, 0): 4.0, (1, 0): 4.0}


def test_a_shared_edge_is_kept_once():
    cells = [box(0, 0, 1, 1), box(1, 0, 2, 1)]
    lines = unique_linework(np.array(cells))
    assert shapely.length(lines).sum() == pytest.approx(7.0)  # 6 outer + 1 shared


@pytest.mark.parametrize("seed", [0, 1])
def test_random_partitions_match_overlay_with_tiles_and_workers(seed, monkeypatch):
    monkeypatch.setattr(coverage_noding, "TILE_VERTICES", 2_000)  # many tiles: faces cut at tile borders
    a = voronoi_partition(150, seed)
    b = voronoi_partition(40, seed + 100)
    want = oracle(a, b)
    for workers in (1, 2):
        got = {k: v for k, v in as_dict(coverage_intersection_areas(a, b, workers=workers)).items() if v > 1e-6}
        assert got.keys() == want.keys()
        for k, v in want.items():
            assert got[k] == pytest.approx(v, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(rectangle_partitions(), rectangle_partitions(), st.integers(0, 10**5))
def test_random_rectangle_partitions_give_exact_rectangle_overlaps(ra, rb, dx):
    a = [box(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in ra]
    b = [box(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in rb]
    expected = {}
    for i, (ax0, ay0, ax1, ay1) in enumerate(ra):
        for j, (bx0, by0, bx1, by1) in enumerate(rb):
            w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
            if w > 0 and h > 0:
                expected[(i, j)] = float(w * h)
    got = as_dict(coverage_intersection_areas(a, b))
    assert got.keys() == expected.keys()
    for k, v in expected.items():
        assert got[k] == pytest.approx(v, rel=1e-12)
