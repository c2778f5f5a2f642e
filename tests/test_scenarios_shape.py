"""The scenarios package's shape: each module imports only those below it, and nothing above the package."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "coterm"
ORDER = ["schema", "model", "read_csv", "read", "find", "validate", "apply", "compare"]
ABOVE = {"maps", "demo", "cli", "scenario_map", "maps_folium", "maps_html", "demo_scenarios", "demo_page"}


def _imports(path: Path) -> set[str]:
    """Modules a file imports relatively, at any depth (function-level imports included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            mod = node.module or ""
            if node.level == 1:
                out.add(mod.split(".")[0] if mod else "")
                out.update(a.name for a in node.names if not mod)
            else:
                out.add("../" + mod.split(".")[0])
    return out


def test_each_scenarios_module_imports_only_the_ones_below_it_so_there_is_no_cycle():
    for i, name in enumerate(ORDER):
        got = {m for m in _imports(PKG / "scenarios" / f"{name}.py") if not m.startswith("../")}
        assert got <= set(ORDER[:i]), f"scenarios/{name}.py imports {sorted(got - set(ORDER[:i]))}"
    assert {m[3:] for m in _imports(PKG / "scenarios" / "read.py") if m.startswith("../")} <= {"errors"}


def test_the_scenarios_package_never_imports_maps_demo_or_the_cli():
    for path in sorted((PKG / "scenarios").glob("*.py")):
        above = {m[3:] for m in _imports(path) if m.startswith("../")} & ABOVE
        assert not above, f"{path.name} imports {sorted(above)}"


def test_no_module_of_the_scenarios_package_and_the_core_modules_exceeds_400_lines():
    for path in [*sorted((PKG / "scenarios").glob("*.py")), *(PKG / f for f in ("report.py", "scoring.py", "reconcile.py")),
                 *sorted((PKG / "cli").glob("*.py"))]:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
