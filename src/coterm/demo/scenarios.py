"""The demo's scenario step: run one shipped scenario, write its map, return its headline rows."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_scenario"]


def _rate(scores, direction: str, key: str, by: str):
    d = scores.indices[direction][key]
    v = d.get(by)
    return v if v is not None else d.get("count")


def run_scenario(name: str, tmp: Path, by: str) -> dict:
    """Compare the scenario with its partners, save ``scenarios/<name>.html``; one dict (headline = first partner)."""
    from ..scenarios import compare_scenario
    from ..maps import save_map, scenario_map
    from ..report import basis_columns
    from .run import BACK

    res = compare_scenario(name, by=by)
    rel = f"scenarios/{name}.html"
    save_map(scenario_map(res, back=BACK), tmp / rel)
    sc = res.scenario
    partners = []
    for p in res.against:
        b, a = res.before[p].scores, res.after[p].scores
        partners.append({
            "partner": p, "partner_title": b.overlap.b.title, "layer_title": b.overlap.a.title,
            "before_alignment": _rate(b, "a_to_b", "alignment_rate", by), "after_alignment": _rate(a, "a_to_b", "alignment_rate", by),
            "before_partner_alignment": _rate(b, "b_to_a", "alignment_rate", by),
            "after_partner_alignment": _rate(a, "b_to_a", "alignment_rate", by),
            "before_coterminosity": _rate(b, "a_to_b", "coterminosity_rate", by),
            "after_coterminosity": _rate(a, "a_to_b", "coterminosity_rate", by),
            "before_partner_coterminosity": _rate(b, "b_to_a", "coterminosity_rate", by),
            "after_partner_coterminosity": _rate(a, "b_to_a", "coterminosity_rate", by),
            "after_partner_split": a.indices["b_to_a"]["split"], "after_units": a.indices["a_to_b"]["units"],
            "changed_units": int((res.changed_units.partner == p).sum()),
            **basis_columns(b.overlap),  # the basis, last: tables/scenarios.csv states it per row
        })
    for q in partners:  # a grouping compared with its own members changes nothing: say so, not "100% → 100%"
        q["no_effect"] = q["changed_units"] == 0 and all(
            q[f"before_{k}"] == q[f"after_{k}"] for k in ("alignment", "partner_alignment"))
    backtest = _backtest(name, res, tmp)
    head = next((q for q in partners if q["partner"] == backtest.get("backtest_target")), None) or next(
        (q for q in partners if not q["no_effect"]), partners[0])  # a back-test leads with what it must reproduce
    first = res.changed_units[res.changed_units.partner == head["partner"]]
    file = f"scenarios/{Path(sc.path).name}" if getattr(sc, "path", None) else name
    return {"slug": name, "name": sc.name, "description": getattr(sc, "description", "") or "", "confidence": getattr(sc, "confidence", "") or "",
            "layer": sc.layer, "file": file, "map": rel, **head, "partners": partners,
            "changed_list": [str(d) for d in first["description"].tolist()], **backtest}


def _backtest(name: str, res, tmp: Path) -> dict:
    """For a back-test scenario: its residual (blocks that did not follow whole units), as a sentence and a table."""
    from ..io import write_csv
    from ..layer import load_layer
    from .summaries import BACKTESTS, backtest_residual, backtest_sentence

    if name not in BACKTESTS:
        return {}
    target_id, noun, district_id = BACKTESTS[name]
    target, districts = load_layer(target_id), load_layer(district_id)
    residual = backtest_residual(res.after_layer, target)
    residual["district"] = residual["block"].map(districts.membership).map(districts.names).fillna("").to_numpy()
    counts = residual.groupby("district").size().rename("n").reset_index().sort_values(["n", "district"], ascending=[False, True])
    rel = f"tables/backtest__{name}.csv"
    basis = res.after_layer.population_basis
    write_csv(residual.assign(basis="population", population_source=basis["source"], population_year=basis["year"]), tmp / rel)
    text = backtest_sentence(residual, blocks=len(res.after_layer.membership), noun=noun,
                             target_title=f"{len(target)} {target.title}", by_place=dict(zip(counts["district"], counts["n"])),
                             population_source=basis["source"])
    return {"backtest": text, "backtest_table": rel, "backtest_target": target_id,
            "backtest_blocks": int(len(residual)), "backtest_people": int(residual["population"].sum())}
