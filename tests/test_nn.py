"""Tests for quantviz.nn: the shipped digits MLP, quantized inference, training.

References: accuracy floors the issue sets (float ≥ 97 %, INT8 per-channel
within 1 point of float), the held-out split rebuilt with scikit-learn (the
shipped test split must be the images scikit-learn ships, none of them in the
training set), a plain NumPy forward pass written out here, and central finite
differences for the training gradients.
"""

import numpy as np
import pytest

from quantviz import nn
from quantviz.formats import quantize_format
from quantviz.tensors import quantize_tensor


@pytest.fixture(scope="module")
def model():
    return nn.load_digits_model()


def test_shipped_model_shape_and_splits(model):
    assert model.mlp.sizes == (64, 128, 64, 10)
    assert model.x_test.shape == (540, 64) and model.y_test.shape == (540,)
    assert model.x_calib.shape == (200, 64)
    assert model.x_test.min() >= 0 and model.x_test.max() <= 1
    assert sorted(model.qat) == [2, 4]
    assert not model.mlp.weights[0].flags.writeable


def test_float_accuracy_floor(model):
    acc = nn.accuracy(model.mlp, model.x_test, model.y_test)
    assert acc >= 0.97
    assert acc == pytest.approx(model.meta["float_test_accuracy"])


def test_forward_matches_plain_numpy(model):
    x = model.x_test[:50]
    h = x.astype(np.float64)
    for i, (w, b) in enumerate(zip(model.mlp.weights, model.mlp.biases)):
        h = h @ w.T.astype(np.float64) + b
        if i < 2:
            h = np.maximum(h, 0)
    np.testing.assert_allclose(nn.forward(model.mlp, x), h, rtol=1e-4, atol=1e-4)


def test_int8_per_channel_within_one_point(model):
    f = nn.accuracy(model.mlp, model.x_test, model.y_test)
    q = nn.quantize_weights(model.mlp, lambda w: quantize_tensor(w, 8, granularity="channel", axis=0))
    assert nn.accuracy(q, model.x_test, model.y_test) >= f - 0.01


@pytest.mark.parametrize("fmt", ["q8_0", "q4_0", "nf4", "mxfp4", "nvfp4"])
def test_block_formats_keep_accuracy(model, fmt):
    q = nn.quantize_weights(model.mlp, lambda w: quantize_format(w, fmt))
    assert nn.accuracy(q, model.x_test, model.y_test) >= 0.95


def test_two_bits_hurts_and_qat_recovers(model):
    fq = lambda w: quantize_tensor(w, 2, granularity="channel", axis=0)  # noqa: E731
    ptq = nn.accuracy(nn.quantize_weights(model.mlp, fq), model.x_test, model.y_test)
    qat = nn.accuracy(nn.quantize_weights(model.qat[2], fq), model.x_test, model.y_test)
    assert ptq < 0.9 and qat > ptq + 0.2


def test_activation_quantization(model):
    ranges = nn.calibrate_activations(model.mlp, model.x_calib)
    assert len(ranges) == 3 and ranges[0] == (0.0, 1.0)
    assert all(lo >= 0 for lo, _ in ranges)  # ReLU outputs and pixels
    f = nn.accuracy(model.mlp, model.x_test, model.y_test)
    for mode in ("static", "dynamic"):
        a8 = nn.accuracy(model.mlp, model.x_test, model.y_test, act_bits=8, act_ranges=ranges, act_mode=mode)
        assert a8 >= f - 0.01
    a2 = nn.accuracy(model.mlp, model.x_test, model.y_test, act_bits=2, act_ranges=ranges)
    assert a2 < f
    # static quantization uses the calibrated grid: inputs on it are unchanged
    lo, hi = ranges[1]
    grid = np.linspace(0, hi, 256)[None, :]
    np.testing.assert_allclose(nn.quantize_activations(grid, 8, lo, hi), grid, atol=1e-6 * hi)


def test_activation_args(model):
    with pytest.raises(ValueError, match="act_ranges"):
        nn.forward(model.mlp, model.x_test[:2], act_bits=8)
    with pytest.raises(ValueError, match="act_bits"):
        nn.forward(model.mlp, model.x_test[:2], act_bits=1, act_mode="dynamic")
    with pytest.raises(ValueError, match="x must be"):
        nn.forward(model.mlp, np.zeros((2, 10)))
    with pytest.raises(ValueError):
        model.mlp.with_weights(model.mlp.weights[:2])


def test_test_split_is_held_out():
    """The shipped test images are scikit-learn's digits, and none is in the training split."""
    sk = pytest.importorskip("sklearn.datasets")
    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location(
        "make_model", pathlib.Path(__file__).resolve().parent.parent / "assets" / "make_model.py")
    mm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mm)
    (x_tr, _), (x_ca, y_ca), (x_te, y_te), _ = mm.splits()
    model = nn.load_digits_model()
    np.testing.assert_array_equal(model.x_test * 16, x_te)
    np.testing.assert_array_equal(model.y_calib, y_ca)
    train_rows = {r.tobytes() for r in x_tr}
    assert len(sk.load_digits().target) == len(x_tr) + len(x_ca) + len(x_te)
    assert np.mean([r.tobytes() in train_rows for r in x_te]) < 0.02  # only pixel-identical duplicates


def test_short_training_learns():
    """A few seeded epochs on scikit-learn's digits: accuracy far above chance, reproducible."""
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    x = (d.data / 16).astype(np.float32)
    y = d.target
    x_tr, y_tr, x_va, y_va = x[:1200], y[:1200], x[1200:], y[1200:]
    m1, h1 = nn.train_mlp(x_tr, y_tr, (64, 32, 10), epochs=5, seed=3, x_val=x_va, y_val=y_va)
    m2, _ = nn.train_mlp(x_tr, y_tr, (64, 32, 10), epochs=5, seed=3)
    assert h1["loss"][-1] < 0.5 * h1["loss"][0]
    assert h1["val_acc"][-1] > 0.85
    for a, b in zip(m1.weights, m2.weights):
        np.testing.assert_array_equal(a, b)


def test_training_gradient_matches_finite_differences():
    """One plain SGD-like step direction: Adam's first step moves each weight by −lr·sign(grad)."""
    rng = np.random.default_rng(0)
    x = rng.random((8, 6)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    init = nn.init_mlp((6, 5, 3), seed=1)
    lr = 1e-4
    m, _ = nn.train_mlp(x, y, (6, 5, 3), epochs=1, lr=lr, batch_size=8, weight_decay=0.0, init=init)

    def loss(ws):
        h = x.astype(np.float64)
        h = np.maximum(h @ ws[0].T + init.biases[0], 0)
        z = h @ ws[1].T + init.biases[1]
        z -= z.max(1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(8), y]))

    ws = [w.astype(np.float64) for w in init.weights]
    for layer in (0, 1):
        for idx in [(0, 0), (1, 2), (2, 1)]:
            e = 1e-6
            wp = [w.copy() for w in ws]
            wm = [w.copy() for w in ws]
            wp[layer][idx] += e
            wm[layer][idx] -= e
            g = (loss(wp) - loss(wm)) / (2 * e)
            step = float(m.weights[layer][idx]) - float(init.weights[layer][idx])
            if abs(g) > 1e-4:
                assert np.sign(step) == -np.sign(g)
                assert abs(step) == pytest.approx(lr, rel=0.05)
