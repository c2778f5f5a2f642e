"""Options shared by several commands."""

from __future__ import annotations

import click

by_option = click.option("--by", "weight", type=click.Choice(["population", "area"]), default="population", show_default=True,
                         help="Weight overlaps by residents (LSOA populations) or by area.")
mode_option = click.option("--mode", type=click.Choice(["auto", "atoms", "geometry"]), default="auto", show_default=True,
                           help="atoms: exact, from shared building blocks (LSOAs); geometry: polygon intersection; auto: atoms when possible.")
min_share_option = click.option("--min-share", type=click.FloatRange(0, 1, max_open=True), default=None,
                                help="Drop a pair under this share of both units as a sliver [default: 0.01 geometry, 0 atoms].")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
workers_option = click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for the geometry engine.")
layer_file_options = [
    click.option("--code", "code_col", default=None, help="Column of unit codes in a user file (default: detected)."),
    click.option("--name", "name_col", default=None, help="Column of unit names in a user file (default: detected)."),
    click.option("--layer", "file_layer", default=None, help="Layer to read from a multi-layer file (GeoPackage)."),
    click.option("--crs", default=None, help="CRS of a file that declares none, e.g. EPSG:27700."),
]


def file_options(f):
    for opt in reversed(layer_file_options):
        f = opt(f)
    return f


def load(id_or_path, code_col=None, name_col=None, file_layer=None, crs=None):
    from ..layer import load_layer

    return load_layer(id_or_path, code=code_col, name=name_col, layer=file_layer, crs=crs)


def progress_bar(description: str):
    """A rich progress bar on stderr; returns (context manager, callback(done, total))."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    # only on a terminal: piped or captured stderr gets clean one-line messages
    prog = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)
    task = prog.add_task(description, total=None)

    def update(done, total):
        prog.update(task, completed=done, total=total)

    return prog, update
