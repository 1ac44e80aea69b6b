"""Figures of the Weights page: a tensor against its quantization grid, its error, its channels, one block
spelled out, and every scheme against the Gaussian rate–distortion bound.

Plotly only (no Streamlit). Each builder returns ``(figure, what_to_notice)``, the text computed from the
numbers on the figure. :func:`inspect_block` and :func:`storage_breakdown` describe what a scheme stores
for one block and per weight, from the engine's own results (:func:`quantviz.quantize_tensor`,
:func:`quantviz.quantize_format`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import COLORS, THEORY_LINE, base_figure, display_array
from quantviz.formats import FLOAT_FORMATS, FORMATS, FormatResult
from quantviz.tensors import QuantizedTensor, gaussian_rd_sqnr_db

MAX_LINES = 64  # levels drawn as lines up to this many in view; a rug of ticks up to MAX_RUG; beyond, none
MAX_RUG = 600
SCATTER_POINTS = 3000
WINDOW = 32  # the inspector's window for schemes without blocks (per-tensor / per-channel INT, casts)
FORMAT_LABELS = {"fp16": "FP16", "bf16": "BF16", "fp8_e4m3": "FP8 E4M3", "fp8_e5m2": "FP8 E5M2", "q8_0": "Q8_0",
                 "q4_0": "Q4_0", "q4_1": "Q4_1", "q5_0": "Q5_0", "mxfp4": "MXFP4", "nvfp4": "NVFP4", "nf4": "NF4",
                 "nf4_dq": "NF4 (double-quant)", "ternary": "ternary (1.58 b)", "binary": "binary (sign)"}
_PER_BLOCK = {  # what one block stores: (count, bits, what), from llama.cpp ggml-common.h, OCP MX, NVIDIA, QLoRA
    "q8_0": [(32, 8, "INT8 codes"), (1, 16, "FP16 scale d")],
    "q4_0": [(32, 4, "4-bit codes"), (1, 16, "FP16 scale d")],
    "q4_1": [(32, 4, "4-bit codes"), (1, 16, "FP16 scale d"), (1, 16, "FP16 min m")],
    "q5_0": [(32, 5, "5-bit codes"), (1, 16, "FP16 scale d")],
    "mxfp4": [(32, 4, "E2M1 codes"), (1, 8, "E8M0 shared exponent")],
    "nvfp4": [(16, 4, "E2M1 codes"), (1, 8, "E4M3 scale")],
    "nf4": [(64, 4, "NF4 indices"), (1, 32, "FP32 absmax")],
    "nf4_dq": [(64, 4, "NF4 indices"), (1, 8, "INT8 absmax")],
}


# ---- what a scheme stores ---------------------------------------------------------------------------------


def storage_breakdown(result, n: int, n_blocks: int | None = None) -> tuple[float, str]:
    """Bits per weight recomputed from what is stored, and the arithmetic as text.

    ``result``: a :class:`QuantizedTensor` or :class:`FormatResult` of ``n`` values.
    The total is (bits of all blocks + tensor-level constants) / n; tests check it
    equals the engine's ``bits_per_weight``.
    """
    if isinstance(result, QuantizedTensor):
        per = 32 + (0 if result.symmetric else result.bits)
        total = n * result.bits + result.n_scales * per
        zp = "" if result.symmetric else f" + {result.bits}-bit zero point"
        unit = {"tensor": "the tensor", "channel": "each channel",
                "group": f"each group of {result.group_size}"}[result.granularity]
        text = (f"{n:,} codes × {result.bits} bits + {result.n_scales:,} × (FP32 scale{zp}: {per} bits), one for "
                f"{unit} = {total:,} bits → {total:,} / {n:,} = **{total / n:.4g} bits per weight**")
        return total / n, text
    fmt = result.fmt
    kind = FORMATS[fmt].kind
    if kind == "float":
        b = FLOAT_FORMATS[fmt][1]
        return float(b), f"one {b}-bit float per weight, nothing else: **{b} bits per weight**"
    if kind == "ternary":
        total = -(-n // 5) * 8 + 32
        return total / n, (f"5 trits per byte (3⁵ = 243 ≤ 256): ⌈{n:,}/5⌉ × 8 bits + one FP32 γ (32 bits) = "
                           f"{total:,} bits → **{total / n:.4g} bits per weight** (log2 3 = 1.585 is the floor)")
    if kind == "binary":
        total = n + 32
        return total / n, f"1 sign bit per weight + one FP32 α (32 bits) → **{total / n:.4g} bits per weight**"
    parts = _PER_BLOCK[fmt]
    bs = result.block_size
    per_block = sum(c * b for c, b, _ in parts)
    nb = int(np.size(result.scales)) if n_blocks is None else n_blocks
    extra, extra_text = 0, ""
    if fmt == "nvfp4":
        extra, extra_text = 32, " + one FP32 tensor scale g (32 bits)"
    elif fmt == "nf4_dq":
        groups = -(-nb // 256)
        extra = 32 + 32 * groups
        extra_text = f" + {groups:,} FP32 scales (one per 256 blocks) + one FP32 absmax mean (32 bits)"
    total = nb * per_block + extra
    terms = " + ".join(f"{c}×{b}" if c > 1 else f"{b}" for c, b, _ in parts)
    what = ", ".join(f"{c} × {w} ({b} bits)" if c > 1 else f"{w} ({b} bits)" for c, b, w in parts)
    return total / n, (f"a block of {bs} stores {what}: {terms} = {per_block} bits → {per_block}/{bs} = "
                       f"{per_block / bs:.4g} bits per weight; {nb:,} blocks{extra_text} = {total:,} bits / "
                       f"{n:,} weights = **{total / n:.4g} bits per weight**")


# ---- one block, spelled out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockInfo:
    """One block of a quantized 2-D tensor: its values, what is stored and the reconstruction."""

    index: int
    n_blocks: int
    row: int
    cols: tuple  # (first, last + 1) along the last axis
    size: int  # the block size of the scheme (the last block of a row may be shorter)
    x: np.ndarray  # the original values
    codes: np.ndarray  # the stored codes (as integers)
    scale: np.ndarray  # the scale applied to each value
    offset: np.ndarray  # the offset added to each value (q4_1's min; −s·z for affine INT; 0 otherwise)
    q: np.ndarray  # what multiplies the scale: the integer (q − z), or the codebook value of the code
    recon: np.ndarray  # q·scale + offset (equals the engine's values)
    formula: str  # the reconstruction rule, in words and symbols
    stored: str  # the block's constants as stored
    levels: np.ndarray  # every value this block can take (sorted), or empty when too many to list (FP16)
    kind: str  # "window" when the scheme has no blocks and the inspector shows a window of its values


def block_size(result) -> tuple[int, str]:
    """The inspector's block for a scheme: (values, 'block' | 'group' | 'window')."""
    if isinstance(result, FormatResult):
        return (result.block_size, "block") if result.block_size else (WINDOW, "window")
    if result.granularity == "group":
        return result.group_size, "group"
    return WINDOW, "window"


