"""Engine pieces of the Weights page beyond quantize_tensor / quantize_format (issue #14):
outliers in a product (LLM.int8(), SmoothQuant), accumulation in a low-precision format, NF4 at any block size,
one-layer-at-a-time sensitivity, mixed precision and its Pareto front, and a short quantization-aware training run."""

import math

import ml_dtypes
import numpy as np
import pytest

from quantviz import formats as F
from quantviz import nn
from quantviz import outliers as O
from quantviz import tensors as T


@pytest.fixture(scope="module")
def model():
    return nn.load_digits_model()


@pytest.fixture(scope="module")
def xw():
    x = T.synthetic_tensor("llm_activations", (256, 256), seed=0).astype(np.float64)
    w = np.random.default_rng(1).standard_normal((256, 256)) / 16
    return x, w


# ---- outliers ------------------------------------------------------------------------------------------------


def test_smoothquant_scales_hand_checked():
    x = np.array([[1.0, -8.0], [0.5, 2.0]])
    w = np.array([[2.0, -0.5], [0.25, 0.125]])
    # max|X_j| = (1, 8); max|W_j| (row j) = (2, 0.25)
    np.testing.assert_allclose(O.smoothquant_scales(x, w, 0.5), [math.sqrt(1 / 2), math.sqrt(8 / 0.25)])
    np.testing.assert_allclose(O.smoothquant_scales(x, w, 1.0), [1.0, 8.0])
    np.testing.assert_allclose(O.smoothquant_scales(x, w, 0.0), [1 / 2, 1 / 0.25])
    # the migration is exact before rounding: (X / s)(s W) = X W
    s = O.smoothquant_scales(x, w, 0.5)
    np.testing.assert_allclose((x / s) @ (s[:, None] * w), x @ w, atol=1e-12)


def test_smoothquant_balances_the_two_maxima(xw):
    """At α = 0.5 the smoothed activations' and weights' per-feature maxima are equal (the paper's point)."""
    x, w = xw
    s = O.smoothquant_scales(x, w, 0.5)
    np.testing.assert_allclose(np.abs(x / s).max(axis=0), np.abs(w * s[:, None]).max(axis=1), rtol=1e-12)


def test_llm_int8_threshold_picks_the_outlier_columns(xw):
    x, w = xw
    r = O.llm_int8_matmul(x, w, threshold=6.0)
    expected = np.abs(x).max(axis=0) >= 6.0
    np.testing.assert_array_equal(r.outliers, expected)
    assert 1 <= r.outliers.sum() <= 6  # the synthetic tensor has 6 outlier channels, bulk clipped at ±3.5


def test_llm_int8_without_outliers_is_vectorwise_int8(xw):
    x, w = xw
    a = O.llm_int8_matmul(x, w, threshold=1e9)
    b = O.int8_matmul(x, w, vectorwise=True)
    assert not a.outliers.any()
    np.testing.assert_array_equal(a.values, b.values)


def test_llm_int8_all_outliers_is_the_fp16_product():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((8, 5)) * 10, rng.standard_normal((5, 3))
    r = O.llm_int8_matmul(x, w, threshold=1e-9)
    ref = x.astype(np.float16).astype(np.float64) @ w.astype(np.float16).astype(np.float64)
    np.testing.assert_allclose(r.values, ref, rtol=1e-12)


def test_int8_per_tensor_hand_checked():
    x = np.array([[1.0, -2.0], [0.5, 127.0]])
    w = np.eye(2)
    r = O.int8_matmul(x, w)
    # per-tensor step = 127/127 = 1: x rounds to [[1, -2], [0 (half to even), 127]]; W's columns are exact
    np.testing.assert_array_equal(r.values, [[1.0, -2.0], [0.0, 127.0]])
    assert r.x_step == 1.0


