"""Signals: uniform quantization of 1-D test signals, seen seven ways."""

import numpy as np
import streamlit as st

from quantviz import signals, theory
from quantviz.analysis import granular_edges
from quantviz.app import ui
from quantviz.app.cached.signals import analysis, autocorr, generated, spectra, sweep, uploaded
from quantviz.figures import signals as figs
from quantviz.app.params import SIGNAL_DEFAULTS, SIGNAL_PRESETS

ui.setup_page("Signals", "Quantize a test signal and watch the error: where the Δ²/12 model holds and where it breaks.")

# ---- Input -----------------------------------------------------------------
sb = st.sidebar
ui.preset_picker(SIGNAL_PRESETS)
source = sb.radio("Source", ["generated", "upload"], horizontal=True, key="source", bind="query-params",
                  **ui.default_kw("source", SIGNAL_DEFAULTS["source"], ["generated", "upload"]))
fs = sb.selectbox("Sample rate (Hz)", [8000, 16000, 44100, 48000], key="fs", bind="query-params",
                  **ui.default_kw("fs", SIGNAL_DEFAULTS["fs"], [8000, 16000, 44100, 48000]))

x, source_label = None, ""
if source == "generated":
    kind = sb.selectbox("Signal", list(signals.GENERATORS), key="signal", bind="query-params",
                        format_func=lambda k: k.replace("_", " "),
                        **ui.default_kw("signal", SIGNAL_DEFAULTS["signal"], list(signals.GENERATORS)))
    level_db = sb.slider("Level (dBFS, peak)", -120.0, 12.0, step=0.5, key="level_db", bind="query-params",
                         **ui.default_kw("level_db", SIGNAL_DEFAULTS["level_db"]),
                         help="0 dBFS = peak amplitude 1 (full scale); above 0 a periodic signal overloads the "
                              "quantizer. Noises have no fixed peak: their σ is a quarter of this amplitude, so "
                              "Gaussian/Laplacian noise at 0 dBFS occasionally exceeds ±1.")
    freq = sb.number_input("Frequency (Hz)", 1.0, fs / 2, key="freq", bind="query-params",
                           **ui.default_kw("freq", min(SIGNAL_DEFAULTS["freq"], fs / 2)),
                           help="997 Hz is not a sub-multiple of the sample rate, so the error does not repeat.")
    n = sb.select_slider("Length (samples)", [1_000, 10_000, 48_000, 100_000, 1_000_000], key="n",
                         bind="query-params", **ui.default_kw("n", SIGNAL_DEFAULTS["n"]))
    x = generated(kind, n, fs, float(min(freq, fs / 2)), level_db)
    source_label = f"{kind.replace('_', ' ')} at {level_db:g} dBFS"
    source_key = ("generated", kind, n, fs, float(min(freq, fs / 2)), level_db)
else:
    up = sb.file_uploader("1-D signal: CSV, NPY or audio (WAV/FLAC/OGG/MP3)",
                          type=["csv", "txt", "npy", "wav", "flac", "ogg", "mp3"])
    if up is None:
        st.info("Upload a file in the sidebar (one column of numbers, a 1-D .npy array or an audio file), "
                "or switch the source back to *generated*.", icon=":material/upload_file:")
        st.stop()
    try:
        x, file_fs, msg = uploaded(up.file_id, up.name, up.getvalue())
    except ValueError as exc:
        ui.show_error(f"Could not use this file: {exc}")
        st.stop()
    fs = file_fs or fs
    source_label = f"{up.name} ({x.size:,} samples)"
    source_key = ("upload", up.file_id, fs)  # unique per upload: two files named data.csv never collide
    if msg:
        st.info(msg)

# ---- Quantizer --------------------------------------------------------------
resolved = ui.quantizer_controls(float(np.min(x)), float(np.max(x)))
spec = resolved.spec

# ---- Engine (cached calls, quantviz.app.cached.signals) ---------------------------
a = analysis(source_key, spec, x)
step = a.step
m, p = a.metrics, a.predicted

# ---- Metrics ----------------------------------------------------------------
db = "{:.2f} dB".format
ui.metric_cards([
    ui.Metric("MSE", f"{m['mse']:.3g}", "mean(e²)", f"{p['mse']:.3g}"),
    ui.Metric("RMS error", f"{m['rms'] / step:.3f} Δ", "√MSE / Δ", f"{p['rms'] / step:.3f} Δ (1/√12 = 0.289)"),
    ui.Metric("max |e|", f"{m['max_abs'] / step:.3f} Δ", "max |x − Q(x)| / Δ", "0.5 Δ inside the range"),
    ui.Metric("SQNR", db(m["sqnr"]), "10·log10(Σx² / Σe²)", f"{db(p['sqnr'])} (P_x / P_e)"),
    ui.Metric("PSQNR", db(m["psqnr"]), "10·log10(max|x|² / MSE)", db(p["psqnr"])),
    ui.Metric("ENOB", f"{m['enob']:.2f} bits", "(SQNR − 1.76) / 6.02",
              f"{p['enob']:.0f} bit{'s' if p['enob'] != 1 else ''} for a full-scale sine" if spec.bounded else "—"),
])
st.caption(f"**{source_label}**, fs = {fs:,} Hz · {resolved.description} · predicted error power "
           f"P_e = (Δ²/12 + σ_d²)·C(2k, k) = {p['mse']:.3g}"
           + (f" · {a.clip_fraction:.1%} of samples are outside the range and clip/wrap" if a.clip_fraction else ""))

# ---- Figures ----------------------------------------------------------------


