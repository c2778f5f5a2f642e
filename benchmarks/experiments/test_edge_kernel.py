"""The experimental edge (Green's theorem) kernel: hand-drawn cases, oracles and properties.

``benchmarks/experiments/edge_kernel.py`` is not used by coterm (see its docstring); these tests pin down what it
computes so that the experiment can be resumed. They live beside the experiment, outside the main suite:
run them with ``python -m pytest benchmarks/experiments``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests")]
from edge_kernel import NotExact, edge_intersection_areas  # noqa: E402
from conftest import overlay_oracle  # noqa: E402
from coterm.intersect import intersection_areas  # noqa: E402

#: every test runs on the numpy kernel and, when numba is installed, on its compiled variant
KERNELS = {"numpy": edge_intersection_areas}
try:
    from edge_kernel_numba import edge_intersection_areas_numba  # noqa: E402

    KERNELS["numba"] = edge_intersection_areas_numba
except ImportError:  # numba is in the bench extra only
    pass


@pytest.fixture(autouse=True, scope="module", params=sorted(KERNELS))
def kernel(request):
    """Module-scoped (hypothesis allows it): the module's ``edge_intersection_areas`` is the kernel under test."""
    global edge_intersection_areas
    edge_intersection_areas = KERNELS[request.param]
    yield request.param
    edge_intersection_areas = KERNELS["numpy"]


def test_the_compiled_variant_gives_the_numpy_kernels_table_bit_for_bit():
    pytest.importorskip("numba")
    a = np.array([sq(0, 0, 10), sq(10, 0, 10), sq(0, 10, 20, 5)])
    b = np.array([sq(5, -2, 10, 20), sq(15, 3, 10), sq(-5, 8, 8)])
    want = KERNELS["numpy"](a, b)
    got = KERNELS["numba"](a, b)
    assert as_dict(want) == pytest.approx({(0, 0): 50.0, (0, 2): 6.0, (1, 0): 50.0, (1, 1): 35.0,  # by hand
                                           (2, 0): 50.0, (2, 1): 15.0, (2, 2): 15.0}, rel=1e-12)
    for x, y in zip(got, want):
        np.testing.assert_array_equal(x, y)


def as_dict(result):
    ia, ib, area = result
    return {(int(i), int(j)): float(x) for i, j, x in zip(ia, ib, area)}


def assert_areas(a, b, expected, rel=1e-9):
    got = as_dict(edge_intersection_areas(a, b))
    assert set(got) == set(expected), f"pairs differ: got {got}, expected {expected}"
    for pair, value in expected.items():
        assert got[pair] == pytest.approx(value, rel=rel), pair


def assert_same_tables(got, want, rel=1e-6, floor=1e-3):
    got = {k: v for k, v in as_dict(got).items() if v > floor}
    want = {k: v for k, v in as_dict(want).items() if v > floor}
    assert got.keys() == want.keys(), (sorted(got.keys() - want.keys())[:5], sorted(want.keys() - got.keys())[:5])
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=rel), k


# --------------------------------------------------------------------------------------------
# hand-drawn layers (BNG-sized coordinates: cancellation would show)

X, Y = 470_000.0, 170_000.0


def sq(x0, y0, w, h=None):
    return box(X + x0, Y + y0, X + x0 + w, Y + y0 + (w if h is None else h))


def test_nested_squares_take_the_inner_area_in_either_direction():
    assert_areas([sq(0, 0, 10)], [sq(2, 3, 4)], {(0, 0): 16.0})
    assert_areas([sq(2, 3, 4)], [sq(0, 0, 10)], {(0, 0): 16.0})


def test_shared_edges_with_interiors_on_the_same_side_are_counted_once():
    # b lies in a's corner, sharing two edges (and part of a third line) with it
    assert_areas([sq(0, 0, 2)], [sq(0, 0, 1)], {(0, 0): 1.0})
    # collinear but only partly overlapping bottom edges
    assert_areas([sq(0, 0, 2)], [sq(1, 0, 2, 1)], {(0, 0): 1.0})


def test_shared_edges_with_interiors_on_opposite_sides_give_no_pair():
    assert_areas([sq(0, 0, 1)], [sq(1, 0, 1), sq(0.5, 1, 1), sq(-1, -1, 1)], {})


def test_a_grid_against_strips():
    a = [sq(0, 0, 1), sq(1, 0, 1), sq(0, 1, 1), sq(1, 1, 1)]
    b = [sq(0, 0, 2, 1), sq(0, 1, 1.5, 1), sq(1.5, 1, 0.5, 1)]
    assert_areas(a, b, {(0, 0): 1.0, (1, 0): 1.0, (2, 1): 1.0, (3, 1): 0.5, (3, 2): 0.5})


