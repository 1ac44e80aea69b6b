"""Tests for quantviz.audio_lab: dither and noise-shaping statistics on the real clips against
published results, exact WAV round trips at true level, G.711 against audioop, and edge cases.

References used here are independent of the code under test: scipy.signal.welch for spectra,
Python 3.11's audioop for G.711, soundfile for decoding, closed-form formulas typed in.
"""

import io
import math
import warnings

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from quantviz import QuantizerSpec, audio_io, audio_lab, metrics
from quantviz.audio_io import AudioInputError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # removed in Python 3.13; the project pins 3.11

FS = 48_000


def clip(key, gain_db=0.0):
    return audio_io.load_clip(key).samples * 10 ** (gain_db / 20)


def decode(wav: bytes):
    y, fs = sf.read(io.BytesIO(wav), dtype="float64", always_2d=True)
    return y.T, fs


# --------------------------------------------------------------------------
# Dither: TPDF makes the total error power Δ²/4 for every input
# (Wannamaker, Lipshitz, Vanderkooy & Wright 2000; Lipshitz et al. 1992)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["piano", "chords", "speech", "tone60", "sweep"])
@pytest.mark.parametrize("bits", [6, 8, 12])
def test_tpdf_total_error_power_is_a_quarter_step_squared(key, bits):
    x = clip(key)
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=bits, dither="tpdf"))
    delta = 2 / 2**bits
    e = a.error.astype(np.float64)
    assert np.mean(e**2) / (delta**2 / 4) == pytest.approx(1.0, abs=0.02)
    assert abs(np.mean(e)) < 0.01 * delta  # zero mean: no DC bias
    # 0 dBFS = a full-scale sine's power ½ (the same convention as the spectra)
    assert a.metrics["noise_dbfs"] == pytest.approx(10 * math.log10(delta**2 / 4 / 0.5), abs=0.1)
    assert a.predicted["noise_dbfs"] == pytest.approx(10 * math.log10(delta**2 / 4 / 0.5), abs=1e-9)


def test_tpdf_makes_the_error_steady_while_undithered_error_follows_the_music():
    """Quiet piano at 8 bits: undithered error power collapses in the quiet tail (the note is
    rounded away); TPDF error power is the same in the loud attack and the quiet tail."""
    x = clip("piano", -18)
    loud, quiet = slice(0, FS), slice(4 * FS, 6 * FS)
    plain = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8)).error.astype(float)
    tpdf = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf")).error.astype(float)
    ratio_plain = np.mean(plain[:, quiet] ** 2) / np.mean(plain[:, loud] ** 2)
    ratio_tpdf = np.mean(tpdf[:, quiet] ** 2) / np.mean(tpdf[:, loud] ** 2)
    assert ratio_plain < 0.1
    assert ratio_tpdf == pytest.approx(1.0, abs=0.05)


def test_undithered_quiet_tone_is_rounded_away_and_tpdf_keeps_it():
    """A −60 dBFS sine is 0.13 LSB at 8 bits: rounding gives silence; with TPDF dither the
    tone is still there (its 1 kHz line stands out of the hiss)."""
    x = clip("tone60")
    plain = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    assert not np.any(plain.values)
    assert plain.metrics["snr"] == pytest.approx(0.0, abs=1e-9)  # e = x
    tpdf = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf"))
    f, p = sps.welch(tpdf.values[0].astype(float), FS, nperseg=4800)
    k = np.argmin(np.abs(f - 1000))
    assert 10 * np.log10(p[k] / np.median(p)) > 15


