"""Figures of uniform quantization of 1-D signals (the Signals page).

Conventions (see ``/work/shared/notes/design.md``): samples are drawn as samples
(markers, stems for short windows), levels as levels (faint horizontal lines),
and every "what to notice" text is computed from the state by a function here
(``*_notice``), so a caption cannot contradict its chart.
"""

import math

import numpy as np
import plotly.graph_objects as go

from quantviz.quantizers import quantize

from quantviz.figures.common import (AXIS, COLORS, MAX_POINTS, THEORY_LINE, band_trace, base_figure, display_array,
                                     fit_legend, fmt_step, line, vline, vrect)

MAX_LEVEL_LINES = 40
"""Most quantization levels drawn as lines in the time view; denser grids are named in the caption instead."""
SAMPLE_MAX = 500
"""Longest window drawn sample by sample; longer ones are joined by lines (a min/max envelope beyond
:data:`quantviz.figures.common.MAX_POINTS`)."""
MARKER_MAX = 100
"""Longest window whose samples are markers (x rings, Q(x) and e dots: one SVG element each, ~3 per sample);
longer windows draw Q(x) and e as stems from 0, each series one path (one SVG element)."""
STEM_MAX = 50
"""Longest window whose Q(x) dots also get stems (lollipops) from 0."""
RECON_MAX = 100
"""Longest window with the optional band-limited reconstruction of Q(x) (beyond it the samples are too close
for the smooth wave to show between them)."""
FULL_WIDTH, HALF_WIDTH = 820, 400
"""Chart widths (px) on a 1280 px wide screen with the sidebar open: legends are sized for these."""
INBAND_FRACTION = 1 / 8
"""The spectrum's shaded band and its in-band SNR cover 0 … fs·INBAND_FRACTION (fs/8: 6 kHz at 48 kHz)."""

# Rounding error ρ = v − Q(v) of the bare quantizer, in Δ, for each rounding rule (v is the dithered input).
_ROUNDING_RANGE = {"nearest": (-0.5, 0.5), "floor": (0.0, 1.0), "ceil": (-1.0, 0.0), "toward_zero": (-1.0, 1.0),
                   "stochastic": (-1.0, 1.0)}
# Largest |d| / Δ of each dither at dither_scale 1 (Gaussian: unbounded).
_DITHER_PEAK = {"none": 0.0, "rpdf": 0.5, "tpdf": 1.0, "gaussian": math.inf}
_FEEDBACK_LIMIT = 2.0  # the engine limits the fed-back error to ±2Δ (quantviz.quantizers.quantize, Notes)


def error_bounds(spec, overloaded: bool = False) -> tuple[float, float] | None:
    """The interval [lo, hi] that e/Δ = (x − Q(x))/Δ cannot leave while the input stays in range.

    Parameters
    ----------
    spec : QuantizerSpec
        Rounding rule, dither (kind, scale, subtractive) and noise-shaping order are used.
    overloaded : bool
        True when some input lies outside the granular region (it clips or wraps): the
        error then has no step-size bound and ``None`` is returned.

    Returns
    -------
    (lo, hi) in units of Δ, or None when the error is unbounded (Gaussian dither, overload).

    Notes
    -----
    With v = x + d and ρ = v − Q(v) ∈ [a, b] for the rounding rule ([−½, ½] nearest,
    [0, 1) floor, (−1, 0] ceiling, (−1, 1) toward zero and stochastic), the error is
    e = ρ − (1 − s)·d (s = 1 for subtractive dither), so e ∈ [a − D, b + D] with
    D = max|d|/Δ (½·scale RPDF, 1·scale TPDF). Error feedback of order k makes
    e[n] = ε[n] + Σ_j a_j ε_f[n − j] with (1 − z⁻¹)^k = 1 + Σ_j a_j z^−j and the
    fed-back ε_f limited to ±2Δ, bounded by interval arithmetic: ±Δ/2·2^k for
    rounding to nearest (±2Δ at k = 2). Lipshitz, Wannamaker & Vanderkooy,
    "Quantization and dither: a theoretical survey", JAES 40(5), 1992.

    A stand-in for a bound function in :mod:`quantviz.theory`; replace the call when one exists.
    """
    if overloaded:
        return None
    a, b = _ROUNDING_RANGE[spec.rounding]
    if spec.dither != "none" and not spec.subtractive:
        peak = _DITHER_PEAK[spec.dither] * spec.dither_scale
        if not math.isfinite(peak):
            return None
        a, b = a - peak, b + peak
    lo, hi = a, b
    fa, fb = max(a, -_FEEDBACK_LIMIT), min(b, _FEEDBACK_LIMIT)
    for j in range(1, spec.noise_shaping + 1):
        c = math.comb(spec.noise_shaping, j) * (-1) ** j
        lo, hi = (lo + c * fa, hi + c * fb) if c > 0 else (lo + c * fb, hi + c * fa)
    return float(lo), float(hi)


def _num(v: float) -> str:
    return f"{v:g}".replace("-", "−")


def _in_steps(v: float) -> str:
    names = {0: "0", 0.5: "Δ/2", -0.5: "−Δ/2", 1: "Δ", -1: "−Δ"}
    return names.get(v, f"{_num(v)} Δ")


