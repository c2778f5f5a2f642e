"""Map pages without a browser: the compact geometry format, page size, unit attributes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import browser as helpers  # noqa: E402


def test_the_compact_geometry_format_reads_back_as_the_display_geometry_exactly():
    import numpy as np
    import shapely

    import coterm
    from coterm.maps.geometry import compact_texts, decode_compact, display_geometries

    lay = coterm.load_layer("ltla-2024")
    shown = display_geometries(lay.frame)
    texts = compact_texts(shown)
    assert all(t is not None for t in texts)
    assert set("".join(texts)) <= set("0123456789-,[]")  # integers and brackets: nothing else reaches the page
    for g, t in zip(shown, texts):
        back = decode_compact(t)
        assert shapely.equals_exact(shapely.normalize(back), shapely.normalize(shapely.multipolygons(shapely.get_parts(g))), 1e-9)
    # holes and multi-part units survive
    assert any(shapely.get_num_interior_rings(p) for g in shown for p in shapely.get_parts(g))
    assert any(shapely.get_num_geometries(g) > 1 for g in shown)
    # smaller than GeoJSON of the same (rounded) coordinates
    geojson = sum(len(str(x)) for x in shapely.to_geojson(np.asarray(shown, dtype=object)))
    assert sum(map(len, texts)) < 0.6 * geojson


def test_the_demo_scenario_map_is_under_3_mb():
    from coterm import maps
    from coterm.scenarios import compare_scenario

    page = maps.scenario_map(compare_scenario("icb-mergers-2026", by="population"))
    size = len(maps.render_html(page).encode("utf-8"))
    assert size < 3_000_000, f"{size:,} bytes"


def test_unit_attributes_come_from_the_layer_units_file_and_skip_code_lists():
    import coterm
    from coterm.maps.attributes import unit_attributes

    ex = unit_attributes(coterm.load_layer("bcu-2024"))
    assert ex.lead == ("force", "Force")
    assert ex.of("CAM-N")["force"] == "Cambridgeshire Constabulary"
    shown = dict(ex.shown("CAM-N"))
    assert shown["Force"] == "Cambridgeshire Constabulary"
    assert "Districts" not in shown and "Command units" not in shown  # a list of ONS codes; the unit's own code
    assert unit_attributes(coterm.load_layer("ltla-2024")).columns == []
    a, _ = helpers.synthetic_pair()
    assert unit_attributes(a).columns == []