def test_remedies_beat_per_tensor_int8_on_outliers(xw):
    x, w = xw
    res = O.compare_matmul(x, w)
    base = res["int8_tensor"].sqnr_db
    assert res["llm_int8"].sqnr_db > base + 15
    assert res["smoothquant"].sqnr_db > base + 8
    # the bulk's grid: per-tensor's step is set by the outliers, ~17x LLM.int8()'s per-row step
    assert res["int8_tensor"].x_step > 10 * res["llm_int8"].x_step


def test_product_sqnr_definition():
    y = np.array([3.0, 4.0])
    assert O.product_sqnr_db(y, y) == math.inf
    assert O.product_sqnr_db(y, y + [0.0, 0.5]) == pytest.approx(10 * math.log10(25 / 0.25))


@pytest.mark.parametrize("bad", [dict(x=np.zeros((2, 3)), w=np.zeros((2, 3))), dict(x=np.zeros(3), w=np.zeros((3, 1))),
                                 dict(x=np.full((2, 2), np.nan), w=np.eye(2))])
def test_outliers_bad_shapes(bad):
    with pytest.raises(ValueError):
        O.int8_matmul(bad["x"], bad["w"])


def test_outliers_bad_args(xw):
    x, w = xw
    with pytest.raises(ValueError, match="alpha"):
        O.smoothquant_matmul(x, w, alpha=1.5)
    with pytest.raises(ValueError, match="threshold"):
        O.llm_int8_matmul(x, w, threshold=-1)
    with pytest.raises(ValueError, match="bits"):
        O.int8_matmul(x, w, bits=1)


# ---- accumulation --------------------------------------------------------------------------------------------


def test_bf16_sum_of_10000_uniforms_is_256_as_ml_dtypes_readme():
    """ml_dtypes' README ("Quirks of low-precision arithmetic"): seed 0, 10,000 uniforms, bfloat16 sum = 256."""
    vals = np.random.default_rng(seed=0).uniform(size=10000)
    assert F.accumulate(vals, "bf16")[-1] == 256.0
    assert float(vals.astype(ml_dtypes.bfloat16).sum()) == 256.0  # the README's own call agrees
    f32 = F.accumulate(vals, "fp32")[-1]
    assert abs(f32 - vals.sum()) < 0.05 and 4900 < f32 < 5100
    assert F.accumulate(vals, "fp16")[-1] == 2048.0  # 11 significand bits: spacing 2 from 2048


def test_accumulate_matches_a_scalar_loop():
    """Each partial sum rounded to the format, one addition at a time (an ml_dtypes scalar loop as reference)."""
    vals = np.random.default_rng(3).uniform(-1, 3, size=500)
    for fmt, dt in (("bf16", ml_dtypes.bfloat16), ("fp16", np.float16), ("fp8_e4m3", ml_dtypes.float8_e4m3fn)):
        s = dt(0)
        ref = []
        for v in vals:
            s = dt(float(s) + float(dt(np.float32(v))))  # exact sum of two short floats, then one rounding
            ref.append(float(s))
        np.testing.assert_array_equal(F.accumulate(vals, fmt), ref)


