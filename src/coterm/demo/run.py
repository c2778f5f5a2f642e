"""The main job: the whole picture of English coterminosity, written as a folder of maps and tables.

``run_demo(out)`` computes a council × body matrix (health, police, fire, resilience) across time,
the council–NHS story from CCGs to ICBs and the 2026 mergers, every shipped scenario's before and
after, and the units that break alignment most often; it writes ``index.html`` (offline), one map
per matrix pair and per scenario, the CSV tables behind every figure and a GeoPackage of per-unit
classes. The folder is built aside and swapped in at the end, so an interrupted run leaves the
previous complete output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .plan import DEMO_OUTPUTS, DISTRICTS, DemoPlan, full_plan, quick_plan  # noqa: F401

__all__ = ["run_demo", "pair_map_name"]

BACK = ("../index.html", "All maps and tables")


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-") or "x"


def pair_map_name(a: str, b: str) -> str:
    return f"pairs/{_slug(a)}__{_slug(b)}.html"


def _rate(d: dict, key: str, by: str):
    v = d[key].get(by)
    return v if v is not None else d[key].get("count")


def run_demo(out: str | Path = "maps", *, quick: bool = False, by: str = "population", progress=None, plan: DemoPlan | None = None) -> Path:
    """Compute everything and write the demo folder; returns the path of ``index.html``.

    ``progress(done, total, label)`` is called as each step completes.
    """
    from ..io import atomic_dir, write_csv, write_json, write_text
    from ..maps import coterminosity_map, reusing_work, save_map
    from ..overlap import overlap
    from ..report import basis_columns, with_basis
    from ..scoring import score

    plan = plan or (quick_plan() if quick else full_plan())
    pairs = sorted({(plan.cells[(r, c)], c) for r in plan.rows for c in plan.columns} | {(s.council, s.body) for s in plan.story}
                   | set(plan.extra.get("pairs", ())))
    scen_names = _scenario_names(plan)
    total = len(pairs) + len(scen_names) + 2 + (0 if quick else 2)
    done = 0

    def tick(label):
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    results: dict[tuple[str, str], object] = {}
    out = Path(out)
    # one run draws the same layers on many pages: reuse their drawings within it (and keep nothing after)
    with reusing_work(), atomic_dir(out, owned=DEMO_OUTPUTS) as tmp:
        (tmp / "pairs").mkdir()
        (tmp / "scenarios").mkdir()
        (tmp / "tables").mkdir()
        layers = _Layers()
        for a, b in pairs:
            sc = score(overlap(layers[a], layers[b], by=by))
            results[(a, b)] = sc
            save_map(coterminosity_map(sc, back=BACK), tmp / pair_map_name(a, b))
            tick(f"{a} × {b}")
        matrix = _matrix_table(plan, results, by)
        story = _story_table(plan, results, by)
        scen_rows = _run_scenarios(scen_names, tmp, by, tick)
        story = _story_with_2026(story, scen_rows)
        breakers = _breakers(plan, results)
        # every table states its basis in its last columns (basis, population_source, population_year)
        write_csv(_with_pair_basis(matrix, results), tmp / "tables" / "matrix.csv")
        write_csv(_with_pair_basis(story, results), tmp / "tables" / "story.csv")
        write_csv(_scenario_table(scen_rows), tmp / "tables" / "scenarios.csv")
        other = _other_pairs(plan, results, by)
        if len(other):
            write_csv(_with_pair_basis(other, results), tmp / "tables" / "other_pairs.csv")
        write_csv(_with_pair_basis(breakers.assign(council_layer=plan.breaker_council, body_layer=breakers["bodies"].str.split(";").str[0]),
                                   results).drop(columns=["council_layer", "body_layer"]),
                  tmp / "tables" / "breakers.csv")
        for (a, b), sc in sorted(results.items()):
            write_csv(with_basis(sc.units, basis_columns(sc.overlap)), tmp / "tables" / f"units__{_slug(a)}__{_slug(b)}.csv")
        write_json({"by": by, "pairs": {f"{a}__{b}": sc.to_dict() for (a, b), sc in sorted(results.items())}}, tmp / "tables" / "summaries.json")
        _write_unit_gpkg(results, tmp / "coterm_units.gpkg", layers)
        tick("tables")
        extra = {} if quick else _decisions_and_workbench(tmp, tick)
        from .page import index_html

        lead = str(matrix["lead"].iloc[0]) if len(matrix) else ""
        html = index_html(plan=plan, matrix=matrix, story=story, scenarios=scen_rows, breakers=breakers, by=by, quick=quick,
                          lead=lead, bcu=_bcu_sentence(plan, results), pct=_pct_figure(results), other_pairs=other, **extra)
        write_text(html, tmp / "index.html")
        tick("index.html")
    return out / "index.html"


class _Layers(dict):
    """Catalogue layers of one run, each loaded and validated once (a Layer also keeps its atom index, so
    the second overlap of a layer is cheaper)."""

    def __missing__(self, layer_id: str):
        from ..layer import load_layer

        self[layer_id] = lay = load_layer(layer_id)
        return lay


def _decisions_and_workbench(tmp: Path, tick) -> dict:
    """The "Decisions now" folder and the workbench page (full demo only: they need the current layers)."""
    from ..catalog import list_layers

    have = {e.id for e in list_layers()}
    out = {}
    if {"ltla-2024", "icb-2026", "pfa-2024", "fra-2024", "sa-2028"} <= have:
        from ..decisions.now import write_decisions_now

        write_decisions_now(tmp / "decisions")
        out["decisions"] = "decisions/index.html"
    tick("decisions now")
    from ..workbench.data import DEFAULT_PARTNERS
    partners = [p for p in DEFAULT_PARTNERS if p in have]
    if "ltla-2024" in have and partners:
        from ..workbench import save_workbench, workbench_data

        save_workbench(workbench_data("ltla-2024", partners), tmp / "workbench.html")
        out["workbench"] = "workbench.html"
    tick("workbench")
    return out


def _matrix_table(plan: DemoPlan, results: dict, by: str) -> pd.DataFrame:
    from ..maps.panels import lead_sentence

    rows = []
    for r in plan.rows:
        for c in plan.columns:
            a = plan.cells[(r, c)]
            s = results[(a, c)].to_dict()
            rows.append({
                "row": r, "council_layer": a, "body_layer": c, "body_title": s["b_title"], "mode": s["mode"], "by": s["by"],
                "council_units": s["a_to_b"]["units"], "body_units": s["b_to_a"]["units"],
                "councils_covered": s["a_to_b"]["units"],  # already without the councils outside the bodies' area
                "councils_outside": s["a_to_b"]["outside"],  # e.g. districts of police forces without BCU data: not split
                "council_alignment": _rate(s["a_to_b"], "alignment_rate", by), "body_alignment": _rate(s["b_to_a"], "alignment_rate", by),
                "council_coterminosity": _rate(s["a_to_b"], "coterminosity_rate", by), "body_coterminosity": _rate(s["b_to_a"], "coterminosity_rate", by),
                "councils_split": s["a_to_b"]["split"], "bodies_split": s["b_to_a"]["split"],
                "people_in_split_councils": s["a_to_b"]["people_in_split_units"],
                "map": pair_map_name(a, c),
                "lead": lead_sentence(results[(a, c)].overlap, results[(a, c)]),
            })
    return pd.DataFrame(rows)


def _with_pair_basis(df: pd.DataFrame, results: dict) -> pd.DataFrame:
    """``df`` (with council_layer, body_layer columns) with each row's basis from its pair's overlap; a row of a
    scenario (``body_layer`` "scenario: …") or of no computed pair takes the basis of the other rows."""
    from ..report import BASIS_COLUMNS, basis_columns, with_basis

    if df.empty:
        return df.reindex(columns=[*df.columns, *BASIS_COLUMNS])
    known = {k: basis_columns(sc.overlap) for k, sc in results.items()}
    fallback = next(iter(known.values())) if known else {"basis": "", "population_source": "", "population_year": ""}
    rows = [known.get((a, b), fallback) for a, b in zip(df["council_layer"], df["body_layer"])]
    return with_basis(df, pd.DataFrame(rows, index=df.index))


def _bcu_sentence(plan: DemoPlan, results: dict) -> str:
    """The index's sentence on police command units against districts, when the matrix has a BCU column."""
    from ..catalog import get_entry
    from .summaries import bcu_sentence, bcu_summary

    for c in plan.columns:
        key = (plan.cells.get((DISTRICTS, c)), c)
        if get_entry(c).kind == "bcu" and key in results:
            return bcu_sentence(bcu_summary(results[key]))
    return ""


