"""Fixtures (no tests): toy layers built from eight made-up building blocks (atoms), for the scenario tests.

Atoms L0..L7 are 1 km squares in a row near Reading (BNG); population of Li is 100·(i+1).

    districts  E07000100 Reading {L0,L1} | E07000101 Wokingham {L2,L3} | E07000102 Bracknell {L4,L5} | E07000103 Windsor {L6,L7}
    health     H1 {L0,L1,L2} | H2 {L3..L7}
    counties   C1 {L0..L3} | C2 {L4..L7}
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

X0, Y0 = 470000, 170000
ATOMS = [f"L{i}" for i in range(8)]
BASE = "toy-lsoa"


def atom_frame() -> pd.DataFrame:
    return pd.DataFrame({"population": [100.0 * (i + 1) for i in range(8)], "area_m2": [1e6] * 8,
                         "x": [X0 + 500 + 1000 * i for i in range(8)], "y": [Y0 + 500] * 8},
                        index=pd.Index(ATOMS, name="code"))


def atom_layer(id: str, units: dict[str, tuple[str, list[int]]], *, kind: str = ""):
    """units: code -> (name, atom indices)."""
    import geopandas as gpd
    import shapely

    from coterm.layer import Layer

    codes = list(units)
    geoms = [shapely.union_all([shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in ix]) for _, ix in units.values()]
    index = pd.Index(codes, name="code", dtype=object)
    frame = gpd.GeoDataFrame({"name": [n for n, _ in units.values()]}, geometry=gpd.GeoSeries(geoms, index=index, crs="EPSG:27700"),
                             index=index)
    membership = pd.Series({f"L{i}": c for c, (_, ix) in units.items() for i in ix}, name="unit")
    membership.index.name = "atom"
    return Layer(id=id, title=id, frame=frame, kind=kind, atom_base=BASE, membership=membership.sort_index())


@pytest.fixture
def toy_atoms(monkeypatch):
    import coterm.atoms

    real = coterm.atoms.atom_table

    def fake(base_id):
        return atom_frame() if base_id == BASE else real(base_id)

    monkeypatch.setattr(coterm.atoms, "atom_table", fake)
    return atom_frame()


@pytest.fixture
def toy_districts(toy_atoms):
    return atom_layer("toy-districts", {"E07000100": ("Reading", [0, 1]), "E07000101": ("Wokingham", [2, 3]),
                                        "E07000102": ("Bracknell", [4, 5]), "E07000103": ("Windsor", [6, 7])}, kind="ltla")


@pytest.fixture
def toy_health(toy_atoms):
    return atom_layer("toy-health", {"H1": ("Health 1", [0, 1, 2]), "H2": ("Health 2", [3, 4, 5, 6, 7])}, kind="icb")


@pytest.fixture
def toy_counties(toy_atoms):
    return atom_layer("toy-counties", {"C1": ("County 1", [0, 1, 2, 3]), "C2": ("County 2", [4, 5, 6, 7])}, kind="utla")


@pytest.fixture(scope="session")
def catalogue():
    """Skip when the bundled catalogue is not built."""
    from coterm.catalog import catalog

    try:
        cat = catalog()
        if not cat.path(cat.get("ltla-2021").file).exists():
            pytest.skip("bundled catalogue layers not built")
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"bundled catalogue unavailable: {exc}")
    return cat


def big_layer(n: int):
    import geopandas as gpd

    from coterm.layer import Layer

    index = pd.Index([f"C{i:05d}" for i in range(n)], name="code", dtype=object)
    frame = gpd.GeoDataFrame({"name": [f"Unit {i}" for i in range(n)]},
                             geometry=gpd.GeoSeries(np.full(n, None), index=index, crs="EPSG:27700"), index=index)
    return Layer(id="big", title="big", frame=frame)
