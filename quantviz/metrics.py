"""Error metrics between a reference x and its quantized version y.

Every function takes the reference first. Decibel values are ``inf`` when
the error is exactly zero. NaN or Inf inputs raise ValueError naming x or y,
as :func:`quantviz.quantize` does.
"""

import numpy as np


def _pair(x, y, names=("x", "y")):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape; got {x.shape} and {y.shape}")
    if x.size == 0:
        raise ValueError("x is empty; metrics need at least one value")
    for name, a in zip(names, (x, y)):
        if not np.all(np.isfinite(a)):
            bad = int(np.count_nonzero(~np.isfinite(a)))
            raise ValueError(f"{name} contains {bad} NaN or Inf value(s); metrics need finite numbers")
    return x, y


def _db(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        if den == 0:
            return np.inf if num > 0 else np.nan
        if num == 0:
            return -np.inf
        return float(10 * np.log10(num / den))


def mse(x, y) -> float:
    """Mean squared error, MSE = (1/N) Σ (x − y)²."""
    x, y = _pair(x, y)
    return float(np.mean((x - y) ** 2))


def rms_error(x, y) -> float:
    """Root-mean-square error, √MSE."""
    return float(np.sqrt(mse(x, y)))


def max_abs_error(x, y) -> float:
    """Largest absolute error, max |x − y| (≤ Δ/2 inside a quantizer's range)."""
    x, y = _pair(x, y)
    return float(np.max(np.abs(x - y)))


def sqnr_db(x, y) -> float:
    """Signal-to-quantization-noise ratio, SQNR = 10·log10(Σx² / Σ(x − y)²) dB."""
    x, y = _pair(x, y)
    return _db(np.sum(x**2), np.sum((x - y) ** 2))


def psqnr_db(x, y, peak: float) -> float:
    """Peak SQNR, PSQNR = 10·log10(peak² / MSE) dB (peak = the signal's MAX)."""
    if not np.isfinite(peak) or peak <= 0:
        raise ValueError(f"peak must be a finite number > 0; got {peak!r}")
    return _db(float(peak) ** 2, mse(x, y))


def psnr_db(x, y, data_range: float) -> float:
    """Peak signal-to-noise ratio, PSNR = 10·log10(R² / MSE) dB, R = data_range."""
    if not np.isfinite(data_range) or data_range <= 0:
        raise ValueError(f"data_range must be a finite number > 0; got {data_range!r}")
    return _db(float(data_range) ** 2, mse(x, y))


def enob(sinad_db: float) -> float:
    """Effective number of bits, ENOB = (SINAD − 1.76 dB) / 6.02 dB."""
    return (sinad_db - 1.7609125905568124) / 6.020599913279624


def inband_snr_db(x, e, fs: float, f_hi: float, f_lo: float = 0.0, nperseg: int = 4096) -> float:
    """SNR within a band: 10·log10(P_x,band / P_e,band) dB for a signal x and its error e.

    Parameters
    ----------
    x, e : array_like
        The signal and its error e = x − Q(x) (not Q(x): the band powers are taken of each).
    fs : float
        Sample rate in Hz.
    f_lo, f_hi : float
        The band, 0 ≤ f_lo < f_hi ≤ fs/2.
    nperseg : int
        Welch segment length (shortened for short input).

    Notes
    -----
    Each band power is :func:`quantviz.spectral.band_power`: the one-sided Welch PSD (Hann,
    50 % overlap, no detrending) summed over the bins in [f_lo, f_hi] times the bin width. With
    noise shaping the error's power sits above the band, so this SNR rises with the order k where
    the full-band SQNR falls (Schreier & Temes, "Understanding Delta-Sigma Data Converters", 2005,
    ch. 2). Predicted: :func:`quantviz.theory.inband_error_power`.
    """
    from quantviz.spectral import band_power

    x, e = _pair(x, e, ("x", "e"))
    return _db(float(band_power(x.ravel(), fs, f_hi, f_lo, nperseg)), float(band_power(e.ravel(), fs, f_hi, f_lo,
                                                                                         nperseg)))


def ssim(x, y, data_range: float) -> float:
    """Structural similarity of two 2-D images (mean SSIM).

    Notes
    -----
    SSIM = ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),
    C1 = (0.01 R)², C2 = (0.03 R)², with a 7×7 uniform window, as computed by
    scikit-image's ``structural_similarity`` (a well-tested reference
    implementation, used here rather than re-written).

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE
       Trans. Image Process. 13(4), 2004.
    """
    from skimage.metrics import structural_similarity

    x, y = _pair(x, y)
    if x.ndim != 2:
        raise ValueError(f"ssim needs 2-D images; got x with shape {x.shape}")
    if min(x.shape) < 7:
        raise ValueError(f"ssim needs images of at least 7×7 pixels; got {x.shape}")
    if not np.isfinite(data_range) or data_range <= 0:
        raise ValueError(f"data_range must be a finite number > 0; got {data_range!r}")
    return float(structural_similarity(x, y, data_range=float(data_range)))


def segmental_snr_db(x, y, frame: int, floor_db: float = -10.0, ceil_db: float = 35.0, axis: int = -1):
    """Segmental SNR: the SNR of each frame, and their mean.

    Parameters
    ----------
    x, y : array_like
        Reference and processed signals (any leading axes are pooled per frame).
    frame : int
        Frame length in samples.
    floor_db, ceil_db : float
        Per-frame SNRs are clamped to [floor_db, ceil_db] (the usual −10 … 35 dB),
        so silent frames neither dominate nor give ±inf.

    Returns
    -------
    (per_frame_db, mean_db)

    Notes
    -----
    SNR_seg = (1/M) Σ_m clamp(10·log10(Σ_{n∈m} x² / Σ_{n∈m} (x − y)²)).

    References
    ----------
    .. [1] P. E. Papamichalis, "Practical Approaches to Speech Coding", 1987.
    """
    x, y = _pair(x, y)
    frame = int(frame)
    if frame < 1:
        raise ValueError(f"frame must be ≥ 1 sample; got {frame}")
    x = np.moveaxis(np.atleast_1d(x), axis, -1)
    y = np.moveaxis(np.atleast_1d(y), axis, -1)
    m = max(x.shape[-1] // frame, 1)
    n = min(m * frame, x.shape[-1])
    xs = x[..., :n].reshape(*x.shape[:-1], m, -1)
    es = (x - y)[..., :n].reshape(*x.shape[:-1], m, -1)
    sig = np.sum(xs**2, axis=-1).reshape(-1, m).sum(axis=0)
    noise = np.sum(es**2, axis=-1).reshape(-1, m).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = 10 * np.log10(sig / noise)
    snr = np.where(noise == 0, ceil_db, np.where(sig == 0, floor_db, snr))
    snr = np.clip(snr, floor_db, ceil_db)
    return snr, float(np.mean(snr))


def code_entropy_bits(codes) -> float:
    """Empirical entropy of quantizer codes in bits per sample.

    Notes
    -----
    H = −Σ_k p_k log2 p_k, with p_k the relative frequency of code k. It is
    the rate an ideal entropy coder needs, against the fixed rate b of the
    code words (H ≤ b).

    References
    ----------
    .. [1] C. E. Shannon, "A mathematical theory of communication", 1948.
    """
    codes = np.asarray(codes).ravel()
    if codes.size == 0:
        raise ValueError("codes is empty")
    _, counts = np.unique(codes, return_counts=True)
    p = counts / codes.size
    return float(-np.sum(p * np.log2(p)) + 0.0)
