"""The fit report of :func:`coterm.best_fit`: how well a geometry layer fits a base of building blocks.

Per block: the unit it went to and its share, the runner-up, the band (≥ 99%, ≥ 95%, < 95% inside one unit),
whether it is ambiguous, and the area and people left outside its unit ("displaced"). Per unit and overall the
same counts; the documented rule for a clean fit (:data:`CLEAN_RULE`) and why a fit is not clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["FitReport", "CLEAN_RULE", "AMBIGUOUS_SHARE", "MIN_COVER", "FIRM_SHARE"]

#: The documented rule for a clean fit (the figures :attr:`FitReport.clean` tests).
CLEAN_RULE = {"blocks_ge95": 0.90, "displaced_people": 0.02, "ambiguous_blocks": 0.01, "lost_units": 0,
              "firm_blocks": 0.99, "deep_displaced_people": 0.001}
#: A block is *firm* when under this share of it lies deeper than the tolerance inside another unit.
FIRM_SHARE = 0.05
#: A block whose largest part is under this share of it is ambiguous: listed by code, never silently assigned.
AMBIGUOUS_SHARE = 0.60
#: A block belongs to the layer when at least this share of its area lies in the layer.
MIN_COVER = 0.5

_BASE_LABEL = {"lsoa-2011": "LSOA 2011", "lsoa-2021": "LSOA 2021"}


@dataclass(frozen=True)
class FitReport:
    """How well a geometry layer fits a base of building blocks.

    ``blocks`` is indexed by block code (fitted blocks only) with columns unit, share (of the block's
    covered area in its unit), runner_up, runner_up_share, area_m2, population, displaced_area_m2,
    displaced_population, band (``≥99%``, ``≥95%``, ``<95%``), ambiguous, placed_by and deep_share (the share of the
    block deeper than the tolerance inside other units). ``units`` is indexed by
    unit code with name, blocks, ge99, ge95, lt95, ambiguous, population, displaced_population,
    displaced_area_m2. ``used`` says whether a comparison used the fit (set by :func:`fit_pair`).
    ``lookup_file`` names the lookup.csv the fit was read from (empty for a fit made in this run).
    """

    layer: str
    source: str
    kind: str
    base: str
    blocks: pd.DataFrame = field(repr=False)
    units: pd.DataFrame = field(repr=False)
    base_blocks: int
    outside_blocks: int
    outside_area_m2: float
    tolerance_m: float = 0.0
    used: bool | None = None
    lookup_file: str = ""  # set when the fit was read back from ``coterm fit --out`` (:func:`coterm.fitted.load_fitted`)

    # --- figures ---------------------------------------------------------------------------------
    @property
    def n_blocks(self) -> int:
        return int(len(self.blocks))

    def count(self, band: str) -> int:
        """Fitted blocks at least 99% (``"ge99"``) / 95% (``"ge95"``) inside their unit, or under 95% (``"lt95"``)."""
        s = self.blocks["largest_share"]
        return int({"ge99": s >= 0.99, "ge95": s >= 0.95, "lt95": s < 0.95}[band].sum())

    @property
    def ambiguous(self) -> list[str]:
        """Codes of the blocks no unit holds ≥ 60% of (assigned to their largest part, and listed)."""
        return sorted(self.blocks.index[self.blocks["ambiguous"]].astype(str))

    @property
    def lost_units(self) -> list[str]:
        """Units that received no block (smaller than a block, or only slivers of blocks)."""
        return sorted(self.units.index[(self.units["blocks"] == 0) & self.units["in_base"]].astype(str))

    @property
    def displaced_people_share(self) -> float:
        pop = float(self.blocks["population"].sum())
        # blocks without population (drawn blocks): people are taken as spread evenly over the area
        return float(self.blocks["displaced_population"].sum()) / pop if pop > 0 else self.displaced_area_share

    @property
    def displaced_area_share(self) -> float:
        area = float(self.blocks["area_m2"].sum())
        return float(self.blocks["displaced_area_m2"].sum()) / area if area > 0 else 0.0

    @property
    def firm_share(self) -> float:
        """The share of fitted blocks with under 5% of their area deeper than the tolerance inside another unit."""
        return float((self.blocks["deep_share"] < FIRM_SHARE).mean()) if self.n_blocks else 0.0

    @property
    def deep_displaced_people_share(self) -> float:
        """People in block parts deeper than the tolerance inside another unit (not explained by generalisation), as a share."""
        b = self.blocks
        pop = float(b["population"].sum())
        if pop > 0:
            return float((b["population"] * b["deep_share"]).sum()) / pop
        area = float(b["area_m2"].sum())
        return float((b["area_m2"] * b["deep_share"]).sum()) / area if area > 0 else 0.0

    @property
    def ge95_share(self) -> float:
        return self.count("ge95") / self.n_blocks if self.n_blocks else 0.0

    @property
    def clean(self) -> bool:
        """The documented rule (:data:`CLEAN_RULE`)."""
        return not self.failures()

    def failures(self) -> list[str]:
        """Why the fit is not clean (empty when it is)."""
        out = []
        if self.ge95_share < CLEAN_RULE["blocks_ge95"]:
            out.append(f"only {100 * self.ge95_share:.1f}% of {self._blocks_label()} are ≥ 95% inside one {self._unit_label()} "
                       f"(the rule asks {100 * CLEAN_RULE['blocks_ge95']:.0f}%)")
        if self.displaced_people_share >= CLEAN_RULE["displaced_people"]:
            out.append(f"{100 * self.displaced_people_share:.2f}% of people would be displaced (the rule allows under "
                       f"{100 * CLEAN_RULE['displaced_people']:.1f}%)")
        amb = len(self.ambiguous) / self.n_blocks if self.n_blocks else 0.0
        if amb >= CLEAN_RULE["ambiguous_blocks"]:
            out.append(f"{100 * amb:.1f}% of {self._blocks_label()} are ambiguous (the rule allows under "
                       f"{100 * CLEAN_RULE['ambiguous_blocks']:.0f}%)")
        if self.firm_share < CLEAN_RULE["firm_blocks"]:
            out.append(f"only {100 * self.firm_share:.1f}% of {self._blocks_label()} lie within {self.tolerance_m:,.0f} m of one "
                       f"{self._unit_label()} (under 5% deeper inside another; the rule asks {100 * CLEAN_RULE['firm_blocks']:.0f}%)")
        if self.deep_displaced_people_share >= CLEAN_RULE["deep_displaced_people"]:
            out.append(f"{100 * self.deep_displaced_people_share:.2f}% of people lie deeper than {self.tolerance_m:,.0f} m inside "
                       f"another {self._unit_label()} (the rule allows under {100 * CLEAN_RULE['deep_displaced_people']:.1f}%)")
        lost = self.lost_units
        if lost:
            out.append(f"{len(lost)} {self._unit_label(len(lost))} receive no block ({_codes(lost)})")
        return out

    def _blocks_label(self) -> str:
        return f"{_BASE_LABEL.get(self.base, self.base).split()[0]}s"

    def _unit_label(self, n: int = 1) -> str:
        kind = {"pfa": "force", "ccg": "CCG", "icb": "ICB", "lrf": "forum", "fra": "fire authority", "csp": "partnership"}.get(self.kind, "unit")
        return kind if n == 1 else (kind + "s" if not kind.endswith("y") else kind[:-1] + "ies")

    def note(self) -> str:
        """One line for Overlap.notes, the CLI header and maps."""
        base = _BASE_LABEL.get(self.base, self.base)
        head = (f"{self.layer} fitted to {base}: {self.count('ge95'):,} of {self.n_blocks:,} {self._blocks_label()} ≥ 95% inside one "
                f"{self._unit_label()}; {100 * self.displaced_people_share:.2f}% of people displaced")
        if self.lookup_file:
            head = f"fitted lookup from {self.lookup_file}: {head}"
        amb = self.ambiguous
        if amb:
            head += f"; {len(amb)} ambiguous (no {self._unit_label()} holds ≥ 60%: {_codes(amb)})"
        if self.used is False:
            return head + "; not clean (" + "; ".join(self.failures()) + "): compared in geometry mode (--mode atoms forces the fit)"
        if self.clean:
            return head + "; compared exactly"
        return head + "; not clean (" + "; ".join(self.failures()) + ") but compared exactly as asked (--mode atoms)"

    def summary(self) -> dict:
        """The fit's figures as JSON-ready values (summary.json, ``coterm fit``)."""
        return {
            "layer": self.layer, "source": self.source, "base": self.base, "used": self.used, "clean": self.clean,
            **({"lookup_file": self.lookup_file} if self.lookup_file else {}),
            "rule": {"blocks_ge95_at_least": CLEAN_RULE["blocks_ge95"], "displaced_people_under": CLEAN_RULE["displaced_people"],
                     "ambiguous_blocks_under": CLEAN_RULE["ambiguous_blocks"], "lost_units": CLEAN_RULE["lost_units"], "ambiguous_under": AMBIGUOUS_SHARE, "min_cover": MIN_COVER,
                     "firm_blocks_at_least": CLEAN_RULE["firm_blocks"], "firm_share": FIRM_SHARE,
                     "deep_displaced_people_under": CLEAN_RULE["deep_displaced_people"]},
            "failures": self.failures(),
            "base_blocks": self.base_blocks, "fitted_blocks": self.n_blocks, "outside_blocks": self.outside_blocks,
            "blocks_ge99": self.count("ge99"), "blocks_ge95": self.count("ge95"), "blocks_lt95": self.count("lt95"),
            "displaced_people": float(self.blocks["displaced_population"].sum()),
            "displaced_people_share": self.displaced_people_share,
            "displaced_area_km2": float(self.blocks["displaced_area_m2"].sum()) / 1e6,
            "displaced_area_share": self.displaced_area_share,
            "outside_area_km2": self.outside_area_m2 / 1e6,
            "firm_blocks": int((self.blocks["deep_share"] < FIRM_SHARE).sum()), "firm_share": self.firm_share,
            "deep_displaced_people_share": self.deep_displaced_people_share,
            "ambiguous": self.ambiguous, "lost_units": self.lost_units,
            "tolerance_m": round(self.tolerance_m, 1), "placed_by_district": int((self.blocks["placed_by"] == "district").sum()),
            "units_outside_base": sorted(self.units.index[~self.units["in_base"]].astype(str)),
        }

    def lookup(self) -> pd.DataFrame:
        """The fitted lookup, one row per block: block_code, unit_code, unit_name, share, runner_up, runner_up_share, band, ambiguous,
        placed_by, population, displaced_population, area_m2, largest_share, displaced_area_m2, deep_share."""
        b = self.blocks
        return pd.DataFrame({
            "block_code": b.index.astype(str), "unit_code": b["unit"].to_numpy(),
            "unit_name": b["unit"].map(self.units["name"]).to_numpy(), "share": b["share"].round(6).to_numpy(),
            "runner_up": b["runner_up"].to_numpy(), "runner_up_share": b["runner_up_share"].round(6).to_numpy(),
            "band": b["band"].to_numpy(), "ambiguous": b["ambiguous"].to_numpy(), "placed_by": b["placed_by"].to_numpy(),
            "population": b["population"].to_numpy(), "displaced_population": b["displaced_population"].round(3).to_numpy(),
            # what coterm.fitted needs to read the report back
            "area_m2": b["area_m2"].to_numpy(), "largest_share": b["largest_share"].to_numpy(),
            "displaced_area_m2": b["displaced_area_m2"].to_numpy(), "deep_share": b["deep_share"].to_numpy(),
        })



def _codes(codes, n: int = 5) -> str:
    codes = list(codes)
    return ", ".join(codes[:n]) + (f" … ({len(codes)} in all)" if len(codes) > n else "")
