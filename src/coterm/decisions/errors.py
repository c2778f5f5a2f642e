"""The error of the decision tools (options, mayoral, footprints): one clear line naming what to do."""

from __future__ import annotations

from ..errors import CotermError

__all__ = ["DecisionError"]


class DecisionError(CotermError):
    """A bad input to a decision tool: an option folder mixing layers, an unknown date, layers of different building blocks."""
