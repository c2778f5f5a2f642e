"""Builders of the 2026-28 scenario files (issue 14), used by ``tools/build_scenarios.py``.

Each builder returns ``{relative path: file text}``:

* ``lgr-2028/<area>/<option>.toml``: the local government reorganisation options of 2025-26 on ``ltla-2024``
  (from ``lgr_proposals_2025_2026.csv``), one folder per two-tier area, decided options marked;
* ``icb-verified-mergers-2026.toml``: the April 2026 ICB mergers on ``icb-2024`` with the verified Frimley split;
* ``icb-mergers-2027-candidates.toml``: the ICB clusters that may merge in April 2027, on ``icb-2026``;
* ``strategic-authorities-2028.toml``: the strategic authorities as a new layer grouped from ``ltla-2024``;
* ``halton-police-2028.toml`` / ``halton-fire-2028.toml``: Halton moved from Cheshire's police (fire) area to
  Merseyside's.

Status convention (the scenario schema has no status key): the first entry of ``notes`` is
``"status: decided ..."``, ``"status: likely ..."``, ``"status: proposed ..."`` or ``"status: not chosen ..."``;
``coterm options`` reads it.
"""

from __future__ import annotations

import re

import pandas as pd

# two-tier areas: scenario-id prefix → (folder, title)
AREAS = {
    "essex": ("essex", "Essex"), "hampshire": ("hampshire", "Hampshire and the Solent"), "norfolk": ("norfolk", "Norfolk"),
    "suffolk": ("suffolk", "Suffolk"), "east_sussex": ("east-sussex", "East Sussex"), "west_sussex": ("west-sussex", "West Sussex"),
    "herts": ("hertfordshire", "Hertfordshire"), "glos": ("gloucestershire", "Gloucestershire"),
    "worcs": ("worcestershire", "Worcestershire"), "warks": ("warwickshire", "Warwickshire"), "oxon": ("oxfordshire", "Oxfordshire"),
    "kent": ("kent", "Kent"), "lancs": ("lancashire", "Lancashire"), "notts": ("nottinghamshire", "Nottinghamshire"),
    "derbys": ("derbyshire", "Derbyshire"), "staffs": ("staffordshire", "Staffordshire"), "cambs": ("cambridgeshire", "Cambridgeshire"),
    "devon": ("devon", "Devon"), "leics": ("leicestershire", "Leicestershire"),
}

# partners of every option file (what `coterm scenario` compares with; `coterm options` has its own default list)
LGR_PARTNERS = ["icb-2026", "pfa-2024", "fra-2024", "csp-2024", "sa-2028"]

# wards named in a proposal's note → (from district, to district, ward names as in the note)
WARD_MOVES = {
    "lgr_herts_4ua_core": [
        ("E07000099", "E07000242", ["Arbury", "Ermine", "Royston Heath", "Royston Meridian", "Royston Palace", "Weston and Sandon"]),
        ("E07000241", "E07000242", ["Northaw"]),
    ],
}


def _status(raw: str) -> str:
    s = raw.casefold()
    if "decided" in s:
        return "decided"
    if "not chosen" in s:
        return "not chosen"
    if "likely" in s or "decision reported" in s:
        return "likely"
    return "proposed"


def _option_slug(sid: str, prefix: str) -> str:
    rest = sid[len("lgr_") + len(prefix) + 1:]
    rest = re.sub(r"_?(DECIDED|LIKELY)", "", rest)
    return rest.replace("_", "-").lower().strip("-") or "option"


def _ward_norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("&", "and")).strip().casefold()


def ward_blocks(wards: pd.DataFrame, district: str, names: list[str]) -> tuple[list[str], list[str]]:
    """LSOA 2021 codes of the named wards of one district (best fit: each LSOA is in the ward holding it in the
    ONS lookup), and the ward names matched (a name in the note may be the start of the 2024 ward's name)."""
    d = wards[wards["ltla24_code"] == district]
    norm = d["ward24_name"].map(_ward_norm)
    codes, matched = [], []
    for n in names:
        hit = d[norm == _ward_norm(n)]
        if hit.empty:
            hit = d[norm.str.startswith(_ward_norm(n))]
        if hit["ward24_code"].nunique() != 1:
            raise SystemExit(f"ward {n!r} of {district}: {hit['ward24_name'].nunique()} matches in lookup_lsoa21_ward24_ltla24.csv")
        matched.append(f"{hit['ward24_name'].iloc[0]} ({hit['ward24_code'].iloc[0]})")
        codes += sorted(hit["lsoa21_code"])
    return codes, matched


