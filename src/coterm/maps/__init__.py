"""Interactive HTML maps of coterminosity: what a planner opens.

* :func:`coterminosity_map` – layer A filled by its class against layer B (coterminous, nested,
  contains, minor split, split, outside) with counts in a legend, layer B outlined on top, a
  headline box (both directions), tooltips, popups listing every partner, search, fullscreen and
  the catalogue's attribution.
* :func:`scenario_map` – before and after a scenario (one :class:`~coterm.scenarios.ScenarioResult`),
  units whose class changed highlighted and listed.
* :func:`save_map` / :func:`render_html` – deterministic HTML, written atomically.

A map is a :class:`~coterm.maps.page.MapPage`: its data travels to the page as ONE JSON value read by
the package's ``static/map.js``; the page frame is the package's jinja2 template (autoescape). No
template engine ever compiles a string from data (see :mod:`coterm.maps.page`). By default the HTML
is self-contained: Leaflet is inlined from the installed ``folium-offline`` package, no base tiles,
nothing fetched at run time. Display geometry is a coverage-simplified, rounded copy
(:mod:`coterm.maps.geometry`); measuring always uses the original geometry.
"""

from __future__ import annotations

from .geometry import DEFAULT_TOLERANCE_M
from .memo import reusing_work
from .page import MapPage, render_html, save_map
from .style import CLASS_COLOURS

__all__ = ["coterminosity_map", "scenario_map", "save_map", "render_html", "MapPage", "CLASS_COLOURS",
           "DEFAULT_TOLERANCE_M", "reusing_work"]

_TILES = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
    "positron": ("https://a.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
                 '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                 '&copy; <a href="https://carto.com/attributions">CARTO</a>'),
    "voyager": ("https://a.basemaps.cartocdn.com/rastertiles/voyager/{z}/{x}/{y}.png",
                '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
                '&copy; <a href="https://carto.com/attributions">CARTO</a>'),
}
_TILES.update({"openstreetmap": _TILES["osm"], "cartodb": _TILES["positron"], "light": _TILES["positron"]})


def coterminosity_map(a, b=None, *, by: str = "population", tiles: str | None = None, cdn: bool = False,
                      title: str | None = None, tolerance: float = DEFAULT_TOLERANCE_M, mode: str = "auto",
                      min_share: float | None = None, tiles_attr: str | None = None, back: tuple | None = None,
                      places: str | None = "ward-2022") -> MapPage:
    """An interactive map of how layer A's units relate to layer B's.

    Parameters
    ----------
    a, b
        Either two layers (catalogue ids, file paths or :class:`~coterm.layer.Layer`), which are then
        overlapped (``coterm.overlap(a, b, by=by, mode=mode, min_share=min_share)``) and scored;
        or a precomputed :class:`~coterm.overlap.Overlap` as ``a`` with its
        :class:`~coterm.scoring.Scores` (or ``None``) as ``b``; or a ``Scores`` alone as ``a``.
    by : {"population", "area"}
        Weighting when layers are given (ignored for a precomputed overlap, which knows its weight).
    tiles : None, "none", "osm", "positron", "voyager" or a URL template ``https://…/{z}/{x}/{y}.png``
        Base map; default none (offline). With tiles the map needs the internet to show them, and
        the provider's attribution is shown. A URL template needs ``tiles_attr``.
    cdn : bool
        Link Leaflet from its CDN instead of inlining it (smaller file, needs the internet).
    title : str
        Title shown on the map and in the page title (plain text; default "A × B").
    tolerance : float
        Display simplification in metres (see :mod:`coterm.maps.geometry`).
    back : (href, text), optional
        A link back to an index page (the demo passes ``("../index.html", "All maps")``).
    places : str or None
        The catalogue layer whose names the search also finds (default the electoral wards of
        December 2022, see :mod:`coterm.maps.places`); ``None`` searches the map's units only.

    Returns
    -------
    MapPage
        Save it with :func:`save_map` (deterministic, atomic) or render it with :func:`render_html`.
    """
    from .features import Geometries, unit_features
    from .panels import attribution_html, class_counts, figures, legend_html, subtitle, summary_html

    ov, scores = _resolve(a, b, by=by, mode=mode, min_share=min_share)
    geoms = Geometries(tolerance)
    build = _Builder()
    ttl = title or f"{ov.a.title} × {ov.b.title}"
    from .attributes import unit_attributes

    build.layer(unit_features(geoms, ov, scores, "a"), name=f"{ov.a.title}: class against {ov.b.title}", role="a", kind="fill",
                extras=unit_attributes(ov.a).columns)
    build.layer(unit_features(geoms, ov, scores, "b"), name=f"{ov.b.title}: boundaries", role="b", kind="outline")
    data = {
        "title": ttl, "subtitle": subtitle(ov),
        "legend": legend_html(ov, class_counts(scores, "a")),
        "summary": summary_html(ov, scores),
        "figures": figures(ov, scores),
        "changes": None,
        "attribution": attribution_html(ov.a, ov.b),
        "search": _search([ov.a, ov.b], places),
        "table_role": "a", "csv_name": _csv_name(ov.a, ov.b),
        "back": _back(back),
        "tiles": _tiles(tiles, tiles_attr),
    }
    return build.page(ttl, data, cdn=cdn, bounds=geoms.bounds())


