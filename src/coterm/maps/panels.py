"""The boxes around a map: legend with counts, headline figures, changed units, attribution.

Each returns an HTML fragment built from escaped parts (:func:`coterm.maps.html.esc`); the page
script inserts it as HTML. Fragments travel inside the page's JSON data, never through a template.
"""

from __future__ import annotations

import re

import pandas as pd

from .html import esc, fmt_int, fmt_pct, safe_attribution
from .style import CLASS_COLOURS, CLASS_HELP, CLASS_ORDER

__all__ = ["class_counts", "legend_html", "summary_html", "changes_html", "attribution_html", "subtitle", "figures",
           "lead_sentence", "basis", "basis_text"]


def class_counts(scores, side: str) -> dict:
    c = scores.units.loc[scores.units["side"] == side, "class"].astype(str)
    return {k: int((c == k).sum()) for k in CLASS_ORDER}


def legend_html(ov, counts: dict, *, before: dict | None = None, changed: int = 0, scenario: str | None = None,
                state: str | None = None) -> str:
    """Class swatches with counts (and "was" counts after a scenario), the line styles, the state shown."""
    other = esc(ov.b.title)
    head = f"<h3>{esc(ov.a.title)}</h3>"
    if state is not None:
        head += (f'<div class="ct-state ct-state-{state}">Showing: <b>{"after" if state == "after" else "before"}</b> '
                 f"{esc(scenario or 'the scenario')}</div>")
    rows = [head + f"<div class=\"ct-code\">coloured by how each unit relates to {other}</div>"]
    for k in CLASS_ORDER:
        if k == "outside" and not counts.get(k) and not (before or {}).get(k):
            continue
        help_ = CLASS_HELP[k].format(other=f"unit of {ov.b.title}", others=f"units of {ov.b.title}")
        was = ""
        if before is not None and before.get(k, 0) != counts.get(k, 0):
            was = f" <small>(was {before.get(k, 0)})</small>"
        rows.append(f'<div class="ct-row"><span class="ct-sw ct-k-{k.replace(" ", "-")}" style="background-color:{CLASS_COLOURS[k]}"></span>'
                    f'<span class="ct-label">{esc(k)} <small>{esc(help_)}</small></span>'
                    f'<span class="ct-n">{counts.get(k, 0)}{was}</span></div>')
    rows.append(f'<div class="ct-row"><span class="ct-line"></span><span class="ct-label">{other} boundary</span></div>')
    if state == "after":
        rows.append(f'<div class="ct-row"><span class="ct-body-new"></span><span class="ct-label">new boundary of {esc(ov.a.title)}</span></div>')
    if state is not None:
        rows.append('<div class="ct-row"><span class="ct-body-old"></span><span class="ct-label">boundary before the scenario</span></div>')
    if changed:
        rows.append(f'<div class="ct-row"><span class="ct-dash"></span><span class="ct-label">class changed</span>'
                    f'<span class="ct-n">{changed}</span></div>')
    return "".join(rows)


def basis(ov) -> str:
    """The weight every figure of the map uses: ``"population"`` or ``"area"``."""
    return "population" if ov.by == "population" else "area"


def population_source(ov) -> str:
    """Where the population weights come from (e.g. "ONS Census 2021 TS021 usual residents"), or ""."""
    if basis(ov) != "population":
        return ""
    try:  # the overlap names its own population (source and year), when it can
        pb = getattr(ov, "population_basis", None)
        pb = pb() if callable(pb) else pb
        src = (pb or {}).get("source") or ""
    except Exception:
        src = ""
    if src:
        return str(src)
    base = getattr(ov.a, "atom_base", None) or getattr(ov.b, "atom_base", None) or "lsoa-2021"
    try:
        from ..catalog import catalog

        return catalog().atom_base(base).population_source
    except Exception:  # a user's own layers without a catalogue: say nothing rather than guess
        return ""


def basis_text(ov) -> str:
    """Plain text naming the basis, e.g. "weighted by population (ONS Census 2021 …)"."""
    src = population_source(ov)
    return f"weighted by {basis(ov)}" + (f" ({src})" if src else "")


