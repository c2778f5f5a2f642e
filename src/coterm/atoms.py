"""Atom layers: bodies defined as sets of building blocks (LSOAs, districts), and exact overlaps from sets.

Many public bodies are *legally* unions of building blocks: ICBs and sub-ICB locations are sets of
LSOAs; police force areas, CSPs, fire authorities and resilience forums are sets of districts, and
districts are sets of LSOAs. With every layer resolved to "atom → unit", the overlap of two layers
is a group-by of atom weights (population or area) by the pair of units each atom belongs to:
exact, sliver-free and fast.
"""

from __future__ import annotations

import functools

import pandas as pd

from .errors import CatalogError, OverlapError

__all__ = ["atom_table", "resolve_membership", "atom_pairs"]


@functools.lru_cache(maxsize=4)
def atom_table(base_id: str) -> pd.DataFrame:
    """The atoms of a base (e.g. ``lsoa-2011``): index code; columns population, area_m2, x, y (EPSG:27700)."""
    from .catalog import catalog

    cat = catalog()
    base = cat.atom_base(base_id)
    path = cat.path(base.file)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise CatalogError(f"{path}: atom table for {base_id} is unreadable ({exc}); reinstall coterm") from None
    df["code"] = df["code"].astype(str)
    return df.set_index("code").sort_index()


@functools.lru_cache(maxsize=64)
def _read_lookup(path: str, key: str, unit: str) -> pd.Series:
    try:
        df = pd.read_csv(path, dtype=str, usecols=[key, unit], keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path}: lookup unreadable or lacks columns {key!r}, {unit!r} ({exc})") from None
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
    lookup = _read_lookup(str(cat.path(d.lookup)), d.key_column, d.unit_column)
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
    for lay in (a, b):
        unknown = lay.membership.index.difference(atoms.index)
        if len(unknown):
            raise OverlapError(f"{lay.id}: {len(unknown)} atom code(s) not in {base}: {', '.join(map(str, unknown[:5]))}")
    w = atoms[["area_m2", "population"]]
    ma = a.membership.rename("a_code")
    mb = b.membership.rename("b_code")

    def totals(m, col):
        t = w.loc[m.index].groupby(m.to_numpy()).sum()
        t.index.name = "code"
        return t

    joined = pd.concat([ma, mb], axis=1, join="inner")
    joined = joined.join(w)
    pairs = joined.groupby(["a_code", "b_code"], sort=True)[["area_m2", "population"]].sum().reset_index()
    return pairs, totals(ma, "a_code"), totals(mb, "b_code")
