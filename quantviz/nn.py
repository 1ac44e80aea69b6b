"""A small multilayer perceptron in NumPy: training, inference, quantized inference.

The project's model is a 64 → 128 → 64 → 10 ReLU MLP trained by
``assets/make_model.py`` on the 8×8 handwritten digits (UCI, as shipped by
scikit-learn). ``assets/models/digits_mlp.npz`` holds its weights and the
held-out calibration and test splits, so the app never needs scikit-learn:
:func:`load_digits_model` reads it.

Conventions
-----------
* Weights are PyTorch-style ``(out, in)`` float32 arrays, a layer computes
  y = x·Wᵀ + b, so the last axis of W is the input-feature axis (the axis
  llama.cpp's blocks and per-group scales run along) and axis 0 the output
  channel (the per-channel axis).
* Inputs are the digit images flattened to 64 pixels and divided by 16, so in
  [0, 1].
* Quantized inference ("fake quantization", as a simulator does): the weights
  are replaced by their reconstruction (any ``quantize_tensor`` or
  ``quantize_format`` result's ``values``), and optionally each layer's input
  activations by an affine b-bit quantization of them. ``"static"`` ranges are
  calibrated once on the calibration split (:func:`calibrate_activations`);
  ``"dynamic"`` ranges are each sample's own min and max at run time.
  Accumulation and biases stay in float32.

References
----------
.. [1] D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization",
   ICLR 2015.
.. [2] K. He et al., "Delving Deep into Rectifiers", ICCV 2015 (He
   initialisation).
.. [3] Y. Bengio, N. Léonard, A. Courville, "Estimating or Propagating
   Gradients Through Stochastic Neurons", arXiv:1308.3432, 2013
   (straight-through estimator, used for quantization-aware training).
.. [4] E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits",
   UCI Machine Learning Repository, 1998.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from quantviz.tensors import _apply, _grid, quantize_tensor

__all__ = [
    "MLP",
    "DigitsModel",
    "MODEL_PATH",
    "ACT_MODES",
    "init_mlp",
    "forward",
    "predict",
    "accuracy",
    "calibrate_activations",
    "quantize_activations",
    "quantize_weights",
    "train_mlp",
    "load_digits_model",
    "per_channel_quantizer",
    "layer_sensitivity",
    "mixed_precision_sweep",
    "pareto_front",
    "promote_most_sensitive",
    "CHAR_MODEL_PATH",
    "CharModel",
    "char_contexts",
    "perplexity",
    "load_char_model",
]

MODEL_PATH = Path(__file__).resolve().parent.parent / "assets" / "models" / "digits_mlp.npz"
CHAR_MODEL_PATH = Path(__file__).resolve().parent.parent / "assets" / "models" / "sonnets_char_mlp.npz"
ACT_MODES = ("static", "dynamic")


@dataclass(frozen=True, eq=False)
class MLP:
    """Weights ``(out, in)`` and biases of a ReLU MLP (ReLU after every layer but the last)."""

    weights: tuple
    biases: tuple
    names: tuple = ()

    def __post_init__(self):
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("weights and biases must be non-empty and of equal length")
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            if np.ndim(w) != 2 or np.ndim(b) != 1 or np.shape(w)[0] != np.shape(b)[0]:
                raise ValueError(f"layer {i}: weight must be (out, in) and bias (out,); got "
                                 f"{np.shape(w)} and {np.shape(b)}")
            if i and np.shape(w)[1] != np.shape(self.weights[i - 1])[0]:
                raise ValueError(f"layer {i}: input size {np.shape(w)[1]} != previous output "
                                 f"{np.shape(self.weights[i - 1])[0]}")
        if not self.names:
            object.__setattr__(self, "names", tuple(f"fc{i + 1}" for i in range(len(self.weights))))

    @property
    def sizes(self) -> tuple:
        return (self.weights[0].shape[1],) + tuple(w.shape[0] for w in self.weights)

    @property
    def n_params(self) -> int:
        return int(sum(w.size + b.size for w, b in zip(self.weights, self.biases)))

    def with_weights(self, weights) -> "MLP":
        """The same network with other weights (e.g. quantized ones), shapes checked."""
        weights = tuple(np.asarray(w, dtype=np.float32) for w in weights)
        if len(weights) != len(self.weights) or any(a.shape != b.shape for a, b in zip(weights, self.weights)):
            raise ValueError("weights must match the model's layer shapes "
                             f"{[w.shape for w in self.weights]}")
        return replace(self, weights=weights)


@dataclass(frozen=True, eq=False)
class DigitsModel:
    """The shipped digits model with its held-out splits (pixels / 16 in [0, 1])."""

    mlp: MLP
    x_calib: np.ndarray
    y_calib: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    qat: dict = field(default_factory=dict)  # bits -> MLP fine-tuned with fake quantization
    meta: dict = field(default_factory=dict)


def init_mlp(sizes=(64, 128, 64, 10), seed: int = 0) -> MLP:
    """He-normal weights (std √(2/fan_in)) and zero biases [2]."""
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer widths; got {sizes}")
    rng = np.random.default_rng(seed)
    ws = tuple((rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(np.float32)
               for i, o in zip(sizes[:-1], sizes[1:]))
    bs = tuple(np.zeros(o, np.float32) for o in sizes[1:])
    return MLP(ws, bs)


def _check_x(model: MLP, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != model.sizes[0]:
        raise ValueError(f"x must be (n, {model.sizes[0]}); got {x.shape}")
    return x


def quantize_activations(x, bits: int, lo=None, hi=None) -> np.ndarray:
    """Affine b-bit quantization of activations on [lo, hi] (widened to contain 0).

    With ``lo``/``hi`` given (static), out-of-range values saturate. With
    ``lo = hi = None`` (dynamic) each row (sample, or token) uses its own min
    and max.
    """
    x = np.asarray(x, dtype=np.float64)
    if lo is None or hi is None:
        lo = x.min(axis=-1, keepdims=True)
        hi = x.max(axis=-1, keepdims=True)
    scale, zp, qmin, qmax = _grid(np.asarray(lo, float), np.asarray(hi, float), int(bits), False)
    return _apply(x, scale, zp, qmin, qmax)[1].astype(np.float32)


def forward(model: MLP, x, *, act_bits: int | None = None, act_ranges=None, act_mode: str = "static",
            return_activations: bool = False):
    """Logits of ``model`` on ``x`` (n, 64), optionally with quantized layer inputs.

    Parameters
    ----------
    act_bits : int or None
        Quantize every layer's input to this many bits (affine); None = float.
    act_ranges : sequence of (lo, hi), one per layer
        Static ranges, from :func:`calibrate_activations` (needed when
        ``act_mode="static"``).
    act_mode : {"static", "dynamic"}
    return_activations : bool
        Also return the float inputs each layer saw (for calibration).
    """
    x = _check_x(model, x)
    if act_bits is not None:
        if isinstance(act_bits, bool) or not isinstance(act_bits, (int, np.integer)) or not 2 <= act_bits <= 16:
            raise ValueError(f"act_bits must be an integer in [2, 16] or None; got {act_bits!r}")
        if act_mode not in ACT_MODES:
            raise ValueError(f"act_mode must be one of {ACT_MODES}; got {act_mode!r}")
        if act_mode == "static" and (act_ranges is None or len(act_ranges) != len(model.weights)):
            raise ValueError("act_mode='static' needs act_ranges, one (lo, hi) per layer "
                             "(see calibrate_activations)")
    seen = []
    h = x
    last = len(model.weights) - 1
    for i, (w, b) in enumerate(zip(model.weights, model.biases)):
        if return_activations:
            seen.append(h)
        if act_bits is not None:
            lo, hi = act_ranges[i] if act_mode == "static" else (None, None)
            h = quantize_activations(h, act_bits, lo, hi)
        h = h @ np.asarray(w, np.float32).T + b
        if i < last:
            h = np.maximum(h, 0)
    return (h, seen) if return_activations else h


def predict(model: MLP, x, **kw) -> np.ndarray:
    """Class index of each row (argmax of the logits)."""
    return np.argmax(forward(model, x, **kw), axis=1)


def accuracy(model: MLP, x, y, **kw) -> float:
    """Fraction of rows of ``x`` whose prediction equals ``y``."""
    y = np.asarray(y)
    return float(np.mean(predict(model, x, **kw) == y))


def calibrate_activations(model: MLP, x, method: str = "minmax", percentile: float = 99.99) -> tuple:
    """Static (lo, hi) of every layer's input on calibration data ``x``.

    ``"minmax"``: the observed min and max; ``"percentile"``: the
    (100 − p)-th and p-th percentiles (clips rare spikes).
    """
    if method not in ("minmax", "percentile"):
        raise ValueError(f"method must be 'minmax' or 'percentile'; got {method!r}")
    _, seen = forward(model, x, return_activations=True)
    out = []
    for h in seen:
        if method == "minmax":
            out.append((float(h.min()), float(h.max())))
        else:
            out.append((float(np.percentile(h, 100 - percentile)), float(np.percentile(h, percentile))))
    return tuple(out)


def quantize_weights(model: MLP, fn: Callable[[np.ndarray], object], layers=None) -> MLP:
    """The model with the weights of ``layers`` (default all) replaced by ``fn(w)``.

    ``fn`` returns an array or any result with ``.values`` (``quantize_tensor``,
    ``quantize_format``). Biases stay in float32.
    """
    idx = range(len(model.weights)) if layers is None else layers
    ws = list(model.weights)
    for i in idx:
        r = fn(ws[i])
        ws[i] = np.asarray(getattr(r, "values", r), dtype=np.float32)
    return model.with_weights(ws)


def _fake_quant_channel(w: np.ndarray, bits: int) -> np.ndarray:
    return quantize_tensor(w, bits, True, "channel", axis=0).values


def train_mlp(x, y, sizes=(64, 128, 64, 10), *, epochs: int = 60, lr: float = 2e-3, batch_size: int = 32,
              weight_decay: float = 1e-4, seed: int = 0, init: MLP | None = None,
              fake_quant_bits: int | None = None, augment: bool = False, x_val=None, y_val=None):
    """Train a ReLU MLP with softmax cross-entropy and Adam [1], in NumPy.

    Parameters
    ----------
    x, y : arrays (n, 64) float in [0, 1] and (n,) int labels
    sizes : layer widths, input first
    epochs, lr, batch_size, weight_decay, seed
        Adam (β = 0.9, 0.999), decoupled weight decay on the weights, lr
        decayed by a cosine over the epochs; ``seed`` fixes the initialisation,
        the shuffles and the augmentation: two runs give identical weights.
    init : MLP, optional
        Start from these weights (fine-tuning) instead of :func:`init_mlp`.
    fake_quant_bits : int, optional
        Quantization-aware training: the forward pass uses each weight's
        symmetric per-channel b-bit reconstruction, and the gradient passes
        to the float weights unchanged (straight-through estimator [3]).
    augment : bool
        Shift each training image by −1, 0 or +1 pixel in each direction (8×8
        images only).
    x_val, y_val : optional held-out data whose accuracy is recorded per epoch.

    Returns
    -------
    model : MLP (float32 weights; with ``fake_quant_bits`` the float shadow
        weights, to be quantized the same way for inference)
    history : dict of lists ``loss``, ``train_acc``, ``val_acc``
    """
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.int64)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be (n, features) and y (n,); got {x.shape} and {y.shape}")
    rng = np.random.default_rng(seed)
    model = init if init is not None else init_mlp(sizes, seed)
    ws = [w.astype(np.float64) for w in model.weights]
    bs = [b.astype(np.float64) for b in model.biases]
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0
    n = x.shape[0]
    n_classes = ws[-1].shape[0]
    hist = {"loss": [], "train_acc": [], "val_acc": []}
    side = int(round(np.sqrt(x.shape[1])))
    can_shift = augment and side * side == x.shape[1]
    for ep in range(epochs):
        lr_ep = lr * 0.5 * (1 + np.cos(np.pi * ep / max(epochs, 1)))
        order = rng.permutation(n)
        xe = x
        if can_shift:
            imgs = x.reshape(n, side, side)
            sh = rng.integers(-1, 2, (n, 2))
            xe = np.empty_like(imgs)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    sel = (sh[:, 0] == dy) & (sh[:, 1] == dx)
                    if sel.any():
                        xe[sel] = _shift(imgs[sel], dy, dx)
            xe = xe.reshape(n, -1)
        tot_loss, correct = 0.0, 0
        for s in range(0, n, batch_size):
            idx = order[s: s + batch_size]
            xb, yb = xe[idx].astype(np.float64), y[idx]
            wf = [_fake_quant_channel(w, fake_quant_bits).astype(np.float64) if fake_quant_bits else w for w in ws]
            acts = [xb]
            h = xb
            for i in range(len(wf)):
                h = h @ wf[i].T + bs[i]
                if i < len(wf) - 1:
                    h = np.maximum(h, 0)
                acts.append(h)
            z = h - h.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            tot_loss += float(-np.log(p[np.arange(len(yb)), yb] + 1e-12).sum())
            correct += int((p.argmax(1) == yb).sum())
            g = p
            g[np.arange(len(yb)), yb] -= 1
            g /= len(yb)
            gw = [None] * len(ws)
            gb = [None] * len(ws)
            for i in range(len(ws) - 1, -1, -1):
                gw[i] = g.T @ acts[i]
                gb[i] = g.sum(axis=0)
                if i:
                    g = (g @ wf[i]) * (acts[i] > 0)
            step += 1
            grads = gw + gb
            for k, (pk, gk) in enumerate(zip(params, grads)):
                m[k] = b1 * m[k] + (1 - b1) * gk
                v[k] = b2 * v[k] + (1 - b2) * gk * gk
                mh = m[k] / (1 - b1**step)
                vh = v[k] / (1 - b2**step)
                pk -= lr_ep * mh / (np.sqrt(vh) + eps)
                if k < len(ws):
                    pk -= lr_ep * weight_decay * pk
        hist["loss"].append(tot_loss / n)
        hist["train_acc"].append(correct / n)
        cur = MLP(tuple(w.astype(np.float32) for w in ws), tuple(b.astype(np.float32) for b in bs), model.names)
        if x_val is not None:
            ev = quantize_weights(cur, lambda w: _fake_quant_channel(w, fake_quant_bits)) if fake_quant_bits else cur
            hist["val_acc"].append(accuracy(ev, x_val, y_val))
    out = MLP(tuple(w.astype(np.float32) for w in ws), tuple(b.astype(np.float32) for b in bs), model.names)
    return out, hist


def _shift(imgs: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Shift (n, h, w) images by (dy, dx) pixels, filling with 0."""
    out = np.zeros_like(imgs)
    h, w = imgs.shape[1:]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[:, yd, xd] = imgs[:, ys, xs]
    return out


