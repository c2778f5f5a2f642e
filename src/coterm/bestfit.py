"""Best fit: a geometry layer (a user's file, a published generalised file) assigned to building blocks.

Most bodies are, legally, unions of LSOAs or districts, but the files people hold are generalised
one way and the LSOA-built layers another, so their edges disagree by hundreds of metres and a
polygon overlay invents splits. ONS answers this with best-fit lookups; so does coterm:

1. **Parts** – every block (LSOA polygon of the base) is intersected with every unit of the layer by
   the geometric engine (:func:`coterm.intersect.intersection_areas`).
2. **Assignment** – a block belongs to the unit holding the largest part of it (ties: the smaller
   code), provided at least half of the block lies in the layer (the rest lie outside it: another
   country, the sea, beyond a regional file's edge).
3. **Report** – per block the share of its covered area in its unit and in the runner-up; per unit
   and overall the blocks ≥ 99%, ≥ 95% and < 95% inside their unit, the area and people of the parts
   left outside their assigned unit ("displaced"), the ambiguous blocks (no unit holds ≥ 60%) by code,
   and the units that received no block.

The fit is **clean** (:data:`CLEAN_RULE`) when at least 90% of the fitted blocks are ≥ 95% inside one unit,
fewer than 2% of their people are displaced, fewer than 1% of the blocks are ambiguous, every unit (within
the base's extent) receives a block, and, discounting the band within the tolerance of the units' edges that
generalising moves, at least 99% of the blocks are *firm* (under 5% of each deeper inside another unit) and
under 0.1% of people lie deeper inside another unit. ONS BUC (500 m) files of LSOA-built bodies pass
(92.9–98.3% of LSOAs ≥ 95% inside, 0.3–1.6% displaced, 100% firm, 0.00% deep), layers not made of LSOAs
(wards, MSOAs of another census) fail (about 60% of LSOAs ≥ 95% inside, 8–10% displaced, 97–98.5% firm,
0.2–0.5% deep; benchmarks/BESTFIT.md). A layer
whose units overlap each other over more than 1% of its area is not a partition (catchments,
service areas): it is refused with :class:`BestFitError`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import OverlapError
from .fit_report import AMBIGUOUS_SHARE, CLEAN_RULE, MIN_COVER, FitReport

__all__ = ["best_fit", "BestFit", "FitReport", "BestFitError", "CLEAN_RULE", "AMBIGUOUS_SHARE", "default_base"]

#: Units overlapping each other over more than this share of the layer's area: not a partition, refused.
MAX_SELF_OVERLAP = 0.01


class BestFitError(OverlapError):
    """A layer that cannot be best-fitted to building blocks (its units overlap each other)."""


class BestFit(NamedTuple):
    """The fitted atom layer and its report: ``layer, report = coterm.best_fit(...)``."""

    layer: object
    report: FitReport


def default_base(layer) -> str:
    """The base to fit a layer to when none is given: LSOA 2021 for vintages from 2023 or without one, else LSOA 2011."""
    v = str(getattr(layer, "vintage", "") or "")
    return "lsoa-2011" if v.isdigit() and int(v) < 2023 else "lsoa-2021"


def best_fit(layer, base: str | None = None, *, tolerance: float | None = None, workers: int = 1) -> BestFit:
    """Best-fit a geometry layer to building blocks (LSOAs): each block goes to the unit holding most of its area.

    Parameters
    ----------
    layer : Layer, catalogue id or file path (a partition: units that do not overlap each other).
    base : ``"lsoa-2011"`` or ``"lsoa-2021"`` (default :func:`default_base`), or a Layer of blocks
        (drawn blocks: no population, so people are taken as spread evenly by area).
    tolerance : how far (metres) the file's edges may stray from the blocks' edges. Default: estimated
        from the file (:data:`TOLERANCE_FACTOR` × the mean offset of its edges); ``0`` fits by largest
        part alone.
    workers : processes for the geometric engine.

    Returns
    -------
    BestFit
        ``layer``: the same layer (same geometry, for maps) with ``membership`` block → unit and
        ``atom_base`` set, so :func:`coterm.overlap` compares it exactly with layers built on that base;
        ``report``: the :class:`FitReport`.

    Notes
    -----
    With :math:`a(i, u)` the area of block :math:`i` inside unit :math:`u` and :math:`c(i) = \\sum_u a(i, u)`
    its covered area, block :math:`i` is fitted when :math:`c(i) \\ge 0.5\\,\\mathrm{area}(i)` and goes to
    :math:`u^* = \\arg\\max_u a(i, u)`; its share is :math:`s_i = a(i, u^*) / c(i)`. Displaced people are
    :math:`\\sum_i p_i (1 - s_i)` (block population spread evenly over its area) and displaced area
    :math:`\\sum_i (c(i) - a(i, u^*))`. The block is ambiguous when :math:`\\max_u a(i, u) / c(i) < 0.6`.

    Generalised files stray from the blocks by up to a tolerance :math:`t`; a block smaller than
    :math:`t` can lie wholly on the wrong side of a generalised edge. So when the block's district
    (the base's district lookup) lies at least 75% in one unit :math:`U`, a block goes to another unit
    :math:`u` only when at least 5% of the block lies deeper than :math:`t` inside :math:`u`
    (:math:`\\mathrm{area}(i \\cap (u \\ominus t)) \\ge 0.05\\,\\mathrm{area}(i)`, the unit eroded by
    :math:`t`): a real split keeps its blocks, a generalisation error does not move them. The
    tolerance is estimated as :math:`5\\,d / L` with :math:`d` the area displaced by the plain fit
    and :math:`L` the length of the layer's internal edges (about 500 m for ONS BUC files, 0 for a
    dissolve of the blocks themselves).

    Examples
    --------
    >>> import coterm
    >>> fitted, report = coterm.best_fit("pfa-2020-buc", "lsoa-2011")
    >>> fitted.atom_base, report.lost_units
    ('lsoa-2011', [])
    """
    import shapely

    from .atoms import atom_table
    from .intersect import intersection_areas
    from .layer import load_layer

    from .layer import Layer

    layer = load_layer(layer)
    if isinstance(base, Layer):  # drawn or custom blocks: no population, no district lookup
        blocks, base = base, base.id
        population = pd.Series(dtype=float)
    else:
        base = base or default_base(layer)
        blocks = _base_layer(base)
        population = atom_table(base)["population"]
    ug = _units_in_crs(layer, blocks.crs)
    _refuse_overlaps(layer, ug)
    bg = blocks.frame.geometry.to_numpy()
    ib, iu, area = intersection_areas(bg, ug, workers=workers)
    if len(area) == 0:
        raise BestFitError(f"{layer.source or layer.id}: no unit overlaps any {base} block; check that the file covers England "
                           "or Wales and that its CRS is right")
    codes = blocks.codes.to_numpy().astype(str)
    ucodes = layer.codes.to_numpy().astype(str)
    block_area = shapely.area(bg)
    parts = pd.DataFrame({"block": ib, "unit": iu, "area": area})
    parts["cover"] = parts.groupby("block")["area"].transform("sum")
    parts = parts[parts["cover"].to_numpy() >= MIN_COVER * block_area[parts["block"].to_numpy()]]
    plain = _largest(parts, ucodes)
    if tolerance is None:
        tolerance = _estimate_tolerance(parts, plain, ug)
    chosen, by_district, deep = plain, np.zeros(len(plain), dtype=bool), _NO_DEEP
    eroded = shapely.buffer(ug, -float(tolerance)) if tolerance > 0 else None
    if tolerance > 0:
        chosen, by_district, deep = _respect_districts(parts, plain, ucodes, codes, bg, eroded, base, workers)
    frame = _block_frame(parts, plain, chosen, by_district, codes, ucodes, population)
    frame["deep_share"] = _deep_shares(chosen, bg, eroded, workers, deep).reindex(
        pd.Series(np.arange(len(codes)), index=codes).reindex(frame.index).to_numpy()).to_numpy()
    outside_blocks = np.setdiff1d(np.unique(ib), plain.index.to_numpy())
    cover_all = np.bincount(ib, weights=area, minlength=len(bg))
    report = FitReport(layer=layer.id, source=layer.source or layer.id, kind=layer.kind, base=base, blocks=frame,
                       units=_unit_report(layer, frame, ug, cover_units=np.bincount(iu, weights=area, minlength=len(ug))),
                       base_blocks=int(len(bg)), outside_blocks=int(len(outside_blocks)),
                       outside_area_m2=float(cover_all[outside_blocks].sum()), tolerance_m=float(tolerance))
    membership = pd.Series(frame["unit"].to_numpy(), index=pd.Index(frame.index, name="atom"), name="unit")
    return BestFit(layer.replace(membership=membership, atom_base=base, fit=report), report)


#: The tolerance is this many times the mean offset of the file's edges from the blocks' edges.
TOLERANCE_FACTOR = 5.0
#: A district this much inside one unit keeps its blocks there unless one is deep inside another unit.
DISTRICT_SHARE = 0.75
#: The share of a block that must lie deeper than the tolerance inside another unit to leave its district's unit.
DEEP_SHARE = 0.05


def _largest(parts: pd.DataFrame, ucodes: np.ndarray) -> pd.DataFrame:
    """Per block: the unit holding its largest part (ties: the smaller code) and that part's area."""
    order = np.lexsort((ucodes[parts["unit"].to_numpy()], -parts["area"].to_numpy(), parts["block"].to_numpy()))
    p = parts.iloc[order]
    return p.drop_duplicates("block").set_index("block")[["unit", "area", "cover"]]


