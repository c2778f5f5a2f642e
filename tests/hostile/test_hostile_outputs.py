"""Hostile output paths: writing never replaces, follows or leaves behind something that is not ours."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pandas as pd
import pytest

from coterm.errors import OutputError
from coterm.io import atomic_dir, write_csv, write_text
from hostile_helpers import BIG, ROWS, cli_error, run_here, slow_pair_files, wait_until_caught, write_layer

GEOM = ("--mode", "geometry", "--by", "area")
OUTPUTS = ["pairs.csv", "partners.csv", "slivers.csv", "summary.json", "units.csv", "units.gpkg"]


@pytest.fixture
def pair(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    return write_layer(ROWS, d / "a.gpkg", driver="GPKG"), write_layer(BIG, d / "b.parquet")


def _siblings(folder):
    return sorted(p.name for p in folder.iterdir())


# --- a single output file ------------------------------------------------------------------------


def test_a_fifo_as_output_is_refused_and_stays_a_fifo(tmp_path, pair):
    fifo = tmp_path / "out.html"
    os.mkfifo(fifo)
    # a reader holds the pipe open: a write to it would not block this process, and is seen below
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(OutputError, match=r"out\.html: exists and is a FIFO \(named pipe\), not a regular file; coterm will not replace it"):
            write_text("x", fifo)
        cli_error(run_here("map", *pair, *GEOM, "-o", fifo), "out.html: exists and is a FIFO (named pipe), not a regular file")
        assert os.read(reader, 1) == b""  # nothing was written into the pipe
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _siblings(tmp_path) == ["in", "out.html"]


def test_a_symlink_as_output_is_refused_and_neither_the_link_nor_its_target_changes(tmp_path, pair):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    with pytest.raises(OutputError, match=r"out\.csv: exists and is a symbolic link, not a regular file"):
        write_csv(pd.DataFrame({"a": [1]}), link)
    cli_error(run_here("map", *pair, *GEOM, "-o", link), "out.csv: exists and is a symbolic link")
    assert link.is_symlink() and os.readlink(link) == str(target) and target.read_text() == "keep me"


def test_a_link_to_the_terminal_stream_is_refused(tmp_path, pair):
    link = tmp_path / "stdout.html"
    link.symlink_to("/proc/self/fd/1")
    cli_error(run_here("map", *pair, *GEOM, "-o", link), "stdout.html: exists and is a symbolic link")
    assert link.is_symlink()


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_node_as_output_is_refused_and_stays_a_device(tmp_path, pair):
    dev = tmp_path / "null"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    cli_error(run_here("map", *pair, *GEOM, "-o", dev), "null: exists and is a device, not a regular file")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_an_existing_output_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("x")
    old.chmod(0o600)
    write_csv(pd.DataFrame({"a": [1]}), old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_text() == "a\n1\n"
    mask = os.umask(0o027)
    try:
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "new.csv")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


def test_a_300_character_output_name_is_refused_in_one_line(tmp_path, pair):
    long = tmp_path / ("m" * 300 + ".html")
    err = cli_error(run_here("map", *pair, *GEOM, "-o", long), "the file name is too long (305 characters); choose a shorter one")
    assert len(err) < 400  # the name is cut in the message
    assert _siblings(tmp_path) == ["in"]


def test_an_output_folder_that_cannot_be_created_is_refused_in_one_line(tmp_path, pair):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    cli_error(run_here("map", *pair, *GEOM, "-o", blocker / "sub" / "m.html"), "cannot create the folder", "afile/sub")
    cli_error(run_here("compare", *pair, *GEOM, "--out", blocker / "sub" / "res"), "afile/sub")
    assert blocker.read_text() == "not a folder"


# --- a folder of outputs -------------------------------------------------------------------------


def test_out_as_a_symlink_to_a_folder_is_refused_and_the_link_is_kept(tmp_path, pair):
    real = tmp_path / "real"
    real.mkdir()
    (real / "mine.txt").write_text("mine")
    link = tmp_path / "results"
    link.symlink_to(real)
    cli_error(run_here("compare", *pair, *GEOM, "--out", link), "results: is a symbolic link", "give the real folder")
    assert link.is_symlink() and _siblings(real) == ["mine.txt"]
    assert _siblings(tmp_path) == ["in", "real", "results"]


def test_a_symlink_loop_as_out_is_refused_in_one_line(tmp_path, pair):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    cli_error(run_here("compare", *pair, *GEOM, "--out", loop), "loop: is a symbolic link")
    assert loop.is_symlink()


@pytest.mark.parametrize("out", [".", "..", "sub/.."])
def test_out_as_the_current_folder_or_its_parent_is_refused_leaving_nothing(tmp_path, pair, out):
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    cli_error(run_here("compare", *pair, *GEOM, "--out", out, cwd=work), "the output must be a sub-folder")
    assert _siblings(work) == ["sub"] and _siblings(tmp_path) == ["in", "work"]


def test_out_as_a_folder_holding_the_current_folder_is_refused(tmp_path, pair):
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    cli_error(run_here("compare", *pair, *GEOM, "--out", tmp_path / "work", cwd=work), "holds the current folder")


def test_symlinks_inside_an_existing_out_folder_are_kept_as_links_never_followed(tmp_path, pair):
    big = tmp_path / "elsewhere"
    big.mkdir()
    (big / "huge.bin").write_bytes(b"\0" * 100_000)
    out = tmp_path / "results"
    out.mkdir()
    (out / "data").symlink_to(big, target_is_directory=True)
    (out / "dangling").symlink_to(tmp_path / "nothing-here")
    (out / "notes.txt").write_text("my notes")
    assert run_here("compare", *pair, *GEOM, "--out", out).returncode == 0
    assert _siblings(out) == ["dangling", "data", "notes.txt", *OUTPUTS]
    assert (out / "data").is_symlink() and os.readlink(out / "data") == str(big)
    assert (out / "dangling").is_symlink() and (out / "notes.txt").read_text() == "my notes"
    assert _siblings(big) == ["huge.bin"]  # the target is untouched and nothing was copied from it
    assert _siblings(tmp_path) == ["elsewhere", "in", "results"]


def test_an_existing_out_folder_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path, pair):
    out = tmp_path / "private"
    out.mkdir()
    out.chmod(0o700)
    assert run_here("compare", *pair, *GEOM, "--out", out).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    new = tmp_path / "new"
    mask = os.umask(0o077)  # as `umask 077` in the user's shell; coterm reads the umask when it writes, not at start-up
    try:
        res = run_here("compare", *pair, *GEOM, "--out", new)
    finally:
        os.umask(mask)
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in new.iterdir()} == {0o600}


def test_atomic_dir_refuses_a_link_even_when_it_appears_during_the_run(tmp_path):
    out = tmp_path / "res"
    real = tmp_path / "real"
    real.mkdir()
    with pytest.raises(OutputError, match=r"res: is a symbolic link"):
        with atomic_dir(out) as tmp:
            (tmp / "a.txt").write_text("a")
            out.symlink_to(real)  # someone swaps a link in while we compute
    assert out.is_symlink() and _siblings(real) == [] and _siblings(tmp_path) == ["real", "res"]


# --- signals -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_pair(tmp_path_factory):
    return slow_pair_files(tmp_path_factory)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("command", ["compare", "map"])
def test_sigterm_and_sighup_leave_no_partial_output_and_say_so_in_one_line(tmp_path, slow_pair, sig, command):
    out = tmp_path / ("results" if command == "compare" else "m.html")
    args = ["compare", *slow_pair, *GEOM, "--out", out] if command == "compare" else ["map", *slow_pair, *GEOM, "-o", out]
    proc = subprocess.Popen([sys.executable, "-m", "coterm", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_caught(proc, sig)
    time.sleep(1.5)  # into the overlay
    assert proc.poll() is None, "the run finished before the signal; make the input slower"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err  # stderr says where a stray KeyboardInterrupt escaped
    assert err.strip().splitlines()[-1] == f"coterm: stopped by {signal.Signals(sig).name}; no partial output was left behind"
    assert "Traceback" not in err
    assert _siblings(tmp_path) == []  # no output, no temporary file or folder


def _files_in_temporary(folder, prefix) -> bool:
    """Whether a temporary folder ``folder/PREFIX*`` (still being written) holds a file yet."""
    try:
        return any(p.is_file() for tmp in folder.glob(prefix + "*") for p in tmp.rglob("*"))
    except FileNotFoundError:  # renamed or removed while we looked
        return False


def test_sigterm_during_the_demo_leaves_no_partial_maps_folder(tmp_path):
    out = tmp_path / "maps"
    proc = subprocess.Popen([sys.executable, "-m", "coterm", "demo", "--quick", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_until_caught(proc, signal.SIGTERM)
    # signal once the run has written its first page into its temporary folder: there is partial output to remove
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not _files_in_temporary(tmp_path, ".maps."):
        time.sleep(0.02)
    assert proc.poll() is None, "the demo finished before the signal"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1] == "coterm: stopped by SIGTERM; no partial output was left behind"
    assert _siblings(tmp_path) == []  # no maps/, no .maps.*.tmp
