"""Issue #12 §6: the public API's edge cases raise ValueError naming the parameter.

Each test reproduces a defect found by an independent check of the API (NaN, wrapped
int64 codes, KeyError, ZeroDivisionError, values off the grid) before it was fixed.
"""

import warnings

import numpy as np
import pytest

from quantviz import g711, metrics, theory
from quantviz.quantizers import QuantizerSpec, levels, quantize


def _no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow, invalid) is a failure too
        return fn()


# ---------------------------------------------------------------- QuantizerSpec: the step must be usable
@pytest.mark.parametrize("kw,name", [
    (dict(lo=-1e308, hi=1e308), "hi"),  # Δ = inf, values NaN
    (dict(lo=0.0, hi=1e-310, bits=32), "step"),  # subnormal Δ: 1/Δ = inf, values NaN
    (dict(lo=0.0, hi=1e-320), "step"),  # ZeroDivisionError
    (dict(lo=1e15, hi=1e15 + 1, bits=32), "step"),  # Δ below the doubles' spacing: levels collapse
    (dict(step=1e-320), "step"),
    (dict(step=1e308), "step"),
])
def test_unusable_step_raises(kw, name):
    with pytest.raises(ValueError, match=name):
        QuantizerSpec(**kw)


def test_extreme_but_usable_ranges_work():
    for lo, hi, bits in [(-1e300, 1e300, 8), (0.0, 1e-280, 32), (-1e-3, 1e-3, 32)]:
        spec = QuantizerSpec(lo=lo, hi=hi, bits=bits)
        x = np.linspace(lo, hi - spec.delta, 101)  # the top level is hi − Δ
        r = _no_warnings(lambda: quantize(x, spec))
        assert np.all(np.isfinite(r.values))
        assert np.max(np.abs(r.error)) <= spec.delta / 2 * (1 + 1e-5)  # 32 bits: x/Δ near 2^32 has 21 fractional bits


# ---------------------------------------------------------------- unbounded grids: codes must fit int64
@pytest.mark.parametrize("x,step", [([0.5], 1e-300), ([1e19], 1.0), ([-1e19], 1.0), ([2.0**62], 1.0)])
def test_unbounded_codes_never_wrap(x, step):
    with pytest.raises(ValueError, match="step"):
        _no_warnings(lambda: quantize(x, QuantizerSpec(bits=None, step=step)).codes)


def test_unbounded_codes_below_2_52_are_exact():
    x = np.array([2.0**51 + 3, -(2.0**52) + 1, 3.0])
    r = _no_warnings(lambda: quantize(x, QuantizerSpec(step=1.0)))
    np.testing.assert_array_equal(r.codes, [2**51 + 3, -(2**52) + 1, 3])


# ---------------------------------------------------------------- metrics refuse NaN/Inf like quantize does
@pytest.mark.parametrize("fn", [metrics.mse, metrics.rms_error, metrics.max_abs_error, metrics.sqnr_db,
                                lambda x, y: metrics.psnr_db(x, y, 2.0), lambda x, y: metrics.psqnr_db(x, y, 1.0),
                                lambda x, y: metrics.segmental_snr_db(x, y, 1)])
@pytest.mark.parametrize("x,y,name", [([np.nan, 1.0], [0.0, 1.0], "x"), ([0.0, 1.0], [0.0, np.inf], "y"),
                                      ([-np.inf, 1.0], [0.0, 1.0], "x")])
def test_metrics_refuse_non_finite(fn, x, y, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        fn(x, y)


# ---------------------------------------------------------------- theory's arguments
@pytest.mark.parametrize("call,name", [
    (lambda: theory.dither_error_power("bogus", 1.0), "dither"),
    (lambda: theory.error_power(-1.0), "step"),
    (lambda: theory.error_power(float("nan")), "step"),
    (lambda: theory.error_power(1.0, rounding="round"), "rounding"),
    (lambda: theory.error_power(1.0, dither_scale=-1.0), "dither_scale"),
    (lambda: theory.error_power(1.0, noise_shaping=-1), "noise_shaping"),
    (lambda: theory.uniform_noise_power(-2.0), "step"),
    (lambda: theory.sine_sqnr_db(0), "bits"),
    (lambda: theory.sine_sqnr_db([8, -1]), "bits"),
    (lambda: theory.noise_shaping_gain(-1), "order"),
])
def test_theory_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- QuantizerSpec: seed, wrap without bits
@pytest.mark.parametrize("seed", [-1, 2**128, 1.5])
def test_bad_seed_raises_at_construction(seed):
    with pytest.raises(ValueError, match="seed"):
        QuantizerSpec(seed=seed, dither="tpdf")


def test_wrap_needs_a_bounded_grid():
    with pytest.raises(ValueError, match="overflow"):
        QuantizerSpec(step=0.1, overflow="wrap")
    assert QuantizerSpec(step=0.1, overflow="clip").overflow == "clip"


# ---------------------------------------------------------------- G.711 names the value it was given
@pytest.mark.parametrize("enc", [g711.ulaw_encode, g711.alaw_encode])
@pytest.mark.parametrize("value,dtype", [(2**63, np.uint64), (2**64 - 1, np.uint64), (40000, np.uint16)])
def test_g711_names_the_real_value(enc, value, dtype):
    with pytest.raises(ValueError, match=rf"\b{value}\b"):
        enc(np.array([0, value], dtype=dtype))


@pytest.mark.parametrize("dec", [g711.ulaw_decode, g711.alaw_decode])
def test_g711_decode_names_the_real_value(dec):
    with pytest.raises(ValueError, match=r"\b18446744073709551615\b"):
        dec(np.array([2**64 - 1], dtype=np.uint64))


# ---------------------------------------------------------------- float32 input where float32 cannot hold the grid
@pytest.mark.parametrize("bits", [24, 25, 26, 28, 32])
@pytest.mark.parametrize("kw,power", [(dict(dither="tpdf"), 0.25), (dict(dither="rpdf", subtractive=True), 1 / 12),
                                      (dict(noise_shaping=2), 0.5)])
def test_float32_input_stays_on_the_grid(bits, kw, power):
    rng = np.random.default_rng(3)
    x = rng.uniform(-0.9, 0.9, 40_000).astype(np.float32)
    spec = QuantizerSpec(bits=bits, **kw)
    r = quantize(x, spec)
    if not spec.subtractive:  # every value is a level (to the grid's own float64 rounding)
        k = (np.asarray(r.values, np.float64) - spec.lo) / r.step
        np.testing.assert_allclose(k, np.rint(k), rtol=0, atol=1e-6)
    # the error power is the model's (Δ²/12 + σ_d²)·C(2k, k); a float32 grid gave 0.038 Δ² for TPDF
    assert np.mean(r.error**2) / r.step**2 == pytest.approx(power, rel=0.05)
    # and the same numbers as the float64 input
    r64 = quantize(x.astype(np.float64), spec)
    np.testing.assert_array_equal(np.asarray(r.values, np.float64), r64.values)


def test_float32_output_kept_where_the_grid_fits():
    x = np.linspace(-1, 1, 1001, dtype=np.float32)
    for spec in (QuantizerSpec(bits=16, dither="tpdf"), QuantizerSpec(bits=24, noise_shaping=2),
                 QuantizerSpec(bits=8, dither="rpdf", subtractive=True)):
        assert quantize(x, spec).values.dtype == np.float32
    assert quantize(x, QuantizerSpec(bits=26, dither="tpdf")).values.dtype == np.float64


def test_levels_still_listed_for_bounded_grid():
    assert levels(QuantizerSpec(bits=2)).tolist() == [-1.0, -0.5, 0.0, 0.5]