def time_views():
    """Signal and error over a window. Not an st.fragment: on this page a fragment made every bits move
    ~17 ms slower (measured), and a window move reruns from cached results anyway."""
    charts = st.container()  # drawn above the window controls, filled after them
    c1, c2 = st.columns([1, 3])
    view_len = c1.select_slider("Window (samples)", [20, 50, 100, 200, 500, 1000, 2000, 10000, 100000],
                                key="view_len", bind="query-params", **ui.default_kw("view_len", 200))
    view_start = c2.slider("Window start (sample)", 0, max(x.size - 1, 0), key="view_start",
                           bind="query-params", **ui.default_kw("view_start", 0)) if x.size > view_len else 0
    fig, notice = figs.time_view(spec, step, x, a.values, view_start, min(view_start + view_len, x.size), fs,
                                 a.clip_fraction, m["max_abs"])
    with charts:
        ui.plot(fig, notice)

time_views()

VIEWS = ["staircase", "spectrum", "histogram", "SQNR vs bits", "autocorrelation"]
views = st.pills("More views: open what the lesson needs (each preset opens its own)", VIEWS,
                 selection_mode="multi", key="views", bind="query-params",
                 **({} if "views" in st.session_state else {"default": SIGNAL_DEFAULTS["views"]}))


def staircase_view():
    ui.plot(*figs.transfer_view(spec, step, float(np.min(x)), float(np.max(x)), granular_edges(spec, step),
                                a.clip_fraction))


def histogram_view():
    ui.plot(*figs.histogram_view(spec, step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction,
                                 m["max_abs"]))


def spectrum_view():
    sp = spectra(source_key, spec, fs, x, a.values, step)
    ui.plot(*figs.spectrum_view(spec, fs, sp.freqs, sp.x_db, sp.q_db, sp.e_db, sp.floor_db))


def sweep_view():
    sw = sweep(source_key, spec, x)
    ui.plot(figs.sqnr_bits_figure(sw.bits, sw.measured_db, sw.model_db, theory.sine_sqnr_db(sw.bits),
                                  spec.bits if spec.bounded else None, m["sqnr"]),
            "Each bit buys 6.02 dB while the model holds. It fails at few bits (error tied to the signal), "
            "when the signal clips, and when the signal is smaller than a step.")


def autocorr_view():
    ui.plot(figs.autocorrelation_figure(autocorr(source_key, spec, x, a.values), min(x.size, 1 << 18)),
            "White error has no correlation beyond lag 0 (bars inside the band); coarse, undithered "
            "quantization of a periodic signal shows strong correlation, noise shaping a negative lag-1 value.")


DRAW = dict(zip(VIEWS, [staircase_view, spectrum_view, histogram_view, sweep_view, autocorr_view]))
chosen = [v for v in VIEWS if v in (views or [])]
for pair in range(0, len(chosen), 2):
    for col, view in zip(st.columns(2), chosen[pair:pair + 2]):
        with col:
            DRAW[view]()

left, right = st.columns(2)
with left:
    st.markdown("#### Where the model breaks")
    rms = float(np.sqrt(np.mean(x**2)))
    gap = m["sqnr"] - p["sqnr"]
    periodic = source == "generated" and kind in signals.PERIODIC | {"multitone", "chirp", "ramp"}
    checks = [
        (spec.bounded and spec.bits <= 4 and spec.dither == "none" and periodic,
         f"**Few bits** ({spec.bits}) on a deterministic signal: the error is a function of the signal "
         "(harmonics in the spectrum, structure in the autocorrelation), not independent noise."),
        (a.clip_fraction > 0, f"**Overload**: {a.clip_fraction:.1%} of samples lie beyond the outermost levels "
                              "± Δ/2 (the granular region), so they clip or wrap."),
        (rms < step, f"**Sub-LSB signal**: its RMS ({rms:.3g}) is below one step Δ = {step:.3g}."),
        (spec.dither != "none" and not spec.subtractive,
         "**Dither adds power**: the error is now Δ²/12 + σ_d², but independent of the signal."),
        (abs(gap) > 1 and np.isfinite(gap), f"**Measured SQNR is {gap:+.1f} dB off the model.**"),
    ]
    hits = [text for on, text in checks if on]
    st.markdown("\n".join(f"- {text}" for text in hits or
                          ["The Δ²/12 model fits this setting: the measured and predicted values agree."]))
    st.caption(f"Measured − predicted SQNR: {gap:+.2f} dB.")

with ui.lazy_expander("Theory: uniform quantization in five formulas", "theory") as theory_box:
    if theory_box.open:
        st.markdown(f"""
- Step: Δ = (hi − lo)/2^b (mid-tread, mid-rise) or (hi − lo)/(2^b − 1) (end-points). Now **Δ = {step:.4g}**.
- Granular error: |e| ≤ Δ/2 = **{step / 2:.4g}** for rounding to nearest inside the range.
- Additive-noise model: e ~ U(−Δ/2, Δ/2), white, independent of x, so P_e = Δ²/12 = **{step**2 / 12:.3g}**.
- Full-scale sine: SQNR = 20·log10(2^b) + 10·log10(3/2) ≈ 6.02 b + 1.76 dB
  {f"= **{p['sine_sqnr']:.2f} dB** at b = {spec.bits}" if spec.bounded else ""}.
- Dither (Schuchman 1964; Wannamaker, Lipshitz & Vanderkooy 2000): TPDF dither of ±Δ makes the error's first two
  moments independent of the signal, at a total power of Δ²/4; subtractive dither gives Δ²/12 exactly.
- Noise shaping of order k: total error (1 − z⁻¹)^k e_q, power × C(2k, k) = {theory.noise_shaping_gain(spec.noise_shaping)},
  but moved to high frequencies where a low-pass (or the ear) removes it.
""")
