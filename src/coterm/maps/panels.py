"""The boxes around a map: legend with counts, headline figures, changed units, attribution.

Each returns an HTML fragment built from escaped parts (:func:`coterm.maps.html.esc`); the page
script inserts it as HTML. Fragments travel inside the page's JSON data, never through a template.
"""

from __future__ import annotations

import re

import pandas as pd

from .html import esc, fmt_int, fmt_pct, safe_attribution
from .style import CLASS_COLOURS, CLASS_HELP, CLASS_ORDER

__all__ = ["class_counts", "legend_html", "summary_html", "changes_html", "attribution_html", "subtitle"]


def class_counts(scores, side: str) -> dict:
    c = scores.units.loc[scores.units["layer"] == side, "class"].astype(str)
    return {k: int((c == k).sum()) for k in CLASS_ORDER}


def legend_html(ov, counts: dict, *, before: dict | None = None, changed: int = 0) -> str:
    other = esc(ov.b.title)
    rows = [f"<h3>{esc(ov.a.title)}</h3><div class=\"ct-code\">coloured by how each unit relates to {other}</div>"]
    for k in CLASS_ORDER:
        if k == "outside" and not counts.get(k) and not (before or {}).get(k):
            continue
        help_ = CLASS_HELP[k].format(other=f"unit of {ov.b.title}", others=f"units of {ov.b.title}")
        was = ""
        if before is not None and before.get(k, 0) != counts.get(k, 0):
            was = f" <small>(was {before.get(k, 0)})</small>"
        rows.append(f'<div class="ct-row"><span class="ct-sw ct-k-{k.replace(" ", "-")}" style="background:{CLASS_COLOURS[k]}"></span>'
                    f'<span class="ct-label">{esc(k)} <small>{esc(help_)}</small></span>'
                    f'<span class="ct-n">{counts.get(k, 0)}{was}</span></div>')
    rows.append(f'<div class="ct-row"><span class="ct-line"></span><span class="ct-label">{other} boundary</span></div>')
    if changed:
        rows.append(f'<div class="ct-row"><span class="ct-dash"></span><span class="ct-label">class changed</span>'
                    f'<span class="ct-n">{changed}</span></div>')
    return "".join(rows)


def _rate(d: dict, key: str, by: str = "count"):
    return (d.get(key) or {}).get(by) if isinstance(d.get(key), dict) else None


def _direction_html(d: dict, title: str, other_title: str, weight: str, before: dict | None) -> str:
    n = d.get("units", 0)

    def delta(key, by="count"):
        if before is None:
            return ""
        b, a = _rate(before, key, by), _rate(d, key, by)
        if b is None or a is None or fmt_pct(b) == fmt_pct(a):
            return ""
        return f" <small>(was {fmt_pct(b)})</small>"

    parts = [f"<p><b>{esc(title)}</b> ({n} units)"]
    parts.append(f"<br>{fmt_pct(_rate(d, 'coterminosity_rate'))} coterminous with {esc(other_title)}{delta('coterminosity_rate')}")
    parts.append(f"<br>{fmt_pct(_rate(d, 'alignment_rate'))} aligned <small>(coterminous, nested or contains)</small>"
                 f"{delta('alignment_rate')}")
    split = d.get("split", 0)
    line = f"<br>{split} split"
    if weight == "population" and d.get("people_in_split_units") is not None:
        share = _rate(d, "split_rate", "population")
        line += f": {fmt_int(d['people_in_split_units'])} residents ({fmt_pct(share)}) live in split units"
    elif d.get("area_in_split_units_km2") is not None:
        share = _rate(d, "split_rate", "area")
        line += f": {fmt_int(d['area_in_split_units_km2'])} km² ({fmt_pct(share)}) in split units"
    parts.append(line + "</p>")
    return "".join(parts)


def summary_html(ov, scores, *, before=None) -> str:
    ind = scores.indices
    bi = before.indices if before is not None else {}
    out = ["<details open><summary>Headline</summary>"]
    out.append(_direction_html(ind.get("a_to_b", {}), ov.a.title, ov.b.title, ov.weight, bi.get("a_to_b")))
    out.append(_direction_html(ind.get("b_to_a", {}), ov.b.title, ov.a.title, ov.weight, bi.get("b_to_a")))
    sym = ind.get("symmetric", {})
    if sym.get("nmi") is not None:
        was = ""
        if bi.get("symmetric", {}).get("nmi") is not None:
            was = f" (was {bi['symmetric']['nmi']:.3f})"
        out.append(f'<p class="ct-code">Normalised mutual information {sym["nmi"]:.3f}{was} (1 = identical)</p>')
    out.append("</details>")
    return "".join(out)


def changes_html(changed: pd.DataFrame, label: str, drawable: set) -> str:
    items = []
    for r in changed.itertuples(index=False):
        text = lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)  # noqa: E731
        desc = text(r.description) or f"{text(r.name) or r.code}: {text(r.before)} → {text(r.after)}"
        attr = f' data-ct-code="{esc(r.code)}" data-ct-role="changed"' if r.code in drawable else ""
        items.append(f"<li{attr}>{esc(desc)}</li>")
    if not items:
        items.append("<li>No unit changed class.</li>")
    return f"<h3>Changed by {esc(label)} ({len(changed)})</h3><ul>{''.join(items)}</ul>"


def attribution_html(*layers) -> str:
    """The layers' attributions (through the one sanitiser), sentences said twice kept once."""
    sentences: list[str] = []
    for lyr in layers:
        text = safe_attribution(getattr(lyr, "attribution_html", ""), getattr(lyr, "attribution", ""))
        for s in re.split(r"(?<=\.)\s+", text.strip()):
            if s and s not in sentences:
                sentences.append(s)
    return " ".join(sentences)


def subtitle(ov) -> str:
    """Plain text: the basis of the figures."""
    weight = "population" if ov.weight == "population" else "area"
    bits = [f"weighted by {weight}", f"{ov.mode} overlay"]
    if ov.min_share:
        bits.append(f"pairs under {fmt_pct(ov.min_share, digits=1)} of both units ignored")
    return " · ".join(bits)
