"""Whole-command times: what a user waits for, from typing ``coterm …`` to the prompt.

Each command runs as a separate process (``python -m coterm …``) under ``/usr/bin/time -v``
(GNU time), which forks a small process of its own before exec'ing the command: the peak RSS
it reports is the command's own, not the RSS the child would inherit from this runner (a direct
child's ``ru_maxrss`` includes the parent's resident set at fork/exec, so a runner that had
generated 1.5 GB of synthetic layers saw 1.5 GB for every child).

Two versions of the code run in the same session, interleaved: *before* (``src/`` of a git
revision, exported with ``git archive`` into a temporary folder) and *after* (this tree's
``src/``). Both read the same ``boundaries/`` and ``scenarios/`` (``COTERM_BOUNDARIES``,
``COTERM_SCENARIOS``; before this, the *before* demo found no shipped scenarios and did less work). A command a version does
not have (``coterm X --help`` fails) is skipped with a note, so the table also works while
commands are still being written.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GNU_TIME = "/usr/bin/time"
SCENARIO = "scenarios/icb-mergers-2026.toml"
#: No new round starts after this many seconds (a loaded machine can make 5 rounds of `demo` take an hour);
#: the table says how many rounds each median is of.
BUDGET_S = 900


@dataclass
class Command:
    label: str
    argv: list[str]  # after ``coterm``; {tmp}, {root}, {gpkg}, {area} are filled in
    target: float | None  # seconds
    needs: str | None = None  # subcommand that must exist (checked with --help)
    runs: dict = field(default_factory=dict)  # variant -> list of results
    python: bool = False  # argv is given to ``python`` itself, not to ``python -m coterm`` (the floor row)


def commands() -> list[Command]:
    return [
        # what every command that reads a table pays before coterm does anything: the share of a target it leaves
        Command("floor: `python -c 'import pandas, pyarrow.parquet'` (imports of any command that reads a table)",
                ["-c", "import pandas, pyarrow.parquet"], None, python=True),
        Command("`coterm --help`", ["--help"], 0.3),
        Command("`coterm layers`", ["layers"], None, "layers"),
        Command("`coterm compare ltla-2021 icb-2022` (atoms)", ["compare", "ltla-2021", "icb-2022"], 0.6, "compare"),
        Command("`coterm compare my_areas.gpkg ltla-2021` (a user's GeoPackage: geometry)",
                ["compare", "{gpkg}", "ltla-2021"], 0.6, "compare"),
        Command("`coterm map ltla-2021 icb-2022`", ["map", "ltla-2021", "icb-2022", "-o", "{tmp}/pair.html"], 1.2, "map"),
        Command(f"`coterm map --scenario {SCENARIO}`", ["map", "--scenario", "{root}/" + SCENARIO, "-o", "{tmp}/scenario.html"],
                1.2, "map"),
        Command(f"`coterm scenario {SCENARIO}`", ["scenario", "{root}/" + SCENARIO], 0.6, "scenario"),
        Command("`coterm options {area}`", ["options", "{root}/{area}"], 0.6, "options"),
        Command("`coterm demo`", ["demo", "--out", "{tmp}/demo"], 10.0, "demo"),
    ]


def options_area() -> str | None:
    """One shipped area of reorganisation options (scenarios/lgr-2028/<area>/), if any."""
    base = ROOT / "scenarios" / "lgr-2028"
    areas = sorted(p for p in base.glob("*") if p.is_dir()) if base.is_dir() else []
    return str(areas[0].relative_to(ROOT)) + "/" if areas else None


def user_geopackage(tmp: Path) -> Path:
    """A user's boundary file: the ONS police force areas 2020 as a GeoPackage (real file, not catalogue)."""
    for shared in (ROOT.parent / "shared", ROOT.parents[1] / "shared", Path("/work/shared")):
        src = shared / "data" / "boundaries" / "pfa20.gpkg"
        if src.exists():
            dst = tmp / "my_areas.gpkg"
            shutil.copyfile(src, dst)
            return dst
    # no shared data: write one from the catalogue's GeoParquet, as a user exporting it would
    import geopandas as gpd

    dst = tmp / "my_areas.gpkg"
    gpd.read_parquet(ROOT / "boundaries" / "layers" / "pfa-2020.parquet").to_file(dst, driver="GPKG")
    return dst