def test_accumulate_bad_input():
    with pytest.raises(ValueError):
        F.accumulate(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        F.accumulate([1.0], "fp7")


# ---- NF4 at any block size -----------------------------------------------------------------------------------


def test_nf4_blocks_64_is_the_nf4_format_on_a_flat_tensor():
    w = np.random.default_rng(4).standard_normal(1000).astype(np.float32)
    a, b = F.quantize_nf4_blocks(w, 64), F.quantize_format(w, "nf4")
    np.testing.assert_array_equal(a.values, b.values)
    assert a.bits_per_weight == b.bits_per_weight


@pytest.mark.parametrize("bs", [32, 128, 4096])
def test_nf4_blocks_nearest_codebook_value_and_bits(bs):
    w = T.synthetic_tensor("student_t", (64, 128), seed=1)
    r = F.quantize_nf4_blocks(w, bs)
    assert r.values.shape == w.shape
    flat = w.ravel().astype(np.float64)
    absmax = np.abs(flat.reshape(-1, bs)).max(axis=1).repeat(bs)
    ref = F.NF4_CODEBOOK[np.argmin(np.abs(flat[:, None] / absmax[:, None] - F.NF4_CODEBOOK[None, :]), axis=1)]
    np.testing.assert_allclose(r.values.ravel(), ref * absmax, rtol=1e-6, atol=1e-7)
    assert r.bits_per_weight == 4 + 32 / bs


def test_affine_int4_beats_nf4_at_block_32_and_nf4_wins_at_large_blocks():
    """bitsandbytes issue #2086's finding on Gaussian data, and NF4's advantage where one absmax spans many values."""
    w = T.synthetic_tensor("gaussian", (256, 256), seed=0).reshape(1, -1)
    sq = lambda r: T.error_stats(w, np.reshape(r.values, w.shape))["sqnr_db"]  # noqa: E731
    nf4 = {bs: sq(F.quantize_nf4_blocks(w, bs)) for bs in (32, 4096)}
    int4 = {bs: sq(T.quantize_tensor(w, 4, False, "group", axis=-1, group_size=bs)) for bs in (32, 4096)}
    assert int4[32] > nf4[32]
    assert nf4[4096] > int4[4096] + 1


def test_nf4_blocks_bad_block():
    with pytest.raises(ValueError):
        F.quantize_nf4_blocks(np.ones(8), 1)


# ---- sensitivity, mixed precision, Pareto ------------------------------------------------------------------


def test_layer_sensitivity_is_one_layer_at_a_time(model):
    sens = nn.layer_sensitivity(model.mlp, model.x_test, model.y_test, 2)
    assert len(sens) == 3
    for i, s in enumerate(sens):
        ws = list(model.mlp.weights)
        ws[i] = nn.per_channel_quantizer(ws[i], 2).values
        assert s == nn.accuracy(model.mlp.with_weights(ws), model.x_test, model.y_test)
    full = nn.accuracy(nn.quantize_weights(model.mlp, lambda w: nn.per_channel_quantizer(w, 2)),
                       model.x_test, model.y_test)
    assert min(sens) > full  # one layer at 2 bits hurts less than all three


def test_promote_most_sensitive():
    assert nn.promote_most_sensitive([0.9, 0.5, 0.7], 1) == (1,)
    assert nn.promote_most_sensitive([0.9, 0.5, 0.7], 2) == (1, 2)
    assert nn.promote_most_sensitive([0.9, 0.5, 0.7], 0) == ()
    with pytest.raises(ValueError):
        nn.promote_most_sensitive([0.9], 2)


def test_pareto_front_hand_checked():
    sizes = [1, 2, 2, 3, 4]
    accs = [0.5, 0.7, 0.6, 0.7, 0.9]
    np.testing.assert_array_equal(nn.pareto_front(sizes, accs), [True, True, False, False, True])


def test_mixed_precision_sweep(model):
    pts = nn.mixed_precision_sweep(model.mlp, model.x_test, model.y_test, (2, 8))
    assert len(pts) == 8
    by = {p["bits"]: p for p in pts}
    n = sum(w.size for w in model.mlp.weights)
    # bytes: every code bit plus a 32-bit scale per output row
    expect = sum((b * w.size + 32 * w.shape[0]) for b, w in zip((2, 8, 2), model.mlp.weights)) / 8
    assert by[2, 8, 2]["bytes"] == expect and by[2, 8, 2]["bpw"] == pytest.approx(8 * expect / n)
    f = nn.accuracy(model.mlp, model.x_test, model.y_test)
    assert by[8, 8, 8]["acc"] >= f - 0.01
    assert by[2, 2, 2]["acc"] < by[8, 8, 8]["acc"]


# ---- quantization-aware training -------------------------------------------------------------------------------


def test_short_qat_recovers_two_bit_accuracy(model):
    """Two epochs of fake-quantized INT2 fine-tuning (straight-through estimator) from the shipped float model
    recover much of what post-training INT2 loses, on the held-out test split."""
    pytest.importorskip("sklearn")
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location(
        "make_model", pathlib.Path(__file__).resolve().parent.parent / "assets" / "make_model.py")
    mm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mm)
    (x_tr, y_tr), _, _, _ = mm.splits()
    fq = lambda w: nn.per_channel_quantizer(w, 2)  # noqa: E731
    ptq = nn.accuracy(nn.quantize_weights(model.mlp, fq), model.x_test, model.y_test)
    qm, _ = nn.train_mlp(x_tr / 16.0, y_tr, (64, 128, 64, 10), epochs=2, lr=5e-4, seed=2, init=model.mlp,
                         fake_quant_bits=2)
    qat = nn.accuracy(nn.quantize_weights(qm, fq), model.x_test, model.y_test)
    assert qat > ptq + 0.15, (ptq, qat)