# --------------------------------------------------------------------------
# Noise shaping: the error spectrum follows |NTF|² = (2 sin(ω/2))^{2k}
# --------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3])
def test_noise_shaped_error_spectrum_follows_ntf(order):
    x = clip("chords")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf", noise_shaping=order))
    delta = 2 / 2**8
    e = a.error[0].astype(np.float64)
    # total power: (Δ²/4)·C(2k, k) (Σ of the squared NTF taps)
    assert np.mean(e**2) / (delta**2 / 4 * math.comb(2 * order, order)) == pytest.approx(1.0, abs=0.04)
    # shape, with an independent estimator: one-sided PSD 2σ²/fs · |NTF|²
    f, p = sps.welch(e, FS, nperseg=2048)
    theory_psd = 2 * (delta**2 / 4) / FS * (2 * np.sin(np.pi * f / FS)) ** (2 * order)
    band = (f > 2000) & (f < 0.45 * FS)
    ratio_db = 10 * np.log10(p[band] / theory_psd[band])
    assert np.median(np.abs(ratio_db)) < 0.5
    assert np.max(np.abs(ratio_db)) < 2.0
    # the engine's long-term spectrum agrees with its own predicted curve
    lb = (a.ltas_f > 2000) & (a.ltas_f < 0.45 * FS)
    assert np.median(np.abs(a.ltas_e_db[lb] - a.ltas_floor_db[lb])) < 0.5


def test_noise_shaping_lowers_the_floor_below_fs_over_6_and_raises_it_above():
    x = clip("piano", -18)
    flat = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf"))
    shaped = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf", noise_shaping=3))
    low, high = (flat.ltas_f > 500) & (flat.ltas_f < 4000), flat.ltas_f > 16000
    assert np.mean(shaped.ltas_e_db[low] - flat.ltas_e_db[low]) < -15
    assert np.mean(shaped.ltas_e_db[high] - flat.ltas_e_db[high]) > 5


def test_white_floor_level_per_bin():
    """TPDF error reads 10·log10(4·(Δ²/4)·ENBW/N) dBFS per bin (ENBW = 1.5 for Hann)."""
    a = audio_lab.analyse_audio(clip("speech"), FS, QuantizerSpec(bits=10, dither="tpdf"))
    expected = 10 * np.log10(4 * (2 / 2**10) ** 2 / 4 * 1.5 / a.nperseg)
    assert np.median(a.ltas_e_db) == pytest.approx(expected, abs=0.5)
    assert np.allclose(a.ltas_floor_db, expected, atol=1e-3)


def test_sine_reads_its_level_in_dbfs_per_bin():
    """A bin-centred sine of amplitude A peaks at 20·log10(A) dBFS (0 dBFS = full-scale sine)."""
    n = FS * 2
    f0 = 64 * FS / 2048
    x = 0.5 * np.sin(2 * np.pi * f0 * np.arange(n) / FS)
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=16))
    assert a.nperseg == 2048
    assert np.max(a.ltas_x_db) == pytest.approx(20 * np.log10(0.5), abs=0.3)


# --------------------------------------------------------------------------
# Metrics agree with quantviz.metrics and with theory
# --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["piano", "speech"])
def test_metrics_match_the_shared_metric_functions(key):
    x = clip(key, -10)
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="rpdf"))
    q = a.values.astype(np.float64)
    assert a.metrics["snr"] == pytest.approx(metrics.sqnr_db(x, q), abs=1e-6)
    assert a.metrics["peak_dbfs"] == pytest.approx(audio_io.peak_dbfs(x), abs=1e-9)
    per, mean = metrics.segmental_snr_db(x, q, 960)
    assert a.metrics["segsnr"] == pytest.approx(mean, abs=1e-6)
    drawn = np.isfinite(a.seg_snr_db)  # digital silence (speech pauses) is not drawn
    assert drawn.mean() > 0.8
    assert np.allclose(np.clip(a.seg_snr_db[drawn], -10, 35), per[drawn], atol=1e-4)
    raw = metrics.enob(10 * np.log10(0.5 / np.mean((x - q) ** 2)))  # (SNR_fs − 1.76) / 6.02, uncapped
    assert a.metrics["enob"] == pytest.approx(min(raw, 8.0), abs=1e-9)  # never above the word length
    assert bool(a.enob_note) == (raw > 8.05)  # and the cap is said (digital silence in the clip: e = 0 there)


