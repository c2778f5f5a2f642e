"""The main job: the whole picture of English coterminosity, written as a folder of maps and tables.

* :mod:`coterm.demo.plan` – what to compute (layer ids: councils × bodies, the story, scenarios).
* :mod:`coterm.demo.run` – :func:`run_demo`: compute, write maps, tables and the index atomically.
* :mod:`coterm.demo.page` – the index page (package template, autoescape).
"""

from __future__ import annotations

from .plan import COUNTIES, DISTRICTS, DemoPlan, Step, full_plan, quick_plan
from .run import pair_map_name, run_demo

__all__ = ["run_demo", "DemoPlan", "Step", "full_plan", "quick_plan", "pair_map_name", "DISTRICTS", "COUNTIES"]
