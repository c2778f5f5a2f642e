"""Intersection areas from edges (Green's theorem) — an EXPERIMENT, NOT USED by coterm.

Status (issue 7): correct — equal to the current kernel and to ``geopandas.overlay`` on every
benchmark workload and the real catalogue pairs tried — but not fast enough to wire in. Measured
with fresh subprocesses (read both layers + method, median of 3, ratio to overlay in the same
run): ltla-2021-buc × ccg-2020-buc 0.55× (current kernel w1 0.74×), lsoa-2011 × ltla-2021-buc
0.50× (0.62×, w2 0.44×), msoa-2021 × ward-2022 0.57× (0.84×, w2 0.50×), synthetic 1k
independent 0.68× (0.71×), 10k independent 0.77× (0.73×), 1k nested 0.73× (0.45×), 10k nested
1.37× (0.47×); in-process, 50k independent 11.0 s against 6.5 s for the current kernel. The
target is 0.33×. Where the time goes: numpy passes over millions of segments and candidate pairs
(fresh allocations are expensive on the benchmark machine: the first call in a process is about
twice as slow as the second), one GEOS point-in-polygon per run, and on nested layers the
collinear bookkeeping for every shared edge (the current kernel settles those pairs with one
prepared ``covers``).

``edge_intersection_areas(a, b)`` returns the same ``(ia, ib, area)`` table as
:func:`coterm.intersect.intersection_areas` without building any intersection polygon:

    area(a ∩ b) = ½ ∮_{∂(a ∩ b)} (x dy − y dx)

and ∂(a ∩ b) is made of the pieces of ∂a that lie inside b plus the pieces of ∂b that lie inside
a (a piece shared by both boundaries with both interiors on the same side is counted once, from
a). With every ring oriented so that its polygon's interior is on its left (exteriors CCW, holes
CW), this is a sum over oriented boundary pieces, which numpy can do in bulk:

1. **Segments** – both layers are exploded into ring-ordered segments (``to_ragged_array``);
   wrongly oriented rings are reversed (the whole coordinate array when every ring is).
2. **Candidates** – segment pairs whose closed bounding boxes meet, by a uniform grid hash
   (cell = 2 × the median segment extent; long segments are cut into cell-sized chunks for this
   step only) and a sort-based join; each pair is reported from one cell only.
3. **Events** – for each candidate pair the four orientation tests, evaluated on *canonically
   ordered* endpoints (so the two copies of an edge shared by two polygons give bit-identical
   answers): proper crossings (the crossing point is computed once and used by both layers),
   vertices lying on the other layer's segment (T-junctions, touching vertices), and collinear
   overlaps of positive length.
4. **Pieces and runs** – segments are split at crossing points and at the other layer's
   vertices lying on them. A *run* is a maximal chain of consecutive pieces along a ring that
   lies in the same polygons of the other layer: a new run starts wherever the other layer
   touches the ring, except along a shared boundary, where a chain of collinear pieces stays
   one run while the set of collinear neighbours (owner, direction) does not change and the
   touching segments are those neighbours. One GEOS point-in-polygon test per run (``within``
   on the midpoint of its longest piece) classifies all of its pieces. A run lying on the other
   layer's boundary belongs to the polygons whose interior is on its left – the owners of its
   same-direction collinear segments (its rounded midpoint is not trusted against the polygons
   it lies on the boundary of) – plus any polygon strictly containing it. Runs of ``b`` lying
   on a same-direction piece of ``a`` are skipped (counted from ``a``) and need no test.
5. **Sums** – each run's Σ cross(p_i, p_{i+1}) is formed relative to the run's start point
   and moved to the pair's origin (the ``a`` polygon's first vertex) by one cross product, so
   no sum of absolute-coordinate products at 10⁵–10⁶ m ever cancels. Contributions are summed
   per pair after one sort; pairs whose area is at most ``EPS_REL`` × the smaller polygon's area
   are dropped.

Exactness: the orientation tests are exact when coordinates are integers (catalogue layers are
snapped to a 1 m grid) and decide shared vertices consistently when they are bitwise identical
(synthetic layers built by ``polygonize``). A misjudged boundary piece is not a sliver-sized
error but a whole run assigned to the wrong pair, so near-coincident boundaries that are not
exactly coincident (e.g. each polygon densified on its own, so neighbours' copies of an edge
differ in the last bits) are refused with :class:`NotExact` rather than answered: a caller would
fall back to :func:`coterm.intersect.intersection_areas`.

``EPS_REL``: only pairs with some boundary inside the other polygon contribute at all (touching
pairs contribute nothing), so the threshold only has to absorb rounding: sums are formed
relative to nearby points, with errors of about 1e-16 × perimeter × extent (≈ 1e-7 m² for real
districts); 1e-12 × the smaller area (5e-5 m² for a 50 km² ward) keeps genuine slivers such as
the 0.003 m² ones overlay finds in msoa-2021 × ward-2022 (1e-10 dropped them).
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["NotExact", "edge_intersection_areas"]

#: Pairs with area ≤ EPS_REL × min(area(a), area(b)) are dropped (rounding residue).
EPS_REL = 1e-12


# --------------------------------------------------------------------------------------------
# layers as oriented segments


class _Segs:
    """Ring-ordered segments of a polygon layer, each ring with its interior on the left."""

    def __init__(self, geoms: np.ndarray):
        n = len(geoms)
        self.n = n
        geoms = np.asarray(geoms, dtype=object)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if empty.any():
            geoms = geoms.copy()
            geoms[empty] = None
        if n == 0 or empty.all():
            self._empty()
            return
        typ, coords, offs = shapely.to_ragged_array(geoms)
        if int(typ) == 3:  # Polygon: (ring offsets, ring offsets per geometry)
            ring_off, part_off = offs
            geom_off = np.arange(len(part_off), dtype=np.int64)
        else:
            ring_off, part_off, geom_off = offs
        ring_off = ring_off.astype(np.int64)
        part_off = part_off.astype(np.int64)
        geom_off = geom_off.astype(np.int64)
        n_ring = len(ring_off) - 1
        n_part = len(part_off) - 1
        part_of_ring = np.repeat(np.arange(n_part), np.diff(part_off))
        geom_of_part = np.repeat(np.arange(n), np.diff(geom_off))
        ring_owner = geom_of_part[part_of_ring]
        exterior = np.zeros(n_ring, dtype=bool)
        first = part_off[:-1][np.diff(part_off) > 0]
        exterior[first] = True

        x = np.ascontiguousarray(coords[:, 0])
        y = np.ascontiguousarray(coords[:, 1])
        del coords
        n_xy = len(x)
        ring_len = np.diff(ring_off)
        # ring orientation: twice the signed area, from contiguous slices (the terms across
        # ring ends are junk and excluded by the per-ring sums), relative to a local origin
        cx, cy = x[0], y[0]
        cr = (x[:-1] - cx) * (y[1:] - cy) - (x[1:] - cx) * (y[:-1] - cy)
        nonempty = ring_len > 0
        bounds = np.empty(2 * int(nonempty.sum()), dtype=np.int64)
        bounds[0::2] = ring_off[:-1][nonempty]
        bounds[1::2] = ring_off[1:][nonempty] - 1
        ring_area2 = np.zeros(n_ring)
        ring_area2[nonempty] = np.add.reduceat(np.r_[cr, 0.0], bounds)[0::2]
        del cr
        flip = np.where(exterior, ring_area2 < 0, ring_area2 > 0) & nonempty
        if flip.sum() == nonempty.sum() and flip.any():
            # every ring is reversed: reverse the whole layer (rings then come in reverse order)
            x, y = x[::-1].copy(), y[::-1].copy()
            ring_off = n_xy - ring_off[::-1]
            ring_len = ring_len[::-1]
            ring_owner = ring_owner[::-1]
        elif flip.any():
            ring_of_xy = np.repeat(np.arange(n_ring), ring_len)
            perm = np.arange(n_xy)
            fx = flip[ring_of_xy]
            s = ring_off[:-1][ring_of_xy[fx]]
            e = ring_off[1:][ring_of_xy[fx]]
            perm[fx] = s + e - 1 - perm[fx]
            x, y = x[perm], y[perm]
        # segment i goes from vertex i to i + 1 unless i is the closing vertex of its ring
        is_start = np.ones(n_xy, dtype=bool)
        is_start[ring_off[1:][ring_len > 0] - 1] = False
        si = np.flatnonzero(is_start)
        r = np.repeat(np.arange(n_ring), np.maximum(ring_len - 1, 0))
        x0, y0, x1, y1 = x[si], y[si], x[si + 1], y[si + 1]
        keep = (x0 != x1) | (y0 != y1)  # repeated vertices make no segment
        self.x0, self.y0, self.x1, self.y1 = x0[keep], y0[keep], x1[keep], y1[keep]
        self.ring = r[keep]
        self.owner = ring_owner[self.ring]
        # pair origin: the first vertex of each polygon (any point near the polygon will do)
        gx = np.zeros(n)
        gy = np.zeros(n)
        has = np.bincount(self.owner, minlength=n) > 0
        firsts = np.flatnonzero(np.r_[True, self.owner[1:] != self.owner[:-1]])
        gx[self.owner[firsts]] = self.x0[firsts]
        gy[self.owner[firsts]] = self.y0[firsts]
        self.ox, self.oy, self.has = gx, gy, has

    def _empty(self):
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        self.x0 = self.y0 = self.x1 = self.y1 = z
        self.ring = self.owner = zi
        self.ox = np.zeros(self.n)
        self.oy = np.zeros(self.n)
        self.has = np.zeros(self.n, dtype=bool)

    def __len__(self):
        return len(self.x0)


# --------------------------------------------------------------------------------------------
# candidate segment pairs


def _chunks(s: _Segs, h: float):
    """Boxes (segment index, xmin, ymin, xmax, ymax, chunked flag or None) of the segments,
    segments longer than ``h`` replaced by chunks of length ≤ h."""
    bx0, bx1 = np.minimum(s.x0, s.x1), np.maximum(s.x0, s.x1)
    by0, by1 = np.minimum(s.y0, s.y1), np.maximum(s.y0, s.y1)
    long_ = np.flatnonzero(np.maximum(bx1 - bx0, by1 - by0) > h)
    if not len(long_):
        return np.arange(len(s)), bx0, by0, bx1, by1, None
    dx = s.x1[long_] - s.x0[long_]
    dy = s.y1[long_] - s.y0[long_]
    k = np.ceil(np.maximum(np.abs(dx), np.abs(dy)) / h).astype(np.int64)
    r = np.repeat(np.arange(len(long_)), k)
    j = np.arange(len(r)) - (np.cumsum(k) - k)[r]
    kk = k[r]
    ta, tb = j / kk, (j + 1) / kk
    x0, y0 = s.x0[long_][r], s.y0[long_][r]
    pad = 1e-9 * h  # chunk ends are rounded: pad so each chunk box covers its piece
    xa, xb = x0 + ta * dx[r], x0 + tb * dx[r]
    ya, yb = y0 + ta * dy[r], y0 + tb * dy[r]
    short = np.ones(len(s), dtype=bool)
    short[long_] = False
    seg = np.concatenate([np.flatnonzero(short), long_[r]])
    cat = np.concatenate
    flag = np.r_[np.zeros(short.sum(), dtype=bool), np.ones(len(r), dtype=bool)]
    return (seg, cat([bx0[short], np.minimum(xa, xb) - pad]), cat([by0[short], np.minimum(ya, yb) - pad]),
            cat([bx1[short], np.maximum(xa, xb) + pad]), cat([by1[short], np.maximum(ya, yb) + pad]), flag)


def _grid(A: _Segs, B: _Segs) -> tuple[float, float, float, int]:
    """The uniform grid both candidate joins hash boxes into: (cell size, x origin, y origin, cells per row)."""
    ext = np.concatenate([np.maximum(np.abs(A.x1 - A.x0), np.abs(A.y1 - A.y0)),
                          np.maximum(np.abs(B.x1 - B.x0), np.abs(B.y1 - B.y0))])
    h = 2.0 * float(np.median(ext))
    xmin = min(A.x0.min(), A.x1.min(), B.x0.min(), B.x1.min())
    ymin = min(A.y0.min(), A.y1.min(), B.y0.min(), B.y1.min())
    xmax = max(A.x0.max(), A.x1.max(), B.x0.max(), B.x1.max())
    ymax = max(A.y0.max(), A.y1.max(), B.y0.max(), B.y1.max())
    span = max(xmax - xmin, ymax - ymin)
    if not h > 0:
        h = span or 1.0
    h = max(h, span / 2**20)  # keeps cell keys in int64
    return h, xmin, ymin, int((xmax - xmin) // h) + 2


def _cell_entries(s: _Segs, h: float, xmin: float, ymin: float, nx: int):
    """(cell key, box index) for every grid cell each (chunked) segment box covers, the boxes, and the chunk flags."""
    seg, bx0, by0, bx1, by1, chunked = _chunks(s, h)
    ix0 = ((bx0 - xmin) // h).astype(np.int64)
    iy0 = ((by0 - ymin) // h).astype(np.int64)
    ix1 = ((bx1 - xmin) // h).astype(np.int64)
    iy1 = ((by1 - ymin) // h).astype(np.int64)
    w = ix1 - ix0 + 1
    cnt = w * (iy1 - iy0 + 1)
    idx = np.repeat(np.arange(len(seg)), cnt)
    j = np.arange(len(idx)) - (np.cumsum(cnt) - cnt)[idx]
    key = (iy0[idx] + j // w[idx]) * nx + ix0[idx] + j % w[idx]
    return key, idx, (seg, bx0, by0, bx1, by1), chunked


def _candidates(A: _Segs, B: _Segs) -> tuple[np.ndarray, np.ndarray]:
    """Segment pairs (ka, kb) whose closed bounding boxes meet (each pair once)."""
    if len(A) == 0 or len(B) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    h, xmin, ymin, nx = _grid(A, B)

    def entries(s):
        return _cell_entries(s, h, xmin, ymin, nx)

    ka_key, ka_idx, ca, chunked_a = entries(A)
    kb_key, kb_idx, cb, chunked_b = entries(B)
    oa = np.argsort(ka_key)
    ob = np.argsort(kb_key)
    ka_key, ka_idx = ka_key[oa], ka_idx[oa]
    kb_key, kb_idx = kb_key[ob], kb_idx[ob]
    lo = np.searchsorted(kb_key, ka_key, "left")
    hi = np.searchsorted(kb_key, ka_key, "right")
    n = hi - lo
    sel = np.flatnonzero(n)
    n = n[sel]
    rep = np.repeat(sel, n)
    j = np.arange(len(rep)) - (np.cumsum(n) - n)[np.repeat(np.arange(len(sel)), n)]
    pa = ka_idx[rep]
    pb = kb_idx[lo[rep] + j]
    cell = ka_key[rep]
    del rep, j
    sa, ax0, ay0, ax1, ay1 = ca
    sb, bx0, by0, bx1, by1 = cb
    # boxes really meet, and the pair is reported only from the cell holding the lower-left
    # corner of the boxes' intersection
    lx = np.maximum(ax0[pa], bx0[pb])
    ly = np.maximum(ay0[pa], by0[pb])
    ok = (lx <= np.minimum(ax1[pa], bx1[pb])) & (ly <= np.minimum(ay1[pa], by1[pb]))
    ok &= ((ly - ymin) // h).astype(np.int64) * nx + ((lx - xmin) // h).astype(np.int64) == cell
    pa, pb = pa[ok], pb[ok]
    multi = np.zeros(len(pa), dtype=bool)
    if chunked_a is not None:
        multi |= chunked_a[pa]
    if chunked_b is not None:
        multi |= chunked_b[pb]
    pa, pb = sa[pa], sb[pb]
    if multi.any():  # a pair of long segments may meet in several chunk pairs
        key = _unique(pa[multi] * np.int64(len(B)) + pb[multi])
        pa = np.concatenate([pa[~multi], key // len(B)])
        pb = np.concatenate([pb[~multi], key % len(B)])
    return pa, pb


def _unique(key: np.ndarray) -> np.ndarray:
    key = np.sort(key)
    return key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key


# --------------------------------------------------------------------------------------------
# events


def _canon(s: _Segs, k):
    """Endpoints of segments k in lexicographic order, and whether they were swapped."""
    x0, y0, x1, y1 = s.x0[k], s.y0[k], s.x1[k], s.y1[k]
    sw = (x0 > x1) | ((x0 == x1) & (y0 > y1))
    return (np.where(sw, x1, x0), np.where(sw, y1, y0), np.where(sw, x0, x1), np.where(sw, y0, y1), sw)


def _events(A: _Segs, B: _Segs, ka, kb):
    """Split points, touched vertices and collinear overlaps from candidate pairs.

    Returns, for each layer, ``split`` = (segment, x, y, t, other segment): points strictly
    inside a segment where it must be split (the crossing point is computed once and shared by
    both layers), and ``vert`` = (segment, other segment): segments whose start vertex is
    touched by the other layer; and ``col`` = (ka, kb, same direction) for collinear overlaps
    of positive length.
    """
    ax0, ay0, ax1, ay1, swa = _canon(A, ka)
    bx0, by0, bx1, by1, swb = _canon(B, kb)
    dax, day = ax1 - ax0, ay1 - ay0
    dbx, dby = bx1 - bx0, by1 - by0
    # orientation of B's endpoints w.r.t. A's line, and of A's endpoints w.r.t. B's line
    ob0 = dax * (by0 - ay0) - day * (bx0 - ax0)
    ob1 = dax * (by1 - ay0) - day * (bx1 - ax0)
    oa0 = dbx * (ay0 - by0) - dby * (ax0 - bx0)
    oa1 = dbx * (ay1 - by0) - dby * (ax1 - bx0)
    la = dax * dax + day * day
    lb = dbx * dbx + dby * dby

    _check_exact(ax0, ay0, bx0, by0, bx1, by1, dax, day, la, lb, ob0, ob1)
    _check_exact(bx0, by0, ax0, ay0, ax1, ay1, dbx, dby, lb, la, oa0, oa1)

    sa, sb = [], []  # split lists of tuples

    # 1. proper crossings
    m = (np.sign(ob0) * np.sign(ob1) < 0) & (np.sign(oa0) * np.sign(oa1) < 0)
    if m.any():
        t = oa0[m] / (oa0[m] - oa1[m])  # on canonical A
        u = ob0[m] / (ob0[m] - ob1[m])  # on canonical B
        px = ax0[m] + t * dax[m]
        py = ay0[m] + t * day[m]
        sa.append((ka[m], px, py, np.where(swa[m], 1 - t, t), kb[m]))
        sb.append((kb[m], px, py, np.where(swb[m], 1 - u, u), ka[m]))
    # 2. B's (actual) start vertex on A's closed segment
    bsx = np.where(swb, bx1, bx0)
    bsy = np.where(swb, by1, by0)
    obs = np.where(swb, ob1, ob0)
    tb = ((bsx - ax0) * dax + (bsy - ay0) * day) / la
    m = (obs == 0) & (tb >= 0) & (tb <= 1)
    vert_b = [(kb[m], ka[m])]
    mi = m & (tb > 0) & (tb < 1)
    sa.append((ka[mi], bsx[mi], bsy[mi], np.where(swa[mi], 1 - tb[mi], tb[mi]), kb[mi]))
    hit = m & (bsx == A.x0[ka]) & (bsy == A.y0[ka])  # ... at A's start vertex
    vert_a = [(ka[hit], kb[hit])]
    # 3. A's (actual) start vertex on B's closed segment
    asx = np.where(swa, ax1, ax0)
    asy = np.where(swa, ay1, ay0)
    oas = np.where(swa, oa1, oa0)
    ta = ((asx - bx0) * dbx + (asy - by0) * dby) / lb
    m = (oas == 0) & (ta >= 0) & (ta <= 1)
    vert_a.append((ka[m], kb[m]))
    mi = m & (ta > 0) & (ta < 1)
    sb.append((kb[mi], asx[mi], asy[mi], np.where(swb[mi], 1 - ta[mi], ta[mi]), ka[mi]))
    hit = m & (asx == B.x0[kb]) & (asy == B.y0[kb])
    vert_b.append((kb[hit], ka[hit]))

    # 4. collinear overlaps of positive length (both B endpoints on A's line)
    m = (ob0 == 0) & (ob1 == 0)
    c = np.flatnonzero(m)
    s0 = ((bx0[c] - ax0[c]) * dax[c] + (by0[c] - ay0[c]) * day[c]) / la[c]
    s1 = ((bx1[c] - ax0[c]) * dax[c] + (by1[c] - ay0[c]) * day[c]) / la[c]
    c = c[np.minimum(s1, 1.0) > np.maximum(s0, 0.0)]  # canonical orders agree on a line
    col = (ka[c], kb[c], swa[c] == swb[c])
    return {"split_a": _cat(sa, 5), "split_b": _cat(sb, 5), "vert_a": _cat(vert_a, 2),
            "vert_b": _cat(vert_b, 2), "col": col}


class NotExact(ValueError):
    """The layers have near-coincident boundaries that are not exactly coincident."""


#: A vertex nearer than this (relative to the segments' lengths) to another segment's line,
#: but not on it, makes the orientation tests untrustworthy: the kernel refuses the input.
NEAR = 1e-9


def _check_exact(px, py, qx0, qy0, qx1, qy1, dpx, dpy, lp, lq, oq0, oq1):
    """Raise NotExact if a vertex q of one segment is within NEAR of the other segment p's line
    near p's span without lying exactly on it (floating point decides such cases arbitrarily;
    exactly shared vertices and integer coordinates never trigger this)."""
    scale = np.sqrt(lp) * (np.sqrt(lp) + np.sqrt(lq)) * NEAR
    for ox, oy, o in ((qx0, qy0, oq0), (qx1, qy1, oq1)):
        near = (o != 0) & (np.abs(o) <= scale)
        if near.any():
            k = np.flatnonzero(near)
            t = ((ox[k] - px[k]) * dpx[k] + (oy[k] - py[k]) * dpy[k]) / lp[k]
            if ((t > -NEAR) & (t < 1 + NEAR)).any():
                raise NotExact(
                    f"{int(((t > -NEAR) & (t < 1 + NEAR)).sum())} vertices lie within {NEAR:g} "
                    "(relative) of the other layer's edges without lying on them"
                )


def _cat(parts, n):
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(n))


# --------------------------------------------------------------------------------------------
# pieces, runs and their classification


class _Pieces:
    """Segments of one layer split at their split points.

    ``ev_piece``/``ev_other``: every event (a point where the other layer's segment
    ``ev_other`` touches this layer's boundary) as the piece starting at it.
    """

    def __init__(self, s: _Segs, split, vert):
        seg, sx, sy, st, sk = split
        n_seg = len(s)
        uid = np.zeros(0, np.int64)
        if len(seg):
            # unique split points per segment (by coordinates), ordered along the segment
            order = np.lexsort((sy, sx, seg))
            seg, sx, sy, st, sk = seg[order], sx[order], sy[order], st[order], sk[order]
            d = np.r_[True, (seg[1:] != seg[:-1]) | (sx[1:] != sx[:-1]) | (sy[1:] != sy[:-1])]
            uid = np.cumsum(d) - 1  # raw event -> unique split point
            useg, ux, uy, ut = seg[d], sx[d], sy[d], st[d]
            order = np.lexsort((ut, useg))
            rank_of = np.empty(len(order), np.int64)
            rank_of[order] = np.arange(len(order))
            useg, ux, uy = useg[order], ux[order], uy[order]
            uid = rank_of[uid]
        else:
            useg = seg
        n_split = np.bincount(useg, minlength=n_seg)
        n_piece = n_split + 1
        first = np.cumsum(n_piece) - n_piece
        total = int(first[-1] + n_piece[-1]) if n_seg else 0
        psx = np.empty(total)
        psy = np.empty(total)
        pex = np.empty(total)
        pey = np.empty(total)
        psx[first] = s.x0
        psy[first] = s.y0
        last = first + n_piece - 1
        pex[last] = s.x1
        pey[last] = s.y1
        ev_piece = [first[vert[0]]]
        ev_other = [vert[1]]
        if len(useg):
            rank = np.arange(len(useg)) - (np.cumsum(n_split) - n_split)[useg]
            at = first[useg] + rank  # piece ending at this split point
            pex[at] = ux
            pey[at] = uy
            psx[at + 1] = ux
            psy[at + 1] = uy
            ev_piece.append(at[uid] + 1)
            ev_other.append(sk)
        self.sx, self.sy, self.ex, self.ey = psx, psy, pex, pey
        self.seg = np.repeat(np.arange(n_seg), n_piece)
        self.first = first
        self.n_piece = n_piece
        self.owner = s.owner[self.seg]
        ring = s.ring
        rs = np.r_[True, ring[1:] != ring[:-1]] if n_seg else np.zeros(0, bool)
        self.ring_start = np.zeros(total, dtype=bool)
        self.ring_start[first[rs]] = True
        self.ev_piece = np.concatenate(ev_piece)
        self.ev_other = np.concatenate(ev_other)

    def __len__(self):
        return len(self.sx)


def _point_in(tree: shapely.STRtree, x: np.ndarray, y: np.ndarray):
    """(point index, polygon index) for every polygon containing each point in its interior."""
    if len(x) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ip, ig = tree.query(shapely.points(x, y), predicate="within")
    return ip.astype(np.int64), ig.astype(np.int64)


def _tree_locator(geoms: np.ndarray):
    """``locate(x, y)`` for one layer (missing polygons as None): one STRtree ``within`` query."""
    tree = shapely.STRtree(geoms)
    return lambda x, y: _point_in(tree, x, y)


def _collinear_pieces(P: _Pieces, O: _Segs, kseg, kother, same):
    """Collinear records (segment kseg overlapping the other layer's kother) as pieces: the
    pieces of kseg whose midpoints lie inside kother's span (the overlap's ends are split
    points, so a piece is either wholly in the overlap or outside it).

    Returns (piece, other segment, same direction), sorted by (piece, other)."""
    cnt = P.n_piece[kseg]
    rec = np.repeat(np.arange(len(kseg)), cnt)
    j = np.arange(len(rec)) - (np.cumsum(cnt) - cnt)[rec]
    piece = P.first[kseg[rec]] + j
    mx = 0.5 * (P.sx[piece] + P.ex[piece])
    my = 0.5 * (P.sy[piece] + P.ey[piece])
    ko = kother[rec]
    ox0, oy0 = O.x0[ko], O.y0[ko]
    dx, dy = O.x1[ko] - ox0, O.y1[ko] - oy0
    u = ((mx - ox0) * dx + (my - oy0) * dy) / (dx * dx + dy * dy)
    inside = (u > 0) & (u < 1)
    piece, ko, sm = piece[inside], ko[inside], same[rec][inside]
    order = np.lexsort((ko, piece))
    return piece[order], ko[order], sm[order]


def _runs(P: _Pieces, n_other_segs: int, other_owner, col_piece, col_other, col_same):
    """Runs of pieces: maximal chains along a ring that lie in the same polygons of the other
    layer. A new run starts at a ring start, at a piece whose start is touched by the other
    layer (unless the touch is by a segment this chain is collinear with), and wherever the
    set of collinear neighbours (owner, same direction) changes."""
    n = len(P)
    brk = P.ring_start.copy()
    # signature of each piece's collinear neighbours: count and two hashes of (owner, same)
    code = other_owner[col_other] * 2 + col_same + 1
    sig0 = np.bincount(col_piece, minlength=n)
    sig1 = np.bincount(col_piece, weights=(code * 0.6180339887498949) % 1.0, minlength=n)
    sig2 = np.bincount(col_piece, weights=(code * 0.7548776662466927) % 1.0, minlength=n)
    change = (sig0[1:] != sig0[:-1]) | (np.abs(sig1[1:] - sig1[:-1]) > 1e-9) | (np.abs(sig2[1:] - sig2[:-1]) > 1e-9)
    brk[1:] |= change
    # events: benign if the touching segment is collinear with the piece or its predecessor
    m = np.int64(max(n_other_segs, 1))
    ck = col_piece * m + col_other  # sorted
    ep, eo = P.ev_piece, P.ev_other
    benign = _isin_sorted(ep * m + eo, ck) | _isin_sorted((ep - 1) * m + eo, ck)
    benign &= sig0[ep] > 0
    brk[ep[~benign]] = True
    run = np.cumsum(brk) - 1
    return run, int(run[-1]) + 1 if n else 0


def _isin_sorted(x, sorted_keys):
    if not len(sorted_keys):
        return np.zeros(len(x), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, x), len(sorted_keys) - 1)
    return sorted_keys[pos] == x


def _classify(P: _Pieces, run, n_run, locate, n_other, col_piece, col_owner, col_same, need):
    """(run, other polygon) for every polygon of the other layer a run lies in, on its left.

    One point-in-polygon test per run that ``need``s one, on the midpoint of its longest piece;
    ``locate(x, y)`` returns (point, polygon) for the other layer's polygons holding each point
    in their interior.
    A run on the other layer's boundary cannot be judged by its (rounded) midpoint against the
    polygons whose boundary it lies on: of those, the ones on its left are the same-direction
    owners.
    """
    # runs are contiguous: the first piece of maximal length in each
    length = np.abs(P.ex - P.sx) + np.abs(P.ey - P.sy)
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.zeros(0, np.int64)
    longest = np.maximum.reduceat(length, starts) if len(run) else length
    cand = np.flatnonzero(length == longest[run])
    rep = cand[np.r_[True, run[cand][1:] != run[cand][:-1]]] if len(cand) else cand
    rep = rep[need[run[rep]]]
    ip, ig = locate(0.5 * (P.sx[rep] + P.ex[rep]), 0.5 * (P.sy[rep] + P.ey[rep]))
    m = np.int64(max(n_other, 1))
    key = run[rep[ip]] * m + ig
    if len(col_piece):
        col_key = _unique(run[col_piece] * m + col_owner)
        key = key[~_isin_sorted(key, col_key)]
        key = np.concatenate([key, run[col_piece[col_same]] * m + col_owner[col_same]])
    key = _unique(key)
    return key // m, key % m


def _run_sums(P: _Pieces, run, n_run):
    """Per run: Σ cross(p - S, q - S) over its pieces (S = run start), start and end point."""
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(run)] - 1
    rsx, rsy = P.sx[starts][run], P.sy[starts][run]
    cr = (P.sx - rsx) * (P.ey - rsy) - (P.ex - rsx) * (P.sy - rsy)
    local = np.bincount(run, weights=cr, minlength=n_run)
    return local, P.sx[starts], P.sy[starts], P.ex[ends], P.ey[ends], P.owner[starts]


# --------------------------------------------------------------------------------------------
# the kernel


def edge_intersection_areas(a, b, *, candidates=None, point_locator=None):
    """Areas of every positive-area intersection between polygons of two layers, from edges.

    Same contract as :func:`coterm.intersect.intersection_areas` (``workers`` and ``progress``
    aside): returns ``(ia, ib, area)`` sorted by ``(ia, ib)``, only pairs whose area exceeds
    ``EPS_REL`` × the smaller polygon's area.

    ``candidates(A, B)`` (default :func:`_candidates`) and ``point_locator(geoms)`` (returns a
    ``locate(x, y)``; default: an STRtree ``within`` query) are the two stages the compiled
    variant (``edge_kernel_numba.py``) replaces.
    """
    candidates = candidates or _candidates
    point_locator = point_locator or _tree_locator
    from coterm.intersect import _as_polygons

    ga = _as_polygons(a, "a")
    gb = _as_polygons(b, "b")
    A = _Segs(ga)
    B = _Segs(gb)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(A) == 0 or len(B) == 0:
        return empty
    ka, kb = candidates(A, B)
    ev = _events(A, B, ka, kb)
    del ka, kb
    PA = _Pieces(A, ev["split_a"], ev["vert_a"])
    PB = _Pieces(B, ev["split_b"], ev["vert_b"])
    cka, ckb, same = ev["col"]
    ca_piece, ca_kb, ca_same = _collinear_pieces(PA, B, cka, ckb, same)
    cb_piece, cb_ka, cb_same = _collinear_pieces(PB, A, ckb, cka, same)

    va = ~(shapely.is_missing(ga) | shapely.is_empty(ga))
    vb = ~(shapely.is_missing(gb) | shapely.is_empty(gb))
    ga_t = np.where(va, ga, None)
    gb_t = np.where(vb, gb, None)
    shapely.prepare(ga_t[va])
    shapely.prepare(gb_t[vb])

    # pieces of a, in the polygons of b on their left
    run_a, n_run_a = _runs(PA, len(B), B.owner, ca_piece, ca_kb, ca_same)
    ra, pj = _classify(PA, run_a, n_run_a, point_locator(gb_t), len(gb), ca_piece, B.owner[ca_kb],
                       ca_same, np.ones(n_run_a, dtype=bool))
    loc_a, sxa, sya, exa, eya, own_a = _run_sums(PA, run_a, n_run_a)
    pi = own_a[ra]
    # pieces of b in the polygons of a on their left, except those lying on a same-direction
    # piece of a (counted from a)
    run_b, n_run_b = _runs(PB, len(A), A.owner, cb_piece, cb_ka, cb_same)
    skipped = np.zeros(n_run_b, dtype=bool)
    skipped[run_b[cb_piece[cb_same]]] = True
    rb, qi = _classify(PB, run_b, n_run_b, point_locator(ga_t), len(ga), cb_piece, A.owner[cb_ka],
                       np.zeros(len(cb_piece), dtype=bool), ~skipped)
    loc_b, sxb, syb, exb, eyb, own_b = _run_sums(PB, run_b, n_run_b)
    qj = own_b[rb]

    # each run's sum moved to the pair's origin (the first vertex of the a polygon)
    def moved(loc, sx, sy, ex, ey, r, ai):
        dx, dy = sx[r] - A.ox[ai], sy[r] - A.oy[ai]
        return loc[r] + dx * (ey[r] - sy[r]) - dy * (ex[r] - sx[r])

    ii = np.concatenate([pi, qi])
    jj = np.concatenate([pj, qj])
    vv = np.concatenate([moved(loc_a, sxa, sya, exa, eya, ra, pi), moved(loc_b, sxb, syb, exb, eyb, rb, qi)])
    if not len(ii):
        return empty
    key = ii * np.int64(len(gb)) + jj
    order = np.argsort(key, kind="stable")
    key, vv = key[order], vv[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    area = 0.5 * np.add.reduceat(vv, starts)
    ukey = key[starts]
    ia, ib = ukey // len(gb), ukey % len(gb)
    small = np.minimum(np.nan_to_num(shapely.area(ga_t))[ia], np.nan_to_num(shapely.area(gb_t))[ib])
    ok = area > EPS_REL * small
    return ia[ok].astype(np.int64), ib[ok].astype(np.int64), area[ok]
