"""How classes and layers look: colours, line styles and the words that explain each class.

The class palette is chosen to stay distinguishable under simulated deuteranopia, protanopia and
tritanopia (``tests/test_maps_colour.py`` asserts CIEDE2000 ≥ 15 between every pair); "split" and
"minor split" also carry a hatch pattern, so colour is never the only cue.
"""

from __future__ import annotations

__all__ = ["CLASS_COLOURS", "CLASS_ORDER", "CLASS_HELP", "OUTLINE_COLOUR", "CHANGED_COLOUR", "HATCHED", "CLASS_TEXT", "FILL_OPACITY", "PAGE_BACKGROUND", "fill_styles",
           "outline_styles", "changed_styles"]

# class → fill colour: blues/green = a clear relationship, yellow/vermilion = split, grey = no overlap.
# Found by maximising the smallest CIEDE2000 distance between classes under normal vision and simulated
# protanopia, deuteranopia and tritanopia (Machado et al. 2009), plain and at FILL_OPACITY on the page
# background: the smallest is 17 (the test asks ≥ 15).
CLASS_COLOURS = {
    "coterminous": "#2b3da9",
    "nested": "#00cbff",
    "contains": "#1f9266",
    "minor split": "#f1d73c",
    "split": "#d34e00",
    "outside": "#bbbbbb",
}
# text on each class colour (contrast ≥ 4.5:1)
CLASS_TEXT = {"coterminous": "#ffffff", "nested": "#111111", "contains": "#111111", "minor split": "#111111",
              "split": "#000000", "outside": "#111111"}
FILL_OPACITY = 0.85
PAGE_BACKGROUND = "#f3f5f7"
CLASS_ORDER = ("coterminous", "nested", "contains", "minor split", "split", "outside")
HATCHED = ("minor split", "split")
CLASS_HELP = {
    "coterminous": "same boundary as one {other}",
    "nested": "inside one {other}",
    "contains": "made of whole {others}",
    "minor split": "split, but ≥95% in one {other}",
    "split": "straddles {others}",
    "outside": "not covered by {others}",
}
OUTLINE_COLOUR = "#1f1f1f"
CHANGED_COLOUR = "#c51b7d"


def fill_styles() -> tuple[dict, dict]:
    """(styles by class key, hover style) for a layer filled by class."""
    styles = {k: {"fillColor": c, "fillOpacity": FILL_OPACITY, "color": "#ffffff", "weight": 0.7, "opacity": 0.9}
              for k, c in CLASS_COLOURS.items()}
    for k in HATCHED:  # a pattern too, so colour is not the only cue (see static/map.js: hatch patterns)
        styles[k]["ctHatch"] = k.replace(" ", "-")
    styles["_"] = {"fillColor": "#dddddd", "fillOpacity": 0.6, "color": "#ffffff", "weight": 0.7}
    return styles, {"color": "#000000", "weight": 2.5, "fillOpacity": 0.88}


def outline_styles(*, dashed: bool = False) -> tuple[dict, dict]:
    """(styles, hover) for a layer drawn as outlines (dashed: the "before" state of a changed layer)."""
    style = {"fill": False, "color": OUTLINE_COLOUR, "weight": 2.2, "opacity": 0.9}
    if dashed:
        style = {**style, "dashArray": "6 5", "weight": 2.0}
    return {"_": style}, {"color": "#0050b4", "weight": 4}


def changed_styles() -> tuple[dict, dict]:
    styles = {"_": {"fill": True, "fillColor": CHANGED_COLOUR, "fillOpacity": 0.06, "color": CHANGED_COLOUR,
                    "weight": 3.5, "dashArray": "7 5", "opacity": 1}}
    return styles, {"weight": 5, "fillOpacity": 0.25}


BODY_OUTLINE_COLOUR = "#3b1f5c"


def body_outline_styles(*, old: bool) -> tuple[dict, dict]:
    """The scenario layer's own boundaries: new solid, old dashed (drawn above the fill, not clickable)."""
    if old:
        return {"_": {"fill": False, "color": BODY_OUTLINE_COLOUR, "weight": 2.0, "opacity": 0.95, "dashArray": "5 6"}}, {}
    return {"_": {"fill": False, "color": BODY_OUTLINE_COLOUR, "weight": 3.0, "opacity": 0.95}}, {}


# plain-English nouns by catalogue kind (singular, plural); other layers are "units of <title>"
KIND_NOUNS = {
    "ltla": ("district council", "district councils"), "utla": ("county or unitary council", "county and unitary councils"),
    "icb": ("ICB", "ICBs"), "sicbl": ("sub-ICB location", "sub-ICB locations"), "ccg": ("CCG", "CCGs"),
    "stp": ("STP", "STPs"), "sha": ("strategic health authority", "strategic health authorities"),
    "pfa": ("police force area", "police force areas"), "csp": ("community safety partnership", "community safety partnerships"),
    "fra": ("fire and rescue authority", "fire and rescue authorities"), "lrf": ("local resilience forum", "local resilience forums"),
    "lhb": ("local health board", "local health boards"), "ward": ("ward", "wards"), "msoa": ("MSOA", "MSOAs"),
    "lsoa": ("LSOA", "LSOAs"), "sa": ("strategic authority", "strategic authorities"), "bcu": ("police BCU", "police BCUs"),
}


def nouns(layer) -> tuple[str, str]:
    """(singular, plural) plain-English names for a layer's units."""
    kind = str(getattr(layer, "kind", "") or "").lower()
    if kind in KIND_NOUNS:
        return KIND_NOUNS[kind]
    return (f"unit of {layer.title}", f"units of {layer.title}")