def bound_label(bounds: tuple[float, float] | None) -> str:
    """Legend text of the error's bound: "±Δ/2", "0 … Δ", "±1.5 Δ" (no bound: an empty string)."""
    if bounds is None:
        return ""
    lo, hi = bounds
    if lo == -hi:
        return "±Δ/2" if hi == 0.5 else "±Δ" if hi == 1 else f"±{_num(hi)} Δ"
    return f"{_in_steps(lo)} … {_in_steps(hi)}"


def bound_reason(spec, bounds, clip_fraction: float = 0.0) -> str:
    """Why the error is bounded where it is (or not at all), in words, for captions."""
    if clip_fraction > 0:
        return (f"{clip_fraction:.1%} of the samples lie outside the range, so they clip or wrap: their error "
                "has no step-size bound")
    if bounds is None:
        if spec.dither == "gaussian" and not spec.subtractive:
            return "Gaussian dither has no largest value, so neither has the error"
        return ("near the range's edges the dithered or shaped input overloads the quantizer, so the error has no "
                "step-size bound")
    parts = {"nearest": "rounding to nearest is off by at most half a step",
             "floor": "floor always rounds down (e ≥ 0, mean +Δ/2)",
             "ceil": "ceiling always rounds up (e ≤ 0, mean −Δ/2)",
             "toward_zero": "rounding toward zero is off by up to Δ, on the side of zero",
             "stochastic": "stochastic rounding picks either neighbour (up to Δ away)"}
    why = [parts[spec.rounding]]
    if spec.dither != "none":
        why.append("subtractive dither is removed again" if spec.subtractive else
                   f"the dither adds up to ±{_num(_DITHER_PEAK[spec.dither] * spec.dither_scale)} Δ")
    if spec.noise_shaping:
        why.append(f"order-{spec.noise_shaping} noise shaping adds up to {2 ** spec.noise_shaping - 1} past errors")
    return f"the error stays within {bound_label(bounds)}: " + "; ".join(why)


def levels_in_view(spec, step: float, y0: float, y1: float, max_lines: int = MAX_LEVEL_LINES):
    """The quantizer's levels between y0 and y1, and how many there are.

    Returns ``(levels, count)``; ``levels`` is None when there are more than ``max_lines``
    (too dense to draw) or when the output is not on the grid (subtractive dither).
    """
    offset = 0.5 if spec.mode == "midrise" else 0.0
    origin = spec.lo if spec.bounded else 0.0
    k0, k1 = math.ceil((y0 - origin) / step - offset), math.floor((y1 - origin) / step - offset)
    if spec.bounded:
        k0, k1 = max(k0, 0), min(k1, 2**spec.bits - 1)
    count = max(k1 - k0 + 1, 0)
    if count > max_lines or spec.subtractive and spec.dither != "none":
        return None, count
    return origin + (np.arange(k0, k1 + 1) + offset) * step, count


def bandlimited(q, start: int, stop: int, up: int, half_taps: int = 32):
    """Band-limited (ideal-DAC) reconstruction of the samples ``q`` between ``start`` and ``stop``.

    y(t) = Σ_n q[n]·sinc(t − n)·w(t − n) at t = start, start + 1/up, …, stop − 1 (in samples),
    with a Hann window w of half-width ``half_taps`` samples (samples beyond the ends of ``q``
    count as 0). Shannon's interpolation formula, truncated.

    Returns
    -------
    (t, y) : t in samples (float), y the reconstruction.
    """
    if up < 1 or half_taps < 1:
        raise ValueError(f"up and half_taps must be ≥ 1; got up={up!r}, half_taps={half_taps!r}")
    q = np.asarray(q, dtype=np.float64)
    taps = np.arange(-half_taps + 1, half_taps + 1)  # n − floor(t) for the 2·half_taps samples used
    pad = np.zeros(q.size + 2 * half_taps)
    pad[half_taps:half_taps + q.size] = q
    # windows[i] = q[start + i + taps] (zeros beyond the ends), for i = 0 … stop − 1 − start
    idx = start + np.arange(stop - start)[:, None] + taps[None, :] + half_taps
    windows = pad[idx]
    frac = np.arange(up) / up  # t − floor(t) of each phase
    d = frac[:, None] - taps[None, :]
    kernel = np.sinc(d) * 0.5 * (1 + np.cos(np.pi * d / half_taps))  # (up, 2·half_taps)
    y = (windows @ kernel.T).ravel()[:(stop - 1 - start) * up + 1]  # sample i, phase p → i·up + p
    t = start + np.arange(y.size) / up
    return t, y


def _scatter(x, y, name, color, *, mode="markers", size=5, symbol="circle", width=1.5, **kw):
    return go.Scatter(x=display_array(x), y=display_array(y), name=name, mode=mode,
                      marker=dict(color=color, size=size, symbol=symbol, line=dict(color=color, width=1.2)),
                      line=dict(color=color, width=width), **kw)


def _stems(t, y):
    """x, y of vertical stems from 0 to each y, as one unbroken line: 0 → y → 0 at each sample, joined along
    y = 0 (the zero line, drawn anyway). Plotly makes one SVG path per unbroken run, so a line broken between
    stems would be one element per sample again (measured: 400 paths for 2 × 200 stems)."""
    n = len(t)
    xs = np.empty(3 * n, dtype=np.float32)
    ys = np.zeros(3 * n, dtype=np.float32)
    xs[0::3], xs[1::3], xs[2::3] = t, t, t
    ys[1::3] = y
    return xs, ys


