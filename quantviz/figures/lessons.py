"""The one live figure of a lesson step, built with the pages' own figure builders (Plotly, no Streamlit).

:func:`step_view` takes what :func:`quantviz.lessons.live` computed for a step's
state and returns a :class:`View`: a Plotly figure or a PNG, and the caption that
says what to notice. The builders are those the target page draws with
(:mod:`quantviz.figures.signals`, ``.nonuniform``, ``.audio``, ``.images``,
``.weights``), so the lesson shows what the page shows for the same state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from quantviz.lessons import Live


@dataclass(frozen=True, eq=False)
class View:
    """A step's figure: ``fig`` (Plotly) or ``png`` (an image, PNG bytes), and what to notice."""

    notice: str
    fig: object = None
    png: bytes | None = None
    caption: str = ""


def step_view(live: Live, view: str) -> View:
    """The figure ``view`` (one of :data:`quantviz.lessons.LESSON_VIEWS` of the page) for a computed state."""
    fn = {"Signals": _signals, "Non-uniform & vector quantization": _nonuniform, "Audio": _audio,
          "Images": _images, "Weights": _weights}[live.page]
    return fn(live, view)


def _signals(live: Live, view: str) -> View:
    from quantviz import analysis, theory
    from quantviz.figures import signals as figs

    v, d = live.values, live.data
    x, spec, a = d["x"], d["spec"], d["analysis"]
    step, m = a.step, a.metrics
    if view == "time":
        start = min(int(v["view_start"]), max(x.size - 1, 0))
        fig, notice = figs.time_view(spec, step, x, a.values, start, min(start + int(v["view_len"]), x.size), v["fs"],
                                     a.clip_fraction, m["max_abs"], width_px=figs.HALF_WIDTH * 2, height=440)
    elif view == "staircase":
        fig, notice = figs.transfer_view(spec, step, float(np.min(x)), float(np.max(x)),
                                         analysis.granular_edges(spec, step), a.clip_fraction)
    elif view == "histogram":
        fig, notice = figs.histogram_view(spec, step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction,
                                          m["max_abs"])
    elif view == "spectrum":
        sp = d["spectra"]
        fig, notice = figs.spectrum_view(spec, v["fs"], sp.freqs, sp.x_db, sp.q_db, sp.e_db, sp.floor_db)
    elif view == "SQNR vs bits":
        sw = _memo(("sweep", _state(live)), lambda: analysis.sqnr_sweep(x, spec))
        fig = figs.sqnr_bits_figure(sw.bits, sw.measured_db, sw.model_db, theory.sine_sqnr_db(sw.bits),
                                    spec.bits if spec.bounded else None, m["sqnr"])
        notice = ("Each bit buys 6.02 dB while the model holds (the dashed line). The star is this step's "
                  f"setting: {m['sqnr']:.1f} dB at {spec.bits} bits.")
    else:
        raise ValueError(f"no Signals view {view!r}")
    return View(notice, fig=fig)


def _nonuniform(live: Live, view: str) -> View:
    from quantviz import nonuniform as nu
    from quantviz.companding import a_law_compress, mu_law_compress
    from quantviz.figures import nonuniform as figs

    v = live.values
    bits, mu, level = int(v["bits"]), float(v["mu"]), float(v["level_db"])
    if view == "compressor":
        xs = np.linspace(-1, 1, 1001)
        curves = {f"μ-law, μ = {mu:g}": mu_law_compress(xs, mu), f"A-law, A = {nu.A_LAW}": a_law_compress(xs, nu.A_LAW)}
        sigma = float(nu.rms_of(level))
        gain = mu / ((1 + mu * sigma) * np.log1p(mu))
        return View(f"The steep slope near 0 stretches small values over many of the {2 ** bits} uniform levels: near "
                    f"x = σ = {sigma:.3g} (this level) the local steps are {gain:.1f}× finer than uniform ones.",
                    fig=figs.compressor_figure(xs, curves, nu.g711_mu_points()))
    if view != "SNR vs level":
        raise ValueError(f"no Non-uniform view {view!r}")
    xu = live.data["x_unit"]
    curves = _loading(v["dist"], bits, mu, xu)
    lm = _lloyd(v["dist"], bits, xu)
    fixed = nu.mismatch_curve(nu.mismatch_offsets(xu, lm), level, curves.levels_db)
    fig = figs.loading_figure(curves, fixed, level, bits, mu, level)
    return View(f"The dotted vertical line is this step's level ({level:g} dB), the shaded band overload. Uniform "
                "SNR (orange) falls 1 dB per dB of level; μ-law (green) and A-law (wine) stay near "
                f"{nu.mu_law_snr_db(bits, mu, 0.0):.0f} dB over a wide range of levels, until overload.", fig=fig)