def build_lgr_2028(c, h) -> dict[str, str]:
    """One file per option, grouped by area: ``lgr-2028/<area>/<option>.toml`` on ``ltla-2024``."""
    f = c.csv("scenarios/lgr_proposals_2025_2026.csv")
    wards = c.lookup("lookup_lsoa21_ward24_ltla24")
    names = dict(zip(wards["ltla24_code"], wards["ltla24_name"]))
    names.update(dict(zip(f["member_code_ltla24"], f["member_name"])))
    out: dict[str, str] = {}
    for sid, g in f.groupby("scenario", sort=False):
        prefix = next((p for p in sorted(AREAS, key=len, reverse=True) if sid.startswith(f"lgr_{p}_")), None)
        if prefix is None:
            raise SystemExit(f"{sid}: no area for this option; add it to AREAS in tools/scenarios_2026.py")
        folder, area = AREAS[prefix]
        first = g.iloc[0]
        status = _status(first["status"])
        units = list(dict.fromkeys(g["new_unit"]))
        note = first["note"].strip()
        label = _option_slug(sid, prefix)
        title = f"{area}: {len(units)} new council{'s' if len(units) > 1 else ''} ({label})"
        if status == "decided":
            title += " — DECIDED"
        notes = [f"status: {status} — {first['status']}", f"option {sid} of lgr_proposals_2025_2026.csv"]
        if note:
            notes.append(note)
        transfers = []
        for frm, to, ward_names in WARD_MOVES.get(sid, []):
            blocks, matched = ward_blocks(wards, frm, ward_names)
            transfers.append(h.transfer_table(
                frm, to, blocks, {}, confidence="medium (best fit: LSOAs assigned to wards by the ONS LSOA 2021 → ward 2024 lookup)",
                note=f"wards of {names[frm]} moving to the new council of {names[to]}: {', '.join(matched)}; best fit by LSOA"))
            notes.append(f"{names[frm]} is split by ward: {', '.join(matched)} move ({len(blocks)} LSOAs, best fit by LSOA)")
        if "SPLIT" in first["status"] and not transfers:
            notes.append("districts split by ward or parish are shipped as their whole-district core (the parishes/wards moved are "
                         "not known); the split districts are named in the status")
        body = h.header(
            name=title, layer="ltla-2024", effective="2028-04-01",
            description=f"Local government reorganisation option for {area} ({first['status']}): the two-tier area's districts "
                        f"and county replaced by {len(units)} unitary council(s), applied to the 2024 districts.",
            source=h.split_sources(g["source"]), confidence=first["confidence"] if first["confidence"][:1].isalpha() else "medium",
            against=LGR_PARTNERS, notes=notes,
        )
        merges = []
        for u in units:
            members = list(g.loc[g["new_unit"] == u, "member_code_ltla24"])
            merges.append(h.merge_table("merge", u, members, names))
        out[f"lgr-2028/{folder}/{label}.toml"] = body + "".join(transfers) + "".join(merges)
    return out


# --- ICBs ------------------------------------------------------------------------------------------

ICB24 = {"NW": "E54000022", "SNEE": "E54000023", "BLMK": "E54000024", "HWE": "E54000025", "MSE": "E54000026",
         "NWL": "E54000027", "NCL": "E54000028", "FRIMLEY": "E54000034", "HIOW": "E54000042", "BOB": "E54000044",
         "SH": "E54000063", "SUSSEX": "E54000064", "CAP": "E54000056"}


