"""``coterm compare A B``: how coterminous are two layers, in both directions."""

from __future__ import annotations

import click

from .options import by_option, json_option, load, min_share_option, mode_option, progress_bar, workers_option


@click.command("compare")
@click.argument("a")
@click.argument("b")
@mode_option
@by_option
@min_share_option
@click.option("--sensitivity", is_flag=True, help="Also show class counts at min_share 0.1%, 0.5%, 1%, 2%, 5%.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write units.csv, pairs.csv, slivers.csv and summary.json to this folder.")
@workers_option
@json_option
@click.option("--crs", default=None, help="CRS of a file that declares none, e.g. EPSG:27700.")
@click.option("--fit-base", type=click.Choice(["lsoa-2011", "lsoa-2021"]), default=None,
              help="Best-fit a geometry-only layer to these blocks when the other is built from them [default: the other's].")
def compare(a, b, mode, weight, min_share, sensitivity, out_dir, workers, as_json, crs, fit_base):
    """Score how well layers A and B line up (catalogue ids or boundary files).

    \b
    Examples:
      coterm compare ltla-2021 icb-2022
      coterm compare ltla-2021-buc ccg-2020-buc --mode geometry --sensitivity
      coterm compare my_areas.gpkg pfa-2020 --by area --out results/
    """
    from ..overlap import overlap
    from ..report import sensitivity_table, summary_lines
    from ..scoring import score

    la, lb = load(a, crs=crs), load(b, crs=crs)
    prog, update = progress_bar(f"overlaying {la.id} × {lb.id}")
    with prog:
        ov = overlap(la, lb, mode=mode, weight=weight, min_share=min_share, workers=workers, progress=update, fit_base=fit_base)
    sc = score(ov)
    sens = sensitivity_table(ov) if sensitivity else None
    if out_dir:
        from ..report import write_compare_outputs

        write_compare_outputs(sc, out_dir, sensitivity=sens)
    if as_json:
        from ..io import dumps_json

        d = sc.to_dict()
        if sens is not None:
            d["sensitivity"] = sens.to_dict(orient="records")
        click.echo(dumps_json(d), nl=False)
    else:
        for line in summary_lines(sc):
            click.echo(line)
        if sens is not None:
            click.echo("sensitivity (class counts by min_share):")
            click.echo(sens.to_string(index=False))
    if out_dir:
        click.echo(f"wrote units.csv, pairs.csv, slivers.csv, summary.json to {out_dir}", err=True)
