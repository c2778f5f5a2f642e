"""Merger scenarios: load, check against the layer they change, apply to a layer or an overlap table.

A scenario (see :mod:`coterm.scenario_files` and ``scenarios/README.md``) changes one layer:

1. **transfers** move building blocks (LSOAs, or units of another layer built from the same LSOAs,
   such as sub-ICB locations or districts) from one unit to another, in file order;
2. **merges** then join whole units (unmerged units stay as they are); or **groups** define a *new*
   layer from the units (units in no group are dropped unless ``ungrouped = "keep"``).

Applying merges to an overlap table is a group-by (:meth:`coterm.Overlap.regroup`): no new overlay.
Transfers change the atom membership (:attr:`coterm.Layer.membership`) and the overlap is recomputed
in atom mode, which is exact and fast. Geometry is dissolved only to draw the result
(:func:`scenario_layer`).

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

import difflib
import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CotermError, ScenarioError, UnknownLayerError
from .scenario_files import Merge, Scenario, Transfer, read_scenario

__all__ = [
    "Scenario", "Merge", "Transfer", "load_scenario", "check_scenario", "apply_scenario", "scenario_layer",
    "scenario_membership", "merge_mapping", "base_layer", "before_layer", "list_scenarios", "scenarios_dir",
    "default_partners", "read_scenario", "scenario_map_inputs", "compare_scenario",
]

_MAX_REPORTED = 20  # problems kept in ScenarioError.problems beyond the first


# --- finding and loading ---------------------------------------------------------------------------


def scenarios_dir() -> Path:
    """The shipped scenarios: ``$COTERM_SCENARIOS``, ``coterm/_scenarios`` in a wheel, or ``scenarios/`` in a checkout."""
    env = os.environ.get("COTERM_SCENARIOS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here / "_scenarios", here.parents[1] / "scenarios"):
        if cand.is_dir() and any(cand.glob("*.toml")):
            return cand
    return here / "_scenarios"


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
    from .layer import load_layer

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
        from .catalog import catalog

        return difflib.get_close_matches(ref, catalog().ids(), n=3, cutoff=0.5)
    except CotermError:
        return []


def base_layer(scenario: Scenario, layer=None):
    """The layer the scenario changes (``layer`` if given and it matches, else loaded from the catalogue)."""
    if layer is not None:
        from .layer import load_layer

        return load_layer(layer)
    return _resolve_layer_ref(scenario, scenario.layer, "layer")


# --- checking --------------------------------------------------------------------------------------


class _Problems:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.items: list[str] = []
        self.count = 0

    def add(self, line, msg: str) -> None:
        self.count += 1
        if len(self.items) <= _MAX_REPORTED:
            self.items.append(f"{self.scenario.where(line)}: {msg}")

    @property
    def full(self) -> bool:
        return len(self.items) > _MAX_REPORTED

    def raise_if_any(self) -> None:
        if not self.count:
            return
        more = f" (and {self.count - 1} more problem{'s' if self.count > 2 else ''})" if self.count > 1 else ""
        err = ScenarioError(self.items[0] + more)
        err.problems = list(self.items)  # type: ignore[attr-defined]
        err.count = self.count  # type: ignore[attr-defined]
        raise err


@functools.lru_cache(maxsize=1)
def _catalogue_code_index() -> pd.DataFrame:
    """code, name, layer of every catalogue layer (read from the code/name columns only)."""
    from .catalog import catalog
    from .io import read_bundled_parquet

    cat = catalog()
    frames = []
    for e in cat.entries:
        if e.family == "statistical":
            continue
        try:
            df = read_bundled_parquet(cat.path(e.file), e.sha256, columns=[e.code_field, e.name_field], geo=False)
        except Exception:  # noqa: BLE001 - a missing file only loses a hint
            continue
        frames.append(pd.DataFrame({"code": df[e.code_field].astype(str).to_numpy(),
                                    "name": df[e.name_field].astype(str).to_numpy(), "layer": e.id}))
    if not frames:
        return pd.DataFrame(columns=["code", "name", "layer"])
    return pd.concat(frames, ignore_index=True)


def _other_layer_hint(code: str, this_layer: str) -> str:
    try:
        idx = _catalogue_code_index()
    except CotermError:
        return ""
    hit = idx[(idx["code"] == code) & (idx["layer"] != this_layer)]
    if not len(hit):
        return ""
    layers = list(dict.fromkeys(hit["layer"]))
    name = hit["name"].iloc[0]
    return f"; {code} ({name}) is a unit of {', '.join(layers[:4])}{' ...' if len(layers) > 4 else ''}, not of {this_layer}"


def _suggest(code: str, codes: pd.Index, names: pd.Series) -> str:
    """'did you mean ...' by code and by name (difflib)."""
    out = []
    by_code = difflib.get_close_matches(code, list(codes), n=2, cutoff=0.75)
    out += by_code
    folded = names.astype(str).str.casefold()
    exact = list(folded.index[folded == code.casefold()])
    out += [c for c in exact if c not in out]
    if not exact:
        by_name = difflib.get_close_matches(code.casefold(), list(dict.fromkeys(folded)), n=2, cutoff=0.6)
        for nm in by_name:
            out += [c for c in folded.index[folded == nm][:1] if c not in out]
    if not out:
        return ""
    return "; did you mean " + " or ".join(f"{c} ({names.get(c, c)})" for c in out[:3]) + "?"


def _unknown(problems: _Problems, change, code: str, codes: pd.Index, names: pd.Series, layer_id: str, what="code") -> None:
    line = change.line_of(code) if change is not None else None
    label = f"{change.label}: " if change is not None else ""
    if problems.full:
        problems.count += 1
        return
    msg = f"{label}unknown {what} {code} in {layer_id}"
    msg += _other_layer_hint(code, layer_id) or _suggest(code, codes, names)
    problems.add(line, msg)


def check_scenario(scenario, *, layer=None) -> list[str]:
    """Check a scenario against the layer it changes; return notes, raise on errors.

    Parameters
    ----------
    scenario : Scenario or path / shipped id.
    layer : the layer (Layer or id) if already loaded; by default ``scenario.layer`` is loaded.

    Returns
    -------
    list[str]
        Informational notes (renames, units left empty by transfers, units dropped by groups, LSOAs moved).

    Raises
    ------
    ScenarioError
        The first problem as the message (``file:line: change: problem``), every problem (up to 20)
        in ``.problems`` and their number in ``.count``: unknown codes (with the nearest codes and
        names, and the catalogue layer a code belongs to when it is another layer's or vintage's),
        blocks not in the source unit, a new code already used by another unit, layers that do not
        exist, transfers on a layer without building blocks.
    """
    scenario = load_scenario(scenario)
    lay = base_layer(scenario, layer)
    notes, _ = _validate(scenario, lay)
    return notes


def _validate(sc: Scenario, lay):
    """Check against data; return (notes, membership after transfers or None)."""
    problems = _Problems(sc)
    notes: list[str] = []
    codes = lay.codes
    names = lay.names
    membership = None
    new_units: dict[str, str] = {}
    if sc.transfers:
        membership, new_units, tnotes = _check_transfers(sc, lay, problems)
        notes += tnotes
    problems.raise_if_any()

    if sc.merges:
        known = codes.append(pd.Index(list(new_units), dtype=object)) if new_units else codes
        n = [len(m.members) for m in sc.merges]
        mi = np.repeat(np.arange(len(sc.merges)), n)
        members = pd.Index([c for m in sc.merges for c in m.members], dtype=object)
        bad = np.flatnonzero(~members.isin(known))
        all_names = names if not new_units else pd.concat([names, pd.Series(new_units)])
        for j, k in enumerate(bad):
            if problems.full:
                problems.count += len(bad) - j
                break
            _unknown(problems, sc.merges[mi[k]], members[k], known, all_names, lay.id)
        problems.raise_if_any()
        # a new code that is already another (unmerged) unit's code
        merged = set(members)
        for m in sc.merges:
            if m.code_given and m.code in known and m.code not in merged and not sc.drops_ungrouped:
                problems.add(m.line_of(m.code) if m.code in m.members else m.line,
                             f"{m.label}: new code {m.code} is already the code of {all_names.get(m.code, m.code)} in "
                             f"{lay.id}, which this {m.kind} does not include; choose another code")
        problems.raise_if_any()
        renames = [m for m in sc.merges if len(m.members) == 1]
        if renames and not sc.is_group:
            notes.append(f"{len(renames)} merge(s) of a single unit rename it: "
                         + ", ".join(f"{m.members[0]} → {m.into}" for m in renames[:5]) + (" ..." if len(renames) > 5 else ""))
        if sc.is_group:
            left = codes.difference(pd.Index(list(merged), dtype=object))
            if len(left):
                verb = "dropped" if sc.drops_ungrouped else "kept as themselves"
                notes.append(f"{len(left)} unit(s) of {lay.id} are in no group and are {verb} in {sc.defines}")
    return notes, membership


def _atoms_of_blocks(sc: Scenario, t: Transfer, lay, problems: _Problems, via_cache: dict):
    """(atom index, block per atom) for a transfer's blocks, or None on error."""
    blocks = pd.Index(t.blocks, dtype=object)
    if t.via:
        via = via_cache.get(t.via)
        if via is None:
            via = via_cache[t.via] = _resolve_layer_ref(sc, t.via, "via", t.line)
        if via.membership is None or via.atom_base != lay.atom_base:
            problems.add(t.line, f"{t.label}: via layer {t.via} is "
                         f"{'geometry only' if via.membership is None else 'built from ' + str(via.atom_base)}, "
                         f"but {lay.id} is built from {lay.atom_base}; use a layer built from the same blocks")
            return None
        bad = blocks[~blocks.isin(via.codes)]
        for b in bad[:5]:
            _unknown(problems, t, b, via.codes, via.names, via.id, what="block")
        if len(bad):
            return None
        m = via.membership
        sel = m[m.isin(blocks)]
        empty = blocks.difference(pd.Index(sel.unique()))
        if len(empty):
            problems.add(t.line_of(empty[0]), f"{t.label}: block {empty[0]} of {t.via} has no building blocks")
            return None
        return sel.index, pd.Series(sel.to_numpy(), index=sel.index)
    bad = blocks[~blocks.isin(lay.membership.index)]
    for b in bad[:5]:
        atom_names = pd.Series(dtype=object)
        hint = ""
        if lay.atom_base:
            hint = f" (blocks are {lay.atom_base} codes unless `via` names a layer)"
        line = t.line_of(b)
        msg = f"{t.label}: unknown block {b} in {lay.atom_base or lay.id}{hint}"
        msg += _other_layer_hint(b, lay.id) or _suggest(b, lay.membership.index[:0], atom_names)
        problems.add(line, msg)
    if len(bad):
        return None
    return blocks, pd.Series(blocks.to_numpy(), index=blocks)