def _hlines(x0, x1, ys):
    """One trace's data for horizontal lines at ``ys`` from x0 to x1."""
    xs, yy = [], []
    for y in ys:
        xs += [x0, x1, None]
        yy += [float(y), float(y), None]
    return xs, yy


def signal_error_figure(t, x, q, step: float, unit: str = "ms", *, levels=None, bounds=None, bound_name="",
                        recon=None, y_range=None, width_px: int = FULL_WIDTH, height: int = 520) -> go.Figure:
    """Two panels on one time axis: the samples of x and Q(x) above, the error e/Δ = (x − Q(x))/Δ below.

    Samples are drawn as samples, never as a staircase in time: markers up to :data:`MARKER_MAX`
    samples (with stems from 0 up to :data:`STEM_MAX`), stems from 0 without markers up to
    :data:`SAMPLE_MAX` (x then a line through its samples); ``levels`` (the
    quantization levels in view, or None) as faint horizontal lines; ``bounds``
    (lo, hi) in Δ (see :func:`error_bounds`) as dashed lines in the error panel, named
    ``bound_name``; ``recon`` = (t, y), the optional band-limited reconstruction of Q(x),
    as a legend entry the reader switches on; ``y_range`` fixes the upper panel's span. Windows longer
    than :data:`SAMPLE_MAX` samples are joined by lines (min/max envelopes when long). One figure rather than two: the panels share zoom
    and hover, and the browser builds one chart per update instead of two.
    """
    t = np.asarray(t)
    x = np.asarray(x)
    q = np.asarray(q)
    e = (x - q) / step
    n = t.size
    narrow = width_px <= HALF_WIDTH  # beside another view: short axis titles, or the two would overlap
    fig = base_figure(
        "Signal, quantized signal and error", f"time ({unit})",
        "x, Q(x) (full scale 1)" if narrow else "amplitude (full scale = 1)", height=height,
        xaxis=dict(anchor="y2", domain=[0, 1]),
        yaxis=dict(domain=[0.47, 1.0]),
        yaxis2=dict(AXIS, domain=[0.0, 0.36], anchor="x", title=dict(text="e (in Δ)" if narrow else
                                                                    "e = x − Q(x) (in Δ)")),
    )
    if n == 0:
        return fig
    t0, t1 = float(t[0]), float(t[-1])
    traces = []  # added in one call: each add_trace deep-copies the figure's data
    if levels is not None and len(levels):  # named in the caption; no legend entry (a legend row costs a pass)
        lx, ly = _hlines(t0, t1, levels)
        traces.append(go.Scatter(x=lx, y=ly, mode="lines", name=f"levels ({len(levels)} in view)", showlegend=False,
                                 line=dict(color="#c8c8c8", width=1), hoverinfo="skip"))
    if n <= MARKER_MAX:  # markers: rings for x, dots for Q(x) and e (one SVG element each)
        traces.append(_scatter(t, x, "original x", COLORS["original"], mode="lines+markers", size=10,
                               symbol="circle-open", width=1.5))
        if n <= STEM_MAX:
            sx, sy = _stems(t, q)
            traces.append(go.Scatter(x=sx, y=sy, mode="lines", line=dict(color=COLORS["quantized"], width=1),
                                     legendgroup="q", showlegend=False, hoverinfo="skip"))
        traces.append(_scatter(t, q, "quantized Q(x) (samples)", COLORS["quantized"], legendgroup="q", size=7))
    elif n <= SAMPLE_MAX:  # stems from 0, a series in one path (one SVG element): still one per sample
        sx, sy = _stems(t, q)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines", name="quantized Q(x) (samples)", hoverinfo="skip",
                                 line=dict(color=COLORS["quantized"], width=1.5)))
        traces.append(go.Scatter(x=display_array(t), y=display_array(x), mode="lines", name="original x",
                                 line=dict(color=COLORS["original"], width=1.5)))
    else:
        line(fig, t, x, "original x", COLORS["original"], width=1.5)
        line(fig, t, q, "quantized Q(x)", COLORS["quantized"], width=1.5)
    if recon is not None:
        traces.append(go.Scatter(x=display_array(recon[0]), y=display_array(recon[1]), mode="lines",
                                 name="band-limited Q(x) (ideal DAC)", visible="legendonly", hoverinfo="skip",
                                 line=dict(color=COLORS["quantized"], width=1.5, dash="dot")))
    if n <= MARKER_MAX:
        traces.append(_scatter(t, e, "error e/Δ", COLORS["error"], yaxis="y2", size=5))
    elif n <= SAMPLE_MAX:
        sx, sy = _stems(t, e)
        traces.append(go.Scatter(x=sx, y=sy, mode="lines", name="error e/Δ", yaxis="y2", hoverinfo="skip",
                                 line=dict(color=COLORS["error"], width=1.5)))
    else:
        line(fig, t, e, "error e/Δ", COLORS["error"], yaxis="y2")
    if bounds is not None:
        lo, hi = bounds
        traces.append(go.Scatter(x=[t0, t1, None, t0, t1], y=[hi, hi, None, lo, lo], mode="lines",
                                 name=bound_name or f"{bound_label(bounds)} (the error's bound)", line=THEORY_LINE,
                                 yaxis="y2", hoverinfo="skip"))
    fig.add_traces(traces)
    if y_range is None:
        y_lo, y_hi = float(min(x.min(), q.min())), float(max(x.max(), q.max()))
        pad = max(0.06 * (y_hi - y_lo), 1e-12)
        y_range = [y_lo - pad, y_hi + pad]
    fig.layout.yaxis.range = list(y_range)
    return fit_legend(fig, width_px)