def _estimate_tolerance(parts, plain, ug) -> float:
    """:data:`TOLERANCE_FACTOR` × displaced area / length of the layer's internal edges (metres)."""
    import shapely

    displaced = float((plain["cover"] - plain["area"]).sum())
    if displaced <= 0:
        return 0.0
    internal = (float(shapely.length(ug).sum()) - float(shapely.length(shapely.union_all(ug)))) / 2
    if internal <= 0:
        return 0.0
    mean = displaced / internal
    return 0.0 if mean < 1.0 else TOLERANCE_FACTOR * mean


def _district_of(base: str, codes: np.ndarray) -> pd.Series:
    """Block position → district code, from the newest district lookup built on the base (empty when none)."""
    from .atoms import resolve_membership
    from .catalog import catalog

    if base not in {b.id for b in catalog().atom_bases}:
        return pd.Series(dtype=object)
    cands = [e for e in catalog().entries if e.kind == "ltla" and e.atoms is not None and e.atoms.base == base and not e.atoms.via]
    if not cands:
        return pd.Series(dtype=object)
    entry = max(cands, key=lambda e: (e.vintage, e.id))
    m = resolve_membership(entry)
    return pd.Series(m.reindex(codes).to_numpy(), index=np.arange(len(codes)))


#: no deep parts computed yet: (blocks, their parts deeper than the tolerance by (block, unit))
_NO_DEEP = (np.zeros(0, dtype=np.int64), pd.Series(dtype=float))