def n_blocks_of(shape, result) -> int:
    b, _ = block_size(result)
    return int(shape[0]) * -(-int(shape[1]) // b)


def _float_levels(fmt: str) -> np.ndarray:
    dt, bits = FLOAT_FORMATS[fmt]
    if bits > 8:
        return np.array([], dtype=np.float32)
    v = np.arange(256, dtype=np.uint8).view(dt).astype(np.float32)
    return np.unique(v[np.isfinite(v)])


def inspect_block(w: np.ndarray, result, index: int) -> BlockInfo:
    """Block ``index`` (row-major, along the last axis) of the 2-D tensor ``w`` quantized as ``result``."""
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D; got shape {w.shape}")
    size, kind = block_size(result)
    per_row = -(-w.shape[1] // size)
    n_blocks = w.shape[0] * per_row
    if not 0 <= index < n_blocks:
        raise ValueError(f"index must be in 0…{n_blocks - 1}; got {index}")
    r, j = divmod(int(index), per_row)
    c0, c1 = j * size, min((j + 1) * size, w.shape[1])
    x = np.asarray(w[r, c0:c1], dtype=np.float32)
    recon = np.asarray(result.values[r, c0:c1], dtype=np.float32)
    codes = np.asarray(result.codes[r, c0:c1]).astype(np.int64)
    ones = np.ones(c1 - c0)
    if isinstance(result, QuantizedTensor):
        s = np.asarray(result.expand(result.scale))[r, c0:c1].astype(np.float64)
        z = np.asarray(result.expand(result.zero_point))[r, c0:c1].astype(np.int64)
        q = (codes - z).astype(np.float64)
        offset = np.zeros_like(s)
        if result.symmetric:
            formula = "ŵ = s · q   (symmetric: zero point 0)"
        else:
            formula = "ŵ = s · (q − z)   (affine: the code z stands for 0)"
        one_s = np.unique(s).size == 1
        stored = (f"s = {s[0]:.6g} (FP32)" if one_s else f"s per value ({np.unique(s).size} scales: per column)")
        if not result.symmetric:
            stored += f", z = {z[0]}" if np.unique(z).size == 1 else ", z per value"
        levels = s[0] * (np.arange(result.qmin, result.qmax + 1) - z[0]) if one_s and result.bits <= 10 else \
            np.array([])
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, s, offset, q,
                         (s * q).astype(np.float32), formula, stored, np.asarray(levels, dtype=np.float64), kind)
    fmt = result.fmt
    fkind = FORMATS[fmt].kind
    if fkind == "float":
        levels = _float_levels(fmt)
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, ones, 0 * ones, recon.astype(np.float64),
                         recon, f"ŵ = the {FORMAT_LABELS[fmt]} number whose bit pattern is the code (no scale)",
                         "no scale: every value is its own float", levels, kind)
    if fkind in ("ternary", "binary"):
        g = float(result.scales)
        q = codes.astype(np.float64)
        levels = g * (np.array([-1.0, 0.0, 1.0]) if fkind == "ternary" else np.array([-1.0, 1.0]))
        name = "γ = mean|w|" if fkind == "ternary" else "α = mean|w|"
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, g * ones, 0 * ones, q,
                         (q * g).astype(np.float32), f"ŵ = {name.split(' ')[0]} · q, q ∈ "
                         + ("{−1, 0, +1}" if fkind == "ternary" else "{−1, +1}"),
                         f"{name} = {g:.6g} (FP32, one per tensor)", levels, kind)
    d = float(np.asarray(result.scales)[r, j])
    if fmt == "q4_1":
        m = float(np.asarray(result.mins)[r, j])
        q = codes.astype(np.float64)
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, d * ones, m * ones, q,
                         (np.float32(d) * q.astype(np.float32) + np.float32(m)).astype(np.float32),
                         "ŵ = d · q + m   (q = 0…15)", f"d = {d:.6g}, m = {m:.6g} (FP16 each)",
                         d * np.arange(16) + m, kind)
    if fmt in ("q8_0", "q4_0", "q5_0"):
        zc = int(result.zero_code)
        q = (codes - zc).astype(np.float64)
        qrange = {"q8_0": (-128, 127), "q4_0": (-8, 7), "q5_0": (-16, 15)}[fmt]
        formula = "ŵ = d · q   (q = −128…127)" if fmt == "q8_0" else \
            f"ŵ = d · (q − {zc})   (the stored nibble q = 0…{2 * zc - 1})"
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, d * ones, 0 * ones, q,
                         (np.float32(d) * q.astype(np.float32)).astype(np.float32), formula,
                         f"d = {d:.6g} (FP16)", d * np.arange(qrange[0], qrange[1] + 1), kind)
    book = np.asarray(result.codebook, dtype=np.float32)
    q = book[codes].astype(np.float64)
    if fmt == "nvfp4":
        g = float(result.tensor_scale)
        eff = np.float32(d) * np.float32(g)
        rec = (book[codes] * np.float32(d)) * np.float32(g)
        return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, eff * ones, 0 * ones, q,
                         rec.astype(np.float32), "ŵ = E2M1[q] · s · g", f"s = {d:.6g} (E4M3), g = {g:.6g} (FP32)",
                         np.unique(book) * eff, kind)
    name = {"mxfp4": ("E2M1", "X = 2^e", f"X = {d:.6g} = 2^{int(np.log2(d)) if d > 0 else '−∞'} (E8M0)"),
            "nf4": ("NF4", "absmax", f"absmax = {d:.6g} (FP32)"),
            "nf4_dq": ("NF4", "absmax", f"absmax = {d:.6g} (decoded from INT8, double quantization)")}[fmt]
    return BlockInfo(index, n_blocks, r, (c0, c1), size, x, codes, d * ones, 0 * ones, q,
                     (book[codes] * np.float32(d)).astype(np.float32), f"ŵ = {name[0]}[q] · {name[1]}", name[2],
                     np.unique(book) * d, kind)