def per_channel_quantizer(w: np.ndarray, bits: int):
    """The default weight quantizer of the sensitivity tools: symmetric min–max INT b, a scale per output row."""
    return quantize_tensor(w, bits, True, "channel", axis=0)


def _bits_of(r, w) -> float:
    return float(getattr(r, "bits_per_weight", 32.0)) * w.size


def layer_sensitivity(model: MLP, x, y, bits: int, quantizer=per_channel_quantizer, **kw) -> list[float]:
    """Accuracy with one layer at a time quantized to ``bits`` (the others float), one value per layer.

    The layer whose accuracy falls most is the most sensitive: give it more bits
    first (HAWQ-style mixed precision uses a Hessian trace for the same ranking;
    this measures the task metric directly, which a 3-layer model can afford).
    """
    return [accuracy(quantize_weights(model, lambda w: quantizer(w, bits), layers=[i]), x, y, **kw)
            for i in range(len(model.weights))]


def promote_most_sensitive(sensitivity, k: int) -> tuple:
    """Indices of the ``k`` layers with the lowest one-at-a-time accuracy (ties: the earlier layer)."""
    order = sorted(range(len(sensitivity)), key=lambda i: (sensitivity[i], i))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= len(order):
        raise ValueError(f"k must be an integer in [0, {len(order)}]; got {k!r}")
    return tuple(sorted(order[:k]))


