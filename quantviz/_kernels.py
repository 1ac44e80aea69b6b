"""Compiled inner loops of :func:`quantviz.quantize` and
:func:`quantviz.nonuniform.snr_vs_scale`, the one-pass statistics of
:func:`quantviz.analysis.analyse_signal`, and scalar k-means for :func:`quantviz.vq.kmeans_vq`
(numba, cached on disk).

Every quantizing kernel computes, per sample, the code k = R(u) of u = (w − origin)/Δ −
offset, applies overflow, and returns origin + (k + offset)Δ − s·d. They are
private: call :func:`quantviz.quantize`.

Noise shaping is a loop-carried recursion, so its speed is the latency of one
step. Rounding to nearest with order ≤ 4 (the audio case) runs in 64-bit fixed
point (:func:`_shaped_fixed`), a few 1-cycle integer operations per step; the
other rounding rules, wrap-around and orders > 4 run in floating point.
"""

import math

import numpy as np
from numba import njit, prange

NEAREST, FLOOR, CEIL, TOWARD_ZERO, STOCHASTIC = range(5)
PARALLEL_MIN = 4_000_000
"""Arrays at least this large use two threads. Smaller ones stay on one thread: on a
busy server (many sessions, 2 cores) a parallel region can wait a whole scheduler
time slice for its second thread, which costs more than it saves."""
_THREADS = [2]


def set_threads(n: int) -> None:
    """How many threads the large-array kernels (and the spectra's FFTs) may use: 1 or 2 (default 2).

    A notebook gains from two threads on a large array. A server whose sessions already keep
    the cores busy does not: a parallel region waits for a partner thread that the browser or
    another session holds (measured on the Audio page with 60 s of stereo: quantize 29 → 13 ms
    median per move with one thread). The app calls ``set_threads(1)``.
    """
    if n not in (1, 2):
        raise ValueError(f"threads must be 1 or 2; got {n!r}")
    _THREADS[0] = n


def get_threads() -> int:
    """The setting of :func:`set_threads`."""
    return _THREADS[0]


def _parallel(size: int) -> bool:
    return _THREADS[0] > 1 and size >= PARALLEL_MIN


@njit(cache=True, inline="always")
def _code(u, rv, rounding, nonneg, n_levels, wrap):
    """Level index for u (units of Δ from the first level): the rounding rule, then overflow.
    ``nonneg`` says whether the input is ≥ 0 (for toward_zero)."""
    if rounding == NEAREST:
        k = np.floor(u + 0.5)
    elif rounding == FLOOR:
        k = np.floor(u)
    elif rounding == CEIL:
        k = np.ceil(u)
    elif rounding == TOWARD_ZERO:
        k = np.floor(u) if nonneg else np.ceil(u)
    else:
        k = np.floor(u + rv)
    if n_levels > 0.0:
        if wrap:
            k = k - n_levels * np.floor(k / n_levels)
        else:
            k = min(max(k, 0.0), n_levels - 1.0)
    return k


@njit(cache=True, inline="always")
def _level(w, rv, origin, step, inv_step, offset, n_levels, rounding, wrap):
    u = (w - origin) * inv_step - offset
    ku = np.floor(u + 0.5)
    if abs(u - ku) <= 1e-14 * (abs(w) + abs(origin)) * inv_step:
        u = ku  # w is a level up to rounding error: keep floor/ceil/toward_zero idempotent
    return origin + (_code(u, rv, rounding, w >= 0.0, n_levels, wrap) + offset) * step


@njit(cache=True)
def _elementwise(x, d, r, has_d, has_r, origin, step, offset, n_levels, rounding, wrap, subtract, out):
    """Fill ``out``; return the number of non-finite inputs (checked in the same pass)."""
    inv_step = 1.0 / step
    bad = 0
    for i in range(x.size):
        xi = x[i]
        if not np.isfinite(xi):
            bad += 1
        di = d[i] if has_d else 0.0
        ri = r[i] if has_r else 0.0
        y = _level(xi + di, ri, origin, step, inv_step, offset, n_levels, rounding, wrap)
        out[i] = y - di if subtract else y
    return bad