def _other_pairs(plan: DemoPlan, results: dict, by: str) -> pd.DataFrame:
    """One row per extra pair of the plan (e.g. BCUs against CSPs, ICBs, sub-ICB locations): both directions."""
    from ..maps.panels import lead_sentence

    rows = []
    for a, b in plan.extra.get("pairs", ()):
        s = results[(a, b)].to_dict()
        rows.append({"council_layer": a, "body_layer": b, "a_title": s["a_title"], "b_title": s["b_title"], "mode": s["mode"],
                     "a_units": s["a_to_b"]["units"], "a_outside": s["a_to_b"]["outside"], "a_split": s["a_to_b"]["split"],
                     "b_units": s["b_to_a"]["units"], "b_outside": s["b_to_a"]["outside"], "b_split": s["b_to_a"]["split"],
                     "a_alignment": _rate(s["a_to_b"], "alignment_rate", by), "b_alignment": _rate(s["b_to_a"], "alignment_rate", by),
                     "map": pair_map_name(a, b), "lead": lead_sentence(results[(a, b)].overlap, results[(a, b)])})
    return pd.DataFrame(rows)


def _pct_figure(results: dict) -> str:
    """"109 of 151 (72%)": the PCTs of 2011 coterminous with the councils of 2013, when the story has them."""
    sc = results.get(("utla-2013", "pct-2011"))
    if sc is None:
        return ""
    d = sc.to_dict()["b_to_a"]
    return f"{d['coterminous']} of {d['units']} ({d['coterminous'] / d['units']:.0%})" if d["units"] else ""


