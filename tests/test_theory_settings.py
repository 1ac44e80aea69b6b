"""Issue #12 §3: the theory follows the current settings (rounding rule, dither, shaping).

Each prediction is checked twice: against its closed form worked out by hand (or an
independent numerical integral), and against a simulation with a busy signal through the
real quantizer.
"""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import signal as sps

from quantviz import metrics, spectral, theory
from quantviz.quantizers import QuantizerSpec, quantize

ROUNDINGS = ["nearest", "floor", "ceil", "toward_zero", "stochastic"]
N = 200_000


def busy(n=N, seed=0, amp=0.8):
    """Independent uniform samples over many cells, symmetric about 0: the model's assumption."""
    return np.random.default_rng(seed).uniform(-amp, amp, n)


# ---------------------------------------------------------------- closed forms, by hand
@pytest.mark.parametrize("rounding,expected", [("nearest", 1 / 12), ("floor", 1 / 3), ("ceil", 1 / 3),
                                               ("toward_zero", 1 / 3), ("stochastic", 1 / 6)])
def test_error_power_by_rule_closed_form(rounding, expected):
    # floor: ∫_0^1 e² de = 1/3; stochastic: ∫_0^1 f(1 − f) df = 1/2 − 1/3 = 1/6
    d = 0.01
    assert theory.error_power(d, rounding=rounding) == pytest.approx(expected * d * d)
    # + σ_d² for non-subtractive TPDF (Δ²/6); subtractive leaves the rule's own power
    assert theory.error_power(d, "tpdf", rounding=rounding) == pytest.approx((expected + 1 / 6) * d * d)
    assert theory.error_power(d, "rpdf", subtractive=True, rounding=rounding) == pytest.approx(expected * d * d)
    # shaping: the constant bias is removed, the variance × C(2k, k)
    var = 1 / 6 if rounding == "stochastic" else 1 / 12
    assert theory.error_power(d, noise_shaping=2, rounding=rounding) == pytest.approx(6 * var * d * d)
    assert theory.error_power(d, "tpdf", noise_shaping=1, rounding=rounding) == pytest.approx(2 * (var + 1 / 6) * d * d)


def test_stochastic_power_by_integration():
    val, _ = integrate.quad(lambda f: (1 - f) * f**2 + f * (1 - f) ** 2, 0, 1)
    assert val == pytest.approx(1 / 6)
    assert theory.error_power(1.0, rounding="stochastic") == pytest.approx(val)


@pytest.mark.parametrize("rounding,mean", [("nearest", 0), ("floor", 0.5), ("ceil", -0.5), ("stochastic", 0)])
def test_mean_error_closed_form(rounding, mean):
    assert theory.mean_error(0.1, rounding) == pytest.approx(mean * 0.1)
    assert theory.mean_error(0.1, rounding, noise_shaping=1) == 0.0
    assert theory.mean_error(0.1, "toward_zero", sign_balance=1.0) == pytest.approx(0.05)
    assert theory.mean_error(0.1, "toward_zero", sign_balance=0.0) == 0.0


@pytest.mark.parametrize("args,bound", [
    (("nearest",), 0.5), (("floor",), 1.0), (("ceil",), 1.0), (("toward_zero",), 1.0), (("stochastic",), 1.0),
    (("nearest", "rpdf"), 1.0), (("nearest", "tpdf"), 1.5), (("nearest", "tpdf", 2.0), 2.5),
    (("nearest", "tpdf", 1.0, True), 0.5), (("floor", "tpdf"), 2.0),
    (("nearest", "none", 1.0, False, 1), 1.0), (("nearest", "none", 1.0, False, 2), 2.0),
    (("floor", "none", 1.0, False, 2), 2.0), (("nearest", "tpdf", 1.0, False, 2), 6.0),
    (("nearest", "gaussian"), math.inf),
])
def test_max_error_bound_closed_form(args, bound):
    b, text = theory.max_error_bound(*args)
    assert b == bound
    assert ("unbounded" in text) if math.isinf(bound) else f"{bound:g} Δ" in text


