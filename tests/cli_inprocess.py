"""Run the real CLI (``coterm.cli.main.main``) inside the test process, as a user would see it.

Not a test module. A new interpreter per command costs about a second of CPU (pandas, geopandas,
pyogrio imports); tests that check what a command prints or writes, rather than how a process
behaves, call :func:`run_here` instead. It returns the same ``CompletedProcess`` as
``subprocess.run([python, "-m", "coterm", ...], capture_output=True, text=True)``:

* stdout and stderr are captured at the file-descriptor level, so output written by C libraries
  (GDAL, PROJ) is caught as well, and decoded as a text-mode pipe would be (UTF-8, universal newlines);
* the exit status is what the interpreter would return: ``sys.exit``'s code, 1 and a traceback on
  stderr for an escaping exception (e.g. under ``--debug``);
* warnings are shown under a fresh interpreter's filters (read once from one), so none is hidden by
  pytest's filters or by an earlier test having shown it;
* the environment, working directory, signal handlers and stdin are the caller's for the run and
  restored afterwards.

What stays in a subprocess: signals, concurrency, start-up/imports, ``PYTHON*`` variables (hash seeds),
``python -m coterm`` itself, and anything that depends on a fresh process (import-time state).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings

_FRESH_FILTERS: list = []


def _fresh_interpreter_filters() -> list:
    """``warnings.filters`` of a new interpreter started as the CLI is (same executable and environment)."""
    if not _FRESH_FILTERS:
        # a filter's message and module are compiled patterns or (the built-in defaults) plain strings
        code = ("import json, warnings\n"
                "def p(x): return None if x is None else [x] if isinstance(x, str) else [x.pattern, x.flags]\n"
                "print(json.dumps([(a, p(m), c.__module__, c.__qualname__, p(mod), ln) "
                "for a, m, c, mod, ln in warnings.filters]))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        import builtins
        import importlib
        import re

        for action, message, cat_module, cat_name, module, lineno in json.loads(out):
            category = getattr(builtins if cat_module == "builtins" else importlib.import_module(cat_module), cat_name)
            message, module = (None if x is None else x[0] if len(x) == 1 else re.compile(*x) for x in (message, module))
            _FRESH_FILTERS.append((action, message, category, module, lineno))
    return _FRESH_FILTERS


@contextlib.contextmanager
def _fd_captured(fd: int):
    """Point file descriptor ``fd`` at a temporary file; yields the file (read it after the block)."""
    saved = os.dup(fd)
    tmp = tempfile.TemporaryFile()
    try:
        os.dup2(tmp.fileno(), fd)
        yield tmp
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _text(tmp) -> str:
    with tmp:
        tmp.seek(0)
        return io.TextIOWrapper(io.BytesIO(tmp.read()), encoding="utf-8").read()  # as text=True decodes a pipe


def run_here(*args, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    """``coterm ARGS`` through :func:`coterm.cli.main.main` in this process (see the module docstring)."""
    argv = [str(a) for a in args]
    env = dict(env or {})
    if any(k.startswith("PYTHON") for k in env):
        raise ValueError("PYTHON* variables act at interpreter start-up: run a real subprocess")
    filters = _fresh_interpreter_filters()
    from coterm.cli import main as cli_main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    sys.stdout.flush(), sys.stderr.flush()
    code = 0
    with _fd_captured(1) as out_f, _fd_captured(2) as err_f, warnings.catch_warnings(), open(os.devnull) as stdin:
        warnings.filters[:] = filters  # catch_warnings restores pytest's list afterwards
        warnings._filters_mutated()  # forget which warnings were already shown ("default" shows each once)
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        # new text streams on the captured descriptors, as a fresh interpreter has
        sys.stdin = stdin
        sys.stdout = io.TextIOWrapper(open(os.dup(1), "wb"), encoding="utf-8", errors="strict")
        sys.stderr = io.TextIOWrapper(open(os.dup(2), "wb"), encoding="utf-8", errors="backslashreplace",
                                      line_buffering=True)
        try:
            cli_main.main(argv)
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:  # the interpreter prints a non-integer exit argument and exits 1
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # what the interpreter does with an escaping exception
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
                with contextlib.suppress(Exception):
                    stream.close()
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            for s, handler in saved_signals.items():
                signal.signal(s, handler)
            cli_main._SIGNALLED.clear()
    return subprocess.CompletedProcess([sys.executable, "-m", "coterm", *argv], code, _text(out_f), _text(err_f))
