"""``coterm layers``: list the bundled catalogue."""

from __future__ import annotations

import click

from ..catalog import FAMILIES


@click.command("layers")
@click.option("--family", type=click.Choice(list(FAMILIES)), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
def layers(family, as_json):
    """List the bundled boundary layers (id, title, family, vintage, units, generalisation)."""
    from ..catalog import list_layers

    entries = list_layers(family)
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json([e.as_dict() for e in entries]), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    from rich.markup import escape

    from ..report import one_line

    def cell(v) -> str:  # catalogue text is data: sanitised, and never read as rich markup
        return escape(one_line(v))

    t = Table(title="coterm boundary catalogue (ONS, OGL v3)", show_lines=False)
    for col in ("id", "title", "family", "vintage", "units", "built / generalisation", "approx."):
        t.add_column(col, no_wrap=col == "id")
    for e in entries:
        t.add_row(*(cell(v) for v in (e.id, e.title, e.family, e.vintage, e.features, e.generalisation)),
                  "yes" if e.approximate else "")
    Console().print(t)
