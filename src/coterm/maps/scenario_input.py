"""The ONE adapter between a scenario result and the scenario map.

Today's source is :class:`coterm.scenarios.ScenarioResult` (``before``/``after`` comparisons per
partner and a ``changed_units`` table). When the scenarios package lands its own ``ScenarioResult``
(carrying its old→new mapping and after-layer), only :func:`scenario_view` changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["ScenarioView", "scenario_view"]


@dataclass(frozen=True)
class ScenarioView:
    """What a scenario map draws, for one partner layer.

    ``changed``: one row per unit whose class changed, columns ``layer`` ("a" = the scenario's layer,
    "b" = the partner), ``code``, ``name``, ``before``, ``after`` (classes) and ``description``.
    """

    name: str
    partner: str
    before_ov: object
    before_scores: object
    after_ov: object
    after_scores: object
    changed: pd.DataFrame


def scenario_view(result, partner: str | None = None) -> ScenarioView:
    """A :class:`ScenarioView` of ``result`` against ``partner`` (default: its first partner)."""
    against = tuple(result.against)
    if not against:
        raise ValueError("this scenario result has no partner layer to map against")
    p = partner if partner is not None else against[0]
    if p not in result.before:
        raise KeyError(f"{p!r} is not a partner of this scenario result ({', '.join(against)})")
    ch = result.changed_units[result.changed_units["partner"] == p]
    changed = pd.DataFrame({
        "side": ch["side"].astype(str).to_numpy(),
        "code": ch["code"].astype(str).to_numpy(),
        "name": ch["name"].to_numpy(),
        "before": ch["before_class"].astype(str).to_numpy(),
        "after": ch["after_class"].astype(str).to_numpy(),
        "description": ch["description"].to_numpy(),
    })
    return ScenarioView(name=str(result.scenario.name), partner=p, before_ov=result.before[p].overlap,
                        before_scores=result.before[p].scores, after_ov=result.after[p].overlap,
                        after_scores=result.after[p].scores, changed=changed)