def time_notice(spec, step: float, x, q, level_count: int, levels_drawn: bool, bounds, clip_fraction: float,
                recon: bool) -> str:
    """The time view's "what to notice", computed from what it shows."""
    x = np.asarray(x, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    n = x.size
    out = []
    if n <= SAMPLE_MAX:
        out.append(("Each orange dot is a sample of Q(x), each blue ring a sample of x" if n <= MARKER_MAX else
                    "Each orange stem is a sample of Q(x), the blue line joins the samples of x")
                   + "; between samples there is no value, so Q(x) is not a staircase in time.")
    else:
        out.append(f"{n:,} samples are too many to mark one by one: lines join them"
                   + (" as min/max envelopes." if n > MAX_POINTS else "; shorten the window to see the samples."))
    if levels_drawn:
        out.append(f"The {level_count} grey lines are the quantization levels in view (Δ = {fmt_step(step)}); "
                   "every sample of Q(x) sits on one.")
    elif spec.subtractive and spec.dither != "none":
        out.append("With subtractive dither the output is a level minus the dither, so it lies between levels.")
    elif level_count > MAX_LEVEL_LINES:
        out.append(f"The {level_count:,} levels in view are too dense to draw (Δ = {fmt_step(step)}).")
    if n:
        gap = float(np.max(np.abs(x - q)))
        span = float(max(x.max(), q.max()) - min(x.min(), q.min())) or step
        if gap / span < 0.005:
            out.append(f"At this scale the error (at most {gap / step:.2g} Δ = {gap:.2g} here) is under a pixel: "
                       "Q(x) lies on x.")
        elif not clip_fraction:
            out.append(f"Q(x) misses x by up to {gap / step:.2f} Δ here: that gap is the error in the lower panel.")
    reason = bound_reason(spec, bounds, clip_fraction)
    out.append(reason[0].upper() + reason[1:] + (" (dashed)." if bounds is not None else "."))
    if recon:
        out.append("Click “band-limited Q(x)” in the legend for the smooth wave an ideal DAC makes from these "
                   "samples.")
    return " ".join(out)


def transfer_window(spec, step: float, signal_min: float, signal_max: float, overloaded: bool,
                    max_levels: int = 16) -> tuple[float, float, str]:
    """The input span of the transfer view and a note for its title.

    Overload (some input outside the granular region): the whole range and the
    signal's span with a margin, so the range edges and the overload beyond them
    show. A bounded grid of at most ``max_levels`` levels: the whole range. Else
    a zoom on ``max_levels`` levels around the centre, where the steps are readable.
    """
    if spec.bounded:
        lo, hi = spec.lo, spec.hi
    else:
        lo, hi = signal_min, signal_max + step
    if overloaded and spec.bounded:
        a, b = min(lo, signal_min), max(hi, signal_max)
        margin = 0.08 * (b - a)
        return a - margin, b + margin, f"{2 ** spec.bits:,} levels, whole range: overload"
    if spec.bounded and 2**spec.bits <= max_levels:
        centre, half = (lo + hi) / 2, (hi - lo) * 0.6
        return centre - half, centre + half, ""
    centre = (lo + hi) / 2
    half = max_levels / 2 * step
    of = f" of {2 ** spec.bits:,}" if spec.bounded else ""
    return centre - half, centre + half, f"{max_levels}{of} levels, zoomed"


def staircase_figure(xin, qout, edges, signal_min: float, signal_max: float, note: str = "",
                     width_px: int = HALF_WIDTH) -> go.Figure:
    """Transfer characteristic Q(x) with the error sawtooth x − Q(x) beneath it.

    ``edges`` are the granular region's ends (first level − Δ/2, last level + Δ/2) of a
    bounded grid: beyond them the input overloads, shaded grey. The axes span ``xin``
    exactly, so the shapes never widen a zoomed view.
    """
    title = "Transfer characteristic" + (f" ({note})" if note else "")
    fig = base_figure(title, "input x (full scale = 1)", "output Q(x) (full scale = 1)", height=380)
    x0, x1 = float(np.min(xin)), float(np.max(xin))
    err = np.asarray(xin) - np.asarray(qout)
    fig.layout.xaxis.range = [x0, x1]
    y0, y1 = min(x0, float(np.min(qout)), float(np.min(err))), max(x1, float(np.max(qout)), float(np.max(err)))
    pad = 0.04 * (y1 - y0)  # a wrapped error of the full range would sit on the frame
    fig.layout.yaxis.range = [y0 - pad, y1 + pad]
    fig.add_trace(go.Scatter(x=[x0, x1], y=[x0, x1], name="ideal y = x", mode="lines", line=THEORY_LINE))
    line(fig, xin, qout, "Q(x)", COLORS["quantized"], width=2.5, shape="hv")
    line(fig, xin, err, "error x − Q(x)", COLORS["error"], width=1.2)
    span = (max(signal_min, x0), min(signal_max, x1))
    if span[1] > span[0]:
        vrect(fig, span[0], span[1], COLORS["original"], "signal's span", opacity=0.08)
    if len(edges) == 2:
        g_lo, g_hi = edges
        if x0 < g_lo:
            vrect(fig, x0, g_lo, COLORS["dither"], None, opacity=0.18)
            vline(fig, g_lo)
        if g_hi < x1:
            vrect(fig, g_hi, x1, COLORS["dither"], "overload", opacity=0.18)
            vline(fig, g_hi)
    return fit_legend(fig, width_px)


def staircase_notice(spec, overloaded: bool, note: str) -> str:
    """The transfer view's "what to notice", from the rounding rule, the grid and the overflow mode."""
    rule = {"nearest": "each output is the nearest level, so the error is a sawtooth between −Δ/2 and +Δ/2",
            "floor": "floor takes the level below, so Q(x) ≤ x and the error is a sawtooth from 0 up to Δ "
                     "(mean +Δ/2: Q(x) sits Δ/2 low on average)",
            "ceil": "ceiling takes the level above, so Q(x) ≥ x and the error runs from −Δ up to 0 (mean −Δ/2)",
            "toward_zero": "toward zero takes the level on the zero side: the error is ≥ 0 for x > 0 and ≤ 0 "
                           "for x < 0, up to Δ",
            "stochastic": "stochastic rounding is drawn here as rounding to nearest (its choice is random)"}
    text = "Each riser is a decision threshold, each tread a level; " + rule[spec.rounding] + "."
    if not spec.bounded:
        return text + " With a step Δ and no bit limit the grid never ends, so nothing clips."
    if overloaded:
        if spec.overflow == "wrap":
            return text + (" Beyond the grey edges the code wraps around (two's complement): an input just above "
                           "the top comes out at the bottom, an error of almost the full range.")
        return text + (" Beyond the grey edges Q(x) stays at the outermost level (clipping): the error grows "
                       "with the input, far past Δ/2.")
    if note:
        return text + f" Only {note.split(' levels')[0]} levels are shown, so the steps stay readable."
    return text + " Inputs beyond the grey edges (none in this signal) would clip or wrap."


def histogram_model(spec) -> tuple[float, float] | None:
    """The interval on which e/Δ is uniformly distributed under the model, or None where no uniform model applies.

    Rounding to nearest, floor or ceiling, without noise shaping, and either no dither
    (the additive-noise model, valid for busy signals) or subtractive RPDF/TPDF dither of a
    whole number of steps, which makes the error exactly uniform and independent of the
    input (Schuchman 1964).
    """
    if spec.noise_shaping or spec.rounding not in ("nearest", "floor", "ceil"):
        return None
    if spec.dither == "none" or (spec.subtractive and spec.dither in ("rpdf", "tpdf")
                                 and spec.dither_scale >= 1 and float(spec.dither_scale).is_integer()):
        return _ROUNDING_RANGE[spec.rounding]
    return None


def histogram_figure(centers, density, model=None, *, overload=None, mean=None, clipped: bool = True,
                     width_px: int = HALF_WIDTH) -> go.Figure:
    """Histogram of e/Δ as a density, against the uniform model on ``model`` = (a, b) in Δ.

    ``model`` True means (−½, ½). ``overload`` = (fraction, largest |e|/Δ): the end
    bins also hold every error beyond the histogram's span; they are drawn grey
    and named, with the fraction and the largest error. ``mean`` (in Δ) is drawn as a
    dashed vertical line.
    """
    centers = np.asarray(centers, dtype=np.float64)
    density = np.asarray(density, dtype=np.float64)
    model = (-0.5, 0.5) if model is True else (model or None)
    span = float(np.max(np.abs(centers))) if len(centers) else 0.75
    width = float(centers[1] - centers[0]) if len(centers) > 1 else 1.0
    fig = base_figure("Error histogram", "error e/Δ (in Δ, LSB)", "probability density", barmode="overlay",
                      bargap=0.02)
    inner = np.ones(len(centers), dtype=bool)
    if overload and overload[0] > 0 and len(centers) > 2:
        inner[[0, -1]] = False
    # explicit widths: Plotly sizes a bar from the gap to its neighbour in the same trace (2 end bins: huge)
    fig.add_trace(go.Bar(x=display_array(centers[inner]), y=display_array(density[inner]), name="measured",
                         marker_color=COLORS["error"], opacity=0.75, width=width * 0.95))
    if not inner.all():
        frac, peak = overload
        edge = span + width / 2
        fig.add_trace(go.Bar(x=display_array(centers[~inner]), y=display_array(density[~inner]),
                             name=f"end bins: also all |e| > {edge:.3g} Δ{', overload' if clipped else ''} "
                                  f"({frac:.2%} of samples, up to {peak:.3g} Δ)", marker_color=COLORS["dither"],
                             opacity=0.9, width=width * 0.95, text=["overload" if clipped else "beyond"] * 2,
                             textposition="outside", cliponaxis=False, textfont=dict(size=12)))
    top = float(np.max(density)) if len(density) else 1.0
    if model:
        a, b = model
        h = 1.0 / (b - a)
        top = max(top, h)
        fig.add_trace(go.Scatter(x=[-span, a, a, b, b, span], y=[0, 0, h, h, 0, 0], mode="lines",
                                 name=f"uniform model on [{_in_steps(a)}, {_in_steps(b)}]", line=THEORY_LINE))
    if mean is not None and np.isfinite(mean):
        fig.add_trace(go.Scatter(x=[mean, mean], y=[0, top * 1.05], mode="lines", name=f"mean e = {_signed(mean)} Δ",
                                 line=dict(color=COLORS["original"], width=2, dash="dot")))
    fig.layout.xaxis.range = [-span - width, span + width]
    fig.layout.yaxis.range = [0, top * (1.22 if not inner.all() else 1.08)]  # room for the end bins' labels
    return fit_legend(fig, width_px)


def _signed(v: float) -> str:
    v = round(v, 2) + 0.0  # no "−0.00"
    return f"{v:+.2f}".replace("-", "−")


def histogram_notice(spec, model, mean, overload, clipped: bool = True) -> str:
    """The histogram's "what to notice", from the rounding rule, dither, shaping and overload."""
    out = []
    if overload and overload[0] > 0:
        out.append(f"{overload[0]:.2%} of the errors are overload (up to {overload[1]:.3g} Δ): they pile into the "
                   "grey end bins, far outside any step." if clipped else
                   f"{overload[0]:.2%} of the errors lie beyond the plotted span (up to {overload[1]:.3g} Δ): the "
                   "grey end bins hold them.")
    if model:
        a, b = model
        out.append(f"The model says e is uniform on [{_in_steps(a)}, {_in_steps(b)}]"
                   + (" (floor: Q(x) ≤ x)" if spec.rounding == "floor" else
                      " (ceiling: Q(x) ≥ x)" if spec.rounding == "ceil" else "")
                   + "; a busy signal fills it flat, a coarse or sub-LSB one does not.")
    elif spec.noise_shaping:
        out.append(f"Order-{spec.noise_shaping} noise shaping adds past errors: the histogram spreads wider than one "
                   "step and is no longer flat.")
    elif spec.dither != "none" and not spec.subtractive:
        out.append("Non-subtractive dither adds its own spread to the rounding error: the histogram is wider than "
                   "one step (TPDF: up to ±1.5 Δ) and not flat.")
    else:
        out.append("No uniform model applies to this rounding rule or dither.")
    if mean is not None and np.isfinite(mean):
        out.append(f"Mean error {_signed(mean)} Δ (e = x − Q(x))" + (": a DC bias." if abs(mean) > 0.1 else "."))
    return " ".join(out)


def band_snr_db(f, px_db, pe_db, f_hi: float, f_lo: float = 0.0) -> float:
    """SNR in the band f_lo ≤ f ≤ f_hi from two power spectra in dB (same bins and window):
    10·log10(Σ_band P_x / Σ_band P_e)."""
    f = np.asarray(f)
    band = (f >= f_lo) & (f <= f_hi)
    px = np.sum(10 ** (np.asarray(px_db)[band] / 10))
    pe = np.sum(10 ** (np.asarray(pe_db)[band] / 10))
    with np.errstate(divide="ignore"):
        return float(10 * np.log10(px / pe)) if pe > 0 else math.inf


LOG_TICKS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]


