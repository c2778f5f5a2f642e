"""Checking a scenario against the layer it changes: unknown codes (with the nearest codes and names,
and the catalogue layer a code really belongs to), blocks outside their source unit, clashing new
codes. Every problem names the file, the line, the change and the code."""

from __future__ import annotations

import difflib
import functools
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

from ..errors import CotermError, ScenarioError
from ..scoped import scope
from .find import _resolve_layer_ref, base_layer, load_scenario
from .model import Scenario, Transfer

__all__ = ["check_scenario"]

_MAX_REPORTED = 20  # problems kept in ScenarioError.problems beyond the first



class _Problems:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.items: list[str] = []
        self.count = 0

    def add(self, line, msg: str) -> None:
        self.count += 1
        if len(self.items) <= _MAX_REPORTED:
            self.items.append(f"{self.scenario.where(line)}: {msg}")

    @property
    def full(self) -> bool:
        return len(self.items) > _MAX_REPORTED

    def raise_if_any(self) -> None:
        if not self.count:
            return
        more = f" (and {self.count - 1} more problem{'s' if self.count > 2 else ''})" if self.count > 1 else ""
        err = ScenarioError(self.items[0] + more)
        err.problems = list(self.items)  # type: ignore[attr-defined]
        err.count = self.count  # type: ignore[attr-defined]
        raise err


@functools.lru_cache(maxsize=1)
def _catalogue_code_index() -> pd.DataFrame:
    """code, name, layer of every catalogue layer (read from the code/name columns only)."""
    from ..catalog import catalog
    from ..io import read_bundled_parquet

    cat = catalog()
    frames = []
    for e in cat.entries:
        if e.family == "statistical":
            continue
        try:
            df = read_bundled_parquet(cat.path(e.file), e.sha256, columns=[e.code_field, e.name_field], geo=False)
        except Exception:  # noqa: BLE001 - a missing file only loses a hint
            continue
        frames.append(pd.DataFrame({"code": df[e.code_field].astype(str).to_numpy(),
                                    "name": df[e.name_field].astype(str).to_numpy(), "layer": e.id}))
    if not frames:
        return pd.DataFrame(columns=["code", "name", "layer"])
    return pd.concat(frames, ignore_index=True)


def _other_layer_hint(code: str, this_layer: str) -> str:
    try:
        idx = _catalogue_code_index()
    except CotermError:
        return ""
    hit = idx[(idx["code"] == code) & (idx["layer"] != this_layer)]
    if not len(hit):
        return ""
    layers = list(dict.fromkeys(hit["layer"]))
    name = hit["name"].iloc[0]
    return f"; {code} ({name}) is a unit of {', '.join(layers[:4])}{' ...' if len(layers) > 4 else ''}, not of {this_layer}"


def _suggest(code: str, codes: pd.Index, names: pd.Series) -> str:
    """'did you mean ...' by code and by name (difflib)."""
    out = []
    by_code = difflib.get_close_matches(code, list(codes), n=2, cutoff=0.75)
    out += by_code
    folded = names.astype(str).str.casefold()
    exact = list(folded.index[folded == code.casefold()])
    out += [c for c in exact if c not in out]
    if not exact:
        by_name = difflib.get_close_matches(code.casefold(), list(dict.fromkeys(folded)), n=2, cutoff=0.6)
        for nm in by_name:
            out += [c for c in folded.index[folded == nm][:1] if c not in out]
    if not out:
        return ""
    return "; did you mean " + " or ".join(f"{c} ({names.get(c, c)})" for c in out[:3]) + "?"


def _unknown(problems: _Problems, change, code: str, codes: pd.Index, names: pd.Series, layer_id: str, what="code") -> None:
    line = change.line_of(code) if change is not None else None
    label = f"{change.label}: " if change is not None else ""
    if problems.full:
        problems.count += 1
        return
    msg = f"{label}unknown {what} {code} in {layer_id}"
    msg += _other_layer_hint(code, layer_id) or _suggest(code, codes, names)
    problems.add(line, msg)


