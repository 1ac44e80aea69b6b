"""Integer quantization of weight and activation tensors (INT8, INT4, …).

:func:`quantize_tensor` is the one call: symmetric or asymmetric, one scale
per tensor, per channel or per group, and the clipping range calibrated by
min–max, percentile, least MSE or least KL divergence.

Conventions (b bits)
--------------------
* **Symmetric** (narrow range, TFLite / NVIDIA TensorRT): codes
  q ∈ [−(2^(b−1) − 1), 2^(b−1) − 1], scale s = a/(2^(b−1) − 1) where a is
  the clipping amplitude (amax for min–max); values = s·q; zero point 0.
* **Asymmetric** (affine, TFLite uint8): the range [lo, hi] is first widened
  to contain 0; s = (hi − lo)/(2^b − 1), zero point z = round(−lo/s) ∈
  [0, 2^b − 1], codes q = clip(round(x/s) + z, 0, 2^b − 1), values
  = s·(q − z). The code z reconstructs 0 exactly.
* **Granularity**: ``"tensor"``, one scale; ``"channel"``, one scale per
  slice ``w[i]`` along ``axis`` (scale shape: 1 everywhere but ``axis``);
  ``"group"``, one scale per run of ``group_size`` consecutive values along
  ``axis`` (scale shape: ``w.shape`` with ``axis`` replaced by the number of
  groups; the last group may be shorter). For a PyTorch-style ``(out, in)``
  weight, ``granularity="channel", axis=0`` is per output channel, and
  ``granularity="group", axis=-1`` groups along the input features as GPTQ,
  AWQ and llama.cpp do.

Rounding is to nearest, ties to even (``numpy.rint``); ``stochastic=True``
rounds up with probability equal to the fractional part (unbiased:
E[Q(x)] = x inside the range).

References
----------
.. [1] B. Jacob et al., "Quantization and Training of Neural Networks for
   Efficient Integer-Arithmetic-Only Inference", CVPR 2018 (affine scheme).
.. [2] H. Wu, P. Judd, X. Zhang, M. Isaev, P. Micikevicius, "Integer
   Quantization for Deep Learning Inference: Principles and Empirical
   Evaluation", arXiv:2004.09602, 2020 (narrow symmetric range, percentile,
   MSE and entropy calibration).
.. [3] S. Migacz, "8-bit Inference with TensorRT", GTC 2017 (KL calibration).
.. [4] T. Dettmers et al., "LLM.int8(): 8-bit Matrix Multiplication for
   Transformers at Scale", NeurIPS 2022 (outlier features).
.. [5] T. M. Cover, J. A. Thomas, "Elements of Information Theory", 2nd ed.,
   Wiley 2006, §10.3 (Gaussian rate–distortion function).
.. [6] H. Gish, J. N. Pierce, "Asymptotically efficient quantizing", IEEE
   Trans. Inf. Theory 14(5), 1968 (entropy-coded uniform quantizer, πe/6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "GRANULARITIES",
    "CALIBRATIONS",
    "SYNTHETIC_KINDS",
    "QuantizedTensor",
    "quantize_tensor",
    "calibrate_range",
    "synthetic_tensor",
    "error_stats",
    "gaussian_rate_distortion",
    "gaussian_rd_sqnr_db",
    "ecsq_mse",
    "ecsq_gaussian",
]

GRANULARITIES = ("tensor", "channel", "group")
CALIBRATIONS = ("minmax", "percentile", "mse", "kl")
SYNTHETIC_KINDS = ("gaussian", "laplacian", "student_t", "llm_activations")
MAX_BITS = 16
_MSE_GRID = 100  # candidate clipping ratios k/100, k = 1 … 100
_KL_BINS = 2048
_KL_MIN_VALUES = 1024


@dataclass(frozen=True, eq=False)
class QuantizedTensor:
    """Result of :func:`quantize_tensor`.

    Attributes
    ----------
    values : ndarray of float32
        Reconstruction s·(q − z), the input's shape.
    codes : ndarray of int32
        Integer codes q, the input's shape.
    scale : ndarray of float64
        Scale(s) s, broadcastable to the input for ``"tensor"`` and
        ``"channel"`` (shape ``()`` or 1 everywhere but ``axis``); for
        ``"group"`` shape ``w.shape`` with ``axis`` replaced by the number of
        groups (see :meth:`expand`).
    zero_point : ndarray of int32
        Zero point(s) z, same shape as ``scale`` (all 0 when symmetric).
    clip_lo, clip_hi : ndarray of float64
        The clipping range each scale covers, same shape as ``scale``.
    bits, symmetric, granularity, axis, group_size
        The settings used (``axis`` normalised to a non-negative int).
    """

    values: np.ndarray
    codes: np.ndarray
    scale: np.ndarray
    zero_point: np.ndarray
    clip_lo: np.ndarray
    clip_hi: np.ndarray
    bits: int
    symmetric: bool
    granularity: str
    axis: int
    group_size: int

    @property
    def qmin(self) -> int:
        return -(2 ** (self.bits - 1) - 1) if self.symmetric else 0

    @property
    def qmax(self) -> int:
        return 2 ** (self.bits - 1) - 1 if self.symmetric else 2**self.bits - 1

    @property
    def n_scales(self) -> int:
        return int(np.size(self.scale))

    @property
    def bits_per_weight(self) -> float:
        """(N·b + n_scales·(32 + b if asymmetric else 32)) / N: FP32 scales, b-bit zero points."""
        n = self.values.size
        per_scale = 32 + (0 if self.symmetric else self.bits)
        return (n * self.bits + self.n_scales * per_scale) / n

    def expand(self, a: np.ndarray) -> np.ndarray:
        """A per-scale array (``scale``, ``zero_point``, ``clip_lo``…) at every value's position."""
        a = np.asarray(a)
        if self.granularity != "group":
            return np.broadcast_to(a, self.values.shape)
        idx = np.arange(self.values.shape[self.axis]) // self.group_size
        return np.take(a, idx, axis=self.axis)