def test_a_vertex_touching_an_edge_and_t_junctions():
    tri = Polygon([(X + 0.5, Y + 1), (X + 1, Y + 2), (X, Y + 2)])  # apex on the square's top edge
    assert_areas([sq(0, 0, 1)], [tri], {})
    # a triangle with its apex on a's edge, poking in
    poke = Polygon([(X + 0.5, Y + 0.5), (X + 1, Y + 1.5), (X, Y + 1.5)])
    assert_areas([sq(0, 0, 1)], [poke], {(0, 0): 0.125})
    # T-junction: b's cut line ends on a's interior edge
    a = [sq(0, 0, 1), sq(1, 0, 1)]
    b = [sq(0, 0, 2, 0.5), sq(0, 0.5, 2, 0.5)]
    assert_areas(a, b, {(0, 0): 0.5, (0, 1): 0.5, (1, 0): 0.5, (1, 1): 0.5})


def test_holes_are_not_counted_and_a_polygon_filling_a_hole_only_touches():
    ring = sq(0, 0, 10).difference(sq(3, 3, 4))
    assert_areas([ring], [sq(3, 3, 4)], {})
    assert_areas([ring], [sq(0, 0, 10)], {(0, 0): 84.0})
    assert_areas([ring], [sq(2, 2, 2)], {(0, 0): 3.0})
    # an oriented-wrongly hole (shapely accepts any orientation)
    bad = Polygon(list(sq(0, 0, 10).exterior.coords)[::-1], [list(sq(3, 3, 4).exterior.coords)])
    assert_areas([bad], [sq(0, 0, 5)], {(0, 0): 25.0 - 4.0})


def test_multipolygon_parts_are_summed_and_missing_geometries_ignored():
    mp = MultiPolygon([sq(0, 0, 1), sq(2, 0, 1)])
    assert_areas([mp, None, Polygon()], [sq(0.5, 0, 2, 1)], {(0, 0): 1.0})


def test_identical_layers_give_exactly_their_own_areas():
    a = [sq(0, 0, 1), sq(1, 0, 1), sq(0, 1, 2, 1), sq(5, 5, 3).difference(sq(6, 6, 1))]
    assert_areas(a, a, {(i, i): shapely.area(g) for i, g in enumerate(a)}, rel=1e-12)


def test_a_polygon_crossing_many():
    a = [sq(i, j, 1) for i in range(10) for j in range(10)]
    band = Polygon([(X - 1, Y + 0.2), (X + 11, Y + 6.2), (X + 11, Y + 7.2), (X - 1, Y + 1.2)])
    want = {(i, 0): v for i, v in enumerate(shapely.area(shapely.intersection(a, band))) if v > 0}
    assert_areas(a, [band], want, rel=1e-9)


def test_empty_layers_give_empty_arrays():
    for x, y in (([], [sq(0, 0, 1)]), ([sq(0, 0, 1)], [None])):
        ia, ib, area = edge_intersection_areas(x, y)
        assert len(ia) == len(ib) == len(area) == 0


def test_near_coincident_but_inexact_boundaries_are_refused():
    # each cell densified on its own: neighbours' copies of an edge differ in the last bits
    rng = np.random.default_rng(0)
    sqr = box(0, 0, 10, 10)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, 10, (6, 2))), extend_to=sqr))
    cells = shapely.segmentize(shapely.intersection(cells, sqr), 1)
    with pytest.raises(NotExact):
        edge_intersection_areas(cells, cells[::-1])


# --------------------------------------------------------------------------------------------
# oracles


@pytest.fixture(scope="module")
def synthetic():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import nested_groups, partition
    finally:
        sys.path.pop(0)
    fine = partition(300, 3, segment=40.0, side=20_000.0)
    other = partition(40, 4, segment=40.0, side=20_000.0)
    nested = nested_groups(fine, 10, 5)
    return fine, other, nested


def test_synthetic_independent_partitions_equal_overlay_and_the_current_kernel(synthetic):
    fine, other, _ = synthetic
    got = edge_intersection_areas(fine, other)
    assert_same_tables(got, overlay_oracle(fine, other))
    assert_same_tables(got, intersection_areas(fine, other), rel=1e-9)


