"""Reading users' boundary files: only the formats coterm documents, never the network, never a write.

* Formats: GeoPackage, GeoJSON, Shapefile (also zipped), FlatGeobuf, GML, KML, File Geodatabase and
  GeoParquet. The suffix must name one of them, the content must look like it (a GDAL VRT or any
  other XML that makes GDAL open further sources is refused before GDAL sees it), and the driver GDAL
  used is checked after opening.
* GDAL's network file systems (``/vsicurl``, ``/vsis3``...) are switched off for the process, GML
  schemas are never downloaded and GML reading never writes a ``.gfs`` beside the input.
* Only regular files (or a ``.gdb`` folder) are opened: a FIFO or device is refused, never read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import warnings
import zipfile
from pathlib import Path

from ..errors import DataFileError, LayerChoiceError, shown, warn

__all__ = ["read_vector", "list_file_layers", "gdal", "VECTOR_SUFFIXES"]

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".parquet", ".geoparquet", ".gml", ".kml", ".gdb"}
_ALLOWED_DRIVERS = {"GPKG", "GeoJSON", "ESRI Shapefile", "FlatGeobuf", "GML", "KML", "LIBKML", "OpenFileGDB"}
_FORMATS = "a GeoPackage, GeoJSON, Shapefile, FlatGeobuf or GeoParquet file"

# Set once per process, before GDAL opens anything: no network file system can fetch (the curl-based
# handlers only open names with this extension, which no URL has), GML never fetches schemas or resolves
# remote links, and written GeoPackages carry a fixed date (byte-identical reruns).
_GDAL_OPTIONS = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".coterm-network-disabled",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    "LIBKML_RESOLVE_STYLE": "NO",
    "OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z",
}
_OPEN_OPTIONS = {".gml": {"WRITE_GFS": "NO", "DOWNLOAD_SCHEMA": "NO"}}
_ready = False


def gdal():
    """pyogrio, with coterm's GDAL configuration applied (network off, no side files)."""
    global _ready
    import pyogrio

    if not _ready:
        pyogrio.set_gdal_config_options(_GDAL_OPTIONS)
        _ready = True
    return pyogrio


def _input_stat(path: Path):
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        why = {errno.ENAMETOOLONG: f"the name is too long ({len(path.name)} characters)", errno.ELOOP: "a symbolic link loop",
               errno.ENOTDIR: "a part of the path is a file, not a folder"}.get(exc.errno, exc.strerror or str(exc))
        raise DataFileError(f"{shown(path, 200)}: cannot be opened ({why}); check the path") from None


def _check_exists(path: Path) -> None:
    st = _input_stat(path)
    if st is None:
        raise DataFileError(f"{shown(path, 200)}: file not found; check the path (or use a catalogue id: `coterm layers`)")
    if stat.S_ISDIR(st.st_mode):
        if path.suffix.lower() != ".gdb":
            raise DataFileError(f"{shown(path, 200)}: is a folder, not a boundary file; give the .gpkg/.geojson/.shp/.parquet file inside it")
        return
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise DataFileError(f"{shown(path, 200)}: is {kind}, not a file; coterm reads boundary files only (save it to a file first)")
    if st.st_size == 0:
        raise DataFileError(f"{shown(path, 200)}: the file is empty (0 bytes); re-export or re-download it")
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        raise DataFileError(f"{shown(path, 200)}: {shown(path.suffix or 'no suffix', 20)} is not a format coterm reads; give {_FORMATS} "
                            "(.gpkg, .geojson, .shp or .zip, .fgb, .parquet, .gml, .kml)")


def _head(path: Path, n: int = 4096) -> bytes:
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        return fh.read(n)


_VRT = re.compile(rb"<\s*(OGRVRTDataSource|VRTDataset|OGRWFSDataSource|GDAL_WMS|WFS_Capabilities)\b", re.I)


def _sniff(path: Path, head: bytes) -> str:
    """What the file's first bytes say it is ("json", "xml", "sqlite", "zip", ... or "other"); refuse VRTs."""
    if _VRT.search(head):
        raise DataFileError(f"{shown(path, 200)}: is a GDAL virtual dataset (VRT/WFS XML) that makes GDAL open other sources; "
                            f"coterm reads only {_FORMATS}: export the data itself")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        return "xml"
    if head.startswith(b"SQLite format 3\0"):
        return "sqlite"
    if head.startswith(b"PK"):
        return "zip"
    return "other"


