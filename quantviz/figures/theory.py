"""Figures of the Theory page: the error of one test signal against the additive white-noise model (Widrow)."""

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import COLORS, THEORY_LINE, base_figure, display_array

HEIGHT = 240


def widrow_histogram(demo) -> go.Figure:
    """Histogram of e/Δ (density) against the uniform density 1 on [−½, ½] (:func:`quantviz.worked.widrow_demo`)."""
    c, d = np.asarray(demo.hist_centers), np.asarray(demo.hist_density)
    w = float(c[1] - c[0]) if c.size > 1 else 1.0
    top = max(1.6, float(np.max(d)) * 1.08) if d.size else 1.6
    fig = base_figure("Is the error uniform? Histogram of e/Δ", "error e/Δ (in steps Δ)", "probability density",
                      height=HEIGHT, legend_rows=1, bargap=0.02, yaxis=dict(range=[0, top]),
                      xaxis=dict(range=[-0.6, 0.6]))
    fig.add_trace(go.Bar(x=display_array(c), y=display_array(d), width=w * 0.95, name="measured",
                         marker_color=COLORS["error"], opacity=0.75))
    fig.add_trace(go.Scatter(x=[-0.5, -0.5, 0.5, 0.5], y=[0, 1, 1, 0], mode="lines", line=THEORY_LINE,
                             name="model: uniform on ±Δ/2", hoverinfo="skip"))
    return fig


def widrow_autocorrelation(demo) -> go.Figure:
    """Normalised autocorrelation of e (stems) with the ±1.96/√N band of white noise."""
    lags, r = np.asarray(demo.lags), np.asarray(demo.acf)
    xs = np.repeat(lags, 3).astype(np.float64)
    ys = np.column_stack([np.zeros_like(r), r, np.full_like(r, np.nan)]).ravel()
    fig = base_figure("Is the error white? Autocorrelation of e", "lag k (samples)", "r[k] / r[0]",
                      height=HEIGHT, legend_rows=1, yaxis=dict(range=[-1.05, 1.05]))
    fig.add_trace(go.Scatter(x=display_array(xs), y=display_array(ys), mode="lines", name="measured",
                             line=dict(color=COLORS["error"], width=2), connectgaps=False))
    fig.add_trace(go.Scatter(x=display_array(lags), y=display_array(r), mode="markers", showlegend=False,
                             marker=dict(color=COLORS["error"], size=5), hoverinfo="skip"))
    b, end = float(demo.band), float(lags[-1]) if lags.size else 1.0
    fig.add_trace(go.Scatter(x=[0, end, None, 0, end], y=[b, b, None, -b, -b], mode="lines", line=THEORY_LINE,
                             name="white noise: 95 % band ±1.96/√N", hoverinfo="skip"))
    return fig


MAX_DRAWN_BITS = 6  # 64 levels per row: beyond that the markers merge into a line


def levels_figure(lo: float, hi: float, bits: int, mode: str) -> go.Figure:
    """The levels of a b-bit quantizer on [lo, hi] in the three modes, one row each (from :func:`quantviz.levels`),
    with the decision thresholds (half-way between levels) as ticks: end-points puts 2^b levels on the ends
    (2^b − 1 gaps), mid-tread and mid-rise tile the range with 2^b cells of width (hi − lo)/2^b. The row of
    ``mode`` is drawn bold."""
    from quantviz.quantizers import QuantizerSpec, levels

    rows = (("endpoints", "end-points: Δ = range/(2^b − 1)"), ("midtread", "mid-tread: Δ = range/2^b"),
            ("midrise", "mid-rise: Δ = range/2^b"))
    traces = []
    for y, (m, name) in zip((2, 1, 0), rows):
        lv = levels(QuantizerSpec(bits=min(bits, MAX_DRAWN_BITS), lo=lo, hi=hi, mode=m))
        cuts = (lv[:-1] + lv[1:]) / 2
        xs = np.column_stack([cuts, cuts, np.full_like(cuts, np.nan)]).ravel()
        ys = np.column_stack([np.full_like(cuts, y - 0.25), np.full_like(cuts, y + 0.25),
                              np.full_like(cuts, np.nan)]).ravel()
        bold = m == mode
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name="thresholds (half-way between levels)",
                                 showlegend=y == 2, hoverinfo="skip", line=dict(color=COLORS["dither"], width=1)))
        traces.append(go.Scatter(x=lv, y=np.full_like(lv, y), mode="markers", name=name, showlegend=False,
                                 marker=dict(color=COLORS["quantized"] if bold else COLORS["dither"],
                                             size=9 if bold else 6)))
    b = min(bits, MAX_DRAWN_BITS)
    span = f"[{lo:g}, {hi:g}]".replace("-", "−")
    fig = base_figure(f"The {2 ** b} levels of {b} bits on {span}" + (" (drawn at 6 bits)" if bits > b else "")
                      + ": the chosen convention in orange", "value", "", height=220, legend_rows=1,
                      hovermode="closest",
                      yaxis=dict(range=[-0.6, 2.6], tickvals=[0, 1, 2],
                                 ticktext=["mid-rise", "mid-tread", "end-points"], zeroline=False, showgrid=False),
                      xaxis=dict(range=[lo - 0.04 * (hi - lo), hi + 0.04 * (hi - lo)]))
    fig.add_traces(traces)
    fig.add_traces([go.Scatter(x=[lo, lo, None, hi, hi], y=[-0.5, 2.5, None, -0.5, 2.5], mode="lines",
                               name="x_min, x_max", line=THEORY_LINE, hoverinfo="skip")])
    return fig
