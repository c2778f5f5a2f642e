"""Decision tools for 2026-28: league tables of reorganisation options, mayoral police and fire, common footprints.

Pure table operations on overlap tables (:class:`coterm.Overlap`); submodules are imported on first use.

* :func:`rank_options` — score every option for an area against partner layers, best first;
* :func:`mayoral` — which police and fire areas match one strategic authority in force at a date;
* :func:`footprints` — the finest footprints where all the given layers nest, and the overlaps gluing them.
"""

from __future__ import annotations

import importlib

__all__ = ["DecisionError", "Footprints", "footprints", "OptionsResult", "rank_options", "MayoralResult", "mayoral",
           "default_option_partners"]

_LAZY = {"Footprints": "footprints", "footprints": "footprints", "OptionsResult": "options", "rank_options": "options",
         "default_option_partners": "partners", "MayoralResult": "mayoral", "mayoral": "mayoral", "DecisionError": "errors"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coterm.decisions' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