def outlier_summary(w: np.ndarray, wq: np.ndarray, axis: int, factor: float = 4.0) -> str:
    """Words on the outlier channels of a 2-D tensor (max|w| above ``factor`` × the median channel's) and what
    the quantization did to the others (their SQNR and how many distinct values they land on); '' if none."""
    w, wq = np.asarray(w, dtype=np.float64), np.asarray(wq, dtype=np.float64)
    amax = np.abs(w).max(axis=1 - axis)
    med = float(np.median(amax))
    out = amax > factor * med
    if not out.any() or out.all():
        return ""
    bulk = ~out
    wb = np.compress(bulk, w, axis=axis)
    eb = wb - np.compress(bulk, wq, axis=axis)
    with np.errstate(divide="ignore"):
        sq = 10 * np.log10(np.sum(wb ** 2) / np.sum(eb ** 2)) if np.any(eb) else np.inf
    name = "row" if axis == 0 else "column"
    return (f"{int(out.sum())} outlier {name}s (max|w| {amax[out].min():.3g}–{amax[out].max():.3g}, over "
            f"{factor:g}× the median {name}'s {med:.3g}); the other {int(bulk.sum())} {name}s: SQNR "
            f"{sq:.1f} dB, on {np.unique(np.compress(bulk, wq, axis=axis)).size:,} distinct values")


