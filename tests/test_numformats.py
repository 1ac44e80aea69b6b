"""quantviz.numformats against ml_dtypes' finfo, NumPy's own bit patterns, published constants and Qm.n by hand."""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantviz import numformats as nf

# ---- Float formats: layout and limits -------------------------------------------------------------------------
LAYOUT = {  # (bits, exponent bits, mantissa bits, bias, max): IEEE 754, OCP OFP8 / MX specifications
    "fp32": (32, 8, 23, 127, 3.4028234663852886e38),
    "fp16": (16, 5, 10, 15, 65504.0),
    "bf16": (16, 8, 7, 127, 3.3895313892515355e38),
    "fp8_e4m3": (8, 4, 3, 7, 448.0),
    "fp8_e5m2": (8, 5, 2, 15, 57344.0),
    "fp4_e2m1": (4, 2, 1, 1, 6.0),
}


@pytest.mark.parametrize("fmt", list(nf.FLOAT_FORMATS))
def test_layout_and_limits(fmt):
    i = nf.float_info(fmt)
    assert (i.bits, i.exp_bits, i.man_bits, i.bias, i.max) == LAYOUT[fmt]
    f = ml_dtypes.finfo(nf.FLOAT_FORMATS[fmt])
    assert i.min_normal == float(f.smallest_normal) == 2.0 ** (1 - i.bias)
    assert i.min_subnormal == float(f.smallest_subnormal) == 2.0 ** (1 - i.bias - i.man_bits)
    assert i.eps == 2.0**-i.man_bits


@pytest.mark.parametrize("fmt, x, bits", [
    ("fp32", 1.0, 0x3F800000), ("fp16", 1.0, 0x3C00), ("bf16", 1.0, 0x3F80), ("fp8_e4m3", 1.0, 0x38),
    ("fp8_e5m2", 1.0, 0x3C), ("fp4_e2m1", 1.0, 0b0010), ("fp16", -2.0, 0xC000), ("fp16", 65504.0, 0x7BFF),
    ("fp8_e4m3", 448.0, 0x7E), ("fp8_e5m2", 57344.0, 0x7B), ("fp4_e2m1", -6.0, 0b1111), ("bf16", -0.5, 0xBF00),
    ("fp32", 0.1, 0x3DCCCCCD), ("fp16", 2.0**-24, 0x0001),
])
def test_known_bit_patterns(fmt, x, bits):
    v = nf.float_value(x, fmt)
    assert int(v.pattern, 2) == bits
    assert v.decoded == v.stored


def test_e2m1_values():
    assert nf.representable("fp4_e2m1").tolist() == [0, 0.5, 1, 1.5, 2, 3, 4, 6]
    assert nf.representable("fp8_e4m3").max() == 448 and len(nf.representable("fp8_e4m3")) == 127  # 0x7F is NaN


@settings(max_examples=200, deadline=None)
@given(st.floats(-60000, 60000, allow_nan=False))
def test_fp16_and_fp32_bits_match_numpy(x):
    for fmt, dt, ut in (("fp16", np.float16, np.uint16), ("fp32", np.float32, np.uint32)):
        v = nf.float_value(x, fmt)
        ref = np.array([x], dtype=np.float32).astype(dt) if fmt == "fp16" else np.array([x]).astype(dt)
        assert v.pattern == format(int(ref.view(ut)[0]), f"0{8 * ref.itemsize}b")
        assert v.stored == float(ref[0])
        s, e, m = v.fields
        assert len(s) == 1 and len(e) == nf.float_info(fmt).exp_bits and len(m) == nf.float_info(fmt).man_bits


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(nf.FLOAT_FORMATS)), st.floats(-1e4, 1e4, allow_nan=False))
def test_fields_decode_to_the_stored_value_and_error_is_half_an_ulp(fmt, x):
    v = nf.float_value(x, fmt)
    i = nf.float_info(fmt)
    assert v.decoded == v.stored or (v.decoded == 0 and v.stored == 0)
    assert (-1) ** v.sign * 2.0**v.unbiased_exponent * v.significand == v.stored
    assert v.error == pytest.approx(x - v.stored)
    if not v.saturated:
        assert abs(v.error) <= v.ulp / 2 * (1 + 1e-12) + 1e-300
        if i.min_normal <= abs(x) <= i.max:
            assert v.rel_error <= i.eps / 2 * (1 + 1e-9)  # round to nearest: relative error ≤ 2^−(p+1)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(nf.FLOAT_FORMATS)), st.floats(1e-8, 5e4))
def test_spacing_is_the_textbook_ulp(fmt, x):
    """Gap between the neighbours around x = 2^(max(⌊log2 x⌋, e_min) − p) (IEEE 754 §2: ulp)."""
    i = nf.float_info(fmt)
    if x > i.max:
        assert math.isnan(nf.spacing(x, fmt))
        return
    floor_log2 = math.frexp(x)[1] - 1  # exact, unlike math.log2 near a power of two
    assert nf.spacing(x, fmt) == 2.0 ** (max(floor_log2, 1 - i.bias) - i.man_bits)


