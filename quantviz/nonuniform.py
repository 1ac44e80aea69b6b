"""Experiments of the Non-uniform & vector quantization page (no Streamlit).

Five ways to spend ``b`` bits on one sample, compared on the same data:

* ``uniform``: 2^b levels evenly spaced over the full scale [-1, 1);
* ``mu-law`` and ``A-law``: the same uniform quantizer applied after a
  logarithmic compressor (:mod:`quantviz.companding`);
* ``Lloyd-Max``: the minimum-MSE quantizer for the source's density, or for
  its samples when no closed form exists (:mod:`quantviz.lloyd_max`);
* ``k-means``: a codebook trained by k-means on 65,536 training samples
  (:func:`training_samples`, another draw of the same source) and measured
  on the page's samples, which it has never seen (:mod:`quantviz.vq`).

Sources are unit-RMS sample sets scaled to an input level L in dB relative to
full scale (RMS sigma = 10^(L/20)).  Every function is vectorised NumPy, takes
small arguments and returns small frozen dataclasses, so a page can cache the
results on small keys.

References
----------
N. S. Jayant and P. Noll, *Digital Coding of Waveforms*, Prentice-Hall,
1984, ch. 4 (loading factor, companding, optimum quantizers).
R. M. Gray and D. L. Neuhoff, "Quantization", IEEE Trans. Inf. Theory
44(6), 2325-2383, 1998.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy import integrate, stats

from quantviz import _kernels, g711, metrics, theory
from quantviz.companding import companded_quantize, expander
from quantviz.lloyd_max import LloydMaxResult, apply_codebook, lloyd_max, panter_dite_mse
from quantviz.quantizers import QuantizerSpec, levels, quantize
from quantviz.vq import kmeans_vq, nearest_code, voronoi_cells

__all__ = [
    "SOURCES", "ANALYTIC", "SCHEMES", "FIXED_RANGE", "DESIGNED", "A_LAW", "N_SAMPLES", "STUDENT_NU",
    "SPEECHLIKE_SPREAD_DB", "unit_samples", "rms_of", "source_pdf", "histogram_density", "display_half_width",
    "training_samples", "Cells", "scheme_cells", "design_lloyd_max", "design_kmeans", "quantize_scheme", "code_entropy_bits",
    "SchemeMetrics", "compare_schemes", "rescaled", "bennett_snr_db", "mu_law_snr_db", "panter_dite_constant",
    "panter_dite_snr_db", "LoadingCurves", "loading_curves", "mismatch_offsets", "mismatch_curve", "BitsSweep",
    "snr_vs_bits", "lloyd_player", "player_density", "VQExperiment", "scalar_split", "vq_experiment",
    "telephone_versions", "telephone_line", "g711_mu_points",
]

#: Source key -> label.  The first three have closed-form Lloyd-Max designs.
SOURCES = {
    "gaussian": "Gaussian",
    "laplacian": "Laplacian",
    "uniform": "Uniform",
    "speech-like": "Speech-like Laplacian (±4 dB syllabic level spread)",
    "student-t": "Student-t, ν = 3 (heavy tails)",
    "speech": "Speech clip (built-in recording)",
}
ANALYTIC = ("gaussian", "laplacian", "uniform")
SCHEMES = ("uniform", "mu-law", "A-law", "Lloyd-Max", "k-means")
A_LAW = 87.6  # ITU-T G.711
N_SAMPLES = 65_536
STUDENT_NU = 3.0
SPEECHLIKE_SPREAD_DB = 4.0
_MEAN_ABS = {"gaussian": math.sqrt(2 / math.pi), "laplacian": 1 / math.sqrt(2), "uniform": math.sqrt(3) / 2}


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {name}={value!r}")
    return value


def _check_bits(bits, lo=1, hi=16) -> int:
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not lo <= bits <= hi:
        raise ValueError(f"bits must be an integer in [{lo}, {hi}], got bits={bits!r}")
    return int(bits)


def rms_of(level_db) -> np.ndarray | float:
    """RMS sigma = 10^(L/20) of an input level L in dB relative to full scale (1.0)."""
    return 10.0 ** (np.asarray(level_db, dtype=np.float64) / 20.0)


# --------------------------------------------------------------------------- sources


def unit_samples(source: str, n: int = N_SAMPLES, seed: int = 0, clip: np.ndarray | None = None) -> np.ndarray:
    """Zero-mean samples of a source, scaled to RMS exactly 1.

    Parameters
    ----------
    source : str
        A key of :data:`SOURCES`.
    n : int
        Number of samples (ignored for ``"speech"`` when the clip is shorter).
    seed : int
        Seed of ``numpy.random.default_rng``.
    clip : ndarray, optional
        The mono recording for ``source="speech"`` (e.g.
        ``audio_io.load_clip("speech").samples[0]``); ``n`` samples are taken
        at evenly spaced positions so the whole clip is represented.

    Returns
    -------
    ndarray of float64, shape (n,)
        x with mean(x) = 0 and mean(x²) = 1.

    Notes
    -----
    * Laplacian: p(x) = exp(−√2|x|)/√2.  Uniform on [−√3, √3].
    * Student-t with ν = 3 degrees of freedom: variance ν/(ν − 2), kurtosis
      infinite, so a few samples lie tens of σ out.
    * Speech-like: Laplacian samples times a log-normal level with a standard
      deviation of 4 dB (a scale mixture: the short-time level of speech
      changes from syllable to syllable), which gives the sharper peak and
      heavier tails of measured speech densities (kurtosis ≈ 14, like the
      built-in speech clip, against 6 for the Laplacian).

    The sample RMS is normalised to exactly 1 so that the level slider sets
    the RMS of the data the page measures.
    """
    _check_choice("source", source, SOURCES)
    rng = np.random.default_rng(seed)
    if source == "gaussian":
        x = rng.standard_normal(n)
    elif source == "laplacian":
        x = rng.laplace(scale=1 / math.sqrt(2), size=n)
    elif source == "uniform":
        x = rng.uniform(-math.sqrt(3), math.sqrt(3), n)
    elif source == "student-t":
        x = rng.standard_t(STUDENT_NU, n)
    elif source == "speech-like":
        x = rng.laplace(size=n) * 10 ** (SPEECHLIKE_SPREAD_DB * rng.standard_normal(n) / 20)
    else:
        if clip is None:
            raise ValueError("source='speech' needs the recording: pass clip=load_clip('speech').samples[0]")
        c = np.asarray(clip, dtype=np.float64).ravel()
        idx = np.linspace(0, c.size - 1, min(n, c.size)).round().astype(np.int64)
        x = c[idx]
    x = x - x.mean()
    return x / np.sqrt(np.mean(x * x))



def training_samples(source: str, n: int = N_SAMPLES, clip: np.ndarray | None = None) -> np.ndarray:
    """Samples to design on that are not the samples a page measures (:func:`unit_samples`, seed 0).

    Synthetic sources: an independent draw, ``unit_samples(source, n, seed=1)``.
    The speech clip (one recording only): the ``n`` samples midway between the
    positions :func:`unit_samples` takes, so no measured sample is a training
    sample, though neighbours in a recording are correlated: a held-out test
    weaker than an independent draw.  Zero mean and RMS 1, like :func:`unit_samples`.

    A design judged on its own training samples looks better than it is
    (k-means with 256 codes on 4,096 samples: 45 dB on them, 33 dB on unseen
    data); measured on other samples the score is honest.
    """
    _check_choice("source", source, SOURCES)
    if source != "speech":
        return unit_samples(source, n, seed=1)
    if clip is None:
        raise ValueError("source='speech' needs the recording: pass clip=load_clip('speech').samples[0]")
    c = np.asarray(clip, dtype=np.float64).ravel()
    m = min(n, c.size // 2)
    pos = np.linspace(0, c.size - 1, m)
    idx = np.minimum(np.round(pos + 0.5 * (pos[1] - pos[0] if m > 1 else 1)).astype(np.int64), c.size - 1)
    taken = np.linspace(0, c.size - 1, min(n, c.size)).round().astype(np.int64)
    idx = idx[~np.isin(idx, taken)]
    x = c[idx] - c[idx].mean()
    return x / np.sqrt(np.mean(x * x))

def _speechlike_pdf(u: np.ndarray) -> np.ndarray:
    """Unit-variance Laplacian scale mixture with a log-normal level (Gauss–Hermite quadrature, 60 nodes)."""
    z, w = np.polynomial.hermite_e.hermegauss(60)
    w = w / w.sum()
    g = 10 ** (SPEECHLIKE_SPREAD_DB * z / 20)
    b = g / math.sqrt(2 * np.sum(w * g * g))  # Laplace scale b has variance 2b²
    u = np.asarray(u, dtype=np.float64)
    return np.sum(w * np.exp(-np.abs(u)[..., None] / b) / (2 * b), axis=-1)


def source_pdf(source: str, x, sigma: float = 1.0) -> np.ndarray | None:
    """Analytic density of the source at RMS σ, p_σ(x) = p(x/σ)/σ, or None for the speech clip.

    The speech-like density is the scale mixture p(u) = E_g[exp(−|u|/b_g)/(2b_g)] over the
    log-normal level g, evaluated by Gauss–Hermite quadrature.
    """
    u = np.asarray(x, dtype=np.float64) / sigma
    if source == "gaussian":
        p = stats.norm.pdf(u)
    elif source == "laplacian":
        p = np.exp(-math.sqrt(2) * np.abs(u)) / math.sqrt(2)
    elif source == "uniform":
        p = np.where(np.abs(u) <= math.sqrt(3), 0.5 / math.sqrt(3), 0.0)
    elif source == "student-t":
        s = math.sqrt(STUDENT_NU / (STUDENT_NU - 2))  # the unit-RMS t is t_ν / s
        p = s * stats.t.pdf(u * s, STUDENT_NU)
    elif source == "speech-like":
        p = _speechlike_pdf(u)
    else:
        return None
    return p / sigma


def histogram_density(x, lo: float, hi: float, bins: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of ``x`` on [lo, hi] as a density (counts / (n · bin width)): (centres, density)."""
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    width = edges[1] - edges[0]
    return 0.5 * (edges[:-1] + edges[1:]), counts / (max(np.size(x), 1) * width)