@njit(cache=True)
def _nearest(x, origin, step, offset, n_levels, out):
    """Fast path: rounding to nearest, no dither, clip (or unbounded grid). Branch-free, so it vectorises."""
    inv_step = 1.0 / step
    top = n_levels - 1.0 if n_levels > 0.0 else np.inf
    bottom = 0.0 if n_levels > 0.0 else -np.inf
    bad = 0
    for i in range(x.size):
        xi = x[i]
        bad += not np.isfinite(xi)
        k = min(max(np.floor((xi - origin) * inv_step - offset + 0.5), bottom), top)
        out[i] = origin + (k + offset) * step
    return bad


@njit(cache=True, inline="always")
def _shape_sample(u, di, ri, e1, older, c1, origin, step, offset, n_levels, rounding, wrap, subtract):
    """One step of error feedback in units of Δ: returns (y, e) for input u and state (e1, older)."""
    w = (u + older) + c1 * e1  # only c1·e1 is on the loop-carried critical path
    v = w + di
    k = _code(v, ri, rounding, (v + offset) * step + origin >= 0.0, n_levels, wrap)
    y = k - di if subtract else k
    return y, min(max(y - w, -2.0), 2.0)


@njit(cache=True, parallel=True)
def _nearest_parallel(x, origin, step, offset, n_levels, out):
    """:func:`_nearest` over a few chunks in parallel; used only for large arrays (see PARALLEL_MIN)."""
    chunks = 8
    size = (x.size + chunks - 1) // chunks
    bad = 0
    for c in prange(chunks):
        lo = min(c * size, x.size)
        hi = min(lo + size, x.size)
        bad += _nearest(x[lo:hi], origin, step, offset, n_levels, out[lo:hi])
    return bad


@njit(cache=True)
def _shaped_low(x, d, r, has_d, has_r, origin, step, offset, n_levels, rounding, wrap, subtract, coef, out):
    """Error feedback of order ≤ 4 in units of Δ (u = (x − origin)/Δ − offset), state in scalars.

    w[n] = u[n] + Σ_j a_j e[n − j] with (1 − z⁻¹)^K = 1 + Σ_j a_j z^{−j}, so y − u = (1 − z⁻¹)^K e.
    Rows are processed two at a time in one loop: two independent dependency
    chains keep one core busy (stereo costs about what mono does). Used for
    the rounding rules and overflow modes :func:`_shaped_fixed` does not cover.
    """
    c1, c2, c3, c4 = coef[0], coef[1], coef[2], coef[3]
    inv_step = 1.0 / step
    rows, n = x.shape
    bad = 0
    for a in range(0, rows, 2):
        b = min(a + 1, rows - 1)  # an odd last row is run twice, harmlessly
        e1a = e2a = e3a = e4a = olda = 0.0
        e1b = e2b = e3b = e4b = oldb = 0.0
        for i in range(n):
            xa, xb = x[a, i], x[b, i]
            if not np.isfinite(xa):
                bad += 1
                xa = origin
            if not np.isfinite(xb):
                bad += b != a
                xb = origin
            da = d[a, i] * inv_step if has_d else 0.0
            db = d[b, i] * inv_step if has_d else 0.0
            ra = r[a, i] if has_r else 0.0
            rb = r[b, i] if has_r else 0.0
            ya, ea = _shape_sample((xa - origin) * inv_step - offset, da, ra, e1a, olda, c1,
                                   origin, step, offset, n_levels, rounding, wrap, subtract)
            yb, eb = _shape_sample((xb - origin) * inv_step - offset, db, rb, e1b, oldb, c1,
                                   origin, step, offset, n_levels, rounding, wrap, subtract)
            out[a, i] = origin + (ya + offset) * step
            out[b, i] = origin + (yb + offset) * step
            e4a, e3a, e2a, e1a = e3a, e2a, e1a, ea
            e4b, e3b, e2b, e1b = e3b, e2b, e1b, eb
            olda = c2 * e2a + c3 * e3a + c4 * e4a
            oldb = c2 * e2b + c3 * e3b + c4 * e4b
    return bad


BLOCK = 8192
"""Samples per block of the fixed-point kernel: its integer buffers stay in the L1/L2 cache."""


