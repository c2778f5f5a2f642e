"""Writing the decision tools' outputs: CSV (spreadsheet-safe), JSON and HTML, atomically, in one folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["safe_for_spreadsheet", "write_outputs", "ATTRIBUTION"]

ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
               "Contains OS data © Crown copyright and database right 2024")


def safe_for_spreadsheet(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with ``= + - @`` (or a tab / carriage return) get a leading ``'`` so a spreadsheet shows,
    not runs, them. Numbers are left alone."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
    return out


def write_outputs(out_dir, files: dict) -> list[Path]:
    """Write ``{name: DataFrame | dict | str}`` into ``out_dir`` atomically (the folder is swapped in whole).

    DataFrames → CSV (``\\n`` line ends, spreadsheet-safe), dicts → JSON, strings → text (HTML).
    """
    from ..io import atomic_dir, dumps_json

    written = []
    with atomic_dir(out_dir, owned=tuple(files)) as tmp:
        for name, obj in files.items():
            p = Path(tmp) / name
            if isinstance(obj, pd.DataFrame):
                safe_for_spreadsheet(obj).to_csv(p, index=False, lineterminator="\n", float_format="%.10g")
            elif isinstance(obj, dict):
                p.write_text(dumps_json(obj), encoding="utf-8", newline="\n")
            else:
                p.write_text(str(obj), encoding="utf-8", newline="\n")
            written.append(Path(out_dir) / name)
    return written
