"""Tests for quantviz.formats.

References, all independent of the code under test:
* llama.cpp's own Python quantizers (``gguf.quants``, gguf 0.19.0) for q8_0,
  q4_0, q4_1, q5_0 and MXFP4: values must be identical, bit for bit;
* ml_dtypes' casts for the float formats;
* bitsandbytes' NF4 table typed in here from the QLoRA paper / kernels.cu,
  and re-derived from normal quantiles with SciPy (create_normal_map's recipe);
* hand-checked blocks for NVFP4 (NVIDIA's recipe written out with Python floats).
"""

import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import norm

import quantviz as qv
from quantviz.formats import E2M1_VALUES, FORMATS, NF4_CODEBOOK, cast_float, quantize_format

gguf = pytest.importorskip("gguf")
from gguf import GGMLQuantizationType as T  # noqa: E402
from gguf import quants  # noqa: E402

GGUF_TYPES = {"q8_0": T.Q8_0, "q4_0": T.Q4_0, "q4_1": T.Q4_1, "q5_0": T.Q5_0, "mxfp4": T.MXFP4}


def gguf_roundtrip(w, fmt):
    t = GGUF_TYPES[fmt]
    return quants.dequantize(quants.quantize(np.asarray(w, np.float32), t), t)


def _tensors():
    rng = np.random.default_rng(7)
    yield rng.standard_normal((32, 128)).astype(np.float32)
    yield (rng.standard_t(2.5, (8, 256)) * 0.02).astype(np.float32)  # heavy tails, LLM-weight scale
    yield rng.laplace(0, 3, (4, 96)).astype(np.float32)
    yield rng.integers(-20, 21, (6, 64)).astype(np.float32)  # exact ties for the rounding rules
    yield np.zeros((2, 32), np.float32)
    z = rng.standard_normal((3, 64)).astype(np.float32)
    z[0, :32] = 0  # an all-zero block beside a normal one
    z[1, 5], z[1, 9] = 3.0, -3.0  # +max and −max in one block (tie in the signed max)
    z[2, 40], z[2, 33] = -2.5, 2.5
    yield z
    yield (rng.standard_normal((2, 64)) * 1e4).astype(np.float32)


@pytest.mark.parametrize("fmt", sorted(GGUF_TYPES))
def test_block_formats_match_llama_cpp_bit_for_bit(fmt):
    for w in _tensors():
        r = quantize_format(w, fmt)
        ref = gguf_roundtrip(w, fmt)
        assert r.values.dtype == np.float32 and r.values.shape == w.shape
        np.testing.assert_array_equal(r.values.view(np.uint32) & 0x7FFFFFFF, ref.view(np.uint32) & 0x7FFFFFFF)


@settings(max_examples=40, deadline=None)
@given(
    w=hnp.arrays(np.float32, st.tuples(st.integers(1, 3), st.sampled_from([32, 64])),
                 elements=st.floats(-1e3, 1e3, width=32)),
    fmt=st.sampled_from(sorted(GGUF_TYPES)),
)
def test_block_formats_match_llama_cpp_property(w, fmt):
    np.testing.assert_array_equal(quantize_format(w, fmt).values, gguf_roundtrip(w, fmt))


@pytest.mark.parametrize("fmt,bpw", [("q8_0", 8.5), ("q4_0", 4.5), ("q4_1", 5.0), ("q5_0", 5.5), ("mxfp4", 4.25),
                                     ("nf4", 4.5), ("fp16", 16), ("bf16", 16), ("fp8_e4m3", 8), ("fp8_e5m2", 8)])
def test_bits_per_weight_published(fmt, bpw):
    w = np.random.default_rng(0).standard_normal((4, 256))
    assert quantize_format(w, fmt).bits_per_weight == bpw


@pytest.mark.parametrize("fmt", ["q8_0", "q4_0", "q4_1", "q5_0", "mxfp4"])
def test_bits_per_weight_is_gguf_storage(fmt):
    """Stored bytes of llama.cpp's own encoding × 8 / N."""
    w = np.random.default_rng(1).standard_normal((8, 128)).astype(np.float32)
    nbytes = quants.quantize(w, GGUF_TYPES[fmt]).nbytes
    assert quantize_format(w, fmt).bits_per_weight == nbytes * 8 / w.size


