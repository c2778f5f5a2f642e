"""coterm: how well do the boundaries of public bodies line up, and what would a merger do to that?

The public API. Heavy optional parts (folium maps, the CLI) are imported only when used.
"""

from __future__ import annotations

from .catalog import get_entry, list_layers
from .errors import CotermError
from .layer import Layer, load_layer
from .overlap import Overlap, overlap
from .scoring import Scores, score

__all__ = [
    "__version__",
    "CotermError",
    "Layer",
    "Overlap",
    "Scores",
    "coterminosity_map",
    "get_entry",
    "list_layers",
    "load_layer",
    "overlap",
    "score",
    "compare",
]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("coterm")
    except Exception:  # running from a source tree without installation
        from ._version import __version__ as v

        return v


__version__ = _version()


def compare(a, b, **kwargs) -> Scores:
    """Overlap two layers and score them: ``score(overlap(a, b, **kwargs))``."""
    return score(overlap(a, b, **kwargs))


def __getattr__(name: str):
    # maps need folium: import them only when asked for
    if name in ("coterminosity_map", "scenario_map", "save_map"):
        from . import maps

        return getattr(maps, name)
    if name in ("load_scenario", "apply_scenario", "compare_scenario", "check_scenario"):
        from . import scenarios

        return getattr(scenarios, name)
    raise AttributeError(f"module 'coterm' has no attribute {name!r}")