@njit(cache=True)
def _fixed_in(x, d, has_d, origin, inv_step, offset, bounded, limit, scale, half, subtract, W, DH, SD):
    """One block to fixed point (vectorisable): W = u·2^F, DH = D + ½·2^F, SD = s·D for the
    dither D = (d/Δ)·2^F. Returns (non-finite count, count of values beyond ``limit``)."""
    bad = 0
    over = 0
    for i in range(x.size):
        xi = x[i]
        fin = np.isfinite(xi)
        bad += not fin
        u = (xi - origin) * inv_step - offset if fin else 0.0
        if bounded:
            u = min(max(u, -limit), limit)
        else:
            over += abs(u) > limit
        W[i] = np.int64(np.rint(u * scale))
        if has_d:
            di = d[i] * inv_step
            over += abs(di) > 0.25 * limit
            dd = np.int64(np.rint(di * scale))
            DH[i] = dd + half
            SD[i] = dd if subtract else 0
    return bad, over


@njit(cache=True)
def _fixed_chain(W, DH, SD, has_d, half, order, frac_bits, top, bounded, state, K):
    """The loop-carried part: K = clamp((w + D + ½) >> F) << F, e = clamp(K − s·D − w, ±2Δ), where
    w = W + Σ_j a_j e[n − j]. The binomial a_j are constants, so no multiply is on the chain."""
    two = np.int64(2) << frac_bits
    e1, e2, e3, e4 = state[0], state[1], state[2], state[3]
    zero = np.int64(0)
    for i in range(W.size):
        if order == 1:
            w = W[i] - e1
        elif order == 2:
            w = W[i] + e2 - 2 * e1
        elif order == 3:
            w = W[i] + 3 * (e2 - e1) - e3
        else:
            w = W[i] + 6 * e2 - 4 * (e1 + e3) + e4
        v = w + (DH[i] if has_d else half)
        k = v >> frac_bits
        if bounded:
            k = min(max(k, zero), top)
        k <<= frac_bits
        K[i] = k
        e4, e3, e2, e1 = e3, e2, e1, min(max(k - w - (SD[i] if has_d else zero), -two), two)
    state[0], state[1], state[2], state[3] = e1, e2, e3, e4


@njit(cache=True)
def _fixed_row(x, d, has_d, origin, step, offset, n_levels, limit, frac_bits, subtract, order, out):
    """Error feedback along one row in 64-bit fixed point; returns the non-finite count, or −1."""
    scale = float(2**frac_bits)
    half = np.int64(1) << (frac_bits - 1)
    bounded = n_levels > 0.0
    top = np.int64(n_levels - 1.0) if bounded else np.int64(0)
    inv_step, inv_scale = 1.0 / step, 1.0 / scale
    buf = np.empty((4, BLOCK), np.int64)
    W, DH, SD, K = buf[0], buf[1], buf[2], buf[3]
    state = np.zeros(4, np.int64)
    bad = 0
    for start in range(0, x.size, BLOCK):
        stop = min(start + BLOCK, x.size)
        m = stop - start
        nb, over = _fixed_in(x[start:stop], d[start:stop] if has_d else d[:1], has_d, origin, inv_step, offset,
                             bounded, limit, scale, half, subtract, W[:m], DH[:m], SD[:m])
        if over:
            return -1
        bad += nb
        _fixed_chain(W[:m], DH[:m], SD[:m], has_d, half, order, frac_bits, top, bounded, state, K[:m])
        o = out[start:stop]
        for i in range(m):  # vectorisable
            o[i] = origin + ((K[i] - (SD[i] if has_d else 0)) * inv_scale + offset) * step
    return bad


