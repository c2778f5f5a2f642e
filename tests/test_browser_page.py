"""tests/browser.py's shared page: each use starts as a new page would, with its own log.

The browser tests share one page per process (a new context per test cost a renderer start-up);
these check that nothing one use leaves behind reaches the next.
"""

from __future__ import annotations

import pytest

import browser as helpers

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not helpers.chromium_available(), reason="needs Debian's chromium")]

# a page that leaves behind everything a test could: globals, storage, a cookie, errors, a blocked request, a popup
MESSY = """<!doctype html><title>messy</title><body><script>
window.leftBehind = 1;
localStorage.setItem("k", "v"); sessionStorage.setItem("k", "v");
console.error("an error of the first use");
fetch("https://example.invalid/x").catch(function () {});
window.open("about:blank");
</script></body>"""

PROBE = """<!doctype html><title>probe</title><body><script>
window.seen = {leftBehind: typeof window.leftBehind, local: localStorage.length, session: sessionStorage.length,
               print: matchMedia("print").matches, width: innerWidth, height: innerHeight,
               hovered: document.querySelectorAll(":hover").length};
document.addEventListener("mousemove", function (e) { window.buttons = e.buttons; });
</script></body>"""


def test_a_use_of_the_shared_page_sees_nothing_of_the_one_before(tmp_path):
    messy, probe = tmp_path / "messy.html", tmp_path / "probe.html"
    messy.write_text(MESSY, encoding="utf-8")
    probe.write_text(PROBE, encoding="utf-8")
    with helpers.offline_page(width=900, height=700) as (pg, log):
        first = pg
        pg.goto(messy.as_uri())
        pg.wait_for_function("window.leftBehind === 1 && localStorage.length === 1")
        pg.context.add_cookies([{"name": "c", "value": "1", "url": "https://example.invalid/"}])
        pg.emulate_media(media="print")
        pg.mouse.move(400, 300)
        pg.mouse.down()  # a test that failed mid-drag
        pg.wait_for_function("() => true")  # the console, request and popup events have arrived
        assert "an error of the first use" in log["console"]
        assert any("example.invalid" in u for u in log["requests"])
        assert len(pg.context.pages) == 2 and pg.context.cookies() != []
    with helpers.offline_page(width=390, height=844) as (pg, log):
        assert pg is first  # the same page, reused
        assert pg.context.pages == [pg]  # the popup was closed
        assert pg.url == "about:blank" and pg.evaluate("typeof window.leftBehind") == "undefined"  # as a new page starts
        pg.goto(probe.as_uri())
        seen = pg.evaluate("window.seen")
        assert seen == {"leftBehind": "undefined", "local": 0, "session": 0, "print": False,
                        "width": 390, "height": 844, "hovered": 0}
        assert pg.context.cookies() == []
        pg.mouse.move(100, 100)
        assert pg.evaluate("window.buttons") == 0  # no button held from the use before
        assert log == {"requests": [], "console": [], "pageerrors": []}


def test_a_use_that_fails_throws_the_page_away_and_a_nested_use_gets_its_own():
    # a nested use takes the same branch as fresh=True: its own context, closed on exit
    with pytest.raises(RuntimeError):
        with helpers.offline_page() as (pg, log):
            failed = pg
            raise RuntimeError("a failing test")
    assert failed.is_closed()
    with helpers.offline_page() as (outer, outer_log):
        assert outer is not failed and not outer.is_closed()
        with helpers.offline_page(width=390, height=844) as (inner, inner_log):
            assert inner is not outer and inner.context is not outer.context
            assert inner.viewport_size == {"width": 390, "height": 844}
            inner.evaluate("console.error('inner')")
            inner.wait_for_function("() => true")
        assert inner.is_closed() and inner_log["console"] == ["inner"] and outer_log["console"] == []