def _hz(v: float) -> str:
    return f"{v / 1000:g}k" if v >= 1000 else f"{v:g}"


def spectrum_figure(f, px_db, pq_db, pe_db, floor_db, floor_label: str, *, log_x: bool = False,
                    band_hz: float | None = None, band_label: str = "", width_px: int = HALF_WIDTH) -> go.Figure:
    """Spectra of x, Q(x) and e in dBFS with the predicted error spectrum (flat, or |NTF|²-shaped).

    Q(x) is drawn wide and pale under the error's thin line: away from the signal's own
    components Q's spectrum is the error's (Q = x − e), and both stay readable. ``log_x``
    gives a log-frequency axis (where noise shaping's low-frequency gain shows);
    ``band_hz`` shades 0 … band_hz, the band that ``band_label`` (an in-band SNR) refers to.
    """
    f = np.asarray(f, dtype=np.float64)
    x_title = "frequency (Hz, log scale)" if log_x else "frequency (Hz)"
    fig = base_figure("Spectra (Welch, Hann window)", x_title, "power per bin (dBFS)", height=380,
                      **({"xaxis": dict(type="log", tickvals=LOG_TICKS, ticktext=[_hz(v) for v in LOG_TICKS],
                                        title=dict(text=x_title, standoff=14))} if log_x else {}))
    keep = f > 0 if log_x else np.ones(f.size, dtype=bool)  # a log axis has no 0 Hz
    fk = f[keep]
    line(fig, fk, np.asarray(px_db)[keep], "original x", COLORS["original"], width=1.5)
    line(fig, fk, np.asarray(pq_db)[keep], "quantized Q(x)", COLORS["quantized"], width=4, opacity=0.55)
    line(fig, fk, np.asarray(pe_db)[keep], "error e", COLORS["error"], width=1)
    fig.add_trace(go.Scatter(x=display_array(fk), y=display_array(np.asarray(floor_db)[keep]), name=floor_label,
                             mode="lines", line=THEORY_LINE))
    low = float(np.min(np.concatenate([np.ravel(pe_db), [float(np.median(floor_db))]]))) - 10
    fig.layout.yaxis.range = [max(low, -250), 10]
    if fk.size:
        fig.layout.xaxis.range = [float(np.log10(fk[0])), float(np.log10(fk[-1]))] if log_x else [0, float(fk[-1])]
    if band_hz:
        x0 = float(fk[0]) if log_x else 0.0
        vrect(fig, x0, band_hz, COLORS["accent"], None, opacity=0.12)
        if band_label:  # an annotation on a log axis is placed in log10 units (a shape in data units)
            fig.add_annotation(text=band_label, x=float(np.log10(x0)) if log_x else x0, xanchor="left", yref="paper",
                               y=1.0, yanchor="top", showarrow=False, font=dict(size=12),
                               bgcolor="rgba(255,255,255,0.7)")
    return fit_legend(fig, width_px)