def _check_transfers(sc: Scenario, lay, problems: _Problems):
    notes: list[str] = []
    if lay.membership is None:
        t = sc.transfers[0]
        problems.add(t.line, f"{t.label}: transfers move building blocks, but {lay.id} is geometry only (no LSOA "
                     "membership); use merges, or a catalogue layer built from LSOAs")
        return None, {}, notes
    current = lay.membership.copy()
    names = lay.names
    units = set(lay.codes)
    new_units: dict[str, str] = {}
    via_cache: dict = {}
    for t in sc.transfers:
        ok = True
        for code, role in ((t.from_, "from"), (t.to, "to")):
            if code in units or code in new_units:
                continue
            if role == "to" and t.to_name:
                new_units[t.to] = t.to_name
                continue
            extra = " (to create a new unit, also give to_name)" if role == "to" else ""
            msg = f"{t.label}: unknown {role} unit {code} in {lay.id}{extra}"
            msg += _other_layer_hint(code, lay.id) or _suggest(code, lay.codes, names)
            problems.add(t.line, msg)
            ok = False
        if not ok:
            continue
        got = _atoms_of_blocks(sc, t, lay, problems, via_cache)
        if got is None:
            continue
        atoms, block_of = got
        where_now = current.reindex(atoms)
        in_from = (where_now == t.from_).to_numpy()
        per_block = pd.DataFrame({"block": block_of.reindex(atoms).to_numpy(), "in": in_from,
                                  "now": where_now.to_numpy()})
        stats = per_block.groupby("block", sort=False)["in"].agg(["sum", "size"])
        if t.clip:
            none = stats.index[stats["sum"] == 0]
            if len(none):
                b = none[0]
                problems.add(t.line_of(b), f"{t.label}: block {b} is not in the source unit {t.from_} "
                             f"({names.get(t.from_, new_units.get(t.from_, t.from_))}): none of its building blocks lie there")
                continue
        else:
            partial = stats.index[stats["sum"] < stats["size"]]
            if len(partial):
                b = partial[0]
                row = per_block[(per_block["block"] == b) & ~per_block["in"]]
                elsewhere = row["now"].dropna()
                other = elsewhere.mode().iloc[0] if len(elsewhere) else None
                where = f" (it is in {other} {names.get(other, new_units.get(other, ''))})".rstrip() if other is not None and stats.loc[b, "sum"] == 0 else ""
                part = "" if stats.loc[b, "sum"] == 0 else f" wholly ({int(stats.loc[b, 'size'] - stats.loc[b, 'sum'])} of its {int(stats.loc[b, 'size'])} building blocks lie elsewhere; add clip = true to move only the part in {t.from_})"
                problems.add(t.line_of(b), f"{t.label}: block {b} is not{part} in the source unit {t.from_}{where}"
                             .replace(" )", ")"))
                continue
        moved = atoms[in_from]
        current.loc[moved] = t.to
        notes.append(f"{t.label}: moves {len(moved)} {lay.atom_base or 'atom'}(s)")
    if problems.count:
        return None, new_units, notes
    emptied = sorted(set(lay.codes) - set(current.unique()) - set(lay.codes[~lay.codes.isin(lay.membership.unique())]))
    if emptied:
        notes.append(f"transfers leave {len(emptied)} unit(s) with no building blocks, which disappear: "
                     + ", ".join(lay.label(c) for c in emptied[:5]))
    return current, new_units, notes


