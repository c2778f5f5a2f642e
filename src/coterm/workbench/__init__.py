"""The workbench: one offline HTML page where a planner regroups units and sees coterminosity re-scored.

``workbench_data`` gathers the units, their adjacency and the atom overlap tables with each partner
layer; ``workbench_html`` renders the page from package files (template, script, style) with the data
as one JSON block, never through a template engine; ``save_workbench`` writes it atomically.
"""

from __future__ import annotations

from .data import WorkbenchError, reference_scores, workbench_data
from .page import save_workbench, workbench_html

__all__ = ["WorkbenchError", "workbench_data", "workbench_html", "save_workbench", "reference_scores"]
