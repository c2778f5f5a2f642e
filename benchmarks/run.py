"""Speed and memory of coterm's geometric engine against geopandas.overlay and tobler.

Run from the repository root::

    .venv/bin/python benchmarks/run.py            # everything, writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/run.py --quick    # smoke test: 1k synthetic + one real workload

Every measurement runs in a fresh subprocess (``run.py --measure ...``) that imports its
libraries, then times *reading both layers* plus the method, and reports its own peak RSS (and
its worker processes'). Repeats are interleaved across methods so that load from other programs
on the machine affects all methods alike. See README.md in this folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
LAYERS = ROOT / "boundaries" / "layers"
SHARED = ROOT.parent / "shared" / "data" / "boundaries"  # only a fallback while layers are built
# catalogue id -> file in ../shared (fallback only)
FALLBACK = {"lsoa-2011": "lsoa11", "ltla-2021-buc": "ltla21", "msoa-2021": "msoa21",
            "ward-2022": "wards22", "ccg-2020-buc": "ccg20"}
REAL = [("lsoa-2011", "ltla-2021-buc"), ("msoa-2021", "ward-2022"), ("ltla-2021-buc", "ccg-2020-buc")]
SIZES = [1_000, 10_000, 50_000]
METHODS = ["coterm-w1", "coterm-w2", "coterm-p1", "coterm-p2", "coverage-w1", "edge-numba", "hybrid-numba", "overlay", "tobler", "floor", "atoms"]
#: (method, workload size) pairs not run, to keep the full run near 15 minutes on 2 cores, with why.
SKIP = {
    ("coverage-w1", 50_000): "not run at 50k (the noding experiment is 1.2-2 × coterm-w1 at 1k-10k; see experiments/README.md)",
    ("edge-numba", 50_000): "not run at 50k (1.1-2.1 GB peak at 10k synthetic: every segment pair is in memory at once)",
    ("tobler", 50_000): "not run at 50k (0.84-0.91 × overlay at 50k in the 2026-11-25 run; saves about 2 minutes)",
}
#: main before the issue-18 round: the "before" of the command times.
BEFORE_REV = "0e79d17"
REL_TOL = 1e-6
EPS_AREA = 1e-3  # m²: pairs below this are ignored by the equality check
TARGET_RATIO = 0.33
TARGET_RATIO_2 = 0.2

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "experiments"))


# --------------------------------------------------------------------------------------------
# inputs


def layer_path(layer_id: str) -> Path:
    """A GeoParquet file (EPSG:27700) for a catalogue id or a synthetic layer name."""
    if layer_id.startswith("syn"):
        return CACHE / f"{layer_id}.parquet"
    path = LAYERS / f"{layer_id}.parquet"
    if path.exists():
        return path
    cached = CACHE / f"{layer_id}.parquet"
    if not cached.exists():  # fallback while boundaries/layers is being built
        import geopandas as gpd
        import shapely

        src = SHARED / f"{FALLBACK[layer_id]}.gpkg"
        df = gpd.read_file(src).to_crs(27700)[["code", "name", "geometry"]]
        df["geometry"] = shapely.make_valid(df.geometry.values)
        CACHE.mkdir(exist_ok=True)
        df.to_parquet(cached)
    return cached


def ensure_synthetic(n: int) -> None:
    names = [f"syn{n}-fine", f"syn{n}-nested", f"syn{n}-independent"]
    if all((CACHE / f"{x}.parquet").exists() for x in names):
        return
    import geopandas as gpd

    from synthetic import synthetic_layers

    CACHE.mkdir(exist_ok=True)
    for name, geoms in zip(names, synthetic_layers(n, seed=0)):
        codes = [f"{name}-{i}" for i in range(len(geoms))]
        gpd.GeoDataFrame({"code": codes, "name": codes}, geometry=geoms, crs=27700).to_parquet(
            CACHE / f"{name}.parquet")


def workloads(quick: bool, sizes=None) -> list[tuple[str, str, str]]:
    sizes = sizes or (SIZES[:1] if quick else SIZES)
    out = []
    for n in sizes:
        ensure_synthetic(n)
        out.append((f"synthetic {n // 1000}k nested", f"syn{n}-fine", f"syn{n}-nested"))
        out.append((f"synthetic {n // 1000}k independent", f"syn{n}-fine", f"syn{n}-independent"))
    for a, b in (REAL[2:] if quick else REAL):
        out.append((f"{a} × {b}", a, b))
    return out


def atom_twin(layer_id: str) -> str:
    """The catalogue layer with an atom definition whose published variant is ``layer_id``."""
    import tomllib

    try:
        cat = tomllib.loads((ROOT / "boundaries" / "catalog.toml").read_text(encoding="utf-8"))
    except OSError:
        return layer_id
    for entry in cat.get("layer", []):
        if entry.get("published_variant") == layer_id and entry.get("atoms"):
            return entry["id"]
    return layer_id


# --------------------------------------------------------------------------------------------
# one measurement (runs in its own subprocess)


def measure(method: str, a_id: str, b_id: str, out: str) -> dict:
    import geopandas as gpd
    import numpy as np
    import shapely

    if method.startswith("coterm"):
        from coterm.intersect import intersection_areas
    elif method == "tobler":
        from tobler.area_weighted.area_interpolate import _area_tables_binning
    elif method.startswith("coverage"):
        from coverage_noding import coverage_intersection_areas
    elif method in ("edge-numba", "hybrid-numba"):  # compiled in the warm-up (or loaded from numba's cache), like an import: not timed
        try:
            from edge_kernel import NotExact
            from edge_kernel_numba import edge_intersection_areas_numba, hybrid_intersection_areas, warm_up
        except ImportError as exc:
            return {"status": f"n/a (numba not installed: pip install numba; {exc})"}
        warm_up()
    elif method == "atoms":
        try:
            from coterm.overlap import overlap
        except ImportError:
            return {"status": "n/a (coterm.overlap not importable)"}
    if method == "atoms":  # catalogue ids only; the library reads its own files
        if a_id.startswith("syn"):
            return {"status": "n/a (synthetic layers have no atom definition)"}
        errors = []
        for ta, tb in dict.fromkeys([(a_id, b_id), (atom_twin(a_id), atom_twin(b_id))]):
            t0 = time.perf_counter()
            try:
                overlap(ta, tb, mode="atoms", by="area")
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                errors.append(f"{ta} × {tb}: {type(exc).__name__}: {str(exc)[:70]}")
                continue
            note = "" if (ta, tb) == (a_id, b_id) else f" (as {ta} × {tb}, the atom-built twins)"
            return {"status": "ok" + note, "seconds": time.perf_counter() - t0, "read": None, **_rss()}
        return {"status": "n/a (" + "; ".join(errors) + ")"}

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # after imports
    c0 = _cpu_seconds()
    t0 = time.perf_counter()
    a = gpd.read_parquet(layer_path(a_id), columns=["geometry"])
    b = gpd.read_parquet(layer_path(b_id), columns=["geometry"])
    t_read = time.perf_counter() - t0
    ga, gb = a.geometry.values, b.geometry.values
    pre = _current_rss_mb()  # workers fork from here on: their growth is measured above this
    if method == "floor":
        from coterm.intersect import _mean_vertices

        pa, pb = np.asarray(ga), np.asarray(gb)
        if _mean_vertices(pa) >= _mean_vertices(pb):
            ia, ib = shapely.STRtree(pb).query(pa, predicate="intersects")
        else:
            ib, ia = shapely.STRtree(pa).query(pb, predicate="intersects")
        result = None
    elif method.startswith("coterm"):  # -p: told that both layers are partitions (as coterm.overlap knows)
        part = method.startswith("coterm-p")
        result = intersection_areas(ga, gb, workers=int(method[-1]), a_disjoint=part, b_disjoint=part)
    elif method.startswith("coverage"):
        result = coverage_intersection_areas(ga, gb, workers=int(method[-1]))
    elif method in ("edge-numba", "hybrid-numba"):
        try:
            if method == "edge-numba":
                result = edge_intersection_areas_numba(ga, gb)
            else:  # told that both layers are partitions, as coterm-p1
                result = hybrid_intersection_areas(ga, gb, a_disjoint=True, b_disjoint=True)
        except NotExact as exc:  # near-coincident but not identical boundaries: the experiment refuses
            return {"status": f"n/a (NotExact: {str(exc)[:80]})"}
    elif method == "overlay":
        import warnings

        da = a.assign(ia=np.arange(len(a)))
        db = b.assign(ib=np.arange(len(b)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # keep_geom_type drops lines from touching pairs
            ov = gpd.overlay(da, db, how="intersection")
        result = (ov["ia"].to_numpy(), ov["ib"].to_numpy(), ov.area.to_numpy())
    elif method == "tobler":
        table = _area_tables_binning(a, b, "auto").tocoo()
        result = (table.row, table.col, table.data.astype(float))
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    if result is not None and out:
        np.savez(out, ia=np.asarray(result[0]), ib=np.asarray(result[1]), area=np.asarray(result[2]))
    return {"status": "ok", "seconds": seconds, "read": t_read, "base_mb": base, "pre_mb": pre, "cpu": cpu, **_rss()}


def _rss() -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": own, "worker_rss_mb": kids}


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _current_rss_mb() -> float:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return 0.0


#: A child's ru_maxrss includes the resident set it inherited from its parent at fork/exec (after
#: the runner generated the synthetic layers, every method reported the runner's 1.5 GB). So each
#: measurement starts from this small launcher (a bare interpreter, ~10 MB), whose own child then
#: inherits only the launcher's pages.
LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def run_child(method: str, a_id: str, b_id: str, out: str = "") -> dict:
    cmd = [sys.executable, "-S", "-c", LAUNCHER,
           sys.executable, str(Path(__file__)), "--measure", method, a_id, b_id, out]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"status": f"failed: {proc.stderr.strip().splitlines()[-1][:120] if proc.stderr.strip() else proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# comparison and report


def compare(path_ref: str, path: str) -> str:
    import numpy as np
    import pandas as pd

    def table(p):
        z = np.load(p)
        s = pd.Series(z["area"], index=pd.MultiIndex.from_arrays([z["ia"], z["ib"]]))
        s = s.groupby(level=[0, 1]).sum()
        return s[s > EPS_AREA]

    ref, got = table(path_ref), table(path)
    both = pd.concat([ref, got], axis=1).fillna(0.0)
    rel = (both[0] - both[1]).abs() / both.max(axis=1)
    worst = float(rel.max()) if len(rel) else 0.0
    bad = int((rel > REL_TOL).sum())
    return "yes" if bad == 0 else f"NO: {bad} pairs differ (max rel {worst:.1e})"


def machine() -> dict:
    import geopandas
    import shapely

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
    except OSError:
        mem = 0
    try:
        import tobler

        tv = tobler.__version__
    except ImportError:
        tv = "not installed"
    try:
        from importlib.metadata import version

        nv = version("numba")
    except Exception:  # noqa: BLE001 - not installed
        nv = "not installed"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 1024**2, 1),
        "python": platform.python_version(), "shapely": shapely.__version__,
        "geos": shapely.geos_version_string, "geopandas": geopandas.__version__, "tobler": tv,
        "numba": nv,
    }


def import_time() -> str:
    try:
        import coterm  # noqa: F401
    except ImportError:
        return "coterm is not importable: n/a"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "coterm", "--help"], capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    t_import = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import coterm"], capture_output=True, env=env)
        t_import.append(time.perf_counter() - t0)
    t_python = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True)
        t_python.append(time.perf_counter() - t0)
    status = "" if proc.returncode == 0 else f" (exit {proc.returncode})"
    return (f"`python -m coterm --help`: {statistics.median(times):.2f} s{status}; "
            f"`python -c 'import coterm'`: {statistics.median(t_import):.2f} s; "
            f"bare interpreter: {statistics.median(t_python):.2f} s (medians of 3)")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1k synthetic and one real workload, 2 repeats")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--sizes", default=None, help="synthetic sizes, comma-separated [default 1000,10000,50000]")
    ap.add_argument("--no-engine", action="store_true", help="skip the engine workloads (command times only)")
    ap.add_argument("--no-commands", action="store_true", help="skip the command times")
    ap.add_argument("--no-pages", action="store_true", help="skip page size and draw time (benchmarks/pages.py)")
    ap.add_argument("--before", default=BEFORE_REV, help=f"git revision timed as 'before' [default {BEFORE_REV}]; '' for none")
    ap.add_argument("--command-repeats", type=int, default=None, help="rounds of command times [default 5, quick 1]")
    ap.add_argument("--demo-repeats", type=int, default=None, help="rounds of `coterm demo` [default 5, quick 0]")
    ap.add_argument("--measure", nargs=4, metavar=("METHOD", "A", "B", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0

    repeats = args.repeats or (2 if args.quick else 3)
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    load_start = loadavg()
    rows = {}
    tmp = Path(tempfile.mkdtemp(prefix="coterm-bench-"))
    for title, a_id, b_id in ([] if args.no_engine else workloads(args.quick, [int(x) for x in args.sizes.split(",")] if args.sizes else None)):
        print(f"== {title}", flush=True)
        for p in (layer_path(a_id), layer_path(b_id)):
            p.read_bytes()  # warm the file cache
        run_child("floor", a_id, b_id)  # warm-up run (imports, file cache)
        size = int(a_id[3:].split("-")[0]) if a_id.startswith("syn") else None
        runs = {m: ([{"status": SKIP[(m, size)]}] if (m, size) in SKIP else []) for m in METHODS}
        for r in range(repeats):
            for m in METHODS[r % len(METHODS):] + METHODS[: r % len(METHODS)]:  # rotate the order
                if runs[m] and not runs[m][-1]["status"].startswith("ok"):
                    continue
                res = run_child(m, a_id, b_id, str(tmp / f"{m}.npz") if r == 0 else "")
                runs[m].append(res)
                print(f"   {m:10s} {res.get('seconds', float('nan')):8.2f} s  {res['status']}", flush=True)
        checks = {}
        ref = tmp / "overlay.npz"
        for m in METHODS:
            f = tmp / f"{m}.npz"
            if m in ("floor", "atoms") or not f.exists() or not ref.exists():
                checks[m] = "n/a" if m != "overlay" else "reference"
            elif m == "overlay":
                checks[m] = "reference"
            else:
                checks[m] = compare(str(ref), str(f))
        for f in tmp.glob("*.npz"):
            f.unlink()
        rows[title] = (a_id, b_id, runs, checks)
    commands = None
    if not args.no_commands:
        import commands as cmds

        print("== command times", flush=True)
        c_rep = args.command_repeats if args.command_repeats is not None else (1 if args.quick else 5)
        d_rep = args.demo_repeats if args.demo_repeats is not None else (0 if args.quick else 5)
        measured = cmds.measure_commands(args.before or None, repeats=c_rep, demo_repeats=d_rep,
                                         log=lambda x: print(x, flush=True))
        commands = cmds.report(*measured, args.before or None, c_rep, d_rep)
    if not args.no_pages:  # page size and draw time: a "Pages" section (benchmarks/pages.py)
        import pages

        print("== pages", flush=True)
        p_rep = 1 if args.quick else 3
        commands = (commands or []) + pages.report(pages.measure(p_rep, log=lambda x: print(x, flush=True)), p_rep)
    write_results(args.out, rows, repeats, started, load_start, args.quick, commands)
    print(f"wrote {args.out}")
    return 0


def _median(runs, key="seconds"):
    vals = [r[key] for r in runs if r.get("status", "").startswith("ok") and r.get(key) is not None]
    return statistics.median(vals) if vals else None


def write_results(path, rows, repeats, started, load_start, quick, commands=None) -> None:
    info = machine()
    lines = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/run.py`" + (" --quick" if quick else "") + "; do not edit by hand.",
        "",
        f"- started {started}; load average at start {load_start}, at end {loadavg()}",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM",
        f"- versions: Python {info['python']}, shapely {info['shapely']}, GEOS {info['geos']}, "
        f"geopandas {info['geopandas']}, tobler {info['tobler']}, numba {info['numba']}",
        f"- each time: median of {repeats} runs, each in a fresh subprocess after one warm-up run; "
        "the time covers reading both layers (GeoParquet) and the method, not interpreter start or imports; "
        "CPU = user + system seconds of the measuring process and its workers over the same span "
        "(less sensitive than wall time to other programs on a loaded machine; with 2 workers it "
        "adds both workers' time, so it is the cost, not the wait)",
        "- peak RSS: the measuring process's own `ru_maxrss` (it is started from a bare launcher "
        "interpreter, so it does not include the runner's memory; about 250 MB of it is the imported "
        "libraries); for `coterm-w2` plus the largest worker's peak above the parent's resident set "
        "when the method started (forked workers share the parent's pages)",
        f"- equal to overlay: every pair above {EPS_AREA} m² in either table within {REL_TOL:g} relative",
        "",
        "Methods: `coterm-w1`/`coterm-w2` = `coterm.intersect.intersection_areas` with 1/2 worker "
        "processes; `coterm-p1`/`coterm-p2` = the same told that both layers are partitions "
        "(`a_disjoint=True, b_disjoint=True`: what `coterm.overlap` knows after its self-overlap check; "
        "every workload here is a partition); `overlay` = `geopandas.overlay(how=\"intersection\")` + `.area`; `tobler` = "
        "`tobler.area_weighted.area_interpolate._area_tables_binning` (the area table behind "
        "`area_interpolate`); `floor` = read both layers + one bulk `STRtree.query(predicate=\"intersects\")`; "
        "`atoms` = `coterm.overlap(a, b, mode=\"atoms\", by=\"area\")` (set intersections of "
        "building blocks; its own loading, a different measure, so no equality check); "
        "`coverage-w1` = the coverage-overlay-by-noding experiment "
        "(`experiments/coverage_noding.py`: both layers' linework once, noded, polygonized, one point "
        "query per face), not used by coterm; "
        "`edge-numba` = the edge (Green's theorem) experiment with its candidate join and point location "
        "compiled by numba (`experiments/edge_kernel_numba.py`; compiled or loaded from numba's cache, and "
        "`import numba`, before the timer starts, like the libraries; that start-up is measured separately "
        "in experiments/README.md), not used by coterm; `hybrid-numba` = the engine's candidates and "
        "nested-pair settling (told both are partitions, as `coterm-p1`), then `edge-numba` fed only the units "
        "of the remaining crossing pairs.",
        "",
    ]
    verdicts = []
    per_unit = {}
    for title, (a_id, b_id, runs, checks) in rows.items():
        ov = _median(runs["overlay"])
        ov_rss = _median(runs["overlay"], "rss_mb")
        lines += [f"## {title}", "", f"`{a_id}` × `{b_id}`", "",
                  "| method | median s | × overlay | CPU s | × overlay (CPU) | read s | peak RSS MB | equal to overlay |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for m in METHODS:
            rs = runs[m]
            if not rs or not rs[0].get("status", "").startswith("ok"):
                status = rs[0]["status"] if rs else "not run"
                lines.append(f"| {m} | {status} | | | | | | |")
                continue
            if rs[0]["status"] != "ok":
                checks[m] = rs[0]["status"][3:].strip()
            t = _median(rs)
            rd = _median(rs, "read")
            rss = _median(rs, "rss_mb")
            if m in ("coterm-w2", "coterm-p2"):  # a forked worker's growth over the parent's resident set at fork
                rss += max(0.0, (_median(rs, "worker_rss_mb") or 0.0) - (_median(rs, "pre_mb") or 0.0))
            ratio = f"{t / ov:.2f}" if ov else ""
            cpu, ov_cpu = _median(rs, "cpu"), _median(runs["overlay"], "cpu")
            cpu_s = "" if cpu is None else f"{cpu:.2f}"
            cpu_ratio = f"{cpu / ov_cpu:.2f}" if cpu is not None and ov_cpu else ""
            lines.append(f"| {m} | {t:.2f} | {ratio} | {cpu_s} | {cpu_ratio} | {'' if rd is None else f'{rd:.2f}'} | "
                         f"{rss:.0f} | {checks.get(m, 'n/a')} |")
            if m.startswith("coterm") and ov:
                rss_ok = ov_rss is not None and rss <= ov_rss
                cpu_r = cpu / ov_cpu if cpu is not None and ov_cpu else None
                verdicts.append((title, m, t / ov, cpu_r, rss, ov_rss, rss_ok, checks.get(m)))
        lines.append("")
        if title.startswith("synthetic"):
            n = int(a_id[3:].split("-")[0])
            kind = title.split()[-1]
            t = _median(runs["coterm-w1"])
            if t:
                per_unit[(kind, n)] = t / n
    lines += ["## Targets", "",
              f"Time ≤ {TARGET_RATIO} × overlay with one worker, ≤ {TARGET_RATIO_2} × with two (wall-clock "
              "medians; the CPU ratio is shown too, the steadier figure when the machine is loaded), "
              "peak RSS ≤ overlay's, results equal to overlay.", "",
              "| workload | method | × overlay | × overlay (CPU) | time target | RSS MB (overlay) | memory target | equal |",
              "|---|---|---:|---:|---|---|---|---|"]
    for title, m, ratio, cpu_r, rss, ov_rss, rss_ok, eq in verdicts:
        goal = TARGET_RATIO_2 if m.endswith("2") else TARGET_RATIO
        cpu_txt = "" if cpu_r is None else f"{cpu_r:.2f}"
        lines.append(f"| {title} | {m} | {ratio:.2f} | {cpu_txt} | {'met' if ratio <= goal else 'missed'} (≤ {goal}) | "
                     f"{rss:.0f} ({ov_rss:.0f}) | {'met' if rss_ok else 'missed'} | {eq} |")
    lines.append("")
    kinds = sorted({k for k, _ in per_unit})
    if kinds:
        lines += ["### Scaling (coterm-w1 seconds per fine unit)", "",
                  "| workload | " + " | ".join(f"{n // 1000}k" for n in SIZES if any((k, n) in per_unit for k in kinds)) + " | largest ÷ 1k | target ≤ 1.5 |",
                  "|---|" + "---:|" * (sum(1 for n in SIZES if any((k, n) in per_unit for k in kinds)) + 2)]
        for k in kinds:
            vals = [per_unit[(k, n)] for n in SIZES if (k, n) in per_unit]
            growth = vals[-1] / vals[0]
            lines.append(f"| {k} | " + " | ".join(f"{v * 1e3:.3f} ms" for v in vals)
                         + f" | {growth:.2f} | {'met' if growth <= 1.5 else 'missed'} |")
        lines.append("")
    if commands:
        lines += commands
    lines += ["## Import", "", import_time(), ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
