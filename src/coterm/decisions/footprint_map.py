"""The footprints map: the first layer's units filled by footprint, one offline HTML page (inline SVG)."""

from __future__ import annotations

__all__ = ["footprint_map_html", "save_footprint_map"]


def footprint_map_html(fp) -> str:
    from ..layer import load_layer
    from .outputs import ATTRIBUTION
    from .page import render_page
    from .svg import PALETTE, svg_shapes

    first = fp.layers[0]
    lay = fp.layer_objects[0] if fp.layer_objects else load_layer(first)
    u = fp.units[fp.units["layer"] == first]
    order = {f: i for i, f in enumerate(fp.footprints["id"])}
    fname = dict(zip(fp.footprints["id"], fp.footprints["name"]))
    geoms = lay.frame.geometry.reindex(u["code"]).to_numpy()
    paths, viewbox, _ = svg_shapes(geoms, width=900)
    shapes = [{"d": d, "fill": PALETTE[order[f] % len(PALETTE)], "title": f"{n} ({c}): footprint {f} {fname[f]}"}
              for d, c, n, f in zip(paths, u["code"], u["name"], u["footprint"]) if d]
    legend = [{"id": f, "name": fname[f], "fill": PALETTE[i % len(PALETTE)]} for f, i in order.items()]
    m = {"viewbox": viewbox, "width": 900, "label": f"footprints of {', '.join(fp.layers)}", "shapes": shapes}
    return render_page("footprints_map.html.j2", title=f"Common footprints of {', '.join(fp.layers)}", m=m, legend=legend,
                       pieces=fp.pieces.to_dict(orient="records"), attribution=ATTRIBUTION, data=None)


def save_footprint_map(fp, path) -> None:
    """Write the map page atomically (the file is replaced only when complete)."""
    from ..io import write_text

    write_text(footprint_map_html(fp), path)