def export_src(rev: str, dest: Path) -> Path:
    """``src/`` of a git revision, extracted into ``dest``; returns the folder to put on PYTHONPATH."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
                             capture_output=True, check=True).stdout
    dest.mkdir(parents=True, exist_ok=True)
    tar_path = dest / "src.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest, filter="data")
    tar_path.unlink()
    return dest / "src"


def _fill(argv, tmp, gpkg, area):
    return [a.format(tmp=tmp, root=ROOT, gpkg=gpkg, area=area) for a in argv]


def run_once(pythonpath: Path, argv: list[str], cwd: Path, python: bool = False) -> dict:
    """One command under GNU time: wall, user+sys CPU, peak RSS of the command itself
    (``python``: ``argv`` goes to the interpreter, not to ``python -m coterm``)."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath), COTERM_BOUNDARIES=str(ROOT / "boundaries"),
               COTERM_SCENARIOS=str(ROOT / "scenarios"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("COLUMNS", None)
    stats = cwd / ".time.txt"
    cmd = [GNU_TIME, "-v", "-o", str(stats), sys.executable, *([] if python else ["-m", "coterm"]), *argv]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)
    text = stats.read_text() if stats.exists() else ""
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return {"status": f"failed (exit {proc.returncode}): {last[:100]}"}
    return {"status": "ok", **parse_gnu_time(text)}


