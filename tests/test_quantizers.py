"""Uniform quantizer: grid conventions, rounding rules, overflow, dtypes, shapes.

Every expected value is computed here from the textbook formulas (or by
numpy / ml_dtypes integer casts), never by asking the engine.
"""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from quantviz import metrics
from quantviz.quantizers import QuantizerSpec, levels, quantize, step_size

SETTINGS = settings(max_examples=60, deadline=None)
MODES = ("midtread", "midrise", "endpoints")
EPS = 1e-9


# ---------------------------------------------------------------- independent grid model
def ref_step(bits, lo, hi, mode):
    """Δ from the module docstring's table."""
    if mode == "endpoints":
        return (hi - lo) / (2**bits - 1)
    return (hi - lo) / 2**bits


def ref_offset(mode):
    return 0.5 if mode == "midrise" else 0.0


def ref_levels(bits, lo, hi, mode):
    d = ref_step(bits, lo, hi, mode)
    k = np.arange(2**bits)
    return lo + (k + ref_offset(mode)) * d


def granular_range(bits, lo, hi, mode):
    """[first level − Δ/2, last level + Δ/2]."""
    lv = ref_levels(bits, lo, hi, mode)
    d = ref_step(bits, lo, hi, mode)
    return lv[0] - d / 2, lv[-1] + d / 2


def assert_on_grid(values, bits, lo, hi, mode):
    d = ref_step(bits, lo, hi, mode)
    k = (np.asarray(values, float) - lo) / d - ref_offset(mode)
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)
    assert np.all(np.round(k) >= 0) and np.all(np.round(k) <= 2**bits - 1)


specs_small = st.tuples(
    st.integers(1, 12),
    st.sampled_from(MODES),
    st.sampled_from([(-1.0, 1.0), (0.0, 1.0), (-3.0, 5.0), (-0.25, 0.25)]),
)


def inside(draw_unit, bits, lo, hi, mode, shrink=1e-9):
    a, b = granular_range(bits, lo, hi, mode)
    d = ref_step(bits, lo, hi, mode)
    a, b = a + shrink * d, b - shrink * d
    return a + np.asarray(draw_unit) * (b - a)


unit_arrays = hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0, 1))


# ---------------------------------------------------------------- seed's worked examples
def test_worked_example_5_87_step_1():
    r = quantize(np.array([5.87]), QuantizerSpec(step=1.0))
    assert r.values[0] == 6.0
    assert r.error[0] == pytest.approx(-0.13, abs=1e-12)
    assert r.step == 1.0


def test_worked_example_msqe():
    x = np.array([2.3, 3.7, 4.1])
    r = quantize(x, QuantizerSpec(step=1.0))
    np.testing.assert_array_equal(r.values, [2.0, 4.0, 4.0])
    assert metrics.mse(x, r.values) == pytest.approx((0.3**2 + 0.3**2 + 0.1**2) / 3, abs=1e-12)
    assert round(metrics.mse(x, r.values), 4) == 0.0633


def test_worked_example_psqnr_26_02_db():
    x = np.zeros(8)
    y = np.full(8, 0.5)  # MSE = 0.25
    assert metrics.mse(x, y) == 0.25
    assert round(metrics.psqnr_db(x, y, peak=10.0), 2) == 26.02


# ---------------------------------------------------------------- step conventions
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bits", [1, 2, 3, 8, 16, 24, 32])
@pytest.mark.parametrize("lo,hi", [(-1.0, 1.0), (0.0, 10.0), (-2.5, 0.5)])
def test_step_size_formula(mode, bits, lo, hi):
    spec = QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode)
    expected = (hi - lo) / (2**bits - 1) if mode == "endpoints" else (hi - lo) / 2**bits
    assert spec.delta == pytest.approx(expected, rel=1e-15)
    assert step_size(spec) == spec.delta
    assert quantize(np.array([lo]), spec).step == spec.delta


def test_endpoints_one_bit_step_is_full_range():
    spec = QuantizerSpec(bits=1, lo=-1.0, hi=3.0, mode="endpoints")
    assert spec.delta == 4.0
    np.testing.assert_array_equal(levels(spec), [-1.0, 3.0])
    np.testing.assert_array_equal(quantize(np.array([-5, 0.9, 1.1, 9]), spec).values, [-1, -1, 3, 3])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bits", [1, 2, 3, 5, 10])
