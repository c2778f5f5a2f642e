"""Writing outputs atomically, and never over something that is not ours.

Atomic means a reader never sees a half-written file: each output is written to a temporary file in
the same folder and moved into place with ``os.replace``; a folder of outputs is built beside the
target and swapped in at the end.

Rules (README "What coterm checks"):

* An existing target must be a regular file (for a folder of outputs: a real folder). Device nodes,
  FIFOs, sockets and symbolic links are refused, so ``-o /dev/null`` never replaces ``/dev/null``
  and ``-o LINK`` never replaces the link nor writes through it.
* ``--out LINK`` (a symbolic link to a folder) is refused: replacing the link would lose it, writing
  through it would swap a folder we were not given. ``--out .`` and any folder holding the current
  folder are refused (they cannot be swapped for a new one); give a sub-folder.
* Symbolic links inside an existing output folder are kept as links (never followed, never copied
  through); the user's files there are kept as hard links, so nothing is copied at all.
* New files get ``0o666`` and new folders ``0o777`` less the umask; a file or folder that exists keeps
  its mode.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

from ..errors import OutputError, shown

__all__ = ["atomic_write", "atomic_path", "atomic_dir", "ensure_parent", "write_text"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long for the file system"
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    return exc.strerror or str(exc)


def _lstat(path: Path):
    """``os.lstat`` or None when nothing is there; a one-line OutputError for names that cannot be looked up."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise OutputError(f"{shown(path, 200)}: a part of the path is a file, not a folder; choose another output path") from None
    except OSError as exc:
        raise OutputError(f"{shown(path, 200)}: cannot be used as an output ({_why(exc)})") from None


def _kind(st) -> str:
    mode = st.st_mode
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a special file"


def _check_target_file(path: Path):
    """Refuse an existing output target that is not a regular file; return its stat (or None)."""
    st = _lstat(path)
    if st is None or stat.S_ISREG(st.st_mode):
        return st
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{shown(path, 200)}: is a folder; give a file name for the output")
    raise OutputError(f"{shown(path, 200)}: exists and is {_kind(st)}, not a regular file; coterm will not replace it: choose another output path")


def _check_parent(path: Path) -> os.stat_result | None:
    parent = path.parent
    if len(path.name.encode("utf-8", "surrogateescape")) > 200:  # room for the temporary name's prefix and suffix
        raise OutputError(f"{shown(path, 200)}: the file name is too long ({len(path.name)} characters); choose a shorter one")
    st = _check_target_file(path)
    pst = _lstat(parent)
    if pst is None:
        raise OutputError(f"{shown(path, 200)}: the folder {shown(parent, 200)} does not exist; create it first")
    if not parent.is_dir():
        raise OutputError(f"{shown(path, 200)}: {shown(parent, 200)} is not a folder; choose another output path")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{shown(path, 200)}: the folder {shown(parent, 200)} is not writable; choose another output folder")
    return st


def ensure_parent(path: str | os.PathLike) -> Path:
    """Create the missing folders above an output file (one-line OutputError when that is impossible)."""
    path = Path(path)
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, mode=0o777)
        except OSError as exc:
            raise OutputError(f"{shown(path, 200)}: cannot create the folder {shown(path.parent, 200)} ({_why(exc)})") from None
    return path


def _file_mode(existing) -> int:
    return stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()


def _mkstemp(path: Path, suffix: str = ".tmp") -> str:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{shown(path, 200)}: cannot write in {shown(path.parent, 200)} ({_why(exc)})") from None
    os.close(fd)
    return tmp


