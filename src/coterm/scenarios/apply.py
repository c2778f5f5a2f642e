"""Applying a scenario: transfers move building blocks (LSOAs, or units of another layer built from
them), then merges join whole units or groups define a new layer.

Applying merges to an overlap table is a group-by (:meth:`coterm.Overlap.regroup`): no new overlay.
Transfers change the atom membership (:attr:`coterm.Layer.membership`) and the overlap is recomputed
in atom mode, which is exact and fast. Geometry is dissolved only to draw the result
(:func:`scenario_layer`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import CotermError, ScenarioError
from .find import base_layer, load_scenario
from .model import Scenario
from .validate import _validate

__all__ = ["merge_mapping", "scenario_membership", "scenario_layer", "before_layer", "apply_scenario"]



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
    from ..layer import Layer, deferred_frame

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
    # polygons are dissolved when first used (maps, geometry-mode partners, files); atom-mode scores need none
    frame = deferred_frame(names, functools.partial(_result_frame, sc, lay, names, moved, membership, geometry), dtype=object)
    vintage = sc.effective[:4] if sc.effective[:4].isdigit() else lay.vintage
    title = sc.title or (f"{sc.name} ({lay.title})" if not sc.is_group else sc.name)
    return Layer(id=sc.result_layer_id, title=title, frame=frame, family=sc.family or lay.family,
                 kind=sc.kind or ("group" if sc.is_group else lay.kind), vintage=vintage,
                 atom_base=lay.atom_base if membership is not None else None, membership=membership, entry=None,
                 source=sc.file, attribution=lay.attribution, attribution_html=lay.attribution_html,
                 fit=lay.fit if membership is not None else None)  # a fitted layer's after-layer is compared as it was


def _result_frame(sc: Scenario, lay, names: pd.Series, moved, membership, geometry: bool):
    import geopandas as gpd

    geoms = pd.Series([None] * len(names), index=names.index, dtype=object)
    if geometry:
        geoms = _dissolved_geometry(sc, lay, names.index, moved, membership)
    index = pd.Index(names.index, name="code", dtype=object)
    return gpd.GeoDataFrame({"name": names.to_numpy()},
                            geometry=gpd.GeoSeries(geoms.reindex(names.index).to_numpy(), index=index, crs=lay.crs), index=index)


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
        from ..layer import load_layer

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
    from ..overlap import Overlap

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
    from ..overlap import overlap

    other = ov.b if side == "a" else ov.a
    after = scenario_layer(lay, sc, geometry=ov.mode != "atoms")
    if ov.mode == "geometry" and after.frame.geometry.isna().any():
        raise ScenarioError(f"{sc.file}: transfers need polygons of the building blocks ({lay.atom_base}) to redraw "
                            f"{lay.id} for a geometry overlap with {other.id}; they are not in the catalogue")
    new = overlap(after, other, mode=ov.mode, by=ov.by, min_share=ov.min_share)
    return new if side == "a" else new.transpose()


def _restrict(ov, side: str, keep: pd.Index):
    """The overlap limited to some units of one side (the other side's coverage recomputed)."""
    from dataclasses import replace

    from ..overlap import _split

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