# ---------------------------------------------------------------- simulation with a busy signal
SETTINGS = [dict(), dict(dither="rpdf"), dict(dither="tpdf"), dict(dither="gaussian"),
            dict(dither="tpdf", subtractive=True), dict(dither="rpdf", subtractive=True),
            dict(noise_shaping=1), dict(noise_shaping=2), dict(dither="tpdf", noise_shaping=2),
            dict(dither="rpdf", subtractive=True, noise_shaping=1)]


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("kw", SETTINGS, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()) or "plain")
def test_error_power_and_mean_match_simulation(rounding, kw):
    spec = QuantizerSpec(bits=8, rounding=rounding, seed=7, **kw)
    x = busy()
    e = quantize(x, spec).error / spec.delta
    pred = theory.error_power(1.0, spec.dither, spec.dither_scale, spec.subtractive, spec.noise_shaping, rounding)
    if rounding == "toward_zero" and spec.noise_shaping:  # i.i.d. input: the sign flips every other sample
        pred += theory.toward_zero_sign_power(x, 1.0, spec.noise_shaping)
        assert theory.toward_zero_sign_power(x, 1.0, spec.noise_shaping) == pytest.approx(
            0.25 * math.comb(2 * spec.noise_shaping, spec.noise_shaping), rel=0.01)
    assert np.mean(e**2) == pytest.approx(pred, rel=0.03)
    balance = np.mean(x > 0) - np.mean(x < 0)
    assert np.mean(e) == pytest.approx(theory.mean_error(1.0, rounding, spec.noise_shaping, balance), abs=0.01)
    bound, _ = theory.max_error_bound(rounding, spec.dither, spec.dither_scale, spec.subtractive,
                                      spec.noise_shaping)
    assert np.max(np.abs(e)) <= bound + 1e-9
    if spec.dither == "none" or spec.subtractive:  # the bound is reached, not just respected
        # a sum of 2^k extreme samples (or, stochastically, |e| → Δ) is rarer: 0.85 there
        tight = spec.noise_shaping <= 1 and rounding not in ("stochastic", "toward_zero")
        assert np.max(np.abs(e)) >= (0.97 if tight else 0.85) * bound


def test_toward_zero_on_a_symmetric_sine():
    """The bias cancels in the mean (±Δ/2 with the sign of x) but not in the mean square: Δ²/3."""
    n = 1 << 17
    x = 0.9 * np.sin(2 * np.pi * 997 / 48000 * np.arange(n))
    spec = QuantizerSpec(bits=8, rounding="toward_zero")
    e = quantize(x, spec).error / spec.delta
    assert abs(np.mean(e)) < 0.01
    assert np.mean(e**2) == pytest.approx(1 / 3, rel=0.02)
    assert np.mean(e**2) == pytest.approx(theory.error_power(1.0, rounding="toward_zero"), rel=0.02)
    assert np.mean(e[x > 0]) == pytest.approx(0.5, abs=0.01) and np.mean(e[x < 0]) == pytest.approx(-0.5, abs=0.01)
    for k in (1, 2):  # shaped: the bias is gone, the sign changes (2 per period) add a little
        spec = QuantizerSpec(bits=8, rounding="toward_zero", noise_shaping=k, dither="tpdf")
        e = quantize(x, spec).error / spec.delta
        slow = theory.error_power(1.0, "tpdf", noise_shaping=k, rounding="toward_zero")
        extra = theory.toward_zero_sign_power(x, 1.0, k)
        changes = np.count_nonzero(np.diff(np.sign(x))) / n  # 2 per period
        assert extra == pytest.approx(changes * math.comb(2 * k - 2, k - 1), rel=0.01)
        assert np.mean(e**2) == pytest.approx(slow + extra, rel=0.03)
        assert abs(np.mean(e)) < 0.01


def test_truncation_measured_0_332():
    """The issue's number: floor on a busy signal measures 0.332 Δ² (Δ²/3 = 0.333)."""
    spec = QuantizerSpec(bits=6, rounding="floor")
    e = quantize(busy(seed=5), spec).error / spec.delta
    assert np.mean(e**2) == pytest.approx(0.332, abs=0.004)


# ---------------------------------------------------------------- subtractive dither: Schuchman's condition
def _conditional_moments(scale, kind="rpdf", n=40_000):
    """Mean and variance of e/Δ given the input, for inputs across one cell."""
    out = []
    for i, frac in enumerate(np.linspace(0, 1, 9, endpoint=False)):
        x = np.full(n, 0.1 + frac / 128)  # 8 bits on [−1, 1): Δ = 1/128
        spec = QuantizerSpec(bits=8, dither=kind, dither_scale=scale, subtractive=True, seed=i)
        e = quantize(x, spec).error / spec.delta
        out.append((np.mean(e), np.var(e)))
    return np.array(out)


@pytest.mark.parametrize("scale,kind", [(1.0, "rpdf"), (2.0, "rpdf"), (3.0, "rpdf"), (1.0, "tpdf"), (2.0, "tpdf")])
def test_subtractive_whole_steps_error_independent_of_input(scale, kind):
    m = _conditional_moments(scale, kind)
    se_mean, se_var = 4 * math.sqrt(1 / 12 / 40_000), 4 * (1 / 12) * math.sqrt(0.8 / 40_000)
    np.testing.assert_allclose(m[:, 0], 0.0, atol=se_mean)
    np.testing.assert_allclose(m[:, 1], 1 / 12, atol=se_var)
    assert theory.error_power(1.0, kind, scale, subtractive=True) == pytest.approx(1 / 12)


