"""A fitted layer on disk: the folder ``coterm fit FILE --out DIR`` writes, read back as an atom-built layer.

``coterm fit`` writes ``lookup.csv`` (block → unit, with shares), ``units.csv`` and ``fit.json``; fit.json
holds the fit's figures and a **manifest** (``"format": "coterm-fit"``) naming the base, the file that
was fitted (its path relative to the folder, its sha256 and the column/layer/CRS choices it was read
with) and the sha256, row count and columns of lookup.csv and units.csv.

Everywhere a layer goes (``compare``, ``map``, ``units``, ``reconcile``, a scenario's layer and
``--against``), the folder, its ``fit.json`` or its ``lookup.csv`` is recognised by that manifest and
loaded by :func:`load_fitted`: the fitted file's polygons (for maps) with the lookup as its membership on
the base, so it is compared exactly (atom mode) without fitting again, and the fit report rides along
(``Layer.fit``; the CLI header and summary.json say "fitted lookup from <file>"). A manifest that is
missing, unreadable or does not match the files (a lookup edited by hand, a fitted file changed since)
is refused with one line saying what to do: re-run ``coterm fit``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataFileError

__all__ = ["FORMAT", "VERSION", "MANIFEST", "is_fit_reference", "load_fitted", "write_fit", "file_digest"]

FORMAT = "coterm-fit"
VERSION = 1
MANIFEST = "fit.json"
LOOKUP = "lookup.csv"
UNITS = "units.csv"
OUTPUTS = (LOOKUP, UNITS, MANIFEST)
#: lookup.csv columns the loader needs (``coterm fit`` writes them in this order)
LOOKUP_COLUMNS = ("block_code", "unit_code", "unit_name", "share", "runner_up", "runner_up_share", "band", "ambiguous", "placed_by",
                  "population", "displaced_population", "area_m2", "largest_share", "displaced_area_m2", "deep_share")
_UNIT_COLUMNS = ("code", "blocks", "ge99", "ge95", "lt95", "ambiguous", "population", "displaced_population", "displaced_area_m2",
                 "in_base")
_RERUN = "re-run `coterm fit FILE --out DIR`"


class FitReferenceError(DataFileError):
    """A fitted-lookup reference whose manifest is missing, unreadable or does not match its files."""


# --- writing ---------------------------------------------------------------------------------------


def file_digest(path: str | os.PathLike) -> str:
    """sha256 of a file (a Shapefile with its .dbf/.shx/.prj/.cpg; a folder such as a .gdb: every file, by name)."""
    path = Path(path)
    h = hashlib.sha256()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        for p in files:
            h.update(p.relative_to(path).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
        return h.hexdigest()
    parts = [path]
    if path.suffix.lower() == ".shp":
        parts += [p for ext in (".dbf", ".shx", ".prj", ".cpg") for p in [path.with_suffix(ext)] if p.exists()]
    for p in parts:
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_info(layer, out: Path, options: dict) -> dict:
    """Where the fitted layer came from: a catalogue id (with its file's sha256) or a file (path relative to ``out``)."""
    entry = getattr(layer, "entry", None)
    opts = {k: options.get(k) for k in ("code", "name", "layer", "crs")}
    if entry is not None:
        return {"catalog": entry.id, "sha256": entry.sha256, **opts}
    src = str(layer.source or "")
    if src.lower().startswith(("postgresql://", "postgres://")) or not src or not Path(src).exists():
        raise FitReferenceError(f"{layer.source or layer.id}: only a catalogue layer or a boundary file can be saved as a reusable fit "
                                "(a database layer can change under it); export the table to a GeoPackage and fit that")
    absolute = os.path.abspath(src)
    return {"file": Path(os.path.relpath(absolute, os.path.abspath(out))).as_posix(), "absolute": Path(absolute).as_posix(),
            "sha256": file_digest(src), **opts}


def write_fit(report, layer, out: str | os.PathLike, *, options: dict | None = None) -> Path:
    """Write lookup.csv, units.csv and fit.json (figures + manifest) to the folder ``out``, atomically.

    ``layer`` is the layer that was fitted (its source is recorded, with the ``options`` it was read
    with: ``code``, ``name``, ``layer``, ``crs``), so :func:`load_fitted` can read the folder back.
    """
    from .io import atomic_dir, write_csv, write_json

    out = Path(out)
    source = _source_info(layer, out, options or {})
    with atomic_dir(out, owned=OUTPUTS) as tmp:
        lookup = report.lookup()
        lookup["unit_name"] = _safe_text(lookup["unit_name"])
        write_csv(lookup, tmp / LOOKUP)
        units = report.units.reset_index()
        units["name"] = _safe_text(units["name"])
        write_csv(units, tmp / UNITS)
        manifest = {
            "format": FORMAT, "version": VERSION, "base": report.base, "source": source,
            "lookup": {"file": LOOKUP, "sha256": _sha(tmp / LOOKUP), "rows": int(len(lookup)), "columns": list(lookup.columns)},
            "units": {"file": UNITS, "sha256": _sha(tmp / UNITS), "rows": int(len(units)), "columns": list(units.columns)},
        }
        write_json({"format": FORMAT, "manifest": manifest, **report.summary()}, tmp / MANIFEST)
    return out


def _safe_text(series):
    """Spreadsheet-safe text: a leading =, +, - or @ is quoted so it is never read as a formula (names only; codes stay exact)."""
    s = series.astype(str)
    return s.where(~s.str.match(r"^[=+\-@\t\r]"), "'" + s)


# --- recognising -----------------------------------------------------------------------------------


def _lookup_header(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(64).lstrip(b"\xef\xbb\xbf").startswith(b"block_code,unit_code")
    except OSError:
        return False


def is_fit_reference(path: str | os.PathLike) -> bool:
    """True for a folder holding fit.json, a file named fit.json, or a CSV whose header is a fitted lookup's."""
    p = Path(path)
    try:
        if p.is_dir():
            return (p / MANIFEST).is_file()
        if p.name == MANIFEST:  # unless it is a GeoJSON that happens to be called fit.json
            with open(p, "rb") as fh:
                head = fh.read(4096)
            return b'"FeatureCollection"' not in head and b'"features"' not in head
        return p.suffix.lower() == ".csv" and _lookup_header(p)
    except OSError:
        return False


def _read_manifest(path: Path) -> tuple[Path, dict]:
    """(folder, manifest) of a reference; FitReferenceError naming the file and what to do."""
    folder = path if path.is_dir() else path.parent
    mf = folder / MANIFEST
    if not mf.is_file():
        raise FitReferenceError(f"{path}: looks like a fitted lookup but has no {MANIFEST} beside it (its manifest); {_RERUN}")
    try:
        data = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FitReferenceError(f"{mf}: cannot be read as JSON ({exc}); {_RERUN}") from None
    m = data.get("manifest") if isinstance(data, dict) else None
    if not isinstance(m, dict) or data.get("format") != FORMAT or m.get("format") != FORMAT:
        raise FitReferenceError(f"{mf}: has no coterm fit manifest (written by an older coterm, or not by coterm fit); {_RERUN}")
    if m.get("version") != VERSION:
        raise FitReferenceError(f"{mf}: manifest version {m.get('version')!r}; this coterm reads version {VERSION}; {_RERUN}")
    for key in ("base", "source", "lookup", "units"):
        if not m.get(key):
            raise FitReferenceError(f"{mf}: the manifest has no {key!r}; {_RERUN}")
    if path.is_file() and path.name not in (MANIFEST, m["lookup"].get("file")):
        raise FitReferenceError(f"{path}: {mf} describes {m['lookup'].get('file')!r}, not this file; pass the folder {folder}")
    return folder, {**m, "_summary": data}


# --- loading ---------------------------------------------------------------------------------------


def _load_source(folder: Path, mf: Path, src: dict):
    from .layer import load_layer

    opts = dict(code=src.get("code"), name=src.get("name"), layer=src.get("layer"), crs=src.get("crs"))
    if src.get("catalog"):
        from .catalog import catalog

        entry = catalog().get(src["catalog"])
        if entry.sha256 != src.get("sha256"):
            raise FitReferenceError(f"{mf}: catalogue layer {src['catalog']} has changed since it was fitted (sha256 differs); {_RERUN}")
        return load_layer(src["catalog"])
    cands = [folder / src["file"]] if src.get("file") else []
    cands += [Path(src["absolute"])] if src.get("absolute") else []
    found = next((p for p in cands if p.exists()), None)
    if found is None:
        raise FitReferenceError(f"{mf}: the fitted file {src.get('file') or src.get('absolute')!r} is not there (looked in "
                                f"{', '.join(map(str, cands)) or 'nowhere'}); put it back beside the fit or {_RERUN}")
    if file_digest(found) != src.get("sha256"):
        raise FitReferenceError(f"{mf}: {found} has changed since it was fitted (sha256 differs from the manifest); {_RERUN}")
    return load_layer(found, **opts)


def _read_table(folder: Path, mf: Path, spec: dict, text_cols: tuple[str, ...], need: tuple[str, ...]) -> pd.DataFrame:
    path = folder / str(spec.get("file", ""))
    if not path.is_file():
        raise FitReferenceError(f"{mf}: {path.name} is missing from {folder}; {_RERUN}")
    if _sha(path) != spec.get("sha256"):
        raise FitReferenceError(f"{path}: changed since coterm fit wrote it (sha256 differs from {MANIFEST}); {_RERUN} "
                                "(a lookup is reused as written, not edited)")
    df = pd.read_csv(path, dtype={c: str for c in text_cols}, keep_default_na=False, na_values={})
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise FitReferenceError(f"{path}: lacks column(s) {', '.join(missing)}, which this coterm reads (an older coterm fit "
                                f"wrote it); {_RERUN}")
    if len(df) != spec.get("rows") or list(df.columns) != spec.get("columns", list(df.columns)):
        raise FitReferenceError(f"{path}: has {len(df):,} rows and columns {', '.join(map(str, df.columns))}, not what {MANIFEST} "
                                f"records; {_RERUN}")
    return df


def load_fitted(path: str | os.PathLike):
    """Load the output of ``coterm fit --out DIR`` (the folder, its fit.json or its lookup.csv) as an atom-built layer.

    Returns the fitted file's :class:`~coterm.Layer` with ``membership`` (block → unit) from lookup.csv,
    ``atom_base`` the manifest's base and ``fit`` the :class:`~coterm.fit_report.FitReport` read back
    (``lookup_file`` set), so :func:`coterm.overlap` compares it exactly, as it would the in-memory fit.
    """
    from dataclasses import replace

    from .atoms import atom_table
    from .fit_report import FitReport

    path = Path(path)
    folder, m = _read_manifest(path)
    mf = folder / MANIFEST
    layer = _load_source(folder, mf, m["source"])
    lookup = _read_table(folder, mf, m["lookup"], ("block_code", "unit_code", "unit_name", "runner_up", "band", "placed_by"),
                         LOOKUP_COLUMNS)
    units = _read_table(folder, mf, m["units"], ("code", "name"), _UNIT_COLUMNS)
    base = str(m["base"])
    try:
        known = atom_table(base).index
    except Exception as exc:  # noqa: BLE001 - an unknown base is the manifest's fault
        raise FitReferenceError(f"{mf}: base {base!r} is not a base of building blocks in this catalogue ({exc}); {_RERUN}") from None
    _check_codes(mf, lookup, known, layer, base)
    blocks = _blocks_frame(lookup)
    ucodes = layer.codes.astype(str)
    u = units.set_index("code")
    u = u[[c for c in _UNIT_COLUMNS if c != "code"]].reindex(ucodes)
    u.insert(0, "name", layer.names.reindex(layer.codes).astype(str).to_numpy())
    u["in_base"] = u["in_base"].astype(str).str.lower().eq("true").to_numpy()
    u.index.name = "code"
    s = m["_summary"]
    lookup_file = str(path / LOOKUP) if path.is_dir() else str(path.parent / LOOKUP)
    report = FitReport(layer=layer.id, source=layer.source or layer.id, kind=layer.kind, base=base, blocks=blocks, units=u,
                       base_blocks=int(s.get("base_blocks", len(known))), outside_blocks=int(s.get("outside_blocks", 0)),
                       outside_area_m2=float(s.get("outside_area_km2", 0.0)) * 1e6, tolerance_m=float(s.get("tolerance_m", 0.0)),
                       lookup_file=lookup_file)
    membership = pd.Series(blocks["unit"].to_numpy(), index=pd.Index(blocks.index, name="atom"), name="unit")
    return replace(layer, membership=membership, atom_base=base, fit=report)


def _check_codes(mf: Path, lookup: pd.DataFrame, known: pd.Index, layer, base: str) -> None:
    from .layer import _codes_list

    dup = lookup["block_code"][lookup["block_code"].duplicated()]
    if len(dup):
        raise FitReferenceError(f"{mf.parent / LOOKUP}: block(s) listed twice: {_codes_list(sorted(set(dup)))}; {_RERUN}")
    unknown = pd.Index(lookup["block_code"]).difference(known)
    if len(unknown):
        raise FitReferenceError(f"{mf.parent / LOOKUP}: {len(unknown)} block code(s) are not {base} codes: {_codes_list(unknown)}; {_RERUN}")
    stray = pd.Index(lookup["unit_code"]).difference(layer.codes.astype(str))
    if len(stray):
        raise FitReferenceError(f"{mf.parent / LOOKUP}: {len(stray)} unit code(s) are not in {layer.source or layer.id}: "
                                f"{_codes_list(stray)}; {_RERUN}")


def _blocks_frame(lookup: pd.DataFrame) -> pd.DataFrame:
    """FitReport.blocks from lookup.csv (the columns :func:`coterm.bestfit._block_frame` makes)."""
    num = lambda c: pd.to_numeric(lookup[c], errors="coerce").fillna(0.0).to_numpy(dtype=float)  # noqa: E731
    frame = pd.DataFrame({
        "unit": lookup["unit_code"].to_numpy(), "share": num("share"), "runner_up": lookup["runner_up"].to_numpy(),
        "runner_up_share": num("runner_up_share"), "area_m2": num("area_m2"), "population": num("population"),
        "displaced_area_m2": num("displaced_area_m2"), "displaced_population": num("displaced_population"),
        "largest_share": num("largest_share"), "placed_by": lookup["placed_by"].to_numpy(), "deep_share": num("deep_share"),
    }, index=pd.Index(lookup["block_code"].to_numpy(), name="block")).sort_index()
    frame["band"] = lookup.set_index("block_code")["band"].reindex(frame.index).to_numpy()
    amb = lookup.set_index("block_code")["ambiguous"].reindex(frame.index).astype(str).str.lower()
    frame["ambiguous"] = np.asarray(amb.eq("true").to_numpy(), dtype=bool)
    return frame
