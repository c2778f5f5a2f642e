"""Tables and text for people: the readable summary of a comparison, and its output files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["summary_lines", "write_compare_outputs", "sensitivity_table", "SENSITIVITY_SHARES", "pct"]

SENSITIVITY_SHARES = (0.001, 0.005, 0.01, 0.02, 0.05)
COMPARE_OUTPUTS = ("units.csv", "pairs.csv", "slivers.csv", "summary.json", "sensitivity.csv")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Text for a terminal: control characters from data (newlines, ESC sequences) shown as ``\\xNN``, never obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _direction_lines(title: str, d: dict, weight: str) -> list[str]:
    by = "population" if weight == "population" else "area"
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


def summary_lines(scores, *, max_split: int = 25) -> list[str]:
    """A readable summary: both directions, symmetric indices and the split units with partners."""
    ov = scores.overlap
    s = scores.to_dict()
    lines = [f"{ov.a.title} ({ov.a.id})  ×  {ov.b.title} ({ov.b.id})",
             f"mode {ov.mode}, weighted by {ov.weight}, min_share {ov.min_share:g}"]
    basis = ov.population_basis if ov.weight == "population" else {}
    if basis.get("source"):  # name the population behind every figure (issue 13)
        lines.append(f"population: {basis['source']}, {basis['year']} ({basis['base']})")
    lines += _direction_lines(f"{ov.a.id} → {ov.b.id}", s["a_to_b"], ov.weight)
    lines += _direction_lines(f"{ov.b.id} → {ov.a.id}", s["b_to_a"], ov.weight)
    sym = s["indices"]
    if sym.get("vi_bits") is not None:
        lines.append(f"symmetric: variation of information {sym['vi_bits']:.3f} bits, NMI {sym['nmi']:.3f}")
    if s["slivers"]["pairs"]:
        lines.append(f"slivers dropped: {s['slivers']['pairs']} pairs, {s['slivers']['area_km2']:.2f} km²")
    for note in s["notes"]:
        lines.append(f"note: {note}")
    u = scores.units
    for side, lay, other in (("a", ov.a, ov.units_b), ("b", ov.b, ov.units_a)):
        sp = u[(u["layer"] == side) & u["class"].isin(["split", "minor split"])]
        if len(sp):
            lines.append(f"split units of {lay.id} ({len(sp)}):")
            for r in sp.head(max_split).itertuples():
                parts = ", ".join(f"{other['name'].get(c, c)} {100 * float(v):.1f}%" for c, v in (p.split(":") for p in r.partners.split(";")))
                lines.append(f"  {r.name} ({r.code}) [{r._4}]: {parts}")
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
    return pd.DataFrame(rows)


def pairs_frame(ov, kind: str = "table") -> pd.DataFrame:
    df = getattr(ov, kind).copy()
    df.insert(1, "a_name", df["a_code"].map(ov.units_a["name"]))
    df.insert(3, "b_name", df["b_code"].map(ov.units_b["name"]))
    return df


def write_compare_outputs(scores, out: str | Path, *, sensitivity: pd.DataFrame | None = None) -> Path:
    """Write units.csv, pairs.csv, slivers.csv and summary.json into ``out`` (atomically, as a folder)."""
    from .io import atomic_dir, write_csv, write_json

    ov = scores.overlap
    with atomic_dir(out, owned=COMPARE_OUTPUTS) as tmp:
        units = scores.units.copy()
        units.insert(0, "layer_id", units["layer"].map({"a": ov.a.id, "b": ov.b.id}))
        write_csv(units.drop(columns=["layer"]).rename(columns={"layer_id": "layer"}), tmp / "units.csv")
        write_csv(pairs_frame(ov, "table"), tmp / "pairs.csv")
        write_csv(pairs_frame(ov, "slivers"), tmp / "slivers.csv")
        summary = scores.to_dict()
        if sensitivity is not None:
            summary["sensitivity"] = sensitivity.to_dict(orient="records")
            write_csv(sensitivity, tmp / "sensitivity.csv")
        write_json(summary, tmp / "summary.json")
    return Path(out)
