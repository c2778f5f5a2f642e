"""Can a mayor take police and fire? Police force areas and fire authorities against strategic authorities.

Police and crime commissioners are abolished in 2028 and mayors take policing "wherever geographies allow":
a police (or fire) area can pass to a mayor when it is **coterminous with one strategic authority with a mayor
in force** at the date. Both are unions of districts, so the test is on district sets (``ltla-2024``):

* each district is assigned to the police (fire) area holding most of its people (:func:`coterm.overlap`);
* strategic authorities come from the shipped ``strategic-authorities-2028`` scenario (groups of 2024 districts),
  each with the date it is in force with a mayor (``from:`` in its note) and its kind (mayoral / non-mayoral /
  proposed); those with ``from`` on or before the date are in force;
* a body is *coterminous* with an authority (same districts), *nested* in one (the authority also holds other
  councils), *contains* one (plus councils outside it), *straddles* several, or has *none* in force.

When it is not coterminous, the councils standing in the way are those in the body but not in the authority that
shares most people with it, and those in that authority but not in the body: e.g. "Cheshire police area =
Cheshire and Warrington Combined Authority + Halton; Halton is in Liverpool City Region".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from .errors import DecisionError

__all__ = ["MayoralResult", "mayoral", "strategic_authorities", "SA_SCENARIO"]

SA_SCENARIO = "strategic-authorities-2028"
_FROM = re.compile(r"from:\s*(\d{4}-\d{2}-\d{2}|none)\s*;\s*kind:\s*([a-z-]+)")


@dataclass(frozen=True, eq=False)
class MayoralResult:
    """Result of :func:`mayoral`. ``table``: one row per police area and fire authority (body_type, layer, code,
    name, population, relation, authority, authority_code, authority_kind, authority_from, can_pass_to_mayor,
    in_the_way, in_the_way_population, explanation). ``authorities``: the strategic authorities and whether
    each is in force at the date."""

    date: str
    layers: dict
    table: pd.DataFrame
    authorities: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"date": self.date, "layers": self.layers, "notes": list(self.notes),
                "rule": "a police or fire area can pass to a mayor when it has the same districts as one strategic authority "
                        "with a mayor in force at the date",
                "bodies": self.table.to_dict(orient="records"), "authorities": self.authorities.to_dict(orient="records")}


def parse_date(text) -> dt.date:
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise DecisionError(f"--date {text!r}: not a date; give it as YYYY-MM-DD, e.g. --date 2028-06-01") from None


def strategic_authorities(scenario=SA_SCENARIO) -> tuple[pd.DataFrame, pd.Series, str]:
    """(authorities: code, name, from, kind; membership: district code → authority code (a district may be in one
    authority at a time); the district layer id) from a shipped group scenario of strategic authorities."""
    from ..scenarios import load_scenario

    sc = load_scenario(scenario)
    if not sc.is_group:
        raise DecisionError(f"{sc.file}: the strategic authorities must be a [[group]] file defining a layer of authorities")
    rows, members = [], []
    for m in sc.merges:
        hit = _FROM.search(m.note or "")
        if hit is None:
            raise DecisionError(f"{sc.where(m.line)}: group {m.into!r} has no 'from: YYYY-MM-DD; kind: mayoral|non-mayoral|proposed' "
                                f"at the start of its note")
        start = None if hit.group(1) == "none" else dt.date.fromisoformat(hit.group(1))
        rows.append({"code": m.code, "name": m.into, "from": start.isoformat() if start else None, "kind": hit.group(2)})
        members += [(c, m.code) for c in m.members]
    auth = pd.DataFrame(rows)
    mem = pd.DataFrame(members, columns=["district", "authority"])
    return auth, mem, sc.layer


def _assign(districts, layer, *, mode) -> tuple[pd.Series, pd.Series, list[str]]:
    """district → the unit of ``layer`` holding most of its people; unit names; notes on districts split between units."""
    from ..overlap import overlap

    ov = overlap(districts, layer, mode=mode, by="population")
    t = ov.table.sort_values(["a_code", "share_of_a", "b_code"], ascending=[True, False, True]).drop_duplicates("a_code")
    notes = []
    part = t[t["share_of_a"] < 0.99]
    if len(part):
        notes.append(f"{len(part)} district(s) lie partly outside their main {layer.id} unit and are counted wholly in it "
                     f"(e.g. {', '.join(part['a_code'].head(3))}); mode {ov.mode}")
    return t.set_index("a_code")["b_code"], ov.units_b["name"], notes


def _default(ids, kind):
    from ..catalog import catalog

    have = {e.id for e in catalog().entries}
    for x in ids:
        if x in have:
            return x
    raise DecisionError(f"no {kind} layer in the catalogue (looked for {', '.join(ids)}); give one with --{kind} LAYER")


def mayoral(date="2028-06-01", *, police=None, fire=None, authorities=SA_SCENARIO, mode: str = "auto") -> MayoralResult:
    """For each police force area and fire authority: can it pass to a mayor at ``date``?

    Parameters
    ----------
    date : ``YYYY-MM-DD`` (or a date).
    police, fire : layer ids (default: ``pfa-2024``/``fra-2024`` when the catalogue has them, else the newest).
    authorities : the group scenario of strategic authorities (default: the shipped one).
    mode : overlap mode between the districts and the police/fire layers.
    """
    from ..layer import load_layer

    day = parse_date(date)
    auth, mem, district_id = strategic_authorities(authorities)
    districts = load_layer(district_id)
    pop = districts_population(districts)
    dnames = districts.names
    auth["in_force"] = [isinstance(f, str) and dt.date.fromisoformat(f) <= day for f in auth["from"]]
    live = auth[auth["in_force"]].set_index("code")
    mem_live = mem[mem["authority"].isin(live.index)]
    sa_of = mem_live.drop_duplicates("district").set_index("district")["authority"]
    layers = {"districts": district_id, "authorities": str(authorities)}
    rows, notes = [], []
    for body_type, lay_id in (("police", police or _default(("pfa-2024", "pfa-2020"), "police")),
                              ("fire", fire or _default(("fra-2024", "fra-2021"), "fire"))):
        lay = load_layer(lay_id)
        layers[body_type] = lay.id
        unit_of, names, n = _assign(districts, lay, mode=mode)
        notes += n
        for code, ds in unit_of.groupby(unit_of, sort=True):
            rows.append(_judge(body_type, lay.id, code, str(names.get(code, code)), set(ds.index), live, mem_live, sa_of, pop,
                               dnames, day))
    table = pd.DataFrame(rows)
    table = table[~table["code"].str.startswith("W")].reset_index(drop=True)  # Wales has no strategic authorities
    return MayoralResult(date=day.isoformat(), layers=layers, table=table, authorities=auth, notes=tuple(dict.fromkeys(notes)))


def districts_population(districts) -> pd.Series:
    from ..atoms import atom_table

    if districts.membership is None:
        return pd.Series(dtype=float)
    popu = atom_table(districts.atom_base)["population"]
    return popu.reindex(districts.membership.index).fillna(0.0).groupby(districts.membership.to_numpy()).sum()


def _names(codes, dnames, limit: int = 8) -> list[str]:
    """Sorted district names; beyond ``limit``, the rest as "N others"."""
    out = sorted(str(dnames.get(c, c)) for c in codes)
    return out if len(out) <= limit else out[:limit] + [f"{len(out) - limit} others"]


def _judge(body_type, layer_id, code, name, ds: set, live, mem_live, sa_of, pop, dnames, day) -> dict:
    label = f"{name} {'police area' if body_type == 'police' else 'fire authority'}"
    people = float(pop.reindex(list(ds)).sum())
    base = {"body_type": body_type, "layer": layer_id, "code": code, "name": name, "population": people}
    over = sa_of.reindex(list(ds)).dropna()
    if over.empty:
        return {**base, "relation": "none", "authority": None, "authority_code": None, "authority_kind": None, "authority_from": None,
                "can_pass_to_mayor": False, "in_the_way": "", "in_the_way_population": people,
                "explanation": f"{label}: no strategic authority in force here on {day.isoformat()}"}
    share = over.groupby(over).apply(lambda s: float(pop.reindex(s.index).sum())).sort_values(ascending=False, kind="stable")
    best = share.index[0]
    a = live.loc[best]
    sa_ds = set(mem_live.loc[mem_live["authority"] == best, "district"])
    outside = ds - sa_ds          # in the body, not in the authority
    extra = sa_ds - ds            # in the authority, not in the body
    if not outside and not extra:
        relation = "coterminous"
    elif not outside:
        relation = "nested"
    elif not extra:
        relation = "contains" if len(over.unique()) == 1 else "straddles"
    else:
        relation = "straddles"
    mayor = a["kind"] == "mayoral"
    can = relation == "coterminous" and mayor
    way = sorted(outside | extra, key=lambda c: str(dnames.get(c, c)))
    if relation == "coterminous":
        text = f"{label} = {a['name']}" + ("" if mayor else f" (a {a['kind']} authority: no mayor to take it)")
    elif relation == "nested":
        text = f"{label} is nested in {a['name']}, which also holds {', '.join(_names(extra, dnames))}"
    else:
        parts = [f"{label} = {a['name']}" + (f" − {', '.join(_names(extra, dnames))}" if extra else "") + f" + {', '.join(_names(outside, dnames))}"]
        for c in sorted(outside, key=lambda c: str(dnames.get(c, c))):
            other = sa_of.get(c)
            where = f"is in {live.loc[other, 'name']}" if other is not None and other in live.index else "is in no strategic authority in force"
            parts.append(f"{dnames.get(c, c)} {where}")
        text = "; ".join(parts)
    return {**base, "relation": relation, "authority": a["name"], "authority_code": best, "authority_kind": a["kind"],
            "authority_from": a["from"], "can_pass_to_mayor": bool(can), "in_the_way": "; ".join(str(dnames.get(c, c)) for c in way),
            "in_the_way_population": float(pop.reindex(way).sum()) if way else 0.0, "explanation": text}


def write_mayoral(result: MayoralResult, out_dir) -> list:
    """``mayoral.csv``, ``mayoral.json`` and ``mayoral.html`` in ``out_dir`` (atomic)."""
    from .outputs import ATTRIBUTION, write_outputs
    from .page import render_page

    d = result.to_dict()
    html = render_page("mayoral.html.j2", title=f"Mayoral policing and fire on {result.date}", date=result.date, layers=result.layers,
                       rule=d["rule"], bodies=d["bodies"], notes=list(result.notes), attribution=ATTRIBUTION, data=d)
    return write_outputs(out_dir, {"mayoral.csv": result.table, "mayoral.json": d, "mayoral.html": html})
