"""Figures of the Weights page: a tensor against its quantization grid, its error, its channels, one block
spelled out, and every scheme against the Gaussian rate–distortion bound.

Plotly only (no Streamlit). Each builder returns ``(figure, what_to_notice)``, the text computed from the
numbers on the figure. :func:`inspect_block` and :func:`storage_breakdown` describe what a scheme stores
for one block and per weight, from the engine's own results (:func:`quantviz.quantize_tensor`,
:func:`quantviz.quantize_format`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape as html_escape

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import (AXIS_STRIP, COLORS, LEGEND_ROW, THEORY_LINE, base_figure, display_array,
                                     point_labels)
from quantviz.formats import FLOAT_FORMATS, FORMATS, FormatResult
from quantviz.tensors import QuantizedTensor, ecsq_gaussian, gaussian_rd_sqnr_db

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


def _grid_parts(w: np.ndarray, levels: np.ndarray, clip: tuple | None, clipped_fraction: float,
                scheme: str, unit: str, n_levels_total: int | None = None,
                unit_values: np.ndarray | None = None) -> dict:
    """The data of the grid histogram (plain trace dicts, shapes, ranges, notice text): one computation for
    :func:`grid_histogram` (Plotly) and :func:`grid_histogram_svg` (static SVG).

    Histogram of the weights with the quantization grid of one unit over it.

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
    ylabel = ("density (1/unit of w)" if dens else "count") + (" (log scale)" if heavy else "")
    shapes = [dict(type="rect", yref="paper", y0=0, y1=1, x0=a, x1=b, fillcolor=COLORS["error"], opacity=0.13,
                   line_width=0, layer="below")  # the unit's clipped tails
              for a, b in (((x0, clip[0]), (clip[1], x1)) if clip is not None else ()) if b > a]
    # a log axis has no 0: empty bins sit at its bottom, half of what one value in a bin would show
    width = (x1 - x0) / 120
    floor = (0.5 / (w.size * width) if dens else 0.5) if heavy else 0.0
    if heavy and dens:
        floor = min(floor, 0.5 / (np.size(unit_values) * (x1 - x0) / 40))

    def steps(e, c):
        """A histogram as one filled step path (one SVG path instead of a bar per bin: cheaper to redraw)."""
        return display_array(np.repeat(e, 2)[1:-1]), display_array(np.maximum(np.repeat(c, 2), floor))

    traces = []
    hx, hy = steps(edges, counts)
    traces.append(dict(type="scatter", x=hx, y=hy, mode="lines", fill="tozeroy", line=dict(width=0.5, color=(
        COLORS["accent3"] if dens else COLORS["original"])), opacity=0.45 if dens else 0.75,
                             name="all values of the tensor" if dens else "w (histogram)",
                             hovertemplate="%{x:.3g}: %{y:.3g}<extra></extra>"))
    if dens:
        u = np.asarray(unit_values, dtype=np.float64).ravel()
        uc, ue = np.histogram(u, bins=40, range=(x0, x1), density=True)
        ux, uy = steps(ue, uc)
        traces.append(dict(type="scatter", x=ux, y=uy, mode="lines", fill="tozeroy", name=f"the {u.size} values of this unit",
                                 line=dict(width=1, color=COLORS["original"]), fillcolor="rgba(0,114,178,0.75)",
                                 hovertemplate="%{x:.3g}: %{y:.3g}<extra></extra>"))
        counts = np.maximum(counts, uc.max())
    lv = np.asarray(levels, dtype=np.float64)
    inview = lv[(lv >= x0) & (lv <= x1)]
    top = float(counts.max()) * (1.6 if heavy else 1.05) or 1.0
    if inview.size and inview.size <= MAX_LINES:
        xs = np.repeat(inview, 3)
        ys = np.tile([floor, top, np.nan], inview.size)
        xs[2::3] = np.nan
        traces.append(dict(type="scatter", x=display_array(xs), y=display_array(ys), mode="lines", name="levels of Q",
                                 line=dict(color=COLORS["quantized"], width=1), hoverinfo="skip"))
        drawn = f"its {inview.size} levels in view are the orange lines"
    elif inview.size and inview.size <= MAX_RUG:
        traces.append(dict(type="scatter", x=display_array(inview), y=np.full(inview.size, top, dtype=np.float32),
                                 mode="markers", name="levels of Q (ticks)", hoverinfo="skip",
                                 marker=dict(symbol="line-ns-open", size=10, color=COLORS["quantized"])))
        drawn = f"its {inview.size} levels in view are too many for lines: ticks along the top"
    else:
        drawn = (f"its levels are too dense to draw ({n_levels_total:,} in all)" if n_levels_total
                 else "its levels are too dense to draw")
    if clip is not None:
        traces.append(dict(type="scatter", x=[clip[0], clip[0], None, clip[1], clip[1]],
                                 y=[floor, top, None, floor, top], mode="lines",
                                 name="clip range (beyond: shaded)", line=THEORY_LINE, hoverinfo="skip"))
    text = (f"{scheme}: the grid of {unit}; {drawn}. "
            + ("Other units have grids of their own, so the pale values beyond this unit's range are not "
               "clipped by it. " if dens else "")
            + (f"Clip range [{_fmt(clip[0])}, {_fmt(clip[1])}]. " if clip is not None else "")
            + (f"{clipped_fraction:.2%} of all values lie beyond their own range and saturate."
               if clipped_fraction > 0 else "No value lies beyond its range (nothing saturates).")
            + (" Counts on a log scale: the tails reach beyond 6 σ." if heavy else ""))
    return dict(traces=traces, shapes=shapes, x0=x0, x1=x1, heavy=heavy, ylabel=ylabel, top=top, text=text, floor=floor,
                title=f"Weights and the grid of {unit}")




