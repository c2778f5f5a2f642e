"""Tables in and out: CSV, JSON, Parquet and GeoPackage writers, and the bundled catalogue's files.

Bundled files (``boundaries/``) are checked against the catalogue's ``sha256`` the first time a
process reads them (the digest is cached by path, size and modification time, so it is computed
once per process); a file that does not match is refused naming the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import CatalogError, CatalogIntegrityError, DataFileError, shown
from .outputs import atomic_path, atomic_write, write_text

__all__ = ["write_csv", "write_json", "dumps_json", "clean_json", "write_gpkg", "write_gpkg_layers", "verify_sha256",
           "read_bundled_parquet", "read_bundled_csv", "read_parquet_table"]

# GDAL stamps the write time into gpkg_contents; a fixed date keeps reruns byte-identical.
FIXED_DATE = "2000-01-01T00:00:00.000Z"

_VERIFIED: dict[tuple[str, int, int], str] = {}


def verify_sha256(path: str | os.PathLike, expected: str, *, what: str = "bundled file") -> Path:
    """Refuse a bundled file whose SHA-256 is not the catalogue's (computed once per process and file)."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise CatalogError(f"{path}: {what} is missing; reinstall coterm (or fix COTERM_BOUNDARIES)") from None
    except OSError as exc:
        raise CatalogError(f"{path}: {what} cannot be read ({exc.strerror or exc}); reinstall coterm") from None
    if not expected:
        raise CatalogError(f"{path}: the catalogue gives no sha256 for this {what}; rebuild the catalogue (make boundaries)")
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    digest = _VERIFIED.get(key)
    if digest is None:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        _VERIFIED[key] = digest
    if digest != expected.lower():
        raise CatalogIntegrityError(f"{path}: {what} does not match the catalogue (sha256 {digest[:12]}…, expected {expected[:12]}…); "
                           "it was changed or damaged: reinstall coterm or rebuild the catalogue")
    return path


def read_bundled_parquet(path, sha256: str, *, columns=None, geo: bool = True, what: str = "bundled layer file"):
    """Read a verified bundled (Geo)Parquet file."""
    verify_sha256(path, sha256, what=what)
    try:
        if geo:
            import geopandas as gpd

            return gpd.read_parquet(path, columns=columns)
        return _read_parquet_frame(path, columns)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types
        raise CatalogError(f"{path}: {what} is unreadable ({shown(exc, 200)}); reinstall coterm") from None


def _read_parquet_frame(path, columns):
    """``pd.read_parquet(path, columns=columns)`` through one ParquetFile: pandas' read_table goes through
    pyarrow.dataset (an extra import and ~5 ms a file); the table becomes a frame by pandas' own conversion."""
    import pandas as pd

    try:
        import pyarrow.parquet as pq
        from pandas.io._util import arrow_table_to_pandas
    except ImportError:  # another pandas: its public reader
        return pd.read_parquet(path, columns=columns)
    table = pq.ParquetFile(path).read(columns=columns, use_pandas_metadata=True)
    meta = table.schema.metadata or {}
    if b"PANDAS_ATTRS" in meta:
        return pd.read_parquet(path, columns=columns)  # frame attrs: as pandas restores them
    return arrow_table_to_pandas(table)


def read_bundled_csv(path, sha256: str, *, columns=None, what: str = "bundled lookup"):
    """Read a verified bundled CSV as text columns (codes stay text: no NA guessing); ``columns=None`` reads all."""
    import pandas as pd

    verify_sha256(path, sha256, what=what)
    fast = _read_text_csv_arrow(path, columns)
    if fast is not None:
        return fast
    try:
        return pd.read_csv(path, dtype=str, usecols=list(columns) if columns is not None else None, keep_default_na=False)
    except (OSError, ValueError) as exc:
        lacks = f" or lacks columns {', '.join(map(repr, columns))}" if columns is not None else ""
        raise CatalogError(f"{path}: {what} unreadable{lacks} ({shown(exc, 200)}); reinstall coterm") from None


def _read_text_csv_arrow(path, columns):
    """The same table as ``pd.read_csv(dtype=str, keep_default_na=False)``, parsed by pyarrow (~4× less CPU).

    None when pyarrow finds anything unusual (a missing column, ragged rows, repeated header names):
    pandas then reads the file and gives its own result or message.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        with open(path, "rb") as fh:
            header = fh.readline().decode("utf-8").rstrip("\r\n").split(",")
        if len(set(header)) != len(header) or any(not h or '"' in h or h != h.strip() for h in header):
            return None
        use = list(dict.fromkeys(columns)) if columns is not None else header
        if any(c not in header for c in use):
            return None
        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False),
                               convert_options=pacsv.ConvertOptions(include_columns=use, column_types={c: pa.string() for c in use},
                                                                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                                    null_values=[]))
    except (OSError, UnicodeDecodeError, pa.ArrowException):
        return None
    df = table.to_pandas()
    # pandas keeps the file's column order for usecols
    return df[[c for c in header if c in use]]


def read_parquet_table(path, *, columns=None):
    """Read a (Geo)Parquet file given by a user; one-line DataFileError if it is not one."""
    import geopandas as gpd

    try:
        return gpd.read_parquet(path, columns=columns)
    except Exception as exc:  # noqa: BLE001
        raise DataFileError(f"{shown(path, 200)}: cannot be read as GeoParquet ({shown(exc, 200)}); is the file complete?") from None


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
    import sys

    if isinstance(obj, dict):
        return {str(k): clean_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean_json(v) for v in obj]
    np = sys.modules.get("numpy")  # without numpy loaded there is no numpy scalar (`coterm layers --json` loads none)
    if isinstance(obj, float) or (np is not None and isinstance(obj, np.floating)):
        f = float(obj)
        return None if not math.isfinite(f) else float(f"{f:.10g}")
    if np is None:
        return obj
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def dumps_json(obj) -> str:
    return json.dumps(clean_json(obj), indent=2, ensure_ascii=False, default=_json_default) + "\n"


def write_json(obj, path: str | os.PathLike) -> None:
    write_text(dumps_json(obj), path)


def write_gpkg_layers(layers, path: str | os.PathLike) -> None:
    """Write several GeoDataFrames as the layers of one GeoPackage, deterministically and atomically.

    ``layers`` is an iterable of (layer name, GeoDataFrame), written in that order.
    """
    from .vector import gdal

    pyogrio = gdal()
    with atomic_path(path) as tmp:
        for name, gdf in layers:
            pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG")


def write_gpkg(gdf, path: str | os.PathLike, *, layer: str) -> None:
    """Write a GeoPackage deterministically (fixed timestamps) and atomically."""
    write_gpkg_layers([(layer, gdf)], path)
