"""The demo's landing page: one self-contained HTML file (no scripts, no network), every data text escaped."""

from __future__ import annotations

from html import escape

import pandas as pd

__all__ = ["index_html"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid #d9dee5;padding-bottom:4px}
p.lead{font-size:16px;color:#3e4c59;max-width:900px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08);margin:8px 0}
th,td{padding:6px 9px;border:1px solid #e4e7eb;text-align:left;vertical-align:top;font-size:13.5px}
th{background:#eef1f4;font-weight:600}
td.cell{min-width:96px;text-align:center}td.cell a{color:inherit;text-decoration:none;display:block}
td.cell .big{font-size:17px;font-weight:700}td.cell .small{font-size:11.5px;color:#323f4b}
.bar{height:10px;background:#d9dee5;border-radius:5px;position:relative;min-width:160px}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:#2f80ed}
.bar.b span{background:#f2994a}
.key span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px;font-size:12.5px}
code{background:#eef1f4;padding:1px 4px;border-radius:3px;font-size:12.5px}
.note{color:#52606d;font-size:13px;max-width:960px}
footer{margin-top:40px;font-size:12.5px;color:#52606d}
a{color:#1b5fb4}
"""


def _pct(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    return f"{100 * float(v):.0f}%"


def _colour(v) -> str:
    """Red (0) → amber → green (1) for an alignment rate."""
    if v is None or pd.isna(v):
        return "#eeeeee"
    v = max(0.0, min(1.0, float(v)))
    # three stops: #e05656 (0), #f2c94c (0.6), #5cb85c (1)
    stops = [(0.0, (224, 86, 86)), (0.6, (242, 201, 76)), (1.0, (92, 184, 92))]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if v <= x1:
            t = (v - x0) / (x1 - x0)
            rgb = [round(c0[i] + t * (c1[i] - c0[i])) for i in range(3)]
            return "#%02x%02x%02x" % tuple(rgb)
    return "#5cb85c"


def _a(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _matrix(plan, matrix: pd.DataFrame, by: str) -> str:
    from .catalog import get_entry

    head = "".join(f"<th>{escape(get_entry(c).title)}<br><code>{escape(c)}</code></th>" for c in plan.columns)
    rows = []
    for r in plan.rows:
        cells = []
        for c in plan.columns:
            m = matrix[(matrix.row == r) & (matrix.body_layer == c)].iloc[0]
            worst = min(v for v in (m.council_alignment, m.body_alignment) if v is not None and not pd.isna(v)) if (
                m.council_alignment is not None or m.body_alignment is not None) else None
            tip = (f"{m.council_layer} × {c}: {_pct(m.council_alignment)} of councils and {_pct(m.body_alignment)} of bodies "
                   f"aligned by {by}; coterminous {_pct(m.council_coterminosity)} / {_pct(m.body_coterminosity)}")
            cells.append(
                f'<td class="cell" style="background:{_colour(worst)}" title="{escape(tip, quote=True)}">'
                f'<a href="{escape(m["map"], quote=True)}"><span class="big">{_pct(m.council_alignment)} · {_pct(m.body_alignment)}</span>'
                f'<br><span class="small">coterminous {_pct(m.council_coterminosity)} · {_pct(m.body_coterminosity)}'
                f'<br>{int(m.councils_split)} councils split</span><br><span class="small">vs <code>{escape(m.council_layer)}</code></span></a></td>')
        rows.append(f"<tr><th>{escape(r)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _story(story: pd.DataFrame, by: str) -> str:
    rows = []
    for s in story.itertuples():
        rows.append(
            f"<tr><td>{escape(str(s.year))}</td><td>{_a(s.map, s.label)}<br><code>{escape(str(s.body_layer))}</code> vs <code>{escape(s.council_layer)}</code></td>"
            f'<td><div class="bar"><span style="width:{100 * float(s.council_alignment or 0):.1f}%"></span></div>{_pct(s.council_alignment)} of councils aligned</td>'
            f'<td><div class="bar b"><span style="width:{100 * float(s.body_alignment or 0):.1f}%"></span></div>{_pct(s.body_alignment)} of bodies aligned</td>'
            f"<td>{_pct(s.council_coterminosity)} · {_pct(s.body_coterminosity)}</td><td>{int(s.councils_split)}</td></tr>")
    return ("<table><tr><th>when</th><th>NHS bodies</th><th>councils → NHS (" + escape(by) + ")</th><th>NHS → councils</th>"
            "<th>coterminous (councils · bodies)</th><th>councils split</th></tr>" + "".join(rows) + "</table>")


def _scenarios(rows: list[dict], by: str) -> str:
    if not rows:
        return '<p class="note">No scenarios were run.</p>'
    out = []
    for r in rows:
        changed = r.get("changed_list") or []
        listed = "".join(f"<li>{escape(c)}</li>" for c in changed[:5])
        more = f"<li>… and {len(changed) - 5} more (see the map)</li>" if len(changed) > 5 else ""
        out.append(
            f"<tr><td><b>{_a(r['map'], r['name'])}</b><br><span class='note'>{escape(r.get('description', ''))}</span>"
            f"<br><span class='note'>confidence: {escape(str(r.get('confidence', '')))}</span></td>"
            f"<td><code>{escape(r['layer'])}</code> vs <code>{escape(r['partner'])}</code></td>"
            f"<td>{_pct(r['before_alignment'])} → <b>{_pct(r['after_alignment'])}</b></td>"
            f"<td>{_pct(r['before_partner_alignment'])} → <b>{_pct(r['after_partner_alignment'])}</b></td>"
            f"<td>{int(r['changed_units'])}<ul>{listed}{more}</ul></td>"
            f"<td><code>coterm scenario {escape(r['file'])}</code></td></tr>")
    return ("<table><tr><th>scenario</th><th>layers</th><th>bodies aligned (before → after)</th><th>partners aligned</th>"
            "<th>units whose class changed</th><th>reproduce</th></tr>" + "".join(out) + "</table>")


def _breakers(breakers: pd.DataFrame, n: int = 15) -> str:
    if breakers.empty:
        return '<p class="note">No district is split by the bodies compared.</p>'
    rows = []
    for r in breakers.head(n).itertuples():
        links = ", ".join(_a(m, b) for b, m in zip(r.bodies.split(";"), r.maps.split(";")))
        pop = "–" if pd.isna(r.population) else f"{float(r.population):,.0f}"
        rows.append(f"<tr><td>{escape(r.name)} <code>{escape(r.code)}</code></td><td>{int(r.bodies_splitting)}</td><td>{links}</td><td>{pop}</td></tr>")
    return "<table><tr><th>district</th><th>bodies splitting it</th><th>maps</th><th>residents</th></tr>" + "".join(rows) + "</table>"


def _attribution(plan) -> str:
    from .catalog import catalog, get_entry
    from .maps.html import safe_attribution

    ids = sorted(set(plan.columns) | set(plan.cells.values()) | {s.council for s in plan.story} | {s.body for s in plan.story})
    seen = []
    for i in ids:
        a = get_entry(i).attribution
        if a and a not in seen:
            seen.append(a)
    items = "".join(f"<li>{escape(a)}</li>" for a in seen)
    # the one sanitiser of every page (maps too): text and plain http(s) links only
    return f"<p>{safe_attribution(catalog().attribution_html)}</p><ul>{items}</ul>"


def index_html(*, plan, matrix: pd.DataFrame, story: pd.DataFrame, scenarios: list[dict], breakers: pd.DataFrame, by: str, quick: bool) -> str:
    from . import __version__

    legend = ("<p class='key'>Cell colour: the lower of the two alignment rates — "
              f"<span style='background:{_colour(0.2)}'>poor</span><span style='background:{_colour(0.6)}'>partial</span>"
              f"<span style='background:{_colour(1.0)}'>clear</span></p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>coterm: how well do England's public-body boundaries line up?</title><style>{_CSS}</style></head>
<body><main>
<h1>How well do England's public-body boundaries line up?</h1>
<p class="lead">Councils, NHS bodies, police, fire and resilience forums each draw their own map of England. Where the maps
coincide, joint working is simple; where they cut across each other, it is not. This page measures the fit for every pair,
weighted by <b>{escape(by)}</b>, from ONS boundaries built on one consistent base of LSOAs, so overlaps are exact.{" <b>Quick run: a subset of pairs.</b>" if quick else ""}</p>
<p class="note">A unit is <b>coterminous</b> when it matches one unit of the other layer exactly; <b>nested</b> when it lies
inside one that has other parts too; <b>contains</b> when it is the union of whole units of the other layer; <b>split</b>
when it straddles (minor split: at least 95% in one). <b>Aligned</b> = coterminous, nested or contains — the "clear
relationship" of policy documents. Each cell gives both directions: the share of councils aligned with the bodies, and the
share of bodies aligned with the councils.</p>

<h2>Coterminosity matrix</h2>
{legend}
{_matrix(plan, matrix, by)}
<p class="note">Each cell links to the pair's interactive map. Councils are taken at the bodies' time (2013 councils for
2015 CCGs, 2019 districts for 2019 CSPs, 2021 councils otherwise). Table: <a href="tables/matrix.csv">tables/matrix.csv</a>;
per-unit classes for QGIS: <a href="coterm_units.gpkg">coterm_units.gpkg</a>.</p>

<h2>The story over time: councils and the NHS</h2>
{_story(story, by)}
<p class="note">Primary care trusts (2006–2013) were mostly coterminous with the 152 social-services councils, but their
boundaries are not in the bundled data, so the story starts with the strategic health authorities (approximate, built from
regions) and the first clinical commissioning groups. Table: <a href="tables/story.csv">tables/story.csv</a>.</p>

<h2>Scenarios: what would these mergers do?</h2>
{_scenarios(scenarios, by)}
<p class="note">Table: <a href="tables/scenarios.csv">tables/scenarios.csv</a>. Scenario files live in <code>scenarios/</code>,
each with its source and confidence.</p>

<h2>Districts split most often</h2>
{_breakers(breakers)}
<p class="note">Table: <a href="tables/breakers.csv">tables/breakers.csv</a>.</p>

<h2>Reproduce any figure</h2>
<p>Every number comes from the command line, e.g. <code>coterm compare ltla-2021 icb-2022 --by {escape(by)}</code> for a
matrix cell, <code>coterm scenario scenarios/&lt;file&gt;.toml</code> for a scenario and <code>coterm map A B</code> for a
map. The whole page: <code>coterm demo{" --quick" if quick else ""}</code>.</p>

<footer><h2>Data</h2>{_attribution(plan)}<p>Made with coterm {escape(__version__)}.</p></footer>
</main></body></html>
"""
