"""`coterm demo --quick`: the landing page, its links, its numbers and how it renders offline."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from browser import chromium_available, offline_page
from cli_inprocess import run_here  # the CLI's main() in this process, for commands whose output is checked


@pytest.fixture(scope="module")
def demo_dir(quick_demo) -> Path:
    # conftest's one quick demo per test session (test_qgis_styles reads its GeoPackage too); these tests only read it
    return quick_demo


def _tree_digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_index_exists_with_matrix_story_scenarios_and_attribution(demo_dir):
    html = (demo_dir / "index.html").read_text()
    for heading in ("Councils against each body", "The story over time", "Scenarios: what would these mergers do?",
                    "Councils split most often", "Open Government Licence", "How this was measured"):
        assert heading in html
    # plain English first: the lead sentence names councils and people, and the basis names its source and year
    assert re.search(r"\d+ of \d+ district councils in the area the ICBs cover straddle two or more ICBs", html)
    assert "ONS Census 2021" in html


def test_every_link_in_the_index_resolves_to_a_file_that_exists(demo_dir):
    html = (demo_dir / "index.html").read_text()
    links = re.findall(r'href="([^"#]+)"', html)
    local = [l for l in links if not l.startswith(("http://", "https://"))]
    assert len(local) >= 8
    for link in local:
        assert (demo_dir / link).is_file(), link


def test_the_matrix_values_equal_what_compare_gives_for_the_same_pairs(demo_dir):
    matrix = pd.read_csv(demo_dir / "tables" / "matrix.csv")
    assert len(matrix) >= 2
    for r in matrix.itertuples():
        p = run_here("compare", r.council_layer, r.body_layer, "--json")
        assert p.returncode == 0, p.stderr
        d = json.loads(p.stdout)
        assert r.council_alignment == pytest.approx(d["a_to_b"]["alignment_rate"]["population"])
        assert r.body_alignment == pytest.approx(d["b_to_a"]["alignment_rate"]["population"])
        assert r.council_coterminosity == pytest.approx(d["a_to_b"]["coterminosity_rate"]["population"])
        assert r.councils_split == d["a_to_b"]["split"]


def test_the_units_geopackage_opens_with_one_layer_per_council_layer(demo_dir):
    import pyogrio

    layers = dict(pyogrio.list_layers(demo_dir / "coterm_units.gpkg"))
    assert "ltla-2024" in layers  # the quick demo leads with current councils against ICBs of April 2026
    df = pyogrio.read_dataframe(demo_dir / "coterm_units.gpkg", layer="ltla-2024")
    assert len(df) == 318 and "class_vs_icb-2026" in df.columns
    assert (df["class_vs_icb-2026"] == "split").sum() == 2 and (df["class_vs_icb-2026"] == "minor split").sum() == 4


def test_councils_split_most_often_counts_only_real_splits_of_current_councils(demo_dir):
    b = pd.read_csv(demo_dir / "tables" / "breakers.csv", dtype={"code": str})
    u = pd.read_csv(demo_dir / "tables" / "units__ltla-2024__icb-2026.csv", dtype={"code": str})
    real = set(u[(u.side == "a") & (u["class"] == "split")].code)
    assert set(b.code) == real and len(real) == 2
    assert set(b.name) == {"North Yorkshire", "Westmorland and Furness"}  # councils of 2023, not the abolished ones
    row = b.set_index("code").loc["E06000065"]
    unit = u[(u.side == "a") & (u.code == "E06000065")].iloc[0]
    assert row.people_outside_main == round(unit.population * (1 - unit.dominant_share))


def test_each_map_links_back_to_the_index(demo_dir):
    for page in sorted((demo_dir / "pairs").glob("*.html")) + sorted((demo_dir / "scenarios").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert '"back":{"href":"../index.html","text":"All maps and tables"}' in text, page


def test_a_rerun_gives_byte_identical_outputs_in_another_hash_seed(demo_dir, tmp_path):
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    p = subprocess.run([sys.executable, "-m", "coterm", "demo", "--quick", "--out", str(out)], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert _tree_digest(out) == _tree_digest(demo_dir)


def test_an_interrupted_run_leaves_the_previous_complete_output(demo_dir, tmp_path):
    import shutil

    out = tmp_path / "maps"
    shutil.copytree(demo_dir, out)
    before = _tree_digest(out)
    # SIGINT as from a terminal, even when the suite was started in the background (where the shell ignores it)
    proc = subprocess.Popen([sys.executable, "-m", "coterm", "demo", "--quick", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".maps")] and time.time() < deadline:
        time.sleep(0.05)  # wait until the run has started writing its temporary folder
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert _tree_digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".maps")]  # no temporary folder left behind


@pytest.mark.browser
def test_the_index_renders_offline_in_chromium_without_console_errors(demo_dir, artifacts):
    if not chromium_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is missing under CI (make test installs it)")
        pytest.skip("chromium not installed")
    with offline_page(width=1300, height=1600) as (page, log):
        page.goto((demo_dir / "index.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator("table").count() >= 3
        page.screenshot(path=str(artifacts / "demo_index.png"), full_page=True)
    assert log["console"] == [] and log["pageerrors"] == [] and log["requests"] == []


@pytest.mark.browser
def test_the_index_has_no_sideways_scroll_on_a_phone(demo_dir, artifacts):
    if not chromium_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is missing under CI (make test installs it)")
        pytest.skip("chromium not installed")
    with offline_page(width=390, height=844) as (page, log):
        page.goto((demo_dir / "index.html").as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "demo_index_phone.png"), full_page=True)
    assert log["console"] == [] and log["pageerrors"] == [] and log["requests"] == []
