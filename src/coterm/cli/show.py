"""``coterm show``: one layer's entry, provenance, CRS, bounds and a few units."""

from __future__ import annotations

import click

from . import options as opt


@click.command("show")
@click.argument("layer")
@opt.file_options
@opt.json_option
def show(layer, code_col, name_col, file_layer, crs, as_json):
    """Describe a catalogue layer or a boundary file (``coterm units`` lists every unit)."""
    lay = opt.load(layer, code_col, name_col, file_layer, crs)
    info = {
        "id": lay.id,
        "title": lay.title,
        "source": lay.source,
        "crs": lay.crs.to_string() if lay.crs else None,
        "bounds": [round(float(v), 1) for v in lay.frame.total_bounds],
        "units": len(lay),
        "area_km2": round(float(lay.frame.geometry.area.sum()) / 1e6, 1),
        "atom_base": lay.atom_base,
        "examples": [{"code": c, "name": n} for c, n in lay.names.head(5).items()],
        "entry": lay.entry.as_dict() if lay.entry is not None else None,
    }
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json(info), nl=False)
        return
    for k in ("id", "title", "source", "crs", "bounds", "units", "area_km2", "atom_base"):
        opt.echo(f"{k:>12}: {info[k]}")
    if info["entry"]:
        for k in ("family", "vintage", "coverage", "generalisation", "approximate", "note", "source_dataset", "origin", "licence", "attribution"):
            v = info["entry"].get(k)
            if v not in ("", None):
                opt.echo(f"{k:>12}: {v}")
    opt.echo("    examples: " + "; ".join(f"{e['code']} {e['name']}" for e in info["examples"]))
