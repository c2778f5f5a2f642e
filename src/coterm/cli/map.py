"""``coterm map A B``: an interactive HTML map (offline by default)."""

from __future__ import annotations

from pathlib import Path

import click

from . import options as opt


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "map"


@click.command("map")
@click.argument("a", required=False)
@click.argument("b", required=False)
@opt.side_file_options("a")
@opt.side_file_options("b")
@click.option("--scenario", type=click.Path(dir_okay=False), default=None, help="A scenario file: map before and after.")
@opt.by_option
@opt.mode_option
@opt.min_share_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write [default: maps/<a>__<b>.html, or maps/<scenario>.html].")
@click.option("--tiles", default="none", show_default=True, help="Base map: none (offline), osm, positron, ...")
@click.option("--cdn", is_flag=True, help="Load Leaflet from its CDN (smaller file, needs the internet).")
@opt.crs_option
def map_(a, b, scenario, by, mode, min_share, output, tiles, cdn, crs, **files):
    """Write an interactive map of how layer A's units relate to layer B's.

    \b
    Examples:
      coterm map ltla-2021 icb-2022
      coterm map --scenario scenarios/icb-mergers-2026.toml
      coterm map --scenario merges.csv ltla-2021 icb-2022    (LAYER PARTNER: the layer a CSV scenario changes)
      coterm map ltla-2021 pfa-2020 --by area -o police.html
      coterm map forces.gpkg pfa-2020 --a-layer forces --a-code FORCE_ID --a-name FORCE_NAME
    """
    from ..maps import coterminosity_map, save_map, scenario_map

    tiles = None if tiles in (None, "", "none") else tiles
    if scenario is not None:
        from ..scenarios import compare_scenario, load_scenario

        # with --scenario: `coterm map --scenario F [PARTNER]` or `coterm map --scenario F LAYER PARTNER`
        # (LAYER, with its --a-* options, is the layer the scenario changes: needed for a CSV without `# layer:`)
        partner = b if b is not None else a
        side = "b" if b is not None else "a"
        against = [opt.load_side(partner, side, files, crs=crs)] if partner else []
        base = None
        if a is not None and b is not None:
            sc = load_scenario(scenario, layer=a)
            base = opt.load_side(a, "a", files, crs=crs)
        else:
            sc = load_scenario(scenario)
        res = compare_scenario(sc, against=against, by=by, mode=mode, min_share=min_share, layer=base)
        out = Path(output) if output else Path("maps") / f"{_slug(res.scenario.id)}.html"
        m = scenario_map(res, tiles=tiles, cdn=cdn)
    else:
        if a is None or b is None:
            raise click.UsageError("give two layers (catalogue ids or files), e.g. coterm map ltla-2021 icb-2022; or --scenario FILE")
        la, lb = opt.load_side(a, "a", files, crs=crs), opt.load_side(b, "b", files, crs=crs)
        out = Path(output) if output else Path("maps") / f"{_slug(la.id)}__{_slug(lb.id)}.html"
        m = coterminosity_map(la, lb, by=by, tiles=tiles, cdn=cdn, mode=mode, min_share=min_share)
    path = save_map(m, out)
    size = path.stat().st_size / 1e6
    opt.echo(f"wrote {path} ({size:.1f} MB); open it in a browser", err=True)
    opt.echo(str(path))
