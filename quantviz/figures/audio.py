"""Figures of the Audio page: waveform overview and zoom, spectrograms, error spectrum, segmental SNR.

Plotly figures, and one static SVG (the spectrograms, :func:`spectrogram_svg`); no Streamlit. Every
trace is decimated (min/max envelope, :func:`quantviz.figures.common.envelope`) or already small, and
sent as float32 typed arrays or palette PNGs, so a figure stays well under 100 kB.
"""

import base64
import functools
import io

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go
from PIL import Image

from quantviz.figures.common import (COLORS, THEORY_LINE, base_figure, display_array,
                                     envelope, hline, line, vrect)

INFERNO = np.array([pc.hex_to_rgb(c) for c in pc.sequential.Inferno], dtype=np.float64)  # evenly spaced stops
TIME_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)  # s, for time ticks
WAVE_POINTS = 1200  # per trace of the overview (600 min/max pairs)


def _envelope_seconds(y, fs: float, max_points: int):
    """Min/max envelope of a long 1-D signal with its x axis in seconds."""
    idx, yd, dec = envelope(None, y, max_points)
    return display_array(np.asarray(idx, dtype=np.float64) / fs), yd, dec


def waveform_figure(x, q, e, fs: float, excerpt: tuple[float, float] | None = None, step: float | None = None,
                    channel_note: str = "") -> go.Figure:
    """Whole-clip overview: x and Q(x) above, the error e below, with the played excerpt shaded.

    Parameters
    ----------
    x, q, e : ndarray, shape (n,)
        One channel of the original, the quantized signal and the error.
    fs : float
        Sample rate (Hz).
    excerpt : (start_s, end_s), optional
        The excerpt being played, shaded on both panels.
    step : float, optional
        Δ; draws the ±Δ/2 granular bounds on the error panel.
    """
    fig = base_figure("Waveform (whole clip)" + channel_note, "time (s)", "amplitude", height=360, hovermode=False,
                      yaxis=dict(domain=[0.40, 1.0], title=dict(text="signal")),
                      yaxis2=dict(domain=[0.0, 0.30], anchor="x", title=dict(text="error"), exponentformat="power",
                                  showgrid=True, gridcolor="#e6e6e6", showline=True, linecolor="#9e9e9e",
                                  zeroline=False),
                      xaxis=dict(anchor="y2"))
    for y, name, color, width, axis in ((q, "quantized Q(x)", COLORS["quantized"], 2.5, "y"),
                                        (x, "original x", COLORS["original"], 1, "y"),
                                        (e, "error e = x − Q(x)", COLORS["error"], 1, "y2")):
        t, yd, _ = _envelope_seconds(y, fs, WAVE_POINTS)
        fig.add_trace(go.Scatter(x=t, y=yd, name=name, mode="lines", line=dict(color=color, width=width),
                                 yaxis=axis))
    if step is not None and np.isfinite(step):
        hline(fig, step / 2, label="±Δ/2", yref="y2")
        hline(fig, -step / 2, yref="y2")
    if excerpt is not None:
        vrect(fig, excerpt[0], excerpt[1], COLORS["dither"], "playing", opacity=0.15)
    return fig


def zoom_figure(t_ms, x, q, e, step: float | None = None, level_offset: float = 0.0) -> go.Figure:
    """A few hundred samples: x with its samples, the Q(x) staircase, and the error.

    When at most 40 levels are in view the horizontal grid lines are the
    quantization levels (k + offset)·Δ.
    """
    fig = base_figure("Zoom to sample level", "time (ms)", "amplitude (full scale = 1)", height=390, legend_rows=3)
    dense = len(t_ms) > 300
    fig.add_trace(go.Scatter(x=display_array(t_ms), y=display_array(x), name="original x",
                             mode="lines" if dense else "lines+markers", marker=dict(size=4),
                             line=dict(color=COLORS["original"], width=1.5)))
    line(fig, t_ms, q, "quantized Q(x) (staircase)", COLORS["quantized"], width=2.5, shape="hv")
    line(fig, t_ms, e, "error e", COLORS["error"], width=1, dash="dot")
    lo = float(min(np.min(x), np.min(q), np.min(e))) if len(t_ms) else -1.0
    hi = float(max(np.max(x), np.max(q), np.max(e))) if len(t_ms) else 1.0
    if step is not None and np.isfinite(step) and step > 0 and (hi - lo) / step <= 64:
        pad = step * 0.6
        fig.update_yaxes(range=[lo - pad, hi + pad],
                         minor=dict(tick0=level_offset * step, dtick=step, showgrid=True, gridcolor="#d9d9d9"))
        fig.layout.title.text = "Zoom to sample level (grid: the levels)"
    return fig


