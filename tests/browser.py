"""Helpers for map tests: small synthetic layers near London and a headless Chromium with no network.

Not a test module. ``tests/test_maps.py`` and the browser tests import it.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COTERM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]

EVIL_NAMES = {
    "A1": "<img src=x onerror=window.__pwned=1>",
    "A2": "<script>window.__pwned=1</script>",
    "A3": "${window.__pwned=1}",
}

# x-intervals in km along a 2 km high strip at (530 km E, 180 km N), British National Grid
A_UNITS = [("A0", "Alder", 0, 2), ("A1", "Birch", 2, 4), ("A2", "Cedar", 4, 6), ("A3", "Damson", 6, 8),
           ("A4", "Elder", 8, 10), ("A5", "Fir", 10, 12), ("A6", "Gorse", 14, 16)]
B_UNITS = [("B0", "North Board", 0, 2), ("B1", "East Board", 2, 6), ("B2", "South Board", 6, 7), ("B3", "West Board", 7, 8),
           ("B4", "Upper Board", 8, 9.4), ("B5", "Lower Board", 9.4, 11.94), ("B6", "Tiny Board", 11.94, 12)]
EXPECTED_A = {"A0": "coterminous", "A1": "nested", "A2": "nested", "A3": "contains", "A4": "split", "A5": "minor split",
              "A6": "outside"}


def artifacts_dir() -> Path:
    d = Path(os.environ.get("COTERM_ARTIFACTS") or REPO / "artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


def strip_layer(units, *, id: str, title: str, names: dict | None = None, wiggle: bool = False):
    """A Layer of rectangles (x-intervals in km) in EPSG:27700; ``wiggle`` adds vertices to simplify."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from coterm.layer import make_layer

    x0, y0, h = 530_000.0, 180_000.0, 2_000.0
    rows = []
    for code, name, lo, hi in units:
        xs = np.linspace(x0 + lo * 1000, x0 + hi * 1000, 41) if wiggle else np.array([x0 + lo * 1000, x0 + hi * 1000])
        top = [(x, y0 + h + (7.0 * np.sin(x / 97.0) if wiggle else 0.0)) for x in xs]
        bottom = [(x, y0) for x in xs[::-1]]
        rows.append({"code": code, "name": (names or {}).get(code, name), "geometry": shapely.Polygon(top + bottom)})
    gdf = gpd.GeoDataFrame(rows, crs=27700)
    return make_layer(gdf, id=id, title=title, attribution="Synthetic test data",
                      attribution_html='Synthetic test data &copy; coterm <a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">OGL v3</a>')


def synthetic_pair(*, evil: bool = False):
    """(A, B) layers whose A classes are :data:`EXPECTED_A` (area weighting)."""
    a = strip_layer(A_UNITS, id="syn-a", title="Test districts", names=EVIL_NAMES if evil else None)
    b = strip_layer(B_UNITS, id="syn-b", title="Test boards")
    return a, b


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


# One chromium per test process, launched at the first browser test and closed when the session ends
# (conftest's pytest_sessionfinish): a launch costs about a second of CPU per test otherwise. Tests also share
# one page (one context) per process, navigated per test: a new context starts a new renderer process (V8 and
# Leaflet from cold, about a second of CPU). offline_page resets what a test may change in between.
_SHARED: dict = {}


def _shared_browser():
    browser = _SHARED.get("browser")
    if browser is not None and browser.is_connected():
        return browser
    close_shared_browser()  # a crashed browser is replaced, not reused
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    _SHARED["playwright"] = pw
    _SHARED["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    return _SHARED["browser"]


def close_shared_browser() -> None:
    _SHARED.pop("page", None)
    browser, pw = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    try:
        if browser is not None:
            browser.close()
    finally:
        if pw is not None:
            pw.stop()


def _new_log() -> dict:
    return {"requests": [], "console": [], "pageerrors": []}


def _open_page(width: int, height: int, log_of):
    """A new context and page, every non-file:// request aborted; the route and listeners write to ``log_of()``."""
    context = _shared_browser().new_context(viewport={"width": width, "height": height}, service_workers="block")

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            log_of()["requests"].append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: log_of()["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log_of()["pageerrors"].append(str(e)))
    page.on("requestfailed", lambda r: None if r.url.startswith(("file://", "data:")) else log_of()["requests"].append(r.url))
    return page


def _drop_shared_page() -> None:
    page = _SHARED.pop("page", None)
    if page is not None:
        try:
            page.context.close()
        except Exception:  # the browser itself went away: _shared_browser replaces it
            pass


def _reset(page) -> None:
    """Leave the page as a new one would be: no popups, storage, cookies, media emulation or JS state."""
    for other in page.context.pages:
        if other is not page:
            other.close()
    page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
    page.goto("about:blank")  # ends the test's document: its timers, listeners and globals
    page.emulate_media(media="null", color_scheme="null")
    page.mouse.up()  # a test that stopped mid-drag (a fixture's test fails without raising here) holds no button
    page.mouse.move(0, 0)  # where a new page's mouse starts (moves with steps start from here)
    page.context.clear_cookies()


@contextmanager
def offline_page(*, width: int = 1280, height: int = 800, fresh: bool = False):
    """A Playwright page in headless Chromium with every non-file:// request aborted and recorded.

    Yields ``(page, log)`` where ``log`` has lists ``requests`` (blocked URLs), ``console`` (errors)
    and ``pageerrors``, this use's own. The page is the process's shared one, reset on exit; a body that
    raises throws it away instead, so the next test gets a new one. ``fresh=True`` (or a use nested in
    another) gets a page in its own new browser context, closed on exit.
    """
    log = _new_log()
    if fresh or _SHARED.get("busy"):
        page = _open_page(width, height, lambda: log)
        try:
            yield page, log
        finally:
            page.context.close()
        return
    _SHARED["log"] = log
    page = _SHARED.get("page")
    if page is None or page.is_closed() or not page.context.browser.is_connected():
        _drop_shared_page()
        page = _SHARED["page"] = _open_page(width, height, lambda: _SHARED["log"])
    else:
        page.set_viewport_size({"width": width, "height": height})
    _SHARED["busy"] = True
    clean = False
    try:
        yield page, log
        clean = True
    finally:
        _SHARED["busy"] = False
        try:
            if clean:
                _reset(page)
        except Exception:
            clean = False
        _SHARED["log"] = _new_log()  # what the reset or a late event logs belongs to no test
        if not clean:
            _drop_shared_page()


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` exactly (hostile names included)."""
    import json

    return json.dumps(text, ensure_ascii=True)


def synthetic_scenario(*, evil: bool = False, name: str = "Merge Upper and Lower", merged: str = "Merged Board",
                       folder=None):
    """A real :class:`~coterm.scenarios.ScenarioResult`: boards B4 and B5 merge into BX, against the districts.

    The scenario's layer (A side of the map) is the boards; the partner (B side) the districts, so
    Elder (A4) goes from split to nested in the merged board.
    """
    import tempfile

    from coterm.scenarios import compare_scenario

    a, b = synthetic_pair(evil=evil)
    folder = Path(folder or tempfile.mkdtemp(prefix="coterm-syn-"))
    path = folder / "merge.toml"
    path.write_text(f'name = {toml_string(name)}\nlayer = "syn-b"\n\n[[merge]]\ninto = {toml_string(merged)}\n'
                    'code = "BX"\nmembers = ["B4", "B5"]\n', encoding="utf-8")
    return compare_scenario(path, against=[a], layer=b, by="area")
