"""Police basic command units as groups of May 2024 districts (facts/police_bcus_2024.csv).

No public BCU boundary file exists. A BCU that splits a district cannot be drawn from districts,
so the BCUs sharing a split district are merged into one unit (named after its members, flagged
``merged``): the layer then claims only what the district groupings support, exactly.
"""

from __future__ import annotations

import pandas as pd

from . import facts as S
from .derive import Ctx, Resolved, _facts, _pop21, _sorted_pairs
from .steps import log, read_lookup


def _rows(ctx: Ctx, latest: bool) -> pd.DataFrame:
    b = _facts(ctx, "facts/police_bcus_2024.csv")
    bad = S.BCU_SUPERSEDED if latest else S.BCU_NOT_IN_2024
    drop = b["period"].map(lambda p: p.startswith(bad))
    return b[~drop].reset_index(drop=True)


def _merge_groups(rows: pd.DataFrame, district_names: dict[str, str]) -> dict[str, str]:
    """bcu_id -> group id: BCUs of one force that list the same district, or whose confidence says
    they split a district another BCU lists, fall into one group (union-find, deterministic)."""
    parent = {b: b for b in rows["bcu_id"]}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x, y):
        rx, ry = sorted((find(x), find(y)))
        parent[ry] = rx

    for _force, sub in rows.groupby("force", sort=True):
        by_district: dict[str, list[str]] = {}
        for r in sub.itertuples():
            by_district.setdefault(r.member_ltla_code, []).append(r.bcu_id)
            conf = r.confidence
            if "splits " in conf:
                split_name = conf.split("splits ", 1)[1]
                for code, name in district_names.items():
                    if split_name.startswith(name) and code in set(sub["member_ltla_code"]):
                        by_district.setdefault(code, []).append(r.bcu_id)
        for ids in by_district.values():
            for other in ids[1:]:
                union(ids[0], other)
    return {b: find(b) for b in parent}


def _bcu(ctx: Ctx, latest: bool) -> Resolved:
    rows = _rows(ctx, latest)
    lad_names = ctx.built["ltla-2024"].set_index("code")["name"].to_dict()
    unknown = sorted(set(rows["member_ltla_code"]) - set(lad_names))
    if unknown:
        raise RuntimeError(f"police_bcus_2024.csv: districts not in ltla-2024: {unknown}")
    group = _merge_groups(rows, lad_names)
    rows["group"] = rows["bcu_id"].map(group)
    units = []
    for gid, sub in rows.groupby("group", sort=True):
        ids = sorted(sub["bcu_id"].unique())
        labels = sub.drop_duplicates("bcu_id").sort_values("bcu_id")["bcu_label"].tolist()
        merged = len(ids) > 1
        districts = sorted(sub["member_ltla_code"].unique())
        code = "+".join(ids)
        name = labels[0] if not merged else (
            " + ".join(labels) + f" (merged, as they cut a district; covers {', '.join(lad_names[d] for d in districts)})")
        units.append({"code": code, "name": name, "force": sub["force"].iloc[0], "pfa_code": sub["pfa_code"].iloc[0],
                      "bcu_ids": " ".join(ids), "merged": merged, "districts": " ".join(districts),
                      "period": "; ".join(sorted(sub["period"].unique())),
                      "confidence": "; ".join(sorted(sub["confidence"].unique()))})
        rows.loc[rows["group"] == gid, "unit"] = code
    units = pd.DataFrame(units).sort_values("code").reset_index(drop=True)
    pairs = rows[["member_ltla_code", "unit"]].drop_duplicates()
    dup = pairs[pairs["member_ltla_code"].duplicated(keep=False)]
    if len(dup):
        raise RuntimeError(f"bcu: districts in two units: {dup.to_dict('records')}")
    col = "bcu_code" if latest else "bcu24_code"
    pairs.columns = ["ltla24_code", col]

    # coverage, per force, against the December 2024 police force areas
    pfa = read_lookup(ctx.source, "lookup_ltla24_csp24_pfa24")[["ltla24_code", "pfa24_code", "pfa24_name"]].drop_duplicates()
    assigned = set(pairs["ltla24_code"])
    covered, partial = [], []
    for force, sub in rows.groupby("force", sort=True):
        districts = set(pfa.loc[pfa["pfa24_code"] == sub["pfa_code"].iloc[0], "ltla24_code"])
        missing = sorted(districts - assigned)
        if missing:
            if force not in S.BCU_PARTIAL_FORCES:
                raise RuntimeError(f"bcu: {force} lacks districts {missing} but is not a documented partial force")
            partial.append(f"{force} ({len(districts) - len(missing)} of {len(districts)} districts)")
        else:
            covered.append(force)
    absent = sorted(set(pfa["pfa24_name"]) - {n for n in pfa.loc[pfa.pfa24_code.isin(rows.pfa_code), "pfa24_name"]})
    lad = ctx.memberships["ltla-2024"]
    pop = _pop21(ctx)
    share = pop.reindex(lad[lad.isin(assigned)].index).sum() / pop.sum()
    n_bcu = rows["bcu_id"].nunique()
    n_merged = int(units["merged"].sum())
    note = (
        f"{n_bcu} BCUs {'of the latest structure' if latest else 'in force during 2024'} (facts/police_bcus_2024.csv: force "
        f"pages, PCC plans, FOI replies; one source per row), as {len(units)} units of whole May 2024 districts: "
        f"{n_merged} units merge the BCUs that split a district ({'; '.join(units.loc[units.merged, 'name'])}). "
        f"Covered: {len(covered)} forces ({', '.join(covered)}); partial: {', '.join(partial)}; missing (no data, "
        f"outside the layer, never split): {len(absent)} forces ({', '.join(absent)}). Population covered: {share:.1%} "
        "of England and Wales (Census 2021). Per-unit force, member BCUs, period and confidence are in the units file."
    )
    log(f"bcu ({'latest' if latest else '2024'}): {len(units)} units; {note[:200]}")
    return Resolved(_sorted_pairs(pairs, "ltla24_code", col), units.set_index("code")["name"], note,
                    [], units)


def bcu2024(ctx: Ctx) -> Resolved:
    return _bcu(ctx, latest=False)


def bcu_latest(ctx: Ctx) -> Resolved:
    return _bcu(ctx, latest=True)
