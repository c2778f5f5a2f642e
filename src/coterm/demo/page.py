"""The demo's landing page: one self-contained HTML file (no scripts, no network).

Rendered from the package template ``templates/index.html.j2`` (jinja2, autoescape): every value
from data is a context value, escaped once; the catalogue's attribution goes through the one
sanitiser of every page (:func:`coterm.maps.html.safe_attribution`).
"""

from __future__ import annotations

import pandas as pd

from ..maps.html import fmt_int, fmt_pct

__all__ = ["index_html", "cell_colour", "RAMP"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px;box-sizing:border-box}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid #d9dee5;padding-bottom:4px}
p.lead{font-size:16px;color:#2f3b47;max-width:900px}
.scroll{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08);margin:8px 0}
th,td{padding:6px 9px;border:1px solid #e4e7eb;text-align:left;vertical-align:top;font-size:13.5px}
th{background:#eef1f4;font-weight:600}
td.cell{min-width:96px;text-align:center}td.cell a{color:inherit;text-decoration:none;display:block}
td.cell .big{font-size:17px;font-weight:700}.small{font-size:11.5px;color:#323f4b}
.bar{height:10px;background:#d9dee5;border-radius:5px;position:relative;min-width:120px}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:#2b3da9}
.bar.b span{background:#d34e00}
.key span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px;font-size:12.5px;color:#111}
code{background:#eef1f4;padding:1px 4px;border-radius:3px;font-size:12.5px;overflow-wrap:anywhere}
.note{color:#46525e;font-size:13px;max-width:960px}
footer{margin-top:40px;font-size:12.5px;color:#46525e}
a{color:#1b5fb4}
@media (max-width:699px){main{padding:14px 12px 40px}h1{font-size:21px}th,td{padding:4px 5px;font-size:12.5px}
td.cell{min-width:70px}td.cell .big{font-size:14px}}
@media print{.scroll{overflow:visible}a{color:inherit}}
"""

# alignment rate → cell colour: vermilion tint (poor) → near white (partial) → blue tint (clear); an orange–blue
# ramp stays readable under red–green and blue–yellow colour-vision deficiency (tests/test_demo_colour.py)
RAMP = ((0.0, (240, 150, 110)), (0.6, (238, 238, 230)), (1.0, (110, 160, 235)))


def cell_colour(v) -> str:
    if v is None or pd.isna(v):
        return "#eeeeee"
    v = max(0.0, min(1.0, float(v)))
    for (x0, c0), (x1, c1) in zip(RAMP, RAMP[1:]):
        if v <= x1:
            t = (v - x0) / (x1 - x0)
            return "#%02x%02x%02x" % tuple(round(c0[i] + t * (c1[i] - c0[i])) for i in range(3))
    return "#%02x%02x%02x" % RAMP[-1][1]


def _title(layer_id: str) -> str:
    from ..catalog import get_entry

    try:
        return get_entry(layer_id).title
    except Exception:
        return str(layer_id)


def _matrix(plan, matrix: pd.DataFrame) -> tuple[list, list]:
    columns = [{"id": c, "title": _title(c)} for c in plan.columns]
    rows = []
    for r in plan.rows:
        cells = []
        for c in plan.columns:
            m = matrix[(matrix.row == r) & (matrix.body_layer == c)].iloc[0]
            vals = [v for v in (m.council_alignment, m.body_alignment) if v is not None and not pd.isna(v)]
            cells.append({
                "colour": cell_colour(min(vals) if vals else None), "map": m["map"],
                "council_alignment": fmt_pct(m.council_alignment), "body_alignment": fmt_pct(m.body_alignment),
                "councils_split": int(m.councils_split), "council_units": int(m.councils_covered),
                "councils_outside": int(m.get("councils_outside", 0) or 0),
                "council_title": _title(m.council_layer),
                "tip": m.get("lead", "") or "",
            })
        rows.append({"label": r, "cells": cells})
    return columns, rows


def _other_pairs(df: pd.DataFrame | None) -> list:
    if df is None or df.empty:
        return []
    return [{"map": r.map, "a_title": r.a_title, "b_title": r.b_title, "lead": r.lead, "pair": f"{r.council_layer} {r.body_layer}",
             "a_alignment": fmt_pct(r.a_alignment), "b_alignment": fmt_pct(r.b_alignment),
             "a_split": int(r.a_split), "a_units": int(r.a_units), "a_outside": int(r.a_outside),
             "b_split": int(r.b_split), "b_units": int(r.b_units), "b_outside": int(r.b_outside)} for r in df.itertuples()]


def _story(story: pd.DataFrame) -> list:
    out = []
    for s in story.itertuples():
        out.append({"year": str(s.year), "label": s.label, "map": s.map, "council_title": _title(s.council_layer),
                    "council_alignment": fmt_pct(s.council_alignment), "body_alignment": fmt_pct(s.body_alignment),
                    "council_width": f"{100 * float(s.council_alignment or 0):.1f}",
                    "body_width": f"{100 * float(s.body_alignment or 0):.1f}", "councils_split": int(s.councils_split)})
    return out


def _scenarios(rows: list[dict]) -> list:
    out = []
    for r in rows:
        changed = [str(c) for c in (r.get("changed_list") or [])]
        quiet = [p.get("partner_title", p["partner"]) for p in r.get("partners", []) if p.get("no_effect")]
        out.append({"map": r["map"], "name": r["name"], "description": r.get("description", ""),
                    "confidence": str(r.get("confidence", "")), "file": r["file"],
                    "partner_title": r.get("partner_title", r["partner"]), "no_effect": bool(r.get("no_effect")),
                    "before_alignment": fmt_pct(r["before_alignment"]), "after_alignment": fmt_pct(r["after_alignment"]),
                    "before_partner_alignment": fmt_pct(r["before_partner_alignment"]),
                    "after_partner_alignment": fmt_pct(r["after_partner_alignment"]),
                    "coterminosity": f"{fmt_pct(r.get('before_coterminosity'))} → {fmt_pct(r.get('after_coterminosity'))}",
                    "partner_coterminosity": (f"{fmt_pct(r.get('before_partner_coterminosity'))} → "
                                              f"{fmt_pct(r.get('after_partner_coterminosity'))}"),
                    "changed_units": int(r["changed_units"]), "changed": changed[:5], "more": max(0, len(changed) - 5),
                    "backtest": r.get("backtest", ""), "backtest_table": r.get("backtest_table", ""),
                    "no_effect_on": ", ".join(q for q in quiet if q != r.get("partner_title", r["partner"]))})
    return out


def _breakers(breakers: pd.DataFrame, plan, n: int = 15) -> tuple[str, list]:
    council = _title(plan.breaker_council)
    if breakers.empty:
        return f"No council of {council} is really split by the bodies compared.", []
    bodies = len(plan.breaker_bodies)
    lead = (f"{len(breakers)} councils of {council} are split by at least one of the {bodies} bodies compared; "
            f"{int((breakers.bodies_splitting >= 2).sum())} by two or more.")
    rows = []
    for r in breakers.head(n).itertuples():
        links = [{"href": m, "text": _title(b)} for b, m in zip(r.bodies.split(";"), r.maps.split(";"))]
        rows.append({"name": r.name, "code": r.code, "bodies_splitting": int(r.bodies_splitting),
                     "minor_splits": int(r.minor_splits), "people": fmt_int(r.people_outside_main), "links": links})
    return lead, rows


def _attributions(plan) -> list[str]:
    from ..catalog import get_entry

    ids = sorted(set(plan.columns) | set(plan.cells.values()) | {s.council for s in plan.story} | {s.body for s in plan.story})
    seen = []
    for i in ids:
        a = get_entry(i).attribution
        if a and a not in seen:
            seen.append(a)
    return seen


def _attribution(plan) -> str:
    """The catalogue's attribution (through the one sanitiser) and each layer's, as HTML."""
    from markupsafe import escape

    from ..catalog import catalog
    from ..maps.html import safe_attribution

    items = "".join(f"<li>{escape(a)}</li>" for a in _attributions(plan))
    return f"<p>{safe_attribution(catalog().attribution_html)}</p><ul>{items}</ul>"


def _population_source(plan) -> str:
    from ..catalog import catalog, get_entry

    try:
        e = get_entry(plan.cells[(plan.rows[0], plan.columns[0])])
        return catalog().atom_base(e.atoms.base).population_source if e.atoms is not None else ""
    except Exception:
        return ""


def index_html(*, plan, matrix: pd.DataFrame, story: pd.DataFrame, scenarios: list[dict], breakers: pd.DataFrame, by: str,
               quick: bool, lead: str = "", decisions: str = "", workbench: str = "", bcu: str = "", pct: str = "",
               other_pairs: pd.DataFrame | None = None) -> str:
    from markupsafe import Markup

    from .. import __version__
    from ..catalog import catalog
    from ..maps.html import safe_attribution
    from ..maps.page import environment

    columns, rows = _matrix(plan, matrix)
    breakers_lead, breaker_rows = _breakers(breakers, plan)
    first = matrix.iloc[0] if len(matrix) else None
    ctx = {
        "css": Markup(_CSS), "lead": lead, "basis": by, "quick": quick,
        "population_source": _population_source(plan) if by == "population" else "",
        "key": [{"colour": cell_colour(0.2), "label": "poor"}, {"colour": cell_colour(0.6), "label": "partial"},
                {"colour": cell_colour(1.0), "label": "clear"}],
        "columns": columns, "matrix": rows, "story": _story(story), "scenarios": _scenarios(scenarios),
        "breakers_lead": breakers_lead, "breakers": breaker_rows,
        "example_pair": f"{first.council_layer} {first.body_layer}" if first is not None else "ltla-2024 icb-2026",
        "attribution": Markup(safe_attribution(catalog().attribution_html)), "attributions": _attributions(plan),
        "version": __version__, "decisions": decisions, "workbench": workbench, "bcu": bcu, "pct": pct,
        "other_pairs": _other_pairs(other_pairs),
    }
    return environment("coterm.demo").get_template("index.html.j2").render(**ctx)
