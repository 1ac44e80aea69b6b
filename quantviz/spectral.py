"""Spectra, spectrograms and autocorrelation, all in dBFS (0 dBFS = a
full-scale sine), so that signal peaks and noise floors can be read off the
same axis as the formulas in :mod:`quantviz.theory`.
"""

import numpy as np
from scipy import signal as sps


def _window_enbw(window: np.ndarray) -> float:
    """Equivalent noise bandwidth in bins, N·Σw² / (Σw)² (1.5 for Hann)."""
    return float(window.size * np.sum(window**2) / np.sum(window) ** 2)


def power_spectrum_dbfs(x, fs: float, nperseg: int = 2048, axis: int = -1):
    """Welch-averaged power spectrum in dBFS.

    Parameters
    ----------
    x : array_like
        Signal, full scale ±1.
    fs : float
        Sample rate in Hz.
    nperseg : int
        Segment length (Hann window, 50 % overlap); shortened for short input.

    Returns
    -------
    f : ndarray
        Frequencies in Hz (nperseg/2 + 1 bins).
    p_db : ndarray
        10·log10(P / ½) per bin, where P is the power-spectrum estimate; a sine
        of amplitude A reads 20·log10(A) dBFS at its peak.
    enbw : float
        The window's equivalent noise bandwidth in bins, for noise-floor formulas.
    nperseg : int
        The segment length actually used.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[axis]
    nperseg = int(min(nperseg, n))
    f, p = sps.welch(x, fs=fs, window="hann", nperseg=nperseg, scaling="spectrum", axis=axis)
    with np.errstate(divide="ignore"):
        p_db = 10 * np.log10(np.maximum(p / 0.5, 1e-30))
    return f, p_db, _window_enbw(sps.get_window("hann", nperseg)), nperseg


def band_power(x, fs: float, f_hi: float, f_lo: float = 0.0, nperseg: int = 4096, axis: int = -1):
    """Mean-square power of x within the band [f_lo, f_hi] Hz, from its Welch spectrum.

    Notes
    -----
    P_band = Σ_{f_lo ≤ f_k ≤ f_hi} S(f_k)·Δf, with S the one-sided Welch power spectral density
    (Hann window, 50 % overlap, no detrending, so a DC offset counts at 0 Hz) and Δf = fs/nperseg;
    over the whole band [0, fs/2] this is the mean of x² (Parseval). The band edges are resolved to
    one bin, fs/nperseg, and the Hann window's leakage (sidelobes −31 dB, falling 18 dB/octave)
    sets how far below the out-of-band power an in-band estimate can go.

    References
    ----------
    .. [1] P. D. Welch, "The use of fast Fourier transform for the estimation of power spectra",
       IEEE Trans. Audio Electroacoust. 15(2), 1967.
    """
    x = np.asarray(x, dtype=np.float64)
    if not (0 <= f_lo < f_hi <= fs / 2):
        raise ValueError(f"the band must satisfy 0 ≤ f_lo < f_hi ≤ fs/2; got f_lo={f_lo!r}, f_hi={f_hi!r}, fs={fs!r}")
    nperseg = int(min(nperseg, x.shape[axis]))
    f, p = sps.welch(x, fs=fs, window="hann", nperseg=nperseg, scaling="density", detrend=False, axis=axis)
    inside = (f >= f_lo) & (f <= f_hi)
    return np.sum(np.compress(inside, p, axis=axis), axis=axis) * (fs / nperseg)


def spectrogram_dbfs(x, fs: float, nperseg: int = 1024, noverlap: int | None = None):
    """Short-time power spectrum in dBFS (Hann window); returns (f, t, S_db[f, t])."""
    x = np.asarray(x, dtype=np.float64)
    nperseg = int(min(nperseg, x.shape[-1]))
    f, t, s = sps.spectrogram(x, fs=fs, window="hann", nperseg=nperseg, noverlap=noverlap, scaling="spectrum")
    return f, t, 10 * np.log10(np.maximum(s / 0.5, 1e-30))


def autocorrelation(x, max_lag: int):
    """Normalised autocorrelation r[k] / r[0] for lags 0 … max_lag.

    Notes
    -----
    r[k] = Σ_n (x[n] − x̄)(x[n+k] − x̄), computed with an FFT (zero-padded to
    avoid circular wrap). White noise gives r[k]/r[0] ≈ 0 for k ≠ 0, with a
    95 % band of ±1.96/√N.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    x = x - x.mean()
    n = x.size
    max_lag = int(min(max_lag, n - 1))
    nfft = 1 << int(np.ceil(np.log2(2 * n - 1)))
    spec = np.fft.rfft(x, nfft)
    r = np.fft.irfft(spec * np.conj(spec), nfft)[: max_lag + 1]
    return r / r[0] if r[0] > 0 else np.zeros_like(r)