def test_theory_card_is_6_02_b_plus_1_76():
    for bits in (1, 8, 16, 24):
        a = audio_lab.analyse_audio(clip("sweep")[:, :4800], FS, QuantizerSpec(bits=bits))
        assert a.predicted["sine_snr"] == pytest.approx(6.0206 * bits + 1.7609, abs=1e-3)


def test_stereo_is_kept_and_shaped_per_channel():
    rng = np.random.default_rng(0)
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * np.arange(FS) / FS), 0.1 * rng.standard_normal(FS)])
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=6, dither="tpdf", noise_shaping=2))
    assert a.values.shape == a.error.shape == (2, FS)
    for ch in range(2):
        assert np.mean(a.error[ch].astype(float) ** 2) / ((2 / 64) ** 2 / 4 * 6) == pytest.approx(1, abs=0.06)


# --------------------------------------------------------------------------
# WAVs: exact quantized values, at true level
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [1, 2, 4, 8, 11, 12, 16, 20, 24])
def test_quantized_wav_round_trip_is_exact(bits):
    x = clip("chords")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=bits, dither="tpdf", noise_shaping=1))
    ex = audio_lab.excerpt_audio(x, a, 1.0, 2.0)
    y, fs = decode(ex.quantized)
    assert fs == FS
    assert np.array_equal(y, a.values[:, FS : 3 * FS].astype(np.float64))
    subtype = sf.info(io.BytesIO(ex.quantized)).subtype
    assert subtype == ("PCM_U8" if bits <= 8 else "PCM_16" if bits <= 16 else "PCM_24")
    whole, _ = decode(audio_lab.download_wav(a))
    assert np.array_equal(whole, a.values.astype(np.float64))


def test_excerpt_writes_only_the_wavs_that_are_played(monkeypatch):
    x = clip("chords")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    written = []
    real = audio_io.wav_bytes
    monkeypatch.setattr(audio_io, "wav_bytes", lambda y, fs, bits: written.append(bits) or real(y, fs, bits=bits))
    ex = audio_lab.excerpt_audio(x, a, 1.0, 2.0, 12)
    assert written == []  # cutting the excerpt writes nothing
    first = ex.wav("quantized")
    assert written == [8] and ex.quantized is first  # one WAV, written once
    err, _ = decode(ex.error)
    assert written == [8, 24]
    assert np.array_equal(err, np.round(ex.samples["error"] * 2**23) / 2**23)  # the limited, amplified error


@pytest.mark.parametrize("spec, bits", [(QuantizerSpec(bits=8, mode="midrise"), 9),
                                        (QuantizerSpec(bits=24, mode="midrise"), 25),
                                        (QuantizerSpec(bits=8, mode="endpoints"), 24),
                                        (QuantizerSpec(bits=8, dither="tpdf", subtractive=True), 24),
                                        (QuantizerSpec(bits=5, rounding="floor", overflow="wrap"), 5)])
def test_wav_word_length_keeps_other_grids(spec, bits):
    x = clip("speech")
    a = audio_lab.analyse_audio(x, FS, spec)
    assert a.wav_bits == bits
    y, _ = decode(audio_lab.excerpt_audio(x, a, 0.5, 1.0).quantized)
    q = a.values[:, FS // 2 : FS // 2 + FS].astype(np.float64)
    if bits < 24 or spec.mode == "midrise":
        assert np.array_equal(y, q)
    else:  # off the dyadic grid: within half a 24-bit step
        assert np.max(np.abs(y - q)) <= 2**-24 + 1e-12


@settings(max_examples=25, deadline=None)
@given(bits=st.integers(1, 24), shaping=st.integers(0, 3), dither=st.sampled_from(["none", "rpdf", "tpdf"]),
       level=st.floats(-80, 0), seed=st.integers(0, 1000))
def test_any_setting_round_trips_exactly(bits, shaping, dither, level, seed):
    rng = np.random.default_rng(seed)
    x = np.clip(10 ** (level / 20) * rng.standard_normal((1, 2000)), -1, 1)
    a = audio_lab.analyse_audio(x, 8000, QuantizerSpec(bits=bits, dither=dither, noise_shaping=shaping))
    y, _ = decode(audio_lab.excerpt_audio(x, a, 0.0, 10.0).quantized)
    assert np.array_equal(y, a.values.astype(np.float64))


def test_players_are_at_true_level():
    """The −60 dBFS tone plays at −60 dBFS, not normalised; the quantized excerpt's peak is the
    quantized signal's peak."""
    x = clip("tone60")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8, dither="tpdf"))
    ex = audio_lab.excerpt_audio(x, a, 1.0, 2.0)
    orig, _ = decode(ex.original)
    quant, _ = decode(ex.quantized)
    assert audio_io.peak_dbfs(orig) == pytest.approx(-60.0, abs=0.05)
    assert audio_io.peak_dbfs(quant) == audio_io.peak_dbfs(a.values[:, FS : 3 * FS])
    assert audio_io.peak_dbfs(quant) < -35  # a few LSB of 8-bit dither noise, nowhere near 0 dBFS
    assert ex.peaks_dbfs["original"] == pytest.approx(-60.0, abs=0.05)