# --- applying --------------------------------------------------------------------------------------


def merge_mapping(scenario: Scenario) -> tuple[pd.Series, pd.Series]:
    """(old code → new code, new code → name) of the scenario's merges or groups."""
    n = [len(m.members) for m in scenario.merges]
    old = [c for m in scenario.merges for c in m.members]
    new = np.repeat(np.array([m.code for m in scenario.merges], dtype=object), n)
    mapping = pd.Series(new, index=pd.Index(old, dtype=object, name="code"), dtype=object, name="new_code")
    names = pd.Series([m.into for m in scenario.merges], index=pd.Index([m.code for m in scenario.merges], dtype=object),
                      dtype=object, name="name")
    return mapping, names


def _transfer_membership(sc: Scenario, lay) -> pd.Series:
    _, membership = _validate(sc, lay)
    return membership


def scenario_membership(layer, scenario, *, check: bool = True) -> pd.Series | None:
    """atom code → unit code after the scenario (None for a geometry-only layer)."""
    sc = load_scenario(scenario)
    lay = base_layer(sc, layer)
    membership = _moved_membership(sc, lay, check=check)
    if membership is None:
        return None
    return _map_units(membership, sc)


def _moved_membership(sc: Scenario, lay, *, check: bool) -> pd.Series | None:
    """atom code → unit code after the scenario's transfers (before its merges)."""
    if sc.transfers:
        return _transfer_membership(sc, lay)  # validates as it goes
    if check:
        _validate(sc, lay)
    return lay.membership


