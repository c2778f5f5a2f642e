"""Shared fixtures: small drawn layers in British National Grid with hand-computable answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def square(x0, y0, w, h=None):
    from shapely import box

    return box(x0, y0, x0 + w, y0 + (h if h is not None else w))


def gdf(rows, crs="EPSG:27700"):
    """rows: list of (code, name, geometry)."""
    import geopandas as gpd

    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=crs)


def drawn_layer(rows, id="drawn", crs="EPSG:27700"):
    from coterm.layer import make_layer

    return make_layer(gdf(rows, crs=crs), id=id, title=id)


def overlay_oracle(a, b):
    """geopandas.overlay's intersection areas (ia, ib, area): the reference the kernels are checked against."""
    import warnings

    import geopandas as gpd
    import numpy as np

    da = gpd.GeoDataFrame({"ia": np.arange(len(a))}, geometry=list(a), crs=27700)
    db = gpd.GeoDataFrame({"ib": np.arange(len(b))}, geometry=list(b), crs=27700)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ov = gpd.overlay(da, db, how="intersection")
    return ov.ia.to_numpy(), ov.ib.to_numpy(), ov.area.to_numpy()


def run_build_tool(*argv) -> int:
    """``python tools/build_scenarios.py ARGV`` in this process: the tests check the files it writes, and a new
    interpreter (pandas import and all) cost a second of CPU. Loaded afresh from its file each time, under its own
    name (it hands itself to its builders through ``sys.modules``); ``sys.path`` is restored afterwards."""
    import importlib.util
    import sys

    path, name = ROOT / "tools" / "build_scenarios.py", "build_scenarios"
    saved_path = list(sys.path)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
        return mod.main([str(a) for a in argv])
    finally:
        sys.modules.pop(name, None)
        sys.path[:] = saved_path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    d = Path(os.environ.get("COTERM_ARTIFACTS", ROOT / "artifacts"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def quick_demo(tmp_path_factory) -> Path:
    """``coterm demo --quick --out DIR`` run once per test session, in a real process; tests only read it.

    Under xdist the first worker to need it runs it and the other waits and reads the same folder (tests/shared_once.py).
    """
    import subprocess
    import sys

    from shared_once import built_once

    def build(folder: Path) -> None:
        out = folder / "maps"
        p = subprocess.run([sys.executable, "-m", "coterm", "demo", "--quick", "--out", str(out)],
                           capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == str(out / "index.html")
        assert "open" in p.stderr

    return built_once(tmp_path_factory, "quick-demo", build) / "maps"


# A 4 km x 2 km strip near Reading (BNG), in four 1 km-wide columns of districts ...
X0, Y0 = 470000, 170000


@pytest.fixture
def districts():
    return drawn_layer([(f"D{i}", f"District {i}", square(X0 + 1000 * i, Y0, 1000, 2000)) for i in range(4)], id="districts")


@pytest.fixture
def counties():
    # C1 = D0+D1 (contains two districts), C2 = D2 (coterminous), C3 = D3 (coterminous)
    return drawn_layer([("C1", "County 1", square(X0, Y0, 2000, 2000)), ("C2", "County 2", square(X0 + 2000, Y0, 1000, 2000)),
                        ("C3", "County 3", square(X0 + 3000, Y0, 1000, 2000))], id="counties")


@pytest.fixture
def health():
    # H1 = x in [0, 1500) splits D1 half/half; H2 = [1500, 4000)
    return drawn_layer([("H1", "Health 1", square(X0, Y0, 1500, 2000)), ("H2", "Health 2", square(X0 + 1500, Y0, 2500, 2000))], id="health")

# run by the system python3 with Debian's QGIS, not imported by pytest (nor by --doctest-modules)
collect_ignore = ["qgis_render.py"]


def pytest_sessionfinish(session, exitstatus):
    # the browser tests share one chromium per test process (tests/browser.py); close it with the session
    import sys

    for name in ("browser", "tests.browser"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "close_shared_browser"):
            module.close_shared_browser()
    # the PostgreSQL server serves every worker of the session (tests/pg_server.py): the process that ends the
    # session, after every worker (the xdist controller, or the only process), stops it
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and not hasattr(session.config, "workerinput"):
        from pg_server import stop_shared
        from shared_once import session_root

        stop_shared(session_root(factory))