def mixed_precision_sweep(model: MLP, x, y, bit_choices=(2, 3, 4, 8), quantizer=per_channel_quantizer,
                          **kw) -> list[dict]:
    """Every assignment of a bit width from ``bit_choices`` to each layer: its size and its accuracy.

    Returns one dict per assignment: ``bits`` (tuple, one per layer), ``bytes``
    (weights only, every stored bit incl. scales / 8), ``bpw`` (bits per weight
    of the whole model) and ``acc`` (test accuracy). len = len(bit_choices)^L.
    """
    choices = tuple(int(b) for b in bit_choices)
    if not choices:
        raise ValueError("bit_choices must not be empty")
    layers = range(len(model.weights))
    q = {(i, b): quantizer(model.weights[i], b) for i in layers for b in choices}
    n = sum(w.size for w in model.weights)
    out = []
    for combo in np.ndindex(*(len(choices),) * len(model.weights)):
        bits = tuple(choices[c] for c in combo)
        ws = [np.asarray(q[i, b].values, np.float32) for i, b in zip(layers, bits)]
        stored = sum(_bits_of(q[i, b], model.weights[i]) for i, b in zip(layers, bits))
        out.append({"bits": bits, "bytes": stored / 8, "bpw": stored / n,
                    "acc": accuracy(model.with_weights(ws), x, y, **kw)})
    return out