def test_error_player_gain_and_limiter():
    x = clip("piano", -18)
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    true = audio_lab.excerpt_audio(x, a, 0.0, 4.0, 0)
    e, _ = decode(true.error)
    assert true.reduction_db == 0
    assert np.max(np.abs(e - a.error[:, : 4 * FS])) <= 2**-24  # 24-bit WAV of the true error
    loud = audio_lab.excerpt_audio(x, a, 0.0, 4.0, 24)
    e24, _ = decode(loud.error)
    assert loud.reduction_db == 0
    assert audio_io.peak_dbfs(e24) == pytest.approx(audio_io.peak_dbfs(e) + 24, abs=0.05)
    limited = audio_lab.excerpt_audio(x, a, 0.0, 4.0, 90)
    assert limited.reduction_db > 0
    assert audio_io.peak_dbfs(decode(limited.error)[0]) <= -1.0 + 1e-3
    assert limited.gain_db - limited.reduction_db == pytest.approx(
        -1.0 - audio_io.peak_dbfs(a.error[:, : 4 * FS]), abs=0.01)


def test_excerpt_at_the_very_end_slides_back():
    x = clip("piano")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    ex = audio_lab.excerpt_audio(x, a, 6.0, 4.0)
    assert ex.start_s == pytest.approx(2.0) and ex.length_s == pytest.approx(4.0)
    assert decode(ex.quantized)[0].shape == (1, 4 * FS)


# --------------------------------------------------------------------------
# G.711
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scheme, enc, dec", [("mulaw", audioop.lin2ulaw, audioop.ulaw2lin),
                                              ("alaw", audioop.lin2alaw, audioop.alaw2lin)])
def test_g711_scheme_equals_audioop(scheme, enc, dec):
    x = clip("speech", -6)
    a = audio_lab.analyse_audio(x, FS, scheme=scheme)
    pcm = audio_lab.pcm16(x)
    ref = np.frombuffer(dec(enc(pcm.tobytes(), 2), 2), dtype=np.int16).reshape(pcm.shape) / 32768
    assert np.array_equal(a.values.astype(np.float64), ref)
    assert a.bits == 8 and a.wav_bits == 16 and math.isnan(a.step)
    wav = audio_lab.download_wav(a)
    info = sf.info(io.BytesIO(wav))
    assert info.subtype == ("ULAW" if scheme == "mulaw" else "ALAW")
    assert np.array_equal(decode(wav)[0], a.values.astype(np.float64))


@pytest.mark.parametrize("scheme", ["mulaw", "alaw"])
def test_g711_snr_follows_bennett_and_barely_depends_on_level(scheme):
    x = clip("speech")
    loud = audio_lab.analyse_audio(x, FS, scheme=scheme)
    quiet = audio_lab.analyse_audio(x * 0.1, FS, scheme=scheme)
    for a in (loud, quiet):
        assert a.metrics["snr"] == pytest.approx(a.predicted["snr"], abs=2.0)  # continuous-law approximation
    assert abs(loud.metrics["snr"] - quiet.metrics["snr"]) < 6  # 20 dB quieter, SNR 5 dB lower
    u_loud = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    u_quiet = audio_lab.analyse_audio(x * 0.1, FS, QuantizerSpec(bits=8))
    assert u_loud.metrics["snr"] - u_quiet.metrics["snr"] == pytest.approx(20, abs=1.5)  # uniform: 6 dB per 6 dB
    assert quiet.metrics["snr"] > u_quiet.metrics["snr"] + 15


