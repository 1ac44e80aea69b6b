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
    out = {}
    for key, a in load_tensors(_upload.getvalue(), max_bytes=60_000_000, max_values=30_000_000).items():
        m, note = as_matrix(a)
        out[key] = (ui.frozen(m), tuple(a.shape), note)
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
def model_accuracy(scheme: tuple | None, act_bits: int | None) -> tuple[float | None, str]:
    """Test accuracy (540 images) with every layer's weights quantized by ``scheme`` (None: float) and the
    layer inputs by ``act_bits`` (static, calibrated); (None, why) when the scheme refuses a layer."""
    m = model()
    try:
        mlp = m.mlp if scheme is None else nn.quantize_weights(m.mlp, lambda w: run_scheme(w, scheme))
    except ValueError as exc:
        return None, str(exc)
    kw = {} if act_bits is None else dict(act_bits=act_bits, act_ranges=act_ranges(), act_mode="static")
    return nn.accuracy(mlp, m.x_test, m.y_test, **kw), ""


@st.cache_resource(max_entries=1, show_spinner="Measuring the model at every bit width (once)…")
def accuracy_sweep() -> tuple[dict, float, list[dict]]:
    """Accuracy against bits per weight for every INT family and every format, all layers quantized (once)."""
    m = model()
    n = sum(w.size for w in m.mlp.weights)
    sweep = {}
    for fam, (gran, gs) in SWEEP_FAMILIES.items():
        pts = []
        for b in SWEEP_BITS:
            scheme = ("int", b, True, gran, 0, gs or 128, "minmax", 99.99, False)
            acc, _ = model_accuracy(scheme, None)
            bits = sum(run_scheme(w, scheme).bits_per_weight * w.size for w in m.mlp.weights) / n
            pts.append((bits, acc))
        sweep[fam] = pts
    from quantviz.figures.weights import FORMAT_LABELS

    fmts = []
    for fmt in FORMATS:
        acc, _ = model_accuracy(("format", fmt), None)
        bits = sum(quantize_format(w, fmt).bits_per_weight * w.size for w in m.mlp.weights) / n
        fmts.append(dict(label=FORMAT_LABELS[fmt], bpw=bits, acc=acc))
    return sweep, model_accuracy(None, None)[0], fmts


def model_bits(scheme: tuple) -> float:
    """Bits per weight of the whole model (all layers) under ``scheme``."""
    ws = model().mlp.weights
    return sum(run_scheme(w, scheme).bits_per_weight * w.size for w in ws) / sum(w.size for w in ws)

