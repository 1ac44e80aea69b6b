"""Signals: uniform quantization of 1-D test signals, seen seven ways."""

import numpy as np
import streamlit as st

from quantviz import signals, theory
from quantviz.analysis import granular_edges
from quantviz.app import ui
from quantviz.app.cached.signals import (analysis, autocorr, generated, prefetch_bits, spectra, sweep, time_picture,
                                         uploaded)
from quantviz.figures import signals as figs
from quantviz.app.params import SAMPLE_RATES, SIGNAL_LENGTHS, SIGNAL_PRESETS, SIGNAL_VIEW_LENS, SIGNAL_VIEWS
from quantviz.dither import subtractive_makes_error_independent

ui.setup_page("Signals", "Quantize a test signal and watch the error: where the Δ²/12 model holds and where it breaks.")

# ---- Input -----------------------------------------------------------------
sb = st.sidebar
ui.preset_picker(SIGNAL_PRESETS)
quantizer_box = sb.container()  # the quantizer block first: the Bits slider stays above a projector's fold
sb.subheader("Signal")
source = sb.radio("Source", ["generated", "upload"], horizontal=True, key="source", format_func=ui.label,
                  **ui.default_kw("source"))

if source == "generated":
    fs = sb.selectbox("Sample rate (Hz)", SAMPLE_RATES, key="fs", format_func="{:,}".format, **ui.default_kw("fs"))
    kind = sb.selectbox("Signal", list(signals.GENERATORS), key="signal",
                        format_func=lambda k: k.replace("_", " "), **ui.default_kw("signal"))
    level_db = sb.slider("Level (dBFS, peak)", -120.0, 12.0, step=0.5, key="level_db",
                         **ui.default_kw("level_db"),
                         help="0 dBFS = peak amplitude 1 (full scale); above 0 a periodic signal overloads the "
                              "quantizer. Noises have no fixed peak: their σ is a quarter of this amplitude, so "
                              "Gaussian/Laplacian noise at 0 dBFS occasionally exceeds ±1.")
    ui.clamp_state("freq", 1.0, fs / 2)  # a link or a lower rate can ask for more than Nyquist
    freq = sb.number_input("Frequency (Hz)", 1.0, fs / 2, key="freq", **ui.default_kw("freq"),
                           help="997 Hz is not a sub-multiple of the sample rate, so the error does not repeat.")
    n = sb.select_slider("Length (samples)", SIGNAL_LENGTHS, key="n", format_func="{:,}".format,
                         **ui.default_kw("n"))
    x = generated(kind, n, fs, float(freq), level_db)
    source_label = f"{kind.replace('_', ' ')} at {level_db:g} dBFS"
    source_key = ("generated", kind, n, fs, float(freq), level_db)
else:
    up = sb.file_uploader("1-D signal: CSV, NPY or audio (WAV/FLAC/OGG/MP3)",
                          type=["csv", "txt", "npy", "wav", "flac", "ogg", "mp3"])
    # No usable file: the page still draws every control (below, disabled where nothing can be computed) before
    # it stops. A run that stops before drawing a widget makes the browser forget it, and the next run's widget
    # came back at its minimum (bits 1, window 20, fs 8000, seen after bad → good → bad uploads in Chromium).
    x, file_fs, msg, missing = np.zeros(0), None, "", None
    if up is None:
        missing = lambda: st.info("Upload a file in the sidebar (one column of numbers, a 1-D .npy array or an "  # noqa: E731
                                  "audio file), or switch the source back to *generated*.", icon=":material/upload_file:")
    else:
        try:
            x, file_fs, msg = uploaded(up.file_id, up.name, up.getvalue())
        except ValueError as exc:
            missing = lambda exc=exc: ui.show_error(f"Could not use this file: {exc}")  # noqa: E731
    if file_fs:  # an audio file carries its own rate: show it, offer no selector that would be ignored
        fs = int(file_fs)
        sb.caption(f"Sample rate: **{fs:,} Hz**, from the file.")
    else:
        fs = sb.selectbox("Sample rate of these samples (Hz)", SAMPLE_RATES, key="fs", format_func="{:,}".format,
                          **ui.default_kw("fs"))
    if up is not None and missing is None:
        source_label = f"{up.name} ({x.size:,} samples)"
        source_key = ("upload", up.file_id, fs)  # unique per upload: two files named data.csv never collide
    if msg:
        st.info(msg)

# ---- Quantizer --------------------------------------------------------------
resolved = ui.quantizer_controls(float(np.min(x)) if x.size else -1.0, float(np.max(x)) if x.size else 1.0,
                                 container=quantizer_box)