def build_icb_2026_verified(c, h) -> dict[str, str]:
    """The April 2026 mergers on ``icb-2024``, with the verified Frimley split (by district, clipped to Frimley)."""
    lk = c.lookup("lookup_lsoa21_sicbl24_icb24")
    wards = c.lookup("lookup_lsoa21_ward24_ltla24")
    verified = c.csv("scenarios/icb_2026_frimley_split_verified.csv")
    facts = c.csv("data/facts/icb_mergers_2026.csv")
    names = dict(zip(lk["icb24_code"], lk["icb24_name"].str.replace(" Integrated Care Board", " ICB")))
    names.update(dict(zip(lk["sicbl24_code"], lk["sicbl24_name"])))
    names.update(dict(zip(wards["ltla24_code"], wards["ltla24_name"])))
    fr = lk[lk["icb24_code"] == ICB24["FRIMLEY"]].merge(wards[["lsoa21_code", "ltla24_code"]], on="lsoa21_code")
    per = fr.groupby("ltla24_code").size()
    east_berks = ["E06000036", "E06000039", "E06000040"]
    hants = ["E07000089", "E07000092"]
    surrey = sorted(set(per.index) - set(east_berks) - set(hants))
    for d in east_berks + hants:
        if d not in per.index:
            raise SystemExit(f"{d} has no Frimley LSOA in lookup_lsoa21_sicbl24_icb24.csv")
    n = {k: int(per.reindex(v).sum()) for k, v in (("eb", east_berks), ("ha", hants), ("sy", surrey))}
    sicbl = {name.split(" - ")[-1]: code for code, name in zip(lk["sicbl24_code"], lk["sicbl24_name"])}
    src = h.split_sources(list(verified["source"]) + list(facts["source"]))
    body = h.header(
        name="ICB mergers, April 2026 (13 ICBs → 7), verified Frimley split",
        layer="icb-2024", effective="2026-04-01",
        description="The seven new integrated care boards of 1 April 2026 applied to the April-2024 ICBs (42 → 36). "
                    "Frimley ICB is divided by district with the verified split: Rushmoor and the Frimley part of Hart to Hampshire "
                    "and the Isle of Wight; Surrey Heath, Farnham and the other Frimley LSOAs of Surrey to Surrey and Sussex; "
                    "East Berkshire to Thames Valley. North East Essex and West Essex move as sub-ICB locations.",
        source=src, confidence="high: memberships documented (HCWS915) and the Frimley split verified (icb_2026_frimley_split_verified.csv)",
        against=["ltla-2024", "pfa-2024", "fra-2024", "sa-2028"],
        notes=["status: decided — in force from 1 April 2026",
               f"Frimley ICB (one sub-ICB location, D4U1Y) is divided by the 2024 districts holding its LSOAs: East Berkshire "
               f"({n['eb']} LSOAs) → Thames Valley; Hart and Rushmoor ({n['ha']} LSOAs, ~176,000 people) → Hampshire and the Isle of "
               f"Wight; Surrey Heath, Waverley (Farnham), Guildford and Runnymede parts ({n['sy']} LSOAs) → Surrey and Sussex.",
               "Replaces the INFERRED Hart/Rushmoor assignment of icb-mergers-2026.toml (icb-2022) by the verified one.",
               "New ICB codes are not in the corpus: codes are generated from the names."])
    t = [
        h.transfer_table(ICB24["SNEE"], ICB24["MSE"], [sicbl["06T"]], names, via="sicbl-2024", confidence="high",
                         note="North East Essex (Colchester, Tendring) joins the Essex ICB"),
        h.transfer_table(ICB24["HWE"], ICB24["MSE"], [sicbl["07H"]], names, via="sicbl-2024", confidence="high",
                         note="West Essex (Epping Forest, Harlow, Uttlesford) joins the Essex ICB"),
        h.transfer_table(ICB24["FRIMLEY"], ICB24["BOB"], east_berks, names, via="ltla-2024", clip=True, confidence="high",
                         note="East Berkshire part of Frimley → Thames Valley"),
        h.transfer_table(ICB24["FRIMLEY"], ICB24["SH"], surrey, names, via="ltla-2024", clip=True, confidence="high (verified)",
                         note="Surrey part of Frimley (Surrey Heath, Farnham; Frimley LSOAs of Guildford and Runnymede) → Surrey and Sussex"),
        h.transfer_table(ICB24["FRIMLEY"], ICB24["HIOW"], hants, names, via="ltla-2024", clip=True, confidence="high (verified)",
                         note="North-east Hampshire: Rushmoor and the Frimley part of Hart → Hampshire and the Isle of Wight"),
    ]
    m = [
        h.merge_table("merge", "NHS Norfolk and Suffolk ICB", [ICB24["NW"], ICB24["SNEE"]], names, confidence="high"),
        h.merge_table("merge", "NHS Essex ICB", [ICB24["MSE"]], names, confidence="high"),
        h.merge_table("merge", "NHS Central East ICB", [ICB24["BLMK"], ICB24["CAP"], ICB24["HWE"]], names, confidence="high"),
        h.merge_table("merge", "NHS Thames Valley ICB", [ICB24["BOB"]], names, confidence="high"),
        h.merge_table("merge", "NHS Surrey and Sussex ICB", [ICB24["SH"], ICB24["SUSSEX"]], names, confidence="high"),
        h.merge_table("merge", "NHS Hampshire and the Isle of Wight ICB (2026)", [ICB24["HIOW"]], names, confidence="high (verified)",
                      note="same name as before, larger area (Rushmoor, the Frimley part of Hart): a new code marks the change"),
        h.merge_table("merge", "NHS North West and North Central London ICB", [ICB24["NWL"], ICB24["NCL"]], names, confidence="high"),
    ]
    return {"icb-verified-mergers-2026.toml": body + "".join(t) + "".join(m)}


