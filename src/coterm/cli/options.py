"""The registry of options shared by coterm's commands (rasterio's ``rio/options.py`` pattern).

Every shared option is defined once here and applied as a decorator, so a flag has one spelling,
one help text and one parameter name everywhere. To use it in a new command module::

    import click
    from . import options as opt

    @click.command("mycmd")
    @opt.layer_argument("a")            # argument A plus --a-code --a-name --a-layer --a-crs
    @opt.layer_argument("b")            # argument B plus --b-code ... (parameters a_code, b_crs ...)
    @opt.by_option                      # --by  → parameter ``by``
    @opt.mode_option                    # --mode
    @opt.min_share_option               # --min-share
    @opt.json_option                    # --json → ``as_json``
    @opt.exact_csv_option               # --exact-csv → ``exact_csv``
    def mycmd(a, b, by, mode, min_share, as_json, exact_csv, **files):
        la = opt.load_side(a, "a", files)
        lb = opt.load_side(b, "b", files)

Single-layer commands (``show``, ``units``) use ``@opt.file_options`` (``--code --name --layer
--crs``) and ``opt.load(path, code_col, name_col, file_layer, crs)``. ``opt.FILE_FLAGS`` lists the
flags a file needs per prefix; ``opt.echo`` prints a line through the one terminal sanitiser.

Messages from the library suggest the plain flags (``--code COLUMN``, ``--layer NAME``, ``--crs``);
:func:`load_side` rewrites them to the side's own flags (``--b-code COLUMN``; ``--crs`` stays on
two-layer commands, where it sets both sides), so every suggested flag exists on the command that
printed it (``tests/test_cli_flags.py`` checks this).
"""

from __future__ import annotations

import re

import click

__all__ = [
    "by_option", "mode_option", "min_share_option", "json_option", "workers_option", "exact_csv_option", "crs_option",
    "file_options", "layer_argument", "side_file_options", "load", "load_side", "echo", "progress_bar", "FILE_FLAGS",
]

by_option = click.option("--by", "by", type=click.Choice(["population", "area"]), default="population", show_default=True,
                         help="Weight overlaps by residents (LSOA populations) or by area.")
mode_option = click.option("--mode", type=click.Choice(["auto", "atoms", "geometry"]), default="auto", show_default=True,
                           help="atoms: exact, from shared building blocks (LSOAs); geometry: polygon intersection; auto: atoms when possible.")
min_share_option = click.option("--min-share", type=click.FloatRange(0, 1, max_open=True), default=None,
                                help="Drop a pair under this share of both units as a sliver [default: 0.01 geometry, 0 atoms].")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
workers_option = click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for the geometry engine.")
exact_csv_option = click.option(
    "--exact-csv", is_flag=True,
    help="Write CSV cells exactly. By default a text cell starting with = + - @ tab or CR gets a leading ' "
         "so that spreadsheets show it as text, not run it as a formula.")
crs_option = click.option("--crs", default=None, help="CRS of files that declare none, e.g. EPSG:27700 (every side; --a-crs/--b-crs for one).")

# what a user file may need, per side: (flag suffix, parameter suffix, help)
_FILE_FIELDS = (
    ("code", "code", "Column of unit codes in {what} (default: detected)."),
    ("name", "name", "Column of unit names in {what} (default: detected)."),
    ("layer", "file_layer", "Layer to read from {what} when it holds several (GeoPackage, zip of shapefiles)."),
    ("crs", "crs", "CRS of {what} if it declares none, e.g. EPSG:27700."),
)
FILE_FLAGS = {"": ("--code", "--name", "--layer", "--crs")}