def scenario_map(result, partner: str | None = None, *, title: str | None = None, tiles: str | None = None,
                 cdn: bool = False, tolerance: float = DEFAULT_TOLERANCE_M, tiles_attr: str | None = None,
                 back: tuple | None = None, places: str | None = "ward-2022") -> MapPage:
    """Before and after a scenario on one map, against one partner layer; changed units highlighted and listed.

    Parameters
    ----------
    result : ScenarioResult
        From :func:`coterm.compare_scenario` (read through :func:`coterm.maps.scenario_input.scenario_view`).
    partner : str, optional
        The partner layer id to map against (default: the result's first).
    """
    from .features import Geometries, unit_features
    from .panels import (attribution_html, changed_people, changes_html, class_counts, figures, legend_html,
                         population_source, subtitle, summary_html)
    from .scenario_input import scenario_view

    v = scenario_view(result, partner)
    before_ov, after_ov = v.before_ov, v.after_ov
    geoms = Geometries(tolerance)
    build = _Builder()
    ttl = title or f"{v.name}: {before_ov.a.title} × {before_ov.b.title}"
    change_info = {(str(r.side or ""), str(r.code)): r for r in v.changed.itertuples(index=False)}
    feats = {
        "before-a": unit_features(geoms, before_ov, v.before_scores, "a"),
        "before-b": unit_features(geoms, before_ov, v.before_scores, "b"),
        "after-a": unit_features(geoms, after_ov, v.after_scores, "a", changes=change_info),
        "after-b": unit_features(geoms, after_ov, v.after_scores, "b", changes=change_info),
    }
    a_title, b_title = before_ov.a.title, before_ov.b.title
    from .attributes import unit_attributes

    build.layer(feats["before-a"], name=f"{a_title} by class, before", role="before-a", kind="fill", state="before", control=False,
                extras=unit_attributes(before_ov.a).columns)
    build.layer(feats["before-b"], name=f"{b_title}", role="before-b", kind="outline", state="before", control=False)
    build.layer(feats["after-a"], name=f"{after_ov.a.title} by class, after", role="after-a", kind="fill", state="after",
                control=False, extras=unit_attributes(after_ov.a).columns)
    build.layer(feats["after-b"], name=f"{b_title}", role="after-b", kind="outline", state="after", control=False)
    build.layer(feats["after-a"], name=f"New boundaries of {after_ov.a.title} (solid)", role="a-new", kind="body-new",
                state="after", control=False)
    build.layer(feats["before-a"], name=f"Old boundaries of {a_title} (dashed)", role="a-old", kind="body-old")
    changed_feats = _changed_features(feats, v.changed)
    build.layer(changed_feats, name=f"Changed units ({len(v.changed)})", role="changed", kind="changed")
    drawable = {p["c"] for fs in feats.values() for _, p in fs}
    counts_b, counts_a = class_counts(v.before_scores, "a"), class_counts(v.after_scores, "a")
    state = {
        "before": {"label": f"Before: today's {a_title}",
                   "legend": legend_html(before_ov, counts_b, changed=len(v.changed), scenario=v.name, state="before"),
                   "summary": summary_html(before_ov, v.before_scores), "table_role": "before-a"},
        "after": {"label": f"After: {v.name}",
                  "legend": legend_html(after_ov, counts_a, before=counts_b, changed=len(v.changed), scenario=v.name,
                                        state="after"),
                  "summary": summary_html(after_ov, v.after_scores, before=v.before_scores), "table_role": "after-a"},
    }
    data = {
        "title": ttl, "subtitle": subtitle(after_ov),
        "states": {"default": "after", "order": ["before", "after"], **state},
        "legend": state["after"]["legend"], "summary": state["after"]["summary"],
        "figures": figures(after_ov, v.after_scores),
        "figures_before": figures(before_ov, v.before_scores),
        "changes": changes_html(v.changed, v.name, drawable, changed_people(v.changed, v.after_scores, v.before_scores),
                                population_source(after_ov)),
        "attribution": attribution_html(after_ov.a, after_ov.b),
        "search": _search([before_ov.a, before_ov.b], places),
        "csv_name": _csv_name(after_ov.a, after_ov.b),
        "back": _back(back),
        "tiles": _tiles(tiles, tiles_attr),
    }
    return build.page(ttl, data, cdn=cdn, bounds=geoms.bounds())