def test_levels_match_table(mode, bits):
    spec = QuantizerSpec(bits=bits, lo=-2.0, hi=6.0, mode=mode)
    lv = levels(spec)
    np.testing.assert_allclose(lv, ref_levels(bits, -2.0, 6.0, mode), rtol=0, atol=1e-12)
    assert lv.size == 2**bits
    assert np.all(np.diff(lv) > 0)
    if mode == "endpoints":
        assert lv[0] == -2.0 and lv[-1] == pytest.approx(6.0)
    if mode == "midtread":
        assert lv[-1] == pytest.approx(6.0 - spec.delta)


def test_levels_unbounded_window():
    s = QuantizerSpec(step=0.25, mode="midtread")
    np.testing.assert_allclose(levels(s, -0.6, 0.6), [-0.5, -0.25, 0, 0.25, 0.5])
    s = QuantizerSpec(step=0.25, mode="midrise")
    np.testing.assert_allclose(levels(s, -0.6, 0.6), [-0.375, -0.125, 0.125, 0.375])
    assert s.bits is None and not s.bounded and s.n_levels is None


def test_step_given_ignores_bits_and_grid_is_unbounded():
    s = QuantizerSpec(bits=3, step=0.1)
    assert s.bits is None and s.delta == 0.1
    r = quantize(np.array([123.456, -77.77]), s)
    np.testing.assert_allclose(r.values, np.round(np.array([123.456, -77.77]) / 0.1) * 0.1, atol=1e-9)
    np.testing.assert_array_equal(r.codes, [1235, -778])
    r = quantize(np.array([123.456]), QuantizerSpec(step=0.1, mode="midrise"))
    assert r.values[0] == pytest.approx(123.45)


def test_bits_32_works():
    spec = QuantizerSpec(bits=32)
    d = 2.0 / 2**32
    assert spec.delta == d
    x = np.array([0.3, -0.7, 0.999999])
    r = quantize(x, spec)
    assert np.all(np.abs(r.error) <= d / 2 * (1 + 1e-6))
    np.testing.assert_array_equal(r.codes, np.floor((x + 1) / d + 0.5).astype(np.int64))
    assert r.codes.max() <= 2**32 - 1


# ---------------------------------------------------------------- references: numpy integer casts
def test_8bit_matches_numpy_int_formula():
    x = np.random.default_rng(3).uniform(-1.3, 1.3, 50_000)
    ref = np.clip(np.floor(x * 128 + 0.5), -128, 127) / 128
    np.testing.assert_array_equal(quantize(x, QuantizerSpec(bits=8)).values, ref)


def test_16bit_matches_int16_formula():
    x = np.random.default_rng(4).uniform(-1.1, 1.1, 50_000)
    ref = np.clip(np.floor(x * 32768 + 0.5), -32768, 32767).astype(np.int16).astype(np.float64) / 32768
    r = quantize(x, QuantizerSpec(bits=16))
    np.testing.assert_array_equal(r.values, ref)
    np.testing.assert_array_equal(r.codes - 32768, np.clip(np.floor(x * 32768 + 0.5), -32768, 32767))


@pytest.mark.parametrize("bits,itype", [(8, np.int8), (16, np.int16), (4, ml_dtypes.int4)])
def test_wrap_is_twos_complement(bits, itype):
    """Wrap == casting the rounded integer to a b-bit signed integer (modular)."""
    rng = np.random.default_rng(bits)
    x = rng.uniform(-4, 4, 20_000)
    scale = 2 ** (bits - 1)
    k = np.floor(x * scale + 0.5).astype(np.int64)
    ref = k.astype(itype).astype(np.float64) / scale
    r = quantize(x, QuantizerSpec(bits=bits, overflow="wrap"))
    np.testing.assert_array_equal(r.values, ref)
    assert r.codes.min() >= 0 and r.codes.max() <= 2**bits - 1


def test_wrap_int8_by_hand():
    r = quantize(np.array([1.0, 129 / 128, -129 / 128, 0.5]), QuantizerSpec(bits=8, overflow="wrap"))
    np.testing.assert_array_equal(r.values, [-1.0, -127 / 128, 127 / 128, 0.5])