def check_scenario(scenario, *, layer=None) -> list[str]:
    """Check a scenario against the layer it changes; return notes, raise on errors.

    Parameters
    ----------
    scenario : Scenario or path / shipped id.
    layer : the layer (Layer or id) if already loaded; by default ``scenario.layer`` is loaded.

    Returns
    -------
    list[str]
        Informational notes (renames, units left empty by transfers, units dropped by groups, LSOAs moved).

    Raises
    ------
    ScenarioError
        The first problem as the message (``file:line: change: problem``), every problem (up to 20)
        in ``.problems`` and their number in ``.count``: unknown codes (with the nearest codes and
        names, and the catalogue layer a code belongs to when it is another layer's or vintage's),
        blocks not in the source unit, a new code already used by another unit, layers that do not
        exist, transfers on a layer without building blocks.
    """
    scenario = load_scenario(scenario)
    lay = base_layer(scenario, layer)
    notes, _ = _validate(scenario, lay)
    return notes


# (scenario, layer) checks of the innermost checking_once() block; None outside one (nothing kept between calls)
_CHECKED: ContextVar[dict | None] = ContextVar("coterm_scenario_checks", default=None)


@contextmanager
def checking_once():
    """Inside this block a scenario checked against the same layer object is not checked again.

    compare_scenario checks the scenario, then derives its after-layer and regroups each partner's
    overlap, and each of those steps checks it (the transfers' membership comes out of the check).
    """
    with scope(_CHECKED):
        yield


def _validate(sc: Scenario, lay):
    """Check against data; return (notes, membership after transfers or None).

    Inside :func:`checking_once`, a scenario (frozen) checked against the same layer object with the same
    membership and codes is not checked again: the result is a pure function of those, and a failed check
    is never remembered.
    """
    checked = _CHECKED.get()
    if checked is None:
        return _check(sc, lay)
    key = (id(sc), id(lay))
    hit = checked.get(key)
    if (hit is not None and hit[0] is sc and hit[1] is lay and hit[2] is lay.membership
            and (hit[3] is lay.codes or hit[3].equals(lay.codes))):
        return list(hit[4]), (hit[5].copy() if hit[5] is not None else None)
    notes, membership = _check(sc, lay)
    # holds the objects, so their ids are not reused while the block lives
    checked[key] = (sc, lay, lay.membership, lay.codes, tuple(notes), membership.copy() if membership is not None else None)
    return notes, membership


def _check(sc: Scenario, lay):
    problems = _Problems(sc)
    notes: list[str] = []
    codes = lay.codes
    names = lay.names
    membership = None
    new_units: dict[str, str] = {}
    if sc.transfers:
        membership, new_units, tnotes = _check_transfers(sc, lay, problems)
        notes += tnotes
    problems.raise_if_any()

    if sc.merges:
        known = codes.append(pd.Index(list(new_units), dtype=object)) if new_units else codes
        n = [len(m.members) for m in sc.merges]
        mi = np.repeat(np.arange(len(sc.merges)), n)
        members = pd.Index([c for m in sc.merges for c in m.members], dtype=object)
        bad = np.flatnonzero(~members.isin(known))
        all_names = names if not new_units else pd.concat([names, pd.Series(new_units)])
        for j, k in enumerate(bad):
            if problems.full:
                problems.count += len(bad) - j
                break
            _unknown(problems, sc.merges[mi[k]], members[k], known, all_names, lay.id)
        problems.raise_if_any()
        # a new code that is already another (unmerged) unit's code
        merged = set(members)
        for m in sc.merges:
            if m.code_given and m.code in known and m.code not in merged and not sc.drops_ungrouped:
                problems.add(m.line_of(m.code) if m.code in m.members else m.line,
                             f"{m.label}: new code {m.code} is already the code of {all_names.get(m.code, m.code)} in "
                             f"{lay.id}, which this {m.kind} does not include; choose another code")
        problems.raise_if_any()
        renames = [m for m in sc.merges if len(m.members) == 1]
        if renames and not sc.is_group:
            notes.append(f"{len(renames)} merge(s) of a single unit rename it: "
                         + ", ".join(f"{m.members[0]} → {m.into}" for m in renames[:5]) + (" ..." if len(renames) > 5 else ""))
        if sc.is_group:
            left = codes.difference(pd.Index(list(merged), dtype=object))
            if len(left):
                verb = "dropped" if sc.drops_ungrouped else "kept as themselves"
                notes.append(f"{len(left)} unit(s) of {lay.id} are in no group and are {verb} in {sc.defines}")
    return notes, membership