# ---- figures ------------------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


def grid_histogram(w: np.ndarray, levels: np.ndarray, clip: tuple | None, clipped_fraction: float,
                   scheme: str, unit: str, n_levels_total: int | None = None,
                   unit_values: np.ndarray | None = None) -> tuple[go.Figure, str]:
    """Histogram of the weights with the quantization grid of one unit over it.

    ``levels``: the values the unit can take (empty: too many to list, e.g. FP16); ``clip``: (lo, hi) of
    that unit (None: no clipping range, e.g. a float cast); ``clipped_fraction``: of all values, those
    beyond their own unit's range; ``unit``: which unit's grid is drawn (words); ``unit_values``: that
    unit's own values when it is not the whole tensor (then both are drawn as densities: the grid and the
    shaded tails belong to the unit, not to the other values).
    """
    w = np.asarray(w, dtype=np.float64).ravel()
    lo, hi = float(w.min()), float(w.max())
    if clip is not None:
        lo, hi = min(lo, clip[0]), max(hi, clip[1])
    pad = 0.04 * (hi - lo or 1.0)
    x0, x1 = lo - pad, hi + pad
    std = float(w.std()) or 1.0
    heavy = float(np.abs(w - w.mean()).max()) > 6 * std
    dens = unit_values is not None
    counts, edges = np.histogram(w, bins=120, range=(x0, x1), density=dens)
    centers = 0.5 * (edges[1:] + edges[:-1])
    ylabel = ("density (1/unit of w)" if dens else "count") + (" (log scale)" if heavy else "")
    shapes = [dict(type="rect", yref="paper", y0=0, y1=1, x0=a, x1=b, fillcolor=COLORS["error"], opacity=0.13,
                   line_width=0, layer="below")  # the unit's clipped tails
              for a, b in (((x0, clip[0]), (clip[1], x1)) if clip is not None else ()) if b > a]
    # everything in the constructor: update_layout/add_shape on a built figure cost ~20× more (common.base_figure)
    fig = base_figure(f"Weights and the grid of {unit}", "value w", ylabel, height=330,
                      yaxis=dict(type="log") if heavy else {}, xaxis=dict(range=[x0, x1]), shapes=shapes,
                      hovermode="closest", bargap=0, barmode="overlay")
    fig.add_trace(go.Bar(x=display_array(centers), y=display_array(counts),
                         name="all values of the tensor" if dens else "w (histogram)",
                         marker_color=COLORS["accent3"] if dens else COLORS["original"], marker_line_width=0,
                         opacity=0.45 if dens else 0.75, hovertemplate="%{x:.3g}: %{y:.3g}<extra></extra>"))
    if dens:
        u = np.asarray(unit_values, dtype=np.float64).ravel()
        uc, ue = np.histogram(u, bins=40, range=(x0, x1), density=True)
        fig.add_trace(go.Bar(x=display_array(0.5 * (ue[1:] + ue[:-1])), y=display_array(uc), width=ue[1] - ue[0],
                             name=f"the {u.size} values of this unit", marker_color=COLORS["original"],
                             marker_line_width=0, opacity=0.9, hovertemplate="%{x:.3g}: %{y:.3g}<extra></extra>"))
        counts = np.maximum(counts, uc.max())
    lv = np.asarray(levels, dtype=np.float64)
    inview = lv[(lv >= x0) & (lv <= x1)]
    top = float(counts.max()) * (1.6 if heavy else 1.05) or 1.0
    if inview.size and inview.size <= MAX_LINES:
        xs = np.repeat(inview, 3)
        ys = np.tile([0.5 if heavy else 0.0, top, np.nan], inview.size)
        xs[2::3] = np.nan
        fig.add_trace(go.Scatter(x=display_array(xs), y=display_array(ys), mode="lines", name="levels of Q",
                                 line=dict(color=COLORS["quantized"], width=1), hoverinfo="skip"))
        drawn = f"its {inview.size} levels in view are the orange lines"
    elif inview.size and inview.size <= MAX_RUG:
        fig.add_trace(go.Scatter(x=display_array(inview), y=np.full(inview.size, top, dtype=np.float32),
                                 mode="markers", name="levels of Q (ticks)", hoverinfo="skip",
                                 marker=dict(symbol="line-ns-open", size=10, color=COLORS["quantized"])))
        drawn = f"its {inview.size} levels in view are too many for lines: ticks along the top"
    else:
        drawn = (f"its levels are too dense to draw ({n_levels_total:,} in all)" if n_levels_total
                 else "its levels are too dense to draw")
    if clip is not None:
        fig.add_trace(go.Scatter(x=[clip[0], clip[0], None, clip[1], clip[1]],
                                 y=[0.5 if heavy else 0, top, None, 0.5 if heavy else 0, top], mode="lines",
                                 name="clip range (beyond: shaded)", line=THEORY_LINE, hoverinfo="skip"))
    text = (f"{scheme}: the grid of {unit}; {drawn}. "
            + ("Other units have grids of their own, so the pale values beyond this unit's range are not "
               "clipped by it. " if dens else "")
            + (f"Clip range [{_fmt(clip[0])}, {_fmt(clip[1])}]. " if clip is not None else "")
            + (f"{clipped_fraction:.2%} of all values lie beyond their own range and saturate."
               if clipped_fraction > 0 else "No value lies beyond its range (nothing saturates).")
            + (" Counts on a log scale: the tails reach beyond 6 σ." if heavy else ""))
    return fig, text