# --------------------------------------------------------------------------- the five quantizers


@dataclass(frozen=True, eq=False)
class Cells:
    """A scalar quantizer as decision thresholds (N − 1) and reconstruction levels (N), ascending."""

    thresholds: np.ndarray
    levels: np.ndarray


def design_lloyd_max(source: str, bits: int, x_unit=None, **kwargs) -> LloydMaxResult:
    """Lloyd-Max quantizer with 2^b levels for the unit-variance source.

    Closed-form cell moments for the Gaussian, Laplacian and uniform
    densities; otherwise the empirical distribution of ``x_unit`` (exact 1-D
    k-means on all samples).  The design scales: for RMS σ multiply the
    thresholds and levels by σ.  ``kwargs`` go to :func:`quantviz.lloyd_max.lloyd_max`.
    """
    n = 2 ** _check_bits(bits)
    if source in ANALYTIC:
        return lloyd_max(n, source, **kwargs)
    if x_unit is None:
        raise ValueError(f"source={source!r} has no closed-form density: pass its samples x_unit")
    return lloyd_max(n, samples=np.asarray(x_unit), **kwargs)


def design_kmeans(x_train, bits: int, n_train: int | None = None, seed: int = 0) -> tuple[np.ndarray, float]:
    """1-D k-means codebook with 2^b codes trained on ``x_train`` (all of it, or ``n_train`` evenly spaced samples).

    Returns
    -------
    codebook : ndarray
        min(2^b, distinct training values) codes, ascending, unit-variance scale.
    train_mse : float
        Its MSE on the training samples (optimistic: the codes were fitted to them).

    Notes
    -----
    k-means++ seeding and Lloyd iterations (:func:`quantviz.vq.kmeans_vq`, one
    seeding).  Pass :func:`training_samples` and measure on :func:`unit_samples`:
    the gap between the training MSE and the MSE on unseen samples is the cost
    of a finite training set (about n/2^b samples per code; the tails it never
    saw fall into the outer cells).  With 4,096 samples and 256 codes (16 per
    code) a Laplacian scored 45 dB on its training data and 33 dB on unseen
    data; with 65,536 (256 per code), 42.3 and 40.2 dB, against 41.6 dB for
    the Lloyd-Max design from the density.
    """
    x = np.asarray(x_train, dtype=np.float64).ravel()
    if n_train is not None:
        if n_train < 1:
            raise ValueError(f"n_train must be >= 1, got n_train={n_train!r}")
        x = x[np.linspace(0, x.size - 1, min(n_train, x.size)).round().astype(np.int64)]
    k = min(2 ** _check_bits(bits), np.unique(x).size)
    codebook, _, mse = kmeans_vq(x, k, seed=seed, n_init=1)
    return np.sort(codebook.ravel()), float(mse)


