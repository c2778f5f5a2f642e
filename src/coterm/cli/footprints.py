"""``coterm footprints``: the finest common footprints of several layers, and the overlaps that glue them."""

from __future__ import annotations

import click

from .options import by_option, json_option, min_share_option, mode_option


@click.command("footprints")
@click.argument("layers", nargs=-1, required=True)
@min_share_option
@by_option
@mode_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write footprints.csv, footprint_units.csv, gluing.csv, footprints.json and footprints.html here.")
@click.option("--map", "map_path", type=click.Path(dir_okay=False), default=None, help="Write a map of the footprints (HTML) here.")
@json_option
def footprints_cmd(layers, min_share, by, mode, out_dir, map_path, as_json):
    """Footprints where all LAYERS nest: connected components of their kept overlaps, with the overlaps gluing them.

    \b
    Examples:
      coterm footprints ltla-2024 icb-2026 pfa-2024 fra-2024
      coterm footprints ltla-2021 icb-2022 pfa-2020 fra-2021 --min-share 0.02 --out maps/footprints
    """
    from ..decisions.footprints import footprints, write_footprints
    from ..io import dumps_json
    from ..report import one_line

    fp = footprints(list(layers), min_share=min_share, by=by, mode=mode)
    if out_dir:
        for p in write_footprints(fp, out_dir):
            click.echo(f"wrote {one_line(p)}", err=True)
    if map_path:
        from ..decisions.footprint_map import save_footprint_map

        save_footprint_map(fp, map_path)
        click.echo(f"wrote {one_line(map_path)}", err=True)
    if as_json:
        click.echo(dumps_json(fp.to_dict()), nl=False)
        return
    unit = "people" if fp.by == "population" else "m²"
    t = fp.footprints
    click.echo(one_line(f"{len(t)} common footprints of {', '.join(fp.layers)} (mode {fp.mode}, min_share {fp.min_share:g}, by {fp.by})"))
    for row in t.to_dict(orient="records"):
        counts = ", ".join(f"{len(row[lay].split(';')) if row[lay] else 0} {lay}" for lay in fp.layers)
        glue = f"; glued by {row['gluing_overlaps']} piece(s)" if row["gluing_overlaps"] else ""
        click.echo(one_line(f"  {row['id']}  {row['name']}: {row['measure']:,.0f} {unit}; {counts}{glue}"))
    if len(fp.pieces):
        click.echo("")
        click.echo("gluing overlaps (remove them to split a footprint into its cores):")
        for row in fp.pieces.itertuples():
            click.echo(one_line(f"  {row.footprint}  {row.description}"))
