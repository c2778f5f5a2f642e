"""A signal that lands outside the command's own handling still ends in one line and 128 + its number.

Under load, a SIGTERM sent to a starting coterm can arrive after the handler is installed but before the command
runs; the interrupt it raises used to escape ``main()`` as a traceback and a death by SIGINT (exit -2).
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

EARLY = """
import os, signal, sys
import coterm.cli.main as m
streams = m._tolerant_streams
def early():
    os.kill(os.getpid(), signal.{sig})  # after the handler is installed, before the command's own try
    streams()
m._tolerant_streams = early
m.main(["layers"])
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_before_the_command_starts_is_one_line_and_128_plus_its_number(sig):
    proc = subprocess.run([sys.executable, "-c", EARLY.format(sig=sig.name)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 128 + sig, proc.stderr
    assert proc.stderr.strip().splitlines() == [f"coterm: stopped by {sig.name}; no partial output was left behind"]
    assert proc.stdout == ""  # the command never ran