def spectrum_notice(spec, fs: float, band_hz: float | None, snr_band: float | None, snr_full: float | None,
                    silent: bool = False) -> str:
    """The spectrum's "what to notice", from the dither and shaping settings."""
    if spec.noise_shaping:
        text = (f"Order-{spec.noise_shaping} noise shaping pushes the error towards fs/2 = {fs / 2:,.0f} Hz "
                "(log-frequency axis): it is weaker at low frequencies and stronger near fs/2, and its total power "
                f"grows ×{math.comb(2 * spec.noise_shaping, spec.noise_shaping)}.")
    elif spec.dither != "none":
        text = "Dither turns the error into a flat floor: no harmonics stick out."
    else:
        text = ("Without dither a periodic signal's error is periodic too: harmonics stick out of the floor "
                "(a busy or noisy signal gives a flat floor).")
    if silent:
        text += " Q(x) is digital silence (every sample rounds to 0), so the error is the whole signal: e = x."
    else:
        text += " Away from the signal's own lines, Q's spectrum (wide, pale) is the error's: Q(x) = x − e."
    if band_hz and snr_band is not None:
        text += (f" In the shaded band 0–{band_hz:,.0f} Hz (fs/{round(1 / INBAND_FRACTION)}) the SNR is "
                 f"{snr_band:.1f} dB, against {snr_full:.1f} dB over the whole band.")
    return text