def _story_table(plan: DemoPlan, results: dict, by: str) -> pd.DataFrame:
    rows = []
    for st in plan.story:
        s = results[(st.council, st.body)].to_dict()
        rows.append({"year": st.year, "label": st.label, "council_layer": st.council, "body_layer": st.body,
                     "council_alignment": _rate(s["a_to_b"], "alignment_rate", by), "body_alignment": _rate(s["b_to_a"], "alignment_rate", by),
                     "council_coterminosity": _rate(s["a_to_b"], "coterminosity_rate", by),
                     "body_coterminosity": _rate(s["b_to_a"], "coterminosity_rate", by),
                     "councils_split": s["a_to_b"]["split"], "body_units": s["b_to_a"]["units"], "map": pair_map_name(st.council, st.body)})
    return pd.DataFrame(rows)


def _scenario_names(plan: DemoPlan) -> list[str]:
    try:
        from ..scenarios import list_scenarios
    except ImportError:
        return []
    shipped = list_scenarios()
    if plan.scenarios is not None:
        names = [s.id for s in shipped if s.id in plan.scenarios]
    else:  # a superseded file (its first note says so) gives way to the one that replaces it
        names = [s.id for s in shipped if not superseded(s)]
    return sorted(names)


def superseded(sc) -> bool:
    """Whether a scenario's first note is ``status: superseded …`` (scenarios/README.md's status convention)."""
    return bool(sc.notes) and str(sc.notes[0]).casefold().startswith("status: superseded")


def _run_scenarios(names: list[str], tmp: Path, by: str, tick) -> list[dict]:
    from .scenarios import run_scenario

    rows = []
    for name in names:
        rows.append(run_scenario(name, tmp, by))
        tick(f"scenario {name}")
    return rows


def _story_with_2026(story: pd.DataFrame, scen_rows: list[dict]) -> pd.DataFrame:
    """Add the 2026 ICB mergers (a scenario's 'after' against counties) to the story when the catalogue's
    ``icb-2026`` layer is not already in it (the full plan has it: this serves plans with other columns)."""
    if len(story) and (story["body_layer"] == "icb-2026").any():
        return story
    for r in scen_rows:
        match = [p for p in r.get("partners", []) if p["partner"] in ("utla-2024", "utla-2021")]
        if r.get("layer") in ("icb-2024", "icb-2022") and match:
            r = {**r, **match[0]}
            extra = {"year": "2026", "label": f"Integrated care boards after the April 2026 mergers ({r['name']})",
                     "council_layer": r["partner"], "body_layer": f"scenario: {r['slug']}",
                     "council_alignment": r["after_partner_alignment"], "body_alignment": r["after_alignment"],
                     "council_coterminosity": r["after_partner_coterminosity"], "body_coterminosity": r["after_coterminosity"],
                     "councils_split": r["after_partner_split"], "body_units": r["after_units"], "map": r["map"]}
            story = pd.concat([story, pd.DataFrame([extra])], ignore_index=True)
    return story


