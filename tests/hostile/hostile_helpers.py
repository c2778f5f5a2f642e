"""Helpers of the hostile-input suite: run the real CLI (in a subprocess, or its main() in-process) and check its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import X0, Y0, gdf, square

ROWS = [("E1", "Alpha", square(X0, Y0, 1000)), ("E2", "Beta", square(X0 + 1000, Y0, 1000)),
        ("E3", "Gamma", square(X0 + 2000, Y0, 1000))]
# E1+E2 in one unit, E3 in another: a simple nesting.
BIG = [("B1", "Big one", square(X0, Y0, 2000, 1000)), ("B2", "Big two", square(X0 + 2000, Y0, 1000))]


def wait_until_caught(proc, sig, timeout=60.0) -> None:
    """Wait until the process has installed its handler for ``sig`` (SigCgt in /proc): on a loaded machine
    start-up can outlast any fixed sleep, so a signal test must not race it. Fails if it never does."""
    import signal
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        with open(f"/proc/{proc.pid}/status") as fh:
            caught = int(next(ln for ln in fh if ln.startswith("SigCgt:")).split()[1], 16)
        if caught >> (sig - 1) & 1:
            return
        time.sleep(0.05)
    raise AssertionError(f"coterm never installed its handler for {signal.Signals(sig).name}")


def run_cli(*args, cwd=None, env=None, timeout=180) -> subprocess.CompletedProcess:
    """Run ``python -m coterm ARGS`` as a user would, capturing stdout and stderr as text."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "coterm", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=timeout)


def cli_error(res: subprocess.CompletedProcess, *needles: str, code: int = 2) -> str:
    """Assert a clean CLI failure: exit ``code``, one ``coterm: error:`` line containing ``needles``, no traceback."""
    assert res.returncode == code, f"exit {res.returncode}\nstdout: {res.stdout}\nstderr: {res.stderr}"
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("coterm: error: ")]
    assert len(errors) == 1, res.stderr
    assert all(ln.startswith("coterm: ") for ln in lines), f"stray stderr output: {res.stderr!r}"
    for needle in needles:
        assert needle in errors[0], f"{needle!r} not in {errors[0]!r}"
    assert res.stdout == ""
    return errors[0]


def write_layer(rows, path: Path, crs="EPSG:27700", **kw) -> Path:
    """Write rows (code, name, geometry) to ``path`` in the format its suffix names."""
    df = gdf(rows, crs=crs)
    if path.suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_file(path, **kw)
    return path


def grid(n: int, size: float, offset: float, seg: float, prefix: str):
    """Rows of an n × n grid of squares of ``size`` m from (X0 + offset, Y0 + offset), edges densified every ``seg`` m."""
    import shapely

    return [(f"{prefix}{i:03d}{j:03d}", f"{prefix} {i} {j}",
             shapely.segmentize(square(X0 + offset + i * size, Y0 + offset + j * size, size), seg))
            for i in range(n) for j in range(n)]


def slow_pair_files(tmp_path_factory) -> tuple[Path, Path]:
    """Two offset grids of 10,000 densified squares: several seconds of geometric overlay, for the signal tests.
    Written once per test session for both modules that interrupt runs (tests/shared_once.py); only read."""
    from shared_once import built_once

    def build(d: Path) -> None:
        write_layer(grid(100, 200, 0, 2.0, "A"), d / "slowA.parquet")
        write_layer(grid(100, 200, 70, 2.0, "B"), d / "slowB.parquet")

    d = built_once(tmp_path_factory, "slow-pair", build)
    return d / "slowA.parquet", d / "slowB.parquet"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes), hidden files included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_here(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """:func:`run_cli` without a new interpreter: the CLI's own ``main()`` in this process, output
    captured at the file descriptors (tests/cli_inprocess.py). For what a command prints or writes;
    tests about processes (signals, concurrency, hash seeds, start-up) keep :func:`run_cli`."""
    from cli_inprocess import run_here as _run_here

    return _run_here(*args, cwd=cwd, env={"COLUMNS": "200", **(env or {})})