def test_nvfp4_and_small_formats_bits():
    w = np.random.default_rng(0).standard_normal((4, 64))
    assert quantize_format(w, "nvfp4").bits_per_weight == pytest.approx(4.5 + 32 / 256)
    assert quantize_format(w, "ternary").bits_per_weight == pytest.approx((math.ceil(256 / 5) * 8 + 32) / 256)
    assert quantize_format(w, "binary").bits_per_weight == pytest.approx(1 + 32 / 256)
    r = quantize_format(np.random.default_rng(0).standard_normal((64, 1024)), "nf4_dq")
    # 4 bits + an 8-bit absmax per 64 + an FP32 scale per 256 blocks + one FP32 mean
    assert r.bits_per_weight == pytest.approx(4 + 8 / 64 + 32 / (64 * 256) + 32 / (64 * 1024))


def test_q4_0_hand_checked_block():
    # signed max −8 → d = −8/−8 = 1; q = trunc(x/1 + 8.5) clipped to 15; value = d·(q − 8)
    x = np.array([-8, -7.5, -0.5, 0, 0.49, 0.5, 1.5, 7, 7.9] + [0] * 23, np.float32)
    r = quantize_format(x, "q4_0")
    np.testing.assert_array_equal(r.codes[:9], [0, 1, 8, 8, 8, 9, 10, 15, 15])
    np.testing.assert_array_equal(r.values[:9], [-8, -7, 0, 0, 0, 1, 2, 7, 7])
    assert r.scales.shape == (1,) and r.scales[0] == 1.0 and r.zero_code == 8


def test_q8_0_rounds_half_away_from_zero():
    x = np.zeros(32, np.float32)
    x[0] = 127.0  # d = 1
    x[1:5] = [0.5, -0.5, 2.5, -2.5]
    r = quantize_format(x, "q8_0")
    np.testing.assert_array_equal(r.codes[:5], [127, 1, -1, 3, -3])


def test_codes_and_scales_reconstruct_values():
    w = np.random.default_rng(3).standard_normal((5, 96)).astype(np.float32)
    for fmt in ("q8_0", "q4_0", "q5_0"):
        r = quantize_format(w, fmt)
        d = np.repeat(r.scales, r.block_size, axis=-1)[..., :96]
        np.testing.assert_array_equal(r.values, d * (r.codes.astype(np.float32) - r.zero_code))
    r = quantize_format(w, "q4_1")
    d = np.repeat(r.scales, 32, axis=-1)
    m = np.repeat(r.mins, 32, axis=-1)
    np.testing.assert_array_equal(r.values, d * r.codes.astype(np.float32) + m)
    for fmt in ("mxfp4", "nf4"):
        r = quantize_format(w, fmt)
        s = np.repeat(r.scales, r.block_size, axis=-1)[..., :96]
        np.testing.assert_array_equal(r.values, r.codebook[r.codes] * s)


def test_partial_block_equals_standalone_block():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 70)).astype(np.float32)  # 2 full blocks + 6 values
    for fmt in ("q4_0", "q4_1", "q8_0", "mxfp4", "nf4"):
        r = quantize_format(w, fmt)
        tail = quantize_format(w[:, 64:], fmt)
        np.testing.assert_array_equal(r.values[:, 64:], tail.values)
        np.testing.assert_array_equal(r.values[:, :64], quantize_format(w[:, :64], fmt).values)
        assert r.scales.shape == (3, -(-70 // FORMATS[fmt].block_size))


# ---------------------------------------------------------------- float casts

ML = {"fp16": np.float16, "bf16": ml_dtypes.bfloat16, "fp8_e4m3": ml_dtypes.float8_e4m3fn,
      "fp8_e5m2": ml_dtypes.float8_e5m2, "fp4_e2m1": ml_dtypes.float4_e2m1fn}
MAXIMA = {"fp16": 65504.0, "bf16": 3.3895313892515355e38, "fp8_e4m3": 448.0, "fp8_e5m2": 57344.0, "fp4_e2m1": 6.0}


@pytest.mark.parametrize("fmt", sorted(ML))
def test_cast_float_matches_ml_dtypes_in_range(fmt):
    rng = np.random.default_rng(11)
    m = MAXIMA[fmt]
    x = np.concatenate([rng.uniform(-m, m, 5000), rng.standard_normal(5000) * m / 100,
                        rng.standard_normal(1000) * 1e-3]).astype(np.float32)
    out = cast_float(x, fmt)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, x.astype(ML[fmt]).astype(np.float32))


@pytest.mark.parametrize("fmt", sorted(ML))
def test_cast_float_saturates(fmt):
    m = MAXIMA[fmt]
    big = np.array([min(m * 1.5, 3.4e38), -min(m * 1.5, 3.4e38), np.inf, -np.inf, 3e38, -3e38], np.float32)
    expect = np.array([m, -m, m, -m, min(m, 3e38) if fmt != "bf16" else 3e38, -(min(m, 3e38)) if fmt != "bf16"
                       else -3e38], np.float32)
    if fmt == "bf16":
        expect[4:] = np.array([3e38, -3e38], np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)
    np.testing.assert_array_equal(cast_float(big, fmt), expect)
    assert np.isfinite(cast_float(big, fmt)).all()


def test_cast_float_round_half_even_hand_checked():
    # E2M1 grid 0, .5, 1, 1.5, 2, 3, 4, 6: ties 0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4
    x = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, -5.0, 5.01]
    np.testing.assert_array_equal(cast_float(x, "fp4_e2m1"), [0, 1, 1, 2, 2, 4, 4, -4, 6])
    # FP8 E4M3 around 1: spacing 1/8, 1 + 1/16 is a tie → 1 (even), 1 + 3/16 → 1.25
    np.testing.assert_array_equal(cast_float([1 + 1 / 16, 1 + 3 / 16, 464.0, 470.0], "fp8_e4m3"),
                                  [1.0, 1.25, 448.0, 448.0])
    # bf16: 8 significant bits: 257 is a tie between 256 and 258 → 256
    np.testing.assert_array_equal(cast_float([257.0, 259.0], "bf16"), [256.0, 260.0])