def _midpoints(y: np.ndarray) -> np.ndarray:
    return 0.5 * (y[:-1] + y[1:])


def scheme_cells(scheme: str, bits: int, *, mu: float = 255.0, a: float = A_LAW, sigma: float = 1.0,
                 lm: LloydMaxResult | None = None, km: np.ndarray | None = None) -> Cells:
    """Thresholds and levels of one scheme in full-scale units (to draw over the density).

    Uniform: levels of ``QuantizerSpec(bits=b)`` (mid-tread on [−1, 1)),
    thresholds midway.  Companders: the compressed-domain levels and
    thresholds mapped through the expander F⁻¹.  Lloyd-Max and k-means: the
    unit-variance design times σ (k-means thresholds are the midpoints).
    """
    _check_choice("scheme", scheme, SCHEMES)
    spec = QuantizerSpec(bits=_check_bits(bits))
    if scheme in ("uniform", "mu-law", "A-law"):
        y = levels(spec)
        t = _midpoints(y)
        if scheme != "uniform":
            law = "mu" if scheme == "mu-law" else "a"
            y, t = expander(law, y, mu, a), expander(law, t, mu, a)
        return Cells(t, y)
    if scheme == "Lloyd-Max":
        if lm is None:
            raise ValueError("scheme='Lloyd-Max' needs the design lm (design_lloyd_max)")
        return Cells(np.asarray(lm.thresholds) * sigma, np.asarray(lm.codebook) * sigma)
    if km is None:
        raise ValueError("scheme='k-means' needs the codebook km (design_kmeans)")
    y = np.asarray(km) * sigma
    return Cells(_midpoints(y), y)


def quantize_scheme(x, scheme: str, bits: int, *, mu: float = 255.0, a: float = A_LAW, sigma: float = 1.0,
                    lm: LloydMaxResult | None = None, km: np.ndarray | None = None):
    """Quantize ``x`` (full-scale units, any shape) with one scheme: (values, codes).

    Uniform and companded schemes call :func:`quantviz.quantize` and
    :func:`quantviz.companded_quantize` (clipping at full scale); Lloyd-Max and
    k-means apply their scaled codebooks with :func:`quantviz.apply_codebook`
    (the outer cells extend to ±∞, i.e. the outer levels act as clipping).
    """
    spec = QuantizerSpec(bits=_check_bits(bits))
    if scheme == "uniform":
        r = quantize(x, spec)
        return r.values, r.codes
    if scheme in ("mu-law", "A-law"):
        r = companded_quantize(x, spec, "mu" if scheme == "mu-law" else "a", mu, a)
        return r.values, r.codes
    c = scheme_cells(scheme, bits, mu=mu, a=a, sigma=sigma, lm=lm, km=km)
    return apply_codebook(x, c.thresholds, c.levels)