@njit(cache=True)
def _shaped_fixed(x, d, has_d, origin, step, offset, n_levels, limit, frac_bits, subtract, order, out):
    """Error feedback of order ≤ 4 for rounding to nearest, in 64-bit fixed point.

    u = (x − origin)/Δ − offset, the dither and the errors are integers in
    units of 2^−F Δ (F = ``frac_bits``), so one step of the loop-carried chain
    is a few integer adds, a shift and two clamps: about 6 cycles against about
    30 for the floating-point chain (floor, compares and adds of 3–8 cycles
    each). Rounding to nearest is floor(v + ½) = (v + 2^(F−1)) >> F, as in
    floating point. The inputs carry a conversion error below 2^−F Δ (F ≥ 26);
    the loop itself is then exact, where floating point rounds every step.

    ``limit`` bounds |u| and |d/Δ|. With a bounded grid u is clamped to ±limit,
    which changes no output (the loop saturates long before, see ``shaped``).
    A dither beyond limit/4, or |u| > limit on an unbounded grid, returns −1:
    the caller then falls back to the floating-point kernel.
    """
    bad = 0
    for row in range(x.shape[0]):
        b = _fixed_row(x[row], d[row] if has_d else d[0], has_d, origin, step, offset, n_levels, limit, frac_bits,
                       subtract, order, out[row])
        if b < 0:
            return -1
        bad += b
    return bad


@njit(cache=True, parallel=True)
def _shaped_fixed_parallel(x, d, has_d, origin, step, offset, n_levels, limit, frac_bits, subtract, order, out):
    """:func:`_shaped_fixed` with the rows (e.g. the channels) on parallel threads; for large arrays only."""
    rows = x.shape[0]
    bads = np.zeros(rows, np.int64)
    for row in prange(rows):
        bads[row] = _fixed_row(x[row], d[row] if has_d else d[0], has_d, origin, step, offset, n_levels, limit,
                               frac_bits, subtract, order, out[row])
    return -1 if np.any(bads < 0) else bads.sum()


@njit(cache=True)
def signal_error_stats(x, e, lo_edge, hi_edge):
    """One pass over a signal x and its error e (used by :func:`quantviz.analysis.analyse_signal`):
    (Σx², max|x|, Σe², max|e|, #samples with x < lo_edge or x > hi_edge). Sums are accumulated in
    blocks of 4,096 samples, so their rounding error stays close to NumPy's pairwise sums."""
    sx = 0.0
    se = 0.0
    peak = 0.0
    emax = 0.0
    outside = 0
    n = x.size
    for b0 in range(0, n, 4096):
        bx = 0.0
        be = 0.0
        for i in range(b0, min(b0 + 4096, n)):
            xi = x[i]
            ei = e[i]
            bx += xi * xi
            be += ei * ei
            peak = max(peak, abs(xi))
            emax = max(emax, abs(ei))
            if xi < lo_edge or xi > hi_edge:
                outside += 1
        sx += bx
        se += be
    return sx, peak, se, emax, outside


@njit(cache=True)
def error_histogram(e, step, span, bins):
    """Counts of e/Δ in ``bins`` equal bins on [−span, span); values beyond go to the end bins."""
    counts = np.zeros(bins, dtype=np.int64)
    k = bins / (2.0 * span)
    for i in range(e.size):
        v = (e[i] / step + span) * k
        j = 0 if v < 1.0 else (bins - 1 if v >= bins - 1 else int(v))
        counts[j] += 1
    return counts


@njit(cache=True)
def _first_above(a, v):
    """Index of the first element of ascending ``a`` greater than v (``np.searchsorted(a, v, "right")``)."""
    lo, hi = 0, a.size
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def kmeans_pp_1d(xs, first, u, out):
    """Greedy k-means++ seeding of sorted scalar data ``xs`` (used by :func:`quantviz.vq.kmeans_vq`).

    ``first`` is the first centre; row j − 1 of ``u`` holds the uniform draws of the candidates for
    centre j. A candidate c can only lower D(x)² = (distance to the nearest centre)² on an interval
    around it (|x − c| − D(x) never decreases away from c), so its potential is found by scanning
    outwards from c until |x − c| ≥ D(x). Returns the number of centres placed (fewer than ``out``
    holds when the points run out: every point already coincides with a centre).
    """
    n = xs.size
    d2 = (xs - first) ** 2
    out[0] = first
    cdf = np.empty(n)
    for j in range(1, out.size):
        total = 0.0
        for i in range(n):
            total += d2[i]
            cdf[i] = total
        if total <= 0.0:
            return j
        best_pot = np.inf
        best = 0
        for t in range(u.shape[1]):
            c = min(_first_above(cdf, u[j - 1, t] * total), n - 1)
            v = xs[c]
            gain = 0.0
            i = c
            while i >= 0 and (xs[i] - v) ** 2 < d2[i]:
                gain += d2[i] - (xs[i] - v) ** 2
                i -= 1
            i = c + 1
            while i < n and (xs[i] - v) ** 2 < d2[i]:
                gain += d2[i] - (xs[i] - v) ** 2
                i += 1
            if total - gain < best_pot:
                best_pot = total - gain
                best = c
        v = xs[best]
        out[j] = v
        i = best
        while i >= 0 and (xs[i] - v) ** 2 < d2[i]:
            d2[i] = (xs[i] - v) ** 2
            i -= 1
        i = best + 1
        while i < n and (xs[i] - v) ** 2 < d2[i]:
            d2[i] = (xs[i] - v) ** 2
            i += 1
    return out.size


