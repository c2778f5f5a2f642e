"""Map pages in a real browser, part 2 (issue 15 remainder, issue 21 popups): the changed units with
their people, unit attributes from the catalogue's units files, side by side before/after, place
search, print. Headless Debian Chromium via Playwright, network blocked; screenshots go to the
artefacts folder (``$COTERM_ARTIFACTS`` or ``artifacts/``) as ``pages-*.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser as helpers  # noqa: E402
from test_maps_browser import _require_browser  # noqa: E402

pytestmark = pytest.mark.browser

DESKTOP, PHONE = (1440, 900), (390, 844)


@pytest.fixture(scope="module")
def icb_scenario():
    """The shipped ICB mergers of 2026 against districts, weighted by population (what the demo maps)."""
    from coterm.scenarios import compare_scenario

    return compare_scenario("icb-mergers-2026", by="population")


@pytest.fixture(scope="module")
def icb_scenario_page(icb_scenario, tmp_path_factory):
    from coterm import maps

    return maps.save_map(maps.scenario_map(icb_scenario), tmp_path_factory.mktemp("pages") / "icb-2026.html")


@pytest.fixture(scope="module")
def synthetic_scenario_page(tmp_path_factory):
    """(result, saved page) of the synthetic merger; the side-by-side tests at both sizes only read them."""
    from coterm import maps

    res = helpers.synthetic_scenario(folder=tmp_path_factory.mktemp("scenario"))
    return res, maps.save_map(maps.scenario_map(res), tmp_path_factory.mktemp("pages") / "sbs.html")


@pytest.fixture(scope="module")
def places_page(tmp_path_factory):
    """(district layer, [(ward, unit containing it)], saved page) of the synthetic map, for the place search tests."""
    import coterm
    from coterm import maps

    a, b = helpers.synthetic_pair()
    m = maps.coterminosity_map(coterm.overlap(a, b, by="area"), None)
    return a, _place_truths(m.data, a), maps.save_map(m, tmp_path_factory.mktemp("pages") / "places.html")


def _browser(size):
    _require_browser()
    return helpers.offline_page(width=size[0], height=size[1])


def _goto(pg, path, suffix=""):
    pg.goto(path.as_uri() + suffix)
    pg.wait_for_function("window.cotermMap && cotermMap.ready")
    pg.wait_for_timeout(200)


def _clean(log):
    assert log["requests"] == [], f"network requests attempted: {log['requests']}"
    assert log["console"] == [], f"console errors: {log['console']}"
    assert log["pageerrors"] == [], f"page errors: {log['pageerrors']}"


def _shot(pg, name):
    pg.screenshot(path=str(helpers.artifacts_dir() / f"pages-{name}.png"))


def _point(pg, code, role, fx=0.5, fy=0.5):
    pt = pg.evaluate("([c, r, fx, fy]) => cotermMap.pointOf(c, r, fx, fy)", [code, role, fx, fy])
    assert pt, f"unit {code} ({role}) not drawn"
    return pt["x"], pt["y"]


def test_changed_units_list_their_people_and_hovering_a_row_outlines_that_unit(icb_scenario, icb_scenario_page):
    from coterm.maps.html import fmt_int
    from coterm.maps.panels import population_source

    p = icb_scenario.against[0]
    source = population_source(icb_scenario.after[p].overlap)
    assert "20" in source  # names its year
    ch = icb_scenario.changed_units[icb_scenario.changed_units["partner"] == p]
    after, before = icb_scenario.after[p].scores.units, icb_scenario.before[p].scores.units
    with _browser(DESKTOP) as (pg, log):
        _goto(pg, icb_scenario_page)
        box = pg.locator(".ct-changes")
        assert f"residents of each changed unit ({source})" in box.inner_text()  # the people's source and year
        rows = pg.locator(".ct-changes li[data-ct-code]")
        assert rows.count() == len(ch)
        checked = 0
        for r in ch.itertuples(index=False):
            row = pg.locator(f'.ct-changes li[data-ct-code="{r.code}"][data-ct-side="{r.side}"]')
            pop = after[(after["side"] == r.side) & (after["code"] == r.code)]["population"]
            if not len(pop):  # merged away: its people before the scenario
                pop = before[(before["side"] == r.side) & (before["code"] == r.code)]["population"]
            assert f"{fmt_int(float(pop.iloc[0]))} people" in row.inner_text()
            if checked < 3:
                row.hover()
                assert pg.evaluate("cotermMap.lit && cotermMap.lit.feature.properties.c") == r.code
                assert pg.evaluate("cotermMap.lit.options.weight") == 4
                assert pg.evaluate("cotermMap.map.hasLayer(cotermMap.litGroup)")
                if checked == 0:
                    _shot(pg, "changed-hover")
                pg.mouse.move(700, 450)
                assert pg.evaluate("cotermMap.lit") is None
            checked += 1
        _clean(log)


def test_police_command_unit_popups_name_the_force_and_the_table_has_it(tmp_path):
    import csv
    import io

    import coterm
    from coterm import maps

    ov = coterm.overlap("bcu-2024", "ltla-2024")
    path = maps.save_map(maps.coterminosity_map(ov), tmp_path / "bcu.html")
    units = ov.a.frame
    with _browser(DESKTOP) as (pg, log):
        _goto(pg, path, "#CAM-N")
        popup = pg.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "Northern local policing area" in popup.inner_text()
        assert "Force: Cambridgeshire Constabulary" in popup.inner_text()
        _shot(pg, "bcu-force")
        pg.keyboard.press("Escape")
        pg.locator(".ct-table > summary").click()
        assert "Force" in pg.locator(".ct-table thead").inner_text()
        pg.locator(".ct-table-bar input").fill("Kent Police")
        n_kent = pg.locator(".ct-table tbody tr").count()
        with pg.expect_download() as dl:
            pg.locator(".ct-download").click()
        table = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
        _clean(log)
    assert len(table) == len(units)  # every unit, whatever the filter shows
    facts = {r["code"]: r for r in csv.DictReader(open(helpers.REPO / "boundaries" / "units" / "bcu-2024.csv", encoding="utf-8"))}
    assert all(r["Force"] == facts[r["Code"]]["force"] for r in table)
    assert n_kent == sum(1 for r in facts.values() if r["force"] == "Kent Police") > 0


def _counts(scores):
    from coterm.maps.panels import class_counts

    return class_counts(scores, "a")


def _legend_counts(pg, sel):
    """{class: count} read from a legend's swatch rows (the "was" count left out)."""
    return pg.evaluate("""(sel) => {
      var out = {};
      document.querySelector(sel).querySelectorAll(".ct-row").forEach(function (r) {
        var sw = r.querySelector(".ct-sw"), n = r.querySelector(".ct-n");
        if (!sw || !n) { return; }
        var k = Array.from(sw.classList).filter(function (c) { return c.indexOf("ct-k-") === 0; })[0].slice(5);
        out[k.replace("-", " ")] = parseInt(n.firstChild.textContent, 10);
      });
      return out;
    }""", sel)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_side_by_side_shows_before_and_after_in_step_each_with_its_own_legend(size, synthetic_scenario_page):
    res, path = synthetic_scenario_page
    p = res.against[0]
    with _browser(size) as (pg, log):
        _goto(pg, path)
        if size == PHONE:
            pg.locator(".ct-panel-toggle").click()
        pg.locator(".ct-switch input[value=side]").check()
        if size == PHONE:
            pg.locator(".ct-panel-toggle").click()
        pg.wait_for_function("cotermMap.before && cotermMap.before.map")
        b1 = pg.locator("#ct-map2").bounding_box()
        b2 = pg.locator("#ct-map").bounding_box()
        if size == DESKTOP:  # before | after
            assert b1["x"] == 0 and abs(b1["width"] - size[0] / 2) <= 2 and b2["x"] >= size[0] / 2 - 2
        else:  # stacked: before above after
            assert b1["y"] == 0 and abs(b1["height"] - size[1] / 2) <= 2 and b2["y"] >= size[1] / 2 - 2
            assert pg.evaluate("document.documentElement.scrollWidth") <= size[0]
        # each side draws its own state: the merged board only after
        assert pg.locator("#ct-map2 .leaflet-overlay-pane path").count() == len(helpers.B_UNITS)
        assert pg.locator("#ct-map .leaflet-overlay-pane path").count() == len(helpers.B_UNITS) - 1
        before_legend = pg.locator("#ct-map2 .ct-legend").inner_text()
        assert "Showing: before" in before_legend
        assert _legend_counts(pg, "#ct-map2 .ct-legend") == {k: v for k, v in _counts(res.before[p].scores).items()
                                                 if v or k != "outside"}
        if size == DESKTOP:
            after_legend = pg.locator("#ct-map .ct-legend").inner_text()
            assert "Showing: after" in after_legend
            assert _legend_counts(pg, "#ct-map .ct-legend") == {k: v for k, v in _counts(res.after[p].scores).items()
                                                    if v or k != "outside"}
        # panning one map moves the other, both ways; zoom too
        c0 = pg.evaluate("[cotermMap.map.getCenter().lng, cotermMap.before.map.getCenter().lng]")
        assert abs(c0[0] - c0[1]) < 1e-9
        for src, other in (("#ct-map2", "cotermMap.map"), ("#ct-map", "cotermMap.before.map")):
            r = pg.locator(src).bounding_box()
            x, y = r["x"] + r["width"] * 0.3, r["y"] + r["height"] * 0.75
            before = pg.evaluate(f"{other}.getCenter().lng")
            pg.mouse.move(x, y)
            pg.mouse.down()
            pg.mouse.move(x + 60, y, steps=6)
            pg.mouse.up()
            pg.wait_for_function("!cotermMap.map._panAnim || !cotermMap.map._panAnim._inProgress")
            pg.wait_for_function("!cotermMap.before.map._panAnim || !cotermMap.before.map._panAnim._inProgress")
            pg.wait_for_timeout(300)  # the drag's inertia has ended (the last moveend synced the other map)
            lng = pg.evaluate("[cotermMap.map.getCenter().lng, cotermMap.before.map.getCenter().lng]")
            assert lng[0] != pytest.approx(before, abs=1e-6), f"dragging {src} did not move the other map"
            assert lng[0] == pytest.approx(lng[1], abs=1e-5)  # the same view (within a metre: pixel rounding)
        pg.locator("#ct-map2 .leaflet-control-zoom-in").click()
        pg.wait_for_timeout(400)
        z = pg.evaluate("[cotermMap.map.getZoom(), cotermMap.before.map.getZoom()]")
        assert z[0] == z[1]
        # a popup on the before side describes the before state (tapped where the unit is, not under a box)
        x, y = _point_in(pg, "B4")
        assert pg.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('#ct-map2 .leaflet-overlay-pane') !== null",
                           [x, y])
        pg.mouse.click(x, y)
        text = pg.locator("#ct-map2 .leaflet-popup-content").inner_text()
        assert "Upper Board" in text and "Merged Board" not in text
        _shot(pg, f"side-by-side-{size[0]}x{size[1]}")
        # back to one map
        if size == PHONE:
            pg.locator(".ct-panel-toggle").click()
        pg.locator(".ct-switch input[value=before]").check()
        assert not pg.locator("#ct-map2").is_visible()
        assert pg.locator("#ct-map").bounding_box()["x"] == 0
        _clean(log)


