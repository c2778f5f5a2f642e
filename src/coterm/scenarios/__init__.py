"""Merger scenarios: read, check against the layer they change, apply, and compare before/after.

A scenario (see ``scenarios/README.md``) changes one layer:

1. **transfers** move building blocks (LSOAs, or units of another layer built from the same LSOAs,
   such as sub-ICB locations or districts) from one unit to another, in file order;
2. **merges** then join whole units (unmerged units stay as they are); or **groups** define a *new*
   layer from the units (units in no group are dropped unless ``ungrouped = "keep"``).

The package's modules, each importing only those before it:
``model`` (schema and structural checks) · ``read`` (TOML, with a line locator) · ``read_csv`` ·
``find`` (shipped scenarios, the layers a file names, default partners) · ``validate`` (checks
against data) · ``apply`` (the layer or overlap after the scenario) · ``compare`` (before/after
scores: :class:`ScenarioResult`).

Examples
--------
>>> import coterm
>>> sc = coterm.load_scenario("icb-mergers-2026")          # a shipped scenario, or a path
>>> notes = coterm.check_scenario(sc)                       # raises ScenarioError when invalid
>>> after = coterm.apply_scenario(coterm.load_layer("icb-2022"), sc)
>>> len(after)
36
"""

from __future__ import annotations

from .apply import apply_scenario, before_layer, merge_mapping, scenario_layer, scenario_membership
from .compare import KIND_LABELS, Comparison, ScenarioResult, compare_scenario, flatten_indices
from .find import base_layer, default_partners, list_scenarios, load_scenario, scenarios_dir
from .model import CONFIDENCE_LEVELS, Merge, Scenario, Transfer, slug
from .read import parse_scenario_text, read_scenario
from .validate import check_scenario

__all__ = [
    "Scenario", "Merge", "Transfer", "load_scenario", "check_scenario", "apply_scenario", "scenario_layer",
    "scenario_membership", "merge_mapping", "base_layer", "before_layer", "list_scenarios", "scenarios_dir",
    "default_partners", "read_scenario", "parse_scenario_text", "compare_scenario",
    "ScenarioResult", "Comparison", "flatten_indices", "KIND_LABELS", "CONFIDENCE_LEVELS", "slug",
]
