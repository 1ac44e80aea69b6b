"""One call that computes everything the Signals page shows about a quantizer.

Metrics use every sample; spectra, the SQNR-vs-bits sweep and the
autocorrelation use the first ``max_analysis`` samples, which is plenty for
display and keeps a 1M-sample signal interactive.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from quantviz import _kernels, metrics, spectral, theory
from quantviz.quantizers import QuantizerSpec, quantize

SWEEP_BITS = np.arange(1, 25)


@dataclass(frozen=True)
class SignalAnalysis:
    """Q(x), the metrics against theory, and the error histogram (the always-shown part).

    ``metrics`` and ``predicted`` share their keys (values in the signal's units; ``mean`` is the
    mean of e = x − Q(x)); ``notes`` holds the texts the page shows beside them: ``max_abs`` (where
    the bound comes from), ``enob`` (empty, or why the value is shown as "≥ b"), ``model`` (which
    model the predictions use). ``band`` is the (f_lo, f_hi) of ``inband_snr``, or None.
    """

    values: np.ndarray  # Q(x), for the time window
    step: float
    metrics: dict  # name -> measured value
    predicted: dict  # name -> theoretical value for the current settings
    clip_fraction: float
    hist_centers: np.ndarray  # e/Δ
    hist_density: np.ndarray
    notes: dict = field(default_factory=dict)
    band: tuple | None = None


@dataclass(frozen=True)
class Spectra:
    """Welch spectra of x, Q(x) and e in dBFS with the predicted error spectrum."""

    freqs: np.ndarray
    x_db: np.ndarray
    q_db: np.ndarray
    e_db: np.ndarray
    floor_db: np.ndarray  # flat without noise shaping, × |NTF|² with it


@dataclass(frozen=True)
class SqnrSweep:
    """Measured SQNR of the same signal and quantizer for b = 1 … 24, and the model for its settings
    (:func:`quantviz.theory.error_power`)."""

    bits: np.ndarray
    measured_db: np.ndarray
    model_db: np.ndarray


ENOB_SLACK = 0.05
"""Bits by which a measured ENOB may exceed b before it is reported as "≥ b" (0.3 dB: the spread of a
measured error power around Δ²/12)."""

INBAND_FRACTION = 1 / 8
"""The default band for the in-band SNR: [0, fs/8], an oversampling ratio of 4."""


def default_band(fs: float) -> tuple[float, float]:
    """The band [0, fs·INBAND_FRACTION] used for the in-band SNR when none is given."""
    return 0.0, fs * INBAND_FRACTION


def _predicted_power(spec: QuantizerSpec, step: float, sign_power: float = 0.0) -> float:
    """:func:`quantviz.theory.error_power` for the spec, plus the toward-zero sign term (per Δ², from
    :func:`quantviz.theory.toward_zero_sign_power` at Δ = 1) when shaped."""
    p = theory.error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.noise_shaping, spec.rounding)
    return float(p + sign_power * step**2)


def _sign_power(x, spec: QuantizerSpec) -> float:
    if spec.rounding != "toward_zero" or not spec.noise_shaping:
        return 0.0
    return theory.toward_zero_sign_power(x, 1.0, spec.noise_shaping)


def max_error_bound(spec: QuantizerSpec, clip_fraction: float = 0.0) -> tuple[float, str]:
    """(bound on max|e| in steps, text): :func:`quantviz.theory.max_error_bound` for the spec, or
    (inf, "unbounded: …") when some samples leave the range (clipping or wrap-around)."""
    if clip_fraction > 0:
        return np.inf, f"unbounded: {'wrap-around' if spec.overflow == 'wrap' else 'clipping'}"
    return theory.max_error_bound(spec.rounding, spec.dither, spec.dither_scale, spec.subtractive,
                                  spec.noise_shaping)


def enob_with_note(mse: float, spec: QuantizerSpec, step: float, silent: bool = False) -> tuple[float, str]:
    """ENOB of a measured error power, capped at the word length, and the note that goes with it.

    Notes
    -----
    ENOB = log2(2^b·Δ / √(12·MSE)) (:func:`quantviz.theory.enob_from_error_power`, IEEE 1241, the
    full-scale range being the 2^b cells of the grid), so b exactly when MSE = Δ²/12. An error
    smaller than that (a deterministic signal crossing few levels, whose error is not uniform on
    ±Δ/2; quiet parts below Δ/2, where e = x; samples on the levels; or a whole signal quantized to
    digital silence) would give more bits than the word has: the model does not apply. The value is then
    capped at b and the note says so (the page shows "≥ b"); within ``ENOB_SLACK`` (0.05 bit, the
    sampling spread of a measured Δ²/12) it is capped silently. An unbounded grid has no full
    scale: NaN.
    """
    if not spec.bounded:
        return float("nan"), "needs a word length (bits)"
    raw = float(theory.enob_from_error_power(mse, 2**spec.bits * step)) if mse > 0 else np.inf
    if raw > spec.bits + ENOB_SLACK:
        why = ("Q(x) is digital silence, so e = x" if silent else
               "e is not uniform over ±Δ/2 here: few levels crossed, quiet parts below Δ/2, or samples on levels")
        return float(spec.bits), f"≥ {spec.bits} bits: the error is below Δ²/12 ({why}), so the model does not apply"
    return min(raw, float(spec.bits)), ""


def granular_edges(spec: QuantizerSpec, step: float) -> tuple[float, float]:
    """The granular region [first − Δ/2, last + Δ/2] of a bounded grid; (−∞, ∞) for an unbounded one."""
    if not spec.bounded:
        return -np.inf, np.inf
    offset = 0.5 if spec.mode == "midrise" else 0.0
    first = spec.lo + offset * step
    last = spec.lo + (2**spec.bits - 1 + offset) * step
    return first - step / 2, last + step / 2


def clip_fraction(x, spec: QuantizerSpec, step: float) -> float:
    """Fraction of samples outside the granular region [first − Δ/2, last + Δ/2] of a bounded grid."""
    lo, hi = granular_edges(spec, step)
    x = np.asarray(x)
    return float(np.mean((x < lo) | (x > hi)))


def analyse_signal(x, spec: QuantizerSpec, fs: float | None = None, band: tuple | None = None,
                   max_analysis: int = 1 << 16) -> SignalAnalysis:
    """Quantize ``x`` with ``spec`` and measure it against the theory for these settings.

    Parameters
    ----------
    x : array_like
    spec : QuantizerSpec
    fs : float, optional
        Sample rate; with it the in-band SNR is computed for ``band`` (default :func:`default_band`).
    band : (f_lo, f_hi), optional
    max_analysis : int
        The in-band SNR uses the first ``max_analysis`` samples (as the spectra do).

    Notes
    -----
    Measured: MSE = mean(e²), RMS = √MSE, max|e|, mean = mean(e) (e = x − Q(x)),
    SQNR = 10·log10(Σx²/Σe²), PSQNR = 10·log10(max|x|²/MSE), ENOB (:func:`enob_with_note`),
    in-band SNR (:func:`quantviz.metrics.inband_snr_db`).
    Predicted for the rounding rule, dither and shaping: P_e (:func:`quantviz.theory.error_power`,
    e.g. Δ²/12 nearest, Δ²/3 floor, Δ²/4 nearest + TPDF, × C(2k, k) shaped; with the shaped sign term
    of toward-zero), SQNR = 10·log10(P_x/P_e), the mean (:func:`quantviz.theory.mean_error`), the
    max-|e| bound (:func:`max_error_bound`: inf when samples clip), ENOB from P_e, and the in-band
    SNR from the signal's band power over :func:`quantviz.theory.inband_error_power`.
    """
    x = np.asarray(x, dtype=np.float64)
    r = quantize(x, spec)
    e = np.ascontiguousarray(r.error, dtype=np.float64).ravel()
    step = r.step
    # One compiled pass for the sums and maxima (the formulas of quantviz.metrics; tests check they agree).
    sum_x2, peak, sum_e2, max_abs, outside = _kernels.signal_error_stats(np.ascontiguousarray(x).ravel(), e,
                                                                         *granular_edges(spec, step))
    px = sum_x2 / x.size
    peak = peak or 1.0
    sign_power = _sign_power(x, spec)
    pe_model = _predicted_power(spec, step, sign_power)
    mse = sum_e2 / x.size
    clip = outside / x.size
    bound, bound_text = max_error_bound(spec, clip)
    silent = not np.any(r.values)
    enob, enob_note = enob_with_note(mse, spec, step, silent)
    balance = float(np.mean(x > 0) - np.mean(x < 0)) if spec.rounding == "toward_zero" else 0.0
    with np.errstate(divide="ignore"):
        measured_sqnr = float(10 * np.log10(px / mse)) if mse > 0 else np.inf
        m = {
            "mse": mse,
            "rms": float(np.sqrt(mse)),
            "max_abs": max_abs,
            "mean": float(np.mean(e)),
            "sqnr": measured_sqnr,
            "psqnr": float(10 * np.log10(peak**2 / mse)) if mse > 0 else np.inf,
            "enob": enob,
        }
        p = {
            "mse": pe_model,
            "rms": float(np.sqrt(pe_model)),
            "max_abs": bound * step,
            "mean": float(theory.mean_error(step, spec.rounding, spec.noise_shaping, balance)),
            "sqnr": float(10 * np.log10(px / pe_model)) if px > 0 else -np.inf,
            "psqnr": float(10 * np.log10(peak**2 / pe_model)),
            "enob": float(theory.enob_from_error_power(pe_model, 2**spec.bits * step)) if spec.bounded
            else float("nan"),
            "sine_sqnr": float(theory.sine_sqnr_db(spec.bits)) if spec.bounded else float("nan"),
        }
    if fs is not None:
        band = default_band(fs) if band is None else band
        xs, es = x.ravel()[:max_analysis], e[:max_analysis]
        m["inband_snr"] = metrics.inband_snr_db(xs, es, fs, band[1], band[0])
        pe_band = theory.inband_error_power(step, fs, band[1], band[0], spec.dither, spec.dither_scale,
                                            spec.subtractive, spec.noise_shaping, spec.rounding)
        with np.errstate(divide="ignore"):
            p["inband_snr"] = float(10 * np.log10(spectral.band_power(xs, fs, band[1], band[0]) / pe_band))
    notes = {"max_abs": bound_text, "enob": enob_note,
             "model": _model_text(spec)}
    span = max(0.75, min(4.0, m["max_abs"] / step * 1.05))
    bins = 61
    edges = np.linspace(-span, span, bins + 1)
    density = _kernels.error_histogram(e, step, span, bins) / (e.size * (2 * span / bins))
    return SignalAnalysis(values=np.asarray(r.values), step=step, metrics=m, predicted=p,
                          clip_fraction=clip, hist_centers=(edges[:-1] + edges[1:]) / 2, hist_density=density,
                          notes=notes, band=band if fs is not None else None)


_RULE_POWER = {"nearest": "Δ²/12", "floor": "Δ²/3", "ceil": "Δ²/3", "toward_zero": "Δ²/3", "stochastic": "Δ²/6"}
_RULE_VAR = {"stochastic": "Δ²/6"}


def _model_text(spec: QuantizerSpec) -> str:
    """The predicted error power as a formula for these settings, e.g. "P_e = Δ²/3 (floor)" or
    "P_e = (Δ²/12 + σ_d²)·C(4, 2)"."""
    k = spec.noise_shaping
    dith = spec.dither != "none" and not spec.subtractive
    base = _RULE_VAR.get(spec.rounding, "Δ²/12") if k else _RULE_POWER[spec.rounding]
    rule = spec.rounding.replace("_", " ")
    text = f"({base} + σ_d²)" if dith else base
    if k:
        text = f"{text}·C({2 * k}, {k})" + (" + sign term" if spec.rounding == "toward_zero" else "")
    return f"P_e = {text}" + ("" if spec.rounding == "nearest" else f" ({rule}" + (", bias removed by shaping)"
                                                                                    if k else ", bias included)"))


def error_spectra(x, q, spec: QuantizerSpec, step: float, fs: float, max_analysis: int = 1 << 16,
                  nperseg: int = 2048) -> Spectra:
    """Spectra of x, Q(x) and e = x − Q(x) on the first ``max_analysis`` samples, with the
    predicted error spectrum per bin, 10·log10(4·P_white·ENBW/nperseg·|NTF(f)|²) dBFS
    (see :func:`quantviz.theory.noise_floor_dbfs`), P_white = σ_r² + σ_d²
    (:func:`quantviz.theory.white_error_power`; the bias of floor/ceil is a constant, at 0 Hz)."""
    n = min(np.size(x), max_analysis)
    xs = np.asarray(x[:n], dtype=np.float64)
    qs = np.asarray(q[:n], dtype=np.float64)
    f, sx, enbw, used = spectral.power_spectrum_dbfs(xs, fs, nperseg)
    _, sq, _, _ = spectral.power_spectrum_dbfs(qs, fs, nperseg)
    _, se, _, _ = spectral.power_spectrum_dbfs(xs - qs, fs, nperseg)
    white = float(theory.white_error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.rounding))
    if spec.rounding == "toward_zero" and not spec.noise_shaping:  # the ±Δ/2 bias follows the signal: spread
        white += (step / 2) ** 2
    with np.errstate(divide="ignore"):
        floor = 10 * np.log10(4 * white * enbw / used * theory.ntf_power(f, fs, spec.noise_shaping) + 1e-30)
    return Spectra(f, sx, sq, se, floor)


def sqnr_sweep(x, spec: QuantizerSpec, max_analysis: int = 1 << 18) -> SqnrSweep:
    """SQNR of the same quantizer at every word length b = 1 … 24, measured and by the Δ²/12 model
    SQNR = 10·log10(P_x / P_e(b)). A spec given by step is swept over the signal's min–max range."""
    xs = np.asarray(x[:max_analysis], dtype=np.float64)
    base = spec if spec.bounded else replace(spec, step=None, bits=8)
    lo, hi = (spec.lo, spec.hi) if spec.bounded else (float(np.min(xs)), float(np.max(xs)))
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    pxs = float(np.mean(xs**2))
    sign_power = _sign_power(xs, spec)
    measured, model = [], []
    for b in SWEEP_BITS:
        rb = quantize(xs, replace(base, bits=int(b), lo=lo, hi=hi))
        measured.append(metrics.sqnr_db(xs, rb.values))
        with np.errstate(divide="ignore"):
            model.append(10 * np.log10(pxs / _predicted_power(rb.spec, rb.step, sign_power)) if pxs > 0 else -np.inf)
    return SqnrSweep(SWEEP_BITS, np.array(measured), np.array(model))


def error_autocorrelation(x, q, max_lag: int = 100, max_analysis: int = 1 << 18):
    """Normalised autocorrelation of e = x − Q(x) (first ``max_analysis`` samples), lags 0 … max_lag."""
    n = min(np.size(x), max_analysis)
    return spectral.autocorrelation(np.asarray(x[:n], dtype=np.float64) - np.asarray(q[:n], dtype=np.float64),
                                    max_lag)