def _map_units(series: pd.Series, sc: Scenario) -> pd.Series:
    """Map unit codes (values) through the merges; drop the ungrouped ones when the scenario says so."""
    mapping, _ = merge_mapping(sc)
    out = series.map(mapping).astype(object)
    if sc.drops_ungrouped:
        return out.dropna().astype(object)
    return out.fillna(series).astype(object)


def _result_names(sc: Scenario, lay, membership_units: pd.Index | None) -> pd.Series:
    """new code → name for every unit after the scenario."""
    mapping, new_names = merge_mapping(sc)
    names = {}
    if not sc.drops_ungrouped:
        kept = lay.codes.difference(mapping.index)
        names.update(lay.names.reindex(kept).to_dict())
        for t in sc.transfers:
            if t.to_name and t.to not in mapping.index:
                names[t.to] = t.to_name
    names.update(new_names.to_dict())
    s = pd.Series(names, dtype=object)
    if membership_units is not None:
        s = s[s.index.isin(membership_units)]
    return s.sort_index()


def scenario_layer(layer, scenario, *, geometry: bool = True, check: bool = True):
    """The layer after the scenario, with dissolved geometry for maps.

    Parameters
    ----------
    layer : the layer the scenario changes (Layer or id); ``None`` loads ``scenario.layer``.
    scenario : Scenario or path / shipped id.
    geometry : dissolve geometry (``False`` leaves it empty: enough for atom-mode overlaps).
    check : validate first (:func:`check_scenario`).

    Returns
    -------
    Layer
        id ``<layer>+<scenario id>`` (or the ``defines`` id), membership after the scenario.
        Merged units are dissolved from their members' polygons with a coverage union; units
        changed by transfers are dissolved from their building blocks' polygons (the atom layer).
    """
    import geopandas as gpd

    from .layer import Layer

    sc = load_scenario(scenario)
    lay = base_layer(sc, layer)
    moved = _moved_membership(sc, lay, check=check)
    membership = _map_units(moved, sc) if moved is not None else None
    present = pd.Index(membership.unique()) if membership is not None else None
    names = _result_names(sc, lay, present)
    if membership is not None and not sc.transfers and not sc.drops_ungrouped:
        # geometry-only units of an atom layer (none in the catalogue) are kept as they were
        names = _result_names(sc, lay, None)
        names = names[names.index.isin(present) | names.index.isin(lay.codes.difference(lay.membership.unique()))]
    geoms = pd.Series([None] * len(names), index=names.index, dtype=object)
    if geometry:
        geoms = _dissolved_geometry(sc, lay, names.index, moved, membership)
    index = pd.Index(names.index, name="code", dtype=object)
    frame = gpd.GeoDataFrame({"name": names.to_numpy()},
                             geometry=gpd.GeoSeries(geoms.reindex(names.index).to_numpy(), index=index, crs=lay.crs), index=index)
    vintage = sc.effective[:4] if sc.effective[:4].isdigit() else lay.vintage
    title = sc.title or (f"{sc.name} ({lay.title})" if not sc.is_group else sc.name)
    return Layer(id=sc.result_layer_id, title=title, frame=frame, family=sc.family or lay.family,
                 kind=sc.kind or ("group" if sc.is_group else lay.kind), vintage=vintage,
                 atom_base=lay.atom_base if membership is not None else None, membership=membership, entry=None,
                 source=sc.file, attribution=lay.attribution, attribution_html=lay.attribution_html)