@given(specs_small, st.lists(st.floats(-50, 50), min_size=1, max_size=30))
@SETTINGS
def test_wrap_modular_any_grid(sp, xs):
    bits, mode, (lo, hi) = sp
    x = np.array(xs)
    d = ref_step(bits, lo, hi, mode)
    off = ref_offset(mode)
    k = np.floor((x - lo) / d - off + 0.5)
    kw = np.mod(k, 2**bits)
    r = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, overflow="wrap"))
    ok = np.isclose(r.values, lo + (kw + off) * d, atol=1e-9 * max(1, abs(lo), abs(hi)))
    # ties on a rounding boundary may legitimately go either way in floating point
    u = (x - lo) / d - off
    near_tie = np.abs(u - np.floor(u) - 0.5) < 1e-9
    assert np.all(ok | near_tie)


# ---------------------------------------------------------------- hypothesis properties
@given(specs_small, unit_arrays)
@SETTINGS
def test_error_bounded_by_half_step_inside_range(sp, u):
    bits, mode, (lo, hi) = sp
    x = inside(u, bits, lo, hi, mode)
    d = ref_step(bits, lo, hi, mode)
    r = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode))
    assert np.all(np.abs(r.error) <= d / 2 * (1 + EPS) + 1e-12)
    np.testing.assert_allclose(r.error, x - r.values, rtol=0, atol=0)


@given(specs_small, unit_arrays, st.sampled_from(["nearest", "floor", "ceil", "toward_zero"]),
       st.sampled_from(["clip", "wrap"]))
@SETTINGS
def test_idempotent(sp, u, rounding, overflow):
    bits, mode, (lo, hi) = sp
    x = lo - 2 + u * (hi - lo + 4)
    spec = QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, rounding=rounding, overflow=overflow)
    q1 = quantize(x, spec).values
    q2 = quantize(q1, spec).values
    np.testing.assert_allclose(q2, q1, rtol=0, atol=1e-12 * max(1.0, abs(lo), abs(hi)))


@given(specs_small, unit_arrays, st.sampled_from(["nearest", "floor", "ceil", "toward_zero"]),
       st.sampled_from(["clip", "wrap"]))
@SETTINGS
def test_values_on_grid_and_codes_consistent(sp, u, rounding, overflow):
    bits, mode, (lo, hi) = sp
    x = lo - 3 + u * (hi - lo + 6)
    spec = QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, rounding=rounding, overflow=overflow)
    r = quantize(x, spec)
    assert_on_grid(r.values, bits, lo, hi, mode)
    d = ref_step(bits, lo, hi, mode)
    assert r.codes.dtype.kind == "i"
    assert np.all((r.codes >= 0) & (r.codes <= 2**bits - 1))
    np.testing.assert_allclose(r.values, lo + (r.codes + ref_offset(mode)) * d, rtol=0, atol=1e-9)


@given(st.integers(1, 16), unit_arrays)
@SETTINGS
def test_midtread_zero(bits, u):
    spec = QuantizerSpec(bits=bits, lo=-2.0, hi=2.0)
    d = 4.0 / 2**bits
    assert quantize(np.array([0.0]), spec).values[0] == 0.0
    assert quantize(0.0, spec).values == 0.0
    tiny = (u * 2 - 1) * d / 2 * 0.999999  # |x| < Δ/2
    np.testing.assert_array_equal(quantize(tiny, spec).values, 0.0)


@given(st.integers(1, 16), hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-3, 3)))
@SETTINGS
def test_midrise_never_outputs_zero(bits, x):
    r = quantize(x, QuantizerSpec(bits=bits, mode="midrise"))
    assert np.all(r.values != 0)
    assert np.all(np.abs(r.values) >= 2.0 / 2**bits / 2 * (1 - 1e-12))
    r = quantize(x, QuantizerSpec(step=0.125, mode="midrise"))
    assert np.all(r.values != 0)


@given(specs_small, unit_arrays)
@SETTINGS
def test_floor_and_ceil(sp, u):
    bits, mode, (lo, hi) = sp
    lv = ref_levels(bits, lo, hi, mode)
    x = lv[0] + u * (lv[-1] - lv[0])  # no clipping for either rule
    f = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, rounding="floor")).values
    c = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, rounding="ceil")).values
    tol = 1e-12 * max(1.0, abs(lo), abs(hi))
    d = ref_step(bits, lo, hi, mode)
    assert np.all(f <= x + tol) and np.all(c >= x - tol)
    assert np.all(x - f < d + tol) and np.all(c - x < d + tol)


@given(st.integers(1, 12), hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-3, 3)))
@SETTINGS
def test_toward_zero_midtread(bits, x):
    r = quantize(x, QuantizerSpec(bits=bits, rounding="toward_zero"))
    assert np.all(np.abs(r.values) <= np.abs(x) + 1e-12)
    assert np.all(r.values * x >= 0)  # never crosses zero
    d = 2.0 / 2**bits
    inner = (x >= -1) & (x <= 1 - d)
    assert np.all(np.abs(r.error[inner]) < d + 1e-12)


