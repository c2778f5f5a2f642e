"""The command line from a user's seat: real subprocesses, real outputs, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

COTERM = [sys.executable, "-m", "coterm"]


def run(*args, cwd=None, check=True):
    p = subprocess.run([*COTERM, *map(str, args)], capture_output=True, text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})
    if check and p.returncode != 0:
        raise AssertionError(f"coterm {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


def test_layers_json_lists_at_least_twenty_real_layers_across_all_five_body_families_with_attribution(tmp_path):
    # run from another folder: the catalogue travels with the installed package
    out = json.loads(run("layers", "--json", cwd=tmp_path).stdout)
    assert len(out) >= 20
    fams = {e["family"] for e in out}
    assert {"council", "health", "police", "fire", "resilience"} <= fams
    for e in out:
        assert e["features"] > 0, e["id"]
        assert "Open Government Licence" in e["attribution"], e["id"]
        assert "<a href=" in e["attribution_html"], e["id"]


def test_layers_can_be_filtered_by_family():
    out = json.loads(run("layers", "--family", "police", "--json").stdout)
    assert {e["id"] for e in out} >= {"pfa-2020", "csp-2019"} and {e["family"] for e in out} == {"police"}


def test_show_describes_a_layer_with_its_provenance_crs_and_examples():
    info = json.loads(run("show", "icb-2022", "--json").stdout)
    assert info["units"] == 42 and info["crs"] == "EPSG:27700"
    assert info["entry"]["atoms"]["base"] == "lsoa-2011"
    assert len(info["examples"]) == 5


def test_compare_json_has_the_documented_keys_and_the_lookup_truth():
    d = json.loads(run("compare", "ltla-2021", "icb-2022", "--json").stdout)
    assert {"a", "b", "mode", "by", "weight", "a_to_b", "b_to_a", "indices"} <= set(d)
    assert d["mode"] == "atoms" and d["by"] == d["weight"] == "population"
    for key in ("a_to_b", "b_to_a"):
        assert {"units", "coterminous", "nested", "contains", "split", "coterminosity_rate", "alignment_rate"} <= set(d[key])
    assert d["a_to_b"]["split"] == 12 and d["a_to_b"]["nested"] + d["a_to_b"]["coterminous"] == 297


def test_compare_writes_units_pairs_slivers_and_summary_and_kept_plus_dropped_is_the_whole_intersection(tmp_path):
    out = tmp_path / "res"
    p = run("compare", "ltla-2021-buc", "ccg-2020-buc", "--mode", "geometry", "--by", "area", "--out", out)
    assert "split units of ltla-2021-buc" in p.stdout
    units = pd.read_csv(out / "units.csv", dtype={"code": str, "dominant_code": str})
    assert list(units.columns[:8]) == ["layer", "code", "name", "class", "n_partners", "dominant_code", "dominant_name", "dominant_share"]
    pairs, slivers = pd.read_csv(out / "pairs.csv"), pd.read_csv(out / "slivers.csv")
    assert len(slivers) > 100  # independently generalised BUC files: many slivers
    assert (slivers[["share_of_a", "share_of_b"]].max(axis=1) < 0.01).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["slivers"]["area_km2"] == pytest.approx(slivers.area_m2.sum() / 1e6, rel=1e-6)
    # kept + dropped = the whole intersection: A's area that B covers, to the square metre
    a_units = units[units.layer == "ltla-2021-buc"]
    covered = a_units.area_m2.sum() - summary["uncovered"]["a_area_km2"] * 1e6
    assert pairs.area_m2.sum() + slivers.area_m2.sum() == pytest.approx(covered, rel=1e-9)
    assert covered > 1.2e11  # England, ~130,000 km²
    # partners.csv lists every kept pair once from each side, with the units' shares
    partners = pd.read_csv(out / "partners.csv", dtype={"code": str, "partner_code": str})
    assert len(partners) == 2 * len(pairs)
    a_side = partners[partners.layer == "ltla-2021-buc"].merge(pairs, left_on=["code", "partner_code"], right_on=["a_code", "b_code"])
    assert len(a_side) == len(pairs) and (a_side.share - a_side.share_of_a).abs().max() < 1e-9
    split = units[(units.layer == "ltla-2021-buc") & (units["class"] == "split")]
    assert (partners[partners.code.isin(split.code) & (partners.layer == "ltla-2021-buc")].groupby("code").size() >= 2).all()


def test_compare_sensitivity_shows_class_counts_at_five_thresholds():
    d = json.loads(run("compare", "ltla-2021-buc", "ccg-2020-buc", "--sensitivity", "--json").stdout)
    assert sorted({r["min_share"] for r in d["sensitivity"]}) == [0.001, 0.005, 0.01, 0.02, 0.05]
    splits = [r["split"] for r in d["sensitivity"] if r["layer"] == "ltla-2021-buc"]
    assert splits == sorted(splits, reverse=True)  # a looser threshold never adds splits


def test_reconcile_reports_how_far_the_two_engines_agree():
    d = json.loads(run("reconcile", "ltla-2021", "icb-2022", "--json").stdout)
    assert d["agreement"] == {"ltla-2021": 1.0, "icb-2022": 1.0}  # same LSOA polygons: geometry agrees with atoms
    assert d["units"] == []


def test_reconcile_explains_a_disagreement_by_the_partners_each_engine_finds():
    from coterm.reconcile import _why

    # codes with ':' and ';' are plain dictionary keys now, not parsed out of a "code:share;..." string
    assert _why({"E:1": 0.9, "X;2": 0.1}, {"E:1": 0.97, "G,3": 0.03}) == (
        "geometry finds partner(s) G,3 (3.0%) that the lookup does not: generalised boundaries disagree; "
        "the lookup places part in X;2 (10.0%) which geometry drops as a sliver or misses")
    assert _why({"E1": 1.0}, {"E1": 1.0}) == "same partners, a partner's class differs"


def test_errors_are_one_line_with_a_non_zero_exit_and_no_traceback(tmp_path):
    p = run("compare", "ltla-2021", tmp_path / "missing.gpkg", check=False)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [f"coterm: error: {tmp_path / 'missing.gpkg'}: file not found; check the path (or use a catalogue id: `coterm layers`)"]
    p = run("show", "icb-2021", check=False)
    assert p.returncode == 2 and "did you mean icb-2026, icb-2024, icb-2022?" in p.stderr and "Traceback" not in p.stderr


def test_debug_shows_the_traceback():
    p = run("--debug", "show", "icb-2021", check=False)
    assert p.returncode != 0 and "Traceback" in p.stderr


def test_scenario_prints_before_after_and_changed_units_and_writes_its_files(tmp_path):
    p = run("scenario", "scenarios/icb-mergers-2026.toml", "--against", "ltla-2021,pfa-2020,fra-2021", "--out", tmp_path / "s",
            cwd=Path(__file__).parents[1])
    assert "against ltla-2021:" in p.stdout and "against pfa-2020:" in p.stdout and "against fra-2021:" in p.stdout
    assert "East Suffolk (district): split → nested in NHS Norfolk and Suffolk ICB" in p.stdout
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["layer"] == "icb-2022" and summary["against"] == ["ltla-2021", "pfa-2020", "fra-2021"]
    ba = pd.read_csv(tmp_path / "s" / "before_after.csv")
    row = ba[(ba.partner == "ltla-2021") & (ba.direction == "b_to_a") & (ba["index"] == "split")].iloc[0]
    assert (row.before, row.after) == (12, 4)


def test_every_shipped_scenario_passes_check():
    files = sorted(str(p) for p in (Path(__file__).parents[1] / "scenarios").glob("*.toml"))
    assert len(files) >= 8
    p = run("scenario", "check", *files)
    assert p.stdout.count(": ok (") == len(files)


def test_map_writes_an_offline_html_file_within_the_size_budget(tmp_path):
    out = tmp_path / "m.html"
    run("map", "ltla-2021", "icb-2022", "-o", out)
    html = out.read_text()
    assert out.stat().st_size <= 4_000_000
    # offline: no script, stylesheet or image is fetched from the network, and Leaflet is inlined
    assert re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html) is None
    assert "L.map(" in html or "L.map" in html
    assert "Hartlepool" in html and "NHS North East and North Cumbria Integrated Care Board" in html  # both layers' units are there


def test_help_lists_every_command():
    out = run("--help").stdout
    for cmd in ("layers", "show", "units", "compare", "reconcile", "scenario", "map", "demo"):
        assert cmd in out


def test_scenario_list_shows_the_shipped_scenarios_and_their_ids_work_from_any_folder(tmp_path):
    out = run("scenario", "list", cwd=tmp_path).stdout
    assert "icb-mergers-2026" in out and "met-bcus-2019" in out
    # the README's `scenarios/<file>` also works outside a checkout: the shipped copy is used
    p = run("scenario", "check", "scenarios/met-bcus-2019.toml", "icb-mergers-2026", cwd=tmp_path)
    assert p.stdout.count(": ok (") == 2


def test_a_c_locale_without_utf8_gets_escapes_not_a_crash(tmp_path):
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    p = subprocess.run([*COTERM, "layers"], capture_output=True, cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    assert b"ltla-2021" in p.stdout and b"Traceback" not in p.stderr
    p.stdout.decode("ascii")  # nothing the terminal cannot show
    p = subprocess.run([*COTERM, "units", "lhb-2022"], capture_output=True, cwd=tmp_path, env=env)
    assert p.returncode == 0 and b"W11000023" in p.stdout  # (click itself writes UTF-8 to an ASCII stream)