def test_cast_float_bad_input():
    with pytest.raises(ValueError, match="fmt"):
        cast_float([1.0], "fp6")
    with pytest.raises(ValueError, match="NaN"):
        cast_float([np.nan], "fp16")
    with pytest.raises(ValueError):
        cast_float(["a"], "fp16")
    with pytest.raises(ValueError, match="empty"):
        cast_float([], "bf16")


@pytest.mark.parametrize("fmt", ["fp16", "bf16", "fp8_e4m3", "fp8_e5m2"])
def test_quantize_format_casts(fmt):
    w = np.random.default_rng(2).standard_normal((16, 16)) * 10
    r = quantize_format(w, fmt)
    np.testing.assert_array_equal(r.values, cast_float(w, fmt))
    # codes are the bit patterns
    np.testing.assert_array_equal(r.codes.view(ML[fmt]).astype(np.float32), r.values)


# ---------------------------------------------------------------- NF4

NF4_PUBLISHED = [  # QLoRA (Dettmers et al. 2023) / bitsandbytes csrc/kernels.cu nf4_dequantization_lut
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
]


def test_nf4_codebook_is_published_table():
    np.testing.assert_array_equal(NF4_CODEBOOK, np.array(NF4_PUBLISHED, np.float32))
    assert qv.NF4_CODEBOOK is NF4_CODEBOOK


def test_nf4_codebook_from_normal_quantiles():
    """bitsandbytes' create_normal_map(offset=0.9677083): Φ⁻¹ at even steps, scaled to max 1."""
    offset = 0.9677083
    pos = norm.ppf(np.linspace(offset, 0.5, 9, dtype=np.float32)[:-1])
    neg = -norm.ppf(np.linspace(offset, 0.5, 8, dtype=np.float32)[:-1])
    v = np.sort(np.concatenate([pos, [0.0], neg]))
    v /= v.max()
    np.testing.assert_allclose(NF4_CODEBOOK, v, atol=2e-7)


def test_nf4_is_nearest_codebook_value():
    rng = np.random.default_rng(4)
    w = rng.standard_normal((8, 128)).astype(np.float32)
    r = quantize_format(w, "nf4")
    blocks = w.reshape(-1, 64)
    absmax = np.abs(blocks).max(axis=1, keepdims=True)
    x = blocks / absmax
    nearest = np.abs(x[..., None] - NF4_CODEBOOK).argmin(axis=-1)
    np.testing.assert_array_equal(r.codes.reshape(-1, 64), nearest)
    np.testing.assert_allclose(r.values.reshape(-1, 64), NF4_CODEBOOK[nearest] * absmax, rtol=1e-6)
    np.testing.assert_array_equal(r.scales.reshape(-1), absmax.ravel())
    # the block maximum is exact (code ±1 · absmax), and 0 is exact
    assert np.all(np.max(np.abs(r.values.reshape(-1, 64)), axis=1) == absmax.ravel())
    assert quantize_format(np.zeros(64), "nf4").values.tolist() == [0.0] * 64


