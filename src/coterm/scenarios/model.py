"""The scenario schema: :class:`Scenario`, :class:`Merge`, :class:`Transfer`, and the structural checks
(errors visible without any boundary data).

The schema is documented for users in ``scenarios/README.md``; in short::

    name = "ICB mergers, April 2026"          # required
    layer = "icb-2022"                        # required: catalogue id (or a boundary file) it changes
    description = "..."  effective = 2026-04-01  source = ["https://..."]  confidence = "high"
    against = ["ltla-2021", "pfa-2020"]       # optional: default partner layers to compare with
    defines = "met-bcu-2019"                  # optional: the file defines a NEW layer by [[group]]s
    ungrouped = "drop"                        # with defines: units in no group are dropped ("keep" keeps them)

    [[transfer]]                              # applied first, in file order
    from = "E54000023"  to = "E54000026"  blocks = ["E38000117"]  via = "sicbl-2022"  clip = false
    [[merge]]                                 # then merges (or [[group]]s, never both in one file)
    into = "Essex ICB"  code = "E54000064"  members = ["E54000026"]
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScenarioError

__all__ = ["Scenario", "Merge", "Transfer", "slug", "CONFIDENCE_LEVELS"]

CONFIDENCE_LEVELS = ("high", "medium-high", "medium", "low-medium", "low")


def _line_of(code: str, codes: tuple, lines: tuple, default: int | None) -> int | None:
    """The file line of ``code`` in a change's list (its first mention), else the change's own line."""
    try:
        i = codes.index(code)
    except ValueError:
        return default
    return lines[i] if i < len(lines) and lines[i] else default


@dataclass(frozen=True)
class Merge:
    """Units of the layer merged into one (``kind`` "merge"), or grouped into a unit of a new layer ("group")."""

    index: int                      # 1-based, in file order among changes of the same kind
    into: str                       # name of the resulting unit
    code: str                       # code of the resulting unit (given, or generated from ``into``)
    members: tuple[str, ...]
    kind: str = "merge"
    code_given: bool = False
    line: int | None = None
    member_lines: tuple[int | None, ...] = ()
    note: str = ""
    confidence: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} #{self.index} {self.into!r}"

    def line_of(self, member: str) -> int | None:
        return _line_of(member, self.members, self.member_lines, self.line)


@dataclass(frozen=True)
class Transfer:
    """Building blocks moved from one unit to another (or to a new unit, named by ``to_name``).

    Blocks are atom codes of the layer's base (LSOAs) or, with ``via``, units of another layer
    built from the same atoms (sub-ICB locations, districts). With ``clip`` only the part of each
    block lying in ``from`` moves; otherwise every atom of each block must lie in ``from``.
    """

    index: int
    from_: str
    to: str
    blocks: tuple[str, ...]
    via: str = ""
    clip: bool = False
    to_name: str = ""
    line: int | None = None
    block_lines: tuple[int | None, ...] = ()
    note: str = ""
    confidence: str = ""

    kind = "transfer"

    @property
    def label(self) -> str:
        return f"transfer #{self.index} ({self.from_} → {self.to})"

    def line_of(self, block: str) -> int | None:
        return _line_of(block, self.blocks, self.block_lines, self.line)


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file. See the module docstring and ``scenarios/README.md`` for the schema."""

    name: str
    layer: str
    description: str = ""
    effective: str = ""
    source: tuple[str, ...] = ()
    confidence: str = ""
    against: tuple[str, ...] = ()
    defines: str = ""
    title: str = ""
    ungrouped: str = "keep"
    notes: tuple[str, ...] = ()
    kind: str = ""
    family: str = ""
    merges: tuple[Merge, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    path: Path | None = None
    format: str = "toml"
    key_lines: dict = field(default_factory=dict, compare=False, repr=False)

    # --- convenience -------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """Short identifier: the file stem, else a slug of the name."""
        return self.path.stem if self.path is not None else slug(self.name)

    @property
    def file(self) -> str:
        return str(self.path) if self.path is not None else "<scenario>"

    @property
    def is_group(self) -> bool:
        """True when the file defines a new layer by grouping units of ``layer``."""
        return bool(self.defines)

    @property
    def drops_ungrouped(self) -> bool:
        return self.is_group and self.ungrouped == "drop"

    @property
    def result_layer_id(self) -> str:
        return self.defines or f"{self.layer}+{self.id}"

    def where(self, line: int | None = None, key: str | None = None) -> str:
        """``file:line`` prefix for messages."""
        if line is None and key is not None:
            line = self.key_lines.get(key)
        return f"{self.file}:{line}" if line else self.file

    def header(self) -> dict:
        """The header fields as plain JSON-able values."""
        return {
            "id": self.id, "name": self.name, "layer": self.layer, "description": self.description,
            "effective": self.effective, "source": list(self.source), "confidence": self.confidence,
            "against": list(self.against), "defines": self.defines or None, "title": self.title or None,
            "ungrouped": self.ungrouped if self.is_group else None, "notes": list(self.notes),
            "kind": self.kind or None, "family": self.family or None,
            "merges": len(self.merges), "transfers": len(self.transfers),
            "file": str(self.path) if self.path is not None else None,
        }




def slug(text: str) -> str:
    """A code-like identifier from a name: ``"Essex ICB"`` → ``"essex-icb"``."""
    s = re.sub(r"[^0-9a-z]+", "-", str(text).casefold()).strip("-")
    return s or "unit"


def _generated(into: str, members) -> str:
    """A code for a merge without one: the slug of its name (never one of its members)."""
    code = slug(into)
    return code if code not in set(members) else f"{code}-merged"


def _fail(where: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{where}: {msg}")


# --- structural checks (no data needed) ------------------------------------------------------------


def _check_structure(sc: Scenario) -> None:
    """Errors visible without boundary data. Vectorised over members (10,000 merges are fine)."""
    import pandas as pd

    if not sc.merges and not sc.transfers and sc.is_group:
        raise _fail(sc.where(key="defines"), f"defines layer {sc.defines!r} but has no [[group]]")
    for m in sc.merges:
        if not m.members:
            raise _fail(sc.where(m.line), f"{m.label}: empty {m.kind}: list the codes of its members")
    for t in sc.transfers:
        if not t.blocks:
            raise _fail(sc.where(t.line), f"{t.label}: empty transfer: list the blocks to move")
        if t.from_ == t.to:
            raise _fail(sc.where(t.line), f"{t.label}: transfer references itself: from and to are both {t.to}")
        dup = pd.Index(t.blocks)
        dup = dup[dup.duplicated()]
        if len(dup):
            raise _fail(sc.where(t.line_of(dup[0])), f"{t.label}: block {dup[0]} is listed twice")
    if not sc.merges:
        return
    n = [len(m.members) for m in sc.merges]
    df = pd.DataFrame({
        "merge": pd.Series(range(len(sc.merges))).repeat(n).to_numpy(),
        "code": [c for m in sc.merges for c in m.members],
    })
    # a merge whose new code is one of its own members
    new_codes = pd.Series([m.code if m.code_given else None for m in sc.merges], dtype=object)
    self_ref = df[df["code"].to_numpy() == new_codes.to_numpy()[df["merge"].to_numpy()]]
    if len(self_ref):
        m = sc.merges[int(self_ref["merge"].iloc[0])]
        raise _fail(sc.where(m.line_of(m.code)), f"{m.label}: references itself: its new code {m.code} is also one of "
                    f"its members; give the {m.kind} a new code (or omit `code`)")
    # the same unit twice in one merge
    twice = df[df.duplicated(["merge", "code"])]
    if len(twice):
        m = sc.merges[int(twice["merge"].iloc[0])]
        c = twice["code"].iloc[0]
        raise _fail(sc.where(m.line_of(c)), f"{m.label}: lists {c} twice; remove the repeat")
    # a unit in two merges
    multi = df[df.duplicated("code", keep=False)]
    if len(multi):
        c = multi["code"].iloc[0]
        which = multi.loc[multi["code"] == c, "merge"].tolist()
        first, second = sc.merges[which[0]], sc.merges[which[1]]
        raise _fail(sc.where(second.line_of(c)), f"{second.label}: unit {c} is already in {first.label} "
                    f"(line {first.line_of(c)}); a unit can be in one {second.kind} only")
    # duplicate names / codes of the resulting units
    for attr, what in (("code", "code"), ("into", "name")):
        vals = pd.Series([getattr(m, attr).casefold() for m in sc.merges])
        d = vals[vals.duplicated()]
        if len(d):
            j = int(d.index[0])
            i = int(vals[vals == d.iloc[0]].index[0])
            m, first = sc.merges[j], sc.merges[i]
            raise _fail(sc.where(m.line), f"{m.label}: same new {what} {getattr(m, attr)!r} as {first.label} "
                        f"(line {first.line}); merge them into one {m.kind} or rename one")


def _make_scenario(header: dict, merges, transfers, path: Path, fmt: str, key_lines: dict) -> Scenario:
    def as_tuple(v):
        if v is None:
            return ()
        return (v,) if isinstance(v, str) else tuple(v)

    eff = header.get("effective", "")
    ungrouped = str(header.get("ungrouped", "drop" if header.get("defines") else "keep")).strip()
    if ungrouped not in ("drop", "keep"):
        raise _fail(f"{path}:{key_lines.get('ungrouped', '?')}", f"'ungrouped' must be \"drop\" or \"keep\", not {ungrouped!r}")
    conf = str(header.get("confidence", "")).strip()
    if conf and not any(conf.casefold().startswith(level) for level in ("high", "medium", "low")):
        raise _fail(f"{path}:{key_lines.get('confidence', '?')}", f"'confidence' must start with high, medium or low "
                    f"(e.g. \"medium: Frimley split inferred\"), not {conf!r}")
    return Scenario(
        name=str(header["name"]).strip(), layer=str(header["layer"]).strip(),
        description=str(header.get("description", "")).strip(),
        effective=eff.isoformat() if isinstance(eff, _dt.date) else str(eff).strip(),
        source=as_tuple(header.get("source")), confidence=conf, against=as_tuple(header.get("against")),
        defines=str(header.get("defines", "")).strip(), title=str(header.get("title", "")).strip(),
        ungrouped=ungrouped, notes=as_tuple(header.get("notes")), kind=str(header.get("kind", "")).strip(),
        family=str(header.get("family", "")).strip(), merges=tuple(merges), transfers=tuple(transfers),
        path=path, format=fmt, key_lines=key_lines,
    )