def sqnr_bits_figure(bits, measured_db, model_db, sine_db, current_bits, current_db,
                     width_px: int = HALF_WIDTH) -> go.Figure:
    """SQNR vs bits: measured, the additive-noise model for this signal, 6.02b + 1.76, and now."""
    fig = base_figure("SQNR vs bits", "bits b", "SQNR (dB)", height=380)
    fig.add_trace(go.Scatter(x=bits, y=display_array(sine_db), name="6.02b + 1.76 (full-scale sine)",
                             mode="lines", line=THEORY_LINE))
    fig.add_trace(go.Scatter(x=bits, y=display_array(measured_db), name="measured", mode="lines+markers",
                             line=dict(color=COLORS["error"], width=2), marker=dict(size=6)))
    # drawn after (on top of) the measured curve, which it often matches exactly
    fig.add_trace(go.Scatter(x=bits, y=display_array(model_db), name="Δ²/12 model, this signal's power",
                             mode="lines", line=dict(color=COLORS["theory"], dash="dot", width=2)))
    if current_bits is not None and np.isfinite(current_db):
        fig.add_trace(go.Scatter(x=[current_bits], y=[current_db], name="current setting", mode="markers",
                                 marker=dict(color=COLORS["quantized"], size=16, symbol="star",
                                             line=dict(color="black", width=1))))
    return fit_legend(fig, width_px)


def autocorrelation_figure(r, n: int, width_px: int = HALF_WIDTH) -> go.Figure:
    """Normalised autocorrelation of the error with the ±1.96/√N whiteness band."""
    lags = np.arange(len(r))
    fig = base_figure("Error autocorrelation", "lag (samples)", "r[k] / r[0]")
    fig.add_trace(go.Bar(x=lags, y=display_array(r), name="error autocorrelation", marker_color=COLORS["error"]))
    band = 1.96 / np.sqrt(max(n, 1))
    band_trace(fig, -0.5, float(len(r)) - 0.5, band, "±1.96/√N: 95 % band for white noise")
    fig.layout.yaxis.range = [-1.05, 1.05]
    return fit_legend(fig, width_px)


# ---- One call per view: the figure and its caption from the same state (the page only places them) --------


def checked_bounds(spec, step: float, clip_fraction: float, max_abs: float | None):
    """:func:`error_bounds` for the run's state: None when the signal overloads, or when the measured
    largest error ``max_abs`` exceeds the bound (overload inside a dither or noise-shaping loop)."""
    bounds = error_bounds(spec, overloaded=clip_fraction > 0)
    if bounds is not None and max_abs is not None and max_abs / step > max(abs(bounds[0]), abs(bounds[1])) + 1e-6:
        return None
    return bounds