# ------------------------------------------------------------------------------------------------


class _Builder:
    """Collects layers; each geometry is written into the page once (shared by before/after/changed layers),
    in the compact format of :func:`coterm.maps.geometry.compact_texts`."""

    def __init__(self):
        self.geometries: list[str] = []
        self._index: dict[str, int] = {}
        self.layers: list[dict] = []

    def _g(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.geometries)
            self.geometries.append(text)
        return self._index[text]

    def layer(self, feats, *, name: str, role: str, kind: str, show: bool = True, state: str | None = None,
              control: bool = True, extras: list | None = None) -> None:
        from .html import esc
        from .style import body_outline_styles, changed_styles, fill_styles, outline_styles

        styles, hover = {"fill": fill_styles, "outline": outline_styles, "changed": changed_styles,
                         "body-new": lambda: body_outline_styles(old=False),
                         "body-old": lambda: body_outline_styles(old=True)}[kind]()
        pane = {"fill": "overlayPane", "outline": "ctOutlines", "changed": "ctChanged", "body-new": "ctAOutlines",
                "body-old": "ctAOutlines"}[kind]
        interactive = kind in ("fill", "outline")
        if not interactive:  # outlines drawn for context: no popups, so clicks reach the units below
            feats = [(g, {"c": p["c"], "n": p["n"], "k": p["k"]}) for g, p in feats]
        self.layers.append({
            "name_html": esc(name), "role": role, "show": show, "state": state, "control": control, "pane": pane,
            "front": kind == "fill", "interactive": interactive, "styles": styles, "hover": hover,
            "features": [{"g": self._g(g), "properties": p} for g, p in feats],
        })
        if extras:  # [(key, label)] of the units file's columns: table (first) and CSV (all)
            self.layers[-1]["extras"] = [[k, lab] for k, lab in extras]

    def page(self, title: str, data: dict, *, cdn: bool, bounds=None) -> MapPage:
        self._share_repeats()
        data = {**data, "layers": self.layers, "bounds": bounds if self.geometries else None}
        return MapPage(title=title, data=data, geometries=self.geometries, cdn=cdn)

    def _share_repeats(self) -> None:
        """A tooltip or popup said before (the same unit, unchanged, in the before and after states) is
        written once: later copies become the number of the feature (counted across all layers in
        order) that holds the text; the page script puts the text back before drawing."""
        seen: dict[tuple[str, str], int] = {}
        n = 0
        for lay in self.layers:
            for f in lay["features"]:
                props = f["properties"]
                for key in ("t", "p"):
                    text = props.get(key)
                    if not isinstance(text, str) or len(text) < 24:
                        continue
                    first = seen.setdefault((key, text), n)
                    if first != n:
                        props = f["properties"] = {**props, key: first}
                n += 1


