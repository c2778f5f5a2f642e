"""coterm: how well do the boundaries of public bodies line up, and what would a merger do to that?

The public API. Every name is imported from its submodule on first use (PEP 562), so
``import coterm`` loads no pandas, geopandas or shapely, and the CLI's ``--help`` stays fast;
folium is imported only when a map is made.
"""

import sys as _sys
import types as _types

from .errors import CotermError

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

#: public name -> the submodule that defines it
_LAZY = {
    "get_entry": "catalog", "list_layers": "catalog",
    "Layer": "layer", "load_layer": "layer",
    "Overlap": "overlap", "overlap": "overlap",
    "Scores": "scoring", "score": "scoring",
    "coterminosity_map": "maps", "scenario_map": "maps", "save_map": "maps",
    "load_scenario": "scenarios", "apply_scenario": "scenarios", "check_scenario": "scenarios",
    "compare_scenario": "scenarios", "ScenarioResult": "scenarios",
    "run_demo": "demo",
    "best_fit": "bestfit",
}
#: public functions that share their submodule's name: ``coterm.overlap`` is the function, always
_SHADOWED = frozenset(name for name, module in _LAZY.items() if name == module)


class _Package(_types.ModuleType):
    """coterm's module type: the import system may not rebind a function of the API to a submodule.

    Importing ``coterm.overlap`` (the module) sets the attribute ``overlap`` of the package to it;
    for the names in ``_SHADOWED`` that binding is dropped (the module stays in ``sys.modules``),
    so ``coterm.overlap`` is the function whichever is imported first.
    """

    def __setattr__(self, name, value):
        if name in _SHADOWED and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def _installed_version() -> str:
    """The installed distribution's version (not named ``_version``: that is a submodule, bound here when imported)."""
    try:
        from importlib.metadata import version

        return version("coterminosity")
    except Exception:  # running from a source tree without installation
        from ._version import __version__ as v

        return v


def compare_layers(a, b, **kwargs):
    """Overlap two layers and score them: ``score(overlap(a, b, **kwargs))``.

    Examples
    --------
    >>> import coterm
    >>> coterm.compare_layers("ltla-2021", "utla-2021").indices["a_to_b"]["split"]
    0
    """
    from .overlap import overlap
    from .scoring import score

    return score(overlap(a, b, **kwargs))


def __getattr__(name: str):
    if name == "__version__":
        value = _installed_version()
    elif name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'coterm' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    """The public API (``__all__``) and private names only: not the submodules, nor the import machinery."""
    return sorted(set(__all__) | {n for n in globals() if n.startswith("_")})
