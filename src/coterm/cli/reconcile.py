"""``coterm reconcile A B``: where atom mode and geometry mode disagree, and why."""

from __future__ import annotations

import click

from . import options as opt


@click.command("reconcile")
@opt.layer_argument("a")
@opt.layer_argument("b")
@opt.by_option
@opt.min_share_option
@opt.workers_option
@opt.json_option
@opt.crs_option
def reconcile(a, b, by, min_share, workers, as_json, crs, **files):
    """List the units that atom mode and geometry mode classify differently (both layers need LSOA building blocks)."""
    from ..reconcile import reconcile as run

    res = run(opt.load_side(a, "a", files, crs=crs), opt.load_side(b, "b", files, crs=crs), by=by, min_share=min_share,
              workers=workers)
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json({"agreement": res.agreement, "units": res.table.to_dict(orient="records")}), nl=False)
        return
    for line in res.lines():
        opt.echo(line)
