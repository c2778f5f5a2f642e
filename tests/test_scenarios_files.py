"""Scenario files: syntax, schema and validation errors name the file, the line or change, and the code."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from coterm.errors import ScenarioError
from coterm.scenarios import read_scenario
from coterm.scenarios import check_scenario, load_scenario

from test_scenarios_toys import catalogue, toy_atoms, toy_districts, toy_health  # noqa: F401  (fixtures)

HEADER = 'name = "t"\nlayer = "{layer}"\n'


def write(tmp_path: Path, text: str, name: str = "s.toml", raw: bytes | None = None) -> Path:
    p = tmp_path / name
    if raw is not None:
        p.write_bytes(raw)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def error_of(fn, *args, **kw) -> str:
    with pytest.raises(ScenarioError) as exc:
        fn(*args, **kw)
    return str(exc.value)


# --- syntax ---------------------------------------------------------------------------------------


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path):
    p = write(tmp_path, 'name = "t"\nlayer = "x"\n[[merge]]\ninto = "A\nmembers = ["a"]\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:4:") and "invalid TOML" in msg


def test_a_duplicate_toml_key_gives_a_clear_error_with_its_line(tmp_path):
    p = write(tmp_path, 'name = "t"\nlayer = "x"\nname = "again"\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:3:") and "duplicate key 'name'" in msg


def test_a_duplicate_key_inside_a_merge_names_its_line(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\ninto = "B"\nmembers = ["a"]\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:5:") and "duplicate key 'into'" in msg


def test_a_csv_syntax_error_names_the_file_and_line(tmp_path):
    p = write(tmp_path, '# layer: x\nnew_unit,member_code\nA,"E1\nB,E2\n', name="s.csv")
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:") and "CSV syntax error" in msg


def test_a_csv_row_with_too_many_fields_names_its_line(tmp_path):
    p = write(tmp_path, "# layer: x\nnew_unit,member_code\nA,E1\nB,E2,E3\n", name="s.csv")
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:4:") and "expected 2 fields" in msg


def test_crlf_line_endings_and_a_utf8_bom_are_accepted_in_toml(tmp_path):
    text = HEADER.format(layer="x") + '[[merge]]\ninto = "Ab"\nmembers = ["a", "b"]\n'
    p = write(tmp_path, "", raw=b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    sc = read_scenario(p)
    assert sc.merges[0].members == ("a", "b") and sc.merges[0].line == 3


def test_crlf_line_endings_and_a_utf8_bom_are_accepted_in_csv(tmp_path):
    text = "# layer: x\nnew_unit,member_code,new_code\nAb,a,AB\nAb,b,\n"
    p = write(tmp_path, "", name="s.csv", raw=b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    sc = read_scenario(p)
    assert sc.layer == "x" and sc.merges[0].code == "AB" and sc.merges[0].members == ("a", "b")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    p = write(tmp_path, "", raw=b'name = "t"\nlayer = "x"\ndescription = "caf\xe9"\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:3:") and "UTF-8" in msg


def test_an_unknown_key_is_refused_with_a_suggestion(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\nmember = ["a"]\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:5:") and "merge #1" in msg and "'member'" in msg and "did you mean 'members'" in msg


def test_codes_written_as_numbers_are_refused(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\nmembers = [12]\n')
    msg = error_of(read_scenario, p)
    assert "merge #1 'A'" in msg and "12" in msg and "in quotes" in msg


# --- structure (no data) --------------------------------------------------------------------------


def test_an_empty_merge_is_an_error_naming_the_merge(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "Nothing"\nmembers = []\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:3:") and "merge #1 'Nothing'" in msg and "empty merge" in msg


def test_an_empty_merge_in_a_csv_is_an_error_naming_its_line(tmp_path):
    p = write(tmp_path, "# layer: x\nnew_unit,member_code\nA,a\nNothing,\n", name="s.csv")
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:4:") and "'Nothing'" in msg and "empty merge" in msg


def test_a_unit_in_two_merges_is_an_error_naming_both_merges_and_the_code(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\nmembers = ["a", "b"]\n'
              '[[merge]]\ninto = "B"\nmembers = [\n  "c",\n  "b",\n]\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:10:") and "merge #2 'B'" in msg and "unit b" in msg and "merge #1 'A'" in msg


def test_a_merge_that_references_itself_is_an_error(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\ncode = "a"\nmembers = ["a", "b"]\n')
    msg = error_of(read_scenario, p)
    assert f"{p}:" in msg and "merge #1 'A'" in msg and "references itself" in msg and " a " in msg


def test_a_unit_listed_twice_in_one_merge_is_an_error(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[merge]]\ninto = "A"\nmembers = ["a", "b", "a"]\n')
    msg = error_of(read_scenario, p)
    assert "merge #1 'A'" in msg and "lists a twice" in msg


def test_a_transfer_to_its_own_source_is_an_error(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[transfer]]\nfrom = "a"\nto = "a"\nblocks = ["l1"]\n')
    msg = error_of(read_scenario, p)
    assert msg.startswith(f"{p}:3:") and "transfer #1" in msg and "references itself" in msg


def test_a_csv_needs_a_layer_from_a_comment_line_or_the_caller(tmp_path):
    p = write(tmp_path, "new_unit,member_code\nA,a\n", name="s.csv")
    assert "# layer:" in error_of(read_scenario, p)
    assert read_scenario(p, layer="ltla-2021").layer == "ltla-2021"


def test_a_csv_whose_layer_comment_disagrees_with_the_caller_is_an_error(tmp_path):
    p = write(tmp_path, "# layer: ltla-2019\nnew_unit,member_code\nA,a\n", name="s.csv")
    msg = error_of(read_scenario, p, layer="ltla-2021")
    assert msg.startswith(f"{p}:1:") and "ltla-2019" in msg and "ltla-2021" in msg


def test_groups_need_a_defined_layer_id(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + '[[group]]\ninto = "A"\nmembers = ["a"]\n')
    assert "defines" in error_of(read_scenario, p)


def test_merges_and_groups_cannot_share_a_file(tmp_path):
    p = write(tmp_path, HEADER.format(layer="x") + 'defines = "y"\n[[group]]\ninto = "A"\nmembers = ["a"]\n'
              '[[merge]]\ninto = "B"\nmembers = ["b"]\n')
    assert "[[merge]]" in error_of(read_scenario, p)


# --- against the data -----------------------------------------------------------------------------


def test_an_unknown_code_is_named_with_the_nearest_code(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[merge]]\ninto = "North"\nmembers = [\n  "E07000100",\n  "E07000l01",\n]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert msg.startswith(f"{p}:7:") and "merge #1 'North'" in msg and "unknown code E07000l01" in msg
    assert "did you mean E0700010" in msg


def test_an_unknown_code_that_is_a_unit_name_suggests_its_code(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[merge]]\ninto = "North"\nmembers = ["E07000100", "Wokingham"]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert "merge #1 'North'" in msg and "unknown code Wokingham" in msg and "E07000101 (Wokingham)" in msg


def test_every_problem_is_kept_on_the_error(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[merge]]\ninto = "N"\nmembers = ["X1", "X2", "X3"]\n')
    with pytest.raises(ScenarioError) as exc:
        check_scenario(load_scenario(p), layer=toy_districts)
    assert exc.value.count == 3 and len(exc.value.problems) == 3 and "(and 2 more problems)" in str(exc.value)


def test_a_new_code_already_used_by_another_unit_is_an_error(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[merge]]\ninto = "N"\ncode = "E07000103"\n'
              'members = ["E07000100", "E07000101"]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert "merge #1 'N'" in msg and "E07000103" in msg and "already the code" in msg


def test_a_transfer_of_a_block_not_in_the_source_unit_is_an_error(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[transfer]]\nfrom = "E07000100"\nto = "E07000101"\n'
              'blocks = [\n  "L0",\n  "L5",\n]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert msg.startswith(f"{p}:8:") and "transfer #1" in msg and "block L5" in msg and "not in the source unit E07000100" in msg
    assert "E07000102" in msg  # where it is


def test_a_transfer_of_an_unknown_block_is_an_error(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[transfer]]\nfrom = "E07000100"\nto = "E07000101"\nblocks = ["L99"]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert "transfer #1" in msg and "unknown block L99" in msg


def test_a_transfer_to_an_unknown_unit_asks_for_its_name(tmp_path, toy_districts):
    p = write(tmp_path, HEADER.format(layer="toy-districts") + '[[transfer]]\nfrom = "E07000100"\nto = "NEW"\nblocks = ["L0"]\n')
    msg = error_of(check_scenario, load_scenario(p), layer=toy_districts)
    assert "transfer #1" in msg and "NEW" in msg and "to_name" in msg


def test_a_scenario_for_a_layer_that_does_not_exist_is_an_error(tmp_path, catalogue):
    p = write(tmp_path, HEADER.format(layer="icb-2023") + '[[merge]]\ninto = "A"\nmembers = ["a"]\n')
    msg = error_of(check_scenario, load_scenario(p))
    assert msg.startswith(f"{p}:2:") and "icb-2023" in msg and "does not exist" in msg and "icb-2022" in msg


def test_a_member_of_another_vintage_says_which_layer_it_belongs_to(tmp_path, catalogue):
    # Aylesbury Vale (E07000004) was abolished in 2020: an ltla-2019 code, not an ltla-2021 one
    p = write(tmp_path, HEADER.format(layer="ltla-2021") + '[[merge]]\ninto = "Bucks"\nmembers = [\n  "E06000060",\n  "E07000004",\n]\n')
    msg = error_of(check_scenario, load_scenario(p))
    assert msg.startswith(f"{p}:7:") and "merge #1 'Bucks'" in msg and "E07000004" in msg and "ltla-2019" in msg


def test_a_member_of_another_layer_says_which_layer_it_belongs_to(tmp_path, catalogue):
    p = write(tmp_path, HEADER.format(layer="icb-2022") + '[[merge]]\ninto = "X"\nmembers = ["E54000022", "E38000239"]\n')
    msg = error_of(check_scenario, load_scenario(p))
    assert "merge #1 'X'" in msg and "E38000239" in msg and "sicbl-2022" in msg


def test_an_unknown_shipped_scenario_name_suggests_the_nearest(catalogue):
    msg = error_of(load_scenario, "icb-mergers-2025")
    assert "icb-mergers-2026" in msg


def test_ten_thousand_merges_validate_in_reasonable_time(tmp_path):
    from test_scenarios_toys import big_layer

    lay = big_layer(20_000)
    rows = "\n".join(f"U{i // 2:05d},C{i:05d}," for i in range(20_000))
    p = write(tmp_path, f"# layer: {lay.id}\nnew_unit,member_code,new_code\n{rows}\n", name="big.csv")
    t0 = time.perf_counter()
    sc = load_scenario(p)
    check_scenario(sc, layer=lay)
    assert len(sc.merges) == 10_000
    assert time.perf_counter() - t0 < 10
    # and the TOML form
    body = "".join(f'[[merge]]\ninto = "U{i}"\nmembers = ["C{2 * i:05d}", "C{2 * i + 1:05d}"]\n' for i in range(10_000))
    p2 = write(tmp_path, HEADER.format(layer=lay.id) + body, name="big.toml")
    t0 = time.perf_counter()
    check_scenario(load_scenario(p2), layer=lay)
    assert time.perf_counter() - t0 < 10


def test_ten_thousand_merges_report_a_unit_in_two_merges_quickly(tmp_path):
    rows = "\n".join(f"U{i // 2:05d},C{i:05d}" for i in range(20_000)) + "\nU99999,C00005"
    p = write(tmp_path, f"# layer: x\nnew_unit,member_code\n{rows}\n", name="big.csv")
    t0 = time.perf_counter()
    msg = error_of(read_scenario, p)
    assert time.perf_counter() - t0 < 5
    assert msg.startswith(f"{p}:20003:") and "C00005" in msg and "'U00002'" in msg


def test_a_parsed_scenario_keeps_its_header(tmp_path):
    p = write(tmp_path, 'name = "N"\nlayer = "x"\ndescription = "d"\neffective = 2026-04-01\nsource = "s"\n'
              'confidence = "high"\nagainst = ["a", "b"]\n[[merge]]\ninto = "A"\nmembers = ["a"]\n')
    sc = read_scenario(p)
    h = sc.header()
    assert (h["name"], h["effective"], h["source"], h["confidence"], h["against"]) == ("N", "2026-04-01", ["s"], "high", ["a", "b"])
    assert isinstance(pd.Series(list(h)), pd.Series)