def _deep_parts(block_pos: np.ndarray, bg, eroded, workers) -> pd.Series:
    """Area of each of these blocks deeper than the tolerance inside each unit, by (block position, unit position)."""
    from .intersect import intersection_areas

    if not len(block_pos):
        return _NO_DEEP[1]
    jb, ju, deep = intersection_areas(bg[block_pos], eroded, workers=workers)
    return pd.Series(deep, index=pd.MultiIndex.from_arrays([block_pos[jb], ju]))


def _deep_shares(chosen, bg, eroded, workers, known=_NO_DEEP) -> pd.Series:
    """Per fitted block (by position): the share of its covered area deeper than the tolerance inside units other than its own.

    The part of a block outside its unit but within the tolerance of the unit's edge is what generalising
    the file moves; a part deeper than that is a real disagreement. Without a tolerance every part outside counts.
    """
    cover = chosen["cover"].to_numpy(dtype=float)
    outside = (cover - chosen["area"].to_numpy(dtype=float)).clip(min=0.0)
    if eroded is None:
        return pd.Series(np.where(cover > 0, outside / np.where(cover > 0, cover, 1), 0.0), index=chosen.index)
    cut = chosen.index.to_numpy()[outside > 0]  # only blocks with a part outside their unit can lie deep in another
    done, parts = known
    todo = np.setdiff1d(cut, done)
    if len(todo):
        parts = pd.concat([parts, _deep_parts(todo, bg, eroded, workers)]) if len(parts) else _deep_parts(todo, bg, eroded, workers)
    deep = pd.Series(0.0, index=chosen.index)
    if len(parts):
        b, u = parts.index.get_level_values(0).to_numpy(), parts.index.get_level_values(1).to_numpy()
        mine = chosen["unit"].reindex(b).to_numpy()
        keep = np.isin(b, cut) & (u != mine)
        deep = deep.add(pd.Series(parts.to_numpy()[keep], index=b[keep]).groupby(level=0).sum(), fill_value=0.0)
    return (deep / chosen["cover"].where(chosen["cover"] > 0, 1.0)).clip(upper=1.0)