# ---- llama.cpp reference table ---------------------------------------------------------------------------------


def test_llama_reference_table_matches_its_source():
    from quantviz.tensor_io import load_llama_reference

    rows = load_llama_reference()
    by = {(r["quant"], r["imatrix"]): r for r in rows}
    # values as published in llama.cpp tools/perplexity/README.md (LLaMA 3 8b scoreboard)
    assert by["q4_0", "None"]["ppl"] == 6.700147 and by["q4_0", "None"]["size_gib"] == 4.34
    assert by["f16", "None"]["ppl"] == 6.233160 and by["q2_K", "None"]["kld"] == 0.445132
    # derived bits per weight against llama.cpp's quantize README (Llama-3.1-8B, same shapes): Q4_K_M 4.8944, F16 16.0005
    assert by["q4_K_M", "None"]["bpw"] == pytest.approx(4.8944, abs=0.011)
    assert by["f16", "None"]["bpw"] == pytest.approx(16.0005, abs=0.02)
    # q4_0 stores 4.5 bits per weight; the file keeps output.weight (128256 x 4096) at Q6_K (6.5625)
    assert by["q4_0", "None"]["bpw"] == pytest.approx(4.5 + 2.0625 * 128256 * 4096 / 8_030_261_248, abs=0.011)
    for r in rows:  # Δppl = ppl − ppl(FP16 logits) to the table's rounding
        assert r["delta_ppl"] == pytest.approx(r["ppl"] - 6.2316, abs=0.0025)


# ---- properties -----------------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 50), st.floats(0, 1)), min_size=1, max_size=30))
def test_pareto_front_property(points):
    """No front point is dominated; every other point is dominated by some front point."""
    s = np.array([p[0] for p in points], float)
    a = np.array([p[1] for p in points], float)
    f = nn.pareto_front(s, a)
    dom = lambda i, j: s[j] <= s[i] and a[j] >= a[i] and (s[j] < s[i] or a[j] > a[i])  # noqa: E731  j beats i
    for i in range(len(s)):
        beaten = any(dom(i, j) for j in range(len(s)))
        assert f[i] == (not beaten)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (6, 5), elements=st.floats(-50, 50)), arrays(np.float64, (5, 4), elements=st.floats(-2, 2)),
       st.floats(0, 1))
def test_smoothquant_never_changes_the_float_product(x, w, alpha):
    s = O.smoothquant_scales(x, w, alpha)
    assert np.all(s > 0)
    np.testing.assert_allclose((x / s) @ (s[:, None] * w), x @ w, rtol=1e-9, atol=1e-9)


