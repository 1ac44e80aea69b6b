"""``analyse_signal``: its numbers agree with direct formulas and with theory."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.metrics import mean_squared_error

from quantviz import signals
from quantviz.analysis import analyse_signal, clip_fraction, error_autocorrelation, error_spectra, sqnr_sweep
from quantviz.quantizers import QuantizerSpec

FS = 48000.0
LEVEL_DB = -1.0


@pytest.fixture(scope="module")
def sine():
    return signals.sine(48_000, FS, 997.0, 10 ** (LEVEL_DB / 20))


@pytest.fixture(scope="module")
def an8(sine):
    return analyse_signal(sine, QuantizerSpec(bits=8))


def test_metrics_agree_with_direct_formulas(sine, an8):
    x = sine
    q = np.clip(np.floor(x * 128 + 0.5), -128, 127) / 128  # 8-bit midtread, independently
    np.testing.assert_array_equal(an8.values, q)
    e = x - q
    mse = np.mean(e**2)
    m = an8.metrics
    assert m["mse"] == pytest.approx(mean_squared_error(x, q), rel=1e-12)
    assert m["rms"] == pytest.approx(math.sqrt(mse), rel=1e-12)
    assert m["max_abs"] == pytest.approx(np.max(np.abs(e)), rel=1e-12)
    sqnr = 10 * math.log10(np.sum(x**2) / np.sum(e**2))
    assert m["sqnr"] == pytest.approx(sqnr, rel=1e-12)
    assert m["psqnr"] == pytest.approx(10 * math.log10(np.max(np.abs(x)) ** 2 / mse), rel=1e-12)
    # IEEE 1241: log2(FSR / (√12·rms e)), FSR = 2 (the 256 cells of Δ = 1/128), capped at the word length
    assert m["enob"] == pytest.approx(min(8.0, math.log2(2.0 / math.sqrt(12 * mse))), rel=1e-12)
    assert m["mean"] == pytest.approx(np.mean(e), rel=1e-12)
    assert m["max_abs"] <= 1 / 128 / 2 * (1 + 1e-9)


def test_predictions(an8):
    d = 2 / 256
    assert an8.step == d
    p = an8.predicted
    assert p["mse"] == pytest.approx(d * d / 12)
    assert p["max_abs"] == d / 2
    assert an8.notes["max_abs"] == "≤ 0.5 Δ" and an8.notes["enob"] == ""
    px = 10 ** (LEVEL_DB / 10) / 2
    assert p["sqnr"] == pytest.approx(10 * math.log10(px / (d * d / 12)), abs=1e-3)
    assert p["sqnr"] == pytest.approx(6.0206 * 8 + 1.7609 + LEVEL_DB, abs=1e-3)
    assert p["enob"] == 8.0
    assert p["sine_sqnr"] == pytest.approx(49.93, abs=0.01)
    # and measurement is close to prediction at 8 bits
    assert an8.metrics["sqnr"] == pytest.approx(p["sqnr"], abs=0.5)


def test_sweep_follows_6_02b_plus_1_76_minus_level(sine):
    sw = sqnr_sweep(sine, QuantizerSpec(bits=8))
    bits = sw.bits
    np.testing.assert_array_equal(bits, np.arange(1, 25))
    expected = 6.0206 * bits + 1.7609 + LEVEL_DB
    mid = (bits >= 6) & (bits <= 20)
    np.testing.assert_allclose(sw.measured_db[mid], expected[mid], atol=0.5)
    np.testing.assert_allclose(sw.model_db, expected, atol=1e-3)
    # at 1 bit the sine is mostly distortion: below the model
    assert sw.measured_db[0] < expected[0]
    # each measured point is the SQNR of an independent b-bit quantizer
    b = 12
    q = np.clip(np.floor(sine * 2 ** (b - 1) + 0.5), -(2 ** (b - 1)), 2 ** (b - 1) - 1) / 2 ** (b - 1)
    assert sw.measured_db[b - 1] == pytest.approx(10 * math.log10(np.sum(sine**2) / np.sum((sine - q) ** 2)))


def test_sweep_of_step_spec_uses_signal_range():
    x = np.random.default_rng(0).uniform(-0.3, 0.5, 10_000)
    sw = sqnr_sweep(x, QuantizerSpec(step=0.01))
    assert np.all(np.isfinite(sw.measured_db))
    # min–max range [−0.3, 0.5]: Δ = 0.8/2^b, model 10·log10(Px/(Δ²/12))
    px = np.mean(x**2)
    np.testing.assert_allclose(sw.model_db, 10 * np.log10(px / ((0.8 / 2.0**sw.bits) ** 2 / 12)),
                               atol=1e-2)


def test_spectra_and_floor(sine, an8):
    sp = error_spectra(sine, an8.values, QuantizerSpec(bits=8), an8.step, FS)
    f = sp.freqs
    assert f[0] == 0 and f[-1] == pytest.approx(FS / 2)
    k = int(np.argmax(sp.x_db))
    assert abs(f[k] - 997.0) <= FS / 2048
    assert -1.5 + LEVEL_DB <= sp.x_db[k] <= LEVEL_DB + 0.01
    floor = -(6.0206 * 8 + 1.7609) - 10 * math.log10(2048 / 2) + 10 * math.log10(1.5)
    np.testing.assert_allclose(sp.floor_db, floor, atol=0.01)  # flat without shaping
    assert sp.q_db[k] == pytest.approx(sp.x_db[k], abs=0.1)


def test_histogram_is_a_density(an8):
    c = an8.hist_centers
    w = c[1] - c[0]
    assert np.sum(an8.hist_density) * w == pytest.approx(1.0)
    assert c.min() >= -0.75 and c.max() <= 0.75


def test_autocorr_and_sizes(sine):
    an = analyse_signal(sine, QuantizerSpec(bits=10))
    assert an.values.shape == sine.shape  # metrics and values use every sample
    r = error_autocorrelation(sine, an.values, max_lag=30, max_analysis=4096)
    assert r.size == 31 and r[0] == 1.0
    e = (sine - an.values)[:4096]
    e = e - e.mean()
    assert r[5] == pytest.approx(np.sum(e[:-5] * e[5:]) / np.sum(e * e), abs=1e-9)
    sp = error_spectra(sine, an.values, QuantizerSpec(bits=10), an.step, FS, max_analysis=1000)
    assert sp.freqs.size == 1000 // 2 + 1  # segment shortened to the analysed length


def test_noise_shaped_floor_follows_ntf(sine):
    spec = QuantizerSpec(bits=8, dither="tpdf", noise_shaping=2)
    an = analyse_signal(sine, spec)
    sp = error_spectra(sine, an.values, spec, an.step, FS)
    d = 2 / 256
    w = 2 * np.pi * sp.freqs / FS
    expected = 10 * np.log10(4 * (d * d / 4) * 1.5 / 2048 * (2 * np.sin(w / 2)) ** 4 + 1e-30)
    np.testing.assert_allclose(sp.floor_db, expected, atol=1e-6)
    assert an.predicted["mse"] == pytest.approx(6 * d * d / 4)
    assert an.metrics["mse"] == pytest.approx(6 * d * d / 4, rel=0.05)
    band = (sp.freqs > 12000) & (sp.freqs < 20000)
    assert np.median(sp.e_db[band] - sp.floor_db[band]) == pytest.approx(0.0, abs=1.0)


def test_clip_fraction_independent(sine):
    x = 10 ** (3 / 20) * np.sin(2 * np.pi * np.arange(10_000) / 97.3)
    spec = QuantizerSpec(bits=8)
    d = 2 / 256
    expected = np.mean((x < -1 - d / 2) | (x > 1 - d / 2))  # midtread granular range
    assert clip_fraction(x, spec, d) == pytest.approx(expected)
    assert 0.1 < expected < 0.5
    an = analyse_signal(x, spec)
    assert an.clip_fraction == pytest.approx(expected)
    assert clip_fraction(x, QuantizerSpec(step=0.1), 0.1) == 0.0
    assert clip_fraction(sine, spec, d) == 0.0


def test_unbounded_grid_and_constant_signal():
    x = np.full(1000, 0.3)
    an = analyse_signal(x, QuantizerSpec(step=0.25))
    assert an.metrics["mse"] == pytest.approx(0.05**2)
    assert math.isnan(an.predicted["enob"]) and math.isnan(an.predicted["sine_sqnr"])
    assert np.all(np.isfinite(sqnr_sweep(x, QuantizerSpec(step=0.25)).model_db))
    an = analyse_signal(np.zeros(100), QuantizerSpec(bits=4))
    assert an.metrics["mse"] == 0.0
    assert an.predicted["sqnr"] == -math.inf


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 20_000), scale=st.floats(1e-4, 1e3), bits=st.sampled_from([None, 1, 3, 8, 16]),
       mode=st.sampled_from(["midtread", "midrise", "endpoints"]), seed=st.integers(0, 2**16),
       heavy=st.booleans())
def test_compiled_statistics_match_numpy_definitions(n, scale, bits, mode, seed, heavy):
    """The one-pass compiled sums, maxima, clip count and histogram equal NumPy's (blocked sums round alike)."""
    rng = np.random.default_rng(seed)
    x = scale * (rng.standard_t(2, n) if heavy else rng.standard_normal(n))
    spec = QuantizerSpec(bits=bits, mode=mode) if bits else QuantizerSpec(step=0.1 * scale)
    an = analyse_signal(x, spec)
    e = x - an.values
    m = an.metrics
    mse = np.mean(e**2)
    assert m["mse"] == pytest.approx(mse, rel=1e-12, abs=1e-300)
    assert m["max_abs"] == np.max(np.abs(e))
    if mse > 0:
        assert m["sqnr"] == pytest.approx(10 * np.log10(np.mean(x**2) / mse), rel=1e-12, abs=1e-9)
        assert m["psqnr"] == pytest.approx(10 * np.log10(np.max(np.abs(x)) ** 2 / mse), rel=1e-12, abs=1e-9)
    assert an.clip_fraction == clip_fraction(x, spec, an.step)
    # histogram of e/Δ: the same bins through np.histogram, the outermost bins taking what lies beyond
    centers = an.hist_centers
    w = centers[1] - centers[0]
    span = centers[-1] + w / 2
    counts, _ = np.histogram(np.clip(e / an.step, -span, span * (1 - 1e-12)), bins=centers.size, range=(-span, span))
    got = an.hist_density * n * w
    # a value within rounding of a bin edge may land on either side of it
    pos = (e / an.step + span) / w
    near_edge = int(np.sum(np.abs(pos - np.round(pos)) < 1e-9))
    assert np.abs(np.round(got) - counts).sum() <= 2 * near_edge
    assert np.round(got).sum() == n