def _coverage_dissolve(geoms: pd.Series, keys: np.ndarray) -> pd.Series:
    """Coverage union of polygons by key (edges shared exactly, as in ONS/LSOA-built layers)."""
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"key": keys}, geometry=gpd.GeoSeries(geoms.to_numpy()))
    gdf = gdf[~gdf.geometry.isna()]
    if not len(gdf):
        return pd.Series(dtype=object)
    try:
        out = gdf.dissolve(by="key", method="coverage")
    except Exception:  # noqa: BLE001 - not a clean coverage: fall back to a full union
        out = gdf.dissolve(by="key")
    return pd.Series(out.geometry.to_numpy(), index=out.index, dtype=object)


def _dissolved_geometry(sc: Scenario, lay, new_codes: pd.Index, moved: pd.Series | None, membership: pd.Series | None) -> pd.Series:
    mapping, _ = merge_mapping(sc)
    geoms = pd.Series(lay.frame.geometry.to_numpy(), index=lay.codes, dtype=object)
    touched = set()
    if sc.transfers and moved is not None:
        changed = lay.membership.index[(lay.membership != moved.reindex(lay.membership.index)).to_numpy()]
        touched = set(lay.membership.reindex(changed)) | set(moved.reindex(changed).dropna())
    touched_new = {mapping.get(c, c) for c in touched}
    out = pd.Series([None] * len(new_codes), index=new_codes, dtype=object)
    # units built from whole old units: dissolve old polygons
    whole_old = lay.codes[~lay.codes.isin(list(touched))]
    new_of_old = pd.Series(whole_old, index=whole_old, dtype=object).map(mapping).astype(object)
    new_of_old = new_of_old.fillna(pd.Series(whole_old, index=whole_old, dtype=object)) if not sc.drops_ungrouped else new_of_old.dropna()
    new_of_old = new_of_old[new_of_old.isin(new_codes) & ~new_of_old.isin(list(touched_new))]
    single = new_of_old[~new_of_old.duplicated(keep=False) & (new_of_old.index == new_of_old.to_numpy())]
    out.loc[single.to_numpy()] = geoms.reindex(single.index).to_numpy()
    rest = new_of_old.drop(single.index)
    if len(rest):
        d = _coverage_dissolve(geoms.reindex(rest.index), rest.to_numpy())
        out.loc[d.index] = d.to_numpy()
    # units changed by transfers: dissolve their building blocks
    if touched_new and membership is not None:
        atoms_geom = _atom_geometries(lay.atom_base, lay.crs)
        if atoms_geom is not None:
            m = membership[membership.isin(list(touched_new))]
            m = m[m.index.isin(atoms_geom.index)]
            d = _coverage_dissolve(atoms_geom.reindex(m.index), m.to_numpy())
            out.loc[d.index.intersection(new_codes)] = d.reindex(d.index.intersection(new_codes)).to_numpy()
    return out


