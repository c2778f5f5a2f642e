"""Notebook objects: short reprs and HTML summaries, GeoDataFrames with structured partners, the example notebook run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import X0, Y0, drawn_layer, square

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def drawn_scores(districts, health):
    import coterm

    # D0 in H1, D1 cut in half (H1 | H2), D2 and D3 in H2: by area, the truths are hand-computed
    return coterm.score(coterm.overlap(districts, health, by="area"))


def test_the_repr_of_scores_gives_the_headline_counts_of_both_directions_and_names_the_split_units(drawn_scores):
    text = repr(drawn_scores)
    lines = text.splitlines()
    assert lines[0] == "<Scores districts × health (geometry mode, weighted by area)"
    assert lines[1] == "  districts → health: coterminous 0, nested 3, contains 0, split 1; aligned 75.0% of units, 75.0% by area"
    assert lines[2] == "  health → districts: coterminous 0, nested 0, contains 0, split 2; aligned 0.0% of units, 0.0% by area"
    assert lines[3] == "  split in districts: District 1"
    assert lines[4] == "  split in health: Health 1, Health 2>"


def test_the_repr_of_an_overlap_is_one_line_with_engine_units_and_pairs(drawn_scores):
    assert repr(drawn_scores.overlap) == ("<Overlap districts × health: geometry mode, weighted by area, min_share 0.01; "
                                          "4 × 2 units, 5 pairs kept, 0 slivers dropped>")


def test_the_html_summary_has_both_directions_and_the_split_unit_with_its_main_partner(drawn_scores):
    html = drawn_scores._repr_html_()
    assert "districts → health" in html and "health → districts" in html
    assert "District 1 (D1): 2 partners, 50.0% in Health 1" in html
    assert html.count("<tr>") == 3  # header + two directions: no frame dump


def test_reprs_stay_short_on_a_national_pair_and_never_dump_whole_frames():
    import coterm

    s = coterm.score(coterm.overlap("ltla-2021", "icb-2022"))
    text, html = repr(s), s._repr_html_()
    assert len(text.splitlines()) <= 6 and len(text) < 1500
    assert "... (12 in all)" in text or len(coterm.notebook._split_units(s, "a")) <= 10
    assert len(html) < 8000 and html.count("<li>") <= 22
    assert "Hartlepool" not in text + html  # a nested district: listed nowhere in a summary
    assert len(repr(s.overlap).splitlines()) == 1


def test_names_from_data_are_escaped_in_html_and_sanitised_in_repr():
    import coterm

    evil = '<img src=x onerror="alert(1)">'
    a = drawn_layer([("A1", evil, square(X0, Y0, 2000)), ("A2", "Bell\x1b[31m", square(X0 + 2000, Y0, 2000))], id="a")
    b = drawn_layer([("B1", "B one", square(X0 + 1000, Y0, 2000)), ("B2", "B two", square(X0 - 1000, Y0, 2000)),
                     ("B3", "B three", square(X0 + 3000, Y0, 2000))], id="b")
    s = coterm.score(coterm.overlap(a, b, by="area"))
    html = s._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "\x1b" not in repr(s) and "Bell\\x1b[31m" in repr(s)


def test_to_geodataframe_gives_partners_as_list_columns_largest_first_with_the_layer_geometry(drawn_scores, districts):
    g = drawn_scores.to_geodataframe("a")
    assert g.crs.to_epsg() == 27700 and list(g["code"]) == ["D0", "D1", "D2", "D3"]
    d1 = g.set_index("code").loc["D1"]
    assert d1["class"] == "split" and d1["partner_codes"] == ["H1", "H2"] and d1["partner_names"] == ["Health 1", "Health 2"]
    assert d1["partner_shares"] == pytest.approx([0.5, 0.5])
    assert g.geometry.area.round(3).tolist() == [2e6, 2e6, 2e6, 2e6]
    assert g.geometry.iloc[1].equals(districts.frame.geometry.loc["D1"])
    h = drawn_scores.to_geodataframe("health").set_index("code")  # by layer id
    assert h.loc["H2", "partner_codes"] == ["D2", "D3", "D1"] and h.loc["H2", "partner_shares"] == pytest.approx([0.4, 0.4, 0.2])
    with pytest.raises(ValueError, match="side must be"):
        drawn_scores.to_geodataframe("c")


def test_codes_with_colons_and_semicolons_stay_whole_in_the_partner_columns():
    import coterm

    a = drawn_layer([("A:1;x", "A", square(X0, Y0, 2000))], id="a")
    b = drawn_layer([("B:1", "B one", square(X0, Y0, 1000, 2000)), ("B;2", "B two", square(X0 + 1000, Y0, 1000, 2000))], id="b")
    g = coterm.score(coterm.overlap(a, b, by="area")).to_geodataframe("a")
    assert g.loc[0, "code"] == "A:1;x" and g.loc[0, "partner_codes"] == ["B:1", "B;2"] and g.loc[0, "class"] == "contains"


def test_explore_returns_the_map_page_of_the_scores(drawn_scores):
    from coterm.maps import MapPage

    m = drawn_scores.explore()
    assert isinstance(m, MapPage)  # shown inline by Jupyter through _repr_html_
    html = m._repr_html_()
    assert "District 1" in html and html.lstrip().startswith("<!DOCTYPE html>")


def test_a_scenario_result_prints_its_headline_and_the_units_that_changed_class():
    import coterm

    r = coterm.compare_scenario("icb-mergers-2026", against=["ltla-2021"])
    text = repr(r)
    assert text.startswith("<ScenarioResult ICB mergers, April 2026")
    assert f"{len(r.changed_units)} units changed class" in text.splitlines()[0]
    assert "  Hart (E07000089): split → nested vs ltla-2021" in text.splitlines()
    assert len(text.splitlines()) <= 14
    html = r._repr_html_()
    assert "Hart (E07000089): split → nested vs ltla-2021" in html and "<table>" in html


def test_import_coterm_stays_light():
    code = "import sys, coterm; print(sorted(m for m in ('folium', 'sqlalchemy', 'psycopg', 'geoalchemy2', 'nbclient') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def _readme_python_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Python\n.*?```python\n(.*?)```", text, re.S | re.M)
    assert m, "README has a ## Python section with a python code block"
    return [ln.strip() for ln in m.group(1).splitlines() if ln.strip()]


def test_the_example_notebook_runs_the_readme_python_quick_start_end_to_end(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="pip install 'coterm[notebook]'")
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    code = [ln.strip() for c in nb.cells if c.cell_type == "code" for ln in c.source.splitlines() if ln.strip()]
    it = iter(code)
    missing = [ln for ln in _readme_python_block() if not any(ln == x for x in it)]
    assert not missing, f"examples/quickstart.ipynb lacks (or reorders) the README's lines: {missing}"
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # the quick start names scenarios/... relative to the clone
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = {i: c.outputs for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    errors = [o for outs in outputs.values() for o in outs if o.output_type == "error"]
    assert not errors, errors
    plain = {i: "".join(o.get("data", {}).get("text/plain", "") for o in outs) for i, outs in outputs.items()}
    html = {i: "".join(o.get("data", {}).get("text/html", "") for o in outs) for i, outs in outputs.items()}
    assert any(p.startswith("<Scores ltla-2021 × icb-2022 (atoms mode") for p in plain.values()), plain
    assert any("ltla-2021 → icb-2022" in h and "<table>" in h for h in html.values())
    assert any(p.startswith("<ScenarioResult ICB mergers, April 2026") for p in plain.values())
    assert (tmp_path / "icb.html").stat().st_size > 10_000
    assert "leaflet" in list(html.values())[-1].lower()  # s.explore(): the map, inline
