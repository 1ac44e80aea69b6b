"""Dither generators.

The standard amounts (``scale = 1``), for step Δ:

======== ==================== ===================== ===============================
kind     pdf                  variance              total-error power (non-subtr.)
======== ==================== ===================== ===============================
rpdf     uniform ±Δ/2         Δ²/12                 input-dependent, 0 … Δ²/4
tpdf     triangular ±Δ        Δ²/6                  Δ²/4 for every input
gaussian normal, σ = Δ/2      Δ²/4                  ≈ Δ²/3
======== ==================== ===================== ===============================

Subtractive dither of RPDF or wider makes the total error uniform on
±Δ/2, independent of the input, with power Δ²/12 (Schuchman 1964).

References
----------
.. [1] L. Schuchman, "Dither signals and their effect on quantization noise",
   IEEE Trans. Commun. Technol. 12(4), 1964.
.. [2] R. A. Wannamaker, S. P. Lipshitz, J. Vanderkooy, J. N. Wright,
   "A theory of nonsubtractive dither", IEEE Trans. Signal Process. 48(2), 2000.
"""

import numpy as np

DITHER_SIGMA = {"rpdf": 1 / np.sqrt(12), "tpdf": 1 / np.sqrt(6), "gaussian": 0.5}
"""Standard deviation of each dither at scale 1, in units of Δ."""


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
