"""Maps in a real browser: headless Debian Chromium via Playwright, with every network request blocked.

Each test writes a PNG screenshot to the artefacts folder (``$COTERM_ARTIFACTS`` or ``artifacts/``).
Without Chromium these tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import browser as helpers  # noqa: E402

pytestmark = pytest.mark.browser


def _require_browser():
    problem = None
    if not helpers.chromium_available():
        problem = f"Chromium not found at {helpers.CHROMIUM} (apt-get install chromium, or set COTERM_CHROMIUM)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (pip install playwright)"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture
def page():
    _require_browser()
    with helpers.offline_page() as (pg, log):
        pg.coterm_log = log
        yield pg
        assert log["requests"] == [], f"network requests attempted: {log['requests']}"
        assert log["console"] == [], f"console errors: {log['console']}"
        assert log["pageerrors"] == [], f"page errors: {log['pageerrors']}"


def _open(page, m, tmp_path, name):
    from coterm import maps

    return _show(page, maps.save_map(m, tmp_path / f"{name}.html"))


def _show(page, path):
    page.goto(path.as_uri())
    page.wait_for_function("window.cotermMap && window.cotermMap.map && document.querySelectorAll('path.leaflet-interactive').length > 0")
    page.wait_for_timeout(300)
    return path


def _shot(page, name):
    page.mouse.move(1, 400)
    page.wait_for_timeout(400)  # let popups and tooltips finish fading
    page.screenshot(path=str(helpers.artifacts_dir() / f"map-{name}.png"))


def _paths(page, pane=None):
    sel = f".leaflet-{pane}-pane path.leaflet-interactive" if pane else "path.leaflet-interactive"
    return page.locator(sel).count()


def _point(page, code, role, fx=0.5, fy=0.5):
    pt = page.evaluate("([c, r, fx, fy]) => cotermMap.pointOf(c, r, fx, fy)", [code, role, fx, fy])
    assert pt, f"unit {code} ({role}) not drawn"
    return pt["x"], pt["y"]


def _synthetic_map(**kw):
    import coterm
    from coterm import maps

    a, b = helpers.synthetic_pair(evil=kw.pop("evil", False))
    return maps.coterminosity_map(coterm.overlap(a, b, by="area"), None, **kw)


# Pages several tests open, built and saved once per module: the tests only read the files (a page's
# HTML does not depend on its file name)
@pytest.fixture(scope="module")
def synthetic_page(tmp_path_factory):
    from coterm import maps

    return maps.save_map(_synthetic_map(), tmp_path_factory.mktemp("maps") / "synthetic.html")


@pytest.fixture(scope="module")
def scenario_page(tmp_path_factory):
    from coterm import maps

    res = helpers.synthetic_scenario(folder=tmp_path_factory.mktemp("scenario"))
    return maps.save_map(maps.scenario_map(res), tmp_path_factory.mktemp("maps") / "scenario.html")


@pytest.fixture(scope="module")
def ltla_icb(tmp_path_factory):
    """(overlap, scores, saved page) of the real districts × ICBs of 2022."""
    import coterm
    from coterm import maps

    ov = coterm.overlap("ltla-2021", "icb-2022")
    scores = coterm.score(ov)
    return ov, scores, maps.save_map(maps.coterminosity_map(ov, scores), tmp_path_factory.mktemp("maps") / "ltla-icb.html")


def test_synthetic_map_draws_every_unit_offline_without_errors(page, synthetic_page):
    _show(page, synthetic_page)
    assert _paths(page, "overlay") == len(helpers.A_UNITS)
    assert _paths(page, "ctOutlines") == len(helpers.B_UNITS)
    legend = page.locator(".ct-legend").inner_text()
    assert "split" in legend and "coterminous" in legend
    assert "OGL v3" in page.locator(".leaflet-control-attribution").inner_text()
    _shot(page, "synthetic")


def test_hovering_a_district_shows_its_name_and_class_in_the_tooltip(page, synthetic_page):
    _show(page, synthetic_page)
    page.mouse.move(*_point(page, "A4", "a", fx=0.3))
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    text = tip.inner_text()
    assert "Elder" in text and "A4" in text and "split" in text
    assert "Upper Board (70%)" in text
    _shot(page, "hover")


def test_clicking_a_district_lists_every_partner_and_explains_the_split(page, synthetic_page):
    _show(page, synthetic_page)
    page.mouse.click(*_point(page, "A4", "a", fx=0.3))
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Upper Board" in text and "Lower Board" in text
    assert "30% of Elder’s area lies in Lower Board (70% in Upper Board)." in text
    page.wait_for_timeout(400)
    page.screenshot(path=str(helpers.artifacts_dir() / "map-click.png"))


def test_unticking_a_layer_in_the_layer_control_hides_its_paths(page, synthetic_page):
    _show(page, synthetic_page)
    box = page.locator(".leaflet-control-layers label", has_text="class against").locator("input")
    box.uncheck()
    assert _paths(page, "overlay") == 0
    assert _paths(page, "ctOutlines") == len(helpers.B_UNITS)
    _shot(page, "toggle-off")
    box.check()
    assert _paths(page, "overlay") == len(helpers.A_UNITS)
    page.locator(".leaflet-control-layers label", has_text="boundaries").locator("input").uncheck()
    assert _paths(page, "ctOutlines") == 0


def test_search_by_name_zooms_to_the_unit_and_opens_its_popup(page, synthetic_page):
    _show(page, synthetic_page)
    page.locator(".ct-search input").fill("fi")
    item = page.locator(".ct-search li", has_text="Fir")
    item.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Fir" in popup.inner_text() and "minor split" in popup.inner_text()
    _shot(page, "search")


def test_fullscreen_control_is_present(page, synthetic_page):
    _show(page, synthetic_page)
    assert page.locator(".leaflet-control-zoom-fullscreen, .fullscreen-icon").count() >= 1


def test_scenario_map_highlights_and_lists_the_changed_units(page, scenario_page):
    _show(page, scenario_page)
    assert page.locator(".leaflet-ctChanged-pane path").count() == 2  # Elder (district) and Upper Board (merged away)
    changes = page.locator(".ct-changes").inner_text()
    assert "Elder (syn-a): split → nested in Merged Board" in changes
    assert _paths(page, "overlay") == len(helpers.B_UNITS) - 1  # only "after" is shown at first: B4 + B5 merged
    assert _paths(page, "ctOutlines") == len(helpers.A_UNITS)
    _shot(page, "scenario")
    page.locator(".ct-changes li[data-ct-code=A4]").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Changed by the scenario" in popup.inner_text() and "split → nested" in popup.inner_text()


def test_the_before_after_switch_changes_layers_legend_counts_and_popups(page, scenario_page):
    _show(page, scenario_page)
    legend_after = page.locator(".ct-legend").inner_text()
    assert "Showing: after" in legend_after and "(was" in legend_after
    page.mouse.click(*_point(page, "BX", "after-a", fx=0.5))
    assert "Merged Board" in page.locator(".leaflet-popup-content").inner_text()  # the after state's body
    page.keyboard.press("Escape")
    page.locator(".ct-switch input[value=before]").check()
    assert _paths(page, "overlay") == len(helpers.B_UNITS)
    legend_before = page.locator(".ct-legend").inner_text()
    assert "Showing: before" in legend_before and "(was" not in legend_before
    page.wait_for_timeout(400)  # the closed popup fades out
    page.mouse.click(*_point(page, "B4", "before-a", fx=0.5))
    text = page.locator(".leaflet-popup-content").last.inner_text()
    assert "Upper Board" in text and "Merged Board" not in text
    _shot(page, "switch-before")
    page.locator(".ct-switch input[value=after]").check()
    assert _paths(page, "overlay") == len(helpers.B_UNITS) - 1
    assert page.locator(".leaflet-ctAOutlines-pane path").count() == 2 * (len(helpers.B_UNITS) - 1) + 1  # new solid + old dashed


def test_injected_names_are_shown_as_text_and_never_run(page, tmp_path):
    title = "<script>window.__pwned=1</script>${window.__pwned=1}"
    _open(page, _synthetic_map(evil=True, title=title), tmp_path, "injection")
    for code, name in helpers.EVIL_NAMES.items():
        page.mouse.move(1, 400)
        page.mouse.move(*_point(page, code, "a", fx=0.3))
        tip = page.locator(".leaflet-tooltip").last
        tip.wait_for()
        assert name in tip.inner_text()
        page.mouse.click(*_point(page, code, "a", fx=0.3))
        assert name in page.locator(".leaflet-popup-content").last.inner_text()
        page.keyboard.press("Escape")
    page.locator(".ct-search input").fill("<img")
    assert helpers.EVIL_NAMES["A1"] in page.locator(".ct-search li").first.inner_text()
    assert title in page.locator(".ct-title").inner_text()
    assert page.title() == title
    assert page.locator(".leaflet-container img[src='x']").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    _shot(page, "injection")


def test_real_ltla_by_icb_map_draws_every_unit(page, ltla_icb):
    ov, scores, path = ltla_icb
    _show(page, path)
    assert _paths(page, "overlay") == len(ov.a.frame)
    assert _paths(page, "ctOutlines") == len(ov.b.frame)
    leeds = ov.a.frame.index[ov.a.frame["name"] == "Leeds"][0]
    page.mouse.move(*_point(page, leeds, "a", fx=0.5, fy=0.5))
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    cls = scores.unit_classes("a")[leeds]
    assert "Leeds" in tip.inner_text() and cls in tip.inner_text()
    _shot(page, "ltla-2021__icb-2022")


def test_the_real_icb_2026_scenario_map_from_the_cli_shows_the_changed_units_offline(page, tmp_path):
    from cli_inprocess import run_here  # the real CLI main() in this process: the test is about its page, not processes

    out = tmp_path / "icb-2026.html"
    run = run_here("map", "--scenario", helpers.REPO / "scenarios" / "icb-mergers-2026.toml", "ltla-2021", "-o", out)
    assert run.returncode == 0, run.stderr
    assert out.stat().st_size <= 4_000_000
    page.goto(out.as_uri())
    page.wait_for_function("window.cotermMap && document.querySelectorAll('path.leaflet-interactive').length > 0")
    changes = page.locator(".ct-changes").inner_text()
    assert "East Suffolk" in changes and "split → nested" in changes
    assert page.locator(".leaflet-ctChanged-pane path").count() >= 8  # the districts and ICBs whose class changed
    _shot(page, "icb-2026-scenario")


def test_search_keeps_the_popup_open_and_highlights_the_unit(page, synthetic_page):
    _show(page, synthetic_page)
    page.locator(".ct-search input").fill("eld")
    page.locator(".ct-search li", has_text="Elder").click()
    page.wait_for_timeout(1200)  # the popup used to close within 0.5 s
    popup = page.locator(".leaflet-popup-content")
    assert popup.count() == 1 and "Elder" in popup.inner_text()
    assert page.evaluate("cotermMap.lit && cotermMap.lit.feature.properties.c") == "A4"
    assert page.evaluate("cotermMap.lit.options.weight") == 4
    _shot(page, "search-keep")


def test_a_code_in_the_url_opens_that_unit(page, synthetic_page):
    page.goto(synthetic_page.as_uri() + "#A5")
    page.wait_for_function("window.cotermMap && cotermMap.ready")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Fir" in popup.inner_text() and "minor split" in popup.inner_text()


def test_the_unit_table_sorts_filters_and_downloads_every_unit_as_csv(page, tmp_path):
    import csv
    import io

    _open(page, _synthetic_map(evil=True), tmp_path, "table")
    page.locator(".ct-table > summary").click()
    rows = page.locator(".ct-table tbody tr")
    assert rows.count() == len(helpers.A_UNITS)
    page.locator(".ct-table th", has_text="Residents").click()
    page.locator(".ct-table-bar input").fill("split")
    assert rows.count() == 2  # split and minor split
    page.locator(".ct-table-bar input").fill("")
    with page.expect_download() as dl:
        page.locator(".ct-download").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Name", "Code", "Class", "Main partner", "Share in it", "Partners", "Residents"]
    assert sorted(r[1] for r in table[1:]) == sorted(c for c, *_ in helpers.A_UNITS)
    names = {r[1]: r[0] for r in table[1:]}
    assert names["A1"] == helpers.EVIL_NAMES["A1"] and names["A4"] == "Elder"
    _shot(page, "table")


def test_labels_name_units_and_never_overlap(page, synthetic_page):
    _show(page, synthetic_page)
    labels = page.locator(".ct-label-text")
    assert labels.count() >= 3
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or \
                a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
    texts = set(labels.all_inner_texts())
    assert texts <= {name for _, name, *_ in helpers.A_UNITS}


@pytest.fixture
def phone():
    _require_browser()
    with helpers.offline_page(width=390, height=844) as (pg, log):
        yield pg
        assert log["requests"] == [] and log["console"] == [] and log["pageerrors"] == []


def _no_sideways_scroll(pg):
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    assert pg.evaluate("document.body.scrollWidth") <= 390


def test_on_a_phone_the_controls_sit_in_one_drawer_and_taps_reach_units(phone, scenario_page):
    phone.goto(scenario_page.as_uri())
    phone.wait_for_function("window.cotermMap && cotermMap.ready")
    _no_sideways_scroll(phone)
    title = phone.locator(".ct-title").bounding_box()
    assert title["x"] >= 0 and title["x"] + title["width"] <= 390 and title["width"] >= 250
    assert not phone.locator(".ct-legend").is_visible() and not phone.locator(".ct-search").is_visible()
    x, y = _point(phone, "A4", "after-b", fx=0.5, fy=0.5)
    assert phone.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName.toLowerCase()", [x, y]) == "path"
    phone.mouse.click(x, y)
    assert "Elder" in phone.locator(".leaflet-popup-content").inner_text()
    phone.screenshot(path=str(helpers.artifacts_dir() / "phone-scenario.png"))
    phone.keyboard.press("Escape")
    phone.locator(".ct-panel-toggle").click()
    assert phone.locator(".ct-legend").is_visible() and phone.locator(".ct-switch").is_visible()
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(helpers.artifacts_dir() / "phone-scenario-drawer.png"))


def test_real_pages_at_desktop_and_phone_sizes(ltla_icb):
    """Screenshots of the real district × ICB map for a person to look at; no sideways scroll on the phone."""
    _require_browser()
    path = ltla_icb[2]
    for w, h in ((1440, 900), (390, 844)):
        with helpers.offline_page(width=w, height=h) as (pg, log):
            pg.goto(path.as_uri())
            pg.wait_for_function("window.cotermMap && cotermMap.ready")
            assert pg.evaluate("document.documentElement.scrollWidth") <= w
            pg.screenshot(path=str(helpers.artifacts_dir() / f"real-ltla-icb-{w}x{h}.png"))
            assert log["requests"] == [] and log["console"] == [] and log["pageerrors"] == []