def code_entropy_bits(codes) -> float:
    """Entropy −Σ pₖ log2 pₖ of non-negative integer codes in bits/sample.

    Equal to :func:`quantviz.metrics.code_entropy_bits` (tested), but counts
    with ``np.bincount`` instead of sorting: 10× faster on the page's 65,536 codes.
    """
    counts = np.bincount(np.asarray(codes).ravel())
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log2(p)) + 0.0)


# --------------------------------------------------------------------------- theory


def bennett_snr_db(x, bits: int, law: str | None = None, mu: float = 255.0, a: float = A_LAW) -> float:
    """Fine-quantization SNR of a (companded) b-bit quantizer on [−1, 1) for the data ``x``, in dB.

    Parameters
    ----------
    x : array_like
        Samples in full-scale units (their level included).
    bits : int
        Bits b of the uniform quantizer in the compressed domain, Δ = 2^(1−b).
    law : {None, "mu", "a"}
        None for the uniform quantizer (F(x) = x).

    Returns
    -------
    float
        SNR = E[x²] / ((Δ²/12) E[1/F'(x)²]) in dB (Bennett's integral, with the
        expectation over the samples); overload is ignored.

    Notes
    -----
    For μ-law 1/F'(x) = ln(1+μ)(1 + μ|x|)/μ; for A-law 1/F'(x) = (1 + ln A)/A
    for |x| < 1/A and (1 + ln A)|x| above.

    References
    ----------
    W. R. Bennett, "Spectra of quantized signals", BSTJ 27, 446-472, 1948.
    Jayant & Noll 1984, ch. 4.
    """
    x = np.asarray(x, dtype=np.float64)
    return float(10 * np.log10(np.mean(x * x) / theory.bennett_noise_power(x, _check_bits(bits, 1, 32), law, mu, a)))


def mu_law_snr_db(bits, mu: float, level_db, mean_abs_ratio: float = 1 / math.sqrt(2)):
    """Jayant–Noll closed form of the μ-law SNR (Bennett's integral, no overload), in dB.

    Notes
    -----
    With full scale 1, RMS σ and E|x| = cσ (c = 1/√2 Laplacian, √(2/π) Gaussian):

    SNR = 6.02b + 4.77 − 20·log10(ln(1+μ)) − 10·log10(1 + 2c/(μσ) + 1/(μσ)²).

    For μσ ≫ 1 the last term vanishes: 6.02·8 + 4.77 − 20·log10(ln 256) = 38.1 dB
    for G.711 (b = 8, μ = 255), independent of the level.

    References
    ----------
    Jayant & Noll 1984, ch. 4.  B. Smith, BSTJ 36(3), 1957.
    """
    s = rms_of(level_db)
    return (theory.DB_PER_BIT * np.asarray(bits, float) + 10 * math.log10(3) - 20 * math.log10(math.log1p(mu))
            - 10 * np.log10(1 + 2 * mean_abs_ratio / (mu * s) + 1 / (mu * s) ** 2))


@lru_cache(maxsize=8)
def _cube_root_integral(source: str) -> float:
    return integrate.quad(lambda u: float(source_pdf(source, u)) ** (1 / 3), -np.inf, np.inf, limit=500)[0]


def panter_dite_constant(source: str, x_unit=None, bins: int = 512) -> float:
    """The Panter–Dite constant (1/12)(∫ p^(1/3) dx)³ of the unit-variance source.

    Exact for the Gaussian (√3π/2 ≈ 2.72), Laplacian (9/2) and uniform (1);
    by quadrature of :func:`source_pdf` for Student-t (≈ 20.5 for ν = 3: the
    heavy tails need many levels) and the speech-like mixture; for the speech
    clip estimated from a ``bins``-bin histogram of ``x_unit`` over its full
    range (biased low: the sparse tails are undersampled; −10 % for Gaussian data).
    """
    if source in ANALYTIC:
        return panter_dite_mse(0, source)
    if source_pdf(source, 0.0) is not None:
        return _cube_root_integral(source) ** 3 / 12
    x = np.asarray(x_unit, dtype=np.float64)
    c, d = histogram_density(x, float(x.min()), float(x.max()), bins)
    return float((np.sum(np.cbrt(d)) * (c[1] - c[0])) ** 3 / 12)


