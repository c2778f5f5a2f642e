"""The in-process CLI runner (tests/cli_inprocess.py) shows exactly what a real ``python -m coterm`` shows.

Many tests check a command's output through :func:`cli_inprocess.run_here` instead of a new interpreter;
these cases run both ways and require the same exit status, stdout and stderr, so the two cannot drift:
an error line, a JSON result, a warning (under a fresh interpreter's filters, even when this process has
already shown it), the ``--debug`` traceback, and the environment and working folder given to the run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import warnings

import pytest

from cli_inprocess import run_here
from conftest import X0, Y0, gdf, square

WELSH = [("W1", "Ynys Môn", square(X0, Y0, 1000)), ("W2", "Pen-y-bont ar Ogwr – Bridgend", square(X0 + 1000, Y0, 1000))]


def _process(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "coterm", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


def _same(*args, cwd=None, env=None):
    here, there = run_here(*args, cwd=cwd, env=env), _process(*args, cwd=cwd, env=env)
    assert (here.returncode, here.stdout, here.stderr) == (there.returncode, there.stdout, there.stderr)
    return here


@pytest.fixture
def welsh_shp(tmp_path):
    """A UTF-8 shapefile without its .cpg: reading it warns."""
    p = tmp_path / "wales.shp"
    gdf(WELSH).to_file(p, encoding="UTF-8")
    p.with_suffix(".cpg").unlink()
    return p


def test_an_error_is_the_same_one_line_and_exit_status(tmp_path):
    res = _same("show", tmp_path / "nope.gpkg")
    assert res.returncode == 2 and res.stdout == "" and res.stderr.startswith("coterm: error: ")


def test_a_json_result_is_the_same_text(tmp_path):
    a, b = tmp_path / "a.gpkg", tmp_path / "b.parquet"
    gdf([("E1", "Alpha", square(X0, Y0, 1000)), ("E2", "Beta", square(X0 + 1000, Y0, 1000))]).to_file(a, driver="GPKG")
    gdf([("B1", "Both", square(X0, Y0, 2000, 1000))]).to_parquet(b)
    res = _same("compare", a, b, "--mode", "geometry", "--by", "area", "--json")
    assert res.returncode == 0 and res.stdout.startswith("{")


def test_a_warning_is_shown_as_a_fresh_process_shows_it_even_after_this_process_has(welsh_shp):
    import coterm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coterm.load_layer(welsh_shp)  # this process has met the warning before the runs below
    first = _same("show", welsh_shp)
    assert re.search(r"^coterm: warning: .*wales\.shp: the shapefile has no \.cpg file", first.stderr, re.M)
    assert run_here("show", welsh_shp).stderr == first.stderr  # and again: nothing remembers it was shown


def test_debug_gives_the_interpreters_exit_status_and_a_traceback(tmp_path):
    here, there = run_here("--debug", "show", tmp_path / "nope.gpkg"), _process("--debug", "show", tmp_path / "nope.gpkg")
    assert here.returncode == there.returncode == 1 and here.stdout == there.stdout == ""
    for res in (here, there):
        assert res.stderr.startswith("Traceback (most recent call last):")
        assert res.stderr.rstrip().splitlines()[-1] == there.stderr.rstrip().splitlines()[-1]  # the same exception line


def test_the_working_folder_and_environment_are_the_runs_and_are_restored(tmp_path, welsh_shp):
    before = (os.getcwd(), dict(os.environ), signal.getsignal(signal.SIGTERM), sys.stdout, sys.stderr)
    res = _same("show", welsh_shp.name, "--json", cwd=welsh_shp.parent, env={"COLUMNS": "37"})
    assert res.returncode == 0 and '"units": 2' in res.stdout
    assert (os.getcwd(), dict(os.environ), signal.getsignal(signal.SIGTERM), sys.stdout, sys.stderr) == before
    with pytest.raises(ValueError, match="PYTHON"):
        run_here("layers", env={"PYTHONHASHSEED": "1"})
