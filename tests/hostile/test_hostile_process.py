"""Hostile circumstances: interruptions, full disks and concurrent runs never leave half-written output."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

import coterm
import coterm.io
import coterm.io.outputs
from coterm.errors import OutputError
from coterm.report import write_compare_outputs
from forked_cli import Forker
from hostile_helpers import BIG, ROWS, cli_error, grid, run_cli, run_here, slow_pair_files, tree_bytes, wait_until_caught, write_layer

GEOM = ("--mode", "geometry", "--by", "area")


@pytest.fixture(scope="module")
def slow_pair(tmp_path_factory):
    return slow_pair_files(tmp_path_factory)


@pytest.fixture
def small_pair(tmp_path):
    return write_layer(ROWS, tmp_path / "a.gpkg", driver="GPKG"), write_layer(BIG, tmp_path / "b.parquet")


def _leftovers(parent, name):
    """Temporary files or folders a run may have left beside ``parent/name``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# --- interruption ------------------------------------------------------------------------------------


def _interrupt_after(args, delay: float):
    # Ctrl-C acts as it does from a terminal even when the suite itself was started in the background, where
    # the shell ignores SIGINT and every child would inherit that
    proc = subprocess.Popen([sys.executable, "-m", "coterm", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # coterm's SIGTERM handler is installed when main() starts, after every import: a fixed sleep alone
    # can end, on a loaded machine, while Python is still importing (an interruption there is not ours)
    wait_until_caught(proc, signal.SIGTERM)
    time.sleep(delay)
    assert proc.poll() is None, "the run finished before it could be interrupted; make the input slower"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_interrupting_a_long_compare_leaves_no_output_folder_and_says_so(tmp_path, slow_pair):
    out = tmp_path / "results"
    rc, stdout, stderr = _interrupt_after(["compare", *slow_pair, *GEOM, "--out", out], delay=3.0)
    assert rc == 130
    assert stderr.strip().splitlines()[-1] == "coterm: interrupted; no partial output was left behind"
    assert "Traceback" not in stderr
    assert not out.exists()
    assert _leftovers(tmp_path, "results") == []


def test_interrupting_a_long_compare_keeps_the_previous_complete_output(tmp_path, slow_pair, small_pair):
    out = tmp_path / "results"
    assert run_here("compare", *small_pair, *GEOM, "--out", out).returncode == 0  # the previous output
    before = tree_bytes(out)
    rc, _, stderr = _interrupt_after(["compare", *slow_pair, *GEOM, "--out", out], delay=3.0)
    assert rc == 130 and "interrupted" in stderr
    assert tree_bytes(out) == before
    assert _leftovers(tmp_path, "results") == []


def test_an_interruption_while_the_files_are_being_written_keeps_the_previous_output(tmp_path, small_pair, monkeypatch):
    out = tmp_path / "results"
    sc = coterm.compare_layers(*small_pair, mode="geometry", by="area")
    write_compare_outputs(sc, out)
    before = tree_bytes(out)
    real = coterm.io.write_json

    def interrupted(obj, path):
        real(obj, path)  # the last file is complete on disk in the temporary folder ...
        raise KeyboardInterrupt  # ... when Ctrl-C arrives

    monkeypatch.setattr(coterm.io, "write_json", interrupted)
    sc2 = coterm.compare_layers(small_pair[1], small_pair[0], mode="geometry", by="area")
    with pytest.raises(KeyboardInterrupt):
        write_compare_outputs(sc2, out)
    assert tree_bytes(out) == before
    assert _leftovers(tmp_path, "results") == []


# --- disk full ---------------------------------------------------------------------------------------


def test_a_full_disk_while_writing_raises_output_error_and_leaves_the_previous_output(tmp_path, small_pair, monkeypatch):
    out = tmp_path / "results"
    sc = coterm.compare_layers(*small_pair, mode="geometry", by="area")
    write_compare_outputs(sc, out)
    before = tree_bytes(out)
    calls = {"n": 0}
    real_replace = os.replace

    def full_disk(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # the third file of the folder does not fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    monkeypatch.setattr(coterm.io.outputs.os, "replace", full_disk)
    with pytest.raises(OutputError) as info:
        write_compare_outputs(sc, out)
    msg = str(info.value)
    assert msg.startswith(f"{out}/") and "No space left on device" in msg and "previous output is unchanged" in msg
    assert ".tmp" not in msg  # names the user's folder, never the temporary one
    monkeypatch.undo()
    assert tree_bytes(out) == before
    assert _leftovers(tmp_path, "results") == []


def test_a_single_file_that_does_not_fit_is_not_left_half_written(tmp_path, monkeypatch):
    import pandas as pd

    target = tmp_path / "units.csv"
    target.write_text("old,complete\n")

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, s):
            self.fh.write(s[: len(s) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, k):
            return getattr(self.fh, k)

    with pytest.raises(OutputError, match=r"units\.csv: could not be written \(No space left on device\); nothing was left behind"):
        with coterm.io.atomic_write(target) as fh:
            Full(fh).write(pd.DataFrame({"a": range(1000)}).to_csv())
    assert target.read_text() == "old,complete\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


def test_a_really_full_filesystem_gives_a_one_line_error_and_no_partial_output(tmp_path, small_pair):
    if os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mnt / "filler").write_bytes(b"\0" * 4000)
        line = cli_error(run_here("compare", *small_pair, *GEOM, "--out", mnt / "results"), "No space left on device")
        assert f"{mnt / 'results'}" in line and ".tmp" not in line
        assert sorted(p.name for p in mnt.iterdir()) == ["filler"]
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


# --- concurrency -------------------------------------------------------------------------------------


def _race_in_fresh_interpreters(pairs, shared):
    procs = [subprocess.Popen([sys.executable, "-m", "coterm", "compare", *map(str, pair), *GEOM, "--out", str(shared)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for pair in pairs]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    return results


def _race_forked(forker, pairs, shared, logs, round_no):
    jobs = [(["compare", *pair, *GEOM, "--out", shared], logs / f"{round_no}-{i}.out", logs / f"{round_no}-{i}.err")
            for i, pair in enumerate(pairs)]
    return [(rc, err.read_text(encoding="utf-8")) for rc, (_, _, err) in zip(forker.run_at_once(jobs), jobs)]


def test_two_runs_writing_the_same_folder_at_once_leave_one_complete_output(tmp_path, small_pair):
    a, b = small_pair
    ref1, ref2 = tmp_path / "ref1", tmp_path / "ref2"
    # the two complete outputs, made in this process; the racing runs below are real processes
    assert run_here("compare", a, b, *GEOM, "--out", ref1).returncode == 0
    assert run_here("compare", b, a, *GEOM, "--out", ref2).returncode == 0
    expected = (tree_bytes(ref1), tree_bytes(ref2))
    assert expected[0] != expected[1]
    shared, logs, pairs = tmp_path / "shared", tmp_path / "logs", ((a, b), (b, a))
    logs.mkdir()

    def check(results):
        for rc, err in results:  # a run that loses the race fails cleanly, never with a traceback
            assert rc in (0, 2) and "Traceback" not in err, err
            if rc == 2:
                assert "coterm: error: " in err and "could not be written" in err
        assert any(rc == 0 for rc, _ in results)
        assert tree_bytes(shared) in expected
        assert _leftovers(tmp_path, "shared") == []

    # one round of two `python -m coterm` processes, then three of two processes forked at the same instant from
    # one interpreter that has done the imports (tests/hostile/forked_cli.py): their writes overlap far more closely
    check(_race_in_fresh_interpreters(pairs, shared))
    with Forker() as forker:
        for round_no in range(3):
            check(_race_forked(forker, pairs, shared, logs, round_no))


# --- determinism -------------------------------------------------------------------------------------


def test_every_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    a = write_layer(grid(6, 300, 0, 50.0, "A"), tmp_path / "a.parquet")
    b = write_layer(grid(5, 370, 40, 50.0, "B"), tmp_path / "b.gpkg", driver="GPKG")
    args = ("compare", a, b, *GEOM, "--sensitivity", "--json", "--out")
    # two fresh interpreters with different hash seeds, and this process (its own seed, its caches warm):
    # each run writes every file and prints the JSON, and all three must agree byte for byte
    runs = [run_cli(*args, tmp_path / f"out{seed}", env={"PYTHONHASHSEED": seed}) for seed in ("0", "12345")]
    runs.append(run_here(*args, tmp_path / "here"))
    for res in runs:
        assert res.returncode == 0, res.stderr
    trees = [tree_bytes(tmp_path / name) for name in ("out0", "out12345", "here")]
    assert sorted(trees[0]) == ["pairs.csv", "partners.csv", "sensitivity.csv", "slivers.csv", "summary.json", "units.csv", "units.gpkg"]
    assert trees[0] == trees[1] == trees[2]
    json_out = [res.stdout for res in runs]
    assert json_out[0] == json_out[1] == json_out[2] and json_out[0].startswith("{") and '"sensitivity"' in json_out[0]