def build_icb_2027(c, h) -> dict[str, str]:
    """ICB clusters that may merge in April 2027 (candidates only), on ``icb-2026``."""
    f = c.csv("scenarios/icb_clusters_2025_to_mergers_2027_candidates.csv")
    names = dict(zip(f["member_code_icb24"], f["member_name"]))
    body = h.header(
        name="ICB merger candidates, April 2027 (clusters of 2025)", layer="icb-2026", effective="2027-04-01",
        description="The ICB clusters of 2025 that may merge in April 2027, applied to the April-2026 ICBs. No official list: "
                    "ministers decide 'in light of the Local Government Reorganisation process'.",
        source=h.split_sources(f["source"]), confidence="low-medium: candidates only (clusters are not mergers)",
        against=["ltla-2024", "utla-2024", "pfa-2024", "sa-2028"],
        notes=["status: proposed — candidates; no merger decided", "None of these ICBs changed in April 2026, so their 2024 codes hold in icb-2026.",
               "London south is exploratory only (low)."])
    m = []
    for unit, g in f.groupby("new_unit", sort=False):
        m.append(h.merge_table("merge", unit, list(g["member_code_icb24"]), names, note=g["status"].iloc[0],
                               confidence="low" if "exploratory" in unit else "low-medium"))
    return {"icb-mergers-2027-candidates.toml": body + "".join(m)}


# --- strategic authorities and Halton ----------------------------------------------------------------

