"""Textbook formulas: published numbers, and measurements with the real quantizer."""

import math

import numpy as np
import pytest

from quantviz import metrics, theory
from quantviz.quantizers import QuantizerSpec, quantize

GOLDEN = (math.sqrt(5) - 1) / 2  # an irrational frequency in cycles/sample: no periodic error


# ---------------------------------------------------------------- published numbers
@pytest.mark.parametrize("bits,db", [(8, 49.93), (12, 74.01), (16, 98.09), (20, 122.17), (24, 146.26)])
def test_sine_sqnr_published_values(bits, db):
    # 6.02 b + 1.76 (Bennett 1948; Analog Devices MT-001): 16-bit CD audio 98.09 dB
    assert float(theory.sine_sqnr_db(bits)) == pytest.approx(db, abs=0.005)
    assert float(theory.sine_sqnr_db(bits)) == pytest.approx(20 * math.log10(2**bits) + 10 * math.log10(1.5))


def test_constants():
    assert theory.DB_PER_BIT == pytest.approx(6.0206, abs=1e-4)
    assert theory.SINE_OFFSET_DB == pytest.approx(1.7609, abs=1e-4)


@pytest.mark.parametrize("step", [1.0, 0.5, 2 / 256, 3.7])
def test_uniform_noise_and_max_error(step):
    assert theory.uniform_noise_power(step) == pytest.approx(step * step / 12)
    assert theory.max_error(step) == step / 2
    # the variance of U(−Δ/2, Δ/2) by direct integration
    e = np.linspace(-step / 2, step / 2, 200_001)
    assert np.trapezoid(e**2, e) / step == pytest.approx(step**2 / 12, rel=1e-8)


@pytest.mark.parametrize("k,gain", [(0, 1), (1, 2), (2, 6), (3, 20), (4, 70)])
def test_noise_shaping_gain(k, gain):
    assert theory.noise_shaping_gain(k) == gain
    c = np.poly1d([1.0])
    for _ in range(k):
        c = c * np.poly1d([1.0, -1.0])
    assert np.sum(np.asarray(c.coeffs) ** 2) == gain


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_ntf_power(k):
    fs = 48000.0
    f = np.array([0.0, fs / 6, fs / 4, fs / 2])
    # |1 − e^{−jω}|^{2k}, evaluated directly on the unit circle
    w = 2 * np.pi * f / fs
    direct = np.abs(1 - np.exp(-1j * w)) ** (2 * k)
    np.testing.assert_allclose(theory.ntf_power(f, fs, k), direct, atol=1e-12)
    np.testing.assert_allclose(theory.ntf_power(f, fs, k), [0.0 if k else 1.0, 1.0, 2.0**k, 4.0**k], atol=1e-12)
    # the mean over frequency is the power gain
    ff = np.linspace(0, fs / 2, 100_001)
    assert np.trapezoid(theory.ntf_power(ff, fs, k), ff) / (fs / 2) == pytest.approx(math.comb(2 * k, k), rel=1e-6)


@pytest.mark.parametrize("kind,subtractive,expected", [
    ("none", False, 1 / 12), ("rpdf", False, 1 / 6), ("tpdf", False, 1 / 4), ("gaussian", False, 1 / 3),
    ("rpdf", True, 1 / 12), ("tpdf", True, 1 / 12), ("gaussian", True, 1 / 12),
])
def test_dither_error_power(kind, subtractive, expected):
    d = 0.01
    assert theory.dither_error_power(kind, d, subtractive) == pytest.approx(expected * d * d)


def test_error_power_combines():
    d = 0.1
    assert theory.error_power(d) == pytest.approx(d * d / 12)
    assert theory.error_power(d, "tpdf", noise_shaping=2) == pytest.approx(6 * d * d / 4)
    assert theory.error_power(d, "rpdf", 2.0) == pytest.approx(d * d / 12 + (2 * d) ** 2 / 12)
    assert theory.error_power(d, "tpdf", subtractive=True, noise_shaping=1) == pytest.approx(2 * d * d / 12)