def test_nf4_double_quant_close_to_nf4():
    w = np.random.default_rng(0).standard_normal((64, 1024)).astype(np.float32)
    a = quantize_format(w, "nf4")
    b = quantize_format(w, "nf4_dq")
    ma, mb = np.mean((w - a.values) ** 2), np.mean((w - b.values) ** 2)
    assert mb < 1.02 * ma and b.bits_per_weight < a.bits_per_weight - 0.3


# ---------------------------------------------------------------- MXFP4 / NVFP4


def test_mxfp4_scale_is_power_of_two_ocp_rule():
    rng = np.random.default_rng(8)
    w = rng.standard_normal((4, 64)).astype(np.float32)
    r = quantize_format(w, "mxfp4")
    amax = np.abs(w.reshape(-1, 32)).max(axis=1)
    np.testing.assert_array_equal(r.scales.ravel(), 2.0 ** (np.floor(np.log2(amax)) - 2))
    assert set(np.unique(r.values.ravel() / np.repeat(r.scales.ravel(), 32))) <= set(E2M1_VALUES.tolist())


def _nvfp4_by_hand(w):
    """NVIDIA's recipe with Python floats and ml_dtypes casts."""
    w = np.asarray(w, np.float32)
    g = np.float32(np.abs(w).max()) / np.float32(6 * 448)
    out = np.empty_like(w)
    for i in range(0, w.size, 16):
        blk = w[i:i + 16]
        s = float(np.float32(np.abs(blk).max() / (np.float32(6) * g)).astype(ml_dtypes.float8_e4m3fn))
        eff = np.float32(s) * g
        q = np.clip(blk / eff, -6, 6).astype(ml_dtypes.float4_e2m1fn).astype(np.float32)
        out[i:i + 16] = (q * np.float32(s)) * g
    return out


def test_nvfp4_matches_recipe():
    rng = np.random.default_rng(9)
    w = (rng.standard_t(3, 256) * 0.05).astype(np.float32)
    r = quantize_format(w, "nvfp4")
    np.testing.assert_array_equal(r.values, _nvfp4_by_hand(w))
    assert r.tensor_scale == pytest.approx(float(np.abs(w).max()) / (6 * 448), rel=1e-6)
    # block scales are E4M3 values
    np.testing.assert_array_equal(r.scales, r.scales.astype(ml_dtypes.float8_e4m3fn).astype(np.float32))


def test_block_formats_error_bounded():
    """q8_0: |error| ≤ d/2 + FP16 scale rounding; NF4/MXFP4 keep the block's largest magnitude."""
    w = np.random.default_rng(10).standard_normal((16, 256)).astype(np.float32)
    r = quantize_format(w, "q8_0")
    d = np.repeat(r.scales, 32, axis=-1)
    assert np.all(np.abs(w - r.values) <= d * 0.5 + np.abs(w) * 2e-3)


def test_rate_distortion_order_on_gaussian():
    """More bits per weight, less error; no format beats the Shannon bound D(R) = 2^(−2R)."""
    w = np.random.default_rng(12).standard_normal((256, 256)).astype(np.float32)
    res = {f: quantize_format(w, f) for f in ("q8_0", "q5_0", "q4_1", "q4_0", "nf4", "mxfp4", "ternary")}
    mse = {f: float(np.mean((w - r.values) ** 2)) for f, r in res.items()}
    assert mse["q8_0"] < mse["q5_0"] < mse["q4_0"] < mse["ternary"]
    for f, r in res.items():
        assert mse[f] > qv.gaussian_rate_distortion(r.bits_per_weight, float(np.var(w)))


def test_ternary_and_binary():
    w = np.array([[0.9, -0.1, 0.4, -2.0]], np.float32)
    g = np.mean(np.abs(w))  # 0.85
    t = quantize_format(w, "ternary")
    np.testing.assert_array_equal(t.codes, [[1, 0, 0, -1]])
    np.testing.assert_allclose(t.values, [[g, 0, 0, -g]], rtol=1e-6)
    b = quantize_format(w, "binary")
    np.testing.assert_allclose(b.values, [[g, -g, g, -g]], rtol=1e-6)


@pytest.mark.parametrize("bad", [np.array([]), np.array([np.nan, 1.0]), np.array(["x"]), np.array([1 + 2j])])
def test_quantize_format_bad_input(bad):
    with pytest.raises(ValueError):
        quantize_format(bad, "q4_0")


def test_quantize_format_bad_fmt():
    with pytest.raises(ValueError, match="fmt"):
        quantize_format(np.ones(32), "q3_k")
    with pytest.raises(ValueError, match="finite"):
        quantize_format(np.array([1e39, 1.0], np.float64), "q4_0")