def spectrogram_range(white_floor_db: float) -> tuple[float, float]:
    """One colour range (dBFS per bin) for the spectrograms that are compared.

    Fixed top at 0 dBFS (a full-scale sine), so the colours mean the same level in
    every setting; bottom 20 dB under the white error floor, at least 100 dB down,
    at most 200 dB down, rounded to 10 dB.
    """
    floor = white_floor_db if np.isfinite(white_floor_db) else -100.0
    return float(np.clip(np.floor(min(floor - 20, -100.0) / 10) * 10, -200.0, -100.0)), 0.0


@functools.cache
def _palette() -> np.ndarray:
    """Inferno sampled at 256 points (linear RGB interpolation between its stops, as Plotly does), uint8 (256, 3)."""
    stops, grid = np.linspace(0.0, 1.0, len(INFERNO)), np.linspace(0.0, 1.0, 256)
    palette = np.round(np.stack([np.interp(grid, stops, INFERNO[:, i]) for i in range(3)], axis=1)).astype(np.uint8)
    palette.flags.writeable = False
    return palette


def _palette_png(index: np.ndarray) -> str:
    """uint8 palette indices (row 0 at the top) as a palette PNG data URI (zlib level 1: 2.5× faster, +6 %)."""
    image = Image.fromarray(index, mode="P")
    image.putpalette(_palette().tobytes())
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def spectrogram_png(z_db, zmin: float, zmax: float) -> str:
    """A (rows, cols) dB array as a palette PNG data URI (row 0 at the bottom), coloured on [zmin, zmax]."""
    index = np.clip((np.asarray(z_db, dtype=np.float64) - zmin) / (zmax - zmin) * 255, 0, 255)
    return _palette_png(np.round(index).astype(np.uint8)[::-1])


@functools.cache
def _colour_bar_png() -> str:
    """The colour bar: the palette from the top (index 255) down, one pixel wide."""
    return _palette_png(np.arange(255, -1, -1, dtype=np.uint8)[:, None])


def _nice_step(span: float, max_ticks: int = 7) -> float:
    """The smallest of :data:`TIME_STEPS` (1-2-5 below 10 s, then minutes' divisions) that puts at most
    ``max_ticks`` ticks on [0, span]."""
    for step in TIME_STEPS:
        if span / step <= max_ticks - 1:
            return step
    return span / (max_ticks - 1)


def frequency_ticks(f) -> list[tuple[float, float]]:
    """(frequency in Hz, row position) of the labelled ticks on a log-band axis, from the top down.

    ``f`` are the rows' band centres (ascending); a tick at frequency v sits at the
    row position interpolated on log f, row k spanning [k, k + 1). Ticks closer
    than 8 % of the axis to the one above are skipped.
    """
    f = np.asarray(f, dtype=np.float64)
    ticks = []
    for v in (20_000, 10_000, 5000, 2000, 1000, 500, 200, 100, 50):
        y = float(np.interp(np.log(v), np.log(f), np.arange(f.size) + 0.5))
        if f[0] <= v <= f[-1] and (not ticks or ticks[-1][1] - y >= 0.08 * f.size):
            ticks.append((v, y))
    return ticks


def _hz(v: float) -> str:
    return f"{v / 1000:g}k" if v >= 1000 else f"{v:g}"


