"""Page size and draw time of coterm's map pages (issue 15: each map < 3 MB, drawn in < 1.5 s on 2 cores).

Builds the demo's pair map (current districts × ICBs after the April 2026 mergers, ``ltla-2024`` ×
``icb-2026``) and its scenario map (``icb-mergers-2026``, weighted by population), then opens each in
Debian's headless Chromium (network blocked, a fresh browser context per run) and times navigation
start → map drawn (``cotermMap.drawnAt``: the frame after the first paint of every layer, read with
``performance.now()``, whose origin is navigation start).

    .venv/bin/python benchmarks/pages.py                 # 3 runs per page, writes benchmarks/PAGES.md
    .venv/bin/python benchmarks/pages.py --repeats 5 --out /tmp/pages.md
    .venv/bin/python benchmarks/run.py                   # includes a "Pages" section (--no-pages to skip)

Times are medians; the machine's load average is printed with them (5 sessions share 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("COTERM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic"]
SIZE_TARGET, DRAW_TARGET = 3_000_000, 1.5
PAIR = ("ltla-2024", "icb-2026")
SCENARIO = "icb-mergers-2026"


def build(folder: Path) -> list[dict]:
    """The two pages, written to ``folder``: [{"name", "path", "bytes", "build_s"}]."""
    import coterm
    from coterm import maps
    from coterm.scenarios import compare_scenario

    out = []
    t = time.perf_counter()
    page = maps.coterminosity_map(coterm.overlap(*PAIR))
    path = maps.save_map(page, folder / f"{PAIR[0]}__{PAIR[1]}.html")
    out.append({"name": f"pair map `{PAIR[0]}` × `{PAIR[1]}`", "path": path, "bytes": path.stat().st_size,
                "build_s": time.perf_counter() - t})
    t = time.perf_counter()
    page = maps.scenario_map(compare_scenario(SCENARIO, by="population"))
    path = maps.save_map(page, folder / f"{SCENARIO}.html")
    out.append({"name": f"scenario map `{SCENARIO}`", "path": path, "bytes": path.stat().st_size,
                "build_s": time.perf_counter() - t})
    return out


def draw_times(path: Path, repeats: int) -> dict:
    """Medians over ``repeats`` fresh contexts: drawn (s), DOMContentLoaded (s), paths drawn."""
    from playwright.sync_api import sync_playwright

    drawn, dcl, paths = [], [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for _ in range(repeats + 1):  # the first run warms the browser's caches and is not counted
                ctx = browser.new_context(viewport={"width": 1440, "height": 900}, service_workers="block")
                ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                          else r.abort())
                pg = ctx.new_page()
                pg.goto(path.as_uri())
                pg.wait_for_function("window.cotermMap && cotermMap.drawnAt", timeout=60_000)
                drawn.append(pg.evaluate("cotermMap.drawnAt") / 1000)
                dcl.append(pg.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000)
                paths = pg.locator("path.leaflet-interactive").count()
                ctx.close()
        finally:
            browser.close()
    return {"drawn_s": statistics.median(drawn[1:]), "dcl_s": statistics.median(dcl[1:]), "paths": paths,
            "runs": [round(x, 3) for x in drawn[1:]]}


def measure(repeats: int = 3, log=print) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="coterm-pages-"))
    rows = build(folder)
    for r in rows:
        log(f"   {r['name']}: {r['bytes']:,} bytes, built in {r['build_s']:.1f} s")
        r.update(draw_times(r["path"], repeats))
        log(f"   drawn in {r['drawn_s']:.2f} s (runs {r['runs']})")
    return rows


def report(rows: list[dict], repeats: int) -> list[str]:
    """The "Pages" section (markdown lines)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    lines = ["## Pages", "",
             f"Map pages as the demo writes them, opened in headless Chromium 1440×900 (network blocked), "
             f"median of {repeats} runs after one warm-up, each in a fresh browser context; load average "
             f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}. Drawn = navigation start → the frame after every "
             "layer's first paint. Targets: < 3 MB and drawn in < 1.5 s.", "",
             "| page | bytes | size target | build s (Python) | DOMContentLoaded s | drawn s | draw target | paths |",
             "|---|---:|---|---:|---:|---:|---|---:|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['bytes']:,} | {'met' if r['bytes'] < SIZE_TARGET else 'missed'} | "
                     f"{r['build_s']:.1f} | {r['dcl_s']:.2f} | {r['drawn_s']:.2f} | "
                     f"{'met' if r['drawn_s'] < DRAW_TARGET else 'missed'} | {r['paths']} |")
    lines.append("")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(HERE / "PAGES.md"))
    args = ap.parse_args(argv)
    rows = measure(args.repeats)
    text = ["# Page size and draw time", "", f"Generated by `benchmarks/pages.py` on {time.strftime('%Y-%m-%d %H:%M')}; "
            "do not edit by hand.", ""] + report(rows, args.repeats)
    Path(args.out).write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
