"""Audio: hear quantization error at true level: truncation, dither, noise shaping and G.711."""

import math

import numpy as np
import streamlit as st

from quantviz import audio_lab
from quantviz.app import ui
from quantviz.app.ab_player import ab_player
from quantviz.app.cached.audio import analysis, at_level, prefetch_bits
from quantviz.figures import audio as figs
from quantviz.app.params import AUDIO_AB, AUDIO_DEFAULTS, AUDIO_PRESETS

ui.setup_page("Audio", "Listen first: 8-bit requantization distorts a quiet note, TPDF dither turns that distortion "
              "into steady hiss, noise shaping pushes the hiss up towards fs/2. Players are at true level.")
D = AUDIO_DEFAULTS

# ---- Input -----------------------------------------------------------------
sb = st.sidebar
ui.preset_picker(AUDIO_PRESETS, key="audio_preset")
quantizer_box = sb.container()  # the coding scheme and the quantizer first: above a projector's fold
sb.subheader("Source")
clip, source_key = ui.audio_input(D["clip"], stop=False)  # no usable upload: (None, its message), see below
gain_db = sb.slider("Input level (dB)", -40.0, 0.0, step=1.0, key="gain_db",
                    **ui.default_kw("gain_db", D["gain_db"]),
                    help="Turns the clip down before quantizing: a quiet signal uses only a few levels.")
if clip is not None:
    fs = clip.sample_rate
    x = at_level(source_key, gain_db, clip.samples)

# ---- Quantizer ----------------------------------------------------------------
quantizer_box.subheader("Coding scheme")
schemes = list(audio_lab.SCHEMES)
SCHEME_WORDS = {"pcm": "uniform PCM", "mulaw": "G.711 μ-law", "alaw": "G.711 A-law"}  # the URL keeps pcm/mulaw/alaw
scheme = quantizer_box.radio("Scheme", schemes, key="scheme", horizontal=True, format_func=SCHEME_WORDS.get,
                  help="  \n".join(f"**{k}**: {v}" for k, v in audio_lab.SCHEMES.items()),
                  **ui.default_kw("scheme", D["scheme"], schemes))
if scheme != "pcm" and not audio_lab.g711_usable():
    st.info("The G.711 codec (quantviz.g711) is not usable in this build, so uniform PCM is shown instead.",
            icon=":material/construction:")
    scheme = "pcm"
if scheme == "pcm":
    resolved = ui.quantizer_controls(max_bits=24, allow_step=False, show_range=False, container=quantizer_box)
    spec, desc = resolved.spec, resolved.description
else:
    spec, desc = None, f"{audio_lab.SCHEMES[scheme]}: 16-bit PCM → 8-bit code → 16-bit PCM"
    quantizer_box.caption("G.711 is fixed at 8 bits: 256 codes on a logarithmic scale (8 segments of 16 steps), fine near "
               "zero and coarse near full scale. Bits, dither and noise shaping apply to uniform PCM only.")

# ---- The controls under the players (drawn by the listening fragment, and disabled when there is no clip) ----
VIEWS = {"waveform": "waveform + zoom (under the players)", "spectrograms": "spectrograms of Q(x) and e",
         "spectrum": "long-term error spectrum vs theory", "segmental": "segmental SNR over time"}


def excerpt_controls(dur, disabled=False):
    c1, c2 = st.columns(2)
    c3 = st.container()
    ui.clamp_state("ex_start", 0.0, math.floor(dur * 10) / 10)
    start = c1.slider("Excerpt start (s)", 0.0, max(math.floor(dur * 10) / 10, 0.1), step=0.1, key="ex_start",
                      disabled=disabled, **ui.default_kw("ex_start", D["ex_start"]))
    length = c2.slider("Excerpt length (s)", 0.5, 10.0, step=0.5, key="ex_len", disabled=disabled,
                       **ui.default_kw("ex_len", D["ex_len"]), help="Only the excerpt is sent to the players.")
    gain = c3.slider("Error gain (dB), for the *error alone* source", 0, 90, key="err_gain", disabled=disabled,
                     **ui.default_kw("err_gain", D["err_gain"]),
                     help="0 dB = the error at its true level. A limiter turns it down if it would peak above −1 dBFS.")
    return start, length, gain


def ab_control(disabled=False):
    return st.segmented_control("Listen, A/B: one player, switch while it plays (it loops)", list(AUDIO_AB),
                                key="ab", required=True, disabled=disabled,
                                help="  \n".join(f"**{k}**: {v}" for k, v in AUDIO_AB.items()),
                                **ui.default_kw("ab"))