def _search(layers, places) -> dict:
    """The search box: what it searches (said in the box and under it) and the place index."""
    from .places import place_index
    from .style import nouns

    index = place_index(layers[:1], places)
    kinds = [nouns(lay)[1] for lay in layers]
    note = f"Finds {' and '.join(kinds)} by name or code"
    if index:
        note += f", and {len(index['names']):,} places: {index['title']}"
    note += ". No postcodes (coterm has no postcode data)."
    return {"placeholder": "Search a name or code" + (" or a ward" if index else ""), "note": note, "places": index}


def _back(back):
    if back is None:
        return None
    href, text = back
    return {"href": str(href), "text": str(text)}


def _csv_name(a, b) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{a.id}__{b.id}").strip("-") or "units"


def _resolve(a, b, *, by, mode, min_share):
    from ..overlap import Overlap, overlap
    from ..scoring import Scores, score

    if isinstance(a, Scores):
        return a.overlap, a
    if isinstance(a, Overlap):
        if b is not None and not isinstance(b, Scores):
            raise TypeError("with a precomputed Overlap, the second argument must be its Scores (or None)")
        return a, (b if b is not None else score(a))
    if b is None:
        raise TypeError("coterminosity_map needs two layers, an Overlap (with optional Scores) or a Scores")
    ov = overlap(a, b, by=by, mode=mode, min_share=min_share)
    return ov, score(ov)


def _tiles(tiles, tiles_attr) -> dict | None:
    """{"url", "attribution" (sanitised HTML)} or None (offline, the default)."""
    from .html import safe_attribution

    if tiles is None or str(tiles).lower() in ("", "none", "off", "no"):
        return None
    known = _TILES.get(str(tiles).lower())
    if known is not None:
        url, attr = known
        return {"url": url, "attribution": safe_attribution(tiles_attr or attr)}
    url = str(tiles)
    if not (url.startswith("https://") and "{z}" in url and "{x}" in url and "{y}" in url):
        from ..errors import OutputError

        raise OutputError(f"unknown tiles {url!r}: use none, osm, positron, voyager or an https://…/{{z}}/{{x}}/{{y}}.png "
                          "URL template with tiles_attr (CLI: --tiles)")
    if not tiles_attr:
        from ..errors import OutputError

        raise OutputError("a tile URL template needs its attribution (tiles_attr=...)")
    return {"url": url, "attribution": safe_attribution(tiles_attr)}


def _changed_features(feats: dict, changed) -> list:
    """Features of changed units, from the after layers (then before)."""
    index = {}
    for role in ("after-a", "after-b", "before-a", "before-b"):
        side = role[-1]
        for g, p in feats[role]:
            index.setdefault((side, p["c"]), (g, p))
            index.setdefault(("", p["c"]), (g, p))
    out, seen = [], set()
    for r in changed.itertuples(index=False):
        f = index.get((r.side, r.code)) if r.side in ("a", "b") else index.get(("", r.code))
        if f is None or (r.side, r.code) in seen:
            continue
        seen.add((r.side, r.code))
        out.append(f)
    return out
