"""Figures of non-uniform and vector quantization (the Non-uniform & VQ page).

Scheme colours are fixed here so that μ-law is the same green on every
figure; the data keep the project's "original" blue and theory lines are black.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from quantviz.figures.common import AXIS_STRIP, COLORS, THEORY_LINE, base_figure, display_array, line, vrect

SCHEME_COLORS = {
    "uniform": COLORS["quantized"],  # orange: the plain quantizer of the other pages
    "mu-law": COLORS["accent"],  # bluish green
    "A-law": COLORS["accent2"],  # wine
    "Lloyd-Max": COLORS["accent3"],  # sky blue
    "k-means": "#8C6D1F",  # brown
}
SCHEME_LABELS = {"uniform": "uniform", "mu-law": "μ-law", "A-law": "A-law", "Lloyd-Max": "Lloyd-Max",
                 "k-means": "k-means"}
_DATA_MARKER = dict(color=COLORS["original"], size=3, opacity=0.35)


LEGEND_ROW_PX = 20
TITLE_PX = 36


def _legend_above(n_items: int, per_row: int) -> dict:
    """Layout entries for a legend in rows above the plot area, under the title, covering no data.

    ``per_row`` entries per row (each a fixed fraction of the plot's width, so the
    number of rows, and the top margin reserved for them, is known in advance and
    nothing wraps onto the title or the plot).
    """
    rows = -(-n_items // per_row)
    return dict(legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", yref="paper",
                            entrywidth=1.0 / per_row, entrywidthmode="fraction", font=dict(size=12),
                            tracegroupgap=0, itemclick=False, itemdoubleclick=False),
                title_yref="container", title_y=1.0, title_yanchor="top", title_pad_t=10,  # (``title`` is taken)
                margin=dict(t=TITLE_PX + LEGEND_ROW_PX * rows + 4))


def _num(v: float) -> str:
    """A number for labels, with a true minus sign."""
    return f"{v:g}".replace("-", "−")


def _segments(xs, y0: float, y1: float):
    """Vertical segments at ``xs`` from y0 to y1 as one trace's (x, y), NaN-separated."""
    xs = np.asarray(xs, dtype=np.float64)
    x = np.repeat(xs, 3)
    y = np.tile([y0, y1, np.nan], xs.size)
    x[2::3] = np.nan
    return display_array(x), display_array(y)


MAX_LINES = 40  # more visible levels than this: a rug of ticks instead of full-height lines and markers
MAX_TICKS = 48  # at most this many ticks in the rug: every k-th level beyond that


