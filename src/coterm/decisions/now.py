""""Decisions now": the league tables of the decided and consulted areas, the mayoral table and the footprints map,
written into one folder with an index page, for the demo (``run_demo`` links ``decisions/index.html``).

    from coterm.decisions.now import write_decisions_now
    write_decisions_now("maps/decisions")
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_decisions_now", "DEMO_STATUSES", "FOOTPRINT_LAYERS"]

DEMO_STATUSES = ("decided", "likely")          # areas with a decided option, or one reported as chosen (consulted on)
FOOTPRINT_LAYERS = ("ltla-2024", "icb-2026", "pfa-2024", "fra-2024")


def demo_areas(root: Path | None = None) -> list[Path]:
    """Option folders of ``scenarios/lgr-2028`` with at least one decided or likely option."""
    from ..scenarios import load_scenario, scenarios_dir
    from .options import option_status

    root = root or scenarios_dir() / "lgr-2028"
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        if any(option_status(load_scenario(f)) in DEMO_STATUSES for f in sorted(d.glob("*.toml"))):
            out.append(d)
    return out


def write_decisions_now(out_dir, *, date: str = "2028-06-01", areas=None) -> Path:
    """Write ``options/``, ``mayoral/``, ``footprints/`` (each with CSV, JSON, HTML) and ``index.html`` into
    ``out_dir`` atomically; returns the index path."""
    from ..io import atomic_dir
    from .footprint_map import footprint_map_html
    from .footprints import footprints, write_footprints
    from .mayoral import mayoral, write_mayoral
    from .options import rank_options, write_options
    from .outputs import ATTRIBUTION
    from .page import render_page

    out = Path(out_dir)
    opts = rank_options(list(areas) if areas else demo_areas())
    may = mayoral(date)
    fp = footprints(list(FOOTPRINT_LAYERS))
    with atomic_dir(out, owned=("options", "mayoral", "footprints", "index.html")) as tmp:
        tmp = Path(tmp)
        write_options(opts, tmp / "options")
        write_mayoral(may, tmp / "mayoral")
        write_footprints(fp, tmp / "footprints")
        (tmp / "footprints" / "map.html").write_text(footprint_map_html(fp), encoding="utf-8", newline="\n")
        can = may.table[may.table["can_pass_to_mayor"]]
        html = render_page("now.html.j2", title="Decisions now (2026-28)", sentences=opts.sentences, date=may.date,
                           n_police=int((can["body_type"] == "police").sum()), n_fire=int((can["body_type"] == "fire").sum()),
                           blockers=may.table[may.table["relation"] == "straddles"].to_dict(orient="records"),
                           n_footprints=len(fp.footprints), layers=list(fp.layers), n_pieces=len(fp.pieces),
                           attribution=ATTRIBUTION, data=None)
        (tmp / "index.html").write_text(html, encoding="utf-8", newline="\n")
    return out / "index.html"