def test_spacing_examples():
    assert nf.spacing(1.0, "fp32") == 2.0**-23
    assert nf.spacing(1.0, "bf16") == 2.0**-7
    assert nf.spacing(1000.0, "fp16") == 0.5  # 512 ≤ 1000 < 1024: 2^(9 − 10)
    assert nf.spacing(300.0, "fp8_e4m3") == 32.0  # 256 ≤ 300 < 512: 2^(8 − 3)
    assert nf.spacing(448.0, "fp8_e4m3") == 32.0  # the top: the gap below it
    assert nf.spacing(0.0, "fp8_e5m2") == 2.0**-16
    assert nf.spacing(5.0, "fp4_e2m1") == 2.0
    assert np.allclose(nf.spacing(np.array([1.0, 2.0, 4.0]), "fp16"), [2**-10, 2**-9, 2**-8])


def test_saturation_and_the_plain_cast():
    v = nf.float_value(1e6, "fp16")
    assert v.saturated and v.stored == 65504 and v.plain_cast == math.inf
    v = nf.float_value(-1e6, "fp8_e4m3")
    assert v.saturated and v.stored == -448 and math.isnan(v.plain_cast)
    v = nf.float_value(70000, "fp8_e5m2")
    assert v.saturated and v.stored == 57344 and v.plain_cast == math.inf
    assert nf.float_value(7, "fp4_e2m1").stored == 6


def test_subnormal_and_underflow():
    v = nf.float_value(2.0**-20, "fp16")
    assert v.kind == "subnormal" and v.exponent == 0 and v.stored == 2.0**-20
    assert nf.float_value(0.1, "fp4_e2m1").kind == "zero"  # below 0.25: rounds to 0
    assert nf.float_value(-1e-30, "fp8_e4m3").pattern == "10000000"  # −0


def test_ties_to_even():
    # 1 + 2^-11 is halfway between 1 and 1 + 2^-10 in fp16: ties to the even mantissa (1)
    assert nf.float_value(1 + 2.0**-11, "fp16").stored == 1.0
    assert nf.float_value(1 + 3 * 2.0**-11, "fp16").stored == 1 + 2 * 2.0**-10
    assert nf.float_value(1.25, "fp4_e2m1").stored == 1.0 and nf.float_value(1.75, "fp4_e2m1").stored == 2.0


# ---- Fixed point ---------------------------------------------------------------------------------------------
def _twos(n: int, w: int) -> str:
    """Independent two's complement: NumPy's signed integer viewed as unsigned."""
    dt, ut = {8: (np.int8, np.uint8), 16: (np.int16, np.uint16), 32: (np.int32, np.uint32)}[w]
    return format(int(np.array(n, dt).view(ut)), f"0{w}b")


@pytest.mark.parametrize("x, m, n, stored, integer", [
    (0.1, 3, 4, 0.125, 2),
    (0.5, 0, 15, 0.5, 0x4000),  # Q15: 0.5 = 0x4000
    (-1.0, 0, 15, -1.0, -0x8000),  # Q15: −1 = 0x8000
    (1.5, 0, 15, 1 - 2**-15, 0x7FFF),  # saturates at 0.999969…
    (-0.0625, 3, 4, -0.0625, -1),  # all ones
    (3.14159, 3, 12, 12868 / 4096, 12868),
    (-8.0, 3, 4, -8.0, -128),
])
def test_fixed_known_values(x, m, n, stored, integer):
    v = nf.fixed_value(x, m, n)
    assert v.stored == pytest.approx(stored) and v.integer == integer
    assert v.pattern == _twos(integer, v.fmt.word_length)
    assert v.error == pytest.approx(x - stored)


def test_fixed_format_properties():
    f = nf.FixedFormat(0, 15)
    assert (f.word_length, f.lo, f.hi, f.resolution, f.name) == (16, -1.0, 1 - 2**-15, 2**-15, "Q0.15")
    u = nf.FixedFormat(8, 8, signed=False)
    assert (u.word_length, u.lo, u.hi, u.name) == (16, 0.0, 256 - 2**-8, "UQ8.8")
    assert nf.fixed_value(300, 8, 8, signed=False).stored == 256 - 2**-8