def time_view(spec, step: float, x, q, start: int, stop: int, fs: float, clip_fraction: float = 0.0,
              max_abs: float | None = None, width_px: int = FULL_WIDTH, height: int = 520):
    """The time view of samples start … stop − 1 of x and Q(x): (figure, what-to-notice text)."""
    xs, qs = np.asarray(x[start:stop], dtype=np.float64), np.asarray(q[start:stop], dtype=np.float64)
    t_ms = np.arange(start, stop) / fs * 1000
    bounds = checked_bounds(spec, step, clip_fraction, max_abs)
    levels, count, y_range = None, 0, None
    if xs.size:
        y0, y1 = float(min(xs.min(), qs.min())), float(max(xs.max(), qs.max()))
        pad = max(0.06 * (y1 - y0), 1e-12)
        levels, count = levels_in_view(spec, step, y0 - pad, y1 + pad)
        if levels is not None:  # room for the next level beyond the signal on each side, if it stays readable
            wider, more = levels_in_view(spec, step, y0 - max(pad, 1.05 * step), y1 + max(pad, 1.05 * step))
            if wider is not None:
                levels, count, pad = wider, more, max(pad, 1.25 * step)
        y_range = (y0 - pad, y1 + pad)
    recon = None
    if 2 <= xs.size <= RECON_MAX:
        up = int(min(max(1000 // xs.size, 2), 16))
        tr, yr = bandlimited(q, start, stop, up)
        recon = (tr / fs * 1000, yr)
    fig = signal_error_figure(t_ms, xs, qs, step, levels=levels, bounds=bounds, recon=recon, y_range=y_range,
                              width_px=width_px, height=height,
                              bound_name=(f"{bound_label(bounds)} (the error's bound)" if bounds else ""))
    return fig, time_notice(spec, step, xs, qs, count, levels is not None, bounds, clip_fraction, recon is not None)


def transfer_view(spec, step: float, signal_min: float, signal_max: float, granular: tuple[float, float],
                  clip_fraction: float = 0.0, points: int = 1601):
    """The transfer characteristic for the run's state: (figure, what-to-notice text).

    ``granular`` is the granular region (first level − Δ/2, last level + Δ/2) of a bounded grid.
    Drawn without dither or noise shaping (they are not a property of the input → output map), and
    stochastic rounding as rounding to nearest.
    """
    from dataclasses import replace

    overloaded = clip_fraction > 0
    x0, x1, note = transfer_window(spec, step, signal_min, signal_max, overloaded)
    xin = np.linspace(x0, x1, points)
    stair = quantize(xin, replace(spec, dither="none", noise_shaping=0,
                                  rounding="nearest" if spec.rounding == "stochastic" else spec.rounding))
    edges = granular if spec.bounded else ()
    fig = staircase_figure(xin, stair.values, edges, signal_min, signal_max, note)
    return fig, staircase_notice(spec, overloaded, note)


def histogram_view(spec, step: float, centers, density, x, q, clip_fraction: float = 0.0,
                   max_abs: float | None = None):
    """The error histogram for the run's state: (figure, what-to-notice text).

    Computes from x and Q(x) the mean error and the share of errors beyond the histogram's span
    (its end bins hold them).
    """
    centers = np.asarray(centers, dtype=np.float64)
    e = (np.asarray(x, dtype=np.float64) - np.asarray(q, dtype=np.float64)) / step
    mean = float(np.mean(e)) if e.size else None
    overload = None
    if len(centers) > 1:
        edge = float(np.max(np.abs(centers))) + float(centers[1] - centers[0]) / 2
        beyond = float(np.mean(np.abs(e) > edge)) if e.size else 0.0
        if beyond > 0:
            overload = (beyond, (max_abs / step) if max_abs is not None else float(np.max(np.abs(e))))
    model = histogram_model(spec)
    clipped = clip_fraction > 0
    fig = histogram_figure(centers, density, model, overload=overload, mean=mean, clipped=clipped)
    return fig, histogram_notice(spec, model, mean, overload, clipped)


def spectrum_view(spec, fs: float, freqs, x_db, q_db, e_db, floor_db):
    """The spectra for the run's state: (figure, what-to-notice text). Noise shaping gets a
    log-frequency axis; the band 0 … fs·INBAND_FRACTION is shaded with its in-band SNR."""
    band = fs * INBAND_FRACTION
    snr_band = band_snr_db(freqs, x_db, e_db, band)
    snr_full = band_snr_db(freqs, x_db, e_db, fs)
    label = "predicted error" + (f" × |NTF|² (k = {spec.noise_shaping})" if spec.noise_shaping else " floor")
    shaped = bool(spec.noise_shaping)  # the band is shaping's lesson; without it the spectrum stays plain
    fig = spectrum_figure(freqs, x_db, q_db, e_db, floor_db, label, log_x=shaped, band_hz=band if shaped else None,
                          band_label=f"in-band SNR {snr_band:.1f} dB (0–{band / 1000:g} kHz)")
    silent = not np.any(np.asarray(q_db) > -250)  # Welch of an all-zero Q(x): −∞ (or the floor of the dB clip)
    return fig, spectrum_notice(spec, fs, band if shaped else None, snr_band, snr_full, silent)