def parse_gnu_time(text: str) -> dict:
    def grab(label):
        m = re.search(rf"{re.escape(label)}: (.+)", text)
        return m.group(1).strip() if m else None

    wall = grab("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = 0.0
    for part in (wall or "0").split(":"):
        secs = secs * 60 + float(part)
    return {"wall": secs, "cpu": float(grab("User time (seconds)") or 0) + float(grab("System time (seconds)") or 0),
            "rss_mb": int(grab("Maximum resident set size (kbytes)") or 0) / 1024}


def has_command(pythonpath: Path, sub: str | None, cwd: Path) -> bool:
    if sub is None:
        return True
    env = dict(os.environ, PYTHONPATH=str(pythonpath), COTERM_BOUNDARIES=str(ROOT / "boundaries"),
               COTERM_SCENARIOS=str(ROOT / "scenarios"))
    proc = subprocess.run([sys.executable, "-m", "coterm", sub, "--help"], capture_output=True, cwd=cwd, env=env)
    return proc.returncode == 0


def measure_commands(before_rev: str | None, repeats: int = 5, demo_repeats: int | None = None,
                     log=print, budget_s: float = BUDGET_S) -> tuple[list[Command], list[str], list[str]]:
    """Warm-up round, then ``repeats`` interleaved rounds over both versions; returns the table data."""
    if not Path(GNU_TIME).exists():
        return [], [], [f"{GNU_TIME} not found (apt-get install time): command times not measured"]
    tmp = Path(tempfile.mkdtemp(prefix="coterm-cmds-"))
    notes = []
    variants = {"after": ROOT / "src"}
    if before_rev:
        try:
            variants = {"before": export_src(before_rev, tmp / "before"), **variants}
        except subprocess.CalledProcessError as exc:
            notes.append(f"before ({before_rev}) not measured: git archive failed: {exc.stderr.decode()[:100]}")
    for pp in variants.values():  # bytecode as an installed package has it (pip compiles at install): no
        # version pays compiling its sources in every run (the runs set PYTHONDONTWRITEBYTECODE)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(pp)], capture_output=True)
    gpkg = user_geopackage(tmp)
    area = options_area()
    cmds = commands()
    demo_repeats = repeats if demo_repeats is None else demo_repeats
    work = {v: tmp / f"cwd-{v}" for v in variants}
    for d in work.values():
        d.mkdir()
    for c in cmds:
        for v, pp in variants.items():
            if "{area}" in " ".join(c.argv) and area is None:
                c.runs[v] = [{"status": "n/a (no scenarios/lgr-2028/<area>/ options shipped yet)"}]
            elif c.needs == "demo" and demo_repeats == 0:
                c.runs[v] = [{"status": "not run (no demo rounds asked for)"}]
            elif not has_command(pp, c.needs, work[v]):
                c.runs[v] = [{"status": f"n/a (this version has no `coterm {c.needs}`)"}]
            else:
                c.runs[v] = []
    rounds = 1 + repeats
    t_start = time.monotonic()
    for r in range(rounds):
        if r > 1 and time.monotonic() - t_start > budget_s:
            notes.append(f"stopped after {r - 1} of {repeats} rounds: the {budget_s:.0f} s budget was used "
                         "(the machine was loaded); the n column says how many rounds each median is of")
            break
        order = list(variants) if r % 2 == 0 else list(variants)[::-1]
        for c in cmds:
            n = demo_repeats if c.needs == "demo" else repeats
            if r > n:
                continue
            for v in order:
                runs = c.runs[v]
                if runs and not runs[-1]["status"].startswith("ok"):
                    continue
                res = run_once(variants[v], _fill(c.argv, tmp, gpkg, area or ""), work[v], python=c.python)
                res["warmup"] = r == 0
                runs.append(res)
                log(f"   {v:6s} {c.label[:60]:60s} {res.get('wall', float('nan')):6.2f} s  {res['status'][:60]}")
    for c in cmds:
        c.label = c.label.format(area=area or "<area>")
    shutil.rmtree(tmp, ignore_errors=True)
    return cmds, list(variants), notes


def _med(runs, key):
    vals = [r[key] for r in runs if r["status"] == "ok" and not r.get("warmup")]
    return statistics.median(vals) if vals else None


def report(cmds: list[Command], variants: list[str], notes: list[str], before_rev: str | None, repeats: int,
           demo_repeats: int | None = None) -> list[str]:
    demo_repeats = repeats if demo_repeats is None else demo_repeats
    lines = ["## Command times", "",
             f"Each command a separate process (`python -m coterm …`) under GNU `time -v`; one warm-up round "
             f"then the median of {repeats} rounds ({demo_repeats} for `coterm demo`; the rounds interleave "
             "the versions and commands). "
             "wall = elapsed seconds, CPU = user + system seconds (less sensitive to other programs' load "
             "on a shared machine), peak RSS = the command's own maximum resident set."
             + (f" *before* = `src/` of `{before_rev}`, *after* = this tree." if "before" in variants else ""),
             ""]
    lines += [f"- {n}" for n in notes]
    if notes:
        lines.append("")
    head = "| command | target s | n |"
    rule = "|---|---:|---:|"
    for v in variants:
        head += f" {v} wall s | {v} CPU s | {v} peak RSS MB |"
        rule += "---:|---:|---:|"
    head += " target (after, wall) | target (after, CPU) |"
    rule += "---|---|"
    lines += [head, rule]
    for c in cmds:
        counts = [sum(1 for r in c.runs.get(v, []) if r["status"] == "ok" and not r.get("warmup")) for v in variants]
        n_done = min([k for k in counts if k] or [0])
        row = f"| {c.label} | {'' if c.target is None else f'{c.target:g}'} | {n_done} |"
        verdict, cpu_verdict = "", "n/a"
        for v in variants:
            runs = c.runs.get(v, [])
            wall = _med(runs, "wall")
            if wall is None:
                status = next((r["status"] for r in runs if r["status"] != "ok"), "not run")
                row += f" {status} | | |"
                if v == variants[-1]:
                    verdict = "n/a"
                continue
            row += f" {wall:.2f} | {_med(runs, 'cpu'):.2f} | {_med(runs, 'rss_mb'):.0f} |"
            if v == variants[-1]:
                if c.target is None:
                    verdict = "n/a"
                else:
                    verdict = "met" if wall <= c.target else "missed"
                    cpu_verdict = "met" if _med(runs, "cpu") <= c.target else "missed"
        lines.append(row + f" {verdict} | {cpu_verdict} |")
    lines += ["", "The floor row is a process that only imports pandas and pyarrow, as every command that reads a "
              "table or a layer must: what is left of a target after it is what coterm's own work may take.",
              "", "The issue's targets are wall-clock on 2 cores, except `coterm demo`'s (10 s of computing: "
              "the CPU column). On a machine shared with other work the wall figures include waiting for a core; "
              "the CPU verdict is then the one to read (a command that uses one core waits for nothing else "
              "when the machine is idle, so its wall time there is about its CPU time).", ""]
    return lines


if __name__ == "__main__":  # quick look: python benchmarks/commands.py [BEFORE_REV] [REPEATS]
    rev = sys.argv[1] if len(sys.argv) > 1 else None
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    cs, vs, ns = measure_commands(rev, repeats=n, log=lambda s: print(s, file=sys.stderr, flush=True))
    print("\n".join(report(cs, vs, ns, rev, n, n)))
