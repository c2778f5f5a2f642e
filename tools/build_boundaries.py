#!/usr/bin/env python
"""Build coterm's bundled boundary catalogue (``boundaries/``) from the shared data corpus.

Usage::

    python tools/build_boundaries.py --source ../shared/data --out boundaries

The work is done by the package ``tools/boundaries``: ``spec`` (what to build, as data), ``facts``
(the data behind derived layers), ``steps``
(geometry, lookups, writers), ``derive`` and ``bcu`` (lookups derived from facts: CSPs 2019/2024,
ICBs 2026, strategic authorities, police command units), ``build`` (the pipeline and its checks)
and ``render`` (catalog.toml via tomli-w, README.md). The output is self-sufficient and
deterministic: the same input gives byte-identical files. Nothing is written outside ``--out``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from boundaries.build import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
