"""coterm options: league tables of the shipped reorganisation options, known truths and bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coterm.decisions import DecisionError, rank_options

ROOT = Path(__file__).resolve().parents[1]
LGR = ROOT / "scenarios" / "lgr-2028"


@pytest.fixture(scope="module")
def kent_herts():
    return rank_options([LGR / "kent", LGR / "hertfordshire"], against=["pfa-2020", "icb-2022"])


def test_every_kent_option_keeps_its_new_councils_inside_kent_police_and_ties_on_the_rule(kent_herts):
    r = kent_herts
    k = r.ranking[r.ranking["area"] == "kent"]
    assert list(k["option"]) == ["1a", "3a", "4b"]          # a tie: broken by file name
    assert list(k["rank"]) == [1, 2, 3]
    assert (k["people_in_split_councils"] == 0).all() and (k["partner_bodies_split"] == 0).all()
    t = r.table[(r.table["area"] == "kent") & (r.table["partner"] == "pfa-2020")].set_index("option")
    assert t.loc["1a", "coterminous"] == 1                   # one council for Kent = Kent police area (with Medway)
    assert t.loc["4b", "nested"] == 4
    assert "tie" in r.sentences["kent"]


def test_the_hertfordshire_council_holding_royston_straddles_the_cambridgeshire_icb(kent_herts):
    r = kent_herts
    t = r.table[(r.table["area"] == "hertfordshire") & (r.table["partner"] == "icb-2022")].set_index("option")
    for opt in ("2ua", "4ua-core"):
        assert t.loc[opt, "split"] >= 1
        assert "NHS Cambridgeshire and Peterborough" in t.loc[opt, "split_bodies"]
    # police: Hertfordshire constabulary holds every new council whole in both options
    p = r.table[(r.table["area"] == "hertfordshire") & (r.table["partner"] == "pfa-2020")]
    assert (p["split"] == 0).all()
    herts = r.ranking[r.ranking["area"] == "hertfordshire"]
    assert herts.iloc[0]["people_in_split_councils"] <= herts.iloc[1]["people_in_split_councils"]
    assert r.sentences["hertfordshire"].startswith(f"Option {herts.iloc[0]['option']} ")


def test_the_decided_options_are_marked_decided():
    r = rank_options([LGR / "norfolk", LGR / "hampshire"], against=["pfa-2020"])
    status = dict(zip(r.ranking["option"], r.ranking["status"]))
    assert status["3ua-approx"] == "decided" and status["5ua-1a-core"] == "decided"
    assert status["hcc-4ua"] == "not chosen"


def test_an_option_folder_mixing_layers_is_refused_naming_both_files(tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    shutil.copy(LGR / "kent" / "1a.toml", d / "1a.toml")
    (d / "old.toml").write_text('name = "x"\nlayer = "ltla-2021"\n[[merge]]\ninto = "K"\nmembers = ["E07000105"]\n', encoding="utf-8")
    with pytest.raises(DecisionError, match=r"old\.toml changes ltla-2021 but .*1a\.toml changes ltla-2024"):
        rank_options([d], against=["pfa-2020"])


def test_a_scenario_for_another_area_is_refused(tmp_path):
    d = tmp_path / "kent"
    d.mkdir()
    shutil.copy(LGR / "kent" / "1a.toml", d / "1a.toml")
    shutil.copy(LGR / "essex" / "5ua-2028.toml", d / "5ua-2028.toml")
    with pytest.raises(DecisionError, match=r"changes none of the units the other options for 'kent' change"):
        rank_options([d], against=["pfa-2020"])


def test_a_missing_folder_is_one_clear_line(tmp_path):
    with pytest.raises(DecisionError, match="no such file or folder"):
        rank_options([tmp_path / "nope"])


def test_outputs_are_atomic_deterministic_and_names_are_escaped(tmp_path):
    from coterm.decisions.options import write_options

    d = tmp_path / "evil"
    d.mkdir()
    text = (LGR / "kent" / "3a.toml").read_text(encoding="utf-8")
    evil = '<img src=x onerror="alert(1)">'
    (d / "3a.toml").write_text(text.replace('name = "Kent: 3 new councils (3a)"', f"name = {json.dumps(evil)}"), encoding="utf-8")
    shutil.copy(LGR / "kent" / "4b.toml", d / "4b.toml")
    r = rank_options([d], against=["pfa-2020"])
    assert evil in set(r.ranking["name"])
    write_options(r, tmp_path / "a")
    write_options(rank_options([d], against=["pfa-2020"]), tmp_path / "b")
    for name in ("options.csv", "options.json", "options.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    html = (tmp_path / "a" / "options.html").read_text(encoding="utf-8")
    assert evil not in html and "&lt;img src=x onerror=" in html
    assert "\\u003cimg" in html          # the JSON copy cannot close its script block


def test_the_cli_prints_a_ranked_table_with_its_rule():
    from cli_inprocess import run_here  # what the command prints, not how a process behaves: its main() in this process

    out = run_here("options", str(LGR / "kent"), "--against", "pfa-2020")
    assert out.returncode == 0, out.stderr
    assert "rule: best = fewest people living in new councils" in out.stdout
    assert "   1  1a " in out.stdout
    bad = run_here("options", "no/such/dir")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no such file or folder" in bad.stderr


def test_every_shipped_area_gets_a_ranked_table_and_a_sentence_against_the_2024_layers():
    r = rank_options([LGR], against=["icb-2026", "pfa-2024", "fra-2024"])
    areas = sorted(p.name for p in LGR.iterdir() if p.is_dir())
    assert sorted(r.sentences) == areas and len(areas) == 19
    assert len(r.ranking) == 38 and len(r.table) == 38 * 3
    for area, g in r.ranking.groupby("area"):
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        key = g[["people_in_split_councils", "partner_bodies_split"]].to_records(index=False).tolist()
        assert key == sorted(key), area                      # best first, by the stated rule
    # Suffolk as one council straddles the 2026 ICBs? No: Norfolk and Suffolk ICB holds it whole
    s = r.table[(r.table["area"] == "suffolk") & (r.table["partner"] == "icb-2026")].iloc[0]
    assert s["split"] == 0 and s["nested"] == 1
