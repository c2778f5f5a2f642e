"""The only file-format code: read any OGR vector format or GeoParquet; write CSV, JSON and GeoPackage atomically.

Atomic means a reader never sees a half-written file: each output is written to a temporary file in
the same folder and moved into place with ``os.replace``; a folder of outputs is built beside the
target and swapped in at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

from .errors import DataFileError, LayerChoiceError, OutputError

__all__ = ["read_vector", "list_file_layers", "atomic_write", "atomic_dir", "write_csv", "write_json", "write_gpkg", "write_text"]

_VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".parquet", ".geoparquet", ".gml", ".kml", ".gdb"}


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise DataFileError(f"{path}: file not found; check the path (or use a catalogue id: `coterm layers`)")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise DataFileError(f"{path}: is a folder, not a boundary file; give the .gpkg/.geojson/.shp/.parquet file inside it")
    if path.is_file() and path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty (0 bytes); re-export or re-download it")


def list_file_layers(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a vector file (a GeoPackage may hold several)."""
    import pyogrio

    path = Path(path)
    _check_exists(path)
    try:
        return [str(n) for n, _ in pyogrio.list_layers(_ogr_path(path))]
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataFileError(f"{path}: cannot be read as a vector file ({_short(exc)}); is it a GeoPackage, GeoJSON, Shapefile, FlatGeobuf or GeoParquet?") from None


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _ogr_path(path: Path) -> str:
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            raise DataFileError(f"{path}: not a valid zip archive; re-create it") from None
        shps = sorted(n for n in names if n.lower().endswith(".shp"))
        if not shps:
            others = ", ".join(sorted(names)[:5]) or "nothing"
            raise DataFileError(f"{path}: the zip holds no .shp shapefile (it holds {others}); zip the .shp with its .shx, .dbf and .prj")
        return f"/vsizip/{path}/{shps[0]}"
    return str(path)


_LEADING_ZERO = re.compile(rb'"([^"\\\n]{1,80})"\s*:\s*(-?0[0-9]+)\b(?![.eE])')


def _check_json_numbers(path: Path) -> None:
    """Refuse GeoJSON properties written as numbers with a leading zero (``"code": 01234``).

    That is not valid JSON; GDAL reads it as 1234, silently turning code "01234" into another code.
    """
    import mmap

    with open(path, "rb") as fh, contextlib.suppress(ValueError), mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        m = _LEADING_ZERO.search(data)
        if m:
            line = data[: m.start()].count(b"\n") + 1
            key, num = m.group(1).decode("utf-8", "replace"), m.group(2).decode()
            raise DataFileError(
                f"{path}: line {line}: {key!r} is the number {num}, which is not valid JSON (leading zero) and would be read as "
                f"{int(num)}; quote it (\"{num}\") to keep it as a code"
            )


def read_vector(path: str | os.PathLike, *, layer: str | None = None):
    """Read a boundary file into a GeoDataFrame (GeoPackage, GeoJSON, Shapefile or zipped Shapefile, FlatGeobuf, GeoParquet).

    Raises DataFileError for missing, empty, corrupt or non-spatial files, and LayerChoiceError when
    a file holds several layers and ``layer`` is not given or not among them.
    """
    import geopandas as gpd
    import pyogrio

    path = Path(path)
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        try:
            return gpd.read_parquet(path)
        except Exception as exc:
            raise DataFileError(f"{path}: cannot be read as GeoParquet ({_short(exc)}); is the file complete?") from None
    if suffix in (".geojson", ".json"):
        _check_json_numbers(path)
    ogr = _ogr_path(path)
    try:
        with warnings.catch_warnings():  # GDAL's own warnings about damaged files: our error says it better
            warnings.simplefilter("ignore", RuntimeWarning)
            layers = [str(n) for n, _ in pyogrio.list_layers(ogr)]
    except Exception as exc:
        hint = "is it a GeoPackage, GeoJSON, Shapefile, FlatGeobuf or GeoParquet?"
        if suffix in (".geojson", ".json"):
            hint = "the GeoJSON is not valid JSON or not a FeatureCollection"
        raise DataFileError(f"{path}: cannot be read as a vector file ({_short(exc)}); {hint}") from None
    if layer is None and len(layers) > 1:
        raise LayerChoiceError(f"{path}: holds {len(layers)} layers ({', '.join(layers)}); choose one with layer= (CLI: --layer NAME)")
    if layer is not None and layer not in layers:
        raise LayerChoiceError(f"{path}: has no layer {layer!r}; its layers are: {', '.join(layers)}")
    try:
        gdf = pyogrio.read_dataframe(ogr, layer=layer)
    except Exception as exc:
        raise DataFileError(f"{path}: cannot be read ({_short(exc)}); the file may be truncated or corrupt") from None
    if not hasattr(gdf, "geometry") or "geometry" not in gdf.columns:
        raise DataFileError(f"{path}: has no geometry column; coterm needs polygon boundaries")
    return gdf


