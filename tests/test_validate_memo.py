"""A scenario checked twice against the same layer is checked once, with the same answer; failures are never remembered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_check_gives_the_same_notes_and_membership_and_callers_cannot_spoil_it():
    from coterm.scenarios.find import base_layer, load_scenario
    from coterm.scenarios.validate import _CHECKED, _validate

    sc = load_scenario(ROOT / "scenarios" / "icb-mergers-2026.toml")
    assert sc.transfers  # the case that recomputes memberships
    lay = base_layer(sc, None)
    notes1, m1 = _validate(sc, lay)
    assert (id(sc), id(lay)) in _CHECKED
    want = m1.copy()
    m1.iloc[:] = "spoilt"  # a caller changing its copy
    notes1.append("spoilt")
    notes2, m2 = _validate(sc, lay)
    pd.testing.assert_series_equal(m2, want)
    assert "spoilt" not in notes2 and notes2 == notes1[:-1]
    # another layer object (even an equal one) is checked afresh, and gives the same answer
    notes3, m3 = _validate(sc, lay.replace())
    pd.testing.assert_series_equal(m3, want)
    assert notes3 == notes2
    # the same layer with another membership is checked afresh: here every block has left the source unit
    moved = lay.replace(membership=lay.membership.where(lay.membership != sc.transfers[0].from_, sc.transfers[0].to))
    from coterm.errors import ScenarioError

    for _ in range(2):  # an error is raised every time, never remembered
        with pytest.raises(ScenarioError):
            _validate(sc, moved)


def test_a_changed_scenario_is_checked_afresh():
    from coterm.errors import ScenarioError
    from coterm.scenarios.find import base_layer, load_scenario
    from coterm.scenarios.validate import _validate

    sc = load_scenario(ROOT / "scenarios" / "met-bcus-2019.toml")
    lay = base_layer(sc, None)
    _validate(sc, lay)
    bad = replace(sc, merges=(replace(sc.merges[0], members=(*sc.merges[0].members, "E09999999")), *sc.merges[1:]))
    with pytest.raises(ScenarioError, match="E09999999"):
        _validate(bad, lay)