@given(specs_small, unit_arrays)
@SETTINGS
def test_stochastic_picks_a_neighbour(sp, u):
    bits, mode, (lo, hi) = sp
    lv = ref_levels(bits, lo, hi, mode)
    x = lv[0] + u * (lv[-1] - lv[0])
    r = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode, rounding="stochastic", seed=7))
    d = ref_step(bits, lo, hi, mode)
    tol = 1e-9 * max(1.0, abs(lo), abs(hi))
    below = lv[np.clip(np.searchsorted(lv, x + tol, side="right") - 1, 0, lv.size - 1)]
    above = lv[np.clip(np.searchsorted(lv, x - tol, side="left"), 0, lv.size - 1)]
    ok = np.isclose(r.values, below, atol=tol) | np.isclose(r.values, above, atol=tol)
    assert np.all(ok)
    assert np.all(np.abs(r.error) < d + tol)


@pytest.mark.parametrize("frac", [0.0, 0.1, 0.37, 0.5, 0.93])
def test_stochastic_unbiased(frac):
    n = 200_000
    spec = QuantizerSpec(bits=6, rounding="stochastic", seed=11)
    d = spec.delta
    x0 = 5 * d + frac * d - 1.0 + 32 * d  # somewhere inside the range
    r = quantize(np.full(n, x0), spec)
    p = frac
    sigma = d * math.sqrt(p * (1 - p) / n)
    assert abs(r.values.mean() - x0) <= 6 * sigma + 1e-12
    # fraction rounded up is the fractional position
    up = np.mean(r.values > x0 + 1e-12)
    assert abs(up - p) <= 6 * math.sqrt(max(p * (1 - p), 1e-12) / n) + 1e-12


def test_stochastic_unbiased_on_a_ramp():
    x = np.linspace(-1.0, 0.875, 400)  # between the first and the last 4-bit level
    xs = np.tile(x, (500, 1))
    r = quantize(xs, QuantizerSpec(bits=4, rounding="stochastic", seed=3))
    d = 2 / 16
    sigma = d / 2 / math.sqrt(500)  # p(1-p) ≤ 1/4
    assert np.all(np.abs(r.values.mean(axis=0) - x) <= 6 * sigma)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bits", [1, 3, 8])
def test_clip_saturates(mode, bits):
    lo, hi = -1.5, 2.5
    lv = ref_levels(bits, lo, hi, mode)
    x = np.array([-1e6, lo - 3.0, lo - 1e-3, hi + 1e-3, hi + 5.0, 1e6])
    r = quantize(x, QuantizerSpec(bits=bits, lo=lo, hi=hi, mode=mode))
    np.testing.assert_allclose(r.values, [lv[0]] * 3 + [lv[-1]] * 3, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(r.codes, [0] * 3 + [2**bits - 1] * 3)


# ---------------------------------------------------------------- dtypes, seeds, shapes
def test_float32_in_float32_out():
    x = np.linspace(-1, 1, 101, dtype=np.float32)
    for spec in (QuantizerSpec(bits=6), QuantizerSpec(bits=6, noise_shaping=2), QuantizerSpec(bits=6, dither="tpdf")):
        r = quantize(x, spec)
        assert r.values.dtype == np.float32
        assert r.error.dtype == np.float64
        ref = np.clip(np.floor(x.astype(np.float64) * 32 + 0.5), -32, 31) / 32
        if spec.dither == "none" and spec.noise_shaping == 0:
            np.testing.assert_array_equal(r.values, ref.astype(np.float32))


@pytest.mark.parametrize("x", [np.arange(-3, 4), np.array([True, False]), np.float16([0.3, -0.2]), [0.1, 0.2]])
def test_other_inputs_give_float64(x):
    r = quantize(x, QuantizerSpec(bits=4))
    assert r.values.dtype == np.float64


@pytest.mark.parametrize("kw", [dict(dither="rpdf"), dict(dither="tpdf"), dict(dither="gaussian"),
                                dict(rounding="stochastic"), dict(dither="tpdf", noise_shaping=2),
                                dict(dither="rpdf", subtractive=True)])
def test_seed_reproducible_and_changes_output(kw):
    x = np.random.default_rng(0).uniform(-0.9, 0.9, 2000)
    a = quantize(x, QuantizerSpec(bits=6, seed=1, **kw)).values
    b = quantize(x, QuantizerSpec(bits=6, seed=1, **kw)).values
    c = quantize(x, QuantizerSpec(bits=6, seed=2, **kw)).values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5), (2, 3, 4)])
