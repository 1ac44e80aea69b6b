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
