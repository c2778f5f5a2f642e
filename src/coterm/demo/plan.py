"""What the demo computes: which councils against which bodies, the story over time, which scenarios.

The plan is data (layer ids), so the demo leads with the current layers when the catalogue has them
(districts and counties of 2024 against ICBs of 2026, police, fire, community safety and strategic
authorities) and falls back to the 2021–22 layers otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DemoPlan", "Step", "full_plan", "quick_plan", "DISTRICTS", "COUNTIES", "DEMO_OUTPUTS", "BCU_PAIRS"]

DEMO_OUTPUTS = ("index.html", "pairs", "scenarios", "tables", "coterm_units.gpkg", "decisions", "workbench.html")
DISTRICTS, COUNTIES = "Districts", "Counties & unitaries"

# current bodies first (when the catalogue has them), then the 2020–22 set they replace
# (police command units: the 2024 structure, whose counts the index states; forces without data are "outside")
CURRENT_BODIES = ("icb-2026", "sicbl-2024", "pfa-2024", "bcu-2024", "csp-2024", "fra-2024", "sa-2025", "lrf-2020")
# police command units against the other bodies they work with (issue 21): each pair gets a map and a line
BCU_PAIRS = (("csp-2024", "bcu-2024"), ("bcu-2024", "icb-2026"), ("bcu-2024", "sicbl-2024"))
PAST_BODIES = ("sha-2011", "ccg-2015", "ccg-2020", "sicbl-2022", "icb-2022", "pfa-2020", "csp-2019", "fra-2021", "lrf-2020")


@dataclass(frozen=True)
class Cell:
    council: str
    body: str


@dataclass(frozen=True)
class Step:
    year: str
    label: str
    council: str
    body: str


@dataclass(frozen=True)
class DemoPlan:
    rows: tuple[str, ...]                 # council row labels
    columns: tuple[str, ...]              # body layer ids
    cells: dict                           # (row label, body) -> council layer id
    story: tuple[Step, ...]
    scenarios: tuple[str, ...] | None     # shipped scenario names; None = all
    breaker_bodies: tuple[str, ...]
    breaker_council: str
    by: str = "population"
    extra: dict = field(default_factory=dict)  # "pairs": more (a, b) pairs to map and list (BCUs against other bodies)


DEMO_OUTPUTS = ("index.html", "pairs", "scenarios", "tables", "coterm_units.gpkg", "decisions", "workbench.html")
DISTRICTS, COUNTIES = "Districts", "Counties & unitaries"


def _have(layer_id: str) -> bool:
    from ..catalog import catalog

    try:
        return any(e.id == layer_id for e in catalog().entries)
    except Exception:
        return False


def _base(layer_id: str):
    from ..catalog import get_entry

    e = get_entry(layer_id)
    return e.atoms.base if e.atoms is not None else None


def _council_for(row: str, body: str) -> str:
    """The council layer of the body's era on the same building blocks (so atom mode applies)."""
    from ..catalog import get_entry

    year = int(get_entry(body).vintage)
    if year >= 2024:
        current = "ltla-2024" if row == DISTRICTS else "utla-2024"
        if _have(current) and _base(current) == _base(body):
            return current
    if row == DISTRICTS:
        return "ltla-2013" if year <= 2015 else "ltla-2019" if year == 2019 else "ltla-2021"
    return "utla-2013" if year <= 2015 else "utla-2021"


def current_bodies() -> tuple[str, ...]:
    """The current bodies the catalogue has, on the same building blocks as the 2024 councils."""
    if not _have("ltla-2024"):
        return ()
    base = _base("ltla-2024")
    return tuple(c for c in CURRENT_BODIES if _have(c) and _base(c) == base)


STORY = (
    Step("2006–13", "Strategic health authorities (approximate)", "utla-2013", "sha-2011"),
    Step("2006–13", "Primary care trusts (151, approximate)", "utla-2013", "pct-2011"),
    Step("2013–15", "Clinical commissioning groups (209)", "utla-2013", "ccg-2015"),
    Step("2020", "Clinical commissioning groups (135)", "utla-2021", "ccg-2020"),
    Step("2021", "Clinical commissioning groups (106)", "utla-2021", "ccg-2021"),
    Step("2022", "Sub-ICB locations (106)", "utla-2021", "sicbl-2022"),
    Step("2022", "Integrated care boards (42)", "utla-2021", "icb-2022"),
    Step("2024", "Integrated care boards (42)", "utla-2024", "icb-2024"),
)


def full_plan(columns: tuple[str, ...] | None = None) -> DemoPlan:
    """Councils × bodies: the current bodies when the catalogue has them (else those of 2020–22), and the story."""
    cols = tuple(columns) if columns else (current_bodies() or PAST_BODIES)
    rows = (DISTRICTS, COUNTIES)
    cells = {(r, c): _council_for(r, c) for r in rows for c in cols}
    story = tuple(st for st in STORY if _have(st.body) and _have(st.council))
    if "icb-2026" in cols and _have("utla-2024"):
        story = story + (Step("2026", "Integrated care boards after the April 2026 mergers", "utla-2024", "icb-2026"),)
    breaker_council = "ltla-2024" if current_bodies() and not columns else "ltla-2021"
    breakers = tuple(c for c in cols if cells[(DISTRICTS, c)] == breaker_council and c not in ("sa-2025",)) or cols
    bcu_pairs = tuple(p for p in BCU_PAIRS if "bcu-2024" in cols and _have(p[0]) and _have(p[1]))
    return DemoPlan(rows=rows, columns=cols, cells=cells, story=story, scenarios=None, breaker_bodies=breakers,
                    breaker_council=breaker_council, extra={"pairs": bcu_pairs} if bcu_pairs else {})


def quick_plan() -> DemoPlan:
    """A smoke test: districts against ICBs and police (current ones when present), one scenario."""
    now = current_bodies()
    cols = ("icb-2026", "pfa-2024") if {"icb-2026", "pfa-2024"} <= set(now) else ("icb-2022", "pfa-2020")
    rows = (DISTRICTS,)
    cells = {(r, c): _council_for(r, c) for r in rows for c in cols}
    story = (Step("2013–15", "Clinical commissioning groups (209)", "utla-2013", "ccg-2015"),
             Step("2022", "Integrated care boards (42)", "utla-2021", "icb-2022"))
    return DemoPlan(rows=rows, columns=cols, cells=cells, story=story, scenarios=("met-bcus-2019",),
                    breaker_bodies=cols, breaker_council=cells[(DISTRICTS, cols[0])])
