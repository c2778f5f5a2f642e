"""Inside one checking_once() block (one compare_scenario call) a scenario checked twice against the same layer is
checked once, with the same answer; failures are never remembered, and nothing is kept after the block."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_check_gives_the_same_notes_and_membership_and_callers_cannot_spoil_it():
    from coterm.scenarios.find import base_layer, load_scenario
    from coterm.scenarios.validate import _CHECKED, _validate, checking_once

    sc = load_scenario(ROOT / "scenarios" / "icb-mergers-2026.toml")
    assert sc.transfers  # the case that recomputes memberships
    lay = base_layer(sc, None)
    with checking_once():
        _remembers_within_a_block(sc, lay, _CHECKED, _validate)
    assert _CHECKED.get() is None  # nothing is kept after the block


def _remembers_within_a_block(sc, lay, _CHECKED, _validate):
    notes1, m1 = _validate(sc, lay)
    assert (id(sc), id(lay)) in _CHECKED.get()
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

    from coterm.scenarios.validate import checking_once

    sc = load_scenario(ROOT / "scenarios" / "met-bcus-2019.toml")
    lay = base_layer(sc, None)
    with checking_once():
        _validate(sc, lay)
        bad = replace(sc, merges=(replace(sc.merges[0], members=(*sc.merges[0].members, "E09999999")), *sc.merges[1:]))
        with pytest.raises(ScenarioError, match="E09999999"):
            _validate(bad, lay)


def test_outside_a_block_every_check_is_made_and_nothing_is_kept():
    from coterm.scenarios import validate
    from coterm.scenarios.find import base_layer, load_scenario

    sc = load_scenario(ROOT / "scenarios" / "icb-mergers-2026.toml")
    lay = base_layer(sc, None)
    calls = []
    real = validate._check
    validate._check = lambda *a: calls.append(a) or real(*a)
    try:
        (n1, m1), (n2, m2) = validate._validate(sc, lay), validate._validate(sc, lay)
        assert len(calls) == 2 and n1 == n2
        pd.testing.assert_series_equal(m1, m2)
        with validate.checking_once():
            validate._validate(sc, lay)
            validate._validate(sc, lay)
        assert len(calls) == 3
    finally:
        validate._check = real
    assert validate._CHECKED.get() is None
