"""Tables and text for people: the readable summary of a comparison, and its output files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is built: `coterm layers` and messages need none
    import pandas as pd

__all__ = ["summary_lines", "write_compare_outputs", "sensitivity_table", "SENSITIVITY_SHARES", "pct", "one_line", "message_line",
           "spreadsheet_safe", "write_table", "csv_text", "basis_columns", "with_basis", "BASIS_COLUMNS"]

SENSITIVITY_SHARES = (0.001, 0.005, 0.01, 0.02, 0.05)
COMPARE_OUTPUTS = ("units.csv", "units.gpkg", "partners.csv", "pairs.csv", "slivers.csv", "summary.json", "sensitivity.csv")


# Characters a terminal obeys or hides: C0/C1 controls and DEL (newlines forge lines, ESC/OSC
# sequences retitle or recolour the terminal), line/paragraph separators, and the invisible format
# characters (zero-width spaces and joiners, bidirectional overrides, BOM, tag characters).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
                     "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]")
_LONG_RUN = re.compile(r"\S{201,}")
MAX_MESSAGE = 2000


def _escape(m: re.Match) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def one_line(text) -> str:
    """The one terminal sanitiser: text from data (codes, names, file names, scenario names) made safe
    to print. Control characters (newlines, ESC/OSC sequences) and invisible format characters
    (U+200B, bidi overrides) are shown as escapes such as ``\\x1b`` or ``\\u200b``, never obeyed.

    Examples
    --------
    >>> one_line("Leeds\\ncoterm: error: forged")
    'Leeds\\\\x0acoterm: error: forged'
    >>> one_line("E06\\u200b000001")
    'E06\\\\u200b000001'
    """
    return _UNSAFE.sub(_escape, str(text))


def message_line(text) -> str:
    """A message for the terminal: :func:`one_line`, with every run of over 200 non-space characters
    (a 1 MB code, a 300-character file name) cut to its first 80 and the whole kept under 2,000.

    Examples
    --------
    >>> message_line("unknown code " + "X" * 10_000)[-40:]
    'XXXXXXXXXXXXXXXXXXX… (10,000 characters)'
    """
    s = _LONG_RUN.sub(lambda m: f"{m.group()[:80]}… ({len(m.group()):,} characters)", str(text))
    s = one_line(s)
    if len(s) > MAX_MESSAGE:
        s = s[:MAX_MESSAGE] + f"… ({len(s):,} characters)"
    return s


# --- spreadsheets ----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_text(s: pd.Series) -> bool:
    import pandas as pd

    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas (OWASP's advice).

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``, so ``=HYPERLINK(...)`` shows as text in Excel, LibreOffice and Google Sheets. Numbers are
    untouched (``-0.5`` stays a number). coterm writes CSVs meant for people this way by default;
    ``--exact-csv`` writes cells exactly (JSON and GeoPackage outputs are always exact).

    Examples
    --------
    >>> import pandas as pd
    >>> spreadsheet_safe(pd.DataFrame({"name": ["=1+1", "Leeds", "-x"], "v": [-1.5, 2.0, 3.0]})).to_dict("list")
    {'name': ["'=1+1", 'Leeds', "'-x"], 'v': [-1.5, 2.0, 3.0]}
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not _is_text(s):
            continue
        risky = [isinstance(v, str) and v.startswith(_FORMULA_START) for v in s]
        if any(risky):
            out[col] = [("'" + v) if r else v for v, r in zip(s, risky)]
    header = [("'" + c) if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in out.columns]
    out.columns = header
    return out


def csv_text(df: pd.DataFrame, *, exact: bool = False) -> str:
    """A table meant for people as CSV text: formula-safe unless ``exact`` (see :func:`spreadsheet_safe`).

    ``\n`` line endings and round-trippable floats. A table with a text cell holding a carriage return
    has every text cell quoted: Python's csv module does not quote a lone ``\r`` when the line ending
    is ``\n``, and readers would split the row there.
    """
    import csv

    df = df if exact else spreadsheet_safe(df)
    has_cr = any(isinstance(v, str) and "\r" in v for col in df.columns if _is_text(df[col]) for v in df[col])
    return df.to_csv(index=False, lineterminator="\n", float_format="%.10g",
                     quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL)


def write_table(df: pd.DataFrame, path, *, exact: bool = False) -> None:
    """Write :func:`csv_text` of ``df`` to ``path`` atomically (UTF-8)."""
    from .io import write_text

    write_text(csv_text(df, exact=exact), path)


def _label(name, code) -> str:
    return str(code) if name is None or (isinstance(name, float) and name != name) else str(name)


def pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _direction_lines(title: str, d: dict, by: str) -> list[str]:
    by = "population" if by == "population" else "area"
    out = [
        f"{title}: {d['units']} units"
        + (f" ({d['outside']} outside the other layer)" if d["outside"] else ""),
        f"  coterminous {d['coterminous']}, nested {d['nested']}, contains {d['contains']}, split {d['split']}"
        + (f" (of which minor {d['minor_split']})" if d["minor_split"] else ""),
        f"  coterminosity rate {pct(d['coterminosity_rate']['count'])} of units, {pct(d['coterminosity_rate'].get(by))} by {by}",
        f"  alignment rate     {pct(d['alignment_rate']['count'])} of units, {pct(d['alignment_rate'].get(by))} by {by}",
    ]
    if d.get("people_in_split_units") is not None:
        out.append(f"  people living in split units: {d['people_in_split_units']:,.0f}")
    out.append(f"  nesting purity {pct(d['nesting_purity'].get(by))} by {by}; H(other|this) = {d['conditional_entropy_bits']:.3f} bits")
    return out


def _fit_label(ov) -> str:
    fit = getattr(ov, "fit", None)
    if fit is None:
        return ""
    if fit.used and fit.lookup_file:
        return f" (fitted lookup from {fit.lookup_file}, {fit.layer} on {fit.base})"
    return f" ({fit.layer} best-fitted to {fit.base})" if fit.used else f" (best fit to {fit.base} not clean: see note)"


def summary_lines(scores, *, max_split: int = 25) -> list[str]:
    """A readable summary: both directions, symmetric indices and the split units with partners."""
    ov = scores.overlap
    s = scores.to_dict()
    lines = [f"{ov.a.title} ({ov.a.id})  ×  {ov.b.title} ({ov.b.id})",
             f"mode {ov.mode}{_fit_label(ov)}, weighted by {ov.by}, min_share {ov.min_share:g}"]
    basis = ov.population_basis if ov.by == "population" else {}
    if basis.get("source"):  # name the population behind every figure (issue 13)
        lines.append(f"population: {basis['source']}, {basis['year']} ({basis['base']})")
    lines += _direction_lines(f"{ov.a.id} → {ov.b.id}", s["a_to_b"], ov.by)
    lines += _direction_lines(f"{ov.b.id} → {ov.a.id}", s["b_to_a"], ov.by)
    sym = s["indices"]
    if sym.get("vi_bits") is not None:
        lines.append(f"symmetric: variation of information {sym['vi_bits']:.3f} bits, NMI {sym['nmi']:.3f}")
    if s["slivers"]["pairs"]:
        lines.append(f"slivers dropped: {s['slivers']['pairs']} pairs, {s['slivers']['area_km2']:.2f} km²")
    for note in s["notes"]:
        lines.append(f"note: {note}")
    u = scores.units
    partners = scores.partners
    for side, lay in (("a", ov.a), ("b", ov.b)):
        sp = u[(u["side"] == side) & u["class"].isin(["split", "minor split"])]
        if len(sp):
            lines.append(f"split units of {lay.id} ({len(sp)}):")
            mine = partners[partners["side"] == side]
            by_code = {c: g for c, g in mine[mine["code"].isin(sp["code"].head(max_split))].groupby("code", sort=False)}
            for code, name, cls in sp[["code", "name", "class"]].head(max_split).itertuples(index=False):
                g = by_code.get(code)
                parts = "" if g is None else ", ".join(
                    f"{_label(n, c)} {100 * float(v):.1f}%" for c, n, v in g[["partner_code", "partner_name", "share"]].itertuples(index=False))
                lines.append(f"  {name} ({code}) [{cls}]: {parts}")
            if len(sp) > max_split:
                lines.append(f"  ... and {len(sp) - max_split} more (see units.csv)")
    return [one_line(line) for line in lines]


def sensitivity_table(ov) -> pd.DataFrame:
    """Class counts of both layers at several sliver thresholds."""
    from .scoring import score

    rows = []
    for ms in SENSITIVITY_SHARES:
        s = score(ov.with_min_share(ms)).to_dict()
        for key, lay in (("a_to_b", ov.a.id), ("b_to_a", ov.b.id)):
            d = s[key]
            rows.append({"min_share": ms, "layer": lay, "coterminous": d["coterminous"], "nested": d["nested"],
                         "contains": d["contains"], "split": d["split"], "minor_split": d["minor_split"]})
    import pandas as pd

    return pd.DataFrame(rows)


def pairs_frame(ov, kind: str = "table") -> pd.DataFrame:
    df = getattr(ov, kind).copy()
    df.insert(1, "a_name", df["a_code"].map(ov.units_a["name"]))
    df.insert(3, "b_name", df["b_code"].map(ov.units_b["name"]))
    return df


def partners_frame(scores) -> pd.DataFrame:
    """Scores.partners as written: layer, code, partner_layer, partner_code, partner_name, share, rank."""
    ov = scores.overlap
    p = scores.partners.drop(columns=["side"])
    p.insert(2, "partner_layer", scores.partners["side"].map({"a": ov.b.id, "b": ov.a.id}))
    return p


BASIS_COLUMNS = ("basis", "population_source", "population_year")


def basis_columns(ov) -> dict:
    """The basis of an overlap's figures, as CSV columns: ``basis`` (population | area: what shares and rates are
    weighted by), ``population_source`` and ``population_year`` (where people figures come from; empty when unknown)."""
    b = getattr(ov, "population_basis", None) or {}
    if not b.get("source") and ov.by == "area":  # weighted by area, but the people columns still have a source
        from types import SimpleNamespace

        from .atoms import overlap_population_basis

        b = overlap_population_basis(SimpleNamespace(by="population", mode=ov.mode, a=ov.a, b=ov.b))
    return {"basis": ov.by, "population_source": b.get("source", ""), "population_year": b.get("year", "")}


def with_basis(df: pd.DataFrame, basis) -> pd.DataFrame:
    """``df`` with the :data:`BASIS_COLUMNS` appended: one basis for every row (a dict from :func:`basis_columns`),
    or a per-row frame of them (aligned on the index), so a CSV states its basis inside itself."""
    df = df.copy()
    for k in BASIS_COLUMNS:
        df[k] = basis[k] if isinstance(basis, dict) else basis[k].to_numpy()
    return df


def write_compare_outputs(scores, out: str | Path, *, sensitivity: pd.DataFrame | None = None, exact_csv: bool = False) -> Path:
    """Write units.csv, units.gpkg (QGIS-styled), partners.csv, pairs.csv, slivers.csv and summary.json into ``out`` (atomically,
    as a folder). CSVs are formula-safe unless ``exact_csv`` (:func:`spreadsheet_safe`)."""
    from .io import atomic_dir, write_json

    ov = scores.overlap
    with atomic_dir(out, owned=COMPARE_OUTPUTS) as tmp:
        units = scores.units.drop(columns=["side"])
        basis = basis_columns(ov)  # every CSV names its basis in its last three columns
        write_table(with_basis(units, basis), tmp / "units.csv",
                    exact=exact_csv)
        from .qgis_styles import write_units_gpkg  # QGIS opens it styled like the map

        write_units_gpkg(scores, tmp / "units.gpkg")
        write_table(with_basis(partners_frame(scores), basis), tmp / "partners.csv", exact=exact_csv)
        write_table(with_basis(pairs_frame(ov, "table"), basis), tmp / "pairs.csv", exact=exact_csv)
        write_table(with_basis(pairs_frame(ov, "slivers"), basis), tmp / "slivers.csv", exact=exact_csv)
        summary = scores.to_dict()
        if sensitivity is not None:
            summary["sensitivity"] = sensitivity.to_dict(orient="records")
            write_table(with_basis(sensitivity, basis), tmp / "sensitivity.csv", exact=exact_csv)
        write_json(summary, tmp / "summary.json")
    return Path(out)


SCENARIO_OUTPUTS = ("before_after.csv", "changed_units.csv", "summary.json")


def write_scenario_outputs(result, out: str | Path, *, exact_csv: bool = False) -> Path:
    """Write before_after.csv, changed_units.csv and summary.json of a ScenarioResult into ``out``."""
    import pandas as pd

    from .io import atomic_dir, write_json

    with atomic_dir(out, owned=SCENARIO_OUTPUTS) as tmp:
        by_partner = pd.DataFrame({p: basis_columns(result.before[p].overlap) for p in result.against}).T
        for name, df in (("before_after.csv", result.before_after), ("changed_units.csv", result.changed_units)):
            rows = by_partner.reindex(df["partner"]).reset_index(drop=True) if len(df) else by_partner.iloc[:0]
            write_table(with_basis(df.reset_index(drop=True), rows), tmp / name, exact=exact_csv)
        write_json(result.to_dict(), tmp / "summary.json")
    return Path(out)


def units_frame(layer) -> tuple[pd.DataFrame, dict]:
    """Every unit of a layer: code, name, area_km2, population; and the basis of those figures.

    Population is summed over the layer's LSOA building blocks (atom layers: exact) or apportioned by
    LSOA representative points (other layers; empty where no LSOA point falls in a unit, e.g.
    outside England and Wales). Area is the polygon's area in the working CRS.
    """
    from .overlap import overlap

    ov = overlap(layer, layer, by="population")
    u = ov.units_a
    import pandas as pd

    df = pd.DataFrame({"code": layer.codes.astype(str), "name": layer.names.reindex(layer.codes).to_numpy(),
                       "area_km2": (layer.frame.geometry.area.to_numpy(dtype=float) / 1e6).round(4),
                       "population": u["population"].reindex(layer.codes).to_numpy(dtype=float)})
    if ov.mode == "atoms":
        try:
            from .catalog import catalog

            src = catalog().atom_base(layer.atom_base).population_source
        except Exception:  # noqa: BLE001 - a basis line only
            src = layer.atom_base
        pop = f"summed over {layer.atom_base} building blocks: {src}"
    else:
        pop = "apportioned by LSOA representative points (ONS LSOA populations); empty where no LSOA point falls"
    crs = layer.crs.to_string() if layer.crs is not None else "unknown CRS"
    cols = basis_columns(ov)  # population_source / population_year, as in every CSV's last columns
    return df.sort_values("code", kind="stable").reset_index(drop=True), {
        "area": f"km², measured in {crs}", "population": pop,
        "population_source": cols["population_source"], "population_year": cols["population_year"]}
