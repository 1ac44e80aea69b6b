"""Activation outliers in a matrix product: per-tensor INT8, LLM.int8() and SmoothQuant.

A linear layer computes Y = X·W with X the activations (tokens × features)
and W the weights (features × outputs). In large transformers a few feature
columns of X reach 20–60× the rest (Dettmers et al. 2022 [1], observed above
about 6.7 B parameters). With one INT8 scale for X the step s = max|X|/127 is
set by those columns, and the bulk of X (|x| ≲ 3.5) gets only a few levels.
Two remedies are measured here **on the product XW**, which is what the next
layer sees:

* **LLM.int8()** [1]: the feature columns j whose largest |X_ij| reaches a
  threshold (6.0 in the paper) are multiplied in FP16 (X[:, j] and W[j, :]);
  the rest in INT8 with vector-wise scales, one per row of X (token) and one
  per column of W (output):
  Y ≈ X_O·W_O (FP16) + diag(s_x)·(Q_x·Q_w)·diag(s_w).
* **SmoothQuant** [2]: move difficulty from X to W by a per-feature factor
  s_j = max|X_j|^α / max|W_j|^(1−α) (α = 0.5 by default), X' = X·diag(s)⁻¹,
  W' = diag(s)·W, so X'W' = XW exactly before rounding; then X' per-tensor
  INT8 and W' per-output-channel INT8.

The error measure is the SQNR of the product,
10·log10(ΣY² / Σ(Y − Ŷ)²), with Y the float64 product.

References
----------
.. [1] T. Dettmers, M. Lewis, Y. Belkada, L. Zettlemoyer, "LLM.int8(): 8-bit
   Matrix Multiplication for Transformers at Scale", NeurIPS 2022,
   arXiv:2208.07339.
.. [2] G. Xiao, J. Lin, M. Seznec, H. Wu, J. Demouth, S. Han, "SmoothQuant:
   Accurate and Efficient Post-Training Quantization for Large Language
   Models", ICML 2023, arXiv:2211.10438 (Eq. 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quantviz.formats import cast_float
from quantviz.tensors import quantize_tensor

__all__ = ["MatmulResult", "MATMUL_METHODS", "product_sqnr_db", "int8_matmul", "llm_int8_matmul",
           "smoothquant_scales", "smoothquant_matmul", "compare_matmul"]

MATMUL_METHODS = ("float", "int8_tensor", "int8_vectorwise", "llm_int8", "smoothquant")


@dataclass(frozen=True, eq=False)
class MatmulResult:
    """Ŷ ≈ X·W computed one way, with what that way kept aside.

    ``values``: the product Ŷ (float64); ``sqnr_db``: its SQNR against the
    float64 product; ``x_values``: the activations the integer part saw, after
    quantization (outlier columns zeroed for LLM.int8(), divided by s for
    SmoothQuant); ``outliers``: boolean mask of the feature columns kept in
    FP16 (LLM.int8()) or None; ``smooth``: SmoothQuant's s_j or None;
    ``x_step``: the INT8 step of the (per-tensor) activation grid, or the
    median per-row step for vector-wise.
    """

    method: str
    values: np.ndarray
    sqnr_db: float
    x_values: np.ndarray
    outliers: np.ndarray | None = None
    smooth: np.ndarray | None = None
    x_step: float = math.nan


def _check(x, w, bits):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0] or x.size == 0 or w.size == 0:
        raise ValueError(f"x must be (tokens, features) and w (features, outputs) with the same features; got "
                         f"{x.shape} and {w.shape}")
    if not (np.isfinite(x).all() and np.isfinite(w).all()):
        raise ValueError("x and w must be finite")
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an integer in [2, 16]; got {bits!r}")
    return x, w


def product_sqnr_db(y, y_hat) -> float:
    """SQNR of a product: 10·log10(ΣY² / Σ(Y − Ŷ)²) in dB (inf when exact)."""
    y = np.asarray(y, dtype=np.float64)
    e = y - np.asarray(y_hat, dtype=np.float64)
    num, den = float(np.sum(y * y)), float(np.sum(e * e))
    if den == 0:
        return math.inf
    return 10 * math.log10(num / den) if num > 0 else -math.inf


def _q(a, bits, granularity, axis=0):
    r = quantize_tensor(a, bits, True, granularity, axis=axis)
    return r.values.astype(np.float64), r


def int8_matmul(x, w, bits: int = 8, vectorwise: bool = False) -> MatmulResult:
    """Both operands in symmetric INT b, then multiplied (integer product, float rescale).

    ``vectorwise=False``: one scale for all of X (per tensor), one per output
    column of W (the usual weight default). ``vectorwise=True``: one scale per
    row (token) of X as well (LLM.int8()'s "vector-wise" quantization).
    """
    x, w = _check(x, w, bits)
    xq, rx = _q(x, bits, "channel" if vectorwise else "tensor", axis=0)
    wq, _ = _q(w, bits, "channel", axis=1)
    y_hat = xq @ wq
    step = float(np.median(rx.scale)) if vectorwise else float(rx.scale)
    return MatmulResult("int8_vectorwise" if vectorwise else "int8_tensor", y_hat, product_sqnr_db(x @ w, y_hat),
                        xq, x_step=step)


def llm_int8_matmul(x, w, threshold: float = 6.0, bits: int = 8) -> MatmulResult:
    """LLM.int8()'s mixed-precision decomposition [1].

    Feature columns j with max_i |X_ij| ≥ ``threshold`` go through an FP16
    product X[:, O]·W[O, :] (both operands rounded to FP16, the product
    accumulated in float); the others through vector-wise INT b (a scale per
    row of X and per column of W). Ŷ is their sum.
    """
    x, w = _check(x, w, bits)
    if not (isinstance(threshold, (int, float, np.floating)) and threshold > 0 and math.isfinite(threshold)):
        raise ValueError(f"threshold must be a positive number; got {threshold!r}")
    out = np.max(np.abs(x), axis=0) >= threshold
    y_hat = np.zeros((x.shape[0], w.shape[1]))
    if out.any():
        y_hat += (cast_float(x[:, out], "fp16").astype(np.float64) @ cast_float(w[out], "fp16").astype(np.float64))
    xr = np.where(out[None, :], 0.0, x)
    step = math.nan
    if (~out).any():
        xq, rx = _q(xr, bits, "channel", axis=0)
        wq, _ = _q(np.where(out[:, None], 0.0, w), bits, "channel", axis=1)
        y_hat += xq @ wq
        step = float(np.median(rx.scale))
    else:
        xq = xr
    return MatmulResult("llm_int8", y_hat, product_sqnr_db(x @ w, y_hat), xq, outliers=out, x_step=step)


def smoothquant_scales(x, w, alpha: float = 0.5) -> np.ndarray:
    """SmoothQuant's per-feature factors s_j = max_i|X_ij|^α / max_k|W_jk|^(1−α) [2, Eq. 4].

    A feature with max|X_j| = 0 or max|W_j| = 0 gets s_j = 1 (nothing to move), and so does one whose maximum
    is below the smallest normal float (a subnormal maximum made 1/s_j overflow: Ŷ was NaN). Factors are held
    within 2^±256, so that X/s and s·W stay finite.
    """
    x, w = _check(x, w, 8)
    if not (isinstance(alpha, (int, float, np.floating)) and 0.0 <= alpha <= 1.0):
        raise ValueError(f"alpha must be in [0, 1]; got {alpha!r}")
    ax = np.max(np.abs(x), axis=0)
    aw = np.max(np.abs(w), axis=1)
    tiny = np.finfo(np.float64).tiny
    ok = (ax >= tiny) & (aw >= tiny)
    s = np.ones_like(ax)
    with np.errstate(over="ignore", under="ignore"):
        s[ok] = np.clip(ax[ok] ** alpha / aw[ok] ** (1.0 - alpha), 2.0 ** -256, 2.0 ** 256)
    return s


def smoothquant_matmul(x, w, alpha: float = 0.5, bits: int = 8) -> MatmulResult:
    """X' = X·diag(s)⁻¹ per-tensor INT b, W' = diag(s)·W per-output-channel INT b, Ŷ = Q(X')·Q(W') [2]."""
    x, w = _check(x, w, bits)
    s = smoothquant_scales(x, w, alpha)
    xq, rx = _q(x / s[None, :], bits, "tensor")
    wq, _ = _q(w * s[:, None], bits, "channel", axis=1)
    y_hat = xq @ wq
    return MatmulResult("smoothquant", y_hat, product_sqnr_db(x @ w, y_hat), xq, smooth=s, x_step=float(rx.scale))


def compare_matmul(x, w, *, bits: int = 8, threshold: float = 6.0, alpha: float = 0.5) -> dict:
    """Every method of :data:`MATMUL_METHODS` (but float) on the same X, W: method -> MatmulResult."""
    return {"int8_tensor": int8_matmul(x, w, bits), "int8_vectorwise": int8_matmul(x, w, bits, vectorwise=True),
            "llm_int8": llm_int8_matmul(x, w, threshold, bits), "smoothquant": smoothquant_matmul(x, w, alpha, bits)}