def error_histogram(err: np.ndarray, half_step: float | None, sqnr_db: float) -> tuple[go.Figure, str]:
    """Histogram of e = w − ŵ (weight units); ±s/2 dashed when one uniform step s covers the tensor."""
    e = np.asarray(err, dtype=np.float64).ravel()
    m = float(np.abs(e).max()) or 1e-12
    span = max(m, half_step or 0.0) * 1.1
    counts, edges = np.histogram(e, bins=100, range=(-span, span))
    centers = 0.5 * (edges[1:] + edges[:-1])
    fig = base_figure("Error e = w − ŵ", "error (weight units)", "count", height=300, hovermode="closest",
                      bargap=0)
    fig.add_trace(go.Bar(x=display_array(centers), y=counts, name="e (histogram)", marker_color=COLORS["error"],
                         marker_line_width=0, hovertemplate="%{x:.3g}: %{y}<extra></extra>"))
    if half_step:
        top = float(counts.max()) * 1.05
        fig.add_trace(go.Scatter(x=[-half_step, -half_step, None, half_step, half_step], y=[0, top, None, 0, top],
                                 mode="lines", name="±s/2", line=THEORY_LINE, hoverinfo="skip"))
    rms = float(np.sqrt(np.mean(e ** 2)))
    text = f"RMS error {_fmt(rms)}, max |e| {_fmt(m)}, SQNR {sqnr_db:.1f} dB. "
    if half_step:
        inside = float(np.mean(np.abs(e) <= half_step * (1 + 1e-6)))
        text += (f"{inside:.1%} of the errors lie within ±s/2 = ±{_fmt(half_step)} (rounding); "
                 + ("the rest are clipped values." if inside < 1 else "none is clipped.")
                 + f" Uniform rounding predicts s²/12 → RMS {_fmt(half_step / np.sqrt(3))}.")
    else:
        text += "Each unit has its own step, so the errors of small units are narrow and of large ones wide."
    return fig, text