def grid_histogram(w: np.ndarray, levels: np.ndarray, clip: tuple | None, clipped_fraction: float,
                   scheme: str, unit: str, n_levels_total: int | None = None,
                   unit_values: np.ndarray | None = None) -> tuple[go.Figure, str]:
    """Histogram of the weights with the quantization grid of one unit over it (see :func:`_grid_parts`).

    Each histogram is one filled step path (not a bar per bin: cheaper to redraw).
    """
    g = _grid_parts(w, levels, clip, clipped_fraction, scheme, unit, n_levels_total, unit_values)
    fig = base_figure(g["title"], "value w", g["ylabel"], height=330,
                      yaxis=dict(type="log", range=[np.log10(g["floor"]), np.log10(g["top"] * 1.05)]) if g["heavy"]
                      else {},
                      xaxis=dict(range=[g["x0"], g["x1"]]), shapes=g["shapes"], hovermode="closest")
    fig.add_traces(g["traces"])
    return fig, g["text"]


def _nice_ticks(lo: float, hi: float, n: int = 7) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5 or 5 × 10^k apart)."""
    span = hi - lo
    if not span > 0:
        return [lo]
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-9, step)]


def _svg_num(v: float) -> str:
    if abs(v) >= 1000 and float(v).is_integer():
        return f"{v:,.0f}".replace("-", "−")
    return f"{v:.4g}".replace("-", "−")


def grid_histogram_svg(w: np.ndarray, levels: np.ndarray, clip: tuple | None, clipped_fraction: float,
                       scheme: str, unit: str, n_levels_total: int | None = None,
                       unit_values: np.ndarray | None = None) -> tuple[str, str]:
    """:func:`grid_histogram` as a static SVG document (1000 × 360 user units), and the same notice text.

    The same bins, levels, clip range and shaded tails as the Plotly figure, drawn as a few SVG paths
    (each histogram one filled step path, all level lines one path). Measured in headless Chromium,
    re-creating the Plotly version of this chart cost ~50–70 ms of browser time on every bits move; an
    ``<img>`` of this SVG costs a few ms (the Audio page's spectrograms made the same trade). The price: no
    hover or zoom.
    """
    g = _grid_parts(w, levels, clip, clipped_fraction, scheme, unit, n_levels_total, unit_values)
    x0, x1, log, text = g["x0"], g["x1"], g["heavy"], g["text"]
    W, H, L, R, T, B = 1000, 360, 78, 985, 46, 262  # plot area [L, R] × [T, B]
    traces = g["traces"]
    top = g["top"]
    if log:
        ylo, yhi = np.log10(g["floor"]), np.log10(top * 1.05)
        fy = lambda v: B - (B - T) * (np.log10(np.maximum(v, g["floor"])) - ylo) / (yhi - ylo)  # noqa: E731
    else:
        yhi = top * 1.05 or 1.0
        fy = lambda v: B - (B - T) * np.asarray(v, dtype=np.float64) / yhi  # noqa: E731
    fx = lambda v: L + (R - L) * (np.asarray(v, dtype=np.float64) - x0) / (x1 - x0)  # noqa: E731
    font = 'font-family="Open Sans, Verdana, Arial, sans-serif"'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" {font} '
           'font-size="14" fill="#444">', '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="8" y="24" font-size="17" fill="#2a3f5f">{html_escape(g["title"])}</text>',
           f'<clipPath id="pa"><rect x="{L}" y="{T}" width="{R - L}" height="{B - T}"/></clipPath>']
    for sh in g["shapes"]:  # the clipped tails
        a, b = float(fx(sh["x0"])), float(fx(sh["x1"]))
        out.append(f'<rect x="{min(a, b):.1f}" y="{T}" width="{abs(b - a):.1f}" height="{B - T}" '
                   f'fill="{COLORS["error"]}" fill-opacity="0.13"/>')
    # grid lines and ticks
    xt = _nice_ticks(x0, x1)
    grid = "".join(f"M{float(fx(v)):.1f} {T}V{B}" for v in xt)
    if log:
        yt = [10.0 ** k for k in range(int(np.ceil(ylo)), int(np.floor(yhi)) + 1)]
    else:
        yt = _nice_ticks(0.0, yhi, 5)
    grid += "".join(f"M{L} {float(fy(v)):.1f}H{R}" for v in yt)
    out.append(f'<path d="{grid}" stroke="#e6e6e6" stroke-width="1" fill="none"/>')
    out.append('<g clip-path="url(#pa)">')
    legend = []
    for t in traces:
        x = np.asarray([np.nan if v is None else v for v in t["x"]], dtype=np.float64)
        y = np.asarray([np.nan if v is None else v for v in t["y"]], dtype=np.float64)
        color = t["line"]["color"] if "line" in t else t["marker"]["color"]
        if t.get("fill") == "tozeroy":  # a histogram: one filled step path down to the axis
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(fx(x), fy(y)))
            op = t.get("opacity", 0.75)
            out.append(f'<polygon points="{float(fx(x[0])):.1f},{B} {pts} {float(fx(x[-1])):.1f},{B}" '
                       f'fill="{color}" fill-opacity="{op:.2f}" stroke="{color}" stroke-width="0.6"/>')
            legend.append(("area", color, t["name"]))
        elif t["mode"] == "lines":  # level lines or the clip range: NaN/None-separated vertical segments
            d, pen = [], False
            for a, b in zip(x, y):
                if not (np.isfinite(a) and np.isfinite(b)):
                    pen = False
                    continue
                d.append(f"{'L' if pen else 'M'}{float(fx(a)):.1f} {float(fy(b)):.1f}")
                pen = True
            dash = ' stroke-dasharray="6 4"' if t["line"].get("dash") == "dash" else ""
            out.append(f'<path d="{"".join(d)}" stroke="{color}" stroke-width="{t["line"].get("width", 1)}" '
                       f'fill="none"{dash}/>')
            legend.append(("dash" if dash else "line", color, t["name"]))
        else:  # a rug of level ticks along the top
            d = "".join(f"M{float(fx(a)):.1f} {T}v10" for a in x)
            out.append(f'<path d="{d}" stroke="{color}" stroke-width="1" fill="none"/>')
            legend.append(("line", color, t["name"]))
    out.append("</g>")
    out.append(f'<rect x="{L}" y="{T}" width="{R - L}" height="{B - T}" fill="none" stroke="#444" stroke-width="1"/>')
    for v in xt:
        out.append(f'<text x="{float(fx(v)):.1f}" y="{B + 18}" text-anchor="middle">{_svg_num(v)}</text>')
    for v in yt:
        out.append(f'<text x="{L - 6}" y="{float(fy(v)) + 5:.1f}" text-anchor="end">{_svg_num(v)}</text>')
    out.append(f'<text x="{(L + R) / 2}" y="{B + 40}" text-anchor="middle" font-size="15">'
               f'{"value w"}</text>')
    out.append(f'<text transform="translate(18 {(T + B) / 2}) rotate(-90)" text-anchor="middle" font-size="15">'
               f'{html_escape(g["ylabel"])}</text>')
    lx, ly = L, B + 70
    for kind, color, name in legend:
        if kind == "area":
            out.append(f'<rect x="{lx}" y="{ly - 10}" width="22" height="11" fill="{color}" fill-opacity="0.7"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            out.append(f'<path d="M{lx} {ly - 4}h22" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 28}" y="{ly}">{html_escape(name)}</text>')
        lx += 40 + 7.2 * len(name)
    out.append("</svg>")
    return "".join(out), text


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


@lru_cache(maxsize=1)
def _ecsq_curve():
    """The entropy-coded uniform quantizer of a unit Gaussian at 90 steps (the same for every tensor: ~14 ms)."""
    r, d = ecsq_gaussian(np.geomspace(0.002, 8, 90))
    r.flags.writeable = d.flags.writeable = False
    return r, d


def rd_comparison(points: list[dict], current: dict | None, variance_note: str,
                  lloyd: tuple | None = None) -> tuple[go.Figure, str]:
    """Every scheme as a point (bits per weight, SQNR) against the Gaussian bound D(R) = σ²·2^(−2R).

    ``points``: dicts with ``label``, ``bpw``, ``sqnr``, ``family`` (legend group).
    """
    fig = base_figure("Every scheme on this tensor, against the rate–distortion limit", "bits per weight R "
                      "(everything stored)", "SQNR (dB)", height=420, hovermode="closest", legend_rows=4)
    r = np.linspace(0, 17, 69)
    fig.add_trace(go.Scatter(x=r, y=gaussian_rd_sqnr_db(r), mode="lines", line=THEORY_LINE,
                             name="Gaussian R–D bound: 6.02·R dB", hoverinfo="skip"))
    er, emse = _ecsq_curve()
    fig.add_trace(go.Scatter(x=er, y=-10 * np.log10(emse), mode="lines",
                             line=dict(color=COLORS["dither"], dash="dot", width=1.5),
                             name="entropy-coded uniform, Gaussian (exact; −1.53 dB at high rate)",
                             hovertemplate="ECSQ: %{x:.2f} bits, %{y:.2f} dB<extra></extra>"))
    if lloyd is not None:
        lloyd_max_trace(fig, *lloyd)
    colors = {"INT per-tensor": COLORS["accent3"], "INT per-channel": COLORS["original"],
              "INT group 32": COLORS["accent"], "formats": COLORS["accent2"]}
    for fam, color in colors.items():
        ps = sorted((p for p in points if p["family"] == fam), key=lambda p: p["bpw"])
        if not ps:
            continue
        fig.add_trace(go.Scatter(
            x=[p["bpw"] for p in ps], y=[p["sqnr"] for p in ps], name=fam,
            mode="markers" if fam == "formats" else "markers+lines", marker=dict(size=8, color=color),
            line=dict(color=color, width=1), customdata=[p["label"] for p in ps],
            hovertemplate="%{customdata}: %{x:.3g} bits/w, %{y:.1f} dB<extra></extra>"))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current["bpw"]], y=[current["sqnr"]], mode="markers", name="this setting",
                                 marker=dict(size=16, symbol="star", color=COLORS["quantized"],
                                             line=dict(color="black", width=1))))
    wide = current is not None and current["bpw"] > 9
    shown = [p for p in points if wide or p["bpw"] <= 9.5]
    ys = [p["sqnr"] for p in shown if np.isfinite(p["sqnr"])]
    y_range, x_range = [min(0.0, min(ys) - 3), max(ys) + 8], [0, 17.5 if wide else 9.5]
    fig.update_yaxes(range=y_range)
    fig.update_xaxes(range=x_range)
    # the formats' names: placed apart (four 4-bit formats lie within 1 dB and 0.4 bit of each other)
    named = [p for p in points if p["family"] == "formats" and x_range[0] <= p["bpw"] <= x_range[1]
             and np.isfinite(p["sqnr"])]
    plot_h = 420 - 44 - (AXIS_STRIP + 4 * LEGEND_ROW)
    fig.update_layout(annotations=point_labels([p["bpw"] for p in named], [p["sqnr"] for p in named],
                                               [p["label"] for p in named], x_range, y_range, (800, plot_h),
                                               color=COLORS["accent2"],
                                               avoid=[(p["bpw"], p["sqnr"]) for p in shown if p not in named]
                                               + ([(current["bpw"], current["sqnr"])] if current else [])))
    off = [p for p in points if p not in shown]
    best = max((p for p in points if 3.0 <= p["bpw"] <= 5.0), key=lambda p: p["sqnr"] - 6.02 * p["bpw"],
               default=None)
    lm = ""
    if lloyd is not None:
        r4 = dict(zip(np.asarray(lloyd[0]).tolist(), np.asarray(lloyd[1]).tolist()))
        lm = (f"The diamonds are the best fixed-rate scalar quantizer of a Gaussian (Lloyd-Max, 2^R levels, no "
              f"scales stored): {r4.get(4, float('nan')):.2f} dB at 4 bits, {gaussian_rd_sqnr_db(4) - r4.get(4, 0):.2f} dB "
              "under the bound; entropy coding a uniform quantizer's output (dotted, computed exactly for a Gaussian) "
              "closes all but 1.53 dB at high rate (below about 2.5 bits, with mid-point reconstruction, it "
              "falls under Lloyd-Max). ")
    text = ("Each point costs its bits per weight (codes, scales, mins and tensor constants) and buys its SQNR. "
            "The dashed line is Shannon's bound for a memoryless Gaussian of the same variance: no quantizer of a "
            "Gaussian does better. " + lm + variance_note
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



# ---- the views one click away ------------------------------------------------------------------------------

_FAM_COLORS = {"NF4": COLORS["accent2"], "INT4 affine": COLORS["original"], "INT4 symmetric": COLORS["accent3"]}
_METHOD_LABELS = {"int8_tensor": "INT8 per tensor", "int8_vectorwise": "INT8 per token (vector-wise)",
                  "llm_int8": "LLM.int8(): outliers in FP16", "smoothquant": "SmoothQuant + INT8 per tensor"}


def lloyd_max_trace(fig: go.Figure, rates, sqnr) -> go.Figure:
    """Add the Gaussian Lloyd-Max quantizer (fixed rate, 2^R levels) to a rate–distortion figure."""
    fig.add_trace(go.Scatter(x=np.asarray(rates, float), y=np.asarray(sqnr, float), mode="lines+markers",
                             name="Lloyd-Max, Gaussian (2^R levels)", line=dict(color=COLORS["theory"], width=1),
                             marker=dict(size=6, symbol="diamond-open", color=COLORS["theory"]),
                             hovertemplate="Lloyd-Max %{x} bits: %{y:.2f} dB<extra></extra>"))
    return fig


def outlier_methods(res: dict, threshold: float, alpha: float) -> tuple[go.Figure, str]:
    """Product SQNR of Ŷ ≈ XW for each way of handling X's outlier channels (bars)."""
    keys = list(_METHOD_LABELS)
    vals = [res[k]["sqnr"] for k in keys]
    fig = base_figure("SQNR of the product Y = XW, INT8", "", "SQNR of XW (dB)", height=330, legend_rows=0,
                      showlegend=False, hovermode="closest", margin=dict(l=60, r=10, t=44, b=96))
    fig.add_trace(go.Bar(x=[_METHOD_LABELS[k].replace(": ", ":<br>").replace(" + ", " +<br>").replace(" (", "<br>(")
                            for k in keys], y=vals, text=[f"{v:.1f} dB" for v in vals], textposition="outside",
                         marker_color=[COLORS["error"], COLORS["accent3"], COLORS["accent"], COLORS["accent2"]],
                         hovertemplate="%{x}: %{y:.2f} dB<extra></extra>"))
    fig.update_yaxes(range=[0, max(vals) * 1.18])
    t, v, li, sq = (res[k]["sqnr"] for k in keys)
    text = (f"One INT8 step for all of X is s = max|X|/127 = {_fmt(res['int8_tensor']['step'])}: the bulk "
            f"(RMS {_fmt(res['bulk_rms'])}) gets about {2 * 3.5 / res['int8_tensor']['step']:.0f} levels over ±3.5. "
            f"LLM.int8() keeps the {res['n_outliers']} feature column(s) with max|X_j| ≥ {threshold:g} in FP16 and "
            f"quantizes the rest per token (step ≈ {_fmt(res['llm_int8']['step'])}): {li - t:+.1f} dB. SmoothQuant "
            f"at α = {alpha:.2f} divides column j by s_j and multiplies row j of W by it (XW unchanged before "
            f"rounding), then plain per-tensor INT8 (step {_fmt(res['smoothquant']['step'])}): {sq - t:+.1f} dB. "
            "Measured on the product, which is what the next layer sees.").replace("+-", "−")
    return fig, text


def smoothquant_view(alphas, sqnrs, alpha: float, amax_x, amax_xs, amax_w, amax_ws) -> tuple[go.Figure, str]:
    """Per-feature maxima of X and W before and after SmoothQuant's migration, and SQNR(α) as an inset-like
    second trace on its own axis."""
    fig = base_figure(f"Per-feature maxima: X and W, before and after smoothing (α = {alpha:.2f})",
                      "feature channel j", "max |·| (log)", height=330, hovermode="closest",
                      legend_rows=2, yaxis=dict(type="log", tickvals=[0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100],
                                                ticktext=["0.01", "0.03", "0.1", "0.3", "1", "3", "10", "30", "100"]))
    j = np.arange(len(amax_x))
    for y, name, color, sym in ((amax_x, "max|X_j| (activations)", COLORS["error"], "circle"),
                                (amax_w, "max|W_j| (weights)", COLORS["original"], "circle"),
                                (amax_xs, "after: max|X_j| / s_j", COLORS["error"], "x"),
                                (amax_ws, "after: s_j · max|W_j|", COLORS["original"], "x")):
        fig.add_trace(go.Scatter(x=j, y=display_array(y), mode="markers", name=name,
                                 marker=dict(size=4 if sym == "circle" else 5, color=color, symbol=sym,
                                             opacity=0.5 if sym == "circle" else 0.9),
                                 hovertemplate="j = %{x}: %{y:.3g}<extra>" + name + "</extra>"))
    best = int(np.argmax(sqnrs))
    ratio_before = float(np.max(amax_x) / np.median(amax_x))
    ratio_after = float(np.max(amax_xs) / np.median(amax_xs))
    text = (f"s_j = max|X_j|^α / max|W_j|^(1−α). Before, the largest activation column is {ratio_before:.0f}× the "
            f"median column; after, {ratio_after:.1f}×: the weights take the difference, and a weight row is easy "
            f"to quantize per output channel (at α = 0.5 the two crosses coincide: √(max|X_j|·max|W_j|)). On this X the product SQNR is {sqnrs[0]:.1f} dB at α = 0 (no "
            f"migration), {sqnrs[best]:.1f} dB at α = {alphas[best]:.2f} (the best), {sqnrs[-1]:.1f} dB at α = 1 "
            "(all of it moved to W). The paper's default is 0.5.")
    return fig, text


def smoothquant_alpha(alphas, sqnrs, alpha: float) -> go.Figure:
    fig = base_figure("SmoothQuant: product SQNR against α", "migration strength α", "SQNR of XW (dB)", height=330,
                      hovermode="closest", legend_rows=1)
    fig.add_trace(go.Scatter(x=list(alphas), y=list(sqnrs), mode="lines+markers", name="SmoothQuant, INT8",
                             line=dict(color=COLORS["accent2"]), marker=dict(size=5),
                             hovertemplate="α = %{x:.2f}: %{y:.2f} dB<extra></extra>"))
    k = int(np.argmin(np.abs(np.asarray(alphas) - alpha)))
    fig.add_trace(go.Scatter(x=[alphas[k]], y=[sqnrs[k]], mode="markers", name="this α",
                             marker=dict(size=14, symbol="star", color=COLORS["quantized"],
                                         line=dict(color="black", width=1))))
    return fig


def accumulation_figure(acc: dict) -> tuple[go.Figure, str]:
    """Running sums of 10,000 uniforms in each accumulator format against the exact sum."""
    fig = base_figure("Summing 10,000 values of U[0, 1) one at a time", "number of values added k (log)",
                      "running sum (log)", height=360, hovermode="closest", legend_rows=2,
                      xaxis=dict(type="log", dtick=1), yaxis=dict(type="log", dtick=1))
    k = np.asarray(acc["k"], dtype=np.float64)
    fig.add_trace(go.Scatter(x=k, y=np.asarray(acc["fp64"][0], float), mode="lines", line=THEORY_LINE,
                             name=f"float64: {acc['exact']:,.1f}", hoverinfo="skip"))
    names = {"fp32": "FP32 (24-bit significand)", "fp16": "FP16 (11)", "bf16": "BF16 (8)", "fp8_e4m3": "FP8 E4M3 (4)"}
    colors = {"fp32": COLORS["original"], "fp16": COLORS["accent"], "bf16": COLORS["quantized"],
              "fp8_e4m3": COLORS["error"]}
    for fmt, name in names.items():
        s, last = acc[fmt]
        fig.add_trace(go.Scatter(x=k, y=np.maximum(np.asarray(s, float), 1e-3), mode="lines",
                                 name=f"{name}: {last:,.6g}", line=dict(color=colors[fmt], width=2),
                                 hovertemplate="k = %{x}: %{y:,.6g}<extra>" + name + "</extra>"))
    text = (f"Exact sum {acc['exact']:,.1f}. FP32 reaches {acc['fp32'][1]:,.1f}; FP16 stops at "
            f"{acc['fp16'][1]:,.0f} = 2¹¹ and BF16 at {acc['bf16'][1]:,.0f} = 2⁸ (ml_dtypes' own example): from 2^p on "
            "the spacing of a p-bit significand is 2, and adding a value below 1 rounds back to the same sum. "
            f"FP8 E4M3 stops at {acc['fp8_e4m3'][1]:g}. So tensor cores multiply BF16/FP8 operands but accumulate "
            "in FP32, and INT8 products are summed in INT32.")
    return fig, text


def blocksize_figure(sweep: dict) -> tuple[go.Figure, str]:
    """SQNR of NF4 and INT4 (affine, symmetric) against the block size, on three tensors."""
    fig = base_figure("NF4 vs INT4 by block size (the tensor flattened, one scale per block)",
                      "block size B (values per scale, log₂)", "SQNR (dB)", height=380, hovermode="closest",
                      legend_rows=3, xaxis=dict(type="log", tickvals=list(sweep["Gaussian"]["sizes"]),
                                                ticktext=[str(b) for b in sweep["Gaussian"]["sizes"]]))
    dashes = {"this tensor": "solid", "Gaussian": "dash", "Student-t (ν = 3)": "dot"}
    cross = []
    for src, d in sweep.items():
        for fam, ys in d["sqnr"].items():
            if fam == "INT4 symmetric" and src != "this tensor":
                continue
            fig.add_trace(go.Scatter(x=d["sizes"], y=ys, mode="lines+markers", name=f"{fam}, {src}",
                                     line=dict(color=_FAM_COLORS[fam], dash=dashes[src], width=2),
                                     marker=dict(size=6), customdata=d["bpw"][fam],
                                     hovertemplate=f"{fam}, {src}, B = %{{x}}: %{{y:.2f}} dB at "
                                                   "%{customdata:.4g} bits/w<extra></extra>"))
        nf, ia = np.asarray(d["sqnr"]["NF4"]), np.asarray(d["sqnr"]["INT4 affine"])
        wins = [b for b, a, c in zip(d["sizes"], nf, ia) if a > c]
        sg = lambda v: f"{v:+.1f}".replace("-", "−")  # noqa: E731
        cross.append(f"{src}: NF4 {sg(nf[0] - ia[0])} dB against affine INT4 at B = {d['sizes'][0]}, "
                     + (f"NF4 ahead from B = {wins[0]}" if wins else "affine INT4 ahead at every B")
                     + (f" ({sg(nf[-1] - ia[-1])} dB at {d['sizes'][-1]})" if len(nf) > 1 else ""))
    text = ("NF4 stores 4 + 32/B bits per weight (an FP32 absmax per block), affine INT4 4 + 36/B (FP32 scale + "
            "4-bit zero point), symmetric INT4 4 + 32/B. Small blocks track the local range, so the uniform grid's "
            "extra level and zero point pay; large blocks see the whole bell curve, where NF4's normal quantiles "
            "fit better. " + "; ".join(cross).replace("+-", "−") + ". bitsandbytes' users found affine INT4 "
            "ahead at block 32 on most layers (its issue #2086).")
    return fig, text


def bridge_figure(b: dict) -> tuple[go.Figure, str]:
    """Predicted s²/12 against measured MSE for symmetric per-tensor min–max INT b."""
    fig = base_figure("The Signals page's Δ²/12 on this tensor (symmetric, per tensor, min–max)", "bits b",
                      "MSE (log)", height=330, hovermode="x", legend_rows=1,
                      yaxis=dict(type="log", exponentformat="power"))
    fig.add_trace(go.Scatter(x=b["bits"], y=b["pred"], mode="lines+markers", name="predicted s²/12",
                             line=THEORY_LINE, marker=dict(size=7, color="black")))
    fig.add_trace(go.Scatter(x=b["bits"], y=b["meas"], mode="markers", name="measured mean (w − ŵ)²",
                             marker=dict(size=9, color=COLORS["error"])))
    r = np.asarray(b["meas"]) / np.asarray(b["pred"])
    text = (f"s = max|w|/(2^(b−1) − 1). Measured / predicted: "
            + ", ".join(f"{x:.2f} at {k} bits" for k, x in zip(b["bits"], r))
            + ". The uniform-error model (Bennett: e spread evenly over ±s/2) holds once many levels cover the "
            "bulk; with a few levels most weights fall in the zero cell and the error is w itself, not s²/12.")
    return fig, text


def sensitivity_figure(sens: list[float], names, float_acc: float, label: str) -> go.Figure:
    fig = base_figure(f"One layer at a time: {label}", "", "test accuracy (%)", height=300, legend_rows=0,
                      showlegend=False, hovermode="closest", margin=dict(l=60, r=10, t=44, b=50))
    order = np.argsort(sens)
    colors = [COLORS["error"] if i == order[0] else COLORS["original"] for i in range(len(sens))]
    fig.add_trace(go.Bar(x=list(names), y=[100 * s for s in sens], marker_color=colors,
                         text=[f"{100 * s:.1f} %" for s in sens], textposition="outside",
                         hovertemplate="%{x}: %{y:.2f} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=list(names), y=[100 * float_acc] * len(sens), mode="lines", line=THEORY_LINE,
                             hoverinfo="skip"))
    lo = min(min(sens), float_acc)
    fig.update_yaxes(range=[max(0.0, 100 * lo - 8), 101.5])
    return fig


def pareto_figure(pts: list[dict], front, names, promoted: list[dict], float_acc: float,
                  current: dict | None) -> tuple[go.Figure, str]:
    """Accuracy against model size for every per-layer bit assignment, the Pareto front and the promotion path."""
    fig = base_figure("Mixed precision: every per-layer choice of 2/3/4/8 bits", "weights' size (KiB, scales "
                      "included)", "test accuracy (%)", height=400, hovermode="closest", legend_rows=3)
    kib = np.array([p["bytes"] / 1024 for p in pts])
    acc = np.array([100 * p["acc"] for p in pts])
    lab = ["/".join(map(str, p["bits"])) for p in pts]
    fig.add_trace(go.Scatter(x=kib, y=acc, mode="markers", name="one assignment (bits of " + "/".join(names) + ")",
                             marker=dict(size=6, color=COLORS["accent3"], opacity=0.7), customdata=lab,
                             hovertemplate="%{customdata}: %{x:.2f} KiB, %{y:.1f} %<extra></extra>"))
    f = np.asarray(front)
    o = np.argsort(kib[f])
    fig.add_trace(go.Scatter(x=kib[f][o], y=acc[f][o], mode="lines+markers", name="Pareto front",
                             line=dict(color=COLORS["theory"], shape="hv", width=1.5), marker=dict(size=7),
                             customdata=np.asarray(lab)[f][o],
                             hovertemplate="%{customdata}: %{x:.2f} KiB, %{y:.1f} %<extra></extra>"))
    fig.add_trace(go.Scatter(x=[p["bytes"] / 1024 for p in promoted], y=[100 * p["acc"] for p in promoted],
                             mode="lines+markers+text", name="promote the k most sensitive (k = 0…3)",
                             text=[f"k={k}" for k in range(len(promoted))],
                             textposition=["top left"] * (len(promoted) - 1) + ["bottom left"],
                             line=dict(color=COLORS["accent"], width=2), marker=dict(size=9)))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current["bytes"] / 1024], y=[100 * current["acc"]], mode="markers",
                                 name="this choice", marker=dict(size=16, symbol="star", color=COLORS["quantized"],
                                                                 line=dict(color="black", width=1))))
    fig.add_trace(go.Scatter(x=[kib.min(), kib.max()], y=[100 * float_acc] * 2, mode="lines", line=THEORY_LINE,
                             name=f"float32 {100 * float_acc:.1f} %",
                             hoverinfo="skip"))
    fig.update_yaxes(range=[max(0.0, acc.min() - 3), 101])
    on = [lab[i] for i in np.flatnonzero(f)]
    verdicts = []
    for k, p in enumerate(promoted):
        best = max((q for q, keep in zip(pts, f) if keep and q["bytes"] <= p["bytes"]), key=lambda q: q["acc"])
        gap = 100 * (best["acc"] - p["acc"])
        verdicts.append(f"k = {k} ({'/'.join(map(str, p['bits']))}) " + (
            "is on the front" if gap <= 0 else f"is {gap:.1f} points under the front "
                                               f"({'/'.join(map(str, best['bits']))} is no larger)"))
    text = (f"{len(pts)} assignments, {int(f.sum())} on the front (no other is both smaller and more accurate): "
            + ", ".join(on) + ". Promoting the layer that one-at-a-time quantization hurts most: "
            + "; ".join(verdicts) + ". One-at-a-time sensitivity ignores how the layers' errors add up and "
                                    "what each layer costs in bytes, so it is a heuristic, not the front.")
    return fig, text