# When each authority is in force with a mayor (the date the first mayor takes office); non-mayoral ones: the date
# they were established. Old combined authorities: general knowledge (high); new ones: the corpus' `status`.
SA_DATES = {
    "Greater London Authority": ("2000-05-04", "mayoral", "Mayor of London since May 2000 (policing through MOPAC since 2012, fire since 2018)"),
    "Greater Manchester": ("2017-05-08", "mayoral", "combined authority 2011; first mayor May 2017 (also PCC since 2017)"),
    "South Yorkshire": ("2018-05-07", "mayoral", "combined authority 2014; first mayor May 2018 (PCC functions from May 2024)"),
    "West Yorkshire": ("2021-05-10", "mayoral", "combined authority 2014; first mayor May 2021 (also PCC)"),
    "Liverpool City Region": ("2017-05-08", "mayoral", "combined authority 2014; first mayor May 2017"),
    "Tees Valley": ("2017-05-08", "mayoral", "combined authority 2016; first mayor May 2017"),
    "West Midlands": ("2017-05-08", "mayoral", "combined authority 2016; first mayor May 2017"),
    "Cambridgeshire and Peterborough": ("2017-05-08", "mayoral", "combined authority 2017; first mayor May 2017"),
    "West of England": ("2017-05-08", "mayoral", "combined authority 2017; first mayor May 2017"),
    "North East Mayoral Combined Authority": ("2024-05-07", "mayoral", None),
    "York and North Yorkshire Combined Authority": ("2024-05-07", "mayoral", None),
    "East Midlands Combined County Authority": ("2024-05-07", "mayoral", None),
    "Greater Lincolnshire Combined County Authority": ("2025-05-05", "mayoral", None),
    "Hull and East Yorkshire Mayoral Combined Authority": ("2025-05-05", "mayoral", None),
    "Devon and Torbay Combined County Authority (foundation)": ("2025-02-05", "non-mayoral", None),
    "Lancashire Combined County Authority (foundation)": ("2025-02-27", "non-mayoral", None),
    "Cheshire and Warrington Combined Authority": ("2027-05-10", "mayoral", None),
    "Cumbria Combined Authority": ("2027-05-10", "mayoral", None),
    "Greater Essex Combined County Authority": ("2028-05-08", "mayoral", None),
    "Hampshire and the Solent Combined County Authority": ("2028-05-08", "mayoral", None),
    "Norfolk and Suffolk Combined County Authority": ("2028-05-08", "mayoral", None),
    "Sussex and Brighton Combined County Authority": ("2028-05-08", "mayoral", None),
    "Wessex (proposed MSA)": ("", "proposed", None),
}

# Greater London (2000) and two authorities established in 2024 that strategic_authorities_2024_2028.csv lacks.
_SA_2024_EXTRA = {
    "Greater London Authority": [f"E090000{n:02d}" for n in range(1, 34)],
    "York and North Yorkshire Combined Authority": ["E06000014", "E06000065"],
    "East Midlands Combined County Authority": ["E06000015", "E06000018"] + [f"E070000{n}" for n in range(32, 40)]
                                                + [f"E07000{n}" for n in range(170, 177)],
}


def sa_note(name: str) -> str:
    """The group note read by :mod:`coterm.decisions.mayoral`: ``from: DATE; kind: mayoral|non-mayoral|proposed; ...``."""
    date, kind, extra = SA_DATES[name]
    return f"from: {date or 'none'}; kind: {kind}" + (f"; {extra}" if extra else "")