# --------------------------------------------------------------------------
# argument checks


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _check_int(name, value, lo, hi=None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{name} must be in [{lo}, {hi if hi is not None else '∞'}); got {value}")
    return value


def _as_array(w, name="w") -> np.ndarray:
    try:
        a = np.asarray(w)
    except Exception as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    if a.dtype.kind == "c":
        raise ValueError(f"{name} must be real; got dtype {a.dtype}")
    if a.dtype.kind not in "fiu" and a.dtype.kind != "b":
        try:
            a = a.astype(np.float32)  # ml_dtypes floats (bfloat16, float8…)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real numeric array; got dtype {a.dtype}") from None
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


# --------------------------------------------------------------------------
# scale units: each row of a 2-D view shares one scale


def _units(a: np.ndarray, granularity: str, axis: int, group_size: int):
    """a as (n_units, unit_len) rows (NaN-padded for groups) and a function back."""
    if granularity == "tensor":
        return a.reshape(1, -1), lambda r: r.reshape(a.shape), ()
    moved = np.moveaxis(a, axis, 0 if granularity == "channel" else -1)
    if granularity == "channel":
        rows = moved.reshape(moved.shape[0], -1)
        pshape = tuple(n if i == axis else 1 for i, n in enumerate(a.shape))

        def back(r):
            return np.moveaxis(r.reshape(moved.shape), 0, axis)

        return rows, back, pshape
    n = moved.shape[-1]
    ng = -(-n // group_size)
    pad = ng * group_size - n
    if pad:
        moved_p = np.concatenate([moved, np.full(moved.shape[:-1] + (pad,), np.nan)], axis=-1)
    else:
        moved_p = moved
    rows = moved_p.reshape(-1, group_size)
    pshape_moved = moved.shape[:-1] + (ng,)

    def back(r):
        r = r.reshape(moved.shape[:-1] + (ng * group_size,))[..., :n]
        return np.moveaxis(r, -1, axis)

    return rows, back, ("group", pshape_moved)


def _param_shape(a_shape, granularity, axis, info, rows_shape0):
    if granularity == "tensor":
        return lambda p: p.reshape(())
    if granularity == "channel":
        return lambda p: p.reshape(info)
    pshape_moved = info[1]
    return lambda p: np.moveaxis(p.reshape(pshape_moved), -1, axis)


# --------------------------------------------------------------------------
# the quantizer on rows


def _grid(lo, hi, bits, symmetric):
    """scale, zero point, qmin, qmax for clipping ranges (column vectors)."""
    if symmetric:
        qmax = 2 ** (bits - 1) - 1
        amax = np.maximum(np.abs(lo), np.abs(hi))
        scale = amax / qmax
        zp = np.zeros_like(scale, dtype=np.int64)
        return scale, zp, -qmax, qmax
    qmax = 2**bits - 1
    lo = np.minimum(lo, 0.0)
    hi = np.maximum(hi, 0.0)
    scale = (hi - lo) / qmax
    with np.errstate(divide="ignore", invalid="ignore"):
        zp = np.where(scale > 0, np.rint(-lo / np.where(scale > 0, scale, 1.0)), 0.0)
    zp = np.clip(zp, 0, qmax).astype(np.int64)
    return scale, zp, 0, qmax


def _apply(rows, scale, zp, qmin, qmax, rng=None):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(scale > 0, rows / np.where(scale > 0, scale, 1.0), 0.0)
    if rng is None:
        r = np.rint(t)
    else:
        r = np.floor(t + rng.random(t.shape))
    q = np.clip(r + zp, qmin, qmax)
    return q, (q - zp) * scale


def _row_mse(rows, vals):
    d = (rows - vals) ** 2
    return np.nanmean(d, axis=1, keepdims=True)


def calibrate_range(rows, method="minmax", *, bits=8, symmetric=True, percentile=99.99):
    """Clipping range (lo, hi) of each row of a 2-D array (NaN = padding).

    Parameters
    ----------
    rows : ndarray, shape (n_units, n)
        One scale unit per row.
    method : {"minmax", "percentile", "mse", "kl"}
        ``"minmax"``: [min, max] (symmetric: ±max|x|). ``"percentile"``:
        symmetric ±P_p(|x|); asymmetric [P_(100−p)(x), P_p(x)].
        ``"mse"``: the min–max range scaled by the ratio α ∈ {0.01, …, 1.00}
        whose quantizer gives the least mean squared error on the row.
        ``"kl"``: TensorRT's entropy calibration [3] (symmetric
        amplitude from a 2048-bin histogram of |x|: the threshold whose
        2^(b−1)-level quantized histogram has the least KL divergence from
        the clipped one); for asymmetric, the ratio found on |x| scales both
        ends.

    Returns
    -------
    lo, hi : ndarray, shape (n_units, 1)
    """
    rows = np.asarray(rows, dtype=np.float64)
    lo = np.nanmin(rows, axis=1, keepdims=True)
    hi = np.nanmax(rows, axis=1, keepdims=True)
    if symmetric:
        amax = np.maximum(np.abs(lo), np.abs(hi))
        lo, hi = -amax, amax
    if method == "minmax":
        return lo, hi
    if method == "percentile":
        if symmetric:
            a = np.nanpercentile(np.abs(rows), percentile, axis=1, keepdims=True)
            return -a, a
        return (np.nanpercentile(rows, 100 - percentile, axis=1, keepdims=True),
                np.nanpercentile(rows, percentile, axis=1, keepdims=True))
    if method == "mse":
        best = np.full(lo.shape, np.inf)
        best_alpha = np.ones(lo.shape)
        for k in range(1, _MSE_GRID + 1):
            alpha = k / _MSE_GRID
            scale, zp, qmin, qmax = _grid(alpha * lo, alpha * hi, bits, symmetric)
            _, vals = _apply(rows, scale, zp, qmin, qmax)
            m = _row_mse(rows, vals)
            better = m < best
            best = np.where(better, m, best)
            best_alpha = np.where(better, alpha, best_alpha)
        return best_alpha * lo, best_alpha * hi
    if method == "kl":
        n_min = int(np.min(np.sum(~np.isnan(rows), axis=1)))
        if n_min < _KL_MIN_VALUES:
            raise ValueError(f"calibration='kl' needs at least {_KL_MIN_VALUES} values per scale (a "
                             f"{_KL_BINS}-bin histogram); this unit has {n_min}. Use 'mse' or 'percentile'")
        ratios = np.array([_kl_ratio(r[~np.isnan(r)], bits) for r in rows])[:, None]
        return ratios * lo, ratios * hi
    raise ValueError(f"calibration must be one of {', '.join(map(repr, CALIBRATIONS))}; got {method!r}")


def _kl_ratio(x: np.ndarray, bits: int) -> float:
    """TensorRT entropy calibration: clipping threshold / max|x| (1.0 if degenerate)."""
    ax = np.abs(x)
    amax = ax.max()
    if amax == 0:
        return 1.0
    hist, edges = np.histogram(ax, bins=_KL_BINS, range=(0, amax))
    hist = hist.astype(np.float64)
    nq = 2 ** (bits - 1)
    if nq >= _KL_BINS:
        return 1.0
    best_i, best_kl = _KL_BINS, np.inf
    for i in range(nq, _KL_BINS + 1):
        p = hist[:i].copy()
        p[-1] += hist[i:].sum()
        nonzero = hist[:i] != 0
        # merge i bins into nq levels, spread each level's count over its non-empty bins
        idx = (np.arange(i) * nq) // i
        sums = np.bincount(idx, weights=hist[:i], minlength=nq)
        counts = np.bincount(idx, weights=nonzero, minlength=nq)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(nonzero, sums[idx] / np.where(counts[idx] > 0, counts[idx], 1), 0.0)
        ps, qs = p.sum(), q.sum()
        if ps == 0 or qs == 0:
            continue
        p /= ps
        q /= qs
        m = p > 0
        if np.any(q[m] == 0):
            continue
        kl = float(np.sum(p[m] * np.log(p[m] / q[m])))
        if kl < best_kl:
            best_kl, best_i = kl, i
    return float(edges[best_i] / amax)


def quantize_tensor(
    w,
    bits: int = 8,
    symmetric: bool = True,
    granularity: str = "tensor",
    axis: int = 0,
    group_size: int = 128,
    calibration: str = "minmax",
    percentile: float = 99.99,
    *,
    stochastic: bool = False,
    seed: int | None = 0,
) -> QuantizedTensor:
    """Uniform integer quantization of a tensor with per-tensor/channel/group scales.

    Parameters
    ----------
    w : array_like
        Real, finite values, any shape (a scalar counts as one value).
    bits : int, default 8
        Word length b, 2–16 symmetric (narrow range needs 2^(b−1) − 1 ≥ 1),
        1–16 asymmetric.
    symmetric : bool, default True
        Narrow symmetric range, zero point 0 (see the module notes), or affine.
    granularity : {"tensor", "channel", "group"}
    axis : int, default 0
        The channel axis (``"channel"``) or the axis the groups run along
        (``"group"``). Negative values count from the end.
    group_size : int, default 128
        Values per group (``"group"`` only).
    calibration : {"minmax", "percentile", "mse", "kl"}
        How each unit's clipping range is chosen (:func:`calibrate_range`).
    percentile : float, default 99.99
        For ``"percentile"``: clip at this percentile of |w| (in (0, 100]).
    stochastic : bool, default False
        Stochastic rounding: ⌊x/s + u⌋, u ~ U[0, 1), seeded by ``seed``.
    seed : int or None

    Returns
    -------
    QuantizedTensor

    Raises
    ------
    ValueError
        Empty, non-finite or non-numeric ``w``; a bad ``bits``, ``axis``,
        ``granularity``, ``group_size``, ``calibration`` or ``percentile``.

    Notes
    -----
    For a value inside the range, the error of rounding to nearest is at most
    s/2, and for a smooth density on many levels its mean square is s²/12
    (Bennett 1948); values beyond the clipping range saturate at the end codes.
    """
    if not isinstance(symmetric, (bool, np.bool_)):
        raise ValueError(f"symmetric must be True or False; got {symmetric!r}")
    symmetric = bool(symmetric)
    bits = _check_int("bits", bits, 2 if symmetric else 1, MAX_BITS)
    _check_choice("granularity", granularity, GRANULARITIES)
    _check_choice("calibration", calibration, CALIBRATIONS)
    group_size = _check_int("group_size", group_size, 1)
    try:
        percentile = float(percentile)
    except (TypeError, ValueError):
        raise ValueError(f"percentile must be a number; got {percentile!r}") from None
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100]; got {percentile}")
    a = _as_array(w)
    shape = a.shape
    if a.ndim == 0:
        a = a.reshape(1)
    axis_in = _check_int("axis", axis, -a.ndim, a.ndim - 1) if granularity != "tensor" else 0
    axis_n = axis_in % a.ndim

    rows, back, info = _units(a, granularity, axis_n, group_size)
    to_param = _param_shape(a.shape, granularity, axis_n, info, rows.shape[0])
    lo, hi = calibrate_range(rows, calibration, bits=bits, symmetric=symmetric, percentile=percentile)
    scale, zp, qmin, qmax = _grid(lo, hi, bits, symmetric)
    rng = np.random.default_rng(seed) if stochastic else None
    q, vals = _apply(rows, scale, zp, qmin, qmax, rng)
    if not symmetric:
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
    codes = back(np.nan_to_num(q)).astype(np.int32).reshape(shape)
    values = back(vals).astype(np.float32).reshape(shape)
    return QuantizedTensor(
        values=values,
        codes=codes,
        scale=to_param(scale),
        zero_point=to_param(zp).astype(np.int32),
        clip_lo=to_param(lo),
        clip_hi=to_param(hi),
        bits=bits,
        symmetric=symmetric,
        granularity=granularity,
        axis=axis_n,
        group_size=group_size,
    )


# --------------------------------------------------------------------------
# synthetic tensors


def synthetic_tensor(kind: str, shape=(256, 256), *, std: float = 1.0, df: float = 3.0, n_outliers: int = 6,
                     outlier_range=(6.0, 60.0), seed: int = 0) -> np.ndarray:
    """Random test tensors of unit-ish scale (float32).

    Parameters
    ----------
    kind : {"gaussian", "laplacian", "student_t", "llm_activations"}
        ``"gaussian"``: N(0, std²). ``"laplacian"``: Laplace with standard
        deviation ``std`` (scale std/√2). ``"student_t"``: Student-t with ``df``
        degrees of freedom, scaled to standard deviation ``std`` when df > 2
        (heavy tails, like trained weights). ``"llm_activations"``: a
        (tokens, channels) matrix whose bulk is N(0, 1) clipped to ±3.5, plus
        ``n_outlier`` channels (last axis) whose values all share one sign and
        have magnitudes |m_j|·(1 + 0.1·N(0, 1)) with m_j log-uniform in
        ``outlier_range`` (6–60): the systematic outlier features that
        LLM.int8() [4] reported in 2022 for transformers above ~6.7 B
        parameters.
    shape : tuple of int
        ``"llm_activations"`` needs 2-D (tokens, channels).
    seed : int
        NumPy ``default_rng`` seed: the same arguments give the same tensor.
    """
    _check_choice("kind", kind, SYNTHETIC_KINDS)
    try:
        shape = tuple(int(n) for n in (shape if np.ndim(shape) else (shape,)))
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a tuple of positive integers; got {shape!r}") from None
    if not shape or any(n < 1 for n in shape) or math.prod(shape) > 2**26:
        raise ValueError(f"shape must be positive integers with at most 2^26 values; got {shape}")
    if not std > 0:
        raise ValueError(f"std must be > 0; got {std}")
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        x = rng.standard_normal(shape) * std
    elif kind == "laplacian":
        x = rng.laplace(0.0, std / math.sqrt(2), shape)
    elif kind == "student_t":
        if not df > 0:
            raise ValueError(f"df must be > 0; got {df}")
        x = rng.standard_t(df, shape)
        if df > 2:
            x *= std / math.sqrt(df / (df - 2))
    else:
        if len(shape) != 2:
            raise ValueError(f"llm_activations needs a 2-D shape (tokens, channels); got {shape}")
        tokens, channels = shape
        n_outliers = _check_int("n_outliers", n_outliers, 0, channels)
        lo_m, hi_m = (float(v) for v in outlier_range)
        if not 0 < lo_m <= hi_m:
            raise ValueError(f"outlier_range must be 0 < low <= high; got {outlier_range}")
        x = np.clip(rng.standard_normal(shape), -3.5, 3.5)
        cols = rng.choice(channels, n_outliers, replace=False)
        mags = np.exp(rng.uniform(math.log(lo_m), math.log(hi_m), n_outliers))
        signs = rng.choice([-1.0, 1.0], n_outliers)
        x[:, cols] = signs * mags * (1 + 0.1 * rng.standard_normal((tokens, n_outliers)))
        x *= std
    return x.astype(np.float32)


# --------------------------------------------------------------------------
# metrics and limits


def error_stats(w, values) -> dict:
    """Error metrics of a quantized tensor, as a per-layer table shows them.

    Returns
    -------
    dict with
        ``mse`` = mean (w − ŵ)²; ``rel_rmse`` = √MSE / RMS(w) (llama.cpp's
        ``quantize-stats``); ``sqnr_db`` = 10·log10(Σw² / Σ(w − ŵ)²);
        ``cosine`` = ⟨w, ŵ⟩ / (‖w‖·‖ŵ‖); ``max_error`` = max |w − ŵ|.
    """
    w = _as_array(w)
    v = np.asarray(values, dtype=np.float64)
    if v.shape != w.shape:
        raise ValueError(f"values must have w's shape {w.shape}; got {v.shape}")
    e = w - v
    mse = float(np.mean(e * e))
    pw = float(np.mean(w * w))
    with np.errstate(divide="ignore", invalid="ignore"):
        sqnr = float(10 * np.log10(pw / mse)) if mse > 0 else math.inf
        rel = math.sqrt(mse / pw) if pw > 0 else math.nan
        nv = float(np.linalg.norm(w) * np.linalg.norm(v))
        cos = float(np.dot(w.ravel(), v.ravel()) / nv) if nv > 0 else math.nan
    return {"mse": mse, "rel_rmse": rel, "sqnr_db": sqnr, "cosine": cos, "max_error": float(np.max(np.abs(e)))}


def gaussian_rate_distortion(rate, variance=1.0):
    """Shannon's distortion–rate function of a memoryless Gaussian source.

    D(R) = σ² · 2^(−2R) (mean squared error per sample at R bits per sample,
    R ≥ 0): no quantizer, however complex, does better [5]. In decibels the
    SQNR is 10·log10(σ²/D) = 6.02·R dB.
    """
    r = np.asarray(rate, dtype=np.float64)
    if np.any(r < 0):
        raise ValueError("rate must be >= 0 bits per sample")
    if np.any(np.asarray(variance) <= 0):
        raise ValueError("variance must be > 0")
    return variance * np.exp2(-2.0 * r)


def gaussian_rd_sqnr_db(rate):
    """SQNR of the Gaussian rate–distortion bound, 20·log10(2)·R ≈ 6.02·R dB."""
    return 10 * np.log10(1.0 / gaussian_rate_distortion(rate))


def ecsq_mse(rate, variance=1.0):
    """High-rate MSE of an entropy-coded uniform quantizer on a Gaussian source.

    D ≈ (πe/6) · σ² · 2^(−2R): 10·log10(πe/6) = 1.53 dB (a quarter bit) above
    the rate–distortion bound, at any high rate (Gish & Pierce [6]).
    """
    return (math.pi * math.e / 6.0) * gaussian_rate_distortion(rate, variance)


def ecsq_gaussian(steps, variance=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Rate and MSE of the entropy-coded uniform quantizer of a Gaussian, exactly (not the high-rate limit).

    A mid-tread uniform quantizer of step Δ (levels kΔ, every integer k, cells
    [(k − ½)Δ, (k + ½)Δ), reconstruction at kΔ) followed by an ideal entropy
    coder: rate R = H(Q(X)) = −Σ P_k log2 P_k bits per sample and
    D = Σ ∫ (x − kΔ)² p(x) dx over the cells, from the Gaussian's partial
    moments (Φ and φ). At small Δ, D → Δ²/12 and R → h(X) − log2 Δ, so the SQNR
    approaches the rate–distortion bound minus 10·log10(πe/6) = 1.53 dB (Gish &
    Pierce [6]). At low rates the gap is not that constant: with mid-point
    reconstruction it widens to about 2.7 dB near 1.2 bits, then closes towards
    0 bits (where both rate and SQNR vanish).

    Parameters
    ----------
    steps : array_like of Δ > 0 (in units of σ when variance = 1)

    Returns
    -------
    rate, mse : float64 arrays of steps' shape
    """
    from scipy import special

    d = np.atleast_1d(np.asarray(steps, dtype=np.float64))
    if np.any(~(d > 0)):
        raise ValueError("steps must be > 0")
    if not variance > 0:
        raise ValueError("variance must be > 0")
    sigma = math.sqrt(variance)
    rates, mses = [], []
    for delta in d / sigma:
        kmax = int(np.ceil(9.0 / delta)) + 1  # beyond 9 σ the Gaussian's mass is < 1e-18
        k = np.arange(-kmax, kmax + 1, dtype=np.float64)
        a, b = (k - 0.5) * delta, (k + 0.5) * delta
        pa, pb = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi), np.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)
        P = special.ndtr(b) - special.ndtr(a)
        m1 = pa - pb  # ∫ x p(x) dx over the cell
        m2 = P + a * pa - b * pb  # ∫ x² p(x) dx over the cell
        c = k * delta
        mses.append(float(np.sum(m2 - 2 * c * m1 + c * c * P)) * variance)
        nz = P > 0
        rates.append(float(-np.sum(P[nz] * np.log2(P[nz]))))
    shape = np.shape(steps)
    return np.reshape(rates, shape), np.reshape(mses, shape)
