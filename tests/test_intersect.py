"""The geometric intersection kernel: hand-computed areas, an overlay oracle and properties."""

from __future__ import annotations


import numpy as np
import pytest

from conftest import overlay_oracle
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

from coterm import intersect
from coterm.errors import GeometryError
from coterm.intersect import intersection_areas


def as_dict(result):
    ia, ib, area = result
    return {(int(i), int(j)): float(x) for i, j, x in zip(ia, ib, area)}


def assert_areas(result, expected, rel=1e-9):
    got = as_dict(result)
    assert set(got) == set(expected), f"pairs differ: got {sorted(got)}, expected {sorted(expected)}"
    for pair, value in expected.items():
        assert got[pair] == pytest.approx(value, rel=rel), pair


def voronoi_partition(n, seed, size=10_000.0, origin=(400_000.0, 200_000.0), wiggle=True):
    """A gap-free partition of a square into n Voronoi cells (optionally with densified edges)."""
    rng = np.random.default_rng(seed)
    x0, y0 = origin
    square = box(x0, y0, x0 + size, y0 + size)
    pts = shapely.multipoints(rng.uniform(0, size, (n, 2)) + origin)
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=square))
    cells = shapely.intersection(cells, square)
    if wiggle:
        cells = shapely.segmentize(cells, size / np.sqrt(n) / 20)
    return cells


# --------------------------------------------------------------------------------------------
# hand-drawn layers


def test_a_grid_against_strips_gives_hand_computed_areas_and_drops_touching_pairs():
    # a: 2 x 2 unit squares; b: the bottom row, and the top row cut at x = 1.5
    a = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)]
    b = [box(0, 0, 2, 1), box(0, 1, 1.5, 2), box(1.5, 1, 2, 2)]
    expected = {
        (0, 0): 1.0,  # contained, sharing two edges with its container
        (1, 0): 1.0,
        (2, 1): 1.0,
        (3, 1): 0.5,  # split
        (3, 2): 0.5,
    }  # (0, 1), (1, 1), (1, 2)... only touch along y = 1 and are absent
    assert_areas(intersection_areas(a, b), expected)


def test_a_polygon_contained_in_either_direction_takes_the_smaller_area():
    a = [box(0, 0, 10, 10), box(20, 20, 21, 21)]
    b = [box(2, 2, 3, 4), box(15, 15, 30, 30)]
    assert_areas(intersection_areas(a, b), {(0, 0): 2.0, (1, 1): 1.0})


def test_a_hole_is_not_counted_and_a_polygon_filling_the_hole_only_touches():
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    a = [ring]
    b = [box(0, 0, 2, 4), box(1, 1, 3, 3), box(1.5, 1.5, 2.5, 2.5)]
    # left half of the ring minus left half of the hole; the hole's filler and what lies inside
    # the hole meet the ring at most along its inner boundary
    assert_areas(intersection_areas(a, b), {(0, 0): 8.0 - 2.0})


def test_multipolygon_parts_are_summed():
    a = [MultiPolygon([box(0, 0, 1, 1), box(5, 0, 6, 1)])]
    b = [box(0.5, 0, 5.5, 1), box(5.5, 0, 7, 1)]
    assert_areas(intersection_areas(a, b), {(0, 0): 1.0, (0, 1): 0.5})


def test_missing_and_empty_geometries_intersect_nothing():
    a = [None, Polygon(), box(0, 0, 1, 1)]
    b = [box(0, 0, 1, 1), None]
    assert_areas(intersection_areas(a, b), {(2, 0): 1.0})


def test_empty_layers_give_empty_typed_arrays():
    ia, ib, area = intersection_areas([], [box(0, 0, 1, 1)])
    assert ia.dtype == np.int64 and ib.dtype == np.int64 and area.dtype == np.float64
    assert len(ia) == len(ib) == len(area) == 0


def test_non_polygon_geometries_are_refused_with_their_position():
    with pytest.raises(GeometryError, match="position 1"):
        intersection_areas([box(0, 0, 1, 1), shapely.Point(0, 0)], [box(0, 0, 1, 1)])


