"""The fixed-point error-feedback kernel (rounding to nearest, order ≤ 4).

Error feedback integrates its input k times, so rounding inside the loop grows
and can flip a later near-tie decision: two correct implementations that round
differently may part on long or overloaded signals. Hence three references:
exact rational arithmetic on inputs the kernel represents exactly (dyadic
values: it must agree to the bit, at any length), the floating-point kernel
and a plain-Python float loop on short, in-range signals.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz import _kernels
from quantviz.quantizers import QuantizerSpec, _grid, quantize


def python_feedback(x, d, k, spec, exact=False):
    """w[n] = u[n] + Σ a_j e[n−j] with u = (x − origin)/Δ − offset, y[n] = R(w[n] + d[n]/Δ) − s·d[n]/Δ,
    e[n] = clip(y[n] − w[n], ±2); R rounds half up and clips to the grid. Floats, or Fractions if ``exact``."""
    num = Fraction if exact else float
    origin, step, offset = (num(v) for v in _grid(spec))
    a = [(-1) ** j * math.comb(k, j) for j in range(1, k + 1)]
    n_levels = 2**spec.bits if spec.bounded else 0
    y = np.empty_like(x)
    e = [num(0)] * k
    for n in range(x.size):
        w = (num(x[n]) - origin) / step - offset + sum(aj * ej for aj, ej in zip(a, e))
        dn = num(d[n]) / step
        code = math.floor(w + dn + num(0.5))
        if n_levels:
            code = min(max(code, 0), n_levels - 1)
        yn = code - (dn if spec.subtractive else 0)
        y[n] = origin + (yn + offset) * step
        e = [min(max(yn - w, num(-2)), num(2))] + e[:-1]
    return y


@settings(max_examples=120, deadline=None)
@given(k=st.integers(1, 4), bits=st.one_of(st.none(), st.integers(1, 24)),
       mode=st.sampled_from(["midtread", "midrise"]), subtractive=st.booleans(),
       amp=st.floats(0.0, 1.6), dither_amp=st.sampled_from([0.0, 0.5, 1.0, 3.0]), seed=st.integers(0, 2**16))
def test_fixed_point_kernel_is_exact_on_dyadic_inputs(k, bits, mode, subtractive, amp, dither_amp, seed):
    """Power-of-two Δ and inputs on a 2^−20 Δ grid: the kernel must equal exact rational arithmetic,
    overload (amp > 1, the ±2Δ clamp) included."""
    rng = np.random.default_rng(seed)
    spec = QuantizerSpec(bits=bits, step=None if bits else 2.0**-7, mode=mode, subtractive=subtractive,
                         noise_shaping=k)
    origin, step, offset = _grid(spec)
    grid = step * 2.0**-20
    x = np.round(amp * rng.uniform(-1, 1, (1, 300)) / grid) * grid
    d = np.round(dither_amp * step * rng.uniform(-1, 1, (1, 300)) / grid) * grid
    values, bad = _kernels.shaped(x, d, None, origin, step, offset, 2**bits if bits else 0,
                                  _kernels.NEAREST, False, subtractive, k)
    assert bad == 0
    np.testing.assert_array_equal(values[0], python_feedback(x[0], d[0], k, spec, exact=True))


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 4), bits=st.integers(6, 16), mode=st.sampled_from(["midtread", "midrise", "endpoints"]),
       dither=st.sampled_from(["none", "rpdf", "tpdf", "gaussian"]), subtractive=st.booleans(),
       amp=st.floats(0.01, 0.9), seed=st.integers(0, 2**16))
def test_quantize_matches_the_float_definition_on_short_signals(k, bits, mode, dither, subtractive, amp, seed):
    """Random in-range inputs, up to 16 bits. The float loop rounds w at ulp(2^(b−1)) LSB every step and the
    loop integrates that k times: at 24 bits and k = 4 it parts from exact arithmetic within ~100 samples
    (seen), which the exact test above covers instead. amp ≥ 0.01: a signal sitting on the decision
    thresholds (a near-zero input to a mid-rise quantizer) makes every step a near-tie."""
    x = amp * np.random.default_rng(seed + 1).uniform(-1, 1, 120)
    spec = QuantizerSpec(bits=bits, mode=mode, dither=dither, subtractive=subtractive, noise_shaping=k, seed=seed)
    r = quantize(x, spec)
    d = r.dither_ if r.dither_ is not None else np.zeros_like(x)
    # the same codes: values within a billionth of a step, plus the rounding of values near 1 (subtractive dither)
    np.testing.assert_allclose(r.values, python_feedback(x, d, k, spec), rtol=0, atol=1e-9 * r.step + 1e-15)


def float_kernel(x, d, k, spec):
    origin, step, offset = _grid(spec)
    coef = np.array([math.comb(k, j) * (-1.0) ** j for j in range(1, 5)]) * (np.arange(1, 5) <= k)
    out = np.empty_like(x)
    has_d = d is not None
    _kernels._shaped_low(x, d if has_d else np.zeros((1, 1)), np.zeros((1, 1)), has_d, False, origin, step, offset,
                         float(2**spec.bits), _kernels.NEAREST, False, spec.subtractive, coef, out)
    return out


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("dither", ["none", "tpdf"])
def test_fixed_and_floating_point_kernels_agree(k, dither):
    """To the bit on a short stereo signal; on a long one, in error power and its spectrum's tilt."""
    t = np.linspace(0, 3000, 60_000)
    x = 0.8 * np.sin(t)[None, :] * [[1.0], [0.3]]
    spec = QuantizerSpec(bits=12, dither=dither, noise_shaping=k)
    r = quantize(x, spec)
    ref = float_kernel(x, r.dither_, k, spec)
    np.testing.assert_array_equal(r.values[:, :400], ref[:, :400])
    e_fixed, e_float = x - r.values, x - ref
    assert np.mean(e_fixed**2) == pytest.approx(np.mean(e_float**2), rel=0.03)
    low = [np.abs(np.fft.rfft(e, axis=-1)[:, 1:3000]).mean() for e in (e_fixed, e_float)]
    assert low[0] == pytest.approx(low[1], rel=0.2)


