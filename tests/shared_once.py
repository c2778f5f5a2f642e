"""Expensive fixture results made once per test session and shared by the pytest-xdist workers.

Not a test module. Under ``-n 2`` each worker is its own process, so a session fixture is built once per
worker; the fixtures here are built by the first worker that asks, under a file lock in the folder the
workers' temporary folders share, and the other workers wait for it and read the same files (the pattern
pytest-xdist documents). Without xdist the session's own temporary folder is used. Tests only read them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path
from typing import Callable


def session_root(tmp_path_factory) -> Path:
    """The folder of this test session that every xdist worker sees (the parent of each worker's basetemp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock on ``path`` (created if need be), held for the block, across processes."""
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``shared-NAME`` of this session, filled by ``build(folder)`` the first time any worker asks.

    A build that fails leaves no mark of success, so the next worker to ask builds again (and fails the same way).
    """
    root = session_root(tmp_path_factory)
    folder, done = root / f"shared-{name}", root / f"shared-{name}.done"
    with locked(root / f"shared-{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            folder.mkdir()
            build(folder)
            done.touch()
    return folder
