"""Shared Plotly conventions: colours, layout, and decimation for display.

Every figure builder in :mod:`quantviz.figures` uses these, so the same
colour means the same thing on every page (Okabe–Ito, colour-blind safe) and
no figure sends more than a few thousand points per trace.
"""

import numpy as np
import plotly.graph_objects as go

COLORS = {
    "original": "#0072B2",  # blue
    "quantized": "#E69F00",  # orange
    "error": "#D55E00",  # vermillion
    "theory": "#000000",  # black, dashed
    "dither": "#7F7F7F",  # grey
    "accent": "#009E73",  # bluish green
    "accent2": "#CC79A7",  # reddish purple
    "accent3": "#56B4E9",  # sky blue
}
THEORY_LINE = dict(color=COLORS["theory"], dash="dash", width=1.5)
MAX_POINTS = 2000
FONT_SIZE = 14


def display_array(a) -> np.ndarray:
    """float32 copy for the browser: Plotly sends typed arrays, so this halves the payload."""
    return np.asarray(a, dtype=np.float32)


def envelope(x, y, max_points: int = MAX_POINTS):
    """Decimate (x, y) to at most ``max_points`` points for display.

    Short series pass through. Long ones become a min/max envelope: for each
    of max_points/2 buckets the minimum and the maximum, in time order, so
    peaks and the noise band stay visible (no aliasing of the display).

    Returns
    -------
    (x_display, y_display, decimated : bool)
    """
    y = np.asarray(y)
    n = y.shape[-1]
    x = np.arange(n) if x is None else np.asarray(x)
    if n <= max_points:
        return display_array(x), display_array(y), False
    buckets = max_points // 2
    per = n // buckets
    m = per * buckets
    yb = y[:m].reshape(buckets, per)
    i_min = yb.argmin(axis=1)
    i_max = yb.argmax(axis=1)
    first = np.minimum(i_min, i_max)
    second = np.maximum(i_min, i_max)
    base = np.arange(buckets) * per
    idx = np.empty(2 * buckets, dtype=np.int64)
    idx[0::2] = base + first
    idx[1::2] = base + second
    return display_array(x[idx]), display_array(y[idx]), True


def base_figure(title: str, x_title: str, y_title: str, height: int = 340) -> go.Figure:
    """An empty figure with the project's layout: title, axis titles with units, compact margins."""
    fig = go.Figure()
    fig.update_layout(
        title=dict(text=title, font=dict(size=FONT_SIZE + 2)),
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        margin=dict(l=60, r=20, t=40, b=10),
        font=dict(size=FONT_SIZE),
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0, font=dict(size=12)),
        hovermode="x",
        template="plotly_white",
        uirevision="keep",
    )
    return fig


def line(fig: go.Figure, x, y, name: str, color: str, *, width=1.5, dash=None, shape=None,
         max_points: int = MAX_POINTS, **kwargs) -> go.Figure:
    """Add a decimated SVG line trace in one of the project's colours."""
    xd, yd, dec = envelope(x, y, max_points)
    fig.add_trace(go.Scatter(
        x=xd, y=yd, name=name + (" (min/max envelope)" if dec else ""), mode="lines",
        line=dict(color=color, width=width, dash=dash, shape=shape or "linear"), **kwargs,
    ))
    return fig


def hband(fig: go.Figure, half_width: float, label: str) -> go.Figure:
    """Two dashed theory lines at ±half_width with a label (e.g. ±Δ/2)."""
    fig.add_hline(y=half_width, line=THEORY_LINE, annotation_text=label, annotation_position="top right")
    fig.add_hline(y=-half_width, line=THEORY_LINE)
    return fig


def fmt_step(step: float) -> str:
    """Δ formatted for captions: 4 significant digits, scientific when tiny."""
    return f"{step:.4g}"
