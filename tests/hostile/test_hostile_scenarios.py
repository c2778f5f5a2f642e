"""Hostile scenario files: every schema error names file, line, merge and code; encodings and sizes are no obstacle."""

from __future__ import annotations

import time

import pytest

from coterm.errors import ScenarioError
from coterm.scenarios import read_scenario
from hostile_helpers import cli_error, run_here

HEAD = 'name = "x"\nlayer = "icb-2022"\n'
MERGE = '[[merge]]\ninto = "A"\nmembers = ["E1", "E2"]\n'

BAD = [
    ("duplicate key", 'name = "x"\nname = "y"\nlayer = "icb-2022"\n' + MERGE,
     ":2: duplicate key 'name' (TOML allows each key once per table)"),
    ("merge references itself", HEAD + '[[merge]]\ninto = "A"\ncode = "E1"\nmembers = ["E1", "E2"]\n',
     ":5: merge #1 'A': references itself: its new code E1 is also one of its members"),
    ("unit in two merges", HEAD + MERGE + '[[merge]]\ninto = "B"\nmembers = ["E2", "E3"]\n',
     ":8: merge #2 'B': unit E2 is already in merge #1 'A' (line 5); a unit can be in one merge only"),
    ("member listed twice", HEAD + '[[merge]]\ninto = "A"\nmembers = ["E1", "E1"]\n', ":5: merge #1 'A': lists E1 twice"),
    ("empty merge", HEAD + '[[merge]]\ninto = "A"\nmembers = []\n', ":3: merge #1 'A': empty merge: list the codes of its members"),
    ("no layer", 'name = "x"\n' + MERGE, ": the header has no 'layer'"),
    ("misspelt key", HEAD + '[[merge]]\ninto = "A"\nmembrs = ["E1", "E2"]\n', ":5: merge #1: unknown key 'membrs' (did you mean 'members'?)"),
    ("bad syntax", 'name = "x\nlayer = "icb-2022"\n', ":1: invalid TOML"),
    ("wrong type", HEAD + '[[merge]]\ninto = "A"\nmembers = "E1"\n', ":5: merge #1: 'members' must be a list [...], not a string"),
]

SCHEMA_BAD = [
    ("header number", 'name = 3\nlayer = "icb-2022"\n' + MERGE, ":1: 'name' must be a string in quotes, not a number"),
    ("header unknown", HEAD + 'descripton = "x"\n' + MERGE, ":3: unknown key 'descripton' in the scenario header (did you mean 'description'?)"),
    ("source list of numbers", HEAD + 'source = ["a", 2]\n' + MERGE, ":3: 'source' must list strings; found 2"),
    ("effective a number", HEAD + 'effective = 2026\n' + MERGE, ":3: 'effective' must be a date (effective = 2026-04-01) or a string"),
    ("merge as a table", HEAD + '[merge]\ninto = "A"\n', "'merge' must be written as [[merge]] tables"),
    ("transfer without to", HEAD + '[[transfer]]\nfrom = "E1"\nblocks = ["L1"]\n', ":3: transfer #1: has no 'to'"),
    ("transfer clip text", HEAD + '[[transfer]]\nfrom = "E1"\nto = "E2"\nblocks = ["L1"]\nclip = "yes"\n',
     ":7: transfer #1: 'clip' must be true or false, not a string in quotes"),
    ("transfer misspelt", HEAD + '[[transfer]]\nfrom = "E1"\nto = "E2"\nblock = ["L1"]\n', ":6: transfer #1: unknown key 'block' (did you mean 'blocks'?)"),
    ("block as a number", HEAD + '[[transfer]]\nfrom = "E1"\nto = "E2"\nblocks = ["L1", 7]\n', "transfer #1: blocks must be codes in quotes; 7 is a number"),
]


@pytest.mark.parametrize("label,text,message", BAD + SCHEMA_BAD, ids=[b[0] for b in BAD + SCHEMA_BAD])
def test_every_scenario_schema_error_names_the_file_line_and_merge(tmp_path, label, text, message):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_scenario(p)
    assert str(info.value).startswith(str(p)) and message in str(info.value), str(info.value)
    assert "at `$" not in str(info.value) and "Expected `" not in str(info.value)  # no raw msgspec path leaks to users


def test_a_bad_scenario_is_one_clean_line_from_the_cli(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(BAD[2][1])
    cli_error(run_here("scenario", "check", p), "bad.toml:8: merge #2 'B': unit E2 is already in merge #1 'A'")


def test_a_scenario_that_is_not_utf8_names_the_line(tmp_path):
    p = tmp_path / "latin1.toml"
    p.write_bytes((HEAD + '[[merge]]\ninto = "Ynys Môn"\nmembers = ["E1", "E2"]\n').encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin1\.toml:4: not valid UTF-8 \(byte 0xf4\)"):
        read_scenario(p)


def test_crlf_line_endings_and_a_utf8_bom_read_like_plain_files(tmp_path):
    plain, windows = tmp_path / "plain.toml", tmp_path / "windows.toml"
    plain.write_bytes((HEAD + MERGE).encode())
    windows.write_bytes(b"\xef\xbb\xbf" + (HEAD + MERGE).replace("\n", "\r\n").encode())
    a, b = read_scenario(plain), read_scenario(windows)
    assert (a.name, a.layer, [(m.into, m.members) for m in a.merges]) == (b.name, b.layer, [(m.into, m.members) for m in b.merges])
    csv = tmp_path / "merges.csv"
    csv.write_bytes(b"\xef\xbb\xbf# layer: icb-2022\r\nnew_unit,member_code\r\nA,E1\r\nA,E2\r\n")
    assert [(m.into, m.members) for m in read_scenario(csv).merges] == [("A", ("E1", "E2"))]


def test_hostile_names_in_a_scenario_are_kept_verbatim_as_data(tmp_path):
    p = tmp_path / "html.toml"
    p.write_text('name = "<script>x</script>"\nlayer = "icb-2022"\n[[merge]]\ninto = "<img src=x onerror=alert(1)>"\n'
                 'members = ["E1", "E2"]\n', encoding="utf-8")
    sc = read_scenario(p)
    assert sc.name == "<script>x</script>" and sc.merges[0].into == "<img src=x onerror=alert(1)>"
    assert sc.merges[0].code == "img-src-x-onerror-alert-1"  # generated codes are plain slugs


def test_ten_thousand_merges_are_read_in_well_under_a_few_seconds(tmp_path):
    p = tmp_path / "big.toml"
    p.write_text('name = "big"\nlayer = "lsoa-2021"\n' + "".join(f'[[merge]]\ninto = "M{i}"\nmembers = ["A{i}", "B{i}"]\n'
                                                               for i in range(10_000)))
    t = time.perf_counter()
    sc = read_scenario(p)
    assert len(sc.merges) == 10_000 and sc.merges[-1].members == ("A9999", "B9999")
    assert time.perf_counter() - t < 10


def test_a_toml_file_nested_five_thousand_deep_is_refused_in_one_line(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text('name = "x"\nlayer = "icb-2022"\nx = ' + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"deep\.toml: arrays or tables nested too deeply for TOML to read"):
        read_scenario(p)
    cli_error(run_here("scenario", "check", p), "deep.toml: arrays or tables nested too deeply")
    cli_error(run_here("scenario", "run", p), "deep.toml: arrays or tables nested too deeply")


def test_a_toml_date_and_a_date_string_read_the_same(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(HEAD + "effective = 2026-04-01\n" + MERGE)
    b.write_text(HEAD + 'effective = "2026-04-01"\n' + MERGE)
    assert read_scenario(a).effective == read_scenario(b).effective == "2026-04-01"