def test_synthetic_nested_partitions_equal_the_current_kernel(synthetic):
    fine, _, nested = synthetic
    got = edge_intersection_areas(fine, nested)
    assert_same_tables(got, intersection_areas(fine, nested), rel=1e-9)
    assert len(got[0]) == len(fine)  # every cell in exactly one unit, touching pairs absent


@pytest.mark.parametrize("which", ["independent", "nested", "real"])
def test_the_hybrid_fed_only_crossing_pairs_equals_overlay(synthetic, which, kernel):
    if kernel != "numba":
        pytest.skip("the hybrid is the compiled variant's (one run is enough)")
    from edge_kernel_numba import hybrid_intersection_areas

    fine, other, nested = synthetic
    if which == "real":
        fine, other = _catalogue("ltla-2021-buc"), _catalogue("ccg-2020-buc")
    elif which == "nested":
        other = nested
    got = hybrid_intersection_areas(fine, other, a_disjoint=True, b_disjoint=True)
    assert_same_tables(got, overlay_oracle(fine, other))
    assert_same_tables(got, intersection_areas(fine, other), rel=1e-9)
    ia, ib, _ = got
    assert np.all(np.diff(ia * np.int64(len(other)) + ib) > 0)  # sorted by (ia, ib), each pair once


def test_a_partition_against_itself_gives_the_diagonal(synthetic):
    fine = synthetic[0]
    ia, ib, area = edge_intersection_areas(fine, fine)
    np.testing.assert_array_equal(ia, np.arange(len(fine)))
    np.testing.assert_array_equal(ib, np.arange(len(fine)))
    np.testing.assert_allclose(area, shapely.area(fine), rtol=1e-12)


def _catalogue(layer_id):
    path = ROOT / "boundaries" / "layers" / f"{layer_id}.parquet"
    if not path.exists():
        pytest.skip(f"catalogue layer {layer_id} not built")
    import coterm

    return np.asarray(coterm.load_layer(layer_id).frame.geometry.values)


@pytest.mark.parametrize("pair", [("ltla-2021-buc", "ccg-2020-buc"), ("msoa-2021", "ward-2022")])
def test_real_catalogue_pairs_equal_the_current_kernel(pair):
    a, b = (_catalogue(x) for x in pair)
    got = edge_intersection_areas(a, b)
    assert_same_tables(got, intersection_areas(a, b), rel=1e-6)
    if len(a) < 1000:
        assert_same_tables(got, overlay_oracle(a, b), rel=1e-6)


# --------------------------------------------------------------------------------------------
# properties


@st.composite
def partitions_and_shapes(draw):
    seed = draw(st.integers(0, 2**16))
    n = draw(st.integers(2, 12))
    rng = np.random.default_rng(seed)
    sqr = box(0, 0, 1000, 1000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, 1000, (n, 2))), extend_to=sqr))
    cells = shapely.intersection(cells, sqr)
    cells = cells[shapely.area(cells) > 0]
    k = draw(st.integers(1, 4))
    shapes = []
    for _ in range(k):  # random convex polygons inside the square, integer vertices
        pts = rng.integers(0, 1001, size=(rng.integers(3, 9), 2))
        hull = shapely.convex_hull(shapely.multipoints(pts))
        if hull.geom_type == "Polygon" and hull.area > 0:
            shapes.append(hull)
    if not shapes:
        shapes = [box(100, 100, 300, 400)]
    shift = (draw(st.integers(0, 600_000)), draw(st.integers(0, 1_000_000)))
    return cells, np.array(shapes, dtype=object), shift


def _shift(geoms, shift):
    return np.array([shapely.transform(g, lambda xy: xy + shift) for g in geoms], dtype=object)


@settings(max_examples=40, deadline=None)
@given(partitions_and_shapes())
def test_shares_sum_to_the_area_symmetry_and_translation(case):
    cells, shapes, shift = case
    ia, ib, area = edge_intersection_areas(shapes, cells)
    # the cells cover every shape: its shares add up to its area
    np.testing.assert_allclose(np.bincount(ia, area, len(shapes)), shapely.area(shapes), rtol=1e-9)
    # swapping the layers transposes the table
    assert_same_tables(edge_intersection_areas(cells, shapes), (ib, ia, area), rel=1e-9, floor=1e-9)
    # moving both layers changes nothing
    moved = edge_intersection_areas(_shift(shapes, shift), _shift(cells, shift))
    assert_same_tables(moved, (ia, ib, area), rel=1e-7, floor=1e-6)
    # and the current kernel agrees
    assert_same_tables((ia, ib, area), intersection_areas(shapes, cells), rel=1e-9, floor=1e-6)