def build_strategic_authorities(c, h) -> dict[str, str]:
    """Strategic authorities (combined and combined county authorities) as a new layer over ``ltla-2024``."""
    new = c.csv("scenarios/strategic_authorities_2024_2028.csv")
    old = c.lookup("lookup_ltla23_cauth23")
    wards = c.lookup("lookup_lsoa21_ward24_ltla24")
    names = dict(zip(wards["ltla24_code"], wards["ltla24_name"]))
    old = old[~old["cauth23_code"].isin(["E47000010", "E47000011"])]  # North East, North of Tyne → NE MCA (May 2024)
    groups = []
    for (nm, code), g in old.groupby(["cauth23_name", "cauth23_code"], sort=False):
        groups.append((nm, code, list(g["ltla23_code"]), "member councils from ONS LAD (2023) to combined authority lookup"))
    for nm, members in _SA_2024_EXTRA.items():
        why = ("the 32 London boroughs and the City of London (Greater London Authority Act 1999)" if nm.startswith("Greater London")
               else "established 2024; NOT in the shared corpus: members from general knowledge (verify)")
        groups.append((nm, "", members, why))
    for (nm, code, status), g in new.groupby(["strategic_authority", "code", "status"], sort=False):
        clean = code if re.fullmatch(r"E47\d{6}", code) else ""
        extra = f"{status}" + (f"; code {code}" if code and not clean else "") + (f"; {g['note'].iloc[0]}" if g["note"].iloc[0] else "")
        groups.append((nm, clean, list(g["member_code_ltla24"]), extra))
    missing = sorted(set(n for n, *_ in groups) - set(SA_DATES))
    if missing:
        raise SystemExit(f"strategic authorities without a date in SA_DATES: {missing}")
    body = h.header(
        name="Strategic authorities of England, 2017-2028", layer="ltla-2024", effective="2028-05-08",
        description="Combined and combined county authorities (strategic authorities) as groups of 2024 districts: the older "
                    "combined authorities, those established in 2024-25 and those ordered or proposed for mayors in 2027-28. "
                    "Each group's note gives the date it is in force with a mayor (`from:`) and its kind.",
        source=["ONS LAD (2023) to Combined Authority lookup (lookup_ltla23_cauth23.csv)"] + h.split_sources(new["source"]),
        confidence="high for memberships; medium for the 2027-28 dates (orders and draft regulations)",
        against=["pfa-2024", "fra-2024", "icb-2026"],
        notes=["status: mixed — each group's note gives `from: DATE; kind: mayoral|non-mayoral|proposed`",
               "dates: the day the first mayor takes office (old authorities: general knowledge), or for non-mayoral authorities "
               "the day they were established; `from: none` = proposed, not in force",
               "York and North Yorkshire and East Midlands (both 2024) are not in the shared corpus: members from general knowledge",
               "The Greater London Authority is included as London's strategic authority (English Devolution White Paper, 2024)"],
        extra=[("defines", h.q("sa-scenario")), ("title", h.q("Strategic authorities (shipped scenario, with dates)")),
               ("family", h.q("council")), ("kind", h.q("sa")), ("ungrouped", h.q("drop"))])
    out = [h.merge_table("group", nm, members, names, code=code or None, note=f"{sa_note(nm)}; {extra}") for nm, code, members, extra in groups]
    return {"strategic-authorities-2028.toml": body + "".join(out)}


def build_halton(c, h) -> dict[str, str]:
    """Halton moved from Cheshire's police (fire) area to Merseyside's, on ``pfa-2024`` and ``fra-2024``."""
    pfa = c.lookup("lookup_ltla24_csp24_pfa24")
    fra = c.lookup("lookup_ltla24_fra24")
    halton = "E06000006"
    out = {}
    for kind, lk, col, layer, label in (("police", pfa, "pfa24", "pfa-2024", "police force area"),
                                        ("fire", fra, "fra24", "fra-2024", "fire and rescue authority")):
        names = dict(zip(lk[f"{col}_code"], lk[f"{col}_name"]))
        names[halton] = "Halton"
        frm = lk.loc[lk["ltla24_code"] == halton, f"{col}_code"].iloc[0]
        to = lk.loc[lk[f"{col}_name"] == "Merseyside", f"{col}_code"].iloc[0]
        body = h.header(
            name=f"Halton moves from Cheshire's to Merseyside's {label}", layer=layer, effective="2028-05-08",
            description=f"Halton (E06000006) is in the Liverpool City Region combined authority but in Cheshire's {label}. "
                        f"Moving it to Merseyside's makes Cheshire's area match the Cheshire and Warrington Combined Authority and "
                        f"Merseyside's match the Liverpool City Region, so both could pass to a mayor when PCCs are abolished in 2028.",
            source=["https://www.gov.uk/government/publications (Police and crime commissioners abolished in 2028; mayors take policing "
                    "'wherever geographies allow')", "../shared/scenarios/README.md (Halton and mayoral policing)"],
            confidence="low: a what-if, not a proposal",
            against=["ltla-2024", "sa-2028"],
            notes=["status: proposed — a what-if (no proposal published)"])
        out[f"halton-{kind}-2028.toml"] = body + h.transfer_table(frm, to, [halton], names, via="ltla-2024",
                                                                  note="Halton joins Merseyside")
    return out


MULTI_BUILDERS = {
    "lgr-2028": build_lgr_2028,
    "icb-verified-mergers-2026": build_icb_2026_verified,
    "icb-mergers-2027-candidates": build_icb_2027,
    "strategic-authorities-2028": build_strategic_authorities,
    "halton-2028": build_halton,
}