def scatter(w: np.ndarray, wq: np.ndarray, seed: int = 0) -> tuple[go.Figure, str]:
    """ŵ against w (at most SCATTER_POINTS, always including the largest |w|), with the line ŵ = w."""
    w, wq = np.asarray(w).ravel(), np.asarray(wq).ravel()
    n = w.size
    if n > SCATTER_POINTS:
        keep = np.argpartition(np.abs(w), n - 50)[-50:]
        rest = np.random.default_rng(seed).choice(n, SCATTER_POINTS - 50, replace=False)
        idx = np.unique(np.concatenate([keep, rest]))
    else:
        idx = np.arange(n)
    lo, hi = float(min(w.min(), wq.min())), float(max(w.max(), wq.max()))
    fig = base_figure("Quantized against original", "original w", "quantized ŵ", height=330, hovermode="closest")
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="ŵ = w", line=THEORY_LINE,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=display_array(w[idx]), y=display_array(wq[idx]), mode="markers",
                             name=f"{idx.size:,} of {n:,} weights" if idx.size < n else "weights",
                             marker=dict(size=4, color=COLORS["quantized"], opacity=0.6)))
    n_distinct = np.unique(wq).size
    text = (f"Points on a horizontal line share one value of ŵ: {n_distinct:,} distinct values for {n:,} weights. "
            "Points off the diagonal at the ends are clipped." + (f" Shown: {idx.size:,} (a random sample plus "
                                                                  "the 50 largest |w|)." if idx.size < n else ""))
    return fig, text


def channel_ranges(w: np.ndarray, axis: int, clip_lo=None, clip_hi=None, tensor_clip: tuple | None = None,
                   axis_name: str = "channel") -> tuple[go.Figure, str]:
    """Each channel's [min, max] as a bar, with the clip range each channel gets (per-channel) or the one
    range of the tensor (per-tensor). ``clip_lo``/``clip_hi``: per-channel arrays or None."""
    w = np.asarray(w, dtype=np.float64)
    mn, mx = w.min(axis=1 - axis), w.max(axis=1 - axis)
    n = mn.size
    ch = np.arange(n)
    fig = base_figure(f"Range of each {axis_name}", f"{axis_name} index", "value w", height=330,
                      hovermode="closest")
    xs = np.repeat(ch, 3).astype(np.float64)
    ys = np.column_stack([mn, mx, np.full(n, np.nan)]).ravel()
    xs[2::3] = np.nan
    fig.add_trace(go.Scatter(x=display_array(xs), y=display_array(ys), mode="lines", name="[min, max] of w",
                             line=dict(color=COLORS["original"], width=2 if n <= 300 else 1), hoverinfo="skip"))
    if clip_lo is not None:
        lo, hi = np.ravel(clip_lo), np.ravel(clip_hi)
        fig.add_trace(go.Scatter(x=display_array(np.concatenate([ch, [np.nan], ch])),
                                 y=display_array(np.concatenate([lo, [np.nan], hi])), mode="markers",
                                 name="its own clip range", marker=dict(symbol="line-ew-open", size=7,
                                                                         color=COLORS["quantized"])))
    if tensor_clip is not None:
        fig.add_trace(go.Scatter(x=[-0.5, n - 0.5, None, -0.5, n - 0.5],
                                 y=[tensor_clip[0], tensor_clip[0], None, tensor_clip[1], tensor_clip[1]],
                                 mode="lines", name="one range for the tensor", line=THEORY_LINE,
                                 hoverinfo="skip"))
    amax = np.maximum(np.abs(mn), np.abs(mx))
    ratio = float(amax.max() / max(np.median(amax), 1e-30))
    text = (f"{n} {axis_name}s; the largest max|w| is {ratio:.1f}× the median {axis_name}'s. "
            + (f"One range for the tensor is set by the widest {axis_name}: a {axis_name} of median size uses "
               f"only ~1/{ratio:.1f} of the levels." if tensor_clip is not None else
               f"Each {axis_name} gets its own range, so a narrow {axis_name} keeps all its levels."))
    return fig, text