def _atom_geometries(base: str | None, crs) -> pd.Series | None:
    """Polygons of the atoms (the catalogue layer with the atom base's id), or None."""
    if not base:
        return None
    try:
        from .layer import load_layer

        atoms = load_layer(base)
    except CotermError:
        return None
    g = atoms.frame.geometry
    if crs is not None and atoms.crs is not None and not atoms.crs.equals(crs):
        g = g.to_crs(crs)
    return pd.Series(g.to_numpy(), index=atoms.codes, dtype=object)


def before_layer(scenario, layer=None, *, geometry: bool = True):
    """The layer a scenario's result is compared with.

    For a scenario that changes a layer ([[merge]]): the layer itself. For one that defines a new
    layer ([[group]]): the units being grouped, i.e. the layer after its transfers (which adjust
    the building units, e.g. Bassetlaw carved out of Nottinghamshire), restricted to the grouped
    units when ungrouped units are dropped.
    """
    from dataclasses import replace

    sc = load_scenario(scenario)
    lay = base_layer(sc, layer)
    if not sc.is_group:
        return lay
    if sc.transfers:
        only_transfers = replace(sc, merges=(), defines="", ungrouped="keep", title="")
        adjusted = scenario_layer(lay, only_transfers, geometry=geometry)
        lay = adjusted.replace(id=lay.id, title=f"{lay.title} (adjusted by {len(sc.transfers)} transfer(s) of {sc.id})",
                               kind=lay.kind, vintage=lay.vintage, family=lay.family, entry=lay.entry, source=lay.source)
    if not sc.drops_ungrouped:
        return lay
    mapping, _ = merge_mapping(sc)
    keep = lay.codes.intersection(mapping.index)
    frame = lay.frame.loc[keep]
    membership = lay.membership[lay.membership.isin(keep)] if lay.membership is not None else None
    return lay.replace(frame=frame, membership=membership, title=f"{lay.title}, units grouped by {sc.id}")


