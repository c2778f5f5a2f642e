"""A scenario's before/after map from a :class:`~coterm.compare.ScenarioResult` (one partner layer)."""

from __future__ import annotations

__all__ = ["scenario_result_map"]


def scenario_result_map(res, partner: str | None = None, **kwargs):
    """Before and after the scenario against ``partner`` (default: the first), as a folium.Map.

    Changed units of both layers are highlighted and listed; keyword arguments go to
    :func:`coterm.maps.scenario_map` (tiles, cdn, title...).
    """
    from .maps import scenario_map

    if partner is not None and partner not in res.before:
        raise KeyError(f"{partner!r} is not a partner of this scenario result ({', '.join(res.against)})")
    inputs = res.map_inputs(partner)
    inputs.update(kwargs)
    return scenario_map(**inputs)