def _zip_shapefiles(path: Path) -> tuple[list[str], set[str]]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile:
        raise DataFileError(f"{shown(path, 200)}: not a valid zip archive; re-create it") from None
    shps = sorted(n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX/"))
    if not shps:
        others = ", ".join(shown(n, 60) for n in sorted(names)[:5]) or "nothing"
        raise DataFileError(f"{shown(path, 200)}: the zip holds no .shp shapefile (it holds {others}); zip the .shp with its .shx, .dbf and .prj")
    return shps, {n.lower() for n in names}


def _ogr_path(path: Path, layer: str | None = None) -> tuple[str, str | None, bool]:
    """(the name GDAL opens, the layer to ask it for, whether a Shapefile there lacks a ``.cpg``)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        shps, names = _zip_shapefiles(path)
        if len(shps) > 1:
            stems = {Path(s).stem: s for s in shps}
            if layer is None:
                raise LayerChoiceError(f"{shown(path, 200)}: holds {len(shps)} shapefiles ({', '.join(shown(s, 60) for s in shps)}); "
                                       "choose one with layer= (CLI: --layer NAME, the name without .shp)")
            chosen = stems.get(layer) or (layer if layer in shps else None)
            if chosen is None:
                raise LayerChoiceError(f"{shown(path, 200)}: has no shapefile {shown(layer, 60)}; it holds: {', '.join(shown(s, 60) for s in shps)}")
        else:
            chosen = shps[0]
            if layer is not None and layer not in (Path(chosen).stem, chosen):
                raise LayerChoiceError(f"{shown(path, 200)}: has no layer {shown(layer, 60)}; it holds one shapefile: {shown(chosen, 60)}")
        no_cpg = chosen[:-4].lower() + ".cpg" not in names
        return f"/vsizip/{path}/{chosen}", None, no_cpg
    if suffix == ".shp":
        return str(path), layer, not path.with_suffix(".cpg").exists() and not path.with_suffix(".CPG").exists()
    return str(path), layer, False


_LEADING_ZERO = re.compile(rb'"([^"\\\n]{1,80})"\s*:\s*(-?0[0-9]+)\b(?![.eE])')


def _check_json_numbers(path: Path) -> None:
    """Refuse JSON properties written as numbers with a leading zero (``"code": 01234``).

    That is not valid JSON; GDAL reads it as 1234, silently turning code "01234" into another code.
    Applied to every file whose content is JSON, whatever its suffix.
    """
    import mmap

    with open(path, "rb") as fh, contextlib.suppress(ValueError), mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        m = _LEADING_ZERO.search(data)
        if m:
            line = data[: m.start()].count(b"\n") + 1
            key, num = m.group(1).decode("utf-8", "replace"), m.group(2).decode()
            raise DataFileError(
                f"{shown(path, 200)}: line {line}: '{shown(key, 60)}' is the number {num}, which is not valid JSON (leading zero) and "
                f"would be read as {int(num)}; quote it (\"{num}\") to keep it as a code"
            )


def _short(exc: Exception) -> str:
    return shown(str(exc).strip().splitlines()[0], 200) if str(exc).strip() else type(exc).__name__


def _layers(pyogrio, ogr: str, suffix: str) -> list[str]:
    opts = _OPEN_OPTIONS.get(suffix, {})
    if not opts:
        return [str(n) for n, _ in pyogrio.list_layers(ogr)]
    # list_layers takes no open options (GML would write a .gfs): ask layer by layer
    out = []
    for i in range(10_000):
        try:
            out.append(str(pyogrio.read_info(ogr, layer=i, **opts)["layer_name"]))
        except Exception:  # noqa: BLE001 - past the last layer
            if not out:
                raise
            break
    return out


def _open(path: Path, layer: str | None):
    """Validate, sniff and open: returns (pyogrio, GDAL name, layer names, layer to read, no_cpg)."""
    _check_exists(path)
    suffix = path.suffix.lower()
    kind = _sniff(path, _head(path))
    if kind == "json":
        _check_json_numbers(path)
    ogr, gdal_layer, no_cpg = _ogr_path(path, layer)
    pyogrio = gdal()
    try:
        with warnings.catch_warnings():  # GDAL's own warnings about damaged files: our error says it better
            warnings.simplefilter("ignore", RuntimeWarning)
            layers = _layers(pyogrio, ogr, suffix)
            probe = gdal_layer if gdal_layer in layers else (layers[0] if layers else None)
            driver = pyogrio.read_info(ogr, layer=probe, **_OPEN_OPTIONS.get(suffix, {}))["driver"]
    except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for unreadable files
        hint = f"is it {_FORMATS}?"
        if kind == "json" or suffix in (".geojson", ".json"):
            hint = "the GeoJSON is not valid JSON or not a FeatureCollection"
        raise DataFileError(f"{shown(path, 200)}: cannot be read as a vector file ({_short(exc)}); {hint}") from None
    if driver not in _ALLOWED_DRIVERS:
        raise DataFileError(f"{shown(path, 200)}: GDAL reads it as {shown(driver, 40)}, which coterm does not accept; give {_FORMATS}")
    return pyogrio, ogr, layers, gdal_layer, no_cpg


def list_file_layers(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a vector file (a GeoPackage may hold several; so may a zip of shapefiles)."""
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        _check_exists(path)
        return [path.stem]
    if path.suffix.lower() == ".zip":
        _check_exists(path)
        return [Path(s).stem for s in _zip_shapefiles(path)[0]]
    return _open(path, None)[2]


def read_vector(path: str | os.PathLike, *, layer: str | None = None):
    """Read a boundary file into a GeoDataFrame (GeoPackage, GeoJSON, Shapefile or zipped Shapefile, FlatGeobuf, GeoParquet).

    Raises DataFileError for missing, empty, corrupt, non-spatial or unsupported files, and
    LayerChoiceError when a file holds several layers (or a zip several shapefiles) and ``layer``
    is not given or not among them. Z and M values are dropped (areas are planar).
    """
    from .tables import read_parquet_table

    path = Path(path)
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        _check_exists(path)
        return read_parquet_table(path)
    pyogrio, ogr, layers, gdal_layer, no_cpg = _open(path, layer)
    if gdal_layer is None and len(layers) > 1:
        raise LayerChoiceError(f"{shown(path, 200)}: holds {len(layers)} layers ({', '.join(shown(n, 60) for n in layers)}); "
                               "choose one with layer= (CLI: --layer NAME)")
    if gdal_layer is not None and gdal_layer not in layers:
        raise LayerChoiceError(f"{shown(path, 200)}: has no layer '{shown(gdal_layer, 60)}'; its layers are: {', '.join(shown(n, 60) for n in layers)}")
    opts = _OPEN_OPTIONS.get(path.suffix.lower(), {})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            gdf = pyogrio.read_dataframe(ogr, layer=gdal_layer, force_2d=True, **opts)
            if no_cpg and _mojibake(gdf):
                gdf = pyogrio.read_dataframe(ogr, layer=gdal_layer, force_2d=True, encoding="UTF-8")
                warn(f"{shown(path, 200)}: the shapefile has no .cpg file and its text is UTF-8 (read as Latin-1 it would be garbled); "
                     "read as UTF-8: add a .cpg file holding UTF-8 to silence this")
    except Exception as exc:  # noqa: BLE001
        raise DataFileError(f"{shown(path, 200)}: cannot be read ({_short(exc)}); the file may be truncated or corrupt") from None
    if not hasattr(gdf, "geometry") or "geometry" not in gdf.columns:
        raise DataFileError(f"{shown(path, 200)}: has no geometry column; coterm needs polygon boundaries")
    return gdf


def _mojibake(gdf) -> bool:
    """True when text read as Latin-1 is really UTF-8: every non-ASCII value re-encodes to valid UTF-8."""
    import pandas as pd

    seen = False
    for col in gdf.columns:
        if col == "geometry" or not (pd.api.types.is_object_dtype(gdf[col].dtype) or pd.api.types.is_string_dtype(gdf[col].dtype)):
            continue
        for v in gdf[col].dropna().unique():
            if not isinstance(v, str) or v.isascii():
                continue
            try:
                fixed = v.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                return False
            seen = seen or fixed != v
    return seen