def ordinal(k: int) -> str:
    """2 -> "2nd", 3 -> "3rd", 4 -> "4th", 11 -> "11th"."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def rug_step(n_levels: int) -> int:
    """Every how many levels the rug draws a tick (1 up to :data:`MAX_TICKS` levels), so its spacing stays readable."""
    return max(1, -(-n_levels // MAX_TICKS))


def _cells_traces(thresholds, levels, color: str, ymax: float, name: str, xaxis="x", yaxis="y", legend=True):
    """Threshold lines (grey dotted) and level markers (scheme colour) as two traces."""
    tx, ty = _segments(thresholds, 0, ymax)
    return [
        go.Scatter(x=tx, y=ty, mode="lines", name="decision thresholds", xaxis=xaxis, yaxis=yaxis,
                   line=dict(color=COLORS["dither"], width=1, dash="dot"), hoverinfo="skip", showlegend=legend),
        go.Scatter(x=display_array(levels), y=np.zeros(len(levels), np.float32), mode="markers", xaxis=xaxis,
                   yaxis=yaxis, name=f"{name} levels", showlegend=legend, cliponaxis=False,
                   marker=dict(color=color, size=11, symbol="triangle-up", line=dict(color="black", width=0.5)),
                   hovertemplate="level %{x:.4g}<extra></extra>"),
    ]


def _rug_trace(levels, color: str, y0: float, y1: float, name: str, every: int = 1):
    """Levels as short ticks under the density: the ticks crowd where the cells are narrow."""
    x, y = _segments(levels, y0, y1)
    which = "one tick each" if every == 1 else f"every {ordinal(every)}"
    return go.Scatter(x=x, y=y, mode="lines", name=f"{name} levels ({which})", line=dict(color=color, width=1.5),
                      hoverinfo="skip")


def density_figure(centers, density, pdf, thresholds, levels, scheme: str, window: tuple[float, float],
                   source_label: str) -> go.Figure:
    """Histogram (and analytic pdf) of the input with one scheme's thresholds and levels drawn over it.

    Up to :data:`MAX_LINES` levels inside the window: a dotted line per threshold and a
    marker per level.  More (e.g. 256 levels): the levels become a rug of ticks in a band
    under the density, without threshold lines (they would fill the plot with grey hatch).
    """
    lo, hi = window
    inside = lambda v: np.asarray(v)[(np.asarray(v) >= lo) & (np.asarray(v) <= hi)]  # noqa: E731
    t, y = inside(thresholds), inside(levels)
    ymax = float(max(np.max(density) if len(density) else 1.0, np.max(pdf) if pdf is not None else 0.0)) * 1.08
    rug = len(y) > MAX_LINES
    y_lo = -0.16 * ymax if rug else -0.04 * ymax
    fig = base_figure(f"Density of the input and the {SCHEME_LABELS[scheme]} cells",
                      "input x (full scale = ±1)", "probability density", height=400,
                      xaxis=dict(range=[lo, hi], exponentformat="e"),  # not SI: "500μ" would read as μ-law
                      yaxis=dict(range=[y_lo, ymax], exponentformat="e", zeroline=False), bargap=0,
                      **_legend_above(4 if pdf is not None else 3, 2))
    fig.add_trace(go.Bar(x=display_array(centers), y=display_array(density), name="histogram of x",
                         marker=dict(color=COLORS["original"], line_width=0), opacity=0.45,
                         hovertemplate="x %{x:.3g}: %{y:.3g}<extra></extra>"))
    if pdf is not None:
        fig.add_trace(go.Scatter(x=display_array(centers), y=display_array(pdf), mode="lines", name="pdf p(x)",
                                 line=THEORY_LINE, hoverinfo="skip"))
    if rug:
        k = rug_step(len(y))
        fig.add_trace(_rug_trace(y[::k], SCHEME_COLORS[scheme], 0.95 * y_lo, 0.1 * y_lo, SCHEME_LABELS[scheme],
                                 k))
    else:
        fig.add_traces(_cells_traces(t, y, SCHEME_COLORS[scheme], ymax, SCHEME_LABELS[scheme]))
    for a, b in ((1, hi), (lo, -1)):
        if b > a:
            vrect(fig, a, b, COLORS["error"], opacity=0.12)
    if hi - 1 > 0.15 * (hi - lo):
        fig.add_annotation(text="overload", x=hi, xanchor="right", yref="paper", y=1, yanchor="top", showarrow=False,
                           font=dict(size=12))
    return fig


def compressor_figure(x, curves: dict, g711_points=None) -> go.Figure:
    """Compressor characteristics F(x) (label -> y), the identity, and G.711's chord ends.

    It does not depend on the input level, so moving the level slider does not redraw it.
    """
    fig = base_figure("Compressor curves F(x)", "input x (full scale)", "compressed F(x)", height=400,
                      xaxis=dict(range=[-1, 1]), yaxis=dict(range=[-1.02, 1.02]),
                      **_legend_above(3 + (g711_points is not None), 2))
    fig.add_trace(go.Scatter(x=[-1, 1], y=[-1, 1], mode="lines", name="identity (uniform)", line=THEORY_LINE))
    for (label, y), color, width, dash in zip(curves.items(), (SCHEME_COLORS["mu-law"], SCHEME_COLORS["A-law"]),
                                              (4, 2), (None, "dash")):
        line(fig, x, y, label, color, width=width, dash=dash)
    if g711_points is not None:
        gx, gy = g711_points
        fig.add_trace(go.Scatter(x=display_array(gx), y=display_array(gy), mode="markers",
                                 name="G.711 μ-law chord ends",
                                 marker=dict(color="black", size=6, symbol="circle")))
    return fig


def loading_figure(curves, mismatch, level_db: float, bits: int, mu: float, design_level_db: float) -> go.Figure:
    """SNR vs input level: uniform, μ-law, A-law and a fixed Lloyd-Max design, with theory, the overload
    region (shaded) and the current level (a dotted line)."""
    lv = curves.levels_db
    top = float(np.max(curves.theory_uniform_db))
    y0, y1 = -10.0, top + 14
    fig = base_figure(f"SNR vs input level at {bits} bits (loading curves)", "input level L (dB RMS re full scale)",
                      "SNR (dB)", height=440, yaxis=dict(range=[y0, y1]), xaxis=dict(range=[lv[0], lv[-1]]),
                      **_legend_above(6, 2))
    # No annotations (each costs a re-created chart a text measurement and a layout pass, see
    # figures.common.band_trace): the page's note names the shaded overload region and the dotted
    # line at the current level.
    over = np.flatnonzero(curves.overload > 1e-3)
    if over.size:
        vrect(fig, float(lv[over[0]]), float(lv[-1]), COLORS["error"], opacity=0.1)
    fig.add_trace(go.Scatter(x=display_array(lv), y=display_array(curves.theory_uniform_db), mode="lines",
                             name="theory: 6.02b + 4.77 + L", line=THEORY_LINE))
    fig.add_trace(go.Scatter(x=display_array(lv), y=display_array(curves.theory_mu_db), mode="lines",
                             name="theory: μ-law (Bennett)",
                             line=dict(color="black", width=1.5, dash="dot")))
    for scheme, label in (("uniform", "uniform"), ("mu-law", f"μ-law, μ = {mu:g}"), ("A-law", "A-law, A = 87.6")):
        line(fig, lv, curves.snr_db[scheme], label, SCHEME_COLORS[scheme], width=2.5)
    line(fig, lv, mismatch, f"Lloyd-Max for {_num(design_level_db)} dB", SCHEME_COLORS["Lloyd-Max"],
         width=2, dash="dashdot")
    fig.add_trace(go.Scatter(x=[level_db, level_db], y=[y0, y1], mode="lines", name=f"now: {_num(level_db)} dB",
                             line=dict(color="black", width=1, dash="dot"), showlegend=False))
    return fig


def bits_figure(sweep, bits_now: int, snr_now: dict) -> go.Figure:
    """SNR vs bits per scheme at the current level against the Panter–Dite line."""
    fig = base_figure("SNR vs bits at this input level", "bits b (2^b levels)", "SNR (dB)", height=400,
                      **_legend_above(2 + len(sweep.snr_db), 3))
    fig.add_trace(go.Scatter(x=sweep.bits, y=display_array(sweep.panter_dite_db), mode="lines",
                             name="Panter–Dite", line=THEORY_LINE))
    for scheme, snr in sweep.snr_db.items():
        fig.add_trace(go.Scatter(x=sweep.bits, y=display_array(snr), mode="lines+markers",
                                 name=SCHEME_LABELS[scheme], line=dict(color=SCHEME_COLORS[scheme], width=2),
                                 marker=dict(size=6)))
    fig.add_trace(go.Scatter(x=[bits_now] * len(snr_now), y=list(snr_now.values()), mode="markers",
                             name="now", marker=dict(color="black", size=13, symbol="star-open")))
    return fig


def player_figure(history, frame: int, centers, density, is_pdf: bool, window: float) -> go.Figure:
    """Lloyd iterations: thresholds and levels over the density (left) and the MSE per iteration (right).

    One recorded iteration, ``history[frame]``: the page's step slider (and its step
    buttons) choose it, so the slider always shows the step that is drawn.  There is
    no in-browser animation, which would move the picture without moving the slider.
    """
    ymax = float(np.max(density)) * 1.08
    its = np.array([h.iteration for h in history])
    mses = np.array([h.mse for h in history])
    above = _legend_above(5, 5)
    fig = base_figure("Lloyd iterations: thresholds ↔ centroids", "x / σ (unit variance)", "probability density",
                      height=400,
                      xaxis=dict(domain=[0, 0.62], range=[-window, window]),
                      yaxis=dict(range=[-0.04 * ymax, ymax]),
                      xaxis2=dict(domain=[0.72, 1], anchor="y2", title=dict(text="iteration"), showgrid=True,
                                  gridcolor="#e6e6e6", showline=True, linecolor="#9e9e9e", ticks="outside"),
                      yaxis2=dict(anchor="x2", type="log", title=dict(text="MSE (σ² = 1)"), showgrid=True,
                                  gridcolor="#e6e6e6", showline=True, linecolor="#9e9e9e", ticks="outside"),
                      bargap=0, hovermode="closest", **above)
    if is_pdf:
        fig.add_trace(go.Scatter(x=display_array(centers), y=display_array(density), mode="lines", name="pdf p(x)",
                                 line=THEORY_LINE, fill="tozeroy", fillcolor="rgba(0,114,178,0.12)",
                                 hoverinfo="skip"))
    else:
        fig.add_trace(go.Bar(x=display_array(centers), y=display_array(density), name="histogram of the data",
                             marker=dict(color=COLORS["original"], line_width=0), opacity=0.45, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=its, y=display_array(mses), mode="lines+markers", name="MSE per iteration",
                             xaxis="x2", yaxis="y2", line=dict(color=COLORS["error"], width=1.5),
                             marker=dict(size=4)))
    h = history[frame]
    fig.add_traces([*_cells_traces(h.thresholds, h.codebook, COLORS["quantized"], ymax, "Lloyd"),
                    go.Scatter(x=[h.iteration], y=[h.mse], mode="markers", xaxis="x2", yaxis="y2",
                               name="this iteration", marker=dict(color="black", size=11, symbol="star"))])
    return fig


def _polygon_path(polys) -> tuple[np.ndarray, np.ndarray]:
    """Closed polygons as one trace's (x, y): each ring closed on its first vertex, NaN-separated."""
    rings = [np.vstack([p, p[:1], [[np.nan, np.nan]]]) for p in polys if len(p)]
    xy = np.vstack(rings) if rings else np.empty((0, 2))
    return display_array(xy[:, 0]), display_array(xy[:, 1])


