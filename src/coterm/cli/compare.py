"""``coterm compare A B``: how coterminous are two layers, in both directions."""

from __future__ import annotations

import click

from . import options as opt


@click.command("compare")
@opt.layer_argument("a")
@opt.layer_argument("b")
@opt.mode_option
@opt.by_option
@opt.min_share_option
@click.option("--sensitivity", is_flag=True, help="Also show class counts at min_share 0.1%, 0.5%, 1%, 2%, 5%.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write units.csv, units.gpkg, partners.csv, pairs.csv, slivers.csv and summary.json to this folder "
                   "(or tables to postgresql://...?schema=NAME).")
@opt.exact_csv_option
@opt.workers_option
@opt.json_option
@opt.crs_option
@click.option("--fit-base", type=click.Choice(["lsoa-2011", "lsoa-2021"]), default=None,
              help="Best-fit a geometry-only layer to these blocks when the other is built from them [default: the other's].")
def compare(a, b, mode, by, min_share, sensitivity, out_dir, exact_csv, workers, as_json, crs, fit_base, **files):
    """Score how well layers A and B line up (catalogue ids or boundary files).

    \b
    Examples:
      coterm compare ltla-2021 icb-2022
      coterm compare ltla-2021-buc ccg-2020-buc --mode geometry --sensitivity
      coterm compare my_areas.gpkg pfa-2020 --a-layer forces --a-code FORCE_ID --by area --out results/
    """
    from ..overlap import overlap
    from ..report import sensitivity_table, summary_lines
    from ..scoring import score

    la, lb = opt.load_side(a, "a", files, crs=crs), opt.load_side(b, "b", files, crs=crs)
    prog, update = opt.progress_bar(f"overlaying {la.id} × {lb.id}")
    with prog:
        ov = overlap(la, lb, mode=mode, by=by, min_share=min_share, workers=workers, progress=update, fit_base=fit_base)
    sc = score(ov)
    sens = sensitivity_table(ov) if sensitivity else None
    if out_dir and out_dir.lower().startswith(("postgresql://", "postgres://")):  # tables in one transaction
        from ..postgis import redact, write_postgis_outputs

        written = f"tables units, pairs, slivers, summary to {redact(out_dir)} (schema {write_postgis_outputs(sc, out_dir, sensitivity=sens)})"
    elif out_dir:
        from ..report import write_compare_outputs

        write_compare_outputs(sc, out_dir, sensitivity=sens, exact_csv=exact_csv)
        written = f"units.csv, units.gpkg, partners.csv, pairs.csv, slivers.csv, summary.json to {out_dir}"
    if as_json:
        from ..io import dumps_json

        d = sc.to_dict()
        if sens is not None:
            d["sensitivity"] = sens.to_dict(orient="records")
        click.echo(dumps_json(d), nl=False)
    else:
        for line in summary_lines(sc):
            opt.echo(line)
        if sens is not None:
            opt.echo("sensitivity (class counts by min_share):")
            for line in sens.to_string(index=False).split("\n"):
                opt.echo(line)
    if out_dir:
        opt.echo(f"wrote {written}", err=True)