@njit(cache=True)
def _cells_1d(xs, c, bounds):
    """Split sorted ``xs`` among sorted codes ``c``: cell j is xs[bounds[j]:bounds[j + 1]], a point on
    a midpoint going to the lower code (as ``np.searchsorted(midpoints, x)`` does)."""
    k = c.size
    bounds[0] = 0
    i = 0
    for j in range(k - 1):
        mid = 0.5 * (c[j] + c[j + 1])
        while i < xs.size and xs[i] <= mid:
            i += 1
        bounds[j + 1] = i
    bounds[k] = xs.size


@njit(cache=True)
def lloyd_1d(xs, c, max_iter, tol):
    """Lloyd iterations on sorted scalar data from sorted codes ``c`` (modified in place, kept sorted).

    Each iteration moves every code to the mean of its cell (an interval of ``xs``), a code whose cell
    is empty to the worst-represented point, and re-splits: O(n + k). Stops when no cell boundary
    moves, or when the MSE falls by at most ``tol`` × MSE. Returns (bounds, MSE).
    """
    k = c.size
    n = xs.size
    bounds = np.empty(k + 1, dtype=np.int64)
    new = np.empty(k + 1, dtype=np.int64)
    _cells_1d(xs, c, bounds)
    mse = _cells_mse(xs, c, bounds)
    for _ in range(max_iter):
        empty = 0
        for j in range(k):
            m = bounds[j + 1] - bounds[j]
            if m > 0:
                s = 0.0
                for i in range(bounds[j], bounds[j + 1]):
                    s += xs[i]
                c[j] = s / m
            else:
                empty += 1
        if empty:  # rare: each empty cell's code moves to the worst-represented point left
            d2 = np.empty(n)
            for j in range(k):
                for i in range(bounds[j], bounds[j + 1]):
                    d2[i] = (xs[i] - c[j]) ** 2
            for j in range(k):
                if bounds[j + 1] == bounds[j]:
                    w = 0
                    for i in range(n):
                        if d2[i] > d2[w]:
                            w = i
                    c[j] = xs[w]
                    d2[w] = -1.0
            for j in range(1, k):  # insertion sort: the codes were sorted but for the moved ones
                v = c[j]
                i = j - 1
                while i >= 0 and c[i] > v:
                    c[i + 1] = c[i]
                    i -= 1
                c[i + 1] = v
        _cells_1d(xs, c, new)
        new_mse = _cells_mse(xs, c, new)
        same = True
        for j in range(k + 1):
            if new[j] != bounds[j]:
                same = False
        bounds[:] = new
        done = same or mse - new_mse <= tol * new_mse
        mse = new_mse
        if done:
            break
    return bounds, mse


@njit(cache=True)
def _cells_mse(xs, c, bounds):
    s = 0.0
    for j in range(c.size):
        for i in range(bounds[j], bounds[j + 1]):
            s += (xs[i] - c[j]) ** 2
    return s / xs.size


@njit(cache=True)
def squared_error_vs_scale(xs, thresholds, levels, scales):
    """Σ_n (s·x[n] − Q(s·x[n]))² for every scale s > 0, for sorted ``xs`` (used by
    :func:`quantviz.nonuniform.snr_vs_scale`). Q maps t[i−1] ≤ v < t[i] to levels[i]; because the
    samples are sorted and s > 0, the cell index only moves up, so each scale is one pass."""
    err = np.empty(scales.size)
    for k in range(scales.size):
        s = scales[k]
        j = 0
        e = 0.0
        for i in range(xs.size):
            v = s * xs[i]
            while j < thresholds.size and v >= thresholds[j]:
                j += 1
            d = v - levels[j]
            e += d * d
        err[k] = e
    return err


