"""Textbook formulas for quantization noise. Pages never re-derive these.

References
----------
.. [1] B. Widrow, I. Kollár, "Quantization Noise", Cambridge Univ. Press, 2008.
.. [2] N. S. Jayant, P. Noll, "Digital Coding of Waveforms", Prentice-Hall, 1984.
"""

import math

import numpy as np

DB_PER_BIT = 20 * math.log10(2)  # 6.0206 dB
SINE_OFFSET_DB = 10 * math.log10(1.5)  # 1.7609 dB


def uniform_noise_power(step):
    """Power of uniform quantization noise, σ² = Δ²/12."""
    return np.square(step) / 12.0


def max_error(step):
    """Largest granular error of rounding to nearest, Δ/2."""
    return step / 2


def sine_sqnr_db(bits):
    """SQNR of a full-scale sine, 20·log10(2^b) + 10·log10(3/2) ≈ 6.02b + 1.76 dB."""
    return np.multiply(DB_PER_BIT, bits) + SINE_OFFSET_DB


def sqnr_db(signal_power, step):
    """SQNR predicted by the additive-noise model, 10·log10(P_x / (Δ²/12)) dB."""
    return 10 * np.log10(np.asarray(signal_power, float) / uniform_noise_power(step))


def noise_shaping_gain(order: int) -> int:
    """Power gain of white noise through NTF(z) = (1 − z⁻¹)^k.

    Notes
    -----
    Σ_j C(k, j)² = C(2k, k): 1, 2, 6, 20 for k = 0, 1, 2, 3.
    """
    return math.comb(2 * order, order)


def ntf_power(freq, fs, order: int):
    """|NTF(e^{jω})|² = (2 sin(ω/2))^{2k}, ω = 2π f / fs."""
    w = 2 * np.pi * np.asarray(freq, dtype=float) / fs
    return (2 * np.sin(w / 2)) ** (2 * order)


def dither_error_power(kind: str, step, subtractive: bool = False, scale: float = 1.0):
    """Mean total-error power with dither (averaged over the input).

    Notes
    -----
    Subtractive: Δ²/12 for any dither at least RPDF-wide (Schuchman).
    Non-subtractive: Δ²/12 + σ_d², i.e. Δ²/12 (none), Δ²/6 (RPDF on average),
    Δ²/4 (TPDF, for every input), Δ²/3 (Gaussian σ = Δ/2).
    """
    from quantviz.dither import DITHER_SIGMA

    base = uniform_noise_power(step)
    if kind == "none" or subtractive:
        return base
    return base + (DITHER_SIGMA[kind] * scale * step) ** 2


def error_power(step, dither: str = "none", dither_scale: float = 1.0, subtractive: bool = False,
                noise_shaping: int = 0):
    """Predicted total-error power of a quantizer in its granular region.

    Notes
    -----
    P_e = (Δ²/12 + σ_d²) · C(2k, k): the dither's power adds unless it is
    subtracted (:func:`dither_error_power`), and error feedback of order k
    multiplies white error power by C(2k, k) (:func:`noise_shaping_gain`).
    """
    return dither_error_power(dither, step, subtractive, dither_scale) * noise_shaping_gain(noise_shaping)


def bennett_noise_power(x, bits: int, law: str | None = None, mu: float = 255.0, a: float = 87.6, axis=None):
    """Granular noise power of a compander F followed by a b-bit uniform quantizer on [−1, 1] (Bennett).

    Parameters
    ----------
    x : array_like
        Samples in full-scale units (their level included).
    bits : int
        Word length of the uniform quantizer in the compressed domain, Δ = 2/2^b.
    law : {None, "mu", "a"}
        None for no compander (F(x) = x, P_e = Δ²/12).
    mu, a : float
        The compander's parameter.
    axis : int or None
        Average over this axis (None: over everything).

    Notes
    -----
    P_e = (Δ²/12)·E[1/F′(x)²], with
    μ-law 1/F′(x)² = ln²(1 + μ)·(1/μ + |x|)² and
    A-law 1/F′(x)² = (1 + ln A)²·max(|x|, 1/A)².
    For loud signals (σ ≫ 1/μ) the μ-law SNR tends to 6.02b + 4.77 − 20·log10 ln(1 + μ)
    ≈ 38 dB at b = 8, independent of the level. Overload is ignored.

    References
    ----------
    .. [1] W. R. Bennett, "Spectra of quantized signals", Bell Syst. Tech. J. 27, 1948.
    .. [2] B. Smith, "Instantaneous companding of quantized signals", Bell Syst. Tech. J. 36, 1957.
    .. [3] N. S. Jayant, P. Noll, "Digital Coding of Waveforms", 1984, ch. 4–5.
    """
    ax = np.abs(np.asarray(x, dtype=np.float64))
    if law is None:
        inv_slope2 = np.ones_like(ax)
    elif law == "mu":
        inv_slope2 = math.log1p(mu) ** 2 * (1.0 / mu + ax) ** 2
    elif law == "a":
        inv_slope2 = (1 + math.log(a)) ** 2 * np.maximum(ax, 1.0 / a) ** 2
    else:
        raise ValueError(f"law must be None, 'mu' or 'a'; got {law!r}")
    return uniform_noise_power(2.0 / 2**bits) * np.mean(inv_slope2, axis=axis)


def noise_floor_dbfs(step, nperseg: int, enbw: float = 1.5):
    """Level of white quantization noise in one bin of the spectra drawn by
    :func:`quantviz.spectral.power_spectrum_dbfs` (0 dBFS = a full-scale sine).

    Notes
    -----
    Noise of power σ² = Δ²/12 spreads over nperseg/2 bins; each bin of a
    window with equivalent noise bandwidth ENBW (1.5 bins for Hann) holds
    2σ²·ENBW/nperseg, and a full-scale sine holds 1/2, so

        floor = 10·log10(4σ²·ENBW / nperseg) dBFS,

    i.e. the SQNR plus the FFT's processing gain 10·log10(nperseg/2) below
    the sine (Analog Devices, MT-001).
    """
    return 10 * np.log10(4 * uniform_noise_power(step) * enbw / nperseg)


def enob_from_sqnr(sqnr) -> float:
    """ENOB = (SQNR − 1.76) / 6.02."""
    return (np.asarray(sqnr, float) - SINE_OFFSET_DB) / DB_PER_BIT


def loaded_sqnr_db(bits, loading_db):
    """SQNR of a Gaussian-like signal with RMS σ quantized on [−1, 1) by b bits,
    ignoring overload: 6.02b + 4.77 + 20·log10(σ) dB (σ = 10^(loading_db/20))."""
    return DB_PER_BIT * np.asarray(bits, float) + 10 * math.log10(3) + np.asarray(loading_db, float)