def _replace_file(tmp: str | Path, path: Path, mode: int) -> None:
    os.chmod(tmp, mode)
    _check_target_file(path)  # it may have become a FIFO or link while we wrote
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **kwargs):
    """Open a temporary file beside ``path``; move it into place only if the block succeeds."""
    path = Path(path)
    existing = _check_parent(path)
    tmp = _mkstemp(path)
    try:
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
            kwargs.setdefault("newline", "")
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        _replace_file(tmp, path, _file_mode(existing))
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{shown(path, 200)}: could not be written ({_why(exc)}); nothing was left behind") from None
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path`` for writers that need a file name (GeoPackage, HTML)."""
    path = Path(path)
    existing = _check_parent(path)
    try:
        tmpdir = tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{shown(path, 200)}: cannot write in {shown(path.parent, 200)} ({_why(exc)})") from None
    tmp = Path(tmpdir) / path.name
    try:
        yield tmp
        _replace_file(tmp, path, _file_mode(existing))
    except OSError as exc:
        raise OutputError(f"{shown(path, 200)}: could not be written ({_why(exc)}); nothing was left behind") from None
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _check_out_folder(path: Path):
    """Refuse an --out target that is not a real folder (or absent); return its stat or None."""
    if path.name in ("", ".", ".."):
        raise OutputError(f"{shown(path, 200)}: the output must be a sub-folder (e.g. --out results), not the current folder or its parent")
    st = _lstat(path)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{shown(path, 200)}: is a symbolic link; coterm replaces output folders whole and will not follow "
                              "or replace a link: give the real folder")
        raise OutputError(f"{shown(path, 200)}: exists and is {_kind(st) if not stat.S_ISREG(st.st_mode) else 'a file'}; "
                          "give a folder for the outputs")
    if st is not None:
        here = Path.cwd().resolve()
        real = path.resolve()
        if real == here or real in here.parents:
            raise OutputError(f"{shown(path, 200)}: holds the current folder, so it cannot be replaced; give a sub-folder (e.g. --out results)")
    return st


def _keep(old: Path, new: Path) -> None:
    """Carry an entry of the previous output folder into the new one without following or copying links."""
    if old.is_symlink():
        os.symlink(os.readlink(old), new)
    elif old.is_dir():
        shutil.copytree(old, new, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(old, new)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, *, owned: tuple[str, ...] = ()):
    """Build a folder of outputs in a temporary sibling and swap it in when the block succeeds.

    An interrupted run leaves the previous complete folder in place. Files already in the target
    that the run does not produce are kept (a README, the user's own files), except those named in
    ``owned``: outputs of this command that this run did not make (e.g. an earlier run's
    ``sensitivity.csv``) are removed rather than left stale beside the new results.
    """
    path = Path(path)
    existing = _check_out_folder(path)
    parent = path.parent if str(path.parent) else Path(".")
    if _lstat(parent) is None:
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{shown(path, 200)}: cannot create the folder {shown(parent, 200)} ({_why(exc)})") from None
    if not parent.is_dir():
        raise OutputError(f"{shown(path, 200)}: {shown(parent, 200)} is not a folder; choose another output path")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{shown(path, 200)}: the folder {shown(parent, 200)} is not writable; choose another output folder")
    if len(path.name.encode("utf-8", "surrogateescape")) > 200:
        raise OutputError(f"{shown(path, 200)}: the folder name is too long ({len(path.name)} characters); choose a shorter one")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{shown(path, 200)}: cannot write in {shown(parent, 200)} ({_why(exc)})") from None
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o777 & ~_umask()
    trash = None
    try:
        yield tmp
        os.chmod(tmp, mode)
        if _check_out_folder(path) is not None:  # still a real folder (re-checked: it may have changed while we ran)
            for old in sorted(path.iterdir()):  # keep what this run does not replace
                if not os.path.lexists(tmp / old.name) and old.name not in owned:
                    _keep(old, tmp / old.name)
            trash = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.replace(path, trash / "x")
            try:
                os.replace(tmp, path)
            except BaseException:
                os.replace(trash / "x", path)  # put the previous output back
                raise
        else:
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{shown(path, 200)}: could not be written ({_why(exc)}); the previous output is unchanged") from None
    except OutputError as exc:  # a file inside failed: name the user's folder, not the temporary one
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(exc).replace(str(tmp), str(path)).replace("nothing was left behind", "the previous output is unchanged")) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_write(path) as fh:
        fh.write(text)
