"""Continuous mu-law and A-law companders, and companded (non-uniform) quantization.

A compander maps the signal range [-1, 1] onto itself so that a *uniform*
quantizer applied to the compressed signal acts as a non-uniform quantizer
on the original one: fine steps near zero, coarse steps near full scale,
hence a signal-to-noise ratio that stays nearly constant over a wide range of
input levels.  The formulas are defined (and stay monotonic and odd) for any
finite input, so overload beyond +-1 is left to the quantizer's clipping.
"""

from __future__ import annotations

import numpy as np

from quantviz.quantizers import QuantizationResult, QuantizerSpec, quantize

__all__ = [
    "mu_law_compress",
    "mu_law_expand",
    "a_law_compress",
    "a_law_expand",
    "compressor",
    "expander",
    "companded_quantize",
    "LAWS",
]

LAWS = ("mu", "a")


def _finite(x, name: str) -> np.ndarray:
    """Return ``x`` as a float64 array, rejecting non-real dtypes and NaN/Inf."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr)].flat[0]
        raise ValueError(f"{name} must be finite, got value {bad}")
    return arr


def _check_mu(mu) -> float:
    mu_f = float(mu)
    if not np.isfinite(mu_f) or mu_f <= 0:
        raise ValueError(f"mu must be a finite number > 0, got mu={mu!r}")
    return mu_f


def _check_a(a) -> float:
    a_f = float(a)
    if not np.isfinite(a_f) or a_f < 1:
        raise ValueError(f"a must be a finite number >= 1, got a={a!r}")
    return a_f


def mu_law_compress(x, mu: float = 255.0) -> np.ndarray:
    """Continuous mu-law compressor.

    Parameters
    ----------
    x : array_like
        Finite real input, nominally in [-1, 1].
    mu : float, default 255.0
        Compression parameter, > 0 (255 in North-American/Japanese telephony).

    Returns
    -------
    numpy.ndarray of float64
        Compressed values, same shape as ``x``; [-1, 1] maps onto [-1, 1].

    Notes
    -----
    F(x) = sgn(x) ln(1 + mu|x|) / ln(1 + mu).

    References
    ----------
    B. Smith, "Instantaneous companding of quantized signals", Bell System
    Technical Journal 36(3), 653-709, 1957.  ITU-T Recommendation G.711.
    """
    x = _finite(x, "x")
    mu = _check_mu(mu)
    return np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)


def mu_law_expand(y, mu: float = 255.0) -> np.ndarray:
    """Continuous mu-law expander, the exact inverse of :func:`mu_law_compress`.

    Parameters
    ----------
    y : array_like
        Finite real compressed values, nominally in [-1, 1].
    mu : float, default 255.0
        Compression parameter, > 0.

    Returns
    -------
    numpy.ndarray of float64
        Expanded values, same shape as ``y``.

    Notes
    -----
    F^{-1}(y) = sgn(y) ((1 + mu)^{|y|} - 1) / mu, evaluated as
    sgn(y) expm1(|y| ln(1 + mu)) / mu.

    References
    ----------
    B. Smith, Bell System Technical Journal 36(3), 1957.  ITU-T G.711.
    """
    y = _finite(y, "y")
    mu = _check_mu(mu)
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def a_law_compress(x, a: float = 87.6) -> np.ndarray:
    """Continuous A-law compressor.

    Parameters
    ----------
    x : array_like
        Finite real input, nominally in [-1, 1].
    a : float, default 87.6
        Compression parameter, >= 1 (87.6 in European telephony; a = 1 is the
        identity).

    Returns
    -------
    numpy.ndarray of float64
        Compressed values, same shape as ``x``; [-1, 1] maps onto [-1, 1].

    Notes
    -----
    F(x) = sgn(x) A|x| / (1 + ln A)            for |x| < 1/A,
    F(x) = sgn(x) (1 + ln(A|x|)) / (1 + ln A)  for |x| >= 1/A.
    Both pieces equal 1/(1 + ln A) at |x| = 1/A, with equal slopes.

    References
    ----------
    ITU-T Recommendation G.711, "Pulse code modulation (PCM) of voice
    frequencies", 1972.  N. S. Jayant and P. Noll, *Digital Coding of
    Waveforms*, Prentice-Hall, 1984, sec. 4.5.
    """
    x = _finite(x, "x")
    a = _check_a(a)
    ax = a * np.abs(x)
    # np.maximum keeps log() away from 0; that branch is discarded where ax < 1.
    mag = np.where(ax < 1.0, ax, 1.0 + np.log(np.maximum(ax, 1.0))) / (1.0 + np.log(a))
    return np.sign(x) * mag


def a_law_expand(y, a: float = 87.6) -> np.ndarray:
    """Continuous A-law expander, the exact inverse of :func:`a_law_compress`.

    Parameters
    ----------
    y : array_like
        Finite real compressed values, nominally in [-1, 1].
    a : float, default 87.6
        Compression parameter, >= 1.

    Returns
    -------
    numpy.ndarray of float64
        Expanded values, same shape as ``y``.

    Notes
    -----
    F^{-1}(y) = sgn(y) |y| (1 + ln A) / A          for |y| < 1/(1 + ln A),
    F^{-1}(y) = sgn(y) exp(|y| (1 + ln A) - 1) / A  for |y| >= 1/(1 + ln A).

    References
    ----------
    ITU-T Recommendation G.711, 1972.  Jayant and Noll, 1984, sec. 4.5.
    """
    y = _finite(y, "y")
    a = _check_a(a)
    t = np.abs(y) * (1.0 + np.log(a))  # = A|x| on the linear piece, 1 + ln(A|x|) above
    mag = np.where(t < 1.0, t, np.exp(t - 1.0)) / a
    return np.sign(y) * mag


def _check_law(law) -> str:
    if law not in LAWS:
        raise ValueError(f"law must be one of {LAWS}, got law={law!r}")
    return law


def compressor(law: str, x, mu: float = 255.0, a: float = 87.6) -> np.ndarray:
    """Apply the mu-law (``law="mu"``) or A-law (``law="a"``) compressor.

    Parameters
    ----------
    law : {"mu", "a"}
        Which compander.
    x : array_like
        Finite real input.
    mu, a : float
        Parameters of the respective laws (the other one is ignored).

    Returns
    -------
    numpy.ndarray of float64
        :func:`mu_law_compress` ``(x, mu)`` or :func:`a_law_compress` ``(x, a)``.

    Notes
    -----
    See the two compressors for the formulas.

    References
    ----------
    ITU-T Recommendation G.711.
    """
    if _check_law(law) == "mu":
        return mu_law_compress(x, mu)
    return a_law_compress(x, a)


def expander(law: str, y, mu: float = 255.0, a: float = 87.6) -> np.ndarray:
    """Apply the mu-law (``law="mu"``) or A-law (``law="a"``) expander.

    Parameters
    ----------
    law : {"mu", "a"}
        Which compander.
    y : array_like
        Finite real compressed values.
    mu, a : float
        Parameters of the respective laws (the other one is ignored).

    Returns
    -------
    numpy.ndarray of float64
        :func:`mu_law_expand` ``(y, mu)`` or :func:`a_law_expand` ``(y, a)``.

    Notes
    -----
    See the two expanders for the formulas.

    References
    ----------
    ITU-T Recommendation G.711.
    """
    if _check_law(law) == "mu":
        return mu_law_expand(y, mu)
    return a_law_expand(y, a)


def companded_quantize(
    x, spec: QuantizerSpec | None = None, law: str = "mu", mu: float = 255.0, a: float = 87.6
) -> QuantizationResult:
    """Non-uniform quantization by compress -> uniform quantize -> expand.

    Parameters
    ----------
    x : array_like
        Finite real input, nominally in [-1, 1].
    spec : QuantizerSpec, optional
        The uniform quantizer applied in the compressed domain;
        ``QuantizerSpec()`` (8 bits on [-1, 1), midtread, clip) by default.
    law : {"mu", "a"}, default "mu"
        Which compander.
    mu, a : float
        Parameters of the mu-law (> 0) and A-law (>= 1) companders.

    Returns
    -------
    QuantizationResult
        ``input`` = x (float64), ``values`` = expanded reconstruction,
        ``step`` and ``codes`` of the uniform quantizer in the compressed
        domain, ``spec`` = ``spec``; ``.error`` = x - values.

    Notes
    -----
    Q(x) = F^{-1}(Q_u(F(x))).  For a smooth compressor F with slope F' and
    uniform step Delta, the local step is Delta / F'(x), so for fine
    quantization the error variance is (Delta^2 / 12) E[1 / F'(X)^2]
    (Bennett's integral).  For mu-law with mu|x| >> 1 this is nearly
    proportional to E[X^2], which keeps the SNR almost level-independent.

    References
    ----------
    W. R. Bennett, "Spectra of quantized signals", Bell System Technical
    Journal 27, 446-472, 1948.  B. Smith, BSTJ 36(3), 1957.  ITU-T G.711.
    """
    spec = QuantizerSpec() if spec is None else spec
    law = _check_law(law)
    x = _finite(x, "x")
    r = quantize(compressor(law, x, mu, a), spec)
    values = expander(law, r.values, mu, a)
    return QuantizationResult(input=x, values=values, step=r.step, spec=spec, codes_=r.codes)
