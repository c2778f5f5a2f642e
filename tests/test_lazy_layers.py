"""Polygons are read (or dissolved, or drawn) only when something uses them, with results identical to eager loading.

Catalogue layers read codes and names first (pyarrow, no geopandas); a scenario's after-layer dissolves its
polygons, a regrouped layer builds its empty geometry and rank_options draws its SVG maps on first use. The
whole-command checks run in fresh interpreters (the test process has long imported geopandas).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ("geopandas", "shapely", "pyproj", "rich")


def _modules_after_cli(args: list[str]) -> tuple[list[str], str]:
    code = (
        "import sys, contextlib, io, json\n"
        f"sys.argv = ['coterm', *{args!r}]\n"
        "from coterm.cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n        main()\n    except SystemExit as e:\n        assert not e.code, e.code\n"
        f"print(json.dumps([sorted(m for m in {GEO!r} if m in sys.modules), out.getvalue()]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded, text = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded, text


@pytest.mark.parametrize("args, expect", [
    (["compare", "ltla-2021", "icb-2022"], "ltla-2021 → icb-2022: 309 units"),
    (["compare", "ltla-2021", "icb-2022", "--json"], '"mode": "atoms"'),
    (["scenario", "run", str(ROOT / "scenarios" / "icb-mergers-2026.toml")], "against "),
    (["options", str(ROOT / "scenarios" / "lgr-2028" / "cambridgeshire")], "rule: "),
])
def test_atom_mode_commands_never_import_the_geometry_stack(args, expect):
    loaded, text = _modules_after_cli(args)
    assert expect in text, text[:500]
    assert loaded == [], f"{args} imported {loaded}"


def test_a_catalogue_layer_reads_its_polygons_on_first_use_only():
    from coterm.layer import _catalog_frame, load_layer

    lay = load_layer("icb-2022")
    assert not lay.geometry_loaded
    codes, names, n = lay.codes.copy(), lay.names.copy(), len(lay)
    assert lay.label("E54000008") == "NHS Cheshire and Merseyside Integrated Care Board (E54000008)"
    assert not lay.geometry_loaded  # codes, names, len and labels need no geometry
    frame = lay.frame
    assert lay.geometry_loaded and lay.frame is frame  # read once
    e = lay.entry
    eager = _catalog_frame(str(lay.source), e.sha256, e.code_field, e.name_field)
    pd.testing.assert_frame_equal(frame, eager)
    assert frame.crs.to_epsg() == 27700 and frame.geometry.notna().all() and n == len(frame) == 42
    # what was served before the geometry was read is exactly the frame's index and name column
    pd.testing.assert_index_equal(codes, frame.index, exact=True)
    pd.testing.assert_series_equal(names, frame["name"], check_exact=True)


@pytest.mark.parametrize("lid", ["ltla-2021", "pfa-2020", "lsoa-2011", "utla-2021"])
def test_codes_and_names_before_loading_equal_the_eager_frame(lid):
    from coterm.layer import load_layer

    lazy = load_layer(lid)
    codes, names = lazy.codes, lazy.names
    frame = load_layer(lid).frame
    assert codes.dtype == frame.index.dtype and names.dtype == frame["name"].dtype
    pd.testing.assert_index_equal(codes, frame.index, exact=True)
    pd.testing.assert_series_equal(names, frame["name"], check_exact=True)
    assert codes.is_unique and codes.is_monotonic_increasing


def test_replace_and_pickle_keep_the_polygons_unread_and_then_read_the_same_ones():
    from coterm.layer import load_layer

    lay = load_layer("pfa-2020")
    copy = lay.replace(title="renamed")
    assert not lay.geometry_loaded and not copy.geometry_loaded and copy.title == "renamed"
    back = pickle.loads(pickle.dumps(lay))  # geometry-engine workers get layers by pickle
    assert not back.geometry_loaded
    pd.testing.assert_frame_equal(back.frame, load_layer("pfa-2020").frame)
    assert back.frame.geometry.geom_equals_exact(copy.frame.geometry, 0).all()
    assert lay.frame is copy.frame  # copies made before the read share one frame, as copies of a read layer do
    assert back.frame is not lay.frame  # an unpickled layer has its own


def _digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_compare_outputs_are_byte_identical_whether_polygons_are_read_first_or_last(tmp_path):
    from coterm import load_layer, overlap, score
    from coterm.report import write_compare_outputs

    runs = {}
    for label, eager in (("lazy", False), ("eager", True)):
        a, b = load_layer("ltla-2021"), load_layer("icb-2022")
        if eager:
            a.frame, b.frame  # noqa: B018 - read the polygons before anything else
        assert a.geometry_loaded is eager
        sc = score(overlap(a, b))
        assert a.geometry_loaded is eager  # atom-mode overlap and scores read no polygons
        write_compare_outputs(sc, tmp_path / label)
        runs[label] = _digests(tmp_path / label)
    assert set(runs["lazy"]) >= {"units.csv", "units.gpkg", "pairs.csv", "summary.json"}
    assert runs["lazy"] == runs["eager"]


def test_a_scenario_after_layer_dissolves_its_polygons_on_first_use_with_the_eager_result():
    import shapely

    from coterm.scenarios import compare_scenario
    from coterm.scenarios.apply import _dissolved_geometry, _moved_membership, _result_names
    from coterm.scenarios.find import base_layer, load_scenario

    sc = load_scenario(ROOT / "scenarios" / "icb-mergers-2026.toml")
    res = compare_scenario(sc)
    after = res.after_layer
    assert not after.geometry_loaded
    d = res.to_dict()
    assert not after.geometry_loaded  # before/after tables and JSON need no polygons
    names = after.names.copy()
    g = after.frame.geometry
    assert after.geometry_loaded and after.frame.crs.to_epsg() == 27700
    pd.testing.assert_index_equal(after.codes, names.index)
    assert g.notna().all() and shapely.is_valid(g.to_numpy()).all()
    # merges and transfers move land between units, never make or lose any: the areas add up to the base layer's
    base = base_layer(sc, None)
    assert abs(g.area.sum() - base.frame.geometry.area.sum()) <= 1e-6 * base.frame.geometry.area.sum()
    moved = _moved_membership(sc, base, check=False)
    eager = _dissolved_geometry(sc, base, names.index, moved, after.membership if moved is not None else None)
    assert all(shapely.equals_exact(eager.reindex(names.index).to_numpy(), g.reindex(names.index).to_numpy(), 0))
    assert set(_result_names(sc, base, None).index) >= set(names.index)
    assert json.dumps(res.to_dict(), sort_keys=True, default=str) == json.dumps(d, sort_keys=True, default=str)


def test_a_regrouped_layer_builds_its_empty_geometry_only_when_asked():
    from coterm import overlap

    ov = overlap("ltla-2021", "icb-2022")
    merged = ov.regroup("a", pd.Series({"E06000001": "X1", "E06000002": "X1"}), pd.Series({"X1": "Teesside"}))
    lay = merged.a
    assert not lay.geometry_loaded and lay.label("X1") == "Teesside (X1)" and len(lay) == len(ov.units_a) - 1
    assert lay.frame.geometry.isna().all() and lay.frame.crs.to_epsg() == 27700
    pd.testing.assert_index_equal(lay.codes, merged.units_a.index.rename("code"))


def test_option_maps_are_drawn_when_first_read_one_per_option():
    from coterm.decisions.options import rank_options

    r = rank_options([ROOT / "scenarios" / "lgr-2028" / "cambridgeshire"], against=["icb-2022"])
    assert "_maps" in r.__dict__ and not isinstance(r.__dict__["_maps"], dict)  # not drawn yet
    maps = r.maps
    assert isinstance(maps, dict) and r.maps is maps  # drawn once
    assert set(maps) == {(a, o) for a, o in zip(r.ranking["area"], r.ranking["option"])}
    for m in maps.values():
        assert m["shapes"] and all(s["d"].startswith("M") for s in m["shapes"])


def test_bundled_lookups_read_by_pyarrow_equal_pandas_and_odd_files_fall_back(tmp_path):
    from coterm.errors import CatalogError
    from coterm.io.tables import _read_text_csv_arrow, read_bundled_csv

    files = sorted((ROOT / "boundaries").rglob("*.csv"))
    assert len(files) >= 20
    for f in files:
        want = pd.read_csv(f, dtype=str, keep_default_na=False)
        got = _read_text_csv_arrow(f, None)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        cols = list(want.columns)[::-1]
        pd.testing.assert_frame_equal(_read_text_csv_arrow(f, cols), pd.read_csv(f, dtype=str, keep_default_na=False, usecols=cols),
                                      check_exact=True)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,a,b\n1,2,3\n", encoding="utf-8")
    assert _read_text_csv_arrow(odd, None) is None  # repeated header: pandas' own naming applies
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    assert _read_text_csv_arrow(ragged, None) is None
    blank = tmp_path / "blank.csv"
    blank.write_text("a,b\n1,\n,NA\n", encoding="utf-8")
    assert _read_text_csv_arrow(blank, None).equals(pd.read_csv(blank, dtype=str, keep_default_na=False))
    digest = hashlib.sha256(blank.read_bytes()).hexdigest()
    with pytest.raises(CatalogError, match="lacks columns 'zz'"):
        read_bundled_csv(blank, digest, columns=["zz"])


def test_bundled_parquet_tables_read_through_one_parquet_file_equal_pandas_reader():
    from coterm.io.tables import _read_parquet_frame

    files = sorted((ROOT / "boundaries").rglob("*.parquet"))
    assert len(files) >= 20
    for f in files:
        want = pd.read_parquet(f)
        pd.testing.assert_frame_equal(_read_parquet_frame(f, None), want, check_exact=True)
        cols = [c for c in want.columns if c != "geometry"][::-1][:2]
        pd.testing.assert_frame_equal(_read_parquet_frame(f, cols), pd.read_parquet(f, columns=cols), check_exact=True)