def pareto_front(sizes, scores) -> np.ndarray:
    """Boolean mask of the points no other point beats: smaller-or-equal size and higher-or-equal score,
    one of them strictly."""
    s = np.asarray(sizes, dtype=np.float64)
    a = np.asarray(scores, dtype=np.float64)
    if s.shape != a.shape or s.ndim != 1:
        raise ValueError("sizes and scores must be 1-D arrays of equal length")
    dominated = ((s[None, :] <= s[:, None]) & (a[None, :] >= a[:, None])
                 & ((s[None, :] < s[:, None]) | (a[None, :] > a[:, None]))).any(axis=1)
    return ~dominated


@lru_cache(maxsize=2)
def _load(path: str) -> DigitsModel:
    with np.load(path, allow_pickle=False) as z:
        n_layers = int(z["n_layers"])
        names = tuple(str(s) for s in z["layer_names"])
        mlp = MLP(tuple(z[f"W{i}"] for i in range(n_layers)), tuple(z[f"b{i}"] for i in range(n_layers)), names)
        qat = {}
        for bits in (int(b) for b in z["qat_bits"]):
            qat[bits] = MLP(tuple(z[f"qat{bits}_W{i}"] for i in range(n_layers)),
                            tuple(z[f"qat{bits}_b{i}"] for i in range(n_layers)), names)
        meta = {k[5:]: z[k].item() if z[k].ndim == 0 else z[k] for k in z.files if k.startswith("meta_")}
        arrays = {}
        for k in ("x_calib", "y_calib", "x_test", "y_test"):
            a = z[k]
            if k.startswith("x"):
                a = (a.astype(np.float32) / 16.0)
            else:
                a = a.astype(np.int64)
            a.flags.writeable = False
            arrays[k] = a
    for net in (mlp, *qat.values()):
        for a in (*net.weights, *net.biases):
            a.flags.writeable = False
    return DigitsModel(mlp=mlp, qat=qat, meta=meta, **arrays)