# --- writing -----------------------------------------------------------------------------------


def _check_parent(path: Path) -> None:
    parent = path.parent
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name for the output")
    if not parent.exists():
        raise OutputError(f"{path}: the folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: the folder {parent} is not writable; choose another output folder")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **kwargs):
    """Open a temporary file beside ``path``; move it into place only if the block succeeds."""
    path = Path(path)
    _check_parent(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
            kwargs.setdefault("newline", "")
        with open(tmp, mode, **kwargs) as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: could not be written ({exc.strerror or exc}); nothing was left behind") from None
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path`` for writers that need a file name (GeoPackage, HTML)."""
    path = Path(path)
    _check_parent(path)
    tmpdir = tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(tmpdir) / path.name
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: could not be written ({exc.strerror or exc}); nothing was left behind") from None
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, *, owned: tuple[str, ...] = ()):
    """Build a folder of outputs in a temporary sibling and swap it in when the block succeeds.

    An interrupted run leaves the previous complete folder in place. Files already in the target
    that the run does not produce are kept (a README, the user's own files), except those named in
    ``owned``: outputs of this command that this run did not make (e.g. an earlier run's
    ``sensitivity.csv``) are removed rather than left stale beside the new results.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is a file; give a folder for the outputs")
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{path}: cannot create the folder {parent} ({exc.strerror or exc})") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: the folder {parent} is not writable; choose another output folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {parent} ({exc.strerror or exc})") from None
    try:
        yield tmp
        if path.exists():
            for old in path.iterdir():  # keep what this run does not replace
                if not (tmp / old.name).exists() and old.name not in owned:
                    if old.is_dir():
                        shutil.copytree(old, tmp / old.name)
                    else:
                        shutil.copy2(old, tmp / old.name)
            os.chmod(tmp, 0o755)
            trash = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
            os.replace(path, trash / "x")
            os.replace(tmp, path)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.chmod(tmp, 0o755)
            os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{path}: could not be written ({exc.strerror or exc}); the previous output is unchanged") from None
    except OutputError as exc:  # a file inside failed: name the user's folder, not the temporary one
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(exc).replace(str(tmp), str(path)).replace("nothing was left behind", "the previous output is unchanged")) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_write(path) as fh:
        fh.write(text)


def write_csv(df, path: str | os.PathLike, *, index: bool = False) -> None:
    """Write a DataFrame as UTF-8 CSV with ``\\n`` line endings and round-trippable floats."""
    with atomic_write(path) as fh:
        df.to_csv(fh, index=index, lineterminator="\n", float_format="%.10g")


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def clean_json(obj):
    """Replace NaN/inf by None (JSON has no NaN) recursively and round floats to 10 significant digits."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return None if not math.isfinite(f) else float(f"{f:.10g}")
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def dumps_json(obj) -> str:
    return json.dumps(clean_json(obj), indent=2, ensure_ascii=False, default=_json_default) + "\n"


def write_json(obj, path: str | os.PathLike) -> None:
    write_text(dumps_json(obj), path)


def write_gpkg(gdf, path: str | os.PathLike, *, layer: str) -> None:
    """Write a GeoPackage deterministically (fixed timestamps) and atomically."""
    import pyogrio

    # GDAL stamps the write time into gpkg_contents; a fixed date keeps reruns byte-identical.
    os.environ.setdefault("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z")
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG")
