"""Textbook formulas for quantization noise. Pages never re-derive these.

References
----------
.. [1] B. Widrow, I. Kollár, "Quantization Noise", Cambridge Univ. Press, 2008.
.. [2] N. S. Jayant, P. Noll, "Digital Coding of Waveforms", Prentice-Hall, 1984.
"""

import math

import numpy as np

from quantviz.quantizers import _check_choice

DB_PER_BIT = 20 * math.log10(2)  # 6.0206 dB
SINE_OFFSET_DB = 10 * math.log10(1.5)  # 1.7609 dB


ROUNDING_MOMENTS = {  # rule -> (|conditional mean|, conditional variance) of e = x − Q(x), in Δ and Δ²
    "nearest": (0.0, 1 / 12),
    "floor": (0.5, 1 / 12),
    "ceil": (0.5, 1 / 12),
    "toward_zero": (0.5, 1 / 12),
    "stochastic": (0.0, 1 / 6),
}
"""For an input spread uniformly within a cell. Rounding to nearest: e ~ U(−Δ/2, Δ/2). Floor:
e = x − ⌊x⌋ ~ U(0, Δ), mean +Δ/2 (Q(x) is biased by −Δ/2), variance Δ²/12, E[e²] = Δ²/3. Ceil:
U(−Δ, 0). Toward zero: floor for x ≥ 0, ceil for x < 0, so the mean is ±Δ/2 with the input's sign.
Stochastic (round up with probability f, the fractional position): E[e² | f] = f(1 − f)·Δ², whose
mean over f ~ U(0, 1) is Δ²/6, and E[e] = 0."""

_PEAK_DITHER = {"none": 0.0, "rpdf": 0.5, "tpdf": 1.0, "gaussian": math.inf}  # |d| ≤ peak·scale·Δ


def _check_step(step, name="step"):
    s = np.asarray(step, dtype=float)
    if not np.all(np.isfinite(s) & (s > 0)):
        raise ValueError(f"{name} must be a finite number > 0; got {step!r}")
    return step


def _check_order(order, name="order"):
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"{name} must be an integer ≥ 0; got {order!r}")
    return int(order)


def _check_scale(scale):
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"dither_scale must be a finite number ≥ 0; got {scale!r}")
    return float(scale)


def uniform_noise_power(step):
    """Power of uniform quantization noise, σ² = Δ²/12."""
    return np.square(_check_step(step)) / 12.0


def max_error(step):
    """Largest granular error of rounding to nearest without dither, Δ/2 (see :func:`max_error_bound`
    for the other settings)."""
    return _check_step(step) / 2


def sine_sqnr_db(bits):
    """SQNR of a full-scale sine, 20·log10(2^b) + 10·log10(3/2) ≈ 6.02b + 1.76 dB (b ≥ 1)."""
    if not np.all(np.asarray(bits, dtype=float) >= 1):
        raise ValueError(f"bits must be ≥ 1; got {bits!r}")
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
    order = _check_order(order)
    return math.comb(2 * order, order)


def ntf_power(freq, fs, order: int):
    """|NTF(e^{jω})|² = (2 sin(ω/2))^{2k}, ω = 2π f / fs."""
    w = 2 * np.pi * np.asarray(freq, dtype=float) / fs
    return (2 * np.sin(w / 2)) ** (2 * order)


def dither_power(kind: str, step, scale: float = 1.0):
    """Variance of the dither, σ_d²: 0 (none), (sΔ)²/12 (RPDF ±sΔ/2), (sΔ)²/6 (TPDF ±sΔ), (sΔ/2)² (Gaussian)."""
    from quantviz.dither import DITHER_SIGMA

    _check_choice("dither", kind, ("none", *DITHER_SIGMA))
    step, scale = _check_step(step), _check_scale(scale)
    return 0.0 * step if kind == "none" else (DITHER_SIGMA[kind] * scale * step) ** 2


def dither_error_power(kind: str, step, subtractive: bool = False, scale: float = 1.0):
    """Mean total-error power with dither and rounding to nearest (averaged over the input);
    :func:`error_power` with ``rounding="nearest"``, ``noise_shaping=0``.

    Notes
    -----
    Non-subtractive: Δ²/12 + σ_d², i.e. Δ²/12 (none), Δ²/6 (RPDF), Δ²/4 (TPDF, for every input),
    Δ²/3 (Gaussian σ = Δ/2). Subtractive: Δ²/12 (for RPDF/TPDF of a whole number of steps for every
    input, Schuchman; otherwise on average over the input).
    """
    return error_power(step, kind, scale, subtractive)


