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
    bad = _shaped(x2, d2, r2, has_d, has_r, float(origin), float(step), float(offset), float(n_levels),
                  rounding, wrap, subtract, coef, out)
    return out.reshape(shape), bad
