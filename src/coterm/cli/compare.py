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
              help="Write units.csv, units.gpkg, pairs.csv, slivers.csv and summary.json to this folder "
                   "(or tables to postgresql://...?schema=NAME).")
@workers_option
@json_option
@click.option("--crs", default=None, help="CRS of a file that declares none, e.g. EPSG:27700.")
def compare(a, b, mode, weight, min_share, sensitivity, out_dir, workers, as_json, crs):
    """Score how well layers A and B line up (catalogue ids or boundary files).

    \b
    Examples:
      coterm compare ltla-2021 icb-2022
      coterm compare ltla-2021-buc ccg-2020-buc --mode geometry --sensitivity
      coterm compare my_areas.gpkg pfa-2020 --by area --out results/
    """
    from ..overlap import overlap
    from ..report import one_line, sensitivity_table, summary_lines
    from ..scoring import score

    la, lb = load(a, crs=crs), load(b, crs=crs)
    prog, update = progress_bar(f"overlaying {la.id} × {lb.id}")
    with prog:
        ov = overlap(la, lb, mode=mode, weight=weight, min_share=min_share, workers=workers, progress=update)
    sc = score(ov)
    sens = sensitivity_table(ov) if sensitivity else None
    if out_dir and out_dir.lower().startswith(("postgresql://", "postgres://")):  # tables in one transaction
        from ..postgis import redact, write_postgis_outputs

        written = f"tables units, pairs, slivers, summary to {redact(out_dir)} (schema {write_postgis_outputs(sc, out_dir, sensitivity=sens)})"
    elif out_dir:
        from ..report import write_compare_outputs

        write_compare_outputs(sc, out_dir, sensitivity=sens)
        written = f"units.csv, units.gpkg, pairs.csv, slivers.csv, summary.json to {out_dir}"
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
        click.echo(f"wrote {one_line(written)}", err=True)
