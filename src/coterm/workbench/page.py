"""Render the workbench page: package template + package script and style + the data as one JSON block.

The template's *source* comes only from the package; data reaches the page as a JSON value escaped
for a ``<script type="application/json">`` block (``<``, ``>``, ``&``, U+2028/2029 as ``\\u`` escapes),
so no string from a file is ever compiled by a template engine or parsed as HTML.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

__all__ = ["workbench_html", "save_workbench", "json_for_script"]

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_script(obj) -> str:
    """JSON that is safe inside ``<script type="application/json">``: it can never close the element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "".join(_ESCAPES.get(ch, ch) for ch in text) if any(ch in text for ch in _ESCAPES) else text


def _package_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def workbench_html(data: dict) -> str:
    """The whole page as a string (deterministic for the same data)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(loader=jinja2.PackageLoader("coterm.workbench", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    page = env.get_template("workbench.html.j2")
    return page.render(
        title=f"Workbench: reshape {data['layer']['title']}",
        attribution=data.get("attribution", ""),
        data_json=Markup(json_for_script(data)),
        script=Markup(_package_text("static/score.js") + "\n" + _package_text("static/workbench.js")),
        style=Markup(_package_text("static/workbench.css")),
    )


def save_workbench(data: dict, path) -> Path:
    """Write the page atomically (nothing half-written is left behind)."""
    from ..io import write_text

    path = Path(path)
    write_text(workbench_html(data), path)
    return path
