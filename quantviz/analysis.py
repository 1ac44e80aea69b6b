"""One call that computes everything the Signals page shows about a quantizer.

Metrics use every sample; spectra, the SQNR-vs-bits sweep and the
autocorrelation use the first ``max_analysis`` samples, which is plenty for
display and keeps a 1M-sample signal interactive.
"""

from dataclasses import dataclass, replace

import numpy as np

from quantviz import metrics, spectral, theory
from quantviz.quantizers import QuantizerSpec, quantize

SWEEP_BITS = np.arange(1, 25)


@dataclass(frozen=True)
class SignalAnalysis:
    """Everything about x and Q(x) that the page draws (small arrays, plus Q(x) in float32)."""

    values: np.ndarray  # Q(x), for the time window
    step: float
    metrics: dict  # name -> measured value
    predicted: dict  # name -> theoretical value
    clip_fraction: float
    freqs: np.ndarray
    spec_x_db: np.ndarray
    spec_q_db: np.ndarray
    spec_e_db: np.ndarray
    floor_db: np.ndarray  # predicted error spectrum per bin (flat without noise shaping)
    hist_centers: np.ndarray  # e/Δ
    hist_density: np.ndarray
    sweep_bits: np.ndarray
    sweep_measured_db: np.ndarray
    sweep_model_db: np.ndarray
    autocorr: np.ndarray
    n_analysis: int


def _predicted_power(spec: QuantizerSpec, step: float) -> float:
    return float(theory.error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.noise_shaping))


def clip_fraction(x, spec: QuantizerSpec, step: float) -> float:
    """Fraction of samples outside the granular region [first − Δ/2, last + Δ/2] of a bounded grid."""
    if not spec.bounded:
        return 0.0
    offset = 0.5 if spec.mode == "midrise" else 0.0
    first = spec.lo + offset * step
    last = spec.lo + (2**spec.bits - 1 + offset) * step
    x = np.asarray(x)
    return float(np.mean((x < first - step / 2) | (x > last + step / 2)))


def analyse_signal(x, spec: QuantizerSpec, fs: float, max_analysis: int = 1 << 18, max_lag: int = 100,
                   nperseg: int = 2048) -> SignalAnalysis:
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
    e = r.error
    step = r.step
    px = float(np.mean(x**2))
    peak = float(np.max(np.abs(x))) or 1.0
    pe_model = _predicted_power(spec, step)
    measured_sqnr = metrics.sqnr_db(x, r.values)
    m = {
        "mse": metrics.mse(x, r.values),
        "rms": metrics.rms_error(x, r.values),
        "max_abs": metrics.max_abs_error(x, r.values),
        "sqnr": measured_sqnr,
        "psqnr": metrics.psqnr_db(x, r.values, peak),
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

    n = min(x.size, max_analysis)
    xs, qs, es = x[:n], np.asarray(r.values[:n], dtype=np.float64), e[:n]
    f, sx, enbw, used = spectral.power_spectrum_dbfs(xs, fs, nperseg)
    _, sq, _, _ = spectral.power_spectrum_dbfs(qs, fs, nperseg)
    _, se, _, _ = spectral.power_spectrum_dbfs(es, fs, nperseg)
    white = _predicted_power(replace(spec, noise_shaping=0), step)
    with np.errstate(divide="ignore"):
        floor = 10 * np.log10(4 * white * enbw / used * theory.ntf_power(f, fs, spec.noise_shaping) + 1e-30)

    span = max(0.75, min(4.0, float(np.max(np.abs(e))) / step * 1.05)) if e.size else 0.75
    density, edges = np.histogram(np.clip(e / step, -span, span), bins=61, range=(-span, span), density=True)

    base = spec if spec.bounded else replace(spec, step=None, bits=8)
    lo, hi = (spec.lo, spec.hi) if spec.bounded else (float(np.min(xs)), float(np.max(xs)))
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    measured, model = [], []
    pxs = float(np.mean(xs**2))
    for b in SWEEP_BITS:
        sb = replace(base, bits=int(b), lo=lo, hi=hi)
        rb = quantize(xs, sb)
        measured.append(metrics.sqnr_db(xs, rb.values))
        with np.errstate(divide="ignore"):
            model.append(10 * np.log10(pxs / _predicted_power(sb, rb.step)) if pxs > 0 else -np.inf)

    return SignalAnalysis(
        values=np.asarray(r.values), step=step, metrics=m, predicted=p,
        clip_fraction=clip_fraction(x, spec, step), freqs=f, spec_x_db=sx, spec_q_db=sq, spec_e_db=se,
        floor_db=floor, hist_centers=(edges[:-1] + edges[1:]) / 2, hist_density=density,
        sweep_bits=SWEEP_BITS, sweep_measured_db=np.array(measured), sweep_model_db=np.array(model),
        autocorr=spectral.autocorrelation(es, max_lag), n_analysis=n,
    )