def white_error_power(step, dither: str = "none", dither_scale: float = 1.0, subtractive: bool = False,
                      rounding: str = "nearest"):
    """The zero-mean part of the quantizer's error, σ_r² + σ_d²: what error feedback shapes and what
    spreads flat over a spectrum (:func:`error_power` without the rule's bias; see there)."""
    _check_choice("rounding", rounding, tuple(ROUNDING_MOMENTS))
    white = ROUNDING_MOMENTS[rounding][1] * np.square(_check_step(step))
    return white + (0.0 if subtractive else dither_power(dither, step, dither_scale))


def error_power(step, dither: str = "none", dither_scale: float = 1.0, subtractive: bool = False,
                noise_shaping: int = 0, rounding: str = "nearest"):
    """Predicted total mean-square error E[(x − Q(x))²] of a quantizer in its granular region.

    Parameters
    ----------
    step : float
        Δ > 0.
    dither, dither_scale, subtractive, noise_shaping, rounding
        As in :class:`quantviz.QuantizerSpec`.

    Notes
    -----
    Model: the input is spread uniformly within a cell (a busy signal), so the rounding error ε of
    v = x + d is independent of the dither d. Let μ_r and σ_r² be the rounding rule's conditional
    mean and variance (:data:`ROUNDING_MOMENTS`): σ_r² = Δ²/12 (nearest, floor, ceil, toward zero),
    Δ²/6 (stochastic), |μ_r| = Δ/2 for floor, ceil and toward zero, 0 otherwise.

    * Without noise shaping: P_e = μ_r² + σ_r² + σ_d², where the dither's power σ_d²
      (:func:`dither_power`) adds unless it is subtracted (then e = ε exactly). So
      Δ²/12 (nearest), Δ²/3 (floor, ceil, toward zero: the Δ/2 bias included; for toward zero the
      bias is ±Δ/2 with the sign of x, so it cancels in the mean of a symmetric signal but not in
      the mean square), Δ²/6 (stochastic); + Δ²/6 for TPDF, so nearest + TPDF gives Δ²/4.
    * With error feedback of order k ≥ 1 the total error is (1 − z⁻¹)^k e_q. The filter removes a
      constant, so the rule's bias drops out: P_e = (σ_r² + σ_d²)·C(2k, k)
      (:func:`noise_shaping_gain`). For toward zero, whose bias flips with the sign of the input,
      the shaped sign changes add :func:`toward_zero_sign_power` (small for a slow signal).

    References
    ----------
    .. [1] B. Widrow, I. Kollár, "Quantization Noise", 2008, ch. 4–5 (the uniform model).
    .. [2] S. P. Lipshitz, R. A. Wannamaker, J. Vanderkooy, "Quantization and dither: a
       theoretical survey", J. Audio Eng. Soc. 40(5), 1992.
    .. [3] M. Croci et al., "Stochastic rounding: implementation, error analysis and
       applications", R. Soc. Open Sci. 9, 2022 (E[e²] = f(1 − f)Δ²).
    """
    order = _check_order(noise_shaping, "noise_shaping")
    white = white_error_power(step, dither, dither_scale, subtractive, rounding)
    if order:
        return white * noise_shaping_gain(order)
    return white + (ROUNDING_MOMENTS[rounding][0] * step) ** 2


def toward_zero_sign_power(x, step, noise_shaping: int):
    """Power of the shaped sign term of rounding toward zero, which :func:`error_power` neglects.

    Notes
    -----
    Toward zero, e = (Δ/2)·sgn(x) + u with u zero-mean, of variance Δ²/12. Error feedback of order
    k ≥ 1 passes (1 − z⁻¹)^k[(Δ/2)·sgn(x)], which is non-zero only around the input's sign changes:
    P_s = mean(((1 − z⁻¹)^k (Δ/2)·sgn(x))²) along the last axis. Each isolated sign change is a
    step of Δ whose shaped energy is C(2k − 2, k − 1)·Δ², so a slow signal gives about
    Δ²·(sign changes per sample)·C(2k − 2, k − 1); an i.i.d. symmetric one (Δ²/4)·C(2k, k). The total is
    then ≈ :func:`error_power` + P_s (the sign of x stands in for the sign of the fed-back input).
    """
    order = _check_order(noise_shaping, "noise_shaping")
    s = np.sign(np.asarray(x, dtype=np.float64)) * (_check_step(step) / 2)
    if not order or s.size == 0:
        return 0.0
    pad = np.concatenate([np.zeros(s.shape[:-1] + (order,)), s], axis=-1)  # the loop starts from rest
    return float(np.mean(np.diff(pad, n=order, axis=-1) ** 2))


