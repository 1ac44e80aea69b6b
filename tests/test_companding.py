"""Continuous mu-law / A-law companders and companded quantization."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz.companding import (
    a_law_compress,
    a_law_expand,
    companded_quantize,
    compressor,
    expander,
    mu_law_compress,
    mu_law_expand,
)
from quantviz.quantizers import QuantizationResult, QuantizerSpec, quantize

unit = st.floats(-1.0, 1.0, allow_nan=False)
mus = st.floats(0.01, 1e5)
a_values = st.floats(1.0, 1e4)
LAWS = [("mu", 255.0), ("a", 87.6)]


def test_mu_law_published_values():
    assert mu_law_compress(1.0) == pytest.approx(1.0, abs=1e-15)
    assert mu_law_compress(-1.0) == pytest.approx(-1.0, abs=1e-15)
    assert mu_law_compress(0.0) == 0.0
    assert mu_law_compress(0.5) == pytest.approx(math.log(1 + 255 * 0.5) / math.log(256), rel=1e-14)
    assert mu_law_compress(0.5) == pytest.approx(0.8757, abs=1e-4)
    assert mu_law_compress(0.01, mu=100) == pytest.approx(math.log(2.0) / math.log(101.0), rel=1e-14)
    assert mu_law_expand(0.5) == pytest.approx((256**0.5 - 1) / 255, rel=1e-14)  # = 15/255


def test_a_law_published_values():
    a = 87.6
    k = 1 + math.log(a)
    assert a_law_compress(1.0) == pytest.approx(1.0, abs=1e-15)
    assert a_law_compress(0.5) == pytest.approx((1 + math.log(a * 0.5)) / k, rel=1e-14)
    assert a_law_compress(0.005) == pytest.approx(a * 0.005 / k, rel=1e-14)  # linear segment
    assert a_law_compress(-0.5) == pytest.approx(-(1 + math.log(a * 0.5)) / k, rel=1e-14)
    assert 1 / k == pytest.approx(0.1827, abs=1e-4)  # the well-known A-law knee value


def test_a_law_continuous_at_knee():
    a = 87.6
    knee = 1 / a
    y_knee = 1 / (1 + math.log(a))
    below, at, above = a_law_compress(np.array([np.nextafter(knee, 0), knee, np.nextafter(knee, 1)]))
    assert below == pytest.approx(y_knee, abs=1e-14)
    assert at == pytest.approx(y_knee, abs=1e-15)
    assert above == pytest.approx(y_knee, abs=1e-14)
    # Equal slopes on both sides: A/(1+ln A) on the left, 1/(x (1+ln A)) = A/(1+ln A) at the knee.
    h = 1e-7
    left = (a_law_compress(knee) - a_law_compress(knee - h)) / h
    right = (a_law_compress(knee + h) - a_law_compress(knee)) / h
    assert left == pytest.approx(a * y_knee, rel=1e-5)
    assert right == pytest.approx(a * y_knee, rel=1e-5)


def test_a_equal_one_is_identity_and_small_mu_is_nearly_identity():
    x = np.linspace(-1, 1, 101)
    np.testing.assert_allclose(a_law_compress(x, a=1.0), x, atol=1e-15)
    np.testing.assert_allclose(mu_law_compress(x, mu=1e-9), x, atol=1e-8)


@settings(deadline=None, max_examples=200)
@given(x=unit, mu=mus)
def test_mu_law_round_trip_odd(x, mu):
    y = mu_law_compress(x, mu)
    assert -1.0 - 1e-12 <= y <= 1.0 + 1e-12
    assert mu_law_expand(y, mu) == pytest.approx(x, abs=1e-12)
    assert mu_law_compress(-x, mu) == -y
    assert mu_law_compress(mu_law_expand(x, mu), mu) == pytest.approx(x, abs=1e-12)


@settings(deadline=None, max_examples=200)
@given(x=unit, a=a_values)
def test_a_law_round_trip_odd(x, a):
    y = a_law_compress(x, a)
    assert -1.0 - 1e-12 <= y <= 1.0 + 1e-12
    assert a_law_expand(y, a) == pytest.approx(x, abs=1e-12)
    assert a_law_compress(-x, a) == -y
    assert a_law_compress(a_law_expand(x, a), a) == pytest.approx(x, abs=1e-12)


@settings(deadline=None, max_examples=200)
@given(x1=unit, x2=unit, mu=mus, a=a_values)
def test_compressors_are_monotonic(x1, x2, mu, a):
    lo, hi = min(x1, x2), max(x1, x2)
    assert mu_law_compress(lo, mu) <= mu_law_compress(hi, mu)
    assert a_law_compress(lo, a) <= a_law_compress(hi, a)
    assert mu_law_expand(lo, mu) <= mu_law_expand(hi, mu)
    assert a_law_expand(lo, a) <= a_law_expand(hi, a)


def test_strictly_increasing_on_a_dense_grid_and_shape_kept():
    x = np.linspace(-1, 1, 200_000).reshape(400, 500)
    for law, _ in LAWS:
        y = compressor(law, x)
        assert y.shape == x.shape and y.dtype == np.float64
        assert np.all(np.diff(y.ravel()) > 0)
        np.testing.assert_allclose(expander(law, y), x, atol=1e-13)


def test_dispatchers_match_direct_calls():
    x = np.linspace(-1, 1, 11)
    np.testing.assert_array_equal(compressor("mu", x, mu=100), mu_law_compress(x, 100))
    np.testing.assert_array_equal(compressor("a", x, a=50), a_law_compress(x, 50))
    np.testing.assert_array_equal(expander("mu", x, mu=100), mu_law_expand(x, 100))
    np.testing.assert_array_equal(expander("a", x, a=50), a_law_expand(x, 50))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: mu_law_compress(0.5, mu=0), "mu"),
        (lambda: mu_law_compress(0.5, mu=-3), "mu"),
        (lambda: mu_law_expand(0.5, mu=float("nan")), "mu"),
        (lambda: a_law_compress(0.5, a=0.5), "a="),
        (lambda: a_law_expand(0.5, a=float("inf")), "a="),
        (lambda: mu_law_compress([0.1, float("nan")]), "x"),
        (lambda: a_law_compress([float("inf")]), "x"),
        (lambda: mu_law_expand([float("-inf")]), "y"),
        (lambda: a_law_expand(np.array(["a"])), "y"),
        (lambda: compressor("b", 0.5), "law"),
        (lambda: expander("ulaw", 0.5), "law"),
        (lambda: companded_quantize([0.1], law="A"), "law"),
        (lambda: companded_quantize([0.1, float("nan")]), "x"),
    ],
)
def test_bad_parameters_raise_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def _reference_companded_mu(x, bits, mu):
    """Independent 8-bit midtread [-1, 1) quantizer in the mu-law domain, written out by hand."""
    step = 2.0 / 2**bits
    c = np.array([math.copysign(math.log1p(mu * abs(v)) / math.log1p(mu), v) for v in x])
    k = np.clip(np.floor((c + 1.0) / step + 0.5), 0, 2**bits - 1)
    q = -1.0 + k * step
    return np.array([math.copysign(((1 + mu) ** abs(v) - 1) / mu, v) for v in q]), k.astype(np.int64)


def test_companded_quantize_matches_hand_written_reference():
    x = np.random.default_rng(3).uniform(-1, 1, 2000) ** 3
    r = companded_quantize(x, QuantizerSpec(bits=8), law="mu", mu=255.0)
    ref_values, ref_codes = _reference_companded_mu(x, 8, 255.0)
    assert isinstance(r, QuantizationResult)
    np.testing.assert_allclose(r.values, ref_values, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(r.codes, ref_codes)
    np.testing.assert_array_equal(r.input, x)
    np.testing.assert_allclose(r.error, x - ref_values, atol=1e-15)
    assert r.step == pytest.approx(2 / 256)


@pytest.mark.parametrize("law, param", LAWS)
def test_companded_values_are_expanded_uniform_levels(law, param):
    spec = QuantizerSpec(bits=6)
    x = np.linspace(-1.2, 1.2, 5001)
    r = companded_quantize(x, spec, law=law)
    uniform = quantize(compressor(law, x), spec)
    np.testing.assert_array_equal(r.codes, uniform.codes)
    np.testing.assert_allclose(r.values, expander(law, -1.0 + r.codes * (2 / 64)), atol=1e-14)
    assert r.spec is spec


def _bennett_snr_db(sigma, bits, mu):
    """Fine-quantization SNR of N(0, sigma^2) through mu-law, from Bennett's integral.

    noise = (Delta^2 / 12) E[1/F'(X)^2] with 1/F'(x) = ln(1 + mu)(1/mu + |x|), and for a
    Gaussian E[(1/mu + |X|)^2] = 1/mu^2 + 2 sigma sqrt(2/pi)/mu + sigma^2.
    """
    delta = 2.0 / 2**bits
    e_inv_slope2 = math.log1p(mu) ** 2 * (1 / mu**2 + 2 * sigma * math.sqrt(2 / math.pi) / mu + sigma**2)
    return 10 * math.log10(sigma**2 / (delta**2 / 12 * e_inv_slope2))


@pytest.mark.parametrize("sigma", [0.2, 0.05, 0.01, 0.002])
def test_mu_law_snr_follows_bennett_and_beats_uniform_at_low_level(sigma):
    x = sigma * np.random.default_rng(0).standard_normal(200_000)
    spec = QuantizerSpec(bits=8)
    r = companded_quantize(x, spec, law="mu")
    snr = 10 * np.log10(np.mean(x**2) / np.mean(r.error**2))
    assert snr == pytest.approx(_bennett_snr_db(sigma, 8, 255.0), abs=0.2)
    snr_uniform = 10 * np.log10(np.mean(x**2) / np.mean(quantize(x, spec).error ** 2))
    if sigma <= 0.01:
        assert snr > snr_uniform + 20  # ~35.6 dB vs ~12.9 dB at sigma = 0.01


def test_default_spec_is_8_bits():
    x = np.linspace(-0.9, 0.9, 7)
    np.testing.assert_array_equal(companded_quantize(x).values, companded_quantize(x, QuantizerSpec(bits=8)).values)
