"""Frames built on first use: a Layer holds its codes and names until something needs its polygons.

Kept apart from :mod:`coterm.layer` so that modules building deferred frames (overlap, scenarios)
share one definition; see :class:`coterm.Layer` for how ``frame`` reads through it.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["deferred_frame"]


class _DeferredFrame:
    """A frame not built yet: its codes and names (``light``), and how to build the whole frame (``loader``).

    Built once: layers copied with ``Layer.replace`` before it was built share it, and so get the same frame
    object, as copies of a built layer do (maps cache display geometry by the frame's identity).
    """

    __slots__ = ("light", "loader", "built")

    def __init__(self, light: pd.DataFrame, loader):
        self.light, self.loader, self.built = light, loader, None

    def load(self):
        if self.built is None:
            self.built = self.loader()
        return self.built


def deferred_frame(names: pd.Series, loader, *, dtype=None) -> _DeferredFrame:
    """A Layer ``frame`` built by ``loader()`` on first use; until then codes and names come from ``names``.

    ``names`` is indexed by code; the whole frame must have the same index and name column (the
    light frame is built the same way, so dtypes agree). ``loader`` must be picklable for workers.
    """
    index = pd.Index(names.index, name="code", dtype=dtype)
    return _DeferredFrame(pd.DataFrame({"name": names.to_numpy()}, index=index), loader)
