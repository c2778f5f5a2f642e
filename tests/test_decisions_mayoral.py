"""coterm mayoral: police and fire areas against strategic authorities, with the known truths of 2026-28."""

from __future__ import annotations


import pytest

from coterm.decisions import DecisionError, mayoral


@pytest.fixture(scope="module")
def m2028():
    return mayoral("2028-06-01")


def police(r, name):
    t = r.table[(r.table["body_type"] == "police") & (r.table["name"] == name)]
    assert len(t) == 1, name
    return t.iloc[0]


@pytest.mark.parametrize("force,authority", [("Greater Manchester", "Greater Manchester"), ("West Yorkshire", "West Yorkshire"),
                                             ("South Yorkshire", "South Yorkshire"), ("West Midlands", "West Midlands")])
def test_the_mayoral_combined_authorities_match_their_police_areas(m2028, force, authority):
    row = police(m2028, force)
    assert row["relation"] == "coterminous" and row["authority"] == authority and row["can_pass_to_mayor"]


def test_merseyside_police_is_nested_in_the_liverpool_city_region_which_also_holds_halton(m2028):
    row = police(m2028, "Merseyside")
    assert row["relation"] == "nested" and row["authority"] == "Liverpool City Region"
    assert row["in_the_way"] == "Halton" and not row["can_pass_to_mayor"]


def test_halton_is_what_keeps_cheshire_police_from_a_mayor_in_2028(m2028):
    row = police(m2028, "Cheshire")
    assert row["authority"] == "Cheshire and Warrington Combined Authority"
    assert row["in_the_way"] == "Halton"
    assert row["explanation"] == ("Cheshire police area = Cheshire and Warrington Combined Authority + Halton; "
                                  "Halton is in Liverpool City Region")
    fire = m2028.table[(m2028.table["body_type"] == "fire") & (m2028.table["name"] == "Cheshire")].iloc[0]
    assert fire["in_the_way"] == "Halton"


def test_before_the_cheshire_and_warrington_mayor_no_authority_fits_cheshire():
    r = mayoral("2026-06-01")
    row = police(r, "Cheshire")
    assert not row["can_pass_to_mayor"]
    assert row["authority"] == "Liverpool City Region"      # only Halton's authority is in force then
    assert not police(r, "Hampshire")["can_pass_to_mayor"]  # Hampshire and the Solent's mayor comes in May 2028
    assert police(mayoral("2028-06-01"), "Hampshire")["can_pass_to_mayor"]


def test_a_non_mayoral_authority_cannot_take_policing(m2028):
    row = police(m2028, "Lancashire")
    assert row["relation"] == "coterminous" and not row["can_pass_to_mayor"] and "non-mayoral" in row["explanation"]


def test_wales_is_left_out_and_every_english_force_is_listed_once(m2028):
    p = m2028.table[m2028.table["body_type"] == "police"]
    assert not p["code"].str.startswith("W").any()
    assert p["code"].is_unique and len(p) == 39      # 39 English forces including the City of London


def test_an_unknown_date_is_one_clear_line():
    with pytest.raises(DecisionError, match=r"--date '2028-13-01': not a date; give it as YYYY-MM-DD"):
        mayoral("2028-13-01")
    from cli_inprocess import run_here  # what the command prints: its main() in this process

    out = run_here("mayoral", "--date", "June 2028")
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "not a date" in out.stderr


def test_the_cli_names_halton_for_cheshire():
    from cli_inprocess import run_here

    out = run_here("mayoral", "--date", "2028-06-01")
    assert out.returncode == 0, out.stderr
    assert "Cheshire police area = Cheshire and Warrington Combined Authority + Halton; Halton is in Liverpool City Region" in out.stdout
