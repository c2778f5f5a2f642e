"""Unit codes as integer keys for :mod:`coterm.scoring`: sort and group on ints, not strings.

pandas 3 pays per operation on arrow-backed string columns (each new string Index converts to objects to
build its hash table); factorising each side's codes once and working on ranks avoids that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["Codes", "row_order", "str_take", "mapped_floats"]


class Codes:
    """One side's codes as ranks in their sorted universe: grouping and sorting on ints instead of strings.

    ``unit``: each unit's key; ``pos``: the unit position of each key (-1 if no unit); ``table`` and ``pairs``:
    the keys of that side's code column in the kept pairs and in all pairs. Ranks follow string order, so
    groups come out in the order a groupby on the strings gives (float sums over groups stay bit-identical).
    """

    def __init__(self, index: pd.Index, table_col: pd.Series, pairs_col: pd.Series):
        n = len(index)
        if index.is_unique:
            at_t, at_p = index.get_indexer(table_col), index.get_indexer(pairs_col)
            if (at_t >= 0).all() and (at_p >= 0).all():  # the usual case: every pair's code is a unit
                self.pos = np.argsort(index.to_numpy(dtype=object), kind="stable")
                self.unit = np.empty(n, dtype=np.intp)
                self.unit[self.pos] = np.arange(n)
                self.table, self.pairs, self.size = self.unit[at_t], self.unit[at_p], n
                return
        cols = [index.to_numpy(dtype=object), table_col.to_numpy(dtype=object), pairs_col.to_numpy(dtype=object)]
        uniq, inv = np.unique(np.concatenate(cols), return_inverse=True)
        self.size = len(uniq)
        self.unit, self.table, self.pairs = inv[:n], inv[n:n + len(cols[1])], inv[n + len(cols[1]):]
        self.pos = np.full(self.size, -1, dtype=np.intp)
        self.pos[self.unit[::-1]] = np.arange(n)[::-1]  # first unit of a repeated code


def row_order(table: pd.DataFrame, me: Codes, them: Codes, share: str) -> np.ndarray:
    """Row order by code, share descending, partner code (as ``sort_values`` on the strings; NaN shares last)."""
    return np.lexsort((them.table, -table[share].to_numpy(dtype=float), me.table))


def str_take(col: pd.Series, order: np.ndarray):
    """``col.astype(str)`` in ``order``; arrow strings are taken in arrow (no round trip through Python objects)."""
    s = col.astype(str)
    return s.array.take(order) if s.dtype == "str" else s.to_numpy()[order]


def mapped_floats(codes: pd.Series, per_unit: pd.Series) -> np.ndarray:
    """``codes.map(per_unit)`` as floats (NaN where absent), through the unit index's own cached hash table when it is unique."""
    if not per_unit.index.is_unique:
        return codes.map(per_unit).to_numpy(dtype=float)
    at = per_unit.index.get_indexer(codes)
    v = per_unit.to_numpy(dtype=float)
    return np.where(at >= 0, v[np.maximum(at, 0)], np.nan) if len(v) else np.full(len(codes), np.nan)