def figures(ov, scores) -> dict:
    """The headline figures of the map, on its one basis (the same numbers as ``Scores.to_dict()``)."""
    by = basis(ov)
    out = {"basis": by, "population_source": population_source(ov)}
    for d in ("a_to_b", "b_to_a"):
        ind = scores.indices.get(d, {})
        out[d] = {
            "units": int(ind.get("units", 0) or 0),
            "split": int(ind.get("split", 0) or 0),
            "minor_split": int(ind.get("minor_split", 0) or 0),
            "alignment_rate": (ind.get("alignment_rate") or {}).get(by),
            "coterminosity_rate": (ind.get("coterminosity_rate") or {}).get(by),
            "split_rate": (ind.get("split_rate") or {}).get(by),
            "people_in_split_units": ind.get("people_in_split_units"),
        }
    return out


def _people(n) -> str:
    """A number of people in words a planner can quote: "1.9 million", "48,300", "730"."""
    if n is None or (isinstance(n, float) and n != n):
        return "–"
    n = float(n)
    if n >= 1e6:
        return f"{n / 1e6:.1f} million"
    if n >= 10_000:
        return f"{round(n, -2):,.0f}"
    return f"{n:,.0f}"


def lead_sentence(ov, scores) -> str:
    """One or two sentences a planner can quote (plain text), e.g. "12 of 287 district councils straddle two or more ICBs"."""
    from .style import nouns

    f = figures(ov, scores)
    a = f["a_to_b"]
    outside = int(scores.indices.get("a_to_b", {}).get("outside", 0) or 0)
    covered = a["units"]  # the units the other layer covers: "outside" ones are already left out
    one_a, many_a = nouns(ov.a)
    one_b, many_b = nouns(ov.b)
    where = f" in the area the {many_b} cover" if outside else ""
    if a["split"] == 0:
        text = f"None of the {covered} {many_a}{where} straddles a boundary between {many_b}."
    else:
        text = (f"{a['split']} of {covered} {many_a}{where} straddle{'s' if a['split'] == 1 else ''} two or more {many_b}"
                + (f" ({a['minor_split']} only slightly: at least 95% in one)" if a["minor_split"] else "") + ".")
        if f["basis"] == "population" and a["people_in_split_units"] is not None:
            text += f" {_people(a['people_in_split_units'])} people live in them."
    b = f["b_to_a"]
    if b["units"]:
        text += f" {pct_words(b['alignment_rate'])} of {many_b}' residents" if f["basis"] == "population" else \
            f" {pct_words(b['alignment_rate'])} of the {many_b}' area"
        text += f" {'are' if f['basis'] == 'population' else 'is'} in {many_b} made of whole {many_a} or inside one."
    return text


def pct_words(v) -> str:
    return fmt_pct(v).replace("–", "an unknown share")


def _direction_html(fd: dict, title: str, other_title: str, by: str, before: dict | None) -> str:
    def delta(key):
        if before is None:
            return ""
        b, a = before.get(key), fd.get(key)
        if b is None or a is None or fmt_pct(b) == fmt_pct(a):
            return ""
        return f" <small>(was {fmt_pct(b)})</small>"

    of = "residents" if by == "population" else "area"
    parts = [f"<p><b>{esc(title)}</b> <small>({fd['units']} units)</small>"]
    parts.append(f"<br>{fmt_pct(fd['alignment_rate'])} of {of} in units with a clear relationship to {esc(other_title)}"
                 f"{delta('alignment_rate')}")
    parts.append(f"<br>{fmt_pct(fd['coterminosity_rate'])} of {of} in coterminous units{delta('coterminosity_rate')}")
    line = f"<br>{fd['split']} split" + (f" ({fd['minor_split']} minor)" if fd["minor_split"] else "")
    if by == "population" and fd.get("people_in_split_units") is not None:
        line += f": {fmt_int(fd['people_in_split_units'])} residents ({fmt_pct(fd['split_rate'])})"
    elif fd.get("split_rate") is not None:
        line += f": {fmt_pct(fd['split_rate'])} of the area"
    parts.append(line + delta("split_rate") + "</p>")
    return "".join(parts)