def _atoms_of_blocks(sc: Scenario, t: Transfer, lay, problems: _Problems, via_cache: dict):
    """(atom index, block per atom) for a transfer's blocks, or None on error."""
    blocks = pd.Index(t.blocks, dtype=object)
    if t.via:
        via = via_cache.get(t.via)
        if via is None:
            via = via_cache[t.via] = _resolve_layer_ref(sc, t.via, "via", t.line)
        if via.membership is None or via.atom_base != lay.atom_base:
            problems.add(t.line, f"{t.label}: via layer {t.via} is "
                         f"{'geometry only' if via.membership is None else 'built from ' + str(via.atom_base)}, "
                         f"but {lay.id} is built from {lay.atom_base}; use a layer built from the same blocks")
            return None
        bad = blocks[~blocks.isin(via.codes)]
        for b in bad[:5]:
            _unknown(problems, t, b, via.codes, via.names, via.id, what="block")
        if len(bad):
            return None
        m = via.membership
        keys = via_cache.get((t.via, "keys"))
        if keys is None:  # each atom's block as an int key, once per via layer: a scenario has hundreds of transfers
            codes, uniques = pd.factorize(m.to_numpy())
            keys = via_cache[(t.via, "keys")] = (codes, pd.Index(uniques))
        at = keys[1].get_indexer(pd.unique(blocks.to_numpy()))
        sel = m[np.isin(keys[0], at[at >= 0])]  # = m[m.isin(blocks)]
        empty = blocks.difference(pd.Index(sel.unique()))
        if len(empty):
            problems.add(t.line_of(empty[0]), f"{t.label}: block {empty[0]} of {t.via} has no building blocks")
            return None
        return sel.index, pd.Series(sel.to_numpy(), index=sel.index)
    bad = blocks[~blocks.isin(lay.membership.index)]
    for b in bad[:5]:
        atom_names = pd.Series(dtype=object)
        hint = ""
        if lay.atom_base:
            hint = f" (blocks are {lay.atom_base} codes unless `via` names a layer)"
        line = t.line_of(b)
        msg = f"{t.label}: unknown block {b} in {lay.atom_base or lay.id}{hint}"
        msg += _other_layer_hint(b, lay.id) or _suggest(b, lay.membership.index[:0], atom_names)
        problems.add(line, msg)
    if len(bad):
        return None
    return blocks, pd.Series(blocks.to_numpy(), index=blocks)


