"""Coterminosity scores: a class per unit and indices per pair of layers, in both directions.

Pure pandas on the overlap table. After slivers are dropped each unit ``a`` has partners ``P(a)``:

* **coterminous**: ``P(a) = {b}`` and ``P(b) = {a}``;
* **nested** (a inside b): ``P(a) = {b}`` and ``b`` has other partners;
* **contains**: ``|P(a)| >= 2`` and every partner ``b`` has ``P(b) = {a}``;
* **split** (straddles): anything else; **minor split** when the dominant share is >= 95 %;
* **outside**: nothing of the unit lies in the other layer (different extents).

"Aligned" = coterminous + nested + contains, the "clear relationship" of policy documents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import notebook
from .codekeys import Codes as _Codes, row_order as _order, str_take as _str_take

if TYPE_CHECKING:  # typing only
    from .overlap import Overlap

__all__ = ["Scores", "score", "Rate", "DirectionIndices", "SymmetricIndices", "CLASSES", "ALIGNED", "MINOR_SPLIT_SHARE"]

CLASSES = ("coterminous", "nested", "contains", "split", "minor split", "outside")
ALIGNED = ("coterminous", "nested", "contains")
MINOR_SPLIT_SHARE = 0.95


@dataclass(frozen=True)
class Rate:
    """A share of units by count, by area and by population (None where the weight is unavailable)."""

    count: float | None
    area: float | None
    population: float | None

    def by(self, basis: str) -> float | None:
        """The rate weighted by ``"count"``, ``"area"`` or ``"population"``."""
        return getattr(self, basis)


@dataclass(frozen=True)
class DirectionIndices:
    """The indices of one direction (this layer → the other), typed; ``Scores.indices[d]`` holds the same as a dict."""

    units: int
    outside: int
    coterminous: int
    nested: int
    contains: int
    split: int
    minor_split: int
    coterminosity_rate: Rate
    alignment_rate: Rate
    split_rate: Rate
    people_in_split_units: float | None
    area_in_split_units_km2: float
    nesting_purity: Rate
    conditional_entropy_bits: float

    @classmethod
    def from_dict(cls, d: dict) -> "DirectionIndices":
        return cls(**{f.name: Rate(**d[f.name]) if isinstance(d[f.name], dict) else d[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class SymmetricIndices:
    """Variation of information, NMI and the entropies behind them (bits); None for an empty overlap."""

    vi_bits: float | None
    nmi: float | None
    h_a_bits: float | None
    h_b_bits: float | None
    mutual_information_bits: float | None
    h_b_given_a_bits: float | None = None
    h_a_given_b_bits: float | None = None


@dataclass(frozen=True, eq=False)
class Scores:
    """Per-unit classes (``units``) and layer-pair indices (``indices``) of one overlap."""

    overlap: Overlap
    units: pd.DataFrame
    indices: dict
    partners: pd.DataFrame = None  # type: ignore[assignment]
    """Every unit's partners as a long table: layer ("a"/"b"), code, partner_code, partner_name,
    share (of the unit's measure in the partner), rank (1 = dominant); sorted by layer, code, rank.
    Structured data, so codes holding ``:`` ``;`` ``,`` quotes or newlines stay intact."""

    def __repr__(self) -> str:  # short summaries for terminals and notebooks: coterm.notebook
        return notebook.scores_repr(self)

    def _repr_html_(self) -> str:
        return notebook.scores_html(self)

    def to_geodataframe(self, side: str = "a"):
        """One side's units (``"a"``, ``"b"`` or a layer id) with class, partners as list columns and geometry."""
        return notebook.scores_to_geodataframe(self, side)

    def explore(self, **kwargs):
        """The interactive map page of these scores (as ``GeoDataFrame.explore``, shown inline in Jupyter); kwargs go to ``coterminosity_map``."""
        return notebook.scores_explore(self, **kwargs)

    @property
    def a_to_b(self) -> DirectionIndices:
        """Typed indices of A → B (``indices["a_to_b"]`` as a dataclass)."""
        return DirectionIndices.from_dict(self.indices["a_to_b"])

    @property
    def b_to_a(self) -> DirectionIndices:
        return DirectionIndices.from_dict(self.indices["b_to_a"])

    @property
    def symmetric(self) -> SymmetricIndices:
        return SymmetricIndices(**self.indices["symmetric"])

    def unit_classes(self, side: str) -> pd.Series:
        u = self.units[self.units["side"] == side]
        return pd.Series(u["class"].to_numpy(), index=u["code"].to_numpy(), name="class")

    def to_dict(self) -> dict:
        """The JSON summary: a, b, mode, by, min_share, a_to_b, b_to_a, indices, slivers, uncovered, notes."""
        ov = self.overlap
        sl = ov.slivers
        return {
            "a": ov.a.id,
            "b": ov.b.id,
            "a_title": ov.a.title,
            "b_title": ov.b.title,
            "mode": ov.mode,
            "by": ov.by,
            "weight": ov.by,  # kept for readers of earlier files: "by" is the name everywhere else
            "min_share": ov.min_share,
            "a_to_b": self.indices["a_to_b"],
            "b_to_a": self.indices["b_to_a"],
            "indices": self.indices["symmetric"],  # kept for readers of earlier files
            "symmetric": self.indices["symmetric"],
            "slivers": {
                "pairs": int(len(sl)),
                "area_km2": float(sl["area_m2"].sum() / 1e6) if len(sl) else 0.0,
                "population": float(sl["population"].sum()) if len(sl) and sl["population"].notna().any() else None,
            },
            "uncovered": {
                "a_area_km2": float(ov.units_a["uncovered_area_m2"].sum() / 1e6),
                "b_area_km2": float(ov.units_b["uncovered_area_m2"].sum() / 1e6),
            },
            "notes": list(ov.notes),
            "fit": ov.fit.summary() if getattr(ov, "fit", None) is not None else None,
            "population": ov.population_basis,  # {base, source, year}; empty strings when weighted by area
            "bridge": ov.bridge,  # LSOA 2011 -> 2021 bridging counts, when the layers were of two eras
        }


def _classify(table: pd.DataFrame, units: pd.DataFrame, other_units: pd.DataFrame, side: str, other_names: pd.Series) -> pd.DataFrame:
    """Classes of the units of one side given the kept pairs (``side`` is 'a' or 'b'); for callers without codes."""
    mc, tc = f"{side}_code", ("b_code" if side == "a" else "a_code")
    # the partner side keyed on other_names' index: the names are what is looked up there (other_units is not)
    me, them = _Codes(units.index, table[mc], table[mc]), _Codes(other_names.index, table[tc], table[tc])
    return _classify_keys(table, units, side, other_names, me, them, _order(table, me, them, f"share_of_{side}"))


def _classify_keys(table: pd.DataFrame, units: pd.DataFrame, side: str, other_names: pd.Series,
                   me: _Codes, them: _Codes, order: np.ndarray) -> pd.DataFrame:
    """Classes of the units of one side given the kept pairs, their codes as keys and the row order."""
    them_col = "b_code" if side == "a" else "a_code"
    share = f"share_of_{side}"
    n_me = np.bincount(me.table, minlength=me.size)
    exclusive = np.bincount(them.table, minlength=them.size)[them.table] == 1
    not_excl = np.bincount(me.table[~exclusive], minlength=me.size)
    k = me.table[order]
    first = order[np.r_[True, k[1:] != k[:-1]]] if len(k) else order
    dom_row = np.full(me.size, -1, dtype=np.intp)
    dom_row[me.table[first]] = first  # the dominant pair of each code: first after sorting
    dom_row = dom_row[me.unit]
    dom_other = np.where(dom_row >= 0, them.pos[them.table[np.maximum(dom_row, 0)]] if len(table) else -1, -1)

    take = pd.api.extensions.take
    out = pd.DataFrame(index=units.index)
    out["name"] = units["name"]
    out["n_partners"] = n_me[me.unit].astype(int)
    out["dominant_code"] = take(table[them_col].array, dom_row, allow_fill=True)
    out["dominant_name"] = take(other_names.array, dom_other, allow_fill=True)
    out["dominant_share"] = take(table[share].to_numpy(), dom_row, allow_fill=True)
    excl = ((n_me > 0) & (not_excl == 0))[me.unit]
    n = out["n_partners"].to_numpy()
    cls = np.select(
        [n == 0, (n == 1) & excl, n == 1, (n >= 2) & excl, out["dominant_share"].to_numpy() >= MINOR_SPLIT_SHARE],
        ["outside", "coterminous", "nested", "contains", "minor split"],
        default="split",
    )
    out["class"] = cls
    return out


def _partners(table: pd.DataFrame, side: str, layer_id: str, other_names: pd.Series, me: _Codes, them: _Codes,
              order: np.ndarray) -> pd.DataFrame:
    """The kept pairs seen from one side: side, layer, code, partner_code, partner_name, share, rank."""
    me_col, them_col = f"{side}_code", ("b_code" if side == "a" else "a_code")
    names = pd.api.extensions.take(other_names.array, them.pos[them.table[order]], allow_fill=True)
    code = _str_take(table[me_col], order)
    out = pd.DataFrame({"side": side, "layer": layer_id, "code": code, "partner_code": _str_take(table[them_col], order),
                        "partner_name": pd.Series(names).to_numpy(), "share": table[f"share_of_{side}"].to_numpy(dtype=float)[order]})
    k = me.table[order]  # keys <-> codes one to one: the runs of equal codes
    new = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(new)
    out["rank"] = np.arange(len(code)) - np.repeat(starts, np.diff(np.r_[starts, len(code)])) + 1
    return out


def _direction(table: pd.DataFrame, all_pairs: pd.DataFrame, cls: pd.DataFrame, me: _Codes) -> dict:
    """Indices of one direction (side → other)."""
    c_all = cls["class"].to_numpy(dtype=object)
    in_mask = c_all != "outside"
    inside_keys = me.unit[in_mask]
    key = me.pairs
    # pandas sums (or ndarray.sum, which is what Series.sum does on NaN-free float64): the same last bits as the
    # string-keyed pandas version
    area_w = pd.Series(all_pairs["area_m2"].groupby(key).sum().reindex(inside_keys).fillna(0.0).to_numpy())
    pop_w = pd.Series(all_pairs["population"].groupby(key).sum(min_count=1).reindex(inside_keys).to_numpy())
    has_pop = bool(pop_w.notna().any()) and float(pop_w.fillna(0).sum()) > 0
    pop_w = pop_w.fillna(0.0)
    c = c_all[in_mask]
    counts = {k: int((c == k).sum()) for k in ("coterminous", "nested", "contains")}
    split_mask = (c == "split") | (c == "minor split")
    counts["split"] = int(split_mask.sum())
    counts["minor_split"] = int((c == "minor split").sum())

    # Series.sum of NaN-free float64 is ndarray.sum (pandas' nansum): the same bits without a Series per mask
    area_v, pop_v = area_w.to_numpy(), pop_w.to_numpy()
    area_tot, pop_tot = area_v.sum(), pop_v.sum()

    def rate(mask):
        out = {"count": float(mask.mean()) if len(mask) else None,
               "area": float(area_v[mask].sum() / area_tot) if area_tot > 0 else None,
               "population": float(pop_v[mask].sum() / pop_tot) if has_pop else None}
        return out

    # nesting purity: sum over units of the dominant partner's measure / total measure
    is_inside = np.zeros(me.size, dtype=bool)
    is_inside[inside_keys] = True
    pair_in = is_inside[key]

    def purity(col):
        if col == "population" and not has_pop:
            return None
        v = all_pairs[col][pair_in]
        tot = v.sum()
        return float(v.groupby(key[pair_in]).max().sum() / tot) if tot > 0 else None

    return {
        "units": int(in_mask.sum()),
        "outside": int((~in_mask).sum()),
        **counts,
        "coterminosity_rate": rate(c == "coterminous"),
        "alignment_rate": rate(np.isin(c, ALIGNED)),
        "split_rate": rate(split_mask),
        "people_in_split_units": float(pop_v[split_mask].sum()) if has_pop else None,
        "area_in_split_units_km2": float(area_v[split_mask].sum() / 1e6),
        "nesting_purity": {"count": float(cls["dominant_share"][in_mask].mean()) if in_mask.any() else None,
                           "area": purity("area_m2"), "population": purity("population")},
        "conditional_entropy_bits": _conditional_entropy(table, me.table),
    }


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return max(0.0, float(-(p * np.log2(p)).sum())) if len(p) else 0.0


def _conditional_entropy(table: pd.DataFrame, given: np.ndarray) -> float:
    """H(of | given) in bits over the kept pairs, weighted by the measure; ``given``: the conditioning side's keys.

    Notes
    -----
    :math:`H(B|A) = -\\sum_{a,b} p(a,b) \\log_2 \\frac{p(a,b)}{p(a)}` with
    :math:`p(a,b) = m(a,b)/\\sum m`. Zero when every unit of A lies in one unit of B.
    """
    m = table["measure"].to_numpy(dtype=float)
    tot = m.sum()
    if tot <= 0:
        return 0.0
    p = m / tot
    pa = pd.Series(p).groupby(given).transform("sum").to_numpy()
    nz = p > 0
    return max(0.0, float(-(p[nz] * np.log2(p[nz] / pa[nz])).sum()))  # max: no "-0"


def _symmetric(table: pd.DataFrame, ka: _Codes, kb: _Codes) -> dict:
    """Variation of information and normalised mutual information of the two partitions.

    Notes
    -----
    :math:`VI = H(A|B) + H(B|A)`; :math:`I = H(B) - H(B|A)`;
    :math:`NMI = 2I / (H(A) + H(B))` (1 when both entropies are 0). VI = 0 iff the layers are
    identical on their common extent.
    """
    m = table["measure"].to_numpy(dtype=float)
    tot = m.sum()
    if tot <= 0:
        return {"vi_bits": None, "nmi": None, "h_a_bits": None, "h_b_bits": None, "mutual_information_bits": None}
    p = pd.Series(m / tot)
    ha = _entropy(p.groupby(ka.table).sum().to_numpy())
    hb = _entropy(p.groupby(kb.table).sum().to_numpy())
    hba = _conditional_entropy(table, ka.table)
    hab = _conditional_entropy(table, kb.table)
    mi = max(hb - hba, 0.0)
    nmi = 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)
    return {"vi_bits": hab + hba, "nmi": min(nmi, 1.0), "h_a_bits": ha, "h_b_bits": hb, "mutual_information_bits": mi,
            "h_b_given_a_bits": hba, "h_a_given_b_bits": hab}