def summary_html(ov, scores, *, before=None) -> str:
    """Lead sentence, both directions on the map's one basis, and the method in a collapsible panel."""
    f = figures(ov, scores)
    fb = figures(ov, before) if before is not None else {}
    by = f["basis"]
    out = [f'<p class="ct-lead">{esc(lead_sentence(ov, scores))}</p>',
           f'<div class="ct-code">All figures {esc(basis_text(ov))}.</div>']
    out.append(_direction_html(f["a_to_b"], ov.a.title, ov.b.title, by, fb.get("a_to_b")))
    out.append(_direction_html(f["b_to_a"], ov.b.title, ov.a.title, by, fb.get("b_to_a")))
    sym = scores.indices.get("symmetric", {})
    method = [f"<p>{esc(ov.mode)} overlay" + (f"; pairs under {fmt_pct(ov.min_share, digits=1)} of both units ignored"
                                             if ov.min_share else "") + ".</p>",
              "<p>A unit is <i>coterminous</i> when it matches one unit of the other layer exactly, <i>nested</i> when "
              "it lies inside one, <i>contains</i> when it is made of whole units, <i>split</i> otherwise (minor split: "
              "at least 95% in one). A clear relationship = coterminous, nested or contains.</p>"]
    if sym.get("nmi") is not None:
        was = ""
        if before is not None and before.indices.get("symmetric", {}).get("nmi") is not None:
            was = f" (was {before.indices['symmetric']['nmi']:.3f})"
        method.append(f"<p>Normalised mutual information {sym['nmi']:.3f}{was} (1 = the same partition).</p>")
    # how the overlaps were made: best fit of a user's file, LSOA-era bridging, population apportioning
    method += [f"<p>{esc(n)}</p>" for n in ov.notes]
    out.append(f"<details><summary>How this was measured</summary>{''.join(method)}</details>")
    return "".join(out)


def changed_people(changed: pd.DataFrame, after_scores, before_scores) -> list:
    """Residents of each changed unit (``None`` when unknown), from the after state (else the before state)."""
    def table(scores):
        u = scores.units
        pop = u["population"] if "population" in u else pd.Series([None] * len(u), index=u.index)
        return {(str(s), str(c)): (None if pd.isna(v) else float(v)) for s, c, v in zip(u["side"], u["code"], pop)}

    after, before = table(after_scores), table(before_scores)
    out = []
    for r in changed.itertuples(index=False):
        key = (str(r.side), str(r.code))
        v = after.get(key)
        out.append(v if v is not None else before.get(key))
    return out


def changes_html(changed: pd.DataFrame, label: str, drawable: set, people: list | None = None,
                 source: str = "") -> str:
    """The changed units, each with its residents (``people``, same order; source named once), hoverable."""
    items = []
    people = people if people is not None else [None] * len(changed)
    for r, n in zip(changed.itertuples(index=False), people):
        text = lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)  # noqa: E731
        desc = text(r.description) or f"{text(r.name) or r.code}: {text(r.before)} → {text(r.after)}"
        attr = (f' data-ct-code="{esc(r.code)}" data-ct-role="changed" data-ct-side="{esc(r.side)}"'
                if r.code in drawable else "")
        who = f' <span class="ct-people">{fmt_int(n)} people</span>' if n is not None else ""
        items.append(f"<li{attr}>{esc(desc)}{who}</li>")
    if not items:
        items.append("<li>No unit changed class.</li>")
    known = [n for n in people if n is not None]
    note = ""
    if known:
        note = ('<div class="ct-code">People: residents of each changed unit'
                + (f" ({esc(source)})" if source else "") + ". Hover a row to find it on the map.</div>")
    return f"<h3>Changed by {esc(label)} ({len(changed)})</h3>{note}<ul>{''.join(items)}</ul>"


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
    return basis_text(ov)
