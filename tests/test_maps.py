"""Maps without a browser: escaping, determinism, offline assets, import hygiene, geometry, size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser as helpers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(REPO / "tests"), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def synthetic():
    import coterm

    a, b = helpers.synthetic_pair()
    ov = coterm.overlap(a, b, by="area")
    return ov, coterm.score(ov)


@pytest.fixture(scope="module")
def synthetic_html(synthetic):
    from coterm import maps

    return maps.render_html(maps.coterminosity_map(*synthetic))


@pytest.fixture(scope="module")
def evil_html():
    import coterm
    from coterm import maps

    a, b = helpers.synthetic_pair(evil=True)
    ov = coterm.overlap(a, b, by="area")
    m = maps.coterminosity_map(ov, None, title="<script>window.__pwned=1</script> ${window.__pwned=1}")
    return maps.render_html(m)


# --- import hygiene ---------------------------------------------------------------------------------


def test_import_coterm_does_not_import_folium():
    code = "import sys, coterm, coterm.maps; bad = [m for m in ('folium', 'branca', 'offlinefolium', 'jinja2') if m in sys.modules]; print(bad)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert out.stdout.strip() == "[]"


# --- escaping ---------------------------------------------------------------------------------------


def test_esc_escapes_html_and_template_literals():
    from coterm.maps.html import esc

    assert esc('<img src=x onerror="a()">') == "&lt;img src=x onerror=&quot;a()&quot;&gt;"
    assert esc("${x}`") == "&#36;{x}&#96;"
    assert esc(None) == "" and esc(float("nan")) == ""


def test_js_json_cannot_close_a_script_element():
    from coterm.maps.html import js_json

    out = js_json({"n": "</script><script>x()</script>\u2028&"})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    import json

    assert json.loads(out)["n"] == "</script><script>x()</script>\u2028&"


def test_attribution_keeps_links_and_drops_markup():
    from coterm.maps.html import safe_attribution

    out = safe_attribution('Contains OS data &copy; <a href="https://ogl.example/">OGL</a> <a href="javascript:alert(1)">bad</a>'
                           '<img src=x onerror=alert(1)><script>x()</script>')
    assert '<a href="https://ogl.example/"' in out and ">OGL</a>" in out
    assert "javascript:" not in out and "<img" not in out and "<script" not in out
    assert safe_attribution("", "A & B") == "A &amp; B"


def test_injected_names_appear_only_escaped_in_the_html(evil_html):
    body = evil_html.split("</head>", 1)[1]
    for raw in ("<img src=x onerror", "<script>window.__pwned", "${window.__pwned"):
        assert raw not in evil_html
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in body  # the raw name, for search (textContent)
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in body.replace("\\u0026", "&").replace("\\u003c", "<").replace("\\u003e", ">")
    assert "<title>&lt;script&gt;" in evil_html


def test_layer_control_names_are_escaped():
    import coterm
    from coterm import maps

    a, b = helpers.synthetic_pair()
    a = a.replace(title="<b onmouseover=x()>A</b>")
    html = maps.render_html(maps.coterminosity_map(coterm.overlap(a, b, by="area"), None))
    assert "<b onmouseover" not in html
    assert '"&lt;b onmouseover=x()&gt;A&lt;/b&gt;: class against Test boards"' in html.replace("\\u0026", "&")


# --- content ----------------------------------------------------------------------------------------


def test_split_popup_explains_the_split_with_names_and_shares(synthetic_html):
    text = synthetic_html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "30% of Elder’s area lies in Lower Board (70% in Upper Board)." in text
    assert "3% of Fir’s area lies in Tiny Board (97% in Lower Board)." in text


def test_legend_counts_every_class(synthetic):
    from coterm.maps.panels import class_counts

    ov, scores = synthetic
    counts = class_counts(scores, "a")
    assert counts == {"coterminous": 1, "nested": 2, "contains": 1, "minor split": 1, "split": 1, "outside": 1}
    assert scores.unit_classes("a").to_dict() == helpers.EXPECTED_A


def test_population_weighted_popup_says_residents(synthetic):
    from dataclasses import replace

    from coterm import maps

    ov, _ = synthetic
    t = ov.table.assign(population=ov.table["area_m2"] / 1000.0)
    ov = replace(ov, by="population", table=t.assign(measure=t["population"]))
    html = maps.render_html(maps.coterminosity_map(ov, None)).replace("\\u003c", "<").replace("\\u003e", ">")
    assert "30% of Elder’s residents live in Lower Board (70% in Upper Board)." in html
    assert "area lies in" not in html


# --- offline / cdn ----------------------------------------------------------------------------------


def _external_refs(html: str) -> list[str]:
    refs = re.findall(r"<script[^>]+src=[\"']?([^\"' >]+)", html, re.I)
    refs += re.findall(r"<link[^>]+href=[\"']?([^\"' >]+)", html, re.I)
    refs += [u for u in re.findall(r"url\(\s*['\"]?([^)'\"]+)", html) if not u.startswith(("data:", "#"))]
    refs += re.findall(r"@import\s+['\"]?([^'\" ;]+)", html)
    return refs


def test_offline_html_references_no_external_script_style_or_font(synthetic_html):
    assert _external_refs(synthetic_html) == []
    assert "L.version" in synthetic_html or "Leaflet 1.9" in synthetic_html


def test_cdn_variant_links_leaflet_and_is_small(synthetic):
    from coterm import maps

    html = maps.render_html(maps.coterminosity_map(*synthetic, cdn=True))
    refs = _external_refs(html)
    assert any("leaflet@1.9" in r and r.endswith(".js") for r in refs)
    assert not any("bootstrap" in r or "fontawesome" in r or "jquery" in r for r in refs)
    assert len(html) < 80_000  # the inlined Leaflet alone is ~150 kB; our own script, styles and wards stay small


def test_tiles_are_optional_and_credited(synthetic):
    from coterm import maps

    html = maps.render_html(maps.coterminosity_map(*synthetic, tiles="osm"))
    assert "tile.openstreetmap.org" in html and "OpenStreetMap" in html
    assert "tile.openstreetmap.org" not in maps.render_html(maps.coterminosity_map(*synthetic))


# --- determinism ------------------------------------------------------------------------------------

_RENDER = """
import sys, hashlib
import browser, coterm
from coterm import maps
a, b = browser.synthetic_pair(evil=True)
ov = coterm.overlap(a, b, by="area")
m = maps.coterminosity_map(ov, None)
maps.save_map(m, sys.argv[1])
res = browser.synthetic_scenario(name="merge")
maps.save_map(maps.scenario_map(res), sys.argv[2])
"""


def test_same_inputs_give_byte_identical_html_across_processes(tmp_path):
    outs = []
    for seed in ("1", "4242"):
        p1, p2 = tmp_path / f"m{seed}.html", tmp_path / f"s{seed}.html"
        subprocess.run([sys.executable, "-c", _RENDER, str(p1), str(p2)], env=_env(PYTHONHASHSEED=seed), check=True,
                       capture_output=True)
        outs.append((p1.read_bytes(), p2.read_bytes()))
    assert outs[0][0] == outs[1][0]
    assert outs[0][1] == outs[1][1]
    assert not re.search(rb"_[0-9a-f]{32}", outs[0][0])


def test_rendering_twice_in_one_process_is_identical(synthetic):
    from coterm import maps

    m = maps.coterminosity_map(*synthetic)
    assert maps.render_html(m) == maps.render_html(m)


def test_save_map_is_atomic_and_creates_folders(tmp_path, synthetic):
    from coterm import maps

    out = maps.save_map(maps.coterminosity_map(*synthetic), tmp_path / "maps" / "a__b.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["a__b.html"]


# --- display geometry -------------------------------------------------------------------------------


def test_display_geometry_is_simplified_rounded_and_gap_free():
    import numpy as np
    import shapely

    from coterm.maps.geometry import display_geometries

    a = helpers.strip_layer(helpers.A_UNITS[:6], id="w", title="w", wiggle=True)
    before = a.frame.geometry.copy()
    out = display_geometries(a.frame, tolerance=100)
    assert a.frame.geometry.equals(before)  # the measuring geometry is untouched
    n_in = shapely.get_num_coordinates(a.frame.geometry.to_numpy()).sum()
    n_out = shapely.get_num_coordinates(out).sum()
    assert n_out < n_in / 3
    coords = shapely.get_coordinates(out)
    assert np.allclose(coords, np.round(coords, 5))
    # neighbours share their edge exactly: the union has no slivers between units
    union = shapely.union_all(out)
    assert shapely.get_num_interior_rings(union) == 0 and shapely.get_num_geometries(union) == 1


def test_split_layer_names_from_files_survive_without_geometry_loss(synthetic):
    from coterm.maps.features import Geometries, unit_features

    ov, scores = synthetic
    feats = unit_features(Geometries(100), ov, scores, "a")
    assert [p["c"] for _, p in feats] == sorted(ov.a.frame.index)


# --- scenario ---------------------------------------------------------------------------------------


def test_scenario_map_lists_changes_and_draws_merged_units():
    from coterm import maps

    res = helpers.synthetic_scenario(evil=True, name="<i>merge</i>")
    html = maps.render_html(maps.scenario_map(res))
    text = html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "Elder (syn-a): split → nested in Merged Board" in text
    assert "Changed by &lt;i&gt;merge&lt;/i&gt;" in text  # HTML fragments: escaped
    assert '"title":"\\u003ci\\u003emerge\\u003c/i\\u003e: ' in html  # the title is data (shown as text)
    assert "<i>merge" not in html
    assert '"c":"BX","n":"Merged Board"' in text


def test_scenario_map_takes_a_partner_of_the_result_and_refuses_others():
    from coterm import maps

    res = helpers.synthetic_scenario()
    assert maps.render_html(maps.scenario_map(res, "syn-a")) == maps.render_html(maps.scenario_map(res))
    with pytest.raises(KeyError, match="'nope' is not a partner of this scenario result"):
        maps.scenario_map(res, "nope")


# --- real data --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_map(tmp_path_factory):
    import coterm
    from coterm import maps

    try:
        coterm.load_layer("ltla-2021")
        coterm.load_layer("icb-2022")
    except Exception as exc:  # catalogue not built yet
        pytest.skip(f"catalogue layers ltla-2021/icb-2022 unavailable: {exc}")
    path = tmp_path_factory.mktemp("real") / "ltla-2021__icb-2022.html"
    maps.save_map(maps.coterminosity_map("ltla-2021", "icb-2022"), path)
    return path


def test_real_ltla_icb_map_is_within_the_4mb_budget(real_map):
    size = real_map.stat().st_size
    print(f"ltla-2021 x icb-2022 map: {size:,} bytes")
    assert size <= 4 * 1024 * 1024
    html = real_map.read_text(encoding="utf-8")
    assert _external_refs(html) == []
    assert "Open Government Licence" in html or "OGL" in html


def test_a_body_split_by_one_council_names_that_council_and_its_share():
    import coterm
    from coterm import maps

    sc = coterm.score(coterm.overlap("ltla-2021", "icb-2022"))
    page = maps.coterminosity_map(sc)
    sussex = [f["properties"] for lay in page.data["layers"] if lay["role"] == "b" for f in lay["features"]
              if f["properties"]["c"] == "E54000053"][0]
    assert sussex["k"] == "split"
    assert ("NHS Sussex Integrated Care Board is made of whole district councils except Chichester, which it cuts: "
            "94% of Chichester’s residents are in NHS Sussex Integrated Care Board.") in sussex["p"]
    assert "split 13 ways" not in sussex["p"]
