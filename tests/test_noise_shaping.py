"""Error-feedback noise shaping: the total error is (1 − z⁻¹)^k applied to the
quantizer's own (white) error, along the last axis.

References: the NTF (1 − z⁻¹)^k has power gain Σ_j C(k, j)² = C(2k, k) and
magnitude response |1 − e^{−jω}|^{2k} = (2 sin(ω/2))^{2k}.
"""

import math

import numpy as np
import pytest
from scipy import signal as sps

from quantviz.quantizers import QuantizerSpec, quantize

N = 200_000
BITS = 10
DELTA = 2.0 / 2**BITS


def ntf_coeffs(k):
    """Coefficients of (1 − z⁻¹)^k by repeated polynomial multiplication."""
    c = np.array([1.0])
    for _ in range(k):
        c = np.convolve(c, [1.0, -1.0])
    return c


def busy(n=N, seed=0, amp=0.5):
    return np.random.default_rng(seed).uniform(-amp, amp, n)


def reference_error_feedback(x, k, bits=8, lo=-1.0, hi=1.0):
    """Pure-Python error feedback around a midtread round-half-up quantizer.

    v[n] = x[n] − Σ_{j≥1} c_j e_q[n−j],  y[n] = Q(v[n]),  e_q[n] = v[n] − y[n],
    so x − y = Σ_j c_j e_q[n−j] with c = (1 − z⁻¹)^k.
    """
    c = ntf_coeffs(k)
    d = (hi - lo) / 2**bits
    y = np.empty_like(x)
    eq = np.zeros_like(x)
    for n in range(x.size):
        v = x[n]
        for j in range(1, k + 1):
            if n - j >= 0:
                v -= c[j] * eq[n - j]
        code = min(max(math.floor((v - lo) / d + 0.5), 0), 2**bits - 1)
        y[n] = lo + code * d
        eq[n] = v - y[n]
    return y, eq


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_coefficients_and_gain_by_hand(k):
    c = ntf_coeffs(k)
    np.testing.assert_array_equal(c, [(-1) ** j * math.comb(k, j) for j in range(k + 1)])
    assert np.sum(c**2) == [1, 2, 6, 20][k]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])  # ≤ 4 and > 4 run different kernels
def test_total_error_is_ntf_times_quantizer_error_exactly(k):
    x = np.random.default_rng(k).uniform(-0.6, 0.6, 400)
    y_ref, eq = reference_error_feedback(x, k)
    r = quantize(x, QuantizerSpec(bits=8, noise_shaping=k))
    np.testing.assert_array_equal(r.values, y_ref)
    np.testing.assert_allclose(r.error, sps.lfilter(ntf_coeffs(k), [1.0], eq), rtol=0, atol=1e-12)
    assert np.all(np.abs(eq) <= (2 / 256) / 2 + 1e-15)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("dither", ["none", "tpdf", "rpdf"])
def test_inverse_ntf_recovers_a_bounded_error(k, dither):
    """Undo the NTF with the all-pole filter 1/(1 − z⁻¹)^k: what is left is the
    quantizer's own error, bounded by Δ/2 (+ the dither's width)."""
    x = busy(4000, seed=k, amp=0.7)  # short: the k-fold integrator accumulates rounding error
    r = quantize(x, QuantizerSpec(bits=BITS, noise_shaping=k, dither=dither))
    eq = sps.lfilter([1.0], ntf_coeffs(k), r.error)
    bound = {"none": 0.5, "rpdf": 1.0, "tpdf": 1.5}[dither] * DELTA
    assert np.max(np.abs(eq)) <= bound * (1 + 1e-4)
    assert np.max(np.abs(eq)) > 0.8 * bound  # and it does fill the bound (white, not shaped)


@pytest.mark.parametrize("k,gain", [(1, 2), (2, 6), (3, 20)])
def test_power_gain_tpdf(k, gain):
    r = quantize(busy(), QuantizerSpec(bits=BITS, noise_shaping=k, dither="tpdf"))
    base = DELTA**2 / 4  # TPDF total error power, for every input
    assert np.mean(r.error**2) / base == pytest.approx(gain, rel=0.03)
    assert abs(np.mean(r.error)) < 6 * math.sqrt(gain * base / N) * 2 ** k