def vq_figure(exp) -> go.Figure:
    """Scalar per-axis grid (left) against k-means VQ with its Voronoi cells (right), same points and rate.

    The cells are exact polygons (``exp.cells``, :func:`quantviz.vq.voronoi_cells`): one
    line trace of closed rings, so their edges are straight at any zoom.
    """
    ext = float(exp.extent)
    n1, n2 = len(exp.grid_levels[0]), len(exp.grid_levels[1])
    ax = dict(range=[-ext, ext], showgrid=False, zeroline=False, showline=True, linecolor="#9e9e9e",
              ticks="outside", constrain="domain")
    fig = base_figure(f"2-D quantization at {exp.rate:g} bits per dimension ({exp.n_codes} cells), ρ = {exp.rho:g}",
                      "x₁", "x₂", height=560, hovermode="closest",
                      legend=dict(orientation="h", x=0.5, xanchor="center", yref="container", y=0.0,
                                  yanchor="bottom", font=dict(size=12)),
                      xaxis=dict(ax, domain=[0, 0.47]), yaxis=dict(ax, scaleanchor="x"),
                      xaxis2=dict(ax, domain=[0.53, 1], anchor="y2", title=dict(text="x₁")),
                      yaxis2=dict(ax, anchor="x2", scaleanchor="x2"),
                      annotations=[
                          dict(text=f"scalar: {n1} × {n2} grid (Lloyd-Max per axis)<br>"
                                    f"MSE = {exp.mse_scalar:.4f} per dim.",
                               xref="x domain", yref="y domain", x=0.5, y=1.0, yanchor="bottom", showarrow=False),
                          dict(text=f"vector: {exp.n_codes} k-means codes, Voronoi cells<br>"
                                    f"MSE = {exp.mse_vq:.4f} per dim.",
                               xref="x2 domain", yref="y2 domain", x=0.5, y=1.0, yanchor="bottom", showarrow=False)],
                      margin=dict(l=50, r=10, t=80, b=AXIS_STRIP + LEGEND_ROW_PX + 8))
    # left: the grid's cell boundaries (midpoints of each axis's levels); right: the Voronoi polygons
    t1 = 0.5 * (exp.grid_levels[0][:-1] + exp.grid_levels[0][1:])
    t2 = 0.5 * (exp.grid_levels[1][:-1] + exp.grid_levels[1][1:])
    vx, vy = _segments(t1, -ext, ext)
    hy, hx = _segments(t2, -ext, ext)
    fig.add_trace(go.Scatter(x=np.concatenate([vx, hx]), y=np.concatenate([vy, hy]), mode="lines",
                             name="cell boundaries", line=dict(color="#555555", width=1), hoverinfo="skip"))
    px_, py_ = _polygon_path(exp.cells)
    fig.add_trace(go.Scatter(x=px_, y=py_, mode="lines", xaxis="x2", yaxis="y2", showlegend=False,
                             name="cell boundaries", line=dict(color="#555555", width=1), hoverinfo="skip"))
    g1, g2 = np.meshgrid(exp.grid_levels[0], exp.grid_levels[1])
    pts = display_array(exp.points)
    for xa, ya, legend in (("x", "y", True), ("x2", "y2", False)):
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name="data (training points)",
                                 xaxis=xa, yaxis=ya, marker=_DATA_MARKER, hoverinfo="skip", showlegend=legend))
    fig.add_trace(go.Scatter(x=display_array(g1.ravel()), y=display_array(g2.ravel()), mode="markers",
                             name="reconstruction points (grid)", marker=dict(color=COLORS["quantized"], size=10,
                                                                              symbol="x", line=dict(width=1))))
    cb = display_array(exp.codebook)
    fig.add_trace(go.Scatter(x=cb[:, 0], y=cb[:, 1], mode="markers", name="k-means codes", xaxis="x2", yaxis="y2",
                             marker=dict(color=COLORS["quantized"], size=10, symbol="circle",
                                         line=dict(color="black", width=1))))
    return fig