def test_companded_noise_power_limits():
    """Loud signals: μ-law SNR → 6.02b + 4.77 − 20·log10 ln(1 + μ) ≈ 38.0 dB; A-law ≈ 37.7 dB."""
    rng = np.random.default_rng(1)
    x = rng.laplace(0, 0.1, 200_000)
    for law, limit in (("mu", 6.0206 * 8 + 4.7712 - 20 * np.log10(np.log(256))),
                       ("a", 6.0206 * 8 + 4.7712 - 20 * np.log10(1 + np.log(87.6)))):
        big = x * 5
        snr = 10 * np.log10(np.mean(big**2) / audio_lab.companded_noise_power(big, law))
        assert snr == pytest.approx(limit, abs=0.7)
    with pytest.raises(ValueError, match="law"):
        audio_lab.companded_noise_power(x, "x")


def test_g711_usable():
    assert audio_lab.g711_usable()


# --------------------------------------------------------------------------
# Shapes, sizes and edge cases
# --------------------------------------------------------------------------


def test_display_arrays_are_small():
    rng = np.random.default_rng(2)
    x = np.clip(0.2 * rng.standard_normal((2, 60 * FS)), -1, 1)
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    assert a.spec_q_db.shape == a.spec_e_db.shape
    rows, cols = a.spec_q_db.shape
    assert rows <= 128 and cols <= 200 and a.spec_q_db.dtype == np.int16
    assert a.spec_t.size == cols and a.spec_f.size == rows and np.all(np.diff(a.spec_f) > 0)
    assert a.ltas_f.size == a.nperseg // 2 and a.values.dtype == a.error.dtype == np.float32
    assert a.seg_t.size == 3000


@pytest.mark.parametrize("n", [1, 2, 100, 300, 1025])
def test_tiny_inputs(n):
    x = 0.3 * np.sin(np.arange(n))[None]
    for scheme in ("pcm", "mulaw"):
        a = audio_lab.analyse_audio(x, 8000, QuantizerSpec(bits=4) if scheme == "pcm" else None, scheme)
        assert a.values.shape == (1, n) and np.isfinite(a.metrics["segsnr"])
        audio_lab.excerpt_audio(x, a, 0.0, 4.0, 90)


def test_silence_and_lossless():
    a = audio_lab.analyse_audio(np.zeros((1, 4800)), FS, QuantizerSpec(bits=8))
    assert math.isnan(a.metrics["snr"]) and a.metrics["noise_dbfs"] == -math.inf
    ex = audio_lab.excerpt_audio(np.zeros((1, 4800)), a, 0, 1, 90)
    assert ex.reduction_db == 0 and ex.peaks_dbfs["error"] == -math.inf
    x = clip("piano")  # a 24-bit source requantized to 24 bits without dither is unchanged
    b = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=24))
    assert b.metrics["snr"] == math.inf and not np.any(b.error)


def test_bad_arguments():
    with pytest.raises(ValueError, match="scheme"):
        audio_lab.analyse_audio(np.zeros(10), FS, scheme="mp3")
    with pytest.raises(ValueError, match="shape"):
        audio_lab.analyse_audio(np.zeros((1, 0)), FS)


def test_probe_reads_header_and_rejects_garbage():
    buf = io.BytesIO()
    sf.write(buf, np.zeros((4800, 2)), 44100, format="WAV", subtype="PCM_16")
    info = audio_lab.probe_audio(buf.getvalue(), "st.wav")
    assert (info.sample_rate, info.channels) == (44100, 2) and info.duration == pytest.approx(4800 / 44100)
    for bad in (b"", b"RIFF" + bytes(range(256)) * 10, b"not audio at all"):
        with pytest.raises(AudioInputError):
            audio_lab.probe_audio(bad, "bad.wav")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(100, 5000), channels=st.integers(1, 2), seed=st.integers(0, 2**16))