def side_file_options(prefix: str, what: str | None = None):
    """Decorator adding ``--{prefix}-code --{prefix}-name --{prefix}-layer --{prefix}-crs``
    (parameters ``{prefix}_code``, ``{prefix}_name``, ``{prefix}_file_layer``, ``{prefix}_crs``)."""
    what = what or f"file {prefix.upper()}"
    FILE_FLAGS[prefix] = tuple(f"--{prefix}-{flag}" for flag, _, _ in _FILE_FIELDS)

    def deco(f):
        for flag, param, help_ in reversed(_FILE_FIELDS):
            f = click.option(f"--{prefix}-{flag}", f"{prefix.replace('-', '_')}_{param}", default=None,
                             metavar="CRS" if flag == "crs" else "NAME" if flag == "layer" else "COLUMN",
                             help=help_.format(what=what))(f)
        return f

    return deco


def layer_argument(name: str):
    """Decorator: a layer argument NAME (catalogue id or file) with its side's file options."""

    def deco(f):
        f = side_file_options(name)(f)
        return click.argument(name)(f)

    return deco


def file_options(f):
    """``--code --name --layer --crs`` for commands reading one layer (parameters code_col, name_col, file_layer, crs)."""
    for opt in reversed([
        click.option("--code", "code_col", default=None, metavar="COLUMN", help="Column of unit codes in a user file (default: detected)."),
        click.option("--name", "name_col", default=None, metavar="COLUMN", help="Column of unit names in a user file (default: detected)."),
        click.option("--layer", "file_layer", default=None, metavar="NAME",
                     help="Layer to read from a file holding several (GeoPackage, zip of shapefiles)."),
        click.option("--crs", default=None, metavar="CRS", help="CRS of a file that declares none, e.g. EPSG:27700."),
    ]):
        f = opt(f)
    return f


def load(id_or_path, code_col=None, name_col=None, file_layer=None, crs=None):
    """Load one layer with the plain file options."""
    from ..layer import load_layer

    return load_layer(id_or_path, code=code_col, name=name_col, layer=file_layer, crs=crs)


_FLAG_RE = re.compile(r"(?<![\w-])--(code|name|layer|crs)\b")


def load_side(id_or_path, prefix: str, params: dict, *, crs=None):
    """Load the layer of one side from its prefixed options in ``params`` (``crs``: the shared --crs).

    Errors suggesting ``--code`` etc. are re-raised suggesting ``--{prefix}-code``.
    """
    from ..errors import CotermError
    from ..layer import load_layer

    key = prefix.replace("-", "_")
    try:
        return load_layer(id_or_path, code=params.get(f"{key}_code"), name=params.get(f"{key}_name"),
                          layer=params.get(f"{key}_file_layer"), crs=params.get(f"{key}_crs") or crs)
    except CotermError as exc:
        text = str(exc)
        # --crs stays as it is on two-layer commands, where it exists (for both sides)
        keep = {"crs"} if prefix in ("a", "b") else set()
        fixed = _FLAG_RE.sub(lambda m: m.group() if m.group(1) in keep else f"--{prefix}-{m.group(1)}", text)
        if fixed == text:
            raise
        raise type(exc)(fixed) from exc


def echo(text="", *, err: bool = False) -> None:
    """Print one line of text for people through the one terminal sanitiser (:func:`coterm.report.one_line`)."""
    from ..report import one_line

    click.echo(one_line(text), err=err)


def progress_bar(description: str):
    """A rich progress bar on stderr; returns (context manager, callback(done, total))."""
    import contextlib
    import os
    import sys

    if not _isatty(sys.stderr) and not {"FORCE_COLOR", "TTY_COMPATIBLE"} & set(os.environ):
        # rich would draw nothing here (see Console.is_terminal); importing it costs ~0.05-0.1 s per command
        return contextlib.nullcontext(), lambda done, total: None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..report import one_line

    console = Console(stderr=True)
    # only on a terminal: piped or captured stderr gets clean one-line messages
    prog = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)
    task = prog.add_task(one_line(description).replace("[", "\\["), total=None)

    def update(done, total):
        prog.update(task, completed=done, total=total)

    return prog, update


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file: not a terminal
        return False
