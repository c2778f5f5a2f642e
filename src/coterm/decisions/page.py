"""HTML pages of the decision tools: jinja2 templates shipped in the package, autoescaped; data only as values.

No template is ever compiled from data: names, codes and notes from scenario files reach the page as escaped
text, and the whole result also travels as JSON in a non-executable ``<script type="application/json">`` block
(``<``, ``>`` and ``&`` escaped as ``\\u003c``... so no string can close the block).
"""

from __future__ import annotations

import json

__all__ = ["render_page", "json_block"]


def json_block(obj) -> str:
    """JSON safe inside ``<script type="application/json">``."""
    from ..io import clean_json

    text = json.dumps(clean_json(obj), ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _env():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("coterm.decisions", "templates"),
                             autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["num"] = lambda v: "–" if v is None or v != v else f"{v:,.0f}"
    env.filters["pct"] = lambda v: "–" if v is None or v != v else f"{100 * v:.1f}%"
    return env


def render_page(template: str, **context) -> str:
    """Render a shipped template (``options.html.j2``...) with data as autoescaped values."""
    from markupsafe import Markup

    data = context.pop("data", None)
    ctx = dict(context)
    ctx["data_json"] = Markup(json_block(data)) if data is not None else Markup("null")
    return _env().get_template(template).render(**ctx)