def _respect_districts(parts, plain, ucodes, codes, bg, eroded, base, workers):
    """Blocks of a district mostly in one unit stay there unless deep (beyond the tolerance) inside another."""
    import shapely

    district = _district_of(base, codes)
    if district.empty:
        return plain, np.zeros(len(plain), dtype=bool), _NO_DEEP
    p = parts.copy()
    p["district"] = district.reindex(p["block"].to_numpy()).to_numpy()
    by_du = p.dropna(subset=["district"]).groupby(["district", "unit"])["area"].sum()
    tot = by_du.groupby(level=0).transform("sum")
    share = (by_du / tot).reset_index(name="share").sort_values(["district", "share", "unit"], ascending=[True, False, True])
    top = share.drop_duplicates("district").set_index("district")
    top = top[top["share"] >= DISTRICT_SHARE]["unit"]
    p["prior"] = p["district"].map(top)
    has_prior = p["prior"].notna().to_numpy()
    if not has_prior.any():
        return plain, np.zeros(len(plain), dtype=bool), _NO_DEEP
    # only parts outside their district's unit need the deep test: intersect just those blocks with the eroded units
    need = np.unique(p["block"].to_numpy()[has_prior & (p["unit"].to_numpy() != p["prior"].to_numpy())])
    deep_s = _deep_parts(need, bg, eroded, workers)
    key = pd.MultiIndex.from_arrays([p["block"].to_numpy(), p["unit"].to_numpy()])
    p["deep"] = deep_s.reindex(key).fillna(0.0).to_numpy()
    block_area = shapely.area(bg)[p["block"].to_numpy()]
    supported = ~has_prior | (p["unit"].to_numpy() == p["prior"].to_numpy()) | (p["deep"].to_numpy() >= DEEP_SHARE * block_area)
    best = _largest(p[supported], ucodes)
    chosen = plain.copy()
    chosen.loc[best.index, ["unit", "area"]] = best[["unit", "area"]].to_numpy()
    # blocks whose only parts are unsupported go to their district's unit (a part of zero area)
    prior_of = p.drop_duplicates("block").set_index("block")["prior"]
    orphan = chosen.index.difference(best.index)
    if len(orphan):
        chosen.loc[orphan, "unit"] = prior_of.reindex(orphan).to_numpy()
        chosen.loc[orphan, "area"] = 0.0
    by_district = (chosen["unit"].to_numpy() != plain["unit"].to_numpy())
    return chosen, by_district, (need, deep_s)


def _block_frame(parts, plain, chosen, by_district, codes, ucodes, population):
    """The per-block report: unit, share, runner-up, area, people, displaced, band, ambiguous, placed_by."""
    unit_pos = chosen["unit"].to_numpy()
    chosen_code = ucodes[unit_pos.astype(np.int64)]
    cover = plain["cover"].to_numpy()
    share = np.where(cover > 0, chosen["area"].to_numpy(dtype=float) / cover, 0.0)
    # runner-up: the largest part not in the chosen unit
    p = parts.merge(pd.DataFrame({"block": chosen.index, "chosen": unit_pos}), on="block")
    other = p[p["unit"] != p["chosen"]]
    ru = _largest(other, ucodes) if len(other) else pd.DataFrame(columns=["unit", "area", "cover"])
    ru = ru.reindex(chosen.index)
    has_ru = ru["unit"].notna().to_numpy()
    ru_code = np.where(has_ru, ucodes[np.where(has_ru, ru["unit"].fillna(0).to_numpy(), 0).astype(np.int64)], "")
    ru_share = np.where(has_ru & (cover > 0), ru["area"].fillna(0).to_numpy(dtype=float) / np.where(cover > 0, cover, 1), 0.0)
    bcodes = codes[chosen.index.to_numpy()]
    pop = population.reindex(bcodes).fillna(0.0).to_numpy(dtype=float)
    largest = np.where(cover > 0, plain["area"].to_numpy(dtype=float) / cover, 0.0)
    frame = pd.DataFrame({
        "unit": chosen_code, "share": share, "runner_up": ru_code, "runner_up_share": ru_share,
        "area_m2": cover, "population": pop, "displaced_area_m2": cover * (1 - share), "displaced_population": pop * (1 - share),
        "largest_share": largest, "placed_by": np.where(by_district, "district", "area"),
    }, index=pd.Index(bcodes, name="block")).sort_index()
    frame["band"] = np.select([frame["largest_share"] >= 0.99, frame["largest_share"] >= 0.95], ["≥99%", "≥95%"], "<95%")
    frame["ambiguous"] = frame["largest_share"] < AMBIGUOUS_SHARE
    return frame