def rd_comparison(points: list[dict], current: dict | None, variance_note: str) -> tuple[go.Figure, str]:
    """Every scheme as a point (bits per weight, SQNR) against the Gaussian bound D(R) = σ²·2^(−2R).

    ``points``: dicts with ``label``, ``bpw``, ``sqnr``, ``family`` (legend group).
    """
    fig = base_figure("Every scheme on this tensor, against the rate–distortion limit", "bits per weight R "
                      "(everything stored)", "SQNR (dB)", height=400, hovermode="closest", legend_rows=3)
    r = np.linspace(0, 17, 69)
    fig.add_trace(go.Scatter(x=r, y=gaussian_rd_sqnr_db(r), mode="lines", line=THEORY_LINE,
                             name="Gaussian R–D bound: 6.02·R dB", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=r[r >= 2], y=gaussian_rd_sqnr_db(r[r >= 2]) - 10 * np.log10(np.pi * np.e / 6),
                             mode="lines", line=dict(color=COLORS["dither"], dash="dot", width=1.5),
                             name="entropy-coded uniform (−1.53 dB, high rate)", hoverinfo="skip"))
    colors = {"INT per-tensor": COLORS["accent3"], "INT per-channel": COLORS["original"],
              "INT group 32": COLORS["accent"], "formats": COLORS["accent2"]}
    for fam, color in colors.items():
        ps = sorted((p for p in points if p["family"] == fam), key=lambda p: p["bpw"])
        if not ps:
            continue
        # labels of formats closer than 0.3 bit to the previous one alternate around their points
        where, k = [], 0
        for i, p in enumerate(ps):
            k = k + 1 if i and p["bpw"] - ps[i - 1]["bpw"] < 0.3 else 0
            where.append(("middle right", "top left", "bottom right", "top right", "bottom left", "middle left")[k % 6])
        fig.add_trace(go.Scatter(
            x=[p["bpw"] for p in ps], y=[p["sqnr"] for p in ps], name=fam,
            mode="markers+text" if fam == "formats" else "markers+lines",
            text=[p["label"] for p in ps] if fam == "formats" else None, textposition=where,
            textfont=dict(size=11), marker=dict(size=8, color=color),
            line=dict(color=color, width=1), customdata=[p["label"] for p in ps],
            hovertemplate="%{customdata}: %{x:.3g} bits/w, %{y:.1f} dB<extra></extra>"))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current["bpw"]], y=[current["sqnr"]], mode="markers", name="this setting",
                                 marker=dict(size=16, symbol="star", color=COLORS["quantized"],
                                             line=dict(color="black", width=1))))
    wide = current is not None and current["bpw"] > 9
    shown = [p for p in points if wide or p["bpw"] <= 9.5]
    ys = [p["sqnr"] for p in shown if np.isfinite(p["sqnr"])]
    fig.update_yaxes(range=[min(0.0, min(ys) - 3), max(ys) + 8])
    fig.update_xaxes(range=[0, 17.5 if wide else 9.5])
    off = [p for p in points if p not in shown]
    best = max((p for p in points if 3.0 <= p["bpw"] <= 5.0), key=lambda p: p["sqnr"] - 6.02 * p["bpw"],
               default=None)
    text = ("Each point costs its bits per weight (codes, scales, mins and tensor constants) and buys its SQNR. "
            "The dashed line is Shannon's bound for a memoryless Gaussian of the same variance: no quantizer of a "
            "Gaussian does better. " + variance_note
            + (" Off the right edge: " + ", ".join(f"{p['label']} {p['sqnr']:.1f} dB at {p['bpw']:.3g} bits"
                                                   for p in off) + "." if off else "")
            + (f" Closest to the line between 3 and 5 bits: {best['label']} "
               f"({_fmt(best['sqnr'] - 6.02 * best['bpw'])} dB from it)." if best else ""))
    return fig, text


