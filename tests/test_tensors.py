"""Tests for quantviz.tensors (quantize_tensor, calibration, synthetic tensors, limits).

References: hand-checked vectors for the TFLite/NVIDIA conventions, an
independent per-slice loop for per-channel and per-group scales, Bennett's
Δ²/12 for fine quantizers, Shannon's D(R) = σ²2^(−2R) and Gish–Pierce's πe/6.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import quantviz as qv
from quantviz.tensors import (
    CALIBRATIONS,
    ecsq_mse,
    error_stats,
    gaussian_rate_distortion,
    gaussian_rd_sqnr_db,
    quantize_tensor,
    synthetic_tensor,
)


def test_symmetric_int8_hand_checked():
    w = np.array([-1.27, -0.5, 0.0, 0.004, 0.005, 0.006, 1.0])
    r = quantize_tensor(w, 8)
    assert r.scale == pytest.approx(0.01)  # amax / 127
    assert r.zero_point == 0
    np.testing.assert_array_equal(r.codes, [-127, -50, 0, 0, 0, 1, 100])  # 0.5 ties to even
    np.testing.assert_allclose(r.values, r.codes * 0.01, rtol=1e-6)
    assert (r.qmin, r.qmax) == (-127, 127)


def test_symmetric_int4_narrow_range():
    w = np.array([-3.5, 7.0, 0.49, 0.51])
    r = quantize_tensor(w, 4)
    assert r.scale == pytest.approx(1.0)  # 7 / (2^3 − 1)
    np.testing.assert_array_equal(r.codes, [-4, 7, 0, 1])  # −3.5 ties to even (−4)
    assert r.codes.min() >= -7


def test_asymmetric_hand_checked():
    # range [−1, 2]: s = 3/255, z = round(1/s) = round(85) = 85
    w = np.array([-1.0, 0.0, 0.3, 2.0])
    r = quantize_tensor(w, 8, symmetric=False)
    assert r.scale == pytest.approx(3 / 255)
    assert r.zero_point == 85
    np.testing.assert_array_equal(r.codes, [0, 85, 111, 255])
    assert r.values[1] == 0.0


def test_asymmetric_range_extended_to_zero():
    w = np.array([2.0, 3.0, 5.0])  # all positive: range becomes [0, 5]
    r = quantize_tensor(w, 4, symmetric=False)
    assert r.clip_lo == 0 and r.clip_hi == 5
    assert r.scale == pytest.approx(5 / 15) and r.zero_point == 0
    np.testing.assert_allclose(r.values, np.round(w * 3) / 3, rtol=1e-6)


def _loop_per_channel(w, bits, axis):
    out = np.empty_like(w, dtype=np.float64)
    qmax = 2 ** (bits - 1) - 1
    for i in range(w.shape[axis]):
        sl = [slice(None)] * w.ndim
        sl[axis] = i
        x = w[tuple(sl)]
        s = np.abs(x).max() / qmax
        out[tuple(sl)] = np.clip(np.rint(x / s), -qmax, qmax) * s
    return out


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_per_channel_matches_loop(axis):
    w = np.random.default_rng(0).standard_normal((6, 5, 4)) * np.arange(1, 6)[None, :, None]
    r = quantize_tensor(w, 4, granularity="channel", axis=axis)
    np.testing.assert_allclose(r.values, _loop_per_channel(w, 4, axis % 3), rtol=1e-6, atol=1e-7)
    expect = [1, 1, 1]
    expect[axis % 3] = w.shape[axis]
    assert r.scale.shape == tuple(expect)


def test_per_group_matches_loop():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 10))
    r = quantize_tensor(w, 3, granularity="group", axis=1, group_size=4)  # groups 4, 4, 2
    assert r.scale.shape == (3, 3)
    for i in range(3):
        for g, (a, b) in enumerate([(0, 4), (4, 8), (8, 10)]):
            x = w[i, a:b]
            s = np.abs(x).max() / 3
            assert r.scale[i, g] == pytest.approx(s)
            np.testing.assert_allclose(r.values[i, a:b], np.clip(np.rint(x / s), -3, 3) * s, rtol=1e-6)
    np.testing.assert_allclose(r.expand(r.scale)[0], np.repeat(r.scale[0], [4, 4, 2]))


def test_per_channel_beats_per_tensor_on_unequal_channels():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((16, 256)) * np.geomspace(0.01, 1, 16)[:, None]
    t = quantize_tensor(w, 4)
    c = quantize_tensor(w, 4, granularity="channel", axis=0)
    g = quantize_tensor(w, 4, granularity="group", axis=-1, group_size=32)
    mse = lambda r: np.mean((w - r.values) ** 2)  # noqa: E731
    # each channel's relative error, averaged: the small channels are lost per tensor
    rel = lambda r: np.mean(np.mean((w - r.values) ** 2, axis=1) / np.mean(w**2, axis=1))  # noqa: E731
    assert mse(c) < mse(t) and rel(c) < 0.1 * rel(t)
    assert mse(g) < mse(c)


def test_percentile_beats_minmax_with_outliers():
    rng = np.random.default_rng(3)
    w = rng.standard_normal(100_000)
    w[:5] = [12, -10, 15, 11, -14]  # 5 outliers in 100 000
    mm = quantize_tensor(w, 4)
    pc = quantize_tensor(w, 4, calibration="percentile", percentile=99.99)
    assert pc.scale < mm.scale / 2
    assert np.mean((w - pc.values) ** 2) < 0.2 * np.mean((w - mm.values) ** 2)
    # at 8 bits with huge outliers, the bulk (all but the outliers) gains most
    w[:5] = [80, -60, 90, 70, -100]
    mm, pc = quantize_tensor(w, 8), quantize_tensor(w, 8, calibration="percentile", percentile=99.99)
    bulk = lambda r: np.mean((w[5:] - r.values[5:]) ** 2)  # noqa: E731
    assert bulk(pc) < 0.01 * bulk(mm)


def test_mse_calibration_is_best_clip_on_grid():
    w = np.random.default_rng(4).laplace(size=20_000)
    r = quantize_tensor(w, 4, calibration="mse")
    best = np.mean((w - r.values) ** 2)
    amax = np.abs(w).max()
    for alpha in (0.2, 0.35, 0.5, 0.7, 1.0):  # an independent check of a few clips
        s = alpha * amax / 7
        v = np.clip(np.rint(w / s), -7, 7) * s
        assert best <= np.mean((w - v) ** 2) + 1e-12
    assert r.clip_hi < amax  # a Laplacian at 4 bits wants clipping


def test_kl_calibration_clips_heavy_tails():
    w = np.random.default_rng(5).standard_t(2, 50_000)
    r = quantize_tensor(w, 8, calibration="kl")
    assert r.clip_hi < 0.5 * np.abs(w).max()
    with pytest.raises(ValueError, match="kl"):
        quantize_tensor(w[:4096].reshape(64, 64), 8, granularity="channel", calibration="kl")


def test_fine_quantizer_mse_is_delta_squared_over_12():
    """Bennett: uniform input, 12 bits: MSE → Δ²/12 within 3 %."""
    w = np.random.default_rng(6).uniform(-1, 1, 200_000)
    r = quantize_tensor(w, 12)
    step = float(r.scale)
    assert np.mean((w - r.values) ** 2) == pytest.approx(step**2 / 12, rel=0.03)
    assert np.all(np.abs(w - r.values) <= step / 2 + 6e-8 * np.abs(w))  # values are float32


def test_stochastic_rounding_unbiased_and_seeded():
    w = np.full(200_000, 0.3)
    w[0] = 1.0  # scale 1/127: 0.3·127 = 38.1 → codes 38 or 39
    r = quantize_tensor(w, 8, stochastic=True, seed=1)
    assert set(np.unique(r.codes[1:])) == {38, 39}
    assert np.mean(r.values[1:]) == pytest.approx(0.3, abs=2e-4)
    np.testing.assert_array_equal(r.codes, quantize_tensor(w, 8, stochastic=True, seed=1).codes)


def test_bits_per_weight():
    w = np.zeros((64, 256))
    assert quantize_tensor(w, 8).bits_per_weight == pytest.approx(8 + 32 / w.size)
    assert quantize_tensor(w, 4, granularity="channel").bits_per_weight == pytest.approx(4 + 64 * 32 / w.size)
    g = quantize_tensor(w, 4, False, "group", axis=-1, group_size=128)
    assert g.bits_per_weight == pytest.approx(4 + (32 + 4) / 128)


def test_all_zero_tensor():
    for sym in (True, False):
        r = quantize_tensor(np.zeros((4, 4)), 4, symmetric=sym)
        assert np.all(r.values == 0) and np.all((r.codes - r.zero_point) == 0)


@pytest.mark.parametrize("kw", [dict(bits=1), dict(bits=17), dict(bits=4.5), dict(granularity="row"),
                                dict(calibration="entropy"), dict(percentile=0), dict(percentile=101),
                                dict(granularity="channel", axis=3), dict(granularity="group", group_size=0),
                                dict(symmetric="yes")])
def test_bad_arguments(kw):
    with pytest.raises(ValueError):
        quantize_tensor(np.ones((4, 4)), **kw)


@pytest.mark.parametrize("w", [[], [np.nan], [np.inf, 1.0], ["a"], [1 + 1j]])
def test_bad_input(w):
    with pytest.raises(ValueError):
        quantize_tensor(np.array(w))


# ---------------------------------------------------------------- properties

shapes = st.tuples(st.integers(1, 6), st.integers(1, 40))
elements = st.one_of(st.just(0.0), st.floats(1e-20, 1e6), st.floats(-1e6, -1e-20))  # float32-representable
arrays = hnp.arrays(np.float64, shapes, elements=elements)


@settings(max_examples=60, deadline=None)
@given(w=arrays, bits=st.integers(2, 8), sym=st.booleans(), gran=st.sampled_from(["tensor", "channel", "group"]),
       axis=st.sampled_from([0, 1, -1]), gs=st.integers(1, 16), cal=st.sampled_from(["minmax", "percentile", "mse"]))
def test_properties(w, bits, sym, gran, axis, gs, cal):
    r = quantize_tensor(w, bits, sym, gran, axis=axis, group_size=gs, calibration=cal, percentile=99.0)
    assert r.values.shape == w.shape and r.codes.shape == w.shape
    lo, hi = (-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1) if sym else (0, 2**bits - 1)
    assert r.codes.min() >= lo and r.codes.max() <= hi
    # reconstruction = s·(q − z) at every position
    np.testing.assert_allclose(r.values, (r.expand(r.scale) * (r.codes - r.expand(r.zero_point))).astype(np.float32),
                               rtol=1e-6, atol=1e-30)
    if not sym:
        # 0 is exact: the zero-point code reconstructs 0, and zeros in w map to it
        assert np.all(r.values[w == 0] == 0)
        assert np.all((r.zero_point >= 0) & (r.zero_point <= hi))
    if gran == "channel":
        n = w.shape[axis]
        assert r.scale.size == n and r.scale.shape[axis % 2] == n
    if gran == "group":
        assert r.scale.shape[axis % 2] == -(-w.shape[axis] // gs)
    if cal == "minmax":
        # inside its range, each value is within half a step of its reconstruction
        s = r.expand(r.scale)
        assert np.all(np.abs(w - r.values) <= 0.5 * s * (1 + 1e-9) + 1.2e-7 * np.abs(w))


# ---------------------------------------------------------------- synthetic tensors and limits


def test_synthetic_distributions():
    g = synthetic_tensor("gaussian", (400, 500), seed=1)
    lap = synthetic_tensor("laplacian", (400, 500), seed=1)
    t = synthetic_tensor("student_t", (400, 500), df=5, seed=1)
    for x in (g, lap, t):
        assert x.dtype == np.float32 and x.std() == pytest.approx(1.0, rel=0.03)
    kurt = lambda x: float(np.mean(x**4) / np.mean(x**2) ** 2)  # noqa: E731
    assert kurt(g) == pytest.approx(3, rel=0.03)
    assert kurt(lap) == pytest.approx(6, rel=0.1)
    np.testing.assert_array_equal(g, synthetic_tensor("gaussian", (400, 500), seed=1))


def test_llm_activations_have_outlier_channels():
    x = synthetic_tensor("llm_activations", (128, 512), n_outliers=6, seed=3)
    colmax = np.abs(x).max(axis=0)
    out = np.flatnonzero(colmax > 3.5)
    assert len(out) == 6
    assert np.all(np.abs(np.delete(x, out, axis=1)) <= 3.5)
    assert np.all((np.median(np.abs(x[:, out]), axis=0) > 5) & (np.median(np.abs(x[:, out]), axis=0) < 61))
    # per-tensor INT8 loses the bulk; per-channel (the LLM.int8() motivation) does not
    bulk = np.delete(np.arange(512), out)
    t = quantize_tensor(x, 8)
    c = quantize_tensor(x, 8, granularity="channel", axis=1)
    e_t = error_stats(x[:, bulk], t.values[:, bulk])["sqnr_db"]
    e_c = error_stats(x[:, bulk], c.values[:, bulk])["sqnr_db"]
    assert e_c > e_t + 10


def test_synthetic_bad_args():
    with pytest.raises(ValueError):
        synthetic_tensor("cauchy")
    with pytest.raises(ValueError):
        synthetic_tensor("llm_activations", (10,))
    with pytest.raises(ValueError):
        synthetic_tensor("gaussian", (0, 3))


def test_rate_distortion_functions():
    assert gaussian_rate_distortion(0) == 1.0
    assert gaussian_rate_distortion(4, 2.0) == pytest.approx(2.0 / 256)
    assert gaussian_rd_sqnr_db(1) == pytest.approx(6.0206, abs=1e-4)
    assert 10 * math.log10(ecsq_mse(3) / gaussian_rate_distortion(3)) == pytest.approx(1.5329, abs=1e-4)
    with pytest.raises(ValueError):
        gaussian_rate_distortion(-1)
    # a fine uniform quantizer on a Gaussian sits above the bound
    w = np.random.default_rng(0).standard_normal(100_000)
    r = quantize_tensor(w, 8)
    assert np.mean((w - r.values) ** 2) > gaussian_rate_distortion(8)


def test_error_stats():
    w = np.array([3.0, 4.0])
    v = np.array([3.0, 3.0])
    s = error_stats(w, v)
    assert s["mse"] == 0.5 and s["max_error"] == 1.0
    assert s["rel_rmse"] == pytest.approx(math.sqrt(0.5 / 12.5))
    assert s["sqnr_db"] == pytest.approx(10 * math.log10(25 / 1))
    assert s["cosine"] == pytest.approx(21 / (5 * math.sqrt(18)))
    with pytest.raises(ValueError):
        error_stats(w, v[:1])


def test_public_names():
    assert qv.quantize_tensor is quantize_tensor
    assert set(CALIBRATIONS) >= {"minmax", "percentile", "mse"}


def test_ecsq_gaussian_exact_curve():
    """Entropy-coded uniform quantizer of N(0, 1): D → Δ²/12 and R → h(X) − log2 Δ at small Δ (the 1.53 dB gap),
    1 level when Δ is huge (R = 0, D = σ²), and against a Monte Carlo run."""
    from quantviz.tensors import ecsq_gaussian

    r, d = ecsq_gaussian([0.01])
    assert d[0] == pytest.approx(0.01 ** 2 / 12, rel=1e-3)
    assert r[0] == pytest.approx(0.5 * np.log2(2 * np.pi * np.e) - np.log2(0.01), abs=1e-3)
    gap = 20 * np.log10(2) * r[0] - 10 * np.log10(1 / d[0])
    assert gap == pytest.approx(10 * np.log10(np.pi * np.e / 6), abs=0.01)
    r, d = ecsq_gaussian([100.0])
    assert r[0] == pytest.approx(0.0, abs=1e-12) and d[0] == pytest.approx(1.0, rel=1e-9)
    x = np.random.default_rng(0).standard_normal(2_000_000)
    q = np.round(x / 0.7)
    _, counts = np.unique(q, return_counts=True)
    p = counts / x.size
    r, d = ecsq_gaussian([0.7])
    assert r[0] == pytest.approx(-np.sum(p * np.log2(p)), abs=0.003)
    assert d[0] == pytest.approx(np.mean((x - 0.7 * q) ** 2), rel=0.005)
    with pytest.raises(ValueError):
        ecsq_gaussian([0.0])
