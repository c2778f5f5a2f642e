"""``coterm mayoral``: which police force areas and fire authorities can pass to a mayor at a date."""

from __future__ import annotations

import click

from .options import json_option


@click.command("mayoral")
@click.option("--date", "date", default="2028-06-01", show_default=True, metavar="YYYY-MM-DD",
              help="Strategic authorities in force with a mayor on this day.")
@click.option("--police", default=None, metavar="LAYER", help="Police force areas [default: pfa-2024 if catalogued, else pfa-2020].")
@click.option("--fire", default=None, metavar="LAYER", help="Fire authorities [default: fra-2024 if catalogued, else fra-2021].")
@click.option("--authorities", default="strategic-authorities-2028", show_default=True, metavar="SCENARIO",
              help="Group scenario of strategic authorities with their dates.")
@click.option("--all", "show_all", is_flag=True, help="Also list the bodies with no strategic authority in force.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Write mayoral.csv, mayoral.json and mayoral.html here.")
@json_option
def mayoral_cmd(date, police, fire, authorities, show_all, out_dir, as_json):
    """Can a mayor take police and fire? Each police area and fire authority against the strategic authorities.

    \b
    Examples:
      coterm mayoral --date 2028-06-01
      coterm mayoral --date 2026-06-01 --json
    """
    from ..decisions.mayoral import mayoral, write_mayoral
    from ..io import dumps_json
    from ..report import one_line

    r = mayoral(date, police=police, fire=fire, authorities=authorities)
    if out_dir:
        for p in write_mayoral(r, out_dir):
            click.echo(f"wrote {one_line(p)}", err=True)
    if as_json:
        click.echo(dumps_json(r.to_dict()), nl=False)
        return
    t = r.table
    click.echo(one_line(f"police and fire areas against strategic authorities with a mayor in force on {r.date} "
                        f"({r.layers['police']}, {r.layers['fire']}; districts {r.layers['districts']})"))
    for body_type, g in t.groupby("body_type", sort=False):
        can = g[g["can_pass_to_mayor"]]
        click.echo("")
        click.echo(f"{body_type}: {len(can)} of {len(g)} can pass to a mayor (coterminous with one mayoral authority in force)")
        order = {"coterminous": 0, "nested": 1, "contains": 2, "straddles": 3, "none": 4}
        g = g.sort_values(["relation", "name"], key=lambda s: s.map(order) if s.name == "relation" else s)
        for row in g.itertuples():
            if row.relation == "none" and not show_all:
                continue
            mark = "yes" if row.can_pass_to_mayor else "no "
            click.echo(one_line(f"  {mark} {row.relation:<11} {row.explanation}"))
        hidden = int((g["relation"] == "none").sum())
        if hidden and not show_all:
            click.echo(f"  ({hidden} with no strategic authority in force: --all lists them)")
    for n in r.notes:
        click.echo(one_line(f"note: {n}"), err=True)
