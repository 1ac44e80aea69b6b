"""Figures of uniform quantization of 1-D signals (the Signals page)."""

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import (AXIS, COLORS, THEORY_LINE, band_trace, base_figure, display_array, hband, line,
                                     vline, vrect)


def signal_error_figure(t, x, q, step: float, unit: str = "ms") -> go.Figure:
    """Two panels on one time axis: x and Q(x) above, the error e/Δ = (x − Q(x))/Δ with its ±½ bounds below
    (the bounds are a legend entry, not a labelled shape: see :func:`band_trace`).

    One figure rather than two: the panels share zoom and hover, and the
    browser builds one chart per update instead of two.
    """
    t = np.asarray(t)
    e = (np.asarray(x) - np.asarray(q)) / step
    fig = base_figure(
        "Signal, quantized signal and error", f"time ({unit})", "amplitude (full scale = 1)", height=520,
        xaxis=dict(anchor="y2", domain=[0, 1]),
        yaxis=dict(domain=[0.47, 1.0]),
        yaxis2=dict(AXIS, domain=[0.0, 0.36], anchor="x", title=dict(text="e = x − Q(x) (in Δ)")),
    )
    line(fig, t, x, "original x", COLORS["original"], width=2)
    line(fig, t, q, "quantized Q(x)", COLORS["quantized"], width=2, shape="hv")
    line(fig, t, e, "error e/Δ", COLORS["error"], yaxis="y2")
    return band_trace(fig, float(t[0]), float(t[-1]), 0.5, "±Δ/2 (the error's bounds)", yaxis="y2")


def staircase_figure(xin, qout, edges, signal_min: float, signal_max: float, zoomed: bool) -> go.Figure:
    """Transfer characteristic Q(x) with the error sawtooth x − Q(x) beneath it.

    The axes span ``xin`` exactly, so the range edges and the signal's span (drawn
    as shapes) never widen a zoomed view.
    """
    title = "Transfer characteristic" + (" (16 levels, zoomed)" if zoomed else "")
    fig = base_figure(title, "input x", "output Q(x)", height=380)
    x0, x1 = float(np.min(xin)), float(np.max(xin))
    fig.update_xaxes(range=[x0, x1])
    fig.update_yaxes(range=[min(x0, float(np.min(qout))), max(x1, float(np.max(qout)))])
    fig.add_trace(go.Scatter(x=display_array(xin), y=display_array(xin), name="ideal y = x",
                             mode="lines", line=THEORY_LINE))
    line(fig, xin, qout, "Q(x)", COLORS["quantized"], width=2.5, shape="hv")
    line(fig, xin, np.asarray(xin) - np.asarray(qout), "error x − Q(x)", COLORS["error"], width=1.5)
    span = (max(signal_min, x0), min(signal_max, x1))
    if span[1] > span[0]:
        vrect(fig, span[0], span[1], COLORS["original"], "signal's span", opacity=0.08)
    for edge in edges:  # the range [lo, hi] of a bounded grid
        if x0 <= edge <= x1:
            vline(fig, edge)
    return fig


def histogram_figure(centers, density, standard_model: bool) -> go.Figure:
    """Histogram of e/Δ as a density, against the uniform U(−½, ½) density of the model."""
    span = float(np.max(np.abs(centers))) if len(centers) else 0.75
    fig = base_figure("Error histogram", "error e/Δ (LSB)", "probability density")
    fig.add_trace(go.Bar(x=display_array(centers), y=display_array(density), name="measured",
                         marker_color=COLORS["error"], opacity=0.75))
    if standard_model:
        fig.add_trace(go.Scatter(x=[-span, -0.5, -0.5, 0.5, 0.5, span], y=[0, 0, 1, 1, 0, 0],
                                 name="U(−Δ/2, Δ/2) model", mode="lines", line=THEORY_LINE))
    fig.update_layout(bargap=0.02)
    return fig


def spectrum_figure(f, px_db, pq_db, pe_db, floor_db, floor_label: str) -> go.Figure:
    """Spectra of x, Q(x) and e in dBFS with the predicted error spectrum (flat, or |NTF|²-shaped)."""
    fig = base_figure("Spectra (Welch, Hann window)", "frequency (Hz)", "power per bin (dBFS)", height=380)
    line(fig, f, px_db, "original x", COLORS["original"])
    line(fig, f, pq_db, "quantized Q(x)", COLORS["quantized"])
    line(fig, f, pe_db, "error e", COLORS["error"])
    fig.add_trace(go.Scatter(x=display_array(f), y=display_array(floor_db), name=floor_label, mode="lines",
                             line=THEORY_LINE))
    low = float(np.min(np.concatenate([np.ravel(pe_db), [float(np.median(floor_db))]]))) - 10
    fig.update_yaxes(range=[max(low, -250), 10])
    return fig


def sqnr_bits_figure(bits, measured_db, model_db, sine_db, current_bits, current_db) -> go.Figure:
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
    return fig


def autocorrelation_figure(r, n: int) -> go.Figure:
    """Normalised autocorrelation of the error with the ±1.96/√N whiteness band."""
    lags = np.arange(len(r))
    fig = base_figure("Error autocorrelation", "lag (samples)", "r[k] / r[0]")
    fig.add_trace(go.Bar(x=lags, y=display_array(r), name="error autocorrelation", marker_color=COLORS["error"]))
    band = 1.96 / np.sqrt(max(n, 1))
    hband(fig, band, "95 % band for white noise")
    fig.update_yaxes(range=[-1.05, 1.05])
    return fig
