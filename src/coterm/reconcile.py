"""Atom mode vs geometry mode: which units the two engines classify differently, and why."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Reconciliation", "reconcile"]


@dataclass(frozen=True)
class Reconciliation:
    a: str
    b: str
    table: pd.DataFrame  # layer, code, name, atoms_class, geometry_class, atoms_partners, geometry_partners ({code: share}), why
    agreement: dict      # per layer: share of units classified alike

    def lines(self) -> list[str]:
        out = [f"{self.a} × {self.b}: atom mode vs geometry mode"]
        for lay, share in self.agreement.items():
            out.append(f"  {lay}: {100 * share:.1f}% of units classified alike")
        diff = self.table
        if len(diff):
            out.append(f"{len(diff)} unit(s) differ:")
            for r in diff.itertuples():
                out.append(f"  {r.name} ({r.code}, {r.layer}): atoms {r.atoms_class} / geometry {r.geometry_class}: {r.why}")
        return out


def _shares(partners: pd.DataFrame) -> dict:
    """(side, code) → {partner code: share} from a Scores.partners long table."""
    out: dict = {}
    for lay, code, pc, share in partners[["side", "code", "partner_code", "share"]].itertuples(index=False):
        out.setdefault((lay, code), {})[pc] = share
    return out


def _why(ap: dict, gp: dict) -> str:
    only_g = sorted(set(gp) - set(ap))
    only_a = sorted(set(ap) - set(gp))
    parts = []
    if only_g:
        parts.append("geometry finds partner(s) " + ", ".join(f"{c} ({100 * float(gp[c]):.1f}%)" for c in only_g) + " that the lookup does not: generalised boundaries disagree")
    if only_a:
        parts.append("the lookup places part in " + ", ".join(f"{c} ({100 * float(ap[c]):.1f}%)" for c in only_a) + " which geometry drops as a sliver or misses")
    return "; ".join(parts) or "same partners, a partner's class differs"


def reconcile(a, b, *, by: str = "population", min_share: float | None = None, workers: int = 1) -> Reconciliation:
    """Compare the classes of both engines for two layers that both modes can handle."""
    from .layer import load_layer
    from .overlap import overlap
    from .scoring import score

    from .atoms import common_base
    from .errors import OverlapError

    a, b = load_layer(a), load_layer(b)
    if common_base(a, b) is None:
        def what(lay):
            return f"built from {lay.atom_base}" if lay.atom_base else "geometry only"

        raise OverlapError(f"reconcile compares atom mode with geometry mode, so both layers must be built from the same "
                           f"building blocks; {a.id} is {what(a)} and {b.id} is {what(b)}; score them with "
                           f"`coterm compare {a.id} {b.id} --mode geometry` instead")
    s_atoms = score(overlap(a, b, mode="atoms", by=by, min_share=0.0 if min_share is None else min_share))
    s_geom = score(overlap(a, b, mode="geometry", by=by, min_share=min_share, workers=workers))
    sa, sg = s_atoms.units, s_geom.units
    m = sa.merge(sg, on=["side", "code"], suffixes=("_atoms", "_geometry"))
    agreement = {}
    for side, lid in (("a", a.id), ("b", b.id)):
        s = m[m["side"] == side]
        agreement[lid] = float((s["class_atoms"] == s["class_geometry"]).mean()) if len(s) else 1.0
    d = m[m["class_atoms"] != m["class_geometry"]].copy()
    pa, pg = _shares(s_atoms.partners), _shares(s_geom.partners)
    keys = list(zip(d["side"], d["code"]))
    out = pd.DataFrame({
        "layer": d["side"].map({"a": a.id, "b": b.id}), "code": d["code"], "name": d["name_atoms"],
        "atoms_class": d["class_atoms"], "geometry_class": d["class_geometry"],
        "atoms_partners": [pa.get(k, {}) for k in keys], "geometry_partners": [pg.get(k, {}) for k in keys],
    })
    out["why"] = [_why(x, y) for x, y in zip(out["atoms_partners"], out["geometry_partners"])] if len(out) else []
    return Reconciliation(a.id, b.id, out.reset_index(drop=True), agreement)
