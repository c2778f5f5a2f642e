"""Weighting by population where LSOA points do not cover a unit: not "outside", but area, said out loud."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import coterm
from coterm.atoms import atom_table
from coterm.errors import CoverageWarning
from conftest import X0, Y0, drawn_layer, square


def _points_in(x0, y0, w, h):
    t = atom_table("lsoa-2011")
    x, y = t["x"].to_numpy(), t["y"].to_numpy()
    return int(((x >= x0) & (x <= x0 + w) & (y >= y0) & (y <= y0 + h)).sum())


def test_a_unit_without_lsoa_points_falls_back_to_area_with_a_warning_and_is_not_outside():
    # a 2 km district with LSOA points, and a 100 m unit beside it that holds none
    assert _points_in(X0, Y0, 2000, 2000) > 0 and _points_in(X0 + 2000, Y0, 100, 100) == 0
    a = drawn_layer([("BIG", "Populated", square(X0, Y0, 2000, 2000)), ("TINY", "No point", square(X0 + 2000, Y0, 100, 100))], id="a")
    b = drawn_layer([("ALL", "Everything", square(X0, Y0, 2100, 2000))], id="b")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sc = coterm.score(coterm.overlap(a, b, mode="geometry", by="population"))
    msgs = [str(x.message) for x in w if issubclass(x.category, CoverageWarning)]
    assert any("a × b: 1 unit(s) hold no lsoa-2011 population point (a:TINY)" in m and "weighted by area instead of population" in m
               for m in msgs), msgs
    assert sc.overlap.by == "area"
    assert any("weighted by area instead of population" in n for n in sc.overlap.notes)
    classes = sc.unit_classes("a")
    assert classes["TINY"] == "nested" and classes["BIG"] == "nested"
    row = sc.overlap.table.set_index(["a_code", "b_code"]).loc[("TINY", "ALL")]
    assert row["measure"] == pytest.approx(100 * 100) and row["share_of_a"] == pytest.approx(1.0)


def test_a_layer_whose_units_all_hold_points_stays_weighted_by_population():
    a = drawn_layer([("L", "Left", square(X0, Y0, 1500, 2000)), ("R", "Right", square(X0 + 1500, Y0, 1500, 2000))], id="a")
    b = drawn_layer([("ALL", "Everything", square(X0, Y0, 3000, 2000))], id="b")
    assert _points_in(X0, Y0, 1500, 2000) > 0 and _points_in(X0 + 1500, Y0, 1500, 2000) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)
        ov = coterm.overlap(a, b, mode="geometry", by="population")
    assert ov.by == "population"
    assert np.isclose(ov.table["measure"].sum(), ov.table["population"].sum()) and ov.table["population"].sum() > 0