@njit(cache=True)
def _shaped(x, d, r, has_d, has_r, origin, step, offset, n_levels, rounding, wrap, subtract, coef, out):
    order = coef.size
    limit = 2.0 * step
    inv_step = 1.0 / step
    bad = 0
    hist = np.zeros(order)
    for row in range(x.shape[0]):
        hist[:] = 0.0
        for i in range(x.shape[1]):
            w = x[row, i]
            if not np.isfinite(w):
                bad += 1
                w = 0.0
            for j in range(order):
                w += coef[j] * hist[j]
            di = d[row, i] if has_d else 0.0
            ri = r[row, i] if has_r else 0.0
            y = _level(w + di, ri, origin, step, inv_step, offset, n_levels, rounding, wrap)
            if subtract:
                y -= di
            out[row, i] = y
            e = y - w
            e = min(max(e, -limit), limit)
            for j in range(order - 1, 0, -1):
                hist[j] = hist[j - 1]
            hist[0] = e
    return bad


_DUMMY = np.zeros(1)


def _flat(a, shape2d=None):
    if a is None:
        return _DUMMY if shape2d is None else _DUMMY.reshape(1, 1), False
    a = np.ascontiguousarray(a, dtype=np.float64)
    return (a.reshape(-1) if shape2d is None else a.reshape(shape2d)), True


def elementwise(x, d, r, origin, step, offset, n_levels, rounding, wrap, subtract):
    """Quantize every element independently; returns (array like ``x``, count of non-finite inputs)."""
    xf = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(xf)
    if d is None and r is None and rounding == NEAREST and not (wrap and n_levels):
        kernel = _nearest_parallel if _parallel(xf.size) else _nearest
        bad = kernel(xf, float(origin), float(step), float(offset), float(n_levels), out)
        return out.reshape(np.shape(x)), bad
    (df, has_d), (rf, has_r) = _flat(d), _flat(r)
    bad = _elementwise(xf, df, rf, has_d, has_r, float(origin), float(step), float(offset), float(n_levels),
                       rounding, wrap, subtract, out)
    return out.reshape(np.shape(x)), bad


def shaped(x, d, r, origin, step, offset, n_levels, rounding, wrap, subtract, order):
    """Quantize with error feedback along the last axis; returns (values, count of non-finite inputs)."""
    shape = np.shape(x)
    n = shape[-1] if len(shape) else 1
    shape2d = (int(np.prod(shape[:-1])), n)  # not (-1, n): that fails for empty input
    x2 = np.ascontiguousarray(x).reshape(shape2d)
    out = np.empty_like(x2)
    (d2, has_d), (r2, has_r) = _flat(d, shape2d), _flat(r, shape2d)
    coef = np.array([math.comb(order, j) * (-1.0) ** j for j in range(1, order + 1)])
    if order <= 4 and rounding == NEAREST and not (wrap and n_levels):
        # bounded: 8 × the grid, where clamping u changes no output; unbounded: larger |u| falls back
        limit = max(8.0 * n_levels, 512.0) if n_levels else 2.0**30
        frac_bits = 61 - math.ceil(math.log2(limit))  # |v| < 2·limit·2^F < 2^63
        kernel = _shaped_fixed_parallel if _parallel(x2.size) and x2.shape[0] > 1 else _shaped_fixed
        bad = kernel(x2, d2, has_d, float(origin), float(step), float(offset), float(n_levels),
                     limit, frac_bits, subtract, order, out)
        if bad >= 0:
            return out.reshape(shape), bad
    kernel = _shaped
    if order <= 4:
        kernel, coef = _shaped_low, np.concatenate([coef, np.zeros(4 - order)])
    bad = kernel(x2, d2, r2, has_d, has_r, float(origin), float(step), float(offset), float(n_levels),
                  rounding, wrap, subtract, coef, out)
    return out.reshape(shape), bad