spec = resolved.spec
if source == "upload" and missing is not None:
    missing()
    c1, c2, c3 = st.columns([2, 5, 1.4], vertical_alignment="bottom")  # the page's other controls, kept (disabled)
    c1.select_slider("Window (samples)", SIGNAL_VIEW_LENS, key="view_len", format_func="{:,}".format, disabled=True,
                     **ui.default_kw("view_len"))
    c2.slider("Window start (sample)", 0, max(int(st.session_state["view_start"]), 1), key="view_start",
              disabled=True, **ui.default_kw("view_start"))
    ui.interactive_toggle(c3)
    st.pills("More views: open what the lesson needs (each preset opens its own)", SIGNAL_VIEWS,
             selection_mode="multi", key="views", disabled=True, **ui.default_kw("views"))
    ui.stop()

# ---- Engine (cached calls, quantviz.app.cached.signals) ---------------------------
band_fs = fs if spec.noise_shaping else None  # the in-band SNR: a Welch pass, for shaping only
a = analysis(source_key, spec, x, band_fs)
step = a.step
m, p = a.metrics, a.predicted

# ---- Metrics ----------------------------------------------------------------
def short_db(v):  # ≤ 9 characters, so a card is never cut at 1280×720: "193.5 dB"
    return f"{round(v, 1) + 0.0:.1f} dB" if np.isfinite(v) else ("∞ dB" if v > 0 else "−∞ dB")  # no "−0.0"


def short_steps(v, sign=""):  # a value in Δ, ≤ 9 characters: "0.289 Δ", "+0.500 Δ", "12800 Δ"
    if not np.isfinite(v):
        return "∞ Δ"
    v = round(v, 3) + 0.0  # no "−0.000 Δ"
    return f"{v:{sign}.3f} Δ" if abs(v) < 100 else f"{v:{sign}.0f} Δ" if abs(v) < 1e6 else f"{v:{sign}.0e} Δ"


notes = a.notes
plain = spec.rounding == "nearest" and spec.dither == "none" and not spec.noise_shaping
bias_text = {"floor": " (Q biased by −Δ/2)", "ceil": " (Q biased by +Δ/2)",
             "toward_zero": " (±Δ/2 by sign of x)"}.get(spec.rounding, "") if not spec.noise_shaping else ""
if "inband_snr" in m and spec.noise_shaping:  # the lesson of shaping: worse in total, better in the band
    sixth = ui.Metric("In-band SNR", short_db(m["inband_snr"]), f"0–{a.band[1] / 1000:g} kHz (fs/8), Welch",
                      f"{short_db(p['inband_snr'])} (floor × |NTF|²)")
else:
    sixth = ui.Metric("PSQNR", short_db(m["psqnr"]), "10·log10(max|x|² / MSE)", short_db(p["psqnr"]))
enob_value = (f"≥ {spec.bits} bits" if notes["enob"].startswith("≥") else
              next(t for d in (2, 1, 0) if len(t := f"{m['enob']:.{d}f} bits") <= 9 or d == 0)
              if spec.bounded else "—")
ui.metric_cards([
    # one card for the error's power (a card is 2 elements re-sent every move): MSE = mean(e²) in its formula line
    ui.Metric("RMS error", short_steps(m["rms"] / step), f"√MSE / Δ, MSE = mean(e²) = {m['mse']:.3g}",
              f"{p['rms'] / step:.3f} Δ" + (" = 1/√12" if plain else "")),
    ui.Metric("max |e|", short_steps(m["max_abs"] / step), "max |x − Q(x)| / Δ", notes["max_abs"]),
    ui.Metric("Mean error", short_steps(m["mean"] / step, "+"), "mean(x − Q(x)) / Δ",
              f"{p['mean'] / step:+.2f} Δ{bias_text}"),
    ui.Metric("SQNR", short_db(m["sqnr"]), "10·log10(Σx² / Σe²)", f"{short_db(p['sqnr'])} (P_x / P_e)"),
    sixth,
    ui.Metric("ENOB", enob_value, "log2(2^b·Δ / √(12·MSE))",
              f"{p['enob']:.2f} bits for these settings" if spec.bounded else "— (no word length)"),
])
st.caption(f"**{source_label}**, fs = {fs:,} Hz · {resolved.description} · predicted {notes['model']} = "
           f"{p['mse']:.3g} (an input spread over many cells)"
           + (f" · {a.clip_fraction:.1%} of samples are outside the range and clip/wrap: the predictions hold "
              "inside it only" if a.clip_fraction else "")
           + (f" · ENOB {notes['enob']}" if notes["enob"] else ""))

# ---- Figures ----------------------------------------------------------------