def test_geoseries_input_is_accepted():
    gpd = pytest.importorskip("geopandas")
    a = gpd.GeoSeries([box(0, 0, 2, 2)], crs=27700)
    b = gpd.GeoSeries([box(1, 1, 3, 3)], crs=27700)
    assert_areas(intersection_areas(a, b), {(0, 0): 1.0})


def test_output_is_sorted_by_a_then_b():
    a = voronoi_partition(60, 1)
    b = voronoi_partition(20, 2)
    ia, ib, _ = intersection_areas(a, b)
    key = ia * len(b) + ib
    assert np.all(np.diff(key) > 0)


# --------------------------------------------------------------------------------------------
# oracle and properties


def overlay_areas(a, b):
    ia, ib, area = overlay_oracle(a, b)
    return {(int(i), int(j)): float(x) for i, j, x in zip(ia, ib, area) if x > 1e-6}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_areas_equal_geopandas_overlay_on_random_voronoi_partitions(seed):
    a = voronoi_partition(150, seed)
    b = voronoi_partition(40, seed + 100)
    got = as_dict(intersection_areas(a, b))
    want = overlay_areas(a, b)
    got = {k: v for k, v in got.items() if v > 1e-6}
    assert set(got) == set(want)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=1e-6)


def test_areas_equal_overlay_when_b_is_made_of_whole_cells_of_a():
    a = voronoi_partition(120, 5, wiggle=False)
    groups = np.arange(len(a)) % 7  # scattered groups: many MultiPolygons
    b = np.array([shapely.union_all(a[groups == g]) for g in range(7)])
    got = {k: v for k, v in as_dict(intersection_areas(a, b)).items() if v > 1e-6}
    assert got.keys() == overlay_areas(a, b).keys()
    # each cell lies in exactly one group, with its whole area
    for (i, j), v in got.items():
        assert groups[i] == j
        assert v == pytest.approx(shapely.area(a[i]), rel=1e-9)


def test_two_workers_give_identical_output_to_one(monkeypatch):
    a = voronoi_partition(300, 3)
    b = voronoi_partition(50, 4)
    monkeypatch.setattr(intersect, "CHUNK_VERTICES", 2_000)  # many chunks, so the pool is used
    monkeypatch.setattr(intersect, "PARALLEL_MIN_VERTICES", 0)
    calls = []
    one = intersection_areas(a, b, workers=1)
    two = intersection_areas(a, b, workers=2, progress=lambda done, total: calls.append((done, total)))
    for x, y in zip(one, two):
        np.testing.assert_array_equal(x, y)
    total = calls[-1][1]
    assert total > 2 and [d for d, _ in calls] == list(range(1, total + 1))


def test_shares_of_each_unit_sum_to_its_area_when_the_other_layer_covers_it():
    a = voronoi_partition(200, 7)
    b = voronoi_partition(30, 8)
    ia, ib, area = intersection_areas(a, b)
    np.testing.assert_allclose(np.bincount(ia, area, len(a)), shapely.area(a), rtol=1e-9)
    np.testing.assert_allclose(np.bincount(ib, area, len(b)), shapely.area(b), rtol=1e-9)


def test_translating_both_layers_changes_no_area():
    a = voronoi_partition(80, 9, origin=(0.0, 0.0))
    b = voronoi_partition(20, 10, origin=(0.0, 0.0))
    ia, ib, area = intersection_areas(a, b)
    moved = [shapely.transform(g, lambda xy: xy + (612_345.0, 287_654.0)) for g in (a, b)]
    ja, jb, area2 = intersection_areas(*moved)
    np.testing.assert_array_equal(ia, ja)
    np.testing.assert_array_equal(ib, jb)
    np.testing.assert_allclose(area, area2, rtol=1e-7)


def test_swapping_the_layers_transposes_the_table():
    a = voronoi_partition(90, 11)
    b = voronoi_partition(25, 12)
    forward = as_dict(intersection_areas(a, b))
    backward = as_dict(intersection_areas(b, a))
    assert forward.keys() == {(i, j) for j, i in backward}
    for (i, j), v in forward.items():
        assert backward[(j, i)] == pytest.approx(v, rel=1e-9)