def _check_transfers(sc: Scenario, lay, problems: _Problems):
    notes: list[str] = []
    if lay.membership is None:
        t = sc.transfers[0]
        problems.add(t.line, f"{t.label}: transfers move building blocks, but {lay.id} is geometry only (no LSOA "
                     "membership); use merges, or a catalogue layer built from LSOAs")
        return None, {}, notes
    current = lay.membership.copy()
    names = lay.names
    units = set(lay.codes)
    new_units: dict[str, str] = {}
    via_cache: dict = {}
    at = current.index if current.index.is_unique else None
    values = current.to_numpy(dtype=object).copy() if at is not None else None
    for t in sc.transfers:
        ok = True
        for code, role in ((t.from_, "from"), (t.to, "to")):
            if code in units or code in new_units:
                continue
            if role == "to" and t.to_name:
                new_units[t.to] = t.to_name
                continue
            extra = " (to create a new unit, also give to_name)" if role == "to" else ""
            msg = f"{t.label}: unknown {role} unit {code} in {lay.id}{extra}"
            msg += _other_layer_hint(code, lay.id) or _suggest(code, lay.codes, names)
            problems.add(t.line, msg)
            ok = False
        if not ok:
            continue
        got = _atoms_of_blocks(sc, t, lay, problems, via_cache)
        if got is None:
            continue
        atoms, block_of = got
        # positions in the membership (its index is unique), not label look-ups: a scenario has hundreds of transfers
        pos = at.get_indexer(atoms) if at is not None else None
        if pos is not None:
            found = pos >= 0
            now = np.full(len(atoms), None, dtype=object)
            now[found] = values[pos[found]]
            in_from = found & (now == t.from_)
        else:
            where_now = current.reindex(atoms)
            now, in_from = where_now.to_numpy(), (where_now == t.from_).to_numpy()
        block = block_of.reindex(atoms).to_numpy()
        keys, uniq = pd.factorize(block, sort=False)  # blocks in order of first appearance, as groupby(sort=False)
        n_in = np.bincount(keys, weights=in_from, minlength=len(uniq))
        size = np.bincount(keys, minlength=len(uniq))
        partial_any = bool((n_in < size).any())
        if t.clip or partial_any:  # the tables of the messages below, only when one may be needed
            per_block = pd.DataFrame({"block": block, "in": in_from, "now": now})
            stats = pd.DataFrame({"sum": n_in.astype(int), "size": size}, index=pd.Index(uniq, name="block"))
        if t.clip:
            none = stats.index[stats["sum"] == 0]
            if len(none):
                b = none[0]
                problems.add(t.line_of(b), f"{t.label}: block {b} is not in the source unit {t.from_} "
                             f"({names.get(t.from_, new_units.get(t.from_, t.from_))}): none of its building blocks lie there")
                continue
        elif partial_any:
            partial = stats.index[stats["sum"] < stats["size"]]
            if len(partial):
                b = partial[0]
                row = per_block[(per_block["block"] == b) & ~per_block["in"]]
                elsewhere = row["now"].dropna()
                other = elsewhere.mode().iloc[0] if len(elsewhere) else None
                where = f" (it is in {other} {names.get(other, new_units.get(other, ''))})".rstrip() if other is not None and stats.loc[b, "sum"] == 0 else ""
                part = "" if stats.loc[b, "sum"] == 0 else f" wholly ({int(stats.loc[b, 'size'] - stats.loc[b, 'sum'])} of its {int(stats.loc[b, 'size'])} building blocks lie elsewhere; add clip = true to move only the part in {t.from_})"
                problems.add(t.line_of(b), f"{t.label}: block {b} is not{part} in the source unit {t.from_}{where}"
                             .replace(" )", ")"))
                continue
        moved = atoms[in_from]
        if pos is not None:
            values[pos[in_from]] = t.to
        else:
            current.loc[moved] = t.to
        notes.append(f"{t.label}: moves {len(moved)} {lay.atom_base or 'atom'}(s)")
    if problems.count:
        return None, new_units, notes
    if values is not None:
        current = pd.Series(values, index=current.index, name=current.name, dtype=current.dtype)
    emptied = sorted(set(lay.codes) - set(current.unique()) - set(lay.codes[~lay.codes.isin(lay.membership.unique())]))
    if emptied:
        notes.append(f"transfers leave {len(emptied)} unit(s) with no building blocks, which disappear: "
                     + ", ".join(lay.label(c) for c in emptied[:5]))
    return current, new_units, notes


