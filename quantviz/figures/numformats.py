"""Figures of the Number formats page: bit patterns coloured by field, and the spacing between neighbours."""

import html

import numpy as np
import plotly.graph_objects as go

from quantviz import numformats as nf
from quantviz.figures.common import COLORS, base_figure

FIELD_COLORS = {"sign": "#D55E00", "exponent": "#0072B2", "mantissa": "#009E73", "integer": "#0072B2",
                "fraction": "#009E73"}
"""Okabe–Ito: sign vermillion, exponent/integer blue, mantissa/fraction green (the same on both explorers)."""
FORMAT_COLORS = {"fp32": "#000000", "fp16": COLORS["original"], "bf16": COLORS["accent3"],
                 "fp8_e4m3": COLORS["quantized"], "fp8_e5m2": COLORS["accent2"], "fp4_e2m1": COLORS["error"]}
FIXED_COLOR = COLORS["accent"]


def bits_html(groups, sep: str = "") -> str:
    """A bit pattern as HTML: ``groups`` = [(field, bits), …], each field's bits in its colour
    (monospace, bold); ``sep`` between groups (e.g. '.' for a binary point)."""
    parts = []
    for i, (name, bits) in enumerate(groups):
        if not bits:
            continue
        if parts and sep:
            parts.append(f'<span style="color:#555">{html.escape(sep)}</span>')
        parts.append(f'<span title="{html.escape(name)}" style="color:{FIELD_COLORS.get(name, "#000")};'
                     f'font-weight:700">{html.escape(bits)}</span>')
    return '<span style="font-family:monospace;font-size:1.02rem;letter-spacing:0.04em">' + "".join(parts) + "</span>"


def legend_html(names=("sign", "exponent", "mantissa")) -> str:
    """A one-line key of the field colours."""
    return " ".join(f'<span style="color:{FIELD_COLORS[n]};font-weight:700">■ {n}</span>' for n in names)


X_LO, X_HI = 2.0**-26, 2.0**17  # the plot's value range: every format's normal range at least in part


def _staircase(fmt: str):
    """Breakpoints of the spacing of ``fmt`` inside [X_LO, X_HI]: the powers of two and the format's limits, with
    the spacing there (:func:`quantviz.numformats.spacing`, from ml_dtypes)."""
    info = nf.float_info(fmt)
    lo, hi = max(X_LO, info.min_subnormal), min(X_HI, info.max)
    if lo >= hi:
        return np.array([]), np.array([])
    k = np.arange(np.ceil(np.log2(lo)), np.floor(np.log2(hi)) + 1)
    x = np.unique(np.concatenate([[lo], 2.0**k, [hi]]))
    return x, nf.spacing(x, fmt)


_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_ticks(lo: int, hi: int, every: int) -> dict:
    """tickvals/ticktext for the decades 10^lo … 10^hi, one label every ``every`` decades, as 10⁻⁶ (1 for 10⁰)."""
    ks = range(lo - lo % every, hi + 1, every)
    return dict(tickvals=[10.0**k for k in ks], ticktext=["1" if k == 0 else f"10{str(k).translate(_SUP)}" for k in ks])


def spacing_figure(value: float, m: int, n: int, signed: bool = True, view: str = "absolute",
                   formats=tuple(nf.FLOAT_FORMATS)) -> go.Figure:
    """Log–log plot of the gap between neighbouring representable numbers against the value, for each float
    format (a staircase doubling at every power of two) and for fixed point Qm.n (flat at 2⁻ⁿ up to 2^m).

    ``view="relative"`` plots gap/value instead: about 2⁻ᵖ for a float across its normal range, falling as
    1/x for fixed point. A dotted line marks ``value``.
    """
    rel = view == "relative"
    traces = []
    for fmt in formats:
        x, g = _staircase(fmt)
        if x.size == 0:
            continue
        if rel:  # within an octave the relative gap falls as 1/x: draw each octave's segment, not a step
            xs = np.repeat(x, 2)[1:-1]
            traces.append(go.Scatter(x=xs, y=np.repeat(g, 2)[:-2] / xs, mode="lines", name=nf.FLOAT_LABELS[fmt],
                                     line=dict(color=FORMAT_COLORS[fmt], width=2)))
        else:
            traces.append(go.Scatter(x=x, y=g, mode="lines", name=nf.FLOAT_LABELS[fmt],
                                     line=dict(color=FORMAT_COLORS[fmt], width=2, shape="hv")))
    f = nf.FixedFormat(m, n, signed)
    xs = np.array([max(X_LO, f.resolution / 2**8), min(2.0**m, X_HI)])
    traces.append(go.Scatter(x=xs, y=f.resolution / xs if rel else np.full(2, f.resolution), mode="lines",
                             name=f"fixed point {f.name} (2⁻ⁿ up to 2^m)",
                             line=dict(color=FIXED_COLOR, width=3, dash="dash")))
    ally = np.concatenate([np.asarray(t.y, dtype=float) for t in traces])
    ally = ally[np.isfinite(ally) & (ally > 0)]
    v = abs(float(value))
    if X_LO <= v <= X_HI:  # a trace, not a shape: its x is a value on the log axis like the data's
        traces.append(go.Scatter(x=[v, v], y=[ally.min(), ally.max()], mode="lines",
                                 name=f"your value x = {value:.4g}", hoverinfo="skip",
                                 line=dict(color=COLORS["dither"], width=1.5, dash="dot")))
    # decade ticks written as powers (10⁻⁶): the same labels in the Plotly chart and in its static SVG picture
    y0, y1 = int(np.floor(np.log10(ally.min()))), int(np.ceil(np.log10(ally.max())))
    y_every = max(1, -(-(y1 - y0) // 7))
    fig = base_figure("Spacing between neighbouring numbers" + (", relative to the value" if rel else ""),
                      "value |x| (log scale)", "gap / |x| (log scale)" if rel else "gap to the next number (log scale)",
                      height=400, legend_rows=2, hovermode="closest",
                      xaxis=dict(type="log", range=[np.log10(X_LO), np.log10(X_HI)], **_decade_ticks(-8, 5, 2)),
                      yaxis=dict(type="log", **_decade_ticks(y0, y1, y_every)))
    fig.add_traces(traces)
    return fig


def fixed_bits_html(sign: str, integer: str, fraction: str) -> str:
    """A fixed-point word coloured by field, with a binary point before the fraction bits (none when n = 0)."""
    head = bits_html([("sign", sign), ("integer", integer)]) if sign + integer else ""
    point = '<span style="font-family:monospace;font-weight:700">.</span>' if fraction else ""
    return head + point + (bits_html([("fraction", fraction)]) if fraction else "")
