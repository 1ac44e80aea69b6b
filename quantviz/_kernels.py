"""Compiled inner loops of :func:`quantviz.quantize` (numba, cached on disk).

Both kernels compute, per sample, the code k = R(u) of u = (w − origin)/Δ −
offset, apply overflow, and return origin + (k + offset)Δ − s·d. They are
private: call :func:`quantviz.quantize`.
"""

import math

import numpy as np
from numba import njit, prange

NEAREST, FLOOR, CEIL, TOWARD_ZERO, STOCHASTIC = range(5)


@njit(cache=True, inline="always")
def _level(w, rv, origin, step, inv_step, offset, n_levels, rounding, wrap):
    u = (w - origin) * inv_step - offset
    ku = np.floor(u + 0.5)
    if abs(u - ku) <= 1e-12 * (abs(w) + abs(origin)) * inv_step:
        u = ku  # w is a level up to rounding error: keep floor/ceil/toward_zero idempotent
    if rounding == NEAREST:
        k = np.floor(u + 0.5)
    elif rounding == FLOOR:
        k = np.floor(u)
    elif rounding == CEIL:
        k = np.ceil(u)
    elif rounding == TOWARD_ZERO:
        k = np.floor(u) if w >= 0.0 else np.ceil(u)
    else:
        k = np.floor(u + rv)
    if n_levels > 0.0:
        if wrap:
            k = k - n_levels * np.floor(k / n_levels)
        elif k < 0.0:
            k = 0.0
        elif k > n_levels - 1.0:
            k = n_levels - 1.0
    return origin + (k + offset) * step


@njit(cache=True, parallel=True)
def _elementwise(x, d, r, has_d, has_r, origin, step, offset, n_levels, rounding, wrap, subtract, out):
    """Fill ``out``; return the number of non-finite inputs (checked in the same pass)."""
    inv_step = 1.0 / step
    bad = 0
    for i in prange(x.size):
        xi = x[i]
        if not np.isfinite(xi):
            bad += 1
        di = d[i] if has_d else 0.0
        ri = r[i] if has_r else 0.0
        y = _level(xi + di, ri, origin, step, inv_step, offset, n_levels, rounding, wrap)
        out[i] = y - di if subtract else y
    return bad


@njit(cache=True, parallel=True)
def _nearest(x, origin, step, offset, n_levels, out):
    """Fast path: rounding to nearest, no dither, clip (or unbounded grid). Branch-free, so it vectorises."""
    inv_step = 1.0 / step
    top = n_levels - 1.0 if n_levels > 0.0 else np.inf
    bottom = 0.0 if n_levels > 0.0 else -np.inf
    bad = 0
    for i in prange(x.size):
        xi = x[i]
        bad += not np.isfinite(xi)
        k = min(max(np.floor((xi - origin) * inv_step - offset + 0.5), bottom), top)
        out[i] = origin + (k + offset) * step
    return bad


@njit(cache=True, parallel=True)
def _shaped_low(x, d, r, has_d, has_r, origin, step, offset, n_levels, rounding, wrap, subtract, coef, out):
    """Error feedback of order ≤ 4, state in scalars, computed in units of Δ (u = (x − origin)/Δ − offset)
    to keep the per-sample dependency chain short; rows (channels) run in parallel."""
    c1, c2, c3, c4 = coef[0], coef[1], coef[2], coef[3]
    inv_step = 1.0 / step
    top = n_levels - 1.0
    bad = 0
    for row in prange(x.shape[0]):
        e1 = e2 = e3 = e4 = older = 0.0
        for i in range(x.shape[1]):
            xi = x[row, i]
            if not np.isfinite(xi):
                bad += 1
                xi = origin
            # only c1·e1 is on the loop-carried critical path; the older terms were summed last sample
            w = ((xi - origin) * inv_step - offset - older) - c1 * e1
            di = d[row, i] * inv_step if has_d else 0.0
            v = w + di
            if rounding == NEAREST:
                k = np.floor(v + 0.5)
            elif rounding == FLOOR:
                k = np.floor(v)
            elif rounding == CEIL:
                k = np.ceil(v)
            elif rounding == TOWARD_ZERO:
                k = np.floor(v) if (v + offset) * step + origin >= 0.0 else np.ceil(v)
            else:
                k = np.floor(v + (r[row, i] if has_r else 0.0))
            if n_levels > 0.0:
                if wrap:
                    k = k - n_levels * np.floor(k / n_levels)
                else:
                    k = min(max(k, 0.0), top)
            y = k - di if subtract else k
            out[row, i] = origin + (y + offset) * step
            e4, e3, e2 = e3, e2, e1
            older = c2 * e2 + c3 * e3 + c4 * e4
            e1 = min(max(y - w, -2.0), 2.0)
    return bad


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
        bad = _nearest(xf, float(origin), float(step), float(offset), float(n_levels), out)
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
    kernel = _shaped
    if order <= 4:
        kernel, coef = _shaped_low, np.concatenate([coef, np.zeros(4 - order)])
    bad = kernel(x2, d2, r2, has_d, has_r, float(origin), float(step), float(offset), float(n_levels),
                  rounding, wrap, subtract, coef, out)
    return out.reshape(shape), bad