def test_smoothquant_with_a_subnormal_weight_maximum_stays_finite():
    """Found by the property above on CI: max|W_j| = 2.2e-311 at α = 0 gave s_j = inf and a NaN product."""
    x, w = np.ones((6, 5)), np.full((5, 4), 2.22507386e-311)
    s = O.smoothquant_scales(x, w, 0.0)
    assert np.all(np.isfinite(s)) and np.all(s > 0)
    np.testing.assert_allclose((x / s) @ (s[:, None] * w), x @ w, rtol=1e-9, atol=1e-9)
    assert np.all(np.isfinite(O.smoothquant_matmul(x, w, 0.0).values))


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 300), elements=st.floats(0, 4)))
def test_accumulate_of_non_negative_values_never_decreases(v):
    for fmt in ("bf16", "fp16", "fp32"):
        s = F.accumulate(v, fmt)
        assert np.all(np.diff(s) >= 0)
    # recursive summation's bound (Higham 2002, eq. 4.4), the float32 rounding of the inputs included: n·u·Σ|x|
    assert abs(F.accumulate(v, "fp32")[-1] - v.sum()) <= v.size * 2.0 ** -24 * v.sum() + 1e-30


# ---- the character-level language model ---------------------------------------------------------------------


def test_char_contexts_hand_checked():
    x, y = nn.char_contexts([0, 2, 1, 2], 2, 3)
    np.testing.assert_array_equal(y, [1, 2])
    np.testing.assert_array_equal(x, [[1, 0, 0, 0, 0, 1], [0, 0, 1, 0, 1, 0]])
    with pytest.raises(ValueError):
        nn.char_contexts([0, 5], 1, 3)


def test_perplexity_of_uniform_logits_is_the_vocabulary_size():
    m = nn.MLP((np.zeros((7, 4), np.float32),), (np.zeros(7, np.float32),))
    assert nn.perplexity(m, np.ones((5, 4)), [0, 1, 2, 3, 6]) == pytest.approx(7.0)
    # a confident right answer: p = e^3 / (e^3 + 6)
    m2 = nn.MLP((np.zeros((7, 4), np.float32),), (np.array([3, 0, 0, 0, 0, 0, 0], np.float32),))
    assert nn.perplexity(m2, np.ones((1, 4)), [0]) == pytest.approx((np.e ** 3 + 6) / np.e ** 3)


def test_shipped_char_model():
    m = nn.load_char_model()
    assert len(m.vocab) == 61 and m.context == 6
    f = nn.perplexity(m.mlp, m.x_test, m.y_test)
    assert f == pytest.approx(m.meta["test_perplexity"], rel=1e-6)
    assert f < m.meta["unigram_perplexity"] / 3  # far better than letter frequencies (22.5)
    q8 = nn.quantize_weights(m.mlp, lambda w: nn.per_channel_quantizer(w, 8))
    assert nn.perplexity(q8, m.x_test, m.y_test) < 1.01 * f
    q3 = nn.quantize_weights(m.mlp, lambda w: nn.per_channel_quantizer(w, 3))
    assert nn.perplexity(q3, m.x_test, m.y_test) > 1.2 * f


def _make_charlm():
    """The character model's training script (assets/make_charlm.py), imported as a module."""
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location(
        "make_charlm", pathlib.Path(__file__).resolve().parent.parent / "assets" / "make_charlm.py")
    mc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mc)
    return mc


def test_the_char_test_split_is_the_texts_end():
    """The held-out contexts are the last 10 % of the shipped text (read again here), never trained on."""
    mc = _make_charlm()
    vocab, train, test = mc.data()
    m = nn.load_char_model()
    assert vocab == m.vocab
    x, y = nn.char_contexts(test, m.context, len(vocab))
    np.testing.assert_array_equal(y, m.y_test)
    assert len(train) + len(y) == len(mc.TEXT.read_text(encoding="utf-8"))


def test_short_char_training_learns():
    mc = _make_charlm()
    vocab, train, test = mc.data()
    x, y = nn.char_contexts(train[:8000], 4, len(vocab))
    xt, yt = nn.char_contexts(test, 4, len(vocab))
    m, hist = nn.train_mlp(x, y, (4 * len(vocab), 32, len(vocab)), epochs=2, lr=3e-3, batch_size=64, seed=1)
    assert hist["loss"][-1] < hist["loss"][0]
    assert nn.perplexity(m, xt, yt) < 18  # below letter frequencies (22.5) after 2 epochs on 8,000 characters
