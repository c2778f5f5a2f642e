"""Chunks of work items run in worker processes (``workers > 1`` in :func:`coterm.intersect.intersection_areas`).

Workers receive geometries as WKB (GEOS prepared geometries are not thread-safe, and a process
pool side-steps the GIL for the non-releasing parts) and run the same predicate cascade on the
same geometries as the in-process path, so the table does not depend on the number of workers.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

import numpy as np
import shapely

from .intersect_pairs import item_areas


def run_pool(pieces_a, pieces_b, xa, xb, chunks, out, workers, progress) -> None:
    import multiprocessing as mp

    # fork is cheap and needs no importable __main__; WKB keeps the payload explicit and small.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    total = len(chunks)
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=ctx) as pool:
        futures = {}
        for sl in chunks:
            ua, la = np.unique(xa[sl], return_inverse=True)
            ub, lb = np.unique(xb[sl], return_inverse=True)
            job = (shapely.to_wkb(pieces_a[ua]), shapely.to_wkb(pieces_b[ub]), la, lb)
            futures[pool.submit(worker, job)] = sl
        done = 0
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                out[futures[fut]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, total)


def worker(job) -> np.ndarray:
    wa, wb, la, lb = job
    return item_areas(shapely.from_wkb(wa)[la], shapely.from_wkb(wb)[lb])