def qat_figure(qat: dict, float_acc: float) -> tuple[go.Figure, str]:
    """PTQ against QAT accuracy at each shipped bit width (per-channel symmetric INT)."""
    fig = base_figure("Post-training vs quantization-aware training (per-channel INT)", "",
                      "test accuracy (%)", height=360, hovermode="closest", legend_rows=3)
    xs = [f"INT{b}" for b in qat]
    for i, (name, color) in enumerate((("PTQ: round the float model", COLORS["error"]),
                                       ("QAT: 15 epochs fine-tuned with fake quantization (STE)", COLORS["accent"]))):
        ys = [100 * v[i] for v in qat.values()]
        fig.add_trace(go.Bar(x=xs, y=ys, name=name, marker_color=color, text=[f"{y:.1f} %" for y in ys],
                             textposition="outside"))
    fig.add_trace(go.Scatter(x=xs, y=[100 * float_acc] * len(xs), mode="lines+markers", line=THEORY_LINE,
                             marker=dict(size=1), name=f"float {100 * float_acc:.1f} %"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[max(0.0, 100 * min(v[0] for v in qat.values()) - 10), 104])
    text = "; ".join(f"INT{b}: PTQ {100 * p:.1f} %, QAT {100 * q:.1f} % ({100 * (q - p):+.1f} points)"
                     for b, (p, q) in qat.items())
    text += (". QAT trains through the rounding: the forward pass uses the quantized weights, the gradient "
             "passes to the float shadow weights as if rounding were the identity (straight-through estimator), "
             "so the weights settle where their rounded copy works.")
    return fig, text


def activation_modes_figure(modes: dict, float_acc: float) -> tuple[go.Figure, str]:
    fig = base_figure("Activations quantized, weights float: static vs dynamic ranges", "activation bits",
                      "test accuracy (%)", height=360, hovermode="x", legend_rows=3)
    fig.add_trace(go.Scatter(x=modes["bits"], y=[100 * a for a in modes["static"]], mode="lines+markers",
                             name="static: min–max of 200 calibration digits", line=dict(color=COLORS["original"])))
    fig.add_trace(go.Scatter(x=modes["bits"], y=[100 * a for a in modes["dynamic"]], mode="lines+markers",
                             name="dynamic: each digit's own min–max", line=dict(color=COLORS["quantized"], dash="dot")))
    fig.add_trace(go.Scatter(x=[2, 8], y=[100 * float_acc] * 2, mode="lines", line=THEORY_LINE, name="float",
                             hoverinfo="skip"))
    lo = min(modes["static"] + modes["dynamic"])
    fig.update_yaxes(range=[max(0.0, 100 * lo - 3), 100.5])
    text = ("Every layer's input as affine INT b. Static: one range per layer fixed in advance on calibration data "
            "(no work at run time, fails when inputs drift); dynamic: each input's own min and max, computed at run "
            "time. At 2 bits: static " f"{100 * modes['static'][0]:.1f} %, dynamic {100 * modes['dynamic'][0]:.1f} %; "
            f"at 8 bits both within {100 * max(float_acc - modes['static'][-1], float_acc - modes['dynamic'][-1], 0):.1f}"
            " points of float.")
    return fig, text


_REF_NAMED = ("q8_0", "q6_K", "q5_0", "q4_0", "q4_K_M", "q3_K_M", "q3_K_S", "q2_K")


def reference_figure(rows: list[dict], sweep: dict, formats: list[dict], float_acc: float) -> tuple[go.Figure, str]:
    """llama.cpp's LLaMA-3-8B perplexity and the digits MLP's accuracy against one bits-per-weight axis."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.13,
                        subplot_titles=("LLaMA-3-8B, Wikitext-2: perplexity added by quantization (llama.cpp's table)",
                                        "digits MLP (this page), test accuracy"))
    plain = [r for r in rows if r["imatrix"] == "None" and r["quant"] != "f16"]
    imat = [r for r in rows if r["imatrix"] != "None"]
    for rs, name, sym in ((plain, "llama.cpp type, no imatrix", "circle"),
                          (imat, "with importance matrix (WT 10m)", "circle-open")):
        fig.add_trace(go.Scatter(x=[r["bpw"] for r in rs], y=[r["delta_ppl"] for r in rs], mode="markers+text"
                                 if sym == "circle" else "markers", name=name,
                                 text=[r["quant"] if r["quant"] in _REF_NAMED else "" for r in rs]
                                 if sym == "circle" else None, textposition="top right",
                                 textfont=dict(size=10), marker=dict(size=8, symbol=sym, color=COLORS["accent2"]),
                                 customdata=[[r["quant"], r["ppl"], r["kld"]] for r in rs],
                                 hovertemplate="%{customdata[0]}: %{x:.3f} bits/w, PPL %{customdata[1]:.3f} "
                                               "(+%{y:.3f}), KLD %{customdata[2]:.4f}<extra></extra>"),
                      row=1, col=1)
    f16r = next(r for r in rows if r["quant"] == "f16")
    f16 = f16r["ppl"] - f16r["delta_ppl"]  # the FP16 model's own perplexity (its row differs by the logit storage)
    colors = {"INT per-tensor": COLORS["accent3"], "INT per-channel": COLORS["original"],
              "INT group 32": COLORS["accent"]}
    for fam, pts in sweep.items():
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[100 * p[1] for p in pts], mode="lines+markers",
                                 name=f"digits: {fam}", line=dict(color=colors.get(fam, "grey"), width=1.5),
                                 marker=dict(size=6)), row=2, col=1)
    fig.add_trace(go.Scatter(x=[p["bpw"] for p in formats], y=[100 * p["acc"] for p in formats], mode="markers",
                             name="digits: storage formats", marker=dict(size=8, color=COLORS["accent2"]),
                             customdata=[p["label"] for p in formats],
                             hovertemplate="%{customdata}: %{x:.3g} bits/w, %{y:.1f} %<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=[0.8, 17], y=[100 * float_acc] * 2, mode="lines", line=THEORY_LINE,
                             name="digits float32", hoverinfo="skip", showlegend=False), row=2, col=1)
    fig.update_layout(height=620, template="none", plot_bgcolor="white", paper_bgcolor="white",
                      margin=dict(l=70, r=18, t=40, b=120), hovermode="closest", font=dict(size=13),
                      legend=dict(orientation="h", yref="container", y=0.0, yanchor="bottom", x=0.0, font=dict(size=11)))
    fig.update_yaxes(type="log", title_text="ΔPPL vs FP16 (log)", row=1, col=1, showgrid=True, gridcolor="#e6e6e6",
                     tickvals=[0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30], range=[np.log10(0.0015), np.log10(90)])
    worst = min(p[1] for pts in sweep.values() for p in pts)
    fig.update_yaxes(title_text="accuracy (%)", range=[max(0, 100 * worst - 5), 101], row=2, col=1, showgrid=True,
                     gridcolor="#e6e6e6")
    fig.update_xaxes(range=[0.8, 9.5], showgrid=True, gridcolor="#e6e6e6")
    fig.update_xaxes(title_text="bits per weight (everything stored; llama.cpp: whole file)", row=2, col=1)
    by = {r["quant"]: r for r in plain}
    text = (f"Same rate axis, two models. LLaMA-3-8B: Q8_0 at {by['q8_0']['bpw']:.2f} bits/w adds "
            f"{by['q8_0']['delta_ppl']:.3f} to the perplexity, Q4_0 at {by['q4_0']['bpw']:.2f} adds "
            f"{by['q4_0']['delta_ppl']:.2f} ({100 * by['q4_0']['delta_ppl'] / f16:.1f} %), Q4_K_M at "
            f"{by['q4_K_M']['bpw']:.2f} {by['q4_K_M']['delta_ppl']:.2f}, Q2_K at {by['q2_K']['bpw']:.2f} "
            f"{by['q2_K']['delta_ppl']:.2f}. The file's bits per weight is above the format's own (Q4_0: 4.5) because "
            "llama.cpp keeps the output matrix at Q6_K. Off the right edge: FP16 at "
            f"{f16r['bpw']:.2f} bits/w (perplexity {f16:.3f}) and the digits model's FP16/BF16. Both models degrade gently down to about 4 bits and fall "
            "off below 3; the small MLP forgives more, since 10 classes leave a wide margin.")
    return fig, text


def perplexity_vs_bits(sweep: dict, float_ppl: float, formats: list[dict], unigram: float,
                       current: dict | None) -> tuple[go.Figure, str]:
    """Held-out perplexity per character of the character-level MLP against bits per weight."""
    fig = base_figure("Character-level model (Shakespeare's Sonnets): perplexity against bits per weight",
                      "bits per weight (everything stored)", "perplexity per character (log)", height=400,
                      hovermode="closest", legend_rows=2,
                      yaxis=dict(type="log", tickvals=[5, 6, 7, 8, 10, 15, 20, 30, 50, 70, 100]))
    fig.add_trace(go.Scatter(x=[0, 17], y=[float_ppl] * 2, mode="lines", line=THEORY_LINE,
                             name=f"float32: {float_ppl:.2f}", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[0, 17], y=[unigram] * 2, mode="lines",
                             line=dict(color=COLORS["dither"], dash="dot", width=1.5),
                             name=f"letter frequencies alone: {unigram:.1f}", hoverinfo="skip"))
    colors = {"INT per-tensor": COLORS["accent3"], "INT per-channel": COLORS["original"],
              "INT group 32": COLORS["accent"]}
    for fam, pts in sweep.items():
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers+lines", name=fam,
                                 marker=dict(size=7, color=colors.get(fam, "grey")),
                                 line=dict(color=colors.get(fam, "grey"), width=1.5),
                                 hovertemplate="%{x:.3g} bits/w: perplexity %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[p["bpw"] for p in formats], y=[p["ppl"] for p in formats], mode="markers",
                             name="formats (hover for names)", marker=dict(size=8, color=COLORS["accent2"]),
                             customdata=[p["label"] for p in formats],
                             hovertemplate="%{customdata}: %{x:.3g} bits/w, perplexity %{y:.3f}<extra></extra>"))
    if current is not None:
        fig.add_trace(go.Scatter(x=[current["bpw"]], y=[current["ppl"]], mode="markers", name="this setting",
                                 marker=dict(size=16, symbol="star", color=COLORS["quantized"],
                                             line=dict(color="black", width=1))))
    fig.update_xaxes(range=[0, 17.5])
    by = {p["label"]: p for p in formats}
    ch = sweep.get("INT per-channel", [])  # (bits per weight, perplexity) at b = 2 … 8
    text = (f"Perplexity = exp(mean −ln p(next character)) on the last 10 % of the Sonnets, never trained on: "
            f"{float_ppl:.2f} in float, {unigram:.1f} for a model that knows only letter frequencies. "
            + ", ".join(f"{k} {by[k]['ppl']:.2f}" for k in ("Q8_0", "Q4_0", "NF4") if k in by)
            + ("; INT per-channel " + ", ".join(f"{ppl:.2f} at {bpw:.3g}" for bpw, ppl in ch[:4]) + " bits/w"
               if ch else "")
            + ". Perplexity, a probability over 61 characters, registers weight errors that the digits "
              "classifier's accuracy (an argmax over 10 classes) ignores until about 3 bits; below that both "
              "collapse.")
    return fig, text