def test_fixed_overflow_and_rounding():
    assert nf.fixed_value(9.0, 3, 4, overflow="wrap").stored == -7.0  # 144 − 256 = −112 → −7
    assert nf.fixed_value(9.0, 3, 4, overflow="saturate").stored == 7.9375
    assert nf.fixed_value(9.0, 3, 4).overflowed and not nf.fixed_value(7.9, 3, 4).overflowed
    assert nf.fixed_value(-0.03, 3, 4, rounding="floor").stored == -0.0625  # a right shift rounds down
    assert nf.fixed_value(0.09, 3, 4, rounding="floor").stored == 0.0625
    w = nf.fixed_value(7.97, 3, 4, overflow="wrap")  # rounds to 8.0 (one step past the top) then wraps
    assert w.overflowed and w.stored == -8.0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 7), st.integers(0, 8), st.booleans(), st.floats(-300, 300, allow_nan=False))
def test_fixed_value_from_bits(m, n, signed, x):
    if m + n + signed == 0:
        return
    v = nf.fixed_value(x, m, n, signed)
    w = v.fmt.word_length
    bits = [int(c) for c in v.pattern]
    value = sum(b * 2.0 ** (w - 1 - i) for i, b in enumerate(bits)) - (bits[0] * 2.0**w if signed else 0)
    assert value * 2.0**-n == v.stored
    if not v.overflowed:
        assert abs(v.error) <= 2.0**-n / 2
    else:
        assert v.stored in (v.fmt.lo, v.fmt.hi)
    assert nf.fixed_spacing(x, m, n, signed) == (2.0**-n if abs(x) <= max(v.fmt.hi, -v.fmt.lo) else
                                                 pytest.approx(float("nan"), nan_ok=True))


@pytest.mark.parametrize("args, match", [((1.0, 16, 16), "word length"), ((1.0, 0, 0, False), "word length"),
                                         ((1.0, -1, 4), "m must be"), ((1.0, 3, 4, True, "clip"), "overflow"),
                                         ((float("inf"), 3, 4), "finite")])
def test_fixed_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        nf.fixed_value(*args)


def test_float_bad_input():
    with pytest.raises(ValueError, match="format must be one of"):
        nf.float_value(1.0, "fp12")
    with pytest.raises(ValueError, match="finite"):
        nf.float_value(float("nan"), "fp16")
    with pytest.raises(ValueError, match="≤ 16 bits"):
        nf.representable("fp32")


def test_spacing_figure_draws_the_engine():
    from quantviz.figures.numformats import spacing_figure

    fig = spacing_figure(0.1, 3, 4)
    by_name = {t.name: t for t in fig.data}
    for fmt, label in nf.FLOAT_LABELS.items():
        t = by_name[label]
        assert np.array_equal(np.asarray(t.y), nf.spacing(np.asarray(t.x), fmt))
        assert np.all(np.diff(np.asarray(t.y)) >= 0)  # the gap never shrinks as the value grows
    fixed = by_name["fixed point Q3.4 (2⁻ⁿ up to 2^m)"]
    assert list(fixed.y) == [2**-4, 2**-4] and fixed.x[-1] == 8.0
    rel = {t.name: t for t in spacing_figure(0.1, 3, 4, view="relative").data}["fp16 (IEEE half, E5M10)"]
    normal = np.asarray(rel.x) >= nf.float_info("fp16").min_normal
    assert np.all((np.asarray(rel.y)[normal] <= 2**-10 * (1 + 1e-12)) & (np.asarray(rel.y)[normal] >= 2**-11))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["bf16", "fp8_e4m3", "fp8_e5m2", "fp4_e2m1"]), st.floats(-1e4, 1e4, allow_nan=False))
def test_small_float_bits_match_a_plain_ml_dtypes_cast_in_range(fmt, x):
    dt = nf.FLOAT_FORMATS[fmt]
    if abs(x) > nf.float_info(fmt).max:
        return  # beyond the range the page saturates where a plain cast gives inf/NaN (tested above)
    ref = np.array([x], dtype=np.float32).astype(dt)
    bits = nf.float_info(fmt).bits
    assert nf.float_value(x, fmt).pattern == format(int(ref.view(np.uint8 if dt.itemsize == 1 else np.uint16)[0])
                                                    & ((1 << bits) - 1), f"0{bits}b")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([(3, 4), (0, 7), (7, 8), (0, 15), (4, 11)]), st.floats(-1e5, 1e5, allow_nan=False))
def test_fixed_wrap_is_numpy_integer_wraparound(mn, x):
    """Wrap-around = the rounded integer N = round(x·2ⁿ) kept modulo 2^W as a signed integer (NumPy's int8/int16)."""
    m, n = mn
    w = 1 + m + n
    v = nf.fixed_value(x, m, n, overflow="wrap")
    big = math.floor(x * 2**n + 0.5)  # nearest, halves up (as quantviz.quantize rounds)
    ref = int(np.array(big % 2**w, dtype=np.int64).astype({8: np.uint8, 16: np.uint16}[w]).view(
        {8: np.int8, 16: np.int16}[w]))
    assert v.integer == ref and v.stored == ref * 2.0**-n
