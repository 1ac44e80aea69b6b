"""Figures and display helpers of the Images page (Plotly and NumPy, no Streamlit).

Pixels are shown as pixels: images leave here as uint8 arrays encoded as PNG
(:func:`png_bytes`), enlarged only by pixel repetition (:func:`enlarge`) and
reduced only by keeping every k-th pixel (:func:`display_stride`), so a
quantized image keeps exactly its levels on screen. Each view comes with its
"what to notice" text computed from the numbers it shows.

Also here, as plain functions on arrays, the numbers the page's cards show
(:func:`image_stats`, :func:`error_model`) and the error-diffusion step-through
(:func:`diffusion_trace`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import COLORS, base_figure
from quantviz.image_dither import KERNELS
from quantviz.image_metrics import colour_index, png_bytes as _png_raw, png_file
from quantviz.image_quant import srgb_to_linear

MAX_DISPLAY = 1200  # px: wider images are shown with every k-th pixel (no resampling); work images fit (1024 × 768)


# ---- pixels out ---------------------------------------------------------------------------------------------

def to_uint8(values) -> np.ndarray:
    """Floats in [0, 1] → uint8 codes round(255·v) (clipped). Levels k/(L − 1), L ≤ 256, stay distinct codes."""
    t = np.multiply(np.asarray(values, dtype=np.float64), 255.0)  # one temporary, rounded and clipped in place
    np.rint(t, out=t)
    np.clip(t, 0.0, 255.0, out=t)
    return t.astype(np.uint8)


def png_bytes(u8: np.ndarray, compress_level: int = 6) -> bytes:
    """Lossless PNG of a uint8 (H, W) or (H, W, 3) array (Pillow), indexed colour when it has ≤ 256 colours
    (:func:`quantviz.image_metrics.png_file`)."""
    return png_file(u8, compress_level)


def display_stride(shape, max_width: int = MAX_DISPLAY) -> int:
    """Keep every k-th pixel so the width is ≤ ``max_width`` (k = 1 for the gallery's images)."""
    return max(1, -(-int(shape[1]) // max_width))


def enlarge(u8: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement: each pixel becomes a factor × factor square."""
    return np.repeat(np.repeat(u8, factor, axis=0), factor, axis=1)


def outline(u8: np.ndarray, y: int, x: int, size: int, width: int = 2) -> np.ndarray:
    """A copy of an image (made RGB) with a magenta square outline around the crop (y, x, size)."""
    rgb = np.repeat(u8[:, :, None], 3, axis=2) if u8.ndim == 2 else u8.copy()
    H, W = rgb.shape[:2]
    y0, x0, y1, x1 = max(y - width, 0), max(x - width, 0), min(y + size + width, H), min(x + size + width, W)
    colour = np.array([204, 0, 204], dtype=np.uint8)
    rgb[y0:y1, x0:x0 + width] = rgb[y0:y1, max(x1 - width, 0):x1] = colour
    rgb[y0:y0 + width, x0:x1] = rgb[max(y1 - width, 0):y1, x0:x1] = colour
    return rgb


# Diverging map for signed errors: Okabe–Ito blue (negative) – white – vermillion (positive).
_NEG, _MID, _POS = np.array([0, 114, 178.0]), np.array([255, 255, 255.0]), np.array([213, 94, 0.0])


def error_scale(error, step: float) -> float:
    """Half-range r of the error image's colour scale: Δ/2 at least, else the 99.5th percentile of |e|
    rounded up to 1/255 (so a few outliers do not wash the picture out)."""
    e = np.abs(np.asarray(error))
    q = float(np.quantile(e, 0.995)) if e.size else 0.0
    r = max(step / 2, q, 1 / 255)
    return float(np.ceil(r * 255 - 1e-9) / 255)


_ERROR_PALETTE = None


def error_png(error, r: float, compress_level: int = 1) -> bytes:
    """The picture of :func:`error_rgb` as an indexed-colour PNG: the signed error (H, W) quantized to 255
    colours of the diverging map (index 127 = white = 0, 0 = −r, 254 = +r): one byte per pixel, a fraction
    of the time of an RGB encode."""
    global _ERROR_PALETTE
    if _ERROR_PALETTE is None:
        _ERROR_PALETTE = error_rgb(np.linspace(-1.0, 1.0, 255)[None, :], 1.0)[0]
    t = np.clip(np.asarray(error, dtype=np.float32) * np.float32(127 / r), -127, 127)
    idx = (np.rint(t) + 127).astype(np.uint8)
    return _png_raw(idx, compress_level, _ERROR_PALETTE)


def error_rgb(error, r: float) -> np.ndarray:
    """uint8 RGB picture of a signed error (H, W): −r blue, 0 white, +r vermillion, clipped beyond ±r."""
    t = np.clip(np.asarray(error, dtype=np.float64) / r, -1.0, 1.0)[..., None]
    rgb = np.where(t < 0, _MID + (_MID - _NEG) * t, _MID + (_POS - _MID) * t)
    return np.round(rgb).astype(np.uint8)


def signed_error(original, quantized) -> np.ndarray:
    """e = x − Q(x) per pixel; for colour, the mean over R, G, B (the sign of the brightness error)."""
    e = np.asarray(original, dtype=np.float64) - np.asarray(quantized, dtype=np.float64)
    return e.mean(axis=2) if e.ndim == 3 else e


def luma(image) -> np.ndarray:
    """JFIF luma Y' = 0.299R + 0.587G + 0.114B of an sRGB image (grey images pass through), in [0, 1]."""
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 2:
        return a
    return np.clip(a @ np.array([0.299, 0.587, 0.114]), 0.0, 1.0)


# ---- the numbers on the cards ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageStats:
    """What the cards show. ``mse_lsb``: MSE in (8-bit LSB)², i.e. MSE × 255²; ``psnr_db`` = 10·log10(1/MSE)
    (peak 1); ``levels``: distinct values per channel (the largest over channels); ``colours``: distinct
    pixel values (RGB triples); ``light_shift``: mean linear light of Q minus that of x (sRGB decoding, IEC
    61966-2-1), fraction of full scale; ``code_shift``: the same for the sRGB codes themselves."""

    mse: float
    mse_lsb: float
    psnr_db: float
    levels: int
    colours: int
    light_shift: float
    code_shift: float
    max_abs: float


def count_colours(u8: np.ndarray) -> int:
    """Distinct pixel values of a uint8 (H, W) or (H, W, 3) image (:func:`quantviz.image_metrics.colour_index`:
    per-channel ranks and a bincount, ``np.unique`` only for images with most of 2²⁴ colours possible)."""
    return colour_index(np.asarray(u8, dtype=np.uint8), 0)[0]


def image_stats(original, quantized, n_levels: int | None = None, original_light: float | None = None,
                u8: np.ndarray | None = None, colours: int | None = None, error=None) -> ImageStats:
    """The cards' numbers for an original and its quantized version (floats in [0, 1], same shape).

    Optional shortcuts (same numbers, less time; the page passes them on every move): ``n_levels`` when
    ``quantized`` is on the grid k/(L − 1) (its light is then read from the histogram of its codes),
    ``original_light`` = mean srgb_to_linear(original), ``u8`` = to_uint8(quantized), ``colours`` =
    count_colours(u8), ``error`` = original − quantized."""
    x = np.asarray(original, dtype=np.float64)
    q = np.asarray(quantized, dtype=np.float64)
    if x.shape != q.shape:
        raise ValueError(f"quantized must have the original's shape {x.shape}; got {q.shape}")
    e = x - q if error is None else np.asarray(error)
    mse = float(np.vdot(e, e) / e.size) if e.size else 0.0
    psnr = float("inf") if mse == 0 else float(10 * np.log10(1.0 / mse))
    u8 = to_uint8(q) if u8 is None else u8
    levels = max(int(np.count_nonzero(np.bincount(u8[..., c].ravel(), minlength=256)))
                 for c in range(u8.shape[2])) if u8.ndim == 3 else count_colours(u8)
    if n_levels is not None and int(n_levels) <= 256:  # codes ↔ levels one to one: light from the histogram
        top = int(n_levels) - 1
        light_of_code = srgb_to_linear(np.round(np.arange(256) * top / 255.0) / top)
        q_light = float(np.bincount(u8.ravel(), minlength=256) @ light_of_code / u8.size)
    else:
        q_light = float(srgb_to_linear(q).mean())
    x_light = float(srgb_to_linear(x).mean()) if original_light is None else float(original_light)
    colours = count_colours(u8) if colours is None else int(colours)
    return ImageStats(mse, mse * 255.0**2, psnr, levels, colours, q_light - x_light,
                      float(q.mean() - x.mean()), float(np.max(np.abs(e))) if e.size else 0.0)


@dataclass(frozen=True)
class ErrorModel:
    """The additive-noise model of the error power for a dither, in units of full scale², with its name."""

    mse: float
    formula: str
    note: str  # when it does not hold


def error_model(n_levels: int, dither: str, strength: float = 1.0) -> ErrorModel:
    """Predicted MSE of quantizing to ``n_levels`` levels (Δ = 1/(L − 1)) with ``dither`` at ``strength`` s.

    - none: Δ²/12 (the rounding error uniform on ±Δ/2, independent of x);
    - RPDF / TPDF (non-subtractive, Schuchman 1964; Wannamaker et al. 2000): Δ²/12 + s²σ_d², σ_d² = Δ²/12 (RPDF)
      or Δ²/6 (TPDF);
    - ordered, an n × n matrix of ranks (Bayer, or the 64 × 64 blue-noise mask): the offsets
      t = (M + ½)/n² − ½ are uniform on n² values, var = (1 − 1/n⁴)/12 in Δ², so Δ²/12 + s²(1 − 1/n⁴)Δ²/12;
    - error diffusion with weights w_k (divided by their divisor): the output error is the local rounding
      error minus the diffused ones, e = ε_n − s Σ w_k ε_(n−k); with ε white and uniform (the linear
      model, as for noise shaping), Δ²/12 · (1 + s² Σ w_k²).
    All assume each pixel's value lands uniformly in its cell and that nothing clips at 0 or 1.
    """
    d2 = (1.0 / (n_levels - 1)) ** 2
    s = float(strength)
    if dither == "none" or s == 0:
        return ErrorModel(d2 / 12, "Δ²/12", "a flat or slowly varying image puts every pixel at the same place "
                                            "in its cell: the error is then a function of the image (bands)")
    if dither in ("rpdf", "tpdf"):
        var = 1 / 12 if dither == "rpdf" else 1 / 6
        return ErrorModel(d2 * (1 / 12 + s * s * var), "Δ²/12 + s²·" + ("Δ²/12" if dither == "rpdf" else "Δ²/6"),
                          "pixels at 0 or 1 clip the dither")
    if dither.startswith("bayer-") or dither == "blue-noise":
        n = 64 if dither == "blue-noise" else int(dither.split("-")[1])
        return ErrorModel(d2 / 12 * (1 + s * s * (1 - 1 / n**4)), f"Δ²/12·(1 + s²(1 − 1/{n}⁴))",
                          "pixels at 0 or 1 clip the offsets")
    k = KERNELS[dither]
    w2 = sum((w / k.divisor) ** 2 for _, _, w in k.taps)
    return ErrorModel(d2 / 12 * (1 + s * s * w2), f"Δ²/12·(1 + s²·{w2:.3f}) (Σw² of the kernel)",
                      "at few levels the diffused value overshoots the outer levels, so the local error is "
                      "neither uniform nor bounded by Δ/2")


# ---- figures ----------------------------------------------------------------------------------------------------

def levels_histogram(original_u8: np.ndarray, quantized_u8: np.ndarray, n_levels: int | None,
                     height: int = 300) -> tuple[go.Figure, str]:
    """Histogram of 8-bit codes, all channels pooled: the original's 256 codes (blue line) and the quantized
    image's (orange bars, one per code used). ``n_levels``: the uniform grid's size (None for a palette)."""
    ho = np.bincount(original_u8.ravel(), minlength=256) / original_u8.size
    hq = np.bincount(quantized_u8.ravel(), minlength=256) / quantized_u8.size
    used = np.flatnonzero(hq)
    fig = base_figure("Histogram of pixel values (all channels)", "8-bit code (0–255)", "fraction of values",
                      height=height, legend_rows=1, hovermode="closest",
                      xaxis=dict(range=[-4, 259]), yaxis=dict(rangemode="tozero"))
    fig.add_trace(go.Bar(x=used, y=hq[used], width=3 if len(used) > 64 else 5, name="quantized Q(x)",
                         marker_color=COLORS["quantized"]))
    fig.add_trace(go.Scatter(x=np.arange(256), y=ho, mode="lines", name="original x",
                             line=dict(color=COLORS["original"], width=1.5)))
    top = float(hq.max())
    where = ", ".join(str(int(c)) for c in used[:8]) + (" …" if len(used) > 8 else "")
    grid = f" of the {n_levels} on the grid" if n_levels else ""
    text = (f"{len(used)} codes used{grid} ({where}); the busiest holds {top:.0%} of all values. "
            f"Every original value between two thresholds lands on one bar: "
            + ("the bars are tall and far apart, which is what banding is." if len(used) <= 16 else
               "with this many bars the histogram follows the original's shape."))
    return fig, text


def palette_figure(palette: np.ndarray, indices: np.ndarray, height: int = 260) -> tuple[go.Figure, str]:
    """The palette as swatches: one bar per colour, its height the fraction of pixels that use it, sorted."""
    counts = np.bincount(indices.ravel(), minlength=len(palette)) / indices.size
    order = np.argsort(-counts)
    u8 = to_uint8(palette)
    hexes = ["#%02x%02x%02x" % tuple(c) for c in u8[order]]
    fig = base_figure(f"Palette: {len(palette)} colours, by use", "palette entry (sorted by use)",
                      "fraction of pixels", height=height, legend_rows=0, hovermode="closest",
                      yaxis=dict(rangemode="tozero"), showlegend=False)
    fig.add_trace(go.Bar(x=np.arange(len(palette)), y=counts[order], marker=dict(color=hexes, line=dict(
        color="#444", width=0.5)), hovertext=hexes, hoverinfo="text+y"))
    unused = int(np.sum(counts == 0))
    text = (f"The {len(palette)} swatches, most used first; the top colour covers {counts.max():.0%} of the "
            "pixels" + (f", and {unused} colour(s) are never used." if unused else "."))
    return fig, text


def heat_numbers(z, title: str, fmt: str = "{:d}", colorscale="Blues", height: int = 300, zmin=None,
                 zmax=None, highlight=None) -> go.Figure:
    """An 8 × 8 (or any small) grid as a heat map with each number written in its cell.
    Rows are vertical frequency v (or y), columns horizontal frequency u (or x), (0, 0) at the top left."""
    z = np.asarray(z)
    text = [[fmt.format(v) for v in row] for row in z.tolist()]
    fig = base_figure(title, "column (horizontal frequency u)", "row (v)", height=height, legend_rows=0,
                      hovermode="closest", showlegend=False, margin=dict(l=48, r=8, t=40, b=48),
                      xaxis=dict(showgrid=False, zeroline=False, dtick=1, title=dict(text="u →", standoff=4)),
                      yaxis=dict(showgrid=False, zeroline=False, dtick=1, autorange="reversed",
                                 title=dict(text="v ↓")))
    fig.add_trace(go.Heatmap(z=z, text=text, texttemplate="%{text}", textfont=dict(size=11), colorscale=colorscale,
                             showscale=False, zmin=zmin, zmax=zmax, hoverinfo="z"))
    return fig


def jpeg_figures(result, block_yx: tuple[int, int]) -> tuple[list[go.Figure], str]:
    """Three 8 × 8 views of a :class:`quantviz.jpeg.JpegResult`: the scaled table Q(u, v), the quantized
    coefficients of the block at ``block_yx`` (pixel position, rounded down to the block grid) and, for each
    frequency, the fraction of blocks whose coefficient became 0."""
    by, bx = (int(block_yx[0]) // 8) * 8, (int(block_yx[1]) // 8) * 8
    by = min(by, result.coefficients.shape[0] - 8)
    bx = min(bx, result.coefficients.shape[1] - 8)
    coef = result.coefficients[by:by + 8, bx:bx + 8]
    zf = result.zero_fraction_by_frequency
    lim = max(1, int(np.abs(coef).max()))
    figs = [
        heat_numbers(result.table, f"Table Q(u, v) at quality {result.quality}", zmin=0, zmax=255),
        heat_numbers(coef, f"Block at ({bx}, {by}): round(F/Q)", colorscale="RdBu", zmin=-lim, zmax=lim),
        heat_numbers(np.round(100 * zf).astype(int), "Zeros per frequency (% of blocks)", zmin=0, zmax=100,
                     colorscale="Greys"),
    ]
    nz = int(np.count_nonzero(coef))
    text = (f"Steps grow from {int(result.table[0, 0])} (DC, top left) to {int(result.table.max())} at high "
            f"frequencies; this block keeps {nz} of 64 coefficients, and over the image "
            f"{result.zero_fraction:.1%} of all coefficients are 0. The error is made here, on frequencies, not on "
            "pixels: each block's error is a sum of the 64 cosine patterns, hence the blocks.")
    return figs, text


def gamma_wedge(levels: int = 9, patch: int = 40) -> np.ndarray:
    """A grey wedge: ``levels`` patches of sRGB codes 0, 1/(levels − 1), …, 1, each patch × patch pixels."""
    v = np.repeat(np.linspace(0.0, 1.0, levels), patch)
    return np.repeat(v[None, :], patch, axis=0)


# ---- the error-diffusion step-through -------------------------------------------------------------------------

@dataclass(frozen=True)
class DiffusionTrace:
    """Every step of error diffusion on a small grey crop (see :func:`diffusion_trace`).

    ``order[k]`` = (y, x) of step k; ``v[k]`` the value with the error it had received, ``q[k]`` its level,
    ``e[k]`` = s·(v − q) the error pushed on; ``received[k]`` the (H, W) error field *before* step k (what each
    pixel has received so far); ``output`` the final image; ``taps`` (dy, dx, weight) of the kernel, dx mirrored
    on right-to-left rows."""

    order: np.ndarray
    v: np.ndarray
    q: np.ndarray
    e: np.ndarray
    received: np.ndarray
    output: np.ndarray
    kernel: str
    serpentine: bool

    def targets(self, k: int) -> list[tuple[int, int, float]]:
        """(y, x, weight) of the pixels that step k pushes its error to (inside the crop)."""
        y, x = (int(i) for i in self.order[k])
        H, W = self.output.shape
        kern = KERNELS[self.kernel]
        rev = self.serpentine and y % 2 == 1
        out = []
        for dy, dx, w in kern.taps:
            xx = x - dx if rev else x + dx
            if 0 <= y + dy < H and 0 <= xx < W:
                out.append((y + dy, xx, w / kern.divisor))
        return out


def diffusion_trace(crop, n_levels: int, kernel: str = "floyd-steinberg", serpentine: bool = False,
                    strength: float = 1.0) -> DiffusionTrace:
    """Run error diffusion on a small grey crop (≤ 32 × 32) pixel by pixel and record each step.

    The same algorithm as :func:`quantviz.error_diffusion` (q = clip(⌊v(L − 1) + ½⌋, 0, L − 1)/(L − 1), e =
    s·(v − q) spread with the kernel's weights, error leaving the crop dropped), written as a plain loop so each
    step can be shown; tests check its output against the compiled one.
    """
    x = np.asarray(crop, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] > 32 or x.shape[1] > 32 or x.size == 0:
        raise ValueError(f"crop must be a grey (H, W) array of at most 32 × 32; got {x.shape}")
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}; got {kernel!r}")
    top = int(n_levels) - 1
    if top < 1:
        raise ValueError(f"n_levels must be ≥ 2; got {n_levels!r}")
    H, W = x.shape
    kern = KERNELS[kernel]
    recv = np.zeros((H, W))
    order, vs, qs, es, fields = [], [], [], [], []
    out = np.empty((H, W))
    for y in range(H):
        rev = serpentine and y % 2 == 1
        for i in range(W):
            xx = W - 1 - i if rev else i
            fields.append(recv.copy())
            v = x[y, xx] + recv[y, xx]
            q = min(max(np.floor(v * top + 0.5), 0), top) / top
            e = float(strength) * (v - q)
            out[y, xx] = q
            for dy, dx, w in kern.taps:
                tx = xx - dx if rev else xx + dx
                if 0 <= y + dy < H and 0 <= tx < W:
                    recv[y + dy, tx] += e * w / kern.divisor
            order.append((y, xx))
            vs.append(v)
            qs.append(q)
            es.append(e)
    return DiffusionTrace(np.array(order), np.array(vs), np.array(qs), np.array(es), np.array(fields), out,
                          kernel, bool(serpentine))


def diffusion_step_figure(crop, trace: DiffusionTrace, k: int, height: int = 430) -> tuple[go.Figure, str]:
    """Step k of a :class:`DiffusionTrace` on a grid: visited pixels show their level (grey), the others their
    value plus the error received so far (x + r); the current pixel is outlined and the pixels it pushes to are
    labelled with their weight and the error they receive (+w·e)."""
    x = np.asarray(crop, dtype=np.float64)
    H, W = x.shape
    k = int(min(max(k, 0), len(trace.order) - 1))
    visited = np.zeros((H, W), dtype=bool)
    for y, xx in trace.order[:k]:
        visited[y, xx] = True
    shown = np.where(visited, trace.output, np.clip(x + trace.received[k], 0, 1))
    text = np.empty((H, W), dtype=object)
    for y in range(H):
        for xx in range(W):
            text[y, xx] = f"{shown[y, xx]:.2f}"
    cy, cx = (int(i) for i in trace.order[k])
    e = float(trace.e[k])
    targets = trace.targets(k)
    for ty, tx, w in targets:
        text[ty, tx] = f"{shown[ty, tx]:.2f}<br><b>{e * w:+.3f}</b>"
    text[cy, cx] = f"<b>{trace.v[k]:.2f}→{trace.q[k]:.0f}</b>" if trace.q[k] in (0, 1) else \
        f"<b>{trace.v[k]:.2f}→{trace.q[k]:.2f}</b>"
    fig = base_figure(f"Step {k + 1} of {H * W}: pixel (x = {cx}, y = {cy})", "x in the crop (pixels)",
                      "y (pixels)", height=height, legend_rows=0, hovermode="closest", showlegend=False,
                      margin=dict(l=52, r=8, t=40, b=52),
                      xaxis=dict(showgrid=False, zeroline=False, dtick=1, range=[-0.5, W - 0.5], constrain="domain"),
                      yaxis=dict(showgrid=False, zeroline=False, dtick=1, autorange="reversed",
                                 scaleanchor="x"))
    fig.add_trace(go.Heatmap(z=shown, text=text, texttemplate="%{text}", textfont=dict(size=10 if W <= 8 else 8),
                             colorscale="Greys", reversescale=True, zmin=0, zmax=1, showscale=False, hoverinfo="z"))
    shapes = [dict(type="rect", x0=cx - 0.5, x1=cx + 0.5, y0=cy - 0.5, y1=cy + 0.5,
                   line=dict(color=COLORS["quantized"], width=4))]
    shapes += [dict(type="rect", x0=tx - 0.5, x1=tx + 0.5, y0=ty - 0.5, y1=ty + 0.5,
                    line=dict(color=COLORS["error"], width=2, dash="dot")) for ty, tx, _ in targets]
    fig.update_layout(shapes=shapes)
    lost = 1 - sum(w for _, _, w in targets)
    pushed = ", ".join(f"{w:.3g}" for _, _, w in targets)
    note = (f"The pixel (orange box) had {x[cy, cx]:.3f} and had received {trace.received[k][cy, cx]:+.3f}, so "
            f"v = {trace.v[k]:.3f} → level {trace.q[k]:.3g}; its error e = {e:+.3f} goes to the "
            f"{len(targets)} dotted neighbours with weights {pushed or '—'} (bold: what each receives)"
            + (f"; {lost:.3g} of it leaves the crop or is dropped by the kernel." if lost > 1e-9 else "."))
    return fig, note
