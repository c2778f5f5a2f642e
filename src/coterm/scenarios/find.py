"""Finding scenarios and the layers they name: shipped scenarios by id, files by path, the layer a
scenario changes, and the default partner layers to compare it with."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from ..errors import CotermError, ScenarioError, UnknownLayerError
from .model import Scenario
from .read import read_scenario

__all__ = ["scenarios_dir", "list_scenarios", "load_scenario", "base_layer", "default_partners"]



def scenarios_dir() -> Path:
    """The shipped scenarios: ``$COTERM_SCENARIOS``, ``coterm/_scenarios`` in a wheel, or ``scenarios/`` in a checkout."""
    env = os.environ.get("COTERM_SCENARIOS")
    if env:
        return Path(env)
    pkg = Path(__file__).resolve().parents[1]  # the coterm package
    for cand in (pkg / "_scenarios", pkg.parents[1] / "scenarios"):
        if cand.is_dir() and any(cand.glob("*.toml")):
            return cand
    return pkg / "_scenarios"


def list_scenarios() -> list[Scenario]:
    """Every shipped scenario, parsed (not checked against data), sorted by id."""
    d = scenarios_dir()
    files = sorted(p for p in d.glob("*") if p.suffix.lower() in (".toml", ".csv"))
    return [read_scenario(p) for p in files]


def _shipped_path(name: str) -> Path | None:
    d = scenarios_dir()
    for cand in (d / name, d / f"{name}.toml", d / f"{name}.csv", d / f"{name.replace('_', '-')}.toml"):
        if cand.is_file():
            return cand
    return None


def load_scenario(path_or_name, *, layer: str | None = None) -> Scenario:
    """Read a scenario file, or a shipped scenario by id (``coterm scenario list``).

    Parameters
    ----------
    path_or_name : path to a ``.toml``/``.csv`` file, or the id of a shipped scenario
        (e.g. ``"icb-mergers-2026"``).
    layer : for CSV files without a ``# layer:`` comment line, the layer id the merges apply to.

    Raises
    ------
    ScenarioError
        Syntax or schema errors, naming the file and line. Data checks are :func:`check_scenario`.
    """
    if isinstance(path_or_name, Scenario):
        return path_or_name
    p = Path(path_or_name).expanduser()
    if not p.exists():
        shipped = _shipped_path(str(path_or_name))
        if shipped is None and p.parent.name == "scenarios":
            shipped = _shipped_path(p.name)  # `scenarios/<file>` from the README, outside a checkout
        if shipped is not None:
            p = shipped
        elif p.suffix.lower() not in (".toml", ".csv") and "/" not in str(path_or_name):
            ids = [s.stem for s in scenarios_dir().glob("*.toml")] + [s.stem for s in scenarios_dir().glob("*.csv")]
            near = difflib.get_close_matches(str(path_or_name), ids, n=3, cutoff=0.4)
            hint = f"did you mean {', '.join(near)}?" if near else "see `coterm scenario list`"
            raise ScenarioError(f"{path_or_name}: no such scenario file nor shipped scenario; {hint}")
    return read_scenario(p, layer=layer)


# --- layers ----------------------------------------------------------------------------------------


def _resolve_layer_ref(scenario: Scenario, ref: str, key: str, line: int | None = None):
    """Load a layer named in a scenario (catalogue id, or a file relative to the scenario)."""
    from ..layer import load_layer

    cands = [ref]
    if scenario.path is not None and not Path(ref).is_absolute():
        rel = scenario.path.parent / ref
        if rel.exists():
            cands = [str(rel)]
    try:
        return load_layer(cands[0] if not Path(cands[0]).exists() else Path(cands[0]))
    except UnknownLayerError as exc:
        where = scenario.where(line, key=key)
        near = _near_layers(ref)
        hint = f"did you mean {', '.join(near)}?" if near else "see `coterm layers` for the catalogue"
        raise ScenarioError(f"{where}: layer {ref!r} does not exist (not a catalogue id nor a file); {hint}") from exc
    except CotermError as exc:
        raise ScenarioError(f"{scenario.where(line, key=key)}: layer {ref!r} cannot be loaded: {exc}") from exc


def _near_layers(ref: str) -> list[str]:
    try:
        from ..catalog import catalog

        return difflib.get_close_matches(ref, catalog().ids(), n=3, cutoff=0.5)
    except CotermError:
        return []


def base_layer(scenario: Scenario, layer=None):
    """The layer the scenario changes (``layer`` if given and it matches, else loaded from the catalogue)."""
    if layer is not None:
        from ..layer import load_layer

        return load_layer(layer)
    return _resolve_layer_ref(scenario, scenario.layer, "layer")


# --- partners --------------------------------------------------------------------------------------


def _year(v) -> int | None:
    s = str(v)[:4]
    return int(s) if s.isdigit() else None


def default_partners(layer_id: str, *, vintage: str | None = None) -> list[str]:
    """Layers to compare a layer with: for every other family, each kind at the nearest vintage.

    Statistical layers (LSOA, MSOA, wards) and layers covering only Wales or Scotland are left out;
    among layers of one kind, those built from the same building blocks as ``layer_id`` are
    preferred (exact atom-mode overlaps), then non-approximate ones, then the nearest vintage
    (ties to the later one).
    """
    from ..catalog import catalog

    cat = catalog()
    entry = cat.get(layer_id.split("+")[0])
    year = _year(vintage) if vintage else _year(entry.vintage)
    base = entry.atoms.base if entry.atoms else None
    best: dict[tuple[str, str], tuple] = {}
    for e in cat.entries:
        if e.family in ("statistical", entry.family) or e.coverage in ("Wales", "Scotland", "Northern Ireland"):
            continue
        y = _year(e.vintage)
        dist = abs(y - year) if (y is not None and year is not None) else 99
        same_base = bool(e.atoms and base and e.atoms.base == base)
        key = (e.family, e.kind)
        rank = (not same_base, bool(e.approximate), dist, -(y or 0), e.id)
        if key not in best or rank < best[key]:
            best[key] = rank
    from ..catalog import FAMILIES

    order = {f: i for i, f in enumerate(FAMILIES)}
    chosen = sorted(best.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1]))
    return [rank[-1] for _, rank in chosen]

