"""``coterm scenario run|check|list``: apply a merger scenario before/after, validate files, list shipped ones.

The layer a scenario changes is the file's ``layer`` (TOML) or ``# layer:`` line (CSV); ``--base
ID|FILE`` gives it for a CSV file without one (a file that names its layer must agree with ``--base``).
``--base-code/--base-name/--base-layer/--base-crs`` read that layer from a user's file, and
``--against-code/--against-name/--against-layer/--against-crs`` the partner files of ``--against``.
"""

from __future__ import annotations

import click

from . import options as opt

_HEADLINE = ("units", "coterminous", "nested", "contains", "split", "coterminosity_rate.count", "alignment_rate.count",
             "alignment_rate.population", "alignment_rate.area", "people_in_split_units", "nesting_purity.population",
             "conditional_entropy_bits")

_base_option = click.option("--base", "base", default=None, metavar="ID|FILE",
                            help="The layer the scenario changes, for a CSV scenario without a '# layer:' line "
                                 "(catalogue id or boundary file).")


def _scenario_options(f):
    f = opt.side_file_options("against", "the --against files")(f)
    f = opt.side_file_options("base", "the scenario's layer file")(f)
    return _base_option(f)


def _load(file, base, files, crs=None):
    """(Scenario, base Layer or None): the scenario read with ``base`` as its layer, and that layer
    loaded with the --base-* options when any is given (else the scenario loads it itself)."""
    from pathlib import Path

    from ..scenarios import load_scenario

    sc = load_scenario(file, layer=base)
    if not any(files.get(f"base_{k}") for k in ("code", "name", "file_layer", "crs")) and crs is None:
        return sc, None
    ref = base or sc.layer
    if sc.path is not None and not Path(ref).is_absolute() and (sc.path.parent / ref).exists():
        ref = str(sc.path.parent / ref)
    return sc, opt.load_side(ref, "base", files, crs=crs)


def _fmt(index: str, v) -> str:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if "rate" in index or "purity" in index:
        return f"{100 * float(v):.1f}%"
    if index in ("people_in_split_units",) or float(v).is_integer():
        return f"{float(v):,.0f}"
    return f"{float(v):.3f}"


def _change(index: str, c) -> str:
    if c is None or c != c:
        return ""
    if "rate" in index or "purity" in index:
        return f"{100 * c:+.1f} pts"
    return f"{c:+,.0f}" if abs(c) >= 1000 or float(c).is_integer() else f"{c:+.3f}"


class _ScenarioGroup(click.Group):
    """``coterm scenario FILE`` (no sub-command) still means ``coterm scenario run FILE``."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


@click.group("scenario", cls=_ScenarioGroup)
def scenario():
    """Merger scenarios: what a merger or transfer does to coterminosity, before and after.

    \b
    Examples:
      coterm scenario run scenarios/icb-mergers-2026.toml
      coterm scenario run scenarios/met-bcus-2019.toml --against ltla-2021,csp-2019 --out results/
      coterm scenario run my_merges.csv --base ltla-2021
      coterm scenario check scenarios/*.toml
      coterm scenario list          (the shipped scenarios; use their id in place of a file)
    """


@scenario.command("list")
@opt.json_option
def list_(as_json):
    """List the shipped scenarios (id, layer, merges, name, confidence)."""
    from ..scenarios import list_scenarios

    items = list_scenarios()
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json([s.header() for s in items]), nl=False)
        return
    for sc in items:
        opt.echo(f"{sc.id:<24} {sc.layer:<12} {len(sc.merges):>3} merge(s)  {sc.name}  [confidence: {sc.confidence}]")


@scenario.command("check")
@click.argument("files", nargs=-1, required=True)
@_scenario_options
def check(files, base, **opts):
    """Validate scenario files against the layers they change (exit 2 if any is invalid)."""
    from ..errors import ScenarioError
    from ..report import message_line
    from ..scenarios import check_scenario

    failed = 0
    for f in files:
        try:
            sc, lay = _load(f, base, opts)
            notes = check_scenario(sc, layer=lay)
        except ScenarioError as exc:
            failed += 1
            click.echo(f"coterm: error: {message_line(exc)}", err=True)
            for extra in list(getattr(exc, "problems", []))[1:]:
                click.echo(f"  also: {message_line(extra)}", err=True)
            continue
        opt.echo(f"{f}: ok ({sc.layer}, {len(sc.merges)} merge(s), {len(sc.transfers)} transfer(s))")
        for n in notes:
            opt.echo(f"  note: {n}")
    if failed:
        raise SystemExit(2)


@scenario.command("run")
@click.argument("file")
@click.option("--against", default="", metavar="ID|FILE,...",
              help="Partner layers, comma-separated [default: the file's `against`, else other families' layers of the nearest vintage].")
@_scenario_options
@opt.by_option
@opt.mode_option
@opt.min_share_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write before_after.csv, changed_units.csv and summary.json to this folder.")
@opt.exact_csv_option
@click.option("--all", "show_all", is_flag=True, help="Show every index, not only the headline ones.")
@opt.json_option
def run(file, against, base, by, mode, min_share, out_dir, exact_csv, show_all, as_json, **files):
    """Apply a scenario FILE (or shipped id) and show what it does to coterminosity, before and after."""
    from ..scenarios import compare_scenario

    sc, lay = _load(file, base, files)
    partners = [opt.load_side(p.strip(), "against", files) for p in against.split(",") if p.strip()]
    res = compare_scenario(sc, against=partners, by=by, mode=mode, min_share=min_share, layer=lay)
    if out_dir:
        from ..report import write_scenario_outputs

        write_scenario_outputs(res, out_dir, exact_csv=exact_csv)
    if as_json:
        from ..io import dumps_json

        click.echo(dumps_json(res.to_dict()), nl=False)
        return
    sc = res.scenario
    opt.echo(f"{sc.name}: {res.layer.id} → {res.after_layer.id} ({len(res.layer)} → {len(res.after_layer)} units), by {by}")
    for n in res.notes:
        opt.echo(f"note: {n}")
    ba = res.before_after
    for p in res.against:
        t = ba[ba.partner == p]
        if not show_all:
            t = t[t["index"].isin(_HEADLINE) | t["direction"].eq("symmetric") & t["index"].isin(["vi_bits", "nmi"])]
            order = {k: i for i, k in enumerate(_HEADLINE + ("vi_bits", "nmi"))}
            t = t.assign(_o=t["index"].map(order)).sort_values(["direction", "_o"], kind="stable")
        opt.echo("")
        opt.echo(f"against {p}:")
        opt.echo(f"  {'direction':<10} {'index':<28} {'before':>12} {'after':>12} {'change':>10}")
        for r in t.itertuples():
            opt.echo(f"  {r.direction:<10} {r.index:<28} {_fmt(r.index, r.before):>12} {_fmt(r.index, r.after):>12} "
                     f"{_change(r.index, r.change):>10}")
        cu = res.changed_units[res.changed_units.partner == p]
        opt.echo(f"  units whose class changed: {len(cu)}")
        for r in cu.itertuples():
            opt.echo(f"    {r.description}")
    if out_dir:
        opt.echo(f"wrote before_after.csv, changed_units.csv, summary.json to {out_dir}", err=True)
