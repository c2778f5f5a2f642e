"""Layers whose lookup is derived rather than copied: each resolver returns a :class:`Resolved`.

Every resolver checks what it claims (counts, one unit per key) and says in ``note`` how exact it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely

from . import facts as S
from .steps import log, read_lookup, unit_names


@dataclass
class Ctx:
    source: Path
    bases: dict  # atom base id -> GeoDataFrame
    built: dict  # layer id -> GeoDataFrame
    memberships: dict  # layer id -> Series atom -> unit
    published: dict = field(default_factory=dict)  # published stem -> GeoDataFrame


@dataclass
class Resolved:
    pairs: pd.DataFrame  # [key_column, unit_column], sorted
    names: pd.Series  # unit code -> name
    note: str
    lookups_used: list
    units: pd.DataFrame | None = None  # per-unit attributes (code first), shipped as units/<id>.csv
    derived: str = ""


def _sorted_pairs(df: pd.DataFrame, key: str, unit: str) -> pd.DataFrame:
    df = df[[key, unit]].sort_values([key, unit]).reset_index(drop=True)
    if df[unit].isna().any() or not df[key].is_unique:
        raise RuntimeError(f"{unit}: unresolved or doubly resolved keys")
    return df


def _facts(ctx: Ctx, rel: str) -> pd.DataFrame:
    df = pd.read_csv(ctx.source / rel, dtype=str, keep_default_na=False)
    return df.apply(lambda s: s.str.strip())


# --------------------------------------------------------------------------------------------
# csp-2019 (LSOA 2011): split districts by area overlap with the OA best-fit polygons
# --------------------------------------------------------------------------------------------


def csp2019(ctx: Ctx) -> Resolved:
    """LSOAs of single-CSP districts take their district's CSP; LSOAs of the districts with several
    CSPs go to the candidate whose OA-best-fit polygon (csp19.gpkg) covers most of the LSOA."""
    source, base, csp_oa = ctx.source, ctx.bases["lsoa-2011"], ctx.published["csp19"]
    lsoa_lad = read_lookup(source, "lookup_lsoa11_ltla19")[["lsoa11_code", "ltla19_code"]]
    lad_csp_src = read_lookup(source, "lookup_ltla19_csp19_pfa19")
    lad_csp = lad_csp_src[["ltla19_code", "ltla19_name", "csp19_code", "csp19_name"]].drop_duplicates()
    n_csp = lad_csp.groupby("ltla19_code")["csp19_code"].nunique()
    split_lads = sorted(n_csp[n_csp > 1].index)
    whole = lad_csp[~lad_csp["ltla19_code"].isin(split_lads)][["ltla19_code", "csp19_code"]]
    single = lsoa_lad[~lsoa_lad["ltla19_code"].isin(split_lads)].merge(whole, on="ltla19_code", how="left",
                                                                          validate="many_to_one")
    cand = lsoa_lad[lsoa_lad["ltla19_code"].isin(split_lads)].merge(lad_csp[["ltla19_code", "csp19_code"]],
                                                                    on="ltla19_code")
    lsoa_geom = base.set_index("code").geometry
    csp_geom = csp_oa.set_index("code").geometry
    cand["overlap_m2"] = shapely.area(shapely.intersection(
        lsoa_geom.loc[cand["lsoa11_code"]].values.to_numpy(), csp_geom.loc[cand["csp19_code"]].values.to_numpy()))
    # most area wins; ties (incl. no overlap at all) go to the lowest CSP code, deterministically
    best = cand.sort_values(["lsoa11_code", "overlap_m2", "csp19_code"], ascending=[True, False, True])
    no_overlap = best.groupby("lsoa11_code")["overlap_m2"].max().eq(0).sum()
    best = best.drop_duplicates("lsoa11_code")
    names = lad_csp.drop_duplicates("csp19_code").set_index("csp19_code")["csp19_name"]
    lad_names = lad_csp.drop_duplicates("ltla19_code").set_index("ltla19_code")["ltla19_name"]
    parts = []
    for lad in split_lads:
        sub = best[best["ltla19_code"] == lad]
        counts = sub["csp19_code"].value_counts().sort_index()
        shares = ", ".join(f"{names[c]} {c} {n}" for c, n in counts.items())
        parts.append(f"{lad_names[lad]} {lad} ({len(sub)} LSOAs: {shares})")
    note = (
        "LSOA-level best fit: LSOAs of single-CSP districts take their district's CSP; the districts with "
        f"several CSPs were split by largest area overlap with the OA-best-fit csp19 polygons: {'; '.join(parts)}"
        f" - {len(best)} LSOAs in all" + (f", {no_overlap} of them overlapping no candidate" if no_overlap else "") + "."
    )
    pairs = _sorted_pairs(pd.concat([single, best]), "lsoa11_code", "csp19_code")
    log(f"csp-2019: {note}")
    return Resolved(pairs, unit_names(lad_csp_src, "csp19_code", "csp19_name", "csp-2019"), note,
                    ["lookup_lsoa11_ltla19", "lookup_ltla19_csp19_pfa19"])


# --------------------------------------------------------------------------------------------
# csp-2024 (LSOA 2021): split districts by the former districts the CSPs still follow
# --------------------------------------------------------------------------------------------


def _lsoa21_parents(ctx: Ctx) -> pd.DataFrame:
    """LSOA 2021 -> LSOA 2011 parents with the change code and the share of each parent's mid-2020
    population given to the child (a split parent's people divided evenly among its children)."""
    lk = read_lookup(ctx.source, "lookup_lsoa11_lsoa21_ltla22")[["lsoa11_code", "lsoa21_code", "change_code"]]
    pop = pd.read_csv(ctx.source / "attributes" / "population_lsoa11_mid2019_mid2020.csv", dtype={"lsoa11_code": str})
    pop = pop.set_index("lsoa11_code")["population_mid2020"]
    n_children = lk.groupby("lsoa11_code")["lsoa21_code"].transform("nunique")
    lk["weight"] = pop.reindex(lk["lsoa11_code"]).fillna(0).to_numpy() / n_children.to_numpy()
    return lk


def csp2024(ctx: Ctx) -> Resolved:
    src = read_lookup(ctx.source, "lookup_ltla24_csp24_pfa24")
    lad_csp = src[["ltla24_code", "ltla24_name", "csp24_code", "csp24_name"]].drop_duplicates()
    n_csp = lad_csp.groupby("ltla24_code")["csp24_code"].nunique()
    split = sorted(n_csp[n_csp > 1].index)
    if split != sorted(S.CSP_FORMER_DISTRICTS):
        raise RuntimeError(f"csp-2024: districts with several CSPs are {split}, not the ones in spec")
    lad = ctx.memberships["ltla-2024"].rename("ltla24_code").rename_axis("lsoa21_code").reset_index()
    whole = lad_csp[~lad_csp["ltla24_code"].isin(split)][["ltla24_code", "csp24_code"]]
    single = lad[~lad["ltla24_code"].isin(split)].merge(whole, on="ltla24_code", how="left", validate="many_to_one")
    parents = _lsoa21_parents(ctx)
    resolved, parts = [], []
    n_best = n_best_pop = 0
    pop21 = _pop21(ctx)
    for code in split:
        stem = S.CSP_FORMER_DISTRICTS[code]
        yy = stem[-2:]
        former = read_lookup(ctx.source, stem)[["lsoa11_code", f"ltla{yy}_code", f"ltla{yy}_name"]]
        former.columns = ["lsoa11_code", "former_code", "former_name"]
        cands = lad_csp[lad_csp["ltla24_code"] == code].set_index("csp24_name")["csp24_code"]
        kids = lad[lad["ltla24_code"] == code][["lsoa21_code"]]
        p = kids.merge(parents, on="lsoa21_code", how="left").merge(former, on="lsoa11_code", how="left")
        if p["former_name"].isna().any():
            raise RuntimeError(f"csp-2024: LSOAs of {code} without a former district: {p[p.former_name.isna()].head()}")
        p["csp24_code"] = p["former_name"].map(lambda n: S.CSP_NAME_OF_FORMER.get(n, n)).map(cands)
        if p["csp24_code"].isna().any():
            raise RuntimeError(f"csp-2024: former districts of {code} with no CSP: {sorted(set(p[p.csp24_code.isna()].former_name))}")
        votes = p.groupby(["lsoa21_code", "csp24_code"])["weight"].sum().reset_index()
        ambiguous = votes.groupby("lsoa21_code")["csp24_code"].transform("nunique") > 1
        best = votes.sort_values(["lsoa21_code", "weight", "csp24_code"], ascending=[True, False, True])
        best = best.drop_duplicates("lsoa21_code")
        amb = sorted(set(votes.loc[ambiguous, "lsoa21_code"]))
        n_best += len(amb)
        n_best_pop += int(pop21.reindex(amb).sum())
        resolved.append(best[["lsoa21_code", "csp24_code"]])
        counts = best["csp24_code"].value_counts().sort_index()
        names = lad_csp.drop_duplicates("csp24_code").set_index("csp24_code")["csp24_name"]
        parts.append(f"{lad_csp[lad_csp.ltla24_code == code].ltla24_name.iloc[0]} {code} by the 20{yy} "
                     f"districts ({', '.join(f'{names[c]} {n}' for c, n in counts.items())} LSOAs)")
    note = (
        "Exact for the 289 districts with one CSP (every LSOA takes its district's CSP). Seven districts hold several "
        "CSPs, which still follow the districts abolished in 2019-2023; each of their LSOAs (2021) takes the CSP of "
        "its former district, found through its LSOA 2011 parents in the ONS LSOA 2011->2021 lookup and the LSOA->LAD "
        f"lookup of the last year the former district existed: {'; '.join(parts)}. "
        + (f"{n_best} LSOAs ({n_best_pop:,} people, Census 2021) have parents in two former districts and went to the "
           "CSP holding most of their parents' mid-2020 population; all others are exact, because the former "
           "districts were unions of LSOAs 2011." if n_best else
           "No LSOA has parents in two former districts, so the assignment is exact: the former districts were "
           "unions of LSOAs 2011 and every LSOA 2021 of these districts descends from LSOAs of one of them.")
    )
    pairs = _sorted_pairs(pd.concat([single[["lsoa21_code", "csp24_code"]], *resolved]), "lsoa21_code", "csp24_code")
    log(f"csp-2024: {note}")
    used = ["lookup_ltla24_csp24_pfa24", "lookup_lsoa11_lsoa21_ltla22", *sorted(set(S.CSP_FORMER_DISTRICTS.values()))]
    return Resolved(pairs, unit_names(src, "csp24_code", "csp24_name", "csp-2024"), note, used)


def _pop21(ctx: Ctx) -> pd.Series:
    pop = pd.read_csv(ctx.source / "attributes" / "population_lsoa21_census2021.csv", dtype={"lsoa21_code": str})
    return pop.set_index("lsoa21_code")["usual_residents_census2021"]


# --------------------------------------------------------------------------------------------
# icb-2026 (LSOA 2021): the April 2024 ICBs with the April 2026 mergers applied
# --------------------------------------------------------------------------------------------


def icb2026(ctx: Ctx) -> Resolved:
    src = read_lookup(ctx.source, "lookup_lsoa21_sicbl24_icb24")
    df = src[["lsoa21_code", "sicbl24_code", "icb24_code"]].copy()
    lad = ctx.memberships["ltla-2024"]
    lad_names = ctx.built["ltla-2024"].set_index("code")["name"]
    code_of = {n: c for c, n in lad_names[lad_names.index.str.startswith("E")].items()}
    df["ltla24_code"] = lad.reindex(df["lsoa21_code"]).to_numpy()
    df["icb26_code"] = df["icb24_code"]
    merged_icbs: set[str] = set()
    for new, _name, members in S.ICB_2026:
        for m in members:
            if m[0] == "icb":
                sel = df["icb24_code"] == m[1]
            elif m[0] == "sicbl":
                sel = df["sicbl24_code"] == m[1]
                merged_icbs.update(df.loc[sel, "icb24_code"])
            else:
                sel = (df["icb24_code"] == m[1]) & df["ltla24_code"].isin([code_of[n] for n in m[2]])
            if m[0] != "sicbl":
                merged_icbs.add(m[1])
            if not sel.any():
                raise RuntimeError(f"icb-2026: member {m} of {new} matches no LSOA")
            df.loc[sel, "icb26_code"] = new
    left = df[df["icb24_code"].isin(merged_icbs) & df["icb26_code"].isin(merged_icbs)]
    if len(left):
        raise RuntimeError(f"icb-2026: {len(left)} LSOAs of merged ICBs not assigned, e.g. {left.head(3).to_dict('records')}")
    facts = _facts(ctx, "facts/icb_mergers_2026.csv")
    fact_members = {S.ICB_CODES_2022_TO_2024.get(c, c) for c in facts["member_icb22_code"]}
    if fact_members != merged_icbs:
        raise RuntimeError(f"icb-2026: merged ICBs {sorted(merged_icbs)} differ from the facts {sorted(fact_members)}")
    changed = int((df["icb26_code"] != df["icb24_code"]).sum())
    n_units = df["icb26_code"].nunique()
    names = unit_names(src, "icb24_code", "icb24_name", "icb-2026")
    names = pd.concat([names, pd.Series({c: n for c, n, _ in S.ICB_2026})]).sort_index()
    lsc = df[df["icb24_code"] == "E54000048"]
    evidence = (
        f"{n_units} ICBs; {len(merged_icbs)} April 2024 ICBs merged into {len(S.ICB_2026)}, and all {changed:,} LSOAs "
        f"(2021) of those {len(merged_icbs)} change ICB code, as ONS reports for its April 2026 lookup (36 ICBs; "
        f"10,207 LSOAs changed); Lancashire and South Cumbria (E54000048) unchanged with {len(lsc):,} LSOAs and "
        f"{lsc['sicbl24_code'].nunique()} sub-ICB locations"
    )
    note = (
        "Derived, exact by construction: the ONS April 2024 LSOA->SICBL->ICB lookup with the April 2026 mergers "
        "(facts/icb_mergers_2026.csv, HCWS915 of 9 Sep 2025) applied: whole-ICB merges; Suffolk and North East Essex "
        "divided by sub-ICB location (Ipswich and East Suffolk 06L and West Suffolk 07K -> Norfolk and Suffolk; North "
        "East Essex 06T -> Essex); Hertfordshire and West Essex divided (West Essex 07H -> Essex, the rest -> Central "
        "East); Frimley divided by district as scenarios/icb_2026_frimley_split_verified.csv says (Rushmoor and the "
        "Frimley part of Hart -> Hampshire and the Isle of Wight; Surrey Heath and the Frimley parts of Waverley, "
        "Guildford and Runnymede -> Surrey and Sussex; Bracknell Forest, Slough, Windsor and Maidenhead -> Thames "
        f"Valley). Checks: {evidence}. Codes of the 7 new ICBs (ICB26-*) are coterm's own: the ONS April 2026 codes "
        "are not in the corpus; the 29 unchanged ICBs keep their 2024 codes."
    )
    if n_units != 36 or changed != 10207 or len(lsc) != 1060 or lsc["sicbl24_code"].nunique() != 8:
        raise RuntimeError(f"icb-2026 does not reproduce the ONS facts: {evidence}")
    log(f"icb-2026: {evidence}")
    units = pd.DataFrame({"code": [c for c, _, _ in S.ICB_2026], "name": [n for _, n, _ in S.ICB_2026],
                          "start": "2026-04-01", "status": "merged April 2026",
                          "members_2024": [" + ".join(m[1] if m[0] != "icb_ltla" else f"{m[1]} part ({', '.join(m[2])})"
                                                      for m in mem) for _, _, mem in S.ICB_2026]})
    return Resolved(_sorted_pairs(df, "lsoa21_code", "icb26_code"), names, note,
                    ["lookup_lsoa21_sicbl24_icb24", "lookup_lsoa21_ward24_ltla24"], units, derived=evidence)


# --------------------------------------------------------------------------------------------
# strategic authorities (via ltla-2024)
# --------------------------------------------------------------------------------------------


def _sa(ctx: Ctx, era: int) -> Resolved:
    lads = set(ctx.built["ltla-2024"]["code"])
    rows = []  # (ltla24_code, sa code, sa name, status, start)
    ca = read_lookup(ctx.source, "lookup_ltla23_cauth23")
    for code, (start, status) in S.SA_OLDER.items():
        sub = ca[ca["cauth23_code"] == code]
        name = sub["cauth23_name"].iloc[0]
        name = name if "Authority" in name else f"{name} Combined Authority"
        rows += [(m, code, name, status, start) for m in sub["ltla23_code"]]
    utla = read_lookup(ctx.source, "lookup_ltla23_utla23")
    for code, name, status, start, members in S.SA_NOT_IN_FILE:
        for m in members:
            districts = utla.loc[utla["utla23_code"] == m, "ltla23_code"].tolist() or [m]
            rows += [(d, code, name, status, start) for d in districts]
    sa = _facts(ctx, "../scenarios/strategic_authorities_2024_2028.csv")
    for name, sub in sa.groupby("strategic_authority", sort=True):
        if name not in S.SA_FILE_UNITS:
            continue
        code, start, unit_era = S.SA_FILE_UNITS[name]
        if unit_era > era:
            continue
        code = code or sub["code"].iloc[0].replace("(verify)", "").strip()
        rows += [(m, code, name.replace(" (foundation)", ""), sub["status"].iloc[0], start) for m in sub["member_code_ltla24"]]
    df = pd.DataFrame(rows, columns=["ltla24_code", "code", "name", "status", "start"])
    unknown = sorted(set(df["ltla24_code"]) - lads)
    dup = df[df["ltla24_code"].duplicated(keep=False)]
    if unknown or len(dup):
        raise RuntimeError(f"sa-{era}: unknown districts {unknown} or districts in two authorities {dup.to_dict('records')}")
    units = df.drop_duplicates("code")[["code", "name", "status", "start"]].sort_values("code").reset_index(drop=True)
    n_mayoral = int((~units["status"].str.contains("non-mayoral")).sum())
    col = "sa25_code" if era == 2025 else "sa28_code"
    pairs = df.rename(columns={"code": col})
    note = (
        f"{len(units)} strategic authorities ({'in force during 2025-26' if era == 2025 else 'in force, or ordered with mayors due in 2027-28'}), "
        f"{n_mayoral} of them mayoral, as groups of May 2024 districts; each unit's status and start (year-month) are "
        f"in units/sa-{era}.csv. Districts outside every authority are outside the layer, never split. Sources: the ONS "
        "December 2023 combined-authority lookup (8 authorities still in force; North East and North of Tyne were "
        "replaced by the North East Mayoral Combined Authority in May 2024), scenarios/strategic_authorities_2024_2028.csv "
        "for the authorities of 2024-28, and the county/unitary lookup for York and North Yorkshire and the East "
        "Midlands (not in that file). Codes: ONS where published (E47000014 for the North East MCA to verify); "
        "SA-* codes are coterm's own for authorities without a published code."
        + (" Wessex (proposed, not in the devolution priority programme) is left out." if era == 2028 else "")
    )
    return Resolved(_sorted_pairs(pairs, "ltla24_code", col), units.set_index("code")["name"], note,
                    ["lookup_ltla23_cauth23", "lookup_ltla23_utla23"], units)


def sa2025(ctx: Ctx) -> Resolved:
    return _sa(ctx, 2025)


def sa2028(ctx: Ctx) -> Resolved:
    return _sa(ctx, 2028)


RESOLVERS = {"csp2019": csp2019, "csp2024": csp2024, "icb2026": icb2026, "sa2025": sa2025, "sa2028": sa2028}


def resolve(name: str, ctx: Ctx) -> Resolved:
    from .bcu import bcu2024, bcu_latest

    return {**RESOLVERS, "bcu2024": bcu2024, "bcu_latest": bcu_latest}[name](ctx)



# --------------------------------------------------------------------------------------------
# pct-2011 (LSOA 2011, approximate): PCTs from the 2015 CCGs and the 2013 councils
# --------------------------------------------------------------------------------------------

_PCT_WORDS = (" Teaching", " City", " County", " PCT")


def _pct_core(name: str) -> str:
    for w in _PCT_WORDS:
        name = name.replace(w, "")
    return name.strip().lower()


def _council(name: str) -> str:
    return name.lower().replace(", city of", "").replace("city of ", "").strip()


def _name_match(pct_name: str, council: str) -> bool:
    p, c = _pct_core(pct_name), _council(council)
    return c in p or p in c


def pct2011(ctx: Ctx) -> Resolved:
    """Each 2015 CCG to its PCT; a CCG shared between PCTs is cut by the 2013 councils, each piece to
    the candidate PCT named after that council, else to the candidate with the largest share."""
    t = _facts(ctx, "facts/pct_to_ccg15_postcode_shares.csv")
    t["share"] = t["pct_postcode_share_pct"].astype(float)
    ccg, utla = ctx.memberships["ccg-2015"], ctx.memberships["utla-2013"]
    utla_names = ctx.built["utla-2013"].set_index("code")["name"]
    pop = ctx.bases["lsoa-2011"][["code"]].merge(
        pd.read_csv(ctx.source / "attributes" / "population_lsoa11_mid2019_mid2020.csv", dtype={"lsoa11_code": str}),
        left_on="code", right_on="lsoa11_code", how="left").set_index("code")["population_mid2020"]
    cands = t.groupby("ccg15_code")[["pct11_code", "pct11_name", "share"]].apply(
        lambda d: list(d.sort_values(["share", "pct11_code"], ascending=[False, True]).itertuples(index=False)))
    unknown = sorted(set(cands.index) - set(ccg.unique()))
    if unknown:
        raise RuntimeError(f"pct-2011: CCGs not in ccg-2015: {unknown}")
    df = pd.DataFrame({"ccg": ccg, "utla": utla.reindex(ccg.index)})
    df["pct11_code"] = None
    shared, by_share_people, by_share_pieces = [], 0, []
    for c, rows in cands.items():
        sel = df["ccg"] == c
        if len(rows) == 1:
            df.loc[sel, "pct11_code"] = rows[0].pct11_code
            continue
        shared.append(f"{c} ({' / '.join(f'{r.pct11_name} {r.share:g}%' for r in rows)})")
        for u, piece in df[sel].groupby("utla"):
            exact = [r for r in rows if _pct_core(r.pct11_name) == _council(utla_names[u])]
            named = exact or [r for r in rows if _name_match(r.pct11_name, utla_names[u])]
            pick = named[0] if named else rows[0]  # rows are sorted by share, largest first
            if len(named) != 1:
                by_share_people += int(pop.reindex(piece.index).sum())
                by_share_pieces.append(f"{c} in {utla_names[u]} -> {pick.pct11_name}")
            df.loc[piece.index, "pct11_code"] = pick.pct11_code
    missing_ccg = sorted(set(ccg.unique()) - set(cands.index))
    if missing_ccg:
        raise RuntimeError(f"pct-2011: CCGs of 2015 with no PCT in the table: {missing_ccg}")
    got = set(df["pct11_code"].dropna())
    lost = sorted(set(t["pct11_code"]) - got)
    if lost or df["pct11_code"].isna().any():
        raise RuntimeError(f"pct-2011: PCTs with no LSOA: {lost}")
    units = t.drop_duplicates("pct11_code")[["pct11_code", "pct11_name", "pct11_nhs_code"]]
    units.columns = ["code", "name", "nhs_code"]
    units = units.sort_values("code").reset_index(drop=True)
    note = (
        f"Approximate. {len(units)} primary care trusts (2011; 152 in 2006, one merger later) built from the 2015 CCGs "
        "(exact unions of LSOAs 2011) with facts/pct_to_ccg15_postcode_shares.csv (share of each PCT's postcodes in "
        "each CCG; origin not stated by its publisher, indicative). A CCG wholly in one PCT goes to it; the "
        f"{len(shared)} CCGs shared between PCTs are cut by the 2013 counties and unitaries and each piece goes to "
        "the candidate PCT named after that council (an exact name first), else to the candidate with the largest share: "
        f"{'; '.join(shared)}. Pieces placed by share alone (no single PCT named after their council): "
        f"{'; '.join(by_share_pieces)}; {by_share_people:,} people (mid-2020) live in them, an upper bound on "
        "the people who may be misplaced. Codes are ONS E16/E17; NHS (ODS) codes are in units/pct-2011.csv."
    )
    log(f"pct-2011: {len(units)} PCTs; {len(shared)} shared CCGs; {by_share_people:,} people placed by share")
    pairs = df.rename_axis("lsoa11_code").reset_index()[["lsoa11_code", "pct11_code"]]
    return Resolved(_sorted_pairs(pairs, "lsoa11_code", "pct11_code"), units.set_index("code")["name"], note,
                    ["lookup_lsoa11_ccg15_ltla15", "lookup_ltla13_utla13", "facts/pct_to_ccg15_postcode_shares"],
                    units)


RESOLVERS["pct2011"] = pct2011