def score(ov) -> Scores:
    """Classify every unit of both layers and compute the layer-pair indices.

    Parameters
    ----------
    ov : Overlap (from :func:`coterm.overlap`).

    Returns
    -------
    Scores
        ``units``: one row per unit of A then B (side, layer, code, name, class, n_partners,
        dominant_code, dominant_name, dominant_share, measure, area_m2, population), where ``side``
        is ``"a"`` or ``"b"`` and ``layer`` the layer's id, as in every other table and file;
        ``indices``: ``a_to_b``, ``b_to_a`` and ``symmetric``; ``partners``: every unit's partners
        as a long table (side, layer, code, partner_code, partner_name, share, rank).

    Notes
    -----
    Per direction A→B, over units of A that B covers, by count and weighted by area and by
    population: coterminosity rate, alignment rate (coterminous + nested + contains), split rate,
    people and area in split units, nesting purity :math:`\\sum_a m(a)\\max_b s(a,b) / M =
    \\sum_a \\max_b m(a,b) / M`, and conditional entropy :math:`H(B|A)`. Symmetric: variation of
    information and NMI (see :func:`_symmetric`).

    Examples
    --------
    >>> import coterm
    >>> s = coterm.score(coterm.overlap("ltla-2021", "ltla-2021"))
    >>> s.indices["a_to_b"]["coterminosity_rate"]["count"], s.indices["symmetric"]["vi_bits"]
    (1.0, 0.0)
    """
    table = ov.table
    all_pairs = ov.all_pairs()
    ka = _Codes(ov.units_a.index, table["a_code"], all_pairs["a_code"])  # factorised once per side
    kb = _Codes(ov.units_b.index, table["b_code"], all_pairs["b_code"])
    oa, ob = _order(table, ka, kb, "share_of_a"), _order(table, kb, ka, "share_of_b")
    ca = _classify_keys(table, ov.units_a, "a", ov.units_b["name"], ka, kb, oa)
    cb = _classify_keys(table, ov.units_b, "b", ov.units_a["name"], kb, ka, ob)
    frames = []
    for side, cls, units in (("a", ca, ov.units_a), ("b", cb, ov.units_b)):
        f = cls.copy()
        f["measure"] = units["measure"]
        f["area_m2"] = units["area_m2"]
        f["population"] = units["population"]
        f.insert(0, "code", f.index.astype(str))
        f.insert(0, "layer", (ov.a if side == "a" else ov.b).id)
        f.insert(0, "side", side)
        frames.append(f.reset_index(drop=True))
    units = pd.concat(frames, ignore_index=True)
    units = units[["side", "layer", "code", "name", "class", "n_partners", "dominant_code", "dominant_name", "dominant_share",
                   "measure", "area_m2", "population"]]
    partners = pd.concat([_partners(table, "a", ov.a.id, ov.units_b["name"], ka, kb, oa),
                          _partners(table, "b", ov.b.id, ov.units_a["name"], kb, ka, ob)], ignore_index=True)
    indices = {
        "a_to_b": _direction(table, all_pairs, ca, ka),
        "b_to_a": _direction(table, all_pairs, cb, kb),
        "symmetric": _symmetric(table, ka, kb),
    }
    return Scores(overlap=ov, units=units, indices=indices, partners=partners)