def mean_error(step, rounding: str = "nearest", noise_shaping: int = 0, sign_balance: float = 0.0):
    """Predicted mean error E[x − Q(x)] (the negative of Q's DC bias) in the granular region.

    Notes
    -----
    +Δ/2 for floor (Q(x) ≤ x, so Q is biased by −Δ/2), −Δ/2 for ceil, 0 for nearest and stochastic;
    for toward zero +Δ/2 where x > 0 and −Δ/2 where x < 0, hence (Δ/2)·(P(x > 0) − P(x < 0)),
    ``sign_balance`` = P(x > 0) − P(x < 0). Zero-mean dither changes none of these. Noise shaping
    of order k ≥ 1 removes a constant ((1 − z⁻¹)^k has a zero at DC), so the mean is 0.
    """
    _check_choice("rounding", rounding, tuple(ROUNDING_MOMENTS))
    step = _check_step(step)
    if _check_order(noise_shaping, "noise_shaping") or ROUNDING_MOMENTS[rounding][0] == 0:
        return 0.0 * step
    sign = {"floor": 1.0, "ceil": -1.0, "toward_zero": float(sign_balance)}[rounding]
    return sign * step / 2


_RULE_INTERVAL = {  # rule -> (centre, half-width) of e = x − Q(x) in Δ: e ∈ [c − w, c + w]
    "nearest": (0.0, 0.5), "floor": (0.5, 0.5), "ceil": (-0.5, 0.5), "toward_zero": (0.0, 1.0),
    "stochastic": (0.0, 1.0)}


def max_error_bound(rounding: str = "nearest", dither: str = "none", dither_scale: float = 1.0,
                    subtractive: bool = False, noise_shaping: int = 0) -> tuple[float, str]:
    """Bound on max |x − Q(x)| in steps Δ while the input (plus dither and feedback) stays inside the
    range, and a short text saying where it comes from; ``inf`` when there is none.

    Notes
    -----
    Per sample the rounding error lies in an interval of centre c and half-width w: nearest
    [−½, ½]Δ, floor [0, 1)Δ, ceil (−1, 0]Δ, toward zero and stochastic (−1, 1)Δ. Non-subtractive
    dither widens it by its peak: RPDF ±sΔ/2, TPDF ±sΔ, Gaussian unbounded; subtractive dither
    leaves e = ε. So without shaping |e| ≤ |c| + w: 0.5 Δ (nearest), 1 Δ (the others), 1.5 Δ
    (nearest + TPDF). With error feedback of order k ≥ 1 the total error is Σ_j h_j e_q[n − j] with
    h the coefficients of (1 − z⁻¹)^k: Σ h_j = 0 removes the centre and Σ|h_j| = 2^k, so
    |e| ≤ 2^k·w: 2 Δ for nearest at k = 2, 6 Δ with TPDF. (When |c| + w > 2 the fed-back error is
    limited to ±2Δ and the looser |c| + w + (2^k − 1)·2 holds.) Outside the range (clipping,
    wrap-around) the error is unbounded: see :func:`quantviz.analysis.clip_fraction`.
    """
    _check_choice("rounding", rounding, tuple(_RULE_INTERVAL))
    _check_choice("dither", dither, tuple(_PEAK_DITHER))
    scale = _check_scale(dither_scale)
    order = _check_order(noise_shaping, "noise_shaping")
    centre, half = _RULE_INTERVAL[rounding]
    peak = 0.0 if subtractive or dither == "none" or scale == 0 else _PEAK_DITHER[dither] * scale
    if math.isinf(peak):
        return math.inf, "unbounded (Gaussian dither)"
    w = half + peak
    top = abs(centre) + w
    if not order:
        bound = top
        why = ([f"{top - peak:g} ({rounding.replace('_', ' ')})"] + ([f"{peak:g} ({dither.upper()})"] if peak else []))
        text = " + ".join(why) if peak else ("" if rounding == "nearest" else rounding.replace("_", " "))
    else:
        bound = 2**order * w if top <= 2 else top + (2**order - 1) * 2.0
        text = f"±{w:g} Δ × 2^{order} (shaping)"
    strict = rounding != "nearest" and not peak and not order
    return bound, f"{'<' if strict else '≤'} {bound:g} Δ" + (f": {text}" if text else "")


