"""QGIS-ready GeoPackages: the layer_styles rows read back (QML and SLD), and QGIS itself opening and drawing the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from conftest import X0, Y0

ROOT = Path(__file__).resolve().parents[1]
SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


def palette():
    from coterm.maps import style

    return dict(style.CLASS_COLOURS), style.OUTLINE_COLOUR


@pytest.fixture(scope="module")
def compare_out(tmp_path_factory):
    """``coterm compare districts.gpkg health.gpkg --by area --out out`` on the drawn strip (D1 cut in half by H1|H2).

    Made once per test session (tests/shared_once.py); the tests only read it.
    """
    from shared_once import built_once

    def build(d):
        from cli_inprocess import run_here
        from conftest import gdf, square

        gdf([(f"D{i}", f"District {i}", square(X0 + 1000 * i, Y0, 1000, 2000)) for i in range(4)]).to_file(d / "districts.gpkg")
        gdf([("H1", "Health 1", square(X0, Y0, 1500, 2000)), ("H2", "Health 2", square(X0 + 1500, Y0, 2500, 2000))]).to_file(d / "health.gpkg")
        args = ("compare", d / "districts.gpkg", d / "health.gpkg", "--by", "area", "--out")
        p = run_here(*args, d / "out")  # the CLI's main() in this process ...
        assert p.returncode == 0, p.stderr
        p = subprocess.run([sys.executable, "-m", "coterm", *map(str, args), str(d / "again")], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr  # ... and a real one: the rerun test compares their GeoPackages byte for byte

    return built_once(tmp_path_factory, "qgis-compare", build)


def _styles(path):
    from coterm.qgis_styles import read_layer_styles

    return read_layer_styles(path).set_index("f_table_name")


def _qml_colours(qml: str) -> tuple[ET.Element, dict]:
    root = ET.fromstring(qml.split("\n", 1)[1])  # past the DOCTYPE line
    r = root.find("renderer-v2")
    symbols = {}
    for sym in r.iter("symbol"):
        opts = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        symbols[sym.get("name")] = opts
    return root, symbols


def _hex(rgba: str) -> str:
    r, g, b, _ = (int(v) for v in rgba.split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def test_compare_out_writes_a_geopackage_with_one_default_style_row_per_layer(compare_out):
    import pyogrio

    gpkg = compare_out / "out" / "units.gpkg"
    layers = [n for n, _ in pyogrio.list_layers(gpkg)]
    assert layers == ["districts", "health", "layer_styles"]
    st = _styles(gpkg)
    assert sorted(st.index) == ["districts", "health"] and st["useAsDefault"].all()
    for table in ("districts", "health"):
        assert st.loc[table, "f_geometry_column"] == pyogrio.read_info(gpkg, layer=table)["geometry_name"]


def test_the_units_are_filled_by_class_with_the_maps_palette_and_labelled_by_name(compare_out):
    colours, _ = palette()
    root, symbols = _qml_colours(_styles(compare_out / "out" / "units.gpkg").loc["districts", "styleQML"])
    r = root.find("renderer-v2")
    assert r.get("type") == "categorizedSymbol" and r.get("attr") == "class"
    cats = {c.get("value"): _hex(symbols[c.get("symbol")]["color"]) for c in r.iter("category")}
    assert cats == colours  # every class, the maps' colour
    labels = {c.get("value"): c.get("label") for c in r.iter("category")}
    assert labels["nested"] == "nested (3)" and labels["split"] == "split (1)" and labels["coterminous"] == "coterminous (0)"
    assert root.get("labelsEnabled") == "1" and root.find("labeling/settings/text-style").get("fieldName") == "name"


def test_the_other_layer_is_drawn_as_outlines_only(compare_out):
    _, outline = palette()
    root, symbols = _qml_colours(_styles(compare_out / "out" / "units.gpkg").loc["health", "styleQML"])
    assert root.find("renderer-v2").get("type") == "singleSymbol"
    (sym,) = symbols.values()
    assert sym["style"] == "no" and _hex(sym["outline_color"]) == outline
    assert root.find("labeling/settings/text-style").get("fieldName") == "name"


def test_the_sld_has_one_rule_per_class_with_the_same_colours(compare_out):
    colours, outline = palette()
    st = _styles(compare_out / "out" / "units.gpkg")
    root = ET.fromstring(st.loc["districts", "styleSLD"].encode())
    rules = {}
    for rule in root.iter(f"{SE}Rule"):
        lit = rule.find(f".//{OGC}Literal")
        fill = rule.find(f".//{SE}PolygonSymbolizer/{SE}Fill/{SE}SvgParameter[@name='fill']")
        if lit is not None:
            assert rule.find(f".//{OGC}PropertyName").text == "class"
            rules[lit.text] = fill.text
    assert rules == colours
    assert root.find(f".//{SE}TextSymbolizer/{SE}Label/{OGC}PropertyName").text == "name"
    other = ET.fromstring(st.loc["health", "styleSLD"].encode())
    assert other.find(f".//{SE}PolygonSymbolizer/{SE}Fill") is None
    assert other.find(f".//{SE}Stroke/{SE}SvgParameter[@name='stroke']").text == outline


def test_the_geopackage_classes_are_those_of_units_csv_and_reruns_are_byte_identical(compare_out):
    import pyogrio

    gpkg = compare_out / "out" / "units.gpkg"
    units = pd.read_csv(compare_out / "out" / "units.csv", dtype=str)
    for table in ("districts", "health"):
        g = pyogrio.read_dataframe(gpkg, layer=table)
        want = units[units["layer"] == table].set_index("code")["class"]
        assert dict(zip(g["code"], g["class"])) == want.to_dict()
    assert g.crs.to_epsg() == 27700
    assert gpkg.read_bytes() == (compare_out / "again" / "units.gpkg").read_bytes()


def test_add_layer_styles_styles_any_class_column_for_the_demo_layout(tmp_path):
    import geopandas as gpd
    from shapely import box

    from coterm.qgis_styles import LayerStyle, add_layer_styles

    path = tmp_path / "coterm_units.gpkg"
    gpd.GeoDataFrame({"code": ["X"], "name": ["X"], "class_vs_icb-2022": ["nested"]}, geometry=[box(0, 0, 1, 1)],
                     crs=27700).to_file(path, layer="ltla-2021")
    add_layer_styles(path, [LayerStyle(table="ltla-2021", class_column="class_vs_icb-2022")])
    add_layer_styles(path, [LayerStyle(table="ltla-2021", class_column="class_vs_icb-2022")])  # replaced, not doubled
    st = _styles(path)
    assert list(st.index) == ["ltla-2021"]
    root, _ = _qml_colours(st.loc["ltla-2021", "styleQML"])
    assert root.find("renderer-v2").get("attr") == "class_vs_icb-2022"


# --- QGIS itself -----------------------------------------------------------------------------------------

SYSTEM_PYTHON = "/usr/bin/python3"


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


def _blend(hex_colour: str, alpha: float = 0.85) -> tuple[int, ...]:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(alpha * c + (1 - alpha) * 255) for c in rgb)


def test_qgis_opens_the_geopackage_with_its_styles_and_draws_the_classes_in_the_maps_colours(compare_out, tmp_path):
    if not _qgis_available():
        msg = "Debian's QGIS (python3-qgis) is not installed: run `make qgis`"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    colours, outline = palette()
    gpkg = tmp_path / "units.gpkg"
    shutil.copy(compare_out / "out" / "units.gpkg", gpkg)  # QGIS may touch the file it opens
    # sample inside D0 (nested) and D1 (split), away from the labels at the centres
    pixels = f"{X0 + 150},{Y0 + 300};{X0 + 1150},{Y0 + 300}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    p = subprocess.run([SYSTEM_PYTHON, ROOT / "tests" / "qgis_render.py", gpkg, "districts", "health", "--pixels", pixels,
                        "--project", tmp_path / "units.qgs"], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    seen = json.loads(p.stdout.strip().splitlines()[-1])
    d, h = seen["districts"], seen["health"]
    assert d["valid"] and d["renderer"] == "categorizedSymbol" and d["attr"] == "class" and d["categories"] == colours
    assert d["labels"] and d["label_field"] == "name"
    assert h["renderer"] == "singleSymbol" and h["outline"] == outline and h["fill_alpha"] == 0 and h["label_field"] == "name"
    for got, cls in zip(seen["pixels"], ("nested", "split")):
        rgb = tuple(int(got[i:i + 2], 16) for i in (1, 3, 5))
        assert max(abs(a - b) for a, b in zip(rgb, _blend(colours[cls]))) <= 3, (cls, got, colours[cls])
    # and once through qgis_process: render the project QGIS made from the GeoPackage to a GeoTIFF, 10 m pixels
    assert seen["project"]
    exe = "/usr/bin/qgis_process.bin" if Path("/usr/bin/qgis_process.bin").exists() else shutil.which("qgis_process")
    tif = tmp_path / "render.tif"
    r = subprocess.run([exe, "run", "native:rasterize", f"--PROJECT_PATH={tmp_path / 'units.qgs'}", "--", "LAYERS=districts",
                        f"EXTENT={X0},{X0 + 4000},{Y0},{Y0 + 2000} [EPSG:27700]", "MAP_UNITS_PER_PIXEL=10", "TILE_SIZE=512",
                        "MAKE_BACKGROUND_TRANSPARENT=false", f"OUTPUT={tif}"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and tif.exists(), r.stdout[-1000:] + r.stderr[-1000:]
    read = ("import sys, json; from osgeo import gdal; a = gdal.Open(sys.argv[1]).ReadAsArray(); "
            "print(json.dumps([a[:, 170, 15].tolist(), a[:, 170, 115].tolist(), a[:, 170, 315].tolist()]))")
    px = json.loads(subprocess.run([SYSTEM_PYTHON, "-c", read, tif], capture_output=True, text=True, check=True).stdout)
    for got, cls in zip(px, ("nested", "split", "nested")):  # D0, D1, D3
        assert max(abs(a - b) for a, b in zip(got, _blend(colours[cls]))) <= 3, (cls, got, colours[cls])


def test_the_demo_geopackage_opens_each_council_layer_filled_by_its_first_comparison(quick_demo):
    import pyogrio

    gpkg = quick_demo / "coterm_units.gpkg"  # conftest's `coterm demo --quick`, shared with test_demo
    from coterm.qgis_styles import read_layer_styles

    st = read_layer_styles(gpkg)
    tables = [n for n, g in pyogrio.list_layers(gpkg) if g]
    assert sorted(st.loc[st["useAsDefault"], "f_table_name"]) == sorted(tables)  # one default style per layer
    table = sorted(tables)[0]  # the demo's councils (ltla-2024 leads since the 2024-28 catalogue)
    df = pyogrio.read_dataframe(gpkg, layer=table)
    class_cols = [c for c in df.columns if c.startswith("class_vs_")]
    assert class_cols, df.columns
    row = st[(st["f_table_name"] == table) & st["useAsDefault"]].iloc[0]
    root, _ = _qml_colours(row["styleQML"])
    assert root.find("renderer-v2").get("attr") == class_cols[0]  # filled by its first comparison
    labels = {c.get("value"): c.get("label") for c in root.iter("category")}
    for cls in ("split", "nested", "outside"):
        assert labels[cls] == f"{cls} ({int((df[class_cols[0]] == cls).sum())})"
    assert set(st.loc[st["f_table_name"] == table, "styleName"]) >= {f"{table} {c}" for c in class_cols}