def test_progress_is_reported_after_every_chunk_in_process(monkeypatch):
    monkeypatch.setattr(intersect, "CHUNK_VERTICES", 1_000)
    calls = []
    intersection_areas(voronoi_partition(100, 1), voronoi_partition(10, 2),
                       progress=lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    assert total > 1 and calls == [(k, total) for k in range(1, total + 1)]


# --------------------------------------------------------------------------------------------
# huge polygons


def wiggly_disc(n_vertices, radius=40_000.0, centre=(450_000.0, 250_000.0)):
    t = np.linspace(0, 2 * np.pi, n_vertices, endpoint=False)
    r = radius * (1 + 0.05 * np.sin(37 * t) + 0.01 * np.sin(1_001 * t))
    xy = np.column_stack([centre[0] + r * np.cos(t), centre[1] + r * np.sin(t)])
    return shapely.polygons(np.vstack([xy, xy[:1]]))


def test_cutting_huge_polygons_into_pieces_leaves_areas_unchanged(monkeypatch):
    disc = wiggly_disc(20_000)
    cells = voronoi_partition(150, 3, size=100_000.0, origin=(400_000.0, 200_000.0), wiggle=False)
    whole = as_dict(intersection_areas([disc], cells))
    monkeypatch.setattr(intersect, "MAX_PIECE_VERTICES", 300)
    owner, pieces = intersect._pieces(np.array([disc]))
    assert len(pieces) > 20 and shapely.get_num_coordinates(pieces).max() <= 300 + 8
    assert shapely.area(pieces).sum() == pytest.approx(disc.area, rel=1e-12)
    cut = as_dict(intersection_areas([disc], cells))
    assert cut.keys() == whole.keys()
    for k, v in whole.items():
        assert cut[k] == pytest.approx(v, rel=1e-9)


def test_a_polygon_with_a_million_vertices_is_intersected_in_seconds():
    disc = wiggly_disc(1_000_000)
    cells = voronoi_partition(400, 4, size=100_000.0, origin=(400_000.0, 200_000.0), wiggle=False)
    ia, ib, area = intersection_areas(cells, [disc])
    assert area.sum() == pytest.approx(disc.area, rel=1e-9)


# --------------------------------------------------------------------------------------------
# property tests: random guillotine partitions of a rectangle into rectangles


@st.composite
def rectangle_partitions(draw, width=64, height=64, max_depth=4):
    """Rectangles (integer corners) partitioning [0, width] x [0, height] by random cuts."""

    def split(x0, y0, x1, y1, depth):
        can_x, can_y = x1 - x0 > 1, y1 - y0 > 1
        if depth == 0 or not (can_x or can_y) or draw(st.booleans()) and depth < max_depth:
            return [(x0, y0, x1, y1)]
        if can_x and (not can_y or draw(st.booleans())):
            c = draw(st.integers(x0 + 1, x1 - 1))
            return split(x0, y0, c, y1, depth - 1) + split(c, y0, x1, y1, depth - 1)
        c = draw(st.integers(y0 + 1, y1 - 1))
        return split(x0, y0, x1, c, depth - 1) + split(x0, c, x1, y1, depth - 1)

    return split(0, 0, width, height, max_depth)


@settings(max_examples=60, deadline=None)
@given(rectangle_partitions(), rectangle_partitions(), st.integers(0, 10**6), st.integers(0, 10**6))
def test_random_rectangle_partitions_give_exact_rectangle_overlaps(ra, rb, dx, dy):
    a = [box(x0 + dx, y0 + dy, x1 + dx, y1 + dy) for x0, y0, x1, y1 in ra]
    b = [box(x0 + dx, y0 + dy, x1 + dx, y1 + dy) for x0, y0, x1, y1 in rb]
    expected = {}
    for i, (ax0, ay0, ax1, ay1) in enumerate(ra):
        for j, (bx0, by0, bx1, by1) in enumerate(rb):
            w = min(ax1, bx1) - max(ax0, bx0)
            h = min(ay1, by1) - max(ay0, by0)
            if w > 0 and h > 0:
                expected[(i, j)] = float(w * h)
    assert as_dict(intersection_areas(a, b)) == expected