@pytest.mark.parametrize("scale,kind", [(1.5, "rpdf"), (0.5, "rpdf"), (0.5, "tpdf")])
def test_subtractive_fractional_width_error_depends_on_input(scale, kind):
    m = _conditional_moments(scale, kind)
    # the conditional moments swing with the input's position in the cell, far beyond sampling noise
    assert np.ptp(m[:, 0]) > 0.05 or np.ptp(m[:, 1]) > 0.02
    from quantviz.dither import subtractive_makes_error_independent
    assert not subtractive_makes_error_independent(kind, scale)
    assert subtractive_makes_error_independent("rpdf", 2.0) and subtractive_makes_error_independent("tpdf", 1.0)


# ---------------------------------------------------------------- in-band power of shaped noise
@pytest.mark.parametrize("k", [0, 1, 2, 3])
@pytest.mark.parametrize("band", [(0.0, 0.125), (0.0, 0.5), (0.05, 0.2)])
def test_inband_fraction_against_numerical_integral(k, band):
    fs = 48000.0
    lo, hi = band[0] * fs, band[1] * fs
    val, _ = integrate.quad(lambda f: abs(2 * math.sin(math.pi * f / fs)) ** (2 * k), lo, hi, limit=200)
    assert theory.inband_fraction(fs, hi, lo, k) == pytest.approx(val * 2 / fs, rel=1e-9, abs=1e-15)
    if band == (0.0, 0.5):
        assert theory.inband_fraction(fs, hi, lo, k) == pytest.approx(math.comb(2 * k, k))


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_band_power_of_white_noise_shaped_by_hand(k):
    """White noise through (1 − z⁻¹)^k (an FIR filter applied with scipy): the in-band share."""
    fs, n = 48000.0, 1 << 19
    w = np.random.default_rng(k).normal(0, 1, n)
    shaped = sps.lfilter(np.poly1d([1.0, -1.0]) ** k if k else [1.0], [1.0], w)
    shaped = np.asarray(shaped, float)
    for hi in (fs / 8, fs / 4):
        measured = spectral.band_power(shaped, fs, hi)
        assert measured == pytest.approx(theory.inband_fraction(fs, hi, 0.0, k), rel=0.03)
    assert spectral.band_power(shaped, fs, fs / 2) == pytest.approx(np.mean(shaped**2), rel=1e-3)


def test_inband_snr_of_the_shaped_quantizer():
    fs, n = 48000.0, 1 << 17
    t = np.arange(n) / fs
    x = 0.5 * np.sin(2 * np.pi * 997 * t)
    for k in (0, 2):
        spec = QuantizerSpec(bits=6, dither="tpdf", noise_shaping=k, seed=1)
        e = quantize(x, spec).error
        measured = metrics.inband_snr_db(x, e, fs, fs / 8)
        pe = theory.inband_error_power(spec.delta, fs, fs / 8, 0.0, "tpdf", 1.0, False, k)
        predicted = 10 * math.log10(spectral.band_power(x, fs, fs / 8) / pe)
        assert measured == pytest.approx(predicted, abs=0.3)
    # shaping loses full-band SQNR but gains in band: 10·log10(0.25 / 0.01767) = 11.51 dB at k = 2
    gain = 10 * math.log10(theory.inband_fraction(fs, fs / 8, 0, 0) / theory.inband_fraction(fs, fs / 8, 0, 2))
    assert gain == pytest.approx(11.51, abs=0.01)


@pytest.mark.parametrize("rounding", ["floor", "ceil"])
def test_inband_error_power_counts_the_bias_at_dc(rounding):
    fs = 48000.0
    x = busy(1 << 17, seed=3)
    spec = QuantizerSpec(bits=8, rounding=rounding)
    e = quantize(x, spec).error
    pe = theory.inband_error_power(spec.delta, fs, fs / 8, rounding=rounding)
    assert pe == pytest.approx(spec.delta**2 * (1 / 12 * 0.25 + 1 / 4))
    assert spectral.band_power(e, fs, fs / 8) == pytest.approx(pe, rel=0.03)


# ---------------------------------------------------------------- ENOB
def test_enob_from_error_power_closed_form():
    b, d = 8, 2 / 256
    assert theory.enob_from_error_power(d * d / 12, 2.0) == pytest.approx(8.0)
    assert theory.enob_from_error_power(d * d / 3, 2.0) == pytest.approx(7.0)  # truncation: one bit
    assert theory.enob_from_error_power(d * d / 4, 2.0) == pytest.approx(b - 0.5 * math.log2(3))
    # IEEE 1241 = (SINAD − 1.76)/6.02 for a full-scale sine (power 1/2 on [−1, 1])
    for p in (1e-4, 3e-6):
        sinad = 10 * math.log10(0.5 / p)
        assert theory.enob_from_error_power(p, 2.0) == pytest.approx(float(theory.enob_from_sqnr(sinad)), abs=1e-9)
