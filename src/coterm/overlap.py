"""The overlap table, the hub of coterm: how much of each unit of A lies in each unit of B.

Two engines produce it:

* **atoms** (exact): both layers are unions of the same building blocks (LSOAs), so overlaps are
  sums of atom population or area over shared atoms (see :mod:`coterm.atoms`);
* **geometry** (any layers): polygons intersected in a metric CRS (see :mod:`coterm.intersect`),
  with population apportioned by LSOA representative points when the layers lie in England and Wales.

Independently generalised boundaries make slivers; a pair is dropped when its share is under
``min_share`` of *both* units, and goes to the sliver ledger (``Overlap.slivers``), so that
kept + dropped = the whole intersection. In geometry mode weighted by population, a pair is also a
sliver when its *area* is under ``min_share`` of both units: population there is apportioned by
LSOA points, and a point that happens to fall in a generalisation sliver must not make it a partner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import notebook
from .codekeys import mapped_floats
from .errors import CoverageWarning, OverlapError, warn

if TYPE_CHECKING:  # typing only
    from .fit_report import FitReport
    from .layer import Layer

__all__ = ["Overlap", "overlap", "GEOMETRY_MIN_SHARE"]

GEOMETRY_MIN_SHARE = 0.01
_PAIR_COLUMNS = ["a_code", "b_code", "measure", "share_of_a", "share_of_b", "area_m2", "population"]


@dataclass(frozen=True, eq=False)
class Overlap:
    """Overlaps of two layers: kept pairs (``table``), dropped slivers and per-unit totals.

    ``units_a``/``units_b`` are indexed by code with columns name, measure (the part of the unit
    that the other layer covers, slivers included), area_m2, population and uncovered_area_m2.
    Shares are relative to the covered measure, so layers of different extents are compared on their
    common extent; units with nothing covered are "outside".
    """

    a: Layer
    b: Layer
    mode: str
    by: str  # the measure: "population" or "area"
    min_share: float
    table: pd.DataFrame
    slivers: pd.DataFrame
    units_a: pd.DataFrame
    units_b: pd.DataFrame
    notes: tuple[str, ...] = ()
    bridge: dict | None = None  # LSOA-era bridging counts when the layers were built on different atom bases

    @property
    def population_basis(self) -> dict:
        """{'base', 'source', 'year'} of the population behind the figures (empty when weighted by area)."""
        from .atoms import overlap_population_basis

        return overlap_population_basis(self)
    fit: FitReport | None = None  # when a geometry layer was best-fitted to building blocks

    @property
    def weight(self) -> str:
        """Old name of :attr:`by`."""
        import warnings

        warnings.warn("Overlap.weight is now Overlap.by", DeprecationWarning, stacklevel=2)
        return self.by

    def __repr__(self) -> str:  # short summaries for terminals and notebooks: coterm.notebook
        return notebook.overlap_repr(self)

    def _repr_html_(self) -> str:
        return notebook.overlap_html(self)

    def all_pairs(self) -> pd.DataFrame:
        """Kept pairs and slivers together: the whole intersection."""
        return pd.concat([self.table, self.slivers], ignore_index=True).sort_values(["a_code", "b_code"], ignore_index=True)

    def transpose(self) -> "Overlap":
        """The same overlaps seen from B."""
        swap = {"a_code": "b_code", "b_code": "a_code", "share_of_a": "share_of_b", "share_of_b": "share_of_a"}

        def flip(df):
            return df.rename(columns=swap)[_PAIR_COLUMNS].sort_values(["a_code", "b_code"], ignore_index=True)

        return replace(self, a=self.b, b=self.a, table=flip(self.table), slivers=flip(self.slivers), units_a=self.units_b, units_b=self.units_a)

    @property
    def area_rule(self) -> bool:
        """Whether slivers are also judged by area (geometry mode weighted by population)."""
        return self.mode == "geometry" and self.by == "population"

    def with_min_share(self, min_share: float) -> "Overlap":
        """The same overlaps with another sliver threshold (no recomputation)."""
        table, slivers = _split(self.all_pairs(), self.units_a, self.units_b, float(min_share), area_rule=self.area_rule)
        return replace(self, table=table, slivers=slivers, min_share=float(min_share))

    def regroup(self, side: str, mapping: pd.Series, names: pd.Series | None = None, layer=None) -> "Overlap":
        """Merge units of one side: a group-by on every pair (slivers included), no new overlay.

        ``mapping`` maps old code → new code (codes absent from it stay as they are); ``names``
        gives names of new codes. Shares are recomputed and ``min_share`` re-applied, so a sliver
        can become a kept pair (or the reverse) after a merge.
        """
        if side not in ("a", "b"):
            raise ValueError("side must be 'a' or 'b'")
        col = f"{side}_code"
        units = self.units_a if side == "a" else self.units_b
        mapping = pd.Series(mapping, dtype=object)
        old = units.index.to_series().astype(object)
        new_code = old.map(mapping).astype(object).fillna(old)
        pairs = self.all_pairs()
        pairs[col] = pairs[col].map(mapping).astype(object).fillna(pairs[col])
        agg = pairs.groupby(["a_code", "b_code"], sort=True)[["area_m2", "population", "measure"]].sum(min_count=1).reset_index()
        new_units = units.groupby(new_code.to_numpy(), sort=True)[["measure", "area_m2", "population", "uncovered_area_m2"]].sum(min_count=1)
        new_units.index.name = "code"
        old_names = units["name"].groupby(new_code.to_numpy()).first()
        nm = old_names.copy()
        if names is not None:
            given = pd.Series(names, dtype=object)
            nm.loc[nm.index.intersection(given.index)] = given.loc[nm.index.intersection(given.index)]
        new_units.insert(0, "name", nm.reindex(new_units.index).to_numpy())
        ua, ub = (new_units, self.units_b) if side == "a" else (self.units_a, new_units)
        table, slivers = _split(agg, ua, ub, self.min_share, area_rule=self.area_rule)
        if layer is None:
            layer = _names_only_layer(getattr(self, side), new_units["name"])
        kw = {side: layer}
        return replace(self, table=table, slivers=slivers, units_a=ua, units_b=ub, **kw)


def _names_only_layer(parent, names: pd.Series):
    from .layer import Layer, deferred_frame

    # the empty-geometry frame (and the parent's CRS) only if someone asks for it: atom-mode work never does
    frame = deferred_frame(names, functools.partial(_no_geometry_frame, names, parent))
    return Layer(id=f"{parent.id}*", title=f"{parent.title} (regrouped)", frame=frame, family=parent.family, kind=parent.kind,
                 vintage=parent.vintage, entry=parent.entry, source=parent.source, attribution=parent.attribution,
                 attribution_html=parent.attribution_html)


def _no_geometry_frame(names: pd.Series, parent):
    import geopandas as gpd

    return gpd.GeoDataFrame({"name": names.to_numpy()}, geometry=gpd.GeoSeries([None] * len(names), crs=parent.crs),
                            index=pd.Index(names.index, name="code"))


def _split(pairs: pd.DataFrame, units_a: pd.DataFrame, units_b: pd.DataFrame, min_share: float, *, area_rule: bool = False):
    """Compute shares and split pairs into kept and slivers.

    ``area_rule``: also drop pairs under ``min_share`` of both units' covered *area*. Used when
    population is apportioned by LSOA points in geometry mode: one point landing in a
    generalisation sliver must not turn the sliver into a partner.
    """
    pairs = pairs.copy()
    tot_a, tot_b = mapped_floats(pairs["a_code"], units_a["measure"]), mapped_floats(pairs["b_code"], units_b["measure"])
    m = pairs["measure"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs["share_of_a"] = np.where(tot_a > 0, m / tot_a, 0.0)
        pairs["share_of_b"] = np.where(tot_b > 0, m / tot_b, 0.0)
    drop = ((pairs["share_of_a"] < min_share) & (pairs["share_of_b"] < min_share)) | (pairs["measure"] <= 0)
    if area_rule and min_share > 0:
        area = pairs["area_m2"].to_numpy(dtype=float)
        cov_a = pairs.groupby("a_code")["area_m2"].transform("sum").to_numpy(dtype=float)
        cov_b = pairs.groupby("b_code")["area_m2"].transform("sum").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            thin = (np.where(cov_a > 0, area / cov_a, 0.0) < min_share) & (np.where(cov_b > 0, area / cov_b, 0.0) < min_share)
        drop |= thin
    # every caller passes pairs sorted by (a_code, b_code); filtering keeps that order (take: what .loc[mask] gives, faster)
    drop = drop.to_numpy(dtype=bool)
    cols = pairs[_PAIR_COLUMNS]
    kept = cols.take(np.flatnonzero(~drop)).reset_index(drop=True)
    slivers = cols.take(np.flatnonzero(drop)).reset_index(drop=True)
    return kept, slivers


def _unit_frame(layer, totals: pd.DataFrame, covered: pd.Series) -> pd.DataFrame:
    """Per-unit totals: name, measure (covered), area_m2, population, uncovered_area_m2."""
    idx = pd.Index(layer.codes, name="code")
    return pd.DataFrame({  # in one constructor: half the cost of adding the columns one by one
        "name": layer.names.reindex(idx).fillna(pd.Series(idx, index=idx)).astype(str),
        "measure": covered.reindex(idx).fillna(0.0).astype(float),
        "area_m2": totals["area_m2"].reindex(idx).astype(float) if "area_m2" in totals else np.nan,
        "population": totals["population"].reindex(idx).astype(float) if "population" in totals else np.nan,
        "uncovered_area_m2": np.nan}, index=idx)


def _choose_mode(a, b, mode: str) -> str:
    from .atoms import common_base

    if mode not in ("auto", "atoms", "geometry"):
        raise OverlapError(f"unknown mode {mode!r}; choose auto, atoms or geometry")
    possible = common_base(a, b) is not None
    if mode == "atoms" and not possible:
        raise OverlapError(
            f"atom mode needs both layers built from the same building blocks; {a.id} is "
            f"{'built from ' + a.atom_base if a.atom_base else 'geometry only'} and {b.id} is "
            f"{'built from ' + b.atom_base if b.atom_base else 'geometry only'}; use --mode geometry"
        )
    if mode == "auto":
        return "atoms" if possible else "geometry"
    return mode


def basis_of(by: str | None, weight: str | None = None) -> str:
    """The measure asked for: ``by`` (the CLI's ``--by``); ``weight=`` is its old spelling, still accepted with a warning."""
    if weight is not None:
        import warnings

        warnings.warn("weight= is now by= (as the CLI's --by); weight= will be removed", DeprecationWarning, stacklevel=3)
        if by is not None and by != weight:
            raise OverlapError(f"by={by!r} and weight={weight!r} disagree; give by= only")
        by = weight
    by = "population" if by is None else by
    if by not in ("population", "area"):
        raise OverlapError(f"unknown basis by={by!r}; choose population or area")
    return by


def overlap(a, b, *, mode: str = "auto", by: str | None = None, min_share: float | None = None,
            workers: int = 1, progress=None, fit_base: str | None = None, weight: str | None = None) -> Overlap:
    """The overlap table of two layers.

    Parameters
    ----------
    a, b : Layer or catalogue id or file path.
    mode : ``"atoms"`` (exact, both layers unions of the same building blocks), ``"geometry"``
        (polygon intersection) or ``"auto"`` (atoms when possible).
    by : ``"population"`` (people, from LSOA populations; the default) or ``"area"`` (m²). In geometry
        mode population is apportioned by LSOA representative points; layers outside England and Wales
        fall back to area with a warning. (``weight=`` is the old name of ``by=``.)
    min_share : a pair under this share of *both* units is a sliver (default 0.01 in geometry mode
        and after a best fit, 0 in atom mode, where there are no slivers).
    workers : processes for the geometry engine.
    fit_base : when one layer is built from building blocks and the other is geometry only, the
        geometry layer is best-fitted to these blocks (default: the other layer's base; see
        :func:`coterm.best_fit`). ``mode="auto"`` uses the fit when it is clean, ``"atoms"`` always,
        ``"geometry"`` never.

    Returns
    -------
    Overlap

    Notes
    -----
    With :math:`m(a, b)` the measure of the intersection and :math:`M(a) = \\sum_b m(a, b)` the part
    of ``a`` covered by B, ``share_of_a = m(a, b) / M(a)`` and ``share_of_b = m(a, b) / M(b)``.
    A pair is a sliver when ``share_of_a < min_share`` and ``share_of_b < min_share``.

    Examples
    --------
    >>> import coterm
    >>> ov = coterm.overlap("ltla-2021", "utla-2021")
    >>> ov.mode, bool((ov.table.share_of_a == 1).all())
    ('atoms', True)
    """
    from .layer import load_layer

    by = basis_of(by, weight)
    a = load_layer(a)
    b = load_layer(b)
    if min_share is not None and not (0 <= min_share < 1):
        raise OverlapError(f"min_share must be in [0, 1), got {min_share}")
    notes: list[str] = []
    fit = None
    if mode != "geometry":
        from .bestfit import fit_pair

        a, b, fit = fit_pair(a, b, mode=mode, base=fit_base, workers=workers, notes=notes)
    carried = None
    if fit is None and mode != "geometry":  # a layer fitted earlier (coterm.best_fit, a `coterm fit` folder) carries its report
        carried = next((replace(lay.fit, used=True) for lay in (a, b) if lay.fit is not None and lay.membership is not None), None)
    from .atoms import bridge_eras

    a, b, bridge = bridge_eras(a, b, mode, notes)  # LSOA 2011 and 2021 layers meet through the ONS lookup
    mode = _choose_mode(a, b, mode)
    if carried is not None and mode == "atoms":
        fit = carried
        notes.append(fit.note())
    if mode == "atoms":
        pairs, tot_a, tot_b = _atom_overlap(a, b)
        fitted = fit is not None and fit.used
        ms = (GEOMETRY_MIN_SHARE if fitted else 0.0) if min_share is None else float(min_share)
    else:
        ms = GEOMETRY_MIN_SHARE if min_share is None else float(min_share)
        pairs, tot_a, tot_b, by = _geometry_overlap(a, b, by=by, workers=workers, progress=progress, notes=notes,
                                                        min_share=ms)
        notes.extend(_generalisation_hints(a, b))
    if pairs.empty or not (pairs["area_m2"] > 0).any():
        raise OverlapError(
            f"{a.id} and {b.id} do not overlap at all ({a.id} spans {_extent(a)}, {b.id} spans {_extent(b)}); "
            "check that both cover the same place and that their CRS is right"
        )
    pairs["measure"] = pairs["area_m2" if by == "area" else "population"].astype(float)
    covered_a = pairs.groupby("a_code")["measure"].sum()
    covered_b = pairs.groupby("b_code")["measure"].sum()
    ua = _unit_frame(a, tot_a, covered_a)
    ub = _unit_frame(b, tot_b, covered_b)
    for u, col in ((ua, "a_code"), (ub, "b_code")):
        inter = pairs.groupby(col)["area_m2"].sum().reindex(u.index).fillna(0.0)
        u["uncovered_area_m2"] = (u["area_m2"] - inter).clip(lower=0.0)
    table, slivers = _split(pairs, ua, ub, ms, area_rule=mode == "geometry" and by == "population")
    return Overlap(a=a, b=b, mode=mode, by=by, min_share=ms, table=table, slivers=slivers, units_a=ua, units_b=ub,
                   notes=tuple(notes), bridge=bridge, fit=fit)


def _generalisation_hints(a, b) -> list[str]:
    """Point to a catalogue layer's published twin when the other layer is a published (generalised) file."""
    out = []
    for this, other in ((a, b), (b, a)):
        e, o = this.entry, other.entry
        if e is not None and e.atoms is not None and e.published_variant and o is not None and o.atoms is None:
            out.append(f"{this.id} is built from LSOAs but {other.id} is a published generalised file ({o.generalisation}); "
                       f"their edges differ, so expect extra slivers and minor splits: {e.published_variant} shares the "
                       f"published generalisation")
    return out


def _extent(layer) -> str:
    if layer.frame.geometry.isna().all():
        return "no geometry"
    x0, y0, x1, y1 = layer.frame.total_bounds
    return f"x {x0:,.0f}–{x1:,.0f}, y {y0:,.0f}–{y1:,.0f} in {layer.crs.to_string() if layer.crs else 'no CRS'}"


def _atom_overlap(a, b):
    from .atoms import atom_pairs

    pairs, tot_a, tot_b = atom_pairs(a, b)
    return pairs, tot_a, tot_b


def _same_crs(a, b):
    """Both layers in the working metric CRS of A's extent (never measure in Web Mercator or UTM by accident)."""
    from .crs import require_metric, working_crs_for_frames

    for lay in (a, b):
        require_metric(lay.crs, source=lay.source or lay.id)
    target = working_crs_for_frames(a.frame, b.frame)  # BNG only when both lie in Great Britain
    if not a.crs.equals(target):
        a = a.replace(frame=a.frame.to_crs(target))
    if not b.crs.equals(target):
        b = b.replace(frame=b.frame.to_crs(target))
    return a, b


def _geometry_overlap(a, b, *, by, workers, progress, notes, min_share=GEOMETRY_MIN_SHARE):
    import shapely

    from .apportion import area_if_unpopulated, point_population
    from .intersect import intersection_areas

    a, b = _same_crs(a, b)
    ga = a.frame.geometry.to_numpy()
    gb = b.frame.geometry.to_numpy()
    if any(g is None for g in ga) or any(g is None for g in gb):
        raise OverlapError(f"{a.id} or {b.id} has units without geometry; geometry mode needs polygons")
    # a partition lets the kernel settle each covered unit with one containment test (benchmarks/RESULTS.md)
    a_part = _check_self_overlap(a, ga, notes)
    b_part = _check_self_overlap(b, gb, notes)
    ia, ib, area = intersection_areas(ga, gb, workers=workers, progress=progress, a_disjoint=a_part, b_disjoint=b_part)
    pairs = pd.DataFrame({"a_code": a.codes.to_numpy()[ia], "b_code": b.codes.to_numpy()[ib], "area_m2": area})
    tot_a = pd.DataFrame({"area_m2": shapely.area(ga)}, index=a.codes)
    tot_b = pd.DataFrame({"area_m2": shapely.area(gb)}, index=b.codes)
    pop = point_population(a, b, ga, gb)
    if pop is None:
        pairs["population"] = np.nan
        tot_a["population"] = np.nan
        tot_b["population"] = np.nan
        if by == "population":
            warn(f"{a.id} × {b.id}: no LSOA population lies in these layers (outside England and Wales?); weighting by area instead", CoverageWarning)
            notes.append("population unavailable outside England and Wales: weighted by area")
            by = "area"
    else:
        pair_pop, pop_a, pop_b, base = pop
        if by == "population":
            by = area_if_unpopulated(a, b, pairs, tot_a, tot_b, pop_a, pop_b, base, notes, min_share)
        pairs = pairs.merge(pair_pop, on=["a_code", "b_code"], how="outer")
        pairs["area_m2"] = pairs["area_m2"].fillna(0.0)
        pairs["population"] = pairs["population"].fillna(0.0)
        tot_a["population"] = pop_a.reindex(tot_a.index).fillna(0.0)
        tot_b["population"] = pop_b.reindex(tot_b.index).fillna(0.0)
        notes.append(f"population apportioned by {base} representative points")
    pairs = pairs.sort_values(["a_code", "b_code"], ignore_index=True)
    return pairs, tot_a, tot_b, by


def _check_self_overlap(layer, geoms, notes) -> bool:
    """Warn when units of one layer overlap each other (the layer is not a partition); True when it is one.

    Their common area lies in both units and is counted once for each, so the other layer's units
    there are over-measured (see :func:`coterm.intersect.overlapping_pairs`).
    """
    import shapely

    from .intersect import overlapping_pairs

    i, j = overlapping_pairs(geoms)
    if not len(i):
        return True
    area = float(shapely.area(shapely.intersection(geoms[i], geoms[j])).sum())
    codes = layer.codes.to_numpy()
    eg = ", ".join(f"{codes[p]}/{codes[q]}" for p, q in zip(i[:5], j[:5]))
    msg = (f"{layer.id} is not a partition: {len(i)} pair(s) of its units overlap each other ({area / 1e6:.3g} km² in all, "
           f"e.g. {eg}); that area is counted once for each unit it lies in")
    warn(msg, CoverageWarning)
    notes.append(msg)
    return False
