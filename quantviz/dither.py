"""Dither generators.

The standard amounts (``scale = 1``), for step Δ:

======== ==================== ===================== ===============================
kind     pdf                  variance              total-error power (non-subtr.)
======== ==================== ===================== ===============================
rpdf     uniform ±Δ/2         Δ²/12                 input-dependent, 0 … Δ²/4
tpdf     triangular ±Δ        Δ²/6                  Δ²/4 for every input
gaussian normal, σ = Δ/2      Δ²/4                  ≈ Δ²/3
======== ==================== ===================== ===============================

Subtractive dither makes the total error e = x − (Q(x + d) − d) uniform on
±Δ/2 and independent of the input exactly when the dither's characteristic
function vanishes at every non-zero multiple of 1/Δ (Schuchman's condition):
for RPDF of width sΔ (and TPDF, the sum of two of them) when s is a whole
number (1, 2, 3, …). With ``scale = 1.5`` it is not: the error's conditional
mean and variance then vary with the input, and Δ²/12 holds only on average
over an input spread across the cells. Gaussian dither meets the condition
only approximately (its characteristic function is e^{−2π²σ²/Δ²} ≈ 0.007 at
1/Δ for σ = Δ/2); see :func:`subtractive_makes_error_independent`.

References
----------
.. [1] L. Schuchman, "Dither signals and their effect on quantization noise",
   IEEE Trans. Commun. Technol. 12(4), 1964.
.. [3] S. P. Lipshitz, R. A. Wannamaker, J. Vanderkooy, "Quantization and
   dither: a theoretical survey", J. Audio Eng. Soc. 40(5), 1992, §2–3.
.. [2] R. A. Wannamaker, S. P. Lipshitz, J. Vanderkooy, J. N. Wright,
   "A theory of nonsubtractive dither", IEEE Trans. Signal Process. 48(2), 2000.
"""

import numpy as np

DITHER_SIGMA = {"rpdf": 1 / np.sqrt(12), "tpdf": 1 / np.sqrt(6), "gaussian": 0.5}
"""Standard deviation of each dither at scale 1, in units of Δ."""


def subtractive_makes_error_independent(kind: str, scale: float = 1.0) -> bool:
    """Whether subtractive dither of this kind and scale makes the total error independent of the input.

    Notes
    -----
    Schuchman's condition: the dither's characteristic function M_d(u) vanishes at u = n/Δ for every
    integer n ≠ 0. RPDF of width sΔ has M_d(u) = sinc(sΔu), zero at u = n/Δ for all n ≠ 0 iff s is a
    positive whole number; TPDF at scale s is the sum of two such RPDFs, M_d = sinc², the same
    condition. Gaussian dither never meets it exactly (see the module docstring).

    References
    ----------
    .. [1] Lipshitz, Wannamaker, Vanderkooy, JAES 40(5), 1992, eq. (20) ff.; Schuchman 1964.
    """
    if kind not in DITHER_SIGMA:
        raise ValueError(f"dither must be 'rpdf', 'tpdf' or 'gaussian'; got {kind!r}")
    return kind in ("rpdf", "tpdf") and scale >= 1 and float(scale).is_integer()


def dither_noise(shape, kind: str, step: float, scale: float = 1.0, rng=None) -> np.ndarray:
    """Draw dither samples.

    Parameters
    ----------
    shape : tuple of int
    kind : {"rpdf", "tpdf", "gaussian"}
    step : float
        Quantizer step Δ.
    scale : float
        Multiplies the standard amount (RPDF ±Δ/2, TPDF ±Δ, Gaussian σ = Δ/2).
    rng : numpy.random.Generator, optional

    Returns
    -------
    ndarray of float64
    """
    rng = np.random.default_rng() if rng is None else rng
    a = step * scale
    if kind == "rpdf":
        return rng.uniform(-a / 2, a / 2, shape)
    if kind == "tpdf":
        return rng.uniform(-a / 2, a / 2, shape) + rng.uniform(-a / 2, a / 2, shape)
    if kind == "gaussian":
        return rng.normal(0.0, a / 2, shape)
    raise ValueError(f"dither must be 'rpdf', 'tpdf' or 'gaussian'; got {kind!r}")
