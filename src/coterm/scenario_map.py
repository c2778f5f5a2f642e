"""Deprecated alias kept so ``cli/map.py`` keeps working until it calls :func:`coterm.maps.scenario_map` directly."""

from __future__ import annotations

__all__ = ["scenario_result_map"]


def scenario_result_map(res, partner: str | None = None, **kwargs):
    """Same as :func:`coterm.maps.scenario_map` (one ScenarioResult, optional partner)."""
    from .maps import scenario_map

    return scenario_map(res, partner, **kwargs)