def spectrogram_svg(t, f, q_db, e_db, zmin: float, zmax: float, band_hi_hz: float | None = None) -> str:
    """Spectrograms of Q(x) and of the error side by side, on ONE colour scale in dBFS per bin, as an SVG.

    Parameters
    ----------
    t : ndarray
        Column centre times (s), evenly spaced: column k covers [k, k + 1)·Δt.
    f : ndarray
        Row centre frequencies (Hz) of log-spaced bands, ascending.
    q_db, e_db : ndarray, shape (rows, cols)
        dBFS per bin.
    zmin, zmax : float
        The shared colour range; a cell's colour is the palette at (z − zmin)/(zmax − zmin).
    band_hi_hz : float, optional
        Upper edge of the in-band SNR's band: a dashed line across both panels at that frequency
        (row position interpolated on log f, as the ticks), labelled on the error panel.

    Returns
    -------
    str
        A standalone SVG document (1000 × 400 user units): each panel a palette PNG
        (:func:`spectrogram_png`, one byte per cell) stretched over its axes, the
        rows evenly spaced (log-spaced bands, hence a log-frequency axis), the time
        and frequency ticks, and a colour bar.

    Notes
    -----
    A static picture, not a Plotly chart: measured in headless Chromium, mounting
    the Plotly version (two layout images and a colour bar) cost ~120 ms of browser
    time on every slider move, about as much as the rest of the Audio page. As an
    ``<img>`` the SVG costs a few ms and looks the same (its text uses Plotly's
    fonts). The price: no zoom or pan, which a 200 × 128-cell picture hardly needs.
    """
    t, f = np.asarray(t, dtype=np.float64), np.asarray(f, dtype=np.float64)
    rows = f.size
    span = float(t[-1] + t[0]) if t.size else 1.0  # column centres (k + ½)·Δt → the clip's duration
    W, H, top, bottom, pw, gap, left = 1000, 400, 64, 322, 380, 50, 70
    panels = [(left, "quantized Q(x)", q_db), (left + pw + gap, "error e = x − Q(x)", e_db)]
    cbx = left + 2 * pw + gap + 30  # colour bar
    font = 'font-family="Open Sans, Verdana, Arial, sans-serif"'
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" {font} '
           f'font-size="16" fill="#444">',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="4" y="24" font-size="19" fill="#2a3f5f">Spectrograms on one colour scale (dBFS per bin)</text>']

    def y_of(row_pos):  # row position (0 = bottom edge) → SVG y
        return bottom - (bottom - top) * row_pos / rows

    step = _nice_step(span)
    ticks = [(v, y_of(pos)) for v, pos in frequency_ticks(f)]
    marks = []  # every tick mark, drawn as one path
    for x0, label, z in panels:
        out.append(f'<text x="{x0 + pw / 2}" y="{top - 10}" text-anchor="middle" font-size="17" fill="#2a3f5f">'
                   f'{label}</text>')
        out.append(f'<image x="{x0}" y="{top}" width="{pw}" height="{bottom - top}" preserveAspectRatio="none" '
                   f'href="{spectrogram_png(z, zmin, zmax)}"/>')
        out.append(f'<rect x="{x0}" y="{top}" width="{pw}" height="{bottom - top}" fill="none" stroke="#9e9e9e"/>')
        for k in range(int(span / step + 1e-6) + 1):  # span is float32: 3 s may be 2.9999998
            x = x0 + pw * k * step / span
            marks.append(f"M{x:.1f} {bottom}v5")
            out.append(f'<text x="{x:.1f}" y="{bottom + 22}" text-anchor="middle">{k * step:g}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{bottom + 48}" text-anchor="middle" font-size="17">time (s)</text>')
        marks.extend(f"M{x0 - 5} {y:.1f}h5" for v, y in ticks)
    if band_hi_hz is not None and f.size > 1 and f[0] <= band_hi_hz <= f[-1]:
        y = y_of(float(np.interp(np.log(band_hi_hz), np.log(f), np.arange(f.size) + 0.5)))
        for x0, _, _ in panels:
            out.append(f'<path d="M{x0} {y:.1f}h{pw}" stroke="white" stroke-width="2" stroke-dasharray="8 5"/>')
        x_err = panels[1][0]
        out.append(f'<text x="{x_err + 6}" y="{y - 6:.1f}" fill="white" font-size="15">in-band: below '
                   f'{band_hi_hz:g} Hz</text>')
    for v, y in ticks:
        out.append(f'<text x="{left - 8}" y="{y + 6:.1f}" text-anchor="end">{_hz(v)}</text>')
    out.append(f'<text transform="translate(16 {(top + bottom) / 2}) rotate(-90)" text-anchor="middle" '
               'font-size="17">frequency (Hz)</text>')
    out.append(f'<image x="{cbx}" y="{top}" width="16" height="{bottom - top}" preserveAspectRatio="none" '
               f'href="{_colour_bar_png()}"/>')  # top = zmax
    dz = 20 if zmax - zmin <= 140 else 40
    for v in np.arange(np.ceil(zmin / dz) * dz, zmax + 1e-9, dz):
        y = bottom - (bottom - top) * (v - zmin) / (zmax - zmin)
        marks.append(f"M{cbx + 16} {y:.1f}h5")
        out.append(f'<text x="{cbx + 24}" y="{y + 6:.1f}">{f"{v:g}".replace("-", "−")}</text>')
    out.append(f'<path d="{"".join(marks)}" stroke="#9e9e9e" fill="none"/>')
    out.append(f'<text transform="translate({cbx + 58} {(top + bottom) / 2}) rotate(90)" text-anchor="middle" '
               'font-size="17">dBFS per bin</text>')
    out.append("</svg>")
    return "".join(out)


