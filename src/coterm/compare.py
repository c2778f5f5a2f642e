"""Compatibility name for :mod:`coterm.scenarios.compare` (code written before the scenarios package).

New code imports from :mod:`coterm.scenarios`; this module re-exports and holds no logic.
"""

from .scenarios.compare import KIND_LABELS, Comparison, ScenarioResult, compare_scenario, flatten_indices

__all__ = ["compare_scenario", "ScenarioResult", "Comparison", "flatten_indices", "KIND_LABELS"]