def accuracy_vs_bits(sweep: dict, float_acc: float, formats: list[dict], current: dict | None) -> tuple[
        go.Figure, str]:
    """Test accuracy of the digits MLP (all layers quantized) against bits per weight.

    ``sweep``: family -> list of (bits per weight, accuracy); ``formats``: dicts with label, bpw, acc.
    """
    fig = base_figure("Model accuracy against bits per weight (all 3 layers quantized)",
                      "bits per weight (everything stored)", "test accuracy (%, 540 digits)", height=400,
                      hovermode="closest", legend_rows=2)
    fig.add_trace(go.Scatter(x=[0, 17], y=[100 * float_acc] * 2, mode="lines", line=THEORY_LINE,
                             name=f"float32: {100 * float_acc:.1f} %", hoverinfo="skip"))
    colors = {"INT per-tensor": COLORS["accent3"], "INT per-channel": COLORS["original"],
              "INT group 32": COLORS["accent"]}
    for fam, pts in sweep.items():
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[100 * p[1] for p in pts], mode="markers+lines",
                                 name=fam, marker=dict(size=7, color=colors.get(fam, "grey")),
                                 line=dict(color=colors.get(fam, "grey"), width=1.5),
                                 hovertemplate="%{x:.3g} bits/w: %{y:.1f} %<extra></extra>"))
    low = [p for p in formats if p["acc"] < float_acc - 0.02]  # only the formats that lose > 2 points are named
    fig.add_trace(go.Scatter(x=[p["bpw"] for p in formats], y=[100 * p["acc"] for p in formats],
                             mode="markers+text", text=[p["label"] if p in low else "" for p in formats],
                             textposition="middle right", textfont=dict(size=11), name="formats (hover for names)",
                             marker=dict(size=8, color=COLORS["accent2"]), customdata=[p["label"] for p in formats],
                             hovertemplate="%{customdata}: %{y:.1f} %<extra></extra>"))
    if current is not None and current.get("acc") is not None:
        fig.add_trace(go.Scatter(x=[current["bpw"]], y=[100 * current["acc"]], mode="markers", name="this setting",
                                 marker=dict(size=16, symbol="star", color=COLORS["quantized"],
                                             line=dict(color="black", width=1))))
    fig.update_xaxes(range=[0, 17.5])
    worst = min(p[1] for pts in sweep.values() for p in pts)
    fig.update_yaxes(range=[max(0.0, 100 * worst - 5), 101])
    t2 = dict(sweep.get("INT per-tensor", []))
    c2 = dict(sweep.get("INT per-channel", []))
    k = min((b for b in c2), default=None)
    drops = [float_acc - p["acc"] for p in formats if p["bpw"] >= 4]
    drop = max(0.0, max(drops)) if drops else None
    text = ("The same 540 held-out digits for every point. " + (
        f"At the fewest bits, per-channel keeps {100 * c2[k]:.1f} % where per-tensor at "
        f"{min(t2):.3g} bits/w keeps {100 * t2[min(t2)]:.1f} %; " if k is not None and t2 else "")
            + (f"every format at 4 bits or more keeps within {100 * drop:.1f} points of float. " if drop is not None
               else "") + "A small weight MSE does not promise a small accuracy drop, nor the reverse: read both.")
    return fig, text


def block_figure(info: BlockInfo) -> tuple[go.Figure, str]:
    """The block's values (blue) and reconstruction (orange) by position, with its levels as faint lines."""
    pos = np.arange(info.cols[0], info.cols[1])
    fig = base_figure(f"Block {info.index} of {info.n_blocks:,}: row {info.row}, columns {info.cols[0]}–"
                      f"{info.cols[1] - 1}", "position along the row (column)", "value", height=330,
                      hovermode="x")
    lv = info.levels
    lo, hi = float(min(info.x.min(), info.recon.min())), float(max(info.x.max(), info.recon.max()))
    pad = 0.1 * (hi - lo or 1.0)
    inview = lv[(lv >= lo - pad) & (lv <= hi + pad)] if lv.size else lv
    if 0 < inview.size <= MAX_LINES:
        xs = np.tile([pos[0] - 0.5, pos[-1] + 0.5, np.nan], inview.size)
        ys = np.repeat(inview, 3)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="levels this block can take",
                                 line=dict(color=COLORS["quantized"], width=0.7, dash="dot"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=pos, y=display_array(info.x), mode="markers", name="w (original)",
                             marker=dict(size=9, color=COLORS["original"])))
    fig.add_trace(go.Scatter(x=pos, y=display_array(info.recon), mode="markers", name="ŵ = q·scale + offset",
                             marker=dict(size=9, symbol="x", color=COLORS["quantized"])))
    fig.update_yaxes(range=[lo - pad, hi + pad])
    err = np.abs(info.x - info.recon)
    k = int(np.argmax(err))
    text = (f"{info.formula}; stored: {info.stored}. The largest error here is at column {info.cols[0] + k}: "
            f"w = {_fmt(info.x[k])} → ŵ = {_fmt(info.recon[k])}."
            + (f" {inview.size} levels lie in this view (dotted)." if 0 < inview.size <= MAX_LINES else ""))
    return fig, text


def block_table(info: BlockInfo) -> dict:
    """The block as columns for a table: column, w, stored code, q (what multiplies the scale), scale, offset
    (only when some is not 0), ŵ = q·scale + offset, and the error."""
    out = {"col": np.arange(info.cols[0], info.cols[1]), "w": info.x, "code": info.codes, "q": info.q,
           "scale": info.scale}
    if np.any(info.offset):
        out["offset"] = info.offset
    out.update({"ŵ": info.recon, "w − ŵ": info.x - info.recon})
    return out


def float_levels(fmt: str) -> np.ndarray:
    """Every finite value of an 8-bit float format (empty for 16-bit formats: too many to draw)."""
    return _float_levels(fmt)