def load_digits_model(path=None) -> DigitsModel:
    """Load the shipped digits MLP and its calibration/test splits (cached, read-only arrays)."""
    p = Path(path) if path is not None else MODEL_PATH
    if not p.is_file():
        raise ValueError(f"model file not found: {p} (run assets/make_model.py)")
    return _load(str(p))


# ---- a tiny character-level language model ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CharModel:
    """The shipped character-level MLP: the previous ``context`` characters (one-hot) → the next one.

    ``vocab`` is the string of its characters (index = class); ``x_test``/``y_test`` the held-out contexts
    and next characters (the last 10 % of the text, never trained on).
    """

    mlp: MLP
    vocab: str
    context: int
    x_test: np.ndarray
    y_test: np.ndarray
    meta: dict = field(default_factory=dict)


def char_contexts(codes, context: int, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, context·V) one-hot rows of the ``context`` characters before each position, and the next character.

    ``codes``: the text as integer codes 0…V−1. Row i holds codes[i : i + context] one-hot, its target is
    codes[i + context].
    """
    c = np.asarray(codes, dtype=np.int64)
    if c.ndim != 1 or c.size <= context or context < 1:
        raise ValueError(f"codes must be 1-D and longer than context={context}")
    if c.min() < 0 or c.max() >= vocab_size:
        raise ValueError("codes must lie in [0, vocab_size)")
    n = c.size - context
    idx = np.arange(n)[:, None] + np.arange(context)[None, :]
    x = np.zeros((n, context * vocab_size), dtype=np.float32)
    x[np.arange(n)[:, None], np.arange(context)[None, :] * vocab_size + c[idx]] = 1.0
    return x, c[context:]


def perplexity(model: MLP, x, y, **kw) -> float:
    """exp(mean cross-entropy) of the model's softmax on the true next symbols, in the same units as the
    vocabulary: a model that spreads its probability evenly over V symbols scores V."""
    z = np.asarray(forward(model, x, **kw), dtype=np.float64)
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    y = np.asarray(y, dtype=np.int64)
    return float(np.exp(-np.mean(logp[np.arange(y.size), y])))


@lru_cache(maxsize=1)
def _load_char(path: str) -> CharModel:
    with np.load(path, allow_pickle=False) as z:
        n_layers = int(z["n_layers"])
        mlp = MLP(tuple(z[f"W{i}"] for i in range(n_layers)), tuple(z[f"b{i}"] for i in range(n_layers)))
        vocab = "".join(chr(int(c)) for c in z["vocab"])
        context = int(z["context"])
        test_codes = z["test_codes"].astype(np.int64)
        meta = {k[5:]: z[k].item() for k in z.files if k.startswith("meta_")}
    x, y = char_contexts(test_codes, context, len(vocab))
    for a in (x, y, *mlp.weights, *mlp.biases):
        a.flags.writeable = False
    return CharModel(mlp=mlp, vocab=vocab, context=context, x_test=x, y_test=y, meta=meta)


def load_char_model(path=None) -> CharModel:
    """Load the shipped character-level MLP (``assets/make_charlm.py``) and its held-out text (cached)."""
    p = Path(path) if path is not None else CHAR_MODEL_PATH
    if not p.is_file():
        raise ValueError(f"model file not found: {p} (run assets/make_charlm.py)")
    return _load_char(str(p))