def apply_scenario(layer_or_overlap, scenario, *, side: str | None = None, layer=None):
    """Apply a scenario to a Layer (→ Layer) or to an Overlap (→ Overlap).

    Parameters
    ----------
    layer_or_overlap : Layer or layer id → :func:`scenario_layer` (dissolved geometry); or an
        :class:`~coterm.Overlap` one of whose sides is the scenario's layer → the overlap after the
        scenario: merges are a regroup of the table (no overlay); transfers re-run the overlap in
        atom mode (geometry mode with dissolved polygons if the partner has no atoms).
    side : "a" or "b": the side the scenario changes (default: the side whose layer id is the
        scenario's layer, else "a").
    layer : with an Overlap, the full layer to check codes against (default: the overlap's side).
    """
    from .overlap import Overlap

    sc = load_scenario(scenario)
    if not isinstance(layer_or_overlap, Overlap):
        return scenario_layer(layer_or_overlap, sc)
    ov = layer_or_overlap
    if side is None:
        side = "b" if (ov.b.id == sc.layer and ov.a.id != sc.layer) else "a"
    if side not in ("a", "b"):
        raise ScenarioError(f"{sc.file}: side must be 'a' or 'b', not {side!r}")
    lay = layer if layer is not None else getattr(ov, side)
    if sc.transfers:
        return _reoverlap(ov, side, sc, lay)
    _validate(sc, lay)
    after = scenario_layer(lay, sc, geometry=False, check=False)
    mapping, names = merge_mapping(sc)
    if sc.drops_ungrouped:
        ov = _restrict(ov, side, mapping.index)
    return ov.regroup(side, mapping, names, layer=after)


def _reoverlap(ov, side: str, sc: Scenario, lay):
    from .overlap import overlap

    other = ov.b if side == "a" else ov.a
    after = scenario_layer(lay, sc, geometry=ov.mode != "atoms")
    if ov.mode == "geometry" and after.frame.geometry.isna().any():
        raise ScenarioError(f"{sc.file}: transfers need polygons of the building blocks ({lay.atom_base}) to redraw "
                            f"{lay.id} for a geometry overlap with {other.id}; they are not in the catalogue")
    new = overlap(after, other, mode=ov.mode, weight=ov.weight, min_share=ov.min_share)
    return new if side == "a" else new.transpose()


def _restrict(ov, side: str, keep: pd.Index):
    """The overlap limited to some units of one side (the other side's coverage recomputed)."""
    from dataclasses import replace

    from .overlap import _split

    col, ocol = (f"{side}_code", "b_code" if side == "a" else "a_code")
    pairs = ov.all_pairs()
    pairs = pairs[pairs[col].isin(keep)]
    units = (ov.units_a if side == "a" else ov.units_b)
    units = units[units.index.isin(keep)]
    other = (ov.units_b if side == "a" else ov.units_a).copy()
    other["measure"] = pairs.groupby(ocol)["measure"].sum().reindex(other.index).fillna(0.0)
    other["uncovered_area_m2"] = (other["area_m2"] - pairs.groupby(ocol)["area_m2"].sum().reindex(other.index).fillna(0.0)).clip(lower=0.0)
    ua, ub = (units, other) if side == "a" else (other, units)
    table, slivers = _split(pairs, ua, ub, ov.min_share)
    return replace(ov, table=table, slivers=slivers, units_a=ua, units_b=ub)


def scenario_map_inputs(ov, scores, scenario) -> dict:
    """Inputs of :func:`coterm.maps.scenario_map` for an overlap one of whose sides the scenario changes.

    The overlap is recomputed with the same weight, mode and ``min_share`` so that before and
    after are comparable (for a [[group]] file the before side is restricted to the grouped units).
    """
    from .compare import compare_scenario

    sc = load_scenario(scenario)
    side = "b" if (ov.b.id == sc.layer and ov.a.id != sc.layer) else "a"
    lay, partner = (ov.a, ov.b) if side == "a" else (ov.b, ov.a)
    result = compare_scenario(sc, against=[partner], by=ov.weight, layer=lay, mode=ov.mode, min_share=ov.min_share)
    return result.map_inputs(result.against[0])


def compare_scenario(scenario, against=(), **kwargs):
    """Before/after scores of a scenario against partner layers: see :func:`coterm.compare.compare_scenario`."""
    from .compare import compare_scenario as _compare

    return _compare(scenario, against, **kwargs)


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
    from .catalog import catalog

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
    from .catalog import FAMILIES

    order = {f: i for i, f in enumerate(FAMILIES)}
    chosen = sorted(best.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1]))
    return [rank[-1] for _, rank in chosen]

