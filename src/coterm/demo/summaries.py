"""Sentences the demo's index computes from the data: police command units against councils, and the
residual of a back-test (the building blocks that did not follow whole units).

Nothing here is hard-coded: each figure is counted from a score or a membership, so a rebuilt catalogue
changes the sentence with it.
"""

from __future__ import annotations

import pandas as pd

from ..maps.html import fmt_int

__all__ = ["BACKTESTS", "bcu_summary", "bcu_sentence", "backtest_residual", "backtest_sentence"]

# scenario id → (the layer its "after" state must reproduce, what the merged units are called, the districts of
# the same building blocks that place the residual): a back-test of mergers that really happened
BACKTESTS = {"ccg-mergers-2021": ("sicbl-2022", "CCGs", "ltla-2021")}


def bcu_summary(scores) -> dict:
    """Counts for councils (layer a) × police command units (layer b) from a :class:`~coterm.scoring.Scores`.

    A BCU is *coterminous* with one council, *groups whole councils* (``contains``), or *cuts a council*
    (``nested`` in one, i.e. a part of it, or ``split``). Councils in forces without BCU data are
    ``outside`` the layer: not covered, never counted as split.
    """
    d = scores.to_dict()
    a, b = d["a_to_b"], d["b_to_a"]
    return {"bcus": int(b["units"]), "coterminous": int(b["coterminous"]), "groups": int(b["contains"]),
            "cuts": int(b["nested"]) + int(b["split"]), "councils": int(a["units"]), "councils_outside": int(a["outside"]),
            "councils_split": int(a["split"]), "bcu_title": d["b_title"], "council_title": d["a_title"]}


def _n(k: int, one: str, many: str) -> str:
    return f"{fmt_int(k)} {one if k == 1 else many}"


def bcu_sentence(s: dict) -> str:
    """One plain-English sentence from :func:`bcu_summary`."""
    cuts = "none cuts a council" if s["cuts"] == 0 else f"{_n(s['cuts'], 'cuts', 'cut')} a council"
    return (f"{s['bcu_title']}: of {_n(s['bcus'], 'unit', 'units')}, {fmt_int(s['coterminous'])} "
            f"{'is' if s['coterminous'] == 1 else 'are'} coterminous with one council, {fmt_int(s['groups'])} "
            f"{'groups' if s['groups'] == 1 else 'group'} whole councils and {cuts}. "
            f"{_n(s['councils_outside'], 'council is', 'councils are')} in forces without BCU data: shown as outside "
            f"the layer, not as split.")


def backtest_residual(after, target) -> pd.DataFrame:
    """The building blocks whose unit after a back-test scenario is not the target layer's unit.

    Each unit of ``after`` is matched to the ``target`` unit holding most of its blocks' people
    (ties: most blocks, then code); a block is residual when its target unit is not its match.
    Returns one row per residual block: ``block, after_code, after_name, target_code, target_name,
    matched_code, population`` (sorted by block).
    """
    from ..atoms import atom_table

    pop = atom_table(after.atom_base)["population"]
    both = pd.concat([after.membership.rename("after"), target.membership.rename("target")], axis=1, join="inner")
    both["population"] = pop.reindex(both.index).fillna(0).to_numpy()
    t = both.groupby(["after", "target"]).agg(people=("population", "sum"), blocks=("population", "size")).reset_index()
    t = t.sort_values(["after", "people", "blocks", "target"], ascending=[True, False, False, True])
    match = t.drop_duplicates("after").set_index("after")["target"]
    both["matched"] = both["after"].map(match)
    r = both[both["matched"] != both["target"]].sort_index()
    return pd.DataFrame({
        "block": r.index.astype(str), "after_code": r["after"].to_numpy(),
        "after_name": r["after"].map(after.names).to_numpy(), "target_code": r["target"].to_numpy(),
        "target_name": r["target"].map(target.names).to_numpy(), "matched_code": r["matched"].to_numpy(),
        "population": r["population"].astype("int64").to_numpy(),
    })


def backtest_sentence(residual: pd.DataFrame, *, blocks: int, noun: str, target_title: str, by_place: dict,
                      population_source: str = "") -> str:
    """"122 of 32,844 LSOAs (… people) did not follow whole CCGs …" from :func:`backtest_residual`.

    ``by_place`` maps a place name (e.g. the district) to its residual blocks, largest first.
    """
    if residual.empty:
        return (f"Residual: none. Every one of the {fmt_int(blocks)} LSOAs followed its whole {noun.rstrip('s')}: "
                f"the result is exactly the {target_title}.")
    people = int(residual["population"].sum())
    src = f", {population_source}" if population_source else ""
    places = "; ".join(f"{k} {fmt_int(v)}" for k, v in by_place.items())
    return (f"Residual: {fmt_int(len(residual))} of {fmt_int(blocks)} LSOAs ({fmt_int(people)} people{src}) did not "
            f"follow whole {noun} into the {target_title} (by district: {places}); every other LSOA did.")
