"""Can the clean-fit rule be stricter? Candidate measures of a best fit, on files that are and are not unions of LSOAs.

Run: ``python benchmarks/bestfit_rule.py``; prints a Markdown table (pasted into ``benchmarks/BESTFIT.md``).
For each file, fitted to LSOA 2011 (LSOA 2021 for 2024 files) with the default tolerance:

* ``count``: the share of fitted LSOAs ≥ 95% inside their unit (the rule: ≥ 90%);
* ``people`` / ``area``: the same share weighted by the LSOAs' people / area;
* ``firm`` (:attr:`FitReport.firm_share`): the share of LSOAs with under 5% of their area deeper than the
  fit's tolerance inside another unit (the part of an LSOA outside its unit but within the tolerance of
  the unit's edge is what generalising the file moves; what lies deeper is a real disagreement);
* ``displaced``: people displaced (the rule: under 2%), and ``deep displaced``
  (:attr:`FitReport.deep_displaced_people_share`): people in parts deeper than the tolerance inside another unit;
* ``coastal``: LSOAs with under 99% of their area inside the layer (coast and estuaries, where a
  generalised file has no land), and ``count, inland``: the ``count`` share without them.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import coterm  # noqa: E402
from coterm.bestfit import _base_layer, best_fit  # noqa: E402

#: (file, base, made of LSOAs?)
FILES = [("pfa-2020-buc", "lsoa-2011", True), ("lrf-2020-buc", "lsoa-2011", True), ("utla-2021-buc", "lsoa-2011", True),
         ("ccg-2020-buc", "lsoa-2011", True), ("ltla-2021-buc", "lsoa-2011", True), ("ltla-2024-buc", "lsoa-2021", True),
         ("icb-2022-coarse", "lsoa-2011", True), ("sicbl-2022-coarse", "lsoa-2011", True),
         ("csp-2019-oa", "lsoa-2011", False), ("fra-2021-oa", "lsoa-2011", False), ("msoa-2021", "lsoa-2011", False),
         ("ward-2022", "lsoa-2011", False)]


def measure(file_id: str, base: str) -> dict:
    import shapely

    layer = coterm.load_layer(file_id)
    _, rep = best_fit(layer, base)
    b = rep.blocks
    blocks = _base_layer(base)
    barea = shapely.area(blocks.frame.geometry.reindex(b.index).to_numpy())
    ge95 = (b["largest_share"] >= 0.95).to_numpy()
    pop, area = b["population"].to_numpy(), b["area_m2"].to_numpy()
    coastal = area < 0.99 * barea
    amb = len(rep.ambiguous) / len(b)
    old = rep.ge95_share >= 0.90 and rep.displaced_people_share < 0.02 and amb < 0.01 and not rep.lost_units
    return {
        "units": len(layer), "tolerance": rep.tolerance_m, "count": ge95.mean(), "people": pop[ge95].sum() / pop.sum(),
        "area": area[ge95].sum() / area.sum(), "firm": rep.firm_share, "displaced": rep.displaced_people_share,
        "deep_displaced": rep.deep_displaced_people_share, "coastal": int(coastal.sum()), "inland": ge95[~coastal].mean(),
        "ambiguous": amb, "old": old, "clean": rep.clean,
    }


def main() -> None:
    warnings.simplefilter("ignore")
    print("| file | base | made of LSOAs | units | tolerance | ≥ 95% inside: count | by people | by area | count, inland "
          "| coastal LSOAs | firm (< 5% deeper than the tolerance elsewhere) | displaced people | deep displaced | ambiguous | clean, rule of round 1 | clean, rule now |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for file_id, base, lsoa in FILES:
        m = measure(file_id, base)
        print(f"| {file_id} | {base} | {'yes' if lsoa else 'no'} | {m['units']} | {m['tolerance']:,.0f} m | {100 * m['count']:.1f}% "
              f"| {100 * m['people']:.1f}% | {100 * m['area']:.1f}% | {100 * m['inland']:.1f}% | {m['coastal']:,} | {100 * m['firm']:.2f}% "
              f"| {100 * m['displaced']:.2f}% | {100 * m['deep_displaced']:.2f}% | {100 * m['ambiguous']:.2f}% | {'yes' if m['old'] else 'no'} "
              f"| {'yes' if m['clean'] else 'no'} |",
              flush=True)


if __name__ == "__main__":
    main()