def zoom_controls(dur, disabled=False):
    z1, z2 = st.columns([3, 2])
    ui.clamp_state("zoom_at", 0.0, dur)
    at = z1.slider("Zoom at (s)", 0.0, max(dur, 0.001), step=0.001, key="zoom_at", disabled=disabled,
                   format="%.3f", **ui.default_kw("zoom_at", D["zoom_at"]))
    width = z2.select_slider("Zoom width (samples)", [32, 64, 128, 256, 512, 1024, 2048], key="zoom_len",
                             disabled=disabled, **ui.default_kw("zoom_len", D["zoom_len"]))
    return at, width


def views_control(disabled=False):
    return st.pills("See: each view is redrawn on every change, so show the ones you discuss", list(VIEWS),
                    selection_mode="multi", key="views", disabled=disabled,
                    help="  \n".join(f"**{k}**: {v}" for k, v in VIEWS.items()),
                    **ui.default_kw("views")) or []


PLAYERS_LABEL, THEORY_LABEL = ("Original, quantized and error: three players side by side",
                               "Theory: what you are hearing, in formulas")

if clip is None:  # no usable upload: the message, and every other control drawn (disabled) before stopping: a run
    source_key()  # that stops before drawing a widget makes the browser forget it, and its next drawing came back
    # at the widget's minimum (bits 1, −40 dB, excerpt 0.5 s, no views: seen in Chromium after bad → good → bad)
    ab_control(disabled=True)
    excerpt_controls(float(st.session_state.get("ex_start", 0.0)) + 10.0, disabled=True)
    views_control(disabled=True)
    zoom_controls(max(float(st.session_state.get("zoom_at", 0.0)), 1.0), disabled=True)
    for label, key in ((PLAYERS_LABEL, "players"), (THEORY_LABEL, "theory")):
        with ui.lazy_expander(label, key):
            pass
    ui.stop()

# ---- Engine (cached calls, quantviz.app.cached.audio) ------------------------------
a = analysis(source_key, gain_db, spec, scheme, fs, x)
m, p = a.metrics, a.predicted
pcm = scheme == "pcm"

# ---- Metrics ----------------------------------------------------------------
model = "(Δ²/12 + σ_d²)·C(2k, k)" if pcm else "Bennett's integral"
band = f"0–{a.band_hz[1] / 1000:g} kHz"
shaped = pcm and spec.noise_shaping > 0


def num(value, digits=1):  # the unit is in the card's label: short values are never cut
    return ui.fmt_db(value, "", digits).strip()


inband = ui.Metric("In-band (dB)", num(m["inband_snr"]), f"SNR over {band} (marked on the views)",
                   f"{num(p['inband_snr'])} (k = {spec.noise_shaping}); unshaped {num(p['inband_snr_unshaped'])}"
                   ) if shaped else None
sine = ui.Metric("Sine SNR (dB)", num(p["sine_snr"]), f"6.02b + 1.76: a full-scale sine, b = {a.bits}",
                 f"this clip {num(p['sine_snr'] - m['snr'])} dB below" if np.isfinite(m["snr"]) else
                 "this clip: no error (lossless)")
# five cards: with noise shaping (its lesson: worse in total, better in the band) the in-band SNR takes the
# place of the full-scale-sine reference, as on the Signals page (each card costs a little on every move)
ui.metric_cards([c for c in (
    ui.Metric("SNR (dB)", num(m["snr"]), f"0–{fs / 2000:g} kHz: 10·log10(Σx²/Σe²)",
              f"{num(p['snr'])} (P_x / P_e)"),
    inband,
    ui.Metric("Seg. SNR (dB)", num(m["segsnr"]), "segmental: mean of 20 ms frames, clamped to −10…35",
              num(p["segsnr"])),
    ui.Metric("Floor (dBFS)", num(m["noise_dbfs"]), "noise floor: 10·log10(mean e² / ½)",
              f"{num(p['noise_dbfs'])}, P_e = {model}"),
    ui.Metric("ENOB (bits)", ("≥ " if a.enob_note else "") + num(m["enob"], 2 - bool(a.enob_note)),
              "(10·log10(½ / mean e²) − 1.76) / 6.02", num(p["enob"], 2)
              + (" (G.711 is finer than uniform 8-bit near 0)" if not pcm and m["enob"] > 8 else "")),
    None if shaped else sine,
) if c is not None])
chans = "mono" if x.shape[0] == 1 else f"{x.shape[0]} channels"
st.caption(f"**{clip.name}**: {a.duration:.1f} s, {fs:,} Hz, {chans}, input level {gain_db:+g} dB "
           f"(peak {ui.fmt_db(m['peak_dbfs'], 'dBFS')}) · {desc}"
           + (f" · {a.clip_fraction:.2%} of samples clip" if a.clip_fraction else "")
           + (f" · ENOB {a.enob_note}" if a.enob_note else ""))
