"""The workbench in Debian's headless chromium (network blocked): JS scores equal Python's, clicks work."""

from __future__ import annotations

import json
import math
import random

import pytest

import coterm
from coterm.workbench import save_workbench, workbench_data
from coterm.workbench.data import reference_scores
from browser import artifacts_dir, chromium_available, offline_page
from cli_inprocess import run_here

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_available(), reason="needs Debian's chromium")]

LAYER, PARTNERS = "ltla-2024", ["icb-2026", "pfa-2024", "fra-2024", "sa-2028"]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    data = workbench_data(LAYER, PARTNERS)
    return data, save_workbench(data, tmp_path_factory.mktemp("wb") / "workbench.html")


def _same(py, js, where=""):
    """Python's value equals the page's: shares and rates to 1e-9, everything else exactly."""
    if isinstance(py, dict):
        assert isinstance(js, dict), where
        for k in py:
            assert k in js, f"{where}.{k} missing in the page's answer"
            _same(py[k], js[k], f"{where}.{k}")
    elif isinstance(py, float) and py is not None:
        assert js is not None and math.isclose(py, js, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {py} != {js}"
    else:
        assert py == js, f"{where}: {py!r} != {js!r}"


def _random_groupings(codes, n, seed=20261201):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        pool = codes[:]
        rng.shuffle(pool)
        groups = []
        for g in range(rng.randint(1, 6)):
            k = rng.randint(1, 9)
            members, pool = sorted(pool[:k]), pool[k:]
            # a group's code is sometimes one of its members (a rename), sometimes new
            code = members[0] if rng.random() < 0.3 else f"grp-{i}-{g}"
            groups.append({"code": code, "name": f"Group {g}", "members": members})
        out.append(groups)
    return out


CHUNKS = 4  # the groupings are checked in interleaved parts so both test processes share the ~20 s of Python reference


@pytest.fixture(scope="module")
def groupings(page_file):
    data, _ = page_file
    return [s["groups"] for s in data["scenarios"]] + [[]] + _random_groupings(data["units"]["codes"], 40)


@pytest.fixture(scope="module")
def base_overlaps():
    return {p: coterm.overlap(LAYER, p, mode="atoms", by="population") for p in PARTNERS}


def test_the_chunks_cover_every_grouping_once(groupings):
    picked = sorted(i for c in range(CHUNKS) for i in range(len(groupings))[c::CHUNKS])
    assert picked == list(range(len(groupings))) and len(groupings) > 40


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_js_equals_python_for_shipped_and_random_groupings(page_file, groupings, base_overlaps, chunk):
    _, path = page_file
    index = list(range(len(groupings)))[chunk::CHUNKS]
    part = [groupings[i] for i in index]
    with offline_page() as (page, log):
        page.goto(path.as_uri())
        # one JSON string back: much faster than Playwright's structured copy of 300 nested objects
        js_all = json.loads(page.evaluate("gs => JSON.stringify(gs.map(g => window.coterm.score(g)))", part))
        assert not log["console"] and not log["pageerrors"] and not log["requests"]
    assert len(js_all) == len(part)
    for i, groups, js in zip(index, part, js_all):
        for p in PARTNERS:
            _same(reference_scores(LAYER, p, groups, base_overlap=base_overlaps[p]), js[p], f"grouping {i} × {p}")


def test_click_three_districts_into_a_group_and_export(page_file, tmp_path):
    """Breckland, King's Lynn and West Norfolk and North Norfolk clicked into one group; the TOML passes check."""
    data, path = page_file
    picks = {"E07000143": "Breckland", "E07000146": "King's Lynn and West Norfolk", "E07000147": "North Norfolk"}
    shots = artifacts_dir() / "workbench"
    shots.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        with offline_page(width=width, height=height) as (page, log):
            page.goto(path.as_uri())
            before = page.evaluate("window.coterm.score([])")
            for code in picks:
                page.locator(f'path[data-code="{code}"]').dispatch_event("click")
            grouping = page.evaluate("window.coterm.grouping()")
            assert [sorted(g["members"]) for g in grouping] == [sorted(picks)]
            assert "units changed since the start" in page.locator("#changes-count").inner_text()
            after = page.evaluate("window.coterm.score()")
            # the three districts now form one unit: fewer units against every partner
            assert after["icb-2026"]["a_to_b"]["units"] == before["icb-2026"]["a_to_b"]["units"] - 2
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(shots / f"workbench-{width}x{height}.png"))
            toml = page.evaluate("window.coterm.toToml()")
            assert not log["console"] and not log["pageerrors"] and not log["requests"]
    f = tmp_path / "norfolk-west.toml"
    f.write_text(toml, encoding="utf-8")
    run = run_here("scenario", "check", f)  # the real CLI main() in this process: the test is about the file it checks
    assert run.returncode == 0, run.stderr
    sc = coterm.load_scenario(str(f))
    assert sc.layer == LAYER and [sorted(m.members) for m in sc.merges] == [sorted(picks)]


def test_bad_import_changes_nothing(page_file):
    data, path = page_file
    with offline_page() as (page, log):
        page.goto(path.as_uri())
        page.locator('path[data-code="E07000143"]').dispatch_event("click")
        before = page.evaluate("window.coterm.grouping()")
        bad = {
            "other.toml": ('name = "x"\nlayer = "icb-2022"\n[[merge]]\ninto = "A"\nmembers = ["E54000001"]\n', "changes icb-2022"),
            "unknown.toml": ('name = "x"\nlayer = "ltla-2024"\n[[merge]]\ninto = "A"\nmembers = ["E99999999"]\n', "E99999999"),
            "twice.csv": ("# layer: ltla-2024\nnew_unit,member_code\nA,E07000143\nB,E07000143\n", "in two groups"),
        }
        for name, (text, needle) in bad.items():
            page.evaluate("([t, n]) => window.coterm.importText(t, n)", [text, name])
            msg = page.locator("#import-msg").inner_text()
            assert needle in msg and "Nothing was changed" in msg, msg
            assert page.evaluate("window.coterm.grouping()") == before
        good = '# layer: ltla-2024\nnew_unit,member_code\n"Norfolk, West",E07000143\n"Norfolk, West",E07000146\n'
        page.evaluate("([t, n]) => window.coterm.importText(t, n)", [good, "good.csv"])
        assert [g["members"] for g in page.evaluate("window.coterm.grouping()")] == [["E07000143", "E07000146"]]
        assert not log["console"] and not log["pageerrors"]


def test_grouping_survives_in_the_link(page_file):
    data, path = page_file
    with offline_page() as (page, log):
        page.goto(path.as_uri())
        page.locator('path[data-code="E07000143"]').dispatch_event("click")
        page.locator('path[data-code="E07000146"]').dispatch_event("click")
        url = page.url
        assert "#g=" in url
        page.goto("about:blank")
        page.goto(url)
        assert [g["members"] for g in page.evaluate("window.coterm.grouping()")] == [["E07000143", "E07000146"]]
        page.evaluate("document.getElementById('undo').click()")
        assert [g["members"] for g in page.evaluate("window.coterm.grouping()")] == [["E07000143", "E07000146"]]  # nothing to undo after a reload