def panter_dite_snr_db(bits, source: str, x_unit=None) -> np.ndarray:
    """Panter–Dite SNR of the optimal b-bit quantizer, −10·log10((1/12)(∫p^(1/3))³ 2^(−2b)), in dB.

    The constant comes from :func:`panter_dite_constant` (``x_unit`` is only
    needed for the speech clip).  It is an asymptotic formula: for heavy tails
    the outer cells stay coarse at any practical rate, so measured SNRs can
    sit on either side of it.

    References
    ----------
    P. F. Panter and W. Dite, Proc. IRE 39(1), 44-48, 1951.
    """
    b = np.asarray(bits, dtype=np.float64)
    return -10 * np.log10(panter_dite_constant(source, x_unit)) + theory.DB_PER_BIT * b


# --------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class SchemeMetrics:
    """Measured error of one scheme on the data, beside what theory predicts."""

    scheme: str
    mse: float
    snr_db: float
    max_abs: float
    entropy_bits: float
    theory_db: float
    theory_label: str


def compare_schemes(x_unit, source: str, level_db: float, bits: int, *, mu: float = 255.0, a: float = A_LAW,
                    lm: LloydMaxResult | None = None, km: np.ndarray | None = None,
                    km_train_mse: float | None = None, schemes=SCHEMES) -> tuple[SchemeMetrics, ...]:
    """MSE, SNR, max |e| and code entropy of the schemes on x = σ·x_unit (all five by default).

    ``lm`` and ``km`` are needed only when "Lloyd-Max" or "k-means" is among ``schemes``.

    Notes
    -----
    MSE = mean(e²), e = x − Q(x); SNR = 10·log10(Σx²/Σe²); max |e|;
    H = −Σ p_k log2 p_k over the codes used (the rate an ideal entropy coder
    needs, against the fixed b).  Theory: 6.02b + 4.77 + L for uniform
    (Jayant & Noll's loading-factor formula, no overload); Bennett's integral
    for the companders; Panter–Dite for Lloyd-Max; for k-means its SNR on its
    own training samples, 10·log10(1/train MSE), if ``km_train_mse`` is given
    (else Panter–Dite): designed on :func:`training_samples`, k-means is
    measured here on samples it never saw, and its training score beside it
    shows how optimistic a training-set score is.
    """
    sigma = float(rms_of(level_db))
    x = sigma * np.asarray(x_unit, dtype=np.float64)
    pd = float(panter_dite_snr_db(bits, source, x_unit))
    overload = float(np.mean(np.abs(x) > 1.0))
    uniform_label = "6.02b + 4.77 + L" + (f"; not valid here: {overload:.1%} of samples overload" if overload > 1e-3
                                          else "")
    theories = {
        "uniform": (float(theory.loaded_sqnr_db(bits, level_db)), uniform_label),
        "mu-law": (bennett_snr_db(x, bits, "mu", mu, a), "Bennett"),
        "A-law": (bennett_snr_db(x, bits, "a", mu, a), "Bennett"),
        "Lloyd-Max": (pd, "Panter–Dite"),
        "k-means": (pd, "Panter–Dite") if km_train_mse is None else
                   (float(-10 * np.log10(km_train_mse)), "on its training samples (the value above: unseen ones)"),
    }
    out = []
    for scheme in schemes:
        y, codes = quantize_scheme(x, scheme, bits, mu=mu, a=a, sigma=sigma, lm=lm, km=km)
        e = x - y
        out.append(SchemeMetrics(scheme, float(np.mean(e * e)), metrics.sqnr_db(x, y), float(np.max(np.abs(e))),
                                 code_entropy_bits(codes), *theories[scheme]))
    return tuple(out)


FIXED_RANGE = ("uniform", "mu-law", "A-law")
DESIGNED = ("Lloyd-Max", "k-means")


def rescaled(m: SchemeMetrics, level_db: float) -> SchemeMetrics:
    """Metrics of a design that scales with the input (Lloyd-Max, k-means), measured at 0 dB, moved to level L.

    Scaling the input and the design by σ leaves the codes unchanged, so SNR,
    entropy and theory stay and only MSE (× σ²) and max |e| (× σ) change:
    a page can measure these schemes once per design instead of once per level.
    """
    sigma = float(rms_of(level_db))
    return replace(m, mse=m.mse * sigma * sigma, max_abs=m.max_abs * sigma)


@dataclass(frozen=True, eq=False)
class LoadingCurves:
    """SNR against input level for the fixed-range schemes, with the granular theory."""

    levels_db: np.ndarray
    snr_db: dict  # scheme -> array over levels_db
    theory_uniform_db: np.ndarray
    theory_mu_db: np.ndarray
    overload: np.ndarray  # fraction of samples beyond full scale


def snr_vs_scale(x, thresholds, levels, scales) -> np.ndarray:
    """SNR in dB of one scalar quantizer applied to s·x for every scale s > 0.

    The quantizer maps t[i−1] ≤ v < t[i] to levels[i] (the outer cells reach
    ±∞, i.e. they clip). SNR(s) = 10·log10(s²·Σx² / Σ(s·x − Q(s·x))²). With the
    samples sorted, the cell index only moves up as x grows, so one compiled
    pass per scale sums the squared errors directly (no run sums, nothing to
    cancel): scales × n steps instead of quantizing scales × n samples through
    NumPy temporaries.
    """
    xs = np.sort(np.asarray(x, dtype=np.float64).ravel())
    scales = np.asarray(scales, dtype=np.float64)
    err = _kernels.squared_error_vs_scale(xs, np.ascontiguousarray(thresholds, dtype=np.float64),
                                          np.ascontiguousarray(levels, dtype=np.float64), scales)
    with np.errstate(divide="ignore"):
        return 10 * np.log10(scales**2 * np.sum(xs * xs) / np.maximum(err, 0.0))