if pcm and spec.noise_shaping and abs(m["noise_dbfs"] - p["noise_dbfs"]) > 3:
    st.warning(f"The noise-shaping loop is overloaded: the error power is {m['noise_dbfs'] - p['noise_dbfs']:+.0f} dB off "
               f"the prediction. With {spec.bits} bit(s) the fed-back error (up to C(2k, k) times larger) no longer "
               "fits between the levels, so the loop saturates and the shaping fails. Use more bits or a lower order.",
               icon=":material/warning:")


# Listen on the left; the lesson's first view beside it, so a preset shows it on a projector's first screen
listen_col, first_view_col = st.columns([2, 3])
listen_box, see_box = listen_col.container(), st.container()  # "views" is read before the listening fragment


# ---- Listen (a fragment: excerpt, A/B, gain and zoom rerun only this part) ---
@st.fragment
def listen(x, a, spec, name, views):
    ui.commit_state()  # a fragment's rerun skips setup_page: keep the URL in step with its widgets
    head = st.container()  # listen first: the A/B player on top, the excerpt sliders (read first) under it
    dur = a.duration
    start, length, gain = excerpt_controls(dur)
    ex = audio_lab.excerpt_audio(x, a, start, length, gain)  # the WAVs are written when played (ex.wav)
    peak = {k: ui.fmt_db(v, "dBFS") for k, v in ex.peaks_dbfs.items()}
    about = {"original": ("**Original** x", f"24-bit WAV · peak {peak['original']}"),  # (label, details)
             "quantized": ("**Quantized** Q(x)", f"{a.wav_bits}-bit WAV, values exact · peak {peak['quantized']}"),
             "error": ("**Error alone** e = x − Q(x)", f"24-bit WAV · peak {peak['error']}")}
    about = {k: (label, f"{details} · {ex.level_note(k)}") for k, (label, details) in about.items()}  # from the state
    with head:  # one column wide (the lesson's first view sits beside it): the control, the player, the caption
        pick = ab_control() or "quantized"
        # switches in place: same position, still playing (quantviz.app.ab_player); no st.audio restart
        ab_player(ex.wav(pick), pick, (name, ex.start_s, ex.length_s), f"A/B player: {pick}")
        st.caption(f"{' · '.join(about[pick])} · excerpt {ex.start_s:.1f}–{ex.start_s + ex.length_s:.1f} s")
    what, suffix = audio_lab.download_format(a)
    st.download_button(f"Download the quantized clip ({what})", lambda: audio_lab.download_wav(a),
                       file_name=f"{name.rsplit('.', 1)[0]}-{suffix}.wav", mime="audio/wav",
                       on_click="ignore", icon=":material/download:", help="The whole clip, not only the excerpt.")
    with ui.lazy_expander(PLAYERS_LABEL, "players") as box:
        if box.open:
            for col, k in zip(st.columns(3), about):
                with col:
                    ui.wav_player(ex.wav(k), *about[k])
    if "waveform" in views:
        left, right = st.columns(2)
        with left:
            ch = "" if x.shape[0] == 1 else f" (channel 1 of {x.shape[0]})"
            ui.plot(figs.waveform_figure(x[0], a.values[0], a.error[0], a.fs, (ex.start_s, ex.start_s + ex.length_s),
                                         a.step, ch),
                    "The shaded part is what the players play. Undithered, the error follows the music and vanishes "
                    "in silence; with dither it is a steady band, with noise shaping a wider one.")
        with right:
            zoom(x, a, spec)


def zoom(x, a, spec):
    at, width = zoom_controls(math.floor(a.duration * 1000) / 1000)
    i0 = min(int(at * a.fs), max(a.values.shape[-1] - width, 0))
    sl = slice(i0, i0 + width)
    offset = 0.5 if spec is not None and spec.mode == "midrise" else 0.0
    ui.plot(figs.zoom_figure(np.arange(sl.start, min(sl.stop, x.shape[-1])) / a.fs * 1000, x[0, sl],
                             a.values[0, sl], a.error[0, sl], a.step, offset),
            "Zoomed in, Q(x) is a staircase; without dither a quiet signal sits on a few levels (or on zero), "
            "with dither it jumps between levels so that its average follows x.")


with see_box:
    views = views_control()
with listen_box:
    listen(x, a, spec, clip.name, views)

zmin, zmax = figs.spectrogram_range(a.white_floor_db)
# what this setting shows, computed from the state (never a list of every case)
if not pcm:
    heard = "G.711's error follows the signal's level, so the SNR, not the floor, stays about constant."
elif shaped:
    heard = (f"noise shaping (k = {spec.noise_shaping}) pushes the error up: below {a.band_hz[1]:g} Hz (marked on "
             f"the views) the in-band SNR is {num(m['inband_snr'])} dB instead of "
             f"{num(p['inband_snr_unshaped'])} dB predicted unshaped; "
             f"above fs/6 = {fs / 6:,.0f} Hz the error is louder, so the whole-band SNR drops to {num(m['snr'])} dB.")