_CACHE: dict = {}  # a few derived results per process (a sweep, a PNG, loading curves), dropped all at once past 16


def _state(live: Live) -> str:
    return json.dumps([live.page, live.values], sort_keys=True)


def _memo(key, fn):
    value = _CACHE.get(key)
    if value is None:  # sessions share the cache: keep the value itself, another thread may clear the dict
        value = fn()
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = value
    return value


def _loading(dist, bits, mu, xu):
    from quantviz import nonuniform as nu

    return _memo(("loading", dist, bits, mu), lambda: nu.loading_curves(xu, bits, mu))


def _lloyd(dist, bits, xu):
    from quantviz import nonuniform as nu

    return _memo(("lm", dist, bits), lambda: nu.design_lloyd_max(
        dist, bits, None if dist in nu.ANALYTIC else nu.training_samples(dist, clip=None if dist != "speech" else xu)))


def _audio(live: Live, view: str) -> View:
    from quantviz.figures import audio as figs

    a = live.data["analysis"]
    pcm = a.scheme == "pcm"
    k = int(live.values["noise_shaping"]) if pcm else 0
    label = ("predicted: flat floor" + (f" × |NTF|² (k = {k})" if k else "")) if pcm else \
        "predicted: Bennett's total, flat"
    fig = figs.error_spectrum_figure(a.ltas_f, a.ltas_x_db, a.ltas_e_db, a.ltas_floor_db, label, a.fs, None)
    floor = f"{a.white_floor_db:.0f}".replace("-", "−")
    if not pcm:
        how = "G.711's error follows the speech's spectrum and level."
    elif k:
        how = (f"Noise shaping of order {k} tilts the error floor: below fs/6 = {a.fs / 6000:g} kHz it is lower than "
               f"flat, above it higher; the in-band SNR is measured below {a.band_hz[1] / 1000:g} kHz.")
    elif live.values["dither"] != "none":
        how = "With dither the error is a flat floor whatever the signal does."
    else:
        how = "Without dither the error follows the signal."
    notice = (f"Thin blue line: the clip's spectrum; thick purple line: the error's. The dashed line is the model: "
              f"the white floor is {floor} dBFS per bin{' before shaping' if k else ''}. " + how)
    return View(notice, fig=fig)


def _images(live: Live, view: str) -> View:
    if view != "image":
        return _images_view(live, view)
    return _memo(("image", _state(live)), lambda: _images_view(live, view))  # the PNG: encoded once per state


