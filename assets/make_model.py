"""Train the digits MLP that the Weights page quantizes, and write
``assets/models/digits_mlp.npz``.

Run from the repository root (needs scikit-learn, a dev-only dependency, for
its bundled copy of the UCI 8×8 digits)::

    .venv/bin/python assets/make_model.py

Everything is seeded: the split (``random_state=0``), the initialisation, the
shuffles. The same NumPy/scikit-learn versions give the same file.

Splits (stratified): 30 % test (540 images), then 200 calibration images (for
static activation ranges) out of the rest, and 1057 for training.

Stored (``np.savez_compressed``, no pickled objects):
``W{i}``/``b{i}`` the float model (weights ``(out, in)`` float32);
``qat{b}_W{i}``/``qat{b}_b{i}`` the model fine-tuned with fake quantization
(symmetric per-channel b-bit weights, straight-through estimator) for b in
``qat_bits``; ``x_calib``/``x_test`` as uint8 pixels 0–16 and the labels;
``meta_*`` scalars (accuracies, settings, versions).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quantviz import nn  # noqa: E402
from quantviz.tensors import quantize_tensor  # noqa: E402

OUT = ROOT / "assets" / "models" / "digits_mlp.npz"
SIZES = (64, 128, 64, 10)
EPOCHS = 60
SEED = 0
QAT_BITS = (4, 2)
QAT_EPOCHS = 15
QAT_LR = 5e-4


def splits():
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = d.data.astype(np.uint8)  # pixel counts 0..16
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    x_tr, x_ca, y_tr, y_ca = train_test_split(x_tr, y_tr, test_size=200, random_state=0, stratify=y_tr)
    return (x_tr, y_tr), (x_ca, y_ca), (x_te, y_te), sklearn.__version__


def main():
    (x_tr, y_tr), (x_ca, y_ca), (x_te, y_te), skv = splits()
    f = lambda a: a.astype(np.float32) / 16.0  # noqa: E731
    model, hist = nn.train_mlp(f(x_tr), y_tr, SIZES, epochs=EPOCHS, seed=SEED)
    acc = nn.accuracy(model, f(x_te), y_te)
    print(f"float: test accuracy {acc:.4f}, final train loss {hist['loss'][-1]:.4f}")
    out = {
        "n_layers": np.array(len(model.weights)),
        "layer_names": np.array(model.names),
        "qat_bits": np.array(QAT_BITS),
        "x_calib": x_ca, "y_calib": y_ca.astype(np.uint8),
        "x_test": x_te, "y_test": y_te.astype(np.uint8),
        "meta_float_test_accuracy": np.array(acc),
        "meta_sizes": np.array(SIZES),
        "meta_epochs": np.array(EPOCHS),
        "meta_seed": np.array(SEED),
        "meta_n_train": np.array(len(y_tr)),
        "meta_numpy": np.array(np.__version__),
        "meta_sklearn": np.array(skv),
    }
    for i, (w, b) in enumerate(zip(model.weights, model.biases)):
        out[f"W{i}"], out[f"b{i}"] = w, b
    for bits in QAT_BITS:
        qm, _ = nn.train_mlp(f(x_tr), y_tr, SIZES, epochs=QAT_EPOCHS, lr=QAT_LR, seed=SEED + bits, init=model,
                             fake_quant_bits=bits)
        fq = lambda w, b=bits: quantize_tensor(w, b, True, "channel", axis=0)  # noqa: E731
        ptq = nn.accuracy(nn.quantize_weights(model, fq), f(x_te), y_te)
        qat = nn.accuracy(nn.quantize_weights(qm, fq), f(x_te), y_te)
        print(f"INT{bits} per-channel: PTQ {ptq:.4f}, QAT {qat:.4f}")
        out[f"meta_ptq{bits}_test_accuracy"] = np.array(ptq)
        out[f"meta_qat{bits}_test_accuracy"] = np.array(qat)
        for i, (w, b) in enumerate(zip(qm.weights, qm.biases)):
            out[f"qat{bits}_W{i}"], out[f"qat{bits}_b{i}"] = w, b
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
