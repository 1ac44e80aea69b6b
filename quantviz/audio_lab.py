"""The listening lab: requantize audio and measure what it does, in one call.

:func:`analyse_audio` is the one analysis the Audio page makes; it returns a
small frozen :class:`AudioAnalysis` (the quantized audio in float32 plus
metrics, decimated spectrograms, the long-term error spectrum against theory
and the segmental SNR over time). :func:`excerpt_audio` then cuts the
excerpt the page plays and writes the WAVs at true level;
:func:`download_wav` writes the whole quantized clip.

Audio is ``(channels, n)`` with full scale ±1 (see :mod:`quantviz.audio_io`);
quantization and noise shaping run along the last axis. Nothing here imports
Streamlit.

Schemes
-------
``"pcm"``
    Uniform requantization by :func:`quantviz.quantize` with any
    :class:`~quantviz.QuantizerSpec` (bits, dither, noise shaping, …).
``"mulaw"``, ``"alaw"``
    8-bit ITU-T G.711: the signal is rounded to 16-bit PCM, encoded to 8-bit
    codes and decoded again by :mod:`quantviz.g711` (bit-exact ``g711.c``).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import soundfile as sf
from numba import njit
from scipy import fft as sp_fft

from quantviz import audio_io, metrics, theory
from quantviz.analysis import enob_with_note
from quantviz._kernels import get_threads
from quantviz.quantizers import QuantizerSpec, quantize

SCHEMES = {"pcm": "uniform PCM", "mulaw": "8-bit G.711 μ-law", "alaw": "8-bit G.711 A-law"}
MU, A = 255.0, 87.6
FRAME_S = 0.02  # segmental-SNR frame: 20 ms (Papamichalis 1987)
SEG_FLOOR_DB, SEG_CEIL_DB = -10.0, 35.0  # the usual clamps of segmental SNR
MAX_COLS, MAX_ROWS, FRAMES_PER_COL = 200, 128, 2
MAX_CHANNELS = 16  # analyse_audio refuses more: an (n, channels) array passed the wrong way round
LIMIT_CEILING_DB = -1.0
INBAND_HI_HZ = 4000.0  # the in-band SNR's upper edge (at most fs/6, where |NTF| = 1 for every order)
_PLOT_FLOOR_DB, _PLOT_CEIL_DB = -30.0, 200.0  # wide clamps for the per-frame curve


# --------------------------------------------------------------------------
# Quantization
# --------------------------------------------------------------------------


def g711_usable() -> bool:
    """True when :mod:`quantviz.g711` encodes and decodes (a quick round trip)."""
    try:
        from quantviz import g711

        pcm = np.array([-32768, -1000, 0, 1000, 32767], dtype=np.int16)
        ok_mu = np.abs(g711.ulaw_decode(g711.ulaw_encode(pcm)).astype(int) - pcm).max() < 1100
        ok_a = np.abs(g711.alaw_decode(g711.alaw_encode(pcm)).astype(int) - pcm).max() < 1100
        return bool(ok_mu and ok_a)
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False


def pcm16(x) -> np.ndarray:
    """Round audio in [−1, 1] to 16-bit PCM: clip(round(x·2¹⁵), −2¹⁵, 2¹⁵ − 1) as int16 (ties to even)."""
    return np.clip(np.round(np.asarray(x, dtype=np.float64) * 32768.0), -32768, 32767).astype(np.int16)


def g711_codec(x, law: str) -> tuple[np.ndarray, np.ndarray]:
    """Pass audio through 8-bit G.711.

    Parameters
    ----------
    x : ndarray
        Audio in [−1, 1], any shape.
    law : {"mu", "a"}

    Returns
    -------
    values : ndarray of float64
        The decoded signal, ŷ = decode(encode(pcm16(x))) / 2¹⁵ (on the 16-bit grid).
    codes : ndarray of uint8
        The 8-bit code words as transmitted.
    """
    from quantviz import g711

    enc, dec = (g711.ulaw_encode, g711.ulaw_decode) if law == "mu" else (g711.alaw_encode, g711.alaw_decode)
    codes = enc(pcm16(x))
    return dec(codes).astype(np.float64) / 32768.0, codes


def wav_bits(spec: QuantizerSpec | None) -> int:
    """Smallest WAV word length that stores this quantizer's output exactly.

    Notes
    -----
    A mid-tread b-bit grid on [−1, 1) is the multiples of 2^(1−b): b bits.
    Mid-rise levels sit half a step off, (k + ½)·2^(1−b): b + 1 bits. End-point
    grids (Δ = 2/(2^b − 1)) and subtractive dither leave the dyadic grid, so
    they are written at 24 bits, like the original. G.711 (``spec=None``)
    decodes to 16-bit PCM.
    """
    if spec is None:
        return 16
    on_grid = spec.bounded and spec.lo == -1.0 and spec.hi == 1.0 and not spec.subtractive
    if on_grid and spec.mode == "midtread":
        return spec.bits
    if on_grid and spec.mode == "midrise":
        return min(spec.bits + 1, 32)
    return 24


# --------------------------------------------------------------------------
# Theory for the companded (G.711) schemes
# --------------------------------------------------------------------------


def companded_noise_power(x, law: str, bits: int = 8, axis=None):
    """Bennett's granular noise power of G.711's μ-law (μ = 255) or A-law (A = 87.6) compander
    followed by a b-bit quantizer: :func:`quantviz.theory.bennett_noise_power`."""
    if law not in ("mu", "a"):
        raise ValueError(f"law must be 'mu' or 'a'; got {law!r}")
    return theory.bennett_noise_power(x, bits, law, MU, A, axis=axis)


# --------------------------------------------------------------------------
# Spectra by sampled frames (bounded cost for any length)
# --------------------------------------------------------------------------


def nperseg_for(fs: float) -> int:
    """FFT length giving about 24 Hz resolution: 2^round(log2(fs/24)), between 256 and 4096."""
    return int(np.clip(2 ** round(math.log2(fs / 24)), 256, 4096))


def _frame_starts(n: int, nperseg: int, max_cols: int, per_col: int, max_frames: int = 400):
    """Columns, their length (samples) and the start of each sampled frame, shape (cols, per).

    ``per`` frames per column (at most ``per_col``, fewer when the column is short or
    cols·per would exceed ``max_frames``).
    """
    cols = int(min(max_cols, max(1, n // (nperseg // 2))))
    col_len = n / cols
    per = int(min(per_col, max(1, round(col_len / (nperseg / 2))), max(1, max_frames // cols)))
    centres = (np.arange(cols)[:, None] + (np.arange(per)[None, :] + 0.5) / per) * col_len
    starts = np.clip(np.round(centres - nperseg / 2), 0, max(n - nperseg, 0)).astype(np.int64)
    return cols, col_len, starts


def _hann(nperseg: int) -> np.ndarray:
    """Periodic Hann window, as ``scipy.signal.get_window("hann", nperseg)``, float32."""
    return np.hanning(nperseg + 1)[:-1].astype(np.float32)


@njit(cache=True)
def _windowed_frames(y, starts, w, out):  # pragma: no cover - compiled
    """out[c, k, i] = y[c, starts[k] + i]·w[i] (0 past the end): gather, window and cast in one pass."""
    channels, n = y.shape
    for c in range(channels):
        for k in range(starts.size):
            s = starts[k]
            for i in range(w.size):
                out[c, k, i] = (y[c, s + i] if s + i < n else 0.0) * w[i]
    return out


def frame_spectra(y, nperseg: int, starts: np.ndarray) -> np.ndarray:
    """The DFT of every sampled, Hann-windowed frame ``w·y[..., s:s + nperseg]`` (zero past the end).

    Returns
    -------
    ndarray, shape (channels, cols·per, nperseg // 2 + 1), complex64
        Y[k] = Σ w[n] y[n] e^{−2πikn/N}, computed in float32.
    """
    y = np.asarray(y)
    y = y if y.ndim == 2 else y[np.newaxis]
    frames = _windowed_frames(y, starts.ravel(), _hann(nperseg),
                              np.empty((y.shape[0], starts.size, nperseg), np.float32))
    return sp_fft.rfft(frames, axis=-1, workers=get_threads())


@njit(cache=True)
def _column_power(a, b, has_b, cols, out):  # pragma: no cover - compiled
    """out[col, i] = mean over channels and the col-th group of frames of |a − b|² (b = 0 unless has_b)."""
    channels, frames, bins = a.shape
    per = frames // cols
    for col in range(cols):
        for c in range(channels):
            for k in range(col * per, col * per + per):
                for i in range(bins):
                    z = a[c, k, i] - b[c, k, i] if has_b else a[c, k, i]
                    out[col, i] += float(z.real) ** 2 + float(z.imag) ** 2
    out /= channels * per
    return out


def frame_power(spectra: np.ndarray, cols: int, nperseg: int, minus: np.ndarray | None = None) -> np.ndarray:
    """One-sided power spectrum of windowed frames, averaged over channels and the frames of each column.

    Parameters
    ----------
    spectra : ndarray, shape (channels, cols·per, nperseg // 2 + 1)
        From :func:`frame_spectra`; the ``per`` consecutive frames of a column are averaged.
    cols, nperseg : int
    minus : ndarray like ``spectra``, optional
        Take the power of ``spectra − minus`` (by linearity the spectra of y − z), with no temporary.

    Returns
    -------
    ndarray, shape (cols, nperseg // 2 + 1)
        P[k] = c_k·|Σ w[n] y[n] e^{−2πikn/N}|² / (Σw)², c_k = 2 except at DC and
        Nyquist: SciPy's ``scaling="spectrum"``, so a sine of amplitude A reads A²/2
        and white noise of variance σ² reads 2σ²·ENBW/N per bin. Squares and sums in float64.
    """
    p = _column_power(spectra, spectra if minus is None else minus, minus is not None, cols,
                      np.zeros((cols, spectra.shape[-1])))
    p /= float(np.sum(_hann(nperseg), dtype=np.float64)) ** 2
    p[:, 1 : (nperseg + 1) // 2] *= 2
    return p


@dataclass(frozen=True, eq=False)
class SourceSpectra:
    """The clip's own sampled frame spectra: no quantizer setting changes them, so a page caches them per clip.

    Attributes
    ----------
    n, fs : int
        Length (samples) and rate of the clip they belong to.
    max_cols : int
        The ``max_cols`` they were computed for.
    nperseg, cols : int
        FFT length, and the spectrogram's columns.
    col_len : float
        Samples per column.
    starts : ndarray of int64, (cols, per)
        First sample of each frame (:func:`_frame_starts`).
    spectra : ndarray of complex64, (channels, cols·per, nperseg // 2 + 1)
        :func:`frame_spectra` of the clip.
    power : ndarray, (cols, nperseg // 2 + 1)
        :func:`frame_power` of those spectra.
    """

    n: int
    fs: int
    max_cols: int
    nperseg: int
    cols: int
    col_len: float
    starts: np.ndarray
    spectra: np.ndarray
    power: np.ndarray


def source_spectra(x, fs: int, max_cols: int = MAX_COLS) -> SourceSpectra:
    """Frame spectra of a clip, (channels, n), at the frames :func:`analyse_audio` uses.

    N = :func:`nperseg_for` (at most the clip's length rounded down to a power of two, at least 256);
    at most 400 Hann frames in all (``max_cols`` columns × ≤ 2, fewer per channel for many channels).
    """
    x = np.asarray(x, dtype=np.float64)
    x = x if x.ndim == 2 else x[np.newaxis]
    n = x.shape[-1]
    nperseg = int(min(nperseg_for(fs), 1 << int(math.log2(max(n, 256)))))
    cols, col_len, starts = _frame_starts(n, nperseg, max_cols, FRAMES_PER_COL, 400 // x.shape[0])
    spectra = frame_spectra(x, nperseg, starts)
    return SourceSpectra(n=n, fs=int(fs), max_cols=max_cols, nperseg=nperseg, cols=cols, col_len=col_len, starts=starts,
                         spectra=_read_only(spectra), power=_read_only(frame_power(spectra, cols, nperseg)))


def _db(p) -> np.ndarray:
    """10·log10(P/½): dBFS per bin, 0 dBFS = a full-scale sine."""
    with np.errstate(divide="ignore"):
        return 10 * np.log10(np.maximum(np.asarray(p) / 0.5, 1e-30))


def log_bands(f: np.ndarray, max_rows: int):
    """Group FFT bins k ≥ 1 into at most ``max_rows`` log-spaced bands (none empty).

    Returns (first bin of each band, band centre frequencies = geometric mean of its bins).
    """
    k = np.arange(1, f.size)
    row = np.minimum((max_rows * np.log(f[k] / f[1]) / np.log(f[-1] / f[1])).astype(int), max_rows - 1)
    first = k[np.r_[True, np.diff(row) > 0]]
    logs = np.log(f[1:])
    centres = np.exp(np.add.reduceat(logs, first - 1) / np.diff(np.r_[first, f.size]))
    return first, centres


def inband_edge_hz(fs: float) -> float:
    """Upper edge of the in-band SNR's band [0, f_hi]: f_hi = min(4 kHz, fs/6).

    fs/6 is where |NTF(f)|² = (2 sin(πf/fs))^{2k} = 1 for every order k: below it a noise
    shaper lowers the error at every frequency, so the band shows what shaping is for.
    """
    if not fs > 0:
        raise ValueError(f"fs must be > 0; got {fs!r}")
    return float(min(INBAND_HI_HZ, fs / 6))


def band_power_ratio_db(f, p_num, p_den, f_lo: float, f_hi: float) -> float:
    """10·log10(Σ p_num / Σ p_den) over the bins with f_lo ≤ f ≤ f_hi (two spectra on the same scale).

    With averaged Hann periodograms (``frame_power``) each sum is the band's power × ENBW, for tones and
    noise alike, so the ratio is the band's power ratio (leakage from outside the band aside: the Hann
    window's side lobes fall 18 dB per octave).
    """
    f = np.asarray(f)
    if not f_hi > f_lo:
        raise ValueError(f"f_hi must be > f_lo; got f_lo = {f_lo!r}, f_hi = {f_hi!r}")
    band = (f >= f_lo) & (f <= f_hi)
    if not band.any():
        raise ValueError(f"no frequency bin lies in [{f_lo!r}, {f_hi!r}] Hz")
    return _ratio_db(float(np.sum(np.asarray(p_num)[band])), float(np.sum(np.asarray(p_den)[band])))


# --------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AudioAnalysis:
    """What :func:`analyse_audio` returns: the quantized audio and everything the page draws.

    Attributes
    ----------
    values, error : ndarray of float32, (channels, n)
        Q(x) (exact: every ≤ 24-bit dyadic grid fits float32) and e = x − Q(x).
    fs : int
    scheme : str
        ``"pcm"``, ``"mulaw"`` or ``"alaw"``.
    bits : int
        Resolution b (8 for G.711).
    wav_bits : int
        WAV word length that stores ``values`` exactly (:func:`wav_bits`).
    step : float
        Δ (NaN for G.711).
    metrics, predicted : dict
        ``snr``, ``segsnr``, ``noise_dbfs``, ``enob``, ``inband_snr`` measured and predicted, plus
        ``inband_snr_unshaped`` (the prediction with the same quantizer and dither, no noise shaping) and
        ``peak_dbfs`` (of x) in ``metrics`` and ``sine_snr`` (6.02b + 1.76) and
        ``power`` (P_e) in ``predicted``.
    seg_t, seg_snr_db, seg_pred_db, seg_level_dbfs : ndarray
        Per 20 ms frame: centre time (s), SNR (clamped to [−30, 200] dB; NaN, i.e.
        not drawn, for silent or error-free frames), the model's SNR, and the
        signal's RMS level (NaN in digital silence).
    spec_t, spec_f : ndarray
        Spectrogram column times (s) and log-spaced row frequencies (Hz).
    spec_q_db, spec_e_db : ndarray of int16, (rows, cols)
        Spectrograms of Q(x) and e in whole dBFS per bin.
    ltas_f, ltas_x_db, ltas_e_db, ltas_floor_db : ndarray
        Long-term spectra of x and e, and the predicted error spectrum, dBFS per bin.
    white_floor_db : float
        The unshaped error floor 10·log10(4·P_white·ENBW/N), dBFS per bin.
    nperseg : int
        FFT length of the spectra.
    clip_fraction : float
        Fraction of samples the quantizer saturated (PCM) or 0.
    band_hz : (float, float)
        The in-band SNR's band [0, :func:`inband_edge_hz`] in Hz.
    enob_note : str
        For PCM, why ENOB is capped at the word length (the error is below Δ²/12); empty otherwise.
    """

    values: np.ndarray
    error: np.ndarray
    fs: int
    scheme: str
    bits: int
    wav_bits: int
    step: float
    metrics: dict
    predicted: dict
    seg_t: np.ndarray
    seg_snr_db: np.ndarray
    seg_pred_db: np.ndarray
    seg_level_dbfs: np.ndarray
    spec_t: np.ndarray
    spec_f: np.ndarray
    spec_q_db: np.ndarray
    spec_e_db: np.ndarray
    ltas_f: np.ndarray
    ltas_x_db: np.ndarray
    ltas_e_db: np.ndarray
    ltas_floor_db: np.ndarray
    white_floor_db: float
    nperseg: int
    clip_fraction: float
    band_hz: tuple = (0.0, INBAND_HI_HZ)
    enob_note: str = ""  # why ENOB is shown as "≥ b" (quantviz.analysis.enob_with_note), or empty

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.values.shape[-1] / self.fs


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False  # results are cached and shared between sessions
    return a


def _ratio_db(num: float, den: float) -> float:
    """10·log10(num/den), +inf for den = 0 < num, −inf for num = 0 < den, NaN for 0/0 (as quantviz.metrics)."""
    if den == 0:
        return math.inf if num > 0 else math.nan
    return 10 * math.log10(num / den) if num > 0 else -math.inf


@njit(cache=True)
def _error_pass(x, q, frame, lo, hi, values32, error32, sig, noise):  # pragma: no cover - compiled
    """One pass over (channels, n): Q(x) and e = x − Q(x) as float32, Σx² and Σe² per frame
    (pooled over channels; samples after the last whole frame go to totals only), the totals,
    the peak |x|, and how many samples lie outside [lo, hi].

    Frame by frame, so that no sample needs an integer division (i // frame cost more than
    the rest of the loop); each frame's sums are added to the totals, channel by channel.
    """
    channels, n = x.shape
    n_frames = sig.size
    sx = 0.0
    se = 0.0
    peak = 0.0
    outside = 0
    for c in range(channels):
        for j in range(n_frames + 1):  # j = n_frames: the samples after the last whole frame
            start = j * frame
            stop = min(start + frame, n) if j < n_frames else n
            fx = 0.0
            fe = 0.0
            for i in range(start, stop):
                xi = x[c, i]
                qi = q[c, i]
                ei = xi - qi
                values32[c, i] = qi
                error32[c, i] = ei
                fx += xi * xi
                fe += ei * ei
                peak = max(peak, abs(xi))
                outside += (xi < lo) | (xi > hi)
            if j < n_frames:
                sig[j] += fx
                noise[j] += fe
            sx += fx
            se += fe
    return sx, se, peak, outside


def analyse_audio(x, fs: int, spec: QuantizerSpec | None = None, scheme: str = "pcm", *,
                  max_cols: int = MAX_COLS, max_rows: int = MAX_ROWS,
                  source: SourceSpectra | None = None) -> AudioAnalysis:
    """Requantize audio and measure it against theory.

    Parameters
    ----------
    x : array_like, shape (channels, n) or (n,)
        Audio, full scale ±1.
    fs : int
        Sample rate (Hz).
    spec : QuantizerSpec, optional
        The uniform quantizer (scheme ``"pcm"``); ``QuantizerSpec()`` by default.
    scheme : {"pcm", "mulaw", "alaw"}
    max_cols, max_rows : int
        Size of the decimated spectrograms (time columns × log-frequency rows).
    source : SourceSpectra, optional
        :func:`source_spectra` of this very ``x`` (at ``max_cols``), if already computed: a page that
        changes only the quantizer reuses them.

    Returns
    -------
    AudioAnalysis

    Notes
    -----
    Measured, with e = x − Q(x):

    * SNR = 10·log10(Σx² / Σe²);
    * segmental SNR = mean over 20 ms frames of clamp(10·log10(Σ_f x²/Σ_f e²), −10, 35)
      (:func:`quantviz.metrics.segmental_snr_db`);
    * noise floor = 10·log10(mean e² / ½) dBFS (0 dBFS = the power of a full-scale sine, as in the spectra);
    * ENOB = (SNR_FS − 1.76)/6.02 with SNR_FS = 10·log10(½ / mean e²), the SNR a
      full-scale sine would have with this error;
    * in-band SNR over [0, f_hi], f_hi = :func:`inband_edge_hz`: 10·log10(Σ_band P̂_x / Σ_band P̂_e) on the
      long-term spectra (averaged Hann periodograms of the sampled frames below,
      :func:`band_power_ratio_db`); an estimate from those frames, not from every sample.
      Predicted: the same sum with the model's error spectrum, i.e. P_e,band =
      P_white·(2/fs)·∫_band |NTF(f)|² df, against the measured signal spectrum.

    Predicted: for PCM the additive model P_e = (Δ²/12 + σ_d²)·C(2k, k)
    (:func:`quantviz.theory.error_power`), with the error spectrum
    10·log10(4·P_white·ENBW/N·|NTF|²) dBFS per bin, |NTF|² = (2 sin(ω/2))^{2k};
    for G.711 Bennett's integral (:func:`companded_noise_power`), flat.
    The model's SNR of each frame is 10·log10(P_x,frame / P_e).

    The spectra use at most 400 Hann frames (``max_cols`` columns × ≤ 2) of N = :func:`nperseg_for`
    samples spread over the clip, so their cost does not grow with its length.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis]
    if x.ndim != 2 or x.shape[-1] == 0:
        raise ValueError(f"x must have shape (channels, n) with n ≥ 1; got {x.shape}")
    if x.shape[0] > MAX_CHANNELS:  # soundfile.read gives (n, channels): that layout took 6 s and measured nonsense
        raise ValueError(f"x has {x.shape[0]:,} channels of {x.shape[1]:,} samples; pass shape (channels, n), "
                         "e.g. x.T for soundfile's (n, channels)")
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(map(repr, SCHEMES))}; got {scheme!r}")
    fs = int(fs)
    lo, hi = -np.inf, np.inf  # the granular region, for the clip fraction
    if scheme == "pcm":
        spec = QuantizerSpec() if spec is None else spec
        r = quantize(x, spec)
        values, step, bits = r.values, r.step, spec.bits
        # the rule's own error (floor/ceil/toward zero: Δ²/3 with the bias; stochastic Δ²/6); its zero-mean part
        # is what the spectra show as a flat floor and what the shaping filter multiplies by C(2k, k)
        e_white = float(theory.white_error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.rounding))
        p_model = float(theory.error_power(step, spec.dither, spec.dither_scale, spec.subtractive, spec.noise_shaping,
                                           spec.rounding))
        order = spec.noise_shaping
        if spec.bounded:  # as quantviz.analysis.clip_fraction
            first = spec.lo + (0.5 if spec.mode == "midrise" else 0.0) * step
            lo, hi = first - step / 2, first + (2**spec.bits - 1) * step + step / 2
        wbits = wav_bits(spec)
    else:
        law = "mu" if scheme == "mulaw" else "a"
        values, _ = g711_codec(x, law)
        step, bits, order, wbits = float("nan"), 8, 0, 16
        p_model = float(companded_noise_power(x, law))
        e_white = p_model

    # ---- one compiled pass: e, Q(x) and e in float32, Σx² and Σe² per 20 ms frame and in total ----------
    frame = max(1, round(FRAME_S * fs))
    n_frames = max(x.shape[-1] // frame, 1)
    used = min(n_frames * frame, x.shape[-1])
    values32, error32 = np.empty(x.shape, np.float32), np.empty(x.shape, np.float32)
    sig, noise = np.zeros(n_frames), np.zeros(n_frames)
    sx, se, peak, outside = _error_pass(x, np.ascontiguousarray(values, dtype=np.float64), frame, lo, hi, values32,
                                  error32, sig, noise)
    clip_fraction = outside / x.size
    px, pe = sx / x.size, se / x.size
    with np.errstate(divide="ignore", invalid="ignore"):
        seg = np.clip(10 * np.log10(sig / noise), _PLOT_FLOOR_DB, _PLOT_CEIL_DB)  # = metrics.segmental_snr_db
    seg = np.where(noise == 0, _PLOT_CEIL_DB, np.where(sig == 0, _PLOT_FLOOR_DB, seg))
    sig_power = sig / (used // n_frames * x.shape[0])
    if scheme == "pcm":
        noise_model = np.full(sig.shape, p_model)
    else:
        blocks = x[..., : n_frames * frame].reshape(x.shape[0], n_frames, -1).transpose(1, 0, 2)
        noise_model = companded_noise_power(blocks.reshape(n_frames, -1), law, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        seg_pred = np.where(sig > 0, 10 * np.log10(sig_power / noise_model), SEG_FLOOR_DB)
        level = np.maximum(10 * np.log10(sig_power), -200.0)

    def snr_fs(p):
        return 10 * math.log10(0.5 / p) if p > 0 else math.inf

    m = {
        "snr": _ratio_db(sx, se),  # = metrics.sqnr_db(x, values)
        "peak_dbfs": 20 * math.log10(peak) if peak > 0 else -math.inf,  # of x: audio_io.peak_dbfs
        "segsnr": float(np.mean(np.clip(seg, SEG_FLOOR_DB, SEG_CEIL_DB))),
        # dBFS as in the spectra: 0 dBFS = the power of a full-scale sine, ½ (AES17)
        "noise_dbfs": 10 * math.log10(pe / 0.5) if pe > 0 else -math.inf,
        "enob": metrics.enob(snr_fs(pe)),
    }
    enob_note = ""
    if scheme == "pcm":  # capped at the word length when the error is below Δ²/12 (the model does not apply)
        m["enob"], enob_note = enob_with_note(pe, spec, step, silent=not np.any(values))
    p = {
        "snr": _ratio_db(px, p_model),
        "segsnr": float(np.mean(np.clip(seg_pred, SEG_FLOOR_DB, SEG_CEIL_DB))),
        "noise_dbfs": 10 * math.log10(p_model / 0.5),
        "enob": metrics.enob(snr_fs(p_model)),
        "sine_snr": float(theory.sine_sqnr_db(bits)),
        "power": p_model,
    }

    # ---- spectra ------------------------------------------------------------
    src = source_spectra(x, fs, max_cols) if source is None else source
    if (src.n, src.fs, src.spectra.shape[0], src.max_cols) != (x.shape[-1], fs, x.shape[0], max_cols):
        raise ValueError(f"source spectra of a clip of {src.n} samples × {src.spectra.shape[0]} channels at "
                         f"{src.fs} Hz, {src.max_cols} columns, do not belong to this one ({x.shape[-1]} × "
                         f"{x.shape[0]} at {fs} Hz, {max_cols} columns)")
    nperseg, cols, col_len = src.nperseg, src.cols, src.col_len
    # Q's spectra by linearity, Q = X − E; E from the exact float32 error (x − q in float32 would cancel)
    se_f = frame_spectra(error32, nperseg, src.starts)
    px_f, pq_f, pe_f = src.power, frame_power(src.spectra, cols, nperseg, minus=se_f), frame_power(se_f, cols, nperseg)
    f = np.fft.rfftfreq(nperseg, 1 / fs)
    first, centres = log_bands(f, max_rows)
    counts = np.diff(np.r_[first, f.size])

    def banded(pw):  # (cols, bins) -> (rows, cols) int16 dBFS
        b = np.add.reduceat(pw[:, 1:], first - 1, axis=1) / counts
        return np.clip(np.round(_db(b.T)), -32000, 32000).astype(np.int16)

    enbw = 1.5  # periodic Hann
    floor_bins = 4 * e_white * enbw / nperseg * theory.ntf_power(f, fs, order) / 2  # 2σ²·ENBW/N·|NTF|² per bin

    band = (0.0, inband_edge_hz(fs))
    px_lt, pe_lt = px_f.mean(axis=0), pe_f.mean(axis=0)
    white_bins = np.full(f.shape, 2 * e_white * enbw / nperseg)  # the same error unshaped (k = 0)
    m["inband_snr"] = band_power_ratio_db(f, px_lt, pe_lt, *band)
    p["inband_snr"] = band_power_ratio_db(f, px_lt, floor_bins, *band)
    p["inband_snr_unshaped"] = band_power_ratio_db(f, px_lt, white_bins, *band)

    def ltas(pw):  # dBFS per bin, DC dropped (log-frequency axis)
        return _db(pw[1:]).astype(np.float32)

    return AudioAnalysis(
        values=_read_only(values32), error=_read_only(error32), fs=fs, scheme=scheme, bits=int(bits),
        wav_bits=wbits, step=float(step), metrics=m, predicted=p,
        seg_t=((np.arange(seg.size) + 0.5) * frame / fs).astype(np.float32),
        seg_snr_db=np.where((sig > 0) & (noise > 0), seg, np.nan).astype(np.float32),
        seg_pred_db=np.where(sig > 0, seg_pred, np.nan).astype(np.float32),
        seg_level_dbfs=np.where(sig > 0, level, np.nan).astype(np.float32),
        spec_t=((np.arange(cols) + 0.5) * col_len / fs).astype(np.float32), spec_f=centres.astype(np.float32),
        spec_q_db=banded(pq_f), spec_e_db=banded(pe_f), ltas_f=f[1:].astype(np.float32),
        ltas_x_db=ltas(px_lt), ltas_e_db=ltas(pe_lt), ltas_floor_db=ltas(floor_bins), band_hz=band,
        white_floor_db=float(_db(2 * e_white * enbw / nperseg)), nperseg=nperseg, clip_fraction=clip_fraction,
        enob_note=enob_note,
    )


# --------------------------------------------------------------------------
# Listening and download
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExcerptAudio:
    """One excerpt at true level (never normalised); each WAV is written when first asked for.

    Attributes
    ----------
    original, quantized, error : bytes (properties, written on first access)
        WAV files: the original at 24 bits, Q(x) at ``AudioAnalysis.wav_bits``
        (exact), and e·10^(G/20) at 24 bits after :func:`quantviz.audio_io.limit`.
        A page that plays one of them writes one.
    samples : dict of ndarray, (channels, n)
        The three excerpts as played (``"original"``, ``"quantized"``, ``"error"``).
    fs, wav_bits : int
        Sample rate and the quantized WAV's word length.
    start_s, length_s : float
        The excerpt actually cut (clamped to the clip).
    gain_db : float
        The error gain G asked for.
    reduction_db : float
        How much the limiter turned the amplified error down (≥ 0).
    peaks_dbfs : dict
        Peak level of each excerpt as played.
    """

    samples: dict
    fs: int
    wav_bits: int
    start_s: float
    length_s: float
    gain_db: float
    reduction_db: float
    peaks_dbfs: dict

    def wav(self, kind: str) -> bytes:
        """The WAV of ``"original"``, ``"quantized"`` or ``"error"`` (written once, then kept)."""
        cache = self.__dict__.setdefault("_wavs", {})
        if kind not in cache:
            bits = self.wav_bits if kind == "quantized" else 24
            cache[kind] = audio_io.wav_bytes(self.samples[kind], self.fs, bits=bits)
        return cache[kind]

    def level_note(self, kind: str) -> str:
        """At what level ``kind`` plays, computed from the gain and the limiter (never "true level" if it is not).

        x and Q(x) always play at true level (never normalised). The error plays at true level only when
        the gain G is 0 dB and the limiter did nothing; otherwise it is G − reduction dB above it.
        """
        if kind not in self.samples:
            raise ValueError(f"kind must be one of {', '.join(map(repr, self.samples))}; got {kind!r}")
        if kind != "error":
            return "at true level (not normalised)"
        heard = self.gain_db - self.reduction_db
        if self.reduction_db > 0:
            limiter = f"limiter −{self.reduction_db:.1f} dB"
            if abs(heard) < 0.05:
                return f"gain {self.gain_db:+.0f} dB, {limiter}: at true level".replace("-", "−")
            how = f"amplified {heard:+.1f} dB" if heard > 0 else f"turned down {-heard:.1f} dB"
            return f"{how} (gain {self.gain_db:+.0f} dB, {limiter}), not at true level".replace("-", "−")
        if self.gain_db == 0:
            return "at true level (error gain 0 dB)"
        return f"amplified {self.gain_db:+.0f} dB, not at true level".replace("-", "−")

    original = property(lambda self: self.wav("original"))
    quantized = property(lambda self: self.wav("quantized"))
    error = property(lambda self: self.wav("error"))


def excerpt_audio(x, a: AudioAnalysis, start_s: float, length_s: float, error_gain_db: float = 0.0,
                  ceiling_db: float = LIMIT_CEILING_DB) -> ExcerptAudio:
    """Cut the excerpt to play; its WAVs are written at true level when asked for (:meth:`ExcerptAudio.wav`).

    Notes
    -----
    The quantized WAV uses the word length that stores Q(x) exactly, so a
    decoder gets back the very values the quantizer produced. The error is
    amplified by G dB and then only ever turned *down*, by one gain for the
    whole excerpt, to keep its peak ≤ ``ceiling_db`` (:func:`quantviz.audio_io.limit`).
    """
    x = np.atleast_2d(np.asarray(x))
    xs, t0, length = audio_io.excerpt(x, a.fs, start_s, length_s)
    qs, _, _ = audio_io.excerpt(a.values, a.fs, start_s, length_s)
    es, _, _ = audio_io.excerpt(a.error, a.fs, start_s, length_s)
    loud, reduction = audio_io.limit(es.astype(np.float64) * 10 ** (error_gain_db / 20), ceiling_db)
    samples = {"original": xs, "quantized": qs, "error": loud}
    return ExcerptAudio(samples=samples, fs=a.fs, wav_bits=a.wav_bits, start_s=t0, length_s=length,
                        gain_db=float(error_gain_db), reduction_db=reduction,
                        peaks_dbfs={k: audio_io.peak_dbfs(v) for k, v in samples.items()})


def download_format(a: AudioAnalysis) -> tuple[str, str]:
    """How :func:`download_wav` stores the clip: (description, file-name suffix)."""
    if a.scheme == "pcm":
        return f"{a.wav_bits}-bit PCM WAV", f"{a.bits}bit"
    law = "mu" if a.scheme == "mulaw" else "a"
    return f"8-bit G.711 {'μ' if law == 'mu' else 'A'}-law WAV", f"g711-{law}law"


def download_wav(a: AudioAnalysis) -> bytes:
    """The whole quantized clip as a WAV file.

    PCM: the smallest container holding Q(x) exactly (PCM_U8/16/24/32, via
    :func:`quantviz.audio_io.wav_bytes`). G.711: an 8-bit μ-law/A-law WAV
    (format tag 7/6) whose bytes are the G.711 codes of the signal
    (:func:`quantviz.audio_io.g711_wav_bytes`); decoding it gives ``a.values``.
    """
    if a.scheme == "pcm":
        return audio_io.wav_bytes(a.values, a.fs, bits=a.wav_bits)
    law = "mu" if a.scheme == "mulaw" else "a"
    return audio_io.g711_wav_bytes(pcm16(a.values), a.fs, law=law)


@dataclass(frozen=True)
class AudioProbe:
    """What an uploaded file holds, read from its header after a test decode."""

    sample_rate: int
    channels: int
    duration: float
    format: str


def probe_audio(data: bytes, name: str, max_bytes: int = audio_io.DEFAULT_MAX_BYTES) -> AudioProbe:
    """Check that an upload decodes and report its rate, channels and length.

    Raises
    ------
    quantviz.audio_io.AudioInputError
        With the same student-readable messages as :func:`quantviz.audio_io.read_audio`.
    """
    audio_io.read_audio(data, name, max_bytes=max_bytes, max_seconds=0.05)  # raises on bad input
    with sf.SoundFile(io.BytesIO(data)) as f:
        return AudioProbe(f.samplerate, f.channels, f.frames / f.samplerate, f.format)