def _unit_report(layer, frame: pd.DataFrame, ug, *, cover_units) -> pd.DataFrame:
    import shapely

    g = frame.groupby("unit")
    s = frame["largest_share"]
    out = pd.DataFrame({
        "blocks": g.size(), "ge99": (s >= 0.99).groupby(frame["unit"]).sum(), "ge95": (s >= 0.95).groupby(frame["unit"]).sum(),
        "lt95": (s < 0.95).groupby(frame["unit"]).sum(), "ambiguous": frame["ambiguous"].groupby(frame["unit"]).sum(),
        "population": g["population"].sum(), "displaced_population": g["displaced_population"].sum(),
        "displaced_area_m2": g["displaced_area_m2"].sum(),
    }).reindex(layer.codes.astype(str)).fillna(0)
    for c in ("blocks", "ge99", "ge95", "lt95", "ambiguous"):
        out[c] = out[c].astype(int)
    out.insert(0, "name", layer.names.reindex(layer.codes).astype(str).to_numpy())
    # a unit mostly outside the base's extent (Scotland in a UK file) is not lost when it gets no block
    out["in_base"] = cover_units >= MIN_COVER * shapely.area(ug)
    out.index.name = "code"
    return out


def _base_layer(base: str):
    from .catalog import catalog
    from .layer import load_layer

    catalog().atom_base(base)  # CatalogError naming the base when it is not one
    return load_layer(base)


def _units_in_crs(layer, crs) -> np.ndarray:
    from .crs import require_metric

    require_metric(layer.crs, source=layer.source or layer.id)
    frame = layer.frame if layer.crs.equals(crs) else layer.frame.to_crs(crs)
    geoms = frame.geometry.to_numpy()
    if any(g is None for g in geoms):
        raise BestFitError(f"{layer.source or layer.id}: some units have no geometry; best fit needs polygons")
    return geoms


def _refuse_overlaps(layer, geoms) -> None:
    """Refuse a layer whose units overlap each other over more than :data:`MAX_SELF_OVERLAP` of its area."""
    import shapely

    from .intersect import overlapping_pairs

    i, j = overlapping_pairs(geoms)
    if not len(i):
        return
    over = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    total = float(shapely.area(geoms).sum())
    if total <= 0 or over.sum() / total <= MAX_SELF_OVERLAP:
        return
    codes = layer.codes.to_numpy().astype(str)
    top = np.argsort(-over, kind="stable")[:3]
    eg = ", ".join(f"{codes[i[k]]}/{codes[j[k]]}" for k in top)
    raise BestFitError(f"{layer.source or layer.id}: not a partition, so it cannot be best-fitted to building blocks: {len(i)} pair(s) of "
                       f"its units overlap each other over {over.sum() / 1e6:,.1f} km² ({100 * over.sum() / total:.1f}% of its area; "
                       f"e.g. {eg}); compare it in geometry mode")


def fit_pair(a, b, *, mode: str, base: str | None = None, workers: int = 1, notes: list | None = None):
    """The hook of :func:`coterm.overlap`: best-fit the geometry-only layer of a pair to the other's base.

    Returns ``(a, b, report)``. In ``mode="auto"`` the fitted layer replaces the original only when the
    fit is clean; in ``mode="atoms"`` it always does. ``report`` is None when no fit was tried;
    otherwise its ``used`` says whether the comparison is exact. The one-line note goes to ``notes``.
    """
    notes = notes if notes is not None else []
    atom_side = [lay for lay in (a, b) if lay.membership is not None and lay.atom_base]
    geo_side = [lay for lay in (a, b) if lay.membership is None and lay.frame.geometry.notna().all()]
    if len(atom_side) != 1 or len(geo_side) != 1:
        return a, b, None
    atom, geo = atom_side[0], geo_side[0]
    base = base or atom.atom_base
    if base != atom.atom_base:
        msg = f"fit base {base} differs from {atom.atom_base}, the blocks {atom.id} is built from; fit to {atom.atom_base}"
        if mode == "atoms":
            raise OverlapError(msg)
        notes.append(msg + "; compared in geometry mode")
        return a, b, None
    from shapely.errors import GEOSException

    try:
        fitted, report = best_fit(geo, base, workers=workers)
    except (BestFitError, GEOSException) as exc:
        if mode == "atoms":
            if isinstance(exc, BestFitError):
                raise
            raise BestFitError(f"{geo.source or geo.id}: the best fit to {base} failed in the geometry engine ({exc}); "
                               "compare in geometry mode") from None
        notes.append(str(exc) if isinstance(exc, BestFitError) else f"{geo.id}: best fit to {base} failed ({exc}); compared in geometry mode")
        return a, b, None
    use = mode == "atoms" or report.clean
    report = replace(report, used=use)
    notes.append(report.note())
    if not use:
        return a, b, report
    return (fitted, b, report) if geo is a else (a, fitted, report)