# ---------------------------------------------------------------- issue #12 §3: theory for the current settings
def busy_sine(n=1 << 17, level=0.9):
    return level * np.sin(2 * np.pi * 997 / FS * np.arange(n) + 0.1)


@pytest.mark.parametrize("rounding,mse,mean", [("nearest", 1 / 12, 0.0), ("floor", 1 / 3, 0.5),
                                               ("ceil", 1 / 3, -0.5), ("toward_zero", 1 / 3, 0.0),
                                               ("stochastic", 1 / 6, 0.0)])
def test_prediction_follows_the_rounding_rule(rounding, mse, mean):
    a = analyse_signal(busy_sine(), QuantizerSpec(bits=8, rounding=rounding))
    d2 = a.step**2
    assert a.predicted["mse"] == pytest.approx(mse * d2)  # closed form
    assert a.metrics["mse"] == pytest.approx(mse * d2, rel=0.04)  # and measured (a sine at 8 bits: −3 %)
    assert a.predicted["mean"] == pytest.approx(mean * a.step, abs=1e-3 * a.step)
    assert a.metrics["mean"] == pytest.approx(mean * a.step, abs=0.02 * a.step)
    assert abs(a.metrics["sqnr"] - a.predicted["sqnr"]) < 0.2  # no "model gap" of −6 dB for truncation
    # ENOB: b for nearest, b − 1 for a Δ²/3 error, b − ½·log2(2) for stochastic
    assert a.predicted["enob"] == pytest.approx(8 - 0.5 * math.log2(mse * 12))
    assert a.metrics["enob"] == pytest.approx(a.predicted["enob"], abs=0.03)
    assert (rounding != "nearest") == ("Δ²/12" not in a.notes["model"] or "σ_d" in a.notes["model"])


