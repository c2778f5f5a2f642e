"""Hostile codes and names: duplicates and nulls refused, codes kept verbatim, names round-trip exactly and never run."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import coterm
from coterm.errors import CodeError, DataFileError
from conftest import X0, Y0, square
from hostile_helpers import ROWS, cli_error, run_here, write_layer

GEOM = ("--mode", "geometry", "--by", "area")

HOSTILE_NAMES = [
    '<img src=x onerror=alert(1)>',
    "<script>alert('x')</script>",
    "${alert(1)}",
    "`rm -rf /`",
    'He said "hi", then \'bye\'',
    "back\\slash\\",
    "comma, semicolon; colon: pipe|",
    "Ynys Môn / Sir Ddinbych – ‘Cymru’",
    "القاهرة الكبرى",  # right-to-left
    "שלום\u202eevil\u202c",  # with a right-to-left override
    "北京市 🏙️ emoji",
    "x" * 5000,  # very long
    "=HYPERLINK(\"http://x\")",
    "</script><script>alert(2)</script>",
    "trailing space ",
]


def hostile_layer_files(tmp_path):
    """A: 15 units named with the hostile names; B: two halves whose names are hostile too."""
    a_rows = [(f"U{i:02d}", name, square(X0 + 1000 * i, Y0, 1000)) for i, name in enumerate(HOSTILE_NAMES)]
    half = 1000 * len(HOSTILE_NAMES) / 2
    b_rows = [("W", HOSTILE_NAMES[0], square(X0, Y0, half, 1000)), ("E", HOSTILE_NAMES[2], square(X0 + half, Y0, half, 1000))]
    return write_layer(a_rows, tmp_path / "a.gpkg", driver="GPKG"), write_layer(b_rows, tmp_path / "b.parquet")


# --- codes -------------------------------------------------------------------------------------------


def test_duplicate_codes_are_refused_listing_them(tmp_path):
    p = write_layer([*ROWS, ("E2", "Beta again", square(X0, Y0 + 5000, 100)), ("E3", "Gamma again", square(X0, Y0 + 6000, 100))],
                    tmp_path / "dups.gpkg", driver="GPKG")
    with pytest.raises(CodeError, match=r"dups\.gpkg: duplicate unit codes in column 'code': E2, E3 \(2 code\(s\)\); each unit needs a unique code"):
        coterm.load_layer(p)
    cli_error(run_here("compare", p, p, *GEOM), "dups.gpkg: duplicate unit codes in column 'code': E2, E3")


def test_codes_that_differ_only_by_surrounding_spaces_are_duplicates(tmp_path):
    p = write_layer([("E1", "a", square(X0, Y0, 10)), (" E1 ", "b", square(X0 + 10, Y0, 10))], tmp_path / "spaces.parquet")
    with pytest.raises(CodeError, match=r"duplicate unit codes in column 'code': E1 "):
        coterm.load_layer(p)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_null_or_blank_codes_are_refused_naming_the_feature_rows(tmp_path, blank):
    p = write_layer([ROWS[0], ("E2", "Beta", ROWS[1][2]), (blank, "Nobody", ROWS[2][2])], tmp_path / "nulls.gpkg", driver="GPKG")
    with pytest.raises(CodeError, match=r"nulls\.gpkg: 1 unit\(s\) have no code in column 'code' \(feature rows 3\); give every unit a code"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "nulls.gpkg: 1 unit(s) have no code in column 'code' (feature rows 3)")


CRS_MEMBER = '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}, '


def _feature(code_json: str, x: float):
    ring = [[x, Y0], [x + 1000, Y0], [x + 1000, Y0 + 1000], [x, Y0 + 1000], [x, Y0]]
    return '{"type": "Feature", "properties": {"code": %s, "name": "n"}, "geometry": {"type": "Polygon", "coordinates": %s}}' % (
        code_json, json.dumps([ring]))


def test_string_codes_keep_their_leading_zeros_from_file_to_outputs(tmp_path):
    p = tmp_path / "zeros.geojson"
    p.write_text('{"type": "FeatureCollection", %s"features": [%s, %s]}' % (CRS_MEMBER, _feature('"01234"', X0), _feature('"00007"', X0 + 1000)))
    lay = coterm.load_layer(p, crs=None)
    assert list(lay.codes) == ["00007", "01234"]
    out = tmp_path / "out"
    assert run_here("compare", p, p, *GEOM, "--out", out).returncode == 0
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert sorted(set(units["code"])) == ["00007", "01234"]
    summary = run_here("compare", p, p, *GEOM, "--json")
    assert summary.returncode == 0


def test_a_json_number_with_a_leading_zero_is_refused_rather_than_read_as_another_code(tmp_path):
    # 01234 is not a JSON number; GDAL would read it as 1234 (a different unit). coterm refuses and says how to fix it.
    p = tmp_path / "octal.geojson"
    p.write_text('{"type": "FeatureCollection", %s"features": [%s]}' % (CRS_MEMBER, _feature("01234", X0)))
    with pytest.raises(DataFileError, match=r"octal\.geojson: line 1: 'code' is the number 01234, which is not valid JSON "
                                            r"\(leading zero\) and would be read as 1234; quote it \(\"01234\"\) to keep it as a code"):
        coterm.load_layer(p)
    cli_error(run_here("show", p), "octal.geojson: line 1: 'code' is the number 01234")


def test_numeric_codes_become_their_integer_text_and_are_distinct_from_zero_padded_strings(tmp_path):
    p = tmp_path / "numbers.geojson"
    p.write_text('{"type": "FeatureCollection", %s"features": [%s, %s]}' % (CRS_MEMBER, _feature("1234", X0), _feature("7", X0 + 1000)))
    assert list(coterm.load_layer(p).codes) == ["1234", "7"]
    q = tmp_path / "floats.parquet"
    df = write_layer(ROWS[:2], q)
    import geopandas as gpd

    g = gpd.read_parquet(df)
    g["code"] = [1234.0, 7.0]
    g.to_parquet(q)
    assert list(coterm.load_layer(q).codes) == ["1234", "7"]  # never "1234.0"


def test_mixed_numeric_and_string_codes_keep_the_strings_verbatim(tmp_path):
    p = tmp_path / "mixed.geojson"
    p.write_text('{"type": "FeatureCollection", %s"features": [%s, %s]}' % (CRS_MEMBER, _feature("7", X0), _feature('"007"', X0 + 1000)))
    assert sorted(coterm.load_layer(p).codes) == ["007", "7"]


# --- names -------------------------------------------------------------------------------------------


def test_hostile_names_round_trip_exactly_through_csv_and_json_outputs(tmp_path):
    a, b = hostile_layer_files(tmp_path)
    out = tmp_path / "out"
    res = run_here("compare", a, b, *GEOM, "--out", out)
    assert res.returncode == 0, res.stderr
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    got = dict(zip(units.loc[units.layer == "a", "code"], units.loc[units.layer == "a", "name"]))
    # people's CSVs are formula-safe by default: only the formula-leading name changes (a leading ')
    assert got == {f"U{i:02d}": ("'" + name if name.startswith("=") else name) for i, name in enumerate(HOSTILE_NAMES)}
    exact = tmp_path / "exact"
    assert run_here("compare", a, b, *GEOM, "--out", exact, "--exact-csv").returncode == 0
    units = pd.read_csv(exact / "units.csv", dtype=str, keep_default_na=False)
    got = dict(zip(units.loc[units.layer == "a", "code"], units.loc[units.layer == "a", "name"]))
    assert got == {f"U{i:02d}": name for i, name in enumerate(HOSTILE_NAMES)}
    pairs = pd.read_csv(exact / "pairs.csv", dtype=str, keep_default_na=False)
    assert set(pairs["b_name"]) == {HOSTILE_NAMES[0], HOSTILE_NAMES[2]}
    assert dict(zip(pairs["a_code"], pairs["a_name"]))["U13"] == HOSTILE_NAMES[13]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["a_to_b"]["units"] == len(HOSTILE_NAMES)
    js = json.loads(run_here("compare", a, b, *GEOM, "--json").stdout)
    assert js["a"] == "a" and js["b"] == "b"


def test_hostile_names_in_cli_text_output_are_printed_as_text_not_interpreted(tmp_path):
    a, b = hostile_layer_files(tmp_path)
    res = run_here("compare", b, a, *GEOM)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    out = res.stdout
    assert HOSTILE_NAMES[0] in out and HOSTILE_NAMES[2] in out  # split units of b are listed by name, verbatim
    show = run_here("show", a, "--json")
    assert json.loads(show.stdout)["examples"][0]["name"] == HOSTILE_NAMES[0]


def test_control_characters_in_names_cannot_forge_lines_in_cli_text_output(tmp_path):
    forged = "Evil\ncoterm: error: forged line\x1b[2J"
    a = write_layer([("U1", "Fine", square(X0, Y0, 1000, 1000)), ("U2", forged, square(X0 + 1000, Y0, 1000, 1000))], tmp_path / "a.parquet")
    b = write_layer([("W", "West\x1b[31m", square(X0, Y0, 1500, 1000)), ("E", "East", square(X0 + 1500, Y0, 500, 1000))], tmp_path / "b.parquet")
    res = run_here("compare", a, b, *GEOM)
    assert res.returncode == 0, res.stderr
    assert "\x1b" not in res.stdout
    assert not any(line.startswith("coterm: error: forged") for line in res.stdout.splitlines())
    assert "  West\\x1b[31m (W) [split]: Fine 66.7%, Evil\\x0acoterm: error: forged line\\x1b[2J 33.3%" in res.stdout.splitlines()
    show = run_here("show", a)
    assert "\x1b" not in show.stdout and "U2 Evil\\x0acoterm" in show.stdout
    # the data files still hold the exact name
    out = tmp_path / "out"
    run_here("compare", a, b, *GEOM, "--out", out)
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert units.set_index("code").loc["U2", "name"] == forged


def test_hostile_names_in_a_map_are_escaped_everywhere(tmp_path):
    pytest.importorskip("folium")
    from coterm.maps import coterminosity_map, render_html

    a, b = hostile_layer_files(tmp_path)
    html = render_html(coterminosity_map(a, b, by="area", mode="geometry"))
    for payload in ("<img src=x onerror", "<script>alert(", "</script><script>alert(2)", "${alert(1)}", "`rm -rf /`"):
        assert payload not in html, payload
    # the names are there, escaped (HTML entities or JSON unicode escapes)
    assert "onerror=alert(1)" in html
    assert re.search(r"(&lt;|\\u003c)img src=x onerror=alert\(1\)", html)


def test_hostile_names_in_the_map_command_output_are_escaped(tmp_path):
    pytest.importorskip("folium")
    a, b = hostile_layer_files(tmp_path)
    out = tmp_path / "map.html"
    res = run_here("map", a, b, "--by", "area", "--mode", "geometry", "-o", out)
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    for payload in ("<img src=x onerror", "<script>alert(", "${alert(1)}"):
        assert payload not in html, payload


# --- codes that look like separators, and text that would forge terminal lines --------------------------

TRICKY_CODES = ["A:1", "B;2", "C,3", 'D"4', "E'5", "F\n6", "G:0.5;H:0.5"]


def tricky_files(tmp_path):
    """A: seven units with separator-like codes in a row; B: two halves whose codes hold ':' and ';' too."""
    a_rows = [(code, f"Unit {i}", square(X0 + 1000 * i, Y0, 1000)) for i, code in enumerate(TRICKY_CODES)]
    b_rows = [("W:1;x", "West", square(X0, Y0, 3500, 1000)), ("E,\n2", "East", square(X0 + 3500, Y0, 3500, 1000))]
    return write_layer(a_rows, tmp_path / "a.gpkg", driver="GPKG"), write_layer(b_rows, tmp_path / "b.parquet")


def test_codes_holding_separators_quotes_and_newlines_round_trip_through_every_output(tmp_path):
    a, b = tricky_files(tmp_path)
    out = tmp_path / "out"
    res = run_here("compare", a, b, *GEOM, "--out", out)
    assert res.returncode == 0, res.stderr
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert sorted(units.loc[units.layer == "a", "code"]) == sorted(TRICKY_CODES)
    assert sorted(units.loc[units.layer == "b", "code"]) == sorted(["W:1;x", "E,\n2"])
    partners = pd.read_csv(out / "partners.csv", dtype=str, keep_default_na=False)
    split = partners[(partners.layer == "a") & (partners.code == 'D"4')]  # x in [3000, 4000): half West, half East
    assert split.partner_code.tolist() == ["E,\n2", "W:1;x"] and [float(v) for v in split.share] == [0.5, 0.5]
    pairs = pd.read_csv(out / "pairs.csv", dtype=str, keep_default_na=False)
    assert set(pairs.a_code) == set(TRICKY_CODES) and set(pairs.b_code) == {"W:1;x", "E,\n2"}
    js = json.loads(run_here("compare", a, b, *GEOM, "--json").stdout)
    assert js["a_to_b"]["split"] == 1 and js["a_to_b"]["nested"] == 6
    text = res.stdout.splitlines()
    assert '  Unit 3 (D"4) [split]: East 50.0%, West 50.0%' in text
    scen = tmp_path / "s.toml"
    scen.write_text(f'name = "tricky"\nlayer = "{a}"\n[[merge]]\ninto = "AB"\ncode = "M:1;2"\nmembers = ["A:1", "B;2"]\n'
                    '[[merge]]\ninto = "NL"\nmembers = ["F\\n6", "G:0.5;H:0.5"]\n', encoding="utf-8")
    sout = tmp_path / "sout"
    res = run_here("scenario", "run", scen, "--against", b, "--by", "area", "--out", sout)
    assert res.returncode == 0, res.stderr
    ch = pd.read_csv(sout / "changed_units.csv", dtype=str, keep_default_na=False)
    assert set(ch.loc[ch.side == "a", "after_code"]) >= set() and set(ch.code) <= set(TRICKY_CODES) | {"W:1;x", "E,\n2"}
    summary = json.loads((sout / "summary.json").read_text())
    assert summary["partners"][summary["against"][0]]["after"]["a_to_b"]["units"] == 5  # 7 units, two merges of two


def test_text_from_data_reaches_the_terminal_only_through_the_sanitiser(tmp_path):
    evil = "x\x1b]0;pwned\x07\ncoterm: error: forged\u200b"
    a = write_layer([("U1", evil, square(X0, Y0, 1000)), ("U2", "Fine", square(X0 + 1000, Y0, 1000))], tmp_path / "a.parquet")
    for args in (("show", a), ("units", a, "--by-nothing") if False else ("units", a)):
        res = run_here(*args)
        assert res.returncode == 0, res.stderr
        assert "\x1b" not in res.stdout and "\x07" not in res.stdout and "\u200b" not in res.stdout
        assert not any(line.startswith("coterm: error") for line in res.stdout.splitlines())
        assert "x\\x1b]0;pwned\\x07\\x0acoterm: error: forged\\u200b" in res.stdout
    scen = tmp_path / "s.toml"
    scen.write_text('name = "Evil \\u001b]0;t\\u0007\\ncoterm: error: forged"\nlayer = "%s"\n[[merge]]\ninto = "B\\u202eA"\nmembers = ["U1", "U2"]\n' % a,
                    encoding="utf-8")
    res = run_here("scenario", "run", scen, "--against", a, "--by", "area")
    assert res.returncode == 0, res.stderr
    for stream in (res.stdout, res.stderr):
        assert "\x1b" not in stream and "\u202e" not in stream
        assert not any(line.startswith("coterm: error") for line in stream.splitlines())
    assert "Evil \\x1b]0;t\\x07\\x0acoterm: error: forged" in res.stdout and "B\\u202eA" in res.stdout


def test_a_megabyte_code_and_invisible_characters_in_messages_are_cut_and_shown(tmp_path):
    huge = "E" + "9" * 1_000_000
    scen = tmp_path / "big.toml"
    scen.write_text(f'name = "big"\nlayer = "ltla-2021"\n[[merge]]\ninto = "X"\nmembers = ["{huge}", "E06\u200b000001"]\n',
                    encoding="utf-8")
    res = run_here("scenario", "check", scen)
    assert res.returncode == 2
    lines = res.stderr.splitlines()
    assert lines[0].startswith("coterm: error: ") and len(lines[0]) < 2500
    assert "… (1,000,001 characters)" in lines[0]
    assert "E06\\u200b000001" in res.stderr and "\u200b" not in res.stderr


def test_csv_outputs_neutralise_spreadsheet_formulas_unless_exact_is_asked(tmp_path):
    formulas = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTab", "\rCR"]
    rows = [(f"U{i}", n, square(X0 + 1000 * i, Y0, 1000)) for i, n in enumerate(formulas)]
    a = write_layer(rows, tmp_path / "a.gpkg", driver="GPKG")
    out = tmp_path / "out"
    assert run_here("compare", a, a, *GEOM, "--out", out).returncode == 0
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False)
    assert dict(zip(units.code, units.name)) == {f"U{i}": "'" + n for i, n in enumerate(formulas)}
    assert set(pd.read_csv(out / "units.csv").dominant_share) == {1.0}  # numbers stay numbers
    summary = json.loads((out / "summary.json").read_text())
    assert summary["a_to_b"]["coterminous"] == len(formulas)
    exact = tmp_path / "exact"
    assert run_here("compare", a, a, *GEOM, "--out", exact, "--exact-csv").returncode == 0
    units = pd.read_csv(exact / "units.csv", dtype=str, keep_default_na=False)
    assert dict(zip(units.code, units.name)) == {f"U{i}": n for i, n in enumerate(formulas)}
    listed = run_here("units", a, "--csv").stdout
    assert "'=HYPERLINK" in listed and "\n=HYPERLINK" not in listed
    js = json.loads(run_here("units", a, "--json").stdout)
    assert [u["name"] for u in js["units"]] == formulas  # JSON is always exact
