"""``coterm fit FILE``: best-fit a boundary file to building blocks (LSOAs) and write the lookup and fit report."""

from __future__ import annotations

import click

from .options import file_options, load, workers_option

FIT_OUTPUTS = ("lookup.csv", "units.csv", "fit.json")  # coterm.fitted.OUTPUTS


@click.command("fit")
@click.argument("file")
@click.option("--base", type=click.Choice(["lsoa-2011", "lsoa-2021"]), default=None,
              help="Building blocks to fit to [default: lsoa-2011 for layers dated before 2023, else lsoa-2021].")
@click.option("--tolerance", type=click.FloatRange(0, 5000), default=None,
              help="How far (m) the file's edges may stray from the blocks' [default: estimated from the file; 0: largest part only].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write lookup.csv (block → unit, with shares), units.csv and fit.json to this folder; "
                   "the folder is then a layer for compare, map, units, reconcile and scenarios (exact, no re-fit).")
@file_options
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print the fit report as JSON on stdout.")
def fit(file, base, tolerance, out_dir, code_col, name_col, file_layer, crs, workers, as_json):
    """Best-fit FILE (or a catalogue id) to LSOAs: each LSOA goes to the unit holding most of it.

    \b
    Examples:
      coterm fit police.geojson --base lsoa-2011 --out police-fit/
      coterm compare police-fit/ ltla-2021      # the saved fit, compared exactly
      coterm fit pfa-2020-buc --json
    """
    from ..bestfit import best_fit
    from ..report import one_line

    from ..fitted import write_fit

    lay = load(file, code_col, name_col, file_layer, crs)
    if lay.fit is not None:
        from ..errors import DataFileError

        raise DataFileError(f"{file}: is already a fitted lookup (written by coterm fit); use it as a layer, or fit the file it names")
    _, report = best_fit(lay, base, tolerance=tolerance, workers=workers)
    if out_dir:
        write_fit(report, lay, out_dir, options={"code": code_col, "name": name_col, "layer": file_layer, "crs": crs})
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json(report.summary()), nl=False)
    else:
        for line in fit_lines(report):
            click.echo(one_line(line))
    if out_dir:
        click.echo(f"wrote {', '.join(FIT_OUTPUTS)} to {out_dir}", err=True)


def fit_lines(report) -> list[str]:
    """The fit report for a terminal (pass each line through the sanitiser)."""
    s = report.summary()
    n = max(s["fitted_blocks"], 1)
    lines = [
        report.note().replace("; compared exactly", ""),
        f"fit: {s['fitted_blocks']:,} of {s['base_blocks']:,} blocks of {s['base']} fitted ({s['outside_blocks']:,} lie mostly outside the layer)",
        f"  ≥ 99% inside one unit: {s['blocks_ge99']:,} ({100 * s['blocks_ge99'] / n:.1f}%); ≥ 95%: {s['blocks_ge95']:,} "
        f"({100 * s['blocks_ge95'] / n:.1f}%); < 95%: {s['blocks_lt95']:,}",
        f"  displaced: {s['displaced_people']:,.0f} people ({100 * s['displaced_people_share']:.2f}%), "
        f"{s['displaced_area_km2']:,.1f} km² ({100 * s['displaced_area_share']:.2f}%)",
        f"  tolerance {s['tolerance_m']:,.0f} m; {s['placed_by_district']:,} blocks kept with their district's unit",
        f"  firm (under 5% deeper than the tolerance inside another unit): {s['firm_blocks']:,} ({100 * s['firm_share']:.2f}%); "
        f"people deeper inside another unit: {100 * s['deep_displaced_people_share']:.2f}%",
        f"  ambiguous (no unit holds ≥ 60%): {len(s['ambiguous'])}" + (f": {', '.join(s['ambiguous'][:20])}" if s["ambiguous"] else ""),
        "  clean: yes" if s["clean"] else "  clean: no (" + "; ".join(s["failures"]) + ")",
    ]
    if s["lost_units"]:
        lines.append(f"  units with no block: {', '.join(s['lost_units'][:20])}")
    return lines