def inband_fraction(fs, f_hi, f_lo: float = 0.0, order: int = 0):
    """Power of white noise shaped by (1 − z⁻¹)^k that falls in [f_lo, f_hi], relative to the white
    noise's total power.

    Notes
    -----
    With θ = πf/fs, (2 sin θ)^{2k} = C(2k, k) + 2 Σ_{j=1..k} (−1)^j C(2k, k − j) cos(2jθ), so

        (2/fs) ∫_{f_lo}^{f_hi} |NTF(f)|² df = (2/π) [G(θ_hi) − G(θ_lo)],
        G(θ) = C(2k, k)·θ + Σ_{j=1..k} (−1)^j C(2k, k − j) sin(2jθ)/j.

    Over the whole band [0, fs/2] this is C(2k, k) (:func:`noise_shaping_gain`); for k = 0 it is
    the band's share 2(f_hi − f_lo)/fs.
    """
    order = _check_order(order)
    if not (0 <= f_lo < f_hi <= fs / 2):
        raise ValueError(f"the band must satisfy 0 ≤ f_lo < f_hi ≤ fs/2; got f_lo={f_lo!r}, f_hi={f_hi!r}, fs={fs!r}")

    def g(theta):
        return math.comb(2 * order, order) * theta + sum(
            (-1) ** j * math.comb(2 * order, order - j) * math.sin(2 * j * theta) / j for j in range(1, order + 1))

    return 2 / math.pi * (g(math.pi * f_hi / fs) - g(math.pi * f_lo / fs))


def inband_error_power(step, fs, f_hi, f_lo: float = 0.0, dither: str = "none", dither_scale: float = 1.0,
                       subtractive: bool = False, noise_shaping: int = 0, rounding: str = "nearest"):
    """Predicted error power in the band [f_lo, f_hi].

    Notes
    -----
    The error's zero-mean part is white with power σ_r² + σ_d² (see :func:`error_power`); shaped by
    (1 − z⁻¹)^k its in-band share is :func:`inband_fraction`. Without shaping, the bias μ_r of floor
    and ceil is a constant, all at 0 Hz: μ_r² counts when the band holds DC (f_lo = 0). The bias of
    toward zero flips with the input's sign; it is counted as white here (an approximation: its
    spectrum follows the sign of the signal). With shaping the bias is removed.
    """
    order = _check_order(noise_shaping, "noise_shaping")
    white = white_error_power(step, dither, dither_scale, subtractive, rounding)
    bias2 = (ROUNDING_MOMENTS[rounding][0] * step) ** 2
    dc = 0.0
    if not order and rounding == "toward_zero":
        white = white + bias2
    elif not order and f_lo == 0:
        dc = bias2
    return white * inband_fraction(fs, f_hi, f_lo, order) + dc


def enob_from_error_power(power, full_scale_range):
    """ENOB = log2(FSR / √(12·P_e)) (IEEE Std 1241-2010, §9.5): the word length of an ideal
    quantizer over the same full-scale range whose Δ²/12 equals the error power P_e.

    Notes
    -----
    With FSR = 2^b·Δ (the granular range of a b-bit grid) this is b − ½·log2(P_e/(Δ²/12)): exactly b
    when P_e = Δ²/12, b − 1 when P_e = Δ²/3 (truncation), b − 0.79 with TPDF dither (Δ²/4). It equals
    (SINAD − 1.76)/6.02 for a full-scale sine test signal. It exceeds b when the error is smaller than
    Δ²/12, i.e. when the additive-noise model does not apply (a signal on the levels, or below Δ/2 so
    that Q(x) is digital silence and e = x): see :func:`quantviz.analysis.analyse_signal`'s cap.

    References
    ----------
    .. [1] IEEE Std 1241-2010, "Terminology and test methods for analog-to-digital converters".
    """
    _check_step(full_scale_range, "full_scale_range")
    with np.errstate(divide="ignore"):
        return np.log2(full_scale_range / np.sqrt(12 * np.asarray(power, float)))


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
    the sine (Analog Devices, MT-001), raised by 10·log10(ENBW): +1.76 dB for
    the Hann window of :func:`quantviz.spectral.power_spectrum_dbfs` (a
    rectangular window, ENBW = 1, gives MT-001's value).
    """
    return 10 * np.log10(4 * uniform_noise_power(step) * enbw / nperseg)


def enob_from_sqnr(sqnr) -> float:
    """ENOB = (SQNR − 1.76) / 6.02."""
    return (np.asarray(sqnr, float) - SINE_OFFSET_DB) / DB_PER_BIT


def loaded_sqnr_db(bits, loading_db):
    """SQNR of a Gaussian-like signal with RMS σ quantized on [−1, 1) by b bits,
    ignoring overload: 6.02b + 4.77 + 20·log10(σ) dB (σ = 10^(loading_db/20))."""
    return DB_PER_BIT * np.asarray(bits, float) + 10 * math.log10(3) + np.asarray(loading_db, float)