def loading_curves(x_unit, bits: int, mu: float = 255.0, a: float = A_LAW,
                   levels_db=np.arange(-80.0, 12.5, 1.0), n: int | None = None) -> LoadingCurves:
    """SNR vs input level ("loading curves") of uniform, μ-law and A-law b-bit quantizers.

    All samples (or the first ``n``) are scaled to every level and quantized with
    each scheme's cells (:func:`scheme_cells`, the quantizers of
    :func:`quantize_scheme`); the SNR at each level is 10·log10(Σx²/Σe²),
    computed by :func:`snr_vs_scale`.  Called with the samples that
    :func:`compare_schemes` measures, the curve at the cards' level is the
    cards' value (tested).  The theory lines are 6.02b + 4.77 + L (uniform) and
    Bennett's integral for μ-law, both without overload; ``overload`` is the
    fraction of samples with |x| > 1.

    Notes
    -----
    Bennett's μ-law noise power (Δ²/12)·ln²(1+μ)·E[(1/μ + σ|u|)²] expands to
    (Δ²/12)·ln²(1+μ)·(1/μ² + 2σE|u|/μ + σ²E[u²]) for x = σu, so two moments of
    the unit samples give it at every level: the same estimator as
    :func:`bennett_snr_db` on the scaled samples, without a levels × n array.

    References
    ----------
    Jayant & Noll 1984, ch. 4.  ITU-T G.711.
    """
    x = np.asarray(x_unit, dtype=np.float64).ravel()
    if n is not None:
        x = x[:n]
    bits = _check_bits(bits)
    lv = np.asarray(levels_db, dtype=np.float64)
    sig = rms_of(lv)
    cells = {s: scheme_cells(s, bits, mu=mu, a=a) for s in ("uniform", "mu-law", "A-law")}
    snr = {s: snr_vs_scale(x, c.thresholds, c.levels, sig) for s, c in cells.items()}
    m1, m2 = float(np.mean(np.abs(x))), float(np.mean(x * x))
    noise = theory.uniform_noise_power(2.0 / 2**bits) * math.log1p(mu) ** 2 * (
        1 / mu**2 + 2 * sig * m1 / mu + sig**2 * m2)
    ax = np.sort(np.abs(x))
    overload = 1.0 - np.searchsorted(ax, 1.0 / sig, side="right") / max(ax.size, 1)
    return LoadingCurves(
        levels_db=lv,
        snr_db=snr,
        theory_uniform_db=theory.loaded_sqnr_db(bits, lv),
        theory_mu_db=10 * np.log10(sig**2 * m2 / noise),
        overload=overload,
    )


