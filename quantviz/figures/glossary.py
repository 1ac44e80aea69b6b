"""Figures of the views built on the Glossary page (see :mod:`quantviz.glossary`), in the project's colours."""

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import COLORS, THEORY_LINE, base_figure

ADAPTIVE_TITLE = "Adaptive quantization: SNR per block, fixed Δ vs Δ per block"
STATIC_ERROR_TITLE = "Static vs dynamic error: what averaging removes"
STATIC_QUANT_TITLE = "Static vs dynamic quantization: SQNR per batch of activations"


def _sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def adaptive_figure(d, bits: int, block: int) -> go.Figure:
    """SNR per block against time for the fixed and the adaptive quantizer, with the block's level."""
    fig = base_figure(ADAPTIVE_TITLE, "time (s)", "dB", height=360)
    ideal = 6.02 * bits + 1.76
    fig.add_traces([
        go.Scatter(x=d.t, y=d.level_db, name="block peak (dBFS)", mode="lines",
                   line=dict(color=COLORS["dither"], width=1.5)),
        go.Scatter(x=d.t, y=d.fixed_db, name=f"fixed Δ = 2/2{_sup(bits)}", mode="lines+markers",
                   line=dict(color=COLORS["original"], width=2), marker=dict(size=4)),
        go.Scatter(x=d.t, y=d.adaptive_db, name=f"adaptive Δ (scale per {block} samples)", mode="lines+markers",
                   line=dict(color=COLORS["quantized"], width=2), marker=dict(size=4)),
        go.Scatter(x=[d.t[0], d.t[-1]], y=[ideal, ideal], name=f"6.02·{bits} + 1.76 dB (full-scale sine)",
                   mode="lines", line=THEORY_LINE, hoverinfo="skip"),
    ])
    return fig


def static_error_figure(d) -> go.Figure:
    """|mean e| over N samples, log-log, for a constant input with and without dither and for a sine."""
    fig = base_figure(STATIC_ERROR_TITLE, "samples averaged N", "|mean of e| (in Δ)", height=360,
                      xaxis=dict(type="log"), yaxis=dict(type="log"))
    floor = 1e-4
    fig.add_traces([
        go.Scatter(x=d.n, y=np.maximum(d.dc, floor), name=f"constant input, no dither: static e = {d.static_error:+.2f} Δ",
                   mode="lines", line=dict(color=COLORS["error"], width=2.5)),
        go.Scatter(x=d.n, y=np.maximum(d.dc_dither, floor), name="the same constant + TPDF dither",
                   mode="lines", line=dict(color=COLORS["dither"], width=2)),
        go.Scatter(x=d.n, y=np.maximum(d.busy, floor), name="a busy input (noise over many steps)", mode="lines",
                   line=dict(color=COLORS["original"], width=2)),
        go.Scatter(x=d.n, y=0.5 / np.sqrt(d.n.astype(float)), name="0.5/√N (white, zero-mean error)", mode="lines",
                   line=THEORY_LINE, hoverinfo="skip"),
    ])
    return fig


def static_quant_figure(d, bits: int) -> go.Figure:
    """SQNR of each batch with the static (calibrated) range and with its own (dynamic) range."""
    k = np.arange(len(d.peak))
    fig = base_figure(STATIC_QUANT_TITLE, "batch", "SQNR (dB)", height=360)
    fig.add_traces([
        go.Scatter(x=k, y=d.dynamic_db, name="dynamic: each batch's own max|a|", mode="markers+lines",
                   line=dict(color=COLORS["quantized"], width=1.5), marker=dict(size=7)),
        go.Scatter(x=k, y=d.static_db, name="static: one range from the calibration batches", mode="markers+lines",
                   line=dict(color=COLORS["original"], width=1.5), marker=dict(size=7)),
        go.Scatter(x=[k[0], k[-1]], y=[d.model_db] * 2, mode="lines", line=THEORY_LINE,
                   name=f"6.02·{bits} + 4.77 − 20·log10(max|a|/σ) = {d.model_db:.1f} dB", hoverinfo="skip"),
    ])
    return fig
