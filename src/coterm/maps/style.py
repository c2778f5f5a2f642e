"""How classes and layers look: colours, line styles and the words that explain each class.

The class palette is chosen to stay distinguishable under simulated deuteranopia, protanopia and
tritanopia (``tests/test_maps_colour.py`` asserts CIEDE2000 ≥ 15 between every pair); "split" and
"minor split" also carry a hatch pattern, so colour is never the only cue.
"""

from __future__ import annotations

__all__ = ["CLASS_COLOURS", "CLASS_ORDER", "CLASS_HELP", "OUTLINE_COLOUR", "CHANGED_COLOUR", "HATCHED", "fill_styles",
           "outline_styles", "changed_styles"]

# class → fill colour (blue = same boundary, light blue/teal = clear, orange/vermilion = split, grey = none)
CLASS_COLOURS = {
    "coterminous": "#1a9850",
    "nested": "#a6d96a",
    "contains": "#4393c3",
    "minor split": "#fdae61",
    "split": "#d73027",
    "outside": "#bdbdbd",
}
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
    styles = {k: {"fillColor": c, "fillOpacity": 0.72, "color": "#ffffff", "weight": 0.7, "opacity": 0.9}
              for k, c in CLASS_COLOURS.items()}
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
