"""Cached engine calls of the Weights page, defined once per server process.

Keys are small (the source's key, the scheme's settings); the tensor itself is passed unhashed (``_w``)
beside the key that names it, and cached arrays are read-only. The model-wide sweeps (accuracy against
bits for every scheme) are computed once per process.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from quantviz import nn
from quantviz import tensors as T
from quantviz.app import ui
from quantviz.formats import FORMATS, quantize_format
from quantviz.tensor_io import load_tensors

MAX_VALUES = 1 << 20  # an uploaded tensor beyond this is cut to its first rows (said on the page)
SYNTHETIC_SHAPE = (256, 256)
SWEEP_BITS = (2, 3, 4, 5, 6, 7, 8)
SWEEP_FAMILIES = {"INT per-tensor": ("tensor", 0), "INT per-channel": ("channel", 0), "INT group 32": ("group", 32)}


def run_scheme(w: np.ndarray, scheme: tuple):
    """The engine call a scheme key names: ``("int", bits, symmetric, granularity, axis, group_size,
    calibration, percentile, stochastic)`` or ``("format", fmt)``. Channels run along ``axis``; groups run
    along the last axis (as the block formats' blocks)."""
    if scheme[0] == "format":
        return quantize_format(w, scheme[1])
    _, bits, symmetric, gran, axis, group_size, calibration, percentile, stochastic = scheme
    return T.quantize_tensor(w, bits, symmetric, gran, axis=axis if gran == "channel" else -1, group_size=group_size,
                             calibration=calibration, percentile=percentile, stochastic=stochastic, seed=0)


def value_ranges(w: np.ndarray, result) -> tuple[np.ndarray, np.ndarray] | None:
    """The range [lo, hi] each value's own unit (tensor, channel, group, block) can represent, per value;
    None for the float casts (their range, ±max of the format, is not a calibration)."""
    if isinstance(result, T.QuantizedTensor):
        s = result.expand(result.scale)
        z = result.expand(result.zero_point)
        return s * (result.qmin - z), s * (result.qmax - z)
    kind = FORMATS[result.fmt].kind
    if kind == "float":
        return None
    if kind in ("ternary", "binary"):
        g = float(result.scales)
        return np.full(w.shape, -g), np.full(w.shape, g)
    bs = result.block_size
    sc = np.repeat(np.asarray(result.scales, dtype=np.float64), bs, axis=-1)[..., : w.shape[-1]]
    if result.fmt == "q4_1":
        m = np.repeat(np.asarray(result.mins, dtype=np.float64), bs, axis=-1)[..., : w.shape[-1]]
        return m, m + 15 * sc
    if result.fmt in ("q8_0", "q4_0", "q5_0"):
        qlo, qhi = {"q8_0": (-128, 127), "q4_0": (-8, 7), "q5_0": (-16, 15)}[result.fmt]
        a, b = sc * qlo, sc * qhi
        return np.minimum(a, b), np.maximum(a, b)
    book = np.asarray(result.codebook, dtype=np.float64)
    eff = sc * (result.tensor_scale if result.fmt == "nvfp4" else 1.0)
    return book.min() * eff, book.max() * eff


def clipped_fraction(w: np.ndarray, result) -> float:
    """Fraction of the values beyond their own unit's representable range (they saturate)."""
    r = value_ranges(w, result)
    if r is None:
        return 0.0
    lo, hi = r
    tol = 1e-6 * (np.abs(lo) + np.abs(hi)) + 1e-30
    return float(np.mean((w < lo - tol) | (w > hi + tol)))


# ---- sources ----------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def model() -> nn.DigitsModel:
    return nn.load_digits_model()


@st.cache_resource(max_entries=12, ttl=3600, show_spinner=False)
def synthetic(kind: str, seed: int) -> np.ndarray:
    return ui.frozen(T.synthetic_tensor(kind, SYNTHETIC_SHAPE, seed=seed))


def as_matrix(a: np.ndarray) -> tuple[np.ndarray, str]:
    """Any array as (rows, columns), at most MAX_VALUES values, and what was done to it (words or '')."""
    shape = a.shape
    note = []
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(1, -1)
        note.append(f"1-D ({shape[0]:,} values): shown as one row")
    elif a.ndim > 2:
        a = a.reshape(shape[0], -1)
        note.append(f"shape {shape} flattened to {a.shape[0]:,} rows × {a.shape[1]:,} columns")
    if a.size > MAX_VALUES:
        rows = max(1, MAX_VALUES // a.shape[1])
        if a.shape[1] > MAX_VALUES:
            a = a[:1, :MAX_VALUES]
            note.append(f"only its first {MAX_VALUES:,} values are used")
        else:
            a = a[:rows]
            note.append(f"only its first {rows:,} rows ({a.size:,} values) are used")
    return np.ascontiguousarray(a, dtype=np.float32), "; ".join(note)


@st.cache_resource(max_entries=2, ttl=1800, show_spinner="Reading the tensors…")
def upload_tensors(file_id: str, name: str, _upload) -> dict:
    """name -> (2-D read-only float32 array, original shape, note). Raises TensorFileError (a ValueError)."""
    out, info = {}, {}
    for key, a in load_tensors(_upload.getvalue(), max_bytes=60_000_000, max_values=30_000_000, info=info).items():
        m, note = as_matrix(a)
        out[key] = (ui.frozen(m), tuple(a.shape), "; ".join(x for x in (info.get(key, ""), note) if x))
    return out


# ---- one scheme on one tensor ----------------------------------------------------------------------------


@st.cache_resource(max_entries=24, ttl=3600, show_spinner=False)
def quantized(source_key: tuple, scheme: tuple, _w: np.ndarray):
    """(engine result, error_stats, clipped fraction) of one scheme on the tensor ``source_key`` names."""
    r = run_scheme(_w, scheme)
    ui.frozen(r.values)
    return r, T.error_stats(_w, r.values), clipped_fraction(_w, r)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Quantizing with every scheme…")
def comparison(source_key: tuple, _w: np.ndarray) -> list[dict]:
    """Every storage format and symmetric min-max INT (2–8 bits, per tensor / channel / group of 32)."""
    pts = []
    from quantviz.figures.weights import FORMAT_LABELS

    for fmt in FORMATS:
        r = quantize_format(_w, fmt)
        pts.append(dict(label=FORMAT_LABELS[fmt], fmt=fmt, family="formats", bpw=r.bits_per_weight,
                        sqnr=T.error_stats(_w, r.values)["sqnr_db"]))
    for fam, (gran, gs) in SWEEP_FAMILIES.items():
        for b in SWEEP_BITS:
            r = run_scheme(_w, ("int", b, True, gran, 0, gs or 128, "minmax", 99.99, False))
            pts.append(dict(label=f"INT{b} {fam[4:]}", family=fam, bpw=r.bits_per_weight,
                            sqnr=T.error_stats(_w, r.values)["sqnr_db"]))
    return pts


# ---- the model --------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner=False)
def act_ranges() -> tuple:
    """Static activation ranges of every layer's input, min–max on the shipped calibration split (200 images)."""
    m = model()
    return nn.calibrate_activations(m.mlp, m.x_calib, "minmax")


@st.cache_resource(max_entries=128, ttl=3600, show_spinner=False)  # a float and a string: nothing to copy
def _model_accuracy_cached(scheme: tuple | None, act_bits: int | None) -> tuple[float | None, str]:
    m = model()
    try:
        mlp = m.mlp if scheme is None else nn.quantize_weights(m.mlp, lambda w: run_scheme(w, scheme))
    except ValueError as exc:
        return None, str(exc)
    kw = {} if act_bits is None else dict(act_bits=act_bits, act_ranges=act_ranges(), act_mode="static")
    return nn.accuracy(mlp, m.x_test, m.y_test, **kw), ""


def model_accuracy(scheme: tuple | None, act_bits: int | None) -> tuple[float | None, str]:
    """Test accuracy (540 images) with every layer's weights quantized by ``scheme`` (None: float) and the
    layer inputs by ``act_bits`` (static, calibrated); (None, why) when the scheme refuses a layer.

    Weights-only accuracies come from :class:`AccuracyStore` (filled ahead for the other bit widths)."""
    if act_bits is None and scheme is not None:
        return ACCURACIES.get(model(), scheme)
    return _model_accuracy_cached(scheme, act_bits)


class AccuracyStore:
    """Weights-only test accuracy per scheme, bounded (LRU), with the other bit widths of a scheme computed
    ahead in one background thread, so that a bits move finds its accuracy ready.

    Measured in the running server, a new scheme's accuracy (quantize three layers, 540 images forward) took
    15–66 ms of a bits move (2 ms alone in a quiet process). A key is computed at most once: the thread and the
    script wait on the same per-key event.
    """

    def __init__(self, max_entries: int = 512):
        import threading
        from collections import OrderedDict

        self._lock = threading.Lock()
        self._done: OrderedDict = OrderedDict()
        self._pending: dict = {}
        self.max_entries = max_entries

    @staticmethod
    def _compute(m: nn.DigitsModel, scheme: tuple) -> tuple[float | None, str]:
        try:
            mlp = nn.quantize_weights(m.mlp, lambda w: run_scheme(w, scheme))
        except ValueError as exc:
            return None, str(exc)
        return nn.accuracy(mlp, m.x_test, m.y_test), ""

    def _claim(self, scheme):
        """(result, None) when known; (None, event) to wait for; (None, 'mine') to compute now."""
        import threading

        with self._lock:
            if scheme in self._done:
                self._done.move_to_end(scheme)
                return self._done[scheme], None
            if scheme in self._pending:
                return None, self._pending[scheme]
            self._pending[scheme] = threading.Event()
            return None, "mine"

    def _finish(self, scheme, result):
        with self._lock:
            self._done[scheme] = result
            while len(self._done) > self.max_entries:
                self._done.popitem(last=False)
            self._pending.pop(scheme).set()

    def get(self, m: nn.DigitsModel, scheme: tuple) -> tuple[float | None, str]:
        while True:
            result, wait = self._claim(scheme)
            if wait is None:
                return result
            if wait == "mine":
                result = self._compute(m, scheme)
                self._finish(scheme, result)
                return result
            wait.wait(30)

    def prefetch(self, m: nn.DigitsModel, scheme: tuple):
        """Compute, in one daemon thread, the same INT scheme at every other bit width 2–8 not known yet.
        Returns the thread (or None when there is nothing to do)."""
        import threading

        if scheme[0] != "int":
            return None
        todo = [scheme[:1] + (b,) + scheme[2:] for b in SWEEP_BITS if b != scheme[1]]
        with self._lock:
            todo = [k for k in todo if k not in self._done and k not in self._pending]
        if not todo:
            return None

        def run():
            for k in todo:
                result, wait = self._claim(k)
                if wait == "mine":
                    self._finish(k, self._compute(m, k))

        t = threading.Thread(target=run, name="weights-accuracy-prefetch", daemon=True)
        t.start()
        return t

    def __len__(self):
        return len(self._done)


ACCURACIES = AccuracyStore()


def prefetch_accuracies(scheme: tuple):
    """Start computing the weights-only accuracy of ``scheme`` at the other bit widths (see AccuracyStore)."""
    return ACCURACIES.prefetch(model(), scheme)


def _scheme_sweep(mlp, measure, name: str) -> tuple[dict, list[dict]]:
    """``measure`` of ``mlp`` with all its layers quantized, against bits per weight: for each INT family at
    SWEEP_BITS ({family: [(bits, value)]}) and for every storage format ([{label, bpw, name: value}]).
    Each scheme quantizes the layers once, for both its value and its bits."""
    from quantviz.figures.weights import FORMAT_LABELS

    n = sum(w.size for w in mlp.weights)

    def point(scheme):
        rs = [run_scheme(w, scheme) for w in mlp.weights]
        value = measure(mlp.with_weights([r.values for r in rs]))
        return sum(r.bits_per_weight * w.size for r, w in zip(rs, mlp.weights)) / n, value

    sweep = {fam: [point(("int", b, True, gran, 0, gs or 128, "minmax", 99.99, False)) for b in SWEEP_BITS]
             for fam, (gran, gs) in SWEEP_FAMILIES.items()}
    fmts = []
    for fmt in FORMATS:
        bits, value = point(("format", fmt))
        fmts.append({"label": FORMAT_LABELS[fmt], "bpw": bits, name: value})
    return sweep, fmts


@st.cache_resource(max_entries=1, show_spinner="Measuring the model at every bit width (once)…")
def accuracy_sweep() -> tuple[dict, float, list[dict]]:
    """Accuracy against bits per weight for every INT family and every format, all layers quantized (once).

    Each scheme quantizes the three layers once, for both its accuracy and its bits."""
    m = model()
    sweep, fmts = _scheme_sweep(m.mlp, lambda mlp: nn.accuracy(mlp, m.x_test, m.y_test), "acc")
    return sweep, model_accuracy(None, None)[0], fmts


def model_bits(scheme: tuple) -> float:
    """Bits per weight of the whole model (all layers) under ``scheme``."""
    ws = model().mlp.weights
    return sum(run_scheme(w, scheme).bits_per_weight * w.size for w in ws) / sum(w.size for w in ws)



# ---- the views one click away (each computed only when its view is open) ------------------------------------

MP_BITS = (2, 3, 4, 8)  # the bit widths the mixed-precision sweep assigns to each layer
BLOCK_SIZES = (32, 64, 128, 256, 512, 1024, 2048, 4096)
SQ_ALPHAS = tuple(round(0.05 * k, 2) for k in range(21))


@st.cache_resource(max_entries=1, show_spinner=False)
def lloyd_max_curve() -> tuple[np.ndarray, np.ndarray]:
    """SQNR (dB) of the Gaussian Lloyd-Max quantizer with 2^R levels, R = 1…8 (fixed rate), once per process."""
    from quantviz.lloyd_max import lloyd_max

    r = np.arange(1, 9)
    return ui.frozen(r), ui.frozen(np.array([-10 * np.log10(lloyd_max(2 ** int(b), "gaussian").mse) for b in r]))


@st.cache_resource(max_entries=1, show_spinner=False)
def outlier_weight() -> np.ndarray:
    """The (features × outputs) weight of the outlier demo: N(0, 1/256), seed 1 (fixed; the activations vary)."""
    return ui.frozen((np.random.default_rng(1).standard_normal((256, 256)) / 16).astype(np.float32))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def outlier_matmul(x_key: tuple, _x: np.ndarray, threshold: float, alpha: float) -> dict:
    """Product SQNR and activation step of each method on X (``x_key`` names it) times the fixed W."""
    from quantviz import outliers as O

    res = O.compare_matmul(_x, outlier_weight(), threshold=threshold, alpha=alpha)
    xs = np.asarray(_x, dtype=np.float64)
    amax = np.abs(xs).max(axis=0)
    out = {k: {"sqnr": r.sqnr_db, "step": r.x_step} for k, r in res.items()}
    out["n_outliers"] = int(res["llm_int8"].outliers.sum())
    out["amax_x"] = ui.frozen(amax.astype(np.float32))
    s = res["smoothquant"].smooth
    out["amax_xs"] = ui.frozen((amax / s).astype(np.float32))
    out["amax_ws"] = ui.frozen((np.abs(outlier_weight()).max(axis=1) * s).astype(np.float32))
    out["amax_w"] = ui.frozen(np.abs(outlier_weight()).max(axis=1).astype(np.float32))
    bulk = amax < threshold
    out["bulk_rms"] = float(np.sqrt(np.mean(xs[:, bulk] ** 2))) if bulk.any() else float("nan")
    return out


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def smoothquant_curve(x_key: tuple, _x: np.ndarray) -> list[float]:
    """SmoothQuant's product SQNR at α = 0, 0.05, …, 1 (INT8)."""
    from quantviz import outliers as O

    return [O.smoothquant_matmul(_x, outlier_weight(), a).sqnr_db for a in SQ_ALPHAS]


@st.cache_resource(max_entries=1, show_spinner=False)
def accumulation() -> dict:
    """ml_dtypes' example: running sums of 10,000 uniforms (seed 0) in each accumulator, decimated to 400 points."""
    from quantviz.formats import accumulate

    vals = np.random.default_rng(seed=0).uniform(size=10000)
    k = np.unique(np.round(np.geomspace(1, vals.size, 400)).astype(int)) - 1
    out = {"k": ui.frozen(k + 1), "exact": float(np.sum(vals))}
    for fmt in ("fp64", "fp32", "fp16", "bf16", "fp8_e4m3"):
        s = accumulate(vals, fmt)
        out[fmt] = (ui.frozen(s[k].astype(np.float32)), float(s[-1]))
    return out


@st.cache_data(max_entries=8, ttl=3600, show_spinner="NF4 and INT4 at every block size…")
def blocksize_sweep(source_key: tuple, _w: np.ndarray) -> dict:
    """SQNR of NF4 (FP32 absmax) and affine / symmetric INT4 (FP32 scale) per block of B consecutive values
    (the tensor flattened, as bitsandbytes does), B = 32 … 4096, on this tensor and on Gaussian and Student-t
    (ν = 3) tensors of 65,536 values."""
    from quantviz.formats import quantize_nf4_blocks

    srcs = {"this tensor": _w, "Gaussian": synthetic("gaussian", 0), "Student-t (ν = 3)": synthetic("student_t", 0)}
    out = {}
    for name, w in srcs.items():
        flat = np.asarray(w, dtype=np.float32).reshape(1, -1)
        rows = {"NF4": [], "INT4 affine": [], "INT4 symmetric": []}
        bits = {"NF4": [], "INT4 affine": [], "INT4 symmetric": []}
        sizes = [b for b in BLOCK_SIZES if b <= flat.size]
        for bs in sizes:
            for fam, r in (("NF4", quantize_nf4_blocks(flat, bs)),
                           ("INT4 affine", T.quantize_tensor(flat, 4, False, "group", axis=-1, group_size=bs)),
                           ("INT4 symmetric", T.quantize_tensor(flat, 4, True, "group", axis=-1, group_size=bs))):
                rows[fam].append(T.error_stats(flat, np.reshape(r.values, flat.shape))["sqnr_db"])
                bits[fam].append(r.bits_per_weight)
        out[name] = {"sizes": sizes, "sqnr": rows, "bpw": bits}
    return out


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def step_bridge(source_key: tuple, _w: np.ndarray) -> dict:
    """Symmetric per-tensor min–max INT b, b = 2…8: predicted s²/12 and measured MSE (the Signals page's Δ²/12)."""
    bits = list(range(2, 9))
    pred, meas = [], []
    for b in bits:
        r = T.quantize_tensor(_w, b, True, "tensor")
        pred.append(float(r.scale) ** 2 / 12)
        meas.append(T.error_stats(_w, r.values)["mse"])
    return {"bits": bits, "pred": pred, "meas": meas}


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def layer_table(scheme: tuple) -> list[dict]:
    """One row per layer of the digits MLP under ``scheme``: the error metrics, bits and bytes."""
    rows = []
    m = model()
    for name, w in zip(m.mlp.names, m.mlp.weights):
        r = run_scheme(w, scheme)
        s = T.error_stats(w, r.values)
        rows.append({"layer": f"{name} {w.shape[1]}→{w.shape[0]}", "MSE": s["mse"], "rel. RMSE": s["rel_rmse"],
                     "SQNR (dB)": s["sqnr_db"], "cosine": s["cosine"], "max |e|": s["max_error"],
                     "bits/w": r.bits_per_weight, "bytes": r.bits_per_weight * w.size / 8})
    return rows


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sensitivity(scheme: tuple) -> list[float]:
    """Test accuracy with one layer at a time quantized by ``scheme`` (the others float)."""
    m = model()
    return nn.layer_sensitivity(m.mlp, m.x_test, m.y_test, 0, quantizer=lambda w, _b: run_scheme(w, scheme))


@st.cache_resource(max_entries=1, show_spinner="Every bit width on every layer (once)…")
def mixed_sweep() -> tuple[list[dict], list[list[float]]]:
    """All 4³ per-layer assignments of MP_BITS (per-channel INT), and the one-layer sensitivity at each width."""
    m = model()
    pts = nn.mixed_precision_sweep(m.mlp, m.x_test, m.y_test, MP_BITS)
    sens = {b: nn.layer_sensitivity(m.mlp, m.x_test, m.y_test, b) for b in MP_BITS}
    return pts, sens


@st.cache_resource(max_entries=1, show_spinner=False)
def qat_results() -> dict:
    """bits -> (PTQ accuracy, QAT accuracy) for the shipped fine-tuned models (per-channel INT, symmetric)."""
    m = model()
    out = {}
    for b, qm in sorted(m.qat.items(), reverse=True):
        fq = lambda w, b=b: nn.per_channel_quantizer(w, b)  # noqa: E731
        out[b] = (nn.accuracy(nn.quantize_weights(m.mlp, fq), m.x_test, m.y_test),
                  nn.accuracy(nn.quantize_weights(qm, fq), m.x_test, m.y_test))
    return out


@st.cache_resource(max_entries=1, show_spinner=False)
def activation_modes() -> dict:
    """Float weights, activations at A2…A8: static (calibrated min–max) and dynamic (each sample's own range)."""
    m = model()
    bits = list(range(2, 9))
    st_ = [nn.accuracy(m.mlp, m.x_test, m.y_test, act_bits=b, act_ranges=act_ranges(), act_mode="static")
           for b in bits]
    dy = [nn.accuracy(m.mlp, m.x_test, m.y_test, act_bits=b, act_mode="dynamic") for b in bits]
    return {"bits": bits, "static": st_, "dynamic": dy}


@st.cache_resource(max_entries=1, show_spinner=False)
def llama_reference() -> list[dict]:
    from quantviz.tensor_io import load_llama_reference

    return load_llama_reference()


@st.cache_resource(max_entries=1, show_spinner=False)
def char_model() -> nn.CharModel:
    return nn.load_char_model()


@st.cache_resource(max_entries=1, show_spinner="Perplexity of the character model at every bit width (once)…")
def char_sweep() -> tuple[dict, float, list[dict]]:
    """Held-out perplexity of the character-level MLP against bits per weight (both layers quantized), for the
    INT families (2–8 bits) and every format; and its float perplexity."""
    m = char_model()
    sweep, fmts = _scheme_sweep(m.mlp, lambda mlp: nn.perplexity(mlp, m.x_test, m.y_test), "ppl")
    return sweep, nn.perplexity(m.mlp, m.x_test, m.y_test), fmts
