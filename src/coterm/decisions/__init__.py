"""Decision tools for 2026-28: league tables of reorganisation options, mayoral police and fire, common footprints.

Pure table operations on overlap tables (:class:`coterm.Overlap`); submodules are imported on first use.

* :func:`rank_options` — score every option for an area against partner layers, best first;
* :func:`mayoral` — which police and fire areas match one strategic authority in force at a date;
* :func:`footprints` — the finest footprints where all the given layers nest, and the overlaps gluing them.
"""

from __future__ import annotations

# eager, not lazy: the functions `footprints` and `mayoral` share their modules' names, and a lazy
# attribute would be shadowed by the submodule once anything imports it (e.g. pytest --doctest-modules)
from .errors import DecisionError
from .footprints import Footprints, footprints
from .mayoral import MayoralResult, mayoral
from .options import OptionsResult, rank_options
from .partners import default_option_partners

__all__ = ["DecisionError", "Footprints", "footprints", "OptionsResult", "rank_options", "MayoralResult", "mayoral",
           "default_option_partners"]
