"""The main job: the whole picture of English coterminosity, written as a folder of maps and tables.

``run_demo(out)`` computes a council × body matrix (health, police, fire, resilience) across time,
the council–NHS story from CCGs to ICBs and the 2026 mergers, every shipped scenario's before and
after, and the units that break alignment most often; it writes ``index.html`` (offline), one map
per matrix pair and per scenario, the CSV tables behind every figure and a GeoPackage of per-unit
classes. The folder is built aside and swapped in at the end, so an interrupted run leaves the
previous complete output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["run_demo", "DemoPlan", "full_plan", "quick_plan"]


@dataclass(frozen=True)
class Cell:
    council: str
    body: str


@dataclass(frozen=True)
class Step:
    year: str
    label: str
    council: str
    body: str


@dataclass(frozen=True)
class DemoPlan:
    rows: tuple[str, ...]                 # council row labels
    columns: tuple[str, ...]              # body layer ids
    cells: dict                           # (row label, body) -> council layer id
    story: tuple[Step, ...]
    scenarios: tuple[str, ...] | None     # shipped scenario names; None = all
    breaker_bodies: tuple[str, ...]
    breaker_council: str
    by: str = "population"
    extra: dict = field(default_factory=dict)


DEMO_OUTPUTS = ("index.html", "pairs", "scenarios", "tables", "coterm_units.gpkg")
DISTRICTS, COUNTIES = "Districts", "Counties & unitaries"


def _council_for(row: str, body: str) -> str:
    """The council layer of the body's era (both built from the same LSOAs, so atom mode applies)."""
    from .catalog import get_entry

    year = int(get_entry(body).vintage)
    if row == DISTRICTS:
        return "ltla-2013" if year <= 2015 else "ltla-2019" if year == 2019 else "ltla-2021"
    return "utla-2013" if year <= 2015 else "utla-2021"


def full_plan() -> DemoPlan:
    cols = ("sha-2011", "ccg-2015", "ccg-2020", "sicbl-2022", "icb-2022", "pfa-2020", "csp-2019", "fra-2021", "lrf-2020")
    rows = (DISTRICTS, COUNTIES)
    cells = {(r, c): _council_for(r, c) for r in rows for c in cols}
    story = (
        Step("2006–13", "Strategic health authorities (approximate)", "utla-2013", "sha-2011"),
        Step("2013–15", "Clinical commissioning groups (209)", "utla-2013", "ccg-2015"),
        Step("2020", "Clinical commissioning groups (135)", "utla-2021", "ccg-2020"),
        Step("2022", "Sub-ICB locations (106)", "utla-2021", "sicbl-2022"),
        Step("2022", "Integrated care boards (42)", "utla-2021", "icb-2022"),
    )
    return DemoPlan(rows=rows, columns=cols, cells=cells, story=story, scenarios=None,
                    breaker_bodies=("ccg-2020", "sicbl-2022", "icb-2022", "pfa-2020", "fra-2021", "lrf-2020"), breaker_council="ltla-2021")


def quick_plan() -> DemoPlan:
    cols = ("icb-2022", "pfa-2020")
    rows = (DISTRICTS,)
    cells = {(r, c): _council_for(r, c) for r in rows for c in cols}
    story = (Step("2013–15", "Clinical commissioning groups (209)", "utla-2013", "ccg-2015"),
             Step("2022", "Integrated care boards (42)", "utla-2021", "icb-2022"))
    return DemoPlan(rows=rows, columns=cols, cells=cells, story=story, scenarios=("met-bcus-2019",),
                    breaker_bodies=("icb-2022", "pfa-2020"), breaker_council="ltla-2021")


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
    from .io import atomic_dir, write_csv, write_json, write_text
    from .maps import coterminosity_map, save_map
    from .overlap import overlap
    from .scoring import score

    plan = plan or (quick_plan() if quick else full_plan())
    pairs = sorted({(plan.cells[(r, c)], c) for r in plan.rows for c in plan.columns} | {(s.council, s.body) for s in plan.story})
    scen_names = _scenario_names(plan)
    total = len(pairs) + len(scen_names) + 2
    done = 0

    def tick(label):
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    results: dict[tuple[str, str], object] = {}
    out = Path(out)
    with atomic_dir(out, owned=DEMO_OUTPUTS) as tmp:
        (tmp / "pairs").mkdir()
        (tmp / "scenarios").mkdir()
        (tmp / "tables").mkdir()
        for a, b in pairs:
            sc = score(overlap(a, b, weight=by))
            results[(a, b)] = sc
            save_map(coterminosity_map(sc), tmp / pair_map_name(a, b))
            tick(f"{a} × {b}")
        matrix = _matrix_table(plan, results, by)
        story = _story_table(plan, results, by)
        scen_rows = _run_scenarios(scen_names, tmp, by, tick)
        story = _story_with_2026(story, scen_rows)
        breakers = _breakers(plan, results)
        write_csv(matrix, tmp / "tables" / "matrix.csv")
        write_csv(story, tmp / "tables" / "story.csv")
        write_csv(_scenario_table(scen_rows), tmp / "tables" / "scenarios.csv")
        write_csv(breakers, tmp / "tables" / "breakers.csv")
        for (a, b), sc in sorted(results.items()):
            write_csv(sc.units, tmp / "tables" / f"units__{_slug(a)}__{_slug(b)}.csv")
        write_json({"by": by, "pairs": {f"{a}__{b}": sc.to_dict() for (a, b), sc in sorted(results.items())}}, tmp / "tables" / "summaries.json")
        _write_unit_gpkg(results, tmp / "coterm_units.gpkg")
        tick("tables")
        from .demo_page import index_html

        html = index_html(plan=plan, matrix=matrix, story=story, scenarios=scen_rows, breakers=breakers, by=by, quick=quick)
        write_text(html, tmp / "index.html")
        tick("index.html")
    return out / "index.html"


