"""``coterm reconcile A B``: where atom mode and geometry mode disagree, and why."""

from __future__ import annotations

import click

from .options import by_option, json_option, load, min_share_option, workers_option


@click.command("reconcile")
@click.argument("a")
@click.argument("b")
@by_option
@min_share_option
@workers_option
@json_option
def reconcile(a, b, weight, min_share, workers, as_json):
    """List the units that atom mode and geometry mode classify differently."""
    from ..reconcile import reconcile as run

    res = run(load(a), load(b), weight=weight, min_share=min_share, workers=workers)
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json({"agreement": res.agreement, "units": res.table.to_dict(orient="records")}), nl=False)
        return
    for line in res.lines():
        click.echo(line)