@pytest.mark.parametrize("kw,bound", [(dict(), 0.5), (dict(rounding="floor"), 1.0), (dict(dither="tpdf"), 1.5),
                                      (dict(noise_shaping=2), 2.0), (dict(dither="gaussian"), np.inf)])
def test_max_abs_bound_for_the_settings(kw, bound):
    a = analyse_signal(busy_sine(), QuantizerSpec(bits=8, **kw))
    assert a.predicted["max_abs"] == bound * a.step
    assert a.metrics["max_abs"] <= a.predicted["max_abs"]
    assert ("unbounded" in a.notes["max_abs"]) == np.isinf(bound)


def test_max_abs_unbounded_when_clipping():
    a = analyse_signal(busy_sine(level=1.2), QuantizerSpec(bits=8))
    assert a.clip_fraction > 0 and np.isinf(a.predicted["max_abs"]) and "clipping" in a.notes["max_abs"]
    a = analyse_signal(busy_sine(level=1.2), QuantizerSpec(bits=8, overflow="wrap"))
    assert "wrap" in a.notes["max_abs"]


def test_enob_never_exceeds_the_word_length():
    # digital silence: a −60 dBFS sine at 8 bits rounds to 0, so e = x and the formula gives > 8 bits
    x = busy_sine(level=1e-3)
    a = analyse_signal(x, QuantizerSpec(bits=8))
    assert not np.any(a.values)
    raw = math.log2(2.0 / math.sqrt(12 * np.mean(x**2)))
    assert raw > 9  # what an uncapped ENOB would report
    assert a.metrics["enob"] == 8.0 and "digital silence" in a.notes["enob"] and a.notes["enob"].startswith("≥ 8")
    # a signal on the levels: zero error
    a = analyse_signal(np.repeat([0.5, -0.25, 0.0], 1000), QuantizerSpec(bits=8))
    assert a.metrics["mse"] == 0 and a.metrics["enob"] == 8.0 and "levels" in a.notes["enob"]
    # unbounded grid: no full scale
    a = analyse_signal(busy_sine(), QuantizerSpec(step=0.01))
    assert math.isnan(a.metrics["enob"]) and math.isnan(a.predicted["enob"])


