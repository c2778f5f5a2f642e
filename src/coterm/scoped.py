"""One way to keep work for the length of a block, not for the process (see maps.reusing_work, scenarios' checking_once)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["scope"]


@contextmanager
def scope(var: ContextVar):
    """Give ``var`` (default None) a fresh dict for the block, and None again after it; nested blocks share the outer one."""
    if var.get() is not None:
        yield
        return
    token = var.set({})
    try:
        yield
    finally:
        var.reset(token)