@pytest.mark.parametrize("bits,nperseg", [(8, 1024), (16, 2048), (12, 4096)])
def test_noise_floor_dbfs(bits, nperseg):
    d = 2.0 / 2**bits
    # MT-001: the floor sits below the full-scale sine by SQNR + 10·log10(M/2), raised by the window's ENBW
    expected = -(6.0206 * bits + 1.7609) - 10 * math.log10(nperseg / 2) + 10 * math.log10(1.5)
    assert theory.noise_floor_dbfs(d, nperseg) == pytest.approx(expected, abs=0.01)
    assert theory.noise_floor_dbfs(d, nperseg, enbw=1.0) == pytest.approx(expected - 10 * math.log10(1.5), abs=0.01)


def test_enob_from_sqnr_and_sqnr_model():
    assert float(theory.enob_from_sqnr(98.09)) == pytest.approx(16.0, abs=0.002)
    # a full-scale sine has power 1/2 and Δ = 2/2^b
    b = 10
    assert float(theory.sqnr_db(0.5, 2 / 2**b)) == pytest.approx(6.0206 * b + 1.7609, abs=1e-3)


# ---------------------------------------------------------------- measured against the formulas
@pytest.mark.parametrize("bits", range(8, 17))
@pytest.mark.parametrize("mode", ["midrise", "midtread"])
def test_measured_sine_sqnr_is_6_02b_plus_1_76(bits, mode):
    n = 1 << 16
    d = 2.0 / 2**bits
    # full scale without clipping: midrise reaches ±(1 − Δ/2) levels so A = 1 stays in the granular
    # range; midtread's top level is 1 − Δ, so its granular range ends at 1 − Δ/2.
    amp = 1.0 - 1e-9 if mode == "midrise" else 1.0 - d / 2
    x = amp * np.sin(2 * np.pi * GOLDEN / 7 * np.arange(n) + 0.3)
    r = quantize(x, QuantizerSpec(bits=bits, mode=mode))
    assert np.max(np.abs(r.error)) <= d / 2 * (1 + 1e-9)  # no clipping
    expected = 6.02 * bits + 1.76 + 20 * math.log10(amp)
    assert metrics.sqnr_db(x, r.values) == pytest.approx(expected, abs=0.3)


@pytest.mark.parametrize("bits", [4, 8, 12])
@pytest.mark.parametrize("mode", ["midtread", "midrise", "endpoints"])
def test_error_variance_delta2_over_12_for_busy_signal(bits, mode):
    n = 200_000
    d = 2 / (2**bits - 1) if mode == "endpoints" else 2 / 2**bits
    off = 0.5 if mode == "midrise" else 0.0
    first, last = -1 + (1 + off) * d, -1 + (2**bits - 2 + off) * d  # two levels away from the ends
    # uniform over whole cells, so that the error is exactly uniform on ±Δ/2
    x = np.random.default_rng(bits).uniform(first - d / 2, last + d / 2, n)
    r = quantize(x, QuantizerSpec(bits=bits, mode=mode))
    assert r.step == pytest.approx(d)
    # uniform error on ±Δ/2: var Δ²/12, SE of the variance estimate Δ²/12·sqrt(0.8/N)
    assert np.var(r.error) == pytest.approx(d * d / 12, rel=6 * math.sqrt(0.8 / n))
    assert abs(np.mean(r.error)) < 6 * d / math.sqrt(12 * n)


def test_loaded_sqnr_gaussian():
    # Gaussian noise of RMS 0.1 (−20 dB loading) on [−1, 1): overload is negligible (10 σ)
    x = np.random.default_rng(1).normal(0, 0.1, 200_000)
    for b in (6, 8, 10):
        r = quantize(x, QuantizerSpec(bits=b))
        expected = 6.0206 * b + 4.7712 - 20.0
        assert float(theory.loaded_sqnr_db(b, -20.0)) == pytest.approx(expected, abs=1e-3)
        assert metrics.sqnr_db(x, r.values) == pytest.approx(expected, abs=0.15)


def test_floor_rounding_bias_is_half_step():
    x = np.random.default_rng(2).uniform(-0.9, 0.9, 200_000)
    r = quantize(x, QuantizerSpec(bits=6, rounding="floor"))
    d = 2 / 64
    assert np.mean(r.error) == pytest.approx(d / 2, abs=6 * d / math.sqrt(12 * x.size))
    assert np.mean(r.error**2) == pytest.approx(d * d / 3, rel=0.01)  # ∫_0^Δ e² de / Δ