@pytest.mark.parametrize("kw", [dict(), dict(noise_shaping=1), dict(dither="tpdf"), dict(rounding="stochastic")])
def test_shape_preserved(shape, kw):
    x = np.random.default_rng(1).uniform(-1, 1, shape)
    r = quantize(x, QuantizerSpec(bits=5, **kw))
    assert r.values.shape == shape
    assert r.codes.shape == shape
    assert r.error.shape == shape
    if not kw:
        ref = np.clip(np.floor(np.asarray(x) * 16 + 0.5), -16, 15) / 16
        np.testing.assert_array_equal(r.values, ref)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
@pytest.mark.parametrize("k", [0, 1])
def test_empty_input(shape, k):
    r = quantize(np.zeros(shape), QuantizerSpec(noise_shaping=k))
    assert r.values.shape == shape


def test_default_spec_is_8_bit_full_scale():
    r = quantize(np.array([0.3]))
    assert r.step == 2 / 256
    assert r.spec == QuantizerSpec()


def test_spec_is_frozen():
    s = QuantizerSpec()
    with pytest.raises(Exception):
        s.bits = 4  # type: ignore[misc]


def test_subtractive_codes_index_the_dithered_level():
    x = np.random.default_rng(5).uniform(-0.9, 0.9, 1000)
    r = quantize(x, QuantizerSpec(bits=6, dither="rpdf", subtractive=True))
    d = 2 / 64
    assert np.all((r.codes >= 0) & (r.codes < 64))
    # values + dither sit on the grid, and are indexed by codes
    np.testing.assert_allclose(r.values + r.dither_, -1 + r.codes * d, atol=1e-12)


# ---------------------------------------------------------------- bad arguments
BAD_SPECS = [
    (dict(bits=0), "bits"),
    (dict(bits=33), "bits"),
    (dict(bits=-1), "bits"),
    (dict(bits=2.5), "bits"),
    (dict(bits=None), "bits"),
    (dict(bits=True), "bits"),
    (dict(bits=float("nan")), "bits"),
    (dict(bits=float("inf")), "bits"),
    (dict(bits="eight"), "bits"),
    (dict(step=0.0), "step"),
    (dict(step=-0.1), "step"),
    (dict(step=float("nan")), "step"),
    (dict(step=float("inf")), "step"),
    (dict(step="x"), "step"),
    (dict(lo=1.0, hi=1.0), "lo"),
    (dict(lo=2.0, hi=1.0), "lo"),
    (dict(lo=float("nan")), "lo"),
    (dict(hi=float("inf")), "hi"),
    (dict(mode="mid-tread"), "mode"),
    (dict(rounding="round"), "rounding"),
    (dict(overflow="saturate"), "overflow"),
    (dict(dither="triangular"), "dither"),
    (dict(dither_scale=-1.0), "dither_scale"),
    (dict(dither_scale=float("nan")), "dither_scale"),
    (dict(noise_shaping=-1), "noise_shaping"),
    (dict(noise_shaping=9), "noise_shaping"),
    (dict(noise_shaping=1.5), "noise_shaping"),
    (dict(noise_shaping=None), "noise_shaping"),
    (dict(seed="abc"), "seed"),
]


@pytest.mark.parametrize("kw,name", BAD_SPECS, ids=[f"{k}" for k, _ in BAD_SPECS])
def test_bad_spec_raises_naming_parameter(kw, name):
    with pytest.raises(ValueError, match=name):
        QuantizerSpec(**kw)


@pytest.mark.parametrize("x", [np.array([0.0, np.nan]), np.array([np.inf]), np.array([[1.0, -np.inf]]),
                               np.array([1 + 2j]), np.array(["a"]), np.array([None, 1.0], dtype=object)])
@pytest.mark.parametrize("k", [0, 2])
def test_bad_input_raises_naming_x(x, k):
    with pytest.raises(ValueError, match=r"\bx\b"):
        quantize(x, QuantizerSpec(noise_shaping=k))


def test_bad_spec_type():
    with pytest.raises(ValueError, match="spec"):
        quantize(np.zeros(3), {"bits": 8})