def test_frame_power_matches_scipy_periodogram_frame_by_frame(n, channels, seed):
    """Each column's power = the mean over its frames and channels of SciPy's Hann periodogram
    (scaling="spectrum") of that frame; a clip shorter than the FFT is zero-padded."""
    nperseg = 256
    y = np.random.default_rng(seed).uniform(-1, 1, (channels, n))
    cols, _, starts = audio_lab._frame_starts(n, nperseg, 8, 2)
    got = audio_lab.frame_power(audio_lab.frame_spectra(y, nperseg, starts), cols, nperseg)
    padded = np.pad(y, ((0, 0), (0, max(nperseg - n, 0))))
    for col in range(cols):
        ref = np.mean([sps.periodogram(padded[c, s:s + nperseg], window="hann", scaling="spectrum", detrend=False)[1]
                       for c in range(channels) for s in starts[col]], axis=0)
        assert np.allclose(got[col], ref, rtol=2e-4, atol=1e-9)


def test_cached_source_spectra_give_the_same_analysis():
    """A page passes the clip's spectra computed once (SourceSpectra); the analysis is the same as without them."""
    x = clip("chords")[:, : 3 * FS]
    src = audio_lab.source_spectra(x, FS)
    for spec in (QuantizerSpec(bits=6), QuantizerSpec(bits=10, dither="tpdf", noise_shaping=2)):
        a, b = audio_lab.analyse_audio(x, FS, spec), audio_lab.analyse_audio(x, FS, spec, source=src)
        for name in ("spec_q_db", "spec_e_db", "ltas_x_db", "ltas_e_db", "spec_t", "spec_f"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    with pytest.raises(ValueError, match="do not belong"):
        audio_lab.analyse_audio(x[:, :-1], FS, QuantizerSpec(bits=6), source=src)
    with pytest.raises(ValueError, match="do not belong"):
        audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=6), source=src, max_cols=50)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), channels=st.integers(1, 2))
def test_power_of_a_difference_is_the_power_of_the_difference_signal(seed, channels):
    """frame_power(X, minus=E) = frame_power of the spectra of x − e (linearity of the DFT), to float32 precision."""
    rng = np.random.default_rng(seed)
    x, e = rng.standard_normal((2, channels, 8192))
    e *= 1e-3
    cols, _, starts = audio_lab._frame_starts(8192, 512, 8, 2)
    sx, se = audio_lab.frame_spectra(x, 512, starts), audio_lab.frame_spectra(e, 512, starts)
    got = audio_lab.frame_power(sx, cols, 512, minus=se)
    want = audio_lab.frame_power(audio_lab.frame_spectra(x - e, 512, starts), cols, 512)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-9 * want.max())


# ---- in-band SNR (issue #12: a noise shaper's gain must show in a number) ---------------------------


def _brickwall_power(y, fs, f_hi):
    """Power of y in [0, f_hi] from ONE FFT of the whole signal (Parseval), an estimator independent of
    audio_lab's sampled Hann frames."""
    spectrum = np.fft.rfft(y)
    f = np.fft.rfftfreq(y.size, 1 / fs)
    weight = np.where((f == 0) | ((y.size % 2 == 0) & (f == fs / 2)), 1.0, 2.0)
    return float(np.sum(weight[f <= f_hi] * np.abs(spectrum[f <= f_hi]) ** 2)) / y.size**2


