"""``coterm map A B``: an interactive HTML map (offline by default)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import by_option, load, min_share_option, mode_option


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "map"


@click.command("map")
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--scenario", type=click.Path(dir_okay=False), default=None, help="A scenario file: map before and after.")
@by_option
@mode_option
@min_share_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write [default: maps/<a>__<b>.html, or maps/<scenario>.html].")
@click.option("--tiles", default="none", show_default=True, help="Base map: none (offline), osm, positron, ...")
@click.option("--cdn", is_flag=True, help="Load Leaflet from its CDN (smaller file, needs the internet).")
@click.option("--crs", default=None, help="CRS of a file that declares none, e.g. EPSG:27700.")
def map_(a, b, scenario, weight, mode, min_share, output, tiles, cdn, crs):
    """Write an interactive map of how layer A's units relate to layer B's.

    \b
    Examples:
      coterm map ltla-2021 icb-2022
      coterm map --scenario scenarios/icb-mergers-2026.toml
      coterm map ltla-2021 pfa-2020 --by area -o police.html
    """
    from ..maps import coterminosity_map, save_map

    tiles = None if tiles in (None, "", "none") else tiles
    if scenario is not None:
        from ..compare import compare_scenario
        from ..scenario_map import scenario_result_map

        # with --scenario: `coterm map --scenario F [PARTNER]` or `coterm map --scenario F LAYER PARTNER`
        partner = b if b is not None else a
        res = compare_scenario(scenario, against=[partner] if partner else [], by=weight, mode=mode, min_share=min_share)
        if a is not None and b is not None and a != res.scenario.layer:
            raise click.UsageError(f"the scenario changes {res.scenario.layer}, not {a}; give only the partner layer")
        out = Path(output) if output else Path("maps") / f"{_slug(res.scenario.id)}.html"
        m = scenario_result_map(res, tiles=tiles, cdn=cdn)
    else:
        if a is None or b is None:
            raise click.UsageError("give two layers (catalogue ids or files), e.g. coterm map ltla-2021 icb-2022; or --scenario FILE")
        la, lb = load(a, crs=crs), load(b, crs=crs)
        out = Path(output) if output else Path("maps") / f"{_slug(la.id)}__{_slug(lb.id)}.html"
        m = coterminosity_map(la, lb, by=weight, tiles=tiles, cdn=cdn, mode=mode, min_share=min_share)
    path = save_map(m, out)
    size = path.stat().st_size / 1e6
    click.echo(f"wrote {path} ({size:.1f} MB); open it in a browser", err=True)
    click.echo(str(path))