def _point_in(pg, code):
    """Page coordinates of the centre of a unit on the before side's map."""
    pt = pg.evaluate("""(code) => {
      var C = cotermMap, hit = null;
      C.before.layers.forEach(function (g) { if (g.ctRole === "before-a") { g.eachLayer(function (l) {
        if (l.feature.properties.c === code) { hit = l; } }); } });
      if (!hit) { return null; }
      C.before.map.fitBounds(hit.getBounds(), {maxZoom: C.before.map.getZoom(), animate: false});
      var p = C.before.map.latLngToContainerPoint(hit.getBounds().getCenter());
      var r = C.before.map.getContainer().getBoundingClientRect();
      return {x: r.left + p.x, y: r.top + p.y};
    }""", code)
    assert pt, f"{code} not drawn on the before side"
    return pt["x"], pt["y"]


def _place_truths(page_data, layer):
    """[(ward name, code of the unit containing its point)] computed in Python from the page's own index."""
    import geopandas as gpd
    import numpy as np
    import shapely

    P = page_data["search"]["places"]
    ll = np.asarray(P["ll"], dtype=float).reshape(-1, 2) / P["scale"]
    pts = gpd.GeoSeries(shapely.points(ll[:, 1], ll[:, 0]), crs=4326).to_crs(27700).to_numpy()
    out = []
    for name, pt in zip(P["names"], pts):
        inside = [c for c, g in zip(layer.frame.index, layer.frame.geometry) if g.contains(pt)]
        if len(inside) == 1 and P["names"].count(name) == 1:
            out.append((name, inside[0]))
    return out


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_searching_a_ward_zooms_there_and_opens_the_unit_containing_it(size, places_page):
    a, truths, path = places_page
    assert len({code for _, code in truths}) >= 2, truths  # real wards of the City and east London fall in the strip
    with _browser(size) as (pg, log):
        _goto(pg, path)
        if size == PHONE:
            pg.locator(".ct-panel-toggle").click()
        note = pg.locator(".ct-search-note").inner_text()
        assert "Electoral wards, December 2022" in note and "No postcodes" in note
        seen = set()
        for name, code in truths:
            if code in seen:
                continue
            seen.add(code)
            if size == PHONE and not pg.locator(".ct-search input").is_visible():
                pg.locator(".ct-panel-toggle").click()
            pg.locator(".ct-search input").fill(name)
            item = pg.locator(".ct-search li.ct-place-hit", has_text=f"{name} (ward)").first
            assert f"in {a.frame.loc[code, 'name']}" in item.inner_text()
            item.click()
            pg.wait_for_timeout(1200)  # the popup stays open (the map's own click used to close it)
            popup = pg.locator(".leaflet-popup-content")
            assert popup.count() == 1 and a.frame.loc[code, "name"] in popup.inner_text()
            assert pg.evaluate("cotermMap.lit.feature.properties.c") == code
            assert pg.evaluate("cotermMap.map.getZoom()") >= 12
            assert name in pg.locator(".ct-place").inner_text()
            if size == PHONE:
                assert pg.evaluate("document.documentElement.scrollWidth") <= size[0]
            if len(seen) == 1:
                _shot(pg, f"place-search-{size[0]}x{size[1]}")
            pg.keyboard.press("Escape")
        _clean(log)


