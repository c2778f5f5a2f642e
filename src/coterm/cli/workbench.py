"""``coterm workbench``: one offline HTML page to regroup units and see coterminosity re-scored."""

from __future__ import annotations

from pathlib import Path

import click

def default_partners(layer_id: str) -> list[str]:
    from ..catalog import list_layers
    from ..workbench.data import DEFAULT_PARTNERS

    have = {e.id for e in list_layers()}
    return [p for p in DEFAULT_PARTNERS if p in have and p != layer_id]


@click.command("workbench")
@click.option("--layer", "layer_id", default="ltla-2024", show_default=True, help="The layer to reshape (catalogue id).")
@click.option("--against", multiple=True, metavar="LAYER",
              help="Partner layer to score against (repeat). [default: the current ICBs, sub-ICB locations, police, "
                   "CSPs, fire and strategic authorities in the catalogue]")
@click.option("--start", default=None, metavar="SCENARIO", help="Start from a scenario (file or shipped id) on LAYER.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="maps/workbench.html", show_default=True,
              help="HTML file to write.")
def workbench(layer_id, against, start, output):
    """Write a self-contained page where a planner groups units (click, drag, or pick from a list) and
    sees every partner layer re-scored at once; the grouping downloads as a scenario file.

    \b
    Examples:
      coterm workbench
      coterm workbench --layer ltla-2021 --against icb-2022 --against pfa-2020 --start surrey-unitaries-2027
    """
    from ..workbench import save_workbench, workbench_data

    partners = list(against) or default_partners(layer_id)
    if not partners:
        raise click.UsageError(f"no partner layer on the building blocks of {layer_id} in the catalogue; give --against LAYER")
    data = workbench_data(layer_id, partners, start=start)
    path = save_workbench(data, Path(output))
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB; {len(partners)} partner layers); open it in a browser", err=True)
    click.echo(str(path))