def error_spectrum_figure(f, x_db, e_db, floor_db, floor_label: str, fs: float,
                          band_hz: tuple[float, float] | None = None) -> go.Figure:
    """Long-term spectra of x and e (dBFS per bin, log frequency) against the predicted error floor.

    ``band_hz`` (f_lo, f_hi): the in-band SNR's band, shaded (a shape, no annotation: the axis title names it).
    The frequency axis is logarithmic from max(first bin, 20 Hz): a noise shaper's in-band gain, below
    fs/6, takes most of the axis instead of its lowest sixth.
    """
    lo = max(float(f[0]), 20.0)
    x_title = "frequency (Hz, log scale)"
    if band_hz is not None:
        x_title += f" · shaded: {band_hz[0] / 1000:g}–{band_hz[1] / 1000:g} kHz, the in-band SNR's band"
    fig = base_figure("Long-term spectrum of the error vs theory", x_title, "power per bin (dBFS)",
                      height=390, legend_rows=3, xaxis=dict(type="log", range=[np.log10(lo), np.log10(fs / 2)]))
    if band_hz is not None:  # shapes on a log axis take log10 positions
        fig.add_shape(type="rect", xref="x", yref="paper", x0=np.log10(max(band_hz[0], lo)), x1=np.log10(band_hz[1]),
                      y0=0, y1=1, fillcolor=COLORS["dither"], opacity=0.15, line_width=0, layer="below")
    line(fig, f, x_db, "original x", COLORS["original"], width=1)
    line(fig, f, e_db, "error e", COLORS["error"], width=3)
    fig.add_trace(go.Scatter(x=display_array(f), y=display_array(floor_db), name=floor_label, mode="lines",
                             line=THEORY_LINE))
    finite = np.asarray(e_db)[np.isfinite(e_db)]
    low = float(np.percentile(finite, 1)) - 15 if finite.size else -150
    fig.update_yaxes(range=[max(low, -220), max(5.0, float(np.max(x_db)) + 5 if np.size(x_db) else 5.0)])
    return fig


def segsnr_figure(t, snr_db, pred_db, level_dbfs, mean_db: float) -> go.Figure:
    """Per-frame SNR over time with the model's prediction and the signal's level (all in dB)."""
    fig = base_figure("Segmental SNR over time (20 ms frames)", "time (s)", "dB", height=390, legend_rows=3)
    line(fig, t, level_dbfs, "signal level (dBFS)", COLORS["original"], width=1)
    line(fig, t, pred_db, "model SNR: level − floor", COLORS["theory"], width=1.2, dash="dash")
    line(fig, t, snr_db, "measured SNR per frame", COLORS["error"], width=2)
    if np.isfinite(mean_db):
        hline(fig, mean_db, line=dict(color=COLORS["accent"], width=1.5, dash="dot"),
              label=f"segmental SNR {mean_db:.1f} dB (mean)")  # short: a half-width chart, the tick labels on its left
    both = np.concatenate([np.ravel(snr_db), np.ravel(level_dbfs), np.ravel(pred_db)])
    both = both[np.isfinite(both)]
    lo, hi = (float(both.min()), float(both.max())) if both.size else (-100.0, 100.0)
    fig.update_yaxes(range=[max(lo - 5, -160), min(hi + 5, 210)])
    return fig
