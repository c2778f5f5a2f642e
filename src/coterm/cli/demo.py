"""``coterm demo``: the main job, the whole picture written to maps/."""

from __future__ import annotations

import time

import click


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="maps", show_default=True, help="Folder to write.")
@click.option("--quick", is_flag=True, help="A small subset (a few pairs and one scenario), for a smoke test.")
@click.option("--by", "by", type=click.Choice(["population", "area"]), default="population", show_default=True)
def demo(out_dir, quick, by):
    """Compute the coterminosity matrix, the story over time, every shipped scenario and their maps,
    and write them with index.html to OUT (offline; an interrupted run leaves the previous output)."""
    from ..demo import run_demo
    from .options import progress_bar

    t0 = time.perf_counter()
    prog, update = progress_bar("coterm demo")
    with prog:
        index = run_demo(out_dir, quick=quick, by=by, progress=lambda d, t, label: update(d, t))
    click.echo(f"done in {time.perf_counter() - t0:.0f} s: open {index.resolve()} in a browser", err=True)
    click.echo(str(index))
