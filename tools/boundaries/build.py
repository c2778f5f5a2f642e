"""The pipeline: atom bases → atom tables → layers (built or published) → checks → catalogue and README."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import derive
from .render import render_catalog, render_readme
from .spec import ATOM_BASES, CRS, FAMILY_ORDER, LAYERS, LayerSpec
from .steps import (atom_membership, attribution, build_from_atoms, load_atom_base, load_published, log, make_lookup,
                    provenance, sha256, write_atom_table, write_layer, write_lookup, write_units)

# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def prepare_out(out: Path) -> None:
    """Start the generated sub-folders empty so that no stale file survives a rebuild."""
    for sub in ("layers", "atoms", "lookups", "units"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)


def write_bridge(source: Path, out: Path, bases: dict) -> dict:
    """The ONS LSOA 2011 -> 2021 lookup (change codes U/S/M/X), so layers of the two eras can meet."""
    lk = pd.read_csv(source / "lookups" / "lookup_lsoa11_lsoa21_ltla22.csv", dtype=str, keep_default_na=False)
    lk = lk[["lsoa11_code", "lsoa21_code", "change_code"]].apply(lambda c: c.str.strip()).drop_duplicates()
    for col, base in (("lsoa11_code", "lsoa-2011"), ("lsoa21_code", "lsoa-2021")):
        if set(lk[col]) != set(bases[base]["code"]):
            raise RuntimeError(f"LSOA bridge: {col} codes differ from the {base} atoms")
    lk = lk.sort_values(["lsoa11_code", "lsoa21_code"]).reset_index(drop=True)
    rel = write_lookup(out, "lsoa11_lsoa21", lk)
    counts = lk.drop_duplicates("lsoa21_code")["change_code"].value_counts().sort_index().to_dict()
    log(f"bridge lsoa-2011 -> lsoa-2021: {len(lk)} rows, LSOA 2021 by change code {counts}")
    return {"source": "lsoa-2011", "target": "lsoa-2021", "file": rel, "key_column": "lsoa11_code",
            "unit_column": "lsoa21_code", "change_column": "change_code",
            "source_dataset": "ONS LSOA (2011) to LSOA (2021) to LAD (2022) Lookup in EW", "sha256": sha256(out / rel)}


def count_table(specs: list[LayerSpec], entries: dict[str, dict]) -> str:
    lines = [f"{'id':<20} {'features':>8} {'expected':>8} {'England':>7}  ok"]
    for s in specs:
        e = entries[s.id]
        lines.append(
            f"{s.id:<20} {e['features']:>8} {s.expected:>8} {e['_england']:>7}  {'yes' if e['features'] == s.expected else 'NO'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="the shared data corpus folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder (boundaries/)")
    args = parser.parse_args(argv)
    source, out = args.source.resolve(), args.out
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    prepare_out(out)

    specs = sorted(LAYERS, key=lambda s: FAMILY_ORDER.index(s.family))  # stable: keeps order in family
    base_specs = {b.id: b for b in ATOM_BASES}
    findings: dict = {}
    bases = {b.id: load_atom_base(source, b, findings) for b in ATOM_BASES}

    atom_entries = []
    for b in ATOM_BASES:
        info = write_atom_table(source, out, b, bases[b.id])
        atom_entries.append(
            {
                "id": b.id,
                "file": info["file"],
                "population_source": b.population_source,
                "population_year": b.population_year,
                "population_total": info["population_total"],
                "units": info["units"],
                "sha256": sha256(out / info["file"]),
            }
        )

    bridge_entries = [write_bridge(source, out, bases)]

    memberships: dict[str, pd.Series] = {}
    built: dict[str, gpd.GeoDataFrame] = {}
    entries: dict[str, dict] = {}
    ctx = derive.Ctx(source, bases, built, memberships, {"csp19": load_published(source, "csp19")})
    # build order: resolver-built layers last (they read other layers), via layers after their base
    build_order = sorted(specs, key=lambda s: (bool(s.resolver), bool(s.atoms and s.atoms.via)))
    for spec in build_order:
        d = spec.atoms
        note = spec.note
        lookups_used = []
        units = None
        derived = spec.derived
        if d is None:
            if spec.id in bases:
                gdf = bases[spec.id][["code", "name", "geometry"]]
            elif spec.published in ctx.published:
                gdf = ctx.published[spec.published]
            else:
                gdf = load_published(source, spec.published)
        else:
            if spec.resolver:
                r = derive.resolve(spec.resolver, ctx)
                pairs, names, note, units, derived = r.pairs, r.names, r.note, r.units, r.derived or derived
                lookups_used += r.lookups_used
            else:
                keys = set(bases[d.base]["code"]) if not d.via else set(built[d.via]["code"])
                pairs, names = make_lookup(source, d, keys, spec.id, fixes=spec.fixes)
                lookups_used.append(d.source)
                if spec.fixes:
                    note += " Corrected: " + "; ".join(f"{k} -> {u}: {why}" for k, u, why in spec.fixes) + "."
            if d.via:  # provenance names the via layer's lookup too
                via_def = next(s.atoms for s in specs if s.id == d.via)
                lookups_used.append(via_def.source)
            lookup_file = write_lookup(out, d.lookup, pairs)
            memberships[spec.id] = atom_membership(d, pairs, memberships)
            gdf = build_from_atoms(bases[d.base], memberships[spec.id], names, spec.id)
        built[spec.id] = gdf
        file = write_layer(out, spec.id, gdf)
        text, html = attribution(spec)
        entry = {
            "id": spec.id,
            "title": spec.title,
            "family": spec.family,
            "kind": spec.kind,
            "vintage": spec.vintage,
            "coverage": spec.coverage,
            "file": file,
            "code_field": "code",
            "name_field": "name",
            "crs": CRS,
        }
        prov = provenance(spec, manifest, base_specs, [u for u in dict.fromkeys(lookups_used) if u])
        entry["source_crs"] = prov.pop("source_crs")
        entry["features"] = len(gdf)
        entry["generalisation"] = prov.pop("generalisation")
        entry["approximate"] = spec.approximate
        entry["note"] = note
        entry.update(prov)  # source_dataset, origin, licence
        entry["attribution"] = text
        entry["attribution_html"] = html
        entry["sha256"] = sha256(out / file)
        entry["current"] = spec.current
        if derived:
            entry["derived"] = derived
        if spec.published_variant:
            entry["published_variant"] = spec.published_variant
        if units is not None:
            missing = sorted(set(gdf["code"]) - set(units["code"]))
            if missing and spec.resolver not in ("icb2026",):
                raise RuntimeError(f"{spec.id}: units file lacks {missing[:5]}")
            ufile = write_units(out, spec.id, units)
            entry["units_file"] = ufile
            entry["units_sha256"] = sha256(out / ufile)
        if d is not None:
            entry["atoms"] = {
                "base": d.base,
                "via": d.via,
                "lookup": lookup_file,
                "key_column": d.key_column,
                "unit_column": d.unit_column,
                "sha256": sha256(out / lookup_file),
            }
        entry["_england"] = int(gdf["code"].str.startswith("E").sum())
        entries[spec.id] = entry
        log(f"{spec.id}: {len(gdf)} features -> {file}")

    checks(specs, entries, built, memberships, source)

    layer_entries = []
    for s in specs:
        e = dict(entries[s.id])
        e.pop("_england")
        layer_entries.append(e)
    catalog = render_catalog(atom_entries, layer_entries, bridge_entries)
    tomllib.loads(catalog)  # never ship a catalogue that does not parse
    (out / "catalog.toml").write_text(catalog, encoding="utf-8", newline="\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "README.md")
    readme = render_readme(layer_entries, atom_entries, findings, {"total_mb": total / 1e6})
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(count_table(specs, entries), file=sys.stderr)
    log(f"total size of {out}: {total / 1e6:.2f} MB ({total / 2**20:.2f} MiB)")
    return 0


def checks(specs, entries, built, memberships, source: Path) -> None:
    """Cross-checks that are cheap here and would be silent errors later."""
    bad = [s.id for s in specs if entries[s.id]["features"] != s.expected]
    if bad:
        raise RuntimeError(f"feature counts differ from the known counts for {bad}")
    l13 = set(gpd.read_file(source / "boundaries" / "ltla13.gpkg", ignore_geometry=True)["code"].str.strip())
    same = l13 == set(built["ltla-2013"]["code"])
    log(f"ltla-2013 codes {'match' if same else 'DIFFER FROM'} ltla13.gpkg ({len(l13)} codes)")
    if not same:
        raise RuntimeError("ltla-2013 codes differ from ltla13.gpkg")
    # 297/12: English 2021 districts wholly inside one ICB, by LSOA membership
    lad, icb = memberships["ltla-2021"], memberships["icb-2022"]
    both = pd.DataFrame({"lad": lad, "icb": icb.reindex(lad.index)}).dropna()
    n_icb = both.groupby("lad")["icb"].nunique()
    log(f"ltla-2021 in icb-2022 by LSOA: {int((n_icb == 1).sum())} wholly in one ICB, {int((n_icb > 1).sum())} split")
    # utla-2024 from the 2023 lookup: its district codes must be the May 2024 ones
    utla = pd.read_csv(source / "lookups" / "lookup_ltla23_utla23.csv", dtype=str)
    if set(utla["ltla23_code"].str.strip()) != set(built["ltla-2024"]["code"]):
        raise RuntimeError("utla-2024: the 2023 district codes differ from the May 2024 ones")
    # every CCG of 2021 lies in one STP; pfa/fra 2024 are unions of whole districts
    ccg_stp = pd.DataFrame({"ccg": memberships["ccg-2021"], "stp": memberships["stp-2021"]}).dropna()
    if (ccg_stp.groupby("ccg")["stp"].nunique() > 1).any():
        raise RuntimeError("stp-2021: a CCG lies in two STPs")


if __name__ == "__main__":
    sys.exit(main())
