"""Before/after: what a scenario does to coterminosity with each partner layer.

For every partner layer the scenario's layer is scored before and after the scenario (both
directions, every index) and every unit whose class changed is listed, e.g.
``Southend-on-Sea (county/unitary): split → nested in NHS Essex ICB``.

Examples
--------
>>> import coterm
>>> r = coterm.compare_scenario("icb-mergers-2026", against=["ltla-2021"])
>>> r.before_after.query("index == 'alignment_rate.count' and direction == 'b_to_a'")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import ScenarioError, UnknownLayerError
from .apply import before_layer, merge_mapping, scenario_layer
from .find import base_layer, default_partners, load_scenario
from .validate import _validate, checking_once

__all__ = ["compare_scenario", "ScenarioResult", "Comparison", "flatten_indices", "KIND_LABELS"]

KIND_LABELS = {
    "ltla": "district", "utla": "county/unitary", "icb": "ICB", "sicbl": "sub-ICB location", "ccg": "CCG",
    "stp": "STP", "sha": "SHA", "pfa": "police force area", "csp": "community safety partnership",
    "fra": "fire and rescue authority", "lrf": "local resilience forum", "lhb": "local health board", "bcu": "BCU",
    "pct-cluster": "PCT cluster", "pilot": "pilot area", "lsoa": "LSOA", "msoa": "MSOA", "ward": "ward",
}


class Comparison(NamedTuple):
    """One side (before or after) of one partner: the overlap table and its scores."""

    overlap: object
    scores: object


@dataclass(eq=False)
class ScenarioResult:
    """The result of :func:`compare_scenario`.

    Attributes
    ----------
    scenario : the Scenario.
    layer : the layer before (for a [[group]] file: the grouped units); ``after_layer`` after.
    against : partner layer ids, in order.
    before, after : ``{partner id: Comparison(overlap, scores)}`` (for maps and details).
    before_after : one row per partner, direction and index: partner, direction (``a_to_b`` =
        the scenario's layer → partner, ``b_to_a``, ``symmetric``), index, before, after, change.
    changed_units : every unit whose class changed: partner, layer (its layer id), side ("a" = the
        scenario's layer, "b" = the partner), code, name, before_class, after_class, after_code,
        after_name, description.
    notes : notes from checking the scenario.
    old_to_new : each unit code of ``layer`` → the code of the ``after_layer`` unit holding most of
        it (NaN for a unit that is no longer a unit): the scenario's own mapping, so a map never
        has to guess it. ``after_layer`` carries the dissolved after-geometry (``geometry=True``).
    """

    scenario: object
    layer: object
    after_layer: object
    against: tuple[str, ...]
    by: str
    before: dict
    after: dict
    before_after: pd.DataFrame
    changed_units: pd.DataFrame
    notes: list = field(default_factory=list)
    old_to_new: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    def __repr__(self) -> str:  # short summaries for terminals and notebooks: coterm.notebook
        from .. import notebook

        return notebook.scenario_repr(self)

    def _repr_html_(self) -> str:
        from .. import notebook

        return notebook.scenario_html(self)

    def to_dict(self) -> dict:
        """JSON summary: scenario (header), layer, result_layer, against, by, notes, and per partner
        ``partners[id] = {"before": Scores.to_dict(), "after": Scores.to_dict(), "changed_units": n}``."""
        counts = self.changed_units.groupby("partner").size() if len(self.changed_units) else pd.Series(dtype=int)
        return {
            "scenario": self.scenario.header(),
            "layer": self.scenario.layer,
            "result_layer": self.after_layer.id,
            "against": list(self.against),
            "by": self.by,
            "notes": list(self.notes),
            "partners": {
                p: {"before": self.before[p].scores.to_dict(), "after": self.after[p].scores.to_dict(),
                    "changed_units": int(counts.get(p, 0))}
                for p in self.against
            },
        }

    def headline(self, partner: str, index: str = "alignment_rate", by: str = "count") -> dict:
        """``{"a_to_b": (before, after), "b_to_a": (before, after)}`` of one index for one partner."""
        out = {}
        for d in ("a_to_b", "b_to_a"):
            b = self.before[partner].scores.indices[d][index]
            a = self.after[partner].scores.indices[d][index]
            out[d] = (b[by], a[by]) if isinstance(b, dict) else (b, a)
        return out


def flatten_indices(indices: dict) -> pd.DataFrame:
    """Scores.indices → rows (direction, index, value); nested rates become ``alignment_rate.count`` etc."""
    rows = []
    for direction in ("a_to_b", "b_to_a", "symmetric"):
        for key, val in indices.get(direction, {}).items():
            if isinstance(val, dict):
                for k2, v2 in val.items():
                    rows.append((direction, f"{key}.{k2}", v2))
            else:
                rows.append((direction, key, val))
    return pd.DataFrame(rows, columns=["direction", "index", "value"])


def _kind_label(layer) -> str:
    return KIND_LABELS.get(getattr(layer, "kind", ""), getattr(layer, "kind", "") or layer.id)


def _plural(label: str) -> str:
    if label.endswith("y") and not label.endswith(("ey", "ay")):
        return label[:-1] + "ies"
    if label == "county/unitary":
        return "counties/unitaries"
    return label + "s"


def _phrase(row, other_kind: str) -> str:
    cls = row["class"]
    dom = row.get("dominant_name")
    if cls == "coterminous":
        return f"coterminous with {dom}"
    if cls == "nested":
        return f"nested in {dom}"
    if cls == "contains":
        return f"contains {int(row['n_partners'])} {_plural(other_kind)}"
    if cls in ("split", "minor split"):
        share = row.get("dominant_share")
        pct = f"{share:.0%} in {dom}" if share is not None and not pd.isna(share) else ""
        return f"{cls} between {int(row['n_partners'])} {_plural(other_kind)} ({pct})" if pct else cls
    return str(cls)


def _old_to_new(scenario, before_layer, after_layer) -> pd.Series:
    """Each unit of the before layer → the after unit holding most of it."""
    mapping, _ = merge_mapping(scenario)
    codes = pd.Index(before_layer.codes)
    if scenario.transfers and not scenario.is_group and before_layer.membership is not None and after_layer.membership is not None:
        both = pd.concat([before_layer.membership.rename("old"), after_layer.membership.rename("new")], axis=1, join="inner")
        dom = both.groupby(["old", "new"]).size().rename("n").reset_index().sort_values(["old", "n"], ascending=[True, False])
        dom = dom.drop_duplicates("old").set_index("old")["new"]
        return dom.reindex(codes)
    s = pd.Series(codes, index=codes, dtype=object)
    out = s.map(mapping).astype(object)
    return out if scenario.drops_ungrouped else out.fillna(s)


def _changed(partner_id: str, scenario, before: Comparison, after: Comparison, old_to_new: pd.Series) -> pd.DataFrame:
    ub, ua = before.scores.units, after.scores.units
    lay_before = before.overlap.a
    partner = before.overlap.b
    kind_a, kind_p = _kind_label(lay_before), _kind_label(partner)
    rows = []
    # partner units: same codes before and after
    pb = ub[ub["side"] == "b"].set_index("code")
    pa = ua[ua["side"] == "b"].set_index("code")
    common = pb.index.intersection(pa.index)
    diff = common[(pb.loc[common, "class"] != pa.loc[common, "class"]).to_numpy()]
    for code in diff:
        b, a = pb.loc[code], pa.loc[code]
        rows.append({"partner": partner_id, "layer": partner.id, "side": "b", "code": code, "name": b["name"], "before_class": b["class"],
                     "after_class": a["class"], "after_code": code, "after_name": a["name"],
                     "description": f"{b['name']} ({kind_p}): {b['class']} → {_phrase(a, kind_a)}"})
    # the scenario's units: old code → the unit it became
    sb = ub[ub["side"] == "a"].set_index("code")
    sa = ua[ua["side"] == "a"].set_index("code")
    new = old_to_new.reindex(sb.index)
    has = new.notna() & new.isin(sa.index)
    after_cls = pd.Series(index=sb.index, dtype=object)
    after_cls[has] = sa.loc[new[has].to_numpy(), "class"].to_numpy()
    changed = sb.index[(after_cls != sb["class"]).to_numpy() & has.to_numpy()]
    after_codes = set(sa.index)
    merged_into = merge_mapping(scenario)[0].to_dict()
    gone = sb.index[~has.to_numpy()]
    for code in changed:
        b = sb.loc[code]
        nc = new[code]
        a = sa.loc[nc]
        if nc == code:
            as_ = ""
        elif code in after_codes:
            as_ = f" (now part of {a['name']})"
        elif merged_into.get(code) == nc:
            as_ = f" (as {a['name']})"
        else:
            as_ = f" (divided; largest part now in {a['name']})"
        rows.append({"partner": partner_id, "layer": lay_before.id, "side": "a", "code": code, "name": b["name"], "before_class": b["class"],
                     "after_class": a["class"], "after_code": nc, "after_name": a["name"],
                     "description": f"{b['name']} ({kind_a}): {b['class']} → {_phrase(a, kind_p)}{as_}"})
    for code in gone:
        b = sb.loc[code]
        rows.append({"partner": partner_id, "layer": lay_before.id, "side": "a", "code": code, "name": b["name"], "before_class": b["class"],
                     "after_class": None, "after_code": None, "after_name": None,
                     "description": f"{b['name']} ({kind_a}): {b['class']} → no longer a unit"})
    cols = ["partner", "layer", "side", "code", "name", "before_class", "after_class", "after_code", "after_name", "description"]
    return pd.DataFrame(rows, columns=cols)


def compare_scenario(scenario, against=(), *, by: str = "population", layer=None, mode: str = "auto",
                     min_share: float | None = None, geometry: bool = True, workers: int = 1, progress=None) -> ScenarioResult:
    """Score the scenario's layer before and after the scenario against partner layers.

    Parameters
    ----------
    scenario : Scenario, path, or shipped scenario id.
    against : partner layer ids (or Layers). Empty: the scenario's own ``against`` list, else
        :func:`coterm.scenarios.default_partners` (other families' layers at the nearest vintage).
    by : ``"population"`` or ``"area"``: the weight of the overlap measure.
    layer : the layer the scenario changes, if already loaded.
    mode, min_share, workers, progress : as :func:`coterm.overlap`.
    geometry : dissolve the after layer's polygons (for maps, and needed for geometry-mode partners).

    Returns
    -------
    ScenarioResult

    Notes
    -----
    Whole-unit merges are applied to the before overlap table with :meth:`coterm.Overlap.regroup`
    (a group-by; measures are conserved, so :math:`\\sum m` before = after). Transfers change the
    atom membership and the overlap is recomputed (exact in atom mode).
    """
    with checking_once():  # the scenario is checked once for all of its steps
        return _compare_scenario(scenario, against, by=by, layer=layer, mode=mode, min_share=min_share,
                                 geometry=geometry, workers=workers, progress=progress)


def _compare_scenario(scenario, against=(), *, by: str = "population", layer=None, mode: str = "auto",
                      min_share: float | None = None, geometry: bool = True, workers: int = 1, progress=None) -> ScenarioResult:
    from ..layer import load_layer
    from ..overlap import overlap
    from ..scoring import score

    if by not in ("population", "area"):
        raise ScenarioError(f"by must be 'population' or 'area', not {by!r}")
    sc = load_scenario(scenario)
    base = base_layer(sc, layer)
    notes, _ = _validate(sc, base)
    if getattr(base, "fit", None) is not None and base.fit.lookup_file:  # a `coterm fit` folder as the scenario's layer
        notes = [*notes, f"layer: fitted lookup from {base.fit.lookup_file} ({base.fit.layer} on {base.fit.base}); compared exactly"]
    if isinstance(against, (str, bytes)):
        against = [against]
    against = list(against) or list(sc.against)
    if not against:
        try:
            against = default_partners(base.id if base.entry is not None else sc.layer)
        except UnknownLayerError:
            raise ScenarioError(f"{sc.file}: the scenario changes {base.id}, which is not a catalogue layer, so coterm cannot "
                                "choose partner layers; name them (CLI: --against ID[,ID...]; Python: against=[...])") from None
    before_lay = before_layer(sc, base, geometry=geometry)
    after_lay = scenario_layer(base, sc, geometry=geometry, check=False)
    mapping, names = merge_mapping(sc)
    recompute = bool(sc.transfers) and not sc.is_group
    o2n = _old_to_new(sc, before_lay, after_lay)
    before, after, tables, changed = {}, {}, [], []
    ids = []
    for p in against:
        partner = load_layer(p)
        pid = partner.id
        ids.append(pid)
        opts = dict(by=by, min_share=min_share, workers=workers, progress=progress)
        ov_b = overlap(before_lay, partner, mode=mode, **opts)
        if recompute:
            ov_a = overlap(after_lay, partner, mode=ov_b.mode if mode == "auto" else mode, **opts)
        else:
            ov_a = ov_b.regroup("a", mapping, names, layer=after_lay)
        sb, sa = score(ov_b), score(ov_a)
        before[pid], after[pid] = Comparison(ov_b, sb), Comparison(ov_a, sa)
        fb, fa = flatten_indices(sb.indices), flatten_indices(sa.indices)
        t = fb.rename(columns={"value": "before"}).merge(fa.rename(columns={"value": "after"}), on=["direction", "index"], how="outer",
                                                         sort=False)
        num_b = pd.to_numeric(t["before"], errors="coerce")
        num_a = pd.to_numeric(t["after"], errors="coerce")
        t["change"] = np.where(num_b.notna() & num_a.notna(), num_a - num_b, np.nan)
        t.insert(0, "partner", pid)
        tables.append(t)
        changed.append(_changed(pid, sc, before[pid], after[pid], o2n))
    before_after = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=["partner", "direction", "index", "before", "after", "change"])
    changed_units = pd.concat(changed, ignore_index=True) if changed else _changed_empty()
    return ScenarioResult(scenario=sc, layer=before_lay, after_layer=after_lay, against=tuple(ids), by=by, before=before,
                          after=after, before_after=before_after, changed_units=changed_units, notes=notes,
                          old_to_new=o2n)


def _changed_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["partner", "layer", "side", "code", "name", "before_class", "after_class", "after_code", "after_name",
                                 "description"])


