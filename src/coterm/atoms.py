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

from .errors import CatalogError, OverlapError

__all__ = ["atom_table", "resolve_membership", "atom_pairs"]


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
