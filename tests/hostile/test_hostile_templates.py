"""Data is never code: template syntax in names, codes, titles, file names and scenario names is shown, never run.

Issue 11 §1: branca compiled every rendered element script with ``jinja2.Template`` a second time, so a unit
named ``{{ 7*7 }}`` showed as ``49`` and a name reaching ``cycler.__init__.__globals__.os`` ran Python.
Pages are now one package template (autoescape) plus one JSON block that no template engine compiles.
These tests check the outcome byte-for-byte and, in the repository, that no code path can compile a
template from anything but a package file.
"""

from __future__ import annotations

import ast
import html
import json
import re
import sys
from pathlib import Path

import pytest

from conftest import X0, Y0, gdf, square
from hostile_helpers import run_here

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import browser as helpers  # noqa: E402

SRC = Path(__file__).resolve().parents[2] / "src"


def payloads(marker: Path) -> list[str]:
    """Template syntax of every kind; the last would create ``marker`` if it were ever evaluated."""
    return [
        "{{ 7*7 }}",
        "{% if 1 %}yes{% endif %}",
        "{# a comment that never ends",
        "{{ A",
        "}} {% unbalanced {{",
        "{{ self.__init__.__globals__ }}",
        f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    ]


def page_data(text: str) -> dict:
    """The page's one JSON block, parsed."""
    m = re.search(r'<script type="application/json" id="coterm-data">(.*?)</script>', text, re.S)
    assert m, "no data block"
    assert len(re.findall(r'type="application/json"', text)) == 1
    return json.loads(m.group(1))


def hostile_pair(names: list[str], a_title: str | None = None):
    from coterm.layer import make_layer

    a_rows = [(n, n, square(X0 + 1000 * i, Y0, 1000, 2000)) for i, n in enumerate(names)]  # codes = names = payloads
    b_rows = [("B1", names[0], square(X0, Y0, 1000 * len(names), 2000))]
    a = make_layer(gdf(a_rows), id="hostile-a", title=a_title or names[-1])
    b = make_layer(gdf(b_rows), id="hostile-b", title=names[1])
    return a, b


def test_template_syntax_in_codes_names_and_titles_survives_byte_for_byte_and_runs_nothing(tmp_path):
    import coterm
    from coterm import maps
    from coterm.maps.html import esc

    marker = tmp_path / "PWNED"
    names = payloads(marker)
    a, b = hostile_pair(names)
    ov = coterm.overlap(a, b, by="area", mode="geometry")
    page = maps.coterminosity_map(ov, None, title=names[0] + " " + names[-1])
    text = maps.render_html(page)
    data = page_data(text)
    assert not marker.exists()
    assert data["title"] == names[0] + " " + names[-1]
    feats = {f["properties"]["c"]: f["properties"] for lay in data["layers"] for f in lay["features"] if lay["role"] == "a"}
    assert sorted(feats) == sorted(names)
    for n in names:
        assert feats[n]["n"] == n  # raw name, shown by the page with textContent
        assert feats[n]["s"] == names[-1]
        assert f"<b>{esc(n)}</b> <small>{esc(n)}</small>" in feats[n]["t"]  # escaped once, never evaluated
    layer_names = [html.unescape(lay["name_html"]) for lay in data["layers"]]
    assert layer_names == [f"{names[-1]}: class against {names[1]}", f"{names[1]}: boundaries"]
    # the page title is the text itself, escaped once
    assert f"<title>{esc(names[0] + ' ' + names[-1])}</title>" in text


def test_template_syntax_in_scenario_and_merge_names_survives_and_runs_nothing(tmp_path):
    from coterm import maps
    from coterm.maps.html import esc

    marker = tmp_path / "PWNED"
    evil = payloads(marker)
    res = helpers.synthetic_scenario(name=evil[-1], merged=evil[0], folder=tmp_path)
    text = maps.render_html(maps.scenario_map(res))
    assert not marker.exists()
    data = page_data(text)
    assert data["title"].startswith(evil[-1] + ": ")
    merged = [f["properties"] for lay in data["layers"] if lay["role"] == "after-a" for f in lay["features"]
              if f["properties"]["c"] == "BX"]
    assert merged and merged[0]["n"] == evil[0]
    assert f"Changed by {esc(evil[-1])} (" in data["changes"]


def test_a_file_named_with_template_syntax_maps_from_the_cli_and_runs_nothing(tmp_path):
    marker = tmp_path / "PWNED"
    evil = payloads(marker)
    rows = [("E1", evil[0], square(X0, Y0, 1000)), ("E2", evil[-1], square(X0 + 1000, Y0, 1000))]
    fa = tmp_path / "{{ 7*7 }} {% raw %}.geojson"
    gdf(rows).to_file(fa)
    fb = tmp_path / "b.geojson"
    gdf([("B1", "{{ A", square(X0, Y0, 2000, 1000))]).to_file(fb)
    out = tmp_path / "out.html"
    res = run_here("map", fa, fb, "--mode", "geometry", "--by", "area", "-o", out)
    assert res.returncode == 0, res.stderr
    assert not marker.exists()
    data = page_data(out.read_text(encoding="utf-8"))
    names = sorted(f["properties"]["n"] for lay in data["layers"] for f in lay["features"])
    assert names == sorted([evil[0], evil[-1], "{{ A"])
    assert "{{ 7*7 }} {% raw %}" in data["title"]


