"""The only file-format code: read users' vector files and the bundled catalogue; write CSV, JSON, HTML and GeoPackage atomically.

* :mod:`coterm.io.vector`: users' boundary files (documented formats only, no network, no side files).
* :mod:`coterm.io.tables`: bundled (Geo)Parquet and CSV files, checked against the catalogue's sha256;
  CSV, JSON and GeoPackage writers.
* :mod:`coterm.io.outputs`: atomic writes that never replace what is not ours.
"""

from __future__ import annotations

from .outputs import atomic_dir, atomic_path, atomic_write, ensure_parent, write_text
from .tables import (clean_json, dumps_json, read_bundled_csv, read_bundled_parquet, read_parquet_table, verify_sha256, write_csv,
                     write_gpkg, write_gpkg_layers, write_json)
from .vector import VECTOR_SUFFIXES, list_file_layers, read_vector

__all__ = ["read_vector", "list_file_layers", "atomic_write", "atomic_path", "atomic_dir", "ensure_parent", "write_csv", "write_json",
           "write_gpkg", "write_gpkg_layers", "write_text", "dumps_json", "clean_json", "verify_sha256", "read_bundled_parquet",
           "read_bundled_csv", "read_parquet_table", "VECTOR_SUFFIXES"]
