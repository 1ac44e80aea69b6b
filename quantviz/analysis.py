"""One call that computes everything the Signals page shows about a quantizer.

Metrics use every sample; spectra, the SQNR-vs-bits sweep and the
autocorrelation use the first ``max_analysis`` samples, which is plenty for
display and keeps a 1M-sample signal interactive.
"""

from dataclasses import dataclass, replace

import numpy as np

from quantviz import _kernels, metrics, spectral, theory
from quantviz.quantizers import QuantizerSpec, quantize

SWEEP_BITS = np.arange(1, 25)


@dataclass(frozen=True)
class SignalAnalysis:
    """Q(x), the metrics against theory, and the error histogram (the always-shown part)."""

    values: np.ndarray  # Q(x), for the time window
    step: float
    metrics: dict  # name -> measured value
    predicted: dict  # name -> theoretical value
    clip_fraction: float
    hist_centers: np.ndarray  # e/Δ
    hist_density: np.ndarray


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
    """Measured SQNR of the same signal and quantizer for b = 1 … 24, and the Δ²/12 model."""

    bits: np.ndarray
    measured_db: np.ndarray
    model_db: np.ndarray


def _predicted_power(spec: QuantizerSpec, step: float) -> float:
    return float(theory.error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.noise_shaping))


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


def analyse_signal(x, spec: QuantizerSpec) -> SignalAnalysis:
    """Quantize ``x`` with ``spec`` and measure it against theory.

    Notes
    -----
    Measured: MSE = mean(e²), RMS = √MSE, max|e|, SQNR = 10·log10(Σx²/Σe²),
    PSQNR = 10·log10(max|x|²/MSE), ENOB = (SQNR − 1.76)/6.02.
    Predicted: P_e = (Δ²/12 + σ_d²)·C(2k, k) (:func:`quantviz.theory.error_power`),
    SQNR = 10·log10(P_x/P_e), max|e| = Δ/2 (rounding to nearest, no dither).
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
    pe_model = _predicted_power(spec, step)
    mse = sum_e2 / x.size
    with np.errstate(divide="ignore"):
        measured_sqnr = float(10 * np.log10(px / mse)) if mse > 0 else np.inf
        m = {
            "mse": mse,
            "rms": float(np.sqrt(mse)),
            "max_abs": max_abs,
            "sqnr": measured_sqnr,
            "psqnr": float(10 * np.log10(peak**2 / mse)) if mse > 0 else np.inf,
            "enob": metrics.enob(measured_sqnr),
        }
    with np.errstate(divide="ignore"):
        p = {
            "mse": pe_model,
            "rms": float(np.sqrt(pe_model)),
            "max_abs": theory.max_error(step),
            "sqnr": float(10 * np.log10(px / pe_model)) if px > 0 else -np.inf,
            "psqnr": float(10 * np.log10(peak**2 / pe_model)),
            "enob": float(spec.bits) if spec.bounded else float("nan"),
            "sine_sqnr": float(theory.sine_sqnr_db(spec.bits)) if spec.bounded else float("nan"),
        }
    span = max(0.75, min(4.0, m["max_abs"] / step * 1.05))
    bins = 61
    edges = np.linspace(-span, span, bins + 1)
    density = _kernels.error_histogram(e, step, span, bins) / (e.size * (2 * span / bins))
    return SignalAnalysis(values=np.asarray(r.values), step=step, metrics=m, predicted=p,
                          clip_fraction=outside / x.size,
                          hist_centers=(edges[:-1] + edges[1:]) / 2, hist_density=density)


def error_spectra(x, q, spec: QuantizerSpec, step: float, fs: float, max_analysis: int = 1 << 16,
                  nperseg: int = 2048) -> Spectra:
    """Spectra of x, Q(x) and e = x − Q(x) on the first ``max_analysis`` samples, with the
    predicted error spectrum per bin, 10·log10(4·P_white·ENBW/nperseg·|NTF(f)|²) dBFS
    (see :func:`quantviz.theory.noise_floor_dbfs`)."""
    n = min(np.size(x), max_analysis)
    xs = np.asarray(x[:n], dtype=np.float64)
    qs = np.asarray(q[:n], dtype=np.float64)
    f, sx, enbw, used = spectral.power_spectrum_dbfs(xs, fs, nperseg)
    _, sq, _, _ = spectral.power_spectrum_dbfs(qs, fs, nperseg)
    _, se, _, _ = spectral.power_spectrum_dbfs(xs - qs, fs, nperseg)
    white = _predicted_power(replace(spec, noise_shaping=0), step)
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
    measured, model = [], []
    for b in SWEEP_BITS:
        rb = quantize(xs, replace(base, bits=int(b), lo=lo, hi=hi))
        measured.append(metrics.sqnr_db(xs, rb.values))
        with np.errstate(divide="ignore"):
            model.append(10 * np.log10(pxs / _predicted_power(rb.spec, rb.step)) if pxs > 0 else -np.inf)
    return SqnrSweep(SWEEP_BITS, np.array(measured), np.array(model))


def error_autocorrelation(x, q, max_lag: int = 100, max_analysis: int = 1 << 18):
    """Normalised autocorrelation of e = x − Q(x) (first ``max_analysis`` samples), lags 0 … max_lag."""
    n = min(np.size(x), max_analysis)
    return spectral.autocorrelation(np.asarray(x[:n], dtype=np.float64) - np.asarray(q[:n], dtype=np.float64),
                                    max_lag)