def _scenario_table(rows: list[dict]) -> pd.DataFrame:
    """One row per scenario and partner layer."""
    out = []
    for r in rows:
        for p in r["partners"]:
            out.append({"scenario": r["slug"], "name": r["name"], "layer": r["layer"], "confidence": r["confidence"], **p, "map": r["map"]})
    from ..report import BASIS_COLUMNS

    df = pd.DataFrame(out)
    return df[[c for c in df.columns if c not in BASIS_COLUMNS] + [c for c in BASIS_COLUMNS if c in df.columns]]


def _breakers(plan: DemoPlan, results: dict) -> pd.DataFrame:
    """Councils really split by the most bodies (minor splits, ≥ 95% in one body, counted apart).

    ``people_outside_main`` is, over the bodies splitting the council, the most residents living
    outside the body that holds most of it (the people on the other side of the boundary).
    """
    frames = []
    for body in plan.breaker_bodies:
        key = (plan.breaker_council, body)
        if key not in results:
            continue
        u = results[key].units
        u = u[(u.side == "a") & u["class"].isin(["split", "minor split"])]
        pop = pd.to_numeric(u.population, errors="coerce")
        frames.append(pd.DataFrame({"code": u.code, "name": u.name, "body": body, "real": (u["class"] == "split").to_numpy(),
                                    "outside_main": (pop * (1 - pd.to_numeric(u.dominant_share, errors="coerce"))).round(),
                                    "map": pair_map_name(*key)}))
    cols = ["code", "name", "bodies_splitting", "minor_splits", "people_outside_main", "bodies", "maps"]
    if not frames:
        return pd.DataFrame(columns=cols)
    df = pd.concat(frames, ignore_index=True)
    real = df[df.real]
    if real.empty:
        return pd.DataFrame(columns=cols)
    minor = df[~df.real].groupby("code").size()
    g = real.groupby(["code", "name"], sort=True)
    out = pd.DataFrame({
        "bodies_splitting": g.size(),
        "people_outside_main": g["outside_main"].max(),
        "bodies": g["body"].agg(lambda s: ";".join(sorted(s))),
        "maps": g["map"].agg(lambda s: ";".join(sorted(s))),
    }).reset_index()
    out["minor_splits"] = out["code"].map(minor).fillna(0).astype(int)
    out = out[cols]
    return out.sort_values(["bodies_splitting", "people_outside_main", "code"], ascending=[False, False, True], ignore_index=True)


def _write_unit_gpkg(results: dict, path: Path, layers=None) -> None:
    """One GeoPackage layer per council layer: its geometry and its class against each body (opens in QGIS)."""
    import geopandas as gpd

    from ..io import write_gpkg_layers

    load_layer = layers.__getitem__ if layers is not None else _Layers().__getitem__

    by_council: dict[str, list] = {}
    for (a, b), sc in sorted(results.items()):
        u = sc.units[sc.units.side == "a"].set_index("code")
        by_council.setdefault(a, []).append((b, u))
    layers = []
    for a, items in sorted(by_council.items()):
        lay = load_layer(a)
        df = pd.DataFrame({"code": lay.codes.astype(str), "name": lay.names.to_numpy()}, index=lay.codes)
        for b, u in items:
            df[f"class_vs_{b}"] = u["class"].reindex(df.index).fillna("outside").to_numpy()
            df[f"share_vs_{b}"] = u["dominant_share"].reindex(df.index).to_numpy()
            df[f"main_{b}"] = u["dominant_name"].reindex(df.index).fillna("").to_numpy()
        layers.append((a, gpd.GeoDataFrame(df.reset_index(drop=True), geometry=lay.frame.geometry.to_numpy(), crs=lay.crs)))
    write_gpkg_layers(layers, path)  # deterministic (fixed date) and atomic
    from ..qgis_styles import add_layer_styles, class_column_styles  # QGIS opens each layer filled by class

    add_layer_styles(path, [s for a, items in sorted(by_council.items()) for s in class_column_styles(a, [f"class_vs_{b}" for b, _ in items])])