def test_out_of_range_inputs_fall_back_to_floating_point():
    """An unbounded grid with |x/Δ| > 2^30, or a dither beyond a quarter of the limit, cannot be held in
    64-bit fixed point: the kernel says so (−1) and quantize() uses the floating-point loop instead."""
    x = np.array([[1.0, -0.5, 0.25, 3.0]])
    dummy = np.zeros((1, 1))
    assert _kernels._shaped_fixed(x, dummy, False, 0.0, 1e-10, 0.0, 0.0, 2.0**30, 30, False, 2, np.empty_like(x)) == -1
    big_dither = np.full_like(x, 1000.0)
    assert _kernels._shaped_fixed(x, big_dither, True, -1.0, 1.0, 0.0, 2.0, 512.0, 52, False, 2,
                                  np.empty_like(x)) == -1
    r = quantize(x[0], QuantizerSpec(bits=None, step=1e-10, noise_shaping=2))
    np.testing.assert_allclose(r.values, python_feedback(x[0], np.zeros(4), 2, r.spec), rtol=1e-15)
    r = quantize(x[0], QuantizerSpec(bits=1, dither="gaussian", dither_scale=1000.0, noise_shaping=1))
    np.testing.assert_array_equal(r.values, python_feedback(x[0], r.dither_, 1, r.spec))


def test_overload_clamp_changes_nothing():
    """With a bounded grid, u is clamped at 8 × the grid: far beyond, the loop is saturated anyway."""
    x = np.array([1e6, -1e6, 0.1, 1e9, 0.2, -3e7, 0.0, 0.05])
    spec = QuantizerSpec(bits=3, noise_shaping=4)
    np.testing.assert_array_equal(quantize(x, spec).values, python_feedback(x, np.zeros_like(x), 4, spec))


@pytest.fixture
def two_threads():
    """The library default (the app's quantviz.app.ui sets one thread, and AppTests import it in this process)."""
    before = _kernels.get_threads()
    _kernels.set_threads(2)
    yield
    _kernels.set_threads(before)


def test_parallel_rows_equal_serial_rows(two_threads, monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.uniform(-0.9, 0.9, (2, _kernels.PARALLEL_MIN // 2 + 1))
    spec = QuantizerSpec(bits=16, dither="tpdf", noise_shaping=2)
    calls = []
    parallel = _kernels._shaped_fixed_parallel
    monkeypatch.setattr(_kernels, "_shaped_fixed_parallel", lambda *a: calls.append(1) or parallel(*a))
    both = quantize(x, spec)  # ≥ PARALLEL_MIN: the rows run on two threads
    assert x.size >= _kernels.PARALLEL_MIN and calls == [1]
    for i in range(2):  # the same spec and dither, one row at a time, serial kernel
        out = np.empty_like(x[i:i + 1])
        origin, step, offset = _grid(spec)
        bad = _kernels._shaped_fixed(x[i:i + 1], both.dither_[i:i + 1], True, origin, step, offset, 65536.0,
                                     8 * 65536.0, 61 - 19, False, 2, out)
        assert bad == 0
        np.testing.assert_array_equal(both.values[i], out[0])


def test_one_thread_takes_the_serial_kernels(monkeypatch):
    """set_threads(1) (what the app sets) never enters a parallel region, and changes no output."""
    before = _kernels.get_threads()
    x = np.random.default_rng(4).uniform(-0.9, 0.9, (2, _kernels.PARALLEL_MIN // 2 + 1))
    try:
        _kernels.set_threads(2)
        two = [quantize(x, QuantizerSpec(bits=12)).values, quantize(x, QuantizerSpec(bits=12, noise_shaping=2)).values]
        _kernels.set_threads(1)
        for name in ("_nearest_parallel", "_shaped_fixed_parallel"):
            monkeypatch.setattr(_kernels, name, lambda *a: pytest.fail("a parallel kernel ran"))
        one = [quantize(x, QuantizerSpec(bits=12)).values, quantize(x, QuantizerSpec(bits=12, noise_shaping=2)).values]
        for a, b in zip(one, two):
            np.testing.assert_array_equal(a, b)
        with pytest.raises(ValueError):
            _kernels.set_threads(0)
    finally:
        _kernels.set_threads(before)