def test_inband_edge_is_4_khz_or_fs_over_6():
    assert audio_lab.inband_edge_hz(48_000) == 4000 and audio_lab.inband_edge_hz(44_100) == 4000
    assert audio_lab.inband_edge_hz(8000) == pytest.approx(8000 / 6)
    with pytest.raises(ValueError, match="fs"):
        audio_lab.inband_edge_hz(0)


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_inband_snr_matches_a_whole_signal_fft_and_the_integral(order):
    """Measured: against the band power from one FFT of the whole signal. Predicted: against
    P_white·(2/fs)·∫_0^f_hi (2 sin(πf/fs))^{2k} df by scipy.integrate.quad, and the band's signal power."""
    from scipy.integrate import quad

    x = 10 ** (-18 / 20) * clip("piano")
    spec = QuantizerSpec(bits=8, dither="tpdf", noise_shaping=order)
    a = audio_lab.analyse_audio(x, FS, spec)
    f_hi = a.band_hz[1]
    e = x[0] - a.values[0].astype(np.float64)
    ref = 10 * math.log10(_brickwall_power(x[0], FS, f_hi) / _brickwall_power(e, FS, f_hi))
    assert a.metrics["inband_snr"] == pytest.approx(ref, abs=1.0)
    white = (2 / 256) ** 2 / 4  # TPDF: Δ²/4
    integral = quad(lambda f: (2 * math.sin(math.pi * f / FS)) ** (2 * order), 0, f_hi)[0]
    predicted = 10 * math.log10(_brickwall_power(x[0], FS, f_hi) / (white * 2 / FS * integral))
    assert a.predicted["inband_snr"] == pytest.approx(predicted, abs=1.0)
    unshaped = 10 * math.log10(_brickwall_power(x[0], FS, f_hi) / (white * f_hi / (FS / 2)))
    assert a.predicted["inband_snr_unshaped"] == pytest.approx(unshaped, abs=1.0)
    if order == 3:  # the lesson: worse over the whole band, much better in the band
        assert a.metrics["snr"] < 0 and a.metrics["inband_snr"] > a.predicted["inband_snr_unshaped"] + 20


@settings(max_examples=25, deadline=None)
@given(st.floats(100, 20_000), st.floats(0.0, 0.3), st.floats(1.2, 3.0))
def test_band_power_ratio_is_the_power_ratio_of_band_limited_parts(f_hi, f_lo_frac, ratio):
    """Two spectra on the same scale: the ratio of the bins' sums in the band, and nothing from outside it."""
    f = np.linspace(0, 24_000, 1025)
    rng = np.random.default_rng(0)
    den = rng.uniform(0.1, 1.0, f.size)
    num = den * ratio
    num[f > f_hi] *= 1e6  # out of band: must not count
    f_lo = f_lo_frac * f_hi
    assert audio_lab.band_power_ratio_db(f, num, den, f_lo, f_hi) == pytest.approx(10 * math.log10(ratio))
    with pytest.raises(ValueError, match="f_hi"):
        audio_lab.band_power_ratio_db(f, num, den, f_hi, f_lo)


def test_level_note_says_true_level_only_when_it_is():
    x = clip("piano")
    a = audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    assert audio_lab.excerpt_audio(x, a, 0, 1, 0).level_note("error") == "at true level (error gain 0 dB)"
    assert audio_lab.excerpt_audio(x, a, 0, 1, 30).level_note("error") == "amplified +30 dB, not at true level"
    loud = audio_lab.excerpt_audio(x, a, 0, 1, 90)
    assert loud.reduction_db > 0 and "not at true level" in loud.level_note("error")
    for kind in ("original", "quantized"):
        assert "at true level" in loud.level_note(kind)
    with pytest.raises(ValueError, match="kind"):
        loud.level_note("bogus")


def test_audio_in_soundfiles_layout_is_refused_with_the_fix():
    """soundfile.read gives (n, channels); passed as is, 60 s of stereo was read as 2.88M channels of 2 samples
    (6 s of work and meaningless numbers). It is refused, naming the layout to pass."""
    x = np.zeros((48_000, 2))
    with pytest.raises(ValueError, match=r"x has 48,000 channels.*x\.T"):
        audio_lab.analyse_audio(x, FS, QuantizerSpec(bits=8))
    assert audio_lab.analyse_audio(x.T, FS, QuantizerSpec(bits=8)).metrics  # the right way round works
