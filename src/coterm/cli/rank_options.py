"""``coterm options``: a league table of reorganisation options against the partner bodies."""

from __future__ import annotations

import click

from .options import by_option, json_option, min_share_option, mode_option


@click.command("options")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--against", multiple=True, metavar="LAYER",
              help="Partner layer (repeatable). Default: current ICBs, sub-ICB locations, police force areas, CSPs, fire "
                   "authorities, resilience forums and strategic authorities the catalogue holds.")
@by_option
@mode_option
@min_share_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Write options.csv, options.json and options.html here.")
@json_option
def options_cmd(paths, against, by, mode, min_share, out_dir, as_json):
    """Rank every option for an area (a folder of scenario files on one layer) against partner layers.

    \b
    Examples:
      coterm options scenarios/lgr-2028/kent/
      coterm options scenarios/lgr-2028/ --against pfa-2024 --against icb-2026 --out maps/options
    """
    from ..decisions.options import RULE, rank_options, write_options
    from ..io import dumps_json
    from ..report import one_line

    r = rank_options(paths, against=list(against) or None, by=by, mode=mode, min_share=min_share)
    if out_dir:
        for p in write_options(r, out_dir):
            click.echo(f"wrote {one_line(p)}", err=True)
    if as_json:
        click.echo(dumps_json(r.to_dict()), nl=False)
        return
    click.echo(one_line(f"options on {r.layer} against {', '.join(r.against)} (weighted by {r.by})"))
    click.echo(one_line(f"rule: {RULE}"))
    for area, g in r.ranking.groupby("area", sort=True):
        click.echo("")
        click.echo(one_line(f"{area}"))
        click.echo(f"  {'rank':>4}  {'option':<24} {'status':<10} {'councils':>8} {'people in split councils':>25} {'bodies split':>12}  population range")
        for row in g.itertuples():
            click.echo(one_line(f"  {row.rank:>4}  {row.option:<24} {row.status:<10} {row.new_councils:>8} "
                                f"{row.people_in_split_councils:>25,.0f} {row.partner_bodies_split:>12}  "
                                f"{row.pop_min:,.0f}–{row.pop_max:,.0f}"))
        click.echo(one_line(f"  {r.sentences[area]}"))
