"""Several coterm runs started at the same instant, as separate processes forked from one interpreter.

Not a test module. ``python -m coterm`` spends most of a small run importing pandas and the geometry
stack (~0.8 s of CPU), so two fresh interpreters reach their writes at moments that differ by the
jitter of their start-ups. :class:`Forker` is one interpreter that has imported the CLI and what
``compare`` needs, then forks one real process per run: each child runs the CLI's ``main()`` with its
own stdout and stderr files and exits with the status a fresh interpreter would give. The children
write at nearly the same time, so a race over one output folder is really run, for a fraction of the CPU.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys

_SERVER = r"""
import json, os, sys, traceback
# every module a geometry-mode `compare --out` imports, before any fork (imports only: no run, no cache is warmed)
import coterm.cli.main, coterm.cli.compare, coterm.atoms, coterm.intersect, coterm.io, coterm.layer, coterm.overlap
import coterm.qgis_styles, coterm.report, coterm.scoring
import geopandas, pyarrow.dataset, pyarrow.parquet, pyogrio
print("ready", flush=True)
for line in sys.stdin:
    pids = []
    for argv, out, err in json.loads(line):
        sys.stdout.flush(), sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
                os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                try:
                    coterm.cli.main.main(argv)
                    code = 0
                except SystemExit as exc:  # what the interpreter makes of sys.exit's argument
                    code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
                    if not isinstance(exc.code, (int, type(None))):
                        print(exc.code, file=sys.stderr)
                except BaseException:
                    traceback.print_exc()
                    code = 1
                sys.stdout.flush(), sys.stderr.flush()
            finally:
                os._exit(code)
        pids.append(pid)
    print(json.dumps([os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids]), flush=True)
"""


class Forker:
    """``with Forker() as f: codes = f.run_at_once([(argv, out_path, err_path), ...])``."""

    def __enter__(self) -> "Forker":
        # its own process group: a run that hangs is killed with the interpreter that forked it
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        assert self._line(120) == "ready"
        return self

    def _line(self, timeout: float) -> str:
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise AssertionError(f"the forked coterm runs did not answer within {timeout:.0f} s")
        return self.proc.stdout.readline().strip()

    def run_at_once(self, jobs, timeout: float = 120) -> list[int]:
        """Fork one process per (argv, stdout file, stderr file), all before any has finished; their exit statuses."""
        self.proc.stdin.write(json.dumps([([str(a) for a in argv], str(out), str(err)) for argv, out, err in jobs]) + "\n")
        self.proc.stdin.flush()
        return json.loads(self._line(timeout))

    def __exit__(self, *exc) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