def _pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440x900", "390x844"])
def test_printing_hides_the_controls_and_puts_map_legend_and_table_on_a4(size, icb_scenario, icb_scenario_page):
    p = icb_scenario.against[0]
    n_units = len(icb_scenario.after[p].overlap.a.frame)
    with _browser(size) as (pg, log):
        _goto(pg, icb_scenario_page)
        pg.emulate_media(media="print")
        pg.wait_for_function("cotermMap.printing")
        for sel in (".leaflet-control-zoom", ".ct-fullscreen", ".ct-search", ".ct-panel-toggle", ".ct-switch",
                    ".ct-table-bar"):
            assert not pg.locator(sel).first.is_visible(), f"{sel} printed"
        m = pg.locator("#ct-map").bounding_box()
        assert m["height"] > 400 and pg.locator("#ct-map .leaflet-overlay-pane path").count() > 0
        for sel in (".ct-legend", ".ct-summary", ".ct-changes", ".ct-table"):
            box = pg.locator(sel).first.bounding_box()
            assert pg.locator(sel).first.is_visible() and box["y"] >= m["y"] + m["height"] - 1, f"{sel} not after the map"
        rows = pg.locator(".ct-table tbody tr")
        assert rows.count() == n_units and rows.last.is_visible()  # every unit, none clipped by a scroll box
        assert "Showing: after" in pg.locator(".ct-legend").inner_text()
        pdf = pg.pdf(format="A4", print_background=True)
        (helpers.artifacts_dir() / f"pages-print-{size[0]}x{size[1]}.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF-")
        pages = _pdf_pages(pdf)
        assert 2 <= pages <= 3 + n_units // 15, pages  # the map, then legend, changes, figures and the table
        pg.emulate_media(media="screen")
        pg.wait_for_function("!cotermMap.printing")
        assert pg.locator(".ct-panel").evaluate("e => e.closest('#ct-map') !== null")
        _clean(log)


def test_side_by_side_on_the_real_icb_mergers_counts_each_state(icb_scenario, icb_scenario_page):
    p = icb_scenario.against[0]
    with _browser(DESKTOP) as (pg, log):
        _goto(pg, icb_scenario_page)
        pg.locator(".ct-switch input[value=side]").check()
        pg.wait_for_function("cotermMap.before && cotermMap.before.map")
        n_before = len(icb_scenario.before[p].overlap.a.frame)
        n_after = len(icb_scenario.after[p].overlap.a.frame)
        assert n_after < n_before
        assert pg.locator("#ct-map2 .leaflet-overlay-pane path").count() == n_before
        assert pg.locator("#ct-map .leaflet-overlay-pane path").count() == n_after
        want_b = {k: v for k, v in _counts(icb_scenario.before[p].scores).items() if v or k != "outside"}
        want_a = {k: v for k, v in _counts(icb_scenario.after[p].scores).items() if v or k != "outside"}
        assert want_a != want_b
        assert _legend_counts(pg, "#ct-map2 .ct-legend") == want_b
        assert _legend_counts(pg, "#ct-map .ct-legend") == want_a
        _shot(pg, "side-by-side-icb-2026")
        _clean(log)