def test_hostile_names_run_nothing_in_chromium(tmp_path):
    import coterm
    from coterm import maps

    from test_maps_browser import _require_browser

    _require_browser()
    marker = tmp_path / "PWNED"
    names = payloads(marker)
    a, b = hostile_pair(names, a_title=names[3])  # a short title: the long one would fill the legend box
    page = maps.coterminosity_map(coterm.overlap(a, b, by="area", mode="geometry"), None, title=names[0])
    path = maps.save_map(page, tmp_path / "hostile.html")
    with helpers.offline_page() as (pg, log):
        pg.goto(path.as_uri())
        pg.wait_for_function("window.cotermMap && cotermMap.ready")
        assert pg.title() == names[0]
        assert pg.locator(".ct-title-main").inner_text() == names[0]
        for code in names:
            pt = pg.evaluate("([c]) => cotermMap.pointOf(c, 'a', 0.5, 0.5)", [code])
            pg.mouse.move(1, 400)
            pg.mouse.move(pt["x"], pt["y"])
            pg.wait_for_function("([c]) => [...document.querySelectorAll('.leaflet-tooltip')].some(t => t.innerText.includes(c))",
                                 arg=[code], timeout=5000)
        pg.screenshot(path=str(helpers.artifacts_dir() / "hostile-templates.png"))
        assert log["pageerrors"] == [] and log["console"] == [] and log["requests"] == []
    assert not marker.exists()


# --- the repository: no template compiled from anything but package files --------------------------

FORBIDDEN_CALLS = {"Template", "from_string", "Element", "MacroElement", "DictLoader", "FunctionLoader", "BaseLoader",
                   "compile_expression", "FileSystemLoader"}
FORBIDDEN_IMPORTS = ("branca", "folium", "jinja2.Template")


def template_violations(source: str, name: str = "<src>") -> list[str]:
    """Every way ``source`` could compile a template from data: calls and imports listed above, and any
    ``jinja2.Environment(...)`` without ``loader=PackageLoader(...)`` and ``autoescape=True``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            fn = node.func
            called = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if called in FORBIDDEN_CALLS:
                out.append(f"{name}:{node.lineno}: call to {called}")
            if called == "Environment":
                kw = {k.arg: k.value for k in node.keywords}
                loader = kw.get("loader")
                loader_ok = isinstance(loader, ast.Call) and getattr(loader.func, "attr", getattr(loader.func, "id", "")) == "PackageLoader"
                auto = kw.get("autoescape")
                if not loader_ok or not (isinstance(auto, ast.Constant) and auto.value is True):
                    out.append(f"{name}:{node.lineno}: Environment without PackageLoader and autoescape=True")
        elif isinstance(node, ast.Import):
            out += [f"{name}:{node.lineno}: import {a.name}" for a in node.names if a.name.startswith(FORBIDDEN_IMPORTS)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(("branca", "folium")):
                out.append(f"{name}:{node.lineno}: from {node.module} import")
            if node.module == "jinja2" and any(a.name in FORBIDDEN_CALLS for a in node.names):
                out.append(f"{name}:{node.lineno}: from jinja2 import {', '.join(a.name for a in node.names)}")
    return out


def test_the_scanner_catches_every_way_to_compile_a_template_from_data():
    bad = [
        "import jinja2\njinja2.Template(name).render()",
        "from jinja2 import Template\n",
        "env.from_string(s)",
        "from branca.element import Element\nElement(f'<b>{x}</b>')",
        "import folium\n",
        "import jinja2\njinja2.Environment(loader=jinja2.DictLoader({'x': s}), autoescape=True)",
        "import jinja2\njinja2.Environment(loader=jinja2.PackageLoader('coterm.maps'))",
    ]
    for snippet in bad:
        assert template_violations(snippet), snippet
    good = "import jinja2\njinja2.Environment(loader=jinja2.PackageLoader('coterm.maps', 'templates'), autoescape=True)"
    assert template_violations(good) == []


def test_no_module_in_src_can_compile_a_template_from_data():
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20
    problems = [v for f in files for v in template_violations(f.read_text(encoding="utf-8"), str(f.relative_to(SRC)))]
    assert problems == []


def test_templates_come_only_from_package_template_folders():
    templates = sorted(p.relative_to(SRC) for p in SRC.rglob("*.j2"))
    assert templates, "no package templates found"
    assert all(p.parent.name == "templates" for p in templates)


def test_the_demo_index_puts_the_catalogue_attribution_through_the_one_sanitiser(monkeypatch):
    from types import SimpleNamespace

    import coterm.catalog
    from coterm.demo import page as demo_page
    from coterm.demo import quick_plan
    from coterm.maps.html import safe_attribution

    evil = ('Contains OS data &copy; Crown copyright <a href="https://www.ons.gov.uk/">ONS</a>'
            '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>')
    real = coterm.catalog.catalog()
    fake = SimpleNamespace(attribution_html=evil, **{k: getattr(real, k) for k in dir(real) if not k.startswith("__") and k != "attribution_html"})
    monkeypatch.setattr(coterm.catalog, "catalog", lambda: fake)
    out = demo_page._attribution(quick_plan())
    assert out.startswith(f"<p>{safe_attribution(evil)}</p>")
    assert '<a href="https://www.ons.gov.uk/" target="_blank" rel="noopener noreferrer">ONS</a>' in out
    for bad in ("<img", "<script", "javascript:"):
        assert bad not in out