def time_views(half: bool):
    """Signal and error over a window (half width beside a lesson's first view). Not an st.fragment: on this
    page a fragment made every bits move ~17 ms slower (measured), and a window move reruns from cached results."""
    charts = st.container()  # drawn above the window controls, filled after them
    c1, c2, c3 = st.columns([2, 5, 1.4] if not half else [1.5, 2.2, 1.6], vertical_alignment="bottom")
    view_len = c1.select_slider("Window (samples)", SIGNAL_VIEW_LENS, key="view_len", format_func="{:,}".format,
                                **ui.default_kw("view_len"))
    view_start = 0
    if x.size > view_len:
        ui.clamp_state("view_start", 0, x.size - 1)
        view_start = c2.slider("Window start (sample)", 0, x.size - 1, key="view_start", **ui.default_kw("view_start"))
    window = (view_start, min(view_start + view_len, x.size), fs, half, ui.SVG_HALF if half else ui.SVG_FULL)
    pic = time_picture(source_key, spec, x, a, *window)  # usually computed ahead with the analysis
    ui.interactive_toggle(c3)
    with charts:
        ui.plot(pic.fig, pic.notice, width=window[-1], svg=pic.svg)
    return window


def staircase_view():
    ui.plot(*figs.transfer_view(spec, step, float(np.min(x)), float(np.max(x)), granular_edges(spec, step),
                                a.clip_fraction), width=ui.SVG_HALF)


def histogram_view():
    ui.plot(*figs.histogram_view(spec, step, a.hist_centers, a.hist_density, x, a.values, a.clip_fraction,
                                 m["max_abs"]), width=ui.SVG_HALF)


def spectrum_view():
    sp = spectra(source_key, spec, fs, x, a.values, step)
    ui.plot(*figs.spectrum_view(spec, fs, sp.freqs, sp.x_db, sp.q_db, sp.e_db, sp.floor_db), width=ui.SVG_HALF)


def sweep_view():
    sw = sweep(source_key, spec, x)
    ui.plot(figs.sqnr_bits_figure(sw.bits, sw.measured_db, sw.model_db, theory.sine_sqnr_db(sw.bits),
                                  spec.bits if spec.bounded else None, m["sqnr"]),
            "Each bit buys 6.02 dB while the model holds. It fails at few bits (error tied to the signal), "
            "when the signal clips, and when the signal is smaller than a step.", width=ui.SVG_HALF)


def autocorr_view():
    ui.plot(figs.autocorrelation_figure(autocorr(source_key, spec, x, a.values), min(x.size, 1 << 18)),
            "White error has no correlation beyond lag 0 (bars inside the band); coarse, undithered "
            "quantization of a periodic signal shows strong correlation, noise shaping a negative lag-1 value.",
            width=ui.SVG_HALF)


DRAW = dict(zip(SIGNAL_VIEWS, [staircase_view, spectrum_view, histogram_view, sweep_view, autocorr_view]))
# A lesson's first view sits beside the time view, so a preset shows what it teaches on a projector's first screen.
chosen = [v for v in SIGNAL_VIEWS if v in st.session_state["views"]]  # the views field (drawn below, same value)
if chosen:
    left, right = st.columns(2)
    with left:
        window = time_views(half=True)
    with right:
        DRAW[chosen[0]]()
else:
    window = time_views(half=False)
st.pills("More views: open what the lesson needs (each preset opens its own)", SIGNAL_VIEWS,
         selection_mode="multi", key="views", **ui.default_kw("views"))
for pair in range(1, len(chosen), 2):
    for col, view in zip(st.columns(2), chosen[pair:pair + 2]):
        with col:
            DRAW[view]()

