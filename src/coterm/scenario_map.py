"""A scenario's before/after map from a :class:`~coterm.compare.ScenarioResult` (one partner layer)."""

from __future__ import annotations

__all__ = ["scenario_result_map"]


def scenario_result_map(res, partner: str | None = None, **kwargs):
    """Before and after the scenario against ``partner`` (default: the first), as a folium.Map.

    Changed units of both layers are highlighted and listed; keyword arguments go to
    :func:`coterm.maps.scenario_map` (tiles, cdn, title...).
    """
    from .maps import scenario_map

    partner = partner or res.against[0]
    if partner not in res.before:
        raise KeyError(f"{partner!r} is not a partner of this scenario result ({', '.join(res.against)})")
    before, after = res.before[partner], res.after[partner]
    ch = res.changed_units[res.changed_units.partner == partner].copy()
    # the map wants the side of each changed unit: the scenario's layer is A, the partner is B
    ch["layer"] = ["b" if lid == before.overlap.b.id else "a" for lid in ch["layer"]]
    ch["code"] = [ac if isinstance(ac, str) and ac else c for c, ac in zip(ch["code"], ch.get("after_code", ch["code"]))]
    kwargs.setdefault("scenario_name", res.scenario.name)
    return scenario_map(before.overlap, before.scores, after.overlap, after.scores, ch, **kwargs)
