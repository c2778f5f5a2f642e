"""``coterm units LAYER``: every unit's code, name, area and population (to write a scenario from)."""

from __future__ import annotations

import click

from . import options as opt


@click.command("units")
@click.argument("layer")
@opt.file_options
@click.option("--json", "as_json", is_flag=True, help="Print the units as JSON on stdout.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the units as CSV on stdout.")
@opt.exact_csv_option
def units(layer, code_col, name_col, file_layer, crs, as_json, as_csv, exact_csv):
    """List every unit of a catalogue layer or a boundary file: code, name, area (km²) and population.

    \b
    Examples:
      coterm units pfa-2020
      coterm units forces.gpkg --layer forces --code FORCE_ID --name FORCE_NAME --csv > forces.csv
    """
    from ..report import units_frame

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    lay = opt.load(layer, code_col, name_col, file_layer, crs)
    df, basis = units_frame(lay)
    if as_json:
        from ..io import dumps_json

        fit = {"fit": lay.fit.summary()} if lay.fit is not None else {}  # a `coterm fit` folder: its report rides along
        click.echo(dumps_json({"layer": lay.id, "title": lay.title, "basis": basis, **fit, "units": df.to_dict(orient="records")}), nl=False)
        return
    if as_csv:
        from ..report import csv_text, with_basis

        cols = {"basis": "population", **{k: basis[k] for k in ("population_source", "population_year")}}
        click.echo(csv_text(with_basis(df, cols), exact=exact_csv), nl=False)
        return
    opt.echo(f"{lay.title} ({lay.id}): {len(df)} units")
    opt.echo(f"area: {basis['area']}; population: {basis['population']}")
    if lay.fit is not None:
        opt.echo(lay.fit.note().replace("; compared exactly", ""))
    w = max([4, *df["code"].str.len().head(10_000)])
    opt.echo(f"{'code':<{w}}  {'area km²':>10}  {'population':>11}  name")
    for code, name, area, pop in df.itertuples(index=False):
        p = "–" if pop != pop else f"{pop:,.0f}"
        opt.echo(f"{code:<{w}}  {area:>10,.2f}  {p:>11}  {name}")