def _images_view(live: Live, view: str) -> View:
    from quantviz.figures import images as figs

    v, d = live.values, live.data
    x, q = d["x"], d["q"]
    if view.startswith("jpeg_"):
        r = d["jpeg"]
        H, W = x.shape[:2]
        zoom = int(v["zoom"])
        zy = round(v["zoom_y"] / 100 * max(H - zoom, 0))
        zx = round(v["zoom_x"] / 100 * max(W - zoom, 0))
        jf, text = figs.jpeg_figures(r, (zy, zx))
        fig = jf[{"jpeg_table": 0, "jpeg_block": 1, "jpeg_zeros": 2}[view]]
        return View(text, fig=fig)
    if view != "image":
        raise ValueError(f"no Images view {view!r}")
    H, W = x.shape[:2]
    zoom = int(v["zoom"])
    zy = round(v["zoom_y"] / 100 * max(H - zoom, 0))
    zx = round(v["zoom_x"] / 100 * max(W - zoom, 0))
    k = figs.display_stride(x.shape)
    shown = figs.to_uint8(q)[::k, ::k]
    pair = np.concatenate([figs.to_uint8(x[zy:zy + zoom, zx:zx + zoom]), figs.to_uint8(q[zy:zy + zoom, zx:zx + zoom])],
                          axis=1)
    f = max(1, 256 // min(zoom, 256))
    zoomed = figs.enlarge(pair, f)
    # one picture: Q(x) at display size | the zoomed crop, x (left half) and Q(x) (right half), top-aligned
    h = max(shown.shape[0], zoomed.shape[0])

    def pad(a):
        out = np.full((h,) + a.shape[1:], 255, np.uint8)
        out[:a.shape[0]] = a
        return out

    sep = np.full((h, 12) + shown.shape[2:], 255, np.uint8)
    png = figs.png_bytes(np.concatenate([pad(shown), sep, pad(zoomed)], axis=1), 1)
    what = (f"JPEG at quality {v['quality']}" if v["scheme"] == "jpeg" else
            f"{v['bits']} bit{'s' * (v['bits'] > 1)} per channel" + (f", {v['dither']} dither" if v["dither"] != "none"
                                                                      else ", no dither"))
    caption = (f"Left: Q(x), {what}{f' (every {k}th pixel shown)' if k > 1 else ''}. Right: a {zoom}×{zoom} px crop "
               f"at ({zx}, {zy}) enlarged ×{f} (nearest neighbour): the original x | Q(x). PNG, exact levels.")
    return View("Look at smooth areas: bands, grain or blocks show there first.", png=png, caption=caption)


def _weights(live: Live, view: str) -> View:
    from quantviz.figures import weights as figs

    v, d = live.values, live.data
    w, r, scheme = d["w"], d["result"], d["scheme"]
    is_int = scheme[0] == "int"
    if view == "channels":
        axis = int(v["axis"])
        per_ch = is_int and r.granularity == "channel"
        tclip = (float(r.clip_lo), float(r.clip_hi)) if is_int and r.granularity == "tensor" else None
        fig, text = figs.channel_ranges(w, axis, np.ravel(r.clip_lo) if per_ch else None,
                                        np.ravel(r.clip_hi) if per_ch else None, tclip,
                                        "row" if axis == 0 else "column")
        return View(text, fig=fig)
    if view != "grid":
        raise ValueError(f"no Weights view {view!r}")
    info = figs.inspect_block(w, r, 0)
    r0, c0 = info.row, info.cols[0]
    label = f"INT{v['bits']} {'symmetric' if v['symmetric'] else 'affine'} per {r.granularity}" if is_int else \
        figs.FORMAT_LABELS[v["fmt"]]
    if is_int:
        s0, z0 = float(r.expand(r.scale)[r0, c0]), int(r.expand(r.zero_point)[r0, c0])
        levels = s0 * (np.arange(r.qmin, r.qmax + 1) - z0)
        clip = (s0 * (r.qmin - z0), s0 * (r.qmax - z0))
        lo_all = r.expand(r.scale) * (r.qmin - r.expand(r.zero_point))
        hi_all = r.expand(r.scale) * (r.qmax - r.expand(r.zero_point))
        tol = 1e-6 * (np.abs(lo_all) + np.abs(hi_all)) + 1e-30
        clipped = float(np.mean((w < lo_all - tol) | (w > hi_all + tol)))
        unit_values = {"tensor": None, "channel": w[r0] if int(v["axis"]) == 0 else w[:, c0],
                       "group": info.x}[r.granularity]
        unit = {"tensor": "the tensor (one grid)", "channel": "channel 0 (each has its own)",
                "group": f"group 0 ({info.cols[1] - c0} weights)"}[r.granularity]
        if r.granularity == "group":  # the whole tensor's counts under one group's grid: where that grid is fine
            clip, unit_values = None, None
        fig, text = figs.grid_histogram(w, levels, clip, clipped, label, unit, None, unit_values)
    else:
        fig, text = figs.grid_histogram(w, info.levels, None, 0.0, label, "the tensor (one grid)",
                                        2 ** 16, info.x if r.block_size else None)
    return View(text, fig=fig)
