"""``coterm scenario FILE`` (before/after) and ``coterm scenario check FILE...`` (validate only)."""

from __future__ import annotations

import click

from .options import by_option, json_option, min_share_option, mode_option

_HEADLINE = ("units", "coterminous", "nested", "contains", "split", "coterminosity_rate.count", "alignment_rate.count",
             "alignment_rate.population", "alignment_rate.area", "people_in_split_units", "nesting_purity.population",
             "conditional_entropy_bits")


def _fmt(index: str, v) -> str:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if "rate" in index or "purity" in index:
        return f"{100 * float(v):.1f}%"
    if index in ("people_in_split_units",) or float(v).is_integer():
        return f"{float(v):,.0f}"
    return f"{float(v):.3f}"


def _check(files) -> None:
    from ..errors import ScenarioError
    from ..scenarios import check_scenario, load_scenario

    failed = 0
    for f in files:
        try:
            sc = load_scenario(f)
            notes = check_scenario(sc)
        except ScenarioError as exc:
            failed += 1
            click.echo(f"coterm: error: {exc}", err=True)
            for extra in list(getattr(exc, "problems", []))[1:]:
                click.echo(f"  also: {extra}", err=True)
            continue
        click.echo(f"{f}: ok ({sc.layer}, {len(sc.merges)} merge(s), {len(sc.transfers)} transfer(s))")
        for n in notes:
            click.echo(f"  note: {n}")
    if failed:
        raise SystemExit(2)


@click.command("scenario")
@click.argument("args", nargs=-1, required=True, metavar="FILE | check FILE... | list")
@click.option("--against", default="", help="Partner layers, comma-separated [default: other families' layers of the nearest vintage].")
@by_option
@mode_option
@min_share_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write before_after.csv, changed_units.csv and summary.json to this folder.")
@click.option("--all", "show_all", is_flag=True, help="Show every index, not only the headline ones.")
@json_option
def scenario(args, against, weight, mode, min_share, out_dir, show_all, as_json):
    """Apply a merger scenario and show what it does to coterminosity, before and after.

    \b
    Examples:
      coterm scenario scenarios/icb-mergers-2026.toml
      coterm scenario scenarios/met-bcus-2019.toml --against ltla-2021,csp-2019 --out results/
      coterm scenario check scenarios/*.toml
      coterm scenario list          (the shipped scenarios; use their id in place of a file)
    """
    if args[0] == "list":
        from ..scenarios import list_scenarios

        for sc in list_scenarios():
            click.echo(f"{sc.id:<24} {sc.layer:<12} {len(sc.merges):>3} merge(s)  {sc.name}  [confidence: {sc.confidence}]")
        return
    if args[0] == "check":
        if len(args) < 2:
            raise click.UsageError("give the scenario file(s) to check: coterm scenario check FILE...")
        _check(args[1:])
        return
    if len(args) != 1:
        raise click.UsageError("give one scenario file (or: coterm scenario check FILE...)")
    from ..scenarios import compare_scenario

    partners = [p.strip() for p in against.split(",") if p.strip()]
    res = compare_scenario(args[0], against=partners, by=weight, mode=mode, min_share=min_share)
    if out_dir:
        from ..io import atomic_dir, write_csv, write_json

        with atomic_dir(out_dir, owned=("before_after.csv", "changed_units.csv", "summary.json")) as tmp:
            write_csv(res.before_after, tmp / "before_after.csv")
            write_csv(res.changed_units, tmp / "changed_units.csv")
            write_json(res.to_dict(), tmp / "summary.json")
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json(res.to_dict()), nl=False)
        return
    sc = res.scenario
    click.echo(f"{sc.name}: {res.layer.id} → {res.after_layer.id} ({len(res.layer)} → {len(res.after_layer)} units), by {weight}")
    for n in res.notes:
        click.echo(f"note: {n}")
    ba = res.before_after
    for p in res.against:
        t = ba[ba.partner == p]
        if not show_all:
            t = t[t["index"].isin(_HEADLINE) | t["direction"].eq("symmetric") & t["index"].isin(["vi_bits", "nmi"])]
            order = {k: i for i, k in enumerate(_HEADLINE + ("vi_bits", "nmi"))}
            t = t.assign(_o=t["index"].map(order)).sort_values(["direction", "_o"], kind="stable")
        click.echo(f"\nagainst {p}:")
        click.echo(f"  {'direction':<10} {'index':<28} {'before':>12} {'after':>12} {'change':>10}")
        for r in t.itertuples():
            change = "" if r.change is None or r.change != r.change else (f"{100 * r.change:+.1f} pts" if ("rate" in r.index or "purity" in r.index) else f"{r.change:+,.0f}" if abs(r.change) >= 1000 or float(r.change).is_integer() else f"{r.change:+.3f}")
            click.echo(f"  {r.direction:<10} {r.index:<28} {_fmt(r.index, r.before):>12} {_fmt(r.index, r.after):>12} {change:>10}")
        cu = res.changed_units[res.changed_units.partner == p]
        click.echo(f"  units whose class changed: {len(cu)}")
        for r in cu.itertuples():
            click.echo(f"    {r.description}")
    if out_dir:
        click.echo(f"wrote before_after.csv, changed_units.csv, summary.json to {out_dir}", err=True)