def test_inband_snr_for_noise_shaping():
    x = busy_sine(level=0.5)
    plain = analyse_signal(x, QuantizerSpec(bits=6, dither="tpdf"), fs=FS)
    shaped = analyse_signal(x, QuantizerSpec(bits=6, dither="tpdf", noise_shaping=2), fs=FS)
    assert shaped.band == plain.band == (0.0, FS / 8)
    for a in (plain, shaped):
        assert a.metrics["inband_snr"] == pytest.approx(a.predicted["inband_snr"], abs=0.5)
    # full band: shaping costs 10·log10(6) = 7.8 dB; in band it gains 11.5 dB (theory.inband_fraction)
    assert plain.metrics["sqnr"] - shaped.metrics["sqnr"] == pytest.approx(7.78, abs=0.3)
    assert shaped.metrics["inband_snr"] - plain.metrics["inband_snr"] == pytest.approx(11.5, abs=0.6)
    assert "inband_snr" not in analyse_signal(x, QuantizerSpec(bits=6)).metrics  # only with fs


def test_floor_spectrum_floor_excludes_the_dc_bias():
    x = busy_sine()
    spec = QuantizerSpec(bits=8, rounding="floor", dither="tpdf")
    a = analyse_signal(x, spec)
    sp = error_spectra(x, a.values, spec, a.step, FS)
    white = a.step**2 * (1 / 12 + 1 / 6)
    enbw = 1.5
    np.testing.assert_allclose(sp.floor_db, 10 * np.log10(4 * white * enbw / 2048), atol=1e-9)


def test_enob_note_says_why_the_error_is_small_without_claiming_the_signal_sits_on_the_levels():
    """A 997 Hz sine at −1 dBFS and 4 bits is not on the levels, yet its error (0.27 Δ RMS) is below Δ²/12: the
    note must give the reason that holds (a non-uniform error), not "the signal sits on the levels"."""
    from quantviz import signals
    from quantviz.analysis import enob_with_note
    from quantviz.quantizers import QuantizerSpec, quantize

    x = signals.sine(48_000, 48_000, 997.0, signals.db_to_amplitude(-1.0))
    spec = QuantizerSpec(bits=4)
    r = quantize(x, spec)
    mse = float(np.mean(r.error**2))
    assert mse < r.step**2 / 12 * 0.95  # the case the page showed
    on_level = np.isclose(x[:, None], (np.arange(16) - 8) * r.step, atol=r.step / 100).any(axis=1).mean()
    assert on_level < 0.1  # the signal does not sit on the levels
    enob, note = enob_with_note(mse, spec, r.step)
    assert enob == 4 and note.startswith("≥ 4 bits")
    assert "sits on the levels" not in note and "not uniform" in note
