"""``intersection_areas(..., a_disjoint=/b_disjoint=)``: settling nested pairs when a layer is a partition.

The flags may only change speed: every test compares with the plain engine and with geopandas.overlay
(the oracle), on drawn layers where the areas are known, on random partitions and on real catalogue layers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from conftest import overlay_oracle
from coterm.intersect import intersection_areas
from test_intersect import as_dict, rectangle_partitions, voronoi_partition

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [dict(b_disjoint=True), dict(a_disjoint=True), dict(a_disjoint=True, b_disjoint=True)]


def oracle(a, b, floor=1e-6):
    ia, ib, area = overlay_oracle(a, b)
    return {(int(i), int(j)): float(x) for i, j, x in zip(ia, ib, area) if x > floor}


def assert_same_as_oracle(got, want, rel=1e-6):
    got = {k: v for k, v in as_dict(got).items() if v > 1e-6}
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=rel), k


def test_drawn_districts_inside_counties_take_their_whole_area_and_no_neighbour_pairs():
    # four 1 km columns of districts, two counties of two columns each: every district touches the
    # other county along the county border but lies in one county only
    districts = [box(i * 1000, 0, (i + 1) * 1000, 2000) for i in range(4)]
    counties = [box(0, 0, 2000, 2000), box(2000, 0, 4000, 2000)]
    for kw in FLAGS:
        got = as_dict(intersection_areas(districts, counties, **kw))
        assert got == {(0, 0): 2e6, (1, 0): 2e6, (2, 1): 2e6, (3, 1): 2e6}, kw
    # swapped: counties over districts, the district layer being the partition
    got = as_dict(intersection_areas(counties, districts, a_disjoint=True, b_disjoint=True))
    assert got == {(0, 0): 2e6, (0, 1): 2e6, (1, 2): 2e6, (1, 3): 2e6}


def test_a_unit_that_crosses_a_border_is_left_to_the_overlay():
    a = [box(0, 0, 1000, 1000), box(500, 0, 1500, 1000)]  # the second crosses x = 1000
    b = [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)]
    got = as_dict(intersection_areas(a[1:], b, b_disjoint=True))
    assert got == {(0, 0): 500_000.0, (0, 1): 500_000.0}


def test_units_with_holes_and_multipolygons_are_settled_correctly():
    ring = box(0, 0, 3000, 3000).difference(box(1000, 1000, 2000, 2000))  # county with a hole
    island = box(1000, 1000, 2000, 2000)  # the enclave county
    two_parts = shapely.MultiPolygon([box(0, 0, 500, 500), box(2500, 2500, 3000, 3000)])
    inside_hole = box(1200, 1200, 1800, 1800)
    a = [two_parts, inside_hole, box(900, 900, 1100, 1100)]  # the last straddles the hole's corner
    b = [ring, island]
    want = oracle(a, b)
    for kw in FLAGS:
        assert_same_as_oracle(intersection_areas(a, b, **kw), want)


def test_missing_and_empty_polygons_are_left_alone():
    a = [None, shapely.Polygon(), box(0, 0, 1, 1)]
    b = [box(0, 0, 2, 2), None]
    for kw in FLAGS:
        assert as_dict(intersection_areas(a, b, **kw)) == {(2, 0): 1.0}


@pytest.mark.parametrize("seed", [0, 1])
def test_whole_cells_grouped_into_counties_match_overlay_and_the_plain_engine(seed):
    a = voronoi_partition(200, seed, wiggle=True)
    groups = np.random.default_rng(seed).integers(0, 9, len(a))
    b = np.array([shapely.union_all(a[groups == g]) for g in np.unique(groups)])
    want = oracle(a, b)
    assert_same_as_oracle(intersection_areas(a, b), want, rel=1e-9)  # (the plain engine also finds
    for kw in FLAGS:  # slivers of < 1e-6 m² where union_all rounded the shared edges: settled pairs don't)
        assert_same_as_oracle(intersection_areas(a, b, **kw), want, rel=1e-9)


def test_crossing_partitions_match_overlay():
    a = voronoi_partition(150, 3)
    b = voronoi_partition(40, 103)
    want = oracle(a, b)
    for kw in FLAGS:
        assert_same_as_oracle(intersection_areas(a, b, **kw), want)


def test_two_workers_give_the_same_table(monkeypatch):
    from coterm import intersect

    monkeypatch.setattr(intersect, "PARALLEL_MIN_VERTICES", 0)
    monkeypatch.setattr(intersect, "CHUNK_VERTICES", 2_000)
    a = voronoi_partition(300, 5)
    groups = np.arange(len(a)) % 11
    b = np.array([shapely.union_all(a[groups == g]) for g in range(11)])
    one = intersection_areas(a, b, b_disjoint=True)
    two = intersection_areas(a, b, b_disjoint=True, workers=2)
    for x, y in zip(one, two):
        np.testing.assert_array_equal(x, y)


@settings(max_examples=40, deadline=None)
@given(rectangle_partitions(), rectangle_partitions(), st.integers(0, 10**5))
def test_random_rectangle_partitions_give_the_plain_engines_table(ra, rb, dx):
    a = [box(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in ra]
    b = [box(x0 + dx, y0, x1 + dx, y1) for x0, y0, x1, y1 in rb]
    plain = as_dict(intersection_areas(a, b))
    for kw in FLAGS:
        assert as_dict(intersection_areas(a, b, **kw)) == plain


@pytest.mark.parametrize("a_id,b_id", [("lsoa-2021", "ltla-2021"), ("ltla-2021-buc", "ccg-2020-buc")])
def test_real_catalogue_layers_match_overlay(a_id, b_id):
    import geopandas as gpd

    paths = [ROOT / "boundaries" / "layers" / f"{x}.parquet" for x in (a_id, b_id)]
    if not all(p.exists() for p in paths):
        pytest.skip("catalogue layer files not built")
    ga, gb = (gpd.read_parquet(p).to_crs(27700).geometry.to_numpy() for p in paths)
    if a_id == "lsoa-2021":  # keep the test quick: the LSOAs of a band across the Midlands
        keep = shapely.intersects(ga, box(380_000, 250_000, 480_000, 300_000))
        ga = ga[keep]
    assert shapely.coverage_is_valid(gb)
    want = oracle(ga, gb, floor=1e-3)
    got = intersection_areas(ga, gb, b_disjoint=True)
    got = {k: v for k, v in as_dict(got).items() if v > 1e-3}
    assert got.keys() == want.keys()
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-6), k