def _matrix_table(plan: DemoPlan, results: dict, by: str) -> pd.DataFrame:
    rows = []
    for r in plan.rows:
        for c in plan.columns:
            a = plan.cells[(r, c)]
            s = results[(a, c)].to_dict()
            rows.append({
                "row": r, "council_layer": a, "body_layer": c, "body_title": s["b_title"], "mode": s["mode"], "weight": s["weight"],
                "council_units": s["a_to_b"]["units"], "body_units": s["b_to_a"]["units"],
                "council_alignment": _rate(s["a_to_b"], "alignment_rate", by), "body_alignment": _rate(s["b_to_a"], "alignment_rate", by),
                "council_coterminosity": _rate(s["a_to_b"], "coterminosity_rate", by), "body_coterminosity": _rate(s["b_to_a"], "coterminosity_rate", by),
                "councils_split": s["a_to_b"]["split"], "bodies_split": s["b_to_a"]["split"],
                "people_in_split_councils": s["a_to_b"]["people_in_split_units"],
                "map": pair_map_name(a, c),
            })
    return pd.DataFrame(rows)


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
        from .scenarios import list_scenarios
    except ImportError:
        return []
    names = [s.id for s in list_scenarios()]
    if plan.scenarios is not None:
        names = [n for n in names if n in plan.scenarios]
    return sorted(names)


def _run_scenarios(names: list[str], tmp: Path, by: str, tick) -> list[dict]:
    from .demo_scenarios import run_scenario

    rows = []
    for name in names:
        rows.append(run_scenario(name, tmp, by))
        tick(f"scenario {name}")
    return rows


def _story_with_2026(story: pd.DataFrame, scen_rows: list[dict]) -> pd.DataFrame:
    """Add the 2026 ICB mergers (the scenario's 'after' against counties) to the story, when computed."""
    for r in scen_rows:
        match = [p for p in r.get("partners", []) if p["partner"] == "utla-2021"]
        if r.get("layer") == "icb-2022" and match:
            r = {**r, **match[0]}
            extra = {"year": "2026", "label": f"Integrated care boards after the April 2026 mergers ({r['name']})",
                     "council_layer": "utla-2021", "body_layer": f"scenario: {r['slug']}",
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
    return pd.DataFrame(out)


def _breakers(plan: DemoPlan, results: dict) -> pd.DataFrame:
    """Councils split by the most bodies: how many of the compared bodies cut each district."""
    frames = []
    for body in plan.breaker_bodies:
        key = (plan.breaker_council, body)
        if key not in results:
            continue
        u = results[key].units
        u = u[(u.layer == "a") & u["class"].isin(["split", "minor split"])]
        frames.append(pd.DataFrame({"code": u.code, "name": u.name, "body": body, "dominant_share": u.dominant_share,
                                    "population": u.population, "map": pair_map_name(*key)}))
    if not frames:
        return pd.DataFrame(columns=["code", "name", "bodies_splitting", "bodies", "population", "maps"])
    df = pd.concat(frames, ignore_index=True)
    g = df.groupby(["code", "name"], sort=True)
    out = pd.DataFrame({
        "bodies_splitting": g.size(),
        "bodies": g["body"].agg(lambda s: ";".join(sorted(s))),
        "population": g["population"].max(),
        "maps": g["map"].agg(lambda s: ";".join(sorted(s))),
    }).reset_index()
    return out.sort_values(["bodies_splitting", "population", "code"], ascending=[False, False, True], ignore_index=True)


def _write_unit_gpkg(results: dict, path: Path) -> None:
    """One GeoPackage layer per council layer: its geometry and its class against each body (opens in QGIS)."""
    import geopandas as gpd

    from .io import write_gpkg_layers
    from .layer import load_layer

    by_council: dict[str, list] = {}
    for (a, b), sc in sorted(results.items()):
        u = sc.units[sc.units.layer == "a"].set_index("code")
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
