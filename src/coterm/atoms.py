"""Atom layers: bodies defined as sets of building blocks (LSOAs, districts), and exact overlaps from sets.

Many public bodies are *legally* unions of building blocks: ICBs and sub-ICB locations are sets of
LSOAs; police force areas, CSPs, fire authorities and resilience forums are sets of districts, and
districts are sets of LSOAs. With every layer resolved to "atom → unit", the overlap of two layers
is a group-by of atom weights (population or area) by the pair of units each atom belongs to:
exact, sliver-free and fast.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .errors import CatalogError, CatalogIntegrityError, OverlapError

__all__ = ["atom_table", "resolve_membership", "atom_pairs", "bridge_membership"]


@functools.lru_cache(maxsize=4)
def atom_table(base_id: str) -> pd.DataFrame:
    """The atoms of a base (e.g. ``lsoa-2011``): index code; columns population, area_m2, x, y (EPSG:27700)."""
    from .catalog import catalog
    from .io import read_bundled_parquet

    cat = catalog()
    base = cat.atom_base(base_id)
    df = read_bundled_parquet(cat.path(base.file), base.sha256, geo=False, what=f"atom table for {base_id}")
    df["code"] = df["code"].astype(str)
    return df.set_index("code").sort_index()


@functools.lru_cache(maxsize=64)
def _read_lookup(path: str, key: str, unit: str, sha256: str = "") -> pd.Series:
    from .io import read_bundled_csv

    df = read_bundled_csv(path, sha256, columns=[key, unit], what="atom lookup")
    df = df.drop_duplicates()
    dup = df[key][df[key].duplicated()]
    if len(dup):
        raise CatalogError(f"{path}: {key} codes assigned to several units ({', '.join(sorted(set(dup))[:5])}); an atom lookup must be many-to-one")
    return pd.Series(df[unit].to_numpy(), index=pd.Index(df[key].to_numpy(), name="atom"), name="unit")


def resolve_membership(entry) -> pd.Series:
    """atom code → unit code for a catalogue entry, following ``via`` chains (e.g. PFA → district → LSOA)."""
    from .catalog import catalog

    cat = catalog()
    d = entry.atoms
    lookup = _read_lookup(str(cat.path(d.lookup)), d.key_column, d.unit_column, d.sha256)
    if not d.via:
        return lookup.copy()
    via_entry = cat.get(d.via)
    if via_entry.atoms is None or via_entry.atoms.base != d.base:
        raise CatalogError(f"catalogue: {entry.id} is defined via {d.via}, which is not built from {d.base}")
    inner = resolve_membership(via_entry)  # atom -> via unit
    out = inner.map(lookup)
    missing = out.isna()
    if missing.any():
        # atoms whose district is not in this layer's lookup lie outside the layer (e.g. Scotland)
        out = out[~missing]
    return out.rename("unit")


# layer membership -> (Series, unit index per atom, unit codes); keyed by the Series' identity
_INDEX_CACHE: dict = {}


def common_base(a, b) -> str | None:
    """The atom base two layers share, or None when atom mode is impossible."""
    if a.membership is None or b.membership is None or a.atom_base is None:
        return None
    return a.atom_base if a.atom_base == b.atom_base else None


def atom_pairs(a, b) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Exact overlaps of two atom layers.

    Returns (pairs, units_a, units_b): pairs has a_code, b_code, area_m2, population summed over the
    atoms the two units share; units_* give each unit's total area_m2 and population (all its atoms).

    Notes
    -----
    For atoms :math:`i` with weight :math:`w_i` and memberships :math:`A(i)`, :math:`B(i)`,
    :math:`m(a, b) = \\sum_{i: A(i)=a, B(i)=b} w_i`. Each atom belongs to one unit per layer, so the
    measure is conserved: :math:`\\sum_b m(a, b) = m(a)` whenever ``b`` covers every atom of ``a``.
    """
    base = common_base(a, b)
    if base is None:
        raise OverlapError(
            f"{a.id} and {b.id} are not both defined from the same building blocks "
            f"({a.atom_base or 'geometry only'} vs {b.atom_base or 'geometry only'}); use mode='geometry'"
        )
    atoms = atom_table(base)
    area = atoms["area_m2"].to_numpy(dtype=float)
    pop = atoms["population"].to_numpy(dtype=float)

    def unit_index(lay):
        key = (base, id(lay.membership))
        hit = _INDEX_CACHE.get(key)
        if hit is not None and hit[0] is lay.membership:
            return hit[1], hit[2]
        # position of each atom's unit in this layer's factorised codes (-1: atom not in the layer)
        pos = atoms.index.get_indexer(lay.membership.index)
        if (pos < 0).any():
            unknown = lay.membership.index[pos < 0]
            raise OverlapError(f"{lay.id}: {len(unknown)} atom code(s) not in {base}: {', '.join(map(str, unknown[:5]))}")
        codes, uniq = pd.factorize(lay.membership.to_numpy(), sort=True)
        idx = np.full(len(atoms), -1, dtype=np.int64)
        idx[pos] = codes
        uniq = np.asarray(uniq, dtype=object)
        if len(_INDEX_CACHE) >= 64:
            _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
        _INDEX_CACHE[key] = (lay.membership, idx, uniq)  # holds the Series, so its id is not reused
        return idx, uniq

    ia, ua = unit_index(a)
    ib, ub = unit_index(b)

    def totals(idx, uniq):
        inside = idx >= 0
        n = len(uniq)
        return pd.DataFrame({"area_m2": np.bincount(idx[inside], weights=area[inside], minlength=n),
                             "population": np.bincount(idx[inside], weights=pop[inside], minlength=n)},
                            index=pd.Index(uniq, name="code"))

    both = (ia >= 0) & (ib >= 0)
    key = ia[both] * len(ub) + ib[both]
    keys, inv = np.unique(key, return_inverse=True)  # sorted by (a, b) since codes are sorted
    pairs = pd.DataFrame({
        "a_code": ua[keys // len(ub)], "b_code": ub[keys % len(ub)],
        "area_m2": np.bincount(inv, weights=area[both], minlength=len(keys)),
        "population": np.bincount(inv, weights=pop[both], minlength=len(keys)),
    })
    return pairs, totals(ia, ua), totals(ib, ub)


# --- bridging the LSOA eras ------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _bridge_table(source: str, target: str) -> pd.DataFrame:
    from .catalog import catalog

    cat = catalog()
    hit = [b for b in cat.bridges if b.source == source and b.target == target]
    if not hit:
        raise CatalogError(f"catalogue: no lookup from {source} to {target} atoms")
    from .io import read_bundled_csv

    df = read_bundled_csv(cat.path(hit[0].file), hit[0].sha256, what="atom bridge")
    df.columns = ["source", "target", "change"][: len(df.columns)]
    return df


def bridge_membership(layer, target: str) -> tuple[pd.Series, dict]:
    """The layer's membership re-expressed on another atom base (LSOA 2011 → LSOA 2021).

    An LSOA 2021 whose parents (ONS LSOA 2011 → 2021 lookup) all lie in one unit goes to that
    unit exactly: unchanged, split and most merged LSOAs. The others (irregular changes, or merged
    parents in different units) go by population-weighted best fit: to the unit holding most of
    their parents' mid-2020 population, a split parent's people shared evenly among its children;
    they go outside the layer when most of that population is outside it.

    Returns (membership, info) with info counting the LSOAs and people (of the target base) placed
    exactly and by best fit.
    """
    key = (layer.id, layer.atom_base, target)
    hit = _BRIDGE_CACHE.get(key)
    # a hit must hold the same membership (a scenario's after-layer keeps the id but not the sets)
    if hit is not None and (hit[0] is layer.membership or hit[0].equals(layer.membership)):
        return hit[1], dict(hit[2])
    out, info = _bridge(layer, target)
    if len(_BRIDGE_CACHE) >= 8:
        _BRIDGE_CACHE.pop(next(iter(_BRIDGE_CACHE)))
    _BRIDGE_CACHE[key] = (layer.membership, out, info)
    return out, dict(info)


_BRIDGE_CACHE: dict = {}


def _bridge(layer, target: str) -> tuple[pd.Series, dict]:
    source = layer.atom_base
    lk = _bridge_table(source, target)
    pop = atom_table(source)["population"]
    n_children = lk.groupby("source")["target"].transform("nunique").to_numpy()
    w = pop.reindex(lk["source"]).fillna(0).to_numpy(dtype=float) / n_children
    unit = lk["source"].map(layer.membership).fillna("\x00outside")
    votes = pd.DataFrame({"target": lk["target"].to_numpy(), "unit": unit.to_numpy(), "w": w})
    votes = votes.groupby(["target", "unit"], sort=True)["w"].sum().reset_index()
    n_cand = votes.groupby("target")["unit"].transform("nunique")
    best = votes.sort_values(["target", "w", "unit"], ascending=[True, False, True]).drop_duplicates("target")
    ambiguous = set(votes.loc[n_cand > 1, "target"])
    best = best[best["unit"] != "\x00outside"]
    out = pd.Series(best["unit"].to_numpy(), index=pd.Index(best["target"].to_numpy(), name="atom"), name="unit")
    tpop = atom_table(target)["population"]
    in_layer = layer.membership.index.get_indexer(lk["source"]) >= 0  # hash lookups: isin is slow on arrow strings
    touched_targets = pd.Index(lk["target"].to_numpy()[in_layer]).unique()
    touched = set(touched_targets)
    amb_in = sorted(ambiguous & touched)
    info = {
        "source": source, "target": target,
        "exact_atoms": int(len(out) - len(ambiguous & set(out.index))),
        "best_fit_atoms": len(amb_in),
        "best_fit_people": int(tpop.reindex(amb_in).fillna(0).sum()),
        "atoms": int(len(out)),
        "irregular_atoms": int(lk.loc[(lk["change"] == "X").to_numpy() & (touched_targets.get_indexer(lk["target"]) >= 0),
                                      "target"].nunique()) if "change" in lk else 0,
    }
    return out.sort_index(), info


def _same_era_hint(layer, base: str) -> str:
    """The newest catalogue layer of the same kind built on ``base`` (or '')."""
    from .catalog import catalog

    cands = [e for e in catalog().entries if e.kind == layer.kind and e.atoms is not None and e.atoms.base == base]
    return max(cands, key=lambda e: (e.vintage, e.id)).id if cands else ""


def bridge_pair(a, b):
    """Put two atom layers of different LSOA eras on one base (the newer), or explain why not.

    Returns (a, b, note, info); info is None when no bridging was needed. Raises OverlapError
    with one line naming a same-era layer when the eras cannot be bridged.
    """
    if a.membership is None or b.membership is None or not a.atom_base or not b.atom_base or a.atom_base == b.atom_base:
        return a, b, "", None
    old, new = sorted((a, b), key=lambda lay: lay.atom_base)  # "lsoa-2011" < "lsoa-2021"
    try:
        membership, info = bridge_membership(old, new.atom_base)
    except CatalogIntegrityError:
        raise  # a damaged or changed bundled file is refused, never bridged around
    except CatalogError as exc:
        alt = _same_era_hint(new, old.atom_base) or _same_era_hint(old, new.atom_base)
        raise OverlapError(
            f"{old.id} is built on {old.atom_base} and {new.id} on {new.atom_base}, and they cannot be bridged ({exc})"
            + (f"; compare {old.id} with {alt}, a layer of its own era" if alt else "")
        ) from None
    if membership.empty:
        raise OverlapError(f"{old.id} has no atoms left after bridging {old.atom_base} to {new.atom_base}")
    bridged = old.replace(membership=membership, atom_base=new.atom_base)
    note = (
        f"{old.id} is built on {old.atom_base} and {new.id} on {new.atom_base}: {old.id} was bridged to "
        f"{new.atom_base} through the ONS LSOA 2011 -> 2021 lookup, {info['exact_atoms']:,} LSOAs exactly "
        f"(unchanged, split or merged within one unit) and {info['best_fit_atoms']:,} LSOAs "
        f"({info['best_fit_people']:,} people) by population-weighted best fit (parents in different units; "
        f"{info['irregular_atoms']} LSOAs changed irregularly); population is that of {new.atom_base}"
    )
    a2, b2 = (bridged, new) if old is a else (new, bridged)
    return a2, b2, note, info


def population_basis(base: str | None) -> dict:
    """{'base', 'source', 'year'} of an atom base's population (empty strings when unknown)."""
    from .catalog import catalog

    if not base:
        return {"base": "", "source": "", "year": ""}
    try:
        e = catalog().atom_base(base)
    except CatalogError:
        return {"base": base, "source": "", "year": ""}
    return {"base": base, "source": e.population_source, "year": e.population_year}


def bridge_eras(a, b, mode: str, notes: list):
    """:func:`bridge_pair` for :func:`coterm.overlap`: in auto mode a pair that cannot be bridged
    falls back to geometry with the reason in ``notes``; in atom mode it is an error."""
    if mode not in ("auto", "atoms"):
        return a, b, None
    try:
        a, b, note, info = bridge_pair(a, b)
    except OverlapError as exc:
        if mode == "atoms":
            raise
        note, info = f"{exc}; compared by geometry instead", None
    if note:
        notes.append(note)
    return a, b, info


def overlap_population_basis(ov) -> dict:
    if ov.by == "area":
        return {"base": "", "source": "", "year": ""}
    if ov.mode == "atoms":
        return population_basis(ov.a.atom_base)
    vintages = [int(v) for v in (ov.a.vintage, ov.b.vintage) if str(v).isdigit()]  # as geometry mode picks points
    return population_basis("lsoa-2021" if vintages and min(vintages) >= 2023 else "lsoa-2011")
