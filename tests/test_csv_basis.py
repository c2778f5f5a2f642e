"""People-facing CSVs state their basis inside themselves: the last three columns are ``basis`` (population or
area: what shares and rates are weighted by), ``population_source`` and ``population_year`` (where the people
figures come from), the same values summary.json gives."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from coterm.report import BASIS_COLUMNS

COMPARE_CSVS = ("units.csv", "partners.csv", "pairs.csv", "slivers.csv")


def run(*args, cwd=None):
    from cli_inprocess import run_here  # the CLI's main() in this process: these tests check its files

    p = run_here(*args, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return p


@pytest.mark.parametrize(("pair", "by", "source", "year"), [
    (("ltla-2024", "icb-2026"), "population", "ONS Census 2021", "2021"),
    (("ltla-2021", "icb-2022"), "area", "ONS mid-2020", "2020"),
])
def test_every_compare_csv_ends_with_its_basis(tmp_path, pair, by, source, year):
    out = tmp_path / "out"
    run("compare", *pair, "--by", by, "--out", out)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["by"] == by
    for name in COMPARE_CSVS:
        df = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        assert tuple(df.columns[-3:]) == BASIS_COLUMNS, name
        if len(df):
            assert set(df["basis"]) == {by} and set(df["population_year"]) == {year}, name
            (src,) = set(df["population_source"])
            assert src.startswith(source), (name, src)
    if by == "population":  # the same words as the JSON summary
        units = pd.read_csv(out / "units.csv", dtype=str)
        assert units["population_source"].iloc[0] == summary["population"]["source"]


def test_scenario_csvs_give_each_partner_its_own_basis(tmp_path):
    out = tmp_path / "s"
    run("scenario", "run", "pct-clusters-2011", "--against", "utla-2013,ltla-2024", "--out", out)
    for name in ("before_after.csv", "changed_units.csv"):
        df = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        assert tuple(df.columns[-3:]) == BASIS_COLUMNS
        years = df.groupby("partner")["population_year"].agg(set).to_dict()
        # pct-2011 is on LSOA 2011 (mid-2020 estimates); against 2024 districts it is bridged to LSOA 2021 (Census 2021)
        assert years["utla-2013"] == {"2020"}, (name, years)
        assert years["ltla-2024"] == {"2021"}, (name, years)


def test_units_csv_names_where_its_population_comes_from():
    import io

    p = run("units", "pfa-2020", "--csv")
    df = pd.read_csv(io.StringIO(p.stdout), dtype=str)
    assert tuple(df.columns[-3:]) == BASIS_COLUMNS
    assert set(df["population_year"]) == {"2020"} and df["population_source"].iloc[0].startswith("ONS mid-2020")
