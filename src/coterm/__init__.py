"""coterm: how well do the boundaries of public bodies line up, and what would a merger do to that?

The public API. Submodules are imported on first use, so ``import coterm`` (and the CLI's
``--help``) stay fast and folium is imported only when a map is made.
"""

from .catalog import get_entry, list_layers
from .errors import CotermError
from .layer import Layer, load_layer

# Eager on purpose: the functions share their modules' names, and a lazy import would let the
# import system rebind ``coterm.overlap`` to the module.
from .overlap import Overlap, overlap
from .scoring import Scores, score

__all__ = [
    "__version__",
    "CotermError",
    "Layer",
    "Overlap",
    "ScenarioResult",
    "Scores",
    "apply_scenario",
    "best_fit",
    "check_scenario",
    "compare_layers",
    "compare_scenario",
    "coterminosity_map",
    "get_entry",
    "list_layers",
    "load_layer",
    "load_scenario",
    "overlap",
    "run_demo",
    "save_map",
    "scenario_map",
    "score",
]

_LAZY = {
    "coterminosity_map": "maps", "scenario_map": "maps", "save_map": "maps",
    "load_scenario": "scenarios", "apply_scenario": "scenarios", "check_scenario": "scenarios",
    "compare_scenario": "scenarios", "ScenarioResult": "scenarios",
    "run_demo": "demo",
    "best_fit": "bestfit",
}


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("coterminosity")
    except Exception:  # running from a source tree without installation
        from ._version import __version__ as v

        return v


__version__ = _version()


def compare_layers(a, b, **kwargs):
    """Overlap two layers and score them: ``score(overlap(a, b, **kwargs))``.

    Examples
    --------
    >>> import coterm
    >>> coterm.compare_layers("ltla-2021", "utla-2021").indices["a_to_b"]["split"]
    0
    """
    return score(overlap(a, b, **kwargs))


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coterm' has no attribute {name!r}")


def __dir__():
    """The public API (``__all__``) and private names only: not the submodules, nor the import machinery."""
    return sorted(set(__all__) | {n for n in globals() if n.startswith("_")})
