"""Train the tiny character-level language model that the Weights page quantizes, and write
``assets/models/sonnets_char_mlp.npz``.

Run from the repository root (NumPy only)::

    .venv/bin/python assets/make_charlm.py

The text is Shakespeare's Sonnets (1609, public domain), ``assets/text/shakespeare_sonnets.txt``. The model
(``quantviz.nn``) sees the previous ``CONTEXT`` characters one-hot and predicts the next one: a
CONTEXT·V → HIDDEN → V ReLU MLP trained with Adam on the first 90 % of the text; the last 10 % (the final
sonnets) is held out for perplexity. Everything is seeded: the same NumPy version gives the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quantviz import nn  # noqa: E402

TEXT = ROOT / "assets" / "text" / "shakespeare_sonnets.txt"
OUT = ROOT / "assets" / "models" / "sonnets_char_mlp.npz"
CONTEXT = 6
HIDDEN = 128
EPOCHS = 12
SEED = 0
TEST_FRACTION = 0.1


def data():
    text = TEXT.read_text(encoding="utf-8")  # universal newlines: the file's CRLF become "\n"
    vocab = "".join(sorted(set(text)))
    codes = np.array([vocab.index(c) for c in text], dtype=np.int64)
    cut = int(round(len(codes) * (1 - TEST_FRACTION)))
    return vocab, codes[:cut], codes[cut - CONTEXT:]  # the test contexts start inside the training text


def main():
    vocab, train, test = data()
    v = len(vocab)
    x, y = nn.char_contexts(train, CONTEXT, v)
    xt, yt = nn.char_contexts(test, CONTEXT, v)
    model, hist = nn.train_mlp(x, y, (CONTEXT * v, HIDDEN, v), epochs=EPOCHS, lr=2e-3, batch_size=64, seed=SEED)
    ppl = nn.perplexity(model, xt, yt)
    counts = np.bincount(train, minlength=v) + 1.0
    unigram = float(np.exp(-np.mean(np.log(counts[yt] / counts.sum()))))
    print(f"test perplexity {ppl:.3f} per character (unigram {unigram:.2f}, V = {v}); train loss "
          f"{hist['loss'][-1]:.3f}")
    out = {"n_layers": np.array(len(model.weights)), "vocab": np.array([ord(c) for c in vocab], dtype=np.uint32),
           "context": np.array(CONTEXT), "test_codes": test.astype(np.uint8),
           "meta_test_perplexity": np.array(ppl), "meta_unigram_perplexity": np.array(unigram),
           "meta_epochs": np.array(EPOCHS), "meta_seed": np.array(SEED), "meta_n_train": np.array(len(y)),
           "meta_numpy": np.array(np.__version__)}
    for i, (w, b) in enumerate(zip(model.weights, model.biases)):
        out[f"W{i}"], out[f"b{i}"] = w, b
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