elif spec.dither != "none":
    heard = (f"with {'Gaussian' if spec.dither == 'gaussian' else spec.dither.upper()} dither the error is a "
             "steady hiss, the same at every moment and frequency.")
else:
    heard = ("undithered, the error copies the music's harmonics (distortion), and where the note decays below "
             "Δ/2 it becomes the note itself.")
spectrograms = lambda: ui.svg_figure(  # noqa: E731  (one entry of the views below)
    figs.spectrogram_svg(a.spec_t, a.spec_f, a.spec_q_db, a.spec_e_db, zmin, zmax,
                         a.band_hz[1] if shaped else None),  # the band of the in-band card, shown with it
    "Spectrograms of the quantized signal and of the error, on one colour scale in dBFS per bin",
    f"one colour scale ({zmin:.0f} to {zmax:.0f} dBFS per bin): where the music is quieter than the "
    f"error, you hear the error. Here {heard}")
floor_label = ("predicted: flat floor" + (f" × |NTF|² (k = {spec.noise_shaping})" if spec.noise_shaping else "")) \
    if pcm else "predicted: Bennett's total, flat"
DRAW = {
    "spectrograms": spectrograms,
    "spectrum": lambda: ui.plot(
        figs.error_spectrum_figure(a.ltas_f, a.ltas_x_db, a.ltas_e_db, a.ltas_floor_db, floor_label, a.fs,
                                  a.band_hz if shaped else None),
        (f"the dashed line is the model: {num(a.white_floor_db, 0)} dBFS per bin flat (N = {a.nperseg})"
         + (f" × (2 sin(πf/fs))^{2 * spec.noise_shaping}, lower than flat below fs/6 = {fs / 6:,.0f} Hz and "
            "higher above" if shaped else "") + f". Here {heard}") if pcm else
        f"Bennett's integral predicts the average error level, {a.white_floor_db:.0f} dBFS per bin; the error "
        "spectrum roughly follows the signal's."),
    "segmental": lambda: ui.plot(
        figs.segsnr_figure(a.seg_t, a.seg_snr_db, a.seg_pred_db, a.seg_level_dbfs, m["segsnr"]),
        "The noise floor is fixed, so each frame's SNR falls with the music's level: quiet passages suffer most, "
        "which the single SNR number hides. The dotted line is the segmental SNR: the mean over frames, each "
        "clamped to −10…35 dB."),
}
chosen = [k for k in DRAW if k in views]  # the waveform is drawn by the listening fragment
if chosen:
    with first_view_col:
        DRAW[chosen[0]]()
for col, k in zip(st.columns(len(chosen) - 1) if len(chosen) > 1 else [], chosen[1:]):
    with col:
        DRAW[k]()

with ui.lazy_expander(THEORY_LABEL, "theory") as theory_box:
    if theory_box.open:
        st.markdown("""
- **Step** of b bits on [−1, 1): Δ = 2/2^b (8 bits: Δ = 0.0078 = −42 dBFS). Error power Δ²/12, a floor of
  10·log10(Δ²/12) = −6.02·b − 4.77 dBFS; a full-scale sine then has SNR = 6.02·b + 1.76 dB.
- **Without dither** the error is a deterministic function of the signal: harmonics and, below Δ/2, the
  note simply stops (the error *is* the note). The Δ²/12 model needs a busy signal many steps tall.
- **TPDF dither** (triangular, ±Δ) makes the error's mean and power independent of the signal: steady hiss of
  power Δ²/4 (+4.77 dB), and a note below Δ/2 stays audible in it (Wannamaker, Lipshitz & Vanderkooy 2000).
- **Noise shaping** of order k feeds the error back: E(z)·(1 − z⁻¹)^k, so the error spectrum is
  multiplied by |NTF|² = (2 sin(ω/2))^(2k): below fs/6 it is lower, above it higher; total power × C(2k, k).
- **G.711** compands: μ-law F(x) = ln(1 + μ|x|)/ln(1 + μ), μ = 255, then 8 bits. Bennett's integral gives
  SNR ≈ 6.02·8 + 4.77 − 20·log10 ln(1 + μ) ≈ 38 dB for loud and quiet speech alike, while uniform 8-bit PCM
  loses 6 dB of SNR for every 6 dB the signal is quieter.
- **dBFS**: 0 dBFS is a sample of magnitude 1; in the spectra 0 dBFS per bin is a full-scale sine.
  Segmental SNR (20 ms frames, clamped to −10…35 dB) follows the ear's short memory better than one SNR.
""")

ui.finish_page()  # the address bar now holds this run's state

prefetch_bits(source_key, gain_db, spec, scheme, fs, x)  # the bits one step away, in the background