# One element for the whole section (header, list, the SQNR gap): each element costs the browser time on every move.
rms = float(np.sqrt(np.dot(x, x) / x.size))
gap = m["sqnr"] - p["sqnr"]
periodic = source == "generated" and kind in signals.PERIODIC | {"multitone", "chirp", "ramp"}
k = spec.noise_shaping
schuchman = spec.dither == "none" or subtractive_makes_error_independent(spec.dither, spec.dither_scale)
checks = [
    (spec.bounded and spec.bits <= 4 and spec.dither == "none" and periodic,
     f"**Few bits** ({spec.bits}) on a deterministic signal: the error is a function of the signal "
     "(harmonics in the spectrum, structure in the autocorrelation), not independent noise."),
    (a.clip_fraction > 0, f"**Overload**: {a.clip_fraction:.1%} of samples lie beyond the outermost levels "
                          "± Δ/2 (the granular region), so they clip or wrap and |e| has no bound."),
    (not np.any(a.values) and rms > 0,
     "**Digital silence**: every sample rounds to 0, so e = x and the error power is the signal's."),
    (0 < rms < step, f"**Sub-LSB signal**: its RMS ({rms:.3g}) is below one step Δ = {step:.3g}."),
    (spec.rounding in ("floor", "ceil") and not k,
     f"**Truncation bias**: {spec.rounding} puts every error on one side, mean {p['mean'] / step:+.1f} Δ; "
     "the power is Δ²/3 (bias included), 4× Δ²/12: 6 dB less SQNR than rounding to nearest."),
    (spec.rounding == "toward_zero" and not k,
     "**Toward zero**: the error is +Δ/2 on average where x > 0 and −Δ/2 where x < 0; the bias cancels in "
     "the mean of a symmetric signal but not in the mean square, Δ²/3."),
    (spec.rounding == "stochastic",
     "**Stochastic rounding** is unbiased (E[Q(x)] = x) but its error power is Δ²/6, twice Δ²/12."),
    (spec.dither != "none" and not spec.subtractive,
     "**Dither adds power**: the error is now Δ²/12 + σ_d² (per rounding rule), but its first moments no "
     "longer depend on the signal (TPDF)."),
    (spec.subtractive and not schuchman,
     f"**Subtractive {spec.dither.upper()} dither of {spec.dither_scale:g} steps**: not a whole number of "
     "steps, so the error's mean and variance still depend on the input (Schuchman's condition); the "
     "predicted power holds only on average."),
    (spec.dither == "gaussian" and not spec.subtractive, "**Gaussian dither** has no peak: |e| is unbounded."),
    (k > 0, f"**Noise shaping** (k = {k}) multiplies the total error power by C({2 * k}, {k}) = "
            f"{theory.noise_shaping_gain(k)} but moves it above the band"
            + (f": in 0–{a.band[1] / 1000:g} kHz the SNR is {short_db(m['inband_snr'])}" if "inband_snr" in m
               else "") + "."),
    (bool(notes["enob"]), f"**ENOB {notes['enob']}**."),
    (abs(gap) > 1 and np.isfinite(gap), f"**Measured SQNR is {gap:+.1f} dB off the model.**"),
]
hits = [text for on, text in checks if on]
st.markdown("#### Where the model breaks\n" + "\n".join(
    f"- {text}" for text in hits or [f"The model ({notes['model']}) fits this setting: the measured and "
                                     "predicted values agree."])
    + f"\n\n:gray[Measured − predicted SQNR: {gap:+.2f} dB (predicted from {notes['model']}).]")

with ui.lazy_expander("Theory: uniform quantization in five formulas", "theory") as theory_box:
    if theory_box.open:
        st.markdown(f"""
- Step: Δ = (hi − lo)/2^b (mid-tread, mid-rise) or (hi − lo)/(2^b − 1) (end-points). Now **Δ = {step:.4g}**.
- Granular error: |e| ≤ Δ/2 for rounding to nearest, < Δ for floor, ceil, toward zero and stochastic, plus the
  dither's peak, × 2^k with noise shaping. Now **{notes["max_abs"]}** inside the range.
- Additive-noise model: e ~ U(−Δ/2, Δ/2), white, independent of x, so P_e = Δ²/12; floor, ceil and toward zero
  give Δ²/3 (the Δ/2 bias included), stochastic rounding Δ²/6. Now **{notes["model"]} = {p['mse']:.3g}**.
- Full-scale sine: SQNR = 20·log10(2^b) + 10·log10(3/2) ≈ 6.02 b + 1.76 dB
  {f"= **{p['sine_sqnr']:.2f} dB** at b = {spec.bits}" if spec.bounded else ""}; ENOB = log2(2^b·Δ / √(12·P_e))
  (IEEE 1241) is b exactly when P_e = Δ²/12.
- Dither (Schuchman 1964; Lipshitz, Wannamaker & Vanderkooy 1992): non-subtractive dither adds its power σ_d²;
  TPDF of ±Δ makes the error's first two moments independent of the signal, at Δ²/4 with rounding to nearest.
  Subtractive dither leaves the rounding error alone, independent of the input only when the dither's width is a
  whole number of steps (RPDF or TPDF at scale 1, 2, …).
- Noise shaping of order k: total error (1 − z⁻¹)^k e_q, power × C(2k, k) = {theory.noise_shaping_gain(spec.noise_shaping)}
  (the rounding bias removed), but moved to high frequencies where a low-pass (or the ear) removes it: the in-band
  power is the white floor × ∫|NTF|² over the band.
""")

ui.finish_page()  # the address bar now holds this run's state

prefetch_bits(source_key, spec, x, band_fs, window=window)  # the bits one step away, in the background, for the next move
