"""Extra per-unit attributes a catalogue layer ships in its ``units_file`` (a CSV keyed by code).

E.g. ``boundaries/units/bcu-2024.csv`` gives each police command unit its force, member BCUs,
period and confidence; ``units/icb-2026.csv`` an ICB's start and status. Maps show them in the
unit's popup (every column) and in the unit table (the first column after code and name, the one a
units file leads with: the force, the start date, the NHS code) and its CSV (every column).

Values are data: they reach the page as escaped HTML (popups) or as JSON strings set with
``textContent`` (table). A layer without a units file, or a file that cannot be read, has none.
"""

from __future__ import annotations

import re

__all__ = ["UnitAttributes", "unit_attributes"]

_SKIP = {"code", "name"}
_CODES = re.compile(r"^[EWSN]\d{8}([ ,;+]+[EWSN]\d{8})*$")
_LABELS = {"pfa_code": "Police force area code", "bcu_ids": "Command units", "nhs_code": "NHS code",
           "members_2024": "Members in 2024"}


class UnitAttributes:
    """``columns``: [(key, label)] in file order; ``of(code)`` → {key: text} (empty values left out)."""

    def __init__(self, columns: list[tuple[str, str]], rows: dict[str, dict[str, str]], source: str = ""):
        self.columns = columns
        self.rows = rows
        self.source = source

    @property
    def lead(self) -> tuple[str, str] | None:
        """The column shown in the unit table (the first one after code and name), or None."""
        return self.columns[0] if self.columns else None

    def of(self, code: str) -> dict[str, str]:
        return self.rows.get(str(code), {})

    def shown(self, code: str) -> list[tuple[str, str]]:
        """[(label, text)] for a popup: lists of ONS codes, the unit's own code and "False" flags left out
        (they stay in the table's CSV); "True" reads "yes"."""
        row, out = self.of(code), []
        for k, label in self.columns:
            v = row.get(k, "")
            if not v or v == str(code) or v.lower() == "false" or _CODES.match(v):
                continue
            out.append((label, "yes" if v.lower() == "true" else v))
        return out


_NONE = UnitAttributes([], {})


def _label(key: str) -> str:
    return _LABELS.get(key) or key.replace("_", " ").strip().capitalize()


def unit_attributes(layer) -> UnitAttributes:
    """The attributes of ``layer``'s units from its catalogue entry's ``units_file`` (none when it has none)."""
    import csv

    entry = getattr(layer, "entry", None)
    rel = getattr(entry, "units_file", "") if entry is not None else ""
    if not rel:
        return _NONE
    try:
        from ..catalog import catalog

        path = catalog().path(rel)
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [f for f in (reader.fieldnames or []) if f and f not in _SKIP]
            rows = {}
            for r in reader:
                code = str(r.get("code") or "").strip()
                if code:
                    rows[code] = {k: str(r[k]).strip() for k in fields if r.get(k) not in (None, "")}
    except (OSError, csv.Error, UnicodeDecodeError):
        return _NONE  # the layer itself loaded; a missing extras file only loses the extras
    return UnitAttributes([(k, _label(k)) for k in fields], rows, str(rel))
