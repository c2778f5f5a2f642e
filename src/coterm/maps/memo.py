"""Work a run of many maps would otherwise repeat per page (the demo draws the same district layer on a
dozen pages), kept only inside a :func:`reusing_work` block: outside one, nothing is kept, so a notebook or
a long-running process holds no drawings of layers it has finished with.

A layer is loaded afresh by each ``load_layer`` call (a new frame), but its geometry objects are the
catalogue cache's own: shapely geometries are immutable, so the same codes, names, CRS and geometry
*objects* mean the same drawing. Entries are found by that identity, never by a name, so a layer edited or read
from another file is computed anew. Bounded: the oldest entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from operator import is_

from ..scoped import scope

__all__ = ["FrameMemo", "memo", "reusing_work"]

# the memos of the innermost active block, by name; None outside any block
_ACTIVE: ContextVar[dict | None] = ContextVar("coterm_maps_memos", default=None)


@contextmanager
def reusing_work():
    """Maps made inside this block reuse each other's display geometry and place indexes; all is dropped at
    its end. Nested blocks share the outer block's memos."""
    with scope(_ACTIVE):
        yield


def memo(name: str, size: int) -> "FrameMemo | None":
    """The active block's memo called ``name`` (made on first use), or None outside a block."""
    active = _ACTIVE.get()
    if active is None:
        return None
    if name not in active:
        active[name] = FrameMemo(size)
    return active[name]


def _signature(frame) -> tuple:
    return len(frame), str(frame.crs)


def _names(frame):
    return frame["name"].to_numpy() if "name" in frame.columns else None


def _same(frame, held) -> bool:
    index, geoms, names = held
    now = _names(frame)
    return (frame.index.equals(index) and all(map(is_, geoms, frame.geometry.to_numpy()))
            and (names is None) == (now is None) and (names is None or list(names) == list(now)))


def _held(frame) -> tuple:
    return frame.index, frame.geometry.to_numpy(), _names(frame)  # keeps the objects alive: their ids stay theirs


class FrameMemo:
    """``get(frames, extra)`` → the value stored for these frames (same codes, CRS and geometry objects) and
    ``extra``, or None; ``put(frames, extra, value)`` stores it. ``frames`` is a tuple of GeoDataFrames."""

    def __init__(self, size: int = 32):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def _key(self, frames, extra) -> tuple:
        return (extra, tuple(_signature(f) for f in frames))

    def get(self, frames, extra):
        for held, value in self._items.get(self._key(frames, extra), ()):
            if all(_same(f, h) for f, h in zip(frames, held)):
                return value
        return None

    def put(self, frames, extra, value) -> None:
        key = self._key(frames, extra)
        self._items.setdefault(key, []).append((tuple(_held(f) for f in frames), value))
        self._items.move_to_end(key)
        while sum(len(v) for v in self._items.values()) > self.size:
            old = next(iter(self._items))
            self._items[old].pop(0)
            if not self._items[old]:
                del self._items[old]