def mismatch_offsets(x_unit, lm: LloydMaxResult, offsets_db=np.arange(-95.0, 95.5, 1.0),
                     n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """SNR of a fixed Lloyd-Max design against the input level relative to its design level.

    Returns ``(offsets_db, snr_db)``: the unit-variance design applied to inputs
    at RMS 10^(offset/20).  Because a design scaled by σ₀ applied to σ·x gives
    the same codes as the unit design applied to (σ/σ₀)·x, the SNR depends on
    L − L₀ only, so one curve serves every design level (see :func:`mismatch_curve`).
    """
    off = np.asarray(offsets_db, dtype=np.float64)
    x = np.asarray(x_unit, dtype=np.float64).ravel()
    return off, snr_vs_scale(x if n is None else x[:n], lm.thresholds, lm.codebook, rms_of(off))


def mismatch_curve(offsets: tuple[np.ndarray, np.ndarray], design_level_db: float,
                   levels_db=np.arange(-80.0, 12.5, 1.0)) -> np.ndarray:
    """SNR vs input level of the Lloyd-Max quantizer designed for ``design_level_db`` (fixed afterwards).

    ``offsets`` is the result of :func:`mismatch_offsets`, read off at L − L₀.
    The design is optimal at its own level only: quieter inputs fall into few
    cells, louder ones overload the outer cells.
    """
    off, snr = offsets
    return np.interp(np.asarray(levels_db, dtype=np.float64) - design_level_db, off, snr)


@dataclass(frozen=True, eq=False)
class BitsSweep:
    """SNR against bits per scheme at one input level, with the Panter–Dite line."""

    bits: np.ndarray
    snr_db: dict  # scheme -> array over bits
    panter_dite_db: np.ndarray


def snr_vs_bits(x_unit, source: str, level_db: float, designs: dict, mu: float = 255.0, a: float = A_LAW,
                n: int | None = None) -> BitsSweep:
    """SNR of uniform, μ-law, A-law and Lloyd-Max at b = 1 … max(designs) bits, at one level.

    ``designs`` maps b to the Lloyd-Max design for b bits (so a page can
    reuse its cached designs).  Lloyd-Max's SNR approaches the Panter–Dite
    line 6.02b − 10·log10((1/12)(∫p^(1/3))³) from below as b grows.
    """
    bits = np.array(sorted(designs), dtype=int)
    sigma = float(rms_of(level_db))
    x = sigma * np.asarray(x_unit, dtype=np.float64).ravel()[slice(n)]  # all samples: the cards' values
    out = {s: np.empty(bits.size) for s in ("uniform", "mu-law", "A-law", "Lloyd-Max")}
    for i, b in enumerate(bits):
        for s in out:
            y, _ = quantize_scheme(x, s, int(b), mu=mu, a=a, sigma=sigma, lm=designs[b])
            out[s][i] = metrics.sqnr_db(x, y)
    return BitsSweep(bits, out, panter_dite_snr_db(bits, source, x_unit))


def lloyd_player(source: str, n_levels: int, x_unit=None, max_history: int = 40) -> LloydMaxResult:
    """Textbook Lloyd iterations (method I) from equal-probability cells, for the iteration player.

    ``method="lloyd", init="quantile"``: every recorded frame alternates the two
    Max conditions, so thresholds and levels visibly move (a log-spaced
    selection of at most ``max_history`` frames is kept).
    """
    if source in ANALYTIC:
        return lloyd_max(n_levels, source, method="lloyd", init="quantile", max_history=max_history)
    return lloyd_max(n_levels, samples=np.asarray(x_unit), method="lloyd", init="quantile",
                     max_history=max_history)


# --------------------------------------------------------------------------- 2-D vector quantization


def scalar_split(n_codes: int) -> tuple[int, int]:
    """Levels per axis (n1 ≥ n2, n1·n2 = n_codes, powers of two as equal as possible) of a scalar grid."""
    if n_codes < 1 or n_codes & (n_codes - 1):
        raise ValueError(f"n_codes must be a power of two >= 1, got n_codes={n_codes!r}")
    k = n_codes.bit_length() - 1
    return 2 ** ((k + 1) // 2), 2 ** (k // 2)


@dataclass(frozen=True, eq=False)
class VQExperiment:
    """Correlated Gaussian pairs, a k-means codebook and the scalar grid at the same rate."""

    rho: float
    n_codes: int
    rate: float  # bits per dimension, log2(n_codes) / 2
    points: np.ndarray  # (n_show, 2) training points to draw
    codebook: np.ndarray  # (n_codes, 2)
    grid_levels: tuple  # (levels on axis 1, levels on axis 2)
    mse_vq: float  # per dimension, on test points
    mse_scalar: float
    mse_klt: float  # rotate to the principal axes first, then the best scalar grid
    extent: float  # the plotted box is [−extent, extent]²
    cells: tuple  # Voronoi cell of each code clipped to the box, (m, 2) vertex arrays (quantviz.vq.voronoi_cells)


def _gauss_pairs(rho: float, n: int, rng) -> np.ndarray:
    z = rng.standard_normal((n, 2))
    return np.column_stack([z[:, 0], rho * z[:, 0] + math.sqrt(max(1 - rho * rho, 0.0)) * z[:, 1]])


def vq_experiment(rho: float, n_codes: int = 16, n_train: int = 2000, n_test: int = 8000,
                  extent: float = 3.5, seed: int = 0) -> VQExperiment:
    """k-means VQ of correlated Gaussian pairs against per-axis Lloyd-Max grids at the same rate.

    Parameters
    ----------
    rho : float
        Correlation of the two unit-variance components, in [0, 1).
    n_codes : int
        Codebook size (a power of two); rate R = log2(n_codes)/2 bits per dimension.
    n_train, n_test : int
        Training points for k-means and independent test points for the MSEs.
    extent : float
        The Voronoi cells are polygons clipped to the box [−extent, extent]²
        (:func:`quantviz.vq.voronoi_cells`).

    Returns
    -------
    VQExperiment
        MSEs per dimension: VQ, the scalar grid (each axis its own Lloyd-Max
        Gaussian quantizer, n1·n2 = n_codes cells) and KLT + scalar (rotate
        by 45° to variances 1 ± ρ, then the best split 2^j × 2^(k−j) of the levels).

    Notes
    -----
    The scalar grid's cells are rectangles aligned with the axes, so with
    correlated data many of them are nearly empty; a VQ places its codes
    where the data are (memory and shape advantages) and its cells are
    closer to hexagons (space-filling advantage, 0.17 dB in 2-D).

    References
    ----------
    T. D. Lookabaugh and R. M. Gray, "High-resolution quantization theory and
    the vector quantizer advantage", IEEE Trans. Inf. Theory 35(5), 1989.
    Linde, Buzo & Gray, IEEE Trans. Commun. 28(1), 1980.
    """
    rho = float(rho)
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be in [0, 1), got rho={rho!r}")
    n1, n2 = scalar_split(int(n_codes))
    rng = np.random.default_rng(seed)
    train, test = _gauss_pairs(rho, n_train, rng), _gauss_pairs(rho, n_test, rng)
    codebook, _, _ = kmeans_vq(train, int(n_codes), seed=seed, n_init=2)
    idx = nearest_code(test, codebook)
    mse_vq = float(np.mean((test - codebook[idx]) ** 2))
    q1, q2 = lloyd_max(n1, "gaussian"), lloyd_max(n2, "gaussian")
    g1 = apply_codebook(test[:, 0], q1.thresholds, q1.codebook)[0]
    g2 = apply_codebook(test[:, 1], q2.thresholds, q2.codebook)[0]
    mse_scalar = float(np.mean(np.concatenate([(test[:, 0] - g1) ** 2, (test[:, 1] - g2) ** 2])))
    k = int(n_codes).bit_length() - 1  # KLT: variances 1 ± rho, the best split 2^j x 2^(k - j) of the codes
    mse_klt = min((1 + rho) * lloyd_max(2**j, "gaussian").mse + (1 - rho) * lloyd_max(2 ** (k - j), "gaussian").mse
                  for j in range(k + 1)) / 2
    cells = tuple(voronoi_cells(codebook, (-extent, extent, -extent, extent)))
    return VQExperiment(rho, int(n_codes), math.log2(n_codes) / 2, train[:1000], codebook,
                        (np.asarray(q1.codebook), np.asarray(q2.codebook)), mse_vq, mse_scalar, float(mse_klt),
                        float(extent), cells)


# --------------------------------------------------------------------------- listening


def telephone_versions(x) -> dict:
    """The same audio through 8-bit uniform PCM and 8-bit G.711 μ-law and A-law (bit-exact).

    Returns
    -------
    dict
        name -> (values in [−1, 1), bits of the grid they lie on, SNR in dB
        against the 16-bit original): the 16-bit original itself,
        ``QuantizerSpec(bits=8)`` (clip at full scale), and G.711 encode →
        decode of the 16-bit PCM (:mod:`quantviz.g711`), whose outputs lie on
        the 16-bit grid.
    """
    x = np.asarray(x, dtype=np.float64)
    pcm = np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)
    ref = pcm / 32768.0
    out = {
        "original": (ref, 16),
        "uniform": (quantize(x, QuantizerSpec(bits=8)).values, 8),
        "mu-law": (g711.ulaw_decode(g711.ulaw_encode(pcm)) / 32768.0, 16),
        "A-law": (g711.alaw_decode(g711.alaw_encode(pcm)) / 32768.0, 16),
    }
    return {k: (y, b, float("inf") if k == "original" else metrics.sqnr_db(ref, y)) for k, (y, b) in out.items()}


def telephone_line(x, sample_rate: int, level_db: float, rate: int = 8000) -> dict:
    """Resample mono audio to the telephone rate, set its RMS to ``level_db`` and apply :func:`telephone_versions`.

    Uses ``scipy.signal.resample_poly`` (polyphase, Kaiser-windowed low-pass), so
    ``sample_rate / rate`` must be a ratio of small integers (48 kHz → 8 kHz: 1/6).
    """
    from fractions import Fraction

    from scipy.signal import resample_poly

    r = Fraction(rate, int(sample_rate))
    y = resample_poly(np.asarray(x, dtype=np.float64), r.numerator, r.denominator)
    return telephone_versions(y * float(rms_of(level_db)) / np.sqrt(np.mean(y * y)))


def display_half_width(x_unit, q: float = 0.999) -> float:
    """Half-width of a density plot for unit-RMS data: 1.25 × the q-quantile of |x| (heavy tails stay off-screen)."""
    return 1.25 * float(np.quantile(np.abs(np.asarray(x_unit)), q))


def player_density(source: str, x_unit) -> tuple[np.ndarray, np.ndarray, bool, float]:
    """What the Lloyd player draws under the cells, for unit variance: (x, density, is_pdf, half-width).

    The analytic pdf when the player's design uses it (Gaussian, Laplacian,
    uniform), else a 160-bin histogram of the samples it is designed on.
    """
    half = 2.2 if source == "uniform" else min(display_half_width(x_unit), 4.0)
    if source in ANALYTIC:
        x = np.linspace(-half, half, 321)
        return x, source_pdf(source, x), True, half
    return (*histogram_density(x_unit, -half, half, 160), False, half)


def g711_mu_points() -> tuple[np.ndarray, np.ndarray]:
    """The ends of G.711 μ-law's 8 chords per polarity as (decoded value, compressed position), full-scale units.

    Code magnitude k = 16·segment + step (0 … 127) sits at F = (k + ½)/128; the
    first code of each segment and the last code (k = 0, 16, …, 112, 127),
    decoded to 16-bit PCM / 32768, lie within 0.01 of the continuous μ = 255
    curve: G.711 is a piecewise-linear approximation of it.
    """
    pcm = np.arange(0, 32768, 4).astype(np.int16)
    codes = g711.ulaw_encode(pcm)
    mag, first = np.unique((~codes.astype(np.int64)) & 0x7F, return_index=True)
    keep = (mag % 16 == 0) | (mag == 127)
    x = g711.ulaw_decode(codes[first][keep]) / 32768.0
    y = (mag[keep] + 0.5) / 128
    return np.concatenate([-x[::-1], x]), np.concatenate([-y[::-1], y])
