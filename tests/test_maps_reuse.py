"""Work a run of many maps shares: display geometry and place indexes per layer, Leaflet read once, templates
compiled once. Reuse must never change a page: an edited layer is drawn anew, and the shared results equal
what a fresh computation gives."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser as helpers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_leaflet_read_from_the_package_source_equals_the_module_and_imports_nothing():
    from coterm.maps import assets

    code = ("import sys; from coterm.maps import assets; js, css = assets.leaflet_js(), assets.leaflet_css();"
            "print(len(js), len(css), 'offlinefolium' in sys.modules, 'folium' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.split()
    assert out[2:] == ["False", "False"]  # read as a literal, not imported
    from offlinefolium.elements import _res

    for url in (assets.LEAFLET_JS_URL, assets.LEAFLET_CSS_URL):
        assert assets._literal_from_source(url) == _res[url]
    assert [int(n) for n in out[:2]] == [len(assets.leaflet_js()), len(assets.leaflet_css())]
    assert assets._literal_from_source("https://example.org/not-shipped.js") is None


def test_page_templates_are_compiled_once_per_package():
    from coterm.maps.page import environment

    assert environment() is environment()
    assert environment("coterm.demo") is not environment()


@pytest.mark.parametrize("seed", range(40))
def test_partners_by_share_keep_pandas_order_of_ties_and_nan(seed):
    """The popup's order of slivers is pandas' (unstable quicksort, NaN last), reproduced without a frame per unit."""
    from coterm.maps.features import _by_share_descending

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    shares = rng.choice([0.1, 0.2, 0.2, 0.5, np.nan, 0.3], size=n)
    df = pd.DataFrame({"share_of_a": shares, "i": np.arange(n)})
    want = df.sort_values("share_of_a", ascending=False)["i"].tolist()
    got = [r["i"] for r in _by_share_descending(df.to_dict("records"), "share_of_a")]
    assert got == want


def _moved(layer, code, dx=500.0):
    import shapely

    frame = layer.frame.copy()
    frame.loc[code, "geometry"] = shapely.affinity.translate(frame.geometry[code], dx, 0)
    return dataclasses.replace(layer, frame=frame)


def test_display_geometry_is_shared_by_loads_of_a_layer_and_redone_for_an_edited_one():
    from coterm.maps import reusing_work
    from coterm.maps.features import Geometries

    a, _ = helpers.synthetic_pair()
    again = dataclasses.replace(a, frame=a.frame.copy())  # what a second load_layer gives: same geometry objects
    with reusing_work():
        first, second = Geometries(100).of(a), Geometries(100).of(again)
        assert second is first

        code = sorted(a.frame.index)[0]
        edited = Geometries(100).of(_moved(a, code))
        assert edited is not first and edited[code] != first[code]
        assert Geometries(100).of(a) is first  # the edit did not replace the original's entry

        coarse = Geometries(5000).of(a)
        assert coarse is not first
    # the block is over: nothing is kept, the next drawing is made afresh (and equal)
    later = Geometries(100).of(a)
    assert later is not first and later == first


def test_outside_a_reusing_block_maps_keep_nothing_between_pages():
    from coterm.maps import reusing_work
    from coterm.maps.features import Geometries
    from coterm.maps.memo import memo

    a, _ = helpers.synthetic_pair()
    assert memo("drawn", 24) is None
    one, two = Geometries(100).of(a), Geometries(100).of(a)
    assert one is not two and one == two
    with reusing_work():
        with reusing_work():  # a nested block shares the outer block's memos
            inner = Geometries(100).of(a)
        assert Geometries(100).of(a) is inner
    assert memo("drawn", 24) is None


def test_bounds_of_a_reused_drawing_are_counted_in_each_map():
    from coterm.maps.features import Geometries

    a, b = helpers.synthetic_pair()
    g1 = Geometries(100)
    g1.of(a)
    g1.of(b)
    g2 = Geometries(100)
    g2.of(a)
    g2.of(b)
    assert g1.bounds() is not None and g2.bounds() == g1.bounds()


def test_reused_map_is_byte_identical_to_a_fresh_process():
    """A page rendered after others (warm memos) equals the same page rendered first in a new process."""
    from coterm import maps

    code = ("import sys; sys.path.insert(0, %r); import browser as h, coterm; from coterm import maps;"
            "a, b = h.synthetic_pair(); ov = coterm.overlap(a, b, by='area');"
            "sys.stdout.write(maps.render_html(maps.coterminosity_map(ov, None)))") % str(REPO / "tests")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    import coterm

    a, b = helpers.synthetic_pair()
    with maps.reusing_work():
        for _ in range(2):
            ov = coterm.overlap(a, b, by="area")
            html = maps.render_html(maps.coterminosity_map(ov, None))
            assert html == fresh
        moved = _moved(a, sorted(a.frame.index)[0])
        assert maps.render_html(maps.coterminosity_map(coterm.overlap(moved, b, by="area"), None)) != fresh


def test_place_index_is_reused_and_equals_a_fresh_one():
    from coterm.catalog import catalog
    from coterm.layer import load_layer
    from coterm.maps import places

    if places.PLACE_LAYER not in catalog().ids():
        pytest.skip("no place layer in this catalogue")
    from coterm.maps import reusing_work

    lay = load_layer("pfa-2020")
    with reusing_work():
        got = places.place_index([lay])
        assert got is not None and len(got["names"]) > 1000
        assert places.place_index([load_layer("pfa-2020")]) is got
        assert places._place_index(load_layer(places.PLACE_LAYER), [lay]) == got
        first = sorted(lay.frame.index)[0]
        smaller = dataclasses.replace(lay, frame=lay.frame.drop(index=first))
        fewer = places.place_index([smaller])
        assert fewer is not got and len(fewer["names"]) < len(got["names"])
    later = places.place_index([lay])
    assert later is not got and later == got