@pytest.mark.parametrize("k,gain", [(0, 1), (1, 2), (2, 6), (3, 20)])
def test_power_gain_busy_undithered(k, gain):
    r = quantize(busy(seed=5), QuantizerSpec(bits=BITS, noise_shaping=k))
    base = DELTA**2 / 12
    assert np.mean(r.error**2) / base == pytest.approx(gain, rel=0.03)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_spectrum_follows_ntf(k):
    r = quantize(busy(seed=11), QuantizerSpec(bits=BITS, noise_shaping=k, dither="tpdf"))
    f, p = sps.welch(r.error, fs=1.0, nperseg=1024)  # one-sided density
    base = DELTA**2 / 4
    expected = 2 * base * (2 * np.sin(np.pi * f)) ** (2 * k)
    for a, b in [(0.04, 0.08), (0.1, 0.15), (0.2, 0.25), (0.3, 0.35), (0.42, 0.48)]:
        band = (f >= a) & (f < b)
        ratio = p[band].mean() / expected[band].mean()
        assert ratio == pytest.approx(1.0, rel=0.1), (a, b, ratio)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_low_frequency_error_reduced(k):
    x = busy(seed=2)
    e0 = quantize(x, QuantizerSpec(bits=BITS, dither="tpdf")).error
    ek = quantize(x, QuantizerSpec(bits=BITS, dither="tpdf", noise_shaping=k)).error
    f, p0 = sps.welch(e0, nperseg=1024)
    _, pk = sps.welch(ek, nperseg=1024)
    low = (f > 0) & (f < 0.02)
    high = f > 0.4
    assert 10 * np.log10(p0[low].mean() / pk[low].mean()) > 10 * k
    assert pk[high].mean() > p0[high].mean()  # the power goes to high frequencies instead


def test_rows_are_shaped_independently():
    x = np.random.default_rng(4).uniform(-0.7, 0.7, (3, 500))
    spec = QuantizerSpec(bits=8, noise_shaping=2)
    r = quantize(x, spec)
    for i in range(3):
        np.testing.assert_array_equal(r.values[i], quantize(x[i], spec).values)
        np.testing.assert_array_equal(r.values[i], reference_error_feedback(x[i], 2)[0])
    # changing one row leaves the others alone
    x2 = x.copy()
    x2[0] = -x2[0]
    r2 = quantize(x2, spec)
    np.testing.assert_array_equal(r2.values[1:], r.values[1:])


def test_last_axis_of_3d():
    x = np.random.default_rng(5).uniform(-0.7, 0.7, (2, 2, 300))
    r = quantize(x, QuantizerSpec(bits=8, noise_shaping=1))
    assert r.values.shape == x.shape
    for i in range(2):
        for j in range(2):
            np.testing.assert_array_equal(r.values[i, j], reference_error_feedback(x[i, j], 1)[0])


@pytest.mark.parametrize("k", [1, 3, 8])
def test_overload_stays_bounded(k):
    x = 1.5 * np.sin(np.linspace(0, 200, 5000))
    r = quantize(x, QuantizerSpec(bits=6, noise_shaping=k, dither="tpdf"))
    assert np.all(np.isfinite(r.values))
    assert r.values.min() >= -1.0 and r.values.max() <= 1.0 - 2 / 64
    inner = np.abs(x) < 0.5
    # away from the overload, the error is back to the NTF's bound Σ|c_j|·(1.5Δ) (it recovered)
    assert np.max(np.abs(r.error[inner][200:])) <= 2**k * 1.5 * 2 / 64 + 1e-12


def test_float32_dtype_preserved():
    x = busy(1000).astype(np.float32)
    assert quantize(x, QuantizerSpec(bits=8, noise_shaping=2)).values.dtype == np.float32
